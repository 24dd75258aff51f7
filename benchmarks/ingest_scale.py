"""The register benchmark: a synthetic enterprise register of N rows (GBK CSV, damaged rows included) ingested into a
copy of the bundled dataset, applied, and built; written as one section of ``docs/benchmarks.md``
(``make bench-ingest``; ``python -m benchmarks.ingest_scale --sizes 10000`` for a quick run).

For each size, each step a process: ``chainkg synth --register`` (time), ``chainkg ingest enterprises … --apply``
(wall time and peak RSS from ``wait4``, the counts per status it reports) and ``chainkg build`` of the merged dataset
(wall time, peak RSS). Measures, never asserts. The section is replaced in place; ``make bench-scale`` keeps it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import scale_report
from benchmarks.scale import CLI, ROOT, _failure, log, machine, run_child

HEADING = scale_report.INGEST_HEADING
#: The issue's goals at 1M rows (ingest) and the streaming build's goal (build).
GOALS = {"ingest_s": 180, "ingest_rss_mb": 2048, "build_s": 180, "build_rss_mb": 4096}


def bench_size(n: int, options: argparse.Namespace) -> dict:
    from kg import paths

    result: dict = {"rows": n}
    work = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{n}-", dir=options.tmp))
    try:
        data = work / "data"
        shutil.copytree(paths.default_data_dir(), data)
        register = work / f"register-{n}.csv"
        damage = max(1, n // 50)
        log(f"{n:,}: chainkg synth --register")
        child = run_child([*CLI, "synth", "--register", str(n), "-o", str(register), "--data", str(data),
                           "--encoding", "gbk", "--damage", str(damage), "--seed", "7"], options.timeout)
        result["synth"] = {"wall_s": child["wall_s"], "error": _failure(child), "damaged": damage,
                           "bytes": register.stat().st_size if register.exists() else None}
        if result["synth"]["error"]:
            return result
        log(f"{n:,}: chainkg ingest enterprises --apply")
        review = work / "review"
        child = run_child([*CLI, "ingest", "enterprises", str(register), "--data", str(data), "-o", str(review),
                           "--apply", "--source-title", f"合成企业名录 {n} 行(基准测试)",
                           "--source-date", time.strftime("%Y-%m-%d")], options.timeout)
        result["ingest"] = {"wall_s": child["wall_s"], "peak_rss_mb": child["peak_rss_mb"], "error": _failure(child)}
        summary = review / "summary.json"
        if summary.is_file():
            counts = json.loads(summary.read_text(encoding="utf-8"))
            result["ingest"]["statuses"] = counts.get("statuses") or counts.get("status") or {}
        if result["ingest"]["error"]:
            return result
        log(f"{n:,}: chainkg build of the merged dataset")
        child = run_child([*CLI, "build", "--data", str(data), "--store", str(work / "store")], options.timeout)
        result["build"] = {"wall_s": child["wall_s"], "peak_rss_mb": child["peak_rss_mb"], "error": _failure(child)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _verdict(value, goal) -> str:
    if value is None:
        return "—"
    return "met" if value < goal else "**missed**"


def render(info: dict, results: list[dict]) -> str:
    lines = [HEADING, "",
             f"Written by `make bench-ingest` (`python -m benchmarks.ingest_scale`) on {info['date']}, load "
             f"{' '.join(f'{x:.2f}' for x in info.get('load_average', ()))} at start. A synthetic register "
             "(`chainkg synth --register N --encoding gbk --damage N/50`: GBK CSV, one row in 50 damaged) is ingested "
             "into a copy of the bundled dataset with `--apply`, then the merged dataset is built. Each step is a "
             "process; peak RSS is that process's own (`wait4`).", ""]
    rows = []
    for r in results:
        synth, ingest, build = r.get("synth", {}), r.get("ingest", {}), r.get("build", {})
        statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(ingest.get("statuses", {}).items())) or "—"
        rows.append([f"{r['rows']:,}", scale_report._s(synth.get("wall_s")),
                     scale_report._s(ingest.get("wall_s")), scale_report._mb(ingest.get("peak_rss_mb")),
                     statuses, scale_report._s(build.get("wall_s")), scale_report._mb(build.get("peak_rss_mb")),
                     "; ".join(e for e in (synth.get("error"), ingest.get("error"), build.get("error")) if e) or ""])
    lines += scale_report._table(["rows", "synth (s)", "ingest --apply (s)", "ingest peak RSS (MB)", "rows by status",
                                  "build (s)", "build peak RSS (MB)", "problems"], rows)
    largest = max(results, key=lambda r: r["rows"]) if results else None
    if largest is not None:
        ingest, build = largest.get("ingest", {}), largest.get("build", {})
        at = f"{largest['rows']:,} rows"
        lines += ["Goals (at 1M rows; a smaller run is not a verdict):", "",
                  *scale_report._table(["goal", "threshold", "measured at", "measured", "verdict"], [
                      ["ingest --apply wall time", "< 3 min", at, scale_report._s(ingest.get("wall_s")) + " s",
                       _verdict(ingest.get("wall_s"), GOALS["ingest_s"]) if largest["rows"] >= 1_000_000 else "—"],
                      ["ingest peak RSS", "< 2 GB", at, scale_report._mb(ingest.get("peak_rss_mb")) + " MB",
                       _verdict(ingest.get("peak_rss_mb"), GOALS["ingest_rss_mb"])
                       if largest["rows"] >= 1_000_000 else "—"],
                      ["build of the merged dataset", "< 180 s (streaming build goal)", at,
                       scale_report._s(build.get("wall_s")) + " s",
                       _verdict(build.get("wall_s"), GOALS["build_s"]) if largest["rows"] >= 1_000_000 else "—"],
                  ])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="register rows, comma-separated")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per step")
    options = parser.parse_args(argv)
    from kg.atomic import write_atomic

    info = machine()
    results = []
    for n in (int(s) for s in options.sizes.split(",")):
        results.append(bench_size(n, options))
        log(f"{n:,}: {json.dumps(results[-1], ensure_ascii=False)}")
        page = options.output.read_text(encoding="utf-8") if options.output.exists() else "# Benchmarks\n"
        write_atomic(options.output, scale_report.replace_section(page, HEADING, render(info, results)))


if __name__ == "__main__":
    main()
