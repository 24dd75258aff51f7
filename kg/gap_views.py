"""Coverage and gap results → titled tables (:class:`kg.views.Section`) for ``chainkg gaps``, ``coverage`` and
``mismatches``, in Chinese or English.

Each ``*_view`` takes what :mod:`kg.projection` returns. JSON output does not go through here. CSV output is one
table (one sheet) per command; the terminal also gets the summaries and notes. Every word comes from
:mod:`kg.i18n`; reasons and unknowns are :class:`kg.i18n.Note` objects, shown in the reader's language.
"""

from __future__ import annotations

from kg.grading import GRADES
from kg.i18n import code, name_in, say, t
from kg.views import Section, finish


def _grade(grade: str, lang: str) -> str:
    return code("grade", grade, lang)


def _name(row: dict, lang: str, zh: str = "name", en: str = "name_en") -> str:
    return name_in(row, lang, zh, en)


def _names(refs: list[dict], lang: str) -> list[str]:
    return [_name(r, lang) for r in refs]


def _list(row: dict, key: str, lang: str) -> list:
    return (row.get(f"{key}_en") if lang == "en" else None) or row.get(key) or []


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.0%}"


def _local(neighbours: list[dict], lang: str) -> list[str]:
    """Neighbouring segments that hold local enterprises, with them: ``封装测试与载板: 清河``."""
    out = []
    sep = t("tbl.list_sep", lang)
    for n in neighbours:
        if n["grade"] == "blank":
            continue
        far = f" (+{n['distance'] - 1})" if n["distance"] > 1 else ""
        names = (n.get("enterprises_en") if lang == "en" else None) or n["enterprises"]
        out.append(f"{_name(n, lang, 'segment', 'segment_en')}{far}: {sep.join(names[:3])}"
                   + (" …" if len(names) > 3 else ""))
    return out


def some(names: list[str], total: int | None, lang: str = "zh") -> list[str]:
    """Names, and ``… N in all`` after them when they are examples of more.

    >>> some(["甲", "乙"], 2), some(["甲", "乙"], 40), some(["a"], 3, "en")
    (['甲', '乙'], ['甲', '乙', '… 共 40 个'], ['a', '… 3 in all'])
    """
    return list(names) + ([t("tbl.more", lang, total=total)] if total is not None and total > len(names) else [])


def summary_rows(summaries: list[dict], lang: str) -> list[dict]:
    """One row per chain: completeness, grades, chain-masters, policies, flags."""
    rows = []
    for s in summaries:
        flags = [code("flag", f, lang) for f in ("no_chain_master", "no_specific_policy") if s[f]]
        masters = _names(s["chain_master_refs"], lang) if "chain_master_refs" in s else s["chain_masters"]
        rows.append({"chain": _name(s, lang, "chain", "chain_en"), "segments": s["segments"],
                     **{_grade(g, lang): s["grades"][g] for g in GRADES},
                     "completeness": _pct(s["completeness"]), "weighted": _pct(s["weighted_completeness"]),
                     "enterprises": s["enterprises"], "unplaced": s.get("unplaced_count", len(s["unplaced"])),
                     "chain_masters": masters, "specific_policies": s["policies"]["specific"],
                     "general_policies": s["policies"]["general"], "cut_gaps": s["cut_gaps"], "flags": flags})
    return rows


def _summary_section(summaries: list[dict], lang: str, title: str) -> Section:
    grades = [_grade(g, lang) for g in GRADES]
    headers = [t(f"col.{k}", lang) for k in ("chain", "segments")] + grades + [
        t(f"col.{k}", lang) for k in ("complete", "weighted", "enterprise_count", "unplaced", "chain_masters",
                                      "specific_policies", "general_policies", "cut_gaps", "flags")]
    return Section(title, ["chain", "segments", *grades, "completeness", "weighted", "enterprises", "unplaced",
                           "chain_masters", "specific_policies", "general_policies", "cut_gaps", "flags"],
                   headers, summary_rows(summaries, lang), note=t("note.summary", lang), lang=lang)


def _why(row: dict, full: bool, lang: str) -> list[str]:
    """The reasons in full (CSV), or as short labels for the terminal table."""
    if full:
        return [say(r, lang) for r in row["reasons"]]
    n = row.get("enterprise_count", len(row["evidence"]["enterprises"]))
    basis = t("short.no_enterprise", lang) if row["grade"] == "blank" else t("short.enterprises", lang, count=n)
    labels = [t("short.betweenness", lang, value=row["betweenness"]) if f == "high_betweenness"
              else code("flag", f, lang) for f in row["flags"]]
    return [basis, *labels]


def _unplaced(summary: dict, lang: str) -> tuple[int, list[str]]:
    """How many enterprises of the chain are in none of its segments, and the names of those listed."""
    refs = summary.get("unplaced_enterprises") or [{"name": n} for n in summary["unplaced"]]
    count = summary.get("unplaced_count", len(refs))
    return count, some(_names(refs, lang), count, lang)


def gaps_view(reports: list[dict], lang: str, fmt: str = "table", notes: list[str] = ()) -> list[Section]:
    """``chainkg gaps``: the ranked 补链 list (one sheet in CSV), after a summary per chain in the terminal.

    A chain with enterprises linked to it but to none of its segments gets one more row after its segments (segment
    "(no segment)", the enterprises named) and a line in the note: "N enterprises of this chain have no segment
    yet". ``notes`` are added to the unknowns (e.g. :func:`kg.projection.tier_unknowns` when all chains are listed).
    """
    rows = []
    sep = t("tbl.list_sep", lang)
    unplaced_lines = []
    for report in reports:
        for r in report["gaps"]:
            ev = r["evidence"]
            rows.append({"chain": _name(r, lang, "chain", "chain_en"), "rank": r["rank"],
                         "segment": _name(r, lang, "segment", "segment_en"),
                         "position": code("position", r["position"], lang), "grade": _grade(r["grade"], lang),
                         "priority": r["priority"], "why": _why(r, fmt == "csv", lang),
                         "local_upstream": _local(r["upstream"], lang),
                         "local_downstream": _local(r["downstream"], lang),
                         "enterprises": some(_names(ev["enterprises"], lang), r.get("enterprise_count"), lang),
                         "parks": _names(ev["parks"], lang),
                         "policies": [p["title"] for p in ev["policies"]], "sources": ev["sources"]})
        summary = report["summary"]
        count, names = _unplaced(summary, lang)
        if count:
            chain = _name(summary, lang, "chain", "chain_en")
            text = t("note.unplaced", lang, count=count, names=sep.join(names))
            rows.append({"chain": chain, "segment": t("note.unplaced_segment", lang), "why": [text],
                         "enterprises": names, "sources": []})
            unplaced_lines.append(text if len(reports) == 1 else
                                  t("note.unplaced_chain", lang, chain=chain, count=count, names=sep.join(names)))
    columns = ["chain", "rank", "segment", "position", "grade", "priority", "why", "local_upstream",
               "local_downstream", "enterprises", "parks", "policies", "sources"]
    headers = [t(f"col.{k}", lang) for k in ("chain", "rank", "segment", "position", "grade", "priority", "why",
                                             "local_upstream", "local_downstream", "enterprises", "parks",
                                             "policies", "sources")]
    graded = sum(len(report["gaps"]) for report in reports)
    blank = sum(r["grade"] == "blank" for report in reports for r in report["gaps"])
    unknown = [say(n, lang) for n in notes]
    unknown += sorted({say(u, lang) for rep in reports for u in rep["summary"]["unknown"]})
    counted = t("note.blank_count", lang, blank=blank, total=graded) if graded else t("note.no_segments", lang)
    space = " " if lang == "en" else ""
    note = (counted + space + t("note.sparse", lang) + space + t("note.modelling", lang)
            + "".join(f"\n- {u}" for u in unknown) + "".join(f"\n{line}" for line in unplaced_lines))
    title = t("title.gaps", lang)
    if len(reports) == 1:
        title = t("title.chain_gaps", lang, chain=_name(reports[0]["summary"], lang, "chain", "chain_en"))
    gap_section = Section(title, columns, headers, rows, note, lang=lang, key=3)  # chain, rank, segment
    if fmt == "csv":
        return finish([gap_section], lang)
    return finish([_summary_section([r["summary"] for r in reports], lang, t("title.coverage_by_chain", lang)),
                   gap_section], lang)


def coverage_view(result, by: str, lang: str) -> list[Section]:
    """``chainkg coverage``: chains × districts and zones, chains × grades, or bridging entities."""
    if by == "grade":
        return finish([_summary_section(result, lang, t("title.chains_grades", lang))], lang)
    if by == "bridge":
        return finish(_bridge_sections(result, lang), lang)
    columns = [_name(p, lang) for p in result["places"]]
    rows = []
    for row in result["rows"]:
        out = {"chain": _name(row, lang, "chain", "chain_en")}
        for place, label in zip(result["places"], columns):
            out[label] = row["counts"][place["name"]]
        rows.append({**out, "total": row["total"], "unlocated": row["unlocated"]})
    note = t("note.coverage", lang) + "\n- " + "\n- ".join(say(u, lang) for u in result["unknown"])
    return finish([Section(t("title.chains_places", lang, tier=code("tier", result["tier"], lang)),
                           ["chain", *columns, "total", "unlocated"],
                           [t("col.chain", lang), *columns, t("col.total", lang), t("col.unlocated", lang)], rows,
                           note)], lang)


def _bridge_sections(result: dict, lang: str) -> list[Section]:
    sep = " — "
    entities = [{**r, "label": _name(r, lang), "kind_label": code("bridge_kind", r["kind"], lang),
                 "which": (r.get("chain_names_en") if lang == "en" else None) or r["chain_names"]}
                for r in result["entities"]]
    links = [{**r, "pair": sep.join((r.get("chains_en") if lang == "en" else None) or r["chains"]),
              "enterprise": some(_list(r, "enterprise", lang), r.get("enterprise_count"), lang),
              "park": _list(r, "park", lang)} for r in result["links"]]
    return [
        Section(t("title.bridges", lang), ["label", "kind_label", "chains", "which", "betweenness"],
                [t(f"col.{k}", lang) for k in ("entity", "kind", "chain_n", "which", "betweenness")], entities,
                note=t("note.bridges", lang)),
        Section(t("title.pairs", lang), ["pair", "shared", "enterprise", "park", "industry_class"],
                [t(f"col.{k}", lang) for k in ("pair", "shared", "enterprises", "parks", "industry_classes")], links),
    ]


def mismatches_view(rows: list[dict], lang: str, pairs: int | None = None) -> list[Section]:
    """``chainkg mismatches``: each mismatch with the source of the positioning, or a plain statement of none."""
    out = []
    for r in rows:
        ev = r["evidence"]
        out.append({**r, "kind_label": code("mismatch", r["kind"], lang),
                    "place_label": _name(r, lang, "place", "place_en"),
                    "chain_label": _name(r, lang, "chain", "chain_en"), "reason": say(r["reason"], lang),
                    "present": some(_names(ev["enterprises"], lang), ev.get("enterprise_count"), lang)
                    + _names(ev["parks"], lang),
                    "positioning_text": r["positioning"]["text"], "sources": r["positioning"]["sources"]})
    if rows:
        counts = {k: sum(r["kind"] == k for r in rows) for k in ("positioned_without_presence",
                                                                 "presence_without_positioning")}
        note = (t("note.mismatches", lang, positioned=counts["positioned_without_presence"],
                  present=counts["presence_without_positioning"]) + "\n- "
                + "\n- ".join(sorted({say(u, lang) for r in rows for u in r["unknown"]})))
    else:
        note = t("note.no_mismatches", lang)
    return finish([Section(t("title.mismatches", lang), ["kind_label", "place_label", "chain_label", "reason",
                                                         "present", "positioning_text", "sources"],
                           [t(f"col.{k}", lang) for k in ("kind", "place", "chain", "why", "present",
                                                          "positioning_worded", "sources")], out, note)], lang)
