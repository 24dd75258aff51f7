"""The child processes of the scale benchmark (:mod:`benchmarks.scale`), one kind per subcommand.

Each runs in a fresh process so that its time and peak memory are its own, and so that a runaway question can be
killed without losing the benchmark. A worker reads one JSON job (a file named in ``argv``) and appends one JSON line
per result to the job's ``out`` file (``{"item": key, "status": "started"}`` first, then the result), so that the
parent can tell which item was running when a worker died or was killed.

Usage (by the parent): ``python -m benchmarks.scale_workers KIND JOB.json`` with KIND ``nquads``, ``bulkload``,
``questions`` or ``engines``.
"""

from __future__ import annotations

import json
import math
import signal
import statistics
import sys
import time
from pathlib import Path

#: Page size of the enterprise listing (the CLI's default).
PAGE = 50


class SoftTimeout(Exception):
    """A call ran past the per-item timeout."""


def _alarm(signum, frame):
    raise SoftTimeout


class _Deadline:
    """``with _Deadline(s):`` raises :class:`SoftTimeout` in the main thread after ``s`` seconds (Python code only:
    a call inside the query engine is interrupted when it returns to Python; the parent kills what never returns)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self):
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return False


class Results:
    """The worker's JSON-lines output file."""

    def __init__(self, path: str) -> None:
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the worker's life

    def put(self, record: dict) -> None:
        self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p95 of 7 values is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def runs_after(first: float, runs: int) -> int:
    """How many timed runs follow a warm-up call that took ``first`` seconds: all of them for fast questions, fewer
    for slow ones, so that a slow store still finishes in bounded time (the count is reported)."""
    if first < 2:
        return runs
    return 2 if first < 20 else 0


def _error(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:300]


# -- the questions --------------------------------------------------------------------------------------------------

def question_items(picks: dict) -> list[dict]:
    """The named questions, each as a library call and as a CLI command, with the names picked from the store.

    ``call`` is ``(module in kg, function name, args, kwargs)``: functions are looked up by name when they run, so a
    renamed or failing function is recorded as an error, not a crash of the benchmark.
    """
    chain, place, policy, firm = picks["chain"], picks["district"], picks["policy"], picks["enterprise"]
    total = picks.get("chain_total") or 0
    last = max(0, (total - 1) // PAGE * PAGE)
    middle = (total // 2) // PAGE * PAGE
    items = [
        ("chains", "chains", ("questions", "list_chains", ["all"]), ["chains"]),
        ("policies", f"policies {chain}", ("questions", "chain_policies", [chain]), ["policies", chain]),
        ("chain", f"chain {chain}", ("questions", "chain_profile", [chain]), ["chain", chain]),
        ("district", f"district {place}", ("profiles", "district_profile", [place]), ["district", place]),
        ("policy", f"policy {policy}", ("profiles", "policy_profile", [policy]), ["policy", policy]),
        ("show chain", f"show {chain}", ("describe", "describe", [chain]), ["show", chain]),
        ("show district", f"show {place}", ("describe", "describe", [place]), ["show", place]),
        ("show policy", f"show {policy}", ("describe", "describe", [policy]), ["show", policy]),
        ("show enterprise", f"show {firm}", ("describe", "describe", [firm]), ["show", firm]),
    ]
    for where, offset in (("first", 0), ("middle", middle), ("last", last)):
        items.append((f"enterprises {where}", f"enterprises {chain} --offset {offset}",
                      ("questions", "chain_enterprises", [chain], {"limit": PAGE, "offset": offset}),
                      ["enterprises", chain, "--limit", str(PAGE), "--offset", str(offset)]))
    items += [
        ("parks", f"parks {chain}", ("questions", "chain_parks", [chain]), ["parks", chain]),
        ("stats", "stats", ("describe", "stats", []), ["stats"]),
        ("gaps chain", f"gaps {chain}", ("projection", "chain_report", [chain]), ["gaps", chain]),
        ("gaps landmark", "gaps (all landmark chains)", ("projection", "tier_reports", ["landmark"]), ["gaps"]),
        ("coverage", "coverage", ("projection", "coverage_matrix", ["landmark"]), ["coverage"]),
        ("mismatches", "mismatches", ("projection", "mismatches", ["landmark"]), ["mismatches"]),
    ]
    out = []
    for key, label, call, cli in items:
        module, name, args, *kwargs = call
        out.append({"key": key, "label": label, "call": [module, name, args, kwargs[0] if kwargs else {}],
                    "cli": cli})
    return out


def _function(module: str, name: str):
    import importlib

    return getattr(importlib.import_module(f"kg.{module}"), name)


def _forget() -> None:
    """Drop the per-process caches (cached query rows, the name index): each run pays what a fresh command pays,
    except opening the store and importing Python."""
    try:
        from kg import projection

        projection.clear_cache()
    except Exception:  # noqa: BLE001 - a renamed cache is not the benchmark's failure
        pass
    try:
        from kg import resolve

        resolve._INDEXES.clear()
    except Exception:  # noqa: BLE001
        pass


def _open(path: str):
    from kg.store import open_store

    return open_store(Path(path))


def pick_names(store) -> dict:
    """A chain (the landmark chain with the most enterprises), a district, a policy supporting it and one of its
    enterprises, each checked to resolve; plus the chain's enterprise total (for the last page)."""
    from kg import describe, projection, questions
    from kg.query import select

    chains = projection.chains_of_tier(store, "landmark")
    try:
        totals = {r["chain"]: r["enterprise_count"] for r in select(store, "coverage_chain_totals")}
    except Exception:  # noqa: BLE001 - then the first chain
        totals = {}
    chain = max(chains, key=lambda c: (totals.get(c["iri"], 0), c["iri"]))["name"]
    places = projection.places(store)
    district = next((p for p in places if p.get("place_kind") == "district"), places[0])["name"]
    policies = questions.chain_policies(store, chain)
    policy = next((p["doc_number"] or p["title"] for p in policies if p.get("doc_number")),
                  policies[0]["title"] if policies else None)
    page = questions.chain_enterprises(store, chain, limit=PAGE)
    firm = None
    for row in page["rows"]:
        try:
            describe.describe(store, row["name"])
        except Exception:  # noqa: BLE001 - an ambiguous name: try the next
            continue
        firm = row["name"]
        break
    return {"chain": chain, "district": district, "policy": policy, "enterprise": firm,
            "chain_total": page["total"]}


def run_questions(job: dict) -> None:
    """Time each named question in-process on the store: a warm-up call, then ``runs`` runs (caches dropped before
    each), p50 and p95. Then record which SPARQL queries coverage and gaps run, for the engine comparison."""
    out = Results(job["out"])
    store = _open(job["store"])
    timeout = job["timeout"]
    picks = job.get("picks")
    if picks is None:
        out.put({"item": "picks", "status": "started"})
        from kg import resolve

        started = time.perf_counter()
        with _Deadline(timeout):
            resolve.index_for(store)
        index_s = time.perf_counter() - started
        with _Deadline(timeout):
            picks = pick_names(store)
        out.put({"item": "picks", "status": "ok", "picks": picks, "name_index_ms": index_s * 1000})
    skip = set(job.get("skip", ()))
    for item in question_items(picks):
        if item["key"] in skip:
            continue
        out.put({"item": item["key"], "status": "started"})
        out.put({"item": item["key"], **_time_call(store, item, job["runs"], timeout)})
    if "record" not in skip and job.get("record"):
        out.put({"item": "record", "status": "started"})
        out.put({"item": "record", **_record_queries(store, picks, timeout)})


def _time_call(store, item: dict, runs: int, timeout: float) -> dict:
    module, name, args, kwargs = item["call"]
    times: list[float] = []
    try:
        function = _function(module, name)
        for n in range(1 + runs):
            _forget()
            started = time.perf_counter()
            with _Deadline(timeout):
                function(store, *args, **kwargs)
            elapsed = time.perf_counter() - started
            if n == 0:
                first = elapsed
                runs = runs_after(first, runs)
            else:
                times.append(elapsed)
            if n >= runs:
                break
    except SoftTimeout:
        return {"status": "timeout", "error": f"over {timeout:g} s", "times_ms": [t * 1000 for t in times]}
    except Exception as err:  # noqa: BLE001 - recorded, not raised
        return {"status": "error", "error": _error(err), "times_ms": [t * 1000 for t in times]}
    samples = times or [first]
    return {"status": "ok", "first_ms": first * 1000, "runs": len(times), "times_ms": [t * 1000 for t in samples],
            "p50_ms": statistics.median(samples) * 1000, "p95_ms": percentile(samples, 0.95) * 1000}


class _Recorder:
    """A store that logs every query it runs (text and bound values) and forwards it."""

    def __init__(self, store) -> None:
        self._store = store
        self.log: list[tuple[str, dict]] = []

    def __getattr__(self, name):
        return getattr(self._store, name)

    def query(self, sparql, bindings=None):
        self.log.append((sparql, dict(bindings or {})))
        return self._store.query(sparql, bindings)


def _term(value) -> list:
    import pyoxigraph as ox

    if isinstance(value, ox.Literal):
        return ["literal", value.value, value.language, value.datatype.value]
    if isinstance(value, ox.BlankNode):
        return ["bnode", value.value]
    return ["iri", value.value]


def _query_names() -> dict[str, str]:
    """Query text → the name of its file in ``kg/queries/``."""
    from kg import paths

    return {path.read_text(encoding="utf-8"): path.stem for path in sorted(paths.queries_dir().glob("*.rq"))}


def _record_queries(store, picks: dict, timeout: float) -> dict:
    """The SPARQL that one cold run of ``coverage`` and of ``gaps CHAIN`` sends to the store: per group, the calls in
    order (query name and bound values), and the text of each query once (``texts``)."""
    groups = {"coverage": ("projection", "coverage_matrix", ["landmark"]),
              "gaps chain": ("projection", "chain_report", [picks["chain"]])}
    names = _query_names()
    out, texts, errors = {}, {}, {}
    for group, (module, name, args) in groups.items():
        recorder = _Recorder(store)
        _forget()
        try:
            with _Deadline(timeout):
                _function(module, name)(recorder, *args)
        except SoftTimeout:
            errors[group] = f"over {timeout:g} s"
            continue
        except Exception as err:  # noqa: BLE001
            errors[group] = _error(err)
            continue
        calls = []
        for text, bindings in recorder.log:
            if text not in names:  # a query built in code, not read from a file
                names[text] = f"(inline {sum(n.startswith('(inline') for n in names.values()) + 1})"
            texts[names[text]] = text
            calls.append({"name": names[text], "bindings": {k: _term(v) for k, v in bindings.items()}})
        out[group] = calls
    return {"status": "ok" if out else "error", "queries": out, "texts": texts, "errors": errors}


# -- engines: Oxigraph against rdflib on the same query texts --------------------------------------------------------

def _rdflib_term(value: list):
    from rdflib import BNode, Literal, URIRef

    kind = value[0]
    if kind == "iri":
        return URIRef(value[1])
    if kind == "bnode":
        return BNode(value[1])
    if value[2]:
        return Literal(value[1], lang=value[2])
    return Literal(value[1], datatype=URIRef(value[3]))


def _ox_term(value: list):
    import pyoxigraph as ox

    kind = value[0]
    if kind == "iri":
        return ox.NamedNode(value[1])
    if kind == "bnode":
        return ox.BlankNode(value[1])
    if value[2]:
        return ox.Literal(value[1], language=value[2])
    return ox.Literal(value[1], datatype=ox.NamedNode(value[3]))


def _run_oxigraph(db, query: dict) -> int:
    import pyoxigraph as ox

    subs = {ox.Variable(k): _ox_term(v) for k, v in query["bindings"].items()}
    result = db.query(query["text"], use_default_graph_as_union=True, substitutions=subs or None)
    if isinstance(result, bool):
        return 1
    rows = 0
    for solution in result:
        for _ in solution:
            pass
        rows += 1
    return rows


def _run_rdflib(dataset, query: dict) -> int:
    bindings = {k: _rdflib_term(v) for k, v in query["bindings"].items()}
    result = dataset.query(query["text"], initBindings=bindings)
    if result.type == "ASK":
        return 1
    rows = 0
    for row in result:
        for _ in row:
            pass
        rows += 1
    return rows


def run_engines(job: dict) -> None:
    """Load the N-Quads into ``rdflib.Dataset(default_union=True)`` (timed), then run each recorded query on both
    engines: Oxigraph (the built store, median of 3) and rdflib (once), each with the per-item timeout."""
    import pyoxigraph as ox
    from rdflib import Dataset

    out = Results(job["out"])
    timeout = job["timeout"]
    from kg.store import open_store

    live = open_store(Path(job["store"]))  # holds the live version while the queries run
    db = ox.Store.read_only(str(live.folder / "oxigraph"))  # the raw engine: no error translation in the timings
    out.put({"item": "rdflib load", "status": "started"})
    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    try:
        with _Deadline(job["load_timeout"]):
            dataset.parse(job["nquads"], format="nquads")
    except SoftTimeout:
        out.put({"item": "rdflib load", "status": "timeout", "error": f"over {job['load_timeout']:g} s"})
        return
    out.put({"item": "rdflib load", "status": "ok", "seconds": time.perf_counter() - started,
             "quads": len(dataset)})
    skip = set(job.get("skip", ()))
    for group, queries in job["queries"].items():
        for i, query in enumerate(queries):
            key = f"{group}#{i}"
            if key in skip:
                continue
            out.put({"item": key, "status": "started"})
            record = {"item": key, "group": group, "name": query["name"], "weight": query.get("weight", 1),
                      "calls": query.get("calls", 1)}
            try:
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    with _Deadline(timeout):
                        rows = _run_oxigraph(db, query)
                    times.append(time.perf_counter() - started)
                record.update(oxigraph_ms=statistics.median(times) * 1000, rows=rows)
            except SoftTimeout:
                record.update(oxigraph_error=f"over {timeout:g} s")
            except Exception as err:  # noqa: BLE001
                record.update(oxigraph_error=_error(err))
            try:
                started = time.perf_counter()
                with _Deadline(timeout):
                    rdflib_rows = _run_rdflib(dataset, query)
                record.update(rdflib_ms=(time.perf_counter() - started) * 1000, rdflib_rows=rdflib_rows)
            except SoftTimeout:
                record.update(rdflib_error=f"over {timeout:g} s")
            except Exception as err:  # noqa: BLE001 - e.g. a query shape rdflib cannot evaluate
                record.update(rdflib_error=_error(err))
            out.put({**record, "status": "ok"})


# -- the N-Quads file and pyoxigraph's own bulk load ----------------------------------------------------------------

def run_nquads(job: dict) -> None:
    """Write the build's N-Quads (:func:`kg.build.compile_quads`) to a file."""
    from kg.build import compile_quads

    out = Results(job["out"])
    out.put({"item": "nquads", "status": "started"})
    started = time.perf_counter()
    with open(job["nquads"], "w", encoding="utf-8", buffering=1 << 20) as handle:
        summary = compile_quads(Path(job["data"]), handle.write)
    out.put({"item": "nquads", "status": "ok", "seconds": time.perf_counter() - started,
             "quads": summary.get("quads"), "bytes": Path(job["nquads"]).stat().st_size})


def run_bulkload(job: dict) -> None:
    """pyoxigraph's own bulk loader on the N-Quads file, into an empty store (the engine's limit)."""
    import pyoxigraph as ox

    out = Results(job["out"])
    out.put({"item": "bulkload", "status": "started"})
    store = ox.Store(job["store"])
    started = time.perf_counter()
    store.bulk_load(path=job["nquads"], format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter() - started
    store.flush()
    flushed = time.perf_counter() - started
    optimizing = time.perf_counter()
    store.optimize()  # what chainkg build does next: the same end state (a compacted store) on both sides
    out.put({"item": "bulkload", "status": "ok", "seconds": loaded, "with_flush_seconds": flushed,
             "optimize_seconds": time.perf_counter() - optimizing})


WORKERS = {"nquads": run_nquads, "bulkload": run_bulkload, "questions": run_questions, "engines": run_engines}


if __name__ == "__main__":
    WORKERS[sys.argv[1]](json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
