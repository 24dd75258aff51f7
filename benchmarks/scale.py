"""The scale benchmark: synthetic cities of 10k, 100k and 1M enterprises, from generation to every question, written
to ``docs/benchmarks.md`` (``make bench-scale``; ``python -m benchmarks.scale --sizes 10000`` for a quick run).

For each size: ``chainkg synth`` (time), ``chainkg build`` as a process (wall time, peak RSS, the build's own phase
times), pyoxigraph's own ``bulk_load`` of the very same N-Quads in a fresh process (the engine's limit), every named
question in-process (p50/p95) and as a CLI process, ``report -o`` and ``export --format nq`` as processes, and, up to
``--rdflib-max`` enterprises, rdflib's in-memory ``Dataset`` against Oxigraph on the SPARQL that coverage and gaps
send. Measures, never asserts: a step that fails or runs past ``--timeout`` is recorded as such and the run goes on.
Progress goes to stderr; the page is rewritten (atomically) after each size, so a run cut short keeps what it measured.
Work files go to ``--tmp`` and are deleted after each size (1M needs about 6 GB there for a while).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import scale_report
from benchmarks.scale_workers import question_items

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from cli import main; main()"]
WORKER = [sys.executable, "-m", "benchmarks.scale_workers"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child_env() -> dict:
    """The environment of every child: this checkout's code first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def machine() -> dict:
    """Cores, memory, CPU model, Python and library versions, the date, the load when the run starts."""
    import pyoxigraph
    import rdflib

    info = {"date": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
            "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "pyoxigraph": getattr(pyoxigraph, "__version__", "?"), "rdflib": rdflib.__version__,
            "load_average": os.getloadavg()}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gb"] = int(meminfo.split("MemTotal:")[1].split()[0]) / 1024 ** 2
    except (OSError, IndexError, ValueError):
        info["memory_gb"] = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                           if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or None
    try:
        info["commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                        text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    return info


def run_child(command: list[str], timeout: float, watch=None) -> dict:
    """Run a process; its wall time, peak RSS (``wait4``: this child's own, not the maximum over all children),
    exit code, and the tail of its output. Killed after ``timeout`` s, or when ``watch()`` returns a reason."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=child_env(), cwd=ROOT)
        killed = None
        pidfd = os.pidfd_open(proc.pid)
        try:
            while True:
                if select.select([pidfd], [], [], 1.0)[0]:
                    break
                if time.perf_counter() - started > timeout:
                    killed = f"killed after {timeout:g} s"
                elif watch is not None:
                    killed = watch()
                if killed:
                    os.kill(proc.pid, signal.SIGKILL)  # not reaped yet: the pid is still this child's
                    break
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            os.close(pidfd)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "returncode": proc.returncode,
                "killed": killed, "stdout": out.read()[-2000:].decode("utf-8", "replace"),
                "stderr": err.read()[-2000:].decode("utf-8", "replace")}


def _failure(child: dict) -> str | None:
    if child["killed"]:
        return child["killed"]
    if child["returncode"] != 0:
        lines = [line for line in child["stderr"].splitlines() if line.strip()]
        return f"exit {child['returncode']}: {lines[-1] if lines else 'no message'}"[:300]
    return None


def run_worker(kind: str, job: dict, work: Path, item_limit: float, restarts: int = 5) -> dict:
    """Run a worker of :mod:`benchmarks.scale_workers`, restarting it past an item that killed it or ran over
    ``item_limit`` s. Returns the records by item, and ``_peak_rss_mb`` (the largest of its runs)."""
    results: dict[str, dict] = {}
    out = work / f"{kind}.jsonl"
    peak = 0.0
    for _ in range(restarts + 1):
        out.write_text("", encoding="utf-8")
        job_file = work / f"{kind}.json"
        job_file.write_text(json.dumps({**job, "out": str(out), "skip": sorted(results)}, ensure_ascii=False),
                            encoding="utf-8")
        seen: dict[str, float] = {}

        def running(out=out, seen=seen) -> str | None:
            current = _current(out)
            if current is None:
                return None
            first = seen.setdefault(current, time.perf_counter())
            if time.perf_counter() - first > item_limit:
                return f"killed after {item_limit:g} s"
            return None

        child = run_child([*WORKER, kind, str(job_file)], timeout=item_limit * 100, watch=running)
        peak = max(peak, child["peak_rss_mb"])
        records = _records(out)
        dangling = None
        for record in records:
            if record["status"] == "started":
                dangling = record["item"]
            else:
                results[record["item"]] = record
                dangling = None if dangling == record["item"] else dangling
        if job.get("picks") is None and "picks" in results:
            job = {**job, "picks": results["picks"]["picks"]}
        failure = _failure(child)
        if failure is None:
            break
        if dangling is None:
            results["_worker"] = {"status": "error", "error": failure}
            break
        log(f"  {kind}: {dangling}: {failure}; going on without it")
        results[dangling] = {"item": dangling, "status": "timeout" if "killed" in failure else "error",
                             "error": failure}
        if dangling in ("picks", "rdflib load"):
            break
    results["_peak_rss_mb"] = peak
    return results


def _records(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def _current(path: Path) -> str | None:
    """The item a worker is on (started, no result yet)."""
    current = None
    for record in _records(path):
        current = record["item"] if record["status"] == "started" else None
    return current


def sample_queries(queries: dict[str, list[dict]], texts: dict[str, str], limit: int) -> dict[str, list[dict]]:
    """At most ``limit`` calls of each named query per group, evenly spaced, with their text, each weighted by how
    many calls it stands for (a cold ``coverage`` looks names up one enterprise at a time: thousands of identical
    point queries)."""
    out = {}
    for group, calls in queries.items():
        by_name: dict[str, list[dict]] = {}
        for call in calls:
            by_name.setdefault(call["name"], []).append(call)
        kept = []
        for same in by_name.values():
            step = max(1, -(-len(same) // limit))
            picked = same[::step]
            kept += [{**call, "text": texts[call["name"]], "weight": len(same) / len(picked), "calls": len(same)}
                     for call in picked]
        out[group] = kept
    return out


def disk_bytes(path: Path) -> int:
    """Space taken on disk (blocks, like ``du``)."""
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


def cli_times(args: list[str], data: Path, store: Path, runs: int, timeout: float) -> dict:
    """Median wall time of a CLI command, Python's start included (fewer runs when it is slow)."""
    times, rss = [], 0.0
    for n in range(runs):
        child = run_child([*CLI, *args, "--data", str(data), "--store", str(store)], timeout)
        failure = _failure(child)
        if failure:
            return {"status": "timeout" if child["killed"] else "error", "error": failure}
        times.append(child["wall_s"])
        rss = max(rss, child["peak_rss_mb"])
        if n == 0 and child["wall_s"] > 10:
            break
    return {"status": "ok", "median_s": statistics.median(times), "runs": len(times), "peak_rss_mb": rss}


def bench_size(n: int, options: argparse.Namespace, tmp_root: Path) -> dict:
    """Everything measured for one size; its work folder is deleted at the end."""
    result: dict = {"enterprises": n, "load_average": os.getloadavg()}
    work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-", dir=tmp_root))
    data, store, nquads = work / "data", work / "store", work / "build.nq"
    timeout = options.timeout
    try:
        log(f"{n:,}: chainkg synth")
        child = run_child([*CLI, "synth", "-o", str(data), "--enterprises", str(n), "--seed", str(options.seed)],
                          options.step_timeout)
        result["synth"] = {**_step(child), "bytes": disk_bytes(data) if data.exists() else None}
        if result["synth"].get("error"):
            return result

        log(f"{n:,}: chainkg build")
        child = run_child([*CLI, "build", "--data", str(data), "--store", str(store)], options.step_timeout)
        result["build"] = _step(child)
        if result["build"].get("error"):
            return result
        from kg.store import read_info

        info = read_info(store) or {}
        result["build"].update(quads=info.get("quads"), graphs=info.get("graphs"), phases=info.get("seconds", {}),
                               build_seconds=info.get("build_seconds"), rows=info.get("rows", {}),
                               store_bytes=disk_bytes(store))

        log(f"{n:,}: N-Quads file (compile_quads, not part of the comparison)")
        records = run_worker("nquads", {"data": str(data), "nquads": str(nquads)}, work, options.step_timeout)
        result["nquads"] = records.get("nquads", records.get("_worker", {}))
        if result["nquads"].get("status") == "ok":
            log(f"{n:,}: pyoxigraph bulk_load of the same quads")
            bulk_store = work / "bulk"
            records = run_worker("bulkload", {"nquads": str(nquads), "store": str(bulk_store)}, work,
                                 options.step_timeout)
            result["bulkload"] = {**records.get("bulkload", records.get("_worker", {})),
                                  "peak_rss_mb": records["_peak_rss_mb"],
                                  "store_bytes": disk_bytes(bulk_store) if bulk_store.exists() else None}
            shutil.rmtree(bulk_store, ignore_errors=True)

        log(f"{n:,}: questions in-process")
        records = run_worker("questions", {"store": str(store), "runs": options.runs, "timeout": timeout,
                                           "record": n <= options.rdflib_max}, work, item_limit=timeout * 3 + 60)
        result["questions"] = records
        picks = records.get("picks", {}).get("picks")
        result["picks"] = picks
        if picks:
            result["cli"] = {}
            for item in question_items(picks):
                log(f"{n:,}: CLI {item['label']}")
                result["cli"][item["key"]] = cli_times(item["cli"], data, store, options.cli_runs, timeout)
        for key, args in (("report", ["report", "-o", str(work / "report")]),
                          ("export nq", ["export", "-o", str(work / "export"), "--format", "nq"])):
            log(f"{n:,}: CLI {key}")
            result.setdefault("cli", {})[key] = cli_times(args, data, store, 1, timeout)
            shutil.rmtree(work / args[2], ignore_errors=True)

        queries = records.get("record", {}).get("queries")
        if n <= options.rdflib_max and queries and nquads.exists():
            log(f"{n:,}: rdflib Dataset against Oxigraph on the coverage and gaps queries")
            result["engines"] = run_worker("engines", {"store": str(store), "nquads": str(nquads),
                                                       "queries": sample_queries(
                                                           queries, records["record"].get("texts", {}),
                                                           options.sample),
                                                       "timeout": options.rdflib_timeout,
                                                       "load_timeout": options.step_timeout},
                                           work, item_limit=options.rdflib_timeout + timeout * 3 + 60)
            result["engines"]["_errors"] = records.get("record", {}).get("errors", {})
            result["engines"]["_rdflib_timeout"] = options.rdflib_timeout
        elif n <= options.rdflib_max:
            result["engines"] = {"_worker": {"status": "error", "error": "no recorded queries: "
                                             + json.dumps(records.get("record", {}).get("errors")
                                                          or records.get("record", {}).get("error"),
                                                          ensure_ascii=False)}}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _step(child: dict) -> dict:
    out = {"wall_s": child["wall_s"], "peak_rss_mb": child["peak_rss_mb"]}
    failure = _failure(child)
    if failure:
        out["error"] = failure
        log(f"  failed: {failure}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="enterprise counts, comma-separated")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()),
                        help="work folder (N-Quads, stores, report; deleted after each size)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each in-process question after a warm-up")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of each CLI command (median)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed to one question call")
    parser.add_argument("--step-timeout", type=float, default=3600, help="seconds allowed to synth, build, load")
    parser.add_argument("--rdflib-max", type=int, default=100_000, help="compare with rdflib up to this size")
    parser.add_argument("--rdflib-timeout", type=float, default=120,
                        help="seconds allowed to one rdflib query (past it, the ratio is a lower bound)")
    parser.add_argument("--sample", type=int, default=50,
                        help="in the rdflib comparison, time at most this many calls of each query (then scale)")
    parser.add_argument("--seed", type=int, default=1, help="synth seed")
    options = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()]
    options.tmp.mkdir(parents=True, exist_ok=True)
    from kg.atomic import write_atomic

    info = machine()
    log(f"{info['cores']} cores, {info['memory_gb'] or 0:.1f} GB, {info['cpu']}; load {info['load_average']}")
    results = []
    for n in sizes:
        started = time.perf_counter()
        results.append(bench_size(n, options, options.tmp))
        results[-1]["bench_seconds"] = time.perf_counter() - started
        old = options.output.read_text(encoding="utf-8") if options.output.exists() else ""
        page = scale_report.render(info, results, vars(options))
        for heading in scale_report.KEPT_HEADINGS:  # the sections other benchmarks write into the same page
            kept = scale_report.section(old, heading)
            page = scale_report.replace_section(page, heading, kept) if kept else page
        write_atomic(options.output, page)
        log(f"{n:,}: done in {time.perf_counter() - started:.0f} s → {options.output}")


if __name__ == "__main__":
    main()
