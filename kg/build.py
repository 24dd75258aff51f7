"""CSV rows → RDF with provenance: one named graph per row, its sources and confidence in the provenance graph.

Input is the checked rows of :mod:`kg.tables`; output is an rdflib :class:`~rdflib.Dataset` (no blank nodes, so the
same rows always give the same quads). Store writing is :mod:`kg.store`'s job.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg import identifiers, paths
from kg.errors import DataError
from kg.namespace import CKG, CKGID, GRAPH_GBT, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_SOURCES
from kg.store import Store, fingerprint, write_store
from kg.tables import SPECS, Row, read_dataset
from kg.validate import check_dataset, load_industry_codes, run_shacl

GBT_SOURCE_ID = "src:GBT4754"
GBT_SCHEME = CKGID["gbt4754"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

CONFIDENCE = {"confirmed": CKG.Confirmed, "partial": CKG.Partial, "uncertain": CKG.Uncertain}
SOURCE_KIND = {"document": CKG.DocumentSource, "dataset": CKG.DatasetSource, "modelling": CKG.ModellingSource,
               "synthetic": CKG.SyntheticSource}
POSITION = {"upstream": CKG.Upstream, "midstream": CKG.Midstream, "downstream": CKG.Downstream,
            "support": CKG.Support}
GROUP = {"advantage": CKG.AdvantageGroup, "characteristic": CKG.CharacteristicGroup,
         "emerging": CKG.EmergingGroup}
LEVEL = {"national": CKG.NationalLevel, "provincial": CKG.ProvincialLevel, "municipal": CKG.MunicipalLevel,
         "district": CKG.DistrictLevel}
PLACE_TYPES = {"city": (CKG.City, CKG.AdministrativeDivision), "district": (CKG.District, CKG.AdministrativeDivision),
               "county": (CKG.County, CKG.AdministrativeDivision), "functional_zone": (CKG.FunctionalZone,)}
PARK_TYPES = {"industrial_park": CKG.IndustrialPark, "development_zone": CKG.DevelopmentZone,
              "base": CKG.IndustrialBase, "cluster_area": CKG.ClusterArea}
DOC_TYPES = {"regulation": CKG.Regulation, "plan": CKG.Plan, "action_plan": CKG.ActionPlan,
             "implementation_plan": CKG.ImplementationPlan, "opinion": CKG.Opinion, "measures": CKG.Measures,
             "evaluation_report": CKG.EvaluationReport, "notice": CKG.Notice, "outline": CKG.Outline}
LINKS = {"chain_master_of": CKG.chainMasterOf, "leading_in": CKG.leadingEnterpriseOf, "member_of": CKG.memberOfChain,
         "in_segment": CKG.inSegment, "located_in": CKG.locatedIn, "in_park": CKG.inPark,
         "carries": CKG.carriesChain, "positioned_for": CKG.positionedFor, "applies_to": CKG.appliesTo,
         "cites": CKG.cites, "evaluates": CKG.evaluates, "draft_of": CKG.draftOf,
         "subsidiary_of": ORG.subOrganizationOf}
#: rdf:type of the link's object, by id prefix, for ``supports`` (chain or segment).
SUPPORTS = {"chain:": CKG.supportsChain, "seg:": CKG.supportsSegment}


def iri(entity_id: str) -> URIRef:
    """The IRI of a CSV id: ``chain:ic`` → ``ckgid:chain/ic``; a GB/T code ``gbt:3973`` → ``ckgid:gbt4754/3973``."""
    prefix, _, local = entity_id.partition(":")
    return CKGID[f"{'gbt4754' if prefix == 'gbt' else prefix}/{local}"]


def industry_class(code: str) -> URIRef:
    """The IRI of a GB/T 4754-2017 class."""
    return CKGID[f"gbt4754/{code}"]


def text(value: str, lang: str | None = None) -> Literal:
    """A language-tagged literal: ``zh`` when the text has Chinese characters, else ``lang`` or ``en``."""
    if lang is None:
        lang = "zh" if _CJK.search(value) else "en"
    return Literal(value, lang=lang)


def date_literal(value: str) -> Literal:
    """A date of the precision given: xsd:gYear, xsd:gYearMonth or xsd:date."""
    lexical, datatype = identifiers.parse_date(value)
    return Literal(lexical, datatype=XSD[datatype])


def assertion_iri(row: Row) -> URIRef:
    """The named graph of one row, stable across edits of other rows."""
    table = row.table.removesuffix(".csv")
    spec = SPECS[row.table]
    if spec.id_column:
        key = row.get(spec.id_column).replace(":", ".")
    elif row.table == "links.csv":
        key = "/".join((row.get("subject_id"), row.get("predicate"), row.get("object_id"))).replace(":", ".")
    else:
        key = f"{row.get('entity_id').replace(':', '.')}/{identifiers.match_key(row.get('alias'))}"
    return CKGID[f"assertion/{table}/{_safe(key)}"]


def _safe(key: str) -> str:
    # IRIs may carry Unicode (alias keys); only characters that break IRIs are percent-encoded.
    return "".join(c if c.isalnum() or c in "-_./" else f"%{ord(c):02X}" for c in key)


def build_dataset(tables: dict[str, list[Row]], ontology: Graph,
                  industry_codes: dict[str, tuple[str, str, str]]) -> Dataset:
    """Turn checked rows into a dataset: one named graph per row plus the ontology, sources and GB/T graphs.

    Args:
        tables: rows by file name, already checked by :func:`kg.validate.check_dataset`.
        ontology: the parsed ontology, copied into its own graph.
        industry_codes: the GB/T 4754-2017 table (code → name, level, parent).

    Returns:
        The dataset; its default graph is empty.
    """
    ds = Dataset()
    onto = ds.graph(GRAPH_ONTOLOGY)
    for triple in ontology:
        onto.add(triple)
    prov = ds.graph(GRAPH_PROVENANCE)
    sources = ds.graph(GRAPH_SOURCES)
    for row in tables.get("sources.csv", []):
        _add_source(sources, row)
    emitters = {
        "chain_systems.csv": _chain_system, "chains.csv": _chain, "aliases.csv": _alias, "segments.csv": _segment,
        "districts.csv": _place, "parks.csv": _park, "enterprises.csv": _enterprise, "policies.csv": _policy,
        "indicators.csv": _indicator, "links.csv": _link,
    }
    for name, emit in emitters.items():
        for row in tables.get(name, []):
            graph_iri = assertion_iri(row)
            emit(ds.graph(graph_iri), row)
            _add_assertion(prov, graph_iri, row)
    used = {code for row in tables.get("segments.csv", []) for code in row.split("industry_codes")}
    _add_industry_classes(ds, prov, sources, used, industry_codes,
                          has_source=any(r.get("source_id") == GBT_SOURCE_ID for r in tables.get("sources.csv", [])))
    return ds


def _add_source(g: Graph, row: Row) -> None:
    s = iri(row.get("source_id"))
    g.add((s, RDF.type, CKG.Source))
    g.add((s, SKOS.prefLabel, text(source_label(row))))
    if row.get("title"):
        g.add((s, DCTERMS.title, text(row.get("title"))))
    g.add((s, CKG.sourceKind, SOURCE_KIND[row.get("kind")]))
    if row.get("outlet"):
        g.add((s, CKG.outlet, text(row.get("outlet"))))
    if row.get("date"):
        g.add((s, DCTERMS.date, date_literal(row.get("date"))))
    if row.get("url"):
        g.add((s, CKG.readAt, Literal(row.get("url"), datatype=XSD.anyURI)))
    if row.get("note"):
        g.add((s, RDFS.comment, text(row.get("note"))))


def source_label(row: Row) -> str:
    """How a source is shown: its title; without one, its outlet and date (or where it was read), in brackets so
    that nobody takes it for a title."""
    if row.get("title"):
        return row.get("title")
    described = "，".join(v for v in (row.get("outlet"), row.get("date")) if v) or row.get("url")
    return f"[{described}]"


def _add_assertion(prov: Graph, graph_iri: URIRef, row: Row) -> None:
    prov.add((graph_iri, RDF.type, CKG.Assertion))
    for source in row.split("source_ids"):
        prov.add((graph_iri, PROV.wasDerivedFrom, iri(source)))
    prov.add((graph_iri, CKG.confidence, CONFIDENCE[row.get("confidence")]))
    prov.add((graph_iri, CKG.sourceTable, Literal(row.table)))
    prov.add((graph_iri, CKG.sourceLine, Literal(row.line)))
    if row.get("quote"):
        prov.add((graph_iri, CKG.quote, text(row.get("quote"))))
    if row.get("note"):
        prov.add((graph_iri, RDFS.comment, text(row.get("note"))))


def _labels(g: Graph, s: URIRef, row: Row, zh: str = "name_zh", en: str = "name_en") -> None:
    if row.get(zh):
        g.add((s, SKOS.prefLabel, text(row.get(zh), "zh")))
    if row.get(en):
        g.add((s, SKOS.prefLabel, text(row.get(en), "en")))


def _chain_system(g: Graph, row: Row) -> None:
    s = iri(row.get("system_id"))
    g.add((s, RDF.type, CKG.ChainSystem))
    _labels(g, s, row)
    for column, prop in (("landmark_count", CKG.declaredLandmarkChains), ("key_count", CKG.declaredKeyChains)):
        if row.get(column):
            g.add((s, prop, Literal(int(row.get(column)))))
    if row.get("period"):
        g.add((s, CKG.period, Literal(row.get("period"))))
    for other in row.split("replaces"):
        g.add((s, CKG.replaces, iri(other)))


def _chain(g: Graph, row: Row) -> None:
    s = iri(row.get("chain_id"))
    g.add((s, RDF.type, CKG.IndustrialChain))
    g.add((s, RDF.type, CKG.LandmarkChain if row.get("tier") == "landmark" else CKG.KeyChain))
    _labels(g, s, row)
    g.add((s, CKG.isConfirmed, Literal(row.get("status") == "confirmed")))
    if row.get("group"):
        g.add((s, CKG.chainGroup, GROUP[row.get("group")]))
    if row.get("system_id"):
        g.add((s, CKG.inSystem, iri(row.get("system_id"))))
    if row.get("parent_chain_id"):
        g.add((s, CKG.parentChain, iri(row.get("parent_chain_id"))))
    if row.get("target_2030"):
        ind = CKGID[f"ind/{row.get('chain_id').partition(':')[2]}-target-2030"]
        note = row.get("target_note")
        g.add((ind, RDF.type, CKG.Indicator))
        g.add((ind, CKG.indicatorOf, s))
        g.add((ind, CKG.measureName, text("2030年目标" + (f"({note})" if note else ""), "zh")))
        g.add((ind, CKG.measureName, text("2030 target" + (f" ({note})" if note else ""), "en")))
        g.add((ind, SKOS.prefLabel, text(f"{row.get('name_zh')} 2030年目标", "zh")))
        g.add((ind, CKG.value, Literal(Decimal(row.get("target_2030")))))
        g.add((ind, CKG.unit, Literal("亿元")))
        g.add((ind, CKG.refYear, Literal("2030", datatype=XSD.gYear)))
        g.add((ind, CKG.indicatorKind, CKG.Target))


def _alias(g: Graph, row: Row) -> None:
    g.add((iri(row.get("entity_id")), SKOS.altLabel, text(row.get("alias"), row.get("lang"))))


def _segment(g: Graph, row: Row) -> None:
    s = iri(row.get("segment_id"))
    g.add((s, RDF.type, CKG.ChainSegment))
    _labels(g, s, row)
    g.add((s, CKG.segmentOf, iri(row.get("chain_id"))))
    g.add((s, CKG.position, POSITION[row.get("position")]))
    g.add((s, CKG.sequence, Literal(int(row.get("sequence")))))
    for other in row.split("supplies_to"):
        g.add((s, CKG.suppliesTo, iri(other)))
    for code in row.split("industry_codes"):
        g.add((s, CKG.industryClass, industry_class(code)))


def _place(g: Graph, row: Row) -> None:
    s = iri(row.get("place_id"))
    for cls in PLACE_TYPES[row.get("kind")] + (CKG.Place,):
        g.add((s, RDF.type, cls))
    _labels(g, s, row)
    if row.get("division_code"):
        g.add((s, CKG.divisionCode, Literal(row.get("division_code"))))
    if row.get("stat_code"):
        g.add((s, CKG.statisticalCode, Literal(row.get("stat_code"))))
    if row.get("parent_id"):
        g.add((s, CKG.within, iri(row.get("parent_id"))))
    if row.get("positioning_zh"):
        g.add((s, CKG.positioning, text(row.get("positioning_zh"), "zh")))


def _park(g: Graph, row: Row) -> None:
    s = iri(row.get("park_id"))
    for cls in (CKG.Park, CKG.Place, PARK_TYPES[row.get("kind")]):
        g.add((s, RDF.type, cls))
    _labels(g, s, row)
    if row.get("level"):
        g.add((s, CKG.level, LEVEL[row.get("level")]))
    if row.get("place_id"):
        g.add((s, CKG.locatedIn, iri(row.get("place_id"))))
    if row.get("parent_park_id"):
        g.add((s, CKG.partOfPark, iri(row.get("parent_park_id"))))
    if row.get("description_zh"):
        g.add((s, DCTERMS.description, text(row.get("description_zh"), "zh")))


def _enterprise(g: Graph, row: Row) -> None:
    s = iri(row.get("enterprise_id"))
    g.add((s, RDF.type, CKG.Enterprise))
    _labels(g, s, row)
    if row.get("credit_code"):
        g.add((s, CKG.creditCode, Literal(identifiers.validate_uscc(row.get("credit_code")))))
    if row.get("place_id"):
        g.add((s, CKG.locatedIn, iri(row.get("place_id"))))
    if row.get("park_id"):
        g.add((s, CKG.inPark, iri(row.get("park_id"))))
    if row.get("parent_id"):
        g.add((s, ORG.subOrganizationOf, iri(row.get("parent_id"))))
    if row.get("description_zh"):
        g.add((s, DCTERMS.description, text(row.get("description_zh"), "zh")))


def _policy(g: Graph, row: Row) -> None:
    s = iri(row.get("policy_id"))
    g.add((s, RDF.type, CKG.PolicyDocument))
    if row.get("doc_type"):
        g.add((s, RDF.type, DOC_TYPES[row.get("doc_type")]))
    g.add((s, DCTERMS.title, text(row.get("title"), "zh")))
    g.add((s, SKOS.prefLabel, text(row.get("title"), "zh")))
    if row.get("doc_number"):
        canonical, written = identifiers.normalise_doc_number(row.get("doc_number"))
        g.add((s, CKG.docNumber, Literal(canonical)))
        g.add((s, CKG.docNumberAsWritten, Literal(written)))
    if row.get("issuer"):
        g.add((s, CKG.issuer, text(row.get("issuer"), "zh")))
    if row.get("level"):
        g.add((s, CKG.level, LEVEL[row.get("level")]))
    if row.get("jurisdiction_id"):
        g.add((s, CKG.jurisdiction, iri(row.get("jurisdiction_id"))))
    if row.get("date_issued"):
        g.add((s, DCTERMS.issued, date_literal(row.get("date_issued"))))
    if row.get("date_in_force"):
        g.add((s, CKG.dateInForce, date_literal(row.get("date_in_force"))))
    if row.get("in_force"):
        g.add((s, CKG.inForce, Literal(row.get("in_force") == "yes")))
    if row.get("general"):
        g.add((s, CKG.coversAllChains, Literal(row.get("general") == "yes")))


def _indicator(g: Graph, row: Row) -> None:
    s = iri(row.get("indicator_id"))
    g.add((s, RDF.type, CKG.Indicator))
    g.add((s, CKG.indicatorOf, iri(row.get("subject_id"))))
    g.add((s, CKG.measureName, text(row.get("measure_zh"), "zh")))
    label = row.get("measure_zh") + (f"({row.get('year')})" if row.get("year") else "")
    g.add((s, SKOS.prefLabel, text(label, "zh")))
    if row.get("measure_en"):
        g.add((s, CKG.measureName, text(row.get("measure_en"), "en")))
    g.add((s, CKG.value, Literal(Decimal(row.get("value")))))
    g.add((s, CKG.unit, Literal(row.get("unit"))))
    if row.get("year"):
        g.add((s, CKG.refYear, Literal(row.get("year"), datatype=XSD.gYear)))
    g.add((s, CKG.indicatorKind, CKG.Target if row.get("kind") == "target" else CKG.Actual))
    if row.get("set_by"):
        g.add((s, CKG.setBy, iri(row.get("set_by"))))


def _link(g: Graph, row: Row) -> None:
    predicate, obj = row.get("predicate"), row.get("object_id")
    prop = SUPPORTS[obj.partition(":")[0] + ":"] if predicate == "supports" else LINKS[predicate]
    g.add((iri(row.get("subject_id")), prop, iri(obj)))


def _add_industry_classes(ds: Dataset, prov: Graph, sources: Graph, used: set[str],
                          table: dict[str, tuple[str, str, str]], has_source: bool) -> None:
    """Load the GB/T classes the segments cite, with their ancestors, into their own sourced graph."""
    g = ds.graph(GRAPH_GBT)
    g.add((GBT_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((GBT_SCHEME, SKOS.prefLabel, text("国民经济行业分类(GB/T 4754-2017)", "zh")))
    g.add((GBT_SCHEME, SKOS.prefLabel,
           text("Industrial classification for national economic activities (GB/T 4754-2017)", "en")))
    todo = sorted(used)
    seen: set[str] = set()
    while todo:
        code = todo.pop()
        if code in seen or code not in table:
            continue
        seen.add(code)
        name, level, parent = table[code]
        s = industry_class(code)
        g.add((s, RDF.type, CKG.IndustryClass))
        g.add((s, SKOS.notation, Literal(code)))
        g.add((s, SKOS.prefLabel, text(name, "zh")))
        g.add((s, CKG.classLevel, Literal(level)))
        g.add((s, SKOS.inScheme, GBT_SCHEME))
        while parent and parent not in table and len(parent) > 2:
            parent = parent[:-1]  # an undivided 中类 appears only as its 小类 row: go up to the 大类
        if parent in table:
            g.add((s, SKOS.broader, industry_class(parent)))
            todo.append(parent)
    source = iri(GBT_SOURCE_ID)
    prov.add((GRAPH_GBT, RDF.type, CKG.Assertion))
    prov.add((GRAPH_GBT, PROV.wasDerivedFrom, source))
    prov.add((GRAPH_GBT, CKG.confidence, CKG.Confirmed))
    prov.add((GRAPH_GBT, CKG.sourceTable, Literal("gbt4754-2017.tsv")))
    if not has_source:
        sources.add((source, RDF.type, CKG.Source))
        sources.add((source, DCTERMS.title, text("国民经济行业分类(GB/T 4754-2017)", "zh")))
        sources.add((source, SKOS.prefLabel, text("国民经济行业分类(GB/T 4754-2017)", "zh")))
        sources.add((source, CKG.outlet, text("国家统计局", "zh")))
        sources.add((source, DCTERMS.date, Literal("2017-06-30", datatype=XSD.date)))
        sources.add((source, CKG.sourceKind, CKG.DatasetSource))


def compile_dataset(data_dir: Path) -> Dataset:
    """Read, check, convert and SHACL-validate a dataset folder.

    Args:
        data_dir: the folder of CSV tables.

    Returns:
        The dataset, ready to load.

    Raises:
        DataError: every problem found, each naming file, line, column and value.
    """
    tables = read_dataset(data_dir)
    codes = load_industry_codes(paths.gbt4754_file())
    check_dataset(tables, codes)
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    dataset = build_dataset(tables, ontology, codes)
    shapes = Graph().parse(paths.shapes_file(), format="turtle")
    problems = run_shacl(dataset, shapes, ontology, locate=_locations(tables))
    if problems:
        raise DataError(problems)
    return dataset


def _locations(tables) -> dict[str, tuple[str, int]]:
    out = {}
    for name, rows in tables.items():
        column = SPECS[name].id_column
        if column:
            for row in rows:
                out[str(iri(row.get(column)))] = (name, row.line)
    return out


def _term(term):
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def to_oxigraph_quads(dataset: Dataset):
    """The dataset's quads as Oxigraph terms (the default graph stays the default graph)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = ox.DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID else ox.NamedNode(str(g))
        yield ox.Quad(_term(s), _term(p), _term(o), graph)


def build_store(data_dir: Path, path: Path) -> Store:
    """Build the store for ``data_dir`` at ``path``, replacing what is there only when the build succeeds.

    Raises:
        DataError: the data is invalid (nothing on disk is changed).
        StoreError: the store cannot be written.
    """
    started = time.perf_counter()
    dataset = compile_dataset(data_dir)
    checked = time.perf_counter()
    from kg.manifest import describe, load_manifest

    info = {"fingerprint": fingerprint(data_dir), "data_dir": str(data_dir.resolve()),
            "dataset": describe(load_manifest(data_dir)),
            "check_seconds": round(checked - started, 3)}
    return write_store(to_oxigraph_quads(dataset), path, info, started=started)
