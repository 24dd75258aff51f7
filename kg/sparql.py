"""Read-only SPARQL from planners and tools: SELECT, ASK, CONSTRUCT, DESCRIBE; nothing else.

The request is parsed (rdflib's SPARQL grammar) before it reaches the store: an update (``INSERT``, ``DELETE``,
``LOAD``, ``CLEAR`` …) or a query that calls out with ``SERVICE`` is refused on its parse tree, not by pattern
matching on the text. The store itself is opened read-only as a second line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import QueryRefused

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass
class Result:
    """The outcome of a read-only query: its form and what Oxigraph returned."""

    form: str
    value: object  # QuerySolutions | QueryBoolean | QueryTriples


def check_query(text: str) -> str:
    """Parse a SPARQL request and return its form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``).

    Raises:
        QueryRefused: the text is an update, uses ``SERVICE``, or is not valid SPARQL 1.1.
    """
    try:
        parsed = parser.parseQuery(text)
    except ParseException as query_error:
        try:
            update = parser.parseUpdate(text)
        except ParseException:
            raise QueryRefused(f"not a valid SPARQL query: {query_error.msg} "
                               f"(line {query_error.lineno}, column {query_error.col})") from None
        names = sorted({op.name for op in update.request} if getattr(update, "request", None) else {"update"})
        raise QueryRefused(
            f"refused: SPARQL updates are not allowed ({', '.join(names)}); the store is read-only") from None
    query = parsed[1]
    if _contains(parsed, "ServiceGraphPattern"):
        raise QueryRefused("refused: SERVICE calls to other endpoints are not allowed")
    form = FORMS.get(getattr(query, "name", ""))
    if form is None:
        raise QueryRefused(f"refused: unsupported query form {getattr(query, 'name', '?')}")
    return form


def _contains(node, name: str) -> bool:
    if isinstance(node, CompValue):
        if node.name == name:
            return True
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_contains(v, name) for v in node)
    return False


def run_readonly(store, text: str) -> Result:
    """Check, then run a query over the union of all graphs.

    Raises:
        QueryRefused: see :func:`check_query`, or the store rejects the query.
    """
    form = check_query(text)
    try:
        value = store.oxigraph.query(text, use_default_graph_as_union=True)
    except (SyntaxError, ValueError, OSError) as err:
        raise QueryRefused(f"the store could not run the query: {err}") from err
    return Result(form, value)


def serialize(result: Result, fmt: str) -> str:
    """A result as text: ``json`` (SPARQL 1.1 JSON results), ``csv``, ``table``; graphs as Turtle."""
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
    return to_table(rows, names, max_width=80) + f"\n({len(rows)} rows)"


def _rows(solutions) -> tuple[list[str], list[dict]]:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append({n: (None if solution[n] is None else solution[n].value) for n in names})
    return names, rows
