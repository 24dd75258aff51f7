"""Namespaces of chainkg: the closed vocabulary of our ontology and every prefix the project uses.

This module owns the names, not the meanings: ``ontology/chainkg.ttl`` defines each ``ckg:`` term (labels and
definitions in Chinese and English) and ``tests/test_ontology.py`` checks that the two list the same terms.

- :class:`CKG` is closed (``_fail = True``): ``CKG.Upstream`` is an IRI, ``CKG.Upstreem`` raises ``AttributeError``
  instead of minting a new IRI.
- :data:`CKGID` holds data IRIs, ``ckgid:{kind}/{local}`` (``chain:ic`` becomes ``CKGID["chain/ic"]``), see
  ``docs/schema.md``.
- :data:`PREFIXES` maps every prefix used in Turtle, SPARQL and snapshots to its IRI; :func:`sparql_prefixes` renders
  it as ``PREFIX`` lines for the queries.
- ``GRAPH_*`` are the fixed named graphs: each CSV row is in a graph of its own, ``ckgid:assertion/{table}/{key}``,
  whose metadata is in :data:`GRAPH_PROVENANCE`.
"""

from __future__ import annotations

from rdflib.namespace import (
    DC,
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
    Namespace,
)
from rdflib.term import URIRef

__all__ = [
    "CKG",
    "CKGID",
    "CKGSH",
    "DC",
    "DCTERMS",
    "ELI",
    "GRAPH_GBT",
    "GRAPH_ONTOLOGY",
    "GRAPH_PROVENANCE",
    "GRAPH_SOURCES",
    "GRAPH_NAMES",
    "GRAPH_SUMMARY",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "ROV",
    "SCHEMA",
    "SH",
    "SKOS",
    "XSD",
    "sparql_prefixes",
]


class CKG(DefinedNamespace):
    """chainkg ontology: industrial chains, enterprises, parks, places and policy documents of a city.

    Defined in ``ontology/chainkg.ttl`` (https://w3id.org/chainkg/ontology, version 0.1.0). Classes are PascalCase,
    properties camelCase; the named individuals are the closed code lists (positions, groups, levels, kinds,
    confidence) and carry the CSV code as ``skos:notation``.
    """

    _fail = True

    # Classes
    ChainSystem: URIRef  # a declared system of chains, e.g. a "13+34" system
    IndustrialChain: URIRef  # an industrial chain (标志性 or 重点)
    LandmarkChain: URIRef  # 标志性产业链, a landmark chain
    KeyChain: URIRef  # 重点产业链, a key chain
    ChainGroup: URIRef  # 优势/特色/新兴 group of a landmark chain
    ChainSegment: URIRef  # 环节, a segment of a chain
    ChainPosition: URIRef  # upstream/midstream/downstream/support
    IndustryClass: URIRef  # a GB/T 4754-2017 industry class
    Enterprise: URIRef  # a registered enterprise
    Place: URIRef  # a named area (division, zone or park)
    AdministrativeDivision: URIRef  # a GB/T 2260 administrative division
    City: URIRef  # a city (prefecture-level)
    District: URIRef  # a 市辖区, e.g. 历下区
    County: URIRef  # a 县, e.g. 平阴县
    FunctionalZone: URIRef  # 功能区: 高新区, 起步区, 南部山区
    Park: URIRef  # an industrial park, zone, base or cluster area
    IndustrialPark: URIRef  # 产业园
    DevelopmentZone: URIRef  # 开发区
    IndustrialBase: URIRef  # 产业基地
    ClusterArea: URIRef  # 产业集聚区
    AdministrativeLevel: URIRef  # national/provincial/municipal/district level
    PolicyDocument: URIRef  # a policy document
    Regulation: URIRef  # 条例
    Plan: URIRef  # 规划 (incl. 规划纲要)
    ActionPlan: URIRef  # 行动计划
    ImplementationPlan: URIRef  # 实施方案
    Opinion: URIRef  # 意见
    Measures: URIRef  # 政策措施
    EvaluationReport: URIRef  # 评估报告
    Notice: URIRef  # 通知
    Outline: URIRef  # 纲要/建议
    Indicator: URIRef  # a figure (actual or target) about a chain, place or system
    IndicatorKind: URIRef  # actual or target
    Measure: URIRef  # what a figure counts, shared by a target and its actuals
    ValueQualifier: URIRef  # more than / at least / nearly / less than / about
    Source: URIRef  # a document, dataset or modelling choice facts derive from
    SourceKind: URIRef  # document/dataset/modelling
    Assertion: URIRef  # a named graph holding the facts of one CSV row
    ConfidenceLevel: URIRef  # confirmed/partial/uncertain

    # Object properties
    inSystem: URIRef  # chain → the system that lists it
    replaces: URIRef  # system → the earlier system it replaces
    chainGroup: URIRef  # chain → 优势/特色/新兴 group
    parentChain: URIRef  # key chain → landmark chain above it
    segmentOf: URIRef  # segment → its chain
    position: URIRef  # segment → up/mid/downstream or support
    suppliesTo: URIRef  # segment → a segment it feeds
    industryClass: URIRef  # segment → GB/T 4754 class
    participatesInChain: URIRef  # enterprise → chain (any role)
    chainMasterOf: URIRef  # enterprise → chain it is 链主 of
    leadingEnterpriseOf: URIRef  # enterprise → chain it leads (龙头)
    memberOfChain: URIRef  # enterprise → chain it belongs to
    inSegment: URIRef  # enterprise → segment
    registeredIndustryClass: URIRef  # enterprise → GB/T 4754 class a register records
    locatedIn: URIRef  # enterprise or park → place
    inPark: URIRef  # enterprise → park
    partOfPark: URIRef  # park → larger park
    within: URIRef  # place → containing place
    positionedFor: URIRef  # place or park → chain it is positioned for
    carriesChain: URIRef  # park → chain it hosts
    level: URIRef  # park or policy → national/provincial/municipal/district
    jurisdiction: URIRef  # policy → place it governs
    supportsChain: URIRef  # policy → chain
    supportsSegment: URIRef  # policy → segment
    appliesTo: URIRef  # policy → place or park
    cites: URIRef  # policy → policy it cites
    evaluates: URIRef  # report → policy it evaluates
    draftOf: URIRef  # draft → final document
    indicatorOf: URIRef  # indicator → chain, place or system
    indicatorKind: URIRef  # indicator → actual or target
    setBy: URIRef  # target → policy that sets it
    measure: URIRef  # indicator → the measure it is a figure of
    valueQualifier: URIRef  # indicator → how the source qualifies the figure (超过, 近, 约 …)
    sourceKind: URIRef  # source → document/dataset/modelling
    confidence: URIRef  # assertion → confirmed/partial/uncertain
    describes: URIRef  # source → the policy document it is the text of

    # Datatype properties
    declaredLandmarkChains: URIRef  # declared number of landmark chains
    declaredKeyChains: URIRef  # declared number of key chains
    period: URIRef  # period of a system, free text
    isConfirmed: URIRef  # chain listed as a member by a source
    sequence: URIRef  # order of a segment, upstream → downstream
    classLevel: URIRef  # 门类/大类/中类/小类
    creditCode: URIRef  # 18-character USCC
    qualification: URIRef  # 资质 a register records (专精特新 …)
    divisionCode: URIRef  # GB/T 2260 division code
    statisticalCode: URIRef  # NBS statistical division code
    positioning: URIRef  # positioning statement of a place or park
    docNumber: URIRef  # canonical 文号, e.g. 济发〔2023〕7号
    docNumberAsWritten: URIRef  # 文号 as the source writes it
    issuer: URIRef  # issuing body as named
    inForce: URIRef  # document currently in force
    coversAllChains: URIRef  # city-wide policy for all chains
    dateInForce: URIRef  # date it comes into force
    measureName: URIRef  # what is measured, named
    value: URIRef  # the figure
    unit: URIRef  # unit as written, e.g. 亿元
    refYear: URIRef  # year the figure refers to
    qualifierText: URIRef  # the qualifying word as the source writes it (超过, 近, 余 …)
    outlet: URIRef  # original outlet or publisher
    readAt: URIRef  # URL the text was read at
    quote: URIRef  # short evidence quote
    quoteSource: URIRef  # the one source of an assertion that holds its quote
    sourceTable: URIRef  # CSV file of the row
    sourceLine: URIRef  # line number of the row
    rowLine: URIRef  # line of the row introducing an entity (rows sharing one graph)
    matchKey: URIRef  # name-matching key, in the names graph
    Tally: URIRef  # derived count of a chain's or segment's enterprises in a place
    MemberPage: URIRef  # one page of a chain's enterprise list (derived)
    enterpriseCount: URIRef  # derived count of local enterprises
    unplacedCount: URIRef  # a chain's enterprises in none of its segments (derived)
    locatedCount: URIRef  # a chain's enterprises with a known place (derived)
    tallyOf: URIRef  # the chain or segment a tally counts
    tallyIn: URIRef  # the place a tally counts in
    pageOf: URIRef  # the chain of a member page
    pageNumber: URIRef  # a member page's number, from 0
    pageMember: URIRef  # an enterprise listed on a member page

    # Named individuals
    AdvantageGroup: URIRef  # 优势产业链 group
    CharacteristicGroup: URIRef  # 特色产业链 group
    EmergingGroup: URIRef  # 新兴产业链 group
    Upstream: URIRef  # 上游
    Midstream: URIRef  # 中游
    Downstream: URIRef  # 下游
    Support: URIRef  # 配套支撑
    NationalLevel: URIRef  # 国家级
    ProvincialLevel: URIRef  # 省级
    MunicipalLevel: URIRef  # 市级
    DistrictLevel: URIRef  # 区县级
    Actual: URIRef  # achieved figure
    Target: URIRef  # target figure
    MoreThan: URIRef  # 超过/超/突破/余/多: the value is a lower bound
    AtLeast: URIRef  # 以上/不低于/不少于: the value is an inclusive lower bound
    Nearly: URIRef  # 近/接近: just under the value (an upper bound)
    LessThan: URIRef  # 不到/不足/以内: the value is an upper bound
    About: URIRef  # 约/左右: an approximation
    DocumentSource: URIRef  # policy text, report or article
    DatasetSource: URIRef  # dataset or code table
    ModellingSource: URIRef  # modelling choice, basis in its note
    SyntheticSource: URIRef  # generated by chainkg synth, describes no real city
    Confirmed: URIRef  # [C] stated by a source
    Partial: URIRef  # [P] partly supported
    Uncertain: URIRef  # [U] unproven or modelling

    _NS = Namespace("https://w3id.org/chainkg/ontology#")


CKGID = Namespace("https://w3id.org/chainkg/id/")
"""Data IRIs: ``CKGID["chain/ic"]``, ``CKGID["dist/370112"]``, ``CKGID["gbt4754/3973"]``."""

CKGSH = Namespace("https://w3id.org/chainkg/shapes#")
"""SHACL shapes of ``ontology/shapes.ttl`` (``CKGSH.ChainSegmentShape``), as named in validation reports."""

ROV = Namespace("http://www.w3.org/ns/regorg#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
# rdflib's SDO is closed over one schema.org release; an open namespace accepts any schema.org term.
SCHEMA = Namespace("https://schema.org/")

GRAPH_ONTOLOGY = CKGID["graph/ontology"]
GRAPH_PROVENANCE = CKGID["graph/provenance"]
GRAPH_SOURCES = CKGID["graph/sources"]
GRAPH_NAMES = CKGID["graph/names"]
GRAPH_SUMMARY = CKGID["graph/summary"]
GRAPH_GBT = CKGID["graph/gbt4754"]

PREFIXES: dict[str, str] = {
    "ckg": str(CKG._NS),
    "ckgid": str(CKGID),
    "ckgsh": str(CKGSH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dc": str(DC),
    "prov": str(PROV),
    "org": str(ORG),
    "rov": str(ROV),
    "eli": str(ELI),
    "schema": str(SCHEMA),
    "qb": str(QB),
    "sh": str(SH),
}
"""Prefix -> namespace IRI for every vocabulary chainkg writes or queries."""


def sparql_prefixes() -> str:
    """Return one ``PREFIX p: <iri>`` line per entry of :data:`PREFIXES`, to put before a query's text.

    >>> sparql_prefixes().splitlines()[0]
    'PREFIX ckg: <https://w3id.org/chainkg/ontology#>'
    """
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
