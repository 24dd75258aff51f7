"""Benchmark of ``--store URL``: the same questions on the embedded store and over HTTP from an Oxigraph server
(``oxigraph serve-read-only --union-default-graph`` on the same built store, on this machine: loopback, so the
numbers are the cost of HTTP, JSON and the server, not of a network). Run from the repository root:
``python -m benchmarks.remote``; ``python -m benchmarks.remote --virtuoso`` asks OpenLink Virtuoso instead (a fresh
database in a temporary folder, the store pushed with ``--per-graph``: ``tests/servers.py``'s configuration).

Each question is timed cold (the per-process caches cleared: the name index, the static rows, as in a fresh
``chainkg`` command) and warm (asked again in the same process); medians of several runs. Prints a table; measures,
never asserts.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from kg import describe, paths, projection, questions, resolve
from kg.build import build_store
from kg.output import to_table
from kg.push import make_client, push_store
from kg.remote import RemoteStore

QUESTIONS = [
    ("policies 集成电路", lambda s: questions.chain_policies(s, "集成电路")),
    ("chain 集成电路", lambda s: questions.chain_profile(s, "集成电路")),
    ("gaps 集成电路", lambda s: projection.chain_report(s, "集成电路")),
    ("coverage", lambda s: projection.coverage_matrix(s, "landmark")),
    ("chains", lambda s: questions.list_chains(s, "all")),
    ("stats", describe.stats),
    ("mismatches", lambda s: projection.mismatches(s, "landmark")),
]
RUNS = 7


def _clear() -> None:
    projection.clear_cache()
    resolve._INDEXES.clear()


def _median_ms(call, cold: bool) -> float:
    times = []
    for _ in range(RUNS):
        if cold:
            _clear()
        else:
            call()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def wait_until_answering(url: str, seconds: float = 20) -> None:
    """Wait until the SPARQL endpoint at ``url`` answers ``ASK {}`` (a server just started)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, data={"query": "ASK {}"}, timeout=1).is_success:
                return
        except httpx.HTTPError:
            time.sleep(0.05)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="chainkg-remote-bench-"))
    binary = Path(sys.executable).with_name("oxigraph")
    binary = str(binary) if binary.is_file() else shutil.which("oxigraph")
    process = None
    try:
        store = build_store(paths.default_data_dir(), work / "store")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if "--virtuoso" in sys.argv:
            from tests.servers import VirtuosoServer

            virtuoso = VirtuosoServer(work / "virtuoso")
            virtuoso.start()
            process = virtuoso
            with make_client(auth=httpx.DigestAuth(virtuoso.user, virtuoso.password)) as client:
                push_store(store, virtuoso.endpoint, virtuoso.graph_store, per_graph=True, client=client)
            _measure(store, virtuoso.endpoint)
            return
        process = subprocess.Popen([binary, "serve-read-only", "--location", str(store.folder / "oxigraph"),
                                    "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/query"
        wait_until_answering(url)
        _measure(store, url)
    finally:
        if process is not None:
            if isinstance(process, subprocess.Popen):
                process.terminate()
                process.wait(10)
            else:
                process.stop()
        shutil.rmtree(work, ignore_errors=True)


def _measure(store, url: str) -> None:
    """Print the table for ``store`` against the endpoint ``url`` that holds the same graph."""
    requests = []
    client = make_client()
    client.event_hooks["request"] = [requests.append]
    remote = RemoteStore.open(url, client=client)
    rows = []
    for label, call in QUESTIONS:
        local_cold = _median_ms(lambda c=call: c(store), cold=True)
        local_warm = _median_ms(lambda c=call: c(store), cold=False)
        remote_cold = _median_ms(lambda c=call: c(remote), cold=True)
        remote_warm = _median_ms(lambda c=call: c(remote), cold=False)
        _clear()
        requests.clear()
        call(remote)
        rows.append({"question": label, "embedded cold ms": f"{local_cold:.1f}",
                     "HTTP cold ms": f"{remote_cold:.1f}", "embedded warm ms": f"{local_warm:.1f}",
                     "HTTP warm ms": f"{remote_warm:.1f}", "requests (cold)": len(requests)})
    print(to_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
