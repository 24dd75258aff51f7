"""SERVICE never reaches the network: the parse-tree guard refuses every spelling of it, and the child that runs
queries has no network even when the guard is switched off. A listener on 127.0.0.1 must receive nothing."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from click.testing import CliRunner

import kg.sandbox
import kg.sparql
from cli import cli
from kg.errors import QueryRefused
from kg.sparql import check_query, run_readonly


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def settle(self) -> int:
        time.sleep(0.3)  # a connection made just before the query ended is accepted here
        return self.hits

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


E = "<http://127.0.0.1:{port}/sparql>"
VARIANTS = {
    "plain": "SELECT * WHERE { SERVICE " + E + " { ?a ?b ?c } }",
    "silent": "SELECT * WHERE { SERVICE SILENT " + E + " { ?a ?b ?c } }",
    "lower-case": "select * where { service " + E + " { ?a ?b ?c } }",
    "escaped keyword": r"SELECT * WHERE { \u0053ERVICE " + E + " { ?a ?b ?c } }",
    "escaped keyword, long form": r"SELECT * WHERE { \U00000053ERVICE " + E + " { ?a ?b ?c } }",
    "escape in string and comment": (r'SELECT * WHERE { BIND("a\u0022 AS ?x) } #\u0022" AS ?x) SERVICE ' + E
                                     + " { ?a ?b ?c } }"),
    "long escape in string and comment": (r'SELECT * WHERE { BIND("a\U00000022 AS ?x) } #\U00000022" AS ?x) '
                                          "SERVICE " + E + " { ?a ?b ?c } }"),
    "escape in an IRI": r"SELECT * WHERE { ?s <urn:x\u003E SERVICE " + E + " { ?a ?b ?c } } #> ?o }",
    "carriage return ends a comment": ("SELECT * WHERE { ?s ?p ?o # \r SERVICE " + E
                                       + ' { ?a ?b ?c } BIND("""\n} #""" AS ?z) }'),
    "prefixed-name endpoint": "PREFIX ep: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE ep:sparql { ?a ?b ?c } }",
    "variable endpoint": "SELECT * WHERE { VALUES ?e { " + E + " } SERVICE ?e { ?a ?b ?c } }",
    "in OPTIONAL": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE " + E + " { ?a ?b ?c } } }",
    "in UNION": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE " + E + " { ?a ?b ?c } } }",
    "in a subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE " + E + " { ?a ?b ?c } } } }",
    "in EXISTS": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE " + E + " { ?a ?b ?c } } }",
    "in MINUS": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE " + E + " { ?a ?b ?c } } }",
    "ASK": "ASK { SERVICE " + E + " { ?a ?b ?c } }",
    "CONSTRUCT": "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE " + E + " { ?a ?b ?c } }",
}


def _query(name: str, port: int) -> str:
    return VARIANTS[name].replace("{port}", str(port))


@pytest.mark.parametrize("name", VARIANTS)
def test_the_guard_alone_refuses(name):
    with pytest.raises(QueryRefused, match="SERVICE|escape"):
        check_query(_query(name, 18081))


@pytest.mark.parametrize("name", VARIANTS)
def test_library_refuses_and_nothing_connects(jinan_store, listener, name):
    with pytest.raises(QueryRefused, match="SERVICE|escape"):
        run_readonly(jinan_store, _query(name, listener.port))
    assert listener.settle() == 0


@pytest.mark.parametrize("name", VARIANTS)
def test_cli_refuses_and_nothing_connects(jinan_store, listener, name):
    result = CliRunner().invoke(cli, ["sparql", "-", "--store", str(jinan_store.path)],
                                input=_query(name, listener.port))
    assert result.exit_code == 1 and result.output.startswith("Error: refused: ")
    assert "Traceback" not in result.output
    assert listener.settle() == 0


def _no_guard(monkeypatch):
    """The guard fooled: every text passes as a SELECT over the union."""
    monkeypatch.setattr(kg.sparql, "_inspect", lambda text, added, max_chars: kg.sparql._Checked("SELECT", False,
                                                                                                 set(), None))


@pytest.mark.skipif(not kg.sandbox.network_isolation_available(), reason="needs Linux namespaces")
@pytest.mark.parametrize("name", ["plain", "silent", "variable endpoint", "in OPTIONAL"])
def test_the_sandbox_alone_keeps_service_off_the_network(jinan_store, listener, monkeypatch, name):
    _no_guard(monkeypatch)
    try:
        run_readonly(jinan_store, _query(name, listener.port))
    except QueryRefused as err:
        assert "could not run the query" in str(err)
    assert listener.settle() == 0


def test_without_the_guard_and_the_sandbox_the_listener_hears_the_query(jinan_store, listener, monkeypatch):
    # the control: shows the listener tests above would see a SERVICE call that got through
    _no_guard(monkeypatch)
    monkeypatch.setattr(kg.sandbox, "network_isolation_available", lambda: False)
    with pytest.raises(QueryRefused):
        run_readonly(jinan_store, _query("plain", listener.port))
    assert listener.settle() >= 1


@pytest.mark.parametrize("text", [
    r'SELECT ?x WHERE { BIND("\u6D4E\u5357" AS ?x) }',
    r'SELECT ?x WHERE { BIND("\U00006D4E\U00005357" AS ?x) }',
    'SELECT ?x WHERE { BIND("济南" AS ?x) }',
])
def test_escapes_for_non_ascii_characters_still_work(jinan_store, text):
    result = run_readonly(jinan_store, text)
    assert [s["x"].value for s in result.value] == ["济南"]


@pytest.mark.parametrize(("text", "why"), [
    (r'SELECT ("\\u0041" AS ?x) WHERE {}', "stands for 'A'"),  # rdflib decodes everywhere, Oxigraph in tokens only
    (r'SELECT ("\u00410042" AS ?x) WHERE {}', "read in two ways"),  # rdflib takes eight digits after \u
    (r'SELECT ("\U4E2D" AS ?x) WHERE {}', "read in two ways"),  # rdflib takes four after \U
    (r'SELECT ("\uD800" AS ?x) WHERE {}', "not a Unicode character"),
])
def test_escapes_the_parsers_could_read_differently_are_refused(text, why):
    with pytest.raises(QueryRefused, match="escape") as caught:
        check_query(text)
    assert why in str(caught.value)
