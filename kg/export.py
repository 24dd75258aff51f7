"""Every file chainkg writes: atomic single files, and dated snapshots of the graph in each format tools use.

A snapshot is a folder written whole to a temporary sibling and put in place by rename
(:func:`kg.atomic.folder_in_place`), so a reader, or a failed export, never meets a half-old, half-new snapshot. An
existing folder is replaced only when it is an earlier snapshot holding nothing but the files its manifest lists
(:func:`kg.atomic.check_replaceable`). Its files:

===================  ==============================================================================================
``graph.nq``         the whole dataset, every named graph (ontology, provenance, one per CSV row); what ``restore``
``graph.trig``       reads. TriG is the same quads, grouped by graph and with prefixes.
``graph.nt``         the *facts*: the union of the data graphs (rows, sources, GB/T classes) without the ontology and
``graph.ttl``        the provenance graph, whose statements are about graphs that a triple file no longer has. The
``graph.jsonld``     ontology is ``ontology/chainkg.ttl``; JSON-LD is compact, its context inline (so the file alone
                     parses, in pyoxigraph or a playground) and also in ``context.jsonld`` beside it, for reuse.
``graph.graphml``    a NetworkX projection for Gephi and yEd: entities as nodes (scalar attributes, labels in both
``graph.gexf``       languages), links between entities as edges (with their sources and confidence).
``csv/``             one spreadsheet table per kind of entity (``sources.csv`` among them) and ``links.csv``.
``manifest.json``    ``"generator": "chainkg"`` and ``"kind": "snapshot"`` (what marks the folder as ours), creation
                     time, the dataset it describes (:func:`kg.manifest.store_dataset`: id, names, title,
                     ``synthetic``, licence, notes), data fingerprint, ontology and tool versions, counts, sha256 of
                     every file.
===================  ==============================================================================================

Synthetic data says so wherever a format has room for a note: ``manifest.json`` (``dataset.synthetic`` and
``notice``), a ``#`` comment atop the Turtle, N-Triples, N-Quads and TriG files, the GEXF ``<meta>`` description and
GraphML graph attributes. The CSV tables have no such place; the manifest beside them carries it.

Large stores (above :data:`STREAM_ABOVE` quads) are streamed: Oxigraph's serializers write the RDF files straight to
disk in store order, the counts are SPARQL counts, and JSON-LD, GraphML, GEXF and CSV (which need every entity in
Python) are skipped with the reason in the manifest's ``skipped`` (:func:`_export_streamed`).

Deterministic: statements are written in canonical sorted order and there are no blank nodes, so the same data
gives byte-identical files; only the manifest's ``created_at`` differs. XML 1.0 cannot carry most control characters,
so GraphML and GEXF show them as ``\\uXXXX``; the RDF formats and CSV keep every character.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from xml.etree.ElementTree import SubElement

import networkx as nx
import pyoxigraph as ox
from networkx.readwrite.gexf import GEXFWriter
from rdflib.namespace import OWL, RDF, SKOS, XSD

import kg
from kg.atomic import check_replaceable, folder_in_place, legacy_listing, marker_fields
from kg.errors import ExportError
from kg.manifest import SYNTHETIC_NOTICE, store_dataset
from kg.namespace import GRAPH_ONTOLOGY
from kg.output import to_csv
from kg.snapshot import (
    CONTEXT,
    KINDS,
    MANIFEST,
    Facts,
    compact,
    context_file,
    snapshot_prefixes,
)

log = logging.getLogger(__name__)

#: Snapshot formats, in the order they are written.
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")
SNAPSHOT_VERSION = 1
#: The ``kind`` a snapshot's manifest names; with the ``files`` it lists, what lets a later export replace it.
KIND = "snapshot"
WHAT = "chainkg snapshot"
#: Above this many quads a snapshot is streamed (Jinan has about 60,000; the synthetic million 12.6 million).
STREAM_ABOVE = 1_000_000
#: Formats written by Oxigraph's serializers straight to the file when streaming; the others need every entity in
#: Python (JSON-LD compaction, the NetworkX projection, the per-entity tables) and are skipped.
STREAMED = ("ttl", "nt", "nq", "trig")


def parse_formats(formats: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"ttl,nq"`` or ``["ttl", "nq"]`` → the formats in writing order; ``None`` or ``"all"`` → every format.

    Raises:
        ExportError: an unknown format.
    """
    if formats is None or formats == "all":
        return FORMATS
    asked = [f.strip().lower() for f in (formats.split(",") if isinstance(formats, str) else formats) if f.strip()]
    unknown = sorted(set(asked) - set(FORMATS))
    if unknown or not asked:
        raise ExportError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {','.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in asked)


def export_snapshot(store, out_dir: Path, formats: str | Iterable[str] | None = None,
                    now: datetime | None = None, stream_above: int | None = None, on_progress=None) -> dict:
    """Write a snapshot of a store into ``out_dir``, replacing the previous snapshot there only when all is written.

    Args:
        store: an open :class:`kg.store.Store`.
        out_dir: the snapshot folder: absent, empty, or an earlier snapshot holding only the files its manifest
            lists (one written before manifests named their writer must hold exactly those).
        formats: which formats (see :data:`FORMATS`); default all.
        now: the creation time to record (default: now, UTC).
        stream_above: above this many quads (default :data:`STREAM_ABOVE`) the RDF files are streamed by Oxigraph
            in store order and the formats that need every entity in memory are skipped (see
            :func:`_export_streamed`).
        on_progress: told each step as ``on_progress(phase, **fields)``: ``export.facts``, then ``export.format``
            with ``fmt`` for each format (the CLI prints them; see :mod:`kg.i18n`).

    Returns:
        The manifest written to ``manifest.json``.

    Raises:
        ExportError: an unknown format; ``out_dir`` is not ours to replace (a file, a symbolic link, a folder
            without a chainkg manifest, or a snapshot with files added: nothing is deleted, the files chainkg did not
            write are named); or the folder cannot be written (the previous snapshot is left intact and no temporary
            folder remains).
    """
    formats = parse_formats(formats)
    out_dir = Path(out_dir)
    stream_above = STREAM_ABOVE if stream_above is None else stream_above
    check_replaceable(out_dir, MANIFEST, what=WHAT, kind=KIND, legacy=legacy_listing)
    say = on_progress or (lambda phase, **fields: None)
    size = len(store.oxigraph)
    if size > stream_above:
        return _export_streamed(store, out_dir, formats, now, size, stream_above, say)
    say("export.facts")
    quads = sorted(store.oxigraph.quads_for_pattern(None, None, None, None), key=_quad_key)
    facts = Facts(quads)
    dataset = store_dataset(store)
    note = _notice(dataset)
    graph = project(facts) if {"graphml", "gexf"} & set(formats) else None
    if graph is not None and note:
        graph.graph.update(dataset=dataset["id"], synthetic=True, notice=note)
    head = "".join(f"# {line}\n" for line in note.split("\n")).encode("utf-8") if note else b""
    renderers = {
        "ttl": lambda: {"graph.ttl": head + render_rdf(facts.sorted_triples(), ox.RdfFormat.TURTLE)},
        "nt": lambda: {"graph.nt": head + render_rdf(facts.sorted_triples(), ox.RdfFormat.N_TRIPLES)},
        "nq": lambda: {"graph.nq": head + render_rdf(quads, ox.RdfFormat.N_QUADS)},
        "trig": lambda: {"graph.trig": head + render_rdf(quads, ox.RdfFormat.TRIG)},
        "jsonld": lambda: {"graph.jsonld": render_jsonld(facts), CONTEXT: context_file().read_bytes()},
        "graphml": lambda: {"graph.graphml": render_graphml(graph)},
        "gexf": lambda: {"graph.gexf": render_gexf(graph)},
        "csv": lambda: {f"csv/{name}": text.encode("utf-8") for name, text in render_csv(facts).items()},
    }
    with folder_in_place(out_dir, MANIFEST, what=WHAT, kind=KIND, legacy=legacy_listing) as tmp:
        files = {}
        for fmt in formats:
            started = time.perf_counter()
            say("export.format", fmt=fmt)
            for name, data in renderers[fmt]().items():
                (tmp / name).parent.mkdir(parents=True, exist_ok=True)
                (tmp / name).write_bytes(data)
                files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            log.info("%s written in %.2f s", fmt, time.perf_counter() - started)
        manifest = _manifest(store, quads, facts, graph, formats, dict(sorted(files.items())), now, dataset)
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _export_streamed(store, out_dir: Path, formats: tuple[str, ...], now: datetime | None, size: int,
                     limit: int, say=lambda phase, **fields: None) -> dict:
    """A snapshot of a large store: Oxigraph's serializers write N-Quads and TriG (``Store.dump``) and N-Triples and
    Turtle (a CONSTRUCT of the facts, serialized as it streams) straight to the files; Python never holds the quads.

    Lines come in store order, not sorted (the same store gives the same bytes; two stores of the same data may
    not), a triple stated by several rows may appear once per row in ``graph.nt`` and ``graph.ttl``, and the counts
    are SPARQL counts. JSON-LD, GraphML, GEXF and CSV are skipped: the manifest's ``skipped`` says why.
    """
    from kg.query import load_query, select

    dataset = store_dataset(store)
    note = _notice(dataset)
    head = "".join(f"# {line}\n" for line in note.split("\n")).encode("utf-8") if note else b""
    prefixes = snapshot_prefixes()
    skipped = {fmt: f"not written above {limit:,} quads ({size:,} here): it needs every entity in memory; "
                    "query the store, or export nq and convert it with a streaming tool"
               for fmt in formats if fmt not in STREAMED}
    for fmt, why in skipped.items():
        log.warning("%s skipped: %s", fmt, why)
    files = {}
    with folder_in_place(out_dir, MANIFEST, what=WHAT, kind=KIND, legacy=legacy_listing) as tmp:
        for fmt in (f for f in formats if f in STREAMED):
            started = time.perf_counter()
            say("export.format", fmt=fmt)
            name = f"graph.{fmt}"
            with (tmp / name).open("wb") as handle:
                handle.write(head)
                kept = _build_stream(store)
                if fmt == "nq" and kept is not None:
                    with kept.open("rb") as source:  # the exact N-Quads the store was loaded from
                        shutil.copyfileobj(source, handle, 1 << 22)
                elif fmt in ("nq", "trig"):
                    rdf = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
                    store.oxigraph.dump(handle, rdf, prefixes=prefixes if fmt == "trig" else None)
                else:
                    rdf = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE
                    store.query(load_query("export_facts")).serialize(handle, rdf)
            files[name] = _file_entry(tmp / name)
            log.info("%s streamed in %.2f s", fmt, time.perf_counter() - started)
        other = sum(r["quads"] for r in select(store, "export_counts"))
        versions = sorted(q.object.value for q in store.oxigraph.quads_for_pattern(
            None, ox.NamedNode(str(OWL.versionInfo)), None, ox.NamedNode(str(GRAPH_ONTOLOGY))))
        counts = {"quads": size, "named_graphs": sum(1 for _ in store.oxigraph.named_graphs()),
                  "fact_statements": size - other,
                  "classes": {r["class"].rpartition("#")[2]: r["entities"] for r in select(store, "stats_classes")}}
        manifest = {
            **marker_fields(KIND),
            "snapshot_version": SNAPSHOT_VERSION,
            "created_at": (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
            .isoformat(timespec="seconds").replace("+00:00", "Z"),
            **({"notice": note.replace("\n", " ")} if note else {}),
            "dataset": dataset, "tool": {"name": "chainkg", "version": kg.__version__},
            "data_fingerprint": store.info.get("fingerprint"), "ontology_version": versions[0] if versions else None,
            "formats": [f for f in formats if f in STREAMED], "streamed": True,
            "order": ("graph.nq: the build's own N-Quads, in the build's order (the same data gives the same bytes); "
                      if _build_stream(store) is not None and "nq" in formats else "")
                     + "store order (streamed by Oxigraph), not sorted; graph.nt and graph.ttl may repeat a triple "
                     "stated by several rows",
            "skipped": skipped, "counts": counts,
            "contents": {name: text for name, text in CONTENTS.items() if name in files},
            "files": dict(sorted(files.items())),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _build_stream(store) -> Path | None:
    """The N-Quads file a store was built from (kept in its folder by :func:`kg.build.build_store`), when it is
    there and whole; ``None`` for stores without one (restored, or built by an earlier version)."""
    record = (store.info or {}).get("stream_file") or {}
    path = Path(getattr(store, "folder", None) or store.path) / str(record.get("name", ""))
    try:
        return path if record and path.is_file() and path.stat().st_size == record.get("bytes") else None
    except OSError:
        return None


def _file_entry(path: Path) -> dict:
    """sha256 and size of a written file, read back in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


CONTENTS = {
    "graph.ttl": "facts: the union of the data graphs (rows, sources, GB/T classes); no ontology, no provenance",
    "graph.nt": "facts, as graph.ttl, one sorted triple a line",
    "graph.nq": "the whole dataset: every named graph, provenance and ontology included; restore reads it",
    "graph.trig": "the whole dataset, as graph.nq, grouped by named graph",
    "graph.jsonld": "facts, as graph.ttl, compact JSON-LD with its context inline (it parses alone)",
    "context.jsonld": "the JSON-LD context of graph.jsonld (prefixes and @language zh), for reuse",
    "graph.graphml": "entities as nodes, links between entities as edges (for Gephi, yEd)",
    "graph.gexf": "entities as nodes, links between entities as edges (for Gephi)",
    "csv/": "one table per kind of entity, links.csv (UTF-8 with BOM)",
}


def _notice(dataset: dict) -> str:
    """The synthetic-data notice in both languages, one a line (empty for real data)."""
    return f"{SYNTHETIC_NOTICE['zh']}\n{SYNTHETIC_NOTICE['en']}" if dataset.get("synthetic") else ""


def _manifest(store, quads, facts: Facts, graph, formats, files: dict, now: datetime | None,
              dataset: dict) -> dict:
    from kg.query import select

    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    ontology = ox.NamedNode(str(GRAPH_ONTOLOGY))
    onto_iris = {q.subject for q in quads if q.graph_name == ontology and q.predicate.value == str(RDF.type)
                 and q.object.value == str(OWL.Ontology)}
    versions = sorted(q.object.value for q in quads if q.graph_name == ontology and q.subject in onto_iris
                      and q.predicate.value == str(OWL.versionInfo))
    entities = defaultdict(int)
    for kind in facts.kinds.values():
        entities[kind] += 1
    counts = {
        "quads": len(quads),
        "named_graphs": len({q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}),
        "facts": len(facts.triples),
        "entities": dict(sorted(entities.items())),
        "classes": {r["class"].rpartition("#")[2]: r["entities"] for r in select(store, "stats_classes")},
    }
    if graph is not None:
        counts.update(nodes=graph.number_of_nodes(), edges=graph.number_of_edges())
    notice = {"notice": _notice(dataset).replace("\n", " ")} if dataset.get("synthetic") else {}
    return {
        **marker_fields(KIND),
        "snapshot_version": SNAPSHOT_VERSION,
        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        **notice,
        "dataset": dataset,
        "tool": {"name": "chainkg", "version": kg.__version__},
        "data_fingerprint": store.info.get("fingerprint"),
        "ontology_version": versions[0] if versions else None,
        "formats": list(formats),
        "counts": counts,
        "contents": {name: text for name, text in CONTENTS.items()
                     if name in files or (name == "csv/" and "csv" in formats)},
        "files": files,
    }


# --- RDF ------------------------------------------------------------------------------------------------------------

_TYPE = ox.NamedNode(str(RDF.type))


def _quad_key(quad: ox.Quad) -> tuple:
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
