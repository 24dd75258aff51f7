"""Coverage and gap measures: pure functions over the small NetworkX graphs of :mod:`kg.projection`.

Nothing here reads the store. The chain graph is an ``nx.DiGraph`` of one chain's segments (edge ``u → v`` when ``u``
supplies ``v``), each node carrying what the store knows locally (``enterprises``, ``chain_masters``, ``leading``,
``parks``, ``policies``, ``sources``, ``position``, ``sequence``); the district-chain and cross-chain graphs are
bipartite ``nx.Graph`` objects whose nodes carry ``kind``. Every finding carries its evidence and says what is
unknown: the data is sparse, so a blank segment may be missing data rather than missing industry.

Rules (thresholds in :class:`Rules`, all configurable):

- **grade** of a segment, first match wins (:func:`grade_segment`):
  空白 blank: no local enterprise placed in it;
  优势 strong: at least ``strong_min_enterprises`` local enterprises, a chain-master (链主) or leading enterprise (龙头)
  among them, and a park carrier (a park hosting one of them) or policy support (a policy naming the segment, or a
  chain-specific policy of its chain);
  潜力 potential: at least ``potential_min_enterprises`` local enterprises, or one with a chain-master or leading
  enterprise, or one with both a park carrier and policy support;
  薄弱 weak: the rest (local enterprises, but few and unanchored).
- **completeness**: share of non-blank segments; **weighted completeness**: the mean over positions (upstream,
  midstream, downstream, support) of each position's share, weighted by ``position_weights``, so a chain cannot
  look complete by covering many segments of one position only.
- **cut gap**: a blank or weak segment that is a cut vertex separating covered (non-blank) segments: in the undirected
  ``suppliesTo`` graph, removing it leaves covered segments in two or more components (:func:`separating_vertices`).
- **high betweenness**: normalised directed betweenness at or above ``high_betweenness``.
- **chain-specific policy**: names one of the chain's segments, or names the chain and at most
  ``specific_policy_max_chains`` chains in all (a plan that lists all 13 chains is not specific to any); city-wide
  policies for all chains (``ckg:coversAllChains``) and policies inherited from a parent chain never are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from kg.i18n import Note

GRADES = ("strong", "potential", "weak", "blank")
GRADE_ZH = {"strong": "优势", "potential": "潜力", "weak": "薄弱", "blank": "空白"}
POSITIONS = ("upstream", "midstream", "downstream", "support")

BLANK_UNKNOWN = Note("unknown.blank")
COUNT_UNKNOWN = Note("unknown.count")


@dataclass(frozen=True)
class Rules:
    """Thresholds of the grades and findings (see the module docstring for the rules they feed)."""

    #: 优势 needs at least this many local enterprises (with an anchor and a park or policy).
    strong_min_enterprises: int = 3
    #: 潜力 needs at least this many local enterprises (or one anchored, or one with both park and policy).
    potential_min_enterprises: int = 2
    #: A policy naming more chains than this is not specific to any of them.
    specific_policy_max_chains: int = 3
    #: Normalised directed betweenness at or above which a blank or weak segment is a critical gap.
    high_betweenness: float = 0.1
    #: How far (in suppliesTo steps) to look for local presence upstream and downstream of a segment.
    neighbour_depth: int = 4
    #: Exact betweenness up to this many segments; above, estimated from ``betweenness_samples`` source segments
    #: (exact betweenness took 3.4 s at 2,000 segments and 65 s at 5,000).
    betweenness_exact_max: int = 500
    betweenness_samples: int = 200
    #: Weight of each position in the weighted completeness.
    position_weights: Mapping[str, float] = field(default_factory=lambda: {
        "upstream": 1.0, "midstream": 1.0, "downstream": 1.0, "support": 0.5})


RULES = Rules()


def grade_segment(enterprises: int, anchors: int = 0, parks: int = 0, policies: int = 0,
                  rules: Rules = RULES) -> tuple[str, list[str]]:
    """The grade of one segment and why, from what exists locally.

    Args:
        enterprises: local enterprises placed in the segment.
        anchors: how many of them are the chain's chain-masters or leading enterprises.
        parks: parks carrying the segment (hosting one of its enterprises).
        policies: policies supporting it (naming the segment, or chain-specific policies of its chain).
        rules: the thresholds.

    Returns:
        ``(grade, reasons)``: grade is ``strong``, ``potential``, ``weak`` or ``blank``; each reason is a
        :class:`kg.i18n.Note` (English text; its key and fields render it in Chinese).

    >>> grade_segment(3, anchors=1, parks=1)[0]
    'strong'
    >>> grade_segment(5)[0], grade_segment(1, anchors=1)[0], grade_segment(1, parks=1, policies=1)[0]
    ('potential', 'potential', 'potential')
    >>> grade_segment(1, policies=1)
    ('weak', ['1 local enterprise (< 2), no chain-master or leading enterprise, no park carrier'])
    >>> grade_segment(1, policies=1)[1][0].as_dict()["missing"]
    [{'key': 'lack.no_anchor'}, {'key': 'lack.no_park_carrier'}]
    >>> grade_segment(0, policies=2)[0]
    'blank'
    """
    support = [{"key": f"lack.{s}"} for s, n in (("park_carrier", parks), ("policy_support", policies)) if n]
    if enterprises <= 0:
        return "blank", [Note("reason.no_enterprise")]
    if enterprises >= rules.strong_min_enterprises and anchors and support:
        return "strong", [Note("reason.strong", count=enterprises, min=rules.strong_min_enterprises, support=support)]
    if enterprises >= rules.potential_min_enterprises:
        missing = [] if anchors else [{"key": "lack.no_anchor"}]
        if not support:
            missing.append({"key": "lack.no_carrier_or_policy"})
        if not missing:
            return "potential", [Note("reason.potential_count", count=enterprises,
                                      min=rules.potential_min_enterprises)]
        return "potential", [Note("reason.potential_lacking", count=enterprises, min=rules.potential_min_enterprises,
                                  missing=missing)]
    if anchors:
        return "potential", [Note("reason.potential_anchor", count=enterprises)]
    if parks and policies:
        return "potential", [Note("reason.potential_supported", count=enterprises)]
    lacking = [{"key": "lack.no_anchor"}] + [{"key": f"lack.no_{s}"} for s, n in (("park_carrier", parks),
                                                                                 ("policy_support", policies)) if not n]
    return "weak", [Note("reason.weak", count=enterprises, min=rules.potential_min_enterprises, missing=lacking)]


def is_specific_policy(policy: Mapping, rules: Rules = RULES) -> bool:
    """Whether a policy row of a chain graph is specific to the chain (see the module docstring).

    >>> is_specific_policy({"scope": "chain", "chain_count": 1, "general": False})
    True
    >>> is_specific_policy({"scope": "chain", "chain_count": 13, "general": False})
    False
    >>> is_specific_policy({"scope": "general", "chain_count": 0, "general": True})
    False
    """
    if policy.get("general") or policy.get("scope") not in ("chain", "segment"):
        return False
    return policy["scope"] == "segment" or (policy.get("chain_count") or 0) <= rules.specific_policy_max_chains


def completeness(grades: Iterable[str]) -> float | None:
    """The share of segments that are not blank; ``None`` for a chain without segments.

    >>> completeness(["strong", "blank", "weak", "blank"])
    0.5
    """
    grades = list(grades)
    return sum(g != "blank" for g in grades) / len(grades) if grades else None


def weighted_completeness(segments: Iterable[tuple[str, str]], weights: Mapping[str, float] | None = None
                          ) -> float | None:
    """Completeness weighted by position: each position present counts by its weight, whatever its segment count.

    Args:
        segments: ``(position, grade)`` pairs.
        weights: weight per position (default: :attr:`Rules.position_weights`; unknown positions weigh 1).

    >>> weighted_completeness([("upstream", "strong"), ("upstream", "blank"), ("downstream", "weak")])
    0.75
    >>> round(weighted_completeness([("upstream", "weak"), ("support", "blank")]), 3)
    0.667
    """
    weights = RULES.position_weights if weights is None else weights
    by_position: dict[str, list[str]] = {}
    for position, grade in segments:
        by_position.setdefault(position, []).append(grade)
    if not by_position:
        return None
    total = sum(weights.get(p, 1.0) for p in by_position)
    if not total:
        return None
    return sum(weights.get(p, 1.0) * completeness(g) for p, g in by_position.items()) / total


def separating_vertices(graph: nx.Graph | nx.DiGraph, covered: Iterable) -> set:
    """The cut vertices whose removal separates covered nodes from each other.

    A node ``v`` qualifies when, in the undirected version of ``graph``, removing ``v`` leaves covered nodes (other
    than ``v``) in at least two different connected components. Computed in linear time on the block-cut tree.

    >>> g = nx.DiGraph([("ore", "smelt"), ("smelt", "cast"), ("cast", "parts")])
    >>> sorted(separating_vertices(g, covered={"ore", "cast"}))
    ['smelt']
    >>> sorted(separating_vertices(g, covered={"ore", "smelt"}))
    []
    """
    undirected = nx.Graph(graph)
    undirected.remove_edges_from(nx.selfloop_edges(undirected))
    covered = set(covered)
    found = set()
    for component in nx.connected_components(undirected):
        sub = undirected.subgraph(component)
        cuts = set(nx.articulation_points(sub))
        if not cuts:
            continue
        tree = nx.Graph()
        weight = {}
        for i, block in enumerate(nx.biconnected_components(sub)):
            weight[("block", i)] = sum(1 for v in block if v in covered and v not in cuts)
            tree.add_node(("block", i))
            tree.add_edges_from((("block", i), ("cut", v)) for v in block & cuts)
        for v in cuts:
            weight[("cut", v)] = int(v in covered)
        root = ("cut", next(iter(cuts)))
        parent = {root: None, **dict(nx.bfs_predecessors(tree, root))}
        below = {}
        for node in nx.dfs_postorder_nodes(tree, root):
            below[node] = weight[node] + sum(below[c] for c in tree[node] if parent.get(c) == node)
        total = below[root]
        for v in cuts:
            node = ("cut", v)
            parts = [below[c] for c in tree[node] if parent.get(c) == node]
            if parent[node] is not None:
                parts.append(total - below[node])
            if sum(1 for p in parts if p > 0) >= 2:
                found.add(v)
    return found


def betweenness(graph: nx.DiGraph, k: int | None = None, seed: int = 0) -> dict:
    """Normalised betweenness of each node in the directed ``suppliesTo`` graph (exact unless ``k`` samples).

    >>> betweenness(nx.DiGraph([("a", "b"), ("b", "c")]))["b"]
    0.5
    """
    if graph.number_of_nodes() < 3:
        return dict.fromkeys(graph, 0.0)
    return nx.betweenness_centrality(graph, k=k if k and k < len(graph) else None, normalized=True, seed=seed)


def nearest_covered(graph: nx.DiGraph, node, covered: set, direction: str = "upstream",
                    max_distance: int | None = None) -> list[tuple]:
    """The segments next to ``node`` in one direction, and beyond blank ones the nearest covered segments.

    Walks predecessors (``upstream``) or successors (``downstream``) breadth-first, going on through segments that
    are not covered and stopping at covered ones (and at ``max_distance`` steps). Returns ``(segment, distance)``
    pairs: every direct neighbour, and the covered segments found further away.

    >>> g = nx.DiGraph([("mine", "refine"), ("refine", "cell"), ("cell", "pack")])
    >>> nearest_covered(g, "cell", covered={"mine"})
    [('refine', 1), ('mine', 2)]
    """
    step = graph.predecessors if direction == "upstream" else graph.successors
    seen, out, frontier, distance = {node}, [], [node], 0
    while frontier and (max_distance is None or distance < max_distance):
        distance += 1
        following = []
        for current in frontier:
            for nxt in sorted(step(current), key=str):
                if nxt in seen:
                    continue
                seen.add(nxt)
                if distance == 1 or nxt in covered:
                    out.append((nxt, distance))
                if nxt not in covered:
                    following.append(nxt)
        frontier = following
    return out


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


def positioning_mismatches(graph: nx.Graph) -> list[dict]:
    """Where a place's positioning and what is there disagree, in a district-chain graph.

    Two kinds, on each (place, chain) edge:
    ``positioned_without_presence``: the place is positioned for the chain (a source says so), but no enterprise of
    the chain is located there (directly or through a park) and no park there carries or is positioned for it;
    ``presence_without_positioning``: enterprises or carrier parks of the chain are there, but no source positions the
    place for it.

    Each row: ``kind``, ``place``, ``place_en``, ``place_iri``, ``chain``, ``chain_en``, ``chain_iri``, ``reason``,
    ``positioning`` (the statement or quote, and its ``sources``: where the positioning comes from), ``evidence``
    (``enterprises``: the edge's list, which may hold only examples; ``enterprise_count``: the edge's count, else the
    list's length; ``parks``) and ``unknown``.
    """
    rows = []
    for u, v, data in graph.edges(data=True):
        place, chain = (u, v) if graph.nodes[u].get("kind") == "place" else (v, u)
        p, c = graph.nodes[place], graph.nodes[chain]
        enterprises, parks = data.get("enterprises", []), data.get("parks", [])
        count = data.get("enterprise_count", len(enterprises))
        if data.get("positioned") and not count and not parks:
            kind = "positioned_without_presence"
            reason = Note("mismatch.positioned", place=_ref(p), chain=_ref(c))
            positioning = {"text": data.get("quote") or p.get("positioning"), "sources": data.get("sources", [])}
            unknown = [Note("unknown.absence")]
        elif not data.get("positioned") and (count or parks):
            kind = "presence_without_positioning"
            which = "both" if count and parks else "enterprises" if count else "parks"
            reason = Note(f"mismatch.present_{which}", count=count, parks=len(parks), place=_ref(p), chain=_ref(c))
            # The place's row also cites code tables and translations; the documents are what word the positioning.
            documents = [s for s in p.get("sources", []) if s.get("kind") == "document"]
            positioning = {"text": p.get("positioning"), "sources": documents or p.get("sources", [])}
            unknown = [Note("unknown.other_words") if p.get("positioning") else Note("unknown.no_statement")]
        else:
            continue
        rows.append({"kind": kind, "place": p.get("name"), "place_en": p.get("name_en"), "place_iri": place,
                     "chain": c.get("name"), "chain_en": c.get("name_en"), "chain_iri": chain, "reason": reason,
                     "positioning": positioning,
                     "evidence": {"enterprises": enterprises, "enterprise_count": count, "parks": parks},
                     "unknown": unknown})
    rows.sort(key=lambda r: (r["kind"], r["chain_iri"], r["place_iri"]))
    return rows


def bridging_entities(graph: nx.Graph) -> list[dict]:
    """The enterprises, parks and industry classes that connect several chains, in a cross-chain graph.

    Degree = number of chains the entity touches; betweenness = normalised betweenness in the bipartite graph of
    chains and bridging entities (how much the entity alone connects chains that are otherwise apart). Sorted by
    degree, then betweenness.

    >>> g = nx.Graph([("c1", "park"), ("park", "c2"), ("c2", "firm"), ("firm", "c3")])
    >>> nx.set_node_attributes(g, {"c1": "chain", "c2": "chain", "c3": "chain", "park": "park", "firm": "enterprise"},
    ...                        "kind")
    >>> [(r["iri"], r["chains"], r["betweenness"]) for r in bridging_entities(g)]
    [('firm', 2, 0.5), ('park', 2, 0.5)]
    """
    central = nx.betweenness_centrality(graph, normalized=True) if len(graph) > 2 else {}
    rows = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "chain":
            continue
        chains = sorted(graph[node], key=str)
        rows.append({"iri": node, "kind": data.get("kind"), "name": data.get("name"), "name_en": data.get("name_en"),
                     "code": data.get("code"), "chains": len(chains),
                     "chain_names": [graph.nodes[c].get("name") for c in chains],
                     "chain_names_en": [graph.nodes[c].get("name_en") or graph.nodes[c].get("name") for c in chains],
                     "betweenness": round(central.get(node, 0.0), 4)})
    rows.sort(key=lambda r: (-r["chains"], -r["betweenness"], r["kind"] or "", str(r["iri"])))
    return rows


def chain_links(graph: nx.Graph) -> list[dict]:
    """The chain-to-chain projection of a cross-chain graph: for each pair of chains, what they share, by kind.

    ``enterprise`` names the enterprise nodes linking the pair; ``enterprise_count`` counts the enterprises the pair
    shares: the graph attribute ``enterprise_pairs`` (``{(a, b): n}``, when the graph holds only examples), else the
    named ones. ``shared`` adds up enterprises, parks and industry classes.

    >>> g = nx.Graph([("c1", "firm"), ("firm", "c2")], enterprise_pairs={("c1", "c2"): 40})
    >>> nx.set_node_attributes(g, {"c1": "chain", "c2": "chain", "firm": "enterprise"}, "kind")
    >>> [(r["enterprise"], r["enterprise_count"], r["shared"]) for r in chain_links(g)]
    [(['firm'], 40, 40)]
    """
    pairs: dict[tuple, dict] = {}

    def pair(a, b) -> dict:
        names_en = [graph.nodes[x].get("name_en") or graph.nodes[x].get("name") for x in (a, b)]
        return pairs.setdefault((a, b), {"chains": [graph.nodes[a].get("name"), graph.nodes[b].get("name")],
                                         "chains_en": names_en,
                                         "iris": [a, b], "enterprise": [], "park": [], "industry_class": []})

    # Most-connected entities first, then by kind and IRI (a stable order, as the bridge query listed them).
    for node, data in sorted(graph.nodes(data=True), key=lambda nd: (-graph.degree(nd[0]), nd[1].get("kind") or "",
                                                                       str(nd[0]))):
        if data.get("kind") == "chain":
            continue
        chains = sorted(graph[node], key=str)
        for i, a in enumerate(chains):
            for b in chains[i + 1:]:
                name = data.get("name") or data.get("code") or node
                pair(a, b).setdefault(data.get("kind"), []).append(name)
                pair(a, b).setdefault(f"{data.get('kind')}_en", []).append(data.get("name_en") or name)
    counted = {tuple(sorted(k, key=str)): n for k, n in graph.graph.get("enterprise_pairs", {}).items()}
    for a, b in counted:
        if a in graph and b in graph:
            pair(a, b)
    rows = list(pairs.values())
    for row in rows:
        row["enterprise_count"] = counted.get(tuple(row["iris"]), len(row["enterprise"]))
        row["shared"] = row["enterprise_count"] + len(row["park"]) + len(row["industry_class"])
    rows.sort(key=lambda r: (-r["shared"], r["iris"]))
    return rows


def _ref(data: Mapping) -> dict:
    """A name for a note's field: ``{"name", "name_en"}``."""
    return {"name": data.get("name"), "name_en": data.get("name_en")}


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
