"""Where a place's positioning and what is there disagree: :func:`positioning_mismatches` over the district-chain
graph of :mod:`kg.projection` (a pure function; nothing here reads the store).
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from kg.i18n import Note


def positioning_mismatches(graph: nx.Graph) -> list[dict]:
    """Where a place's positioning and what is there disagree, in a district-chain graph.

    Two kinds, on each (place, chain) edge:
    ``positioned_without_presence``: the place is positioned for the chain (a source says so), but no enterprise of
    the chain is located there (directly or through a park) and no park there carries or is positioned for it;
    ``presence_without_positioning``: enterprises or carrier parks of the chain are there, but no source positions the
    place for it.

    Each row: ``kind``, ``place``, ``place_en``, ``place_iri``, ``chain``, ``chain_en``, ``chain_iri``, ``reason``,
    ``positioning`` (the statement or quote, and its ``sources``: where the positioning comes from), ``evidence``
    (``enterprises``: the edge's list, which may hold only examples; ``enterprise_count``: the edge's count, else the
    list's length; ``parks``) and ``unknown``.
    """
    rows = []
    for u, v, data in graph.edges(data=True):
        place, chain = (u, v) if graph.nodes[u].get("kind") == "place" else (v, u)
        p, c = graph.nodes[place], graph.nodes[chain]
        enterprises, parks = data.get("enterprises", []), data.get("parks", [])
        count = data.get("enterprise_count", len(enterprises))
        if data.get("positioned") and not count and not parks:
            kind = "positioned_without_presence"
            reason = Note("mismatch.positioned", place=_ref(p), chain=_ref(c))
            positioning = {"text": data.get("quote") or p.get("positioning"), "sources": data.get("sources", [])}
            unknown = [Note("unknown.absence")]
        elif not data.get("positioned") and (count or parks):
            kind = "presence_without_positioning"
            which = "both" if count and parks else "enterprises" if count else "parks"
            reason = Note(f"mismatch.present_{which}", count=count, parks=len(parks), place=_ref(p), chain=_ref(c))
            # The place's row also cites code tables and translations; the documents are what word the positioning.
            documents = [s for s in p.get("sources", []) if s.get("kind") == "document"]
            positioning = {"text": p.get("positioning"), "sources": documents or p.get("sources", [])}
            unknown = [Note("unknown.other_words") if p.get("positioning") else Note("unknown.no_statement")]
        else:
            continue
        rows.append({"kind": kind, "place": p.get("name"), "place_en": p.get("name_en"), "place_iri": place,
                     "chain": c.get("name"), "chain_en": c.get("name_en"), "chain_iri": chain, "reason": reason,
                     "positioning": positioning,
                     "evidence": {"enterprises": enterprises, "enterprise_count": count, "parks": parks},
                     "unknown": unknown})
    rows.sort(key=lambda r: (r["kind"], r["chain_iri"], r["place_iri"]))
    return rows



def _ref(data: Mapping) -> dict:
    """A name for a note's field: ``{"name", "name_en"}``."""
    return {"name": data.get("name"), "name_en": data.get("name_en")}

