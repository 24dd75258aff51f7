"""The embedded Oxigraph store: build it from a dataset folder, find it in the user's cache, open it.

A store is a folder we own: ``oxigraph/`` (the Oxigraph database) and ``build.json`` (the fingerprint of the data it
was built from, counts, timings). Builds go to a sibling temporary folder and replace the old one by rename, so a
failed build leaves the previous store as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from kg import paths
from kg.atomic import folder_in_place
from kg.build import build_dataset
from kg.errors import DataError, StoreError
from kg.tables import SPECS, read_dataset
from kg.validate import check_dataset, load_industry_codes, run_shacl

#: Bump when the build's output changes for the same input, so cached stores are rebuilt.
BUILD_VERSION = "1"
MARKER = "build.json"


@dataclass
class Store:
    """An open store: the Oxigraph database and what it was built from."""

    path: Path
    oxigraph: ox.Store
    info: dict

    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None):
        """Run a read-only query over the union of all graphs, with values bound (never pasted into the text)."""
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        return self.oxigraph.query(sparql, use_default_graph_as_union=True, substitutions=subs or None)


def fingerprint(data_dir: Path) -> str:
    """A hash of everything a build reads: the tables, the ontology, the shapes, GB/T table, build version."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    files = [data_dir / name for name in SPECS] + [paths.ontology_file(), paths.shapes_file(), paths.gbt4754_file()]
    for file in files:
        digest.update(file.name.encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def default_store_path(data_dir: Path) -> Path:
    """The per-user cache folder for the store of this data (keyed by its fingerprint)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("chainkg")) / "stores" / fingerprint(data_dir)[:16]


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
    from kg.build import iri

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
    info = {"fingerprint": fingerprint(data_dir), "data_dir": str(data_dir.resolve()),
            "check_seconds": round(checked - started, 3)}
    return write_store(to_oxigraph_quads(dataset), path, info, started=started)


def write_store(quads, path: Path, info: dict, started: float | None = None) -> Store:
    """Load quads into a new store at ``path``, replacing what is there only when the load succeeds.

    Args:
        quads: the whole dataset, as N-Quads bytes or an iterable of :class:`pyoxigraph.Quad`.
        path: the store folder.
        info: what to record in ``build.json`` (``quads``, ``graphs``, ``build_seconds`` and ``built_at`` are added).
        started: ``time.perf_counter()`` when the whole operation began, for ``build_seconds``.

    Raises:
        StoreError: the store cannot be written.
    """
    started = time.perf_counter() if started is None else started
    with folder_in_place(path, MARKER, error=StoreError, what="chainkg store", readable=False) as tmp:
        db = ox.Store(str(tmp / "oxigraph"))
        if isinstance(quads, (bytes, str)):
            db.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
        else:
            db.bulk_extend(quads)
        db.optimize()
        info = {
            **info,
            "quads": sum(1 for _ in db.quads_for_pattern(None, None, None, None)),
            "graphs": sum(1 for _ in db.named_graphs()),
            "build_seconds": round(time.perf_counter() - started, 3),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        from kg.resolve import NAMES_FILE, label_rows

        names = label_rows(Store(tmp, db, info))
        (tmp / NAMES_FILE).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        db.flush()
        del db
        (tmp / MARKER).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return Store(path, ox.Store.read_only(str(path / "oxigraph")), info)


def read_info(path: Path) -> dict | None:
    """The build record of the store at ``path``, or ``None`` when there is no complete store."""
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_store(data_dir: Path | None = None, path: Path | None = None, rebuild: bool = False) -> Store:
    """Open the store for a dataset, building it first when it is missing or the data changed.

    Args:
        data_dir: the dataset folder (default: the bundled Jinan data).
        path: where the store lives (default: the per-user cache, keyed by the data).
        rebuild: build even when an up-to-date store exists.

    Raises:
        DataError: the data is invalid.
        StoreError: the store cannot be opened or written.
    """
    data_dir = Path(data_dir) if data_dir else paths.default_data_dir()
    path = Path(path) if path else default_store_path(data_dir)
    info = read_info(path)
    # A store restored from a snapshot (kg.snapshot) is used as it is until the next build replaces it.
    if not rebuild and info and (info.get("restored_from") or info.get("fingerprint") == fingerprint(data_dir)):
        try:
            return Store(path, ox.Store.read_only(str(path / "oxigraph")), info)
        except OSError as err:
            raise StoreError(f"cannot open the store at {path}: {err}") from err
    return build_store(data_dir, path)
