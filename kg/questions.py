"""The planner's questions about chains as Python functions returning plain rows (lists of dicts): the chains of a
tier, a chain's policies, enterprises, parks, places and figures, and its profile.

Each function takes an open :class:`kg.store.Store`, runs named queries from ``kg/queries/`` with bound values, and
shapes the rows. No printing here: the CLI formats. Entities in general are :mod:`kg.describe`; districts and
policies :mod:`kg.profiles`.
"""

from __future__ import annotations

from collections import defaultdict

from kg.errors import ChainKGError, NotFound
from kg.iris import CKG
from kg.query import iri, select, select_many, select_page
from kg.resolve import Entity, resolve
from kg.rows import english, group_rows, indicators_from, level_name, local, ordered, source_objects, with_pairs
from kg.summary import PAGE_SIZE, page_iri

TIERS = {"landmark": CKG.LandmarkChain, "key": CKG.KeyChain}
SUPPORT_ORDER = ("direct", "inherited", "general")
ROLE_ORDER = ("chain_master", "leading", "member")


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
            "iri": row["chain"], "sources": source_objects(source_rows[row["chain"]]),
        })
    return {"chains": chains, "declared": declared}



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
                    "date": row["issued"], "in_force": row["in_force"], "level": level_name(row["level"]),
                    "support": row["support"], "via": row["via_zh"], "confidence": row["confidence"],
                    "sources": row["sources"], "iri": row["policy"]})
    out.sort(key=lambda r: (SUPPORT_ORDER.index(r["support"]), str(r["date"] or ""), r["title"]))
    return out



#: Page size of ``chainkg enterprises`` and of the member list in a chain profile. Every chain of the bundled
#: dataset fits in one page, so there the profile lists every enterprise.
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
    rows = _enterprises_from(ordered(rows, ("enterprise", "role", "source")))
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
    grouped = group_rows(with_pairs(rows, ("segment", "district", "park")), ("enterprise",),
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
#: park and place of the bundled dataset is under it, so its answers name every enterprise.
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



def _parks_from(rows: list[dict], tallies: list[dict], store=None) -> list[dict]:
    counts = {t["place"]: t["enterprises"] for t in tallies}
    rows = with_pairs(ordered(rows, ("park", "basis", "enterprise", "source")), ("enterprise",), store)
    grouped = group_rows(rows, ("park",), ("park", "name_zh", "name_en", "level", "district_zh", "district_en"),
                         collect=("basis", "enterprise_zh", "enterprise_pair"))
    order = ("carries", "positioned", "enterprise")
    out = [{"name": r["name_zh"], "name_en": r["name_en"], "level": level_name(r["level"]),
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
    rows = with_pairs(ordered(rows, ("place", "basis", "via", "source")), ("via",), store)
    grouped = group_rows(rows, ("place",), ("place", "name_zh", "name_en"), collect=("basis", "via_zh", "via_pair"))
    return [{"name": r["name_zh"], "name_en": r["name_en"], "basis": r["basis"], "via": r["via_zh"],
             "via_en": english(r["via_pair"]),
             "enterprise_count": counts.get(r["place"], 0), "confidence": r["confidence"], "sources": r["sources"],
             "iri": r["place"]} for r in grouped]



def indicators(store, subject: Entity) -> list[dict]:
    """The figures and targets about an entity (chain, place, chain system)."""
    return indicators_from(select(store, "indicators", subject=iri(subject.iri)))



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
    sources = source_objects(source_rows)
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
        "indicators": indicators_from(indicator_rows),
    }

