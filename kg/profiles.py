"""The profiles of a district or zone and of a policy document (``chainkg district``, ``chainkg policy``).

A chain's profile is :func:`kg.questions.chain_profile`, beside the chain questions it is made of. Each function
takes an open :class:`kg.store.Store`, runs named queries from ``kg/queries/`` with bound values and shapes the rows.
"""

from __future__ import annotations

from kg.describe import describe_from
from kg.iris import CKG
from kg.query import iri, select_many, select_page
from kg.questions import NAMED_UP_TO, PAGE
from kg.resolve import resolve
from kg.rows import english, group_rows, indicators_from, level_name, local, ordered, with_pairs


def district_profile(store, name: str, limit: int = PAGE, offset: int = 0) -> dict:
    """What a district or zone is positioned for and carries: chains, parks, enterprises, policies, figures.

    Sized for any store: the chains its enterprises belong to come with the build's counts (``enterprise_count``;
    named in ``via`` when at most :data:`kg.questions.NAMED_UP_TO`); ``enterprises`` is one page (``limit`` rows
    from ``offset``, in store order, each page sorted by IRI) and ``enterprise_total`` counts them all. On the bundled
    data the first page holds every enterprise.

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
    chain_rows = ordered(chain_rows, ("basis", "chain", "via", "source"))
    facts = describe_from(place, fact_rows, source_rows)
    positioning = [{"text": f["value"], "confidence": f["confidence"], "sources": f["sources"]}
                   for f in facts["facts"] if f["property"] == "positioning"]
    codes = {f["property"]: f["value"] for f in facts["facts"] if f["property"] in ("divisionCode", "statisticalCode")}
    chains = group_rows(with_pairs(chain_rows, ("via",), store), ("chain",),
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
    enterprises = group_rows(with_pairs(enterprise_rows, ("park",), store), ("enterprise",),
                             ("enterprise", "name_zh", "name_en"), collect=("park_zh", "park_pair"))
    policies = group_rows(policy_rows, ("policy",),
                          ("policy", "title", "doc_number", "issuer", "issued", "in_force", "general"),
                          collect=("basis",))
    return {
        "place": {"name": place.name("zh"), "name_en": place.names.get("en"), "iri": place.iri, **codes},
        "positioning": positioning,
        "chains": chains,
        "parks": [{"name": r["name_zh"], "name_en": r["name_en"], "level": level_name(r["level"]),
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
        "indicators": indicators_from(indicator_rows),
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
    facts = describe_from(policy, fact_rows, source_rows)
    fields = {"title": "title", "docNumber": "doc_number", "docNumberAsWritten": "doc_number_as_written",
              "issuer": "issuer", "issued": "date", "dateInForce": "date_in_force", "inForce": "in_force",
              "coversAllChains": "general", "level": "level", "jurisdiction": "jurisdiction"}
    info: dict = {"name": policy.name("zh"), "iri": policy.iri, "doc_number": None}
    for fact in facts["facts"]:
        if fact["property"] in fields:
            value = fact["value_zh"] or fact["value"]
            if fact["property"] == "level":
                value = level_name(fact["value"])
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
        "targets": indicators_from(target_rows),
    }
