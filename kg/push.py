"""Upload a built store's dataset (every named graph) to a triple store over HTTP, in chunks, then check the count.

The store's quads are read from the live version's ``graph.nq`` (the build's own N-Quads, one quad a line) and sent
``--chunk`` lines at a time as ``application/n-quads`` to a graph store URL that takes whole-dataset requests (the
SPARQL 1.1 Graph Store Protocol's service URL without ``?graph``, as Oxigraph server's ``/store`` does): only one
chunk is ever in memory. A store restored from a snapshot has no ``graph.nq``; its quads are read from the database
instead, a chunk at a time.

Why a failed push can simply be run again: an RDF dataset is a set of quads, so POSTing a quad the server already
holds adds nothing. A push that stops after chunk 3 of 7 leaves chunks 1-3 on the server; the next push sends all 7
and ends with exactly the local quads. ``replace`` sends the first chunk with PUT (the server's dataset becomes that
chunk: everything else it held is dropped, not only chainkg's graphs) and the rest with POST; ``append`` POSTs all.

A server whose graph store takes one graph per request (Virtuoso's ``/sparql-graph-crud-auth``) is served with
``per_graph``: each chunk is split by graph and POSTed as N-Triples to ``?graph=IRI`` (one request per graph in a
chunk: the bundled store has 384 graphs, a synthetic one a few dozen); ``replace`` then first DELETEs each of the
store's graphs and leaves the server's other graphs alone, and the count covers the store's graphs only (tested
against Virtuoso Open Source 7.2 in ``tests/test_virtuoso.py``, as ``dba`` with digest auth).

After the upload the server is asked ``SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }`` plus the same over
its default graph, and the sum must equal the local count: the target dataset is assumed to hold chainkg's graph
only (appending onto other data is reported as a mismatch). A server whose default graph is the union of its named
graphs would count every quad twice; the default graph is then counted as 0 (chainkg writes nothing there).

Credentials come from the environment only (``CHAINKG_ENDPOINT_USER``, ``CHAINKG_ENDPOINT_PASSWORD``, and
``CHAINKG_ENDPOINT_AUTH=digest`` for HTTP digest instead of basic). HTTP is httpx's, with connect and read timeouts.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.errors import RemoteError
from kg.store import Store

log = logging.getLogger(__name__)

#: Quads sent in one request: about 10 MB of N-Quads for chainkg's data.
DEFAULT_CHUNK = 50_000
NQUADS = "application/n-quads"
NTRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
#: Seconds to wait for a connection, and for the server to take or answer one request.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0

COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass
class Progress:
    """Where a push is: after chunk ``chunk`` of ``chunks``, ``quads`` of ``total`` quads are on the server."""

    chunk: int
    chunks: int
    quads: int
    total: int


@dataclass
class PushResult:
    """A finished push: what was sent, what the server holds, how long it took."""

    graph_store: str
    chunks: int
    quads: int
    server_quads: int
    seconds: float

    @property
    def rate(self) -> float:
        """Quads sent per second."""
        return self.quads / self.seconds if self.seconds else 0.0


def auth_from_env(env: Mapping[str, str] | None = None) -> httpx.Auth | None:
    """HTTP credentials from ``CHAINKG_ENDPOINT_USER``/``_PASSWORD`` (basic, or digest with ``_AUTH=digest``).

    Raises:
        RemoteError: only one of user and password is set, or the auth scheme is unknown.
    """
    env = os.environ if env is None else env
    user, password = env.get("CHAINKG_ENDPOINT_USER"), env.get("CHAINKG_ENDPOINT_PASSWORD")
    if not user and not password:
        return None
    if not user or password is None:
        raise RemoteError("set both CHAINKG_ENDPOINT_USER and CHAINKG_ENDPOINT_PASSWORD (or neither)")
    scheme = env.get("CHAINKG_ENDPOINT_AUTH", "basic").lower()
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    raise RemoteError(f"CHAINKG_ENDPOINT_AUTH={scheme!r}: use basic or digest")


def default_graph_store(endpoint: str) -> str:
    """Oxigraph server's layout: the query endpoint ``…/query`` has its graph store at ``…/store``.

    Raises:
        RemoteError: the endpoint does not end in ``/query`` (then the graph store URL must be given).
    """
    parts = urlsplit(endpoint)
    if not parts.path.endswith("/query"):
        raise RemoteError(f"cannot tell the graph store URL from {endpoint}: give it with --graph-store "
                          "(e.g. http://host:7878/store for Oxigraph server)")
    return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "store", query="", fragment=""))


def make_client(auth: httpx.Auth | None = None, transport: httpx.BaseTransport | None = None,
                read_timeout: float = READ_TIMEOUT) -> httpx.Client:
    """An httpx client with chainkg's timeouts (and, for tests, a mock transport)."""
    timeout = httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT)
    return httpx.Client(auth=auth, timeout=timeout, transport=transport, follow_redirects=False,
                        headers={"User-Agent": "chainkg"})


def iter_chunks(store: Store, size: int) -> Iterator[tuple[bytes, int]]:
    """The store's quads as N-Quads text, ``size`` quads at a time: ``(text, quads in it)``."""
    stream = Path(store.folder) / "graph.nq"
    if stream.is_file():
        yield from _file_chunks(stream, size)
        return
    batch: list[ox.Quad] = []
    for quad in store.oxigraph.quads_for_pattern(None, None, None, None):
        batch.append(quad)
        if len(batch) == size:
            yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS), len(batch)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS), len(batch)


def _file_chunks(path: Path, size: int) -> Iterator[tuple[bytes, int]]:
    lines: list[bytes] = []
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip() or line.startswith(b"#"):
                continue
            lines.append(line)
            if len(lines) == size:
                yield b"".join(lines), len(lines)
                lines = []
    if lines:
        yield b"".join(lines), len(lines)


def push_store(store: Store, endpoint: str, graph_store: str | None = None, replace: bool = False,
               chunk: int = DEFAULT_CHUNK, progress: Callable[[Progress], None] | None = None,
               client: httpx.Client | None = None, per_graph: bool = False) -> PushResult:
    """Upload every quad of ``store`` to a triple store, then check that the server holds as many.

    Args:
        store: an open store (keep it open: it holds its version during the push).
        endpoint: the SPARQL query endpoint (used for the count), e.g. ``http://127.0.0.1:7878/query``.
        graph_store: the graph store URL that takes N-Quads for the whole dataset (default: derived from
            ``endpoint`` for Oxigraph server).
        replace: the first chunk replaces the server's whole dataset (PUT); else every chunk is added (POST).
        chunk: quads per request.
        progress: called after each chunk the server took.
        client: an httpx client (default: one with credentials from the environment and chainkg's timeouts).
        per_graph: for servers whose graph store takes one graph per request (``?graph=IRI``, N-Triples) instead
            of N-Quads for the dataset: each chunk is split by graph; ``replace`` first DELETEs each of the store's
            graphs (only those: other graphs on the server stay).

    Raises:
        RemoteError: a request failed (HTTP error, refused, timed out) or the counts differ; the message says how
            many chunks and quads were loaded and that running the same push again completes it.
    """
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    for url in (endpoint, graph_store):
        if url and (urlsplit(url).username or urlsplit(url).password):
            raise RemoteError("credentials in a URL are refused (they would show in the process list and the shell "
                              "history): set CHAINKG_ENDPOINT_USER and CHAINKG_ENDPOINT_PASSWORD instead")
    graph_store = graph_store or default_graph_store(endpoint)
    total = int(store.info.get("quads") or len(store.oxigraph))
    chunks = max(1, math.ceil(total / chunk))
    own = client is None
    client = client or make_client(auth_from_env())
    started = time.perf_counter()
    sent = done = 0
    try:
        if per_graph and replace:
            for graph in store.oxigraph.named_graphs():
                _send(client, "DELETE", graph_store, b"", f"clearing graph {graph.value}", _so_far(0, chunks, 0, total),
                      params={"graph": graph.value}, missing_ok=True)
        for text, count in _with_empty(iter_chunks(store, chunk)):
            what, so_far = f"chunk {done + 1} of {chunks}", _so_far(done, chunks, sent, total)
            if per_graph:
                for params, triples in _by_graph(text):
                    _send(client, "POST", graph_store, triples, what, so_far, params=params, content_type=NTRIPLES)
            else:
                _send(client, "PUT" if replace and done == 0 else "POST", graph_store, text, what, so_far)
            done += 1
            sent += count
            if progress is not None:
                progress(Progress(done, chunks, sent, total))
        seconds = time.perf_counter() - started
        ours = {g.value for g in store.oxigraph.named_graphs()} if per_graph else None
        server = server_count(client, endpoint, _so_far(done, chunks, sent, total), graphs=ours)
    finally:
        if own:
            client.close()
    if server != total:
        more = "more" if server > total else "fewer"
        hint = ("the server held other quads: push with --replace to make it hold this graph only"
                if server > total else "run the same push again to complete it")
        where = " in the store's graphs" if per_graph else ""
        raise RemoteError(f"the server at {endpoint} holds {server:,} quads{where}, {abs(server - total):,} {more} "
                          f"than the local graph's {total:,} (all {done} chunk(s) were taken); {hint}")
    log.info("pushed %d quads in %d chunk(s) to %s in %.1f s", sent, done, graph_store, seconds)
    return PushResult(graph_store, done, sent, server, seconds)


def _with_empty(chunks: Iterator[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
    """The chunks, or one empty chunk for an empty graph (so that ``replace`` still empties the server)."""
    empty = True
    for item in chunks:
        empty = False
        yield item
    if empty:
        yield b"", 0


def _so_far(done: int, chunks: int, sent: int, total: int) -> str:
    return f"loaded {done} of {chunks} chunks ({sent:,} of {total:,} quads)"


def _by_graph(nquads: bytes) -> list[tuple[dict[str, str], bytes]]:
    """One chunk of N-Quads as N-Triples per graph, each with its Graph Store Protocol parameters."""
    graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Triple]] = {}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name, []).append(quad.triple)
    return [({"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value},
             ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)) for graph, triples in graphs.items()]


def _send(client: httpx.Client, method: str, url: str, body: bytes, what: str, so_far: str,
          params: dict[str, str] | None = None, content_type: str = NQUADS, missing_ok: bool = False) -> None:
    try:
        response = client.request(method, url, content=body, params=params,
                                  headers={"Content-Type": content_type} if body or method != "DELETE" else None)
    except httpx.TimeoutException as err:
        raise _failed(f"{what}: {method} {url} timed out", so_far) from err
    except httpx.HTTPError as err:
        raise _failed(f"{what}: {method} {url} failed ({err or type(err).__name__})", so_far) from err
    if not response.is_success and not (missing_ok and response.status_code == 404):
        raise _failed(f"{what}: {method} {url} was refused: HTTP {response.status_code} {_excerpt(response)}",
                      so_far)


def _failed(what: str, so_far: str) -> RemoteError:
    return RemoteError(f"{what}; {so_far}; run the same push again to complete it")


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def server_count(client: httpx.Client, endpoint: str, so_far: str = "", graphs: set[str] | None = None) -> int:
    """The number of quads the server holds (named graphs plus a default graph that is not their union), or with
    ``graphs``, the number in those named graphs only.

    Raises:
        RemoteError: the query failed or its answer is not a SPARQL JSON result with integer counts.
    """
    if graphs is not None:
        rows = _select(client, endpoint, COUNT_BY_GRAPH, so_far)
        try:
            return sum(int(row["n"]["value"]) for row in rows if row["g"]["value"] in graphs)
        except (KeyError, TypeError, ValueError) as err:
            raise RemoteError(f"the counts from {endpoint} are not a SPARQL JSON result ({err})") from err
    named = _count(client, endpoint, COUNT_NAMED, so_far)
    default = _count(client, endpoint, COUNT_DEFAULT, so_far)
    return named + (0 if default == named and named else default)


def _count(client: httpx.Client, endpoint: str, query: str, so_far: str) -> int:
    rows = _select(client, endpoint, query, so_far)
    try:
        return int(rows[0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise RemoteError(f"the count from {endpoint} is not a SPARQL JSON result ({rows!r:.200})") from err


def _select(client: httpx.Client, endpoint: str, query: str, so_far: str) -> list:
    where = f"; {so_far}" if so_far else ""
    try:
        response = client.post(endpoint, data={"query": query}, headers={"Accept": SPARQL_JSON})
    except httpx.HTTPError as err:
        raise RemoteError(f"counting the quads at {endpoint} failed ({err or type(err).__name__}){where}") from err
    if not response.is_success:
        raise RemoteError(f"counting the quads at {endpoint} was refused: HTTP {response.status_code} "
                          f"{_excerpt(response)}{where}")
    try:
        rows = json.loads(response.content)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as err:
        raise RemoteError(f"the count from {endpoint} is not a SPARQL JSON result ({_excerpt(response)}){where}") \
            from err
    if not isinstance(rows, list):
        raise RemoteError(f"the count from {endpoint} is not a SPARQL JSON result ({_excerpt(response)}){where}")
    return rows
