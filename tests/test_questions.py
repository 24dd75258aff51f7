"""Planner questions on the real Jinan data, from the CLI: the issue's must-show answers, name resolution, safety."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from cli import cli
from kg.errors import Ambiguous, NotFound
from kg.resolve import resolve


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "store"
    CliRunner().invoke(cli, ["build", "--store", str(path)], catch_exceptions=False)
    return path


def run(store_path, *args, expect=0):
    result = CliRunner().invoke(cli, [*args, "--store", str(store_path)])
    assert result.exit_code == expect, result.output
    return result


def as_json(store_path, *args):
    return json.loads(run(store_path, *args, "--format", "json").output)


def test_policies_for_ic_include_the_action_plan_as_general(store_path, jinan_store):
    policies = as_json(store_path, "policies", "集成电路")
    by_number = {p["doc_number"]: p for p in policies if p["doc_number"]}
    assert by_number["济发〔2023〕7号"]["support"] == "general"
    for policy in policies:
        assert set(policy) >= {"title", "doc_number", "issuer", "date", "support", "sources"}
        assert policy["sources"] and all(s["label"] for s in policy["sources"])
    # every chain-specific document the data links to the chain is there, as direct
    linked = {s["title"].value for s in jinan_store.query("""
        PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title WHERE {
          ?p ckg:supportsChain|ckg:supportsSegment/ckg:segmentOf <https://w3id.org/chainkg/id/chain/ic> ;
             dcterms:title ?title }""")}
    direct = {p["title"] for p in policies if p["support"] == "direct"}
    assert linked <= direct


def test_policies_for_ai_are_direct(store_path):
    policies = {p["title"]: p for p in as_json(store_path, "policies", "人工智能")}
    assert policies["济南市新一代人工智能高质量发展行动计划(2024—2026年)"]["support"] == "direct"
    assert policies["济南市数字经济促进条例"]["support"] == "direct"


@pytest.mark.parametrize("alias", ["空天信息", "空天 信息", "航空航天暨低空經濟", "航空航天暨低空经济产业链"])
def test_policies_resolve_aliases(store_path, alias):
    titles = {p["title"] for p in as_json(store_path, "policies", alias)}
    assert "济南市空天信息产业高质量发展行动计划(2024—2027年)" in titles


def test_district_licheng_shows_positioning_and_sugon(store_path):
    profile = as_json(store_path, "district", "历城区")
    text = " ".join(p["text"] for p in profile["positioning"])
    for word in ("3+2", "现代医药", "集成电路", "高端装备", "人工智能", "空天信息"):
        assert word in text
    assert "中科曙光" in {e["name"] for e in profile["enterprises"]}
    table = run(store_path, "district", "历城区").output
    assert "中科曙光" in table and "3+2" in table and "== 来源 ==" in table


def test_chain_profile_orders_segments_and_masters_first(store_path):
    profile = as_json(store_path, "chain", "现代医药")
    sequences = [s["sequence"] for s in profile["segments"]]
    assert sequences == sorted(sequences) and len(sequences) >= 4
    roles = [e["role"] for e in profile["enterprises"]]
    assert roles[0] == "chain_master" and "齐鲁制药集团" in profile["enterprises"][0]["name"]
    assert profile["policies"] and profile["indicators"]


def test_enterprises_filters(store_path):
    everyone = as_json(store_path, "enterprises", "汽车")
    laiwu = as_json(store_path, "enterprises", "汽车", "--district", "莱芜区")
    assert laiwu and len(laiwu) < len(everyone)
    assert all("莱芜区" in e["districts"] for e in laiwu)


def _all_rows(store, chain, **filters):
    from kg import questions

    return questions.chain_enterprises(store, chain, limit=10_000, **filters)


@pytest.mark.parametrize("filters", [{}, {"district": "莱芜区"}, {"segment": "整车制造"}])
def test_enterprise_pages_do_not_overlap_and_add_up(jinan_store, filters):
    from kg import questions

    full = _all_rows(jinan_store, "汽车", **filters)
    assert full["total"] == len(full["rows"]) > 0
    seen = []
    for offset in range(0, full["total"] + 3, 3):
        page = questions.chain_enterprises(jinan_store, "汽车", limit=3, offset=offset, **filters)
        assert page["total"] == full["total"] and page["offset"] == offset and len(page["rows"]) <= 3
        seen += [r["iri"] for r in page["rows"]]
    assert len(seen) == len(set(seen)), "pages overlap"
    assert set(seen) == {r["iri"] for r in full["rows"]}
    roles = [r["role"] for r in full["rows"]]
    assert roles == sorted(roles, key=("chain_master", "leading", "member").index)


def test_enterprise_filters_are_in_the_query(jinan_store):
    everyone = _all_rows(jinan_store, "汽车")
    laiwu = _all_rows(jinan_store, "汽车", district="莱芜区")
    battery = _all_rows(jinan_store, "汽车", segment="整车制造")
    assert 0 < laiwu["total"] < everyone["total"] and all(r["districts"] == ["莱芜区"] for r in laiwu["rows"])
    assert 0 < battery["total"] < everyone["total"] and all(r["segments"] == ["整车制造"] for r in battery["rows"])
    both = _all_rows(jinan_store, "汽车", district="莱芜区", segment="整车制造")
    assert {r["iri"] for r in both["rows"]} == {r["iri"] for r in laiwu["rows"]} & {r["iri"] for r in battery["rows"]}


def test_enterprises_cli_pages(store_path):
    first = run(store_path, "enterprises", "汽车", "--limit", "2").output
    assert "第 1-2 行" in first and "下一页:--offset 2" in first
    english = run(store_path, "enterprises", "汽车", "--limit", "2", "--lang", "en").output
    assert "rows 1-2 of " in english and "next page: --offset 2" in english
    firsts = {e["iri"] for e in as_json(store_path, "enterprises", "汽车", "--limit", "2")}
    seconds = {e["iri"] for e in as_json(store_path, "enterprises", "汽车", "--limit", "2", "--offset", "2")}
    everyone = {e["iri"] for e in as_json(store_path, "enterprises", "汽车")}
    assert len(firsts) == len(seconds) == 2 and not firsts & seconds and firsts | seconds <= everyone


def test_policy_by_number_shows_what_it_is_evaluated_by(store_path):
    profile = as_json(store_path, "policy", "济发〔2023〕7号")
    assert profile["policy"]["doc_number"] == "济发〔2023〕7号"
    assert any(link["relation"] == "evaluates" and link["direction"] == "in" for link in profile["links"])


def test_parks_for_medicine(store_path):
    parks = {p["name"] for p in as_json(store_path, "parks", "现代医药")}
    assert "济南生物医药港" in parks


def test_unknown_name_exits_2_with_suggestions(store_path):
    result = run(store_path, "policies", "集成电轮", expect=2)
    assert "did you mean" in result.output and "集成电路" in result.output


def test_ambiguous_name_lists_candidates(jinan_store):
    with pytest.raises((Ambiguous, NotFound)) as err:
        resolve(jinan_store, "产业", kinds=("chain",))
    assert isinstance(err.value, Ambiguous) and len(err.value.candidates) > 1


@pytest.mark.parametrize("text", ["ＩＣ", "ic", " 集成\u200b电路 ", "芯片", "集成電路"])
def test_resolution_tolerates_width_spaces_and_traditional(jinan_store, text):
    assert resolve(jinan_store, text, kinds=("chain",)).iri.endswith("/chain/ic")


def _tree_hash(path):
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + file.read_bytes())
    return digest.hexdigest()


INJECTIONS = ['x" || true || "', 'x" } ; DELETE WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> "p',
              "zz\\u0022 || true || \\u0022"]


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("command", ["policies", "chain", "enterprises", "parks", "district", "policy", "show"])
def test_injection_payloads_are_plain_misses(store_path, command, payload):
    before = _tree_hash(store_path)
    result = run(store_path, command, payload, expect=2)
    assert result.output.startswith("Error: no ") and "Traceback" not in result.output
    assert _tree_hash(store_path) == before


@pytest.mark.parametrize(("query", "message"), [
    ("DELETE WHERE {?s ?p ?o}", "updates are not allowed"),
    ("LOAD <file:///etc/hostname>", "updates are not allowed"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://example.org/s> { ?s ?p ?o } } }", "SERVICE"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are not allowed"),
    ("SELEC nonsense", "not a valid SPARQL query"),
])
def test_sparql_refuses_updates_and_service(store_path, query, message):
    before = _tree_hash(store_path)
    result = CliRunner().invoke(cli, ["sparql", "-", "--store", str(store_path)], input=query)
    assert result.exit_code == 1 and message in result.output
    assert _tree_hash(store_path) == before


def test_sparql_select_json_and_construct(store_path):
    query = ("PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
             "SELECT (COUNT(?c) AS ?n) WHERE { ?c a ckg:LandmarkChain }")
    result = CliRunner().invoke(cli, ["sparql", "-", "--format", "json", "--store", str(store_path)], input=query)
    assert json.loads(result.output)["results"]["bindings"][0]["n"]["value"] == "13"
    construct = ("PREFIX ckg: <https://w3id.org/chainkg/ontology#> "
                 "CONSTRUCT { ?c a ckg:LandmarkChain } WHERE { ?c a ckg:LandmarkChain }")
    result = CliRunner().invoke(cli, ["sparql", "-", "--store", str(store_path)], input=construct)
    assert result.exit_code == 0 and result.output.count("LandmarkChain") == 13


# Sized for a million enterprises: the pages, counts and capped lists read the build's summary graph. These check
# that what they give equals what live SPARQL gives, on stores small enough to count live.

@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    from kg.build import build_store
    from kg.data.synth import synthesize

    folder = tmp_path_factory.mktemp("synth") / "data"
    synthesize(folder, enterprises=1500, cities=1, seed=3)
    return build_store(folder, tmp_path_factory.mktemp("synth-store") / "store")


LIVE = """PREFIX ckg: <https://w3id.org/chainkg/ontology#>
SELECT ?chain ?place (COUNT(DISTINCT ?e) AS ?n) WHERE {
  { ?e ckg:chainMasterOf|ckg:leadingEnterpriseOf|ckg:memberOfChain ?chain }
  UNION { ?e ckg:inSegment/ckg:segmentOf ?chain }
  { ?e ckg:locatedIn ?place } UNION { ?e ckg:inPark/ckg:locatedIn ?place } UNION { ?e ckg:inPark ?place }
  ?e a ckg:Enterprise
} GROUP BY ?chain ?place"""


def _largest_chain(store):
    from kg import questions

    chains = questions.list_chains(store, "all")["chains"]
    return max(chains, key=lambda c: questions.chain_enterprises(store, c["name"], limit=0)["total"])["name"]


@pytest.mark.parametrize("size", [7, 50, 64])
def test_member_pages_do_not_overlap_and_concatenate_to_the_full_list_in_order(synth_store, size):
    from kg import questions

    chain = _largest_chain(synth_store)
    full = questions.chain_enterprises(synth_store, chain, limit=100_000)
    assert full["total"] == len(full["rows"]) > 120, "spans several member pages"
    order = [(("chain_master", "leading", "member").index(r["role"]), r["name"], r["iri"]) for r in full["rows"]]
    assert order == sorted(order)
    seen = []
    for offset in range(0, full["total"] + size, size):
        page = questions.chain_enterprises(synth_store, chain, limit=size, offset=offset)
        assert page["total"] == full["total"] and len(page["rows"]) == min(size, max(0, full["total"] - offset))
        seen += [r["iri"] for r in page["rows"]]
    assert seen == [r["iri"] for r in full["rows"]]
    live = synth_store.query("PREFIX ckg: <https://w3id.org/chainkg/ontology#> SELECT ?c (COUNT(DISTINCT ?e) AS ?n) "
                             "WHERE { { ?e ckg:chainMasterOf|ckg:leadingEnterpriseOf|ckg:memberOfChain ?c } UNION "
                             "{ ?e ckg:inSegment/ckg:segmentOf ?c } } GROUP BY ?c",
                             {"c": __import__("pyoxigraph").NamedNode(questions.resolve_chain(synth_store, chain).iri)})
    assert int(next(iter(live))["n"].value) == full["total"]


@pytest.mark.parametrize("store_name", ["mini_store", "jinan_store", "synth_store"])
def test_profile_counts_equal_live_counts(request, store_name):
    from kg import questions

    store = request.getfixturevalue(store_name)
    live = {(r["chain"].value, r["place"].value): int(r["n"].value) for r in store.query(LIVE)}
    for chain in questions.list_chains(store, "all")["chains"]:
        profile = questions.chain_profile(store, chain["name"])
        for row in profile["parks"] + profile["places"]:
            assert row["enterprise_count"] == live.get((chain["iri"], row["iri"]), 0), (chain["name"], row["name"])
            names = row.get("enterprises", row.get("via"))
            if 0 < row["enterprise_count"] <= questions.NAMED_UP_TO and "enterprise" in str(row["basis"]):
                assert len(set(names) - {p["name"] for p in profile["parks"]}) == row["enterprise_count"]
        held = {p for (c, p), n in live.items() if c == chain["iri"] and n}
        assert held <= {r["iri"] for r in profile["parks"] + profile["places"]}
        total = questions.chain_enterprises(store, chain["name"], limit=0)["total"]
        assert profile["enterprise_total"] == total


def test_district_profile_pages_and_counts(synth_store):
    from kg import profiles, questions

    place = max((r for r in synth_store.query(
        "PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?name WHERE { ?p a ckg:District ; skos:prefLabel ?name FILTER(LANG(?name) = 'zh') }")),
                key=lambda r: r["name"].value)["name"].value
    first = profiles.district_profile(synth_store, place)
    assert first["enterprise_total"] > len(first["enterprises"]) == questions.PAGE
    seen = []
    for offset in range(0, first["enterprise_total"], 200):
        page = profiles.district_profile(synth_store, place, limit=200, offset=offset)
        seen += [e["iri"] for e in page["enterprises"]]
    assert len(seen) == len(set(seen)) == first["enterprise_total"]
    live = {r["chain"].value: int(r["n"].value) for r in synth_store.query(LIVE)
            if r["place"].value == resolve(synth_store, place, kinds=("place",)).iri}
    assert {c["iri"]: c["enterprise_count"] for c in first["chains"] if c["enterprise_count"]} == \
        {c: n for c, n in live.items() if c in {x["iri"] for x in first["chains"]}}


def test_show_caps_the_links_to_an_entity(synth_store):
    from kg import describe

    chain = _largest_chain(synth_store)
    result = describe.describe(synth_store, chain)
    counts = {c["property"]: c for c in result["links_in_counts"]}
    assert counts["memberOfChain"]["total"] > counts["memberOfChain"]["shown"] == describe.LINKS_SHOWN
    assert sum(1 for f in result["links_in"] if f["property"] == "memberOfChain") == describe.LINKS_SHOWN
    from kg.views import show_view

    assert f"显示 {describe.LINKS_SHOWN} 条" in show_view(result, "zh")[1].note
    assert f"{describe.LINKS_SHOWN} of " in show_view(result, "en")[1].note
