"""The overview's default view: the landmark chains as a chain × stage (上游 / 中游 / 下游 / 配套支撑) matrix.

Each cell lists the stage's segments as tags coloured by grade, on a background coloured by the stage's mean grade
(strong 3, potential 2, weak 1, blank 0, rounded to the nearest grade; the legend says so). Each chain links to its
map when the page sits in a report. The panel entries are the chains' own (:func:`kg.chain_panorama.chain_panorama`),
plus one per chain and one per cell.
"""

from __future__ import annotations

from kg.chain_panorama import chain_panorama, stage_label, stage_order
from kg.i18n import code, t
from kg.panel import Names, entry, fact, zh_only
from kg.viz import GRADES, MARK, name_of, ref

SCORE = {"strong": 3, "potential": 2, "weak": 1, "blank": 0}
BY_SCORE = {v: k for k, v in SCORE.items()}


def mean_grade(grades: list[str]) -> str | None:
    """The grade nearest the mean score of ``grades`` (``None`` for none).

    >>> mean_grade(["strong", "blank", "blank"]), mean_grade(["weak", "potential"]), mean_grade([])
    ('weak', 'potential', None)
    """
    if not grades:
        return None
    mean = sum(SCORE[g] for g in grades) / len(grades)
    return BY_SCORE[min(3, int(mean + 0.5))]


def overview_matrix(profiles: list[dict], gaps: list[list[dict]], summaries: list[dict], lang: str = "zh",
                    hrefs: dict[str, str] | None = None) -> dict:
    """The matrix of the landmark chains.

    Args:
        profiles, gaps, summaries: per chain, :func:`kg.questions.chain_profile`, the graded segments and the summary
            (:func:`kg.report.chain_assessment`).
        hrefs: chain IRI → relative link to its map page (in a report), if any.

    Returns:
        ``{"stages": [{"position", "label"}], "rows": [...], "panel": {ref: entry}, "find": [...]}``.
    """
    panos = [chain_panorama(p, g, lang, unplaced_total=s.get("unplaced_count")) for p, g, s in
             zip(profiles, gaps, summaries)]
    positions = sorted({st["position"] for pano in panos for st in pano["stages"]}, key=stage_order)
    entries: dict[str, dict] = {}
    find: list[list[str]] = []
    rows = []
    for profile, pano, summary in zip(profiles, panos, summaries):
        chain = profile["chain"]
        entries.update(pano["panel"])
        find += pano["find"]
        names = Names(lang, profile["enterprises"], profile["places"], profile["segments"])
        for e in profile["enterprises"]:
            names.refs[e["name"]] = ref("ent", e["iri"])
        chain_key = ref("chain", chain["iri"])
        href = (hrefs or {}).get(chain["iri"])
        stages = {st["position"]: st for st in pano["stages"]}
        cells = []
        for pos in positions:
            segs = stages[pos]["segments"] if pos in stages else []
            key = f"{chain_key}|{pos}"
            cells.append({"ref": key if segs else None, "grade": mean_grade([s["grade"] for s in segs]),
                          "segments": [{"ref": s["ref"], "name": s["name"], "zh": s["zh"], "grade": s["grade"],
                                        "mark": MARK.get(s["grade"], "")} for s in segs]})
            if segs:
                entries[key] = {
                    "kind": stage_label(pos, lang),
                    "title": t("page.stage_cell", lang, chain=name_of(chain, lang), stage=stage_label(pos, lang)),
                    "zh": zh_only(chain, lang), "alt": "", "sources": [], "grade": cells[-1]["grade"],
                    "facts": [fact("page.mean_grade", _grade_word(cells[-1]["grade"], lang), lang),
                              *(fact("page.segment", [{"text": s["name"], "ref": s["ref"], "zh": s["zh"]},
                                                      s["grade_label"]], lang, "nm") for s in segs)]}
        done = summary.get("completeness")
        masters = [names(m) for m in summary.get("chain_masters") or []]
        entries[chain_key] = entry("page.chain", chain, lang, [
            fact("page.group", chain.get("group_en") if lang == "en" else chain.get("group"), lang),
            fact("page.completeness", None if done is None else f"{done:.0%}", lang),
            fact("page.grade", [f"{MARK[g]}{code('grade', g, lang)} {pano['grades'][g]}" for g in GRADES], lang),
            fact("page.chain_master", masters, lang, "nm"),
            fact("page.unplaced", t("page.unplaced_count", lang, n=pano["unplaced"]["count"])
                 if pano["unplaced"]["count"] else None, lang),
            fact("page.places", [names(p["name"]) for p in profile["places"]], lang, "nm"),
            fact("page.policies", str(len(profile["policies"])), lang)], chain.get("sources"),
            href=href or "", href_text=t("page.open_map", lang) if href else "")
        find.append([name_of(chain, lang), t("page.chain", lang), chain_key,
                     str((chain.get("name") if lang == "en" else chain.get("name_en")) or "")])
        rows.append({"ref": chain_key, "name": name_of(chain, lang), "zh": zh_only(chain, lang), "href": href,
                     "completeness": "—" if done is None else f"{done:.0%}", "cells": cells,
                     "masters": [m for m in masters if m], "unplaced": pano["unplaced"]["count"],
                     "unplaced_ref": pano["unplaced"]["ref"]})
    return {"stages": [{"position": p, "label": stage_label(p, lang)} for p in positions], "rows": rows,
            "panel": entries, "find": find}


def _grade_word(grade: str | None, lang: str) -> str | None:
    return f"{MARK.get(grade, '')}{code('grade', grade, lang)}" if grade else None
