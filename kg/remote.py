"""A SPARQL 1.1 endpoint behind the interface the question code uses: ``query(sparql, bindings)``, ``info``, ``path``.

``chainkg … --store http://host:7878/query`` runs the named questions, gaps, coverage, mismatches, maps and the
report against a remote triple store that holds the graph ``chainkg push`` uploads. The endpoint must answer with the
union of the named graphs as its default graph (Oxigraph server: ``--union-default-graph``), as the embedded store
does.

Bound values are never pasted as text: each term is written in pyoxigraph's own N-Triples syntax (escaped by the
library) into a ``VALUES`` block, the first element of the query's outermost ``WHERE`` group: the same rows as
Oxigraph's substitutions, which bind the variable before the pattern is evaluated (tests/test_remote.py checks every
named question on the fixture and the bundled data). Answers are read with pyoxigraph's own SPARQL JSON results
parser, and read whole before any row is used: a 200 whose body is truncated, HTML or not SPARQL JSON is a
:class:`RemoteError`, never a partial answer.

OpenLink Virtuoso (recognised by its ``Server`` header on the first answer; that query is sent again if it changes)
answers chainkg's questions with the same rows as the embedded store after three adjustments, all tested against
Virtuoso Open Source 7.2.5 in ``tests/test_virtuoso.py``:

* its own graphs (``virtrdf#``, ``ldp#``, the URIQA host's graph: 2,496 quads in a new database) are part of its
  default graph and of ``GRAPH ?g``. chainkg's questions match chainkg's vocabulary, so they never meet those
  triples, except whole-dataset scans: this module's quad counts and its copy for ``export`` keep ``GRAPH ?g`` to
  chainkg's graphs (IRIs under ``https://w3id.org/chainkg/id/``) when the endpoint is Virtuoso, and so does
  ``stats_unsourced`` (a filter sent to Virtuoso only: it doubles the query's time on Oxigraph). Virtuoso's
  ``define input:default-graph-exclude`` pragma is no way out: with it, ``GRAPH <iri> { … }`` finds nothing in
  7.2.5. ``sparql`` forwards a query as written, so it sees them.
* it has no ``LATERAL`` (an Oxigraph extension): each ``LATERAL {`` is sent as a plain group ``{``, a join with the
  same rows because every LATERAL group in ``kg/queries`` projects each variable it shares with the outer pattern;
* it stores ``xsd:boolean`` by value and answers ``"1"``/``"0"``: :func:`canonical_literals` writes them back as the
  canonical ``"true"``/``"false"`` (the same RDF terms by value; the embedded store keeps chainkg's canonical
  spelling). Decimals and integers come back in their shortest form, which is the form chainkg writes, so they are
  left alone; language tags are read in lower case by pyoxigraph from either store.

Where Virtuoso 7.2.5 evaluated a named query wrongly, the query itself was rewritten in a form both stores evaluate
alike, with the same rows from the embedded store (``entity_facts``, ``entity_facts_out``, ``entity_links_in``,
``chain_policies``, ``gaps_policies``, ``link_properties``: each says why in a comment).

``export`` copies the endpoint's named graphs into an in-memory Oxigraph store first (up to
:data:`MIRROR_LIMIT` quads). What needs the embedded store's files (build, restore, push, diff of the live store)
is refused by the CLI with a message saying so. Credentials come from the environment only
(:func:`kg.push.auth_from_env`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import QueryRefused, RemoteError

log = logging.getLogger(__name__)

SPARQL_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
#: Content types taken as SPARQL JSON results (the parser then checks that the body is one, whole).
JSON_TYPES = (SPARQL_JSON, "application/json")
#: Seconds to wait for a connection, and for one answer.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 120.0

_COUNTS = ("SELECT (COUNT(*) AS ?quads) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }")
#: Triples of the default graph that no named graph holds (0 on a server whose default graph is their union).
_DEFAULT_ONLY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"

#: Quads a remote store is copied into memory for (``export``): the embedded store's in-memory export limit.
MIRROR_LIMIT = 1_000_000
_ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

# The parts of a query text where a brace or the words WHERE and LATERAL are not syntax: comments, IRIs, strings.
_TOKENS = re.compile(r"""
    (?P<skip> \#[^\n]*
      | <[^<>"{}|^`\\\x00-\x20]*>
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n]|\\.)*"
      | '(?:[^'\\\n]|\\.)*' )
    | (?P<brace>\{)
    | (?P<where>(?<![?$\w:])WHERE\b)
    | (?P<lateral>(?<![?$\w:])LATERAL\b)
    """, re.IGNORECASE | re.VERBOSE)
#: Graphs of chainkg's: every other graph on a Virtuoso endpoint is the server's own (see the module's notes).
CHAINKG_GRAPHS = "https://w3id.org/chainkg/id/"
_OURS = f'FILTER(STRSTARTS(STR(?g), "{CHAINKG_GRAPHS}"))'


@cache
def _chainkg_scans() -> dict[str, str]:
    """The whole-dataset scans (this module's and ``stats_unsourced``), each with ``GRAPH ?g`` kept to chainkg's
    graphs: sent so to Virtuoso only (the filter doubles ``stats_unsourced``'s time on Oxigraph)."""
    from kg.query import load_query

    unsourced = load_query("stats_unsourced")
    scans = {text: text.replace("{ ?s ?p ?o }", f"{{ ?s ?p ?o }} {_OURS}", 1) for text in (_COUNTS, _ALL_QUADS)}
    scans[unsourced] = unsourced.replace("GRAPH ?g { ?s ?p ?o . }", f"GRAPH ?g {{ ?s ?p ?o . }} {_OURS}", 1)
    assert all(scans[text] != text for text in scans)
    return scans
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_url(text: object) -> bool:
    """Whether a ``--store`` value names an endpoint (``http://`` or ``https://``) rather than a folder."""
    return isinstance(text, str) and text.lower().startswith(("http://", "https://"))


def outer_group(sparql: str) -> int:
    """The position just after the ``{`` that opens the query's outermost ``WHERE`` group (the first brace after
    the first ``WHERE``, or the first brace of a query without the keyword).

    Raises:
        QueryRefused: the text has no group.
    """
    seen_where = False
    first_brace = None
    for match in _TOKENS.finditer(sparql):
        if match.lastgroup == "where":
            seen_where = True
        elif match.lastgroup == "brace":
            if seen_where:
                return match.end()
            if first_brace is None:
                first_brace = match.end()
    if first_brace is None:
        raise QueryRefused("the query has no group pattern to bind values in")
    return first_brace


def bind_values(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``bindings`` as a one-row ``VALUES`` block opening its outermost ``WHERE`` group.

    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": ox.NamedNode("http://e/a")})
    'SELECT ?x WHERE {VALUES (?x) { (<http://e/a>) }\\n ?x ?p ?o }'
    """
    if not bindings:
        return sparql
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"?{name}: only IRIs and literals can be bound (got {type(term).__name__})")
        names.append(f"?{name}")
        terms.append(str(term))  # pyoxigraph's N-Triples: escaped by the library, valid SPARQL term syntax
    at = outer_group(sparql)
    block = f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"
    return sparql[:at] + block + sparql[at:]


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


@dataclass
class RemoteStore:
    """A SPARQL 1.1 query endpoint, used like :class:`kg.store.Store` by the question code.

    ``path`` is the endpoint URL (it keys the per-process caches, as a store folder does); ``info`` holds what is
    known without the build record: the dataset description when one was given (``dataset``), nothing else.
    """

    url: str
    client: httpx.Client = field(repr=False)
    info: dict = field(default_factory=dict)
    folder: None = None
    remote: bool = True
    _mirror: ox.Store | None = field(default=None, repr=False)
    #: Whether the endpoint is Virtuoso (None until its first answer), and the graphs that are its own.
    virtuoso: bool | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return self.url

    @classmethod
    def open(cls, url: str, dataset: dict | None = None, client: httpx.Client | None = None,
             read_timeout: float = READ_TIMEOUT) -> RemoteStore:
        """An endpoint to query (nothing is sent yet).

        Args:
            url: the SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query``.
            dataset: what the data describes (:func:`kg.manifest.describe`); pages fall back to a neutral title.
            client: an httpx client (default: credentials from the environment, chainkg's timeouts).
            read_timeout: seconds to wait for one answer.

        Raises:
            RemoteError: the URL carries credentials, or the credentials in the environment are incomplete.
        """
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise RemoteError("credentials in a URL are refused (they would show in the process list and the shell "
                              "history): set CHAINKG_ENDPOINT_USER and CHAINKG_ENDPOINT_PASSWORD instead")
        if not parts.hostname:
            raise RemoteError(f"{url}: not an endpoint URL (expected e.g. http://127.0.0.1:7878/query)")
        if client is None:
            from kg.push import auth_from_env, make_client

            client = make_client(auth_from_env(), read_timeout=read_timeout)
        return cls(url, client, {"dataset": dataset} if dataset else {})

    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None):
        """Run a SELECT or ASK query at the endpoint, with values bound; the whole answer is read and checked.

        Returns:
            :class:`pyoxigraph.QuerySolutions` or :class:`pyoxigraph.QueryBoolean`, as the embedded store does.

        Raises:
            RemoteError: no answer in time, an HTTP error, or an answer that is not complete SPARQL JSON results.
        """
        text = bind_values(sparql, bindings or {})
        first = self.virtuoso is None
        body = self.send(self.dialect(text), SPARQL_JSON)
        if first and self.virtuoso and self.dialect(text) != text:  # now known: ask again in Virtuoso's terms
            body = self.send(self.dialect(text), SPARQL_JSON)
        return parse_results(body, self.url)

    def dialect(self, sparql: str) -> str:
        """The query as sent: unchanged, or for Virtuoso with its own graphs excluded and no ``LATERAL`` (see the
        module's notes)."""
        if not self.virtuoso:
            return sparql
        return without_lateral(_chainkg_scans().get(sparql, sparql))

    def send(self, sparql: str, accept: str, timeout: float | None = None) -> bytes:
        """POST a query (form-encoded) and return the body of a successful answer of the expected type."""
        try:
            response = self.client.post(self.url, data={"query": sparql}, headers={"Accept": accept},
                                        **({"timeout": httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)}
                                           if timeout else {}))
        except httpx.TimeoutException as err:
            raise RemoteError(f"the endpoint {self.url} did not answer in time ({type(err).__name__})") from err
        except httpx.HTTPError as err:
            raise RemoteError(f"cannot query the endpoint {self.url}: {err or type(err).__name__}") from err
        if response.status_code == 400:
            raise QueryRefused(f"the endpoint {self.url} refused the query: {_excerpt(response)}")
        if not response.is_success:
            raise RemoteError(f"the endpoint {self.url} answered HTTP {response.status_code}: {_excerpt(response)}")
        if self.virtuoso is None:
            self.virtuoso = response.headers.get("server", "").lower().startswith("virtuoso")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        wanted = JSON_TYPES if accept == SPARQL_JSON else (accept,)
        if kind not in wanted:
            raise RemoteError(f"the endpoint {self.url} answered {kind or 'no content type'}, not {accept}: "
                              f"{_excerpt(response)}")
        return response.content

    def default_graph_size(self) -> int:
        """Triples in the default graph that no named graph holds (chainkg writes none)."""
        return int(next(iter(self.query(_DEFAULT_ONLY)))["n"].value)

    def counts(self) -> dict[str, int]:
        """Quads and named graphs the endpoint holds (what a local store reads from its build record)."""
        row = next(iter(self.query(_COUNTS)))
        return {"quads": int(row["quads"].value), "graphs": int(row["graphs"].value)}

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    @property
    def oxigraph(self) -> ox.Store:
        """An in-memory copy of the endpoint's named graphs (for ``export``), fetched once with one query.

        Raises:
            RemoteError: the endpoint holds more than :data:`MIRROR_LIMIT` quads (export them on the server).
        """
        if self._mirror is None:
            quads = self.counts()["quads"]
            if quads > MIRROR_LIMIT:
                raise RemoteError(f"the endpoint {self.url} holds {quads:,} quads: more than the {MIRROR_LIMIT:,} "
                                  "chainkg copies from a remote store to export; export a local store instead")
            mirror = ox.Store()
            mirror.extend(ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in self.query(_ALL_QUADS))
            self._mirror = mirror
        return self._mirror


def without_lateral(sparql: str) -> str:
    """The query with each ``LATERAL`` keyword removed (its group stays, as a plain join).

    >>> without_lateral('SELECT * WHERE { ?s ?p ?o LATERAL { SELECT ?s WHERE { ?s ?q "LATERAL" } } }')
    'SELECT * WHERE { ?s ?p ?o  { SELECT ?s WHERE { ?s ?q "LATERAL" } } }'
    """
    cuts = [m.span() for m in _TOKENS.finditer(sparql) if m.lastgroup == "lateral"]
    for start, end in reversed(cuts):
        sparql = sparql[:start] + sparql[end:]
    return sparql


def canonical_literals(body: bytes) -> bytes:
    """SPARQL JSON results with each ``xsd:boolean`` ``"1"``/``"0"`` (Virtuoso's spelling) as ``"true"``/``"false"``,
    the canonical form chainkg writes; the body unchanged when it has none. Read and written by the ``json`` module.
    """
    if XSD_BOOLEAN.encode() not in body:
        return body
    try:
        data = json.loads(body)
        rows = data["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        return body  # not SPARQL JSON SELECT results: parse_results says so
    changed = False
    for row in rows:
        for term in row.values() if isinstance(row, dict) else ():
            if isinstance(term, dict) and term.get("datatype") == XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
                changed = True
    return json.dumps(data, ensure_ascii=False).encode() if changed else body


def parse_results(body: bytes, url: str):
    """SPARQL JSON results read whole by pyoxigraph's parser, then returned as a fresh (complete) result.

    Raises:
        RemoteError: the body is not complete SPARQL JSON results.
    """
    body = canonical_literals(body)
    try:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QuerySolutions):
            for _ in parsed:  # every row, to the closing brace: a truncated body fails here, before any row is used
                pass
    except (SyntaxError, ValueError, OSError, RuntimeError) as err:
        excerpt = " ".join(body[:120].decode("utf-8", "replace").split())
        raise RemoteError(f"the answer of {url} is not complete SPARQL JSON results ({err}); it began: "
                          f"{excerpt!r}") from err
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
