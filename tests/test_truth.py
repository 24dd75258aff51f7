"""The confidence rules (docs/data.md, kg/data/rules.py) on the bundled Jinan data, on small rows made to break
them, and in a built store; and the issue-14 data-truth fixes, each checked against the row it fixed."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import describe, paths
from kg.build import compile_quads
from kg.data.rules import INFERENCE, ConfidenceRules
from kg.emit import graph_iri
from kg.query import load_query, select
from kg.store import Store
from kg.tables import SPECS, Row, read_dataset

FIXTURES = Path(__file__).parent / "fixtures"
ID = "https://w3id.org/chainkg/id/"


def rows_of(data_dir: Path, table: str) -> list[dict]:
    with (data_dir / table).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def judge(*rows: tuple[str, dict]) -> tuple[list[str], list[str]]:
    """Run the rules over rows given as (table, cells), in order; the messages of errors and breaks."""
    rules, errors, breaks = ConfidenceRules(), [], []
    for line, (table, cells) in enumerate(rows, 2):
        found = rules.check(Row(table, line, cells))
        errors += [f"{table}:{line} {p.message}" for p in found[0]]
        breaks += [f"{table}:{line} {p.message}" for p in found[1]]
    return errors, breaks


SOURCES = [("sources.csv", {"source_id": "src:D1", "kind": "document"}),
           ("sources.csv", {"source_id": "src:D2", "kind": "document"}),
           ("sources.csv", {"source_id": "src:M", "kind": "modelling"}),
           ("chains.csv", {"chain_id": "chain:ic", "name_zh": "集成电路", "name_en": "Integrated Circuits"}),
           ("chains.csv", {"chain_id": "chain:laser", "name_zh": "激光装备产业链", "name_en": "Laser"})]


def link(obj: str, quote: str, confidence: str = "confirmed", **more) -> tuple[str, dict]:
    return ("links.csv", {"subject_id": "ent:a", "predicate": "member_of", "object_id": obj, "source_ids": "src:D1",
                          "confidence": confidence, "quote": quote, **more})


def test_the_bundled_data_breaks_no_confidence_rule(jinan_dir):
    summary = compile_quads(jinan_dir, None)
    assert summary["rule_breaks"] == {"count": 0, "first": []}


def test_stats_reports_zero_rows_breaking_the_rules(jinan_store):
    assert describe.stats(jinan_store)["confidence_rule_breaks"] == 0


@pytest.mark.parametrize(("rows", "rule"), [
    ([("aliases.csv", {"entity_id": "chain:ic", "alias": "IC", "source_ids": "src:M", "confidence": "confirmed"})],
     "modelling-only"),
    ([("enterprises.csv", {"enterprise_id": "ent:a", "source_ids": "src:D1;src:D2;src:M", "confidence": "partial",
                           "quote": "甲公司"})], "quote-source"),
    ([("enterprises.csv", {"enterprise_id": "ent:a", "source_ids": "src:M", "confidence": "partial",
                           "quote": "甲公司"})], "quote-source"),
    ([link("chain:ic", "山东省首个柔性化卫星总装制造基地")], "unnamed-chain"),
    ([link("chain:ic", "", note="chain assignment by the dossier; the source does not name the chain")],
     "inferred-note"),
])
def test_each_rule_catches_its_fault(rows, rule):
    errors, breaks = judge(*SOURCES, *rows)
    assert not errors
    assert len(breaks) == 1 and breaks[0].split(" ", 1)[1].startswith(rule + ":")


@pytest.mark.parametrize("rows", [
    [("aliases.csv", {"entity_id": "chain:ic", "alias": "IC", "source_ids": "src:M", "confidence": "partial"})],
    [("enterprises.csv", {"enterprise_id": "ent:a", "source_ids": "src:D1;src:D2", "confidence": "confirmed",
                          "quote": "甲公司", "quote_source": "src:D2"})],
    [("enterprises.csv", {"enterprise_id": "ent:a", "source_ids": "src:D1;src:M", "confidence": "confirmed",
                          "quote": "甲公司"})],  # the modelling source holds no text: the quote is D1's
    [link("chain:ic", "山东省首个柔性化卫星总装制造基地", "partial", note="mapped to 集成电路")],
    [link("chain:ic", "集成电路重点项目")],
    [link("chain:ic", "integrated circuits projects")],
    [link("chain:laser", "激光装备产业龙头")],  # the name without its 产业链 ending
    [("aliases.csv", {"entity_id": "chain:ic", "alias": "芯片", "source_ids": "src:D1", "confidence": "confirmed"}),
     link("chain:ic", "芯片企业")],  # a confirmed alias names the chain
])
def test_rows_that_follow_the_rules_pass(rows):
    assert judge(*SOURCES, *rows) == ([], [])


def test_an_uncertain_alias_does_not_name_the_chain():
    alias = ("aliases.csv", {"entity_id": "chain:ic", "alias": "芯片", "source_ids": "src:M",
                             "confidence": "uncertain"})
    _, breaks = judge(*SOURCES, alias, link("chain:ic", "芯片企业"))
    assert [b.split(" ", 1)[1].split(":")[0] for b in breaks] == ["unnamed-chain"]


@pytest.mark.parametrize(("cells", "message"), [
    ({"quote": "甲", "quote_source": "src:D2"}, "must be one of the row's source_ids"),
    ({"quote": "甲", "source_ids": "src:D1;src:M", "quote_source": "src:M"}, "a modelling source holds no text"),
    ({"quote_source": "src:D1"}, "the row has no quote"),
])
def test_a_quote_source_that_cannot_be_right_is_an_error(cells, message):
    row = {"enterprise_id": "ent:a", "source_ids": "src:D1", "confidence": "partial", **cells}
    errors, _ = judge(*SOURCES, ("enterprises.csv", row))
    assert len(errors) == 1 and message in errors[0]


@pytest.mark.parametrize("name", ["mini", "gaps"])
def test_the_store_query_finds_the_graphs_the_rules_find(name):
    data_dir = FIXTURES / name
    chunks: list[str] = []
    compile_quads(data_dir, chunks.append)
    store = ox.Store()
    store.load("".join(chunks).encode(), ox.RdfFormat.N_QUADS)
    found = {(r["g"], r["rule"]) for r in select(Store(data_dir, store, {}), "stats_confidence_rules")}
    rules, expected = ConfidenceRules(), set()
    tables = read_dataset(data_dir)
    for table in SPECS:
        for row in tables[table]:
            for problem in rules.check(row)[1]:
                expected.add((graph_iri(row), problem.message.split(":")[0]))
    assert expected and found == expected  # the fixtures keep a confirmed IC alias on a modelling source


def test_the_store_query_states_the_same_inference_words():
    assert INFERENCE.pattern in load_query("stats_confidence_rules")


def test_every_quote_in_the_store_has_one_source_among_its_row_sources(jinan_store):
    rows = jinan_store.query("""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?g (COUNT(DISTINCT ?holder) AS ?n) (SAMPLE(?cited) AS ?ok) WHERE {
          GRAPH <https://w3id.org/chainkg/id/graph/provenance> {
            ?g ckg:quote ?quote . OPTIONAL { ?g ckg:quoteSource ?holder }
            OPTIONAL { ?g ckg:quoteSource ?h2 . ?g prov:wasDerivedFrom ?h2 . BIND(true AS ?cited) } } }
        GROUP BY ?g""")
    found = [(r["g"].value, int(r["n"].value), r["ok"] is not None) for r in rows]
    assert len(found) > 100
    assert [f for f in found if f[1:] != (1, True)] == []
    holder = jinan_store.query(f"""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#>
        SELECT ?s WHERE {{ GRAPH ?p {{ <{ID}assertion/enterprises/ent.hengrui> ckg:quoteSource ?s }} }}""")
    assert [r["s"].value for r in holder] == [f"{ID}src/S1"]  # of S1, S5, dzrb-hengrui: the quote is S1's words


def test_no_enterprise_is_named_after_a_project(jinan_dir):
    enterprises = {r["enterprise_id"]: r for r in rows_of(jinan_dir, "enterprises.csv")}
    assert not {"清河", "广日"} & {r["name_zh"] for r in enterprises.values()}
    assert "ent:guangri" not in enterprises
    qinghe = enterprises["ent:qinghe"]
    assert qinghe["name_zh"] == "清河高端芯片载板项目" and qinghe["confidence"] == "uncertain"
    assert "not a company" in qinghe["note"]
    parks = {r["park_id"]: r for r in rows_of(jinan_dir, "parks.csv")}
    assert parks["park:guangri-digital"]["name_zh"] == "广日数字化产业园"
    links = rows_of(jinan_dir, "links.csv") + rows_of(jinan_dir, "aliases.csv")
    assert not [r for r in links if "ent:guangri" in r.values()]


def test_titles_are_not_made_up(jinan_dir, jinan_store):
    sources = {r["source_id"]: r for r in rows_of(jinan_dir, "sources.csv")}
    for sid in ("src:S5", "src:S6", "src:S7", "src:iqilu-2025-01-09-licheng"):
        assert sources[sid]["title"] == "" and sources[sid]["label"], sid
    policy = {r["policy_id"]: r for r in rows_of(jinan_dir, "policies.csv")}["pol:positioning-doc"]
    assert policy["title"] == "" and policy["label"]
    rows = jinan_store.query(f"""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ <{ID}pol/positioning-doc> <{ID}src/S5> }}
                                 VALUES ?p {{ dcterms:title skos:prefLabel }} ?s ?p ?o }}""")
    names = {(r["s"].value.rpartition("/")[2], r["p"].value.rpartition("/")[2]): r["o"].value for r in rows}
    assert set(names) == {("positioning-doc", "core#prefLabel"), ("S5", "core#prefLabel")}
    assert all(v.startswith("[") and v.endswith("]") for v in names.values())


def test_the_chain_names_and_key_candidates_say_what_they_rest_on(jinan_dir):
    chains = rows_of(jinan_dir, "chains.csv")
    landmark = [r for r in chains if r["tier"] == "landmark"]
    key = [r for r in chains if r["tier"] == "key"]
    assert len(landmark) == 13 and len(key) == 10
    assert all("十五五 outline draft" in r["note"] and "2023–25" in r["note"] for r in landmark)
    assert "空天信息" in next(r["note"] for r in landmark if r["chain_id"] == "chain:aerospace")
    assert all(("predates the 13+34" in r["note"] or "before the 13+34" in r["note"]
                or "district-level" in r["note"]) and "34 key chains" in r["note"] for r in key)
    system = {r["system_id"]: r for r in rows_of(jinan_dir, "chain_systems.csv")}["sys:13-34"]
    assert "空天信息" in system["note"] and "January 2026" in system["note"]


@pytest.mark.parametrize(("table", "key", "confidence"), [
    ("links.csv", ("park:satellite-base", "carries", "chain:aerospace"), "partial"),
    ("links.csv", ("park:minghu-cell", "carries", "chain:medicine"), "partial"),
    ("links.csv", ("ent:taishan-steel", "chain_master_of", "chain:steel"), "partial"),
    ("policies.csv", ("pol:jifa-2023-7",), "partial"),
    ("parks.csv", ("park:lixia-edz",), "partial"),
    ("aliases.csv", ("chain:ic", "IC"), "partial"),
    ("aliases.csv", ("chain:ai", "AI"), "partial"),
])
def test_the_issue_rows_no_longer_claim_confirmed(jinan_dir, table, key, confidence):
    columns = {"links.csv": ("subject_id", "predicate", "object_id"), "aliases.csv": ("entity_id", "alias")}.get(
        table, (SPECS[table].id_column,))
    [row] = [r for r in rows_of(jinan_dir, table) if tuple(r[c] for c in columns) == key]
    assert row["confidence"] == confidence


def test_the_shapes_accept_the_data_with_quote_sources_and_untitled_documents(jinan_dir):
    from kg.build import check_dataset_folder

    assert check_dataset_folder(jinan_dir, shacl="sample")["shacl"] == "sample"
    assert "ckg:quoteSource" in paths.shapes_file().read_text(encoding="utf-8")
