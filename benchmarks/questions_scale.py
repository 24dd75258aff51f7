"""Timings of the planner questions on a large store (e.g. one made with ``chainkg synth``): prints p50 and p95 per
question in-process (and, with ``--cli``, the wall time of the ``chainkg`` command), asserts nothing.

Usage: ``python benchmarks/questions_scale.py STORE_DIR [--data DATA_DIR] [--chain NAME] [--runs N] [--cli]``.

The chain (default: the one with the most enterprises), district (the place with the most), policy and enterprise are
picked from the store. The store is opened read-only. Name resolution is inside each timing (it is part of the
question), except for ``enterprises`` and ``policies``, which take a resolved chain as the CLI does after resolving.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kg import describe, profiles, questions
from kg.resolve import resolve
from kg.store import open_store

PICK = """PREFIX ckg: <https://w3id.org/chainkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ckgg: <https://w3id.org/chainkg/id/graph/>
SELECT ?kind ?x ?name ?n WHERE {
  { ?x a ckg:IndustrialChain . BIND("chain" AS ?kind) } UNION { ?x a ckg:Place . FILTER NOT EXISTS { ?x a ckg:Park }
    BIND("place" AS ?kind) }
  GRAPH ckgg:summary { ?x ckg:enterpriseCount ?n }
  ?x skos:prefLabel ?name FILTER(LANG(?name) = "zh")
}"""
ONE_POLICY = """PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?name WHERE { ?x a ckg:PolicyDocument ; dcterms:title ?name } LIMIT 1"""
ONE_ENTERPRISE = """PREFIX ckg: <https://w3id.org/chainkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE { ?x ckg:memberOfChain ?c ; skos:prefLabel ?name FILTER(LANG(?name) = "zh") } LIMIT 1"""


def timed(label: str, call, runs: int) -> list[float]:
    call()  # warm: the name index, the query cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{label:<58} p50 {statistics.median(times) * 1000:9.1f} ms   p95 {p95 * 1000:9.1f} ms", flush=True)
    return times


def cli_timed(label: str, args: list[str], runs: int) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode:
            print(f"{label}: exit {done.returncode}: {done.stderr.strip()[:200]}")
            return
    print(f"CLI {label:<54} p50 {statistics.median(times) * 1000:9.1f} ms   max {max(times) * 1000:9.1f} ms",
          flush=True)


def pick(store, chain: str | None) -> dict:
    rows = [(r["kind"].value, r["name"].value, int(r["n"].value)) for r in store.query(PICK)]
    names = {kind: max((r for r in rows if r[0] == kind), key=lambda r: r[2])[1] for kind in ("chain", "place")}
    if chain:
        names["chain"] = chain
    names["policy"] = next(iter(store.query(ONE_POLICY)))["name"].value
    names["enterprise"] = next(iter(store.query(ONE_ENTERPRISE)))["name"].value
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--data", help="the dataset folder the store was built from (for --cli)")
    parser.add_argument("--chain")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cli", action="store_true", help="also time the chainkg command (needs --data)")
    args = parser.parse_args(argv)
    store = open_store(Path(args.store))
    names = pick(store, args.chain)
    runs = args.runs
    print(f"store {args.store}: {store.info.get('quads'):,} quads; {names}")
    chain, place, policy, enterprise = names["chain"], names["place"], names["policy"], names["enterprise"]
    entity = questions.resolve_chain(store, chain)
    total = questions.chain_enterprises(store, entity, limit=1)["total"]
    print(f"{chain}: {total:,} enterprises")
    timed("chains (list_chains)", lambda: questions.list_chains(store, "all"), runs)
    timed(f"policies {chain}", lambda: questions.chain_policies(store, entity), runs)
    timed(f"chain {chain} (profile)", lambda: questions.chain_profile(store, chain), runs)
    timed(f"parks {chain}", lambda: questions.chain_parks(store, entity), runs)
    timed(f"district {place}", lambda: profiles.district_profile(store, place), runs)
    timed(f"policy {policy[:20]}", lambda: profiles.policy_profile(store, policy), runs)
    for label, name in (("chain", chain), ("district", place), ("policy", policy), ("enterprise", enterprise)):
        timed(f"show {label} {name[:20]}", lambda n=name: describe.describe(store, n), runs)
    timed(f"resolve enterprise {enterprise}", lambda: resolve(store, enterprise), runs)
    timed("resolve miss 不存在的企业名称", lambda: _miss(store, "不存在的企业名称"), runs)
    for offset in (0, 50, total // 2, max(0, total - 50), total + 10):
        timed(f"enterprises --offset {offset}",
              lambda o=offset: questions.chain_enterprises(store, entity, offset=o), runs)
    segment = next(s["name"] for s in questions.chain_profile(store, chain)["segments"] if s["enterprise_count"])
    for label, filters in ((f"--district {place}", {"district": place}), (f"--segment {segment}", {"segment": segment}),
                           ("--district --segment", {"district": place, "segment": segment})):
        first = questions.chain_enterprises(store, entity, **filters)
        for offset in (0, max(0, first["total"] - 50)):
            timed(f"enterprises {label} --offset {offset} (of {first['total']:,})",
                  lambda o=offset, f=filters: questions.chain_enterprises(store, entity, offset=o, **f),
                  max(1, runs // 3))
    if args.cli and args.data:
        common = ["--data", args.data, "--store", args.store]
        for label, cmd in (("chains", ["chains", "--tier", "all"]), ("chain", ["chain", chain]),
                           ("policies", ["policies", chain]), ("district", ["district", place]),
                           ("policy", ["policy", policy]), ("show chain", ["show", chain]),
                           ("show enterprise", ["show", enterprise]),
                           ("enterprises --offset N", ["enterprises", chain, "--offset", str(total // 2)])):
            cli_timed(label, [*cmd, *common], max(1, runs // 2))


def _miss(store, text: str) -> None:
    try:
        resolve(store, text)
    except Exception:  # noqa: BLE001 - a miss is what is timed
        pass


if __name__ == "__main__":
    main()
