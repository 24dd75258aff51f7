"""Every shipped query file (kg/queries/*.rq, examples/*.rq) gives the same rows on Oxigraph (the store) and on
rdflib over the exported N-Quads (a Dataset whose default graph is the union of the named graphs, as the store's):
as a set, and in the same order where the query ends with ORDER BY.

The cases are built from each file's ``# Param:`` lines (kg.query.parameters), so a new query file is picked up
without touching this test: the first required parameter takes every value of its type in the Jinan data, the others
values near it in the graph (two steps away: a chain's segments, places and parks, its member pages). Values are
bound on rdflib as a ``VALUES`` block opening the outer group (kg.remote.bind_values, as an endpoint receives them),
on Oxigraph with substitutions (as chainkg runs them). Two files use Oxigraph's ``LATERAL`` (SEP-0006, for speed at a
million enterprises; their headers say so): rdflib reads it as a plain group (kg.remote.without_lateral), a join with
the same rows because each LATERAL group projects every variable it shares with the outer pattern.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.query import parameters, to_python
from kg.remote import bind_values, without_lateral

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "kg" / "queries").glob("*.rq")) + sorted((ROOT / "examples").glob("*.rq"))
CKG = "https://w3id.org/chainkg/ontology#"
PREFIX = "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"

#: The values a parameter of each kind takes: every entity of the kind (``place``: divisions and zones, not parks).
KIND_QUERIES = {
    "chain": "SELECT ?x WHERE { ?x a ckg:IndustrialChain }",
    "segment": "SELECT ?x WHERE { ?x a ckg:ChainSegment }",
    "place": "SELECT ?x WHERE { ?x a ckg:Place FILTER NOT EXISTS { ?x a ckg:Park } }",
    "park": "SELECT ?x WHERE { ?x a ckg:Park }",
    "policy": "SELECT ?x WHERE { ?x a ckg:PolicyDocument }",
    "enterprise": "SELECT ?x WHERE { ?x a ckg:Enterprise }",
    "system": "SELECT ?x WHERE { ?x a ckg:ChainSystem }",
    "entity": "SELECT ?x WHERE { VALUES ?t { ckg:IndustrialChain ckg:Enterprise ckg:Park ckg:PolicyDocument } "
              "?x a ?t }",
}
#: Parameters typed ``iri`` or a literal type are sampled by their name (a new one needs a line here).
NAMED_QUERIES = {
    "page": "SELECT ?x WHERE { ?x ckg:pageOf ?chain }",
    "p": "SELECT DISTINCT ?x WHERE { ?s ?x ?o . ?x a <http://www.w3.org/2002/07/owl#ObjectProperty> }",
    "g": "SELECT DISTINCT ?x WHERE { GRAPH ?x { ?s ckg:memberOfChain ?o } }",
    "tier_class": "SELECT ?x WHERE { VALUES ?x { ckg:LandmarkChain ckg:KeyChain } }",
    "class": "SELECT ?x WHERE { VALUES ?x { ckg:LandmarkChain ckg:Enterprise ckg:Park } }",
    "entity": KIND_QUERIES["entity"],
    # the Jinan enterprises carry no credit code: one of the right form that names no one, besides any there are
    "code": 'SELECT ?x WHERE { { ?e ckg:creditCode ?x } UNION { VALUES ?x { "91370100MA3C000000" } } }',
    "key": "SELECT ?x WHERE { GRAPH <https://w3id.org/chainkg/id/graph/names> { ?e ckg:matchKey ?x } }",
    "since": "SELECT DISTINCT ?x WHERE { ?p <http://purl.org/dc/terms/issued> ?d "
             "BIND(xsd:integer(SUBSTR(STR(?d), 1, 4)) AS ?x) }",
}
#: How many values a parameter takes: the first required one (spread over all its values: rdflib takes seconds on
#: the largest queries; CHAINKG_PORTABILITY_ALL=1 runs every value), and each of the others.
PRIMARY_VALUES = None if os.environ.get("CHAINKG_PORTABILITY_ALL") else 6
#: Values always tried when a query takes them: the chains the issue found the engines disagreeing on.
ALWAYS = {f"https://w3id.org/chainkg/id/chain/{c}" for c in ("ic", "auto", "aerospace")}
OTHER_VALUES = 1
#: The entities two steps from a value (either direction), for the parameters after the first.
NEAR = """SELECT DISTINCT ?x ?v WHERE {
  { ?x ?p ?v } UNION { ?v ?p ?x } UNION { ?x ?p ?m . ?m ?q ?v } UNION { ?v ?p ?m . ?m ?q ?x }
  UNION { ?x ?p ?m . ?v ?q ?m } FILTER(isIRI(?x))
}"""


@pytest.fixture(scope="module")
def engines(jinan_store, tmp_path_factory):
    """The Jinan store (Oxigraph) and its ``chainkg export --format nq`` read by rdflib."""
    from kg.snapshots.export import export_snapshot

    folder = tmp_path_factory.mktemp("portability") / "snap"
    export_snapshot(jinan_store, folder, "nq")
    dataset = Dataset(default_union=True)
    dataset.parse(folder / "graph.nq", format="nquads")
    return jinan_store, dataset


def _values(store, text: str, **bound) -> list[ox.NamedNode | ox.Literal]:
    return sorted({row[0] for row in store.query(PREFIX + text, bound)}, key=str)


def _candidates(store, param) -> list:
    if param.kinds[0] in KIND_QUERIES:
        return [v for kind in param.kinds for v in _values(store, KIND_QUERIES[kind])]
    assert param.name in NAMED_QUERIES, f"add sample values for ?{param.name} ({param.kind}) to NAMED_QUERIES"
    return _values(store, NAMED_QUERIES[param.name])


def cases(store, text: str) -> list[dict]:
    """Bindings to run a query file with: none when it takes no parameter."""
    params = parameters(text)
    if not params:
        return [{}]
    first = next((p for p in params if p.required), params[0])
    out = []
    candidates = _candidates(store, first)
    picked = _spread(candidates, PRIMARY_VALUES)
    picked += [v for v in candidates if getattr(v, "value", None) in ALWAYS and v not in picked]
    for value in picked:
        case = {first.name: value}
        for param in params:
            if param is first or not param.required:
                continue
            pool = set(_candidates(store, param))
            near = [v for v in [value, *_values(store, NEAR, v=value)] if v in pool] if param.kinds[0] in (
                *KIND_QUERIES, "iri") else []
            case[param.name] = (near or sorted(pool, key=str))[:OTHER_VALUES]
        out.extend(_expand(case))
    return out


def _spread(values: list, count: int | None) -> list:
    """``count`` values taken evenly from the whole list (its first, and then every n-th), or all of them."""
    if count is None or len(values) <= count:
        return values
    return values[:: -(-len(values) // count)]


def _expand(case: dict) -> list[dict]:
    """One binding per combination of the listed values."""
    out = [{}]
    for name, value in case.items():
        values = value if isinstance(value, list) else [value]
        out = [{**c, name: v} for c in out for v in values]
    return out


def _from_rdflib(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def _key(term, separator: str | None = None):
    """A term as compared: its N-Triples text; typed numbers and booleans by value (engines may spell them apart);
    a GROUP_CONCAT value as the set of its space-separated parts (SPARQL leaves their order to the engine)."""
    if term is None:
        return None
    if separator is not None:
        return ("parts", tuple(sorted(term.value.split(separator))))
    if isinstance(term, ox.Literal) and not term.language:
        value = to_python(term)
        if isinstance(value, (int, float, bool)):
            return ("value", value)
    return str(term)


def ordered(text: str) -> bool:
    """Whether the query's outer result is ordered (ORDER BY after the last closing brace)."""
    body = re.sub(r"#[^\n]*", "", text)
    return "ORDER BY" in body[body.rfind("}"):].upper()


def concatenated(text: str) -> dict[str, str]:
    """The variables a query makes with GROUP_CONCAT, and their separators (lists whose order SPARQL leaves open)."""
    found = re.findall(r"GROUP_CONCAT\(((?:[^()]|\([^()]*\))*)\)\s+AS\s+\?(\w+)", text, re.I)
    return {name: (re.findall(r'SEPARATOR\s*=\s*"([^"]*)"', inner, re.I) or [" "])[0] for inner, name in found}


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def run_both(store, dataset, text: str, bindings: dict) -> tuple[list, list]:
    """The rows of a query on each engine, as tuples of comparable keys."""
    oxigraph = store.query(text, bindings)
    names = [v.value for v in oxigraph.variables]
    sets = [concatenated(text).get(n) for n in names]
    left = [tuple(_key(solution[n], s) for n, s in zip(names, sets)) for solution in oxigraph]
    rdf = dataset.query(bind_values(without_lateral(text), bindings))
    right = [tuple(_key(_from_rdflib(row[n]) if n in row.labels else None, s) for n, s in zip(names, sets))
             for row in rdf]
    return left, right


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_query_file_gives_the_same_rows_on_both_engines(engines, path):
    store, dataset = engines
    text = _text(path)
    if not re.search(r"^\s*SELECT\b", re.sub(r"#[^\n]*|PREFIX[^\n]*", "", text), re.I | re.M):
        assert re.search(r"^\s*CONSTRUCT\b", re.sub(r"#[^\n]*|PREFIX[^\n]*", "", text), re.I | re.M), path.name
        assert not parameters(text), f"{path.name}: a CONSTRUCT with parameters: add its cases"
        ours = Graph()
        ours.parse(data=ox.serialize(store.query(text), format=ox.RdfFormat.N_TRIPLES).decode("utf-8"),
                   format="nt")
        theirs = dataset.query(text).graph
        assert len(ours) > 0 and isomorphic(ours, theirs), f"{path.name}: the engines build different graphs"
        return
    runs = cases(store, text)
    assert runs, f"{path.name}: no values to bind"
    differing = []
    for bindings in runs:
        left, right = run_both(store, dataset, text, bindings)
        same = left == right if ordered(text) else sorted(left, key=repr) == sorted(right, key=repr)
        if not same:
            differing.append(({k: v.value for k, v in bindings.items()}, sorted(set(left) ^ set(right), key=repr)[:4],
                              len(left), len(right)))
    assert not differing, f"{path.name}: {len(differing)} of {len(runs)} cases differ: {differing[:3]}"
