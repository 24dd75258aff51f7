"""Question results → titled tables for the terminal and spreadsheets, in Chinese or English.

Each ``*_view`` function takes what :mod:`kg.questions` returns and gives a list of :class:`Section`; the CLI renders
them with :mod:`kg.output`. JSON output does not go through here: it is the question's own rows.
"""

from __future__ import annotations

import re

from kg.figures import figure_text
from kg.i18n import DEFAULT_LANG, code, name_in, say, t
from kg.render import Section, render  # noqa: F401  (render: where the views' tables are laid out, kept importable)

#: Chinese characters (and CJK punctuation) in a cell: in English output they mark names the data has only in Chinese.
CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _name(row: dict, lang: str, zh: str = "name", en: str = "name_en") -> str:
    return name_in(row, lang, zh, en)


def _names(row: dict, key: str, lang: str):
    """A list (or one name) of names in ``lang``: the row's ``{key}_en`` in English where it has one."""
    return (row.get(f"{key}_en") if lang == "en" else None) or row.get(key)


def _h(lang: str, *keys: str) -> list[str]:
    """Column headers from the catalogue (``col.KEY``)."""
    return [t(f"col.{k}", lang) for k in keys]


def _codes(group: str, values, lang: str):
    """A code value, or a list of them, as labels."""
    if isinstance(values, (list, tuple)):
        return [code(group, v, lang) for v in values]
    return code(group, values, lang)


def finish(sections: list[Section], lang: str, skip: tuple[str, ...] = ("sources",)) -> list[Section]:
    """Set every section's language; in English, say once (in the last note) when some names are shown in Chinese
    because the data has no English form of them."""
    for s in sections:
        s.lang = lang
        s.rows = [{k: code("bool", "yes" if v else "no", lang) if isinstance(v, bool) else v for k, v in row.items()}
                  for row in s.rows]
    said = t("tbl.names_zh_only", lang)
    if lang == "en" and sections and not any(said in s.note for s in sections) and any(
            CJK.search(str(v)) for s in sections for r in s.rows for k, v in r.items()
            if k in s.columns and k not in skip):
        last = sections[-1]
        last.note = (last.note + "\n" if last.note else "") + said
    return sections


def policies_view(rows: list[dict], chain: str, lang: str) -> list[Section]:
    """``chainkg policies``."""
    return finish([_policies(rows, chain, lang)], lang)


def _policies(rows: list[dict], chain: str, lang: str) -> Section:
    for r in rows:
        r["support_label"] = code("support", r["support"], lang)
    return Section(t("title.policies", lang, chain=chain),
                   ["title", "doc_number", "issuer", "date", "in_force", "support_label", "sources"],
                   _h(lang, "title", "doc_number", "issuer", "date", "in_force", "support", "sources"), rows, lang=lang)


def enterprises_view(rows: list[dict], chain: str, lang: str, page: dict | None = None) -> list[Section]:
    """``chainkg enterprises``; with ``page`` (:func:`kg.questions.chain_enterprises`' result) the note tells the
    total and how to see the next page."""
    return finish([_enterprises(rows, chain, lang, page)], lang)


def _enterprises(rows: list[dict], chain: str, lang: str, page: dict | None = None) -> Section:
    for r in rows:
        r["label"], r["role_label"] = _name(r, lang), code("role", r["role"], lang)
        r["confidence_label"] = code("confidence", r.get("confidence"), lang)
        for key in ("segments", "districts", "parks"):
            r[f"{key}_label"] = _names(r, key, lang)
    return Section(t("title.enterprises", lang, chain=chain),
                   ["label", "role_label", "segments_label", "districts_label", "parks_label", "confidence_label",
                    "sources"],
                   _h(lang, "enterprise", "role", "segments", "districts", "parks", "confidence", "sources"),
                   rows, note=_page_note(page, len(rows), lang) if page else "", lang=lang)


def _page_note(page: dict, shown: int, lang: str) -> str:
    """``rows 51-100 of 158,204; next page: --offset 100``."""
    first, last, total = page["offset"] + 1, page["offset"] + shown, page["total"]
    if not shown:
        return t("tbl.page_empty", lang, offset=page["offset"], total=total)
    text = t("tbl.page", lang, first=first, last=last, total=total)
    if last < total:
        text += ("; " if lang == "en" else ";") + t("tbl.page_next", lang, last=last, limit=page["limit"])
    return text


def parks_view(rows: list[dict], chain: str, lang: str) -> list[Section]:
    """``chainkg parks``."""
    return finish([_parks(rows, chain, lang)], lang)


def _parks(rows: list[dict], chain: str, lang: str) -> Section:
    for r in rows:
        r["label"] = _name(r, lang)
        r["level_label"], r["basis_label"] = code("level", r.get("level"), lang), _codes("basis", r.get("basis"), lang)
        r["district_label"], r["enterprises_label"] = _names(r, "district", lang), _names(r, "enterprises", lang)
    return Section(t("title.parks", lang, chain=chain),
                   ["label", "level_label", "district_label", "basis_label", "enterprise_count", "enterprises_label",
                    "sources"],
                   _h(lang, "park", "level", "district", "basis", "n", "via_enterprises", "sources"), rows,
                   note=_named_note(rows, "enterprises", lang), lang=lang)


def _named_note(rows: list[dict], column: str, lang: str) -> str:
    """Why a row with enterprises counted lists none: the names are listed only for a few."""
    if any(r.get("enterprise_count", 0) > len(r.get(column) or []) for r in rows):
        return t("tbl.named_note", lang)
    return ""


def _figures(rows: list[dict], lang: str) -> list[dict]:
    for f in rows:
        f["label"] = _name(f, lang, "measure", "measure_en")
        f["kind_label"] = code("indicator_kind", f.get("kind"), lang)
        f["unit_label"] = code("unit", f.get("unit"), lang)
        # the figure as read, unit and qualifier included: 近 800 家 never shows as a bare 800
        f["figure"] = figure_text(f.get("value"), f.get("unit"), f.get("qualifier"), f.get("qualifier_word"), lang)
    return rows


def chain_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg chain``: segments, enterprises, parks, places, policies, figures."""
    chain = profile["chain"]
    name = _name(chain, lang)
    segs = profile["segments"]
    for s in segs:
        s["label"] = _name(s, lang)
        s["count"] = s.get("enterprise_count", len(s["enterprises"]))
        s["position_label"] = code("position", s.get("position"), lang)
        s["enterprises_label"], s["supplies_to_label"] = _names(s, "enterprises", lang), _names(s, "supplies_to", lang)
    places = profile["places"]
    for p in places:
        p["label"] = _name(p, lang)
        p["basis_label"], p["via_label"] = _codes("basis", p.get("basis"), lang), _names(p, "via", lang)
    figures = _figures(profile["indicators"], lang)
    group = chain.get("group_en") if lang == "en" else chain.get("group")
    head = Section(f"{name} ({code('tier', chain['tier'], lang)}, {group or t('unknown', lang)})",
                   ["segment_count", "enterprise_count", "policy_count", "sources"],
                   _h(lang, "segment_count", "enterprise_count", "policy_count", "sources"),
                   [{"segment_count": len(segs), "enterprise_count": profile.get("enterprise_total",
                                                                                 len(profile["enterprises"])),
                     "policy_count": len(profile["policies"]), "sources": chain["sources"]}])
    return finish([
        head,
        Section(t("title.segments", lang),
                ["sequence", "label", "position_label", "count", "enterprises_label", "supplies_to_label", "codes"],
                _h(lang, "seq", "segment", "position", "n", "enterprises", "supplies_to", "codes"), segs,
                note=t("note.segments", lang)),
        _enterprises(profile["enterprises"], name, lang,
                     {"total": profile.get("enterprise_total", len(profile["enterprises"])), "offset": 0,
                      "limit": len(profile["enterprises"])}),
        _parks(profile["parks"], name, lang),
        Section(t("title.places", lang, name=name), ["label", "basis_label", "enterprise_count", "via_label",
                                                       "sources"],
                _h(lang, "place", "basis", "n", "via", "sources"), places, note=_named_note(places, "via", lang)),
        _policies(profile["policies"], name, lang),
        Section(t("title.figures_targets", lang, name=name), ["label", "figure", "year", "kind_label",
                                                                "sources"],
                _h(lang, "measure", "value", "year", "kind", "sources"), figures),
    ], lang)


def district_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg district``."""
    place = profile["place"]
    name = _name(place, lang)
    division = place.get("divisionCode") or place.get("statisticalCode") or t("unknown", lang)
    for group in ("chains", "parks", "enterprises"):
        for r in profile[group]:
            r["label"] = _name(r, lang)
    for r in profile["chains"]:
        r["tier_label"], r["basis_label"] = code("tier", r.get("tier"), lang), _codes("basis", r.get("basis"), lang)
        r["via_label"] = _names(r, "via", lang)
    for r in profile["enterprises"]:
        r["parks_label"] = _names(r, "parks", lang)
    for r in profile["parks"]:
        r["level_label"] = code("level", r.get("level"), lang)
    for r in profile["policies"]:
        r["basis_label"] = _codes("basis", r.get("basis"), lang)
    for r in profile["positioning"] + profile["chains"]:
        r["confidence_label"] = code("confidence", r.get("confidence"), lang)
    _figures(profile["indicators"], lang)
    return finish([
        Section(t("title.positioning", lang, name=name, code=division), ["text", "confidence_label", "sources"],
                _h(lang, "positioning", "confidence", "sources"), profile["positioning"]),
        Section(t("title.district_chains", lang, name=name),
                ["label", "tier_label", "basis_label", "enterprise_count", "via_label", "confidence_label",
                 "sources"],
                _h(lang, "chain", "tier", "basis", "n", "via", "confidence", "sources"), profile["chains"],
                note=_named_note(profile["chains"], "via", lang)),
        Section(t("title.district_parks", lang, name=name), ["label", "level_label", "sources"],
                _h(lang, "park", "level", "sources"), profile["parks"]),
        Section(t("title.district_enterprises", lang, name=name), ["label", "parks_label", "sources"],
                _h(lang, "enterprise", "parks", "sources"), profile["enterprises"],
                note=_page_note({"offset": profile.get("offset", 0), "total": profile.get("enterprise_total", 0),
                                 "limit": len(profile["enterprises"]) or 50}, len(profile["enterprises"]), lang)
                if profile.get("enterprise_total", 0) > len(profile["enterprises"]) else ""),
        Section(t("title.district_policies", lang, name=name), ["title", "doc_number", "date", "basis_label",
                                                                  "sources"],
                _h(lang, "title", "doc_number", "date", "applies_as", "sources"), profile["policies"]),
        Section(t("title.figures", lang, name=name), ["label", "figure", "year", "kind_label", "sources"],
                _h(lang, "measure", "value", "year", "kind", "sources"), profile["indicators"]),
    ], lang)


#: How a policy fact's value is shown: as a code label (group) or as it is.
_FACT_CODES = {"level": "level", "confidence": "confidence"}


def policy_view(profile: dict, lang: str) -> list[Section]:
    """``chainkg policy``."""
    info = profile["policy"]
    facts = []
    for k in ("title", "doc_number", "type", "issuer", "date", "date_in_force", "in_force", "general", "level",
              "jurisdiction", "confidence"):
        value = info.get("type_en") or info.get(k) if k == "type" and lang == "en" else info.get(k)
        facts.append({"field": t(f"field.{k}", lang),
                      "value": code(_FACT_CODES[k], value, lang) if k in _FACT_CODES else value})
    facts.append({"field": t("field.sources", lang), "value": None, "sources": info.get("sources", [])})
    _figures(profile["targets"], lang)
    for r in profile["links"] + profile["targets"]:
        r["label"] = (r.get("target_en") if lang == "en" else None) or r.get("target") or _name(r, lang, "measure",
                                                                                                 "measure_en")
    for r in profile["links"]:
        r["direction_label"], r["relation_label"] = (code("direction", r.get("direction"), lang),
                                                     code("relation", r.get("relation"), lang))
        r["kind_label"] = code("class", r.get("target_kind"), lang)
        r["confidence_label"] = code("confidence", r.get("confidence"), lang)
    return finish([
        Section(info["name"], ["field", "value", "sources"], _h(lang, "field", "value", "sources"), facts),
        Section(t("title.links", lang), ["direction_label", "relation_label", "label", "kind_label",
                                         "confidence_label", "sources"],
                _h(lang, "dir", "relation", "target", "kind", "confidence", "sources"), profile["links"],
                note=t("note.links", lang)),
        Section(t("title.targets_set", lang), ["label", "figure", "year", "sources"],
                _h(lang, "measure", "value", "year", "sources"), _figures(profile["targets"], lang)),
    ], lang)


def chains_view(result: dict, tier: str, lang: str) -> list[Section]:
    """``chainkg chains``: the chains, and what is declared but unnamed."""
    rows = result["chains"]
    for r in rows:
        r["label"] = _name(r, lang)
        r["group_label"] = r["group_zh"] if lang == "zh" else r["group_en"]
        r["tier_label"], r["status_label"] = code("tier", r["tier"], lang), code("status", r["status"], lang)
    declared = result["declared"]
    note = ""
    if declared and tier in ("key", "all"):
        shown = sum(1 for r in rows if r["tier"] == "key")
        note = t("note.key_chains", lang, declared=declared.get("key"), shown=shown)
    title = t(f"title.chains.{tier if tier in ('landmark', 'key') else 'all'}", lang)
    return finish([Section(title, ["label", "tier_label", "group_label", "status_label", "target_2030", "sources"],
                           _h(lang, "chain", "tier", "group", "status", "target_2030", "sources"), rows, note)], lang)


def show_view(result: dict, lang: str) -> list[Section]:
    """``chainkg show``: an entity's facts, and the links that point at it."""
    entity = result["entity"]
    sections = []
    for facts, arrow in ((result["facts"], ""), (result["links_in"], "← ")):
        rows = [{"property": arrow + (f.get(f"property_{lang}") or f["property"]),
                 "value": f.get(f"value_{lang}") or f["value_zh"] or f["value_en"] or f["value"],
                 "confidence": code("confidence", f["confidence"], lang), "sources": f["sources"]} for f in facts]
        title = (t("title.links_in", lang) if arrow else
                 t("title.facts", lang, name=_name(entity, lang), kind=code("entity_kind", entity["kind"], lang)))
        sections.append(Section(title, ["property", "value", "confidence", "sources"],
                                _h(lang, "property", "value", "confidence", "sources"), rows))
    sections[0].note = f"<{entity['iri']}>"
    more = [c for c in result.get("links_in_counts", []) if c["total"] > c["shown"]]
    if more:
        sections[1].note = "; ".join(t("note.shown_of", lang, property=c.get(f"property_{lang}") or c["property"],
                                       shown=c["shown"], total=c["total"], plus="+" if c.get("capped") else "")
                                     for c in more)
    return finish(sections, lang)


def stats_view(result: dict, lang: str = DEFAULT_LANG) -> list[Section]:
    """``chainkg stats``."""
    rows = [{"what": t("stats.entities", lang, label=code("class", k, lang)), "count": v}
            for k, v in result["classes"].items()]
    rows += [{"what": t("stats.facts", lang, label=code("confidence", k, lang)), "count": v}
             for k, v in result["facts_by_confidence"].items()]
    rows += [{"what": t("stats.unsourced", lang), "count": result["unsourced_facts"]},
             {"what": t("stats.rule_breaks", lang), "count": result["confidence_rule_breaks"]},
             {"what": t("stats.quads", lang), "count": result["quads"]},
             {"what": t("stats.graphs", lang), "count": result["graphs"]}]
    return finish([Section(t("title.stats", lang), ["what", "count"], _h(lang, "what", "count"), rows)], lang)


def notes_in(notes, lang: str) -> list[str]:
    """Notes (:class:`kg.i18n.Note` or text) in ``lang``."""
    return [say(n, lang) for n in notes]
