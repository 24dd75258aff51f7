"""The streaming build and validation on synthetic data: exactly the bad rows named, the problem limit, a refused
build that leaves the store byte-identical, a second city built from its own manifest and codes, and the code lists
written once (checked against the ontology and the shapes)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import tree_hash
from rdflib import Graph
from rdflib.namespace import RDF, SH, SKOS

from cli import cli
from kg import codes, paths
from kg.build import build_store, check_dataset_folder, compile_quads
from kg.data.synth import synthesize
from kg.data.validate import DOC_NUMBER_SHAPE
from kg.errors import DataError


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "data"
    synthesize(folder, enterprises=3000, cities=2, seed=11)
    return folder


def _rewrite(path: Path, edits: dict[int, dict[str, str]]) -> None:
    """Change cells of the rows at the given file lines (the header is line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for line, changes in edits.items():
        for column, value in changes.items():
            rows[line - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _bad_copy(src: Path, dst: Path) -> list[tuple[str, int, str, str]]:
    """A copy of ``src`` with ten bad cells scattered through its big tables; returns (file, line, column, value)."""
    import shutil

    shutil.copytree(src, dst)
    with (dst / "enterprises.csv").open(encoding="utf-8") as handle:
        names = {row["enterprise_id"]: row["name_zh"] for row in csv.DictReader(handle)}
    first_name = next(iter(names.values()))
    bad = {
        "enterprises.csv": {
            40: {"credit_code": "91990101MA0000000X"},  # wrong check character
            400: {"place_id": "dist:nowhere"},  # unknown district
            900: {"credit_code": "9.19901E+17"},  # spreadsheet damage
            1500: {"name_zh": first_name},  # duplicate name
            2999: {"confidence": "sure"},  # not a confidence level
        },
        "links.csv": {
            30: {"predicate": "owns"},  # unknown predicate
            1000: {"object_id": "seg:nowhere"},  # points at no row
            2500: {"source_ids": "src:nope"},  # unknown source
            4000: {"confidence": "maybe"},
            5500: {"object_id": "chain:nowhere"},
        },
    }
    expected = []
    for table, edits in bad.items():
        _rewrite(dst / table, edits)
        for line, changes in edits.items():
            for column, value in changes.items():
                expected.append((table, line, column, value))
    return sorted(expected)


def test_validate_names_exactly_the_ten_bad_rows(synth_dir, tmp_path):
    expected = _bad_copy(synth_dir, tmp_path / "bad")
    with pytest.raises(DataError) as err:
        check_dataset_folder(tmp_path / "bad", shacl="none")
    found = sorted((p.file, p.line, p.column, p.value) for p in err.value.problems)
    assert found == expected
    result = CliRunner().invoke(cli, ["validate", "--data", str(tmp_path / "bad")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if re.match(r"^\w+\.csv:\d+: ", line)]
    assert len(lines) == 10 and "enterprises.csv:900: credit_code='9.19901E+17':" in result.output


def test_refused_build_leaves_the_store_byte_identical(synth_dir, tmp_path):
    store = tmp_path / "store"
    build_store(synth_dir, store)
    before = tree_hash(store)
    _bad_copy(synth_dir, tmp_path / "bad")
    with pytest.raises(DataError):
        build_store(tmp_path / "bad", store)
    assert tree_hash(store) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_problem_limit_lists_the_first_and_counts_the_rest(synth_dir, tmp_path):
    import shutil

    shutil.copytree(synth_dir, tmp_path / "bad")
    path = tmp_path / "bad" / "links.csv"
    text = path.read_text(encoding="utf-8").replace(",in_segment,", ",in_segmnet,")
    path.write_text(text, encoding="utf-8")
    bad = text.count(",in_segmnet,")
    assert bad > 20
    with pytest.raises(DataError) as err:
        check_dataset_folder(tmp_path / "bad", limit=20, shacl="none")
    problems = err.value.problems
    assert len(problems) == 21
    assert problems[-1].message.startswith(f"… and {bad - 20} more problem(s)")


def test_a_second_city_builds_and_reports_from_its_own_manifest(synth_dir, tmp_path):
    manifest = json.loads((synth_dir / "dataset.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] and manifest["division_code"].startswith("99")
    store = build_store(synth_dir, tmp_path / "store")
    assert store.info["dataset"]["id"] == manifest["id"]
    codes_used = {row["division_code"] for row in csv.DictReader((synth_dir / "districts.csv").open(encoding="utf-8"))
                  if row["division_code"]}
    assert codes_used and all(code.startswith("99") for code in codes_used)
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--data", str(synth_dir),
                                      "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert manifest["title"]["zh"] in index and "合成数据" in index
    assert "济南" not in index


def test_validate_runs_shacl_on_a_sample_and_passes_on_clean_data(synth_dir):
    summary = check_dataset_folder(synth_dir)
    assert summary["shacl"] == "sample" and summary["rows"]["enterprises.csv"] == 3000


def test_validate_full_runs_every_shape_on_jinan():
    result = CliRunner().invoke(cli, ["validate", "--full"])
    assert result.exit_code == 0, result.output
    assert "SHACL (full) passed" in result.output


def test_streaming_checks_catch_what_shacl_catches(tmp_path, mini_dir):
    """A rule stated across rows in the shapes (a landmark chain needs a group) stops the build without SHACL."""
    import shutil

    shutil.copytree(mini_dir, tmp_path / "m")
    path = tmp_path / "m" / "chains.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    fields = list(rows[0])
    landmark = next(i for i, r in enumerate(rows) if r["tier"] == "landmark")
    rows[landmark]["group"] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataError, match=rf"chains.csv:{landmark + 2}: group=''"):
        compile_quads(tmp_path / "m", lambda text: None)


# --- one source for code lists --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(paths.ontology_file(), format="turtle")


@pytest.mark.parametrize("cls", sorted(codes.INDIVIDUAL_LISTS), ids=lambda c: c.rpartition("#")[2])
def test_code_list_equals_the_ontology_notations(ontology, cls):
    from rdflib import URIRef

    individuals = {str(s): str(ontology.value(s, SKOS.notation)) for s in ontology.subjects(RDF.type, URIRef(cls))}
    assert {notation: iri for iri, notation in individuals.items()} == codes.INDIVIDUAL_LISTS[cls]


def test_every_class_and_property_in_the_code_lists_is_declared(ontology):
    from rdflib import URIRef

    terms = {*codes.TIER.values(), *codes.PARK_KIND.values(), *codes.DOC_TYPE.values(), *codes.LINK.values(),
             *codes.SUPPORTS.values(), *(c for kinds in codes.PLACE_KIND.values() for c in kinds)}
    undeclared = [t for t in terms if not t.startswith("http://www.w3.org/ns/org#")
                  and (URIRef(t), None, None) not in ontology]
    assert not undeclared


def test_table_enums_come_from_the_code_lists():
    from kg.tables import CONFIDENCE, LINK_PREDICATES, SPECS

    assert CONFIDENCE == tuple(codes.CONFIDENCE)
    assert SPECS["sources.csv"].enums["kind"] == tuple(codes.SOURCE_KIND)
    assert SPECS["segments.csv"].enums["position"] == tuple(codes.POSITION)
    assert set(LINK_PREDICATES) == set(codes.LINK) | {"supports"}


def test_document_number_rule_is_the_shapes_pattern():
    shapes = Graph().parse(paths.shapes_file(), format="turtle")
    from rdflib import URIRef

    shape = URIRef("https://w3id.org/chainkg/shapes#PolicyDocument-docNumber")
    assert str(shapes.value(shape, SH.pattern)) == DOC_NUMBER_SHAPE
