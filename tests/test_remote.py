"""``--store URL``: every question, gaps, coverage, mismatches, maps and the report give the same answers from a real
Oxigraph server (``oxigraph serve-read-only --union-default-graph`` on the built store) as from the embedded store,
on the fixture and on Jinan; a broken answer is an error, never a partial one; timeouts apply."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from cli import cli
from kg.errors import QueryRefused, RemoteError
from kg.query import iri, literal, load_query, query_names
from kg.remote import RemoteStore, bind_values, outer_group

ID = "https://w3id.org/chainkg/id/"
CKG = "https://w3id.org/chainkg/ontology#"


def _oxigraph() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(store):
    """Start Oxigraph server read-only on the store's live version; yield its query URL; stop it."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph: the test extra)")
    port = _free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(store.folder / "oxigraph"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.post(url, data={"query": "ASK {}"}, timeout=2).is_success:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"oxigraph server did not start: {process.stderr.read().decode()[:500]}")
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def mini_url(mini_store):
    yield from _serve(mini_store)


@pytest.fixture(scope="module")
def jinan_url(jinan_store):
    yield from _serve(jinan_store)


def _run(argv: list[str]) -> str:
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, (argv, result.output)
    return result.output


def _same(argv: list[str], local: str, url: str) -> str:
    embedded = _run([*argv, "--store", local])
    remote = _run([*argv, "--store", url])
    assert remote == embedded, argv
    return embedded


QUESTIONS = {
    "mini": [["chains"], ["chains", "--tier", "landmark"], ["chains", "--tier", "key"], ["stats"],
             ["show", "芯片"], ["show", "甲芯片公司"], ["show", "芯片产业园"], ["show", "历城区"],
             ["show", "测发〔2023〕7号"], ["policies", "芯片"], ["policies", "医药"],
             ["chain", "芯片"], ["chain", "医药"],
             ["enterprises", "芯片"], ["enterprises", "芯片", "--district", "历城区"],
             ["enterprises", "IC", "--limit", "1", "--offset", "1"], ["parks", "芯片"], ["district", "历城区"],
             ["policy", "测发〔2023〕7号"], ["policy", "测试市芯片产业行动计划"],
             ["gaps"], ["gaps", "芯片"], ["coverage"], ["coverage", "--by", "grade", "--tier", "all"],
             ["coverage", "--by", "bridge"], ["mismatches", "--tier", "all"]],
    "jinan": [["chains"], ["chains", "--tier", "key"], ["stats"], ["show", "济发〔2023〕7号"], ["show", "齐鲁制药集团"],
              ["show", "中国算谷产业园"], ["show", "历城区"], ["show", "集成电路"],
              ["policies", "集成电路"], ["policies", "现代医药"], ["chain", "集成电路"], ["chain", "现代医药"],
              ["enterprises", "现代医药"], ["enterprises", "现代医药", "--district", "历城区"], ["parks", "集成电路"],
              ["district", "历城区"], ["policy", "济发〔2023〕7号"], ["gaps"], ["gaps", "集成电路"], ["coverage"],
              ["coverage", "--by", "grade", "--tier", "all"], ["coverage", "--by", "bridge"], ["mismatches"],
              ["mismatches", "--tier", "all"]],
}


@pytest.mark.parametrize("argv", QUESTIONS["mini"], ids=" ".join)
def test_mini_questions_same_from_the_endpoint(mini_store, mini_url, mini_dir, argv):
    out = _same([*argv, "--format", "json", "--data", str(mini_dir)], str(mini_store.path), mini_url)
    assert json.loads(out) not in ([], {})


@pytest.mark.parametrize("argv", QUESTIONS["jinan"], ids=" ".join)
def test_jinan_questions_same_from_the_endpoint(jinan_store, jinan_url, argv):
    out = _same([*argv, "--format", "json"], str(jinan_store.path), jinan_url)
    assert json.loads(out) not in ([], {})
    if argv == ["chains"]:  # the table view too
        _same(argv, str(jinan_store.path), jinan_url)


def test_every_named_query_gives_the_same_rows_with_bound_values(mini_store, mini_url):
    """Each kg/queries/*.rq with the bindings of tests/test_queries.py: VALUES gives Oxigraph's substitutions' rows."""
    from tests.test_queries import CASES

    remote = RemoteStore.open(mini_url)
    assert set(CASES) == set(query_names())
    for name, (bindings, _, _) in sorted(CASES.items()):
        bound = {k: literal(v[4:]) if v.startswith("lit:") else iri(CKG + v[4:]) if v.startswith("ckg:")
                 else iri(ID + v) for k, v in bindings.items()}
        text = load_query(name)
        if name == "export_facts":  # CONSTRUCT: forwarded by `sparql`, checked below
            continue
        here = mini_store.query(text, bound)
        there = remote.query(text, bound)
        assert [v.value for v in there.variables] == [v.value for v in here.variables], name
        assert sorted(map(str, map(list, there))) == sorted(map(str, map(list, here))), name


def test_bound_literals_with_quotes_backslashes_and_newlines(mini_store, mini_url):
    remote = RemoteStore.open(mini_url)
    text = "SELECT ?x ?y WHERE { BIND(STRLEN(?x) AS ?n) }"
    for value in ['a"b', "c\\d", "e\nf\r", "'''", '"""', "} } DROP ALL #", "芯片\t"]:
        bound = {"x": literal(value), "y": literal(value, "zh")}
        assert [list(r) for r in remote.query(text, bound)] == [list(r) for r in mini_store.query(text, bound)]


def test_values_go_into_the_outermost_where_group():
    text = "PREFIX a: <x:{>\n# WHERE {\nSELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p \"{\" } } }"
    at = outer_group(text)
    assert at == text.index("SELECT ?s WHERE {") + len("SELECT ?s WHERE {")
    assert outer_group("ASK { ?s ?p ?o }") == 5
    assert bind_values("SELECT ?x {}", {}) == "SELECT ?x {}"
    with pytest.raises(ValueError):
        bind_values("SELECT ?x {}", {"x) } . ?y": literal("1")})
    with pytest.raises(QueryRefused):
        outer_group("SELECT ?x")


#: The time a page was made, as pages show it.
STAMP = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC")


def test_map_and_report_write_the_same_html(jinan_store, jinan_url, jinan_dir, tmp_path):
    common = ["--data", str(jinan_dir)]
    pages = {}
    for where, store in (("local", str(jinan_store.path)), ("remote", jinan_url)):
        for name, argv in (("chain.html", ["map", "集成电路"]), ("overview.html", ["map", "--overview"]),
                           ("district.html", ["map", "--district", "历城区"])):
            _run([*argv, "-o", str(tmp_path / where / name), *common, "--store", store])
        _run(["report", "-o", str(tmp_path / where / "report"), *common, "--store", store])
        pages[where] = {p.relative_to(tmp_path / where).as_posix(): p.read_bytes()
                        for p in sorted((tmp_path / where).rglob("*")) if p.is_file()}
    assert pages["local"].keys() == pages["remote"].keys()
    for name, content in pages["local"].items():
        if name == "report/report.json":  # the record: its time, timings and the build's fingerprint differ
            local, remote = json.loads(content), json.loads(pages["remote"][name])
            for key in ("created_at", "seconds", "data_fingerprint"):
                local.pop(key), remote.pop(key)
            assert remote == local
            continue
        # the pages say when they were made (to the minute): two runs may straddle a minute
        assert STAMP.sub(b"(stamp)", pages["remote"][name]) == STAMP.sub(b"(stamp)", content), name


def test_export_writes_the_same_snapshot(jinan_store, jinan_url, jinan_dir, tmp_path):
    for where, store in (("local", str(jinan_store.path)), ("remote", jinan_url)):
        _run(["export", "-o", str(tmp_path / where), "--data", str(jinan_dir), "--store", store])
    local, remote = ({p.relative_to(tmp_path / w).as_posix(): p.read_bytes() for p in (tmp_path / w).rglob("*")
                      if p.is_file()} for w in ("local", "remote"))
    assert local.keys() == remote.keys() and "graph.nq" in local
    for name in local:
        if name == "manifest.json":
            a, b = json.loads(local[name]), json.loads(remote[name])
            for key in ("created_at", "data_fingerprint"):
                a.pop(key), b.pop(key)
            assert a == b
        else:
            assert remote[name] == local[name], name


def test_export_refuses_an_endpoint_too_large_to_copy(mini_url, monkeypatch):
    from kg import remote

    monkeypatch.setattr(remote, "MIRROR_LIMIT", 10)
    with pytest.raises(RemoteError, match="export a local store instead"):
        RemoteStore.open(mini_url).oxigraph.quads_for_pattern(None, None, None, None)


def test_sparql_is_forwarded_after_the_check(mini_store, mini_url, mini_dir):
    query = "SELECT ?c WHERE { ?c a <https://w3id.org/chainkg/ontology#LandmarkChain> } ORDER BY ?c"
    for fmt in ("json", "table", "csv"):
        args = ["sparql", "-", "--format", fmt, "--data", str(mini_dir)]
        local = CliRunner().invoke(cli, [*args, "--store", str(mini_store.path)], input=query)
        remote = CliRunner().invoke(cli, [*args, "--store", mini_url], input=query)
        assert remote.exit_code == 0 and remote.output == local.output
    construct = "CONSTRUCT { ?c a ?k } WHERE { ?c a ?k } ORDER BY ?c LIMIT 3"
    assert CliRunner().invoke(cli, ["sparql", "-", "--store", mini_url], input=construct).exit_code == 0
    cut = CliRunner().invoke(cli, ["sparql", "-", "--max-rows", "1", "--store", mini_url], input=query)
    assert cut.exit_code == 0 and "(1 rows)" in cut.output and "--max-rows 1" in cut.output
    refused = CliRunner().invoke(cli, ["sparql", "-", "--store", mini_url], input="DELETE WHERE { ?s ?p ?o }")
    assert refused.exit_code == 1 and "updates are not allowed" in refused.output


@pytest.mark.parametrize("argv", [["build"], ["restore", "."], ["push", "--endpoint", "http://h/query"],
                                  ["diff", "live", "live"]])
def test_commands_that_need_the_store_files_refuse_a_url(argv, tmp_path):
    result = CliRunner().invoke(cli, [*argv, "--store", "http://127.0.0.1:9/query"])
    assert result.exit_code == 2 and "local store folder, not on a remote store" in result.output


def _mock(handler) -> RemoteStore:
    return RemoteStore.open("http://endpoint.test/query", client=httpx.Client(transport=httpx.MockTransport(handler)))


GOOD = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
    {"x": {"type": "literal", "value": "a"}}, {"x": {"type": "literal", "value": "b"}}]}}).encode()
JSON_TYPE = {"content-type": "application/sparql-results+json"}


def test_a_complete_answer_is_read():
    rows = _mock(lambda request: httpx.Response(200, content=GOOD, headers=JSON_TYPE)).query("SELECT ?x {}")
    assert isinstance(rows, ox.QuerySolutions) and [r["x"].value for r in rows] == ["a", "b"]


@pytest.mark.parametrize("body,headers,message", [
    (GOOD[:-3], JSON_TYPE, "not complete SPARQL JSON results"),
    (GOOD[:len(GOOD) // 2], JSON_TYPE, "not complete SPARQL JSON results"),
    (b"", JSON_TYPE, "not complete SPARQL JSON results"),
    (b"<html><body>Welcome to the proxy login</body></html>", JSON_TYPE, "not complete SPARQL JSON results"),
    (b"<html><body>Welcome</body></html>", {"content-type": "text/html"}, "answered text/html"),
    (GOOD, {}, "no content type"),
])
def test_a_200_that_is_not_a_whole_result_is_an_error(body, headers, message):
    store = _mock(lambda request: httpx.Response(200, content=body, headers=headers))
    with pytest.raises(RemoteError, match=message):
        store.query("SELECT ?x {}")


def test_bound_values_reach_the_server_as_values_not_text():
    sent = []

    def handler(request):
        sent.append(httpx.QueryParams(request.content.decode()).get("query"))
        return httpx.Response(200, content=GOOD, headers=JSON_TYPE)

    _mock(handler).query("SELECT ?x WHERE { ?x ?p ?o }", {"x": literal('"} DROP ALL {"')})
    assert sent == ['SELECT ?x WHERE {VALUES (?x) { ("\\"} DROP ALL {\\"") }\n ?x ?p ?o }']


def test_http_errors_and_timeouts_are_remote_errors():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RemoteError, match="did not answer in time"):
        _mock(slow).query("SELECT ?x {}")
    with pytest.raises(RemoteError, match="HTTP 503"):
        _mock(lambda request: httpx.Response(503, text="busy")).query("SELECT ?x {}")
    with pytest.raises(QueryRefused, match="refused the query"):
        _mock(lambda request: httpx.Response(400, text="parse error")).query("SELECT ?x {}")


def test_timeouts_are_set_and_credentials_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHAINKG_ENDPOINT_USER", "planner")
    monkeypatch.setenv("CHAINKG_ENDPOINT_PASSWORD", "secret")
    store = RemoteStore.open("https://example.org/sparql", read_timeout=7)
    assert store.client.timeout.connect == 10.0 and store.client.timeout.read == 7
    assert isinstance(store.client.auth, httpx.BasicAuth)
    with pytest.raises(RemoteError, match="credentials in a URL"):
        RemoteStore.open("https://planner:secret@example.org/sparql")


def test_a_slow_real_server_times_out(mini_url):
    """A read timeout shorter than the server's answer: a clear error (a real connection, a real wait)."""
    store = RemoteStore.open(mini_url, read_timeout=0.001)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # about 0.3 s on the fixture
    with pytest.raises(RemoteError, match="did not answer in time"):
        store.query(heavy)
