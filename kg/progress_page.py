"""The report's 目标与进展 page (``progress.html``): one small chart per measure with a series, drawn as inline SVG.

No script, no library, nothing fetched: each chart is an ``<svg>`` element laid out here (dots for the actuals by
year, a dashed line for the target, ▲ / ▼ / ≈ on a figure that is a lower bound, an upper bound or an approximation)
and rendered by ``kg/templates/progress.html`` with autoescaping, so every name from the data is escaped. The figures
and progress come from :func:`kg.indicators.indicator_series`; the words from :mod:`kg.i18n`.
"""

from __future__ import annotations

from kg import pages
from kg.figures import SYMBOL, figure_text, number_text
from kg.i18n import t
from kg.indicator_views import dated, progress_cells, target_of

WIDTH, HEIGHT = 400, 170
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 18, 30
#: The mark drawn beside a qualified figure: a lower bound points up, an upper bound down.
MARK = {"more_than": "▲", "at_least": "▲", "nearly": "▼", "less_than": "▼", "about": "≈"}


def chart(series: dict, lang: str) -> dict:
    """The geometry of one series' chart: slots (years, then "year not stated"), points, target lines, axis.

    Returns:
        ``{"width", "height", "label", "slots": [{"x", "text"}], "points": [{"x", "y", "mark", "text"}],
        "path": "x,y x,y", "targets": [{"y", "x", "text"}], "axis": {...}}`` in SVG user units.
    """
    unit = series["unit"]
    figures = series["actuals"] + series["targets"]
    years = sorted({f["year"] for f in figures if f.get("year")})
    undated = any(not f.get("year") for f in figures)
    slots = [str(y) for y in years] + ([t("indicators.no_year", lang)] if undated else [])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / len(slots)

    def x_of(figure: dict) -> float:
        index = years.index(figure["year"]) if figure.get("year") else len(slots) - 1
        return round(LEFT + step * (index + 0.5), 1)

    peak = max([float(f["value"]) for f in figures] + [0.0])
    top = peak * 1.15 or 1.0

    def y_of(value) -> float:
        return round(TOP + inner_h * (1 - float(value) / top), 1)

    points = [{"x": x_of(a), "y": y_of(a["value"]), "mark": MARK.get(a.get("qualifier") or "", ""),
               "text": dated(a, unit, lang), "value": number_text(a["value"])} for a in series["actuals"]]
    path = " ".join(f"{p['x']},{p['y']}" for p, a in zip(points, series["actuals"]) if a.get("year"))
    targets = [{"y": y_of(tg["value"]), "x": x_of(tg), "mark": SYMBOL.get(tg.get("qualifier") or "", ""),
                "text": target_of(tg, unit, lang)} for tg in series["targets"]]
    measure = _pick(series, "measure", "measure_en", lang)
    subject = _pick(series, "subject", "subject_en", lang)
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "bottom": HEIGHT - BOTTOM, "label": t("indicators.page.chart", lang, measure=measure, subject=subject),
            "slots": [{"x": round(LEFT + step * (i + 0.5), 1), "text": s} for i, s in enumerate(slots)],
            "points": points, "path": path if path.count(" ") else "", "targets": targets,
            "top_value": figure_text(peak, unit, lang=lang), "top_y": y_of(peak),
            "zero_y": y_of(0)}


def _pick(row: dict, zh: str, en: str, lang: str) -> str:
    return (row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or ""


def progress_html(result: dict, lang: str = "zh", cite=None, banner: str = "", stamp: str = "") -> str:
    """The page as HTML text.

    Args:
        result: :func:`kg.indicators.indicator_series`' answer (the measures with a target or two actuals).
        lang: ``zh`` or ``en``.
        cite: the report's source numbering (``Sources.cite``): each card's sources become ``[n]`` links into
            ``sources.html``; without it the sources are listed by name.
        banner: the synthetic-data notice, if any.
        stamp: when the report was made.
    """
    cards = []
    for s in result["series"]:
        unit = s["unit"]
        rows = [{"target": target_of(tg, unit, lang), "status": p["status"], **progress_cells(p, unit, lang)}
                for tg, p in zip(s["targets"], s["progress"])]
        sources = [src for f in s["actuals"] + s["targets"] for src in f["sources"]]
        cards.append({"chart": chart(s, lang), "measure": _pick(s, "measure", "measure_en", lang),
                      "subject": _pick(s, "subject", "subject_en", lang),
                      "actuals": [dated(a, unit, lang) for a in s["actuals"]], "rows": rows,
                      "refs": cite(sources) if cite else [],
                      "source_names": [] if cite else list(dict.fromkeys(x.get("title") or x.get("label") or ""
                                                                         for x in sources))})
    env = pages.environment()
    return env.get_template("progress.html").render(
        lang=lang, csp=pages.content_policy(), title=t("indicators.title", lang), banner=banner, stamp=stamp,
        cards=cards, intro=t("indicators.page.intro", lang), note=t("indicators.note", lang),
        back=t("indicators.page.back", lang), h={k: t(f"indicators.h.{k}", lang) for k in (
            "actuals", "target", "progress", "status", "basis", "sources")},
        actual_word=t("indicators.page.actual", lang), target_word=t("indicators.page.target", lang))
