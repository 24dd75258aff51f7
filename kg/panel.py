"""Side-panel entries of the map pages: the facts and sources of one segment, enterprise, park, place, policy or chain.

A page embeds ``{ref: entry}`` (in its ``#chainkg-data`` JSON) and :file:`kg/static/map.js` draws an entry when the
planner clicks a box, a chip or a network node carrying that ``ref`` (:func:`kg.viz.ref`). An entry is plain data:

``{"kind", "title", "zh", "alt", "grade", "facts": [{"label", "values", "cls"}], "sources": [{"title", "meta", "url"}],
"href"}``

where a value is a string or ``{"text", "ref", "zh"}`` (a name that opens its own entry); ``zh`` marks a name shown in
Chinese on an English page because the data has no English form; ``cls`` is ``nm`` for names and ``reason`` for text
from the gap analysis. The script writes every text with ``textContent`` and makes a link only of an ``http(s)``
address, so nothing here is markup. All wording comes from :mod:`kg.i18n`.
"""

from __future__ import annotations

import re

from kg.i18n import MESSAGES, Note, code, say, t
from kg.viz import basis_label, name_of, ref

_WEB = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def web_address(url) -> bool:
    """Whether an address may become a link: ``http``/``https`` with nothing that could leave an attribute."""
    return bool(url) and _WEB.match(str(url)) is not None


def zh_only(row: dict, lang: str, en: str = "name_en") -> bool:
    """On an English page, a name shown in Chinese because the data has no English form."""
    return lang == "en" and not row.get(en)


def reason_text(reason, lang: str) -> str:
    """A gap reason as text: a string as is; a structured reason (``{"code", "params", "text"}``) by its catalogue
    entry when there is one, else its ``text``."""
    if isinstance(reason, Note):
        return say(reason, lang)
    if isinstance(reason, dict):
        key = reason.get("code")
        if key and key in MESSAGES:
            try:
                return t(key, lang, **(reason.get("params") or {}))
            except (KeyError, IndexError, ValueError):
                pass
        return str(reason.get("text") or reason.get("code") or "")
    return str(reason)


def sources(rows: list[dict] | None, limit: int = 40) -> list[dict]:
    """Sources as panel rows (title, outlet · date, address if it is a web address), each once."""
    out, seen = [], set()
    for src in rows or []:
        if not isinstance(src, dict):
            continue
        key = src.get("id") or src.get("title") or src.get("label")
        if key in seen:
            continue
        seen.add(key)
        url = str(src.get("url") or "")
        out.append({"title": str(src.get("title") or src.get("label") or src.get("id") or ""),
                    "meta": " · ".join(str(p) for p in (src.get("outlet"), src.get("date")) if p),
                    "url": url if web_address(url) else "", "text": "" if web_address(url) else url})
        if len(out) >= limit:
            break
    return out


def fact(label_key: str, values, lang: str, cls: str = "") -> dict | None:
    """One labelled line (``None`` when there is nothing to say)."""
    values = [v for v in (values if isinstance(values, list) else [values]) if v not in (None, "", [])]
    return {"label": t(label_key, lang), "values": values, "cls": cls} if values else None


def entry(kind_key: str, row: dict, lang: str, facts: list, source_rows=None, **extra) -> dict:
    """A panel entry: kind, title (name in ``lang``), the other language's name, facts, sources."""
    other = None if lang == "en" else row.get("name_en")
    return {"kind": t(kind_key, lang), "title": name_of(row, lang), "zh": zh_only(row, lang),
            "alt": str(other) if other and other != name_of(row, lang) else "",
            "facts": [f for f in facts if f], "sources": sources(source_rows), **extra}


class Names:
    """Names from the data as panel values in a page's language: ``names("莱芜区")`` → ``{"text": "Laiwu District"}``
    on an English page when the data has that English name, else the Chinese name marked ``zh``."""

    def __init__(self, lang: str, *tables: list[dict]) -> None:
        self.lang = lang
        self.en = {r["name"]: r["name_en"] for rows in tables for r in rows or [] if r.get("name") and r.get("name_en")}
        self.refs: dict[str, str] = {}

    def __call__(self, name: str | None, kind: str | None = None, key=None) -> dict | None:
        if not name:
            return None
        english = self.en.get(name) if self.lang == "en" else None
        value = {"text": english or name, "zh": self.lang == "en" and not english}
        target = ref(kind, key) if kind else self.refs.get(name)
        if target:
            value["ref"] = target
        return value

    def text(self, value: str | None) -> dict | None:
        """Text from the data that has no English form (titles, issuers, document numbers): as is, marked."""
        return {"text": str(value), "zh": self.lang == "en"} if value else None


def enterprise_entry(ent: dict, lang: str, names: Names) -> dict:
    """An enterprise: role, segments (each opens its entry), districts, parks, confidence, sources."""
    return entry("page.enterprise", ent, lang, [
        fact("page.role", code("role", ent.get("role"), lang), lang),
        fact("page.segments", [names(s) for s in ent.get("segments") or []] or [t("page.unplaced", lang)], lang,
             "nm"),
        fact("page.districts", [names(d) for d in ent.get("districts") or []], lang, "nm"),
        fact("page.parks", [names(p) for p in ent.get("parks") or []], lang, "nm"),
        fact("page.confidence", code("confidence", ent.get("confidence"), lang), lang)], ent.get("sources"),
        role=ent.get("role"))


def park_entry(park: dict, lang: str, names: Names) -> dict:
    return entry("page.park", park, lang, [
        fact("page.level", code("level", park.get("level"), lang), lang),
        fact("page.districts", names(park.get("district")), lang, "nm"),
        fact("page.basis", basis_label(park.get("basis"), lang), lang),
        fact("page.enterprises", [names(e) for e in park.get("enterprises") or []], lang, "nm"),
        fact("page.confidence", code("confidence", park.get("confidence"), lang), lang)], park.get("sources"))


def place_entry(place: dict, lang: str, names: Names) -> dict:
    return entry("page.place", place, lang, [
        fact("page.basis", [basis_label(b, lang) for b in place.get("basis") or []], lang),
        fact("page.via", [names(v) for v in place.get("via") or []], lang, "nm"),
        fact("page.confidence", code("confidence", place.get("confidence"), lang), lang)], place.get("sources"))


def policy_entry(pol: dict, lang: str, names: Names) -> dict:
    """A policy (titles have no English form in the data: shown as they are, marked)."""
    support = pol.get("support")
    return {"kind": t("page.policy", lang), "title": pol.get("title") or "", "zh": lang == "en", "alt": "",
            "facts": [f for f in (
                fact("page.doc_number", names.text(pol.get("doc_number")), lang, "nm"),
                fact("page.issuer", names.text(pol.get("issuer")), lang, "nm"),
                fact("page.date", pol.get("date"), lang),
                fact("page.level", code("level", pol.get("level"), lang), lang),
                fact("page.basis", t(f"page.{support}", lang) if f"page.{support}" in MESSAGES else support, lang),
                fact("page.via", [names(v) for v in pol.get("via") or []], lang, "nm")) if f],
            "sources": sources(pol.get("sources"))}
