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

This module assembles the folder and its manifest; each format is rendered by :mod:`kg.snapshots.formats`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF

import kg
from kg.atomic import check_replaceable, folder_in_place, legacy_listing, marker_fields
from kg.errors import ExportError
from kg.manifest import SYNTHETIC_NOTICE, store_dataset
from kg.namespace import GRAPH_ONTOLOGY
from kg.snapshot import (
    CONTEXT,
    MANIFEST,
    Facts,
    context_file,
    snapshot_prefixes,
)
from kg.snapshots.formats import (
    project,
    quad_key,
    render_csv,
    render_gexf,
    render_graphml,
    render_jsonld,
    render_rdf,
)

log = logging.getLogger(__name__)

#: Snapshot formats, in the order they are written.
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv")
SNAPSHOT_VERSION = 1
#: The ``kind`` a snapshot's manifest names; with the ``files`` it lists, what lets a later export replace it.
KIND = "snapshot"
WHAT = "chainkg snapshot"
#: Above this many quads a snapshot is streamed (the bundled data: about 60,000; the synthetic million 12.6 million).
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
    quads = sorted(store.oxigraph.quads_for_pattern(None, None, None, None), key=quad_key)
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
