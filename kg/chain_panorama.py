"""The 产业链全景图 of one chain: its segments in 上游 / 中游 / 下游 (/ 配套支撑) columns, each a box listing its local
enterprises (链主 and 龙头 first), gaps marked by grade; the chain's enterprises placed in no segment in their own area;
parks, districts and policies beside. Plus the side-panel entries (:mod:`kg.panel`) and the find list of the page.

The result is plain data for ``kg/templates/panorama.html`` (a DOM grid, not a canvas: legible at the default zoom and
printable). A segment box lists at most ``cap`` enterprises and counts the rest; its panel entry lists every
enterprise the profile holds (the first page of a large chain, :data:`kg.questions.PAGE`) and counts the others.
"""

from __future__ import annotations

from collections import defaultdict

from kg import panel
from kg.i18n import code, t
from kg.panel import Names, entry, fact
from kg.viz import GRADES, MARK, name_of, ref

#: Enterprises listed in a segment box (the rest are counted, and listed in the side panel).
CAP = 12
STAGES = ("upstream", "midstream", "downstream", "support")
ROLE_ORDER = {"chain_master": 0, "leading": 1, "member": 2}
ROLE_MARK = {"chain_master": "★", "leading": "◆", "member": ""}


def stage_order(position: str | None) -> tuple[int, str]:
    return (STAGES.index(position) if position in STAGES else len(STAGES), position or "")


def stage_label(position: str | None, lang: str) -> str:
    return code("position", position, lang) if position else t("page.unknown", lang)


def grade_of(gaps_by: dict, seg: dict) -> dict:
    """The gap row of a segment (by IRI, then by name); a segment the analysis did not grade reads as blank."""
    return gaps_by.get(seg.get("iri")) or gaps_by.get(seg["name"]) or {"grade": "blank", "reasons": []}


def grade_label(grade: str, lang: str) -> str:
    return f"{MARK.get(grade, '')}{code('grade', grade, lang)}"


def chip(ent: dict, lang: str) -> dict:
    """An enterprise as a clickable chip: name, role badge (链主 / 龙头), panel key."""
    role = ent.get("role") or "member"
    return {"ref": ref("ent", ent["iri"]), "name": name_of(ent, lang), "zh": panel.zh_only(ent, lang), "role": role,
            "badge": f"{ROLE_MARK[role]}{code('role', role, lang)}" if role != "member" else ""}


def names_of(profile: dict, lang: str) -> Names:
    """The page's names, each opening its own panel entry."""
    names = Names(lang, profile["segments"], profile["enterprises"], profile["parks"], profile["places"])
    for seg in profile["segments"]:
        names.refs[seg["name"]] = ref("seg", seg.get("iri") or seg["name"])
    for kind, rows in (("ent", profile["enterprises"]), ("park", profile["parks"]), ("place", profile["places"])):
        for row in rows:
            names.refs.setdefault(row["name"], ref(kind, row.get("iri") or row["name"]))
    return names


def chain_panorama(profile: dict, gaps: list[dict], lang: str = "zh", cap: int = CAP,
                   unplaced_total: int | None = None) -> dict:
    """The panorama of one chain.

    Args:
        profile: :func:`kg.questions.chain_profile`'s result.
        gaps: the chain's graded segments (:func:`kg.analysis.assess_chain` rows: ``iri``, ``segment``, ``grade``,
            ``reasons``, ``evidence``, ``unknown``).
        cap: enterprises listed in a box; the rest are counted (``more``) and listed in the panel.
        unplaced_total: how many of the chain's enterprises have no segment, when the profile holds only a page.

    Returns:
        ``{"stages": [{"position", "label", "segments": [box]}], "unplaced": {...}, "context": {...},
        "grades": {grade: n}, "panel": {ref: entry}, "find": [[text, kind, ref, other name]]}``.
    """
    gaps_by = {}
    for g in gaps:
        for key in (g.get("iri"), g.get("segment")):
            if key:
                gaps_by.setdefault(key, g)
    names = names_of(profile, lang)
    ents = {e["name"]: e for e in profile["enterprises"]}
    seg_names = {s["name"] for s in profile["segments"]}
    supplied_by = defaultdict(list)
    for seg in profile["segments"]:
        for target in seg.get("supplies_to") or []:
            supplied_by[target].append(seg["name"])
    by_policy = defaultdict(list)
    for pol in profile["policies"]:
        for via in pol.get("via") or []:
            by_policy[via].append(pol)
    entries: dict[str, dict] = {}
    find: list[list[str]] = []
    stages: dict[str | None, list[dict]] = defaultdict(list)
    grades = dict.fromkeys(GRADES, 0)
    ordered = sorted(enumerate(profile["segments"]), key=lambda p: (p[1]["sequence"], p[0]))
    for _, seg in ordered:
        gap = grade_of(gaps_by, seg)
        grade = gap["grade"] if gap["grade"] in GRADES else "blank"
        grades[grade] += 1
        members = sorted((ents[n] for n in seg["enterprises"] if n in ents),
                         key=lambda e: ROLE_ORDER.get(e.get("role"), 2))
        total = max(seg.get("enterprise_count") or 0, len(seg["enterprises"]))
        key = ref("seg", seg.get("iri") or seg["name"])
        shown = [chip(e, lang) for e in members[:cap]]
        stages[seg.get("position")].append({
            "ref": key, "name": name_of(seg, lang), "zh": panel.zh_only(seg, lang), "grade": grade,
            "grade_label": grade_label(grade, lang), "chips": shown, "more": total - len(shown), "total": total})
        entries[key] = _segment_entry(seg, gap, grade, members, total, names, supplied_by[seg["name"]],
                                      by_policy.get(seg["name"], []), lang)
        find.append([name_of(seg, lang), t("page.segment", lang), key, _other(seg, lang)])
    unplaced = [e for e in profile["enterprises"] if not set(e.get("segments") or []) & seg_names]
    unplaced.sort(key=lambda e: ROLE_ORDER.get(e.get("role"), 2))
    for ent in profile["enterprises"]:
        key = ref("ent", ent["iri"])
        entries[key] = panel.enterprise_entry(ent, lang, names)
        find.append([name_of(ent, lang), code("role", ent.get("role"), lang), key, _other(ent, lang)])
    context = _context(profile, names, entries, find, lang, cap)
    count = max(unplaced_total or 0, len(unplaced))
    unplaced_key = ref("unplaced", profile["chain"]["iri"])
    if count:
        entries[unplaced_key] = {
            "kind": t("page.unplaced", lang), "title": t("page.unplaced_n", lang, n=count), "zh": False, "alt": "",
            "facts": [f for f in (fact("page.notes", t("page.unplaced_note", lang), lang),
                                  fact("page.enterprises", [names(e["name"]) for e in unplaced] + _not_listed(
                                      count, len(unplaced), lang), lang, "nm")) if f],
            "sources": []}
    chain = profile["chain"]
    entries[ref("chain", chain["iri"])] = entry("page.chain", chain, lang, [
        fact("page.group", chain.get("group_en") if lang == "en" else chain.get("group"), lang),
        fact("page.segments", str(len(profile["segments"])), lang),
        fact("page.enterprises", str(max(profile.get("enterprise_total") or 0, len(profile["enterprises"]))), lang)],
        chain.get("sources"))
    return {"stages": [{"position": pos, "label": stage_label(pos, lang), "segments": stages[pos]}
                       for pos in sorted(stages, key=stage_order)],
            "unplaced": {"ref": unplaced_key, "count": count, "chips": [chip(e, lang) for e in unplaced[:cap]],
                         "more": count - min(cap, len(unplaced)),
                         "title": t("page.unplaced_n", lang, n=count)},
            "context": context, "grades": grades, "panel": entries, "find": find}


def _not_listed(total: int, listed: int, lang: str) -> list[str]:
    return [t("page.not_listed", lang, n=total - listed)] if total > listed else []


def _other(row: dict, lang: str) -> str:
    """The other language's name, for the find box to match on."""
    return str((row.get("name") if lang == "en" else row.get("name_en")) or "")


def _segment_entry(seg: dict, gap: dict, grade: str, members: list[dict], total: int, names: Names,
                   upstream: list[str], policies: list[dict], lang: str) -> dict:
    listed = [names(e["name"]) for e in members]
    evidence = gap.get("evidence") if isinstance(gap.get("evidence"), dict) else {}
    return entry("page.segment", seg, lang, [
        fact("page.position", stage_label(seg.get("position"), lang), lang),
        fact("page.sequence", str(seg.get("sequence")), lang),
        fact("page.grade", grade_label(grade, lang), lang),
        fact("page.reasons", [panel.reason_text(r, lang) for r in gap.get("reasons") or []], lang, "reason"),
        fact("page.enterprises", (listed or [t("page.no_enterprise", lang)]) + _not_listed(total, len(members), lang),
             lang, "nm"),
        fact("page.codes", [{"text": c, "zh": lang == "en"} for c in seg.get("codes") or []], lang, "nm"),
        fact("page.supplies", [names(s) for s in seg.get("supplies_to") or []], lang, "nm"),
        fact("page.supplied_by", [names(s) for s in upstream], lang, "nm"),
        fact("page.policies", [names.text(p.get("title")) | {"ref": ref("policy", p.get("iri") or p["title"])}
                               for p in policies], lang, "nm"),
        fact("page.notes", [panel.reason_text(u, lang) for u in gap.get("unknown") or []], lang, "reason")],
        evidence.get("sources"), grade=grade)


def _context(profile: dict, names: Names, entries: dict, find: list, lang: str, cap: int) -> dict:
    """Parks, districts/zones and policies of the chain: chips for the summary under the columns, panel entries."""
    out = {}
    for kind, rows, label in (("park", profile["parks"], "page.parks"), ("place", profile["places"], "page.places")):
        chips = []
        for row in rows:
            key = ref(kind, row.get("iri") or row["name"])
            entries[key] = (panel.park_entry if kind == "park" else panel.place_entry)(row, lang, names)
            chips.append({"ref": key, "name": name_of(row, lang), "zh": panel.zh_only(row, lang)})
            find.append([name_of(row, lang), t(f"page.{kind}", lang), key, _other(row, lang)])
        out[kind] = {"label": t(label, lang), "chips": chips[:cap], "more": max(0, len(chips) - cap)}
    chips = []
    for pol in profile["policies"]:
        key = ref("policy", pol.get("iri") or pol["title"])
        entries[key] = panel.policy_entry(pol, lang, names)
        support = pol.get("support") or "direct"
        chips.append({"ref": key, "name": pol["title"], "zh": lang == "en", "badge": t(f"page.{support}", lang)})
        find.append([pol["title"], t("page.policy", lang), key, pol.get("doc_number") or ""])
    out["policy"] = {"label": t("page.policies", lang), "chips": chips[:cap], "more": max(0, len(chips) - cap)}
    return out
