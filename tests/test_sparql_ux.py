"""`chainkg sparql` for people writing queries: the project's prefixes need no declaration, parameters are bound with
--bind (names resolved like any name argument, typed literals by declaration), a shipped query left without a required
parameter is refused by name, and a syntax error shows where it is instead of the parser's grammar."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg.errors import ChainKGError, QueryRefused
from kg.query import PARAM_TYPES, parameters
from kg.sparql import QUERY_PREFIXES, _engine_syntax_error, check_query, with_prefixes

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "kg" / "queries").glob("*.rq")) + sorted((ROOT / "examples").glob("*.rq"))
IC = "https://w3id.org/chainkg/id/chain/ic"


def run(store, *args, text: str | None = None):
    return CliRunner().invoke(cli, ["sparql", *args, "--store", str(store.path)], input=text)


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]


# --- prefixes ---------------------------------------------------------------------------------------------------

def test_the_projects_prefixes_need_no_declaration(jinan_store):
    text = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a ckg:LandmarkChain ; skos:prefLabel ?l FILTER(LANG(?l) = 'zh') }"
    result = run(jinan_store, "-", "--format", "json", text=text)
    assert rows(result) == [{"n": "13"}]


def test_a_prefix_the_query_declares_is_its_own(jinan_store):
    text = "PREFIX ckg: <urn:elsewhere#>\nSELECT (COUNT(?c) AS ?n) WHERE { ?c a ckg:LandmarkChain }"
    assert rows(run(jinan_store, "-", "--format", "json", text=text)) == [{"n": "0"}]
    assert with_prefixes(text)[0].count("PREFIX ckg:") == 1


def test_prefixes_are_listed(jinan_store):
    result = run(jinan_store, "--prefixes", "--format", "csv")
    listed = {r["prefix"]: r["iri"] for r in csv.DictReader(io.StringIO(result.output.lstrip("\ufeff")))}
    assert listed == {f"{p}:": iri for p, iri in QUERY_PREFIXES.items()}
    assert listed["ckg:"] == "https://w3id.org/chainkg/ontology#" and listed["ckgg:"].endswith("/id/graph/")


# --- syntax errors ----------------------------------------------------------------------------------------------

def _message(text: str) -> str:
    with pytest.raises(QueryRefused) as caught:
        check_query(text)
    return str(caught.value)


def test_an_unknown_prefix_is_named_with_its_place_not_the_grammar():
    message = _message("SELECT ?c WHERE {\n  ?c a ckg:LandmarkChain ;\n     foo:bar ?x }")
    first, line, caret = message.splitlines()
    assert first.startswith("not a valid SPARQL query (line 3, column 6): unknown prefix 'foo:'")
    assert line == "  3 |      foo:bar ?x }" and caret.index("^") == line.index("foo:")
    assert "\\u{" not in message and "expected one of" not in message


@pytest.mark.parametrize("text, line, column, token", [
    ("SELECT ?c WHER { ?c ?p ?o }", 1, 11, "WHER"),
    ("SELECT ?c WHERE {\n ?c ?p \"济南\" .\n  ?x ?y ?z ?w }", 3, 12, "?w"),
    ("# a comment\nSELECT ?c WHERE { ?c ?p ?o } ORDER ?c", 2, 30, "ORDER"),
])
def test_a_syntax_error_shows_line_column_and_a_caret(text, line, column, token):
    message = _message(text)
    first, shown, caret = message.splitlines()
    assert first == f"not a valid SPARQL query (line {line}, column {column}): unexpected '{token}'"
    assert shown == f"  {line} | {text.splitlines()[line - 1]}"
    assert caret.index("^") == shown.index(" | ") + 3 + column - 1


def test_the_caret_counts_wide_characters_twice():
    message = _message('SELECT ?c WHERE { ?c ?p "济南" ?x ?y }')
    shown, caret = message.splitlines()[1:]
    assert caret.index("^") == shown.index("?x") + 2  # 济南 take two columns each on a terminal


def test_a_missing_brace_says_the_query_ends_too_early():
    assert "ends too early" in _message("SELECT ?c WHERE { ?c ?p ?o ")


def test_the_engines_grammar_is_not_shown():
    oxigraph = ("error at 2:5: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}' | "
                "'\\u{0300}'..='\\u{036F}']")
    message = _engine_syntax_error("PREFIX a: <urn:a>\nSELECT ?x WHERE { ?x ?p ?o }", 1, oxigraph)
    assert message.splitlines()[0] == "not a valid SPARQL query (line 1, column 5): unexpected 'CT'"
    assert "\\u{" not in message


def test_cli_prints_the_place_of_the_error(jinan_store):
    result = run(jinan_store, "-", text="SELECT ?c WHERE { ?c a foo:LandmarkChain }")
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == ["  1 | SELECT ?c WHERE { ?c a foo:LandmarkChain }",
                                              "    |                        ^"]


# --- parameters -------------------------------------------------------------------------------------------------

def test_bind_resolves_a_chain_name(jinan_store):
    got = rows(run(jinan_store, str(ROOT / "examples" / "chain_policies.rq"), "--bind", "chain=IC", "--format", "json"))
    assert got and {r["chain"] for r in got} == {IC}
    assert {r["support"] for r in got} >= {"chain", "all chains"}


def test_bind_an_undeclared_variable_named_after_a_kind(jinan_store):
    text = "SELECT ?name WHERE { ?chain skos:prefLabel ?name FILTER(LANG(?name) = 'en') }"
    assert rows(run(jinan_store, "-", "--bind", "chain=集成电路", "--format", "json", text=text)) == [
        {"name": "Integrated Circuits"}]


def test_a_name_that_resolves_to_nothing_is_refused_with_suggestions(jinan_store):
    result = run(jinan_store, str(ROOT / "examples" / "chain_policies.rq"), "--bind", "chain=集成电路x")
    assert result.exit_code == 2 and "no chain named" in result.output and "集成电路" in result.output


@pytest.mark.parametrize("path", [p for p in SHIPPED if any(x.required for x in parameters(p.read_text()))],
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_shipped_query_without_its_parameter_is_refused_by_name(jinan_store, path):
    required = [p.name for p in parameters(path.read_text(encoding="utf-8")) if p.required]
    result = run(jinan_store, str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: the query needs ?{required[0]} (")
    assert all(f"--bind {name}=" in result.output for name in required)


def test_a_parameter_the_query_does_not_declare_is_refused(jinan_store):
    result = run(jinan_store, str(ROOT / "examples" / "chain_policies.rq"), "--bind", "chian=IC")
    assert result.exit_code == 1 and "takes no parameter ?chian; it takes ?chain (chain)" in result.output


def test_a_variable_the_query_does_not_have_is_refused(jinan_store):
    result = run(jinan_store, "-", "--bind", "nope=1", text="SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 1 and "no variable ?nope to bind" in result.output


def test_a_declared_type_makes_a_typed_literal_and_checks_it(jinan_store):
    path = str(ROOT / "examples" / "policies_since.rq")
    got = rows(run(jinan_store, path, "--bind", "since=2025", "--format", "json"))
    assert got and all(r["issued"][:4] >= "2025" for r in got)
    bad = run(jinan_store, path, "--bind", "since=twenty")
    assert bad.exit_code == 1 and "'twenty' is not an xsd:integer" in bad.output


def test_a_type_written_with_the_name(jinan_store):
    text = "SELECT ?next WHERE { BIND(?year + 1 AS ?next) }"
    assert rows(run(jinan_store, "-", "--bind", "year:integer=2023", "--format", "json", text=text)) == [
        {"next": "2024"}]


@pytest.mark.parametrize("text", ["SELECT ?v WHERE { }", "SELECT ?s WHERE { BIND(STR(?v) AS ?s) }"])
def test_a_value_is_bound_as_a_term_never_as_query_text(jinan_store, text):
    value = 'x" } ; DROP ALL ; # \\ <urn:y>'
    got = rows(run(jinan_store, "-", "--bind", f"v:string={value}", "--format", "json", text=text))
    assert list(got[0].values()) == [value]


def test_a_malformed_bind_is_refused(jinan_store):
    result = run(jinan_store, "-", "--bind", "no equals sign", text="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 1 and "write NAME=VALUE" in result.output


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_declared_parameter_is_a_variable_of_its_query(path):
    text = path.read_text(encoding="utf-8")
    body = re.sub(r"#[^\n]*", "", text)
    for param in parameters(text):
        assert set(param.kinds) <= set(PARAM_TYPES)
        assert re.search(rf"[?$]{param.name}\b", body), f"{path.name}: ?{param.name} is declared but not used"


def test_a_malformed_declaration_is_an_error():
    with pytest.raises(ChainKGError, match="line 2: .* is not a parameter declaration"):
        parameters("# q\n# Param: ?chain chian\nSELECT * {}")
