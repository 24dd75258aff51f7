"""Coverage and gap results → titled tables (:class:`kg.views.Section`) for ``chainkg gaps``, ``coverage`` and
``mismatches``.

Each ``*_view`` takes what :mod:`kg.projection` returns. JSON output does not go through here. CSV output is one
table (one sheet) per command; the terminal also gets the summaries and notes.
"""

from __future__ import annotations

from kg.analysis import GRADE_ZH, GRADES
from kg.views import Section

GRADE_EN = {g: g for g in GRADES}
# City-neutral on purpose: the views do not know which dataset the store holds (say Jinan).
MODELLING_NOTE = ("Segments, their order and GB/T codes are a modelling choice (source kind: modelling), not an "
                  "official fact of the area; enterprises count for a segment only through in_segment links.")
SPARSE_NOTE = ("Chain data is often sparse: a blank segment may be missing data rather than missing industry. "
               "Enterprises linked to a chain but to none of its segments are listed as unplaced.")
KIND = {"zh": {"positioned_without_presence": "有定位无企业", "presence_without_positioning": "有企业无定位"},
        "en": {"positioned_without_presence": "positioned, nothing there",
               "presence_without_positioning": "present, not positioned"}}


def _grade(grade: str, lang: str) -> str:
    return GRADE_ZH[grade] if lang == "zh" else GRADE_EN[grade]


def _name(row: dict, lang: str, zh: str = "name", en: str = "name_en") -> str:
    return (row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or ""


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.0%}"


def _local(neighbours: list[dict]) -> list[str]:
    """Neighbouring segments that hold local enterprises, with them: ``封装测试与载板: 清河``."""
    out = []
    for n in neighbours:
        if n["grade"] == "blank":
            continue
        far = f" (+{n['distance'] - 1})" if n["distance"] > 1 else ""
        out.append(f"{n['segment']}{far}: {', '.join(n['enterprises'][:3])}"
                   + (" …" if len(n["enterprises"]) > 3 else ""))
    return out


def some(names: list[str], total: int | None) -> list[str]:
    """Names, and ``… N in all`` after them when they are examples of more.

    >>> some(["甲", "乙"], 2), some(["甲", "乙"], 40)
    (['甲', '乙'], ['甲', '乙', '… 40 in all'])
    """
    return list(names) + ([f"… {total} in all"] if total is not None and total > len(names) else [])


def summary_rows(summaries: list[dict], lang: str) -> list[dict]:
    """One row per chain: completeness, grades, chain-masters, policies, flags."""
    rows = []
    for s in summaries:
        flags = [f for f, on in (("no chain-master", s["no_chain_master"]),
                                 ("no chain-specific policy", s["no_specific_policy"])) if on]
        rows.append({"chain": _name(s, lang, "chain", "chain_en"), "segments": s["segments"],
                     **{_grade(g, lang): s["grades"][g] for g in GRADES},
                     "completeness": _pct(s["completeness"]), "weighted": _pct(s["weighted_completeness"]),
                     "enterprises": s["enterprises"], "unplaced": s.get("unplaced_count", len(s["unplaced"])),
                     "chain_masters": s["chain_masters"], "specific_policies": s["policies"]["specific"],
                     "general_policies": s["policies"]["general"], "cut_gaps": s["cut_gaps"], "flags": flags})
    return rows


def _summary_section(summaries: list[dict], lang: str, title: str) -> Section:
    grades = [_grade(g, lang) for g in GRADES]
    return Section(title, ["chain", "segments", *grades, "completeness", "weighted", "enterprises", "unplaced",
                           "chain_masters", "specific_policies", "general_policies", "cut_gaps", "flags"],
                   ["chain", "segments", *grades, "complete", "weighted", "enterprises", "unplaced",
                    "chain-masters", "specific policies", "general policies", "cut gaps", "flags"],
                   summary_rows(summaries, lang),
                   note="complete = share of non-blank segments; weighted = mean over positions (support 0.5). "
                        "A chain-specific policy names the chain (among at most 3) or one of its segments.")


SHORT = {"cut_gap": "cut gap", "local_upstream": "local upstream", "local_downstream": "local downstream",
         "single_enterprise": "single enterprise"}


def _why(row: dict, full: bool) -> list[str]:
    """The reasons in full (CSV), or as short labels for the terminal table."""
    if full:
        return row["reasons"]
    n = row.get("enterprise_count", len(row["evidence"]["enterprises"]))
    basis = "no local enterprise" if row["grade"] == "blank" else f"{n} local enterprise{'s' if n > 1 else ''}"
    labels = [f"betweenness {row['betweenness']:.2f}" if f == "high_betweenness" else SHORT.get(f, f)
              for f in row["flags"]]
    return [basis, *labels]


def gaps_view(reports: list[dict], lang: str, fmt: str = "table", notes: list[str] = ()) -> list[Section]:
    """``chainkg gaps``: the ranked 补链 list (one sheet in CSV), after a summary per chain in the terminal.

    ``notes`` are added to the unknowns (e.g. :func:`kg.projection.tier_unknowns` when all chains are listed).
    """
    rows = []
    for report in reports:
        for r in report["gaps"]:
            ev = r["evidence"]
            rows.append({"chain": _name(r, lang, "chain", "chain_en"), "rank": r["rank"],
                         "segment": r["segment_en"] if lang == "en" and r["segment_en"] else r["segment"],
                         "position": r["position"], "grade": _grade(r["grade"], lang), "priority": r["priority"],
                         "why": _why(r, full=fmt == "csv"), "local_upstream": _local(r["upstream"]),
                         "local_downstream": _local(r["downstream"]),
                         "enterprises": some([e["name"] for e in ev["enterprises"]], r.get("enterprise_count")),
                         "parks": [p["name"] for p in ev["parks"]],
                         "policies": [p["title"] for p in ev["policies"]], "sources": ev["sources"]})
    columns = ["chain", "rank", "segment", "position", "grade", "priority", "why", "local_upstream",
               "local_downstream", "enterprises", "parks", "policies", "sources"]
    headers = ["chain", "#", "segment", "position", "grade", "priority", "why", "local upstream",
               "local downstream", "enterprises", "parks", "policies", "sources"]
    blank = sum(r["grade"] == "blank" for report in reports for r in report["gaps"])
    unplaced = [f"{rep['summary']['chain']}: "
                + ", ".join(some(rep["summary"]["unplaced"], rep["summary"].get("unplaced_count")))
                for rep in reports if rep["summary"]["unplaced"]]
    unknown = [*notes, *sorted({u for rep in reports for u in rep["summary"]["unknown"]})]
    counted = f"{blank} of {len(rows)} segments are blank. " if rows else "No segments to grade. "
    note = (counted + f"{SPARSE_NOTE} {MODELLING_NOTE}" + "".join(f"\n- {u}" for u in unknown)
            + ("\nunplaced (linked to the chain, in no segment): " + "; ".join(unplaced) if unplaced else ""))
    title = "补链清单 (ranked gaps)" if lang == "zh" else "ranked gaps (补链 list)"
    if len(reports) == 1:
        title = f"{reports[0]['summary']['chain']}: {title}"
    gap_section = Section(title, columns, headers, rows, note, key=3)  # chain, rank, segment
    if fmt == "csv":
        return [gap_section]
    return [_summary_section([r["summary"] for r in reports], lang, "coverage by chain"), gap_section]


def coverage_view(result, by: str, lang: str) -> list[Section]:
    """``chainkg coverage``: chains × districts and zones, chains × grades, or bridging entities."""
    if by == "grade":
        return [_summary_section(result, lang, "chains × grades")]
    if by == "bridge":
        return _bridge_sections(result, lang)
    columns = [(p["name_en"] if lang == "en" and p["name_en"] else p["name"]) for p in result["places"]]
    rows = []
    for row in result["rows"]:
        out = {"chain": _name(row, lang, "chain", "chain_en")}
        for place, label in zip(result["places"], columns):
            out[label] = row["counts"][place["name"]]
        rows.append({**out, "total": row["total"], "unlocated": row["unlocated"]})
    note = ("Each cell counts the chain's enterprises located in the place (or in a park there), as "
            "`chainkg enterprises CHAIN --district PLACE` lists them; total = distinct enterprises of the chain; "
            "unlocated = no known location.\n- " + "\n- ".join(result["unknown"]))
    return [Section(f"chains × districts and zones ({result['tier']})", ["chain", *columns, "total", "unlocated"],
                    ["chain", *columns, "total", "unlocated"], rows, note)]


def _bridge_sections(result: dict, lang: str) -> list[Section]:
    entities = [{**r, "label": _name(r, lang)} for r in result["entities"]]
    links = [{**r, "pair": " — ".join(r["chains"]), "enterprise": some(r["enterprise"], r.get("enterprise_count"))}
             for r in result["links"]]
    return [
        Section("bridging enterprises, parks and industry classes", ["label", "kind", "chains", "chain_names",
                                                                     "betweenness"],
                ["entity", "kind", "chains", "which", "betweenness"], entities,
                note="Segments belong to one chain each, so chains share segments only through GB/T industry "
                     "classes. Betweenness is in the bipartite graph of chains and bridging entities."),
        Section("chain pairs and what links them", ["pair", "shared", "enterprise", "park", "industry_class"],
                ["chains", "shared", "enterprises", "parks", "industry classes"], links),
    ]


def mismatches_view(rows: list[dict], lang: str, pairs: int | None = None) -> list[Section]:
    """``chainkg mismatches``: each mismatch with the source of the positioning, or a plain statement of none."""
    out = []
    for r in rows:
        ev = r["evidence"]
        out.append({**r, "kind_label": KIND[lang][r["kind"]], "place_label": _name(r, lang, "place", "place_en"),
                    "chain_label": _name(r, lang, "chain", "chain_en"),
                    "present": some([e["name"] for e in ev["enterprises"]], ev.get("enterprise_count"))
                    + [p["name"] for p in ev["parks"]],
                    "positioning_text": r["positioning"]["text"], "sources": r["positioning"]["sources"]})
    if rows:
        counts = {k: sum(r["kind"] == k for r in rows) for k in KIND["en"]}
        note = (f"{counts['positioned_without_presence']} positioned without presence, "
                f"{counts['presence_without_positioning']} present without positioning. sources = where the "
                "positioning comes from: the positioning link's row for the first kind, the documents of the "
                "place's positioning statement for the second.\n- "
                + "\n- ".join(sorted({u for r in rows for u in r["unknown"]})))
    else:
        note = "There are no positioning mismatches: every positioned place holds an enterprise or park of the chain, "\
               "and every place holding one is positioned for it."
    return [Section("positioning mismatches" if lang == "en" else "定位与实际不符", ["kind_label", "place_label",
                    "chain_label", "reason", "present", "positioning_text", "sources"],
                    ["kind", "place", "chain", "why", "present there", "positioning (as worded)", "sources"], out,
                    note)]
