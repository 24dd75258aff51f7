"""The embedded Oxigraph store: find it in the user's cache, open it, write a new version in place of the old.

A store is a folder we own (:mod:`kg.store_folder` has the layout and the locks): versions side by side, each with
``oxigraph/`` (the Oxigraph database), ``build.json`` (the fingerprint of the data it was built from, counts, timings)
and, for a build, ``graph.nq``; a ``current`` link names the live one. A write builds a new version while readers use
the old one, then swaps the link: readers see the old store or the new one, writers take turns, and a failed or
killed write leaves the previous store as it was.

Storage errors raised by Oxigraph (a truncated or deleted database file) surface as :class:`StoreError` naming the
store, at open and while a query's rows are read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg import paths
from kg import store_folder as folders
from kg.errors import StoreError

#: Bump when the build's output changes for the same input, so cached stores are rebuilt.
BUILD_VERSION = "2"
MARKER = folders.INFO_FILE
#: How long opening waits for a version that a writer is deleting (it then opens the new one).
OPEN_WAIT = 30.0


@dataclass
class Store:
    """An open store: the Oxigraph database and what it was built from.

    ``path`` is the store folder (what ``--store`` names); ``folder`` the version read (its ``graph.nq`` and
    ``build.json``). While the object lives it holds a shared lock on that version, so no writer deletes it.
    """

    path: Path
    oxigraph: ox.Store
    info: dict
    folder: Path | None = None
    lock: IO[bytes] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.folder is None:
            self.folder = self.path

    def query(self, sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None):
        """Run a read-only query over the union of all graphs, with values bound (never pasted into the text)."""
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        return self.oxigraph.query(sparql, use_default_graph_as_union=True, substitutions=subs or None)

    def default_graph_size(self) -> int:
        """Triples in the default graph itself, not the union (chainkg writes none: each fact is in a row's graph)."""
        return int(next(iter(self.oxigraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)

    def counts(self) -> dict[str, int]:
        """Quads and named graphs, from the build record."""
        return {"quads": self.info.get("quads"), "graphs": self.info.get("graphs")}

    def close(self) -> None:
        """Let go of the database and the version's lock (also done when the object is collected)."""
        self.oxigraph = None
        if self.lock is not None:
            self.lock.close()
            self.lock = None


def _storage_error(err: BaseException) -> bool:
    """An error from Oxigraph's storage (RocksDB): corruption or I/O, not a query's own mistake."""
    return isinstance(err, OSError) or (isinstance(err, RuntimeError) and any(
        word in str(err) for word in ("Corruption", "IO error", "No such file")))


class _Guarded:
    """An Oxigraph object whose storage errors become :class:`StoreError` ("the store at S is damaged …"), in
    calls and in the rows of what they return; everything else passes through unchanged."""

    __slots__ = ("_inner", "_path")

    def __init__(self, inner: Any, path: Path) -> None:
        self._inner = inner
        self._path = path

    def _wrap(self, value: Any) -> Any:
        return _GuardedRows(value, self._path) if hasattr(value, "__next__") else value

    def _damaged(self, err: BaseException) -> BaseException:
        return folders.damaged(self._path, _first_line(err)) if _storage_error(err) else err

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return self._wrap(attr(*args, **kwargs))
            except (OSError, RuntimeError) as err:
                raised = self._damaged(err)
                if raised is err:
                    raise
                raise raised from err

        return call



class _GuardedRows(_Guarded):
    """Rows read lazily (query solutions, triples, quads): a storage error may surface at any row."""

    __slots__ = ()

    def __iter__(self):
        try:  # a generator: much cheaper per row than a Python-level __next__
            yield from self._inner
        except (OSError, RuntimeError) as err:
            raised = self._damaged(err)
            if raised is err:
                raise
            raise raised from err

    def __next__(self):
        try:
            return next(self._inner)
        except (OSError, RuntimeError) as err:
            raised = self._damaged(err)
            if raised is err:
                raise
            raise raised from err


class _GuardedStore(_Guarded):
    """The read-only :class:`pyoxigraph.Store` of a version."""

    __slots__ = ()

    def __iter__(self):
        return self.__getattr__("__iter__")()

    def __len__(self) -> int:
        return self.__getattr__("__len__")()

    def __contains__(self, item: Any) -> bool:
        return self.__getattr__("__contains__")(item)


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__


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
    """Load quads into a new version of the store at ``path`` and make it live only when the load succeeds.

    Writers take turns on the store's lock (waiting up to ``CHAINKG_STORE_WAIT`` seconds, 10 minutes by default);
    readers keep the version they opened. See :mod:`kg.store_folder`.

    Args:
        quads: the whole dataset: N-Quads bytes, an iterable of :class:`pyoxigraph.Quad`, or a callable
            ``load(db, folder)`` that loads the new (empty) :class:`pyoxigraph.Store` itself (it may write files of its
            own into the new version's ``folder``) and returns a summary.
        path: the store folder (created if missing; refused when it is not empty and not a chainkg store).
        info: what to record in ``build.json`` (``quads``, ``graphs``, ``build_seconds`` and ``built_at`` are added).
        started: ``time.perf_counter()`` when the whole operation began, for ``build_seconds``.

    Raises:
        StoreError: the store cannot be written, is not ours, or another writer held it too long.
        DataError: raised by a loading callable (the live store is unchanged).
    """
    started = time.perf_counter() if started is None else started
    path = Path(path)
    with folders.writer_lock(path) as waited:
        started += waited  # the time spent waiting for another writer is not this build's
        folder = None
        try:
            folder = folders.new_version(path)
            info = _load(quads, folder, info, started)
            _write_record(folder / MARKER, info)
            folders.publish(path, folder)
        except BaseException as err:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            if isinstance(err, OSError):
                raise StoreError(f"cannot write the chainkg store {path}: {err}") from err
            raise
        folders.sweep(path)  # the previous version, unless a reader still has it open
        return open_store(path)


def _load(quads, folder: Path, info: dict, started: float) -> dict:
    db = ox.Store(str(folder / folders.DATABASE))
    if callable(quads):
        summary = quads(db, folder)
        info = {**info, **{k: v for k, v in summary.items() if k not in ("quads", "graphs")}}
    elif isinstance(quads, (bytes, str)):
        db.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
    else:
        db.bulk_extend(quads)
    counts = {"quads": len(db), "graphs": sum(1 for _ in db.named_graphs())}
    optimizing = time.perf_counter()
    db.optimize()  # compacts the bulk loader's files: reads are about 4 times faster after it (1M enterprises)
    info.setdefault("seconds", {})["optimize"] = round(time.perf_counter() - optimizing, 3)
    db.flush()
    del db
    return {**info, **counts, "build_seconds": round(time.perf_counter() - started, 3),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def _write_record(file: Path, info: dict) -> None:
    """The version's record, written last and synced: a version with a ``build.json`` is complete."""
    with file.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(info, ensure_ascii=False, indent=2))
        handle.flush()
        os.fsync(handle.fileno())


def read_info(path: Path) -> dict | None:
    """The build record of the live version of the store at ``path``, or ``None`` when there is no complete store."""
    try:
        folder = folders.live_folder(Path(path))
        info = json.loads((folder / MARKER).read_text(encoding="utf-8")) if folder is not None else None
    except (OSError, ValueError, StoreError):
        return None
    return info if isinstance(info, dict) else None


def open_store(path: Path) -> Store:
    """Open the live version of a built store, read-only. It never builds: :func:`kg.build.ready_store` decides.

    The returned store keeps that version even when a writer makes a newer one live meanwhile.

    Raises:
        StoreError: there is no complete store at ``path``, or it is damaged or cannot be opened.
    """
    path = Path(path)
    folder, lock, info = folders.attach_reader(path, time.monotonic() + OPEN_WAIT)
    try:
        db = ox.Store.read_only(str(folder / folders.DATABASE))
    except (OSError, RuntimeError) as err:
        lock.close()
        if _storage_error(err) or not (folder / folders.DATABASE).is_dir():
            raise folders.damaged(path, _first_line(err)) from err
        raise StoreError(f"cannot open the store at {path}: {err}") from err
    return Store(path, _GuardedStore(db, path), info, folder, lock)
