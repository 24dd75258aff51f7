"""The build: CSV rows → named graphs with provenance → validated Oxigraph store, replaced only on success."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import tree_hash

from kg.build import build_store, compile_dataset, ready_store
from kg.errors import DataError
from kg.query import select
from kg.store import read_info
from kg.tables import SPECS


def _edit(path: Path, match: dict, changes: dict) -> None:
    """Change the cells of the first row of a CSV table that matches ``match``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    for row in rows:
        if all(row[k] == v for k, v in match.items()):
            row.update(changes)
            break
    else:
        raise AssertionError(f"no row matches {match}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _append(path: Path, row: dict) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        fields = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields).writerow(row)


def test_mini_builds_one_graph_per_quoted_row_and_shared_graphs_for_the_rest(mini_store, mini_dir):
    own, shared = 0, set()
    for name in SPECS:
        if name == "sources.csv" or not (mini_dir / name).is_file():
            continue
        for row in csv.DictReader((mini_dir / name).open(encoding="utf-8")):
            if (row.get("quote") or "").strip() or (row.get("note") or "").strip():
                own += 1
            else:
                shared.add((name, row["source_ids"].strip(), row["confidence"].strip()))
    graphs = {g.value for g in mini_store.oxigraph.named_graphs()}
    assertions = [g for g in graphs if "/assertion/" in g]
    assert len(assertions) == own + len(shared)
    assert len([g for g in assertions if "/shared-" in g]) == len(shared)
    assert mini_store.info["quads"] > 100


def test_every_entity_row_keeps_its_table_and_line(mini_store, mini_dir):
    rows = mini_store.query("""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#>
        SELECT ?table ?line WHERE {
          GRAPH ?g { <https://w3id.org/chainkg/id/ent/beta> a ckg:Enterprise }
          GRAPH <https://w3id.org/chainkg/id/graph/provenance> {
            ?g ckg:sourceTable ?table . <https://w3id.org/chainkg/id/ent/beta> ckg:rowLine ?line } }
    """)
    found = [(r["table"].value, int(r["line"].value)) for r in rows]
    lines = [i for i, row in enumerate(csv.DictReader((mini_dir / "enterprises.csv").open(encoding="utf-8")), 2)
             if row["enterprise_id"] == "ent:beta"]
    assert found == [("enterprises.csv", lines[0])]


def test_every_fact_is_sourced_in_the_store(mini_store, jinan_store):
    for store in (mini_store, jinan_store):
        assert select(store, "stats_unsourced")[0]["unsourced"] == 0
        default = store.oxigraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(next(iter(default))["n"].value) == 0


def test_provenance_names_table_and_line(mini_store):
    rows = mini_store.query("""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#>
        SELECT ?line WHERE {
          GRAPH ?g { ?e ckg:chainMasterOf ?c } ?g ckg:sourceTable "links.csv" ; ckg:sourceLine ?line }
    """)
    assert [int(r["line"].value) for r in rows] == [2]


def test_reopen_uses_cached_store(tmp_path, mini_dir):
    first = ready_store(mini_dir, tmp_path / "s")
    built_at = first.info["built_at"]
    del first
    second = ready_store(mini_dir, tmp_path / "s")
    assert second.info["built_at"] == built_at


def test_changed_data_rebuilds(tmp_path, mini_copy):
    store = ready_store(mini_copy, tmp_path / "s")
    fingerprint = store.info["fingerprint"]
    del store
    _append(mini_copy / "enterprises.csv", {"enterprise_id": "ent:zeta", "name_zh": "己公司", "name_en": "Zeta",
                                            "source_ids": "src:F1", "confidence": "confirmed"})
    store = ready_store(mini_copy, tmp_path / "s")
    assert store.info["fingerprint"] != fingerprint
    names = {r["label"] for r in select(store, "labels")}
    assert "己公司" in names


BAD_EDITS = [
    ("unknown district", "enterprises.csv", {"enterprise_id": "ent:beta"}, {"place_id": "dist:370199"},
     "enterprises.csv:", "dist:370199"),
    ("wrong credit-code check character", "enterprises.csv", {"enterprise_id": "ent:alpha"},
     {"credit_code": "91350100M000100Y4Z"}, "enterprises.csv:", "91350100M000100Y4Z"),
    ("ASCII brackets in a document number", "policies.csv", {"policy_id": "pol:plan"},
     {"doc_number": "测发[2023]7号"}, "policies.csv:", "测发[2023]7号"),
    ("two-digit year", "policies.csv", {"policy_id": "pol:plan"}, {"doc_number": "测发〔23〕7号"},
     "policies.csv:", "测发〔23〕7号"),
    ("reference to a missing row", "links.csv", {"subject_id": "ent:beta"}, {"object_id": "chain:nowhere"},
     "links.csv:", "chain:nowhere"),
    ("duplicate enterprise (same normalised name)", "enterprises.csv", {"enterprise_id": "ent:gamma"},
     {"name_zh": "乙设计 公司"}, "enterprises.csv:", "duplicate"),
    ("unknown source", "chains.csv", {"chain_id": "chain:chips"}, {"source_ids": "src:NOPE"},
     "chains.csv:2", "src:NOPE"),
    ("bad date", "policies.csv", {"policy_id": "pol:report"}, {"date_issued": "2025/08/29"},
     "policies.csv:", "2025/08/29"),
]


@pytest.mark.parametrize(("why", "table", "match", "changes", "where", "what"), BAD_EDITS,
                         ids=[b[0] for b in BAD_EDITS])
def test_bad_input_is_refused_and_store_kept(tmp_path, mini_copy, why, table, match, changes, where, what):
    store_path = tmp_path / "store"
    build_store(mini_copy, store_path)
    before = tree_hash(store_path)
    _edit(mini_copy / table, match, changes)
    with pytest.raises(DataError) as err:
        build_store(mini_copy, store_path)
    message = str(err.value)
    assert where in message and what in message, message
    assert tree_hash(store_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "store"], "no temporary folders left behind"


def test_duplicate_id_names_both_lines(mini_copy):
    _append(mini_copy / "enterprises.csv", {"enterprise_id": "ent:alpha", "name_zh": "另一家", "name_en": "Other",
                                            "source_ids": "src:F1", "confidence": "confirmed"})
    expected = r"enterprises.csv:7: enterprise_id='ent:alpha': duplicate id \(first at enterprises.csv:2\)"
    with pytest.raises(DataError, match=expected):
        compile_dataset(mini_copy)


def test_non_utf8_file_is_refused(mini_copy):
    path = mini_copy / "parks.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(DataError, match=r"parks.csv:2: .*not valid UTF-8"):
        compile_dataset(mini_copy)


def test_unknown_column_is_refused(mini_copy):
    path = mini_copy / "parks.csv"
    text = path.read_text(encoding="utf-8").replace("description_zh", "descripton_zh", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="parks.csv:1: descripton_zh='descripton_zh': unknown column"):
        compile_dataset(mini_copy)


def test_supplies_to_cycle_is_refused(mini_copy):
    _edit(mini_copy / "segments.csv", {"segment_id": "seg:chips-apps"}, {"supplies_to": "seg:chips-materials"})
    with pytest.raises(DataError, match="suppliesTo forms a cycle"):
        compile_dataset(mini_copy)


def test_unknown_industry_code_is_refused(mini_copy):
    _edit(mini_copy / "segments.csv", {"segment_id": "seg:chips-apps"}, {"industry_codes": "3631"})
    with pytest.raises(DataError, match="industry_codes='3631'.*not a GB/T 4754-2017 code"):
        compile_dataset(mini_copy)


def test_shacl_problem_names_the_row(mini_copy):
    _edit(mini_copy / "chains.csv", {"chain_id": "chain:drugs"}, {"group": ""})
    with pytest.raises(DataError) as err:
        compile_dataset(mini_copy)
    assert "chains.csv:3" in str(err.value)


def test_store_marker_written_last(tmp_path, mini_dir):
    store = build_store(mini_dir, tmp_path / "s")
    assert read_info(tmp_path / "s")["fingerprint"] == store.info["fingerprint"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_every_term_the_data_uses_is_declared(jinan_store):
    """Every class and property in the Jinan store is declared in the ontology (ckg: terms) or is a reused W3C term
    the ontology labels; nothing is minted by accident."""
    import pyoxigraph as ox
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from kg import paths
    from kg.namespace import GRAPH_ONTOLOGY

    declared = set(Graph().parse(paths.ontology_file(), format="turtle").subjects())
    onto = {"onto": ox.NamedNode(str(GRAPH_ONTOLOGY))}
    used = {r["p"].value for r in jinan_store.query(
        "SELECT DISTINCT ?onto ?p WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?onto) }", onto)}
    used |= {r["c"].value for r in jinan_store.query(
        "SELECT DISTINCT ?onto ?c WHERE { GRAPH ?g { ?s a ?c } FILTER(?g != ?onto) }", onto)}
    missing = sorted(t for t in used if URIRef(t) not in declared and URIRef(t) != RDF.type)
    assert not missing, missing
