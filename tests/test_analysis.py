"""Coverage and gap measures (kg.analysis) on hand-built graphs and on the fixture chain 电池 of tests/fixtures/gaps,
whose grades, cut points and betweenness are worked out by hand below.

The 电池 chain (suppliesTo edges; local enterprises in brackets; position, sequence):

    A 锂矿 [甲锂业 链主 in 电池产业园, 乙锂业, 丙锂业] (up 1) ──┐
    B 化工原料 [] (up 1) ────────────────────────────────────┴─▶ C 电池材料 [] (mid 2) ─▶ D 电芯 [丁电芯] (mid 3)
    D ─▶ E 电池包 [戊电池包, 己电池包] (down 4) ─▶ G 整车 [] (down 5) ─▶ H 回收 [] (support 6)
    D ─▶ F 储能系统 [庚储能 龙头] (down 4)

Grades: A 3 enterprises + chain-master + park → strong; E 2 → potential; F 1 leading → potential; D 1, no anchor,
no park, policy only (the chain plan and a plan naming 电芯) → weak; B, C, G, H → blank.
Completeness 4/8 = 0.5; weighted: (1/2 + 1/2 + 2/3 + 0.5 × 0) / 3.5 = 0.476.
Cut vertices of the undirected graph: C, D, E, G. C separates A from D, E, F; D separates A from E, F: both are cut
gaps. E is not a gap (potential); G separates only blank H.
Directed betweenness, normalised by (8-1)(8-2) = 42: C 10/42 (A, B to D, E, F, G, H), D 12/42 (A, B, C to E, F, G,
H), E 8/42 (A, B, C, D to G, H), G 5/42 (A, B, C, D, E to H), others 0.
"""

from __future__ import annotations

import doctest
import itertools
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.gaps import synthetic_graph
from kg import analysis, grading, measures, projection
from kg.build import build_store
from kg.grading import Rules, grade_segment
from kg.i18n import say
from kg.measures import separating_vertices

GAPS = Path(__file__).parent / "fixtures" / "gaps"


@pytest.fixture(scope="module")
def gaps_store(tmp_path_factory):
    return build_store(GAPS, tmp_path_factory.mktemp("gaps") / "store")


@pytest.fixture(scope="module")
def battery(gaps_store):
    graph = projection.chain_graph(gaps_store, "电池")
    return graph, {r["segment"]: r for r in analysis.assess_chain(graph)}


@pytest.mark.parametrize("module", [grading, measures])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted and result.failed == 0


@pytest.mark.parametrize(("counts", "grade"), [
    ((0, 1, 1, 1), "blank"),
    ((3, 1, 1, 0), "strong"), ((3, 1, 0, 1), "strong"),
    ((3, 0, 1, 1), "potential"), ((3, 1, 0, 0), "potential"), ((2, 0, 0, 0), "potential"),
    ((1, 1, 0, 0), "potential"), ((1, 0, 1, 1), "potential"),
    ((1, 0, 1, 0), "weak"), ((1, 0, 0, 1), "weak"), ((1, 0, 0, 0), "weak"),
])
def test_grade_rules(counts, grade):
    assert grade_segment(*counts)[0] == grade


def test_grade_thresholds_are_configurable():
    strict = Rules(strong_min_enterprises=5, potential_min_enterprises=3)
    assert grade_segment(3, 1, 1, 0, strict)[0] == "potential"
    assert grade_segment(2, 0, 0, 0, strict)[0] == "weak"
    assert grade_segment(5, 1, 0, 1, strict)[0] == "strong"


def test_completeness_weighted_by_position():
    segments = [("upstream", "strong"), ("upstream", "blank"), ("midstream", "blank"), ("midstream", "weak"),
                ("downstream", "potential"), ("downstream", "potential"), ("downstream", "blank"),
                ("support", "blank")]
    assert grading.completeness(g for _, g in segments) == 0.5
    assert grading.weighted_completeness(segments) == pytest.approx((0.5 + 0.5 + 2 / 3) / 3.5)
    assert grading.weighted_completeness(segments, {"upstream": 1, "midstream": 1, "downstream": 1,
                                                     "support": 1}) == pytest.approx((0.5 + 0.5 + 2 / 3) / 4)
    assert grading.completeness([]) is None and grading.weighted_completeness([]) is None


def _brute_force(graph: nx.Graph, covered: set) -> set:
    undirected = nx.Graph(graph)
    found = set()
    for v in undirected:
        rest = undirected.subgraph(set(undirected) - {v})
        parts = [c for c in nx.connected_components(rest) if c & (covered - {v})]
        before = [c for c in nx.connected_components(undirected) if c & (covered - {v})]
        if len(parts) > len(before):
            found.add(v)
    return found


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 11).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n),
    st.sets(st.integers(0, n - 1)))))
def test_separating_vertices_match_brute_force(case):
    n, edges, covered = case
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((u, v) for u, v in edges if u != v)
    assert separating_vertices(graph, covered) == _brute_force(graph, covered)


def test_nearest_covered_walks_through_blanks_only():
    graph = nx.DiGraph([("ore", "metal"), ("metal", "part"), ("part", "car"), ("tool", "part")])
    assert measures.nearest_covered(graph, "car", {"ore", "tool"}) == [("part", 1), ("tool", 2), ("ore", 3)]
    assert measures.nearest_covered(graph, "car", {"ore", "tool", "metal"}) == [("part", 1), ("metal", 2),
                                                                                ("tool", 2)]
    assert measures.nearest_covered(graph, "car", {"ore"}, max_distance=2) == [("part", 1)]
    assert measures.nearest_covered(graph, "ore", {"car"}, "downstream") == [("metal", 1), ("car", 3)]


def test_fixture_chain_grades(battery):
    _, rows = battery
    assert {name: r["grade"] for name, r in rows.items()} == {
        "锂矿": "strong", "化工原料": "blank", "电池材料": "blank", "电芯": "weak",
        "电池包": "potential", "储能系统": "potential", "整车": "blank", "回收": "blank"}


def test_fixture_chain_cut_points_and_betweenness(battery):
    graph, rows = battery
    names = {n: d["name"] for n, d in graph.nodes(data=True)}
    assert {names[v] for v in nx.articulation_points(nx.Graph(graph))} == {"电池材料", "电芯", "电池包", "整车"}
    assert {name for name, r in rows.items() if "cut_gap" in r["flags"]} == {"电池材料", "电芯"}
    expected = {"电池材料": 10 / 42, "电芯": 12 / 42, "电池包": 8 / 42, "整车": 5 / 42}
    for name, r in rows.items():
        assert r["betweenness"] == pytest.approx(expected.get(name, 0.0), abs=1e-4), name
    assert {name for name, r in rows.items() if "high_betweenness" in r["flags"]} == {"电池材料", "电芯", "整车"}


def test_fixture_chain_ranking_and_neighbours(battery):
    _, rows = battery
    ranked = sorted(rows.values(), key=lambda r: r["rank"])
    # priority: 电池材料 blank 3 + cut 3 + betweenness 2 + up 1 + down 1 = 10; 电芯 weak 2 + 3 + 2 + 1 + 1 + single 1
    assert [(r["segment"], r["priority"]) for r in ranked[:3]] == [("电池材料", 10), ("电芯", 10), ("整车", 6)]
    material = rows["电池材料"]
    assert [(n["segment"], n["grade"], n["distance"]) for n in material["upstream"]] == [
        ("化工原料", "blank", 1), ("锂矿", "strong", 1)]
    assert [(n["segment"], n["enterprises"]) for n in material["downstream"]] == [("电芯", ["丁电芯"])]
    cell = rows["电芯"]
    assert [(n["segment"], n["distance"]) for n in cell["upstream"]] == [("电池材料", 1), ("锂矿", 2)]
    assert {n["segment"] for n in cell["downstream"]} == {"电池包", "储能系统"}
    assert "single_enterprise" in cell["flags"] and "single_enterprise" in rows["储能系统"]["flags"]


def test_fixture_chain_evidence_and_unknowns(battery):
    _, rows = battery
    mine = rows["锂矿"]["evidence"]
    assert {(e["name"], e["role"]) for e in mine["enterprises"]} == {("甲锂业", "chain_master"), ("乙锂业", "member"),
                                                                    ("丙锂业", "member")}
    assert [p["name"] for p in mine["parks"]] == ["电池产业园"]
    assert {s["id"] for s in mine["sources"]} >= {"F1", "M-SEG"}
    cell = rows["电芯"]["evidence"]
    assert {p["title"] for p in cell["policies"]} == {"测试市电池产业行动计划"}
    assert rows["电芯"]["grade"] == "weak", "a policy alone does not lift one unanchored enterprise without a park"
    blank = rows["回收"]
    assert any("missing data" in u for u in blank["unknown"])
    assert any("辛电池" in say(u, "zh") for u in blank["unknown"]), "unplaced enterprises named where they may be"


def test_fixture_chain_summary(gaps_store):
    summary = projection.chain_summary(gaps_store, "电池")
    assert summary["grades"] == {"strong": 1, "potential": 2, "weak": 1, "blank": 4}
    assert summary["completeness"] == 0.5
    assert summary["weighted_completeness"] == pytest.approx(round((0.5 + 0.5 + 2 / 3) / 3.5, 4))
    assert summary["chain_masters"] == ["甲锂业"] and summary["unplaced"] == ["辛电池"]
    assert summary["policies"] == {"chain": 1, "segment": 1, "inherited": 0, "general": 1, "specific": 1}
    assert not summary["no_chain_master"] and not summary["no_specific_policy"]
    assert set(summary["cut_gaps"]) == {"电池材料", "电芯"}
    drugs = projection.chain_summary(gaps_store, "医药")
    assert drugs["no_chain_master"] and drugs["no_specific_policy"]
    kinds = {f["kind"]: f for f in drugs["findings"]}
    assert [p["title"] for p in kinds["no_specific_policy"]["evidence"]["policies"]] == ["测试市工业强市三年行动计划"]


def test_policy_breadth_decides_specific(gaps_store):
    chips = projection.chain_graph(gaps_store, "芯片")
    rows = analysis.assess_chain(chips)
    assert not analysis.summarize_chain(chips, rows)["no_specific_policy"]
    strict = Rules(specific_policy_max_chains=0)
    assert analysis.summarize_chain(chips, analysis.assess_chain(chips, strict), strict)["no_specific_policy"]


def test_positioning_mismatches_on_fixture(gaps_store):
    rows = projection.mismatches(gaps_store)
    assert {(r["kind"], r["place"], r["chain"]) for r in rows} == {
        ("positioned_without_presence", "历城区", "医药"),
        ("presence_without_positioning", "高新区", "电池"),
        ("presence_without_positioning", "平阴县", "医药"),
    }
    for row in rows:
        assert row["positioning"]["sources"], "every mismatch names the source of the positioning"
    hitech = next(r for r in rows if r["place"] == "高新区")
    assert {e["name"] for e in hitech["evidence"]["enterprises"]} == {"戊电池包", "己电池包", "庚储能"}
    assert hitech["positioning"]["text"] == "芯片"


def test_bridges_on_fixture(gaps_store):
    graph = projection.cross_chain_graph(gaps_store)
    assert nx.is_bipartite(graph)
    rows = {r["name"]: r for r in measures.bridging_entities(graph)}
    # bipartite graph: 芯片 — {测试经济开发区, 戊电池包, 3985} — 电池 — 乙锂业 — 医药; normalised by 2/(6·5)
    assert {n: (r["chains"], r["betweenness"]) for n, r in rows.items()} == {
        "乙锂业": (2, round(5 / 15, 4)), "测试经济开发区": (2, round(1 / 15, 4)), "戊电池包": (2, round(1 / 15, 4)),
        "3985 电子专用材料制造": (2, round(1 / 15, 4))}
    links = {tuple(sorted(r["chains"])): r["shared"] for r in measures.chain_links(graph)}
    assert links == {("电池", "芯片"): 3, ("医药", "电池"): 1}


def test_district_chain_graph_is_bipartite_with_counts(gaps_store):
    graph = projection.district_chain_graph(gaps_store)
    assert nx.is_bipartite(graph)
    edge = graph.edges["https://w3id.org/chainkg/id/dist/370124", "https://w3id.org/chainkg/id/chain/bat"]
    assert {e["name"] for e in edge["enterprises"]} == {"甲锂业", "乙锂业", "丙锂业"}
    assert [p["name"] for p in edge["parks"]] == ["电池产业园"] and edge["positioned"]


def test_chain_without_segments_is_reported_not_graded(gaps_store):
    report = projection.chain_report(gaps_store, "晶圆材料产业链")
    assert report["gaps"] == []
    assert report["summary"]["completeness"] is None
    assert any("no segment breakdown" in u for u in report["summary"]["unknown"])


@pytest.mark.parametrize("size", [60, 300])
def test_large_synthetic_chain(size):
    graph = synthetic_graph(size, seed=size)
    rows = analysis.assess_chain(graph)
    assert len(rows) == size and [r["rank"] for r in rows] == list(range(1, size + 1))
    covered = {n for n, d in graph.nodes(data=True) if d["enterprise_count"]}
    cuts = separating_vertices(graph, covered)
    assert {r["iri"] for r in rows if "cut_gap" in r["flags"]} == {
        v for v in cuts if graph.nodes[v]["enterprise_count"] <= 1 and not graph.nodes[v]["chain_masters"]}
    assert all(a["priority"] >= b["priority"] for a, b in itertools.pairwise(rows))
