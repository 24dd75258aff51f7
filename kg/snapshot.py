"""Snapshots read back: the facts a graph states, restoring a store from a snapshot, and what changed between two.

Owns the reading side of snapshots (:mod:`kg.snapshots.export` writes them) and the model both sides share:

- :class:`Facts`: the triples of the *data graphs* (every named graph except ``ckgid:graph/ontology`` and
  ``ckgid:graph/provenance``: the assertion graphs, ``graph/sources`` and ``graph/gbt4754``), each fact with the
  sources and confidence of the rows that state it, and the *entities* (subjects with an ``rdf:type``) by kind.
- :func:`read_snapshot`: a snapshot folder's manifest and quads, checksums verified.
- :func:`restore_snapshot`: checksums, structure and SHACL checked, then the store written atomically.
- :func:`diff_facts`: what changed between two states (snapshots or the live store), entity by entity: added and
  removed entities and links, changed values, changed backing. Line numbers and other row bookkeeping in the
  provenance graph are not facts, so moving rows around changes nothing.

Assumes the data has no blank nodes: the build mints every IRI from a CSV id.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg import paths
from kg.errors import DataError, Problem
from kg.i18n import t
from kg.namespace import CKG, GRAPH_NAMES, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPH_SOURCES, GRAPH_SUMMARY
from kg.tables import CONTROL

MANIFEST = "manifest.json"
CONTEXT = "context.jsonld"

#: Entity kinds, most specific first (a park is also a ckg:Place): kind → (class IRI, 中文, English plural).
KINDS: dict[str, tuple[str, str, str]] = {
    "chain_system": (str(CKG.ChainSystem), "产业链体系", "chain systems"),
    "chain": (str(CKG.IndustrialChain), "产业链", "chains"),
    "segment": (str(CKG.ChainSegment), "环节", "segments"),
    "enterprise": (str(CKG.Enterprise), "企业", "enterprises"),
    "park": (str(CKG.Park), "园区", "parks"),
    "place": (str(CKG.Place), "区县与功能区", "places"),
    "policy": (str(CKG.PolicyDocument), "政策文件", "policies"),
    "indicator": (str(CKG.Indicator), "指标", "indicators"),
    "industry_class": (str(CKG.IndustryClass), "行业分类", "industry classes"),
    "source": (str(CKG.Source), "来源", "sources"),
}
OTHER = "other"

Triple = tuple  # (ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal)

_TYPE = ox.NamedNode(str(RDF.type))
_PREF_LABEL = ox.NamedNode(str(SKOS.prefLabel))
_TITLE = ox.NamedNode(str(DCTERMS.title))
_DERIVED = ox.NamedNode(str(PROV.wasDerivedFrom))
_CONFIDENCE = ox.NamedNode(str(CKG.confidence))
_ONTOLOGY = ox.NamedNode(str(GRAPH_ONTOLOGY))
_PROVENANCE = ox.NamedNode(str(GRAPH_PROVENANCE))
_SOURCES = ox.NamedNode(str(GRAPH_SOURCES))
_NAMES = ox.NamedNode(str(GRAPH_NAMES))
_SUMMARY = ox.NamedNode(str(GRAPH_SUMMARY))
_XSD_STRING = str(XSD.string)


def context_file() -> Path:
    """The shipped JSON-LD context (prefixes and ``@language``), copied into every snapshot with JSON-LD."""
    return paths.ontology_dir() / CONTEXT


@lru_cache(maxsize=1)
def snapshot_prefixes() -> dict[str, str]:
    """Prefix → namespace for every snapshot format: the context's prefixes (:data:`kg.namespace.PREFIXES` plus one
    per CSV id prefix, so that ``ckgid:chain/ic`` is written ``chain:ic`` as in the CSV tables)."""
    context = json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    return {key: value for key, value in context.items() if not key.startswith("@")}


@lru_cache(maxsize=1)
def _by_length() -> list[tuple[str, str]]:
    return sorted(((ns, p) for p, ns in snapshot_prefixes().items()), key=lambda item: -len(item[0]))


def compact(iri: str) -> str:
    """An IRI with the longest matching snapshot prefix: ``…/id/chain/ic`` → ``chain:ic``; unknown IRIs unchanged.

    >>> compact("https://w3id.org/chainkg/id/ent/alpha")
    'ent:alpha'
    """
    for namespace, prefix in _by_length():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + ":" + iri[len(namespace):]
    return iri


def term_text(term) -> str:
    """A term for people: IRIs compacted, literals as their text (``@en`` shown for English)."""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language and term.language != "zh" else "")
    return compact(term.value)


def to_rdflib(term):
    """A pyoxigraph term as the rdflib term the build would have made (plain strings carry no datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return None  # the default graph


class Facts:
    """The facts of a dataset, their backing (sources and confidence) and the entities they describe.

    Args:
        quads: every quad of a dataset (snapshot or store); ontology, name-key and summary quads are ignored,
            provenance quads give the backing. Triples (default graph) are facts with unknown backing.
    """

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.graphs_of: dict[Triple, set] = defaultdict(set)
        self.has_backing = False
        sources: dict[ox.NamedNode, set[str]] = defaultdict(set)
        confidence: dict[ox.NamedNode, set[str]] = defaultdict(set)
        for quad in quads:
            graph = getattr(quad, "graph_name", None)
            if graph in (_ONTOLOGY, _NAMES, _SUMMARY):  # the ontology, name keys and derived counts are not facts
                continue
            if graph == _PROVENANCE:
                self.has_backing = True
                if quad.predicate == _DERIVED:
                    sources[quad.subject].add(compact(quad.object.value))
                elif quad.predicate == _CONFIDENCE:
                    confidence[quad.subject].add(quad.object.value.rpartition("#")[2].lower())
                continue
            self.graphs_of[(quad.subject, quad.predicate, quad.object)].add(graph)
        self.triples: set[Triple] = set(self.graphs_of)
        self.backing_of_graph = {g: (tuple(sorted(sources[g])), tuple(sorted(confidence[g])))
                                 for g in set(sources) | set(confidence)}
        self.by_subject: dict[ox.NamedNode, list[tuple]] = defaultdict(list)
        for s, p, o in self.triples:
            self.by_subject[s].append((p, o))
        self.kinds: dict[ox.NamedNode, str] = {}
        for s, pairs in self.by_subject.items():
            types = {o.value for p, o in pairs if p == _TYPE}
            if types:
                self.kinds[s] = next((k for k, (cls, _, _) in KINDS.items() if cls in types), OTHER)

    def sorted_triples(self) -> list[Triple]:
        """The facts in canonical order (subject, ``rdf:type`` first, predicate, object)."""
        return sorted(self.triples, key=lambda t: (str(t[0]), t[1] != _TYPE, str(t[1]), str(t[2])))

    def backing(self, triple: Triple) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The source ids and confidence levels of the rows that state a fact (empty when unknown)."""
        sources: set[str] = set()
        levels: set[str] = set()
        for graph in self.graphs_of.get(triple, ()):
            found, level = self.backing_of_graph.get(graph, ((), ()))
            sources.update(found)
            levels.update(level)
        return tuple(sorted(sources)), tuple(sorted(levels))

    def unsourced_graphs(self) -> list[str]:
        """Data graphs (other than the sources graph) that no source backs: each should be an assertion."""
        graphs = {g for gs in self.graphs_of.values() for g in gs}
        return sorted(str(g) for g in graphs
                      if g != _SOURCES and not self.backing_of_graph.get(g, ((), ()))[0])

    def label(self, subject, lang: str = "zh") -> str:
        """The ``skos:prefLabel`` in ``lang`` (else in any language, else the title, else the compact IRI)."""
        labels = sorted((o for p, o in self.by_subject.get(subject, ()) if p == _PREF_LABEL), key=str)
        for literal in [x for x in labels if x.language == lang] + labels:
            return literal.value
        titles = sorted(o.value for p, o in self.by_subject.get(subject, ()) if p == _TITLE)
        return titles[0] if titles else compact(subject.value)

    def kind(self, subject) -> str:
        """The entity kind of a subject (``other`` when it has no known type)."""
        return self.kinds.get(subject, OTHER)


#: The largest manifest.json read (an exported manifest is a few kilobytes).
MAX_MANIFEST_BYTES = 16 << 20
_HEX = frozenset("0123456789abcdef")


def read_manifest(folder: Path) -> dict:
    """The manifest of a snapshot folder, its shape checked and every file name it lists checked to stay inside the
    folder (before any listed file is read).

    Raises:
        DataError: the folder has no readable ``manifest.json``, it is not UTF-8 JSON, not an object, its
            ``files`` is not an object of ``{"sha256": …, "bytes": …}`` entries, or a listed name is absolute,
            climbs out with ``..``, or resolves (through a symlink) outside the folder.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    where = str(path)
    try:
        if not _inside(folder, path):
            raise DataError(Problem(where, 0, "", "", "not a chainkg snapshot: manifest.json leads out of the folder"))
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise DataError(Problem(where, 0, "", "", f"not a chainkg snapshot: manifest.json is larger than "
                                                      f"{MAX_MANIFEST_BYTES >> 20} MB"))
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DataError(Problem(where, 0, "", "", f"not a chainkg snapshot: manifest.json is not UTF-8 ({err.reason} "
                                                  f"at byte {err.start})")) from err
    except (OSError, ValueError) as err:
        raise DataError(Problem(where, 0, "", "", f"not a chainkg snapshot: {err}")) from err
    if not isinstance(manifest, dict):
        raise DataError(Problem(where, 0, "", "", f"not a chainkg snapshot: the manifest is a JSON "
                                                  f"{_json_kind(manifest)}, not an object"))
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise DataError(Problem(where, 0, "files", "", f"must be an object of file name → {{\"sha256\": …, "
                                                       f"\"bytes\": …}}, not a JSON {_json_kind(files)}"))
    problems = []
    for name, entry in files.items():
        what = _name_problem(folder, name)
        if what is None:
            if not isinstance(entry, dict):
                what = f"the entry must be an object with sha256 and bytes, not a JSON {_json_kind(entry)}"
            elif not isinstance(entry.get("sha256"), str):
                what = ("has no sha256" if "sha256" not in entry
                        else f"sha256 must be a string, not a JSON {_json_kind(entry['sha256'])}")
            elif len(entry["sha256"]) != 64 or not set(entry["sha256"]) <= _HEX:
                what = "sha256 must be 64 lowercase hexadecimal digits"
            elif "bytes" in entry and (type(entry["bytes"]) is not int or entry["bytes"] < 0):
                what = "bytes must be a whole number"
        if what is not None:
            problems.append(Problem(where, 0, "files", _shown(name), what))
    if problems:
        raise DataError(problems)
    return manifest


def _json_kind(value) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _shown(name: str) -> str:
    return name if len(name) <= 80 else name[:80] + "…"


def _inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` (symlinks resolved) is inside ``folder`` (resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def _name_problem(folder: Path, name: str) -> str | None:
    """Why a file name listed in a manifest is refused (``None`` when it is a plain relative name in the folder)."""
    if not name or "\\" in name or "\x00" in name or CONTROL.search(name):
        return "not a plain file name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path; a snapshot lists names relative to its folder"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "a name with '..', '.' or an empty part; a snapshot lists plain names inside its folder"
    if not _inside(folder, folder / name):
        return "leads out of the snapshot folder (a symbolic link?)"
    return None


def verify_files(folder: Path, manifest: dict, names: Iterable[str] | None = None) -> None:
    """Check files of a snapshot against the sha256 and size its manifest records (all files by default).

    The manifest must come from :func:`read_manifest`, which has checked every listed name.

    Raises:
        DataError: one problem per missing, changed or unlisted file.
    """
    listed = manifest.get("files", {})
    problems = []
    for name in sorted(listed if names is None else names):
        path = Path(folder) / name
        if name not in listed:
            problems.append(Problem(str(path), 0, "", "", "not listed in manifest.json"))
        elif not path.is_file():
            problems.append(Problem(str(path), 0, "", "", "listed in manifest.json but missing"))
        elif _sha256(path) != listed[name]["sha256"]:
            problems.append(Problem(str(path), 0, "", "", "sha256 differs from manifest.json: the file was changed"))
    if problems:
        raise DataError(problems)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


#: Files a snapshot's facts can be read from, best first (the quad formats carry provenance).
READABLE = (("graph.nq", ox.RdfFormat.N_QUADS), ("graph.trig", ox.RdfFormat.TRIG),
            ("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.ttl", ox.RdfFormat.TURTLE))


def read_snapshot(folder: Path, quads_only: bool = False) -> tuple[dict, str, list[ox.Quad]]:
    """Read a snapshot: its manifest, and the name and quads (or triples) of its best RDF file, checksum verified.

    Args:
        folder: the snapshot folder.
        quads_only: accept only N-Quads or TriG (the formats that keep the named graphs).

    Raises:
        DataError: not a snapshot, no readable RDF file, a checksum mismatch, or a syntax error.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    for name, fmt in READABLE[:2] if quads_only else READABLE:
        if (folder / name).is_file():
            verify_files(folder, manifest, [name])
            try:
                return manifest, name, list(ox.parse(path=str(folder / name), format=fmt))
            except SyntaxError as err:
                raise DataError(Problem(str(folder / name), 0, "", "", f"not valid RDF: {err}")) from err
    wanted = "graph.nq or graph.trig" if quads_only else "graph.nq, graph.trig, graph.nt or graph.ttl"
    raise DataError(Problem(str(folder), 0, "", "", f"the snapshot has no {wanted}; export with --format nq"))


def restore_snapshot(folder: Path, path: Path):
    """Rebuild the store at ``path`` from a snapshot's N-Quads (or TriG), replacing it only when all checks pass.

    Checks every file against the manifest, that every quad is in a named graph with no blank nodes, that every
    data graph is backed by a source, and the SHACL shapes (with the current ontology) over the whole dataset.

    Args:
        folder: the snapshot folder.
        path: the store folder to write (a restored store is opened as it is until the next build).

    Returns:
        The restored :class:`kg.store.Store`; its ``build.json`` records the snapshot it came from and the dataset
        the snapshot's manifest names (whether it is synthetic among it).

    Raises:
        DataError: the snapshot is damaged or invalid (nothing on disk is changed).
        StoreError: the store cannot be written.
    """
    from kg.data.shacl import run_shacl
    from kg.store import write_store

    started = time.perf_counter()
    folder = Path(folder)
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    _, name, quads = read_snapshot(folder, quads_only=True)
    problems = [Problem(str(folder), 0, "", str(q), "a quad in the default graph (every fact needs its row's graph)")
                for q in quads if isinstance(q.graph_name, ox.DefaultGraph)][:10]
    problems += [Problem(str(folder), 0, "", str(q), "a blank node (chainkg data has none)")
                 for q in quads if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name))][:10]
    problems += [Problem(str(folder), 0, "", g, "a data graph with no prov:wasDerivedFrom in graph/provenance")
                 for g in Facts(quads).unsourced_graphs()][:10]
    problems += _literal_problems(folder / name, quads)
    if problems:
        raise DataError(problems)
    dataset = Dataset()
    dataset.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                  dataset.graph(to_rdflib(q.graph_name))) for q in quads)
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    shapes = Graph().parse(paths.shapes_file(), format="turtle")
    problems = run_shacl(dataset, shapes, ontology)
    if problems:
        raise DataError(problems)
    info = {
        "fingerprint": manifest.get("data_fingerprint"),
        "restored_from": str(folder.resolve()),
        "snapshot_created_at": manifest.get("created_at"),
        "snapshot_file": name,
        "snapshot_sha256": manifest["files"][name]["sha256"],
    }
    if isinstance(manifest.get("dataset"), dict):  # older snapshots do not say: kg.manifest.store_dataset's default
        info["dataset"] = manifest["dataset"]
    return write_store(quads, Path(path), info, started=started)


def _literal_problems(path: Path, quads: list[ox.Quad], limit: int = 10) -> list[Problem]:
    """The build's rules on values, applied to a snapshot's literals and IRIs: no control characters, bounded
    numbers (SHACL would otherwise convert an ``1e999999999`` decimal or a 5,000-digit integer)."""
    from kg.data.values import literal_problem

    out: list[Problem] = []
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.Literal):
                what = literal_problem(term.value, term.datatype.value)
            else:
                what = "an IRI with a control character" if CONTROL.search(term.value) else None
            if what:
                shown = term.value if len(term.value) <= 40 else term.value[:40] + "…"
                out.append(Problem(str(path), 0, compact(quad.predicate.value), shown,
                                   f"{what} (subject {compact(quad.subject.value)})"))
                if len(out) >= limit:
                    return out
    return out


def load_facts(where: str | Path, data_dir: Path | None = None, store_path: Path | None = None) -> Facts:
    """The facts of a snapshot folder, or of the live store when ``where`` is ``live``.

    Args:
        where: a snapshot folder, or ``live``.
        data_dir, store_path: which live store (as for :func:`kg.build.ready_store`).

    Raises:
        DataError: a damaged snapshot, or invalid data for the live store.
        StoreError: the live store cannot be opened or built.
    """
    if str(where) == "live":
        from kg.build import ready_store

        store = ready_store(data_dir, store_path)
        return Facts(store.oxigraph.quads_for_pattern(None, None, None, None))
    return Facts(read_snapshot(Path(where))[2])


#: Kinds of change, in the order a report lists them within a kind of entity.
CHANGES = ("entity_added", "entity_removed", "link_added", "link_removed", "value_changed", "backing_changed")
_SIGN = {"entity_added": "+", "entity_removed": "-", "link_added": "+", "link_removed": "-",
         "value_changed": "~", "backing_changed": "~"}


def diff_facts(a: Facts, b: Facts, lang: str = "zh") -> list[dict]:
    """What changed from ``a`` to ``b``, one record per change a planner would name.

    - An entity (a subject with an ``rdf:type``) that appears or disappears is one change; every fact about it
      (its labels, values and outgoing links) belongs to that change.
    - A link is a fact between two entities; a value is any other fact, compared per subject, property and
      language (``old`` and ``new`` hold the values that differ).
    - *Backing* is the sources and confidence of the rows that state a fact present on both sides; it is compared
      only when both sides have a provenance graph, and reported once per entity and change of backing.

    Args:
        a: the earlier state.
        b: the later state.
        lang: the language of labels (``zh`` or ``en``).

    Returns:
        Records with ``change`` (one of :data:`CHANGES`), ``kind``, ``subject`` (compact id), ``label``,
        ``property``, ``object``, ``object_label``, ``old`` and ``new``; sorted by kind and subject. Empty when
        the two states state the same facts.
    """
    ents_a, ents_b = set(a.kinds), set(b.kinds)
    added, removed = ents_b - ents_a, ents_a - ents_b
    entities = ents_a | ents_b

    def record(change: str, s, prop: str = "", obj=None, old=(), new=()) -> dict:
        side = b if s in b.by_subject else a
        other = (b if obj in b.by_subject else a) if obj is not None else None
        return {"change": change, "kind": side.kind(s), "subject": compact(s.value), "label": side.label(s, lang),
                "property": prop, "object": compact(obj.value) if obj is not None else "",
                "object_label": other.label(obj, lang) if other is not None else "",
                "old": list(old), "new": list(new)}

    out = [record("entity_added", s) for s in added] + [record("entity_removed", s) for s in removed]
    values: dict[tuple, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for index, triples in enumerate((a.triples - b.triples, b.triples - a.triples)):
        for s, p, o in triples:
            if s in added or s in removed:
                continue
            if isinstance(o, ox.NamedNode) and o in entities and p != _TYPE:
                out.append(record(("link_removed", "link_added")[index], s, compact(p.value), o))
            else:
                values[(s, p, getattr(o, "language", None) or "")][index].add(o)
    for (s, p, _), (old, new) in values.items():
        out.append(record("value_changed", s, compact(p.value), old=sorted(term_text(o) for o in old),
                          new=sorted(term_text(o) for o in new)))
    if a.has_backing and b.has_backing:
        moved: dict[tuple, set[str]] = defaultdict(set)
        for triple in a.triples & b.triples:
            before, after = a.backing(triple), b.backing(triple)
            if before != after:
                moved[(triple[0], before, after)].add(compact(triple[1].value))
        for (s, before, after), props in moved.items():
            out.append(record("backing_changed", s, "; ".join(sorted(props)), old=_backing_text(before),
                              new=_backing_text(after)))
    order = {k: i for i, k in enumerate([*KINDS, OTHER])}
    return sorted(out, key=lambda r: (order[r["kind"]], r["subject"], CHANGES.index(r["change"]), r["property"],
                                      r["object"], r["old"], r["new"]))


def _backing_text(backing: tuple[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    sources, levels = backing
    return [f"sources: {'; '.join(sources) or '—'}", f"confidence: {'; '.join(levels) or '—'}"]


def summarize(changes: list[dict]) -> dict[str, int]:
    """Counts per kind of change (every kind present, zeros included) and ``changes``, the total."""
    counts = {change: 0 for change in CHANGES}
    for record in changes:
        counts[record["change"]] += 1
    return {"changes": len(changes), **counts}


def render_diff(changes: list[dict], lang: str = "zh") -> str:
    """A diff as text, grouped by kind of entity: ``+`` added, ``-`` removed, ``~`` changed, then a summary line."""
    if not changes:
        return t("diff.none", lang)
    lines: list[str] = []
    kind = None
    for r in changes:
        if r["kind"] != kind:
            kind = r["kind"]
            zh, en = KINDS[kind][1:] if kind in KINDS else ("其他", "other")
            lines.append(zh if lang == "zh" else en)
        who = f"{r['subject']} {r['label']}"
        if r["change"].startswith("entity"):
            what = who
        elif r["change"].startswith("link"):
            what = f"{who} —{r['property']}→ {r['object']} {r['object_label']}"
        else:
            old, new = "; ".join(r["old"]) or "—", "; ".join(r["new"]) or "—"
            what = f"{who}: {r['property']} {old} → {new}"
        lines.append(f"  {_SIGN[r['change']]} {what}  [{t('diff.' + r['change'], lang)}]")
    counts = summarize(changes)
    parts = [t(f"diff.n.{c}", lang, count=n) for c, n in counts.items() if c != "changes" and n]
    lines.append("\n" + t("diff.total", lang, count=counts["changes"], parts=t("tbl.list_sep", lang).join(parts)))
    return "\n".join(lines)
