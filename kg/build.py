"""CSV rows → checked → N-Quads → the embedded Oxigraph store, streamed: no graph of the whole dataset in memory.

The build reads each table once, in an order where every reference points at rows already read (small tables whole,
then ``enterprises.csv`` and ``links.csv`` row by row), checks each row with :class:`kg.data.validate.Checker` and
writes its quads as N-Quads text into a pipe that pyoxigraph's bulk loader reads on the other core. Memory is bounded
by the small tables and the checker's keys, never by the text of the big ones.

How a row becomes quads (provenance graphs, name keys) is :mod:`kg.emit`'s job; the counts and member pages derived
on the way are :mod:`kg.summary`'s. The default graph stays empty.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg import paths
from kg.data.validate import DEFAULT_LIMIT, Checker, load_industry_codes
from kg.emit import _RDF, G_ONTOLOGY, GBT_SOURCE_ID, ID_NS, A, Emitter, _c, _n, _u
from kg.errors import DataError, Problem, StoreError
from kg.iris import CKG_NS
from kg.manifest import describe, load_manifest
from kg.store import Store, fingerprint, read_info, stat_signature, write_store
from kg.summary import Summary
from kg.tables import REQUIRED_TABLES, SPECS, Row, iter_table

log = logging.getLogger(__name__)

#: A progress callback: ``on_progress(phase, **fields)``; the phase names a message of :mod:`kg.i18n`
#: (``progress.<phase>``) that the CLI prints. The library never prints.
Progress = Callable[..., None]

#: The order rows are read in: every reference then points at rows already read, except a few that point forward
#: within a table (checked at the end). The first group is read whole; enterprises and links stream.
SMALL_TABLES = ("sources.csv", "chain_systems.csv", "chains.csv", "segments.csv", "districts.csv", "parks.csv",
                "policies.csv", "measures.csv", "indicators.csv")
READ_ORDER = SMALL_TABLES + ("enterprises.csv", "aliases.csv", "links.csv")
assert set(READ_ORDER) == set(SPECS), "every table has a place in the read order"


def compile_quads(data_dir: Path, write: Callable[[str], None] | None, limit: int = DEFAULT_LIMIT,
                  sample: int | None = None, on_progress: Progress | None = None) -> dict:
    """Read, check and convert a dataset folder, streaming its N-Quads to ``write``.

    Args:
        data_dir: the dataset folder (with ``dataset.json`` and the CSV tables).
        write: receives N-Quads text in chunks; ``None`` checks only (``validate``).
        limit: keep the first ``limit`` problems, count the rest.
        sample: with ``write=None``, still convert the small tables and the first ``sample`` rows of the big ones
            (enterprises, links whose ends are all in the sample) and return their N-Quads as ``"sample"`` (for SHACL).
        on_progress: called as ``on_progress(phase, **fields)`` when a step starts (phases ``build.tables``,
            ``build.table`` with ``name``, ``build.summary``); it may be called from a worker thread.

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

    say = on_progress or (lambda phase, **fields: None)
    emitter.ontology(paths.ontology_file())
    say("build.tables", count=len(SMALL_TABLES))
    # The small tables: read whole, ids registered before any row is checked (they point at each other freely).
    small: dict[str, list[Row]] = {}
    read_errors: list[Problem] = []
    for name in SMALL_TABLES:
        small[name] = _read_whole(data_dir / name, name, read_errors)
    if read_errors:
        raise DataError(read_errors)
    for name in SMALL_TABLES:
        _check_presence(checker, data_dir, name, small[name], manifest.allow_empty)
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
        say("build.table", name=name)
        spec, count = SPECS[name], 0
        path = data_dir / name
        rows = iter_table(path, spec) if path.is_file() else ()
        try:
            for row in _rows_or_problems(rows, checker, spec, emitter):
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
        except _Unreadable:  # the file's problem is recorded; its rows so far are checked, the rest unread
            pass
        else:
            _check_presence(checker, data_dir, name, [None] * min(count, 1), manifest.allow_empty)
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
        say("build.summary")
        emitter.quads += summary.lines(write)
        seconds["summary"] = time.perf_counter() - phase
    seconds["total"] = time.perf_counter() - started
    out = {"quads": emitter.quads, "graphs": emitter.graphs + 4, "rows": rows_read,
           "rule_breaks": {"count": len(checker.breaks) + checker.more_breaks,
                           "first": [p.format() for p in checker.breaks]},
           "seconds": {k: round(v, 3) for k, v in seconds.items()}, "dataset": describe(manifest)}
    if sampling:
        for ent in sorted(referenced - in_sample):  # typed, so that sh:class on the sample sees what they are
            emitter.add(_n(ent), A, _c("Enterprise"), _u(f"{ID_NS}graph/sample-stubs"))
        emitter.flush(force=True)
        out["sample"] = "".join(sampled)
    return out


class _Unreadable(Exception):
    """A streamed table stopped at a fault its reader reported (already recorded by the checker)."""


def _rows_or_problems(rows, checker: Checker, spec, emitter: Emitter):
    """The rows of a streamed table; a read fault (empty file, bad byte, broken CSV) becomes a table problem,
    so that the other tables are still checked, and stops the table."""
    try:
        yield from rows
    except DataError as err:
        emitter.write = None
        for problem in err.problems:  # the table was not read whole: references to its ids are only counted
            checker.table_problem(problem, spec)
        raise _Unreadable from err


def _check_presence(checker: Checker, data_dir: Path, name: str, rows: list, allow_empty: tuple[str, ...]) -> None:
    """A required table that is missing or has no rows is named, and references to its ids are only counted."""
    if rows or name not in REQUIRED_TABLES or name in allow_empty:
        return
    why = "is missing" if not (data_dir / name).is_file() else "has no rows (only a header)"
    checker.table_problem(Problem(name, 0, "", "", f"{why}: every dataset needs this table with at least one row "
                                                    f"(a dataset that means to have none lists it in dataset.json "
                                                    f'"allow_empty")'), SPECS[name])


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

    from kg.data.shacl import run_shacl

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


#: The N-Quads the store was loaded from, kept in the store's version folder: the exact bytes, in the build's
#: deterministic order, so that an N-Quads export of a large store is a file copy (Oxigraph re-serializes about 100k
#: quads/s).
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
    # pyoxigraph's query results may only be dropped on the thread that made them: collect cycles holding any now,
    # on this thread, so that a collection the worker's allocations trigger cannot drop one there
    gc.collect()
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


def build_store(data_dir: Path, path: Path, limit: int = DEFAULT_LIMIT, on_progress: Progress | None = None) -> Store:
    """Build the store for ``data_dir`` at ``path``, replacing what is there only when the build succeeds.

    ``on_progress(phase, **fields)`` is told each step (see :func:`compile_quads`; then ``build.optimize``).

    Raises:
        DataError: the data is invalid (nothing on disk is changed).
        StoreError: the store cannot be written.
    """
    started = time.perf_counter()
    data_dir = Path(data_dir)
    load_manifest(data_dir)  # a missing manifest is refused before anything is written

    def load(db: ox.Store, folder: Path) -> dict:
        summary = bulk_load_stream(db, lambda write: compile_quads(data_dir, write, limit, on_progress=on_progress),
                                   copy=folder / STREAM_FILE)
        if on_progress is not None:
            on_progress("build.optimize")
        summary["stream_file"] = {"name": STREAM_FILE, "bytes": (folder / STREAM_FILE).stat().st_size}
        summary["seconds"]["load (with checks)"] = round(time.perf_counter() - started, 3)
        return summary

    info = {"fingerprint": fingerprint(data_dir), "files": stat_signature(data_dir),
            "data_dir": str(data_dir.resolve())}
    return write_store(load, Path(path), info, started=started)


def ready_store(data_dir: Path | None = None, path: Path | None = None, rebuild: bool = False,
                on_build: Callable[[Path], None] | None = None, on_progress: Progress | None = None) -> Store:
    """The store for a dataset, built first when it is missing or the data changed (the CLI's entry point).

    A store is fresh when its build record names the same files with the same sizes and times, or, when they were
    touched, the same content hash. A store restored from a snapshot is used as it is until the next build. A fresh
    store is opened without any lock file (a read-only store folder answers). A stale one is rebuilt under the
    store's writer lock: when another process is already rebuilding it, this waits for that build and uses it
    instead of building again. ``on_build(data_dir)`` is called before a build, ``on_progress`` told its steps (the
    first is ``build.start`` with ``data``, the last ``build.done`` with ``quads`` and ``seconds``; see
    :func:`build_store`).

    Raises:
        DataError: the data is invalid.
        StoreError: the store cannot be opened or written, or another build held it too long.
    """
    from kg.store import default_store_path, open_store
    from kg.store_folder import writer_lock

    data_dir = Path(data_dir) if data_dir else paths.default_data_dir()
    path = Path(path) if path else default_store_path(data_dir)
    info = read_info(path)
    if not rebuild and _usable(info, data_dir):
        return open_store(path)
    with writer_lock(path, purpose="rebuild" if info else "build"):
        if not rebuild and _usable(read_info(path), data_dir):  # built by the writer we waited for
            return open_store(path)
        log.info("building the store for %s at %s", data_dir, path)
        if on_build is not None:
            on_build(data_dir)
        if on_progress is not None:
            on_progress("build.start", data=data_dir)
        store = build_store(data_dir, path, on_progress=on_progress)
        if on_progress is not None:
            on_progress("build.done", quads=store.info["quads"], seconds=store.info["build_seconds"])
        return store


def _usable(info: dict | None, data_dir: Path) -> bool:
    return bool(info) and bool(info.get("restored_from") or _fresh(info, data_dir))


def _fresh(info: dict, data_dir: Path) -> bool:
    if info.get("files") and info.get("files") == stat_signature(data_dir):
        return True
    return info.get("fingerprint") == fingerprint(data_dir)
