"""The counts and member pages the build derives (kg/summary.py) equal what SPARQL counts in the store itself, on
every fixture, on the Jinan data and on a synthetic dataset."""

from __future__ import annotations

import pytest

from kg.build import build_store
from kg.data.synth import synthesize

PREFIX = """PREFIX ckg: <https://w3id.org/chainkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ckgg: <https://w3id.org/chainkg/id/graph/>
"""
OF_CHAIN = """{ ?e ckg:chainMasterOf|ckg:leadingEnterpriseOf|ckg:memberOfChain ?chain }
              UNION { ?e ckg:inSegment/ckg:segmentOf ?chain }"""
IN_PLACE = "{ ?e ckg:locatedIn ?place } UNION { ?e ckg:inPark/ckg:locatedIn ?place }"


def _rows(store, query: str) -> set[tuple]:
    return {tuple(term.value if term is not None else None for term in row) for row in store.query(PREFIX + query)}


def _counts(store, query: str) -> dict:
    return {row[:-1]: int(row[-1]) for row in _rows(store, query)}


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "data"
    synthesize(folder, enterprises=1200, cities=2, seed=7)
    return build_store(folder, tmp_path_factory.mktemp("synth-store") / "store")


@pytest.fixture(params=["mini", "jinan", "synth"])
def store(request, mini_store, jinan_store, synth_store):
    return {"mini": mini_store, "jinan": jinan_store, "synth": synth_store}[request.param]


def test_chain_segment_and_place_counts_match_sparql(store):
    derived = _counts(store, "SELECT ?x ?n WHERE { GRAPH ckgg:summary { ?x ckg:enterpriseCount ?n } "
                             "FILTER NOT EXISTS { ?x a ckg:Tally } }")
    chains = _counts(store, f"SELECT ?chain (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {OF_CHAIN} }} GROUP BY ?chain")
    segments = _counts(store, "SELECT ?s (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ckg:inSegment ?s } GROUP BY ?s")
    places = _counts(store, f"SELECT ?place (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {IN_PLACE} "
                            "FILTER(STRSTARTS(STR(?e), 'https://w3id.org/chainkg/id/ent/')) } GROUP BY ?place")
    assert chains and segments and places
    assert derived == {**chains, **segments, **places}


def test_tallies_match_sparql(store):
    derived = _counts(store, "SELECT ?of ?in ?n WHERE { GRAPH ckgg:summary { ?t a ckg:Tally ; ckg:tallyOf ?of ; "
                             "ckg:tallyIn ?in ; ckg:enterpriseCount ?n } }")
    in_place_or_park = f"{{ {IN_PLACE} }} UNION {{ ?e ckg:inPark ?place }}"
    chain_place = _counts(store, f"SELECT ?chain ?place (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {OF_CHAIN} "
                                 f"{in_place_or_park} }} GROUP BY ?chain ?place")
    segment_place = _counts(store, f"SELECT ?s ?place (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e ckg:inSegment ?s . "
                                   f"{in_place_or_park} }} GROUP BY ?s ?place")
    assert chain_place
    assert derived == {**chain_place, **segment_place}


def test_chain_pair_tallies_match_sparql(store):
    derived = _counts(store, "SELECT ?a ?b ?n WHERE { GRAPH ckgg:summary { ?t a ckg:Tally ; ckg:tallyOf ?a, ?b ; "
                             "ckg:enterpriseCount ?n FILTER NOT EXISTS { ?t ckg:tallyIn ?x } "
                             "FILTER(STR(?a) < STR(?b)) } }")
    shared = _counts(store, f"""SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        {OF_CHAIN.replace("?chain", "?a")} {OF_CHAIN.replace("?chain", "?b")} FILTER(STR(?a) < STR(?b)) }}
        GROUP BY ?a ?b""")
    assert derived == shared


def test_unplaced_counts_match_sparql(store):
    derived = _counts(store, "SELECT ?chain ?n WHERE { GRAPH ckgg:summary { ?chain ckg:unplacedCount ?n } }")
    unplaced = _counts(store, f"""SELECT ?chain (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {OF_CHAIN}
        FILTER NOT EXISTS {{ ?e ckg:inSegment ?s . ?s ckg:segmentOf ?chain }} }} GROUP BY ?chain""")
    assert {k: v for k, v in derived.items() if v} == unplaced


def test_located_counts_match_sparql(store):
    derived = _counts(store, "SELECT ?chain ?n WHERE { GRAPH ckgg:summary { ?chain ckg:locatedCount ?n } }")
    located = _counts(store, f"""SELECT ?chain (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {OF_CHAIN}
        FILTER EXISTS {{ {IN_PLACE} }} }} GROUP BY ?chain""")
    assert {k: v for k, v in derived.items() if v} == located


def test_member_pages_list_every_enterprise_once_masters_first_then_by_name(store):
    pages = sorted(_rows(store, "SELECT ?chain ?k ?e WHERE { GRAPH ckgg:summary { ?p ckg:pageOf ?chain ; "
                                "ckg:pageNumber ?k ; ckg:pageMember ?e } }"))
    roles = _rows(store, """SELECT ?chain ?e ?role ?name WHERE {
        { ?e ckg:chainMasterOf ?chain BIND(0 AS ?role) }
        UNION { ?e ckg:leadingEnterpriseOf ?chain BIND(1 AS ?role) }
        UNION { ?e ckg:memberOfChain ?chain BIND(2 AS ?role) }
        UNION { ?e ckg:inSegment/ckg:segmentOf ?chain BIND(2 AS ?role) }
        OPTIONAL { ?e skos:prefLabel ?name FILTER(LANG(?name) = "zh") } }""")
    best: dict[tuple, tuple] = {}
    for chain, ent, role, name in roles:
        key = (chain, ent)
        best[key] = min(best.get(key, (9, "")), (int(role), name or ""))
    for chain in {c for c, _ in best}:
        expected = sorted((e for c, e in best if c == chain),
                          key=lambda e: (best[chain, e][0], best[chain, e][1], e.rpartition("/")[2]))
        listed = [(int(k), e) for c, k, e in pages if c == chain]
        by_page: dict[int, list[str]] = {}
        for k, e in listed:
            by_page.setdefault(k, []).append(e)
        assert sorted(by_page) == list(range(len(by_page)))
        flat = [e for k in sorted(by_page) for e in sorted(by_page[k], key=expected.index)]
        assert flat == expected
        assert all(len(v) == 50 for k, v in by_page.items() if k < len(by_page) - 1)
