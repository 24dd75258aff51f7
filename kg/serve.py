"""Serve a built store read-only over the SPARQL 1.1 Protocol through the real Oxigraph server.

This side (the caller's process) keeps the open :class:`kg.store.Store` (its shared lock keeps the served version
from being deleted by a rebuild), binds the listening socket on the requested address in the host's network, and
starts :mod:`kg.relay` with that socket. The relay cuts itself off the network, runs ``oxigraph serve-read-only``
on its private loopback and copies bytes between the two. Stopping (:meth:`Endpoint.stop`, or leaving the ``with``
block) ends the relay, which ends the server.

Assumes Linux for the isolation; elsewhere serving needs ``allow_network=True``.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kg.errors import ServeError
from kg.store import Store

DEFAULT_BIND = "127.0.0.1:7878"
INSTALL_HINT = "install it with: pip install 'chainkg[serve]' (or: pip install oxigraph)"


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) to a pair.

    >>> parse_bind("127.0.0.1:7878")
    ('127.0.0.1', 7878)
    """
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ServeError(f"--bind {text!r}: expected HOST:PORT, for example 127.0.0.1:7878")
    return host, int(port)


def find_oxigraph() -> str:
    """The ``oxigraph`` server program: next to this Python first (a virtualenv), then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError(f"`chainkg serve` needs the Oxigraph server program `oxigraph`; {INSTALL_HINT}")
    return found


class Endpoint:
    """A running read-only SPARQL endpoint over ``store``; use as a context manager or call :meth:`stop`.

    Attributes:
        url: the query endpoint, ``http://HOST:PORT/query``.
        startup: seconds from the call to the first answerable request.
    """

    def __init__(self, store: Store, bind: str = DEFAULT_BIND, timeout_s: float = 30.0,
                 allow_network: bool = False, oxigraph: str | None = None) -> None:
        """Start serving.

        Raises:
            ServeError: no ``oxigraph`` program, the address is taken, the server cannot be cut off the network
                (and ``allow_network`` is false), or it did not start.
        """
        started = time.monotonic()
        host, port = parse_bind(bind)
        program = oxigraph or find_oxigraph()
        self.store = store
        self._listener = _listen(host, port)
        self.host, self.port = self._listener.getsockname()[:2]
        args = [sys.executable, "-m", "kg.relay", "--fd", str(self._listener.fileno()),
                "--location", str(Path(store.folder) / "oxigraph"), "--oxigraph", program,
                "--timeout-s", f"{timeout_s:g}"] + (["--allow-network"] if allow_network else [])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")])))
        self._relay = subprocess.Popen(args, pass_fds=[self._listener.fileno()], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, env=env)
        try:
            line = _read_line(self._relay, deadline=time.monotonic() + 60)
        except BaseException:  # Ctrl-C while starting: nothing may outlive the call
            self.stop()
            raise
        if not line.startswith("ready"):
            self.stop()
            raise ServeError(line.removeprefix("error ") or "the server helper ended without saying why")
        self.startup = time.monotonic() - started
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}/query"

    def wait(self) -> None:
        """Block until the server ends (it ends on its own only on an error, or when :meth:`stop` is called)."""
        self._relay.wait()

    def stop(self) -> None:
        """Stop the relay and the server and let go of the address; safe to call twice."""
        if self._relay.poll() is None:
            self._relay.send_signal(signal.SIGTERM)
            try:
                self._relay.wait(10)
            except subprocess.TimeoutExpired:
                self._relay.kill()
                self._relay.wait()
        if self._relay.stdout is not None:
            self._relay.stdout.close()
        self._listener.close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError as err:
        listener.close()
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    return listener


def _read_line(process: subprocess.Popen, deadline: float) -> str:
    """The helper's one status line, waiting at most until ``deadline``."""
    fd = process.stdout.fileno()
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return "error the server did not start in time"
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip()


def query_page(url: str) -> str:
    """An offline query page for the endpoint at ``url``: one self-contained HTML file (no script, no style sheet or
    font from elsewhere) whose form posts the query to the endpoint, as a SPARQL 1.1 Protocol form request.

    The Oxigraph server's own page (GET /) loads prefix completions from prefix.cc in the browser; this page needs
    nothing but the endpoint. A form cannot choose the answer's format: the server sends SPARQL XML results, which a
    browser shows or (Chromium) saves as a file. Rendering a table in the page would need the server's CORS headers,
    which would let any web page open in the browser read the endpoint; the page does without.
    """
    from html import escape

    example = ("PREFIX ckg: <https://w3id.org/chainkg/ontology#>\n"
               "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
               "SELECT ?chain ?name WHERE {\n  ?chain a ckg:LandmarkChain ; skos:prefLabel ?name .\n"
               "  FILTER(lang(?name) = \"zh\")\n} ORDER BY ?name")
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>chainkg SPARQL 查询 · query</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 60em; color: #222; }}
h1 {{ font-size: 1.4em; }}
textarea {{ width: 100%; height: 16em; font-family: monospace; font-size: 0.95em; }}
button {{ font-size: 1em; padding: 0.4em 1.2em; margin-top: 0.6em; }}
p.note {{ color: #555; font-size: 0.9em; }}
code {{ background: #f3f3f3; padding: 0 0.2em; }}
</style>
</head>
<body>
<h1>chainkg SPARQL 查询 · query</h1>
<p>端点 / endpoint: <code>{escape(url)}</code>(只读 / read-only)</p>
<form method="post" action="{escape(url, quote=True)}" target="_blank">
<textarea name="query" spellcheck="false">{escape(example)}</textarea>
<button type="submit">查询 · Run</button>
</form>
<p class="note">结果为 SPARQL XML,浏览器会显示或保存该文件。本页离线可用,不加载任何外部资源。
The answer comes as SPARQL XML results, which the browser shows or saves. This page works offline and loads nothing
from elsewhere.</p>
</body>
</html>
"""
