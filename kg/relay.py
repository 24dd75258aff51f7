"""The isolated half of ``chainkg serve``: a helper process that runs the Oxigraph server with no network.

Started by :mod:`kg.serve` as ``python -m kg.relay`` (a fresh, single-threaded interpreter: a process with threads
cannot enter a new user namespace). It receives the listening socket already bound in the host's network namespace,
moves itself into a new network namespace (and a user namespace when it is not root), brings up that namespace's
loopback, starts ``oxigraph serve-read-only`` on it and copies bytes between the connections accepted on the host
socket and the server. The server can then reach nothing but its own loopback: a ``SERVICE`` clause finds no
network. The relay reads no HTTP; it only copies bytes, and it replaces the server when a request has had no
answer for the timeout (Oxigraph's own ``--timeout-s`` lets some queries run on) or when the server died.

Protocol with the parent: one line on stdout, ``ready <seconds>`` or ``error <message>``; SIGTERM or SIGINT stops the
server and ends the helper with status 0. Only the standard library and :mod:`kg.sandbox`'s constants are used.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import time

from kg.sandbox import _CLONE_NEWNET, _CLONE_NEWUSER, _PR_SET_PDEATHSIG

_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_CHUNK = 1 << 16


class Refused(Exception):
    """The helper cannot do its job; the message goes to the parent."""


def isolate() -> str | None:
    """Move this process into a new network namespace with its loopback up; ``None`` on success, else why not."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces are Linux-only (this is {sys.platform})"
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWNET) != 0:
        # CLONE_NEWNET alone needs CAP_SYS_ADMIN; an unprivileged process gets it inside a new user namespace,
        # mapped to root there so that it can configure the namespace's interfaces and keep that after exec.
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            return f"unshare failed: {os.strerror(ctypes.get_errno())}"
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
        except OSError as err:
            return f"cannot map the user namespace: {err}"
    try:
        loopback_up()
    except OSError as err:
        return f"cannot bring up the namespace's loopback: {err}"
    return None


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as file:
        file.write(text)


def loopback_up() -> None:
    """Set IFF_UP on ``lo`` (what ``ip link set lo up`` does), through ioctl on any AF_INET socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock.fileno(), _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock.fileno(), _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the server's child before exec; this helper has no threads
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start_server(oxigraph: str, location: str, port: int, timeout_s: float, wait: float) -> subprocess.Popen:
    """Start ``oxigraph serve-read-only`` on 127.0.0.1:``port`` and return once it accepts connections."""
    args = [oxigraph, "serve-read-only", "--location", location, "--bind", f"127.0.0.1:{port}",
            "--union-default-graph", "--timeout-s", f"{timeout_s:g}"]
    server = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=_die_with_parent)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if server.poll() is not None:
            message = server.stderr.read().decode("utf-8", "replace").strip().splitlines()
            raise Refused(f"the oxigraph server stopped at start: {message[-1] if message else server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.02)
    stop_server(server)
    raise Refused(f"the oxigraph server did not answer within {wait:g} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class _Waiting:
    """Whether the client has sent bytes that the server has not answered yet (a request in flight)."""

    __slots__ = ("since", "timed_out")

    def __init__(self) -> None:
        self.since: float | None = None
        self.timed_out = False


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, waiting: _Waiting, asks: bool,
                limit: float | None = None) -> None:
    """Copy bytes until EOF. ``asks``: this is the client's side (its bytes start a wait for an answer). With
    ``limit`` (the server's side), a server silent for ``limit`` seconds while a request waits ends the connection:
    Oxigraph's own --timeout-s does not stop every query (a sort or an aggregate over a cartesian product runs on)."""
    try:
        while True:
            if limit is None:
                data = await reader.read(_CHUNK)
            else:
                try:
                    data = await asyncio.wait_for(reader.read(_CHUNK), timeout=limit)
                except asyncio.TimeoutError:
                    if waiting.since is not None and time.monotonic() - waiting.since >= limit:
                        waiting.timed_out = True
                        raise ConnectionAbortedError("the server did not answer in time") from None
                    continue
            if not data:
                break
            waiting.since = (waiting.since or time.monotonic()) if asks else None
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()
        reader_transport = getattr(reader, "_transport", None)
        if reader_transport is not None:
            reader_transport.abort()


class Backend:
    """The running Oxigraph server, restarted when a query overran the timeout (Oxigraph would compute it on, a
    core and its memory held until it ends) or when it died; each start is a new generation."""

    def __init__(self, oxigraph: str, location: str, timeout_s: float) -> None:
        self.command = (oxigraph, location, timeout_s)
        self.generation = 0
        self.port = free_port()
        self.server = start_server(*self.command[:2], self.port, timeout_s, wait=30)

    def restart(self, generation: int) -> None:
        """Start a new server unless that was already done since ``generation`` (several cut connections)."""
        if generation != self.generation:
            return
        self.server.kill()  # read-only: nothing to flush
        self.server.wait()
        self.port = free_port()
        self.server = start_server(*self.command[:2], self.port, self.command[2], wait=30)
        self.generation += 1

    def stop(self) -> None:
        stop_server(self.server)


async def _relay(listener: socket.socket, backend: Backend, ready: float, limit: float) -> None:
    async def connect(client_reader, client_writer) -> None:
        if backend.server.poll() is not None:  # it died (out of memory): answer with a fresh one
            backend.restart(backend.generation)
        generation = backend.generation
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", backend.port)
        except OSError:
            client_writer.transport.abort()
            return
        waiting = _Waiting()
        try:
            await asyncio.gather(_pipe(client_reader, server_writer, waiting, asks=True),
                                 _pipe(server_reader, client_writer, waiting, asks=False, limit=limit))
        finally:
            for writer in (server_writer, client_writer):
                writer.close()
        if waiting.timed_out:
            backend.restart(generation)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    relay = await asyncio.start_server(connect, sock=listener)
    print(f"ready {ready:.3f}", flush=True)
    await stop.wait()
    relay.close()
    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in pending:  # connections still open: cut them, the server is going away
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.relay")
    parser.add_argument("--fd", type=int, required=True, help="the listening socket, inherited")
    parser.add_argument("--location", required=True)
    parser.add_argument("--oxigraph", required=True)
    parser.add_argument("--timeout-s", type=float, required=True)
    parser.add_argument("--allow-network", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    listener = socket.socket(fileno=args.fd)
    server = None
    try:
        why = isolate()
        if why is not None and not args.allow_network:
            raise Refused(f"cannot cut the server off the network ({why}); a SERVICE clause in a query could reach "
                          "other machines. Serve on a Linux system with namespaces, or pass --allow-network")
        server = Backend(args.oxigraph, args.location, args.timeout_s)
        asyncio.run(_relay(listener, server, time.monotonic() - started, args.timeout_s + 1))
    except Refused as err:
        print(f"error {err}", flush=True)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
