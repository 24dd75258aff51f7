"""Bad input refused at the edge (issue 10, classes 4, 7, 8 and 9): numbers out of bounds, control characters,
oversized cells, missing or empty required tables, other separators, and damaged or hostile snapshot manifests.

Each case runs the command a planner would run, in-process: exit 1 (2 for ``diff``), a message that names the file,
line and column, and the store left byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import MINI, tree_hash

from cli import cli
from kg.build import build_store
from kg.query import to_python
from kg.snapshots.export import export_snapshot
from kg.tables import REQUIRED_TABLES, SPECS

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store built from the fixture, copied by each test that breaks the data."""
    path = tmp_path_factory.mktemp("built") / "store"
    build_store(MINI, path)
    return path


@pytest.fixture
def store(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "store", symlinks=True)  # a store's current version is a link
    return tmp_path / "store"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _edit(path: Path, key: str, value: str, changes: dict) -> None:
    fields, rows = _rows(path)
    row = next(r for r in rows if r[key] == value)
    row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _refused(data: Path, store: Path, *expected: str, command: str = "build") -> str:
    """Run ``command`` on broken data: exit 1, every expected text in the output, the store untouched."""
    before = tree_hash(store)
    result = CliRunner().invoke(cli, [command, "--data", str(data), "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output
    assert tree_hash(store) == before
    return result.output


# -- class 4: numbers ----------------------------------------------------------------------------------------------

NUMBERS = [
    ("indicators.csv", "indicator_id", "ind:revenue-2024", "value", "1e999999999"),
    ("indicators.csv", "indicator_id", "ind:revenue-2024", "value", "1_000"),
    ("indicators.csv", "indicator_id", "ind:revenue-2024", "value", "0." + "1" * 40),
    ("indicators.csv", "indicator_id", "ind:revenue-2024", "year", "1e99"),
    ("chains.csv", "chain_id", "chain:chips", "target_2030", "1e999999999"),
    ("chains.csv", "chain_id", "chain:chips", "target_2030", "5_00"),
    ("segments.csv", "segment_id", "seg:chips-design", "sequence", "9" * 5000),
    ("chain_systems.csv", "system_id", "sys:2-3", "landmark_count", "9" * 5000),
    ("chain_systems.csv", "system_id", "sys:2-3", "key_count", "1e3"),
]


@pytest.mark.parametrize(("table", "key", "row", "column", "value"), NUMBERS,
                         ids=[f"{n[0]}-{n[3]}-{n[4][:12]}" for n in NUMBERS])
def test_every_numeric_column_takes_only_plain_bounded_numbers(mini_copy, store, table, key, row, column, value):
    _edit(mini_copy / table, key, row, {column: value})
    _refused(mini_copy, store, f"{table}:", f"{column}=")


def test_numeric_columns_are_all_bounded():
    """Every column the ontology types as a number is checked by the number rules (no column forgotten)."""
    from kg.data.validate import DECIMAL_COLUMNS, WHOLE_COLUMNS

    numeric = {"landmark_count", "key_count", "sequence", "value", "target_2030", "year"}
    columns = {c for spec in SPECS.values() for c in spec.columns}
    assert numeric <= columns and set(WHOLE_COLUMNS) | set(DECIMAL_COLUMNS) == numeric - {"year"}


def _tamper(snapshot: Path, change) -> None:
    """Edit a snapshot's graph.nq and re-hash it in manifest.json, as someone who means it would."""
    nq = snapshot / "graph.nq"
    text = change(nq.read_text(encoding="utf-8"))
    nq.write_text(text, encoding="utf-8")
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    data = text.encode("utf-8")
    manifest["files"]["graph.nq"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def snapshot(mini_store, tmp_path) -> Path:
    export_snapshot(mini_store, tmp_path / "snap", "nq")
    return tmp_path / "snap"


def _restored(snapshot: Path, tmp_path: Path) -> Path:
    """A store restored from the good snapshot (the one a refused restore must leave alone)."""
    path = tmp_path / "restored"
    result = CliRunner().invoke(cli, ["restore", str(snapshot), "--store", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def _restore_refused(snapshot: Path, store: Path, *expected: str) -> str:
    before = tree_hash(store)
    result = CliRunner().invoke(cli, ["restore", str(snapshot), "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.output, result.output
    assert tree_hash(store) == before
    return result.output


TAMPERED = [("value", "decimal", "1e999999999"), ("sequence", "integer", "9" * 5000)]


def _replace_object(text: str, prop: str, literal: str) -> str:
    """The object of the first quad with predicate ``ckg:{prop}`` replaced by ``literal``."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        s, p, rest = line.split(" ", 2)
        if p.endswith(f"#{prop}>"):
            graph = rest.rstrip(" .\n").rpartition(" ")[2]
            lines[i] = f"{s} {p} {literal} {graph} .\n"
            return "".join(lines)
    raise AssertionError(f"no ckg:{prop} quad")


@pytest.mark.parametrize(("prop", "datatype", "value"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_restore_refuses_a_rehashed_snapshot_with_a_huge_number(snapshot, tmp_path, prop, datatype, value):
    store = _restored(snapshot, tmp_path)
    _tamper(snapshot, lambda text: _replace_object(text, prop, f'"{value}"^^<{XSD}{datatype}>'))
    _restore_refused(snapshot, store, "graph.nq", f"ckg:{prop}=")


def test_the_question_path_never_builds_a_huge_number():
    huge = "9" * 5000
    assert to_python(ox.Literal(huge, datatype=ox.NamedNode(XSD + "integer"))) == huge
    assert to_python(ox.Literal("1e999999999", datatype=ox.NamedNode(XSD + "decimal"))) == "1e999999999"
    assert to_python(ox.Literal("10189.40", datatype=ox.NamedNode(XSD + "decimal"))) == 10189.4
    assert to_python(ox.Literal("12", datatype=ox.NamedNode(XSD + "integer"))) == 12


# -- class 7: snapshot manifests -----------------------------------------------------------------------------------

def _manifest(snapshot: Path) -> dict:
    return json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))


BAD_MANIFESTS = [
    ("array", lambda m: json.dumps([m]).encode(), "a JSON array, not an object"),
    ("string", lambda m: json.dumps("snapshot").encode(), "a JSON string, not an object"),
    ("files-list", lambda m: json.dumps({**m, "files": list(m["files"])}).encode(), "not a JSON array"),
    ("no-sha256", lambda m: json.dumps({**m, "files": {"graph.nq": {"bytes": 1}}}).encode(), "has no sha256"),
    ("sha256-number", lambda m: json.dumps({**m, "files": {"graph.nq": {"sha256": 12}}}).encode(),
     "sha256 must be a string"),
    ("not-utf8", lambda m: json.dumps(m).encode("utf-16"), "not UTF-8"),
]


@pytest.mark.parametrize(("why", "make", "expected"), BAD_MANIFESTS, ids=[b[0] for b in BAD_MANIFESTS])
def test_restore_and_diff_name_what_is_wrong_with_the_manifest(snapshot, tmp_path, why, make, expected):
    store = _restored(snapshot, tmp_path)
    (snapshot / "manifest.json").write_bytes(make(_manifest(snapshot)))
    _restore_refused(snapshot, store, "manifest.json", expected)
    result = CliRunner().invoke(cli, ["diff", str(snapshot), "live", "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "manifest.json" in result.output and expected in result.output, result.output


def _hostile_names(snapshot: Path, secret: Path) -> dict[str, str]:
    (snapshot / "link.txt").symlink_to(secret)
    (snapshot / "csv").mkdir(exist_ok=True)
    return {"parent": "../secret.txt", "absolute": str(secret), "symlink": "link.txt",
            "nested-parent": "csv/../../secret.txt"}


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink", "nested-parent"])
def test_a_manifest_naming_a_file_outside_the_snapshot_is_refused_before_reading_it(snapshot, tmp_path, kind,
                                                                                 monkeypatch):
    store = _restored(snapshot, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    name = _hostile_names(snapshot, secret)[kind]
    manifest = _manifest(snapshot)
    manifest["files"][name] = {"sha256": hashlib.sha256(secret.read_bytes()).hexdigest(),
                               "bytes": secret.stat().st_size}
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    opened = []
    real_open = Path.open

    def spy(self, *args, **kwargs):
        if self.resolve() == secret.resolve():
            opened.append(str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    _restore_refused(snapshot, store, "manifest.json", "files=")
    assert opened == [], "the file outside the snapshot was read"


# -- class 9: required tables, big cells, other separators -----------------------------------------------------------

@pytest.mark.parametrize("state", ["missing", "empty", "header-only"])
def test_a_missing_or_empty_enterprise_table_is_named_first(mini_copy, store, state):
    path = mini_copy / "enterprises.csv"
    if state == "missing":
        path.unlink()
    elif state == "empty":
        path.write_bytes(b"")
    else:
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    expected = {"missing": "enterprises.csv: is missing", "empty": "enterprises.csv:1: the file is empty",
                "header-only": "enterprises.csv: has no rows"}[state]
    output = _refused(mini_copy, store, expected)
    assert output.splitlines()[0].startswith(expected), output
    if state == "empty":
        assert "enterprise_id,name_zh" in output.splitlines()[0]
    assert "points at no row" not in output
    assert len(output.splitlines()) <= 4, output


@pytest.mark.parametrize("table", REQUIRED_TABLES)
def test_every_required_table_with_only_a_header_is_named(mini_copy, store, table):
    path = mini_copy / table
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    output = _refused(mini_copy, store, f"{table}: has no rows", "allow_empty")
    assert output.splitlines()[0].startswith(f"{table}: has no rows"), output
    assert "points at no row" not in output and "unknown source" not in output, output


def test_a_dataset_may_declare_a_required_table_empty(mini_copy, tmp_path):
    path = mini_copy / "links.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    manifest = json.loads((mini_copy / "dataset.json").read_text(encoding="utf-8"))
    (mini_copy / "dataset.json").write_text(json.dumps({**manifest, "allow_empty": ["links.csv"]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--data", str(mini_copy), "--store", str(tmp_path / "s")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


BIG_CELLS = [
    ("enterprises.csv", "enterprise_id", "ent:beta", "description_zh", 10 * 1024 * 1024, "enterprises.csv:3"),
    ("enterprises.csv", "enterprise_id", "ent:beta", "name_en", 200_000, "enterprises.csv:3"),
    ("policies.csv", "policy_id", "pol:chip-plan", "title", 100_000, "policies.csv:3"),
]


@pytest.mark.parametrize(("table", "key", "row", "column", "size", "where"), BIG_CELLS,
                         ids=[f"{b[0]}-{b[3]}-{b[4]}" for b in BIG_CELLS])
def test_an_oversized_cell_names_its_column(mini_copy, store, table, key, row, column, size, where):
    _edit(mini_copy / table, key, row, {column: "长" * size})
    _refused(mini_copy, store, f"{where}: {column}=", "65,536")


@pytest.mark.parametrize(("separator", "word"), [("\t", "tab"), (";", "semicolon")])
def test_a_file_with_another_separator_gets_a_hint(mini_copy, store, separator, word):
    path = mini_copy / "parks.csv"
    fields, rows = _rows(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter=separator)
        writer.writeheader()
        writer.writerows(rows)
    _refused(mini_copy, store, "parks.csv:1:", f"looks {word}-separated", "comma-separated UTF-8 CSV")


# -- class 8 (input half): control characters -----------------------------------------------------------------------

CONTROLS = [
    ("enterprises.csv", "enterprise_id", "ent:alpha", "name_zh", "甲\x1b[31m芯片公司", r"'\x1b'"),
    ("enterprises.csv", "enterprise_id", "ent:beta", "name_en", "Beta\x85Design", r"'\x85'"),
    ("chains.csv", "chain_id", "chain:chips", "name_en", "Chips\u202espihC", r"'\u202e'"),
    ("policies.csv", "policy_id", "pol:plan", "issuer", "测试市\x7f人民政府", r"'\x7f'"),
    ("segments.csv", "segment_id", "seg:chips-design", "name_zh", "设\u2066计", r"'\u2066'"),
    ("enterprises.csv", "enterprise_id", "ent:beta", "name_zh", "乙设计\n公司", r"'\n'"),
    ("sources.csv", "source_id", "src:F1", "title", "a\ttitle", r"'\t'"),
]


@pytest.mark.parametrize(("table", "key", "row", "column", "value", "shown"), CONTROLS,
                         ids=[f"{c[0]}-{c[3]}-{c[5]}" for c in CONTROLS])
def test_control_characters_are_refused_with_file_line_and_column(mini_copy, store, table, key, row, column, value,
                                                                   shown):
    _edit(mini_copy / table, key, row, {column: value})
    output = _refused(mini_copy, store, f"{table}:", f"{column}=", shown)
    assert value not in output, "the character is shown escaped, never raw"


def test_line_breaks_are_allowed_in_long_text_columns(mini_copy, tmp_path):
    _edit(mini_copy / "enterprises.csv", "enterprise_id", "ent:beta", {"description_zh": "第一段\n第二段\t续"})
    result = CliRunner().invoke(cli, ["build", "--data", str(mini_copy), "--store", str(tmp_path / "s")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_restore_refuses_control_characters_in_literals(snapshot, tmp_path):
    store = _restored(snapshot, tmp_path)
    _tamper(snapshot, lambda text: text.replace('"甲芯片公司"', '"甲\\u001B芯片公司"', 1))
    _restore_refused(snapshot, store, "graph.nq", r"'\x1b'")
