"""The push benchmark: a synthetic graph of N enterprises pushed to a real Oxigraph server (``chainkg push``), then
the planner's questions asked over HTTP (``--store URL``) next to the embedded store; written as one section of
``docs/benchmarks.md`` (``make bench-push``; ``python -m benchmarks.push_scale --enterprises 10000`` for a quick run).

Steps as processes: ``chainkg synth``, ``chainkg build``, ``oxigraph serve --union-default-graph`` on a temporary
folder and loopback port, ``chainkg push`` (wall time, peak RSS from ``wait4``, quads per second, and the server's count
equal to the local one, which push itself checks). Then, in this process, ``policies``, ``chain``, ``gaps`` of one
landmark chain and ``coverage`` on both stores, cold (per-process caches cleared, like a fresh command) and warm;
medians. Measures, never asserts. ``make bench-scale`` keeps the section.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import scale_report
from benchmarks.remote import _clear, _median_ms, wait_until_answering
from benchmarks.scale import CLI, ROOT, _failure, log, machine, run_child

HEADING = scale_report.PUSH_HEADING


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _questions(store, remote) -> list[list]:
    from kg import projection, questions

    chain = questions.list_chains(store, "landmark")["chains"][0]["name"]
    asked = [(f"policies {chain}", lambda s: questions.chain_policies(s, chain)),
             (f"chain {chain}", lambda s: questions.chain_profile(s, chain)),
             (f"gaps {chain}", lambda s: projection.chain_report(s, chain)),
             ("coverage", lambda s: projection.coverage_matrix(s, "landmark"))]
    rows = []
    for label, call in asked:
        rows.append([label] + [f"{_median_ms(lambda c=call, s=s: c(s), cold=cold):.0f}"
                               for s, cold in ((store, True), (remote, True), (store, False), (remote, False))])
    return rows


def bench(n: int, options: argparse.Namespace) -> dict:
    result: dict = {"enterprises": n}
    work = Path(tempfile.mkdtemp(prefix=f"bench-push-{n}-", dir=options.tmp))
    server = None
    try:
        data, store_path = work / "data", work / "store"
        log(f"{n:,}: chainkg synth")
        child = run_child([*CLI, "synth", "-o", str(data), "--enterprises", str(n)], options.timeout)
        if _failure(child):
            result["error"] = f"synth: {_failure(child)}"
            return result
        log(f"{n:,}: chainkg build")
        child = run_child([*CLI, "build", "--data", str(data), "--store", str(store_path)], options.timeout)
        result["build_s"] = child["wall_s"]
        if _failure(child):
            result["error"] = f"build: {_failure(child)}"
            return result
        binary = Path(sys.executable).with_name("oxigraph")
        port = _free_port()
        server = subprocess.Popen([str(binary) if binary.is_file() else "oxigraph", "serve", "--location",
                                   str(work / "server"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/query"
        wait_until_answering(url)
        log(f"{n:,}: chainkg push")
        child = run_child([*CLI, "push", "--endpoint", url, "--data", str(data), "--store", str(store_path)],
                          options.timeout)
        from kg.store import read_info

        quads = (read_info(store_path) or {}).get("quads")
        result["push"] = {"wall_s": child["wall_s"], "peak_rss_mb": child["peak_rss_mb"], "quads": quads,
                          "error": _failure(child)}
        if result["push"]["error"]:
            return result
        log(f"{n:,}: questions, embedded and over HTTP")
        from kg.build import ready_store
        from kg.remote import RemoteStore

        store = ready_store(data, store_path)
        remote = RemoteStore.open(url)
        _clear()
        result["questions"] = _questions(store, remote)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    return result


def render(info: dict, result: dict) -> str:
    n = result["enterprises"]
    lines = [HEADING, "",
             f"Written by `make bench-push` (`python -m benchmarks.push_scale`) on {info['date']}, load "
             f"{' '.join(f'{x:.2f}' for x in info.get('load_average', ()))} at start: {n:,} synthetic enterprises "
             "(`chainkg synth`, `chainkg build`), pushed with `chainkg push` (N-Quads in chunks of 50,000 to the "
             "server's `/store`; the server's count checked against the local one) to an Oxigraph server "
             "(`oxigraph serve --union-default-graph`) on this machine: loopback, so HTTP, JSON and the server are "
             "measured, not a network.", ""]
    if result.get("error"):
        return "\n".join([*lines, f"The run stopped: {result['error']}", ""])
    push = result["push"]
    rate = push["quads"] / push["wall_s"] if push.get("quads") and push.get("wall_s") else None
    lines += scale_report._table(["step", "measured"], [
        ["build (s)", scale_report._s(result.get("build_s"))],
        ["quads pushed", f"{push['quads']:,}" if push.get("quads") else "—"],
        ["push wall time (s)", scale_report._s(push.get("wall_s"))],
        ["push rate (quads/s)", f"{rate:,.0f}" if rate else "—"],
        ["push peak RSS (MB)", scale_report._mb(push.get("peak_rss_mb"))],
        ["push error", push.get("error") or "none"],
    ])
    if result.get("questions"):
        lines += ["Questions, median ms (cold: per-process caches cleared, as a fresh command; warm: asked again):",
                  "", *scale_report._table(["question", "embedded cold", "HTTP cold", "embedded warm", "HTTP warm"],
                                           result["questions"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    options = parser.parse_args(argv)
    from kg.atomic import write_atomic

    info = machine()
    result = bench(options.enterprises, options)
    log(f"{options.enterprises:,}: {result}")
    page = options.output.read_text(encoding="utf-8") if options.output.exists() else "# Benchmarks\n"
    write_atomic(options.output, scale_report.replace_section(page, HEADING, render(info, result)))


if __name__ == "__main__":
    main()
