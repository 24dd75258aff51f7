"""The snapshot formats, each rendered to bytes from the facts (:class:`kg.snapshot.Facts`) by one function:
RDF (Turtle, N-Triples, N-Quads, TriG) through Oxigraph's serializers, compact JSON-LD, the NetworkX projection of
entities and links (:func:`project`) as GraphML and GEXF, and spreadsheet tables (CSV). :mod:`kg.snapshots.export`
assembles them into a snapshot folder.

Deterministic: statements are written in canonical sorted order and there are no blank nodes, so the same data
gives byte-identical files; only the manifest's ``created_at`` differs. XML 1.0 cannot carry most control characters,
so GraphML and GEXF show them as ``\\uXXXX``; the RDF formats and CSV keep every character.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from io import BytesIO
from xml.etree.ElementTree import SubElement

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter
from rdflib.namespace import RDF, SKOS, XSD

from kg.output import to_csv
from kg.snapshot import (
    KINDS,
    Facts,
    compact,
    context_file,
    snapshot_prefixes,
)

# --- RDF ------------------------------------------------------------------------------------------------------------

_TYPE = ox.NamedNode(str(RDF.type))


def quad_key(quad: ox.Quad) -> tuple:
    """The canonical sort key of a quad: by graph, subject, ``rdf:type`` first, then predicate and object."""
    return (str(quad.graph_name), str(quad.subject), quad.predicate != _TYPE, str(quad.predicate), str(quad.object))


def render_rdf(statements: Iterable, fmt: ox.RdfFormat) -> bytes:
    """Sorted triples (tuples) or quads → bytes in an Oxigraph format, with the snapshot prefixes in a fixed order.

    Oxigraph's serializers stream: the output follows the input order, so sorted input gives canonical output;
    N-Triples and N-Quads lines are sorted bytewise.
    """
    items = [ox.Triple(*s) if isinstance(s, tuple) else s for s in statements]
    prefixes = snapshot_prefixes()
    body = ox.serialize(items, format=fmt, prefixes=prefixes)
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        # one statement a line, in byte order: what `LC_ALL=C sort` gives, so `diff` and `comm` work on snapshots
        return b"".join(sorted(line + b"\n" for line in body.splitlines()))
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return body
    # Oxigraph writes the prefix lines in its own map order; write them in the context's order instead.
    lines = body.split(b"\n")
    start = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), len(lines))
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode("utf-8")
    return header + b"\n" + b"\n".join(lines[start:])


def render_jsonld(facts: Facts) -> bytes:
    """The facts as compact JSON-LD: ``{"@context": {...}, "@graph": [...]}``, one node per subject.

    The shipped context (``context.jsonld``: prefixes and ``@language`` ``zh``) is written inline: a relative
    ``"@context": "context.jsonld"`` is a remote context to most readers (pyoxigraph, the JSON-LD playground), which
    refuse it. Chinese literals are plain strings, other literals value objects; lexical forms are kept as they are
    (``{"@value": "10189.4", "@type": "xsd:decimal"}``).
    """
    context = json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    language = context.get("@language")
    nodes = []
    for subject in sorted(facts.by_subject, key=str):
        node: dict = {"@id": compact(subject.value)}
        values: dict[str, list] = defaultdict(list)
        for p, o in sorted(facts.by_subject[subject], key=lambda po: (str(po[0]), str(po[1]))):
            if p == _TYPE and isinstance(o, ox.NamedNode):
                values["@type"].append(compact(o.value))
            else:
                values[compact(p.value)].append(_jsonld_value(o, language))
        for key in sorted(values, key=lambda k: (k != "@type", k)):
            node[key] = values[key][0] if len(values[key]) == 1 else values[key]
        nodes.append(node)
    document = {"@context": context, "@graph": nodes}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _jsonld_value(term, language: str | None):
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if term.language:
        return term.value if term.language == language else {"@value": term.value, "@language": term.language}
    if term.datatype.value == str(XSD.string):
        return {"@value": term.value}
    return {"@value": term.value, "@type": compact(term.datatype.value)}


# --- NetworkX projection, GraphML, GEXF, CSV ------------------------------------------------------------------------

_PREF_LABEL = ox.NamedNode(str(SKOS.prefLabel))
_XSD_INT = {str(XSD[t]) for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                  "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_XSD_NUMBER = _XSD_INT | {str(XSD.decimal), str(XSD.double), str(XSD.float)}
#: Attribute names NetworkX's GEXF writer treats specially, and our own fixed columns.
_RESERVED = {"id", "pid", "start", "end", "viz", "parents", "slices", "spells", "weight", "type", "label", "label_zh",
             "label_en", "kind", "types", "sources", "confidence", "iri"}
#: What XML 1.0 cannot carry, plus carriage return (which XML parsers turn into a line feed).
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    r"""Text that survives XML 1.0 as it is: forbidden characters (most C0 controls, U+FFFE, U+FFFF) and carriage
    returns become ``\uXXXX``.

    >>> xml_safe("a\x01b")
    'a\\u0001b'
    """
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def entity_rows(facts: Facts) -> dict[str, list[dict]]:
    """One row of scalar text values per entity, by kind (every kind in :data:`KINDS`, empty ones included).

    Columns: ``id``, ``label_zh``, ``label_en``, one per other property (``name_lang`` for tagged literals; links to
    non-entities such as ``ckg:Upstream`` as compact IRIs; several values joined by ``; ``), ``types``, ``sources``,
    ``confidence``, ``iri``. Links between entities are not columns: see :func:`link_rows`.
    """
    rows: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for subject in sorted((s for s, k in facts.kinds.items() if k in KINDS), key=str):
        values: dict[str, list[str]] = defaultdict(list)
        sources: set[str] = set()
        levels: set[str] = set()
        for p, o in facts.by_subject[subject]:
            if p == _TYPE:
                values["types"].append(compact(o.value))
                found, level = facts.backing((subject, p, o))
                sources.update(found)
                levels.update(level)
            elif isinstance(o, ox.NamedNode) and facts.kinds.get(o) in KINDS:
                continue
            elif p == _PREF_LABEL:
                values[f"label_{o.language or 'none'}"].append(o.value)
            else:
                name = _local(p.value)
                name = f"{compact(p.value).partition(':')[0]}_{name}" if name in _RESERVED else name
                language = getattr(o, "language", None)
                values[f"{name}_{language}" if language else name].append(
                    o.value if isinstance(o, ox.Literal) else compact(o.value))
        row = {"id": compact(subject.value)}
        row.update({k: "; ".join(sorted(v)) for k, v in values.items()})
        row.update(sources="; ".join(sorted(sources)), confidence="; ".join(sorted(levels)), iri=subject.value)
        rows[facts.kinds[subject]].append(row)
    return rows


def link_rows(facts: Facts, lang: str = "zh") -> list[dict]:
    """One row per link between two entities: subject, property, object (ids, kinds, labels), sources, confidence."""
    out = []
    for s, p, o in facts.sorted_triples():
        if p == _TYPE or not isinstance(o, ox.NamedNode) or facts.kinds.get(o) not in KINDS \
                or facts.kinds.get(s) not in KINDS:
            continue
        sources, levels = facts.backing((s, p, o))
        out.append({"subject": compact(s.value), "subject_kind": facts.kinds[s], "subject_label": facts.label(s, lang),
                    "property": compact(p.value), "object": compact(o.value), "object_kind": facts.kinds[o],
                    "object_label": facts.label(o, lang), "sources": "; ".join(sources),
                    "confidence": "; ".join(levels)})
    return out


def project(facts: Facts) -> nx.MultiDiGraph:
    """The entity graph for Gephi and yEd: nodes are entities, edges the links between them (keyed by property).

    Node attributes are scalars: ``label`` (Chinese, else English, else the id), ``label_zh``, ``label_en``,
    ``kind``, ``types``, ``iri``, ``sources``, ``confidence`` and one per other property (numbers and booleans typed
    when every node has one value of that type). Edge attributes: ``property`` (compact IRI), ``label`` (its local
    name), ``sources``, ``confidence``. Every string is XML-safe (:func:`xml_safe`).
    """
    rows = entity_rows(facts)
    typed = _attribute_types(facts)
    graph = nx.MultiDiGraph()
    for kind, kind_rows in rows.items():
        for row in kind_rows:
            attrs = {"label": xml_safe(row.get("label_zh") or row.get("label_en") or row["id"]), "kind": kind}
            for key, text in row.items():
                if key != "id" and text != "":
                    attrs[key] = typed[key](text) if key in typed else xml_safe(text)
            graph.add_node(row["id"], **attrs)
    for link in link_rows(facts):
        graph.add_edge(link["subject"], link["object"], key=link["property"], property=xml_safe(link["property"]),
                       label=xml_safe(_local(link["property"])), sources=link["sources"],
                       confidence=link["confidence"])
    return graph


def _attribute_types(facts: Facts) -> dict:
    """Attribute name → converter for the properties whose every value is a single number or boolean."""
    seen: dict[str, set[str]] = defaultdict(set)
    for subject, kind in facts.kinds.items():
        if kind not in KINDS:
            continue
        counts: dict[str, int] = defaultdict(int)
        for p, o in facts.by_subject[subject]:
            if p == _TYPE or p == _PREF_LABEL or not isinstance(o, ox.Literal) or o.language:
                continue
            name = _local(p.value)
            if name in _RESERVED:
                continue
            counts[name] += 1
            datatype = o.datatype.value
            seen[name].add("int" if datatype in _XSD_INT else "float" if datatype in _XSD_NUMBER
                           else "bool" if datatype == str(XSD.boolean) else "str")
        for name, n in counts.items():
            if n > 1:
                seen[name].add("str")
    converters = {"int": int, "float": float, "bool": lambda text: text in ("true", "1")}
    return {name: converters[next(iter(kinds))] for name, kinds in seen.items()
            if len(kinds) == 1 and next(iter(kinds)) in converters}


def render_graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML of a projection, via :func:`networkx.write_graphml`."""
    buffer = BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def render_gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 of a projection, as :func:`networkx.write_gexf` writes it minus the date (so it is reproducible);
    a ``notice`` graph attribute becomes the ``<meta>`` description."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(graph)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        if graph.graph.get("notice"):  # synthetic data (see export_snapshot): GEXF's place for a note
            SubElement(meta, "description").text = xml_safe(graph.graph["notice"])
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def render_csv(facts: Facts) -> dict[str, str]:
    """Spreadsheet tables (UTF-8 with BOM): one per kind of entity, named by the kind (``enterprises.csv``), and
    ``links.csv``."""
    out = {}
    for kind, rows in entity_rows(facts).items():
        extra = sorted({k for row in rows for k in row} - {"id", "label_zh", "label_en", "types", "sources",
                                                          "confidence", "iri"})
        columns = ["id", "label_zh", "label_en", *extra, "types", "sources", "confidence", "iri"]
        out[KINDS[kind][2].replace(" ", "_") + ".csv"] = to_csv(rows, columns)
    columns = ["subject", "subject_kind", "subject_label", "property", "object", "object_kind", "object_label",
               "sources", "confidence"]
    out["links.csv"] = to_csv(link_rows(facts), columns)
    return out
