"""Checked rows → N-Quads text: the terms, the provenance graphs, one emitter per table.

Owns how a row becomes quads (``docs/schema.md`` is its prose twin): rows without a quote or note share one named
graph per table × sources × confidence (``ckgid:assertion/{table}/shared-{hash}``); a row with a quote or note keeps a
graph of its own (``ckgid:assertion/{table}/{key}``, with ``ckg:sourceLine``, the quote and the note). Either way the
graph's ``prov:wasDerivedFrom``, ``ckg:confidence`` and ``ckg:sourceTable`` are in ``ckgid:graph/provenance``, and
every entity row's line is ``?entity ckg:rowLine n`` there. Names are keyed for look-up (``ckg:matchKey``) in
``ckgid:graph/names``. Text is written directly (no rdflib terms): at a million rows the conversion would cost more
than the store's own loading. :mod:`kg.build` drives it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg import codes, i18n, identifiers
from kg.data.rules import quote_holder
from kg.iris import CKG_NS
from kg.manifest import Manifest
from kg.tables import SPECS, Row

ID_NS = "https://w3id.org/chainkg/id/"
GBT_SOURCE_ID = "src:GBT4754"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"


def _u(iri: str) -> str:
    return f"<{iri}>"


def _c(local: str) -> str:
    return f"<{CKG_NS}{local}>"


A = _u(_RDF + "type")
PREF, ALT = _u(_SKOS + "prefLabel"), _u(_SKOS + "altLabel")
NOTATION, BROADER, IN_SCHEME = _u(_SKOS + "notation"), _u(_SKOS + "broader"), _u(_SKOS + "inScheme")
CONCEPT_SCHEME = _u(_SKOS + "ConceptScheme")
TITLE, DESCRIPTION, DATE, ISSUED = (_u(_DCT + t) for t in ("title", "description", "date", "issued"))
COMMENT = _u(_RDFS + "comment")
DERIVED = _u(_PROV + "wasDerivedFrom")
SUB_ORG = _u(codes.ORG_NS + "subOrganizationOf")
G_ONTOLOGY, G_PROVENANCE, G_SOURCES, G_NAMES, G_GBT = (_u(f"{ID_NS}graph/{n}") for n in
                                                       ("ontology", "provenance", "sources", "names", "gbt4754"))
#: Graphs that hold no facts: the ontology, the provenance of the rows, the name keys and the derived counts.
NON_FACT_GRAPHS = ("ontology", "provenance", "names", "summary")
GBT_SCHEME = _u(ID_NS + "gbt4754")

CONFIDENCE = {k: _u(v) for k, v in codes.CONFIDENCE.items()}
SOURCE_KIND = {k: _u(v) for k, v in codes.SOURCE_KIND.items()}
POSITION = {k: _u(v) for k, v in codes.POSITION.items()}
GROUP = {k: _u(v) for k, v in codes.GROUP.items()}
LEVEL = {k: _u(v) for k, v in codes.LEVEL.items()}
TIER = {k: _u(v) for k, v in codes.TIER.items()}
PLACE_TYPES = {k: tuple(_u(c) for c in v) for k, v in codes.PLACE_KIND.items()}
PARK_TYPES = {k: _u(v) for k, v in codes.PARK_KIND.items()}
DOC_TYPES = {k: _u(v) for k, v in codes.DOC_TYPE.items()}
LINKS = {k: _u(v) for k, v in codes.LINK.items()}
SUPPORTS = {k: _u(v) for k, v in codes.SUPPORTS.items()}
INDICATOR_KIND = {k: _u(v) for k, v in codes.INDICATOR_KIND.items()}
QUALIFIER = {k: _u(v) for k, v in codes.QUALIFIER.items()}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


_match_key = identifiers.cached_match_key


def iri(entity_id: str) -> str:
    """The IRI of a CSV id: ``chain:ic`` → ``…/id/chain/ic``; a GB/T code ``gbt:3973`` → ``…/id/gbt4754/3973``."""
    prefix, _, local = entity_id.partition(":")
    return f"{ID_NS}{'gbt4754' if prefix == 'gbt' else prefix}/{local}"


def _n(entity_id: str) -> str:
    return f"<{iri(entity_id)}>"


def lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Quads literal: language-tagged, typed (``datatype`` is an XSD local name) or plain."""
    body = value.translate(_ESCAPES)
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{_XSD}{datatype}>'
    return f'"{body}"'


def text(value: str, lang: str | None = None) -> str:
    """A language-tagged literal: ``zh`` when the text has Chinese characters, else ``lang`` or ``en``."""
    if lang is None:
        lang = "zh" if _CJK.search(value) else "en"
    return lit(value, lang)


def date_literal(value: str) -> str:
    """A date of the precision given: xsd:gYear, xsd:gYearMonth or xsd:date."""
    lexical, datatype = identifiers.parse_date(value)
    return lit(lexical, datatype=datatype)


def decimal_literal(value: str) -> str:
    """A checked decimal as xsd:decimal, in canonical form (``10000.0`` → ``10000``)."""
    number = Decimal(value)
    if number == number.to_integral_value():
        lexical = str(number.quantize(Decimal(1)))
    else:
        lexical = format(number.normalize(), "f")
    return lit(lexical, datatype="decimal")


def _int(value: int | str) -> str:
    return f'"{int(value)}"^^<{_XSD}integer>'


def _bool(flag: bool) -> str:
    return f'"{"true" if flag else "false"}"^^<{_XSD}boolean>'


def source_label(row: Row) -> str:
    """How a source (or an untitled policy) is shown: its title; without one, its ``label`` (a description, never a
    title), else its outlet and date (or where it was read), in brackets so that nobody takes it for a title."""
    if row.get("title"):
        return row.get("title")
    described = row.get("label") or "，".join(v for v in (row.get("outlet"), row.get("date")) if v) or row.get("url")
    return f"[{described}]"


def assertion_iri(row: Row) -> str:
    """The graph of a row that has one of its own (a quote or a note), stable across edits of other rows."""
    table = row.table.removesuffix(".csv")
    spec = SPECS[row.table]
    if spec.id_column:
        key = row.get(spec.id_column).replace(":", ".")
    elif row.table == "links.csv":
        key = "/".join((row.get("subject_id"), row.get("predicate"), row.get("object_id"))).replace(":", ".")
    else:
        key = f"{row.get('entity_id').replace(':', '.')}/{identifiers.match_key(row.get('alias'))}"
    return f"{ID_NS}assertion/{table}/{_safe(key)}"


def graph_iri(row: Row) -> str:
    """The named graph of a row's facts: its own (:func:`assertion_iri`) when it has a quote or a note, else the
    graph it shares with the rows of its table citing the same sources at the same confidence."""
    if row.get("quote") or row.get("note"):
        return assertion_iri(row)
    sources = ";".join(row.split("source_ids"))
    digest = hashlib.sha1(f"{sources}|{row.get('confidence')}".encode()).hexdigest()[:12]
    return f"{ID_NS}assertion/{row.table.removesuffix('.csv')}/shared-{digest}"


def _safe(key: str) -> str:
    # IRIs may carry Unicode (alias keys); only characters that break IRIs are percent-encoded.
    return "".join(c if c.isalnum() or c in "-_./" else f"%{ord(c):02X}" for c in key)


class Emitter:
    """Turns checked rows into N-Quads lines and hands them to ``write`` in batches.

    Args:
        write: called with a chunk of N-Quads text (or ``None`` to count and discard).
        manifest: the dataset's manifest (the chain-target column's year and unit).
    """

    BATCH = 4000

    def __init__(self, write: Callable[[str], None] | None, manifest: Manifest) -> None:
        self.write = write
        self.manifest = manifest
        self.lines: list[str] = []
        self.quads = 0
        self.graphs = 0
        self._shared: dict[tuple, str] = {}
        self.used_codes: set[str] = set()
        self.source_kinds: dict[str, str] = {}  # source id → kind (sources.csv is emitted first)

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def flush(self, force: bool = False) -> None:
        """Hand the lines gathered so far to ``write``."""
        if self.lines and (force or len(self.lines) >= self.BATCH):
            self.quads += len(self.lines)
            if self.write is not None:
                self.write("".join(self.lines))
            self.lines.clear()

    # -- provenance ------------------------------------------------------------------------------------------------
    def graph_of(self, row: Row) -> str:
        """The named graph a row's facts go into; its provenance is written the first time it is used."""
        quote, note = row.get("quote"), row.get("note")
        if quote or note:
            g = _u(assertion_iri(row))
            self._provenance(g, row)
            self.add(g, _c("sourceLine"), _int(row.line), G_PROVENANCE)
            if quote:
                self.add(g, _c("quote"), text(quote), G_PROVENANCE)
                holder = quote_holder(row, self.source_kinds)
                if holder:
                    self.add(g, _c("quoteSource"), _n(holder), G_PROVENANCE)
            if note:
                self.add(g, COMMENT, text(note), G_PROVENANCE)
            return g
        key = (row.table, row.get("source_ids"), row.get("confidence"))
        g = self._shared.get(key)
        if g is None:
            g = self._shared[key] = _u(graph_iri(row))
            self._provenance(g, row)
        return g

    def _provenance(self, g: str, row: Row) -> None:
        self.graphs += 1
        self.add(g, A, _c("Assertion"), G_PROVENANCE)
        for source in dict.fromkeys(row.split("source_ids")):
            self.add(g, DERIVED, _n(source), G_PROVENANCE)
        self.add(g, _c("confidence"), CONFIDENCE[row.get("confidence")], G_PROVENANCE)
        self.add(g, _c("sourceTable"), lit(row.table), G_PROVENANCE)

    def _row_line(self, s: str, row: Row) -> None:
        self.add(s, _c("rowLine"), _int(row.line), G_PROVENANCE)

    def _keys(self, s: str, *names: str) -> None:
        for key in dict.fromkeys(_match_key(n) for n in names if n):
            if key:
                self.add(s, _c("matchKey"), lit(key), G_NAMES)

    def _labels(self, s: str, row: Row, g: str, zh: str = "name_zh", en: str = "name_en") -> None:
        if row.get(zh):
            self.add(s, PREF, lit(row.get(zh), "zh"), g)
        if row.get(en):
            self.add(s, PREF, text(row.get(en), "en"), g)
        self._keys(s, row.get(zh), row.get(en))

    # -- tables ----------------------------------------------------------------------------------------------------
    def row(self, row: Row) -> None:
        """Write the quads of one checked row."""
        getattr(self, "_" + row.table.removesuffix(".csv"))(row)
        self.flush()

    def _sources(self, row: Row) -> None:
        s, g = _n(row.get("source_id")), G_SOURCES
        self.source_kinds[row.get("source_id")] = row.get("kind")
        self.add(s, A, _c("Source"), g)
        self.add(s, PREF, text(source_label(row)), g)
        if row.get("title"):
            self.add(s, TITLE, text(row.get("title")), g)
        self.add(s, _c("sourceKind"), SOURCE_KIND[row.get("kind")], g)
        if row.get("outlet"):
            self.add(s, _c("outlet"), text(row.get("outlet")), g)
        if row.get("date"):
            self.add(s, DATE, date_literal(row.get("date")), g)
        if row.get("url"):
            self.add(s, _c("readAt"), lit(row.get("url"), datatype="anyURI"), g)
        if row.get("note"):
            self.add(s, COMMENT, text(row.get("note")), g)

    def _chain_systems(self, row: Row) -> None:
        s, g = _n(row.get("system_id")), self.graph_of(row)
        self.add(s, A, _c("ChainSystem"), g)
        self._labels(s, row, g)
        for column, prop in (("landmark_count", "declaredLandmarkChains"), ("key_count", "declaredKeyChains")):
            if row.get(column):
                self.add(s, _c(prop), _int(row.get(column)), g)
        if row.get("period"):
            self.add(s, _c("period"), lit(row.get("period")), g)
        for other in row.split("replaces"):
            self.add(s, _c("replaces"), _n(other), g)
        self._row_line(s, row)

    def _chains(self, row: Row) -> None:
        s, g = _n(row.get("chain_id")), self.graph_of(row)
        self.add(s, A, _c("IndustrialChain"), g)
        self.add(s, A, TIER[row.get("tier")], g)
        self._labels(s, row, g)
        self.add(s, _c("isConfirmed"), _bool(row.get("status") == "confirmed"), g)
        if row.get("group"):
            self.add(s, _c("chainGroup"), GROUP[row.get("group")], g)
        if row.get("system_id"):
            self.add(s, _c("inSystem"), _n(row.get("system_id")), g)
        if row.get("parent_chain_id"):
            self.add(s, _c("parentChain"), _n(row.get("parent_chain_id")), g)
        if row.get("target_2030"):
            year = self.manifest.chain_target.get("year", "2030")
            unit = self.manifest.chain_target.get("unit", "")
            ind = _u(f"{ID_NS}ind/{row.get('chain_id').partition(':')[2]}-target-{year}")
            note = row.get("target_note")
            self.add(ind, A, _c("Indicator"), g)
            self.add(ind, _c("indicatorOf"), s, g)
            # the note is a code of the data (scale, core industry): its Chinese label from the catalogue
            zh_note = i18n.code("target_note", note, "zh") if note else None
            self.add(ind, _c("measureName"), lit(f"{year}年目标" + (f"({zh_note})" if note else ""), "zh"), g)
            self.add(ind, _c("measureName"), lit(f"{year} target" + (f" ({note})" if note else ""), "en"), g)
            self.add(ind, PREF, lit(f"{row.get('name_zh')} {year}年目标", "zh"), g)
            self.add(ind, _c("value"), decimal_literal(row.get("target_2030")), g)
            if unit:
                self.add(ind, _c("unit"), lit(unit), g)
            self.add(ind, _c("refYear"), lit(year, datatype="gYear"), g)
            self.add(ind, _c("indicatorKind"), INDICATOR_KIND["target"], g)
        self._row_line(s, row)

    def _aliases(self, row: Row) -> None:
        s, g = _n(row.get("entity_id")), self.graph_of(row)
        self.add(s, ALT, text(row.get("alias"), row.get("lang")), g)
        self._keys(s, row.get("alias"))

    def _segments(self, row: Row) -> None:
        s, g = _n(row.get("segment_id")), self.graph_of(row)
        self.add(s, A, _c("ChainSegment"), g)
        self._labels(s, row, g)
        self.add(s, _c("segmentOf"), _n(row.get("chain_id")), g)
        self.add(s, _c("position"), POSITION[row.get("position")], g)
        self.add(s, _c("sequence"), _int(row.get("sequence")), g)
        for other in row.split("supplies_to"):
            self.add(s, _c("suppliesTo"), _n(other), g)
        for code in row.split("industry_codes"):
            self.add(s, _c("industryClass"), _u(f"{ID_NS}gbt4754/{code}"), g)
            self.used_codes.add(code)
        self._row_line(s, row)

    def _districts(self, row: Row) -> None:
        s, g = _n(row.get("place_id")), self.graph_of(row)
        for cls in PLACE_TYPES[row.get("kind")] + (_c("Place"),):
            self.add(s, A, cls, g)
        self._labels(s, row, g)
        if row.get("division_code"):
            self.add(s, _c("divisionCode"), lit(row.get("division_code")), g)
        if row.get("stat_code"):
            self.add(s, _c("statisticalCode"), lit(row.get("stat_code")), g)
        self._keys(s, row.get("division_code"), row.get("stat_code"))
        if row.get("parent_id"):
            self.add(s, _c("within"), _n(row.get("parent_id")), g)
        if row.get("positioning_zh"):
            self.add(s, _c("positioning"), lit(row.get("positioning_zh"), "zh"), g)
        self._row_line(s, row)

    def _parks(self, row: Row) -> None:
        s, g = _n(row.get("park_id")), self.graph_of(row)
        for cls in (_c("Park"), _c("Place"), PARK_TYPES[row.get("kind")]):
            self.add(s, A, cls, g)
        self._labels(s, row, g)
        if row.get("level"):
            self.add(s, _c("level"), LEVEL[row.get("level")], g)
        if row.get("place_id"):
            self.add(s, _c("locatedIn"), _n(row.get("place_id")), g)
        if row.get("parent_park_id"):
            self.add(s, _c("partOfPark"), _n(row.get("parent_park_id")), g)
        if row.get("description_zh"):
            self.add(s, DESCRIPTION, lit(row.get("description_zh"), "zh"), g)
        self._row_line(s, row)

    def _enterprises(self, row: Row) -> None:
        s, g = _n(row.get("enterprise_id")), self.graph_of(row)
        self.add(s, A, _c("Enterprise"), g)
        self._labels(s, row, g)
        if row.get("credit_code"):
            code = row.get("credit_code").upper()  # checked (and so normalised) by the checker
            self.add(s, _c("creditCode"), lit(code), g)  # found by kg.resolve through ckg:creditCode itself
        if row.get("place_id"):
            self.add(s, _c("locatedIn"), _n(row.get("place_id")), g)
        if row.get("park_id"):
            self.add(s, _c("inPark"), _n(row.get("park_id")), g)
        if row.get("parent_id"):
            self.add(s, SUB_ORG, _n(row.get("parent_id")), g)
        if row.get("description_zh"):
            self.add(s, DESCRIPTION, lit(row.get("description_zh"), "zh"), g)
        code = row.get("industry_code")
        if code:
            self.add(s, _c("registeredIndustryClass"), _u(f"{ID_NS}gbt4754/{code}"), g)
            self.used_codes.add(code)
        for tag in row.split("qualifications"):
            self.add(s, _c("qualification"), text(tag, "zh"), g)
        self._row_line(s, row)

    def _policies(self, row: Row) -> None:
        s, g = _n(row.get("policy_id")), self.graph_of(row)
        self.add(s, A, _c("PolicyDocument"), g)
        if row.get("doc_type"):
            self.add(s, A, DOC_TYPES[row.get("doc_type")], g)
        if row.get("title"):
            self.add(s, TITLE, lit(row.get("title"), "zh"), g)
        self.add(s, PREF, lit(source_label(row), "zh"), g)  # an untitled document shows its label in brackets
        keys = [row.get("title")]
        if row.get("doc_number"):
            canonical, written = identifiers.normalise_doc_number(row.get("doc_number"))
            self.add(s, _c("docNumber"), lit(canonical), g)
            self.add(s, _c("docNumberAsWritten"), lit(written), g)
            keys += [canonical, written]
        self._keys(s, *keys)
        if row.get("issuer"):
            self.add(s, _c("issuer"), lit(row.get("issuer"), "zh"), g)
        if row.get("level"):
            self.add(s, _c("level"), LEVEL[row.get("level")], g)
        if row.get("jurisdiction_id"):
            self.add(s, _c("jurisdiction"), _n(row.get("jurisdiction_id")), g)
        if row.get("date_issued"):
            self.add(s, ISSUED, date_literal(row.get("date_issued")), g)
        if row.get("date_in_force"):
            self.add(s, _c("dateInForce"), date_literal(row.get("date_in_force")), g)
        if row.get("in_force"):
            self.add(s, _c("inForce"), _bool(row.get("in_force") == "yes"), g)
        if row.get("general"):
            self.add(s, _c("coversAllChains"), _bool(row.get("general") == "yes"), g)
        self._row_line(s, row)

    def _measures(self, row: Row) -> None:
        s, g = _n(row.get("measure_id")), self.graph_of(row)
        self.add(s, A, _c("Measure"), g)
        self._labels(s, row, g)
        self.add(s, _c("unit"), lit(row.get("unit")), g)
        self._row_line(s, row)

    def _indicators(self, row: Row) -> None:
        s, g = _n(row.get("indicator_id")), self.graph_of(row)
        self.add(s, A, _c("Indicator"), g)
        self.add(s, _c("indicatorOf"), _n(row.get("subject_id")), g)
        if row.get("measure_id"):
            self.add(s, _c("measure"), _n(row.get("measure_id")), g)
        self.add(s, _c("measureName"), lit(row.get("measure_zh"), "zh"), g)
        label = row.get("measure_zh") + (f"({row.get('year')})" if row.get("year") else "")
        self.add(s, PREF, lit(label, "zh"), g)
        if row.get("measure_en"):
            self.add(s, _c("measureName"), lit(row.get("measure_en"), "en"), g)
        self._keys(s, row.get("measure_zh"), row.get("measure_en"), label)
        if row.get("qualifier"):
            self.add(s, _c("valueQualifier"), QUALIFIER[row.get("qualifier")], g)
        if row.get("qualifier_word"):
            self.add(s, _c("qualifierText"), lit(row.get("qualifier_word"), "zh"), g)
        self.add(s, _c("value"), decimal_literal(row.get("value")), g)
        self.add(s, _c("unit"), lit(row.get("unit")), g)
        if row.get("year"):
            self.add(s, _c("refYear"), lit(row.get("year"), datatype="gYear"), g)
        self.add(s, _c("indicatorKind"), INDICATOR_KIND["target" if row.get("kind") == "target" else "actual"], g)
        if row.get("set_by"):
            self.add(s, _c("setBy"), _n(row.get("set_by")), g)
        self._row_line(s, row)

    def _links(self, row: Row) -> None:
        predicate, obj = row.get("predicate"), row.get("object_id")
        prop = SUPPORTS[obj.partition(":")[0] + ":"] if predicate == "supports" else LINKS[predicate]
        self.add(_n(row.get("subject_id")), prop, _n(obj), self.graph_of(row))

    # -- reference graphs ------------------------------------------------------------------------------------------
    def ontology(self, path: Path) -> None:
        """The ontology, in its own graph."""
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            self.add(str(triple.subject), str(triple.predicate), str(triple.object), G_ONTOLOGY)
        self.flush(force=True)

    def industry_classes(self, table: dict[str, tuple[str, str, str]], has_source: bool) -> None:
        """The classes the segments cite, with their ancestors, in their own sourced graph."""
        g = G_GBT
        self.add(GBT_SCHEME, A, CONCEPT_SCHEME, g)
        self.add(GBT_SCHEME, PREF, lit("国民经济行业分类(GB/T 4754-2017)", "zh"), g)
        self.add(GBT_SCHEME, PREF,
                 lit("Industrial classification for national economic activities (GB/T 4754-2017)", "en"), g)
        todo = sorted(self.used_codes)
        seen: set[str] = set()
        while todo:
            code = todo.pop()
            if code in seen or code not in table:
                continue
            seen.add(code)
            name, level, parent = table[code]
            s = _u(f"{ID_NS}gbt4754/{code}")
            self.add(s, A, _c("IndustryClass"), g)
            self.add(s, NOTATION, lit(code), g)
            self.add(s, PREF, lit(name, "zh"), g)
            self.add(s, _c("classLevel"), lit(level), g)
            self.add(s, IN_SCHEME, GBT_SCHEME, g)
            while parent and parent not in table and len(parent) > 2:
                parent = parent[:-1]  # an undivided 中类 appears only as its 小类 row: go up to the 大类
            if parent in table:
                self.add(s, BROADER, _u(f"{ID_NS}gbt4754/{parent}"), g)
                todo.append(parent)
        source = _n(GBT_SOURCE_ID)
        self.graphs += 1
        self.add(g, A, _c("Assertion"), G_PROVENANCE)
        self.add(g, DERIVED, source, G_PROVENANCE)
        self.add(g, _c("confidence"), CONFIDENCE["confirmed"], G_PROVENANCE)
        self.add(g, _c("sourceTable"), lit("gbt4754-2017.tsv"), G_PROVENANCE)
        if not has_source:
            title = lit("国民经济行业分类(GB/T 4754-2017)", "zh")
            self.add(source, A, _c("Source"), G_SOURCES)
            self.add(source, TITLE, title, G_SOURCES)
            self.add(source, PREF, title, G_SOURCES)
            self.add(source, _c("outlet"), lit("国家统计局", "zh"), G_SOURCES)
            self.add(source, DATE, lit("2017-06-30", datatype="date"), G_SOURCES)
            self.add(source, _c("sourceKind"), SOURCE_KIND["dataset"], G_SOURCES)
        self.flush(force=True)
