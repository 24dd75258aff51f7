"""The ontology, its SHACL shapes and their Python mirror (kg.namespace) agree and behave.

Checks: both Turtle files parse with rdflib and with Oxigraph; CKG and chainkg.ttl declare the same terms; every term
is labelled and defined in Chinese and English; every class has a node shape; a small valid instance conforms and
small broken instances fail on exactly the expected focus node, path and shape.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef, namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kg.namespace import (
    CKG,
    CKGID,
    CKGSH,
    GRAPH_GBT,
    GRAPH_ONTOLOGY,
    GRAPH_PROVENANCE,
    GRAPH_SOURCES,
    ORG,
    PREFIXES,
    PROV,
    ROV,
    SCHEMA,
    sparql_prefixes,
)

ROOT = Path(__file__).parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "chainkg.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/chainkg/ontology")

CLASS_TYPES = {OWL.Class, RDFS.Class}
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
TERM_TYPES = CLASS_TYPES | PROPERTY_TYPES | {OWL.NamedIndividual}

CKG_TERMS = sorted(URIRef(iri) for iri in dir(CKG))  # dir() of a DefinedNamespace lists full IRIs


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def in_ckg(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(CKG._NS))


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in ontology.subjects(RDF.type, t) if in_ckg(s)}


def ckg_classes(ontology: Graph) -> set[URIRef]:
    return {s for t in CLASS_TYPES for s in ontology.subjects(RDF.type, t) if in_ckg(s)}


def ckg_properties(ontology: Graph) -> set[URIRef]:
    return {s for t in PROPERTY_TYPES for s in ontology.subjects(RDF.type, t) if in_ckg(s)}


# ------------------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, SHAPES_FILE], ids=lambda p: p.name)
def test_parses_with_rdflib_and_oxigraph_alike(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(graph) > 100
    assert len(triples) == len(graph)


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.created) == Literal("2026-11-28", datatype=namespace.XSD.date)
    title_langs = {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert title_langs == {"zh", "en"}


# ------------------------------------------------------------------------------------------------ CKG <-> ttl


def test_every_python_term_is_declared_in_the_ontology(ontology: Graph) -> None:
    missing = set(CKG_TERMS) - declared_terms(ontology)
    assert not missing, f"in kg/namespace.py but not declared in chainkg.ttl: {sorted(missing)}"


def test_every_ontology_term_has_a_python_term(ontology: Graph) -> None:
    missing = declared_terms(ontology) - set(CKG_TERMS)
    assert not missing, f"declared in chainkg.ttl but missing from CKG: {sorted(missing)}"


def test_no_ckg_iri_is_used_without_being_declared(ontology: Graph, shapes: Graph) -> None:
    used = {term for graph in (ontology, shapes) for triple in graph for term in triple if in_ckg(term)}
    assert used <= set(CKG_TERMS), sorted(used - set(CKG_TERMS))


def test_closed_namespace_rejects_typos() -> None:
    assert CKG.Upstream == URIRef("https://w3id.org/chainkg/ontology#Upstream")
    with pytest.raises(AttributeError):
        CKG.Upstreem  # noqa: B018


def test_term_counts(ontology: Graph) -> None:
    # 74 properties since ckg:measure, ckg:valueQualifier, ckg:qualifierText (issue 13) and ckg:quoteSource (issue 14)
    individuals = {s for s in ontology.subjects(RDF.type, OWL.NamedIndividual) if in_ckg(s)}
    assert (len(ckg_classes(ontology)), len(ckg_properties(ontology)), len(individuals)) == (41, 74, 25)


# ------------------------------------------------------------------------------------------------ labels


@pytest.mark.parametrize("term", CKG_TERMS, ids=lambda t: t.fragment)
def test_term_is_labelled_and_defined_in_chinese_and_english(ontology: Graph, term: URIRef) -> None:
    labels = {lit.language for lit in ontology.objects(term, RDFS.label)}
    definitions = {lit.language for p in (SKOS.definition, RDFS.comment) for lit in ontology.objects(term, p)}
    assert {"zh", "en"} <= labels, f"{term.fragment}: rdfs:label languages {labels}"
    assert {"zh", "en"} <= definitions, f"{term.fragment}: definition languages {definitions}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology


def test_individuals_carry_pref_labels_and_csv_codes(ontology: Graph) -> None:
    for individual in ontology.subjects(RDF.type, OWL.NamedIndividual):
        assert {lit.language for lit in ontology.objects(individual, SKOS.prefLabel)} == {"zh", "en"}
        assert ontology.value(individual, SKOS.notation) is not None, individual
    assert ontology.value(CKG.Upstream, SKOS.notation) == Literal("upstream")
    assert ontology.value(CKG.ModellingSource, SKOS.notation) == Literal("modelling")


# ------------------------------------------------------------------------------------------------ reuse


@pytest.mark.parametrize(
    ("child", "ancestor"),
    [
        (CKG.ChainSystem, SKOS.ConceptScheme),
        (CKG.LandmarkChain, SKOS.Concept),
        (CKG.KeyChain, CKG.IndustrialChain),
        (CKG.ChainSegment, SKOS.Concept),
        (CKG.Enterprise, ROV.RegisteredOrganization),
        (CKG.Enterprise, ORG.FormalOrganization),
        (CKG.District, SCHEMA.AdministrativeArea),
        (CKG.County, SCHEMA.Place),
        (CKG.FunctionalZone, CKG.Place),
        (CKG.ClusterArea, CKG.Place),
        (CKG.Outline, URIRef("http://data.europa.eu/eli/ontology#LegalResource")),
        (CKG.EvaluationReport, DCTERMS.BibliographicResource),
        (CKG.Indicator, URIRef("http://purl.org/linked-data/cube#Observation")),
        (CKG.Source, PROV.Entity),
        (CKG.Assertion, PROV.Entity),
    ],
)
def test_classes_reuse_standard_vocabularies(ontology: Graph, child: URIRef, ancestor: URIRef) -> None:
    assert ancestor in set(ontology.transitive_objects(child, RDFS.subClassOf))


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (CKG.inSystem, SKOS.inScheme),
        (CKG.parentChain, SKOS.broader),
        (CKG.replaces, DCTERMS.replaces),
        (CKG.cites, DCTERMS.references),
        (CKG.within, SCHEMA.containedInPlace),
        (CKG.creditCode, DCTERMS.identifier),
        (CKG.chainMasterOf, CKG.participatesInChain),
        (CKG.leadingEnterpriseOf, CKG.participatesInChain),
        (CKG.memberOfChain, CKG.participatesInChain),
    ],
)
def test_properties_reuse_standard_vocabularies(ontology: Graph, child: URIRef, parent: URIRef) -> None:
    assert (child, RDFS.subPropertyOf, parent) in ontology


def test_every_property_states_its_domain_and_range(ontology: Graph) -> None:
    for prop in ckg_properties(ontology):
        has_domain = any(ontology.objects(prop, p) for p in (RDFS.domain, SCHEMA.domainIncludes))
        has_range = any(ontology.objects(prop, p) for p in (RDFS.range, SCHEMA.rangeIncludes))
        assert has_domain and has_range, prop.fragment


# ------------------------------------------------------------------------------------------------ shapes


def test_every_class_has_a_node_shape(ontology: Graph, shapes: Graph) -> None:
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    targeted = {cls for shape in node_shapes for cls in shapes.objects(shape, SH.targetClass)}
    missing = ckg_classes(ontology) - targeted
    assert not missing, f"no sh:NodeShape with sh:targetClass for {sorted(missing)}"
    assert targeted <= ckg_classes(ontology), sorted(targeted - ckg_classes(ontology))


def test_shapes_are_labelled_and_property_shapes_have_english_messages(shapes: Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, RDFS.label) is not None, shape
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert property_shapes == {s for s in shapes.subjects(SH.path, None) if isinstance(s, URIRef)}
    for shape in property_shapes:
        assert str(shape).startswith(str(CKGSH)), shape
        assert shapes.value(shape, RDFS.label) is not None, shape
        message = shapes.value(shape, SH.message)
        assert message is not None and message.language in (None, "en"), shape


def test_shapes_only_reference_declared_ckg_properties(ontology: Graph, shapes: Graph) -> None:
    paths = {p for p in shapes.objects(None, SH.path) if in_ckg(p)}
    assert paths <= ckg_properties(ontology), sorted(paths - ckg_properties(ontology))


def shape_pattern(shapes: Graph, shape: URIRef) -> re.Pattern[str]:
    return re.compile(str(shapes.value(shape, SH.pattern)))


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        # Checksum-valid vectors from ../shared/reference/identifiers.md; the pattern checks the shape only.
        ("91110000600037341L", True),
        ("913700001630477270", True),
        ("12100000425006133D", True),
        ("91350100M000100Y4Z", False),  # Z is not in the alphabet
        ("9137000016304772", False),  # too short
        ("91370000163047727o", False),  # lower case
        ("91370000I63047727X", False),  # I is not in the alphabet
    ],
)
def test_credit_code_pattern(shapes: Graph, code: str, ok: bool) -> None:
    assert bool(shape_pattern(shapes, CKGSH["Enterprise-creditCode"]).search(code)) is ok


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("济发〔2023〕7号", True),
        ("济政字〔2023〕34号", True),
        ("公告〔十八届〕第19号", True),
        ("济发〔2023〕第7号", False),
        ("济发〔2023〕07号", False),
        ("济发〔23〕7号", False),
        ("济发[2023]7号", False),
        ("济发（2023）7号", False),
        ("济发〔2023〕7", False),
        ("〔2023〕7号", False),
    ],
)
def test_doc_number_pattern(shapes: Graph, number: str, ok: bool) -> None:
    assert bool(shape_pattern(shapes, CKGSH["PolicyDocument-docNumber"]).search(number)) is ok


# ------------------------------------------------------------------------------------------------ validation

TTL_PREFIXES = """\
@base <https://w3id.org/chainkg/id/> .
@prefix ckg: <https://w3id.org/chainkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Names and numbers are test fixtures, not Jinan facts; the credit code is a checksum-valid test vector.
VALID = """
<sys/13-34> a ckg:ChainSystem ; skos:prefLabel "“13+34”产业链体系"@zh , "13+34 chain system"@en ;
    ckg:declaredLandmarkChains 13 ; ckg:declaredKeyChains 34 ; ckg:period "2024–" .
<chain/ic> a ckg:LandmarkChain ; skos:prefLabel "集成电路"@zh , "integrated circuits"@en ;
    skos:altLabel "芯片"@zh , "IC"@en ; ckg:inSystem <sys/13-34> ; ckg:chainGroup ckg:EmergingGroup ;
    ckg:isConfirmed true .
<chain/ic-design> a ckg:KeyChain ; skos:prefLabel "集成电路设计"@zh ; ckg:inSystem <sys/13-34> ;
    ckg:parentChain <chain/ic> ; ckg:isConfirmed false .
<seg/ic-design> a ckg:ChainSegment ; skos:prefLabel "芯片设计"@zh , "chip design"@en ; ckg:segmentOf <chain/ic> ;
    ckg:position ckg:Upstream ; ckg:sequence 1 ; ckg:suppliesTo <seg/ic-fab> ; ckg:industryClass <gbt4754/6520> .
<seg/ic-fab> a ckg:ChainSegment ; skos:prefLabel "晶圆制造"@zh ; ckg:segmentOf <chain/ic> ;
    ckg:position ckg:Midstream ; ckg:sequence 2 ; ckg:industryClass <gbt4754/3973> .
<gbt4754/65> a ckg:IndustryClass ; skos:prefLabel "软件和信息技术服务业"@zh ; skos:notation "65" ;
    ckg:classLevel "大类" .
<gbt4754/6520> a ckg:IndustryClass ; skos:prefLabel "集成电路设计"@zh ; skos:notation "6520" ;
    ckg:classLevel "小类" ; skos:broader <gbt4754/65> .
<gbt4754/3973> a ckg:IndustryClass ; skos:prefLabel "集成电路制造"@zh ; skos:notation "3973" ; ckg:classLevel "小类" .
<dist/370100> a ckg:City ; skos:prefLabel "济南市"@zh , "Jinan"@en ; ckg:divisionCode "370100" .
<dist/370112> a ckg:District ; skos:prefLabel "历城区"@zh ; ckg:divisionCode "370112" ; ckg:within <dist/370100> ;
    ckg:positioning "示例定位"@zh .
<zone/hitech> a ckg:FunctionalZone ; skos:prefLabel "高新区"@zh ; ckg:statisticalCode "370176" ;
    ckg:within <dist/370100> ; ckg:positionedFor <chain/ic> .
<park/demo> a ckg:DevelopmentZone ; skos:prefLabel "示例开发区"@zh ; ckg:level ckg:NationalLevel ;
    ckg:locatedIn <zone/hitech> ; ckg:carriesChain <chain/ic> ; dcterms:description "示例"@zh .
<park/demo-sub> a ckg:IndustrialPark ; skos:prefLabel "示例园中园"@zh ; ckg:partOfPark <park/demo> .
<ent/demo> a ckg:Enterprise ; skos:prefLabel "示例集成电路有限公司"@zh ; ckg:creditCode "91110000600037341L" ;
    ckg:locatedIn <zone/hitech> ; ckg:inPark <park/demo> ; ckg:chainMasterOf <chain/ic> ;
    ckg:inSegment <seg/ic-design> .
<ent/demo-sub> a ckg:Enterprise ; skos:prefLabel "示例子公司"@zh ; org:subOrganizationOf <ent/demo> ;
    ckg:memberOfChain <chain/ic> ; ckg:leadingEnterpriseOf <chain/ic-design> .
<pol/plan> a ckg:ActionPlan ; dcterms:title "示例行动计划（2023—2025年）"@zh ; ckg:docNumber "济发〔2023〕7号" ;
    ckg:docNumberAsWritten "济发[2023]7号" ; ckg:issuer "示例发文机关"@zh ; ckg:level ckg:MunicipalLevel ;
    ckg:jurisdiction <dist/370100> ; dcterms:issued "2023-03"^^xsd:gYearMonth ;
    ckg:dateInForce "2023"^^xsd:gYear ; ckg:inForce true ; ckg:coversAllChains true ;
    ckg:supportsChain <chain/ic> ; ckg:supportsSegment <seg/ic-design> ; ckg:appliesTo <park/demo> .
<pol/eval> a ckg:EvaluationReport ; dcterms:title "示例行动计划执行情况评估报告"@zh ;
    dcterms:issued "2025-08-29"^^xsd:date ; ckg:evaluates <pol/plan> ; ckg:cites <pol/plan> .
<pol/notice> a ckg:Notice ; dcterms:title "关于印发《示例实施方案》的通知"@zh ; ckg:docNumber "济政办字〔2024〕12号" .
<pol/regulation> a ckg:Regulation ; dcterms:title "示例条例"@zh ; ckg:docNumber "公告〔十八届〕第19号" ;
    dcterms:issued "2024"^^xsd:gYear ; ckg:level ckg:MunicipalLevel .
<ind/ic-2030> a ckg:Indicator ; ckg:measureName "产业规模"@zh , "scale"@en ; ckg:value 1000.0 ; ckg:unit "亿元" ;
    ckg:refYear "2030"^^xsd:gYear ; ckg:indicatorKind ckg:Target ; ckg:indicatorOf <chain/ic> ; ckg:setBy <pol/plan> .
<ind/sys> a ckg:Indicator ; ckg:measureName "产业链条数"@zh ; ckg:value 47.0 ; ckg:unit "条" ;
    ckg:indicatorKind ckg:Actual ; ckg:indicatorOf <sys/13-34> .
<source/S1> a ckg:Source ; ckg:sourceKind ckg:DocumentSource ; dcterms:title "示例评估报告"@zh ;
    ckg:outlet "示例发布机构"@zh ; dcterms:date "2025-08-29"^^xsd:date ;
    ckg:readAt "https://example.org/s1"^^xsd:anyURI ; ckg:describes <pol/eval> .
<source/M-SEGMENTS> a ckg:Source ; ckg:sourceKind ckg:ModellingSource ; dcterms:title "Segment breakdowns"@en ;
    rdfs:comment "Segments follow the usual design / fabrication / packaging split."@en .
<assertion/links/12> a ckg:Assertion ; prov:wasDerivedFrom <source/S1> , <source/M-SEGMENTS> ;
    ckg:confidence ckg:Confirmed ; ckg:quote "示例引文"@zh ; ckg:sourceTable "links.csv" ; ckg:sourceLine 13 .
"""


def validate(graph: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, set[tuple[URIRef, URIRef | None, URIRef]]]:
    """Validate like the build does: ontology mixed into the data graph, no inference."""
    conforms, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=False
    )
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        shape = report.value(result, SH.sourceShape)
        results.add((report.value(result, SH.focusNode), path, None if isinstance(shape, BNode) else shape))
    return conforms, results


def turtle(text: str) -> Graph:
    return Graph().parse(data=TTL_PREFIXES + text, format="turtle")


def test_ontology_alone_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, results = validate(Graph(), shapes, ontology)
    assert conforms, results


def test_valid_instance_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, results = validate(turtle(VALID), shapes, ontology)
    assert conforms, results


INVALID = {
    "segment with two positions": (
        """<seg/x> a ckg:ChainSegment ; skos:prefLabel "环节"@zh ; ckg:segmentOf <chain/ic> ; ckg:sequence 3 ;
            ckg:position ckg:Upstream , ckg:Downstream .""",
        {(CKGID["seg/x"], CKG.position, CKGSH["ChainSegment-position"])},
    ),
    "segment without chain, with a string sequence and an unknown class": (
        """<seg/y> a ckg:ChainSegment ; skos:prefLabel "环节"@zh ; ckg:position ckg:Support ;
            ckg:sequence "3" ; ckg:industryClass <gbt4754/9999> .""",
        {
            (CKGID["seg/y"], CKG.segmentOf, CKGSH["ChainSegment-segmentOf"]),
            (CKGID["seg/y"], CKG.sequence, CKGSH["ChainSegment-sequence"]),
            (CKGID["seg/y"], CKG.industryClass, CKGSH["ChainSegment-industryClass"]),
        },
    ),
    "bad credit-code shape": (
        """<ent/x> a ckg:Enterprise ; skos:prefLabel "某公司"@zh ; ckg:creditCode "9137000016304772O0" .""",
        {(CKGID["ent/x"], CKG.creditCode, CKGSH["Enterprise-creditCode"])},
    ),
    "chain with no @zh label": (
        """<chain/x> a ckg:LandmarkChain ; skos:prefLabel "no Chinese name"@en ; ckg:inSystem <sys/13-34> ;
            ckg:chainGroup ckg:AdvantageGroup .""",
        {(CKGID["chain/x"], SKOS.prefLabel, CKGSH.PrefLabelZh)},
    ),
    "chain with two @zh labels and a plain-string label": (
        """<chain/y> a ckg:KeyChain ; skos:prefLabel "甲"@zh , "乙"@zh , "plain" ; ckg:inSystem <sys/13-34> .""",
        {(CKGID["chain/y"], SKOS.prefLabel, CKGSH.PrefLabelLang)},
    ),
    "chain typed landmark and key at once": (
        """<chain/z> a ckg:LandmarkChain , ckg:KeyChain ; skos:prefLabel "双重"@zh ; ckg:inSystem <sys/13-34> .""",
        {
            (CKGID["chain/z"], None, CKGSH.IndustrialChainShape),
            (CKGID["chain/z"], CKG.chainGroup, CKGSH["LandmarkChain-chainGroup"]),
        },
    ),
    "key chain under a key chain, outside any system": (
        """<chain/k> a ckg:KeyChain ; skos:prefLabel "子链"@zh ; ckg:parentChain <chain/ic-design> .""",
        {
            (CKGID["chain/k"], CKG.parentChain, CKGSH["KeyChain-parentChain"]),
            (CKGID["chain/k"], CKG.inSystem, CKGSH["IndustrialChain-inSystem"]),
        },
    ),
    "a fifth chain position": (
        """<pos/side> a ckg:ChainPosition ; skos:prefLabel "旁游"@zh .""",
        {(CKGID["pos/side"], None, CKGSH.ChainPositionShape)},
    ),
    "district with a city code, within nothing": (
        """<dist/370199> a ckg:District ; skos:prefLabel "某区"@zh ; ckg:divisionCode "370100" .""",
        {
            (CKGID["dist/370199"], CKG.divisionCode, CKGSH["CountyLevel-divisionCode"]),
            (CKGID["dist/370199"], CKG.within, CKGSH["CountyLevel-withinCity"]),
        },
    ),
    "functional zone with a division code of 5 digits": (
        """<zone/x> a ckg:FunctionalZone ; skos:prefLabel "某区"@zh ; ckg:divisionCode "37017" .""",
        {
            (CKGID["zone/x"], CKG.divisionCode, CKGSH.NoDivisionCode),
            (CKGID["zone/x"], CKG.divisionCode, CKGSH["Place-divisionCode"]),
        },
    ),
    "policy with 《》 in the title and a non-canonical document number": (
        """<pol/x> a ckg:Opinion ; dcterms:title "《某意见》"@zh ; ckg:docNumber "济政发[2023]07号" ;
            dcterms:issued "2023-3"^^xsd:gYearMonth .""",
        {
            (CKGID["pol/x"], DCTERMS.title, CKGSH["PolicyDocument-title"]),
            (CKGID["pol/x"], CKG.docNumber, CKGSH["PolicyDocument-docNumber"]),
            (CKGID["pol/x"], DCTERMS.issued, CKGSH["PolicyDocument-issued"]),
        },
    ),
    "indicator with an integer value, no unit, two subjects": (
        """<ind/x> a ckg:Indicator ; ckg:measureName "规模"@zh ; ckg:value 5 ; ckg:indicatorKind ckg:Target ;
            ckg:indicatorOf <chain/ic> , <dist/370100> .""",
        {
            (CKGID["ind/x"], CKG.value, CKGSH["Indicator-value"]),
            (CKGID["ind/x"], CKG.unit, CKGSH["Indicator-unit"]),
            (CKGID["ind/x"], CKG.indicatorOf, CKGSH["Indicator-indicatorOf"]),
        },
    ),
    "assertion without a source and with two confidences": (
        """<assertion/chains/2> a ckg:Assertion ; ckg:confidence ckg:Confirmed , ckg:Uncertain .""",
        {
            (CKGID["assertion/chains/2"], PROV.wasDerivedFrom, CKGSH["Assertion-wasDerivedFrom"]),
            (CKGID["assertion/chains/2"], CKG.confidence, CKGSH["Assertion-confidence"]),
        },
    ),
    "modelling source without its basis, source without a kind": (
        """<source/M-X> a ckg:Source ; ckg:sourceKind ckg:ModellingSource ; dcterms:title "A choice" .
        <source/S9> a ckg:Source ; dcterms:title "无类型" ; dcterms:date "2025-8"^^xsd:gYearMonth .""",
        {
            (CKGID["source/M-X"], None, CKGSH.ModellingSourceShape),
            (CKGID["source/S9"], CKG.sourceKind, CKGSH["Source-sourceKind"]),
            (CKGID["source/S9"], DCTERMS.date, CKGSH["Source-date"]),
        },
    ),
}


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_invalid_instance_fails_where_expected(shapes: Graph, ontology: Graph, case: str) -> None:
    snippet, expected = INVALID[case]
    conforms, results = validate(turtle(VALID + snippet), shapes, ontology)
    assert not conforms
    assert results == expected


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's TriG parser uses ConjunctiveGraph internally
def test_union_of_row_graphs_validates_across_graphs(shapes: Graph, ontology: Graph) -> None:
    """A chain in one row's graph points to a system in another; validation runs on the union."""
    trig = (
        TTL_PREFIXES
        + """
    <assertion/chain_systems/2> { <sys/13-34> a ckg:ChainSystem ; skos:prefLabel "体系"@zh . }
    <assertion/chains/2> { <chain/ic> a ckg:LandmarkChain ; skos:prefLabel "集成电路"@zh ;
        ckg:inSystem <sys/13-34> ; ckg:chainGroup ckg:EmergingGroup . }
    <assertion/chains/3> { <chain/x> a ckg:KeyChain ; skos:prefLabel "某链"@zh ; ckg:inSystem <sys/none> . }
    """
    )
    dataset = Dataset()
    dataset.parse(data=trig, format="trig")
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    conforms, results = validate(union, shapes, ontology)
    assert not conforms
    assert results == {(CKGID["chain/x"], CKG.inSystem, CKGSH["IndustrialChain-inSystem"])}


# ------------------------------------------------------------------------------------------------ prefixes


def test_prefixes_and_graph_iris() -> None:
    assert PREFIXES["ckg"] == "https://w3id.org/chainkg/ontology#"
    assert PREFIXES["ckgid"] == "https://w3id.org/chainkg/id/"
    assert PREFIXES["schema"] == "https://schema.org/"
    assert {"skos", "dcterms", "prov", "org", "rov", "eli", "qb", "xsd", "rdfs", "owl", "sh"} <= set(PREFIXES)
    assert (GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_SOURCES, GRAPH_GBT) == (
        CKGID["graph/ontology"],
        CKGID["graph/provenance"],
        CKGID["graph/sources"],
        CKGID["graph/gbt4754"],
    )


def test_sparql_prefixes_make_queries_parse(ontology: Graph) -> None:
    text = sparql_prefixes() + "SELECT ?c WHERE { ?c rdfs:subClassOf+ ckg:Place }"
    assert sparql_prefixes().count("PREFIX ") == len(PREFIXES)
    rows = {row.c for row in ontology.query(text)}
    assert {CKG.District, CKG.FunctionalZone, CKG.IndustrialPark} <= rows


def test_plain_string_iris_match_the_closed_vocabulary():
    from kg import iris

    names = [n for n in vars(iris.CKG) if not n.startswith("_")]
    assert names
    for name in names:
        assert getattr(iris.CKG, name) == str(getattr(CKG, name)), name
