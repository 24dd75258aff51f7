"""Store → small NetworkX graphs for coverage and gaps, and the entry points that measure them.

Counts come from the summary graph the build derives (``ckgid:graph/summary``, :mod:`kg.summary`: enterprises per
chain, segment and place, tallies per (chain or segment, place or park) and per pair of chains, member pages), read
by small queries (``kg/queries/gaps_*.rq`` and ``coverage_*.rq``); the few chain-masters and leading enterprises are
listed in full, other enterprises only as a bounded number of examples (:data:`EXAMPLES`) beside their count. So a
projection is a handful of small queries whatever the size of the store (measured: one chain's gaps 0.4 s, the
coverage matrix 0.1 s at a million enterprises; ``benchmarks/analysis_scale.py``). Names come from the label index of
:mod:`kg.resolve` (small kinds) or from the example queries, source details from one query cached per store.
:mod:`kg.analysis`, :mod:`kg.measures` and :mod:`kg.positioning` measure the graphs; :func:`chain_report`,
:func:`coverage_matrix`, :func:`grade_table`, :func:`bridges` and :func:`mismatches` put the two together for the CLI
and the report.

The graphs:

- **chain graph** (:func:`chain_graph`): ``nx.DiGraph``, a node per segment (IRI), an edge ``u → v`` when ``u``
  ``ckg:suppliesTo`` ``v``. Node attributes: ``name``, ``name_en``, ``position``, ``sequence``, ``codes``,
  ``enterprise_count``, ``enterprises`` (its anchors and at most :data:`EXAMPLES` others), ``chain_masters``,
  ``leading``, ``parks``, ``districts`` (references ``{iri, name, name_en}``), ``policies`` (naming the segment) and
  ``sources``. Graph attributes: the chain's ``iri``, ``name``, ``tier``, ``enterprise_count``, ``enterprises``
  (its anchors), ``chain_masters``, ``leading``, ``unplaced_count`` and ``unplaced`` (examples of those linked to the
  chain but placed in no segment), ``parks`` (stated carriers, then hosts of its enterprises) and ``policies``
  (every scope, with breadth).
  Segment placement comes from ``in_segment`` links only (a modelling choice).
- **cross-chain graph** (:func:`cross_chain_graph`): ``nx.Graph``, bipartite: chains and the parks and GB/T industry
  classes that touch two or more of them, and a few example enterprises per pair of chains (graph attribute
  ``enterprise_pairs`` counts them all). Segments belong to one chain each in this data, so chains
  share segments only through their industry classes.
- **district-chain graph** (:func:`district_chain_graph`): ``nx.Graph``, bipartite: districts, counties and
  functional zones against chains, an edge when the place holds the chain's enterprises or carrier parks or is
  positioned for it; edge attributes ``enterprise_count``, ``enterprises`` (examples), ``parks``, ``positioned``,
  ``quote``, ``sources``.
"""

from __future__ import annotations

import networkx as nx

from kg import analysis, measures, positioning, questions
from kg.grading import RULES, Rules
from kg.i18n import Note
from kg.query import iri, select, select_many, select_page
from kg.resolve import Entity, index_for
from kg.rows import local
from kg.summary import page_iri

TIER_ORDER = ("landmark", "key")
#: Example enterprises a segment, a cell or a pair of chains lists besides the anchors (the counts count them all).
EXAMPLES = 10
#: Member pages (50 enterprises each, anchors first) searched for examples of enterprises two chains share, and of a
#: chain's enterprises in a place (55 ms a page at a million enterprises).
PAIR_PAGES = 20
CELL_PAGES = 8
_CACHE: dict[tuple[str, str], list[dict]] = {}
_SOURCES: dict[tuple[str, str], dict[str, dict]] = {}


def _token(store) -> str:
    return f"{store.path}|{store.info.get('fingerprint')}|{store.info.get('built_at')}"


def clear_cache() -> None:
    """Forget the cached query rows (for benchmarks; a rebuilt store gets new ones anyway)."""
    _CACHE.clear()
    _SOURCES.clear()


def _static(store, name: str) -> list[dict]:
    """The rows of a query without inputs, once per store build (like the label index)."""
    key = (_token(store), name)
    if key not in _CACHE:
        _CACHE[key] = select(store, name)
    return _CACHE[key]


def _split(value: str | None) -> list[str]:
    return sorted(set((value or "").split()))


def _refs(store, iris: list[str]) -> list[dict]:
    """``{iri, name, name_en}`` for each IRI (names from the label index), sorted by Chinese name."""
    entities = index_for(store).entities
    out = []
    for value in iris:
        entity = entities.get(value) or Entity(value, "unknown")
        out.append({"iri": value, "name": entity.name("zh"), "name_en": entity.names.get("en")})
    return sorted(out, key=lambda r: (r["name"] or "", r["iri"]))


def _sources(store, iris: list[str]) -> list[dict]:
    """The source objects (``id``, ``label``, ``title``, ``outlet``, ``date``, ``url``, ``kind``) of source IRIs."""
    key = (_token(store), "source objects")
    if key not in _SOURCES:
        _SOURCES[key] = {row["source"]: {
            "id": local(row["source"]), "label": row["label"], "title": row["title"], "outlet": row["outlet"],
            "date": row["date"], "url": row["url"],
            "kind": (local(row["kind"]) or "").removesuffix("Source").lower() or None,
        } for row in _static(store, "gaps_sources")}
    table = _SOURCES[key]
    return [dict(table.get(value) or {"id": local(value)}) for value in iris]


def _entity(store, chain: str | Entity) -> Entity:
    return chain if isinstance(chain, Entity) else questions.resolve_chain(store, chain)


def chains_of_tier(store, tier: str = "landmark") -> list[dict]:
    """The chains of a tier (``landmark``, ``key``, ``all``) with ``iri``, ``name``, ``name_en``, ``tier``, ``group``,
    in a stable order (tier, group, IRI), and the system's ``declared_landmark`` / ``declared_key`` counts."""
    rows = [r for r in _static(store, "coverage_chains") if tier == "all" or r["tier"] == tier]
    entities = index_for(store).entities
    out = []
    for row in rows:
        entity = entities.get(row["chain"]) or Entity(row["chain"], "chain")
        out.append({"iri": row["chain"], "name": entity.name("zh"), "name_en": entity.names.get("en"),
                    "tier": row["tier"], "group": (local(row["group"]) or "").removesuffix("Group").lower()
                    or None, "declared_landmark": row["declared_landmark"], "declared_key": row["declared_key"]})
    out.sort(key=lambda r: (TIER_ORDER.index(r["tier"]), r["group"] or "", r["iri"]))
    return out


def _named(store, rows: list[dict], key: str = "enterprise") -> list[dict]:
    """``{iri, name, name_en}`` for query rows that carry ``name_zh`` / ``name_en`` (names from the label index when
    a row has none), one per IRI, sorted by Chinese name."""
    entities = index_for(store).entities
    out: dict[str, dict] = {}
    for row in rows:
        value = row[key]
        if value in out:
            continue
        entity = entities.get(value)
        name = row.get("name_zh") or (entity.name("zh") if entity else Entity(value, "unknown").name("zh"))
        out[value] = {"iri": value, "name": name, "name_en": row.get("name_en") or (entity.names.get("en")
                                                                                     if entity else None)}
    return sorted(out.values(), key=lambda r: (r["name"] or "", r["iri"]))


def _examples(store, query: str, limit: int = EXAMPLES, **bindings) -> list[dict]:
    """The first ``limit`` rows of an unordered example query (read lazily), as named references."""
    return _named(store, select_page(store, query, 0, limit, **bindings))


def _chain_parks(store, rows: list[dict]) -> list[dict]:
    """The parks carrying a chain (``gaps_chain_parks`` rows), in :func:`kg.questions.chain_parks` order: stated ones
    first (carries, positioned), then those hosting its enterprises; each by name."""
    order = ("carries", "positioned", "enterprise")
    parks: dict[str, dict] = {}
    for row in rows:
        park = parks.setdefault(row["park"], {"basis": row["basis"], "enterprise_count": 0, "sources": []})
        if order.index(row["basis"]) < order.index(park["basis"]):
            park["basis"] = row["basis"]
        park["enterprise_count"] = max(park["enterprise_count"], row["count"] or 0)
        park["sources"] = analysis.unique_sources(park["sources"] + _sources(store, _split(row["sources"])))
    out = [{**ref, **parks[ref["iri"]]} for ref in _refs(store, list(parks))]
    out.sort(key=lambda r: (order.index(r["basis"]), r["name"] or ""))
    return out


def chain_graph(store, chain: str | Entity, examples: int = EXAMPLES) -> nx.DiGraph:
    """The chain graph of one chain (see the module docstring for its attributes).

    Counts come from the summary graph (``ckg:enterpriseCount``, ``ckg:unplacedCount``, the tallies); the
    enterprise lists hold every chain-master and leading enterprise and at most ``examples`` other enterprises
    (``enterprise_count`` and ``unplaced_count`` count them all), so the graph stays small at any store size.

    Args:
        store: an open store (built with its summary graph).
        chain: the chain, by any name, or a resolved entity.
        examples: how many example enterprises a segment (and the unplaced list) shows besides the anchors.

    Raises:
        NotFound, Ambiguous: the name does not single out one chain.
    """
    entity = _entity(store, chain)
    bound = iri(entity.iri)
    listed = next((r for r in _static(store, "coverage_chains") if r["chain"] == entity.iri), {})
    count_rows, tally_rows, anchor_rows, segments, policy_rows, park_rows, source_rows = select_many(store, [
        (name, {"chain": bound}) for name in ("gaps_counts", "gaps_tallies", "gaps_anchors", "gaps_segments",
                                              "gaps_policies", "gaps_chain_parks", "gaps_placement_sources")])
    counts = {(r["scope"], r["measure"]): r["count"] for r in count_rows}
    policies = []
    for row in policy_rows:
        policies.append({"iri": row["policy"], "title": _refs(store, [row["policy"]])[0]["name"],
                         "doc_number": row["doc_number"], "scope": row["scope"], "target": row["target"],
                         "chain_count": row["chain_count"], "general": bool(row["general"]),
                         "sources": _sources(store, _split(row["sources"]))})
    policies.sort(key=lambda p: (("segment", "chain", "inherited", "general").index(p["scope"]), p["title"] or ""))
    by_role = {role: _named(store, [r for r in anchor_rows if r["role"] == role])
               for role in ("chain_master", "leading")}
    unplaced_count = counts.get((entity.iri, "unplaced"), 0)
    unplaced_rows = select_page(store, "gaps_unplaced", 0, examples * 4, chain=bound) if unplaced_count else []
    unplaced = _named(store, unplaced_rows)[:examples]
    shown = {e["iri"] for e in unplaced}
    role_sources = _sources(store, sorted({s for r in anchor_rows for s in _split(r["sources"])}
                                          | {r["source"] for r in unplaced_rows
                                             if r["source"] and r["enterprise"] in shown}))
    anchors = by_role["chain_master"] + [e for e in by_role["leading"]
                                         if e["iri"] not in {m["iri"] for m in by_role["chain_master"]}]
    graph = nx.DiGraph(
        iri=entity.iri, name=entity.name("zh"), name_en=entity.names.get("en"), tier=listed.get("tier"),
        declared_key=listed.get("declared_key"), enterprise_count=counts.get((entity.iri, "enterprises"), 0),
        enterprises=anchors, chain_masters=by_role["chain_master"], leading=by_role["leading"],
        unplaced=unplaced, unplaced_count=unplaced_count, role_sources=role_sources,
        parks=_chain_parks(store, park_rows), policies=policies,
    )
    names = {r["iri"]: r for r in _refs(store, [row["segment"] for row in segments])}
    placed_by = {r["segment"]: [] for r in source_rows}
    for row in source_rows:
        placed_by[row["segment"]].append(row["source"])
    for row in segments:
        node = row["segment"]
        count = counts.get((node, "enterprises"), 0)
        masters = [e for e in by_role["chain_master"]
                   if any(r["enterprise"] == e["iri"] and r["segment"] == node for r in anchor_rows)]
        leaders = [e for e in by_role["leading"]
                   if any(r["enterprise"] == e["iri"] and r["segment"] == node for r in anchor_rows)]
        shown = {e["iri"]: e for e in masters + leaders}
        if count > len(shown):
            found = _examples(store, "gaps_segment_examples", examples + len(shown), segment=iri(node))
            for e in [e for e in found if e["iri"] not in shown][:examples]:
                shown[e["iri"]] = e
        places = [r for r in tally_rows if r["scope"] == node]
        graph.add_node(node, name=names[node]["name"], name_en=names[node]["name_en"],
                       position=(local(row["position"]) or "").lower(), sequence=row["sequence"],
                       codes=_split(row["codes"]), enterprise_count=count,
                       enterprises=sorted(shown.values(), key=lambda r: (r["name"] or "", r["iri"])),
                       chain_masters=masters, leading=leaders,
                       parks=_refs(store, sorted({r["place"] for r in places if r["park"]})),
                       districts=_refs(store, sorted({r["place"] for r in places if not r["park"]})),
                       policies=[p for p in policies if p["scope"] == "segment" and p["target"] == node],
                       sources=analysis.unique_sources(_sources(store, _split(row["sources"]))
                                                       + _sources(store, sorted(placed_by.get(node, []))
                                                                  if count else [])))
    for row in segments:
        # A segment supplying another chain's segment would be a cross-chain link; the chain graph keeps its own.
        graph.add_edges_from((row["segment"], t) for t in _split(row["supplies_to"]) if t in names)
    return graph


def chain_report(store, chain: str | Entity, rules: Rules = RULES) -> dict:
    """One chain's 补链 list and summary: ``{"gaps": analysis.assess_chain rows, "summary": analysis.summarize_chain}``.
    """
    graph = chain_graph(store, chain)
    rows = analysis.assess_chain(graph, rules)
    return {"gaps": rows, "summary": analysis.summarize_chain(graph, rows, rules)}


def chain_gaps(store, chain: str | Entity, rules: Rules = RULES) -> list[dict]:
    """Every segment of a chain, graded and ranked (see :func:`kg.analysis.assess_chain`)."""
    return chain_report(store, chain, rules)["gaps"]


def chain_summary(store, chain: str | Entity, rules: Rules = RULES) -> dict:
    """A chain's coverage in numbers (see :func:`kg.analysis.summarize_chain`)."""
    return chain_report(store, chain, rules)["summary"]


def tier_reports(store, tier: str = "landmark", rules: Rules = RULES) -> list[dict]:
    """:func:`chain_report` for every chain of a tier, in :func:`chains_of_tier` order."""
    return [chain_report(store, Entity(c["iri"], "chain", {"zh": c["name"], "en": c["name_en"]}), rules)
            for c in chains_of_tier(store, tier)]


def places(store) -> list[dict]:
    """The districts, counties and functional zones (the city left out), with positioning and its sources."""
    entities = index_for(store).entities
    out = []
    for row in _static(store, "coverage_places"):
        entity = entities.get(row["place"]) or Entity(row["place"], "place")
        out.append({"iri": row["place"], "name": entity.name("zh"), "name_en": entity.names.get("en"),
                    "place_kind": row["kind"], "code": row["code"], "positioning": row["positioning"],
                    "sources": _sources(store, _split(row["sources"]))})
    # Districts and counties by division code, then the functional zones.
    out.sort(key=lambda p: (p["place_kind"] == "functional_zone", p["code"] or "", p["iri"]))
    return out


def _tallies(store) -> dict:
    """The summary graph's chain counts (``(chain, None)``) and (chain, place) tallies, once per store build."""
    key = (_token(store), "tallies")
    if key not in _SOURCES:
        _SOURCES[key] = {(r["chain"], r["place"]): (r["count"], bool(r["park"]))
                         for r in _static(store, "coverage_tallies")}
    return _SOURCES[key]


def cell_examples(store, chain: str, place: str, limit: int = EXAMPLES) -> list[dict]:
    """Up to ``limit`` of a chain's enterprises located in a place (directly or through a park), by name, found among
    its first :data:`CELL_PAGES` member pages (anchors first; read once per store and chain, as far as needed):
    every one there, for chains of up to ``CELL_PAGES × 50`` enterprises."""
    key = (_token(store), "pages", chain)
    read = _SOURCES.setdefault(key, {"pages": 0, "done": False, "rows": []})

    def found() -> list[dict]:
        return [r for r in read["rows"] if r["place"] == place]

    while len({r["enterprise"] for r in found()}) < limit and not read["done"] and read["pages"] < CELL_PAGES:
        page = iri(page_iri(chain, read["pages"]))
        rows = select(store, "coverage_page_places", page=page)
        read["pages"] += 1
        read["rows"] += rows
        read["done"] = not rows and not select(store, "gaps_page_exists", page=page)
    return _named(store, found())[:limit]


def _page_walk(store, query: str, chain: str, limit: int, **bindings) -> list[dict]:
    """Examples from a chain's member pages (summary graph), page by page until ``limit`` are found or
    :data:`PAIR_PAGES` pages are read: bounded work, and every match on a chain of up to 1,000 enterprises."""
    rows: list[dict] = []
    for number in range(PAIR_PAGES):
        found = select(store, query, page=iri(page_iri(chain, number)), **bindings)
        if not found and not select(store, "gaps_page_exists", page=iri(page_iri(chain, number))):
            break
        rows += found
        if len({r["enterprise"] for r in rows}) >= limit:
            break
    return _named(store, rows)[:limit] if len(rows) <= limit else _named(store, rows[:limit])


def district_chain_graph(store, tier: str = "landmark", examples: int | None = EXAMPLES) -> nx.Graph:
    """The district-chain graph of a tier's chains (see the module docstring).

    Edge ``enterprise_count`` comes from the summary graph's (chain, place) tallies; ``enterprises`` lists at most
    ``examples`` of them (none when ``examples`` is ``None``: :func:`mismatches` asks only for the edges it shows).
    """
    chains = chains_of_tier(store, tier)
    graph = nx.Graph(tier=tier)
    for place in places(store):
        graph.add_node(place["iri"], kind="place", **{k: v for k, v in place.items() if k != "iri"})
    for chain in chains:
        graph.add_node(chain["iri"], kind="chain", **{k: v for k, v in chain.items() if k != "iri"})

    def edge(place: str, chain: str) -> dict | None:
        if graph.nodes.get(place, {}).get("kind") != "place" or graph.nodes.get(chain, {}).get("kind") != "chain":
            return None
        if not graph.has_edge(place, chain):
            graph.add_edge(place, chain, enterprise_count=0, enterprises=[], parks=[], positioned=False, quote=None,
                           sources=[])
        return graph.edges[place, chain]

    for (chain, place), (count, park) in sorted(_tallies(store).items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        data = edge(place, chain) if place and not park and count else None
        if data is not None:
            data["enterprise_count"] = count
            if examples:
                data["enterprises"] = cell_examples(store, chain, place, examples)
    for row in _static(store, "coverage_district_links"):
        data = edge(row["place"], row["chain"])
        if data is None:
            continue
        if row["basis"] == "park":
            data["parks"] = _refs(store, _split(row["members"]))
        else:
            data.update(positioned=True, quote=(row["quotes"] or "").strip(" /") or None,
                        sources=_sources(store, _split(row["sources"])))
    return graph


def cross_chain_graph(store, tier: str = "landmark", examples: int = EXAMPLES) -> nx.Graph:
    """The cross-chain graph of a tier's chains (see the module docstring).

    Enterprises shared by two chains are counted per pair (graph attribute ``enterprise_pairs``: ``{(a, b): n}``,
    from the summary graph's pair tallies); at most ``examples`` of them per pair become nodes, found among the
    first :data:`PAIR_PAGES` member pages of the first chain (every shared enterprise, for chains of up to 1,000).
    """
    chains = {c["iri"]: c for c in chains_of_tier(store, tier)}
    graph = nx.Graph(tier=tier, enterprise_pairs={})
    for value, chain in chains.items():
        graph.add_node(value, kind="chain", name=chain["name"], name_en=chain["name_en"])
    entities = index_for(store).entities
    for row in _static(store, "coverage_bridge_places"):
        linked = [c for c in _split(row["chains"]) if c in chains]
        if len(linked) < 2:
            continue
        entity = entities.get(row["entity"])
        name = entity.name("zh") if entity else f"{row['code']} {row['label'] or ''}".strip()
        graph.add_node(row["entity"], kind=row["kind"], name=name, name_en=entity.names.get("en") if entity else None,
                       code=row["code"])
        graph.add_edges_from((row["entity"], c) for c in linked)
    for row in _static(store, "coverage_pairs"):
        a, b = row["chain_a"], row["chain_b"]
        if a not in chains or b not in chains:
            continue
        graph.graph["enterprise_pairs"][a, b] = row["count"]
        for e in _page_walk(store, "coverage_pair_examples", a, examples, chain_b=iri(b)):
            graph.add_node(e["iri"], kind="enterprise", name=e["name"], name_en=e["name_en"], code=None)
            graph.add_edges_from(((e["iri"], a), (e["iri"], b)))
    return graph


def coverage_matrix(store, tier: str = "landmark") -> dict:
    """Chains × districts and zones: how many of the chain's enterprises each place holds.

    A cell counts what ``chainkg enterprises CHAIN --district PLACE`` lists (located there, or in a park there); an
    enterprise located in several places counts in each. ``total`` is the chain's distinct enterprises,
    ``unlocated`` those with no known location.

    Returns:
        ``{"tier", "places": [...], "rows": [{"chain", "chain_en", "iri", "counts": {place name: n}, "total",
        "unlocated"}], "unknown": [...]}``.
    """
    graph = district_chain_graph(store, tier, examples=None)
    columns = [{"iri": n, **{k: d[k] for k in ("name", "name_en", "place_kind", "code")}}
               for n, d in graph.nodes(data=True) if d["kind"] == "place"]
    tallies = _tallies(store)
    located = _located(store, tallies)
    rows = []
    for chain in chains_of_tier(store, tier):
        total = tallies.get((chain["iri"], None), (0, False))[0]
        counts = {}
        for place in columns:
            counts[place["name"]] = (graph.get_edge_data(place["iri"], chain["iri"]) or {}).get("enterprise_count", 0)
        rows.append({"chain": chain["name"], "chain_en": chain["name_en"], "iri": chain["iri"], "counts": counts,
                     "total": total,
                     "unlocated": None if located is None else total - located.get(chain["iri"], 0)})
    unknown = [] if located is not None else [UNLOCATED_UNKNOWN]
    return {"tier": tier, "places": columns, "rows": rows, "unknown": tier_unknowns(store, tier) + unknown + [
        Note("unknown.zones_overlap"), analysis.COUNT_UNKNOWN]}


#: Above this many chain memberships in all, ``unlocated`` is not counted live (68 s a chain at 150,000 members) when
#: the store's summary graph lacks ``ckg:locatedCount`` (stores built before it was added).
LOCATED_LIVE_MAX = 50_000
UNLOCATED_UNKNOWN = Note("unknown.unlocated")


def _located(store, tallies: dict) -> dict[str, int] | None:
    """Per chain, how many of its enterprises have a known location (the build's ``ckg:locatedCount``, else counted
    live on small stores); ``None`` when unknown."""
    derived = {r["chain"]: r["located"] for r in _static(store, "coverage_located")}
    if derived:
        return derived
    if sum(n for (_, place), (n, _) in tallies.items() if place is None) > LOCATED_LIVE_MAX:
        return None
    return {r["chain"]: r["located_count"] for r in _static(store, "coverage_chain_totals")}


def grade_table(store, tier: str = "landmark", rules: Rules = RULES) -> list[dict]:
    """Chains × grades: each chain's :func:`kg.analysis.summarize_chain` summary."""
    return [report["summary"] for report in tier_reports(store, tier, rules)]


def bridges(store, tier: str = "landmark") -> dict:
    """The entities that bridge chains and the chain pairs they link: ``{"entities": [...], "links": [...]}``
    (see :func:`kg.measures.bridging_entities` and :func:`kg.measures.chain_links`)."""
    graph = cross_chain_graph(store, tier)
    return {"entities": measures.bridging_entities(graph), "links": measures.chain_links(graph)}


def mismatches(store, tier: str = "landmark", examples: int = EXAMPLES) -> list[dict]:
    """Positioning mismatches between places and a tier's chains (see :func:`kg.positioning.positioning_mismatches`),
    each naming at most ``examples`` of the enterprises present (``evidence.enterprise_count`` counts them all)."""
    rows = positioning.positioning_mismatches(district_chain_graph(store, tier, examples=None))
    for row in rows:
        if row["evidence"]["enterprise_count"]:
            row["evidence"]["enterprises"] = cell_examples(store, row["chain_iri"], row["place_iri"], examples)
    return rows


def tier_unknowns(store, tier: str) -> list[str]:
    """What a list of a tier's chains cannot show: the key chains are declared but not named by any public source."""
    chains = chains_of_tier(store, "all")
    declared = next((c["declared_key"] for c in chains if c["declared_key"] is not None), None)
    if declared is None or tier == "landmark":
        named = sum(c["tier"] == "key" for c in chains)
        return [Note("unknown.key_left_out", declared=declared, named=named)] if declared else []
    return [Note("unknown.key_unconfirmed", declared=declared)]
