"""Timings of gaps, coverage, mismatches, bridges, the report and the export on a large store (e.g. one made with
``chainkg synth``): prints numbers, asserts nothing. Each measure starts from cold caches (the per-store query caches
of :mod:`kg.projection` are cleared), like a fresh ``chainkg`` command.

Usage: ``python benchmarks/analysis_scale.py STORE_DIR [--report DIR] [--export DIR [FORMATS]]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg import projection, report
from kg.snapshots.export import export_snapshot
from kg.store import open_store


def timed(label: str, call):
    projection.clear_cache()
    started = time.perf_counter()
    result = call()
    print(f"{label:<40} {time.perf_counter() - started:8.2f} s", flush=True)
    return result


def main(argv: list[str]) -> None:
    store = open_store(Path(argv[0]))
    print(f"store {argv[0]}: {store.info.get('quads')} quads")
    chains = projection.chains_of_tier(store, "landmark")
    timed(f"gaps {chains[0]['name']} (one chain)", lambda: projection.chain_report(store, chains[0]["name"]))
    timed(f"gaps, {len(chains)} landmark chains", lambda: projection.tier_reports(store, "landmark"))
    timed("coverage (district × chain)", lambda: projection.coverage_matrix(store, "landmark"))
    timed("coverage --by grade", lambda: projection.grade_table(store, "landmark"))
    timed("coverage --by bridge", lambda: projection.bridges(store, "landmark"))
    timed("mismatches", lambda: projection.mismatches(store, "landmark"))
    if "--report" in argv:
        out = Path(argv[argv.index("--report") + 1])
        timed(f"report -o {out}", lambda: report.write_report(store, out))
    if "--export" in argv:
        at = argv.index("--export")
        out = Path(argv[at + 1])
        formats = argv[at + 2] if len(argv) > at + 2 and not argv[at + 2].startswith("--") else "nq"
        timed(f"export -o {out} --format {formats}", lambda: export_snapshot(store, out, formats))


if __name__ == "__main__":
    main(sys.argv[1:])
