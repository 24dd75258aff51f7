"""Triple store servers for the push tests, started on loopback ports and stopped at the end (a pytest plugin, loaded
by ``tests/conftest.py``): Oxigraph server (``oxigraph serve``, from the test extra) and OpenLink Virtuoso Open Source
(``virtuoso-t``, Debian's ``virtuoso-opensource``, installed by ``.ci/run``). Each is restartable on the same database
folder, so that a test can stop one mid-push and start it again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

OXIGRAPH = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
VIRTUOSO = shutil.which("virtuoso-t")
#: Seconds a server gets to answer HTTP after its start, and to exit after SIGTERM (then it is killed).
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server process on a database folder: ``start`` waits until ``ready_url`` answers over HTTP (any status),
    ``stop`` sends SIGTERM, then SIGKILL after ``STOP_TIMEOUT`` seconds."""

    name = "server"

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = location.parent / f"{location.name}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    @property
    def ready_url(self) -> str:
        return self.base

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.location)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                httpx.get(self.ready_url, timeout=1)
                return
            except httpx.HTTPError:
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.name} exited at start: {self.tail()}") from None
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"{self.name} did not answer within {START_TIMEOUT:.0f} s: {self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.is_file() else ""
        return " | ".join(text.splitlines()[-5:])


class OxigraphServer(ServerProcess):
    """``oxigraph serve``: queries at ``/query``, the whole dataset as N-Quads at ``/store``."""

    name = "the oxigraph server"

    def __init__(self, location: Path) -> None:
        location.mkdir(parents=True, exist_ok=True)
        super().__init__(location)
        self.endpoint = f"{self.base}/query"

    def command(self) -> list[str]:
        return [OXIGRAPH, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"]

    @property
    def ready_url(self) -> str:
        return f"{self.base}/store?default"

    def quads(self) -> set[ox.Quad]:
        response = httpx.get(f"{self.base}/store", headers={"Accept": "application/n-quads"}, timeout=60)
        response.raise_for_status()
        return set(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))

    def add(self, nquads: str) -> None:
        httpx.post(f"{self.base}/store", content=nquads.encode(),
                   headers={"Content-Type": "application/n-quads"}, timeout=10).raise_for_status()


#: Virtuoso's configuration for a test: every file in the database folder, both ports on loopback, small buffers
#: (``NumberOfBuffers`` are 8 KB pages: 2,000 are 16 MB; Virtuoso's guideline is about 85,000 per free GB), and a
#: result row limit above the largest graph a test reads back. The keys are those of Debian's
#: /etc/virtuoso-opensource-7/virtuoso.ini; sections not written keep Virtuoso's built-in defaults.
VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 4
CheckpointInterval   = 60
DirsAllowed          = ., {db}
NumberOfBuffers      = 2000
MaxDirtyBuffers      = 1500
ThreadsPerQuery      = 2
MaxQueryMem          = 200M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
MaxClientConnections = 4
ServerThreads        = 4
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
"""


class VirtuosoServer(ServerProcess):
    """``virtuoso-t +foreground`` with a generated ``virtuoso.ini``: SPARQL at ``/sparql``, the Graph Store Protocol
    (one graph per request, HTTP digest auth) at ``/sparql-graph-crud-auth``; a new database has the ``dba`` account
    with password ``dba``, which may write there."""

    name = "virtuoso"
    user = password = "dba"

    def __init__(self, location: Path) -> None:
        location.mkdir(parents=True, exist_ok=True)
        super().__init__(location)
        self.sql_port = free_port()
        self.endpoint = f"{self.base}/sparql"
        self.graph_store = f"{self.base}/sparql-graph-crud-auth"
        self.ini = location / "virtuoso.ini"
        self.ini.write_text(VIRTUOSO_INI.format(db=location, sql_port=self.sql_port, http_port=self.port))

    def command(self) -> list[str]:
        return [VIRTUOSO, "+foreground", "+configfile", str(self.ini)]

    @property
    def ready_url(self) -> str:
        return f"{self.base}/sparql"

    def env(self) -> dict[str, str]:
        """The environment variables with which chainkg push authenticates as ``dba``."""
        return {"CHAINKG_ENDPOINT_USER": self.user, "CHAINKG_ENDPOINT_PASSWORD": self.password,
                "CHAINKG_ENDPOINT_AUTH": "digest"}

    def select(self, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """A SELECT's rows, parsed from SPARQL JSON results by pyoxigraph."""
        response = httpx.post(self.endpoint, data={"query": query},
                              headers={"Accept": "application/sparql-results+json"}, timeout=120)
        response.raise_for_status()
        results = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        return [{name.value: row[name] for name in results.variables if row[name] is not None} for row in results]

    def quads(self, graphs: set[str]) -> set[ox.Quad]:
        """The server's quads in ``graphs`` (Virtuoso also holds its own system graphs)."""
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if r["g"].value in graphs}


@pytest.fixture
def oxigraph_server(tmp_path):
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph, in the test extra)")
    running = OxigraphServer(tmp_path / "oxigraph-db")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def virtuoso_server(tmp_path, monkeypatch):
    """A fresh Virtuoso on ``tmp_path``, with chainkg's credential variables set for ``dba`` (digest auth)."""
    if VIRTUOSO is None:
        if os.environ.get("CHAINKG_REQUIRE_VIRTUOSO"):  # set by .ci/run: CI must run these tests, not skip them
            pytest.fail("virtuoso-t is missing: .ci/run installs Debian's virtuoso-opensource")
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does)")
    running = VirtuosoServer(tmp_path / "virtuoso-db")
    for name, value in running.env().items():
        monkeypatch.setenv(name, value)
    running.start()
    yield running
    running.stop()
