"""The planner's questions as Python functions returning plain rows (lists of dicts).

Each function takes an open :class:`kg.store.Store`, runs named queries from ``kg/queries/`` with bound values, and
shapes the rows. No printing here: the CLI formats.
"""

from __future__ import annotations

from collections import defaultdict

from kg.namespace import CKG
from kg.query import iri, select
from kg.resolve import Entity, resolve

TIERS = {"landmark": CKG.LandmarkChain, "key": CKG.KeyChain}


def _source_objects(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["source"] in seen:
            continue
        seen.add(row["source"])
        out.append({"id": row["source"].rpartition("/")[2], "title": row["title"], "outlet": row.get("outlet"),
                    "date": row.get("date"), "url": row.get("url"),
                    "kind": (row.get("kind") or "").rpartition("#")[2].removesuffix("Source").lower() or None})
    return out


def list_chains(store, tier: str = "all") -> dict:
    """The chains of a tier, with names, group, listing status, 2030 target and sources.

    Args:
        store: an open store.
        tier: ``landmark``, ``key`` or ``all``.

    Returns:
        ``{"chains": [...], "declared": {"landmark": 13, "key": 34}}``. Each chain has ``name`` (Chinese),
        ``name_en``, ``tier``, ``group``, ``group_zh``, ``status`` (``confirmed`` or ``candidate``), ``iri``,
        ``target_2030`` and ``sources`` (objects with ``title`` and ``url``).
    """
    tier_class = TIERS.get(tier)
    rows = select(store, "chains", tier_class=iri(str(tier_class)) if tier_class else None)
    source_rows = defaultdict(list)
    for cls in [tier_class] if tier_class else TIERS.values():
        for row in select(store, "entity_sources", **{"class": iri(str(cls))}):
            source_rows[row["entity"]].append(row)
    chains, declared = [], {}
    for row in rows:
        tier_name = "landmark" if row["tier_class"] == str(CKG.LandmarkChain) else "key"
        if row["declared_landmark"] is not None:
            declared = {"landmark": row["declared_landmark"], "key": row["declared_key"], "system": row["system_zh"]}
        chains.append({
            "name": row["name_zh"], "name_en": row["name_en"], "tier": tier_name,
            "group": (row["group"] or "").rpartition("#")[2].removesuffix("Group").lower() or None,
            "group_zh": row["group_zh"], "group_en": row["group_en"],
            "status": "confirmed" if row["confirmed"] else "candidate",
            "confidence": (row["confidence"] or "").rpartition("#")[2].lower() or None,
            "parent": row["parent"], "target_2030": row["target"], "target_unit": row["target_unit"],
            "iri": row["chain"], "sources": _source_objects(source_rows[row["chain"]]),
        })
    return {"chains": chains, "declared": declared}


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


def describe_entity(store, entity: Entity) -> dict:
    """:func:`describe` for an already resolved entity."""
    facts = select(store, "entity_facts", entity=iri(entity.iri))
    by_graph = defaultdict(list)
    for row in select(store, "graph_sources", entity=iri(entity.iri)):
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
            "sources": _source_objects(by_graph[row["g"]]), "row": row["g"],
        }
        (out_facts if row["direction"] == "out" else in_links).append(fact)
    return {"entity": {"iri": entity.iri, "kind": entity.kind, "name": entity.name("zh"),
                       "name_en": entity.names.get("en")},
            "facts": out_facts, "links_in": in_links}


def stats(store) -> dict:
    """Counts per class, facts per confidence level, and facts that no source backs (must be 0)."""
    classes = {r["class"].rpartition("#")[2]: r["entities"] for r in select(store, "stats_classes")}
    confidence = {(r["confidence"] or "").rpartition("#")[2].lower(): r["facts"]
                  for r in select(store, "stats_confidence")}
    unsourced = select(store, "stats_unsourced")[0]["unsourced"]
    default_graph = store.oxigraph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    in_default = int(next(iter(default_graph))["n"].value)
    return {"classes": classes, "facts_by_confidence": confidence, "unsourced_facts": unsourced + in_default,
            "quads": store.info.get("quads"), "graphs": store.info.get("graphs")}
