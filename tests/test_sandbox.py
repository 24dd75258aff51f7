"""kg.sandbox on its own: errors come back as the same class, limits end the child, and no child is left behind."""

from __future__ import annotations

import socket
import time

import psutil
import pytest

from kg.errors import NotFound, QueryLimitExceeded
from kg.sandbox import Limits, network_isolation_available, run_limited


def test_the_answer_and_errors_come_back():
    assert run_limited(lambda: ({"n": 1}, b"payload"), Limits()) == ({"n": 1, "isolated": True}, b"payload")

    def missing():
        raise NotFound("no such chain: x")

    with pytest.raises(NotFound, match="no such chain: x"):
        run_limited(missing, Limits())


def test_a_python_loop_stops_at_the_timeout_and_leaves_no_child():
    started = time.monotonic()
    with pytest.raises(QueryLimitExceeded, match=r"ran longer than 1 s \(--timeout\)"):
        run_limited(lambda: (ran_for_ever(), b""), Limits(timeout=1))
    assert time.monotonic() - started < 3
    assert psutil.Process().children() == []


def ran_for_ever():
    while True:
        pass


def test_a_python_allocation_stops_at_the_memory_ceiling():
    with pytest.raises(QueryLimitExceeded, match=r"needed more than 200 MB \(--memory\)"):
        run_limited(lambda: ({}, b"x" * (400 << 20)), Limits(memory_mb=200))


@pytest.mark.skipif(not network_isolation_available(), reason="needs Linux namespaces")
def test_the_child_has_no_network():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def connect():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return {"connected": True}, b""
        except OSError as err:
            return {"connected": False, "error": str(err)}, b""

    try:
        header, _ = run_limited(connect, Limits())
    finally:
        server.close()
    assert header["connected"] is False and header["isolated"] is True


def test_an_answer_is_not_held_up_by_a_slower_sibling():
    # a server (issue 12) runs queries from several threads: each answer comes back on its own (the answer is
    # length-prefixed, so even a child forked while another thread's pipe was open cannot hold off its end)
    import threading

    took = []

    def quick():
        started = time.monotonic()
        run_limited(lambda: (time.sleep(0.5), ({}, b""))[1], Limits())
        took.append(time.monotonic() - started)

    thread = threading.Thread(target=quick)
    thread.start()
    time.sleep(0.2)
    with pytest.raises(QueryLimitExceeded):
        run_limited(lambda: (ran_for_ever(), b""), Limits(timeout=3))
    thread.join()
    assert took and took[0] < 2


def test_the_ceiling_counts_from_what_the_child_inherits():
    inherited = bytearray(600 << 20)  # a big caller: a long test run, a server
    inherited[::4096] = b"x" * len(inherited[::4096])
    header, _ = run_limited(lambda: ({"n": len(bytearray(100 << 20))}, b""), Limits(memory_mb=300))
    assert header["n"] == 100 << 20
    del inherited
