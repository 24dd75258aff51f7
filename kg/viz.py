"""Maps: pyvis networks with positions computed here, rendered as self-contained, offline, injection-safe HTML.

Maps are functions from question results (plain rows from :mod:`kg.questions`, grades from the gap analysis) to a
:class:`pyvis.network.Network`: :func:`chain_network` here (segments upstream → downstream, enterprises, parks,
places, policies); the overview and district maps in :mod:`kg.overview_maps`, built with the same
:class:`NetworkBuilder`. :func:`kg.map_page.render_page` turns a network into one HTML string; nothing here writes
files.

Why not pyvis's own output: its template links Bootstrap and vis-network from CDNs, ``write_html``/``show`` write
without an encoding and copy ``lib/`` into the working directory, and the template pastes the heading unescaped. We
keep pyvis as the network model (node and edge lists filled directly: ``from_nx`` is quadratic) and render with our
template (``kg/templates/map.html``, Jinja2 autoescaping), inlining the vis-network build that pyvis ships.

Safety: every text reaches the page either through autoescaped Jinja, or inside the node data, which is JSON in a
``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped (:func:`script_json`) and
read with ``JSON.parse``. Labels are drawn on a canvas (``font.multi`` stays off, so no markup is read) and
vis-network 9 shows a string ``title`` with ``innerText``: tooltips are plain text. A Content-Security-Policy
allows only the page's own two scripts (by hash) and no network access at all.

Layout: physics off, positions computed here. Segments sit in columns by ``sequence`` (left = upstream), several
segments of one sequence stacked; each segment's enterprises hang below it; parks and places form two bands below,
each node near the mean x of what links to it; policies form a column on the left, next to the chain node.
"""

from __future__ import annotations

import math
from collections import defaultdict

from pyvis.network import Network

from kg.i18n import CODES, LANGS, MESSAGES, code, say, t

#: Segments with more enterprises than this show chain-masters and leading enterprises, and one count node.
COLLAPSE = 12
GRADES = ("strong", "potential", "weak", "blank")
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"

#: Words of the maps by short key, per language, all from the catalogue (:mod:`kg.i18n`): grades, positions and roles
#: are code labels, the rest are ``page.*`` messages.
_WORDS = ("chain", "segment", "segments", "chain_master", "leading", "member", "count", "park", "parks", "place",
          "places", "districts", "policy", "all_chains", "supplies", "direct", "inherited", "general", "specific",
          "role", "position", "grade", "codes", "confidence", "basis", "via", "issuer", "doc_number", "date",
          "enterprises", "completeness", "unknown", "more", "count_label", "unplaced", "level", "positioned")


def _text(lang: str) -> dict[str, str]:
    words = {k: t(f"page.{k}", lang) for k in _WORDS}
    words["sources"] = t("sources", lang)
    words.update({g: code("grade", g, lang) for g in CODES["grade"]})
    words.update({p: code("position", p, lang) for p in CODES["position"]})
    return words


TEXT = {lang: _text(lang) for lang in LANGS}
MARK = {"strong": "", "potential": "◇", "weak": "△", "blank": "✕"}

STYLE = {
    "chain": {"shape": "box", "color": {"background": "#1a3d6d", "border": "#0d2340"}, "margin": 10,
              "font": {"color": "#ffffff", "size": 22}},
    "strong": {"shape": "box", "color": {"background": "#c8e6c9", "border": "#2e7d32"}, "borderWidth": 2},
    "potential": {"shape": "box", "color": {"background": "#e3f2fd", "border": "#1565c0"}, "borderWidth": 2,
                  "shapeProperties": {"borderDashes": [10, 3]}},
    "weak": {"shape": "box", "color": {"background": "#ffe0b2", "border": "#e65100"}, "borderWidth": 3,
             "shapeProperties": {"borderDashes": [3, 3]}},
    "blank": {"shape": "box", "color": {"background": "#ffffff", "border": "#c62828"}, "borderWidth": 3,
              "shapeProperties": {"borderDashes": [8, 5]}, "font": {"color": "#c62828"}},
    "unplaced": {"shape": "box", "color": {"background": "#f5f5f5", "border": "#9e9e9e"}},
    "chain_master": {"shape": "star", "size": 22, "color": {"background": "#ffc107", "border": "#7f5a00"},
                     "borderWidth": 2, "font": {"size": 16, "color": "#4e3500"}},
    "leading": {"shape": "diamond", "size": 14, "color": {"background": "#fb8c00", "border": "#8a4b00"},
                "font": {"size": 15}},
    "member": {"shape": "dot", "size": 7, "color": {"background": "#90a4ae", "border": "#546e7a"}},
    "count": {"shape": "box", "color": {"background": "#eceff1", "border": "#546e7a"},
              "shapeProperties": {"borderDashes": [3, 3]}},
    "park": {"shape": "triangle", "size": 12, "color": {"background": "#26a69a", "border": "#00695c"}},
    "place": {"shape": "square", "size": 11, "color": {"background": "#9575cd", "border": "#4527a0"}},
    "policy": {"shape": "box", "color": {"background": "#fff8e1", "border": "#f9a825"},
               "widthConstraint": {"maximum": 230}},
}
EDGE = {
    "supplies": {"arrows": "to", "color": "#37474f", "width": 2.5, "smooth": {"type": "curvedCW", "roundness": 0.12}},
    "in_segment": {"color": "#b0bec5", "width": 1},
    "also_in": {"color": "#b0bec5", "width": 1, "dashes": [2, 4]},
    "in_park": {"color": "#80cbc4", "width": 1},
    "located": {"color": "#b39ddb", "width": 1},
    "positioned": {"color": "#9e9e9e", "width": 1, "dashes": [4, 4]},
    "direct": {"arrows": "to", "color": "#f9a825", "width": 1.8},
    "inherited": {"arrows": "to", "color": "#f9a825", "width": 1.2, "dashes": [6, 4]},
    "general": {"arrows": "to", "color": "#bdbdbd", "width": 1, "dashes": [2, 4]},
}
COL_W, BLOCK_GAP = 330, 60
#: Vertical room an enterprise takes under its segment (shape and label), by role.
ROW_H = {"chain_master": 80, "leading": 62, "member": 48}


# --- text helpers ----------------------------------------------------------------------------------------------------

def name_of(row: dict, lang: str, zh: str = "name", en: str = "name_en") -> str:
    """A row's name in the language asked for, falling back to the other one."""
    return str((row.get(en) if lang == "en" else None) or row.get(zh) or row.get(en) or "")


def short(text: str, limit: int = 18) -> str:
    """Text cut to ``limit`` characters with an ellipsis (labels; the tooltip has the whole text)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def source_line(src: dict) -> str:
    """One source as plain text: title · outlet · date · address."""
    parts = (src.get("title") or src.get("label"), src.get("outlet"), src.get("date"), src.get("url"))
    return " · ".join(str(p) for p in parts if p)


def tooltip(lines: list[str | None], sources: list[dict] | None, lang: str, limit: int = 6) -> str:
    """A plain-text tooltip: the non-empty lines, then the sources (at most ``limit``)."""
    out = [line for line in lines if line]
    if sources:
        out.append(f"{TEXT[lang]['sources']}:")
        out += [f"· {source_line(s)}" for s in sources[:limit]]
        if len(sources) > limit:
            out.append("· " + TEXT[lang]["more"].format(n=len(sources) - limit))
    return "\n".join(out)


def join_names(values) -> str:
    return "、".join(str(v) for v in values if v) if values else ""


def basis_label(basis: str | None, lang: str) -> str:
    """Why a park or place shows on a chain's map (``carries``, ``positioned``, ``enterprise``, ``park``) in words."""
    key = f"page.basis_{basis}"
    return t(key, lang) if key in MESSAGES else str(basis or "")


def ref(kind: str, key) -> str:
    """The key of a thing's side-panel entry (``seg:IRI``), shared by the network nodes and the DOM views."""
    return f"{kind}:{key}"


# --- network assembly ------------------------------------------------------------------------------------------------

class NetworkBuilder:
    """Nodes and edges for one pyvis network, with ids handed out here (``s3``, ``e12`` …)."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.ids: dict[tuple, str] = {}
        self.pos: dict[str, tuple[float, float]] = {}
        self.by_id: dict[str, dict] = {}
        self.edge_keys: set[tuple] = set()

    def node(self, key: tuple, style: str, label: str, title: str, x: float = 0.0, y: float = 0.0,
             **extra) -> str:
        nid = self.ids.get(key)
        if nid is not None:
            return nid
        nid = self.ids[key] = f"{key[0][:1]}{len(self.nodes)}"
        node = {"id": nid, "label": label, "title": title, "group": style, "x": float(round(x, 1)),
                "y": float(round(y, 1)), "name": title.split("\n", 1)[0],
                "ref": ref("seg" if key[0] == "count" else key[0], key[1])}
        node.update(extra)
        self.nodes.append(node)
        self.by_id[nid] = node
        self.pos[nid] = (x, y)
        return nid

    def move(self, nid: str, x: float, y: float) -> None:
        node = self.by_id[nid]
        node["x"], node["y"] = float(round(x, 1)), float(round(y, 1))
        self.pos[nid] = (x, y)

    def edge(self, src: str, dst: str, style: str, title: str = "") -> None:
        key = (src, dst, style)
        if src == dst or key in self.edge_keys:
            return
        self.edge_keys.add(key)
        edge = {"from": src, "to": dst, **EDGE[style]}
        if title:
            edge["title"] = title
        self.edges.append(edge)

    def network(self, heading: str) -> Network:
        """A pyvis network holding these lists (filled directly), physics off, our options."""
        net = Network(height="100%", width="100%", directed=True, heading=heading)
        net.nodes, net.edges = self.nodes, self.edges
        net.node_ids = [n["id"] for n in self.nodes]
        net.node_map = {n["id"]: n for n in self.nodes}
        big = len(self.nodes) > 1500
        net.options = {
            "physics": {"enabled": False},
            "layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
            "interaction": {"hover": not big, "tooltipDelay": 150, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                            "navigationButtons": False, "keyboard": False, "multiselect": True},
            "edges": {"smooth": False, "color": {"inherit": False}, "font": {"size": 11, "face": FONT}},
            "nodes": {"font": {"face": FONT, "size": 16}, "widthConstraint": {"maximum": 190}},
            # one style per kind of node, kept once here rather than copied into every node
            "groups": {group: STYLE[group] for group in sorted({n["group"] for n in self.nodes})},
        }
        return net


def spread(items: list[tuple[float, str]], gap: float) -> list[tuple[float, str]]:
    """Sort (wanted x, id) pairs by x and push each at least ``gap`` right of the previous one, then centre."""
    items = sorted(items)
    placed: list[tuple[float, str]] = []
    for want, nid in items:
        x = want if not placed else max(want, placed[-1][0] + gap)
        placed.append((x, nid))
    if placed:
        shift = (sum(w for w, _ in items) - sum(x for x, _ in placed)) / len(placed)
        placed = [(x + shift, nid) for x, nid in placed]
    return placed


def _grade_of(gaps: dict[str, dict], segment: dict) -> dict:
    return gaps.get(segment.get("iri")) or gaps.get(segment["name"]) or {"grade": "blank", "reasons": []}


def chain_network(profile: dict, gaps: list[dict], lang: str = "zh", collapse: int | None = COLLAPSE) -> Network:
    """The map of one chain.

    Args:
        profile: :func:`kg.questions.chain_profile`'s result.
        gaps: one row per graded segment (:func:`kg.analysis.assess_chain`: ``iri``, ``grade``, ``reasons``,
            ``evidence``, ``unknown``).
        lang: label language.
        collapse: a segment with more enterprises than this shows its chain-masters and leading enterprises and one
            count node for the rest; ``None`` or ``0`` draws every enterprise (in a grid under its segment).
            When the profile holds only the first page of a large chain's enterprises (``enterprise_total`` above
            the page), the count node counts every enterprise of the segment not drawn (``enterprise_count``): a
            chain of 150,000 draws at most a page and a count node per segment.

    Returns:
        A pyvis network whose nodes carry ``x``/``y``, ``group`` and a plain-text ``title``.
    """
    t = TEXT[lang]
    b = NetworkBuilder()
    by_seg = {}
    for g in gaps:
        for key in (g.get("iri"), g.get("segment")):
            if key:
                by_seg[key] = g
    chain = profile["chain"]
    chain_id = b.node(("chain", chain["iri"]), "chain", name_of(chain, lang),
                      tooltip([f"{name_of(chain, lang)} ({chain.get('name_en') or ''})",
                               f"{chain.get('tier')} · {chain.get('group') or ''}"],
                              unique_sources(chain.get("sources", [])), lang), -COL_W, 0)

    segments = list(profile["segments"])
    partial = (profile.get("enterprise_total") or 0) > len(profile["enterprises"])
    enterprises = {e["name"]: e for e in profile["enterprises"]}
    placed_in: dict[str, list[dict]] = defaultdict(list)
    seg_of_name = {s["name"]: s for s in segments}
    for ent in profile["enterprises"]:
        homes = [s for s in ent["segments"] if s in seg_of_name]
        home = min(homes, key=lambda s: (seg_of_name[s]["sequence"], s)) if homes else None
        placed_in[home].append(ent)
    if placed_in.get(None):
        segments.append({"name": t["unplaced"], "name_en": t["unplaced"], "position": None,
                         "sequence": max([s["sequence"] for s in segments], default=0) + 1, "supplies_to": [],
                         "codes": [], "enterprises": [], "iri": None, "_unplaced": True})

    columns: dict[int, list[dict]] = defaultdict(list)
    for seg in segments:
        columns[seg["sequence"]].append(seg)
    x = 0.0
    ent_ids: dict[str, str] = {}
    bottom = 0.0
    seg_ids: dict[str, str] = {}
    for seq in sorted(columns):
        y = 0.0
        width = COL_W
        for seg in columns[seq]:
            members = placed_in.get(None if seg.get("_unplaced") else seg["name"], [])
            if seg.get("_unplaced"):
                style, grade = "unplaced", None
                label = f"{seg['name']}\n({len(members)})"
                tip = tooltip([seg["name"]], None, lang)
            else:
                grade = _grade_of(by_seg, seg)
                style = grade["grade"] if grade["grade"] in GRADES else "strong"
                mark = f"\n{MARK[style]}{t[style]}" if MARK[style] else ""
                label = f"{name_of(seg, lang)}{mark}"
                tip = _segment_tip(seg, grade, style, lang)
            sid = seg_ids[seg["name"]] = b.node(("seg", seg.get("iri") or seg["name"]), style, label, tip, x, y)
            shown, rest = _collapse(members, collapse)
            grid = max(1, math.ceil(math.sqrt(len(shown) / 3))) if len(shown) > COLLAPSE else 1
            ey = y + 70
            for row in range(0, len(shown), grid):
                for i, ent in enumerate(shown[row:row + grid]):
                    eid = ent_ids[ent["name"]] = b.node(("ent", ent["iri"]), ent["role"],
                                                        short(name_of(ent, lang), 14), _enterprise_tip(ent, lang),
                                                        x + 60 + i * 120, ey)
                    b.edge(sid, eid, "in_segment")
                ey += max(ROW_H[e["role"]] for e in shown[row:row + grid])
            more = len(rest)
            if partial and not seg.get("_unplaced"):
                # Only the first page of the chain's enterprises is drawn: the count node stands for all the others.
                more = max(more, (seg.get("enterprise_count") or 0) - len(shown))
            if more:
                named = rest[:60]
                cid = b.node(("count", seg.get("iri") or seg["name"]), "count", t["count_label"].format(n=more),
                             tooltip([t["count_label"].format(n=more) + f" ({seg['name']})",
                                      join_names(e["name"] for e in named),
                                      t["more"].format(n=more - len(named)) if more > len(named) else None], None,
                                     lang),
                             x + 60, ey)
                ey += ROW_H["member"]
                b.edge(sid, cid, "in_segment")
                for ent in rest:
                    ent_ids[ent["name"]] = cid
            width = max(width, 120 * grid + 120)
            y = ey + BLOCK_GAP
        bottom = max(bottom, y)
        x += width

    for seg in segments:
        for target in seg.get("supplies_to", []):
            if target in seg_ids:
                b.edge(seg_ids[seg["name"]], seg_ids[target], "supplies", f"{seg['name']} → {target}")
    for ent in profile["enterprises"]:
        eid = ent_ids.get(ent["name"])
        for other in ent["segments"]:
            if other in seg_ids and eid and (seg_ids[other], eid, "in_segment") not in b.edge_keys:
                b.edge(seg_ids[other], eid, "also_in")

    _attach_places(b, profile, enterprises, ent_ids, chain_id, bottom, lang)
    _attach_policies(b, profile["policies"], seg_ids, chain_id, -2 * COL_W, lang)
    return b.network(name_of(chain, lang))


def _segment_tip(seg: dict, grade: dict, style: str, lang: str) -> str:
    t = TEXT[lang]
    position = seg.get("position") or ""
    return tooltip([f"{seg['name']} ({seg.get('name_en') or ''})",
                    f"{t['position']}: {t.get(position, position)} · #{seg['sequence']}",
                    f"{t['grade']}: {t[style]}", *(f"· {say(r, lang)}" for r in grade.get("reasons") or []),
                    f"{t['enterprises']}: {len(seg.get('enterprises') or [])}",
                    f"{t['codes']}: {join_names(seg.get('codes'))}" if seg.get("codes") else None,
                    *(f"{t['unknown']}: {say(u, lang)}" for u in grade.get("unknown") or [])],
                   _evidence_sources(grade), lang)


def unique_sources(sources: list[dict]) -> list[dict]:
    seen, out = set(), []
    for s in sources or []:
        key = s.get("id") or s.get("title")
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _evidence_sources(grade: dict) -> list[dict]:
    evidence = grade.get("evidence") or {}
    return list(evidence.get("sources") or []) if isinstance(evidence, dict) else []


def _collapse(members: list[dict], limit: int | None) -> tuple[list[dict], list[dict]]:
    if not limit or len(members) <= limit:
        return members, []
    leaders = [e for e in members if e["role"] in ("chain_master", "leading")]
    shown = leaders[:limit]
    return shown, [e for e in members if e not in shown]


def _enterprise_tip(ent: dict, lang: str) -> str:
    t = TEXT[lang]
    return tooltip([f"{ent['name']} ({ent.get('name_en') or ''})", f"{t['role']}: {t[ent['role']]}",
                    f"{t['segments']}: {join_names(ent.get('segments'))}" if ent.get("segments") else None,
                    f"{t['districts']}: {join_names(ent.get('districts'))}" if ent.get("districts") else None,
                    f"{t['parks']}: {join_names(ent.get('parks'))}" if ent.get("parks") else None,
                    f"{t['confidence']}: {ent.get('confidence')}"], ent.get("sources"), lang)


def _attach_places(b: NetworkBuilder, profile: dict, enterprises: dict, ent_ids: dict, chain_id: str, bottom: float,
                   lang: str) -> None:
    """Parks (a band below the segments) and districts/zones (below the parks), near what links to them."""
    t = TEXT[lang]
    park_y, place_y = bottom + 120, bottom + 280
    parks = {p["name"]: p for p in profile["parks"]}
    places = {p["name"]: p for p in profile["places"]}
    for park in profile["parks"]:
        if park.get("district") and park["district"] not in places:
            places[park["district"]] = {"name": park["district"], "basis": ["park"], "via": [park["name"]],
                                        "sources": park.get("sources", []), "iri": None}
    park_ids = {}
    for name, park in parks.items():
        park_ids[name] = b.node(("park", park.get("iri") or name), "park", short(name_of(park, lang), 16),
                                tooltip([f"{park['name']} ({park.get('name_en') or ''})",
                                         f"{park.get('level') or ''} · {park.get('district') or ''}",
                                         f"{t['basis']}: {park.get('basis')}",
                                         f"{t['confidence']}: {park.get('confidence')}"], park.get("sources"), lang),
                                0, park_y)
    place_ids = {}
    for name, place in places.items():
        place_ids[name] = b.node(("place", place.get("iri") or name), "place", name_of(place, lang),
                                 tooltip([f"{place['name']} ({place.get('name_en') or ''})",
                                          f"{t['basis']}: {join_names(place.get('basis'))}",
                                          f"{t['via']}: {join_names(place.get('via'))}" if place.get("via") else None],
                                         place.get("sources"), lang), 0, place_y)
    for name, ent in enterprises.items():
        eid = ent_ids.get(name)
        if not eid:
            continue
        via_park = set()
        for park in ent.get("parks", []):
            if park in park_ids:
                b.edge(eid, park_ids[park], "in_park")
                via_park.add(parks[park].get("district"))
        for district in ent.get("districts", []):
            if district in place_ids and district not in via_park:
                b.edge(eid, place_ids[district], "located")
    for name, park in parks.items():
        if park.get("district") in place_ids:
            b.edge(park_ids[name], place_ids[park["district"]], "located")
        if park.get("basis") in ("carries", "positioned"):
            b.edge(park_ids[name], chain_id, "positioned", f"{park['name']}: {basis_label(park['basis'], lang)}")
    for name, place in places.items():
        if "positioned" in (place.get("basis") or []):
            b.edge(place_ids[name], chain_id, "positioned", f"{place['name']}: {t['positioned']}")
    _place_band(b, park_ids.values(), park_y, 190)
    _place_band(b, place_ids.values(), place_y, 150)


def _place_band(b: NetworkBuilder, ids, y: float, gap: float) -> None:
    """Put each node of a band at the mean x of its neighbours above it (or the far left), spread apart."""
    ids = list(ids)
    members = set(ids)
    neighbours = defaultdict(list)
    for e in b.edges:
        for a, c in ((e["from"], e["to"]), (e["to"], e["from"])):
            if a in members and b.pos[c][1] < y:
                neighbours[a].append(b.pos[c][0])
    wanted = [(sum(xs) / len(xs) if (xs := neighbours.get(nid)) else -COL_W, nid) for nid in ids]
    for x, nid in spread(wanted, gap):
        b.move(nid, x, y)


def _attach_policies(b: NetworkBuilder, policies: list[dict], seg_ids: dict, chain_id: str, x: float,
                     lang: str) -> None:
    t = TEXT[lang]
    for i, pol in enumerate(policies):
        label = short(pol["title"], 30) + (f"\n{pol['doc_number']}" if pol.get("doc_number") else "")
        pid = b.node(("policy", pol.get("iri") or pol["title"]), "policy", label,
                     tooltip([pol["title"], f"{t['doc_number']}: {pol.get('doc_number') or '—'}",
                              f"{t['issuer']}: {pol.get('issuer') or '—'} · {t['date']}: {pol.get('date') or '—'}",
                              f"{t[pol.get('support') or 'direct']}" + (f" ({t['via']} {join_names(pol.get('via'))})"
                                                                          if pol.get("via") else "")],
                             pol.get("sources"), lang), x, i * 90)
        targets = [seg_ids[v] for v in pol.get("via") or [] if v in seg_ids] or [chain_id]
        for target in targets:
            b.edge(pid, target, pol.get("support") or "direct")
