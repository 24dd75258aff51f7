"""`chainkg serve`: the real Oxigraph server, started as `chainkg serve` on a free loopback port, over HTTP.

Requests go through urllib (the standard library's HTTP client); results are read with json, xml.etree and csv.
Skipped, with the reason, where the `oxigraph` program is absent (the test extra installs it, so CI runs these).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.serve import find_oxigraph, parse_bind

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini"

try:
    OXIGRAPH = find_oxigraph()
except Exception:  # noqa: BLE001 - any reason: skip with it
    OXIGRAPH = None
needs_server = pytest.mark.skipif(OXIGRAPH is None, reason="the `oxigraph` server program is not installed "
                                                           "(pip install oxigraph; the test extra has it)")

COUNT = "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """`chainkg serve` running as a subprocess."""

    def __init__(self, data: Path, store: Path, *extra: str) -> None:
        self.port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "cli.py"), "serve", "--data", str(data), "--store", str(store),
             "--bind", f"127.0.0.1:{self.port}", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.banner = self.process.stdout.readline()
        self.startup = time.monotonic() - self.started
        assert f"http://127.0.0.1:{self.port}/query" in self.banner, self.process.stderr.read()
        self.url = f"http://127.0.0.1:{self.port}"

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 30):
        req = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(20)
        self.stderr = self.process.stderr.read()
        return code


@pytest.fixture(scope="module")
def served(mini_store):
    server = Served(MINI, mini_store.path, "--timeout-s", "2")
    yield server
    server.stop()


def _rows(kind: str, body: bytes) -> list[tuple[str, ...]]:
    if kind == "json":
        doc = json.loads(body)
        names = doc["head"]["vars"]
        return [tuple(b[n]["value"] for n in names) for b in doc["results"]["bindings"]]
    if kind == "xml":
        root = ET.fromstring(body)
        return [tuple(b.find(f"./{SRX}*").text for b in result.iter(f"{SRX}binding"))
                for result in root.iter(f"{SRX}result")]
    if kind == "csv":
        return [tuple(row) for row in list(csv.reader(io.StringIO(body.decode())))[1:]]
    # TSV holds RDF terms: <iri> and "literal"^^<type>; keep the lexical form
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter="\t"))[1:]
    return [tuple(cell[1:-1] if cell.startswith("<") else cell.split("^^")[0].strip('"') for cell in row)
            for row in rows]


def test_parse_bind():
    assert parse_bind("0.0.0.0:80") == ("0.0.0.0", 80)
    assert parse_bind("[::1]:7878") == ("::1", 7878)


@needs_server
@pytest.mark.parametrize("accept, kind", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv")])
def test_get_post_form_and_direct_by_content_negotiation(served, mini_store, accept, kind):
    expected = [(str(row["class"].value), str(row["n"].value)) for row in mini_store.query(COUNT)]
    assert expected
    query = urllib.parse.urlencode({"query": COUNT})
    answers = [
        served.request(f"/query?{query}", headers={"Accept": accept}),
        served.request("/query", query.encode(), {"Accept": accept,
                                                  "Content-Type": "application/x-www-form-urlencoded"}),
        served.request("/query", COUNT.encode(), {"Accept": accept, "Content-Type": "application/sparql-query"}),
    ]
    for status, content_type, body in answers:
        assert status == 200
        assert content_type.startswith(accept)
        assert _rows(kind, body) == expected


@needs_server
@pytest.mark.parametrize("path, body, content_type", [
    ("/update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    ("/update", b"update=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "application/x-www-form-urlencoded"),
    ("/query", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-query"),
    ("/store", b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
])
def test_updates_are_refused(served, path, body, content_type):
    with pytest.raises(urllib.error.HTTPError) as err:
        served.request(path, body, {"Content-Type": content_type})
    assert 400 <= err.value.code < 500
    _, _, answer = served.request("/query", b"ASK { <urn:a> <urn:b> <urn:c> }",
                                  {"Content-Type": "application/sparql-query",
                                   "Accept": "application/sparql-results+json"})
    assert json.loads(answer)["boolean"] is False


@needs_server
def test_service_reaches_no_listener_on_the_host(served):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.1)
        port = listener.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        try:
            served.request("/query", query.encode(), {"Content-Type": "application/sparql-query"}, timeout=10)
        except urllib.error.HTTPError:
            pass  # refused or failed: either way, what matters is what the listener saw
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            with pytest.raises(TimeoutError):
                listener.accept()


def _servers(process: subprocess.Popen) -> list:
    psutil = pytest.importorskip("psutil")
    return [child for child in psutil.Process(process.pid).children(recursive=True) if child.name() == "oxigraph"]


@needs_server
def test_a_runaway_query_ends_at_the_timeout_and_the_server_answers_on(served):
    # Oxigraph's --timeout-s does not stop this one (measured: still computing after 10 minutes with 2 s): the relay
    # cuts the connection at --timeout-s + 1 and replaces the server, so no core stays busy with it.
    [before] = _servers(served.process)
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    started = time.monotonic()
    with pytest.raises((urllib.error.URLError, urllib.error.HTTPError, ConnectionError, OSError)):
        served.request("/query", runaway.encode(), {"Content-Type": "application/sparql-query"}, timeout=30)
    assert time.monotonic() - started < 8
    status, _, body = served.request("/query", b"ASK { ?s ?p ?o }", {"Content-Type": "application/sparql-query",
                                                                   "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    assert not before.is_running()
    assert [server.pid for server in _servers(served.process)] != [before.pid]


@needs_server
def test_ctrl_c_stops_it_with_status_0_and_no_server_left(mini_store):
    psutil = pytest.importorskip("psutil")
    server = Served(MINI, mini_store.path)
    children = psutil.Process(server.process.pid).children(recursive=True)
    assert any(child.name() == "oxigraph" for child in children)
    assert server.stop() == 0, server.stderr
    assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    with pytest.raises(OSError):  # the address is free again, nothing answers there
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


@needs_server
def test_jinan_is_served_with_its_named_graphs_in_the_union(jinan_store, jinan_dir):
    server = Served(jinan_dir, jinan_store.path)
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        expected = next(iter(jinan_store.query(query)))["n"].value
        _, _, body = server.request("/query", query.encode(), {"Content-Type": "application/sparql-query",
                                                               "Accept": "application/sparql-results+json"})
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
    finally:
        assert server.stop() == 0


def test_serve_without_the_server_program_says_how_to_install(tmp_path, monkeypatch, mini_store):
    from click.testing import CliRunner

    from cli import cli

    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # no `oxigraph` beside this Python
    monkeypatch.setenv("PATH", str(tmp_path))  # nor on PATH
    result = CliRunner().invoke(cli, ["serve", "--data", str(MINI), "--store", str(mini_store.path)],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "pip install 'chainkg[serve]'" in result.output


@needs_server
def test_a_taken_address_is_an_error_naming_it(mini_store):
    from click.testing import CliRunner

    from cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--data", str(MINI), "--store", str(mini_store.path),
                                          "--bind", f"127.0.0.1:{port}"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@needs_server
def test_the_server_page_loads_nothing_from_another_address(served):
    _, content_type, body = served.request("/")
    assert content_type.startswith("text/html")
    page = body.decode()
    assert 'src="./yasgui.min.js"' in page
    assert "https://" not in page and "http://" not in page.replace("window.location.href", "")


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
                    reason="needs root and setpriv to run the isolation as an unprivileged user")
def test_an_unprivileged_user_gets_a_namespace_with_loopback_only():
    script = ("import socket, sys; from kg.relay import isolate; why = isolate(); print(why)\n"
              "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); socket.create_connection(s.getsockname())\n"
              "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=2); print('reached')\n"
              "except OSError as err:\n    print('unreachable', err.errno)\n")
    done = subprocess.run(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                           "-c", script], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd="/")
    assert done.stdout.split("\n")[:2] == ["None", "unreachable 101"], done.stderr


def _relay_without_namespaces(listener: socket.socket, location: Path, *extra: str) -> subprocess.Popen:
    """kg.relay as `chainkg serve` starts it, on a system where namespaces are refused."""
    script = ("import sys, kg.relay as relay\n"
              "relay.isolate = lambda: 'namespaces refused in this test'\n"
              "sys.exit(relay.main(sys.argv[1:]))\n")
    return subprocess.Popen([sys.executable, "-c", script, "--fd", str(listener.fileno()), "--location",
                             str(location), "--oxigraph", OXIGRAPH, "--timeout-s", "5", *extra],
                            pass_fds=[listener.fileno()], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))


@needs_server
def test_without_namespaces_it_refuses_unless_the_network_is_allowed(mini_store):
    location = Path(mini_store.folder) / "oxigraph"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        refused = _relay_without_namespaces(listener, location)
        line = refused.stdout.readline()
        assert refused.wait(30) == 1
        assert line.startswith("error cannot cut the server off the network (namespaces refused in this test)")
        assert "--allow-network" in line

        allowed = _relay_without_namespaces(listener, location, "--allow-network")
        try:
            assert allowed.stdout.readline().startswith("ready")
            host, port = listener.getsockname()
            req = urllib.request.Request(f"http://{host}:{port}/query", b"ASK { ?s ?p ?o }",
                                         {"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(req, timeout=30) as response:
                assert json.loads(response.read())["boolean"] is True
        finally:
            allowed.send_signal(signal.SIGTERM)
            assert allowed.wait(20) == 0


def test_the_offline_query_page_posts_to_the_endpoint_and_loads_nothing_else(mini_store, tmp_path):
    """`serve --page FILE`: one HTML file whose form posts the query to the endpoint (what a browser sends for it is
    answered with results), and no other address in it: the server's own page loads prefix.cc, this one nothing."""
    page = tmp_path / "query.html"
    server = Served(MINI, mini_store.path, "--page", str(page))
    try:
        assert server.process.stdout.readline().strip() == f"offline query page: {page}"
        html = page.read_text(encoding="utf-8")
        endpoint = f"{server.url}/query"
        assert f'<form method="post" action="{endpoint}"' in html and '<textarea name="query"' in html
        import re

        addresses = set(re.findall(r"[a-z]+://[^\s\"<>&]+", html))
        assert addresses == {endpoint, "https://w3id.org/chainkg/ontology#",
                             "http://www.w3.org/2004/02/skos/core#"}, addresses  # the example query's prefixes
        assert "<script" not in html and "<link" not in html
        # the request a browser makes when the form is sent: form-encoded, a browser's Accept header
        query = html.split('spellcheck="false">')[1].split("</textarea>")[0]
        import html as html_module

        body = urllib.parse.urlencode({"query": html_module.unescape(query)}).encode()
        status, content_type, answer = server.request(
            "/query", body, {"Content-Type": "application/x-www-form-urlencoded",
                             "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
        assert status == 200
        kind = "xml" if "xml" in content_type else "json"
        names = [row[1] for row in _rows(kind, answer)]
        assert "芯片" in names, names
    finally:
        assert server.stop() == 0
