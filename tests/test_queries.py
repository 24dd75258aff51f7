"""Every named query of kg/queries/ runs as-is against the fixture store and gives exactly the rows worked out by
hand from tests/fixtures/mini (projected on the columns that carry the meaning; sources are checked elsewhere)."""

from __future__ import annotations

import hashlib

import pytest

from kg.query import iri, literal, query_names, select

ID = "https://w3id.org/chainkg/id/"
CKG = "https://w3id.org/chainkg/ontology#"


def short(value):
    if isinstance(value, str):
        return value.replace(ID, "").replace(CKG, "ckg:")
    return value


# name: (bindings, projected columns, expected set of rows)
def _shared(table: str, sources: str, confidence: str) -> str:
    return f"assertion/{table}/shared-{hashlib.sha1(f'{sources}|{confidence}'.encode()).hexdigest()[:12]}"


CASES = {
    "chain_enterprises": ({"chain": "chain/chips"}, ("enterprise", "role", "segment", "district"), {
        ("ent/alpha", "chain_master", "seg/chips-fab", "zone/hitech"),
        ("ent/alpha", "member", "seg/chips-fab", "zone/hitech"),
        ("ent/beta", "member", "seg/chips-design", "dist/370112"),
        ("ent/gamma", "leading", "seg/chips-pack", "dist/370112"),
        ("ent/gamma", "member", "seg/chips-pack", "dist/370112"),
    }),
    # paging (chain_enterprises): alpha is the chain-master, gamma leading; the members are the rest
    "chain_anchors": ({"chain": "chain/chips"}, ("enterprise",), {("ent/alpha",), ("ent/gamma",)}),
    "chain_members": ({"chain": "chain/chips", "scope": "chain/chips"}, ("enterprise",), {("ent/beta",)}),
    "chain_members_in": ({"chain": "chain/chips", "scope": "chain/chips", "district": "zone/hitech"},
                         ("enterprise",), set()),
    "chain_member_count": ({"chain": "chain/chips", "scope": "seg/chips-design"}, ("members",), {(1,)}),
    "chain_member_count_in": ({"chain": "chain/chips", "scope": "chain/chips", "district": "dist/370112"},
                              ("members",), {(1,)}),
    "chain_segment_counts": ({"chain": "chain/chips"}, ("segment", "enterprises"), {
        ("seg/chips-design", 1), ("seg/chips-fab", 1), ("seg/chips-pack", 1)}),
    "chain_district_counts": ({"chain": "chain/chips"}, ("district", "enterprises"), {
        ("dist/370112", 2), ("zone/hitech", 1)}),
    # parks and places by a source; those holding the chain's enterprises: the tallies, and a few by name
    "chain_parks": ({"chain": "chain/chips"}, ("park", "basis", "enterprise", "district"), {
        ("park/chip-park", "carries", None, "zone/hitech"),
        ("park/devzone", "carries", None, "dist/370112"),
    }),
    "chain_park_enterprises": ({"chain": "chain/chips", "park": "park/chip-park"},
                               ("park", "basis", "enterprise", "district"), {
        ("park/chip-park", "enterprise", "ent/alpha", "zone/hitech"),
    }),
    "chain_places": ({"chain": "chain/chips"}, ("place", "basis", "via"), {
        ("dist/370112", "park", "park/devzone"),
        ("dist/370112", "positioned", None),
        ("zone/hitech", "park", "park/chip-park"),
        ("zone/hitech", "positioned", None),
    }),
    "chain_place_enterprises": ({"chain": "chain/chips", "place": "dist/370112"}, ("place", "basis", "via"), {
        ("dist/370112", "enterprise", "ent/beta"),
        ("dist/370112", "enterprise", "ent/gamma"),
    }),
    "chain_tallies": ({"chain": "chain/chips"}, ("place", "is_park", "enterprises", "district"), {
        ("dist/370112", False, 2, None), ("zone/hitech", False, 1, None),
        ("park/chip-park", True, 1, "zone/hitech"), ("park/devzone", True, 1, "dist/370112"),
    }),
    # the summary graph: member pages (alpha chain-master, gamma leading, beta member) and counts
    "page_enterprises": ({"page": "summary/page/chips/0", "chain": "chain/chips"},
                         ("enterprise", "role", "segment", "district"), {
        ("ent/alpha", "chain_master", "seg/chips-fab", "zone/hitech"),
        ("ent/alpha", "member", "seg/chips-fab", "zone/hitech"),
        ("ent/beta", "member", "seg/chips-design", "dist/370112"),
        ("ent/gamma", "leading", "seg/chips-pack", "dist/370112"),
        ("ent/gamma", "member", "seg/chips-pack", "dist/370112"),
    }),
    "member_page": ({"page": "summary/page/chips/0"}, ("enterprise",), {("ent/alpha",), ("ent/beta",), ("ent/gamma",)}),
    "enterprise_count": ({"entity": "chain/chips"}, ("enterprises",), {(3,)}),
    "tally_count": ({"of": "chain/chips", "in": "dist/370112"}, ("enterprises",), {(2,)}),
    "chain_policies": ({"chain": "chain/chips"}, ("policy", "support", "via", "doc_number"), {
        ("pol/chip-plan", "direct", "chain/chips", None),
        ("pol/plan", "general", None, "测发〔2023〕7号"),
    }),
    "chain_info": ({"chain": "chain/wafers"}, ("landmark", "group", "confirmed", "parent"), {
        (False, None, False, "chain/chips"),
    }),
    "chain_segments": ({"chain": "chain/chips"}, ("segment", "position", "sequence", "supplies_to", "code"), {
        ("seg/chips-materials", "ckg:Upstream", 1, "seg/chips-design", "3985"),
        ("seg/chips-materials", "ckg:Upstream", 1, "seg/chips-fab", "3985"),
        ("seg/chips-design", "ckg:Midstream", 2, "seg/chips-fab", "6520"),
        ("seg/chips-fab", "ckg:Midstream", 3, "seg/chips-pack", "3973"),
        ("seg/chips-pack", "ckg:Downstream", 4, "seg/chips-apps", "3973"),
        ("seg/chips-apps", "ckg:Downstream", 5, None, "3911"),
    }),
    "chains": ({}, ("chain", "tier_class", "group", "confirmed", "parent", "target", "declared_key"), {
        ("chain/chips", "ckg:LandmarkChain", "ckg:EmergingGroup", True, None, 500, 3),
        ("chain/drugs", "ckg:LandmarkChain", "ckg:AdvantageGroup", True, None, None, 3),
        ("chain/wafers", "ckg:KeyChain", None, False, "chain/chips", None, 3),
    }),
    "entity_facts": ({"entity": "ent/beta"}, ("direction", "p", "o"), {
        ("out", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "ckg:Enterprise"),
        ("out", "http://www.w3.org/2004/02/skos/core#prefLabel", "乙设计公司"),
        ("out", "http://www.w3.org/2004/02/skos/core#prefLabel", "Beta Design"),
        ("out", "ckg:inSegment", "seg/chips-design"),
        ("out", "ckg:locatedIn", "dist/370112"),
        ("out", "ckg:memberOfChain", "chain/chips"),
    }),
    "entity_facts_out": ({"entity": "ent/beta"}, ("direction", "p", "o"), {
        ("out", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "ckg:Enterprise"),
        ("out", "http://www.w3.org/2004/02/skos/core#prefLabel", "乙设计公司"),
        ("out", "http://www.w3.org/2004/02/skos/core#prefLabel", "Beta Design"),
        ("out", "ckg:inSegment", "seg/chips-design"),
        ("out", "ckg:locatedIn", "dist/370112"),
        ("out", "ckg:memberOfChain", "chain/chips"),
    }),
    "entity_links_in": ({"entity": "chain/chips", "p": "ckg:memberOfChain"}, ("direction", "o"), {
        ("in", "ent/beta"),
    }),
    "entity_link_subjects": ({"entity": "chain/chips", "p": "ckg:memberOfChain"}, ("o",), {("ent/beta",)}),
    "link_properties": ({}, ("p",), None),  # checked below: every object property of the ontology
    "entity_sources": ({"entity": "chain/drugs"}, ("class", "source", "confidence"), {
        ("ckg:IndustrialChain", "src/F1", "ckg:Partial"),
        ("ckg:LandmarkChain", "src/F1", "ckg:Partial"),
    }),
    # Rows without a quote or note share one graph per table, sources and confidence (kg.emit.Emitter.graph_of).
    "names_by_key": ({"key": "lit:乙设计公司"}, ("entity",), {("ent/beta",)}),
    "names_by_credit_code": ({"code": "lit:91110000600037341L"}, ("entity",), {("ent/alpha",)}),
    "names_enterprises": ({}, ("entity", "key"), {
        ("ent/alpha", "甲芯片公司"), ("ent/alpha", "alphachips"),
        ("ent/beta", "乙设计公司"), ("ent/beta", "betadesign"),
    }),
    "pref_labels": ({}, ("entity", "label"), {("ent/alpha", "甲芯片公司"), ("ent/alpha", "Alpha Chips")}),
    "enterprises_in_store": ({}, ("n",), {(5,)}),
    "coverage_located": ({}, ("chain", "located"), {("chain/chips", 3), ("chain/drugs", 1)}),
    "names_of": ({"entity": "park/chip-park"}, ("class",), {("ckg:Park",), ("ckg:Place",)}),
    "names_small": ({}, ("entity", "class", "key"), set()),
    "graph_sources": ({"entity": "ent/beta"}, ("g", "source"), {
        (_shared("enterprises", "src:F1", "confirmed"), "src/F1"),
        (_shared("links", "src:F1", "confirmed"), "src/F1"),
        (_shared("links", "src:F1;src:M-SEG", "uncertain"), "src/F1"),
        (_shared("links", "src:F1;src:M-SEG", "uncertain"), "src/M-SEG"),
    }),
    "graph_sources_out": ({"entity": "ent/beta"}, ("g", "source"), {
        (_shared("enterprises", "src:F1", "confirmed"), "src/F1"),
        (_shared("links", "src:F1", "confirmed"), "src/F1"),
        (_shared("links", "src:F1;src:M-SEG", "uncertain"), "src/F1"),
        (_shared("links", "src:F1;src:M-SEG", "uncertain"), "src/M-SEG"),
    }),
    "row_sources": ({"g": _shared("links", "src:F1;src:M-SEG", "uncertain")}, ("source",), {
        ("src/F1",), ("src/M-SEG",),
    }),
    "indicators": ({"subject": "chain/chips"}, ("indicator", "value", "year", "kind", "set_by"), {
        ("ind/chip-target", 300, "2026", "target", "pol/chip-plan"),
        ("ind/chips-target-2030", 500, "2030", "target", None),
    }),
    "indicator_series": ({"subject": "chain/chips"}, ("indicator", "value", "year", "kind", "qualifier", "measure"), {
        ("ind/chip-target", 300, "2026", "target", None, None),
        ("ind/chips-target-2030", 500, "2030", "target", None, None),
    }),
    "place_chains": ({"place": "dist/370112"}, ("chain", "basis", "via"), {
        ("chain/chips", "park", "park/devzone"),
        ("chain/chips", "positioned", None),
        ("chain/drugs", "positioned", None),
    }),
    "place_enterprises": ({"place": "dist/370112"}, ("enterprise", "park"), {
        ("ent/beta", None), ("ent/gamma", None), ("ent/gamma", "park/devzone"),
    }),
    "place_enterprise_ids": ({"place": "dist/370112"}, ("enterprise",), {("ent/beta",), ("ent/gamma",)}),
    "place_tallies": ({"place": "dist/370112"}, ("chain", "tier", "enterprises"), {("chain/chips", "landmark", 2)}),
    "place_chain_enterprises": ({"place": "dist/370112", "chain": "chain/chips"}, ("chain", "basis", "via"), {
        ("chain/chips", "enterprise", "ent/beta"),
        ("chain/chips", "enterprise", "ent/gamma"),
    }),
    "place_parks": ({"place": "dist/370112"}, ("park", "level", "kind"), {
        ("park/devzone", "ckg:ProvincialLevel", "ckg:DevelopmentZone"),
    }),
    "place_policies": ({"place": "zone/hitech"}, ("policy", "basis"), {
        ("pol/chip-plan", "applies"), ("pol/chip-plan", "city"), ("pol/plan", "city"), ("pol/report", "city"),
    }),
    "policy_links": ({"policy": "pol/chip-plan"}, ("direction", "relation", "target", "target_kind"), {
        ("in", "cites", "pol/report", "ckg:PolicyDocument"),
        ("out", "applies_to", "zone/hitech", "ckg:FunctionalZone"),
        ("out", "supports", "chain/chips", "ckg:LandmarkChain"),
    }),
    "policy_targets": ({"set_by": "pol/chip-plan"}, ("indicator", "subject", "value", "unit"), {
        ("ind/chip-target", "chain/chips", 300, "亿元"),
    }),
    "labels": ({}, ("entity", "label", "kind"), None),  # checked below: too many rows to list
    "stats_classes": ({}, ("class", "entities"), None),
    "stats_confidence": ({}, ("confidence", "facts"), {
        # partial rows: chain:drugs (7 triples), zone:hitech (7), ent:gamma (5), three partial links (3)
        ("ckg:Confirmed", 218), ("ckg:Partial", 22), ("ckg:Uncertain", 70),
    }),
    "stats_unsourced": ({}, ("unsourced",), {(0,)}),
    # the fixture keeps two breaks of the confidence rules (docs/data.md): an alias resting on a modelling source
    # only, and a link whose quote (链主) does not name its chain
    "stats_confidence_rules": ({}, ("g", "rule"), {
        (_shared("aliases", "src:M-SEG", "confirmed"), "modelling-only"),
        ("assertion/links/ent.alpha/chain_master_of/chain.chips", "unnamed-chain"),
    }),
    # coverage and gaps (issue 4); multi-valued columns are checked split in tests/test_coverage.py
    "coverage_chain_totals": ({}, ("chain", "enterprise_count", "located_count"), {
        ("chain/chips", 3, 3), ("chain/drugs", 1, 1),
    }),
    "coverage_chains": ({}, ("chain", "tier", "group", "declared_key"), {
        ("chain/chips", "landmark", "ckg:EmergingGroup", 3), ("chain/drugs", "landmark", "ckg:AdvantageGroup", 3),
        ("chain/wafers", "key", None, 3),
    }),
    "coverage_places": ({}, ("place", "kind", "code", "positioning", "sources"), {
        ("dist/370112", "district", "370112", "芯片, 医药", "src/F2"),
        ("dist/370124", "county", "370124", None, "src/F1"),
        ("zone/hitech", "functional_zone", "370176", "芯片", "src/F2"),
    }),
    "gaps_policies": ({"chain": "chain/chips"}, ("policy", "scope", "target", "chain_count", "general"), {
        ("pol/chip-plan", "chain", "chain/chips", 1, False), ("pol/plan", "general", None, 0, True),
    }),
    "gaps_segments": ({"chain": "chain/chips"}, ("segment", "position", "sequence", "codes", "sources"), {
        ("seg/chips-materials", "ckg:Upstream", 1, "3985", "src/M-SEG"),
        ("seg/chips-design", "ckg:Midstream", 2, "6520", "src/M-SEG"),
        ("seg/chips-fab", "ckg:Midstream", 3, "3973", "src/M-SEG"),
        ("seg/chips-pack", "ckg:Downstream", 4, "3973", "src/M-SEG"),
        ("seg/chips-apps", "ckg:Downstream", 5, "3911", "src/M-SEG"),
    }),
    # the summary-graph queries of kg.projection (counts and tallies by kg/summary.py; examples bounded by the caller)
    "gaps_counts": ({"chain": "chain/chips"}, ("scope", "measure", "count"), {
        ("chain/chips", "enterprises", 3), ("chain/chips", "unplaced", 0), ("seg/chips-design", "enterprises", 1),
        ("seg/chips-fab", "enterprises", 1), ("seg/chips-pack", "enterprises", 1)}),
    "gaps_tallies": ({"chain": "chain/chips"}, ("scope", "place", "park", "count"), {
        ("chain/chips", "dist/370112", False, 2), ("chain/chips", "zone/hitech", False, 1),
        ("chain/chips", "park/devzone", True, 1), ("chain/chips", "park/chip-park", True, 1),
        ("seg/chips-pack", "park/devzone", True, 1), ("seg/chips-pack", "dist/370112", False, 1),
        ("seg/chips-design", "dist/370112", False, 1), ("seg/chips-fab", "zone/hitech", False, 1),
        ("seg/chips-fab", "park/chip-park", True, 1)}),
    "gaps_anchors": ({"chain": "chain/chips"}, ("enterprise", "role", "segment", "name_zh", "sources"), {
        ("ent/alpha", "chain_master", "seg/chips-fab", "甲芯片公司", "src/F1"),
        ("ent/gamma", "leading", "seg/chips-pack", "丙封测公司", "src/F1")}),
    "gaps_segment_examples": ({"segment": "seg/chips-fab"}, ("enterprise", "name_en"), {("ent/alpha", "Alpha Chips")}),
    "gaps_placement_sources": ({"chain": "chain/chips"}, ("segment", "source"), {
        (seg, src) for seg in ("seg/chips-fab", "seg/chips-design", "seg/chips-pack")
        for src in ("src/M-SEG", "src/F1")}),
    "gaps_unplaced": ({"chain": "chain/drugs"}, ("enterprise",), set()),
    "gaps_chain_parks": ({"chain": "chain/chips"}, ("park", "basis", "count", "sources"), {
        ("park/devzone", "enterprise", 1, ""), ("park/chip-park", "enterprise", 1, ""),
        ("park/devzone", "carries", None, "src/F1"), ("park/chip-park", "carries", None, "src/F1")}),
    "gaps_page_exists": ({"page": "summary/page/chips/0"}, ("page",), {("summary/page/chips/0",)}),
    "coverage_tallies": ({}, ("chain", "place", "park", "count"), {
        ("chain/drugs", "dist/370124", False, 1), ("chain/drugs", None, None, 1),
        ("chain/chips", "park/chip-park", True, 1), ("chain/chips", "park/devzone", True, 1),
        ("chain/chips", "zone/hitech", False, 1), ("chain/chips", "dist/370112", False, 2),
        ("chain/chips", None, None, 3)}),
    "coverage_pairs": ({}, ("chain_a", "chain_b", "count"), set()),
    "coverage_pair_examples": ({"page": "summary/page/chips/0", "chain_b": "chain/drugs"}, ("enterprise",), set()),
    "coverage_page_places": ({"page": "summary/page/chips/0"}, ("enterprise", "place"), {
        ("ent/alpha", "zone/hitech"), ("ent/gamma", "dist/370112"), ("ent/beta", "dist/370112")}),
    "coverage_district_links": ({}, ("place", "chain", "basis", "sources"), {
        ("dist/370112", "chain/chips", "park", ""), ("dist/370112", "chain/chips", "positioned", "src/F2"),
        ("zone/hitech", "chain/chips", "park", ""), ("zone/hitech", "chain/chips", "positioned", "src/F2"),
        ("dist/370112", "chain/drugs", "positioned", "src/F2")}),
    "coverage_bridge_places": ({}, ("entity",), set()),
    # export (large stores): the non-fact graphs counted; the facts as a CONSTRUCT (checked against Facts below)
    "export_counts": ({}, ("graph",), {("graph/ontology",), ("graph/provenance",), ("graph/names",),
                                       ("graph/summary",)}),
    "export_facts": ({}, (), set()),
    "gaps_sources": ({}, ("source", "kind", "date"), {
        ("src/F1", "ckg:DocumentSource", "2025-08-29"), ("src/F2", "ckg:DocumentSource", "2025-07"),
        ("src/GBT4754", "ckg:DatasetSource", "2017-06-30"), ("src/M-SEG", "ckg:ModellingSource", "2026"),
    }),
}


def test_every_query_file_has_a_case():
    assert set(query_names()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_rows(mini_store, name):
    bindings, columns, expected = CASES[name]
    if name == "export_facts":  # a CONSTRUCT: the facts of the store, as kg.snapshot.Facts finds them
        from kg.query import load_query
        from kg.snapshot import Facts

        triples = {(t.subject, t.predicate, t.object) for t in mini_store.query(load_query(name))}
        assert triples == Facts(mini_store.oxigraph.quads_for_pattern(None, None, None, None)).triples
        return
    rows = select(mini_store, name, **{k: literal(v[4:]) if v.startswith("lit:") else
                                       iri(CKG + v[4:]) if v.startswith("ckg:") else iri(ID + v)
                                       for k, v in bindings.items()})
    got = {tuple(short(r[c]) for c in columns) for r in rows}
    if name == "labels":
        chips = {(label, kind) for entity, label, kind in got if entity == "chain/chips"}
        assert chips == {("芯片", "pref"), ("Chips", "pref"), ("集成电路", "alt"), ("IC", "alt")}
        assert ("pol/plan", "测发〔2023〕7号", "docno") in got
        assert ("dist/370112", "370112", "code") in got
    elif name == "names_enterprises":
        assert expected <= got and {"ent/alpha", "ent/beta", "ent/gamma", "ent/delta", "ent/epsilon",
                                    "chain/chips"} <= {e for e, _ in got}
    elif name == "pref_labels":
        assert expected <= got and ("chain/chips", "芯片") in got
    elif name == "names_small":
        assert ("chain/chips", "ckg:IndustrialChain", "ic") in got  # the alias IC, keyed (case-folded)
        assert ("pol/plan", "ckg:PolicyDocument", "测发〔2023〕7号") in got
        assert not any(entity.startswith("ent/") for entity, _, _ in got)  # enterprises are looked up one by one
    elif name == "link_properties":
        assert {"ckg:memberOfChain", "ckg:locatedIn", "ckg:supportsChain", "http://www.w3.org/ns/org#subOrganizationOf"
                } <= {p for (p,) in got}
    elif name == "stats_classes":
        counts = dict(got)
        assert {k: counts[k] for k in ("ckg:Enterprise", "ckg:LandmarkChain", "ckg:KeyChain", "ckg:ChainSegment",
                                       "ckg:Park", "ckg:PolicyDocument", "ckg:Indicator", "ckg:Source")} == {
            "ckg:Enterprise": 5, "ckg:LandmarkChain": 2, "ckg:KeyChain": 1, "ckg:ChainSegment": 7, "ckg:Park": 2,
            "ckg:PolicyDocument": 3, "ckg:Indicator": 3, "ckg:Source": 4}
    else:
        assert got == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_file_has_header_and_prefixes(name):
    from kg.query import load_query

    text = load_query(name)
    assert text.startswith(f"# {name}:"), "first line names the query and its purpose"
    assert "# Inputs:" in text and "# Output:" in text
    for prefix in {p.split(":")[0] for p in __import__("re").findall(r"\b(ckg|ckgg|skos|dcterms|prov|rdfs):", text)}:
        assert f"PREFIX {prefix}:" in text, f"{name} uses {prefix}: without declaring it"
