"""The hostile and clumsy uses reported against chainkg, run as a user would: `chainkg …` processes on real files.

Each case states what must hold: an exit code of 0, 1 or 2, a message (never a traceback), no file of the user's
lost, no network reached, bounded time. The per-class tests (test_ownership, test_concurrency, test_sparql_guard,
test_sparql_limits, test_hardening_input, test_cli_errors) go deeper; this file keeps the reported commands safe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINI, tree_hash
from tests.test_sparql_guard import Listener

ROOT = Path(__file__).resolve().parents[1]


def chainkg(*args: str, cwd: Path, stdin: bytes | None = None, env: dict | None = None, timeout: float = 120):
    """Run `chainkg ARGS` as a process; return (exit code, stdout, stderr) with the output checked for tracebacks."""
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err[-3000:]
    assert done.returncode in (0, 1, 2), (done.returncode, err[-3000:])
    return done.returncode, out, err


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A working folder with a copy of the fixture data and its store (the store is what every question reads)."""
    root = tmp_path_factory.mktemp("repros")
    shutil.copytree(MINI, root / "data")
    code, _, err = chainkg("build", "--data", "data", "--store", "store", cwd=root)
    assert code == 0, err
    return root


def where() -> list[str]:
    return ["--data", "data", "--store", "store"]


# 1. A folder is replaced only when chainkg wrote it -------------------------------------------------------------

@pytest.mark.parametrize("command, marker", [(["export", "-o", "app"], "manifest.json"),
                                             (["report", "-o", "app"], "report.json"),
                                             (["build", "--data", "data", "--store", "app"], "build.json"),
                                             (["synth", "--enterprises", "10", "-o", "app"], "dataset.json")])
def test_a_users_folder_with_a_file_named_like_ours_is_kept(place, command, marker):
    app = place / "app"
    if app.exists():
        shutil.rmtree(app)
    app.mkdir()
    (app / marker).write_text("{}", encoding="utf-8")
    (app / "app.js").write_text("code\n", encoding="utf-8")
    before = tree_hash(app)
    extra = [] if command[0] in ("build", "synth") else where()
    code, _, err = chainkg(*command, *extra, cwd=place)
    assert code == 1 and "Error:" in err and "app" in err
    assert tree_hash(app) == before and (app / "app.js").read_text() == "code\n"


# 2. No query reaches the network ----------------------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    'SELECT * WHERE {{ BIND("a\\u0022 AS ?x) }} #\\u0022" AS ?x) SERVICE <http://127.0.0.1:{port}/sparql> '
    '{{ ?a ?b ?c }} }}',
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ # \r SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}",
])
def test_the_service_bypass_reaches_no_listener(place, template):
    listener = Listener()
    try:
        code, _, err = chainkg("sparql", "-", *where(), cwd=place,
                               stdin=template.format(port=listener.port).encode("utf-8"))
    finally:
        listener.close()
    assert code == 1 and "Error:" in err
    assert listener.hits == 0


# 3. Queries are bounded in time and memory --------------------------------------------------------------------------

CROSS = "SELECT * WHERE {?a ?b ?c. ?d ?e ?f. ?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1"


def test_the_cross_join_stops_at_the_default_memory_ceiling(place):
    code, _, err = chainkg("sparql", "-", *where(), cwd=place, stdin=CROSS.encode(), timeout=90)
    assert code == 1 and ("--memory" in err or "--timeout" in err), err


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE {?a ?b ?c. ?d ?e ?f. ?g ?h ?i}",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(f'"v{i}"' for i in range(50_000)) + ")) }",
])
def test_long_queries_stop_at_the_timeout(place, query):
    code, _, err = chainkg("sparql", "-", "--timeout", "3", *where(), cwd=place, stdin=query.encode(), timeout=60)
    assert code == 1 and "--timeout" in err, err


# 4. A number cell cannot take the machine down ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e999999999", "9" * 5000])
def test_a_huge_number_is_refused_at_the_edge(place, value):
    data = place / "bad-number"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    table = data / "indicators.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("value")] = value
    table.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    before = tree_hash(place / "store")
    code, _, err = chainkg("build", "--data", "bad-number", "--store", "store", cwd=place)
    assert code == 1 and "indicators.csv:2" in err and "value=" in err
    assert tree_hash(place / "store") == before


# 6. A dataset clause is honoured ------------------------------------------------------------------------------------

def test_from_an_unknown_graph_counts_nothing(place):
    code, out, _ = chainkg("sparql", "-", "--format", "csv", *where(), cwd=place,
                           stdin=b"SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE {?s ?p ?o}")
    assert code == 0 and out.splitlines()[-1] == "0"


# 7. Damaged stores, unwritable places, bad files: messages ----------------------------------------------------------

def test_an_unusable_cache_folder_is_a_message(place):
    code, _, err = chainkg("chains", "--data", "data", cwd=place, env={"XDG_CACHE_HOME": "/proc/x"})
    assert code == 1 and err.startswith("Error:")


def test_a_truncated_store_file_is_called_damaged(place):
    store = place / "damaged-store"
    assert chainkg("build", "--data", "data", "--store", str(store), cwd=place)[0] == 0
    tables = sorted(store.rglob("*.sst"), key=lambda p: p.stat().st_size)
    assert tables, "the store has no table file to damage"
    with tables[-1].open("r+b") as handle:
        handle.truncate(tables[-1].stat().st_size // 2)
    code, _, err = chainkg("chains", "--data", "data", "--store", str(store), cwd=place)
    assert code == 1 and "damaged" in err and "chainkg build" in err


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff", b"SELECT * WHERE { ?s ?p \xe9 }", b"",
                                     b"# only a comment\n", ("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode()])
def test_bad_query_files_are_messages(place, content):
    (place / "q.rq").write_bytes(content)
    code, _, err = chainkg("sparql", "q.rq", *where(), cwd=place)
    assert code == 1 and "Error:" in err


@pytest.mark.parametrize("manifest", ["[]", '"x"', '{"files": []}', '{"files": {"graph.nq": {"bytes": 1}}}',
                                      '{"files": {"../../etc/passwd": {"sha256": "00", "bytes": 1}}}'])
@pytest.mark.parametrize("command", ["restore", "diff"])
def test_broken_snapshot_manifests_are_messages(place, manifest, command):
    snap = place / "snap"
    if not snap.exists():
        assert chainkg("export", "-o", "snap", "--format", "nq", *where(), cwd=place)[0] == 0
    broken = place / "broken-snap"
    shutil.rmtree(broken, ignore_errors=True)
    shutil.copytree(snap, broken)
    (broken / "manifest.json").write_text(manifest, encoding="utf-8")
    args = ["restore", "broken-snap", "--data", "data", "--store", "restored"] if command == "restore" else \
        ["diff", "broken-snap", "snap", *where()]
    code, _, err = chainkg(*args, cwd=place)
    assert code == (1 if command == "restore" else 2) and "manifest.json" in err


# 8. Nothing printed acts on the terminal ----------------------------------------------------------------------------

def test_an_escape_sequence_in_a_name_is_refused_with_its_cell(place):
    data = place / "escape"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    table = data / "enterprises.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("甲芯片公司", "甲芯片公司\x1b]0;pwned\x07", 1),
                     encoding="utf-8")
    code, out, err = chainkg("build", "--data", "escape", "--store", "store", cwd=place)
    assert code == 1 and "enterprises.csv:2" in err and "name_zh" in err
    assert "\x1b" not in out + err and "\x07" not in out + err


# 9. Clear messages for common mistakes ------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [None, "", "enterprise_id,name_zh,name_en,credit_code,place_id,park_id,"
                                                "parent_id,description_zh,source_ids,confidence,quote\n"])
def test_a_missing_or_empty_enterprise_table_is_named_first(place, content):
    data = place / "no-enterprises"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    if content is None:
        (data / "enterprises.csv").unlink()
    else:
        (data / "enterprises.csv").write_text(content, encoding="utf-8")
    code, _, err = chainkg("validate", "--data", "no-enterprises", cwd=place)
    assert code == 1 and err.splitlines()[0].startswith("enterprises.csv")
    assert len(err.splitlines()) < 10, err  # one problem and its consequences counted, not 90 lines


def test_a_header_only_links_table_is_not_silently_empty(place):
    data = place / "no-links"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    links = data / "links.csv"
    links.write_text(links.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, _, err = chainkg("validate", "--data", "no-links", cwd=place)
    assert code == 1 and "links.csv" in err


def test_an_empty_query_is_called_empty(place):
    code, _, err = chainkg("sparql", "-", *where(), cwd=place, stdin=b"   \n")
    assert code == 1 and "empty" in err and "update" not in err


def test_gaps_of_an_empty_name_is_like_a_blank_one(place):
    assert chainkg("gaps", "", *where(), cwd=place)[0] == chainkg("gaps", " ", *where(), cwd=place)[0] == 2


@pytest.mark.parametrize("separator, hint", [("\t", "tab"), (";", "semicolon")])
def test_a_tsv_or_semicolon_file_gets_a_hint(place, separator, hint):
    data = place / f"sep-{hint}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    table = data / "chains.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",", separator), encoding="utf-8")
    code, _, err = chainkg("validate", "--data", data.name, cwd=place)
    assert code == 1 and hint in err and "chains.csv" in err


def test_a_ten_megabyte_cell_names_its_column(place):
    data = place / "big-cell"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(place / "data", data)
    table = data / "enterprises.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("甲芯片公司", "甲" * 10_000_000, 1), encoding="utf-8")
    code, _, err = chainkg("validate", "--data", "big-cell", cwd=place)
    assert code == 1 and "enterprises.csv:2" in err and "name_zh" in err
    assert len(err) < 5000  # the cell is named and shortened, not printed whole
