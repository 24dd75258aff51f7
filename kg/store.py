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

from kg import paths
from kg.atomic import folder_in_place
from kg.errors import StoreError
from kg.tables import SPECS

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
    from kg.build import build_store  # rdflib and the build pipeline load only when a build is needed

    return build_store(data_dir, path)
