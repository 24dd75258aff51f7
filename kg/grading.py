"""Grades and completeness of a chain's segments, and which policies are specific to a chain: pure functions of
what exists locally. The thresholds are :class:`Rules`, all configurable; :mod:`kg.analysis` applies them to a
chain graph.

- **grade** of a segment, first match wins (:func:`grade_segment`):
  空白 blank: no local enterprise placed in it;
  优势 strong: at least ``strong_min_enterprises`` local enterprises, a chain-master (链主) or leading enterprise (龙头)
  among them, and a park carrier (a park hosting one of them) or policy support (a policy naming the segment, or a
  chain-specific policy of its chain);
  潜力 potential: at least ``potential_min_enterprises`` local enterprises, or one with a chain-master or leading
  enterprise, or one with both a park carrier and policy support;
  薄弱 weak: the rest (local enterprises, but few and unanchored).
- **completeness**: share of non-blank segments; **weighted completeness**: the mean over positions (upstream,
  midstream, downstream, support) of each position's share, weighted by ``position_weights``, so a chain cannot
  look complete by covering many segments of one position only.
- **chain-specific policy**: names one of the chain's segments, or names the chain and at most
  ``specific_policy_max_chains`` chains in all (a plan that lists all 13 chains is not specific to any); city-wide
  policies for all chains (``ckg:coversAllChains``) and policies inherited from a parent chain never are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg.i18n import Note

GRADES = ("strong", "potential", "weak", "blank")
GRADE_ZH = {"strong": "优势", "potential": "潜力", "weak": "薄弱", "blank": "空白"}
POSITIONS = ("upstream", "midstream", "downstream", "support")


@dataclass(frozen=True)
class Rules:
    """Thresholds of the grades and findings (see this module's docstring and :mod:`kg.analysis`'s for the rules they
    feed)."""

    #: 优势 needs at least this many local enterprises (with an anchor and a park or policy).
    strong_min_enterprises: int = 3
    #: 潜力 needs at least this many local enterprises (or one anchored, or one with both park and policy).
    potential_min_enterprises: int = 2
    #: A policy naming more chains than this is not specific to any of them.
    specific_policy_max_chains: int = 3
    #: Normalised directed betweenness at or above which a blank or weak segment is a critical gap.
    high_betweenness: float = 0.1
    #: How far (in suppliesTo steps) to look for local presence upstream and downstream of a segment.
    neighbour_depth: int = 4
    #: Exact betweenness up to this many segments; above, estimated from ``betweenness_samples`` source segments
    #: (exact betweenness took 3.4 s at 2,000 segments and 65 s at 5,000).
    betweenness_exact_max: int = 500
    betweenness_samples: int = 200
    #: Weight of each position in the weighted completeness.
    position_weights: Mapping[str, float] = field(default_factory=lambda: {
        "upstream": 1.0, "midstream": 1.0, "downstream": 1.0, "support": 0.5})


RULES = Rules()


def grade_segment(enterprises: int, anchors: int = 0, parks: int = 0, policies: int = 0,
                  rules: Rules = RULES) -> tuple[str, list[str]]:
    """The grade of one segment and why, from what exists locally.

    Args:
        enterprises: local enterprises placed in the segment.
        anchors: how many of them are the chain's chain-masters or leading enterprises.
        parks: parks carrying the segment (hosting one of its enterprises).
        policies: policies supporting it (naming the segment, or chain-specific policies of its chain).
        rules: the thresholds.

    Returns:
        ``(grade, reasons)``: grade is ``strong``, ``potential``, ``weak`` or ``blank``; each reason is a
        :class:`kg.i18n.Note` (English text; its key and fields render it in Chinese).

    >>> grade_segment(3, anchors=1, parks=1)[0]
    'strong'
    >>> grade_segment(5)[0], grade_segment(1, anchors=1)[0], grade_segment(1, parks=1, policies=1)[0]
    ('potential', 'potential', 'potential')
    >>> grade_segment(1, policies=1)
    ('weak', ['1 local enterprise (< 2), no chain-master or leading enterprise, no park carrier'])
    >>> grade_segment(1, policies=1)[1][0].as_dict()["missing"]
    [{'key': 'lack.no_anchor'}, {'key': 'lack.no_park_carrier'}]
    >>> grade_segment(0, policies=2)[0]
    'blank'
    """
    support = [{"key": f"lack.{s}"} for s, n in (("park_carrier", parks), ("policy_support", policies)) if n]
    if enterprises <= 0:
        return "blank", [Note("reason.no_enterprise")]
    if enterprises >= rules.strong_min_enterprises and anchors and support:
        return "strong", [Note("reason.strong", count=enterprises, min=rules.strong_min_enterprises, support=support)]
    if enterprises >= rules.potential_min_enterprises:
        missing = [] if anchors else [{"key": "lack.no_anchor"}]
        if not support:
            missing.append({"key": "lack.no_carrier_or_policy"})
        if not missing:
            return "potential", [Note("reason.potential_count", count=enterprises,
                                      min=rules.potential_min_enterprises)]
        return "potential", [Note("reason.potential_lacking", count=enterprises, min=rules.potential_min_enterprises,
                                  missing=missing)]
    if anchors:
        return "potential", [Note("reason.potential_anchor", count=enterprises)]
    if parks and policies:
        return "potential", [Note("reason.potential_supported", count=enterprises)]
    lacking = [{"key": "lack.no_anchor"}] + [{"key": f"lack.no_{s}"} for s, n in (("park_carrier", parks),
                                                                                 ("policy_support", policies)) if not n]
    return "weak", [Note("reason.weak", count=enterprises, min=rules.potential_min_enterprises, missing=lacking)]



def is_specific_policy(policy: Mapping, rules: Rules = RULES) -> bool:
    """Whether a policy row of a chain graph is specific to the chain (see the module docstring).

    >>> is_specific_policy({"scope": "chain", "chain_count": 1, "general": False})
    True
    >>> is_specific_policy({"scope": "chain", "chain_count": 13, "general": False})
    False
    >>> is_specific_policy({"scope": "general", "chain_count": 0, "general": True})
    False
    """
    if policy.get("general") or policy.get("scope") not in ("chain", "segment"):
        return False
    return policy["scope"] == "segment" or (policy.get("chain_count") or 0) <= rules.specific_policy_max_chains



def completeness(grades: Iterable[str]) -> float | None:
    """The share of segments that are not blank; ``None`` for a chain without segments.

    >>> completeness(["strong", "blank", "weak", "blank"])
    0.5
    """
    grades = list(grades)
    return sum(g != "blank" for g in grades) / len(grades) if grades else None



def weighted_completeness(segments: Iterable[tuple[str, str]], weights: Mapping[str, float] | None = None
                          ) -> float | None:
    """Completeness weighted by position: each position present counts by its weight, whatever its segment count.

    Args:
        segments: ``(position, grade)`` pairs.
        weights: weight per position (default: :attr:`Rules.position_weights`; unknown positions weigh 1).

    >>> weighted_completeness([("upstream", "strong"), ("upstream", "blank"), ("downstream", "weak")])
    0.75
    >>> round(weighted_completeness([("upstream", "weak"), ("support", "blank")]), 3)
    0.667
    """
    weights = RULES.position_weights if weights is None else weights
    by_position: dict[str, list[str]] = {}
    for position, grade in segments:
        by_position.setdefault(position, []).append(grade)
    if not by_position:
        return None
    total = sum(weights.get(p, 1.0) for p in by_position)
    if not total:
        return None
    return sum(weights.get(p, 1.0) * completeness(g) for p, g in by_position.items()) / total
