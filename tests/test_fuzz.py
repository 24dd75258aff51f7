"""Fuzzing the command line (hypothesis): random names, options, CSV cells, query texts and snapshot manifests.

Whatever the input, every command ends with exit code 0, 1 or 2, prints no traceback and no "internal error", writes
nothing that acts on a terminal, and leaves the store as it was. The examples are derandomised (the same in every
run) so that CI is stable; ``CHAINKG_FUZZ_SCALE=4`` runs four times as many.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import cli
from kg.build import build_store
from tests.conftest import MINI, tree_hash

SCALE = float(os.environ.get("CHAINKG_FUZZ_SCALE", "1"))
#: Examples per test; their sum is what the issue asks for (at least 5,000 in CI).
EXAMPLES = {"names": 2600, "options": 1000, "sparql": 600, "cells": 600, "manifests": 300}
assert sum(EXAMPLES.values()) >= 5000


def _settings(kind: str):
    return settings(max_examples=int(EXAMPLES[kind] * SCALE), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# --- what may never appear in any output -------------------------------------------------------------------------

#: Raw control characters a terminal would act on (the CLI escapes them; tab, newline and CRLF are text).
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def check_outcome(result, args) -> None:
    """The promises every command keeps, whatever its input."""
    text = result.output  # stdout and stderr as a terminal shows them
    assert "Traceback" not in text, (args, text[-2000:])
    assert "internal error" not in text, (args, text[-2000:])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, text[-2000:])
    assert not _RAW_CONTROL.search(text), (args, text[-500:])


def runner() -> CliRunner:
    return CliRunner()


# --- inputs --------------------------------------------------------------------------------------------------------

def _real_names() -> list[str]:
    """Every name, id and document number in the fixture tables: the starting points of mutations."""
    names = set()
    for table in MINI.glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if value and (column.startswith("name") or column.endswith("_id") or column in
                                  ("title", "doc_number", "alias", "credit_code")):
                        names.add(value)
    return sorted(names)


REAL = _real_names()
TRICKY = ["", " ", "\t", "-", "--", "--help", "'", '"', "\\", "%", "*", "?", "..", "../../etc/passwd", "/dev/zero",
          "\x1b]0;pwned\x07", "\x1b[2J", "\u202eevil", "\x9b31m", "\x00", "\ud800".encode("utf-8", "surrogatepass")
          .decode("utf-8", "replace"), "a" * 5000, "芯片" * 300, "1e999999999", "9" * 5000, "?x } ; DROP ALL #",
          '" . } INSERT DATA { <a:b> <a:c> "x" } #', "<http://127.0.0.1:1/>", "${PATH}", "$(id)", "`id`",
          "济发〔2023〕7号", "济发[2023]7号", "IC", "ic", "ＩＣ", "集成 电路", "SERVICE", "null", "None", "NaN"]


def _mutations(name: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(name),
        st.just(name.upper()), st.just(name.lower()), st.just(f" {name} "),
        st.builds(lambda cut: name[:cut], st.integers(0, max(len(name), 1))),
        st.builds(lambda extra: name + extra, st.text(max_size=4)),
        st.builds(lambda extra: extra + name, st.sampled_from(TRICKY)),
    )


NAMES = st.one_of(
    st.sampled_from(REAL).flatmap(_mutations),
    st.sampled_from(TRICKY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
)

NAMED_COMMANDS = ["show", "policies", "chain", "enterprises", "parks", "district", "policy", "gaps"]
OPTION_VALUES = st.one_of(st.sampled_from(["table", "csv", "json", "text", "zh", "en", "landmark", "key", "all",
                                           "district", "grade", "bridge", "0", "1", "-1", "50", "9" * 30, "x", ""]),
                          NAMES)
OPTIONS = ["--format", "--lang", "--tier", "--limit", "--offset", "--segment", "--district", "--by", "--full",
           "--collapse", "--overview", "-v", "-vv", "--help", "--nope"]
COMMANDS = NAMED_COMMANDS + ["chains", "stats", "coverage", "mismatches", "validate", "map", "diff", "export",
                             "report", "restore", "sparql", "build", "nope"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A copy of the fixture data, its built store, and the store's hash (which no example may change)."""
    root = tmp_path_factory.mktemp("fuzz")
    data = root / "data"
    shutil.copytree(MINI, data)
    store = root / "store"
    build_store(data, store)
    out = root / "out"
    out.mkdir()
    return {"root": root, "data": data, "store": store, "out": out, "hash": tree_hash(store),
            "data_hash": tree_hash(data)}


def _where(world) -> list[str]:
    return ["--data", str(world["data"]), "--store", str(world["store"])]


@_settings("names")
@given(command=st.sampled_from(NAMED_COMMANDS), name=NAMES, fmt=st.sampled_from(["table", "csv", "json"]),
       lang=st.sampled_from(["zh", "en"]))
def test_named_questions_never_crash(world, command, name, fmt, lang):
    args = [command, name, "--format", fmt, "--lang", lang, *_where(world)]
    check_outcome(runner().invoke(cli, args), args)


@_settings("options")
@given(command=st.sampled_from(COMMANDS),
       words=st.lists(st.one_of(st.sampled_from(OPTIONS), OPTION_VALUES), max_size=5))
def test_any_command_with_any_options_never_crashes(world, command, words):
    # outputs may only go to the scratch folder; destructive commands get a path of their own there
    outputs = {"map": ["-o", str(world["out"] / "m.html")], "export": ["-o", str(world["out"] / "snap")],
               "report": ["-o", str(world["out"] / "report")]}
    if command in ("build", "restore"):  # these write the store: a scratch store, never the shared one
        where = ["--data", str(world["data"]), "--store", str(world["out"] / "scratch-store")]
    else:
        where = _where(world)
    args = [command, *words, *outputs.get(command, []), *where]
    check_outcome(runner().invoke(cli, args), args)


QUERY_PARTS = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "SERVICE", "SILENT",
    "WHERE", "FROM", "FROM NAMED", "GRAPH", "OPTIONAL", "UNION", "FILTER", "BIND", "VALUES", "ORDER BY", "LIMIT",
    "{", "}", "(", ")", ".", ";", ",", "*", "?s", "?p", "?o", "$x", "<urn:x>", "<http://127.0.0.1:9/sparql>",
    '"a"', '"\\u0022"', "\\u0053ERVICE", "#", "\n", "1", "1e999999999", "PREFIX ckg: <https://w3id.org/chainkg/ontology#>",
    "ckg:Chain", "a", "COUNT(*)", "AS", "?n", "IN", "EXISTS", "NOT", "LATERAL", "%", "\x1b[2J",
])


@_settings("sparql")
@given(parts=st.lists(QUERY_PARTS, max_size=25), raw=st.binary(max_size=40), use_raw=st.booleans(),
       fmt=st.sampled_from(["table", "csv", "json"]))
def test_sparql_never_crashes(world, parts, raw, use_raw, fmt):
    text = raw if use_raw else " ".join(parts).encode("utf-8")
    args = ["sparql", "-", "--format", fmt, *_where(world)]
    check_outcome(runner().invoke(cli, args, input=text), args)


TABLES = sorted(p.name for p in MINI.glob("*.csv"))
CELLS = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30), st.sampled_from(REAL),
                  st.integers().map(str), st.floats().map(str))


@_settings("cells")
@given(table=st.sampled_from(TABLES), row=st.integers(0, 40), column=st.integers(0, 20), value=CELLS,
       command=st.sampled_from(["validate", "build", "chains"]))
def test_random_csv_cells_are_refused_or_accepted_cleanly(world, table, row, column, value,
                                                          command):
    data = world["root"] / "cells"
    if not data.exists():
        shutil.copytree(world["data"], data)
    path = data / table
    original = (world["data"] / table).read_bytes()
    with (world["data"] / table).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    target = rows[min(row, len(rows) - 1)]
    target[min(column, len(target) - 1)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    store = world["root"] / "cells-store"
    before = tree_hash(store) if store.exists() else None
    args = [command, "--data", str(data), "--store", str(store)]
    result = runner().invoke(cli, args)
    path.write_bytes(original)  # the next example starts from the fixture again
    check_outcome(result, args)
    if result.exit_code != 0 and before is not None:
        assert tree_hash(store) == before, "a refused build changed the store"


@pytest.fixture(scope="module")
def snapshot(world):
    folder = world["root"] / "snapshot"
    result = runner().invoke(cli, ["export", "-o", str(folder), "--format", "nq", *_where(world)])
    assert result.exit_code == 0, result.output
    return folder


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=20), st.sampled_from(["graph.nq", "../../etc/passwd",
                                                                            "/etc/passwd", "manifest.json"])),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(
                                                       ["files", "sha256", "bytes", "graph.nq", "dataset",
                                                        "created_at", "x"]), inner, max_size=4)),
                           max_leaves=12)


@_settings("manifests")
@given(key=st.sampled_from(["files", "dataset", "created_at", "data_fingerprint", "graph.nq", None]),
       value=JSON_VALUES, command=st.sampled_from(["restore", "diff"]))
def test_tampered_snapshot_manifests_are_refused_cleanly(world, snapshot, key, value, command):
    copy = world["root"] / "tampered"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(snapshot, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    if key is None:
        manifest = value
    elif key == "graph.nq":
        manifest["files"]["graph.nq"] = value
    else:
        manifest[key] = value
    (copy / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    store = world["root"] / "restore-store"
    args = (["restore", str(copy), "--data", str(world["data"]), "--store", str(store)] if command == "restore"
            else ["diff", str(copy), str(snapshot), *_where(world)])
    check_outcome(runner().invoke(cli, args), args)


def test_the_shared_store_and_data_are_unchanged(world):
    """Runs after the fuzz tests of this module (pytest keeps file order): nothing they did touched the store."""
    assert tree_hash(world["store"]) == world["hash"]
    assert tree_hash(world["data"]) == world["data_hash"]
