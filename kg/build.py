"""CSV rows → checked → N-Quads → the embedded Oxigraph store, streamed: no graph of the whole dataset in memory.

The build reads each table once, in an order where every reference points at rows already read (small tables whole,
then ``enterprises.csv`` and ``links.csv`` row by row), checks each row with :class:`kg.validate.Checker` and writes
its quads as N-Quads text into a pipe that pyoxigraph's bulk loader reads on the other core. Memory is bounded by
the small tables and the checker's keys, never by the text of the big ones.

Provenance (``docs/schema.md``): rows without a quote or note share one named graph per table × sources ×
confidence (``ckgid:assertion/{table}/shared-{hash}``); a row with a quote or note keeps a graph of its own
(``ckgid:assertion/{table}/{key}``, with ``ckg:sourceLine``, the quote and the note). Either way the graph's
``prov:wasDerivedFrom``, ``ckg:confidence`` and ``ckg:sourceTable`` are in ``ckgid:graph/provenance``, and every entity
row's line is ``?entity ckg:rowLine n`` there. Names are keyed for look-up (``ckg:matchKey``) in ``ckgid:graph/names``.
The default graph stays empty.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg import codes, identifiers, paths
from kg.errors import ChainKGError, DataError, Problem, StoreError
from kg.iris import CKG_NS
from kg.manifest import Manifest, describe, load_manifest
from kg.store import Store, fingerprint, read_info, stat_signature, write_store
from kg.summary import Summary
from kg.tables import SPECS, Row, iter_table
from kg.validate import DEFAULT_LIMIT, Checker, load_industry_codes

log = logging.getLogger(__name__)

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

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
#: The order rows are read in: every reference then points at rows already read, except a few that point forward
#: within a table (checked at the end). The first group is read whole; enterprises and links stream.
SMALL_TABLES = ("sources.csv", "chain_systems.csv", "chains.csv", "segments.csv", "districts.csv", "parks.csv",
                "policies.csv", "indicators.csv")
READ_ORDER = SMALL_TABLES + ("enterprises.csv", "aliases.csv", "links.csv")
assert set(READ_ORDER) == set(SPECS), "every table has a place in the read order"


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
    """How a source is shown: its title; without one, its outlet and date (or where it was read), in brackets so
    that nobody takes it for a title."""
    if row.get("title"):
        return row.get("title")
    described = "，".join(v for v in (row.get("outlet"), row.get("date")) if v) or row.get("url")
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
            if note:
                self.add(g, COMMENT, text(note), G_PROVENANCE)
            return g
        key = (row.table, row.get("source_ids"), row.get("confidence"))
        g = self._shared.get(key)
        if g is None:
            sources = ";".join(row.split("source_ids"))
            digest = hashlib.sha1(f"{sources}|{row.get('confidence')}".encode()).hexdigest()[:12]
            g = self._shared[key] = _u(f"{ID_NS}assertion/{row.table.removesuffix('.csv')}/shared-{digest}")
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
            self.add(ind, _c("measureName"), lit(f"{year}年目标" + (f"({note})" if note else ""), "zh"), g)
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
        self._row_line(s, row)

    def _policies(self, row: Row) -> None:
        s, g = _n(row.get("policy_id")), self.graph_of(row)
        self.add(s, A, _c("PolicyDocument"), g)
        if row.get("doc_type"):
            self.add(s, A, DOC_TYPES[row.get("doc_type")], g)
        title = lit(row.get("title"), "zh")
        self.add(s, TITLE, title, g)
        self.add(s, PREF, title, g)
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

    def _indicators(self, row: Row) -> None:
        s, g = _n(row.get("indicator_id")), self.graph_of(row)
        self.add(s, A, _c("Indicator"), g)
        self.add(s, _c("indicatorOf"), _n(row.get("subject_id")), g)
        self.add(s, _c("measureName"), lit(row.get("measure_zh"), "zh"), g)
        label = row.get("measure_zh") + (f"({row.get('year')})" if row.get("year") else "")
        self.add(s, PREF, lit(label, "zh"), g)
        if row.get("measure_en"):
            self.add(s, _c("measureName"), lit(row.get("measure_en"), "en"), g)
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


def compile_quads(data_dir: Path, write: Callable[[str], None] | None, limit: int = DEFAULT_LIMIT,
                  sample: int | None = None) -> dict:
    """Read, check and convert a dataset folder, streaming its N-Quads to ``write``.

    Args:
        data_dir: the dataset folder (with ``dataset.json`` and the CSV tables).
        write: receives N-Quads text in chunks; ``None`` checks only (``validate``).
        limit: keep the first ``limit`` problems, count the rest.
        sample: with ``write=None``, still convert the small tables and the first ``sample`` rows of the big ones
            (enterprises, links whose ends are all in the sample) and return their N-Quads as ``"sample"`` (for SHACL).

    Returns:
        What was built: ``quads``, ``graphs``, ``rows`` per table, phase ``seconds`` (and ``sample``).

    Raises:
        DataError: every problem found (up to ``limit``), each naming file, line, column and value. Once a problem
            is found no more quads are written: the caller must discard what it received.
    """
    started = time.perf_counter()
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(Problem(str(data_dir), 0, "", "", "data folder not found"))
    if not (data_dir / "sources.csv").is_file():
        raise DataError(Problem(str(data_dir / "sources.csv"), 0, "", "", "missing: every dataset needs sources.csv"))
    manifest = load_manifest(data_dir)
    industry_codes = load_industry_codes(manifest.industry_codes_file())
    checker = Checker(industry_codes, manifest.divisions(), limit)
    sampled: list[str] = []
    sink = write if write is not None else (sampled.append if sample is not None else None)
    emitter = Emitter(sink, manifest)
    seconds: dict[str, float] = {}
    rows_read: dict[str, int] = {}
    in_sample: set[str] = set()
    sampling = sample is not None and write is None
    referenced: set[str] = set()  # enterprises outside the sample that sampled rows point at

    summary = Summary() if write is not None else None

    def emit(row: Row, problems: int) -> None:
        if problems or checker.count:
            emitter.write = None  # the build will be refused: stop feeding the store, keep checking
            return
        emitter.row(row)
        if summary is not None:
            summary.row(row)

    emitter.ontology(paths.ontology_file())
    # The small tables: read whole, ids registered before any row is checked (they point at each other freely).
    small: dict[str, list[Row]] = {}
    read_errors: list[Problem] = []
    for name in SMALL_TABLES:
        small[name] = _read_whole(data_dir / name, name, read_errors)
    if read_errors:
        raise DataError(read_errors)
    for name in SMALL_TABLES:
        for row in small[name]:
            checker.register(row, SPECS[name])
    for name in SMALL_TABLES:
        for row in small[name]:
            emit(row, checker.check(row, SPECS[name]))
        rows_read[name] = len(small[name])
    seconds["small tables"] = time.perf_counter() - started
    has_gbt_source = any(r.get("source_id") == GBT_SOURCE_ID for r in small["sources.csv"])
    del small
    for name in ("enterprises.csv", "aliases.csv", "links.csv"):
        phase = time.perf_counter()
        spec, count = SPECS[name], 0
        path = data_dir / name
        rows = iter_table(path, spec) if path.is_file() else ()
        for row in rows:
            count += 1
            ok = checker.register(row, spec)
            problems = checker.check(row, spec) if ok else 1
            if sampling and name != "aliases.csv":
                # validate: only the sample's quads are converted (for SHACL), the other rows are checked only
                if name == "enterprises.csv" and count <= sample:
                    in_sample.add(row.get("enterprise_id"))
                    if row.get("parent_id"):
                        referenced.add(row.get("parent_id"))
                elif not (name == "links.csv" and {row.get("subject_id"), row.get("object_id")} <= in_sample):
                    continue
            emit(row, problems)
        rows_read[name] = count
        seconds[name] = time.perf_counter() - phase
        if name == "enterprises.csv":
            in_sample |= {i for i in checker.ids if not i.startswith("ent:")}
    error = checker.finish()
    if error:
        raise error
    emitter.industry_classes(industry_codes, has_gbt_source)
    emitter.flush(force=True)
    if summary is not None:
        phase = time.perf_counter()
        emitter.quads += summary.lines(write)
        seconds["summary"] = time.perf_counter() - phase
    seconds["total"] = time.perf_counter() - started
    out = {"quads": emitter.quads, "graphs": emitter.graphs + 4, "rows": rows_read,
           "seconds": {k: round(v, 3) for k, v in seconds.items()}, "dataset": describe(manifest)}
    if sampling:
        for ent in sorted(referenced - in_sample):  # typed, so that sh:class on the sample sees what they are
            emitter.add(_n(ent), A, _c("Enterprise"), _u(f"{ID_NS}graph/sample-stubs"))
        emitter.flush(force=True)
        out["sample"] = "".join(sampled)
    return out


def _read_whole(path: Path, name: str, problems: list[Problem]) -> list[Row]:
    if not path.is_file():
        return []
    try:
        return list(iter_table(path, SPECS[name]))
    except DataError as err:
        problems.extend(err.problems)
        return []


def check_dataset_folder(data_dir: Path, limit: int = DEFAULT_LIMIT, shacl: str = "sample") -> dict:
    """``chainkg validate``: every row check, then SHACL on the small tables and a sample (or on everything).

    Args:
        data_dir: the dataset folder.
        limit: how many problems to list.
        shacl: ``sample`` (the small tables and the first 1,000 enterprises with their links), ``full`` (every
            shape on every row: slow at size) or ``none``.

    Returns:
        ``rows`` per table, ``quads`` (that a build would load), ``shacl`` (what was checked).

    Raises:
        DataError: the problems found.
    """
    if shacl == "full":
        chunks: list[str] = []
        summary = compile_quads(data_dir, chunks.append, limit)
        nquads = "".join(chunks)
    else:
        summary = compile_quads(data_dir, None, limit, sample=1000 if shacl == "sample" else None)
        nquads = summary.pop("sample", "")
    if shacl != "none":
        problems = shacl_problems(nquads)
        if problems:
            raise DataError(problems)
    summary["shacl"] = shacl
    return summary


def shacl_problems(nquads: str) -> list[Problem]:
    """SHACL over N-Quads text (ontology included in it), each result located at its CSV row where possible."""
    from rdflib import Dataset, Graph

    from kg.validate import run_shacl

    data = Dataset()
    data.parse(data=nquads, format="nquads")
    shapes = Graph().parse(paths.shapes_file(), format="turtle")
    ontology = data.graph(G_ONTOLOGY.strip("<>"))
    ontology_triples = Graph()
    for triple in ontology:
        ontology_triples.add(triple)
    locate = _locations(data)
    return run_shacl(data, shapes, ontology_triples, locate=locate)


def _locations(data) -> dict[str, tuple[str, int]]:
    """Entity IRI → (table, line), from ``ckg:rowLine`` and the table of the graph that types the entity."""
    from rdflib import URIRef

    line_of = {str(s): int(o) for s, _, o, _ in data.quads((None, URIRef(CKG_NS + "rowLine"), None, None))}
    table_of = {str(s): str(o) for s, _, o, _ in data.quads((None, URIRef(CKG_NS + "sourceTable"), None, None))}
    out = {}
    for s, _, _, g in data.quads((None, URIRef(_RDF + "type"), None, None)):
        graph = str(getattr(g, "identifier", g))
        if str(s) in line_of and graph in table_of:
            out[str(s)] = (table_of[graph], line_of[str(s)])
    return out


def compile_dataset(data_dir: Path):
    """The whole dataset as an rdflib ``Dataset`` (small data only: tests, ``validate --full``).

    Raises:
        DataError: the data is invalid, or breaks a SHACL shape.
    """
    from rdflib import Dataset

    chunks: list[str] = []
    compile_quads(data_dir, chunks.append)
    nquads = "".join(chunks)
    problems = shacl_problems(nquads)
    if problems:
        raise DataError(problems)
    data = Dataset()
    data.parse(data=nquads, format="nquads")
    return data


#: The N-Quads the store was loaded from, kept in the store folder: the exact bytes, in the build's deterministic
#: order, so that an N-Quads export of a large store is a file copy (Oxigraph re-serializes about 100k quads/s).
STREAM_FILE = "graph.nq"


class _Pipe:
    """N-Quads text written by a worker thread into an OS pipe that the bulk loader reads by path (and, when asked,
    into a file as well)."""

    def __init__(self, copy: Path | None = None) -> None:
        self.read_fd, write_fd = os.pipe()
        try:  # a larger pipe (Linux: up to /proc/sys/fs/pipe-max-size) means fewer stalls between the two sides
            import fcntl

            fcntl.fcntl(write_fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except (ImportError, OSError):
            pass
        self.writer = os.fdopen(write_fd, "wb", buffering=1 << 20)
        self.copy = copy.open("wb") if copy is not None else None
        self.error: BaseException | None = None
        self.result: dict | None = None

    @property
    def path(self) -> str:
        return f"/proc/self/fd/{self.read_fd}"

    def write(self, chunk: str) -> None:
        data = chunk.encode("utf-8")
        self.writer.write(data)
        if self.copy is not None:
            self.copy.write(data)

    def run(self, job: Callable[[Callable[[str], None]], dict]) -> None:
        try:
            self.result = job(self.write)
        except BaseException as err:  # handed to the main thread, which raises it
            self.error = err
        finally:
            for handle in (self.writer, self.copy):
                try:
                    if handle is not None:
                        handle.close()
                except OSError:
                    pass


def bulk_load_stream(db: ox.Store, job: Callable[[Callable[[str], None]], dict], copy: Path | None = None) -> dict:
    """Run ``job(write)`` on a worker thread while ``db`` bulk-loads what it writes (pyoxigraph releases the GIL).

    Args:
        db: the new, empty store.
        job: writes N-Quads text through the function it is given; returns a summary.
        copy: also write the N-Quads to this file.

    Raises:
        whatever ``job`` raised (the store then holds a partial load and must be discarded).
    """
    pipe = _Pipe(copy)
    worker = threading.Thread(target=pipe.run, args=(job,), name="chainkg-build", daemon=True)
    worker.start()
    try:
        db.bulk_load(path=pipe.path, format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, ValueError) as err:
        os.close(pipe.read_fd)  # the writer then fails with a broken pipe and ends
        worker.join()
        if pipe.error is not None and not isinstance(pipe.error, (BrokenPipeError, OSError)):
            raise pipe.error from None
        raise StoreError(f"the store could not load the build's quads: {err}") from err
    os.close(pipe.read_fd)
    worker.join()
    if pipe.error is not None:
        raise pipe.error
    return pipe.result or {}


def build_store(data_dir: Path, path: Path, limit: int = DEFAULT_LIMIT) -> Store:
    """Build the store for ``data_dir`` at ``path``, replacing what is there only when the build succeeds.

    Raises:
        DataError: the data is invalid (nothing on disk is changed).
        StoreError: the store cannot be written.
    """
    started = time.perf_counter()
    data_dir = Path(data_dir)
    load_manifest(data_dir)  # a missing manifest is refused before anything is written

    def load(db: ox.Store, folder: Path) -> dict:
        summary = bulk_load_stream(db, lambda write: compile_quads(data_dir, write, limit), copy=folder / STREAM_FILE)
        summary["stream_file"] = {"name": STREAM_FILE, "bytes": (folder / STREAM_FILE).stat().st_size}
        summary["seconds"]["load (with checks)"] = round(time.perf_counter() - started, 3)
        return summary

    info = {"fingerprint": fingerprint(data_dir), "files": stat_signature(data_dir),
            "data_dir": str(data_dir.resolve())}
    return write_store(load, Path(path), info, started=started)


def ready_store(data_dir: Path | None = None, path: Path | None = None, rebuild: bool = False,
                on_build: Callable[[Path], None] | None = None) -> Store:
    """The store for a dataset, built first when it is missing or the data changed (the CLI's entry point).

    A store is fresh when its build record names the same files with the same sizes and times, or, when they were
    touched, the same content hash. A store restored from a snapshot is used as it is until the next build.

    Raises:
        DataError: the data is invalid.
        StoreError: the store cannot be opened or written.
    """
    from kg.store import default_store_path, open_store

    data_dir = Path(data_dir) if data_dir else paths.default_data_dir()
    path = Path(path) if path else default_store_path(data_dir)
    info = read_info(path)
    if not rebuild and info and (info.get("restored_from") or _fresh(info, data_dir)):
        return open_store(path)
    log.info("building the store for %s at %s", data_dir, path)
    if on_build is not None:
        on_build(data_dir)
    return build_store(data_dir, path)


def _fresh(info: dict, data_dir: Path) -> bool:
    if info.get("files") and info.get("files") == stat_signature(data_dir):
        return True
    return info.get("fingerprint") == fingerprint(data_dir)


def iter_build_errors(err: ChainKGError) -> Iterable[Problem]:
    """The problems of a refused build (one per line of output)."""
    return err.problems if isinstance(err, DataError) else [Problem("", 0, "", "", str(err))]
