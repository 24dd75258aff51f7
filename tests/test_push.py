"""`chainkg push` against a real Oxigraph server (``tests/servers.py``: started and stopped on a loopback port), plus
the HTTP details (credentials, refused chunks, bad counts) against httpx's MockTransport."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from cli import cli
from kg.build import build_store
from kg.errors import RemoteError
from kg.push import auth_from_env, default_graph_store, make_client, push_store
from tests.conftest import MINI, add_enterprise


@pytest.fixture
def server(oxigraph_server):
    return oxigraph_server


def local_quads(store) -> set[ox.Quad]:
    return set(ox.parse(path=str(Path(store.folder) / "graph.nq"), format=ox.RdfFormat.N_QUADS))


def count(server) -> int:
    with make_client() as client:
        from kg.push import server_count
        return server_count(client, server.endpoint)


def test_push_mini_with_the_cli(server, mini_store):
    result = CliRunner().invoke(cli, ["push", "--data", str(MINI), "--store", str(mini_store.path),
                                      "--endpoint", server.endpoint, "--chunk", "500"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    total = mini_store.info["quads"]
    assert f"pushed {total:,} quads in 4 chunk(s)" in result.output
    assert count(server) == total
    assert server.quads() == local_quads(mini_store)


def test_push_jinan(server, jinan_store):
    seen = []
    result = push_store(jinan_store, server.endpoint, chunk=20_000, progress=seen.append)
    assert result.server_quads == result.quads == jinan_store.info["quads"]
    assert [p.chunk for p in seen] == list(range(1, result.chunks + 1)) and seen[-1].quads == result.quads
    assert server.quads() == local_quads(jinan_store)


def test_append_twice_adds_no_duplicates(server, mini_store):
    push_store(mini_store, server.endpoint, chunk=700)
    again = push_store(mini_store, server.endpoint, chunk=300)
    assert again.server_quads == mini_store.info["quads"] == count(server)


def test_replace_after_a_local_change(server, mini_store, mini_copy, tmp_path):
    push_store(mini_store, server.endpoint)
    server.add('<https://example.org/s> <https://example.org/p> "other data" <https://example.org/g> .\n')
    add_enterprise(mini_copy)
    changed = build_store(mini_copy, tmp_path / "changed")
    with pytest.raises(RemoteError, match="more than the local graph's .*--replace"):
        push_store(changed, server.endpoint)  # append onto the old graph: stale and foreign quads remain
    result = push_store(changed, server.endpoint, replace=True, chunk=400)
    assert result.server_quads == changed.info["quads"] > mini_store.info["quads"]
    assert server.quads() == local_quads(changed)


def test_interrupted_push_then_the_next_completes(server, mini_store):
    def stop_after_first(progress) -> None:
        if progress.chunk == 1:
            server.stop()

    with pytest.raises(RemoteError) as caught:
        push_store(mini_store, server.endpoint, chunk=400, progress=stop_after_first)
    message = str(caught.value)
    total = len(local_quads(mini_store))
    assert 1600 < total <= 2000, "five chunks of 400"
    assert "chunk 2 of 5" in message and f"loaded 1 of 5 chunks (400 of {total:,} quads)" in message
    assert "run the same push again" in message

    args = ["push", "--data", str(MINI), "--store", str(mini_store.path), "--endpoint", server.endpoint]
    down = CliRunner().invoke(cli, args, catch_exceptions=False)  # the CLI, server down: non-zero, how far
    assert down.exit_code == 1 and "loaded 0 of 1 chunks" in down.output

    server.start()  # the same database folder: chunk 1 is there
    assert 0 < count(server) < mini_store.info["quads"]
    done = CliRunner().invoke(cli, [*args, "--chunk", "400"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert count(server) == mini_store.info["quads"]
    assert server.quads() == local_quads(mini_store)


# --- HTTP details against a mock transport (no server) ---

def _count_json(n: int) -> bytes:
    return json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
        {"n": {"type": "literal", "value": str(n)}}]}}).encode()


def _mock(mini_store, seen: list[httpx.Request], refuse_chunk: int | None = None, count_body: bytes | None = None):
    posts = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/store":
            posts.append(request)
            if len(posts) == refuse_chunk:
                return httpx.Response(400, text="Parser error at line 1")
            return httpx.Response(204)
        query = dict(httpx.QueryParams(request.content.decode()))["query"]
        n = mini_store.info["quads"] if "GRAPH" in query else 0
        return httpx.Response(200, content=count_body or _count_json(n),
                              headers={"Content-Type": "application/sparql-results+json"})

    return httpx.MockTransport(handle)


def test_credentials_come_from_the_environment(mini_store, monkeypatch):
    monkeypatch.setenv("CHAINKG_ENDPOINT_USER", "planner")
    monkeypatch.setenv("CHAINKG_ENDPOINT_PASSWORD", "s3cret")
    seen: list[httpx.Request] = []
    client = make_client(auth_from_env(), transport=_mock(mini_store, seen))
    push_store(mini_store, "http://triples.example/query", chunk=1000, client=client)
    expected = "Basic " + base64.b64encode(b"planner:s3cret").decode()
    assert len(seen) == 4 and all(r.headers["Authorization"] == expected for r in seen)
    assert [r.method for r in seen[:2]] == ["POST", "POST"]
    assert seen[0].headers["Content-Type"] == "application/n-quads"


def test_auth_from_env():
    assert auth_from_env({}) is None
    assert isinstance(auth_from_env({"CHAINKG_ENDPOINT_USER": "u", "CHAINKG_ENDPOINT_PASSWORD": "p",
                                     "CHAINKG_ENDPOINT_AUTH": "digest"}), httpx.DigestAuth)
    with pytest.raises(RemoteError, match="both"):
        auth_from_env({"CHAINKG_ENDPOINT_USER": "u"})
    with pytest.raises(RemoteError, match="basic or digest"):
        auth_from_env({"CHAINKG_ENDPOINT_USER": "u", "CHAINKG_ENDPOINT_PASSWORD": "p", "CHAINKG_ENDPOINT_AUTH": "x"})


def test_replace_puts_the_first_chunk(mini_store):
    seen: list[httpx.Request] = []
    push_store(mini_store, "http://triples.example/query", replace=True, chunk=1000,
               client=make_client(transport=_mock(mini_store, seen)))
    assert [(r.method, r.url.path) for r in seen[:2]] == [("PUT", "/store"), ("POST", "/store")]


def test_a_refused_chunk_says_how_far_it_got(mini_store):
    client = make_client(transport=_mock(mini_store, [], refuse_chunk=3))
    total = len(local_quads(mini_store))
    with pytest.raises(RemoteError, match=r"chunk 3 of 4: POST .* refused: HTTP 400 Parser error.*"
                                          rf"loaded 2 of 4 chunks \(1,000 of {total:,} quads\)"):
        push_store(mini_store, "http://triples.example/query", chunk=500, client=client)


def test_an_answer_that_is_not_a_count_is_an_error(mini_store):
    client = make_client(transport=_mock(mini_store, [], count_body=b"<html>proxy login</html>"))
    with pytest.raises(RemoteError, match="not a SPARQL JSON result"):
        push_store(mini_store, "http://triples.example/query", client=client)


def test_a_timeout_is_an_error(mini_store):
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RemoteError, match="chunk 1 of 1: POST http://triples.example/store timed out; loaded 0"):
        push_store(mini_store, "http://triples.example/query", client=make_client(transport=httpx.MockTransport(slow)))


def test_the_graph_store_url():
    assert default_graph_store("http://127.0.0.1:7878/query") == "http://127.0.0.1:7878/store"
    with pytest.raises(RemoteError, match="--graph-store"):
        default_graph_store("http://fuseki:3030/ds/sparql")


def test_a_store_without_graph_nq_is_read_from_the_database(tmp_path):
    from kg.push import iter_chunks
    from kg.store import open_store

    built = build_store(MINI, tmp_path / "store")
    expected = local_quads(built)
    built.close()
    store = open_store(tmp_path / "store")
    (Path(store.folder) / "graph.nq").unlink()  # as in a store restored from a snapshot
    chunks = list(iter_chunks(store, 500))
    assert [n for _, n in chunks] == [500, 500, 500, len(expected) - 1500]
    assert set().union(*(ox.parse(text, format=ox.RdfFormat.N_QUADS) for text, _ in chunks)) == expected


def test_per_graph_push_and_replace_leave_other_graphs_alone(server, mini_store, mini_copy, tmp_path):
    foreign = '<https://example.org/s> <https://example.org/p> "other data" <https://example.org/g> .\n'
    server.add(foreign)
    result = CliRunner().invoke(cli, ["push", "--data", str(MINI), "--store", str(mini_store.path), "--per-graph",
                                      "--endpoint", server.endpoint, "--chunk", "600"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    other = set(ox.parse(foreign, format=ox.RdfFormat.N_QUADS))
    assert server.quads() == local_quads(mini_store) | other

    add_enterprise(mini_copy)
    changed = build_store(mini_copy, tmp_path / "changed")
    pushed = push_store(changed, server.endpoint, replace=True, per_graph=True, chunk=600)
    assert pushed.server_quads == changed.info["quads"]
    assert server.quads() == local_quads(changed) | other


def test_credentials_in_the_url_are_refused(mini_store):
    with pytest.raises(RemoteError, match="CHAINKG_ENDPOINT_USER"):
        push_store(mini_store, "http://admin:pw@triples.example/query",
                   client=make_client(transport=httpx.MockTransport(lambda r: httpx.Response(500))))
