"""The embedded Oxigraph store: find it in the user's cache, open it, write a new one in place of the old.

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

#: Bump when the build's output changes for the same input, so cached stores are rebuilt.
BUILD_VERSION = "2"
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


#: What a build reads besides the tables: the manifest (and the reference tables it names, via the fingerprint).
DATASET_FILES = ("dataset.json",)


def _inputs(data_dir: Path) -> list[Path]:
    tables = sorted(p for p in data_dir.glob("*.csv") if p.is_file())
    return ([data_dir / name for name in DATASET_FILES] + tables
            + [paths.ontology_file(), paths.shapes_file(), paths.gbt4754_file()]
            + sorted((paths.data_root() / "reference").rglob("*.csv")))


def fingerprint(data_dir: Path) -> str:
    """A hash of everything a build reads: the manifest, the tables, the ontology, shapes, reference tables, and
    the build version. Reads every byte: used only when the files' sizes or times changed."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    for file in _inputs(Path(data_dir)):
        digest.update(file.name.encode() + b"\0")
        if file.is_file():
            with file.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def stat_signature(data_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of every file a build reads (cheap: no file is read)."""
    out = {"build_version": [int(BUILD_VERSION)]}
    for file in _inputs(Path(data_dir)):
        try:
            st = file.stat()
            out[str(file)] = [st.st_size, st.st_mtime_ns]
        except OSError:
            out[str(file)] = [-1, -1]
    return out


def default_store_path(data_dir: Path) -> Path:
    """The per-user cache folder for the store of this data (keyed by the folder, so that no file is read)."""
    import platformdirs

    key = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("chainkg")) / "stores" / key


def write_store(quads, path: Path, info: dict, started: float | None = None) -> Store:
    """Load quads into a new store at ``path``, replacing what is there only when the load succeeds.

    Args:
        quads: the whole dataset: N-Quads bytes, an iterable of :class:`pyoxigraph.Quad`, or a callable
            ``load(db, folder)`` that loads the new (empty) :class:`pyoxigraph.Store` itself (it may write files of its
            own into the new store ``folder``) and returns a summary.
        path: the store folder.
        info: what to record in ``build.json`` (``quads``, ``graphs``, ``build_seconds`` and ``built_at`` are added).
        started: ``time.perf_counter()`` when the whole operation began, for ``build_seconds``.

    Raises:
        StoreError: the store cannot be written.
        DataError: raised by a loading callable (nothing on disk is changed).
    """
    started = time.perf_counter() if started is None else started
    with folder_in_place(path, MARKER, error=StoreError, what="chainkg store", readable=False) as tmp:
        db = ox.Store(str(tmp / "oxigraph"))
        if callable(quads):
            summary = quads(db, tmp)
            info = {**info, **{k: v for k, v in summary.items() if k not in ("quads", "graphs")}}
            counts = {"quads": len(db), "graphs": sum(1 for _ in db.named_graphs())}
        else:
            if isinstance(quads, (bytes, str)):
                db.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
            else:
                db.bulk_extend(quads)
            counts = {"quads": len(db), "graphs": sum(1 for _ in db.named_graphs())}
        optimizing = time.perf_counter()
        db.optimize()  # compacts the bulk loader's files: reads are about 4 times faster after it (1M enterprises)
        info.setdefault("seconds", {})["optimize"] = round(time.perf_counter() - optimizing, 3)
        db.flush()
        info = {**info, **counts, "build_seconds": round(time.perf_counter() - started, 3),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        del db
        (tmp / MARKER).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return open_store(path)


def read_info(path: Path) -> dict | None:
    """The build record of the store at ``path``, or ``None`` when there is no complete store."""
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_store(path: Path) -> Store:
    """Open a built store (read-only). It never builds: :func:`kg.build.ready_store` decides when to build.

    Raises:
        StoreError: there is no complete store at ``path``, or it cannot be opened.
    """
    path = Path(path)
    info = read_info(path)
    if info is None:
        raise StoreError(f"no chainkg store at {path} (build one with `chainkg build`)")
    try:
        return Store(path, ox.Store.read_only(str(path / "oxigraph")), info)
    except OSError as err:
        raise StoreError(f"cannot open the store at {path}: {err}") from err
