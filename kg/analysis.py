"""The gap report of one chain: :func:`assess_chain` grades and ranks its segments as a 补链 list,
:func:`summarize_chain` puts its coverage in numbers. Pure functions over the chain graph of :mod:`kg.projection`.

Nothing here reads the store. The chain graph is an ``nx.DiGraph`` of one chain's segments (edge ``u → v`` when ``u``
supplies ``v``), each node carrying what the store knows locally (``enterprises``, ``chain_masters``, ``leading``,
``parks``, ``policies``, ``sources``, ``position``, ``sequence``). Every finding carries its evidence and says what is
unknown: the data is sparse, so a blank segment may be missing data rather than missing industry.

Grades, completeness and chain-specific policies are :mod:`kg.grading`'s (thresholds in :class:`kg.grading.Rules`),
the graph measures are :mod:`kg.measures`'s. On top of them:

- **cut gap**: a blank or weak segment that is a cut vertex separating covered (non-blank) segments: in the undirected
  ``suppliesTo`` graph, removing it leaves covered segments in two or more components
  (:func:`kg.measures.separating_vertices`).
- **high betweenness**: normalised directed betweenness at or above ``high_betweenness``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from kg.grading import (
    GRADE_ZH,
    GRADES,
    RULES,
    Rules,
    completeness,
    grade_segment,
    is_specific_policy,
    weighted_completeness,
)
from kg.i18n import Note
from kg.measures import betweenness, nearest_covered, separating_vertices

BLANK_UNKNOWN = Note("unknown.blank")
COUNT_UNKNOWN = Note("unknown.count")


def assess_chain(graph: nx.DiGraph, rules: Rules = RULES) -> list[dict]:
    """Grade every segment of a chain graph and rank them as a 补链 list, most urgent first.

    Priority: blank 3 / weak 2 / otherwise 0; +3 for a cut gap; +2 for high betweenness (blank or weak only); +1 for
    each side (upstream, downstream) with local presence within ``rules.neighbour_depth`` steps, for blank or weak
    segments (a local supplier or customer makes the gap concrete); +1 for a single-enterprise segment
    (concentration risk). Ties: the worse grade, then upstream first.

    Each row: ``chain``, ``segment``, ``segment_en``, ``iri``, ``position``, ``sequence``, ``grade``, ``grade_zh``,
    ``rank``, ``priority``, ``enterprise_count`` (every local enterprise placed in the segment), ``flags``,
    ``reasons`` (:class:`kg.i18n.Note` texts, English), ``reason_codes`` (the same as data: ``{"code": "betweenness",
    "value": 0.13, "threshold": 0.1}``), ``betweenness``, ``upstream``, ``downstream`` (neighbours and nearest
    covered segments: ``segment``, ``segment_en``, ``grade``, ``enterprises`` (examples), ``enterprise_count``,
    ``distance``), ``evidence`` (``enterprises``: the graph's list, its anchors and a bounded number of examples;
    ``parks``, ``districts``, ``policies``, ``sources``), ``chain_unplaced`` (the chain's enterprises linked to it but
    to none of its segments: ``count`` and examples ``enterprises``) and ``unknown`` (notes).
    """
    chain = graph.graph
    specific = [p for p in chain.get("policies", []) if p.get("scope") == "chain" and is_specific_policy(p, rules)]
    grades = {}
    for node, data in graph.nodes(data=True):
        anchors = {e["iri"] for e in data.get("chain_masters", []) + data.get("leading", [])}
        policies = [p for p in data.get("policies", []) if is_specific_policy(p, rules)] + specific
        grades[node] = grade_segment(data.get("enterprise_count", 0), len(anchors), len(data.get("parks", [])),
                                     len(policies), rules)
    covered = {n for n, (g, _) in grades.items() if g != "blank"}
    cuts = separating_vertices(graph, covered)
    central = betweenness(graph, k=rules.betweenness_samples if len(graph) > rules.betweenness_exact_max else None)
    unplaced = chain.get("unplaced", [])
    unplaced_count = chain.get("unplaced_count", len(unplaced))
    rows = []
    for node, data in graph.nodes(data=True):
        grade, reasons = grades[node]
        reasons, flags, unknown = list(reasons), [], []
        gap = grade in ("blank", "weak")
        sides = {d: [_neighbour(graph, n, dist, grades)
                     for n, dist in nearest_covered(graph, node, covered, d, rules.neighbour_depth)]
                 for d in ("upstream", "downstream")}
        local = {d: [n for n in rows_ if n["grade"] != "blank"] for d, rows_ in sides.items()}
        priority = {"blank": 3, "weak": 2}.get(grade, 0)
        if gap and node in cuts:
            flags.append("cut_gap")
            priority += 3
            reasons.append(Note("reason.cut_gap"))
        if gap and central.get(node, 0.0) >= rules.high_betweenness:
            flags.append("high_betweenness")
            priority += 2
            reasons.append(Note("reason.betweenness", value=round(central[node], 4),
                                threshold=rules.high_betweenness))
        if gap:
            for d in ("upstream", "downstream"):
                if local[d]:
                    priority += 1
                    flags.append(f"local_{d}")
                    reasons.append(Note(f"reason.local_{d}", segments=[
                        {"name": n["segment"], "name_en": n["segment_en"], "count": n["enterprise_count"]}
                        for n in local[d]]))
        if data.get("enterprise_count", 0) == 1:
            flags.append("single_enterprise")
            priority += 1
            reasons.append(Note("reason.single_enterprise"))
        if grade == "blank":
            unknown.append(BLANK_UNKNOWN)
            if unplaced_count:
                names = [{"name": e["name"], "name_en": e.get("name_en")} for e in unplaced[:5]]
                unknown.append(Note("unknown.unplaced_here", count=unplaced_count,
                                    names=names + ([{"key": "tbl.ellipsis"}] if unplaced_count > 5 else [])))
        else:
            unknown.append(COUNT_UNKNOWN)
        policies = list(data.get("policies", [])) + specific
        sources = unique_sources(list(data.get("sources", [])) + [s for p in policies for s in p.get("sources", [])])
        rows.append({
            "chain": chain.get("name"), "chain_en": chain.get("name_en"), "chain_iri": chain.get("iri"),
            "segment": data.get("name"), "segment_en": data.get("name_en"), "iri": node,
            "position": data.get("position"), "sequence": data.get("sequence"),
            "grade": grade, "grade_zh": GRADE_ZH[grade], "priority": priority,
            "enterprise_count": data.get("enterprise_count", 0), "flags": flags, "reasons": reasons,
            "reason_codes": [r.as_dict() for r in reasons],
            "betweenness": round(central.get(node, 0.0), 4),
            "upstream": sides["upstream"], "downstream": sides["downstream"],
            "evidence": {"enterprises": _roles(data), "parks": data.get("parks", []),
                         "districts": data.get("districts", []), "policies": _policy_refs(policies),
                         "codes": data.get("codes", []), "sources": sources},
            "chain_unplaced": {"count": unplaced_count, "enterprises": [
                {k: e.get(k) for k in ("name", "name_en", "iri")} for e in unplaced]},
            "unknown": unknown,
        })
    # Most urgent first; at equal priority the worse grade, then upstream first.
    rows.sort(key=lambda r: (-r["priority"], -GRADES.index(r["grade"]), r["sequence"] or 0, r["segment"] or ""))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows



def summarize_chain(graph: nx.DiGraph, rows: list[dict], rules: Rules = RULES, top: int = 3) -> dict:
    """A chain's coverage in numbers, from its graph and :func:`assess_chain` rows: for the report and the matrix.

    Returns:
        ``chain``, ``chain_en``, ``iri``, ``tier``, ``segments``, ``grades`` (count per grade), ``completeness``,
        ``weighted_completeness``, ``enterprises`` (count), ``unplaced``, ``chain_masters``, ``leading``, ``parks``
        (names), ``policies`` (count per scope, plus ``specific``), ``specific_policies`` (titles),
        ``no_chain_master``, ``no_specific_policy``, ``cut_gaps``, ``single_enterprise`` (segment names),
        ``top_gaps`` (the first rows with grade blank or weak), ``findings`` (chain-level, with evidence) and
        ``unknown``.
    """
    chain = graph.graph
    grades = {g: sum(r["grade"] == g for r in rows) for g in GRADES}
    policies = chain.get("policies", [])
    specific = [p for p in policies if is_specific_policy(p, rules)]
    by_scope = {s: len({p["iri"] for p in policies if p.get("scope") == s})
                for s in ("chain", "segment", "inherited", "general")}
    by_scope["specific"] = len({p["iri"] for p in specific})
    masters, leading = chain.get("chain_masters", []), chain.get("leading", [])
    findings, unknown = [], []
    if not masters:
        findings.append({"kind": "no_chain_master", "text": Note("finding.no_chain_master"),
                         "evidence": {"leading": leading, "sources": chain.get("role_sources", [])}})
        unknown.append(Note("unknown.no_chain_master"))
    if not specific:
        general = [p for p in policies if not is_specific_policy(p, rules)]
        findings.append({"kind": "no_specific_policy",
                         "text": Note("finding.no_specific_policy"),
                         "evidence": {"policies": _policy_refs(general),
                                      "sources": unique_sources([s for p in general for s in p.get("sources", [])])}})
    if chain.get("tier") == "key":
        declared = chain.get("declared_key")
        unknown.append(Note("unknown.key_candidate", declared=declared) if declared
                       else Note("unknown.key_candidate_any"))
    if not rows:
        unknown.append(Note("unknown.no_breakdown"))
    elif grades["blank"] > len(rows) / 2:
        unknown.append(Note("unknown.mostly_blank"))
    gap_rows = [r for r in rows if r["grade"] in ("blank", "weak")]
    return {
        "chain": chain.get("name"), "chain_en": chain.get("name_en"), "iri": chain.get("iri"),
        "tier": chain.get("tier"), "segments": len(rows), "grades": grades,
        "completeness": _round(completeness(r["grade"] for r in rows)),
        "weighted_completeness": _round(weighted_completeness(((r["position"], r["grade"]) for r in rows),
                                                              rules.position_weights)),
        "enterprises": chain.get("enterprise_count", len(chain.get("enterprises", []))),
        "unplaced": [e["name"] for e in chain.get("unplaced", [])],
        "unplaced_enterprises": [{k: e.get(k) for k in ("name", "name_en", "iri")} for e in chain.get("unplaced", [])],
        "unplaced_count": chain.get("unplaced_count", len(chain.get("unplaced", []))),
        "chain_masters": [e["name"] for e in masters], "leading": [e["name"] for e in leading],
        "chain_master_refs": [{k: e.get(k) for k in ("name", "name_en", "iri")} for e in masters],
        "parks": [p["name"] for p in chain.get("parks", [])],
        "policies": by_scope, "specific_policies": sorted({p["title"] for p in specific if p.get("title")}),
        "no_chain_master": not masters, "no_specific_policy": not specific,
        "cut_gaps": [r["segment"] for r in rows if "cut_gap" in r["flags"]],
        "single_enterprise": [r["segment"] for r in rows if "single_enterprise" in r["flags"]],
        "top_gaps": [{k: r[k] for k in ("segment", "grade", "grade_zh", "priority", "reasons")}
                     for r in gap_rows[:top]],
        "findings": findings, "unknown": unknown,
    }



def _neighbour(graph: nx.DiGraph, node, distance: int, grades: dict) -> dict:
    data = graph.nodes[node]
    return {"segment": data.get("name"), "segment_en": data.get("name_en"), "iri": node, "grade": grades[node][0],
            "distance": distance,
            "enterprises": [e["name"] for e in data.get("enterprises", [])],
            "enterprises_en": [e.get("name_en") or e["name"] for e in data.get("enterprises", [])],
            "enterprise_count": data.get("enterprise_count", len(data.get("enterprises", [])))}



def _roles(data: Mapping) -> list[dict]:
    masters = {e["iri"] for e in data.get("chain_masters", [])}
    leading = {e["iri"] for e in data.get("leading", [])}
    return [{**e, "role": "chain_master" if e["iri"] in masters else "leading" if e["iri"] in leading else "member"}
            for e in data.get("enterprises", [])]



def _policy_refs(policies: Iterable[Mapping]) -> list[dict]:
    seen, out = set(), []
    for p in policies:
        if p["iri"] in seen:
            continue
        seen.add(p["iri"])
        out.append({k: p.get(k) for k in ("title", "doc_number", "scope", "chain_count", "iri", "sources")})
    return out



def unique_sources(sources: Iterable[Mapping]) -> list[dict]:
    """Source objects without repeats (by ``id``), in order."""
    seen, out = set(), []
    for s in sources:
        if s.get("id") not in seen:
            seen.add(s.get("id"))
            out.append(dict(s))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
