"""``--bind name=value`` arguments → RDF terms for a query's variables, resolved like any name argument.

The type of a value comes, first, from the query's own declaration (``# Param: ?chain chain``, see
:func:`kg.query.parameters`); for a variable the query does not declare, from a type written with the name
(``--bind year:integer=2023``); else from the variable's name when it is an entity kind (``chain``, ``segment``,
``enterprise``, ``park``, ``place`` or ``district``, ``policy``, ``system``). Otherwise the value is an IRI when
written as one (``<https://…>`` or a known prefixed name such as ``ckg:KeyChain``), and a plain string literal if not.

- An entity kind (or ``entity``, any kind): the name is resolved as a name argument is (:func:`kg.resolve.resolve`:
  Chinese or English name, alias, 文号, code), or taken as the IRI it is when written as one.
- ``iri``: an IRI, written ``<…>``, as a prefixed name, or as an absolute IRI.
- ``string``: a plain literal; ``integer``, ``decimal``, ``double``, ``boolean``, ``date``, ``gYear``,
  ``gYearMonth``: a literal of that XSD datatype, its text checked against the type's form.

The terms are bound by the engine (:func:`kg.sparql.run_readonly`): the value never becomes part of the query text
written by hand.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import QueryRefused
from kg.query import ENTITY_KINDS, LITERAL_TYPES, PARAM_TYPES, parameters
from kg.sparql import QUERY_PREFIXES

__all__ = ["bind_arguments", "parse_argument"]

#: A variable named after an entity kind takes names of that kind when the query does not declare it.
NAME_KINDS = {**{kind: (kind,) for kind in ENTITY_KINDS}, "district": ("place",)}
_ARGUMENT = re.compile(r"[?$]?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z|]+))?=(.*)", re.S)
_FORMS = {
    "integer": r"[+-]?[0-9]+",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "double": r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|INF|NaN)",
    "boolean": r"true|false|1|0",
    "date": r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?",
    "gYear": r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?",
    "gYearMonth": r"-?[0-9]{4,}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?",
}
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+")


def parse_argument(argument: str) -> tuple[str, tuple[str, ...] | None, str]:
    """``name[:type]=value`` → (name, types or ``None``, value).

    >>> parse_argument("chain=集成电路")
    ('chain', None, '集成电路')
    >>> parse_argument("?year:integer=2023")
    ('year', ('integer',), '2023')

    Raises:
        QueryRefused: not of that form, or an unknown type.
    """
    found = _ARGUMENT.fullmatch(argument)
    if not found:
        raise QueryRefused(f"--bind {argument!r}: write NAME=VALUE (or NAME:TYPE=VALUE), e.g. --bind chain=集成电路")
    name, kind, value = found.groups()
    kinds = tuple(kind.split("|")) if kind else None
    if kinds and any(k not in PARAM_TYPES for k in kinds):
        raise QueryRefused(f"--bind {argument!r}: unknown type {kind!r}; the types: {', '.join(PARAM_TYPES)}")
    return name, kinds, value


def bind_arguments(store, text: str, arguments: list[str] | tuple[str, ...]) -> dict[str, ox.NamedNode | ox.Literal]:
    """The terms to bind for ``--bind`` arguments to a query text, checked against what the query declares.

    Args:
        store: the open store (names are resolved in it).
        text: the query as written (its ``# Param:`` lines are read).
        arguments: ``name=value`` or ``name:type=value`` strings.

    Raises:
        QueryRefused: a malformed argument, a variable bound twice or not declared by a query that declares its
            parameters, a value not of its type, or a required parameter left unbound (named in the message).
        NotFound, Ambiguous: a name that resolves to no entity, or to several.
    """
    try:
        declared = {p.name: p for p in parameters(text)}
    except Exception as err:  # a malformed declaration is the query's fault: refuse, naming the line
        raise QueryRefused(f"the query's header: {err}") from None
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for argument in arguments:
        name, kinds, value = parse_argument(argument)
        if name in out:
            raise QueryRefused(f"?{name} is bound twice (--bind {name}=…)")
        param = declared.get(name)
        if declared and param is None:
            raise QueryRefused(f"the query takes no parameter ?{name}; it takes {_listing(declared.values())}")
        if param is not None:
            if kinds and not set(kinds) <= set(param.kinds):
                raise QueryRefused(f"?{name} is declared as {param.kind}, not {'|'.join(kinds)}")
            kinds = kinds or param.kinds
        out[name] = term_for(store, name, kinds, value)
    missing = [p for p in declared.values() if p.required and p.name not in out]
    if missing:
        example = " ".join(f"--bind {p.name}=…" for p in missing)
        raise QueryRefused(f"the query needs {_listing(missing)}: bind {'it' if len(missing) == 1 else 'them'} "
                           f"with {example}")
    return out


def term_for(store, name: str, kinds: tuple[str, ...] | None, value: str) -> ox.NamedNode | ox.Literal:
    """The term for one value (see the module docstring for how its type is chosen)."""
    if kinds is None:
        kinds = NAME_KINDS.get(name)
    if kinds is None:
        written = _iri(value)
        return written if written is not None else ox.Literal(value)
    if len(kinds) == 1 and kinds[0] in LITERAL_TYPES:
        return _literal(name, kinds[0], value)
    if kinds == ("iri",):
        written = _iri(value)
        if written is None:
            raise QueryRefused(f"?{name}: {value!r} is not an IRI (write <https://…> or a prefixed name such as "
                               "ckg:KeyChain)")
        return written
    written = _iri(value)
    if written is not None:
        return written
    entity_kinds = tuple(k for k in kinds if k in ENTITY_KINDS)
    if "entity" in kinds or not entity_kinds:
        entity_kinds = None
    from kg.resolve import resolve

    return ox.NamedNode(resolve(store, value, entity_kinds).iri)


def _literal(name: str, kind: str, value: str) -> ox.Literal:
    datatype = LITERAL_TYPES[kind]
    if datatype is None:
        return ox.Literal(value)
    if not re.fullmatch(_FORMS[kind], value.strip()):
        raise QueryRefused(f"?{name}: {value!r} is not an xsd:{kind}")
    return ox.Literal(value.strip(), datatype=ox.NamedNode(datatype))


def _iri(value: str) -> ox.NamedNode | None:
    """The IRI a value is written as (``<…>``, a known prefixed name, an absolute http(s)/urn IRI), else ``None``."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        prefix, colon, local = text.partition(":")
        if colon and prefix in QUERY_PREFIXES and not local.startswith("//"):
            text = QUERY_PREFIXES[prefix] + local
        elif not (re.match(r"(?i)(https?|urn):", text) and _ABSOLUTE_IRI.fullmatch(text)):
            return None
    try:
        return ox.NamedNode(text)
    except ValueError as err:
        raise QueryRefused(f"{value!r} is not a valid IRI ({err})") from None


def _listing(params) -> str:
    return ", ".join(f"?{p.name} ({p.kind}{'' if p.required else ', optional'})" for p in params)
