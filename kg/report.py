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
from kg import indicators, map_page, overview_maps, pages, progress_page, projection, questions, viz
from kg.atomic import check_replaceable, folder_in_place, legacy_listing, marker_fields
from kg.chain_panorama import chain_panorama
from kg.i18n import MESSAGES, code, t
from kg.manifest import dataset_text, store_dataset, synthetic_notice
from kg.output import to_csv
from kg.overview_matrix import overview_matrix
from kg.panel import reason_text, web_address
from kg.profiles import district_profile
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

def modelling_note(dataset: dict | None, lang: str, page: str = "map") -> str:
    """The caveat under a chain map (``page="map"``) or atop the report's index (``"index"``): segments and codes are
    a modelling choice, not a fact of the area the dataset names (a city, say), and a blank is not an absence."""
    name = dataset_text(dataset or {}, "name", lang)
    whose = t("page.whose_named", lang, name=name) if name else t("page.whose", lang)
    return t("page.index_note" if page == "index" else "page.chain_note", lang, whose=whose)


def report_title(dataset: dict | None, lang: str) -> str:
    """The report's heading: the dataset's title (for example ``<城市>产业链图谱:规划报告``)."""
    return t("page.report_title", lang, title=dataset_text(dataset or store_dataset({}), "title", lang))


def chain_page(profile: dict, gaps: list[dict], lang: str = "zh", collapse: int | None = viz.COLLAPSE,
               back: str | None = None, dataset: dict | None = None, unplaced_total: int | None = None) -> str:
    """One chain's page (HTML text): the 产业链全景图 (:func:`kg.chain_panorama.chain_panorama`) by default, the
    network map one tab away, a side panel, a find box, a print button.

    Args:
        profile: :func:`kg.questions.chain_profile`'s result.
        gaps: the chain's graded segments (:func:`chain_assessment`'s ``gaps``).
        dataset: what the store describes (:func:`kg.manifest.store_dataset`): names the area in the notes, and
            synthetic data gets a banner.
        unplaced_total: how many of the chain's enterprises have no segment (the summary's ``unplaced_count``), when
            the profile holds only a page of them.
    """
    net = viz.chain_network(profile, gaps, lang, collapse)
    pano = chain_panorama(profile, gaps, lang, unplaced_total=unplaced_total)
    chain = profile["chain"]
    grades = " · ".join(t("page.grade_count", lang, grade=code("grade", g, lang), n=n)
                        for g, n in pano["grades"].items())
    total = max(profile.get("enterprise_total") or 0, len(profile["enterprises"]))
    group = chain.get("group_en") if lang == "en" else chain.get("group")
    subtitle = (f"{group} · " if group else "") + t(
        "page.map_counts", lang, segments=len(profile["segments"]), grades=grades, enterprises=total,
        policies=len(profile["policies"]))
    return map_page.render_page(
        net, title=t("page.chain_map_title", lang, chain=viz.name_of(chain, lang)), subtitle=subtitle,
        back=back, lang=lang, dataset=dataset, notes=[modelling_note(dataset, lang)],
        view={"template": "panorama.html", "style": "panorama.css", "tab": t("page.tab_panorama", lang),
              "model": pano})


def chain_map(store, chain: str, lang: str = "zh", collapse: int | None = viz.COLLAPSE) -> str:
    """``chainkg map CHAIN``: the chain's page as HTML text."""
    profile = questions.chain_profile(store, chain)
    assessed = chain_assessment(store, profile["chain"])
    return chain_page(profile, assessed["gaps"], lang, collapse, dataset=store_dataset(store),
                      unplaced_total=assessed["summary"].get("unplaced_count"))


def overview_page(profiles: list[dict], summaries: list[dict], lang: str = "zh", back: str | None = None,
                  dataset: dict | None = None, gaps: list[list[dict]] | None = None,
                  hrefs: dict[str, str] | None = None) -> str:
    """The overview page (HTML text): the chain × stage matrix (:func:`kg.overview_matrix.overview_matrix`) by
    default, the network of chains, places and policies one tab away (``dataset`` as for :func:`chain_page`;
    ``gaps`` per chain, ``hrefs`` chain IRI → its map page in a report)."""
    rows = [{**p["chain"], "completeness": s["completeness"], "places": p["places"], "policies": p["policies"]}
            for p, s in zip(profiles, summaries)]
    matrix = overview_matrix(profiles, gaps or [[] for _ in profiles], summaries, lang, hrefs)
    return map_page.render_page(overview_maps.overview_network(rows, lang), title=t("page.overview_title", lang),
                           legend_kinds=[*overview_maps.overview_legend(lang), "chain", "place", "policy"],
                           back=back, lang=lang, dataset=dataset, network_notes=[t("page.matrix_note_net", lang)],
                           view={"template": "matrix.html", "style": "panorama.css",
                                 "tab": t("page.tab_matrix", lang), "model": matrix})


def overview_map(store, lang: str = "zh") -> str:
    """``chainkg map --overview``: all landmark chains, the places carrying them, the policies."""
    chains = questions.list_chains(store, "landmark")["chains"]
    profiles = [questions.chain_profile(store, c["name"]) for c in chains]
    assessed = [chain_assessment(store, c) for c in chains]
    return overview_page(profiles, [a["summary"] for a in assessed], lang, dataset=store_dataset(store),
                         gaps=[a["gaps"] for a in assessed])


def district_map(store, name: str, lang: str = "zh") -> str:
    """``chainkg map --district NAME``: a district's policies, parks, enterprises and chains."""
    profile = district_profile(store, name)
    place = viz.name_of(profile["place"], lang)
    return map_page.render_page(overview_maps.district_network(profile, lang), title=t("page.district_title", lang,
                                                                                   place=place),
                           subtitle=t("page.district_subtitle", lang),
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


def _label(text: str | None, english: str | None, lang: str) -> dict:
    """A name for a template: in English when the page is and the data has it, else Chinese (marked ``zh``)."""
    if lang == "en" and english:
        return {"text": english, "zh": False}
    return {"text": text or english or "", "zh": lang == "en"}


def _neighbour_labels(rows: list[dict], seg_en: dict, lang: str) -> list[dict]:
    return [{**_label(r["segment"], seg_en.get(r["segment"]), lang), "grade": code("grade", r["grade"], lang),
             "distance": r["distance"]} for r in rows]


def render_report(data: dict, lang: str = "zh", collapse: int | None = viz.COLLAPSE,
                  now: datetime | None = None, extra_links: list[dict] | None = None) -> dict[str, str]:
    """The report's files (name → text) from :func:`gather`'s result (``extra_links``: ``{"href", "text"}`` more
    pages of the report, linked from the index)."""
    words = T[lang]
    dataset = data.get("dataset") or store_dataset({})
    sources = Sources()
    files: dict[str, str] = {}
    chain_rows, gap_rows, gap_csv, seg_csv, pol_csv, hrefs, unplaced = [], [], [], [], [], {}, []
    for chain in data["chains"]:
        hrefs[chain["iri"]] = f"maps/{slug(chain['iri'])}.html"
    for chain, profile, gaps, summary in zip(data["chains"], data["profiles"], data["gaps"], data["summaries"]):
        name = profile["chain"]["name"]
        page = hrefs[chain["iri"]]
        chain_label = _label(name, profile["chain"].get("name_en"), lang)
        files[page] = chain_page(profile, gaps, lang, collapse, back="../index.html", dataset=dataset,
                                 unplaced_total=summary.get("unplaced_count"))
        ent_en = {e["name"]: e.get("name_en") for e in profile["enterprises"]}
        seg_en = {s["name"]: s.get("name_en") for s in profile["segments"]}
        chain_rows.append({"label": chain_label, "href": page,
                           "group": chain.get("group_zh") if lang != "en" else chain.get("group_en"), **summary,
                           "masters": [_label(m, ent_en.get(m), lang) for m in summary["chain_masters"]],
                           "gap_tags": [{"grade": g["grade"], "label": _label(g["segment"], seg_en.get(g["segment"]),
                                                                              lang),
                                         "reasons": [reason_text(r, lang) for r in g.get("reasons") or []]}
                                        for g in summary["top_gaps"]],
                           "flags": [t(f"page.{f['kind']}", lang) if f"page.{f['kind']}" in MESSAGES else f["kind"]
                                     for f in summary["findings"]],
                           "refs": sources.cite(chain.get("sources"))})
        if summary.get("unplaced_count"):
            unplaced.append({"chain": chain_label, "href": page, "count": summary["unplaced_count"],
                             "names": [_label(n, ent_en.get(n), lang) for n in summary.get("unplaced") or []]})
        for g in gaps:
            evidence = g.get("evidence") or {}
            refs = sources.cite(evidence.get("sources"))
            if g["grade"] in ("blank", "weak"):
                gap_rows.append({**g, "chain_label": chain_label, "href": page, "refs": refs,
                                 "label": _label(g["segment"], g.get("segment_en"), lang),
                                 "position_label": code("position", g.get("position"), lang) or "—",
                                 "reason_texts": [reason_text(r, lang) for r in g.get("reasons") or []],
                                 "unknown_texts": [reason_text(u, lang) for u in g.get("unknown") or []],
                                 "upstream_names": _neighbour_labels(g["upstream"], seg_en, lang),
                                 "downstream_names": _neighbour_labels(g["downstream"], seg_en, lang)})
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
                                           dataset=dataset, gaps=data["gaps"], hrefs=hrefs)
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
        label = _label(row["chain"], row.get("chain_en"), lang)
        cells = [_heat_cell(cov["cells"][(row["iri"], place["iri"])], peak, label["text"],
                            viz.name_of(place, lang), sources, lang) for place in cov["places"]]
        heat.append({"label": label, "href": hrefs.get(row["iri"], "#"), "cells": cells, "total": row["total"],
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
    common = {"lang": lang, "t": words, "csp": csp, "stamp": stamp, "banner": banner,
              "tr": lambda key, **values: t(key, lang, **values), "sep": "、" if lang != "en" else ", "}
    files["index.html"] = env.get_template("index.html").render(
        **common, chains=chain_rows, gaps=gap_rows, heat=heat, unplaced=unplaced, extra_links=extra_links or [],
        has_progress="progress.html" in files,
        title=report_title(dataset, lang), note=modelling_note(dataset, lang, "index"),
        places=[_label(p["name"], p.get("name_en"), lang) for p in cov["places"]],
        coverage_notes=[reason_text(u, lang) for u in cov["unknown"]],
        grades=viz.GRADES, mark=viz.MARK)
    files["sources.html"] = env.get_template("sources.html").render(
        **common, title=t("page.sources_title", lang),
        sources=[{**s, "web": web_address(s.get("url"))} for s in listed])
    return files


def _heat_cell(cell: dict, peak: int, chain: str, place: str, sources: Sources, lang: str) -> dict:
    value, positioned = cell["value"], cell["positioned"]
    if not value and not positioned and not cell["parks"]:
        return {"value": "", "alpha": 0, "dark": False, "tip": f"{chain} × {place}: 0"}
    alpha = round(0.12 + 0.88 * min(value, peak) / peak, 2) if value else 0.06
    sep = "、" if lang != "en" else ", "
    parts = [f"{chain} × {place}: {value}"]
    parts += [f"{t('page.enterprises', lang)}: {sep.join(cell['enterprises'])}"] if cell["enterprises"] else []
    parts += [f"{t('page.parks', lang)}: {sep.join(cell['parks'])}"] if cell["parks"] else []
    if positioned:
        sources.cite(cell["sources"])
        parts.append(f"{t('page.heat_positioned', lang)}: " + "; ".join(_labels(cell["sources"])))
    return {"value": f"{value}{'◎' if positioned else ''}", "alpha": alpha, "dark": alpha > 0.55,
            "tip": "\n".join(parts)}


def write_report(store, out_dir: Path | str, lang: str = "zh", collapse: int | None = viz.COLLAPSE,
                 on_progress=None) -> dict:
    """Write the report folder, replacing an earlier report there only once every file is written.

    ``on_progress(phase, **fields)`` is told each step: ``report.gather``, ``report.pages``, ``report.write`` with
    ``path`` (the CLI prints them; see :mod:`kg.i18n`).

    Returns:
        The manifest written to ``report.json``: tool, time, data fingerprint, language, files with sizes, timings.

    Raises:
        ExportError: ``out_dir`` is not ours to replace (a file, a symbolic link, a folder without a chainkg
            ``report.json``, or a report with files added: nothing is deleted, the files chainkg did not write are
            named), or the folder cannot be written (the old report is kept).
    """
    out_dir = Path(out_dir)
    check_replaceable(out_dir, MARKER, what=WHAT, kind=KIND, legacy=legacy_listing)  # refuse before any work
    say = on_progress or (lambda phase, **fields: None)
    started = time.perf_counter()
    say("report.gather")
    data = gather(store)
    gathered = time.perf_counter()
    say("report.pages")
    files = render_report(data, lang, collapse)
    rendered = time.perf_counter()
    say("report.write", path=out_dir)
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
