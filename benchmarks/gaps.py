"""Benchmark of ``chainkg gaps``, ``coverage`` and ``mismatches``: in-process times on the Jinan store, then on
synthetic stores and graphs far larger than Jinan's. Run with ``make bench`` or, from the repository root,
``python -m benchmarks.gaps``.

Prints a table; measures, never asserts. The synthetic chain is layered (segments feed two segments of the next
layer), with enterprises placed at random (0–5 per segment, some chain-masters) and located in ten districts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg import analysis, grading, measures, paths, projection
from kg.build import build_store
from kg.output import to_table
from kg.resolve import Entity
from kg.store import write_store

CKG = "https://w3id.org/chainkg/ontology#"
ID = "https://w3id.org/chainkg/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
POSITIONS = ("Upstream", "Midstream", "Downstream", "Support")


def _time(function, repeat: int = 5) -> tuple[float, object]:
    """Median wall time in ms of ``repeat`` calls (after one warm-up call), and the last result."""
    result = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def synthetic_graph(segments: int, seed: int = 0, layers: int = 8) -> nx.DiGraph:
    """A chain graph shaped like :func:`kg.projection.chain_graph`'s, without a store."""
    rnd = random.Random(seed)
    graph = nx.DiGraph(iri="synthetic", name="合成链", name_en="Synthetic", tier="landmark", policies=[],
                       unplaced=[], enterprises=[], chain_masters=[], leading=[], parks=[])
    per = max(1, segments // layers)
    layer_of = {i: min(i // per, layers - 1) for i in range(segments)}
    for i, layer in layer_of.items():
        count = rnd.choice((0, 0, 0, 1, 1, 2, 3, 5))
        firms = [{"iri": f"e{i}-{j}", "name": f"企业{i}-{j}", "name_en": None} for j in range(count)]
        graph.add_node(i, name=f"环节{i}", name_en=None, position=POSITIONS[min(layer * 4 // layers, 3)].lower(),
                       sequence=layer + 1, codes=[], enterprise_count=count, enterprises=firms,
                       chain_masters=firms[:1] if count > 2 else [], leading=[], parks=[], districts=[], policies=[],
                       sources=[])
    by_layer: dict[int, list[int]] = {}
    for i, layer in layer_of.items():
        by_layer.setdefault(layer, []).append(i)
    for i, layer in layer_of.items():
        following = by_layer.get(layer + 1, [])
        graph.add_edges_from((i, t) for t in rnd.sample(following, min(2, len(following))))
    return graph


def synthetic_quads(segments: int, enterprises: int, seed: int = 0, layers: int = 8) -> list[ox.Quad]:
    """One synthetic landmark chain as quads, with a named graph and a source per row, as the build writes them."""
    rnd = random.Random(seed)
    prov, sources = ox.NamedNode(ID + "graph/provenance"), ox.NamedNode(ID + "graph/sources")
    source = ox.NamedNode(ID + "src/SYN")
    quads = [ox.Quad(source, RDF_TYPE, ox.NamedNode(CKG + "Source"), sources),
             ox.Quad(source, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("synthetic", language="en"), sources)]
    rows = 0

    def row(*triples) -> None:
        nonlocal rows
        rows += 1
        graph = ox.NamedNode(f"{ID}assertion/synthetic/{rows}")
        quads.extend(ox.Quad(s, p, o, graph) for s, p, o in triples)
        quads.append(ox.Quad(graph, PROV_FROM, source, prov))

    def label(text: str) -> ox.Literal:
        return ox.Literal(text, language="zh")

    term = {name: ox.NamedNode(CKG + name) for name in (
        "LandmarkChain", "IndustrialChain", "ChainSegment", "Enterprise", "District", "Place", "segmentOf",
        "position", "sequence", "suppliesTo", "inSegment", "memberOfChain", "chainMasterOf", "locatedIn",
        *POSITIONS)}
    pref = ox.NamedNode(SKOS + "prefLabel")
    chain = ox.NamedNode(ID + "chain/synthetic")
    row((chain, RDF_TYPE, term["LandmarkChain"]), (chain, RDF_TYPE, term["IndustrialChain"]),
        (chain, pref, label("合成链")))
    places = [ox.NamedNode(f"{ID}dist/99{i:04d}") for i in range(10)]
    for i, place in enumerate(places):
        row((place, RDF_TYPE, term["District"]), (place, RDF_TYPE, term["Place"]), (place, pref, label(f"区{i}")))
    per = max(1, segments // layers)
    segs = [ox.NamedNode(f"{ID}seg/syn-{i}") for i in range(segments)]
    layer_of = [min(i // per, layers - 1) for i in range(segments)]
    by_layer: dict[int, list[int]] = {}
    for i, layer in enumerate(layer_of):
        by_layer.setdefault(layer, []).append(i)
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for i, seg in enumerate(segs):
        following = by_layer.get(layer_of[i] + 1, [])
        row((seg, RDF_TYPE, term["ChainSegment"]), (seg, pref, label(f"环节{i}")), (seg, term["segmentOf"], chain),
            (seg, term["position"], term[POSITIONS[min(layer_of[i] * 4 // layers, 3)]]),
            (seg, term["sequence"], ox.Literal(str(layer_of[i] + 1), datatype=integer)),
            *((seg, term["suppliesTo"], segs[t]) for t in rnd.sample(following, min(2, len(following)))))
    for j in range(enterprises):
        firm = ox.NamedNode(f"{ID}ent/syn-{j}")
        row((firm, RDF_TYPE, term["Enterprise"]), (firm, pref, label(f"企业{j}")),
            (firm, term["locatedIn"], rnd.choice(places)))
        if rnd.random() < 0.8:
            row((firm, term["inSegment"], rnd.choice(segs)))
        row((firm, term["chainMasterOf"] if j % 200 == 0 else term["memberOfChain"], chain))
    return quads


def jinan_rows() -> list[dict]:
    """Times on the bundled Jinan store (built into a temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(paths.default_data_dir(), Path(tmp) / "store")
        chains = projection.chains_of_tier(store, "landmark")
        started = time.perf_counter()
        projection.tier_reports(store)
        cold = (time.perf_counter() - started) * 1000
        rows = [{"what": "gaps, all 13 landmark chains (cold: first call, builds name index and caches)",
                 "ms": round(cold, 1)}]
        per_chain = []
        for chain in chains:
            entity = Entity(chain["iri"], "chain", {"zh": chain["name"]})
            per_chain.append(_time(lambda e=entity: projection.chain_report(store, e), 10)[0])
        rows.append({"what": "gaps, one chain (median over chains; max)",
                     "ms": f"{statistics.median(per_chain):.1f} ({max(per_chain):.1f})"})
        rows.append({"what": "gaps, all 13 landmark chains (warm)",
                     "ms": round(_time(lambda: projection.tier_reports(store), 5)[0], 1)})
        graph = projection.chain_graph(store, "集成电路")
        rows.append({"what": "  of which analysis only, 集成电路 (assess + summarize)",
                     "ms": round(_time(lambda: analysis.summarize_chain(graph, analysis.assess_chain(graph)))[0], 2)})
        for name, function in (("coverage --by district", projection.coverage_matrix),
                               ("coverage --by bridge", projection.bridges), ("mismatches", projection.mismatches)):
            def uncached(function=function):
                projection.clear_cache()
                return function(store)
            rows.append({"what": f"{name} (queries not cached)", "ms": round(_time(uncached)[0], 1)})
        return rows


def synthetic_store_rows(segments: int, enterprises: int) -> list[dict]:
    """Times of ``gaps`` on a synthetic store holding one chain of ``segments`` segments and ``enterprises``."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        quads = synthetic_quads(segments, enterprises)
        store = write_store(quads, Path(tmp) / "store", {"fingerprint": f"synthetic-{segments}-{enterprises}"})
        load = (time.perf_counter() - started) * 1000
        entity = Entity(ID + "chain/synthetic", "chain", {"zh": "合成链"})
        label = f"synthetic store: {segments:,} segments, {enterprises:,} enterprises, {len(quads):,} quads"
        projected, graph = _time(lambda: projection.chain_graph(store, entity), 3)
        measured, _ = _time(lambda: analysis.assess_chain(graph), 3)
        return [{"what": f"{label}: load", "ms": round(load, 1)},
                {"what": f"{label}: projection (SPARQL + graph)", "ms": round(projected, 1)},
                {"what": f"{label}: analysis (grades, cuts, betweenness, ranking)", "ms": round(measured, 1)}]


def synthetic_graph_rows(sizes: list[int]) -> list[dict]:
    """Times of the analysis alone on synthetic chain graphs."""
    rows = []
    for size in sizes:
        graph = synthetic_graph(size)
        covered = {n for n, d in graph.nodes(data=True) if d["enterprise_count"]}
        cuts, _ = _time(lambda g=graph, c=covered: measures.separating_vertices(g, c), 1)
        total, _ = _time(lambda g=graph: analysis.assess_chain(g), 1)
        sampled = " (betweenness sampled)" if size > grading.RULES.betweenness_exact_max else ""
        rows.append({"what": f"synthetic graph: {size:,} segments, {graph.number_of_edges():,} edges: cut vertices",
                     "ms": round(cuts, 1)})
        rows.append({"what": f"synthetic graph: {size:,} segments: assess_chain{sampled}", "ms": round(total, 1)})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="200x2000,2000x20000",
                        help="synthetic stores, SEGMENTSxENTERPRISES, comma-separated")
    parser.add_argument("--graphs", default="1000,5000,20000", help="synthetic graph sizes (segments)")
    args = parser.parse_args(argv)
    rows = jinan_rows()
    for spec in filter(None, args.stores.split(",")):
        segments, enterprises = (int(x) for x in spec.split("x"))
        rows += synthetic_store_rows(segments, enterprises)
    rows += synthetic_graph_rows([int(x) for x in args.graphs.split(",") if x])
    print(to_table(rows, ["what", "ms"], ["measure", "ms"], max_width=100))


if __name__ == "__main__":
    main()
