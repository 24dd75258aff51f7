"""Question results → titled tables for the terminal and spreadsheets, in Chinese or English.

Each ``*_view`` function takes what :mod:`kg.questions` returns and gives a list of :class:`Section`; the CLI renders
them with :mod:`kg.output`. JSON output does not go through here: it is the question's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.output import to_csv, to_table

SUPPORT = {"zh": {"direct": "直接", "inherited": "继承", "general": "普适"},
           "en": {"direct": "direct", "inherited": "inherited", "general": "general"}}
ROLE = {"zh": {"chain_master": "链主", "leading": "龙头", "member": "成员"},
        "en": {"chain_master": "chain master", "leading": "leading", "member": "member"}}


@dataclass
class Section:
    """One titled table."""

    title: str
    columns: list[str]
    headers: list[str]
    rows: list[dict] = field(default_factory=list)
    note: str = ""


def render(sections: list[Section], fmt: str) -> str:
    """Sections as aligned tables with numbered source notes (``table``), or one CSV per section (``csv``).

    A ``sources`` column (a list of source objects) becomes ``[1][3]`` references in a table, listed in full at
    the end; in CSV it becomes the sources' labels joined with ``; ``.
    """
    if fmt == "csv":
        for s in sections:
            for row in s.rows:
                if isinstance(row.get("sources"), list):
                    row["sources"] = [src.get("label") or src.get("title") for src in row["sources"]]
        if len(sections) == 1:
            return to_csv(sections[0].rows, sections[0].columns)
        return "".join(f"# {s.title}\r\n" + to_csv(s.rows, s.columns, bom=i == 0) + "\r\n"
                       for i, s in enumerate(sections))
    notes: dict[str, int] = {}
    listed: list[dict] = []
    parts = []
    for s in sections:
        rows = []
        for row in s.rows:
            row = dict(row)
            if isinstance(row.get("sources"), list):
                refs = []
                for src in row["sources"]:
                    key = src.get("id") or src.get("label")
                    if key not in notes:
                        notes[key] = len(notes) + 1
                        listed.append(src)
                    refs.append(f"[{notes[key]}]")
                row["sources"] = "".join(refs)
            rows.append(row)
        body = to_table(rows, s.columns, s.headers) if rows else "(none)"
        parts.append(f"== {s.title} ==\n{body}" + (f"\n{s.note}" if s.note else ""))
    if listed:
        lines = [f"[{i}] " + " · ".join(str(v) for v in _source_parts(src) if v) for i, src in enumerate(listed, 1)]
        parts.append("== sources ==\n" + "\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _source_parts(src: dict) -> tuple:
    if src.get("title"):
        return (src["title"], src.get("outlet"), src.get("date"), src.get("url"))
    if src.get("label") == f"[{src.get('url')}]":
        return (src.get("url"),)
    return (src.get("label"), src.get("url"))


def _name(row: dict, lang: str, zh: str = "name", en: str = "name_en") -> str:
    return (row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or ""


def policies_view(rows: list[dict], chain: str, lang: str) -> list[Section]:
    """``chainkg policies``."""
    for r in rows:
        r["support_label"] = SUPPORT[lang][r["support"]]
    title = f"{chain}: 支持政策" if lang == "zh" else f"{chain}: supporting policies"
    return [Section(title, ["title", "doc_number", "issuer", "date", "in_force", "support_label", "sources"],
                    ["title", "doc no.", "issuer", "date", "in force", "support", "sources"], rows)]


def enterprises_view(rows: list[dict], chain: str, lang: str, page: dict | None = None) -> list[Section]:
    """``chainkg enterprises``; with ``page`` (:func:`kg.questions.chain_enterprises`' result) the note tells the
    total and how to see the next page."""
    for r in rows:
        r["label"], r["role_label"] = _name(r, lang), ROLE[lang][r["role"]]
    return [Section(f"{chain}: enterprises", ["label", "role_label", "segments", "districts", "parks", "confidence",
                                              "sources"],
                    ["enterprise", "role", "segments", "districts", "parks", "confidence", "sources"], rows,
                    note=_page_note(page, len(rows)) if page else "")]


def _page_note(page: dict, shown: int) -> str:
    """``rows 51-100 of 158,204; next page: --offset 100``."""
    first, last, total = page["offset"] + 1, page["offset"] + shown, page["total"]
    if not shown:
        return f"no rows at offset {page['offset']} ({total:,} in all)"
    text = f"rows {first:,}-{last:,} of {total:,}"
    if last < total:
        text += f"; next page: --offset {last} (--limit {page['limit']})"
    return text


def parks_view(rows: list[dict], chain: str, lang: str) -> list[Section]:
    """``chainkg parks``."""
    for r in rows:
        r["label"] = _name(r, lang)
    return [Section(f"{chain}: parks", ["label", "level", "district", "basis", "enterprise_count", "enterprises",
                                        "sources"],
                    ["park", "level", "district", "basis", "n", "via enterprises", "sources"], rows,
                    note=_named_note(rows, "enterprises"))]


def _named_note(rows: list[dict], column: str) -> str:
    """Why a row with enterprises counted lists none: the names are listed only for a few."""
    if any(r.get("enterprise_count", 0) > len(r.get(column) or []) for r in rows):
        return "n: the chain's enterprises there (counted by the build); names listed where there are at most 10."
    return ""


def chain_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg chain``: segments, enterprises, parks, places, policies, figures."""
    chain = profile["chain"]
    name = _name(chain, lang)
    segs = profile["segments"]
    for s in segs:
        s["label"] = _name(s, lang)
        s["count"] = s.get("enterprise_count", len(s["enterprises"]))
    places = profile["places"]
    for p in places:
        p["label"] = _name(p, lang)
    figures = profile["indicators"]
    for f in figures:
        f["label"] = _name(f, lang, "measure", "measure_en")
    head = Section(f"{name} ({chain['tier']}, {chain.get('group') or '—'})", ["segment_count", "enterprise_count",
                   "policy_count", "sources"], ["segments", "enterprises", "policies", "sources"],
                   [{"segment_count": len(segs), "enterprise_count": profile.get("enterprise_total",
                                                                         len(profile["enterprises"])),
                     "policy_count": len(profile["policies"]), "sources": chain["sources"]}])
    return [
        head,
        Section("segments (upstream → downstream)" if lang == "en" else "环节(上游 → 下游)",
                ["sequence", "label", "position", "count", "enterprises", "supplies_to", "codes"],
                ["#", "segment", "position", "n", "enterprises", "supplies to", "GB/T 4754 codes"], segs,
                note="Segment breakdown and codes are a modelling choice (source kind: modelling), not a fact of the "
                     "city."),
        *enterprises_view(profile["enterprises"], name, lang,
                          {"total": profile.get("enterprise_total", len(profile["enterprises"])), "offset": 0,
                           "limit": len(profile["enterprises"])}),
        *parks_view(profile["parks"], name, lang),
        Section(f"{name}: districts and zones", ["label", "basis", "enterprise_count", "via", "sources"],
                ["place", "basis", "n", "via", "sources"], places, note=_named_note(places, "via")),
        *policies_view(profile["policies"], name, lang),
        Section(f"{name}: figures and targets", ["label", "value", "unit", "year", "kind", "sources"],
                ["measure", "value", "unit", "year", "kind", "sources"], figures),
    ]


def district_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg district``."""
    place = profile["place"]
    name = _name(place, lang)
    code = place.get("divisionCode") or place.get("statisticalCode") or "—"
    for group in ("chains", "parks", "enterprises"):
        for r in profile[group]:
            r["label"] = _name(r, lang)
    for r in profile["policies"] + profile["positioning"] + profile["indicators"]:
        if "measure" in r:
            r["label"] = _name(r, lang, "measure", "measure_en")
    return [
        Section(f"{name} ({code}): positioning", ["text", "confidence", "sources"],
                ["positioning (as the sources word it)", "confidence", "sources"], profile["positioning"]),
        Section(f"{name}: chains", ["label", "tier", "basis", "enterprise_count", "via", "confidence", "sources"],
                ["chain", "tier", "basis", "n", "via", "confidence", "sources"], profile["chains"],
                note=_named_note(profile["chains"], "via")),
        Section(f"{name}: parks", ["label", "level", "sources"], ["park", "level", "sources"], profile["parks"]),
        Section(f"{name}: enterprises", ["label", "parks", "sources"], ["enterprise", "parks", "sources"],
                profile["enterprises"],
                note=_page_note({"offset": profile.get("offset", 0), "total": profile.get("enterprise_total", 0),
                                 "limit": len(profile["enterprises"]) or 50}, len(profile["enterprises"]))
                if profile.get("enterprise_total", 0) > len(profile["enterprises"]) else ""),
        Section(f"{name}: policies", ["title", "doc_number", "date", "basis", "sources"],
                ["title", "doc no.", "date", "applies as", "sources"], profile["policies"]),
        Section(f"{name}: figures", ["label", "value", "unit", "year", "kind", "sources"],
                ["measure", "value", "unit", "year", "kind", "sources"], profile["indicators"]),
    ]


def policy_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg policy``."""
    info = profile["policy"]
    facts = [{"field": k, "value": info.get(k)} for k in ("title", "doc_number", "type", "issuer", "date",
                                                          "date_in_force", "in_force", "general", "level",
                                                          "jurisdiction", "confidence")]
    facts.append({"field": "sources", "value": None, "sources": info.get("sources", [])})
    for r in profile["links"] + profile["targets"]:
        r["label"] = (r.get("target_en") if lang == "en" else None) or r.get("target") or _name(r, lang, "measure",
                                                                                                 "measure_en")
    return [
        Section(info["name"], ["field", "value", "sources"], ["field", "value", "sources"], facts),
        Section("links", ["direction", "relation", "label", "target_kind", "confidence", "sources"],
                ["dir", "relation", "target", "kind", "confidence", "sources"], profile["links"],
                note="dir: out = this document → target; in = target → this document."),
        Section("targets set", ["label", "value", "unit", "year", "sources"],
                ["measure", "value", "unit", "year", "sources"], profile["targets"]),
    ]


def chains_view(result: dict, tier: str, lang: str) -> list[Section]:
    """``chainkg chains``: the chains, and what is declared but unnamed."""
    rows = result["chains"]
    for r in rows:
        r["label"] = _name(r, lang)
        r["group_label"] = r["group_zh"] if lang == "zh" else r["group_en"]
    declared = result["declared"]
    note = ""
    if declared and tier in ("key", "all"):
        shown = sum(1 for r in rows if r["tier"] == "key")
        note = (f"{declared.get('key')} key chains (重点产业链) are declared; no public source names them. The {shown} "
                f"key chains shown are candidates named by the city's bodies, unconfirmed as members of the "
                f"{declared.get('key')}.")
    title = {"landmark": "landmark chains 标志性产业链", "key": "key chains 重点产业链"}.get(tier, "chains 产业链")
    return [Section(title, ["label", "tier", "group_label", "status", "target_2030", "sources"],
                    ["chain", "tier", "group", "status", "2030 target (亿元)", "sources"], rows, note)]


def show_view(result: dict, lang: str) -> list[Section]:
    """``chainkg show``: an entity's facts, and the links that point at it."""
    entity = result["entity"]
    sections = []
    for title, facts, arrow in (("facts", result["facts"], ""), ("links to it", result["links_in"], "← ")):
        rows = [{"property": arrow + (f.get(f"property_{lang}") or f["property"]),
                 "value": f.get(f"value_{lang}") or f["value_zh"] or f["value_en"] or f["value"],
                 "confidence": f["confidence"], "sources": f["sources"]} for f in facts]
        sections.append(Section(f"{entity['name']} ({entity['kind']}): {title}" if not arrow else title,
                                ["property", "value", "confidence", "sources"],
                                ["property", "value", "confidence", "sources"], rows))
    sections[0].note = f"<{entity['iri']}>"
    more = [c for c in result.get("links_in_counts", []) if c["total"] > c["shown"]]
    if more:
        sections[1].note = "; ".join(f"{c.get(f'property_{lang}') or c['property']}: {c['shown']} of "
                                     f"{c['total']:,}{'+' if c.get('capped') else ''} shown" for c in more)
    return sections


def stats_view(result: dict) -> list[Section]:
    """``chainkg stats``."""
    rows = [{"what": f"entities: {k}", "count": v} for k, v in result["classes"].items()]
    rows += [{"what": f"facts: {k}", "count": v} for k, v in result["facts_by_confidence"].items()]
    rows += [{"what": "unsourced facts", "count": result["unsourced_facts"]},
             {"what": "assertions breaking the confidence rules", "count": result["confidence_rule_breaks"]},
             {"what": "quads in store", "count": result["quads"]},
             {"what": "named graphs", "count": result["graphs"]}]
    return [Section("chainkg stats", ["what", "count"], ["what", "count"], rows)]
