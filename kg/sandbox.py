"""Run one piece of work in a forked child with a time limit, a memory ceiling and, on Linux, no network.

The child is forked from the caller (so it starts in milliseconds with every module already imported), lowers its
own limits, leaves the network namespace when the kernel lets it, does the work and writes ``header + payload`` to a
pipe; the parent waits for that with a deadline and kills the child when it passes. Nothing the child allocates
counts against the parent: a query that needs gigabytes ends the child, not the caller.

Assumes a POSIX system with ``fork`` (Linux; macOS works without the network isolation). The work must not use
objects that do not survive a fork (an open :class:`pyoxigraph.Store`): it opens what it needs itself.
"""

from __future__ import annotations

import ctypes
import faulthandler
import json
import logging
import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import ChainKGError, QueryLimitExceeded

log = logging.getLogger(__name__)

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1
_ABORTED = 3  # the child's exit status when it reports an error in its header
_warned: list[bool] = []  # the missing isolation is logged once a process


@dataclass(frozen=True)
class Limits:
    """What one query may use. ``None`` switches a limit off.

    Attributes:
        timeout: seconds of wall-clock time, parsing included.
        memory_mb: megabytes the child may allocate beyond what it inherits (RLIMIT_DATA: heap and anonymous
            maps, not the mapped store files).
        max_rows: solutions (or triples) returned; the rest is dropped and the result is marked truncated.
        max_chars: characters of query text, refused before any parsing.
    """

    timeout: float | None = 30.0
    memory_mb: int | None = 2048
    max_rows: int | None = 10_000
    max_chars: int | None = 1_000_000


def network_isolation_available() -> bool:
    """Whether a child can leave the network namespace here (Linux with user or network namespaces)."""
    return sys.platform.startswith("linux")


def run_limited(work: Callable[[], tuple[dict, bytes]], limits: Limits) -> tuple[dict, bytes]:
    """Run ``work`` in a forked child under ``limits`` and return what it returned.

    ``work`` returns a JSON-able header and a payload. A :class:`ChainKGError` it raises is raised here again
    (same class when it is one of :mod:`kg.errors`, with its message).

    Raises:
        QueryLimitExceeded: the child ran past ``limits.timeout``, or needed more than ``limits.memory_mb``.
        ChainKGError: raised by ``work``, or the child died for another reason.
    """
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, write_end, limits)
    os.close(write_end)
    try:
        data, timed_out = _collect(read_end, started, limits)
    except BaseException:  # Ctrl-C or an error here: the child must not outlive the call
        _kill(pid)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    if timed_out or data is None:
        _kill(pid)
    _, status, usage = os.wait4(pid, 0)
    if timed_out:
        raise QueryLimitExceeded(f"the query ran longer than {_num(limits.timeout)} s (--timeout)")
    if data is None:
        raise QueryLimitExceeded(f"the result needed more than {limits.memory_mb} MB (--memory)")
    if os.WIFSIGNALED(status) or not data:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGABRT and limits.memory_mb is not None:  # Rust aborts when an allocation fails
            raise QueryLimitExceeded(f"the query needed more than {limits.memory_mb} MB (--memory)")
        if sig == signal.SIGXCPU:
            raise QueryLimitExceeded(f"the query ran longer than {_num(limits.timeout)} s (--timeout)")
        raise ChainKGError(f"the query process ended without an answer (status {status}, "
                           f"peak {usage.ru_maxrss // 1024} MB)")
    head, _, payload = data.partition(b"\n")
    header = json.loads(head)
    if "answer" not in header:
        raise _error_class(header["error"])(header["message"])
    header = header["answer"]
    if not header.get("isolated", True) and not _warned:
        _warned.append(True)
        log.warning("queries run without network isolation here (unshare is not available): the SERVICE check "
                    "on the parse tree is the only guard")
    return header, payload


def _collect(fd: int, started: float, limits: Limits) -> tuple[bytes | None, bool]:
    """Read the child's answer until EOF; ``(None, False)`` when it outgrows the memory limit."""
    chunks: list[bytes] = []
    size = 0
    expected = None
    cap = None if limits.memory_mb is None else limits.memory_mb << 20
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        wait = None if limits.timeout is None else limits.timeout - (time.monotonic() - started)
        if wait is not None and wait <= 0:
            return b"", True
        if not poller.poll(None if wait is None else max(1, int(wait * 1000))):
            return b"", True
        chunk = os.read(fd, 1 << 20)
        if not chunk:  # the child ended before its whole answer was written
            return b"", False
        chunks.append(chunk)
        size += len(chunk)
        if cap is not None and size > cap:
            return None, False
        if expected is None and size >= 8:
            chunks = [b"".join(chunks)]
            expected = 8 + int.from_bytes(chunks[0][:8], "big")
        if expected is not None and size >= expected:
            # complete: do not wait for EOF, which a sibling child forked by another thread may hold off
            return b"".join(chunks)[8:expected], False


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _child(work, fd: int, limits: Limits) -> None:
    status = 0
    try:
        _quiet_stderr()
        isolated = _isolate(limits)
        try:
            header, payload = work()
            header = {"answer": {**header, "isolated": isolated}}
        except ChainKGError as err:
            header, payload, status = {"error": type(err).__name__, "message": str(err)}, b"", _ABORTED
        except MemoryError:
            header, payload = {"error": "QueryLimitExceeded",
                               "message": f"the query needed more than {limits.memory_mb} MB (--memory)"}, b""
            status = _ABORTED
        except RecursionError:
            header, payload = {"error": "QueryRefused", "message": "refused: the query is nested too deeply"}, b""
            status = _ABORTED
        except Exception as err:  # noqa: BLE001 - reported to the parent, which raises it as a ChainKGError
            header, payload = {"error": "ChainKGError", "message": f"the query failed: {err!r}"}, b""
            status = _ABORTED
        message = json.dumps(header).encode() + b"\n" + payload
        _write_all(fd, len(message).to_bytes(8, "big") + message)
    except BaseException:  # noqa: BLE001 - the child must never return into the caller's code
        status = 70
    finally:
        os._exit(status)


def _isolate(limits: Limits) -> bool:
    """Limits first (they must hold for everything after), then the network. Returns whether the network is gone."""
    if limits.memory_mb is not None:  # on top of what the fork inherited: a big caller leaves the query its share
        cap = _data_bytes() + (limits.memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    if limits.timeout is not None:  # a backstop if the parent dies: the kernel stops a child that spins alone
        seconds = int(limits.timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if not network_isolation_available():
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # CLONE_NEWNET alone needs CAP_SYS_ADMIN (root); an unprivileged process gets it inside a new user namespace.
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def _data_bytes() -> int:
    """The data segment this process already has (VmData, what RLIMIT_DATA counts); 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _quiet_stderr() -> None:
    """Rust prints ``memory allocation of N bytes failed`` before aborting, and faulthandler (pytest, -X
    faulthandler) a Python traceback on its own descriptor; the parent says it better."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _error_class(name: str) -> type[ChainKGError]:
    from kg import errors

    cls = getattr(errors, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, ChainKGError) else ChainKGError


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"
