"""The planner's report and the map pages: question results and gap grades gathered, rendered, written atomically.

``write_report(store, out_dir)`` writes an offline folder a planner can open, zip and send:

=============================  =====================================================================================
``index.html``                 the chains table (completeness, chain-masters, policy counts, top gaps), the
                               chains × districts coverage heat map and the gap list, linking to the maps
``overview.html``              map of the landmark chains, the districts and zones carrying them, the policies
``maps/{chain}.html``          one map per landmark chain (:func:`kg.viz.chain_network`)
``gaps.csv``                   every graded segment, with reasons, neighbours and evidence (``enterprise_count`` counts
                               the segment's enterprises; ``enterprises`` names its anchors and at most 10 others)
``segment_enterprises.csv``    enterprises per segment, from the chain profile's first page (segments without any
                               get one empty row)
``chain_policies.csv``         the policies behind each chain and how they support it
``sources.html``, ``sources.csv``  every source the report cites (addresses as text, never as links)
``report.json``                what was written, when, from which data; ``"generator": "chainkg"``, ``"kind": "report"``
                               and the files listed mark the folder as ours
=============================  =====================================================================================

The folder is written to a temporary sibling and put in place by rename (:func:`kg.atomic.folder_in_place`): a failed
report leaves the previous one as it was. An existing folder is replaced only when it is an earlier report holding
nothing but the files its ``report.json`` lists (:func:`kg.atomic.check_replaceable`). Pages make no network requests
and link nothing outside the folder.

Grades, ranks, summaries and the coverage matrix are :mod:`kg.analysis`'s, through :mod:`kg.projection`
(:func:`chain_assessment`, :func:`coverage`); this module only lays them out. The chain profiles
(:func:`kg.questions.chain_profile`) supply the enterprises, parks, places and policies with their sources.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import kg
from kg import indicators, overview_maps, pages, progress_page, projection, questions, viz
from kg.atomic import check_replaceable, folder_in_place, legacy_listing, marker_fields
from kg.manifest import dataset_text, store_dataset, synthetic_notice
from kg.output import to_csv
from kg.resolve import Entity

log = logging.getLogger(__name__)
MARKER = "report.json"
KIND = "report"
WHAT = "chainkg report"
T = viz.TEXT


# --- gaps and coverage: kg.projection / kg.analysis (issue 4) --------------------------------------------------------

def _entity(chain: dict) -> Entity:
    return Entity(chain["iri"], "chain", {"zh": chain["name"], "en": chain.get("name_en")})


def chain_assessment(store, chain: dict) -> dict:
    """:func:`kg.projection.chain_report` of a chain (a row with ``iri``, ``name``, ``name_en``): ``{"gaps": one
    graded, ranked row per segment, "summary": completeness, grades, chain-masters, policy counts, top gaps}``."""
    return projection.chain_report(store, _entity(chain))


def coverage(store) -> dict:
    """Chains × places for the heat map: :func:`kg.projection.coverage_matrix` counts (the chain's enterprises in
    each place), with the parks and positioning behind each cell from the district-chain graph."""
    matrix = projection.coverage_matrix(store, "landmark")
    graph = projection.district_chain_graph(store, "landmark")
    cells = {}
    for row in matrix["rows"]:
        for place in matrix["places"]:
            edge = graph.get_edge_data(place["iri"], row["iri"]) or {}
            cells[(row["iri"], place["iri"])] = {
                "value": row["counts"].get(place["name"], 0), "positioned": bool(edge.get("positioned")),
                "enterprises": [e["name"] for e in edge.get("enterprises", [])],
                "parks": [p["name"] for p in edge.get("parks", [])], "sources": edge.get("sources", [])}
    return {"places": matrix["places"], "rows": matrix["rows"], "cells": cells, "unknown": matrix["unknown"]}


# --- map pages -----------------------------------------------------------------------------------------------------

def _grade_cell(grade: str, lang: str) -> dict:
    return {"grade": grade, "text": f"{viz.MARK.get(grade, '')}{T[lang][grade]}"}


def modelling_note(dataset: dict | None, lang: str, page: str = "map") -> str:
    """The caveat under a chain map (``page="map"``) or atop the report's index (``"index"``): segments and codes are
    a modelling choice, not a fact of the area the dataset names (say Jinan), and a blank is not an absence."""
    name = dataset_text(dataset or {}, "name", lang)
    if lang == "zh":
        whose = f"并非{name}官方口径" if name else "并非官方口径"
        if page == "index":
            return f"环节划分与行业代码为建模选择,{whose};“空白”指数据中没有本地企业被归入该环节,不等于现实中不存在。"
        return (f"环节划分与行业代码为建模选择(来源类型:modelling),{whose};“空白”可能是数据缺失,"
                "不等于本地没有该产业。悬停节点可查看依据与来源。")
    whose = f"not a fact of {name}" if name else "not an official fact"
    if page == "index":
        return (f"Segments and codes are a modelling choice, {whose}; \"blank\" means no local enterprise in the data "
                "is placed in the segment, not that none exists.")
    return (f"The segment breakdown and codes are a modelling choice (source kind: modelling), {whose}; "
            "a blank segment may be missing data rather than missing industry. Hover a node for its evidence "
            "and sources.")


def report_title(dataset: dict | None, lang: str) -> str:
    """The report's heading: the dataset's title (``济南市产业链图谱:规划报告``)."""
    title = dataset_text(dataset or store_dataset({}), "title", lang)
    return f"{title}:规划报告" if lang == "zh" else f"{title}: planner's report"


def chain_page(profile: dict, gaps: list[dict], lang: str = "zh", collapse: int | None = viz.COLLAPSE,
               back: str | None = None, dataset: dict | None = None) -> str:
    """One chain's map page (HTML text): the map, its legend, and printable tables of segments, policies, places.

    Args:
        profile: :func:`kg.questions.chain_profile`'s result.
        gaps: the chain's graded segments (:func:`chain_assessment`'s ``gaps``).
        dataset: what the store describes (:func:`kg.manifest.store_dataset`): names the area in the notes, and
            synthetic data gets a banner.
    """
    t = T[lang]
    net = viz.chain_network(profile, gaps, lang, collapse)
    by_iri = {g.get("iri"): g for g in gaps}
    roles = {e["name"]: e["role"] for e in profile["enterprises"]}
    star = {"chain_master": "★", "leading": "◆", "member": ""}
    seg_rows = [[s["sequence"], viz.name_of(s, lang), t.get(s["position"] or "", s["position"] or ""),
                 _grade_cell(by_iri.get(s["iri"], {}).get("grade", "blank"), lang),
                 "、".join(star[roles.get(n, "member")] + n for n in s["enterprises"]) or "—",
                 "、".join(s["supplies_to"]) or "—"] for s in profile["segments"]]
    pol_rows = [[p["title"], p.get("doc_number") or "—", p.get("issuer") or "—", p.get("date") or "—",
                 t[p["support"]]] for p in profile["policies"]]
    place_rows = [[viz.name_of(p, lang), t["park"], p.get("district") or "—", p.get("basis") or "—"]
                  for p in profile["parks"]]
    place_rows += [[viz.name_of(p, lang), t["place"], "", "、".join(p.get("basis") or [])]
                   for p in profile["places"]]
    chain = profile["chain"]
    counts = {g: sum(1 for r in gaps if r["grade"] == g) for g in viz.GRADES}
    subtitle = (f"{chain.get('group') or ''} · {len(profile['segments'])} {t['segments']} · "
                + " · ".join(f"{t[g]} {counts[g]}" for g in viz.GRADES) +
                f" · {len(profile['enterprises'])} {t['enterprises']} · {len(profile['policies'])} {t['policy']}")
    zh = lang == "zh"
    return viz.render_page(
        net, title=viz.name_of(chain, lang) + (" 产业链图谱" if zh else " chain map"), subtitle=subtitle,
        back=back, lang=lang, dataset=dataset, notes=[modelling_note(dataset, lang)],
        tables=[{"title": "环节(上游 → 下游)" if zh else "Segments (upstream → downstream)",
                 "headers": ["#", t["segment"], t["position"], t["grade"], t["enterprises"], t["supplies"]],
                 "rows": seg_rows},
                {"title": t["policy"], "headers": ["", t["doc_number"], t["issuer"], t["date"], t["basis"]],
                 "rows": pol_rows},
                {"title": f"{t['parks']} / {t['districts']}", "headers": ["", "", t["districts"], t["basis"]],
                 "rows": place_rows}])


def chain_map(store, chain: str, lang: str = "zh", collapse: int | None = viz.COLLAPSE) -> str:
    """``chainkg map CHAIN``: the chain's map page as HTML text."""
    profile = questions.chain_profile(store, chain)
    return chain_page(profile, chain_assessment(store, profile["chain"])["gaps"], lang, collapse,
                      dataset=store_dataset(store))


def overview_page(profiles: list[dict], summaries: list[dict], lang: str = "zh", back: str | None = None,
                  dataset: dict | None = None) -> str:
    """The overview map page (HTML text) from the landmark chains' profiles and summaries (``dataset`` as for
    :func:`chain_page`)."""
    rows = [{**p["chain"], "completeness": s["completeness"], "places": p["places"], "policies": p["policies"]}
            for p, s in zip(profiles, summaries)]
    t = T[lang]
    zh = lang == "zh"
    table = {"title": t["chain"], "headers": ["", t["completeness"], t["chain_master"], t["place"], t["policy"]],
             "rows": [[viz.name_of(p["chain"], lang),
                       "—" if s["completeness"] is None else f"{s['completeness']:.0%}",
                       "、".join(s["chain_masters"]) or "—",
                       "、".join(viz.name_of(x, lang) for x in p["places"]) or "—", len(p["policies"])]
                      for p, s in zip(profiles, summaries)]}
    return viz.render_page(overview_maps.overview_network(rows, lang),
                           title="标志性产业链总览" if zh else "Landmark chains: overview",
                           subtitle=("左:政策 · 中:产业链(颜色 = 完整度) · 右:承载的区县与功能区" if zh else
                                     "left: policies · middle: chains (colour = completeness) · right: districts and "
                                     "zones carrying them"),
                           legend_kinds=[*overview_maps.overview_legend(lang), "chain", "place", "policy"],
                           tables=[table], back=back, lang=lang, dataset=dataset)


def overview_map(store, lang: str = "zh") -> str:
    """``chainkg map --overview``: all landmark chains, the places carrying them, the policies."""
    chains = questions.list_chains(store, "landmark")["chains"]
    profiles = [questions.chain_profile(store, c["name"]) for c in chains]
    return overview_page(profiles, [chain_assessment(store, c)["summary"] for c in chains], lang,
                         dataset=store_dataset(store))


def district_map(store, name: str, lang: str = "zh") -> str:
    """``chainkg map --district NAME``: a district's policies, parks, enterprises and chains."""
    profile = questions.district_profile(store, name)
    place = viz.name_of(profile["place"], lang)
    zh = lang == "zh"
    return viz.render_page(overview_maps.district_network(profile, lang), title=place + (" 产业图谱" if zh else " map"),
                           subtitle="政策 → 区县 → 园区 → 企业 → 产业链" if zh else
                           "policies → district → parks → enterprises → chains",
                           legend_kinds=["place", "policy", "park", "member", "chain"], lang=lang,
                           dataset=store_dataset(store),
                           tables=[{"title": T[lang]["chain"], "headers": ["", T[lang]["basis"], T[lang]["via"]],
                                    "rows": [[viz.name_of(c, lang), "、".join(c["basis"]), "、".join(c["via"])]
                                             for c in profile["chains"]]}])


# --- the report ----------------------------------------------------------------------------------------------------

def slug(chain_iri: str) -> str:
    """A file name for a chain, from its IRI's stable code (``…/chain/ic`` → ``ic``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", chain_iri.rstrip("/").rpartition("/")[2]) or "chain"


class Sources:
    """Numbers the sources a report cites, in order of first citation."""

    def __init__(self) -> None:
        self.listed: dict[str, dict] = {}

    def cite(self, sources: list[dict] | None) -> list[dict]:
        refs = []
        for src in sources or []:
            if not isinstance(src, dict):
                continue
            key = str(src.get("id") or src.get("title") or src.get("label"))
            if key not in self.listed:
                self.listed[key] = {**src, "n": len(self.listed) + 1, "anchor": "src-" + re.sub(r"[^\w-]", "-", key)}
            if self.listed[key] not in refs:
                refs.append(self.listed[key])
        return refs


def _labels(sources: list[dict] | None) -> list[str]:
    return [s.get("title") or s.get("label") or str(s.get("id")) for s in sources or [] if isinstance(s, dict)]


def _names(rows: list[dict] | None, key: str = "name") -> list[str]:
    return [str(r.get(key) or r.get("segment") or r.get("title") or "") for r in rows or []]


def _neighbours(rows: list[dict], lang: str | None = None) -> list[str]:
    """Neighbouring segments as ``name (grade, distance)``; grades in words of ``lang``, or as codes (CSV)."""
    return [f"{r['segment']} ({T[lang][r['grade']] if lang else r['grade']}, {r['distance']})" for r in rows]


def gather(store) -> dict:
    """Everything the report shows, computed once: the landmark chains' profiles, graded gaps, summaries, coverage,
    and the dataset the store describes (:func:`kg.manifest.store_dataset`)."""
    chains = questions.list_chains(store, "landmark")["chains"]
    profiles = [questions.chain_profile(store, c["name"]) for c in chains]
    assessed = [chain_assessment(store, c) for c in chains]
    return {"chains": chains, "profiles": profiles, "gaps": [a["gaps"] for a in assessed],
            "summaries": [a["summary"] for a in assessed], "coverage": coverage(store),
            "dataset": store_dataset(store), "progress": indicators.indicator_series(store)}


FINDINGS = {"zh": {"no_chain_master": "无链主", "no_specific_policy": "无专项政策"},
            "en": {"no_chain_master": "no chain-master", "no_specific_policy": "no chain-specific policy"}}


def render_report(data: dict, lang: str = "zh", collapse: int | None = viz.COLLAPSE,
                  now: datetime | None = None) -> dict[str, str]:
    """The report's files (name → text) from :func:`gather`'s result."""
    t = T[lang]
    dataset = data.get("dataset") or store_dataset({})
    sources = Sources()
    files: dict[str, str] = {}
    chain_rows, gap_rows, gap_csv, seg_csv, pol_csv, hrefs = [], [], [], [], [], {}
    for chain, profile, gaps, summary in zip(data["chains"], data["profiles"], data["gaps"], data["summaries"]):
        name = profile["chain"]["name"]
        page = hrefs[chain["iri"]] = f"maps/{slug(chain['iri'])}.html"
        files[page] = chain_page(profile, gaps, lang, collapse, back="../index.html", dataset=dataset)
        chain_rows.append({"name": viz.name_of(profile["chain"], lang), "href": page,
                           "group": chain.get("group_zh") if lang == "zh" else chain.get("group_en"), **summary,
                           "flags": [FINDINGS[lang].get(f["kind"], f["kind"]) for f in summary["findings"]],
                           "refs": sources.cite(chain.get("sources"))})
        for g in gaps:
            evidence = g.get("evidence") or {}
            refs = sources.cite(evidence.get("sources"))
            if g["grade"] in ("blank", "weak"):
                gap_rows.append({**g, "chain": viz.name_of(profile["chain"], lang), "href": page, "refs": refs,
                                 "upstream_names": _neighbours(g["upstream"], lang),
                                 "downstream_names": _neighbours(g["downstream"], lang)})
            gap_csv.append({**g, "chain": name, "upstream": _neighbours(g["upstream"]),
                            "downstream": _neighbours(g["downstream"]),
                            "enterprises": _names(evidence.get("enterprises")),
                            "parks": _names(evidence.get("parks")), "policies": _names(evidence.get("policies")),
                            "sources": _labels(evidence.get("sources"))})
        roles = {e["name"]: e for e in profile["enterprises"]}
        grade = {g.get("iri"): g["grade"] for g in gaps}
        for seg in profile["segments"]:
            base = {"chain": name, "segment": seg["name"], "position": seg["position"], "sequence": seg["sequence"],
                    "grade": grade.get(seg["iri"])}
            for ent in (roles[n] for n in seg["enterprises"] if n in roles):
                sources.cite(ent["sources"])
                seg_csv.append({**base, "enterprise": ent["name"], "role": ent["role"], "districts": ent["districts"],
                                "parks": ent["parks"], "confidence": ent["confidence"],
                                "sources": _labels(ent["sources"])})
            if not seg["enterprises"]:
                seg_csv.append(base)
        for pol in profile["policies"]:
            sources.cite(pol["sources"])
            pol_csv.append({"chain": name, **pol, "sources": _labels(pol["sources"])})
        for row in profile["parks"] + profile["places"]:
            sources.cite(row.get("sources"))
    files["overview.html"] = overview_page(data["profiles"], data["summaries"], lang, back="index.html",
                                           dataset=dataset)
    files["gaps.csv"] = to_csv(gap_csv, ["chain", "rank", "sequence", "segment", "position", "grade", "priority",
                                         "flags", "reasons", "upstream", "downstream", "enterprise_count",
                                         "enterprises", "parks", "policies", "sources", "unknown"])
    files["segment_enterprises.csv"] = to_csv(seg_csv, ["chain", "sequence", "segment", "position", "grade",
                                                        "enterprise", "role", "districts", "parks", "confidence",
                                                        "sources"])
    files["chain_policies.csv"] = to_csv(pol_csv, ["chain", "title", "doc_number", "issuer", "date", "in_force",
                                                   "level", "support", "via", "confidence", "sources"])
    cov = data["coverage"]
    heat = []
    peak = max([c["value"] for c in cov["cells"].values()] or [1]) or 1
    for row in cov["rows"]:
        cells = [_heat_cell(cov["cells"][(row["iri"], place["iri"])], peak, row["chain"], place["name"], sources)
                 for place in cov["places"]]
        heat.append({"name": row["chain_en"] if lang == "en" and row.get("chain_en") else row["chain"],
                     "href": hrefs.get(row["iri"], "#"), "cells": cells, "total": row["total"],
                     "unlocated": row["unlocated"]})
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if data.get("progress") is not None:  # 目标与进展: kg/progress_page.py
        files["progress.html"] = progress_page.progress_html(data["progress"], lang, sources.cite,
                                                             synthetic_notice(dataset, lang), stamp)
    listed = list(sources.listed.values())
    files["sources.csv"] = to_csv([{**s, "title": s.get("title") or s.get("label")} for s in listed],
                                  ["n", "id", "title", "outlet", "date", "kind", "url"])
    env = pages.environment()
    csp = pages.content_policy()
    banner = synthetic_notice(dataset, lang)
    files["index.html"] = env.get_template("index.html").render(
        lang=lang, t=t, csp=csp, stamp=stamp, chains=chain_rows, gaps=gap_rows, heat=heat,
        title=report_title(dataset, lang), note=modelling_note(dataset, lang, "index"), banner=banner,
        places=[viz.name_of(p, lang) for p in cov["places"]], coverage_notes=cov["unknown"],
        grades=viz.GRADES, mark=viz.MARK)
    files["sources.html"] = env.get_template("sources.html").render(
        lang=lang, t=t, csp=csp, title="来源" if lang == "zh" else "Sources", stamp=stamp, sources=listed,
        banner=banner)
    return files


def _heat_cell(cell: dict, peak: int, chain: str, place: str, sources: Sources) -> dict:
    value, positioned = cell["value"], cell["positioned"]
    if not value and not positioned and not cell["parks"]:
        return {"value": "", "alpha": 0, "dark": False, "tip": f"{chain} × {place}: 0"}
    alpha = round(0.12 + 0.88 * min(value, peak) / peak, 2) if value else 0.06
    parts = [f"{chain} × {place}: {value}"]
    parts += [f"企业 enterprises: {'、'.join(cell['enterprises'])}"] if cell["enterprises"] else []
    parts += [f"园区 parks: {'、'.join(cell['parks'])}"] if cell["parks"] else []
    if positioned:
        sources.cite(cell["sources"])
        parts.append("◎ 定位 positioned for it: " + "; ".join(_labels(cell["sources"])))
    return {"value": f"{value}{'◎' if positioned else ''}", "alpha": alpha, "dark": alpha > 0.55,
            "tip": "\n".join(parts)}


def write_report(store, out_dir: Path | str, lang: str = "zh", collapse: int | None = viz.COLLAPSE) -> dict:
    """Write the report folder, replacing an earlier report there only once every file is written.

    Returns:
        The manifest written to ``report.json``: tool, time, data fingerprint, language, files with sizes, timings.

    Raises:
        ExportError: ``out_dir`` is not ours to replace (a file, a symbolic link, a folder without a chainkg
            ``report.json``, or a report with files added: nothing is deleted, the files chainkg did not write are
            named), or the folder cannot be written (the old report is kept).
    """
    out_dir = Path(out_dir)
    check_replaceable(out_dir, MARKER, what=WHAT, kind=KIND, legacy=legacy_listing)  # refuse before any work
    started = time.perf_counter()
    data = gather(store)
    gathered = time.perf_counter()
    files = render_report(data, lang, collapse)
    rendered = time.perf_counter()
    with folder_in_place(out_dir, MARKER, what=WHAT, kind=KIND, legacy=legacy_listing) as tmp:
        sizes = {}
        for name, content in sorted(files.items()):
            blob = content.encode("utf-8")
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(blob)
            sizes[name] = len(blob)
        manifest = {**marker_fields(KIND), "tool": {"name": "chainkg", "version": kg.__version__},
                    "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                    "data_fingerprint": store.info.get("fingerprint"), "dataset": data["dataset"],
                    "lang": lang, "collapse": collapse,
                    "chains": len(data["profiles"]),
                    "seconds": {"gather": round(gathered - started, 3), "render": round(rendered - gathered, 3)},
                    "files": sizes}
        (tmp / MARKER).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    manifest["seconds"]["total"] = round(time.perf_counter() - started, 3)
    log.info("report: %d files, %s bytes in %.2f s → %s", len(sizes), f"{sum(sizes.values()):,}",
             manifest["seconds"]["total"], out_dir)
    return manifest
