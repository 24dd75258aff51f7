"""Snapshots: each format re-parses to the store's content, exports are deterministic and atomic, restore works."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from cli import cli
from kg import atomic
from kg.atomic import write_atomic
from kg.build import build_store
from kg.errors import DataError, ExportError
from kg.namespace import CKG, CKGID, GRAPH_NAMES, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_SUMMARY, PREFIXES
from kg.snapshot import Facts, context_file, restore_snapshot, to_rdflib
from kg.snapshots import export as export_module
from kg.snapshots.export import FORMATS, export_snapshot
from kg.snapshots.formats import project, xml_safe
from kg.store import Store, open_store, read_info

ONTOLOGY = ox.NamedNode(str(GRAPH_ONTOLOGY))
PROVENANCE = ox.NamedNode(str(GRAPH_PROVENANCE))
NAMES = ox.NamedNode(str(GRAPH_NAMES))
SUMMARY = ox.NamedNode(str(GRAPH_SUMMARY))
TRIPLE_FILES = {"graph.nt": ox.RdfFormat.N_TRIPLES, "graph.ttl": ox.RdfFormat.TURTLE,
                "graph.jsonld": ox.RdfFormat.JSON_LD}
QUAD_FILES = {"graph.nq": ox.RdfFormat.N_QUADS, "graph.trig": ox.RdfFormat.TRIG}


def _all_quads(store: Store) -> list[ox.Quad]:
    return list(store.oxigraph.quads_for_pattern(None, None, None, None))


def _graph(triples) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def _facts_graph(quads) -> Graph:
    """What graph.nt/ttl/jsonld must hold: the union of every graph except the ontology, provenance and name-key
    graphs."""
    return _graph((q.subject, q.predicate, q.object) for q in quads
                  if q.graph_name not in (ONTOLOGY, PROVENANCE, NAMES, SUMMARY))


def _by_graph(quads) -> dict[str, Graph]:
    graphs: dict[str, list] = {}
    for q in quads:
        graphs.setdefault(str(q.graph_name), []).append((q.subject, q.predicate, q.object))
    return {name: _graph(triples) for name, triples in graphs.items()}


def _parse(folder: Path, name: str) -> list:
    """Parse a snapshot file alone with pyoxigraph (JSON-LD carries its context inline)."""
    fmt = {**TRIPLE_FILES, **QUAD_FILES}[name]
    return list(ox.parse(path=str(folder / name), format=fmt))


def _assert_round_trip(folder: Path, quads: list[ox.Quad]) -> None:
    expected = _facts_graph(quads)
    for name in TRIPLE_FILES:
        parsed = _parse(folder, name)
        assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in parsed), name
        assert isomorphic(_graph(q.triple for q in parsed), expected), name
    for name in QUAD_FILES:
        got, want = _by_graph(_parse(folder, name)), _by_graph(quads)
        assert got.keys() == want.keys(), name
        assert all(isomorphic(got[g], want[g]) for g in want), name


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_rdf_file_reparses_isomorphic_to_the_store(mini_store, tmp_path):
    manifest = export_snapshot(mini_store, tmp_path / "snap")
    quads = _all_quads(mini_store)
    _assert_round_trip(tmp_path / "snap", quads)
    assert manifest["counts"]["quads"] == len(quads) == mini_store.info["quads"]
    nt = (tmp_path / "snap" / "graph.nt").read_bytes().decode().splitlines()
    assert nt == sorted(nt) and len(nt) == manifest["counts"]["facts"] == len(_facts_graph(quads))
    assert "@prefix ent: <https://w3id.org/chainkg/id/ent/> ." in (tmp_path / "snap" / "graph.ttl").read_text()


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_jsonld_is_compact_with_the_shipped_context(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "snap", "jsonld")
    folder = tmp_path / "snap"
    assert (folder / "context.jsonld").read_bytes() == context_file().read_bytes()
    document = json.loads((folder / "graph.jsonld").read_text(encoding="utf-8"))
    chip = next(node for node in document["@graph"] if node["@id"] == "chain:chips")
    assert chip["@type"] == ["ckg:IndustrialChain", "ckg:LandmarkChain"]
    assert "芯片" in chip["skos:prefLabel"] and {"@value": "Chips", "@language": "en"} in chip["skos:prefLabel"]
    # the context is inline (the same as context.jsonld beside it): the file alone parses, in rdflib too
    assert document["@context"] == json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    alone = tmp_path / "alone.jsonld"
    alone.write_bytes((folder / "graph.jsonld").read_bytes())
    assert isomorphic(Graph().parse(alone, format="json-ld"), _facts_graph(_all_quads(mini_store)))


def test_jsonld_alone_parses_isomorphic_to_the_turtle_on_the_jinan_data(jinan_store, tmp_path):
    export_snapshot(jinan_store, tmp_path / "snap", "ttl,jsonld")
    alone = tmp_path / "graph.jsonld"  # no context.jsonld beside it
    alone.write_bytes((tmp_path / "snap" / "graph.jsonld").read_bytes())
    from_jsonld = _graph(q.triple for q in ox.parse(path=str(alone), format=ox.RdfFormat.JSON_LD))
    from_turtle = _graph(q.triple for q in ox.parse(path=str(tmp_path / "snap" / "graph.ttl"),
                                                      format=ox.RdfFormat.TURTLE))
    assert len(from_turtle) > 1000 and isomorphic(from_jsonld, from_turtle)


def test_context_has_every_prefix_and_chinese_default():
    context = json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    assert context["@language"] == "zh"
    assert PREFIXES.items() <= context.items()
    assert context["ent"] == str(CKGID) + "ent/" and context["gbt"] == str(CKGID) + "gbt4754/"


def test_graphml_and_gexf_load_with_the_projection_counts(mini_store, tmp_path):
    manifest = export_snapshot(mini_store, tmp_path / "snap", "graphml,gexf")
    projection = project(Facts(_all_quads(mini_store)))
    assert projection.number_of_nodes() == manifest["counts"]["nodes"] > 0
    for name, read in (("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)):
        loaded = read(tmp_path / "snap" / name)
        assert (loaded.number_of_nodes(), loaded.number_of_edges()) == \
            (projection.number_of_nodes(), projection.number_of_edges()), name
        alpha = loaded.nodes["ent:alpha"]
        assert (alpha["label_zh"], alpha["label_en"], alpha["kind"]) == ("甲芯片公司", "Alpha Chips", "enterprise")
    edge = projection.get_edge_data("pol:chip-plan", "chain:chips")["ckg:supportsChain"]
    assert edge["sources"] == "src:F1" and edge["confidence"] == "confirmed"
    assert projection.nodes["ind:revenue-2024"]["value"] == pytest.approx(10189.4)


def test_csv_tables_per_kind_and_links(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "snap", "csv")
    folder = tmp_path / "snap" / "csv"
    assert {p.name for p in folder.iterdir()} >= {"enterprises.csv", "chains.csv", "sources.csv", "links.csv"}
    text = (folder / "enterprises.csv").read_text(encoding="utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ent:alpha"]["creditCode"] == "91110000600037341L" and rows["ent:alpha"]["confidence"] == "confirmed"
    links = list(csv.DictReader(io.StringIO((folder / "links.csv").read_text(encoding="utf-8-sig"))))
    assert {"subject": "pol:chip-plan", "property": "ckg:supportsChain", "object": "chain:chips"}.items() <= \
        next(r for r in links if r["subject"] == "pol:chip-plan" and r["object"] == "chain:chips").items()


def test_two_exports_are_identical_but_for_the_timestamp(mini_dir, tmp_path):
    # two stores built separately, so nothing depends on one store's internal order
    first = export_snapshot(build_store(mini_dir, tmp_path / "s1"), tmp_path / "a")
    second = export_snapshot(build_store(mini_dir, tmp_path / "s2"), tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 15
    assert [name for name in a if a[name] != b[name]] in ([], ["manifest.json"])
    first.pop("created_at"), second.pop("created_at")
    assert first == second
    for name, entry in first["files"].items():
        assert len(a[name]) == entry["bytes"]


def test_failed_export_leaves_the_previous_snapshot_and_no_temporary_files(mini_store, tmp_path, monkeypatch):
    export_snapshot(mini_store, tmp_path / "snap")
    before = _files(tmp_path / "snap")

    def broken(graph):
        raise RuntimeError("serializer failed mid-way")

    monkeypatch.setattr(export_module, "render_gexf", broken)
    with pytest.raises(RuntimeError):
        export_snapshot(mini_store, tmp_path / "snap")
    assert _files(tmp_path / "snap") == before
    assert [p.name for p in tmp_path.iterdir()] == ["snap"]


def test_export_refuses_to_replace_a_folder_that_is_not_a_snapshot(mini_store, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a chainkg snapshot"):
        export_snapshot(mini_store, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    with pytest.raises(ExportError, match="unknown format"):
        export_snapshot(mini_store, tmp_path / "x", "ttl,xlsx")


def test_write_atomic_replaces_or_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out" / "page.html"
    write_atomic(target, "旧")
    assert target.read_text(encoding="utf-8") == "旧"

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(ExportError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "旧"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_export_restore_export_gives_identical_ntriples(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "a")
    restored = restore_snapshot(tmp_path / "a", tmp_path / "restored")
    assert restored.info["restored_from"] == str((tmp_path / "a").resolve())
    export_snapshot(restored, tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["graph.nt"] == b["graph.nt"] and a["graph.nq"] == b["graph.nq"]
    assert {k for k in a if a[k] != b[k]} <= {"manifest.json"}
    # a restored store is used as it is, not rebuilt from whatever data is asked for
    assert open_store(tmp_path / "restored").info["restored_from"]


def test_restore_refuses_a_changed_or_invalid_snapshot_and_keeps_the_store(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "snap", "nq")
    restore_snapshot(tmp_path / "snap", tmp_path / "store")
    built_at = read_info(tmp_path / "store")["built_at"]
    nq = tmp_path / "snap" / "graph.nq"
    lines = nq.read_text(encoding="utf-8").splitlines(keepends=True)
    nq.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(DataError, match="sha256 differs"):
        restore_snapshot(tmp_path / "snap", tmp_path / "store")
    # a snapshot with consistent checksums but data the shapes reject: an enterprise without a name
    name = f"<{CKGID}ent/alpha> <http://www.w3.org/2004/02/skos/core#prefLabel>"
    text = "".join(line for line in lines if not line.startswith(name))
    nq.write_text(text, encoding="utf-8")
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    manifest["files"]["graph.nq"]["sha256"] = export_module.hashlib.sha256(text.encode()).hexdigest()
    (tmp_path / "snap" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError) as caught:
        restore_snapshot(tmp_path / "snap", tmp_path / "store")
    assert any("ent/alpha" in p.format() for p in caught.value.problems)
    assert read_info(tmp_path / "store")["built_at"] == built_at


def test_cli_export_restore_and_diff(mini_dir, tmp_path):
    runner = CliRunner()
    common = ["--data", str(mini_dir), "--store", str(tmp_path / "store")]
    result = runner.invoke(cli, ["export", "-o", str(tmp_path / "snap"), "--format", "nq,ttl", *common])
    assert result.exit_code == 0, result.output
    assert "graph.ttl" in result.output and (tmp_path / "snap" / "manifest.json").is_file()
    result = runner.invoke(cli, ["restore", str(tmp_path / "snap"), "--store", str(tmp_path / "restored")])
    assert result.exit_code == 0 and "restored" in result.output, result.output
    result = runner.invoke(cli, ["diff", str(tmp_path / "snap"), "live", "--store", str(tmp_path / "restored")])
    assert (result.exit_code, result.output.strip()) == (0, "无变化")
    result = runner.invoke(cli, ["diff", str(tmp_path / "snap"), str(tmp_path / "missing")])
    assert result.exit_code == 2


@pytest.mark.parametrize("name", ["jinan"])
def test_jinan_round_trip(name, jinan_store, tmp_path):
    manifest = export_snapshot(jinan_store, tmp_path / "a")
    quads = _all_quads(jinan_store)
    _assert_round_trip(tmp_path / "a", quads)
    assert manifest["counts"]["classes"]["LandmarkChain"] == 13
    restored = restore_snapshot(tmp_path / "a", tmp_path / "restored")
    export_snapshot(restored, tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert {k for k in a if a[k] != b[k]} <= {"manifest.json"}
    projection = project(Facts(quads))
    loaded = nx.read_graphml(tmp_path / "a" / "graph.graphml")
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == \
        (projection.number_of_nodes(), projection.number_of_edges())


# --- property: any label survives every format ----------------------------------------------------------------------

TRICKY = list('"\'<>&\\{}@#:/;,=+-') + ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\r",
                                          "\n", "\t", "\u200b", "\u200c", "\u200d", "\u2028", "\ufeff", "\ufffe",
                                          "\uffff", "芯", "片", "〔", "〕", "链", "𠀀", "é"]
LABELS = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=("Cs",))), max_size=30)


def _tiny_store(label_zh: str, label_en: str, description: str) -> Store:
    db = ox.Store()
    ent = ox.NamedNode(str(CKGID) + "ent/x")
    row = ox.NamedNode(str(CKGID) + "assertion/enterprises/ent.x")
    chain = ox.NamedNode(str(CKGID) + "chain/c")
    chain_row = ox.NamedNode(str(CKGID) + "assertion/chains/chain.c")
    n = ox.NamedNode
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = n("http://www.w3.org/2004/02/skos/core#prefLabel")
    db.extend([
        ox.Quad(ent, rdf_type, n(str(CKG.Enterprise)), row),
        ox.Quad(ent, label, ox.Literal(label_zh, language="zh"), row),
        ox.Quad(ent, label, ox.Literal(label_en, language="en"), row),
        ox.Quad(ent, n("http://purl.org/dc/terms/description"), ox.Literal(description), row),
        ox.Quad(ent, n(str(CKG.memberOfChain)), chain, row),
        ox.Quad(chain, rdf_type, n(str(CKG.IndustrialChain)), chain_row),
        ox.Quad(chain, label, ox.Literal(label_zh + "链", language="zh"), chain_row),
        ox.Quad(row, n("http://www.w3.org/ns/prov#wasDerivedFrom"), n(str(CKGID) + "src/S1"), PROVENANCE),
        ox.Quad(row, n(str(CKG.quote)), ox.Literal(description, language="zh"), PROVENANCE),
    ])
    return Store(Path("."), db, {"fingerprint": "test"})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label_zh=LABELS, label_en=LABELS, description=LABELS)
def test_any_label_survives_every_format(label_zh, label_en, description):
    store = _tiny_store(label_zh, label_en, description)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "snap"
        export_snapshot(store, folder, FORMATS)
        _assert_round_trip(folder, _all_quads(store))
        for read in (nx.read_graphml, nx.read_gexf):
            graph = read(folder / ("graph.graphml" if read is nx.read_graphml else "graph.gexf"))
            assert graph.number_of_nodes() == 2 and graph.number_of_edges() == 1
            node = graph.nodes["ent:x"]
            assert node.get("label_zh", "") == xml_safe(label_zh)
            assert node.get("description", "") == xml_safe(description)
        text = (folder / "csv" / "enterprises.csv").read_bytes().decode("utf-8-sig")  # no newline translation
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert rows[0]["label_en"] in (label_en, "'" + label_en)
        shutil.rmtree(folder)


def test_restore_reads_trig_when_there_is_no_nquads(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "snap", "trig")
    restored = restore_snapshot(tmp_path / "snap", tmp_path / "store")
    assert restored.info["snapshot_file"] == "graph.trig"
    assert sorted(map(str, _all_quads(restored))) == sorted(map(str, _all_quads(mini_store)))
    export_snapshot(mini_store, tmp_path / "facts-only", "nt")
    with pytest.raises(DataError, match="no graph.nq or graph.trig"):
        restore_snapshot(tmp_path / "facts-only", tmp_path / "store2")


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    from kg.data.synth import synthesize

    folder = tmp_path_factory.mktemp("synth")
    synthesize(folder / "data", 1500, seed=3)
    return build_store(folder / "data", folder / "store")


def test_streamed_export_round_trips_and_skips_what_cannot_stream(synth_store, tmp_path, caplog):
    manifest = export_snapshot(synth_store, tmp_path / "snap", stream_above=0)
    assert manifest["streamed"] and manifest["formats"] == ["ttl", "nt", "nq", "trig"]
    assert set(manifest["skipped"]) == {"jsonld", "graphml", "gexf", "csv"}
    assert "needs every entity in memory" in caplog.text
    assert sorted(manifest["files"]) == ["graph.nq", "graph.nt", "graph.trig", "graph.ttl"]
    assert manifest["counts"]["quads"] == len(synth_store.oxigraph)
    # the manifest's counts are SPARQL counts, equal to what Facts finds over every quad
    facts = Facts(synth_store.oxigraph.quads_for_pattern(None, None, None, None))
    assert manifest["counts"]["fact_statements"] >= len(facts.triples)
    every = set(synth_store.oxigraph.quads_for_pattern(None, None, None, None))
    for name, fmt in (("graph.nq", ox.RdfFormat.N_QUADS), ("graph.trig", ox.RdfFormat.TRIG)):
        assert set(ox.parse(path=str(tmp_path / "snap" / name), format=fmt)) == every
    for name, fmt in (("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.ttl", ox.RdfFormat.TURTLE)):
        triples = {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(tmp_path / "snap" / name), format=fmt)}
        assert triples == facts.triples
    assert (tmp_path / "snap" / "graph.nq").read_text(encoding="utf-8").startswith("# ")  # synthetic: the notice
    restored = restore_snapshot(tmp_path / "snap", tmp_path / "restored")
    assert set(restored.oxigraph.quads_for_pattern(None, None, None, None)) == every
    # below the threshold the snapshot is the canonical, sorted one with every format
    small = export_snapshot(synth_store, tmp_path / "small", "nq,csv")
    assert "streamed" not in small and sorted(small["files"])[0] == "csv/chain_systems.csv"
