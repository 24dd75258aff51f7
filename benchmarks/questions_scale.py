"""Timings of the question path on a large store (e.g. one made with ``chainkg synth``): prints numbers, asserts
nothing. Usage: ``python benchmarks/questions_scale.py STORE_DIR [CHAIN]``. Names are resolved once, outside the
timings (name resolution has its own benchmark)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg import projection, questions
from kg.store import Store


def timed(label: str, call, runs: int = 3) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    print(f"{label:<45} p50 {statistics.median(times) * 1000:9.1f} ms   max {max(times) * 1000:9.1f} ms", flush=True)


def main(path: str, chain: str = "集成电路") -> None:
    folder = Path(path)
    store = Store(folder, ox.Store.read_only(str(folder / "oxigraph")),
                  json.loads((folder / "build.json").read_text(encoding="utf-8")))
    started = time.perf_counter()
    entity = questions.resolve_chain(store, chain)
    print(f"store {folder}: {store.info.get('quads')} quads; name index {time.perf_counter() - started:.1f} s")
    total = questions.chain_enterprises(store, entity, limit=1)["total"]
    print(f"{chain}: {total} enterprises")
    for offset in (0, total // 2, max(0, total - 50)):
        timed(f"enterprises --offset {offset}", lambda o=offset: questions.chain_enterprises(store, entity, offset=o))
    place = next(p["name"] for p in projection.places(store))
    timed(f"enterprises --district {place}", lambda: questions.chain_enterprises(store, entity, district=place))
    timed("policies", lambda: questions.chain_policies(store, entity))
    timed("chain (profile)", lambda: questions.chain_profile(store, chain), runs=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
