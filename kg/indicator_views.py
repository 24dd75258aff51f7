"""Targets against actuals (:func:`kg.indicators.indicator_series`) → one table, in Chinese or English.

Every figure is written with its qualifier (近 800 家, 超过 900 家: :func:`kg.figures.figure_text`); progress cells
say the share of the target, the status and its basis in words. JSON does not go through here.
"""

from __future__ import annotations

from kg.figures import figure_text, number_text, ratio_text
from kg.i18n import t
from kg.views import Section

COLUMNS = ["measure_label", "subject_label", "actuals_text", "target_text", "progress_text", "status_text",
           "basis_text", "sources"]
HEADERS = ["measure", "subject", "actuals", "target", "progress", "status", "basis", "sources"]


def _pick(row: dict, zh: str, en: str, lang: str) -> str:
    return (row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or ""


def figure_of(figure: dict | None, unit: str | None, lang: str) -> str:
    """A figure row (``value``, ``qualifier``, ``qualifier_word``) as text with its qualifier and unit."""
    if not figure:
        return "—"
    return figure_text(figure["value"], unit, figure.get("qualifier"), figure.get("qualifier_word"), lang)


def dated(figure: dict, unit: str | None, lang: str) -> str:
    """``2024年 10,189.4 亿元`` (or the figure with "year not stated")."""
    year = t("indicators.year", lang, year=figure["year"]) if figure.get("year") else t("indicators.no_year", lang)
    return f"{year} {figure_of(figure, unit, lang)}"


def target_of(target: dict, unit: str | None, lang: str) -> str:
    """``突破 10,000 亿元(2025年)``."""
    text = figure_of(target, unit, lang)
    if target.get("year"):
        return t("indicators.target_in", lang, figure=text, year=target["year"])
    return t("indicators.target_undated", lang, figure=text)


def basis_of(p: dict, unit: str | None, lang: str) -> str:
    """Why a status: the rule applied, with the figures it compared."""
    latest, target = p.get("latest"), p["target"]
    fields = {"actual": figure_of(latest, unit, lang), "target": figure_of(target, unit, lang),
              "year": t("indicators.year", lang, year=latest["year"]) if latest and latest.get("year") else "",
              "target_year": target.get("year") or "—"}
    if p["basis"] == "linear_path":
        base = p["baseline"]
        fields.update(base=figure_of(base, unit, lang), base_year=base["year"],
                      expected=f"{number_text(round(p['expected'], 1))} {unit or ''}".strip(),
                      year=latest["year"], target_year=target["year"])
    return t(f"indicators.basis.{p['basis']}", lang, **fields)


def progress_cells(p: dict, unit: str | None, lang: str) -> dict:
    """The progress columns of one target: share, status, basis (as text)."""
    return {"progress_text": ratio_text(p["ratio"], p["ratio_bound"], lang),
            "status_text": t(f"indicators.status.{p['status']}", lang), "basis_text": basis_of(p, unit, lang)}


def indicators_view(result: dict, lang: str, include_single: bool = False) -> list[Section]:
    """``chainkg indicators``: one row per series and target (a series without a target has one row)."""
    rows = []
    for s in result["series"]:
        unit = s["unit"]
        base = {"measure_label": _pick(s, "measure", "measure_en", lang),
                "subject_label": _pick(s, "subject", "subject_en", lang),
                "actuals_text": "; ".join(dated(a, unit, lang) for a in s["actuals"]) or "—",
                "sources": _sources(s)}
        if not s["targets"]:
            rows.append({**base, "target_text": "—", "progress_text": "—", "status_text": "—", "basis_text": ""})
        for target, p in zip(s["targets"], s["progress"]):
            rows.append({**base, "target_text": target_of(target, unit, lang), **progress_cells(p, unit, lang)})
    subject = result.get("subject")
    title = (t("indicators.title_of", lang, subject=_pick(subject, "name", "name_en", lang)) if subject
             else t("indicators.title", lang))
    note = t("indicators.note", lang)
    if not subject and not include_single:
        note += "\n" + t("indicators.tracked_note", lang)
    return [Section(title, COLUMNS, [t(f"indicators.h.{h}", lang) for h in HEADERS], rows, note=note, lang=lang)]


def _sources(series: dict) -> list[dict]:
    seen, out = set(), []
    for f in series["actuals"] + series["targets"]:
        for src in f["sources"]:
            if src["id"] not in seen:
                seen.add(src["id"])
                out.append(src)
    return out
