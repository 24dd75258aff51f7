"""Read-only SPARQL from planners and tools: SELECT, ASK, CONSTRUCT, DESCRIBE; nothing else, within limits.

Two lines of defence, because a parse tree is only as good as the parser's agreement with the engine:

1. :func:`check_query` parses the request with rdflib's SPARQL grammar and refuses updates and ``SERVICE`` on the
   parse tree. The text is first brought to a form both parsers read the same way: line ends become ``\\n`` (Oxigraph
   ends a ``#`` comment at a lone ``\\r``, rdflib does not) and a ``\\uXXXX`` / ``\\UXXXXXXXX`` escape is accepted
   only where rdflib (which decodes escapes in the whole text first, as SPARQL 1.1 says) and Oxigraph (which decodes
   them only inside strings and IRIs, as SPARQL 1.2 says) can only agree: a non-ASCII character, spelled the same
   way for both. An escape for ``"``, ``#``, ``>`` or a letter could make the two read different queries.
2. :func:`run_readonly` runs the check and the query in a forked child (:mod:`kg.sandbox`) that has left the
   network namespace (so ``SERVICE`` cannot reach anything even if the check were fooled), with a time limit, a
   memory ceiling and a row limit. The store is opened read-only in the child.

The default graph is the union of all named graphs, unless the query names its own dataset (``FROM`` /
``FROM NAMED``), which is then honoured.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import QueryRefused, RemoteError, StoreError
from kg.sandbox import Limits, run_limited

__all__ = ["FORMS", "Limits", "Result", "check_query", "decode_query", "run_readonly", "serialize"]

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: Escapes as Oxigraph reads them (inside strings and IRIs): \u and four hex digits, \U and eight.
_ENGINE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass
class Result:
    """The outcome of a read-only query: its form, the value, and whether ``max_rows`` cut it short.

    ``value`` is a :class:`pyoxigraph.QuerySolutions` (SELECT), :class:`pyoxigraph.QueryBoolean` (ASK) or a list of
    :class:`pyoxigraph.Triple` (CONSTRUCT, DESCRIBE).
    """

    form: str
    value: object
    truncated: bool = False
    max_rows: int | None = None


def decode_query(data: bytes, name: str) -> str:
    """The text of a query file: UTF-8 (a byte-order mark is dropped).

    Raises:
        QueryRefused: the file is binary or not UTF-8; the message names the file and the first bad byte.
    """
    where = _printable(name)
    if b"\0" in data[:8192]:
        raise QueryRefused(f"{where}: this is a binary file, not a SPARQL query")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise QueryRefused(f"{where}: not UTF-8 text (byte {err.start}: {data[err.start:err.start + 1]!r}); "
                           "save the query as UTF-8") from None


def check_query(text: str, max_chars: int | None = Limits.max_chars) -> str:
    """Check a SPARQL request and return its form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``).

    Runs in the calling process with no time or memory limit: :func:`run_readonly` runs it under limits.

    Raises:
        QueryRefused: the text is empty, too long, an update, uses ``SERVICE``, has an escape the two parsers could
            read differently, is nested too deeply, or is not valid SPARQL 1.1.
    """
    return _inspect(_normalize(text), max_chars)[0]


def run_readonly(store, text: str, limits: Limits | None = None) -> Result:
    """Check, then run a query in a child process with no network, under ``limits``.

    Args:
        store: an open :class:`kg.store.Store` (only its folder is used: the child opens the store itself).
        text: the SPARQL request.
        limits: time, memory, rows and text size (default :class:`Limits`).

    Raises:
        QueryRefused: see :func:`check_query`, or the store rejects the query.
        QueryLimitExceeded: the query ran too long or needed too much memory.
    """
    limits = limits or Limits()
    _check_size(text, limits.max_chars)
    if getattr(store, "remote", False):
        return _run_remote(store, text, limits)
    folder = str(store.folder / "oxigraph")  # the version this reader holds (kg.store_folder)
    header, payload = run_limited(lambda: _evaluate(folder, text, limits), limits)
    form = header["form"]
    if form == "SELECT" or form == "ASK":
        value = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    else:
        value = [quad.triple for quad in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
    return Result(form, value, header.get("truncated", False), limits.max_rows)


def _run_remote(store, text: str, limits: Limits) -> Result:
    """The checked query, forwarded to a remote store's endpoint (:class:`kg.remote.RemoteStore`): the server runs
    it (its own limits apply; ``limits.timeout`` bounds the wait for the answer), rows are cut at ``max_rows`` here."""
    from kg.remote import NTRIPLES, SPARQL_JSON, parse_results

    text = _normalize(text)
    form, _ = _inspect(text, limits.max_chars)
    if form in ("SELECT", "ASK"):
        value = parse_results(store.send(text, SPARQL_JSON, limits.timeout), store.url)
        if form == "ASK":
            return Result(form, value)
        payload, truncated = _solutions_json(value, limits.max_rows)
        return Result(form, ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON), truncated,
                      limits.max_rows)
    body = store.send(text, NTRIPLES, limits.timeout)
    try:
        triples = [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as err:
        raise RemoteError(f"the answer of {store.url} is not complete N-Triples ({err})") from err
    truncated = limits.max_rows is not None and len(triples) > limits.max_rows
    return Result(form, triples[:limits.max_rows], truncated, limits.max_rows)


def _evaluate(folder: str, text: str, limits: Limits) -> tuple[dict, bytes]:
    """In the child: check, open, query, and encode at most ``max_rows`` rows."""
    text = _normalize(text)
    form, has_dataset = _inspect(text, limits.max_chars)
    try:
        db = ox.Store.read_only(folder)
    except OSError as err:
        raise StoreError(f"cannot open the store at {folder}: {err}") from err
    try:
        value = db.query(text, use_default_graph_as_union=not has_dataset)
        return _encode(form, value, limits.max_rows)
    except (SyntaxError, ValueError, OSError, RuntimeError) as err:  # raised by the query or while reading its rows
        raise QueryRefused(_printable(f"the store could not run the query: {err}")) from err


def _encode(form: str, value, max_rows: int | None) -> tuple[dict, bytes]:
    if form == "ASK":
        return {"form": form}, value.serialize(format=ox.QueryResultsFormat.JSON)
    if form == "SELECT":
        payload, truncated = _solutions_json(value, max_rows)
        return {"form": form, "truncated": truncated}, payload
    triples = list(itertools.islice(value, None if max_rows is None else max_rows + 1))
    truncated = max_rows is not None and len(triples) > max_rows
    return {"form": form, "truncated": truncated}, ox.serialize(triples[:max_rows], format=ox.RdfFormat.N_TRIPLES)


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_size(text: str, max_chars: int | None) -> None:
    if max_chars is not None and len(text) > max_chars:
        raise QueryRefused(f"refused: the query is {len(text):,} characters long; the limit is {max_chars:,}")


def _inspect(text: str, max_chars: int | None) -> tuple[str, bool]:
    """The form of a normalized request and whether it names its dataset (FROM / FROM NAMED)."""
    _check_size(text, max_chars)
    if not re.sub(r"#[^\n]*", "", text).strip():
        raise QueryRefused("the query is empty")
    _check_escapes(text)
    try:
        parsed = parser.parseQuery(text)
    except ParseException as query_error:
        _refuse_update(text, query_error)
    except RecursionError:
        raise QueryRefused("refused: the query is nested too deeply for the parser") from None
    if _contains(parsed, "ServiceGraphPattern"):
        raise QueryRefused("refused: SERVICE calls to other endpoints are not allowed")
    name = getattr(parsed[1], "name", "")
    form = FORMS.get(name)
    if form is None:
        raise QueryRefused(_printable(f"refused: unsupported query form {name or '?'}"))
    return form, _contains(parsed, "DatasetClause")


def _refuse_update(text: str, query_error: ParseException):
    try:
        update = parser.parseUpdate(text)
    except ParseException:
        raise QueryRefused(_printable(f"not a valid SPARQL query: {query_error.msg} "
                                      f"(line {query_error.lineno}, column {query_error.col})")) from None
    except RecursionError:
        raise QueryRefused("refused: the query is nested too deeply for the parser") from None
    names = sorted({op.name for op in update.request} if getattr(update, "request", None) else {"update"})
    raise QueryRefused(
        f"refused: SPARQL updates are not allowed ({', '.join(names)}); the store is read-only") from None


def _check_escapes(text: str) -> None:
    """Accept a codepoint escape only when rdflib and Oxigraph decode it alike, to a character that cannot change
    how either tokenizes the text (see the module docstring)."""
    if "\\" not in text:
        return
    rdflib_reads = [(m.start(), m.group(0)) for m in parser.expandUnicodeEscapes_re.finditer(text)]
    engine_reads = [(m.start(), m.group(0)) for m in _ENGINE_ESCAPE.finditer(text)]
    for (start, escape), other in itertools.zip_longest(rdflib_reads, engine_reads, fillvalue=(None, None)):
        if (start, escape) != other:
            start, escape = min(x for x in ((start, escape), other) if x[0] is not None)
            _refuse_escape(text, start, escape, "it can be read in two ways")
        codepoint = int(escape[2:], 16)
        if codepoint < 0x80:
            _refuse_escape(text, start, escape, f"it stands for {chr(codepoint)!r}, which can change how the "
                                                "query reads; write the character itself")
        if 0xD800 <= codepoint <= 0xDFFF or codepoint > 0x10FFFF:
            _refuse_escape(text, start, escape, "it is not a Unicode character")


def _refuse_escape(text: str, start: int, escape: str, why: str):
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    raise QueryRefused(_printable(f"refused: the escape {escape} (line {line}, column {column}): {why}"))


def _contains(node, name: str) -> bool:
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_contains(v, name) for v in node)
    return False


def _printable(message: str) -> str:
    """A message safe to print on a terminal: control and format characters from the query become escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message)


def _solutions_json(solutions, max_rows: int | None) -> tuple[bytes, bool]:
    names = [v.value for v in solutions.variables]
    bindings = []
    truncated = False
    for solution in solutions:
        if max_rows is not None and len(bindings) >= max_rows:
            truncated = True
            break
        bindings.append({n: _term_json(solution[n]) for n in names if solution[n] is not None})
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8"), truncated


def _term_json(term) -> dict:
    """One term in SPARQL 1.1 (1.2 for triple terms) JSON results."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if getattr(term, "direction", None):
                out["its:dir"] = str(term.direction.value if hasattr(term.direction, "value") else term.direction)
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                        "predicate": _term_json(term.predicate),
                                        "object": _term_json(term.object)}}


def serialize(result: Result, fmt: str, width: int | None = None) -> str:
    """A result as text: ``json`` (SPARQL 1.1 JSON results), ``csv``, ``table`` (fitted to ``width`` display
    columns; ``None``: full lines); graphs as Turtle."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return ox.serialize(result.value, format=ox.RdfFormat.TURTLE).decode("utf-8")
    if result.form == "ASK":
        if fmt == "json":
            return result.value.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
        return "true" if bool(result.value) else "false"
    if fmt == "json":
        return result.value.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    if fmt == "csv":
        from kg.output import to_csv

        names, rows = _rows(result.value)
        return to_csv(rows, names)
    from kg.output import to_table

    names, rows = _rows(result.value)
    return to_table(rows, names, width=width) + f"\n({len(rows)} rows)"


def select_rows(result: Result) -> tuple[list[str], list[dict]]:
    """A SELECT result's variable names and rows (values as text, ``None`` when unbound)."""
    return _rows(result.value)


def _rows(solutions) -> tuple[list[str], list[dict]]:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append({n: (None if solution[n] is None else solution[n].value) for n in names})
    return names, rows
