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

For people writing queries (docs/sparql.md): the prefixes of :data:`QUERY_PREFIXES` are known without a ``PREFIX``
line (the missing declarations are put on one line before the text, and every position in a message is given in the
text as written); values are bound as RDF terms (Oxigraph's substitutions where the query projects the variable, else
a ``VALUES`` block written by pyoxigraph's own serializer, as for a remote store); a syntax error is shown as its line
and column, the line itself and a caret under the place, with a short reason instead of the parser's grammar.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.errors import QueryRefused, RemoteError, StoreError
from kg.namespace import CKGID, PREFIXES
from kg.sandbox import Limits, run_limited

__all__ = ["FORMS", "QUERY_PREFIXES", "Limits", "Result", "check_query", "decode_query", "run_readonly", "serialize"]

#: The prefixes a query may use without declaring them: every vocabulary of :data:`kg.namespace.PREFIXES`, and
#: ``ckgg:`` for the fixed named graphs (``ckgg:provenance``, ``ckgg:sources`` …) that the shipped queries use.
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, "ckgg": str(CKGID["graph/"])}

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
            read differently, is nested too deeply, uses a prefix it does not declare (other than
            :data:`QUERY_PREFIXES`), or is not valid SPARQL 1.1.
    """
    _check_size(text, max_chars)
    return _inspect(*with_prefixes(_normalize(text)), None).form


def with_prefixes(text: str) -> tuple[str, int]:
    """The text with a ``PREFIX`` declaration for each prefix of :data:`QUERY_PREFIXES` it does not declare itself,
    all on one line before it, and the number of lines added (0 or 1).

    >>> with_prefixes("PREFIX ckg: <urn:mine#> SELECT * WHERE { ?s a ckg:X }")[0].count("PREFIX ckg:")
    1
    """
    declared = {m.lower() for m in _DECLARED.findall(re.sub(r"#[^\n]*", "", text))}
    missing = [f"PREFIX {p}: <{iri}>" for p, iri in QUERY_PREFIXES.items() if p.lower() not in declared]
    if not missing:
        return text, 0
    return " ".join(missing) + "\n" + text, 1


def run_readonly(store, text: str, limits: Limits | None = None, bindings: dict | None = None) -> Result:
    """Check, then run a query in a child process with no network, under ``limits``.

    Args:
        store: an open :class:`kg.store.Store` (only its folder is used: the child opens the store itself).
        text: the SPARQL request (the prefixes of :data:`QUERY_PREFIXES` need no declaration).
        limits: time, memory, rows and text size (default :class:`Limits`).
        bindings: variable name → :class:`pyoxigraph.NamedNode` or :class:`pyoxigraph.Literal`, bound as values
            (kg.bindings turns ``--bind`` arguments into them).

    Raises:
        QueryRefused: see :func:`check_query`, a bound variable the query does not use, or the store rejects the
            query.
        QueryLimitExceeded: the query ran too long or needed too much memory.
    """
    limits = limits or Limits()
    bindings = dict(bindings or {})
    _check_size(text, limits.max_chars)
    prepared, added = with_prefixes(_normalize(text))
    if getattr(store, "remote", False):
        return _run_remote(store, prepared, added, limits, bindings)
    folder = str(store.folder / "oxigraph")  # the version this reader holds (kg.store_folder)
    header, payload = run_limited(lambda: _evaluate(folder, prepared, added, limits, bindings), limits)
    form = header["form"]
    if form == "SELECT" or form == "ASK":
        value = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    else:
        value = [quad.triple for quad in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
    return Result(form, value, header.get("truncated", False), limits.max_rows)


def _run_remote(store, text: str, added: int, limits: Limits, bindings: dict) -> Result:
    """The checked query, forwarded to a remote store's endpoint (:class:`kg.remote.RemoteStore`): the server runs
    it (its own limits apply; ``limits.timeout`` bounds the wait for the answer), rows are cut at ``max_rows`` here.
    Bound values travel as a ``VALUES`` block (:func:`kg.remote.bind_values`)."""
    from kg.remote import NTRIPLES, SPARQL_JSON, parse_results

    checked = _inspect(text, added, None)
    _check_bindings(checked, bindings)
    if bindings:
        text = _bound(text, bindings)
        checked = _inspect(text, 0, None)
    form = checked.form
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


def _evaluate(folder: str, text: str, added: int, limits: Limits, bindings: dict) -> tuple[dict, bytes]:
    """In the child: check, bind, open, query, and encode at most ``max_rows`` rows."""
    checked = _inspect(text, added, None)
    _check_bindings(checked, bindings)
    substitutions = None
    if bindings and checked.form == "SELECT" and (checked.projected is None or set(bindings) <= checked.projected):
        substitutions = {ox.Variable(name): term for name, term in bindings.items()}
    elif bindings:  # Oxigraph substitutes projected variables only: the others are bound by a VALUES block
        text, added = _bound(text, bindings), 0
        checked = _inspect(text, 0, None)
    try:
        db = ox.Store.read_only(folder)
    except OSError as err:
        raise StoreError(f"cannot open the store at {folder}: {err}") from err
    try:
        value = db.query(text, use_default_graph_as_union=not checked.has_dataset, substitutions=substitutions)
        return _encode(checked.form, value, limits.max_rows)
    except SyntaxError as err:
        raise QueryRefused(_engine_syntax_error(text, added, str(err))) from err
    except (ValueError, OSError, RuntimeError) as err:  # raised by the query or while reading its rows
        raise QueryRefused(_printable(f"the store could not run the query: {err}")) from err


def _bound(text: str, bindings: dict) -> str:
    from kg.remote import bind_values

    return bind_values(text, bindings)


def _check_bindings(checked: _Checked, bindings: dict) -> None:
    unknown = sorted(set(bindings) - checked.variables)
    if unknown:
        raise QueryRefused(f"the query has no variable {', '.join('?' + n for n in unknown)} to bind"
                           + (f" (its variables: {', '.join('?' + v for v in sorted(checked.variables))})"
                              if checked.variables else ""))


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


@dataclass
class _Checked:
    """What the guard learnt of a request: its form, whether it names its dataset, its variables and the variables
    it projects (``None``: ``SELECT *``)."""

    form: str
    has_dataset: bool
    variables: set[str]
    projected: set[str] | None


_DECLARED = re.compile(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:")


def _inspect(text: str, added: int, max_chars: int | None) -> _Checked:
    """Check a normalized request (``added`` lines of prefixes before the text as written)."""
    _check_size(text, max_chars)
    if not re.sub(r"#[^\n]*", "", text.split("\n", added)[-1]).strip():
        raise QueryRefused("the query is empty")
    _check_escapes(text, added)
    try:
        parsed = parser.parseQuery(text)
    except ParseException as query_error:
        _refuse_update(text, added, query_error)
    except RecursionError:
        raise QueryRefused("refused: the query is nested too deeply for the parser") from None
    if _contains(parsed, "ServiceGraphPattern"):
        raise QueryRefused("refused: SERVICE calls to other endpoints are not allowed")
    name = getattr(parsed[1], "name", "")
    form = FORMS.get(name)
    if form is None:
        raise QueryRefused(_printable(f"refused: unsupported query form {name or '?'}"))
    _check_prefixes(text, added, parsed)
    variables: set[str] = set()
    _collect(parsed, variables)
    projected = None
    if form == "SELECT" and "projection" in parsed[1]:
        projected = {str(v.get("var") or v.get("evar")) for v in parsed[1]["projection"]}
    return _Checked(form, _contains(parsed, "DatasetClause"), variables, projected)


def _check_prefixes(text: str, added: int, parsed) -> None:
    declared = {str(d["prefix"]) if "prefix" in d else "" for d in parsed[0] if d.name == "PrefixDecl"}
    used: list[str] = []
    _pnames(parsed, used)
    unknown = [p for p in dict.fromkeys(used) if p not in declared]
    if unknown:
        prefix = unknown[0]
        at = _find_pname(text, prefix)
        raise QueryRefused(_syntax_message(text, added, at, f"unknown prefix '{prefix}:': declare it (PREFIX "
                                           f"{prefix}: <…>), or use one chainkg knows (chainkg sparql --prefixes)"))


def _find_pname(text: str, prefix: str) -> int | None:
    """The position of the first use of ``prefix:`` outside comments, strings and IRIs (for the caret)."""
    from kg.remote import _TOKENS

    masked = _TOKENS.sub(lambda m: " " * len(m.group(0)) if m.lastgroup == "skip" else m.group(0), text)
    for found in re.finditer(rf"(?<![\w?$:.-]){re.escape(prefix)}:", masked):
        if not re.search(r"(?i)PREFIX\s*$", masked[:found.start()]):
            return found.start()
    return None


def _pnames(node, out: list[str]) -> None:
    if isinstance(node, CompValue):
        if node.name == "pname":
            out.append(str(node["prefix"]) if "prefix" in node else "")
        for value in node.values():
            _pnames(value, out)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            _pnames(value, out)


def _collect(node, out: set[str]) -> None:
    """Every variable named anywhere in a parse tree."""
    if isinstance(node, Variable):
        out.add(str(node))
    elif isinstance(node, CompValue):
        for value in node.values():
            _collect(value, out)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            _collect(value, out)


def _refuse_update(text: str, added: int, query_error: ParseException):
    try:
        update = parser.parseUpdate(text)
    except ParseException:
        raise QueryRefused(_syntax_message(text, added, query_error.loc, _reason(text, query_error.loc))) from None
    except RecursionError:
        raise QueryRefused("refused: the query is nested too deeply for the parser") from None
    names = sorted({op.name for op in update.request} if getattr(update, "request", None) else {"update"})
    raise QueryRefused(
        f"refused: SPARQL updates are not allowed ({', '.join(names)}); the store is read-only") from None


def _reason(text: str, at: int) -> str:
    """What is wrong at a position, in words: the token found there (the grammar's expectations are not shown)."""
    rest = text[at:].lstrip()
    if not rest or not re.sub(r"#[^\n]*", "", rest).strip():
        return "the query ends too early (a missing '}' or ')'?)"
    token = re.match(r"[^\s{}()]+|.", rest).group(0)
    return f"unexpected '{token[:40]}'"


def _engine_syntax_error(text: str, added: int, message: str) -> str:
    """Oxigraph's syntax error (``error at LINE:COLUMN: expected one of …``) in the same form as the guard's."""
    found = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not found:
        return _printable(f"not a valid SPARQL query: {message.splitlines()[0] if message else '?'}")
    line, column, detail = int(found.group(1)), int(found.group(2)), found.group(3)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    at = min(starts[min(line, len(starts)) - 1] + max(column - 1, 0), len(text))
    reason = detail.splitlines()[0] if not detail.startswith("expected") else _reason(text, at)
    return _syntax_message(text, added, at, reason[:200])


def _syntax_message(text: str, added: int, at: int | None, reason: str) -> str:
    """``not a valid SPARQL query (line L, column C): reason``, then the line as written and a caret under C.

    ``added`` lines were put before the text as written (the prefixes): positions are counted without them."""
    if at is None:
        return _printable(f"not a valid SPARQL query: {reason}")
    line = text.count("\n", 0, at) + 1
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    shown = text[start:end if end >= 0 else len(text)]
    column = at - start + 1
    if line <= added:  # inside the prefixes chainkg added: cannot happen unless a declaration is wrong
        return _printable(f"not a valid SPARQL query: {reason}")
    number = str(line - added)
    pad = "".join("\t" if c == "\t" else "  " if unicodedata.east_asian_width(c) in "WF" else " "
                  for c in _printable(shown[:column - 1]))
    return (_printable(f"not a valid SPARQL query (line {number}, column {column}): {reason}") + "\n"
            + f"  {number} | " + _printable(shown) + "\n" + " " * (len(number) + 2) + " | " + pad + "^")


def _check_escapes(text: str, added: int = 0) -> None:
    """Accept a codepoint escape only when rdflib and Oxigraph decode it alike, to a character that cannot change
    how either tokenizes the text (see the module docstring)."""
    if "\\" not in text:
        return
    rdflib_reads = [(m.start(), m.group(0)) for m in parser.expandUnicodeEscapes_re.finditer(text)]
    engine_reads = [(m.start(), m.group(0)) for m in _ENGINE_ESCAPE.finditer(text)]
    for (start, escape), other in itertools.zip_longest(rdflib_reads, engine_reads, fillvalue=(None, None)):
        if (start, escape) != other:
            start, escape = min(x for x in ((start, escape), other) if x[0] is not None)
            _refuse_escape(text, added, start, escape, "it can be read in two ways")
        codepoint = int(escape[2:], 16)
        if codepoint < 0x80:
            _refuse_escape(text, added, start, escape, f"it stands for {chr(codepoint)!r}, which can change how the "
                                                "query reads; write the character itself")
        if 0xD800 <= codepoint <= 0xDFFF or codepoint > 0x10FFFF:
            _refuse_escape(text, added, start, escape, "it is not a Unicode character")


def _refuse_escape(text: str, added: int, start: int, escape: str, why: str):
    line = text.count("\n", 0, start) + 1 - added
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
