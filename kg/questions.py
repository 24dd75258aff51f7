"""The planner's questions as Python functions returning plain rows (lists of dicts).

Each function takes an open :class:`kg.store.Store`, runs named queries from ``kg/queries/`` with bound values, and
shapes the rows. No printing here: the CLI formats.
"""

from __future__ import annotations

from collections import defaultdict

from kg.errors import ChainKGError, NotFound
from kg.iris import CKG
from kg.query import count_rows, iri, run_many, select, select_many, select_page
from kg.resolve import Entity, index_for, resolve
from kg.summary import PAGE_SIZE, page_iri

TIERS = {"landmark": CKG.LandmarkChain, "key": CKG.KeyChain}
SUPPORT_ORDER = ("direct", "inherited", "general")
ROLE_ORDER = ("chain_master", "leading", "member")


def local(value: str | None) -> str | None:
    """The local name of an IRI (``…#Confirmed`` → ``confirmed``), lower-cased; ``None`` stays ``None``."""
    if not value:
        return None
    return value.rpartition("#")[2].rpartition("/")[2]


def _with_pairs(rows: list[dict], columns: tuple[str, ...], store=None) -> list[dict]:
    """Give each row ``{column}_pair``: the (Chinese, English) names of the entity it names in ``column`` (an IRI),
    from its ``{column}_zh`` / ``{column}_en`` columns, else (with ``store``) looked up by IRI; English ``None`` where
    the data has none. Collected by :func:`group_rows`, the pairs give the English names of listed entities."""
    entities = index_for(store).entities if store is not None else {}
    for row in rows:
        for column in columns:
            value, zh, en = row.get(column), row.get(f"{column}_zh"), row.get(f"{column}_en")
            if value and en is None and store is not None:
                entity = entities.get(value)
                zh, en = zh or (entity.name("zh") if entity else None), entity.names.get("en") if entity else None
            row[f"{column}_pair"] = (zh, en) if zh or en else None
    return rows


def english(pairs: list[tuple]) -> list[str]:
    """The English names of collected ``(zh, en)`` pairs, the Chinese where there is no English."""
    return [en or zh for zh, en in pairs]


def _confidence(value: str | None) -> str | None:
    return local(value).lower() if value else None


def group_rows(rows: list[dict], key: tuple[str, ...], keep: tuple[str, ...],
               collect: tuple[str, ...] = ()) -> list[dict]:
    """Fold query rows that differ only by source (and by the ``collect`` columns) into one row each.

    Each output row has the ``keep`` columns of the first row of its group, ``sources`` (unique ``{title, url}``
    objects, in order), ``confidence`` (the highest seen: a claim is as strong as its best evidence) and, for each
    ``collect`` column, a sorted list of its distinct non-empty values.
    """
    rank = {"confirmed": 0, "partial": 1, "uncertain": 2}
    groups: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row.get(c) for c in key)
        out = groups.get(k)
        if out is None:
            out = groups[k] = {c: row.get(c) for c in keep}
            out["sources"], out["confidence"] = [], None
            for c in collect:
                out[c] = []
        if row.get("source") and all(s["id"] != local(row["source"]) for s in out["sources"]):
            out["sources"].append({"id": local(row["source"]), "title": row.get("source_title"),
                                   "label": row.get("source_label"), "outlet": row.get("source_outlet"),
                                   "date": row.get("source_date"), "url": row.get("source_url")})
        level = _confidence(row.get("confidence"))
        if level and (out["confidence"] is None or rank[level] < rank[out["confidence"]]):
            out["confidence"] = level
        for c in collect:
            if row.get(c) not in (None, "") and row[c] not in out[c]:
                out[c].append(row[c])
    for out in groups.values():
        for c in collect:
            out[c] = sorted(out[c], key=str)
    return list(groups.values())


def _source_objects(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["source"] in seen:
            continue
        seen.add(row["source"])
        out.append({"id": row["source"].rpartition("/")[2], "title": row.get("title"), "label": row["label"],
                    "outlet": row.get("outlet"),
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
    classes = [tier_class] if tier_class else list(TIERS.values())
    rows, *per_class = select_many(store, [("chains", {"tier_class": iri(str(tier_class)) if tier_class else None}),
                                           *[("entity_sources", {"class": iri(str(c))}) for c in classes]])
    source_rows = defaultdict(list)
    for row in (r for rows_of_class in per_class for r in rows_of_class):
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
    result = _describe_from(entity, facts + links_in, sources)
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


def _describe_from(entity: Entity, facts: list[dict], sources: list[dict]) -> dict:
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
            "sources": _source_objects(by_graph[row["g"]]), "row": row["g"],
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


def resolve_chain(store, name: str) -> Entity:
    """A chain by any of its names (芯片, IC, 集成电路产业链 …)."""
    return resolve(store, name, kinds=("chain",))


def chain_policies(store, chain: str | Entity) -> list[dict]:
    """The policies that support a chain, with how (``direct``, ``inherited``, ``general``) and the link's sources.

    One row per policy, with its strongest support; ``via`` lists the chains or segments the policy names.

    Returns:
        Rows with ``title``, ``doc_number`` (``None`` when unknown), ``issuer``, ``date``, ``in_force`` (``None`` when
        unknown), ``level``, ``support``, ``via``, ``confidence``, ``sources``, ``iri``.
    """
    entity = chain if isinstance(chain, Entity) else resolve_chain(store, chain)
    return _policies_from(select(store, "chain_policies", chain=iri(entity.iri)))


def _policies_from(rows: list[dict]) -> list[dict]:
    best: dict[str, dict] = {}
    for row in group_rows(rows, ("policy", "support"), ("policy", "support", "title", "doc_number", "issuer",
                                                         "issued", "in_force", "level"), collect=("via_zh",)):
        current = best.get(row["policy"])
        if current is None or SUPPORT_ORDER.index(row["support"]) < SUPPORT_ORDER.index(current["support"]):
            best[row["policy"]] = row
    out = []
    for row in best.values():
        out.append({"title": row["title"], "doc_number": row["doc_number"], "issuer": row["issuer"],
                    "date": row["issued"], "in_force": row["in_force"], "level": _level(row["level"]),
                    "support": row["support"], "via": row["via_zh"], "confidence": row["confidence"],
                    "sources": row["sources"], "iri": row["policy"]})
    out.sort(key=lambda r: (SUPPORT_ORDER.index(r["support"]), str(r["date"] or ""), r["title"]))
    return out


def _level(value: str | None) -> str | None:
    return local(value).removesuffix("Level").lower() if value else None


#: Page size of ``chainkg enterprises`` and of the member list in a chain profile. Every Jinan chain fits in one
#: page, so on the Jinan data the profile lists every enterprise.
PAGE = 50


def chain_enterprises(store, chain: str | Entity, segment: str | None = None, district: str | None = None,
                      limit: int = PAGE, offset: int = 0) -> dict:
    """One page of a chain's local enterprises: chain-masters first, then leading enterprises, then the members.

    Without filters the list is the build's member pages (the summary graph's ``ckg:MemberPage``): one fixed order,
    chain-masters, leading enterprises, members, each by Chinese name then IRI, and a page costs the same at any
    offset (the pages covering it are looked up by IRI, then each enterprise). With filters, the chain-masters and
    leading enterprises (few) come first, by name; the members follow in store order (stable for a given store),
    each page of them sorted by name; the total is the build's count (a tally), and a page reads the filtered
    members up to its end (a late page of a large chain takes seconds).

    Args:
        store: an open store.
        chain: the chain (name or resolved entity).
        segment: only enterprises placed in this segment of the chain (a segment name).
        district: only enterprises located in this district or zone (directly or through their park).
        limit: at most this many rows.
        offset: skip this many rows of the whole list first.

    Returns:
        ``{"total", "limit", "offset", "rows"}``: ``total`` counts the whole filtered list; each row has ``name``,
        ``name_en``, ``role`` (``chain_master``, ``leading``, ``member``), ``segments``, ``districts``, ``parks``,
        ``confidence``, ``sources``, ``iri``.

    Raises:
        NotFound: the chain, segment or district is unknown, or the segment is not one of the chain's.
    """
    entity = chain if isinstance(chain, Entity) else resolve_chain(store, chain)
    if offset < 0 or limit < 0:
        raise ChainKGError(f"offset and limit must be 0 or more (got offset={offset}, limit={limit})")
    if not segment and not district:
        return _paged_members(store, entity, limit, offset)
    bound = iri(entity.iri)
    seg = place = None
    if segment:
        seg = resolve(store, segment, kinds=("segment",))
        if not any(r["segment"] == seg.iri for r in select(store, "chain_segments", chain=bound)):
            raise NotFound(f"segment {segment!r} is not a segment of {entity.name()}")
    if district:
        place = resolve(store, district, kinds=("place",))
    keep = _row_filter(seg, place)
    anchors = _details(store, entity.iri, [r["enterprise"] for r in select(store, "chain_anchors", chain=bound)], keep)
    bindings = {"chain": bound, "scope": iri(seg.iri) if seg else bound}
    if place:
        bindings["district"] = iri(place.iri)
    name = "chain_members_in" if place else "chain_members"
    # The build's counts, which equal what chain_member_count(_in) would count live plus the anchors kept (a test
    # compares them on the fixtures); live, a count reads every member of the chain (seconds at a million).
    scope = seg or entity
    counted = (select(store, "tally_count", of=iri(scope.iri), **{"in": iri(place.iri)}) if place else
               select(store, "enterprise_count", entity=iri(scope.iri)))
    total = counted[0]["enterprises"] if counted else 0
    rows = anchors[offset:offset + limit]
    wanted = limit - len(rows)
    if wanted > 0:
        ids = [r["enterprise"] for r in select_page(store, name, max(0, offset - len(anchors)), wanted, **bindings)]
        rows += sorted(_details(store, entity.iri, ids, keep), key=lambda r: (r["name"] or "", r["iri"]))
    return {"total": total, "limit": limit, "offset": offset, "rows": rows}


def _paged_members(store, entity: Entity, limit: int, offset: int) -> dict:
    """:func:`chain_enterprises` without filters, from the member pages of the summary graph."""
    counted = select(store, "enterprise_count", entity=iri(entity.iri))
    total = counted[0]["enterprises"] if counted else 0
    first, last = offset // PAGE_SIZE, (min(offset + limit, total) - 1) // PAGE_SIZE
    pages = select_many(store, [("page_enterprises", {"page": iri(page_iri(entity.iri, k)), "chain": iri(entity.iri)})
                                for k in range(first, last + 1)])
    rows = _with_sources(store, [r for rows in pages for r in rows])
    rows = _enterprises_from(_ordered(rows, ("enterprise", "role", "source")))
    start = offset - first * PAGE_SIZE
    return {"total": total, "limit": limit, "offset": offset, "rows": rows[start:start + limit]}


def _with_sources(store, rows: list[dict]) -> list[dict]:
    """Rows with a ``g`` (the row stating them) as one row per source of ``g``, with the source columns of
    chain_enterprises (``source``, ``source_label`` …); each distinct ``g`` is looked up once."""
    rows_of = sorted({r["g"] for r in rows if r.get("g")})
    found = dict(zip(rows_of, select_many(store, [("row_sources", {"g": iri(g)}) for g in rows_of])))
    out = []
    for row in rows:
        sources = found.get(row.get("g")) or [{}]
        for src in sources:
            out.append({**row, "source": src.get("source"), "source_label": src.get("label"),
                        "source_title": src.get("title"), "source_url": src.get("url"),
                        "source_outlet": src.get("outlet"), "source_date": src.get("date")})
    return out


def _row_filter(segment: Entity | None, place: Entity | None):
    def keep(row: dict) -> bool:
        return ((segment is None or row["segment"] == segment.iri)
                and (place is None or row["district"] == place.iri))
    return keep


def _details(store, chain: str, enterprises: list[str], keep=None) -> list[dict]:
    """The enterprise rows (see :func:`chain_enterprises`) of the given enterprises of a chain, one query each
    (bound, so each is a few lookups whatever the size of the store); rows failing ``keep`` are left out first."""
    if not enterprises:
        return []
    jobs = [("chain_enterprises", {"chain": iri(chain), "enterprise": iri(e)}) for e in enterprises]
    rows = [r for rows in select_many(store, jobs) for r in rows if keep is None or keep(r)]
    return _enterprises_from(rows)


def _enterprises_from(rows: list[dict]) -> list[dict]:
    grouped = group_rows(_with_pairs(rows, ("segment", "district", "park")), ("enterprise",),
                         ("enterprise", "name_zh", "name_en"),
                         collect=("role", "segment_zh", "district_zh", "park_zh", "segment_pair", "district_pair",
                                  "park_pair"))
    out = []
    for row in grouped:
        role = min(row["role"], key=ROLE_ORDER.index)
        out.append({"name": row["name_zh"], "name_en": row["name_en"], "role": role, "segments": row["segment_zh"],
                    "districts": row["district_zh"], "parks": row["park_zh"], "confidence": row["confidence"],
                    "sources": row["sources"], "iri": row["enterprise"], "segments_en": english(row["segment_pair"]),
                    "districts_en": english(row["district_pair"]), "parks_en": english(row["park_pair"])})
    out.sort(key=lambda r: (ROLE_ORDER.index(r["role"]), r["name"] or "", r["iri"]))
    return out


#: A park or place holding at most this many of a chain's enterprises lists them by name, with the rows that put
#: them there; above it, the build's count only (``enterprise_count``; ``enterprises`` / ``via`` stay empty). Every
#: Jinan park and place is under it, so Jinan answers name every enterprise.
NAMED_UP_TO = 10


def chain_parks(store, chain: str | Entity) -> list[dict]:
    """The parks that carry a chain: stated by a source, or hosting its enterprises (counted by the build).

    Returns:
        Rows with ``name``, ``name_en``, ``level``, ``district``, ``basis`` (``carries``, ``positioned``,
        ``enterprise``), ``enterprise_count`` (the chain's enterprises in the park), ``enterprises`` (their names
        when at most :data:`NAMED_UP_TO`), ``confidence``, ``sources``, ``iri``.
    """
    entity = chain if isinstance(chain, Entity) else resolve_chain(store, chain)
    this = {"chain": iri(entity.iri)}
    rows, tallies = select_many(store, [("chain_parks", this), ("chain_tallies", this)])
    return _parks_from(rows + _held(store, entity, [t for t in tallies if t["is_park"]]), tallies, store)


def _held(store, chain: Entity, tallies: list[dict]) -> list[dict]:
    """Rows with basis ``enterprise`` for parks or places holding a chain's enterprises: the rows naming each
    enterprise where the build counted few, one row without names elsewhere."""
    few = [t for t in tallies if t["enterprises"] <= NAMED_UP_TO]
    jobs = [("chain_park_enterprises", {"chain": iri(chain.iri), "park": iri(t["place"])}) if t["is_park"] else
            ("chain_place_enterprises", {"chain": iri(chain.iri), "place": iri(t["place"])}) for t in few]
    out = [r for rows in select_many(store, jobs) for r in rows]
    for t in tallies:
        if t["enterprises"] > NAMED_UP_TO:
            out.append({"park" if t["is_park"] else "place": t["place"], "name_zh": t["name_zh"],
                        "name_en": t["name_en"], "level": t["level"], "district_zh": t["district_zh"],
                        "district_en": t.get("district_en"),
                        "basis": "enterprise"})
    return out


def _ordered(rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    """Rows gathered from several queries, in the order one query's ``ORDER BY`` of these columns gave (unbound
    first), so that grouping them keeps sources in a stable order."""
    return sorted(rows, key=lambda r: tuple(str(r.get(c) or "") for c in columns))


def _parks_from(rows: list[dict], tallies: list[dict], store=None) -> list[dict]:
    counts = {t["place"]: t["enterprises"] for t in tallies}
    rows = _with_pairs(_ordered(rows, ("park", "basis", "enterprise", "source")), ("enterprise",), store)
    grouped = group_rows(rows, ("park",), ("park", "name_zh", "name_en", "level", "district_zh", "district_en"),
                         collect=("basis", "enterprise_zh", "enterprise_pair"))
    order = ("carries", "positioned", "enterprise")
    out = [{"name": r["name_zh"], "name_en": r["name_en"], "level": _level(r["level"]),
            "district": r["district_zh"], "district_en": r["district_en"], "basis": min(r["basis"], key=order.index),
            "enterprise_count": counts.get(r["park"], 0), "enterprises": r["enterprise_zh"],
            "enterprises_en": english(r["enterprise_pair"]),
            "confidence": r["confidence"], "sources": r["sources"], "iri": r["park"]} for r in grouped]
    out.sort(key=lambda r: (order.index(r["basis"]), r["name"] or ""))
    return out


def chain_places(store, chain: str | Entity) -> list[dict]:
    """The districts and zones that carry a chain: positioned for it, holding parks that carry it, or holding its
    enterprises (counted by the build; named when at most :data:`NAMED_UP_TO`)."""
    entity = chain if isinstance(chain, Entity) else resolve_chain(store, chain)
    this = {"chain": iri(entity.iri)}
    rows, tallies = select_many(store, [("chain_places", this), ("chain_tallies", this)])
    return _places_from(rows + _held(store, entity, [t for t in tallies if not t["is_park"]]), tallies, store)


def _places_from(rows: list[dict], tallies: list[dict], store=None) -> list[dict]:
    counts = {t["place"]: t["enterprises"] for t in tallies if not t["is_park"]}
    rows = _with_pairs(_ordered(rows, ("place", "basis", "via", "source")), ("via",), store)
    grouped = group_rows(rows, ("place",), ("place", "name_zh", "name_en"), collect=("basis", "via_zh", "via_pair"))
    return [{"name": r["name_zh"], "name_en": r["name_en"], "basis": r["basis"], "via": r["via_zh"],
             "via_en": english(r["via_pair"]),
             "enterprise_count": counts.get(r["place"], 0), "confidence": r["confidence"], "sources": r["sources"],
             "iri": r["place"]} for r in grouped]


def indicators(store, subject: Entity) -> list[dict]:
    """The figures and targets about an entity (chain, place, chain system)."""
    return _indicator_rows(select(store, "indicators", subject=iri(subject.iri)))


def _indicator_rows(rows: list[dict]) -> list[dict]:
    grouped = group_rows(rows, ("indicator",), ("indicator", "subject_zh", "measure_zh", "measure_en", "value",
                                                "unit", "year", "kind", "qualifier", "qualifier_word", "quote"))
    # qualifier (more_than, nearly …) and qualifier_word (超过, 近 … as the source writes it): kg.figures.figure_text
    return [{"measure": r["measure_zh"], "measure_en": r["measure_en"], "subject": r["subject_zh"],
             "value": r["value"], "qualifier": r["qualifier"], "qualifier_word": r["qualifier_word"],
             "unit": r["unit"], "year": r["year"], "kind": r["kind"], "quote": r["quote"],
             "confidence": r["confidence"], "sources": r["sources"], "iri": r["indicator"]} for r in grouped]


def chain_profile(store, chain: str) -> dict:
    """A chain's profile: segments upstream → downstream with their enterprises, parks, places, policies, figures.

    Sized for any store: ``enterprises`` is the first page of :func:`chain_enterprises` (chain-masters and leading
    enterprises first; :data:`PAGE` rows) and ``enterprise_total`` counts them all; the rest is behind paging. On
    the bundled data the first page holds every enterprise.

    Returns:
        ``{"chain", "segments", "enterprises", "enterprise_total", "parks", "places", "policies", "indicators"}``;
        each segment has ``name``, ``name_en``, ``position``, ``sequence``, ``supplies_to`` (names), ``codes``
        (``"3973 集成电路制造"``), ``enterprise_count`` (all enterprises placed in it, counted in SPARQL) and
        ``enterprises`` (the names of those on the first page, chain-masters first).
    """
    entity = resolve_chain(store, chain)
    this = {"chain": iri(entity.iri)}
    (seg_rows, count_rows, info_rows, source_rows, park_rows, place_rows, tallies, policy_rows,
     indicator_rows) = select_many(store, [
        ("chain_segments", this), ("chain_segment_counts", this), ("chain_info", this),
        ("entity_sources", {"entity": iri(entity.iri)}), ("chain_parks", this), ("chain_places", this),
        ("chain_tallies", this), ("chain_policies", this), ("indicators", {"subject": iri(entity.iri)})])
    page = chain_enterprises(store, entity, limit=PAGE)
    held = _held(store, entity, tallies)
    park_rows += [r for r in held if "park" in r]
    place_rows += [r for r in held if "place" in r]
    counts = {r["segment"]: r["enterprises"] for r in count_rows}
    seg_names = {r["segment"]: r["name_zh"] for r in seg_rows}
    seg_names_en = {r["segment"]: r["name_en"] or r["name_zh"] for r in seg_rows}
    segments: dict[str, dict] = {}
    for row in seg_rows:
        seg = segments.setdefault(row["segment"], {
            "name": row["name_zh"], "name_en": row["name_en"], "position": local(row["position"]).lower(),
            "sequence": row["sequence"], "supplies_to": [], "supplies_to_en": [], "codes": [],
            "enterprise_count": counts.get(row["segment"], 0), "enterprises": [], "enterprises_en": [],
            "iri": row["segment"]})
        target = seg_names.get(row["supplies_to"], row["supplies_to"])
        if target and target not in seg["supplies_to"]:
            seg["supplies_to"].append(target)
            seg["supplies_to_en"].append(seg_names_en.get(row["supplies_to"], target))
        code = f"{row['code']} {row['code_zh']}" if row["code"] else None
        if code and code not in seg["codes"]:
            seg["codes"].append(code)
    for ent in page["rows"]:
        for seg in segments.values():
            if seg["name"] in ent["segments"]:
                seg["enterprises"].append(ent["name"])
                seg["enterprises_en"].append(ent["name_en"] or ent["name"])
    info = info_rows[0]
    sources = _source_objects(source_rows)
    return {
        "chain": {"name": entity.name("zh"), "name_en": entity.names.get("en"), "iri": entity.iri,
                  "tier": "landmark" if info["landmark"] else "key", "group": info["group_zh"],
                  "group_en": info["group_en"], "status": "confirmed" if info["confirmed"] else "candidate",
                  "parent": info["parent"], "sources": sources},
        "segments": sorted(segments.values(), key=lambda s: (s["sequence"], s["name"])),
        "enterprises": page["rows"],
        "enterprise_total": page["total"],
        "parks": _parks_from(park_rows, tallies, store),
        "places": _places_from(place_rows, tallies, store),
        "policies": _policies_from(policy_rows),
        "indicators": _indicator_rows(indicator_rows),
    }


def district_profile(store, name: str, limit: int = PAGE, offset: int = 0) -> dict:
    """What a district or zone is positioned for and carries: chains, parks, enterprises, policies, figures.

    Sized for any store: the chains its enterprises belong to come with the build's counts (``enterprise_count``;
    named in ``via`` when at most :data:`NAMED_UP_TO`); ``enterprises`` is one page (``limit`` rows from
    ``offset``, in store order, each page sorted by IRI) and ``enterprise_total`` counts them all. On the bundled data
    the first page holds every enterprise.

    Returns:
        ``{"place", "positioning", "chains", "parks", "enterprises", "enterprise_total", "offset", "policies",
        "indicators"}``. ``positioning`` is the statement as the sources word it, with its sources; each chain has
        ``basis`` (``positioned``, ``enterprise``, ``park``), ``via`` and ``enterprise_count``.
    """
    place = resolve(store, name, kinds=("place",))
    this = {"place": iri(place.iri)}
    (fact_rows, source_rows, chain_rows, tallies, park_rows, counted, policy_rows,
     indicator_rows) = select_many(store, [
        ("entity_facts_out", {"entity": iri(place.iri)}), ("graph_sources_out", {"entity": iri(place.iri)}),
        ("place_chains", this), ("place_tallies", this), ("place_parks", this),
        ("enterprise_count", {"entity": iri(place.iri)}), ("place_policies", this),
        ("indicators", {"subject": iri(place.iri)})])
    ids = [r["enterprise"] for r in select_page(store, "place_enterprise_ids", offset, limit, **this)]
    jobs = [("place_enterprises", {**this, "enterprise": iri(e)}) for e in sorted(ids)]
    jobs += [("place_chain_enterprises", {**this, "chain": iri(t["chain"])}) for t in tallies
             if t["enterprises"] <= NAMED_UP_TO]
    found = select_many(store, jobs)
    enterprise_rows = [r for rows in found[:len(ids)] for r in rows]
    chain_rows = chain_rows + [r for rows in found[len(ids):] for r in rows]
    chain_rows += [{"chain": t["chain"], "chain_zh": t["chain_zh"], "chain_en": t["chain_en"], "tier": t["tier"],
                    "basis": "enterprise"} for t in tallies if t["enterprises"] > NAMED_UP_TO]
    counts = {t["chain"]: t["enterprises"] for t in tallies}
    chain_rows = _ordered(chain_rows, ("basis", "chain", "via", "source"))
    facts = _describe_from(place, fact_rows, source_rows)
    positioning = [{"text": f["value"], "confidence": f["confidence"], "sources": f["sources"]}
                   for f in facts["facts"] if f["property"] == "positioning"]
    codes = {f["property"]: f["value"] for f in facts["facts"] if f["property"] in ("divisionCode", "statisticalCode")}
    chains = group_rows(_with_pairs(chain_rows, ("via",), store), ("chain",),
                        ("chain", "chain_zh", "chain_en", "tier"), collect=("basis", "via_zh", "quote", "via_pair"))
    order = ("positioned", "enterprise", "park")
    chains = [{"name": r["chain_zh"], "name_en": r["chain_en"], "tier": r["tier"], "basis": r["basis"],
               "via": r["via_zh"], "via_en": english(r["via_pair"]), "enterprise_count": counts.get(r["chain"], 0),
               "confidence": r["confidence"],
               "sources": r["sources"], "iri": r["chain"]}
              for r in chains]
    chains.sort(key=lambda r: (min(order.index(b) for b in r["basis"]), r["tier"] != "landmark", r["name"] or ""))
    parks = group_rows(park_rows, ("park",),
                       ("park", "name_zh", "name_en", "level"))
    enterprises = group_rows(_with_pairs(enterprise_rows, ("park",), store), ("enterprise",),
                             ("enterprise", "name_zh", "name_en"), collect=("park_zh", "park_pair"))
    policies = group_rows(policy_rows, ("policy",),
                          ("policy", "title", "doc_number", "issuer", "issued", "in_force", "general"),
                          collect=("basis",))
    return {
        "place": {"name": place.name("zh"), "name_en": place.names.get("en"), "iri": place.iri, **codes},
        "positioning": positioning,
        "chains": chains,
        "parks": [{"name": r["name_zh"], "name_en": r["name_en"], "level": _level(r["level"]),
                   "confidence": r["confidence"], "sources": r["sources"], "iri": r["park"]} for r in parks],
        "enterprises": [{"name": r["name_zh"], "name_en": r["name_en"], "parks": r["park_zh"],
                         "parks_en": english(r["park_pair"]),
                         "confidence": r["confidence"], "sources": r["sources"], "iri": r["enterprise"]}
                        for r in enterprises],
        "enterprise_total": counted[0]["enterprises"] if counted else 0,
        "offset": offset,
        "policies": [{"title": r["title"], "doc_number": r["doc_number"], "issuer": r["issuer"], "date": r["issued"],
                      "in_force": r["in_force"], "basis": r["basis"], "confidence": r["confidence"],
                      "sources": r["sources"], "iri": r["policy"]} for r in policies],
        "indicators": _indicator_rows(indicator_rows),
    }


def policy_profile(store, name: str) -> dict:
    """A policy document: its facts, what it supports or applies to, what it cites or evaluates, what cites it,
    and the targets it sets.

    Returns:
        ``{"policy", "links", "targets"}``; each link has ``direction`` (``out``, ``in``), ``relation``
        (``supports``, ``applies_to``, ``cites``, ``evaluates``, ``draft_of``), ``target``, ``target_kind``.
    """
    policy = resolve(store, name, kinds=("policy",))
    fact_rows, source_rows, link_rows, target_rows = select_many(store, [
        ("entity_facts_out", {"entity": iri(policy.iri)}), ("graph_sources_out", {"entity": iri(policy.iri)}),
        ("policy_links", {"policy": iri(policy.iri)}), ("policy_targets", {"set_by": iri(policy.iri)})])
    facts = _describe_from(policy, fact_rows, source_rows)
    fields = {"title": "title", "docNumber": "doc_number", "docNumberAsWritten": "doc_number_as_written",
              "issuer": "issuer", "issued": "date", "dateInForce": "date_in_force", "inForce": "in_force",
              "coversAllChains": "general", "level": "level", "jurisdiction": "jurisdiction"}
    info: dict = {"name": policy.name("zh"), "iri": policy.iri, "doc_number": None}
    for fact in facts["facts"]:
        if fact["property"] in fields:
            value = fact["value_zh"] or fact["value"]
            if fact["property"] == "level":
                value = _level(fact["value"])
            info[fields[fact["property"]]] = value
        if fact["property"] == "type" and fact["value"] != str(CKG.PolicyDocument):
            info["type"] = fact["value_zh"] or local(fact["value"])
            info["type_en"] = fact["value_en"]
            info["sources"] = fact["sources"]
            info["confidence"] = fact["confidence"]
    links = group_rows(link_rows, ("direction", "relation", "target"),
                       ("direction", "relation", "target", "target_zh", "target_en", "target_kind", "quote"))
    return {
        "policy": info,
        "links": [{"direction": r["direction"], "relation": r["relation"], "target": r["target_zh"] or r["target"],
                   "target_en": r["target_en"], "target_kind": local(r["target_kind"]), "quote": r["quote"],
                   "confidence": r["confidence"], "sources": r["sources"], "iri": r["target"]} for r in links],
        "targets": _indicator_rows(target_rows),
    }
