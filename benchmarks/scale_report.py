"""The page of the scale benchmark (``docs/benchmarks.md``): the targets beside the measured numbers, then a table
per size. Pure formatting of what :mod:`benchmarks.scale` measured."""

from __future__ import annotations

BIG = 1_000_000  # the size the targets are set for (except the rdflib comparison)
RDFLIB_SIZE = 100_000
QUESTION_TARGETS = (("policies", "policies CHAIN"), ("chain", "chain CHAIN"), ("district", "district NAME"),
                    ("policy", "policy NAME"), ("show", "show NAME (chain, district, policy, enterprise)"))


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _s(value) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _mb(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}")


def _table(headers: list[str], rows: list[list]) -> list[str]:
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    return ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|",
            *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows), ""]


def _problem(record: dict | None) -> str:
    if not record:
        return "not run"
    return f"{record.get('status', 'error')}: {record.get('error', '')}".strip(": ")


# -- derived numbers --------------------------------------------------------------------------------------------------

def build_numbers(result: dict) -> dict:
    """Build and bulk-load rates (quads per second of wall time) and their ratio."""
    build, bulk = result.get("build") or {}, result.get("bulkload") or {}
    quads = build.get("quads")
    out = {}
    if quads and build.get("wall_s") and not build.get("error"):
        out["build_rate"] = quads / build["wall_s"]
    if quads and bulk.get("status") == "ok":
        out["bulk_rate"] = quads / bulk["seconds"]
    if "build_rate" in out and "bulk_rate" in out:
        out["ratio"] = out["build_rate"] / out["bulk_rate"]
    if "build_rate" in out and bulk.get("optimize_seconds") is not None:
        out["engine_rate"] = quads / (bulk["seconds"] + bulk["optimize_seconds"])
        out["ratio_like_for_like"] = out["build_rate"] / out["engine_rate"]
    return out


def engine_groups(result: dict) -> dict[str, dict]:
    """Per group (coverage, gaps chain): summed Oxigraph and rdflib times over the queries both ran; a query that
    rdflib ran past the timeout counts as the timeout (the ratio is then a lower bound); one it could not evaluate is
    left out and named."""
    engines = result.get("engines") or {}
    groups: dict[str, dict] = {}
    for key, record in engines.items():
        if key.startswith("_") or "group" not in record:
            continue
        group = groups.setdefault(record["group"], {"oxigraph_ms": 0.0, "rdflib_ms": 0.0, "queries": 0,
                                                    "lower_bound": False, "left_out": []})
        if "oxigraph_ms" not in record:
            group["left_out"].append(f"{record['name']} (Oxigraph: {record.get('oxigraph_error')})")
            continue
        if "rdflib_ms" in record:
            rdflib_ms = record["rdflib_ms"]
        elif "over" in (record.get("rdflib_error") or ""):
            rdflib_ms = float(record["rdflib_error"].split()[1]) * 1000
            group["lower_bound"] = True
        else:
            group["left_out"].append(f"{record['name']} (rdflib: {record.get('rdflib_error')})")
            continue
        weight = record.get("weight", 1)
        group["oxigraph_ms"] += record["oxigraph_ms"] * weight
        group["rdflib_ms"] += rdflib_ms * weight
        group["queries"] += weight
    for group in groups.values():
        group["ratio"] = group["rdflib_ms"] / group["oxigraph_ms"] if group["oxigraph_ms"] else None
    return groups


# -- the summary of targets -------------------------------------------------------------------------------------------

def _at(results: list[dict], size: int) -> dict | None:
    """The result at ``size``, else the largest measured size below it."""
    exact = [r for r in results if r["enterprises"] == size]
    if exact:
        return exact[0]
    smaller = [r for r in results if r["enterprises"] < size]
    return max(smaller, key=lambda r: r["enterprises"]) if smaller else None


def _verdict(ok: bool | None, result: dict | None, size: int) -> str:
    if result is None or ok is None:
        return "not measured"
    word = "**pass**" if ok else "**FAIL**"
    if result["enterprises"] != size:
        return f"{word.strip('*').lower()} at {_size(result['enterprises'])} (target is at {_size(size)})"
    return word


def _question(result: dict, key: str) -> dict:
    return (result.get("questions") or {}).get(key) or {}


def _worst(result: dict, keys: list[str], field: str, source: str = "questions") -> tuple[float | None, str, str]:
    """The slowest of some questions (and which), or a failure among them."""
    worst, which = None, ""
    for key in keys:
        record = (result.get(source) or {}).get(key) or {}
        if record.get("status") != "ok":
            return None, key, _problem(record or None)
        if worst is None or record[field] > worst:
            worst, which = record[field], key
    return worst, which, ""


def summary_rows(results: list[dict]) -> list[list]:
    rows = []
    big = _at(results, BIG)
    if big is not None:
        build = big.get("build") or {}
        numbers = build_numbers(big)
        wall = None if build.get("error") else build.get("wall_s")
        rows.append(["build time", "< 3 min", _size(big["enterprises"]),
                     f"{_s(wall)} s" if wall is not None else _problem({"error": build.get("error")}),
                     _verdict(wall < 180 if wall is not None else None, big, BIG)])
        ratio = numbers.get("ratio")
        like = numbers.get("ratio_like_for_like")
        rows.append(["build rate / engine rate (bulk_load + optimize, the same end state as the build)", "≥ 0.5",
                     _size(big["enterprises"]), f"{like:.2f}" if like is not None else "—",
                     _verdict(like >= 0.5 if like is not None else None, big, BIG)])
        rows.append(["build rate / bare bulk_load rate (no optimize on the engine side)", "≥ 0.5",
                     _size(big["enterprises"]), f"{ratio:.2f}" if ratio is not None else "—",
                     _verdict(ratio >= 0.5 if ratio is not None else None, big, BIG)])
        rss = build.get("peak_rss_mb")
        rows.append(["build peak RSS", "< 4 GB", _size(big["enterprises"]), f"{_mb(rss)} MB",
                     _verdict(rss < 4096 if rss is not None and not build.get("error") else None, big, BIG)])
        for key, label in QUESTION_TARGETS:
            keys = [k for k in (big.get("questions") or {}) if k == key or k.startswith(key + " ")]
            if key == "show":
                keys = [k for k in keys if k.startswith("show ")]
            if not keys:
                rows.append([f"`{label}` p50 in-process", "< 50 ms", _size(big["enterprises"]), "not measured",
                             "not measured"])
                continue
            worst, which, problem = _worst(big, keys, "p50_ms")
            rows.append([f"`{label}` p50 in-process", "< 50 ms", _size(big["enterprises"]),
                         problem or f"{_ms(worst)} ms" + (f" ({which})" if len(keys) > 1 else ""),
                         _verdict(worst < 50 if worst is not None else (False if problem else None), big, BIG)])
            worst, which, problem = _worst(big, keys, "median_s", "cli")
            rows.append([f"`{label}` as a CLI process", "< 1 s", _size(big["enterprises"]),
                         problem or f"{_s(worst)} s" + (f" ({which})" if len(keys) > 1 else ""),
                         _verdict(worst < 1 if worst is not None else (False if problem else None), big, BIG)])
        keys = ["enterprises first", "enterprises middle", "enterprises last"]
        worst, which, problem = _worst(big, keys, "p50_ms")
        rows.append(["enterprise page (50 rows), any offset, p50", "< 200 ms", _size(big["enterprises"]),
                     problem or f"{_ms(worst)} ms ({which.split()[-1]} page)",
                     _verdict(worst < 200 if worst is not None else (False if problem else None), big, BIG)])
        for key, label, limit, unit in (("gaps chain", "`gaps CHAIN` p50 in-process", 1000, "< 1 s"),
                                        ("coverage", "`coverage` p50 in-process", 5000, "< 5 s")):
            worst, _, problem = _worst(big, [key], "p50_ms")
            rows.append([label, unit, _size(big["enterprises"]),
                         problem or f"{_s(worst / 1000)} s",
                         _verdict(worst < limit if worst is not None else (False if problem else None), big, BIG)])
        for key, label in (("report", "`report -o`"), ("export nq", "`export --format nq`")):
            worst, _, problem = _worst(big, [key], "median_s", "cli")
            rows.append([f"{label} as a CLI process", "< 60 s", _size(big["enterprises"]),
                         problem or f"{_s(worst)} s",
                         _verdict(worst < 60 if worst is not None else (False if problem else None), big, BIG)])
    mid = _at(results, RDFLIB_SIZE)
    if mid is not None:
        groups = engine_groups(mid)
        for group, label in (("coverage", "coverage"), ("gaps chain", "gaps CHAIN")):
            data = groups.get(group)
            if not data or data["ratio"] is None:
                rows.append([f"{label}: rdflib / Oxigraph, same SPARQL", "≥ 30×", _size(mid["enterprises"]),
                             "not measured", "not measured"])
                continue
            value = f"{'≥ ' if data['lower_bound'] else ''}{data['ratio']:,.0f}×"
            if data["left_out"]:
                value += f" ({len(data['left_out'])} queries rdflib could not run left out)"
            rows.append([f"{label}: rdflib / Oxigraph, same SPARQL", "≥ 30×", _size(mid["enterprises"]), value,
                         _verdict(data["ratio"] >= 30, mid, RDFLIB_SIZE)])
    return rows


# -- the page ---------------------------------------------------------------------------------------------------------

#: The section ``make bench-ingest`` writes into the same page; ``make bench-scale`` keeps it when it rewrites the rest.
INGEST_HEADING = "## Enterprise registers: ingest and build"
#: The section ``make bench-push`` writes (push to an Oxigraph server, questions over HTTP); also kept.
PUSH_HEADING = "## Pushing to a triple store, questions over HTTP"
KEPT_HEADINGS = (INGEST_HEADING, PUSH_HEADING)


def section(page: str, heading: str) -> str:
    """The section of ``page`` that starts with the line ``heading`` (up to the next ``## `` heading), or ``""``."""
    lines = page.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == heading)
    except StopIteration:
        return ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "".join(lines[start:end])


def replace_section(page: str, heading: str, text: str) -> str:
    """``page`` with the section under ``heading`` replaced by ``text`` (appended when the page has none)."""
    old = section(page, heading)
    if old:
        return page.replace(old, text.rstrip("\n") + "\n\n", 1)
    return page.rstrip("\n") + "\n\n" + text


def render(info: dict, results: list[dict], options: dict) -> str:
    sizes = ", ".join(_size(r["enterprises"]) for r in results)
    lines = [
        "# Scale benchmark",
        "",
        f"Written by `make bench-scale` (`python -m benchmarks.scale`) on {info['date']}; sizes measured: {sizes} "
        "synthetic enterprises (`chainkg synth`, about 2 links each). Numbers, not tests: every step is recorded as "
        "it went, failures and timeouts included.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [
            ["CPU", info.get("cpu")], ["cores (`os.cpu_count()`)", info.get("cores")],
            ["memory", f"{info['memory_gb']:.1f} GB" if info.get("memory_gb") else "—"],
            ["Python", info.get("python")], ["pyoxigraph", info.get("pyoxigraph")], ["rdflib", info.get("rdflib")],
            ["platform", info.get("platform")], ["commit", info.get("commit") or "—"],
            ["load average at start", " ".join(f"{x:.2f}" for x in info.get("load_average", ()))],
        ]),
        "The machine is shared: other jobs running at the same time slow some numbers down.",
        "",
        "## Targets",
        "",
        "The targets are for 1M enterprises, except the rdflib comparison (100k). A row measured at a smaller size "
        "says so and is not a verdict on the target.",
        "",
        *_table(["target", "threshold", "size", "measured", "verdict"], summary_rows(results)),
        "How it is measured: build = `chainkg build` as a process (wall time, peak RSS of that process from "
        "`wait4`); bulk_load = `pyoxigraph.Store(tmp).bulk_load(path=…, format=RdfFormat.N_QUADS)` on the build's "
        "own N-Quads, in a fresh process, timed around the call; rates are quads per second. In-process = the "
        f"library function on an open store, one warm-up call and then {options['runs']} runs (fewer when a call "
        "takes over 2 s), with the query-row cache and the name index dropped before each call: what a fresh command "
        "pays apart from Python's start and opening the store. p95 is the nearest rank (of 7 runs: the slowest). "
        f"CLI = the whole `chainkg …` process, Python's start included (median of {options['cli_runs']}; one run "
        f"when it takes over 10 s). A call over {options['timeout']:g} s is stopped and recorded as a timeout.",
        "",
    ]
    for result in results:
        lines += size_section(result)
    return "\n".join(lines).rstrip() + "\n"


def size_section(result: dict) -> list[str]:
    n = result["enterprises"]
    lines = [f"## {_size(n)} enterprises", ""]
    synth, build = result.get("synth") or {}, result.get("build") or {}
    nquads, bulk = result.get("nquads") or {}, result.get("bulkload") or {}
    numbers = build_numbers(result)
    quads = build.get("quads")
    rows = [
        ["`chainkg synth`", _s(synth.get("wall_s")), _mb(synth.get("peak_rss_mb")), "—", "—",
         f"{_mb((synth.get('bytes') or 0) / 1e6)} MB of CSV" if synth.get("bytes") else "—", synth.get("error", "")],
        ["`chainkg build` (process)", _s(build.get("wall_s")), _mb(build.get("peak_rss_mb")),
         f"{quads:,}" if quads else "—", f"{numbers['build_rate']:,.0f}" if "build_rate" in numbers else "—",
         f"{_mb((build.get('store_bytes') or 0) / 1e6)} MB" if build.get("store_bytes") else "—",
         build.get("error", "")],
        ["N-Quads file (`compile_quads`, for the comparison; not timed against anything)",
         _s(nquads.get("seconds")), "—", f"{nquads['quads']:,}" if nquads.get("quads") else "—", "—",
         f"{_mb(nquads['bytes'] / 1e6)} MB" if nquads.get("bytes") else "—",
         "" if nquads.get("status") == "ok" else _problem(nquads or None)],
        ["pyoxigraph `bulk_load`, same quads, empty store", _s(bulk.get("seconds")), _mb(bulk.get("peak_rss_mb")),
         f"{quads:,}" if quads else "—", f"{numbers['bulk_rate']:,.0f}" if "bulk_rate" in numbers else "—",
         f"{_mb((bulk.get('store_bytes') or 0) / 1e6)} MB" if bulk.get("store_bytes") else "—",
         "" if bulk.get("status") == "ok" else _problem(bulk or None)],
    ]
    lines += ["### Data and build", ""]
    lines += _table(["step", "seconds", "peak RSS (MB)", "quads", "quads/s", "on disk", "problem"], rows)
    if "ratio" in numbers:
        own = build.get("build_seconds")
        own_ratio = f"; with the build's own `build_seconds` ({_s(own)} s, no Python start): " + (
            f"{quads / own / numbers['bulk_rate']:.2f}" if own else "—")
        lines += [f"Build rate / bulk_load rate: **{numbers['ratio']:.2f}** (build process wall time against the "
                  f"bare `bulk_load` call{own_ratio})."]
        if "ratio_like_for_like" in numbers:
            lines += [f"The build ends with `optimize()` (compaction: reads about 4 times faster on the 1M store); "
                      f"the engine's own `optimize()` of the bulk-loaded store took "
                      f"{_s(bulk.get('optimize_seconds'))} s, so like for like (bulk_load + optimize) the ratio is "
                      f"**{numbers['ratio_like_for_like']:.2f}**."]
        lines += [""]
    phases = build.get("phases") or {}
    if phases:
        lines += ["The build's own phase times (`build.json` → `seconds`):", ""]
        lines += _table(list(phases), [[_s(v) for v in phases.values()]])
    picks = result.get("picks")
    lines += ["### Questions", ""]
    if not picks:
        questions = result.get("questions") or {}
        lines += [f"Not measured: {_problem(questions.get('picks') or questions.get('_worker'))}", ""]
    else:
        questions = result.get("questions") or {}
        index = questions.get("picks", {}).get("name_index_ms")
        lines += [f"Names picked from the store: chain {picks['chain']} ({picks.get('chain_total') or 0:,} "
                  f"enterprises), district {picks['district']}, policy {picks['policy']}, enterprise "
                  f"{picks['enterprise']}. Name index (small kinds) built in {_ms(index)} ms. Peak RSS of the "
                  f"in-process worker: {_mb(questions.get('_peak_rss_mb'))} MB.", ""]
        from benchmarks.scale_workers import question_items

        rows = []
        for item in question_items(picks):
            record, cli = questions.get(item["key"]) or {}, (result.get("cli") or {}).get(item["key"]) or {}
            ok = record.get("status") == "ok"
            rows.append([f"`{item['label']}`", _ms(record.get("p50_ms")) if ok else "—",
                         _ms(record.get("p95_ms")) if ok else "—", _ms(record.get("first_ms")) if ok else "—",
                         record.get("runs", "—") if ok else "—",
                         f"{cli['median_s'] * 1000:,.0f}" if cli.get("status") == "ok" else "—",
                         "; ".join(p for p in ("" if ok else _problem(record or None),
                                               "" if cli.get("status") == "ok" else "CLI " + _problem(cli or None))
                                   if p)])
        for key in ("report", "export nq"):
            cli = (result.get("cli") or {}).get(key) or {}
            label = "report -o DIR" if key == "report" else "export -o DIR --format nq"
            rows.append([f"`{label}`", "—", "—", "—", "—",
                         f"{cli['median_s'] * 1000:,.0f}" if cli.get("status") == "ok" else "—",
                         "" if cli.get("status") == "ok" else "CLI " + _problem(cli or None)])
        lines += _table(["question", "p50 (ms)", "p95 (ms)", "first call (ms)", "runs", "CLI process (ms)",
                         "problem"], rows)
    if "engines" in result:
        lines += engine_section(result)
    load = result.get("load_average")
    lines += [f"This size took {_s(result.get('bench_seconds'))} s to benchmark"
              + (f"; load average when it started: {' '.join(f'{x:.2f}' for x in load)} on "
                 "a machine shared with other jobs." if load else "."), ""]
    return lines


def engine_section(result: dict) -> list[str]:
    engines = result["engines"]
    lines = ["### rdflib's in-memory store against Oxigraph, same SPARQL", ""]
    load = engines.get("rdflib load") or {}
    if load.get("status") != "ok":
        problem = _problem(load or engines.get("_worker"))
        return lines + [f"Not measured: {problem}", ""]
    lines += [f"`rdflib.Dataset(default_union=True).parse(…, format=\"nquads\")` loaded {load['quads']:,} quads in "
              f"{load['seconds']:,.1f} s (peak RSS of that process {_mb(engines.get('_peak_rss_mb'))} MB). Then each "
              "query that one cold run of `coverage` (`coverage_matrix`) and of `gaps CHAIN` (`chain_report`) sends "
              "to the store, recorded as it ran, with the same bound values (`substitutions` on Oxigraph, "
              "`initBindings` on rdflib): Oxigraph median of 3, rdflib once, stopped after "
              f"{engines.get('_rdflib_timeout', 0):g} s (then counted as that long: the ratio is a lower bound).", ""]
    per_name: dict[tuple[str, str], dict] = {}
    for key, record in engines.items():
        if key.startswith("_") or "group" not in record:
            continue
        row = per_name.setdefault((record["group"], record["name"]), {"calls": record.get("calls", 1), "timed": 0,
                                                                      "ox": 0.0, "rd": 0.0, "notes": set()})
        weight = record.get("weight", 1)
        row["timed"] += 1
        row["ox"] += (record.get("oxigraph_ms") or 0) * weight
        row["rd"] += (record.get("rdflib_ms") or 0) * weight
        for engine in ("oxigraph", "rdflib"):
            if record.get(f"{engine}_error"):
                row["notes"].add(f"{engine}: {record[f'{engine}_error']}")
    rows = []
    for (group, name), row in per_name.items():
        notes = sorted(row["notes"])
        if row["timed"] < row["calls"]:
            notes.insert(0, f"{row['timed']} of {row['calls']:,} calls timed, total scaled")
        rows.append([group, f"`{name}.rq`" if name != "(inline)" else name, f"{row['calls']:,}",
                     _ms(row["ox"]) if row["ox"] else "—", _ms(row["rd"]) if row["rd"] else "—",
                     f"{row['rd'] / row['ox']:,.0f}×" if row["ox"] and row["rd"] else "—",
                     "; ".join(notes)])
    for group, data in engine_groups(result).items():
        ratio = "—" if data["ratio"] is None else f"{'≥ ' if data['lower_bound'] else ''}{data['ratio']:,.0f}×"
        rows.append([f"**{group}, total**", "", f"{data['queries']:,.0f}", _ms(data["oxigraph_ms"]),
                     _ms(data["rdflib_ms"]),
                     f"**{ratio}**", "; ".join(data["left_out"]) and "left out: " + "; ".join(data["left_out"])])
    lines += _table(["group", "query", "calls", "Oxigraph (ms)", "rdflib (ms)", "rdflib / Oxigraph", "note"], rows)
    errors = engines.get("_errors") or {}
    if errors:
        lines += ["Not recorded: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), ""]
    return lines
