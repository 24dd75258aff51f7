"""Benchmark of the planner questions: in-process latency on the Oxigraph store, CLI wall time, and the same
questions on rdflib's default in-memory store as a ratio. Run with ``make bench`` or, from the repository root,
``python -m benchmarks.questions``.

Prints a table; measures, never asserts.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef

from kg import describe, paths, profiles, projection, questions
from kg.build import build_store
from kg.output import to_table

#: (label, function, argument, CLI arguments)
QUESTIONS = [
    ("chains", lambda s: questions.list_chains(s, "all"), ["chains"]),
    ("show 中国算谷产业园", lambda s: describe.describe(s, "中国算谷产业园"), ["show", "中国算谷产业园"]),
    ("policies 集成电路", lambda s: questions.chain_policies(s, "集成电路"), ["policies", "集成电路"]),
    ("chain 现代医药", lambda s: questions.chain_profile(s, "现代医药"), ["chain", "现代医药"]),
    ("enterprises 汽车", lambda s: questions.chain_enterprises(s, "汽车")["rows"], ["enterprises", "汽车"]),
    ("parks 现代医药", lambda s: questions.chain_parks(s, "现代医药"), ["parks", "现代医药"]),
    ("district 历城区", lambda s: profiles.district_profile(s, "历城区"), ["district", "历城区"]),
    ("policy 济发〔2023〕7号", lambda s: profiles.policy_profile(s, "济发〔2023〕7号"), ["policy", "济发〔2023〕7号"]),
    ("stats", describe.stats, ["stats"]),
    ("gaps 集成电路", lambda s: projection.chain_report(s, "集成电路"), ["gaps", "集成电路"]),
    ("gaps (13 landmark chains)", lambda s: projection.tier_reports(s, "landmark"), ["gaps"]),
    ("coverage", lambda s: projection.coverage_matrix(s, "landmark"), ["coverage"]),
    ("mismatches", lambda s: projection.mismatches(s, "landmark"), ["mismatches"]),
]


class RdflibStore:
    """The same interface as :class:`kg.store.Store`, on rdflib's default in-memory store (for comparison)."""

    def __init__(self, oxigraph_store) -> None:
        self.path = Path("rdflib-memory")
        self.info = {"fingerprint": "rdflib", "built_at": "now"}
        self.dataset = Dataset(default_union=True)
        for quad in oxigraph_store.oxigraph.quads_for_pattern(None, None, None, None):
            graph = self.dataset.graph(URIRef(quad.graph_name.value)) if hasattr(quad.graph_name, "value") else \
                self.dataset.default_graph
            graph.add((_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object)))
        self.oxigraph = self
        self.lock = threading.Lock()

    def query(self, sparql: str, bindings=None):
        init = {k: _rdflib(v) for k, v in (bindings or {}).items()}
        with self.lock:  # rdflib's SPARQL parser (pyparsing) is not thread-safe; kg.query runs queries in threads
            result = self.dataset.query(sparql, initBindings=init)
        if result.type == "ASK":
            return result.askAnswer
        names = [str(v) for v in result.vars]
        return _Solutions(names, [_Row(names, [_ox(row[n]) for n in names]) for row in result])


class _Var:
    def __init__(self, value: str) -> None:
        self.value = value


class _Row(tuple):
    """A solution like Oxigraph's: iterates its values in order, and is indexed by variable name."""

    def __new__(cls, names: list[str], values: list):
        row = super().__new__(cls, values)
        row.names = names
        return row

    def __getitem__(self, key):
        return super().__getitem__(self.names.index(key) if isinstance(key, str) else key)


class _Solutions(list):
    def __init__(self, names: list[str], rows: list[dict]) -> None:
        super().__init__(rows)
        self.variables = [_Var(n) for n in names]


def _rdflib(term):
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return URIRef(term.value)


def _ox(term):
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or "http://www.w3.org/2001/XMLSchema#string")))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def _forget() -> None:
    """Drop the per-process caches (name index, cached query rows): each run pays what a fresh command pays."""
    from kg import resolve

    resolve._INDEXES.clear()
    projection.clear_cache()


def median_ms(func, store, repeat: int) -> float:
    """Median wall time of ``func(store)`` in milliseconds, after one warm-up call (a first call slower than a
    second is reported as it is: the point is the order of magnitude)."""
    _forget()
    start = time.perf_counter()
    func(store)
    first = time.perf_counter() - start
    if first > 1.0:
        return first * 1000
    times = []
    for _ in range(repeat):
        _forget()
        start = time.perf_counter()
        func(store)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cli_ms(args: list[str], store_path: Path, repeat: int = 3) -> float:
    """Median wall time of the installed ``chainkg`` command, Python's start included."""
    command = [str(Path(sys.executable).with_name("chainkg")), *args, "--store", str(store_path)]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(repeat: int = 20) -> list[dict]:
    """Measure every question; return one row per question."""
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store"
        started = time.perf_counter()
        store = build_store(paths.default_data_dir(), store_path)
        build_s = time.perf_counter() - started
        memory = RdflibStore(store)
        rows = []
        for label, func, args in QUESTIONS:
            ox_ms = median_ms(func, store, repeat)
            try:
                rdflib_ms = median_ms(func, memory, max(3, repeat // 5))
            except Exception as err:  # noqa: BLE001 - some queries use Oxigraph's LATERAL, which rdflib cannot parse
                rdflib_ms, note = None, f"rdflib: {type(err).__name__}"
            else:
                note = ""
            rows.append({"question": label, "oxigraph_ms": round(ox_ms, 2), "cli_ms": round(cli_ms(args, store_path)),
                         "rdflib_ms": round(rdflib_ms, 1) if rdflib_ms is not None else note,
                         "rdflib_ratio": round(rdflib_ms / ox_ms, 1) if rdflib_ms is not None else "—"})
        rows.append({"question": f"(build store: {build_s:.2f} s, {store.info['quads']} quads)"})
        return rows


def main() -> None:
    """Print the benchmark table."""
    rows = run()
    headers = ["question", "in-process median (ms)", "CLI wall (ms)", "rdflib in-memory (ms)", "rdflib / oxigraph"]
    print(to_table(rows, ["question", "oxigraph_ms", "cli_ms", "rdflib_ms", "rdflib_ratio"], headers))


if __name__ == "__main__":
    main()
