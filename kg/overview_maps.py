"""Maps of the whole: the overview (landmark chains, the districts and zones that carry them, the policies) and a
district's map. Same conventions as :mod:`kg.viz` (positions computed here, physics off, plain-text tooltips);
:func:`kg.map_page.render_page` turns each network into a page.
"""

from __future__ import annotations

from collections import defaultdict

from pyvis.network import Network

from kg.viz import COL_W, TEXT, NetworkBuilder, join_names, name_of, short, spread, tooltip, unique_sources

OVERVIEW_BANDS = (("strong", 0.8), ("potential", 0.5), ("weak", 1e-9), ("blank", 0.0))


def overview_legend(lang: str) -> list[tuple[str, str]]:
    """Legend entries for the overview's completeness colours."""
    word = TEXT[lang]["completeness"]
    return [("strong", f"{word} ≥ 80%"), ("potential", f"{word} 50–80%"), ("weak", f"{word} < 50%"),
            ("blank", f"{word} 0")]


def overview_network(chains: list[dict], lang: str = "zh") -> Network:
    """All landmark chains (middle), the policies behind them (left), the districts and zones carrying them (right).

    Args:
        chains: one row per chain: ``name``, ``name_en``, ``iri``, ``group``, ``completeness`` (0–1 or ``None``),
            ``places`` (:func:`kg.questions.chain_places` rows), ``policies`` (:func:`kg.questions.chain_policies`
            rows), ``sources``.
    """
    t = TEXT[lang]
    b = NetworkBuilder()
    gap = 110
    hub = None
    chain_ids = []
    for i, chain in enumerate(chains):
        done = chain.get("completeness")
        style = next(s for s, floor in OVERVIEW_BANDS if done is None or done >= floor)
        label = name_of(chain, lang) + (f"\n{t['completeness']} {done:.0%}" if done is not None else "")
        chain_ids.append(b.node(("chain", chain["iri"]), style, label,
                                tooltip([f"{chain['name']} ({chain.get('name_en') or ''})", chain.get("group"),
                                         f"{t['completeness']}: {done:.0%}" if done is not None else None],
                                        unique_sources(chain.get("sources", [])), lang), 0, (i + 1) * gap,
                                font={"size": 16}))
    for chain, cid in zip(chains, chain_ids):
        for pol in chain.get("policies", []):
            if pol.get("support") == "general":
                if hub is None:
                    hub = b.node(("hub", "all"), "chain", t["all_chains"], t["general"], 0, 0)
                target, style = hub, "general"
            elif pol.get("support") == "direct":
                target, style = cid, "direct"
            else:
                continue
            pid = b.node(("policy", pol.get("iri") or pol["title"]), "policy", short(pol["title"], 30),
                         tooltip([pol["title"], pol.get("doc_number"),
                                  f"{pol.get('issuer') or ''} {pol.get('date') or ''}"], pol.get("sources"), lang),
                         -2 * COL_W, 0)
            b.edge(pid, target, style)
        for place in chain.get("places", []):
            did = b.node(("place", place.get("iri") or place["name"]), "place", name_of(place, lang),
                         tooltip([f"{place['name']} ({place.get('name_en') or ''})"], place.get("sources"), lang),
                         2 * COL_W, 0)
            b.edge(did, cid, "positioned", f"{place['name']} → {chain['name']}: {join_names(place.get('basis'))}; "
                                           f"{join_names(place.get('via'))}")
    _column_by_barycentre(b, -2 * COL_W, 80)
    _column_by_barycentre(b, 2 * COL_W, 60, style="place")
    return b.network(t["chain"])


def _column_by_barycentre(b: NetworkBuilder, x: float, gap: float, style: str = "policy") -> None:
    """Stack the nodes of one style in a column at ``x``, ordered by the mean y of their neighbours."""
    ids = [n["id"] for n in b.nodes if n["group"] == style]
    wanted = []
    for nid in ids:
        ys = [b.pos[e["to"] if e["from"] == nid else e["from"]][1] for e in b.edges if nid in (e["from"], e["to"])]
        wanted.append((sum(ys) / len(ys) if ys else 0.0, nid))
    for y, nid in spread(wanted, gap):
        b.move(nid, x, y)


def district_network(profile: dict, lang: str = "zh") -> Network:
    """One district or zone: policies that apply (left), the place, its parks, its enterprises, its chains (right).

    Args:
        profile: :func:`kg.profiles.district_profile`'s result.
    """
    t = TEXT[lang]
    b = NetworkBuilder()
    place = profile["place"]
    pid = b.node(("place", place["iri"]), "place", name_of(place, lang),
                 tooltip([f"{place['name']} ({place.get('name_en') or ''})",
                          *(f"{p['text']}" for p in profile.get("positioning", []))],
                         [s for p in profile.get("positioning", []) for s in p.get("sources", [])], lang), -COL_W, 0,
                 size=22)
    chain_ids = {}
    for i, chain in enumerate(profile["chains"]):
        tip = tooltip([f"{chain['name']} ({chain.get('name_en') or ''})",
                       f"{chain.get('tier')} · {t['basis']}: {join_names(chain.get('basis'))}",
                       f"{t['via']}: {join_names(chain.get('via'))}"], chain.get("sources"), lang)
        chain_ids[chain["name"]] = b.node(("chain", chain["iri"]), "chain", name_of(chain, lang), tip,
                                          3 * COL_W, i * 80)
        if "positioned" in chain.get("basis", []):
            b.edge(pid, chain_ids[chain["name"]], "positioned")
    via = defaultdict(list)
    for chain in profile["chains"]:
        for name in chain.get("via", []):
            via[name].append(chain_ids[chain["name"]])
    park_ids = {}
    for park in profile["parks"]:
        park_ids[park["name"]] = b.node(("park", park["iri"]), "park", short(name_of(park, lang), 16),
                                        tooltip([f"{park['name']} ({park.get('name_en') or ''})", park.get("level")],
                                                park.get("sources"), lang), COL_W, 0)
        b.edge(pid, park_ids[park["name"]], "located")
        for cid in via.get(park["name"], []):
            b.edge(park_ids[park["name"]], cid, "positioned")
    for ent in profile["enterprises"]:
        eid = b.node(("ent", ent["iri"]), "member", short(name_of(ent, lang), 14),
                     tooltip([f"{ent['name']} ({ent.get('name_en') or ''})",
                              f"{t['parks']}: {join_names(ent.get('parks'))}" if ent.get("parks") else None],
                             ent.get("sources"), lang), 2 * COL_W, 0)
        homes = [park_ids[p] for p in ent.get("parks", []) if p in park_ids]
        for home in homes or [pid]:
            b.edge(home, eid, "in_park" if homes else "located")
        for cid in via.get(ent["name"], []):
            b.edge(eid, cid, "in_segment")
    for pol in profile["policies"]:
        tip = tooltip([pol["title"], pol.get("doc_number"), f"{pol.get('issuer') or ''} {pol.get('date') or ''}",
                       f"{t['basis']}: {join_names(pol.get('basis'))}"], pol.get("sources"), lang)
        nid = b.node(("policy", pol["iri"]), "policy", short(pol["title"], 30), tip, -2 * COL_W, 0)
        b.edge(nid, pid, "general" if "general" in (pol.get("basis") or []) else "direct")
    for style, x, gap in (("member", 2 * COL_W, 46), ("park", COL_W, 70), ("policy", -2 * COL_W, 80)):
        _column_by_barycentre(b, x, gap, style=style)
    return b.network(name_of(place, lang))
