"""What the graph states about one entity (``chainkg show``) and about itself in counts (``chainkg stats``).

Each function takes an open :class:`kg.store.Store` and runs named queries from ``kg/queries/`` with bound values.
"""

from __future__ import annotations

from collections import defaultdict

from kg.query import count_rows, iri, run_many, select, select_many, select_page
from kg.resolve import Entity, resolve
from kg.rows import local, source_objects


def describe(store, name: str) -> dict:
    """Everything the graph states about one entity, each fact with the row it comes from and that row's sources.

    Args:
        store: an open store.
        name: any name, alias, document number or code of the entity.

    Returns:
        ``{"entity": {...}, "facts": [...], "links_in": [...]}``; each fact has ``property``, ``value``,
        ``confidence``, ``quote`` and ``sources``.

    Raises:
        NotFound, Ambiguous: the name does not single out one entity.
    """
    entity = resolve(store, name)
    return describe_entity(store, entity)


#: ``chainkg show`` lists at most this many links per property pointing at an entity (a chain has one
#: ``ckg:memberOfChain`` link per enterprise) ...
LINKS_SHOWN = 20
#: ... and counts them up to this many (``total`` is then a lower bound, flagged by ``capped``).
LINKS_COUNTED = 1000


def describe_entity(store, entity: Entity, links_shown: int = LINKS_SHOWN) -> dict:
    """:func:`describe` for an already resolved entity.

    The entity's own facts are listed in full; the links pointing at it, at most ``links_shown`` per property (in
    store order, then sorted), each property's links counted up to :data:`LINKS_COUNTED` in ``links_in_counts``.
    """
    this = {"entity": iri(entity.iri)}
    facts, sources, props = select_many(store, [("entity_facts_out", this), ("graph_sources_out", this),
                                                ("link_properties", {})])
    counts = {r["p"]: n for r, n in zip(props, run_many(
        lambda r: count_rows(store, "entity_link_subjects", LINKS_COUNTED + 1, p=iri(r["p"]), **this), props)) if n}
    links_in, shown = [], {}
    for p in sorted(counts):
        # a link gives one row per label of its other end: read a few rows more than links
        page = _first_distinct(select_page(store, "entity_links_in", 0, links_shown * 3, p=iri(p), **this),
                               ("o", "g"), links_shown)
        shown[p] = len({(r["o"], r["g"]) for r in page})
        links_in += sorted(page, key=lambda r: (str(r["o"]), str(r["g"])))
    known = {r["g"] for r in sources}
    more = sorted({r["g"] for r in links_in} - known)
    sources = sources + [r for rows in select_many(store, [("row_sources", {"g": iri(g)}) for g in more])
                         for r in rows]
    result = describe_from(entity, facts + links_in, sources)
    labels = {r["p"]: (r["p_zh"], r["p_en"]) for r in links_in}
    result["links_in_counts"] = [{"property": local(p), "property_zh": labels.get(p, (None, None))[0],
                                  "property_en": labels.get(p, (None, None))[1], "shown": shown[p],
                                  "total": min(n, LINKS_COUNTED), "capped": n > LINKS_COUNTED}
                                 for p, n in sorted(counts.items())]
    return result



def _first_distinct(rows: list[dict], key: tuple[str, ...], n: int) -> list[dict]:
    """The rows of the first ``n`` distinct ``key`` values (a link can give several rows, one per label)."""
    seen: set = set()
    out = []
    for row in rows:
        k = tuple(row[c] for c in key)
        if k not in seen:
            if len(seen) == n:
                break
            seen.add(k)
        out.append(row)
    return out



def describe_from(entity: Entity, facts: list[dict], sources: list[dict]) -> dict:
    by_graph = defaultdict(list)
    for row in sources:
        by_graph[row["g"]].append(row)
    out_facts, in_links = [], []
    seen = set()
    for row in facts:
        key = (row["direction"], row["p"], row["o"], row["g"])
        if key in seen:
            continue
        seen.add(key)
        fact = {
            "property": row["p"].rpartition("#")[2].rpartition("/")[2], "property_zh": row["p_zh"],
            "property_en": row["p_en"], "value": row["o"], "value_zh": row["o_zh"], "value_en": row["o_en"],
            "confidence": (row["confidence"] or "").rpartition("#")[2].lower() or None, "quote": row["quote"],
            "sources": source_objects(by_graph[row["g"]]), "row": row["g"],
        }
        (out_facts if row["direction"] == "out" else in_links).append(fact)
    return {"entity": {"iri": entity.iri, "kind": entity.kind, "name": entity.name("zh"),
                       "name_en": entity.names.get("en")},
            "facts": out_facts, "links_in": in_links}



def stats(store) -> dict:
    """Counts per class, facts per confidence level, facts that no source backs (must be 0) and row graphs that
    break the confidence rules (``kg/data/rules.py``; 0 on the bundled data)."""
    classes = {r["class"].rpartition("#")[2]: r["entities"] for r in select(store, "stats_classes")}
    confidence = {(r["confidence"] or "").rpartition("#")[2].lower(): r["facts"]
                  for r in select(store, "stats_confidence")}
    unsourced = select(store, "stats_unsourced")[0]["unsourced"]
    breaks = len({r["g"] for r in select(store, "stats_confidence_rules")})  # docs/data.md; 0 on the bundled data
    return {"classes": classes, "facts_by_confidence": confidence,
            "unsourced_facts": unsourced + store.default_graph_size(), "confidence_rule_breaks": breaks,
            **store.counts()}

