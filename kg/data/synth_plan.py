"""The skeleton of a synthetic dataset, planned in memory before :mod:`kg.data.synth` streams the tables.

The themes (chain names paired with real GB/T 4754-2017 codes, checked against the bundled table by
:func:`industry_names`), then, drawn from one ``random.Random`` in a fixed order: chains and their segments (some left
empty on purpose), cities and districts (division codes with the unused province part ``99``), parks, and each
district's focus and "ghost" chains (positioned for, never given an enterprise: a deliberate mismatch). The plan is
small (a few hundred objects whatever the number of enterprises); the enterprises themselves are never planned.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from random import Random

from kg import paths
from kg.errors import ExportError

# (zh, en, tier, group, parent theme index, {position: [GB/T 4754-2017 codes]})
THEMES = (
    ("电子信息", "electronics", "landmark", "advantage", None,
     {"upstream": ["3985", "3562"], "midstream": ["3973", "3976", "3983"], "downstream": ["3911", "3914"]}),
    ("新能源汽车", "new-energy vehicles", "landmark", "advantage", None,
     {"upstream": ["3841", "3670"], "midstream": ["3660"], "downstream": ["3612"]}),
    ("现代医药", "modern medicine", "landmark", "advantage", None,
     {"upstream": ["2710"], "midstream": ["2720", "2761"], "downstream": ["3581", "3589"]}),
    ("高端软件", "high-end software", "landmark", "advantage", None,
     {"upstream": ["6520"], "midstream": ["6513", "6531"], "downstream": ["6450", "6432"]}),
    ("精品钢", "quality steel", "landmark", "characteristic", None,
     {"upstream": ["3140"], "midstream": ["3120"], "downstream": ["3130", "3311"]}),
    ("高端装备", "high-end equipment", "landmark", "characteristic", None,
     {"upstream": ["3421", "3422"], "midstream": ["3491", "3442"], "downstream": ["3511", "3572"]}),
    ("新材料", "new materials", "landmark", "emerging", None,
     {"upstream": ["2651", "2614"], "midstream": ["3091", "3062"], "downstream": ["3240", "3252"]}),
    ("新能源", "new energy", "landmark", "emerging", None,
     {"upstream": ["3825", "3415"], "midstream": ["3819", "3831"], "downstream": ["4415", "4416"]}),
    ("集成电路", "integrated circuits", "key", "", 0,
     {"upstream": ["6520"], "midstream": ["3973"], "downstream": ["3972"]}),
    ("空天信息", "aerospace information", "key", "", 5,
     {"upstream": ["3744"], "midstream": ["3742", "3749"], "downstream": ["6450"]}),
    ("食品", "food", "key", "", None,
     {"upstream": ["1391", "1431"], "midstream": ["1411", "1524"], "downstream": ["1511"]}),
    ("数字创意", "digital creative", "key", "", 3,
     {"upstream": ["7491"], "midstream": ["6572", "6579"], "downstream": ["6432"]}),
)
SUPPORT_CODES = ["7320"]
POSITIONS = ("upstream", "midstream", "downstream")
PARK_KINDS = (("industrial_park", "产业园", "Industrial Park"), ("development_zone", "开发区", "Development Zone"),
              ("base", "基地", "Base"), ("cluster_area", "集聚区", "Cluster Area"))


@dataclass
class Chain:
    id: str
    number: int
    zh: str
    en: str
    tier: str
    group: str
    parent: str
    index: int = 0  # position in the chain list
    segments: list[Segment] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)  # ids of segments that may receive enterprises
    masters: frozenset[int] = frozenset()  # ordinals of member enterprises that become chain masters
    leaders: frozenset[int] = frozenset()
    members: int = 0


@dataclass
class Segment:
    id: str
    chain: str
    zh: str
    en: str
    position: str
    sequence: int
    codes: list[str]
    supplies_to: list[str] = field(default_factory=list)


@dataclass
class Place:
    id: str
    code: str
    zh: str
    en: str
    kind: str
    parent: str
    city: int
    weight: int = 1
    focus: list[str] = field(default_factory=list)  # chains positioned for and present
    ghost: list[str] = field(default_factory=list)  # chains positioned for, never given an enterprise here
    parks: list[str] = field(default_factory=list)
    chain_slots: list[str] = field(default_factory=list)
    member_slots: list[int] = field(default_factory=list)  # indexes of chains an enterprise here may be member of
    enterprises: int = 0


@dataclass
class Park:
    id: str
    zh: str
    en: str
    kind: str
    level: str
    place: str
    parent: str
    carries: list[str]
    extra: list[str]  # positioned for but not carried: a deliberate mismatch


def industry_names() -> dict[str, str]:
    """The GB/T 4754-2017 names by code, from the bundled table.

    Raises:
        ExportError: a theme cites a code the table lacks.
    """
    with paths.gbt4754_file().open(encoding="utf-8", newline="") as handle:
        names = {r["code"]: r["name"] for r in csv.DictReader(handle, delimiter="\t")}
    used = {c for theme in THEMES for codes in theme[5].values() for c in codes} | set(SUPPORT_CODES)
    missing = sorted(used - set(names))
    if missing:
        raise ExportError(f"synth themes cite codes missing from {paths.gbt4754_file()}: {', '.join(missing)}")
    return names


_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals: the shapes allow only Chinese characters in a document number's issuer part.

    >>> chinese_number(7), chinese_number(10), chinese_number(42)
    ('七', '十', '四十二')
    """
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _NUMERALS[tens] + "十"
    return head + (_NUMERALS[ones] if ones or not tens else "")


class Plan:
    """The skeleton of one run: chains, cities, districts and parks, drawn from ``Random(seed)`` in a fixed order (the
    writer goes on drawing from the same ``rng``, so the same arguments give the same files)."""

    def __init__(self, enterprises: int, cities: int, seed: int, codes: dict[str, str]) -> None:
        self.n = enterprises
        self.k = cities
        self.seed = seed
        self.codes = codes
        self.rng = Random(seed)
        self.width = max(6, len(str(enterprises)))
        self.chains = self._plan_chains()
        self.cities, self.districts = self._plan_places()
        self.parks = self._plan_parks()
        self._plan_focus()

    def _plan_chains(self) -> list[Chain]:
        rng = self.rng
        chains = []
        for number, (zh, en, tier, group, parent, positions) in enumerate(THEMES, 1):
            chain = Chain(f"chain:syn{number:02d}", number, f"合成链{number:02d}·{zh}",
                           f"Synthetic chain {number:02d}: {en}", tier, group,
                           f"chain:syn{parent + 1:02d}" if parent is not None else "", number - 1)
            layers: list[list[Segment]] = []
            for sequence, position in enumerate(POSITIONS, 1):
                codes = positions[position]
                groups = [codes] if len(codes) > 1 and rng.random() < 0.3 else [[c] for c in codes]
                layer = []
                for codes_of in groups:
                    k = len(chain.segments) + 1
                    names = "、".join(self.codes[c] for c in codes_of)
                    layer.append(Segment(f"seg:syn{number:02d}-{k}", chain.id, f"合成链{number:02d}·{names}",
                                          f"Synthetic chain {number:02d} {position} segment {k}", position,
                                          sequence, codes_of))
                    chain.segments.append(layer[-1])
                layers.append(layer)
            for upper, lower in zip(layers, layers[1:]):
                for segment in upper:
                    segment.supplies_to = [s.id for s in lower]
            if tier == "landmark" and rng.random() < 0.5:
                k = len(chain.segments) + 1
                chain.segments.append(Segment(
                    f"seg:syn{number:02d}-{k}", chain.id, f"合成链{number:02d}·研发与试验服务",
                    f"Synthetic chain {number:02d} support segment {k}", "support", len(POSITIONS) + 1,
                    list(SUPPORT_CODES)))
            # Gaps on purpose: about one segment in six stays empty, never all of a chain.
            empty = {s.id for s in chain.segments if rng.random() < 0.17}
            chain.filled = [s.id for s in chain.segments if s.id not in empty] or [chain.segments[0].id]
            masters = rng.randint(1, 3 if tier == "landmark" else 2)
            picked = rng.sample(range(12), masters + rng.randint(2, 5))
            chain.masters = frozenset(picked[:masters])
            chain.leaders = frozenset(picked[masters:])
            chains.append(chain)
        return chains

    def _plan_places(self) -> tuple[list[Place], list[Place]]:
        rng = self.rng
        cities, districts = [], []
        for c in range(1, self.k + 1):
            code = f"99{c:02d}00"
            city = Place(f"dist:{code}", code, f"合成市{c:02d}", f"Synthetic City {c:02d}", "city", "", c)
            cities.append(city)
            count = rng.randint(6, 12)
            counties = rng.randint(0, 3)
            for d in range(1, count + 1):
                dcode = f"99{c:02d}{d:02d}"
                kind = "county" if d > count - counties else "district"
                zh, en = ("合成县", "Synthetic County") if kind == "county" else ("合成区", "Synthetic District")
                districts.append(Place(f"dist:{dcode}", dcode, f"{zh}{c:02d}{d:02d}", f"{en} {c:02d}-{d:02d}",
                                        kind, city.id, c, weight=rng.randint(1, 5)))
        return cities, districts

    def _plan_parks(self) -> list[Park]:
        rng = self.rng
        parks = []
        chain_ids = [c.id for c in self.chains]
        for city in self.cities:
            mine = [d for d in self.districts if d.city == city.city]
            for p in range(1, rng.randint(3, 5) + 1):
                place = mine[rng.randrange(len(mine))]
                kind, zh, en = PARK_KINDS[(p - 1) % len(PARK_KINDS)]
                level = ("national", "provincial", "municipal", "")[min(p - 1, 3)] if p > 1 else "national"
                parent = parks[-1].id if kind == "base" and parks and parks[-1].place == place.id else ""
                carries = sorted(rng.sample(chain_ids, rng.randint(1, 3)))
                extra = [c for c in rng.sample(chain_ids, 1) if c not in carries] if rng.random() < 0.25 else []
                park = Park(f"park:{city.code[:4]}-p{p}", f"合成{zh}{city.city:02d}{p:02d}",
                             f"Synthetic {en} {city.city:02d}-{p:02d}", kind, level, place.id, parent, carries, extra)
                place.parks.append(park.id)
                parks.append(park)
        return parks

    def _plan_focus(self) -> None:
        rng = self.rng
        chain_ids = [c.id for c in self.chains]
        carried = {p.id: p.carries for p in self.parks}
        for place in self.districts:
            place.focus = sorted(rng.sample(chain_ids, rng.randint(2, 3)))
            in_parks = {c for park in place.parks for c in carried[park]}
            others = [c for c in chain_ids if c not in place.focus and c not in in_parks]
            place.ghost = [others[rng.randrange(len(others))]] if rng.random() < 0.35 else []
            # Focus chains weigh 6, others 1; ghost chains 0: positioned for, never present (a mismatch).
            place.chain_slots = [c for c in chain_ids for _ in range(6 if c in place.focus else
                                                                      0 if c in place.ghost else 1)]
            place.member_slots = [i for i, c in enumerate(chain_ids) if c not in place.ghost]
