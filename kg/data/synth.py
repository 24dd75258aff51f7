"""Synthetic datasets in the project's own CSV schema: any size, deterministic, obviously not real.

This module owns ``chainkg synth``: it plans a small skeleton in memory (cities, districts, parks, chains, segments:
:mod:`kg.data.synth_plan`; then policies) and streams the enterprises and their links straight to ``enterprises.csv``
and ``links.csv``, so a million enterprises never sit in memory. The same ``(enterprises, cities, seed)`` gives
byte-identical files: one ``random.Random(seed)`` is drawn from in a fixed order, nothing depends on the clock, the
locale or hash order.

What keeps the data from passing for real: division codes use the province part ``99``, which no GB/T 2260 code
uses (the area is ``990100`` for one city, the synthetic province ``990000`` for several); every name says 合成 /
Synthetic; every row cites a source of kind ``synthetic``. The industry codes of segments are real GB/T 4754-2017
codes, checked against the bundled table. Credit codes pass the GB 32100-2015 check; positions 9-17 are a serial
number, not a real organisation code.

The folder is built aside and swapped in whole (:func:`kg.atomic.folder_in_place`). An existing folder is replaced
only when it is an earlier synth output holding nothing but the files its ``dataset.json`` lists (``"generator":
"chainkg"``, ``"kind": "synthetic dataset"``, ``"files"``; :func:`kg.atomic.check_replaceable`); the bundled data is
never written to.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from kg import atomic, identifiers, paths
from kg.data.synth_plan import Plan, chinese_number, industry_names
from kg.errors import ExportError
from kg.manifest import MANIFEST
from kg.tables import SPECS

SOURCE = "src:SYN"
SOURCE_CODES = "src:SYN-GBT4754"
DIVISIONS = "divisions.csv"
FILES = (MANIFEST, DIVISIONS) + tuple(SPECS)
"""Every file synth writes (what an output of an earlier version, whose manifest lists none, must hold)."""
#: The ``kind`` synth's ``dataset.json`` names, beside ``"generator": "chainkg"``.
KIND = "synthetic dataset"
LEGACY_ID = re.compile(r"synth-n\d+-k\d+-s-?\d+")

MAX_ENTERPRISES = 99_999_999  # the serial fills positions 9-16 of the credit code
MAX_CITIES = 99  # city part of the division code: 99CC00

# Weighted slot table for row confidence: picking by index is faster than rng.choices in the enterprise loop.
CONFIDENCE_SLOTS = ("confirmed",) * 7 + ("partial",) * 2 + ("uncertain",)


@dataclass(frozen=True)
class SynthResult:
    """What :func:`synthesize` wrote: the folder and the number of data rows per file."""

    folder: Path
    counts: dict[str, int]


def synthesize(out_dir: Path, enterprises: int, cities: int = 1, seed: int = 0) -> SynthResult:
    """Write a synthetic dataset folder that ``--data`` accepts.

    Args:
        out_dir: the folder to create (or an earlier synth output to replace whole).
        enterprises: how many enterprises (1 to 99,999,999); about two links each.
        cities: how many synthetic cities (1-99); more than one makes the area a synthetic province.
        seed: the random seed; the same arguments give byte-identical files.

    Returns:
        The folder and the number of data rows written per file.

    Raises:
        ExportError: an argument is out of range, ``out_dir`` is inside the bundled data, is not empty and not an
            earlier synth output (or holds files synth did not write), or the folder cannot be written.
    """
    if not 1 <= enterprises <= MAX_ENTERPRISES:
        raise ExportError(f"--enterprises {enterprises}: expected 1 to {MAX_ENTERPRISES:,}")
    if not 1 <= cities <= MAX_CITIES:
        raise ExportError(f"--cities {cities}: expected 1 to {MAX_CITIES}")
    out_dir = Path(out_dir)
    check_target(out_dir)
    codes = industry_names()
    with atomic.folder_in_place(out_dir, MANIFEST, ExportError, KIND, kind=KIND, legacy=legacy_listing) as tmp:
        counts = _Writer(tmp, enterprises, cities, seed, codes).write()
    return SynthResult(out_dir, counts)


def check_target(out_dir: Path) -> None:
    """Refuse a folder synth must not write: the bundled data, or a non-empty folder that is not an earlier synth
    output holding only the files it wrote (:func:`kg.atomic.check_replaceable`).

    Raises:
        ExportError: naming the folder and why (and the files synth did not write).
    """
    target = out_dir.resolve()
    root = paths.data_root().resolve()
    if target == root or root in target.parents or target == paths.default_data_dir().resolve():
        raise ExportError(f"{out_dir} is inside the bundled data folder {root}; write synthetic data elsewhere")
    atomic.check_replaceable(out_dir, MANIFEST, ExportError, KIND, kind=KIND, legacy=legacy_listing)


def legacy_listing(manifest: dict) -> tuple[str, ...] | None:
    """:data:`FILES` when ``manifest`` is a ``dataset.json`` written by synth before it listed its files (``"synthetic":
    true``, an id ``synth-n…-k…-s…`` and ``"generator": {"command": "chainkg synth", ...}``), else ``None``; such a
    folder is replaced only when it holds exactly those files."""
    generator = manifest.get("generator")
    if (manifest.get("synthetic") is True and LEGACY_ID.fullmatch(str(manifest.get("id", "")))
            and isinstance(generator, dict) and generator.get("command") == "chainkg synth"):
        return FILES
    return None


#: Optional columns synthetic datasets leave out (what a register import adds to an enterprise; an indicator's shared
#: measure and qualifier; the label of an untitled source or policy).
_NOT_WRITTEN = {"enterprises.csv": ("industry_code", "qualifications"),
                "indicators.csv": ("measure_id", "qualifier", "qualifier_word"),
                "sources.csv": ("label",), "policies.csv": ("label",)}


def _header(table: str) -> list[str]:
    spec = SPECS[table]
    extra = ("source_ids", "confidence", "quote") + (("note",) if table == "links.csv" else ())
    own = [c for c in spec.columns if c not in _NOT_WRITTEN.get(table, ())]
    return own + ([c for c in extra if c not in spec.columns] if spec.sourced else [])


class _Writer(Plan):
    """One run: the plan (small, in memory: :class:`kg.data.synth_plan.Plan`), then the tables written in a fixed
    order."""

    def __init__(self, folder: Path, enterprises: int, cities: int, seed: int, codes: dict[str, str]) -> None:
        self.folder = folder
        self.counts: dict[str, int] = {}
        super().__init__(enterprises, cities, seed, codes)

    # ---- write ------------------------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        self._write_divisions()
        self._table("sources.csv", self._sources())
        self._table("chain_systems.csv", self._systems())
        self._table("chains.csv", self._chain_rows())
        self._table("segments.csv", self._segment_rows())
        self._table("districts.csv", self._district_rows())
        self._table("parks.csv", self._park_rows())
        policies = self._policies()
        self._table("policies.csv", (p["row"] for p in policies))
        with ExitStack() as stack:
            links = self._open(stack, "links.csv")
            ents = self._open(stack, "enterprises.csv")
            self.counts["links.csv"] = self._place_links(links) + self._policy_links(links, policies)
            self._enterprises(ents, links)
        self._table("measures.csv", iter(()))  # synthetic figures share no measure: the table has its header only
        self._table("indicators.csv", self._indicators(policies))
        self._table("aliases.csv", self._aliases())
        self._write_json(MANIFEST, self._manifest())  # last: it lists every file written
        return dict(sorted(self.counts.items()))

    def _open(self, stack: ExitStack, table: str):
        handle = stack.enter_context((self.folder / table).open("w", encoding="utf-8", newline="",
                                                                 buffering=1 << 20))
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_header(table))
        self.counts[table] = 0
        return writer

    def _table(self, table: str, rows: Iterator[list[str]]) -> None:
        with ExitStack() as stack:
            writer = self._open(stack, table)
            count = 0
            for row in rows:
                writer.writerow(row)
                count += 1
            self.counts[table] = count

    def _write_json(self, name: str, value: dict) -> None:
        (self.folder / name).write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8",
                                        newline="\n")

    def _conf(self) -> str:
        return CONFIDENCE_SLOTS[int(self.rng.random() * len(CONFIDENCE_SLOTS))]

    def _manifest(self) -> dict:
        one = self.k == 1
        name = {"zh": "合成市01", "en": "Synthetic City 01"} if one else {"zh": "合成省", "en": "Synthetic Province"}
        params = f"{self.n} enterprises, {self.k} cities, seed {self.seed}"
        return {
            **atomic.marker_fields(KIND),
            "id": f"synth-n{self.n}-k{self.k}-s{self.seed}",
            "name": name,
            "division_code": "990100" if one else "990000",
            "title": {"zh": f"{name['zh']}产业链图谱(合成数据)", "en": f"{name['en']} industrial chains (synthetic)"},
            "synthetic": True,
            "licence": "Synthetic data generated by chainkg synth; no real place, company or policy. Public domain "
                       "(CC0).",
            "notes": {"zh": f"由 chainkg synth 生成的合成数据({params}),区划代码以 99 开头,不对应任何真实地区。",
                      "en": f"Generated by chainkg synth ({params}); division codes start with 99, which no real "
                            "GB/T 2260 code uses."},
            "reference": {"divisions": DIVISIONS, "industry_codes": "gbt4754-2017.tsv"},
            "chain_target": {"year": "2030", "unit": "亿元"},
            "parameters": {"command": "chainkg synth", "enterprises": self.n, "cities": self.k, "seed": self.seed},
            "files": {p.name: {"bytes": p.stat().st_size} for p in sorted(self.folder.iterdir()) if p.name != MANIFEST},
        }

    def _write_divisions(self) -> None:
        note = "synthetic code (province part 99 is unused by GB/T 2260)"
        source = f"chainkg synth, seed {self.seed}"
        with (self.folder / DIVISIONS).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["code", "name_zh", "level", "parent", "status", "successor", "note", "source"])
            if self.k > 1:
                writer.writerow(["990000", "合成省", "province", "", "current", "", note, source])
            for city in self.cities:
                writer.writerow([city.code, city.zh, "city", "990000" if self.k > 1 else "99", "current", "", note,
                                 source])
                for place in self.districts:
                    if place.city == city.city:
                        writer.writerow([place.code, place.zh, "county", city.code, "current", "", note, source])

    def _sources(self) -> Iterator[list[str]]:
        yield [SOURCE, "synthetic", "chainkg synth", f"合成数据(chainkg synth, seed {self.seed})", "", "",
               f"Every row is generated ({self.n} enterprises, {self.k} cities, seed {self.seed}); nothing is real."]
        yield [SOURCE_CODES, "synthetic", "chainkg synth", f"合成产业链环节与国民经济行业分类对应(seed {self.seed})",
               "", "", "Segments cite real GB/T 4754-2017 codes, assigned to synthetic chains by the generator."]

    def _systems(self) -> Iterator[list[str]]:
        landmark = sum(c.tier == "landmark" for c in self.chains)
        key = len(self.chains) - landmark
        yield ["sys:syn", f"合成“{landmark}+{key}”产业链体系", f"Synthetic \"{landmark}+{key}\" chain system",
               str(landmark), str(key), "2024–", "sys:syn-old", SOURCE, "confirmed", ""]
        yield ["sys:syn-old", "合成旧产业链体系", "Former synthetic chain system", "", "", "2018–2023", "", SOURCE,
               "partial", ""]

    def _chain_rows(self) -> Iterator[list[str]]:
        rng = self.rng
        for chain in self.chains:
            status = "candidate" if chain.tier == "key" and rng.random() < 0.3 else "confirmed"
            target = str(rng.randrange(200, 3000, 50)) if chain.tier == "landmark" else ""
            yield [chain.id, chain.zh, chain.en, chain.tier, chain.group, "sys:syn", status, chain.parent, target,
                   "scale" if target else "", SOURCE, self._conf(), ""]

    def _segment_rows(self) -> Iterator[list[str]]:
        for chain in self.chains:
            for s in chain.segments:
                yield [s.id, s.chain, s.zh, s.en, s.position, str(s.sequence), ";".join(s.supplies_to),
                       ";".join(s.codes), f"{SOURCE};{SOURCE_CODES}", "uncertain", ""]

    def _chain_names(self, ids: list[str]) -> str:
        by_id = {c.id: c.zh for c in self.chains}
        return "、".join(by_id[i] for i in ids)

    def _district_rows(self) -> Iterator[list[str]]:
        landmark = [c.id for c in self.chains if c.tier == "landmark"]
        for city in self.cities:
            yield [city.id, city.zh, city.en, "city", city.code, "", "", f"{len(landmark)}条标志性合成产业链",
                   SOURCE, "confirmed", ""]
            for d in self.districts:
                if d.city == city.city:
                    yield [d.id, d.zh, d.en, d.kind, d.code, "", d.parent, self._chain_names(d.focus + d.ghost),
                           SOURCE, self._conf(), ""]

    def _park_rows(self) -> Iterator[list[str]]:
        for p in self.parks:
            yield [p.id, p.zh, p.en, p.kind, p.level, p.place, p.parent, f"合成园区,承载{self._chain_names(p.carries)}",
                   SOURCE, self._conf(), ""]

    def _policies(self) -> list[dict]:
        """Policies and their links: per city a general plan, a plan per landmark chain, an evaluation, and a few
        district measures; more than one city adds a provincial plan."""
        rng = self.rng
        out: list[dict] = []
        serial: dict[tuple[str, int], int] = {}

        def add(pid: str, title: str, issuer_code: str, doc_type: str, issuer: str, level: str, where: str,
                year: int, general: str, supports: list[str], applies: list[str], cites: list[str],
                evaluates: str = "") -> None:
            key = (issuer_code, year)
            serial[key] = serial.get(key, 0) + rng.randint(1, 9)
            doc = f"{issuer_code}〔{year}〕{serial[key]}号"
            issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            in_force = "no" if year < 2022 else "yes"
            out.append({"id": pid, "supports": supports, "applies": applies, "cites": cites, "evaluates": evaluates,
                        "chains": [s for s in supports if s.startswith("chain:")],
                        "row": [pid, title, doc, doc_type, issuer, level, where, issued, "", in_force, general,
                                SOURCE, self._conf(), ""]})

        landmark = [c for c in self.chains if c.tier == "landmark"]
        if self.k > 1:
            add("pol:prov-general", "合成省推进产业链高质量发展行动计划(2024—2026年)", "合成省发", "action_plan",
                "合成省人民政府", "provincial", "", 2024, "yes", [c.id for c in landmark],
                [c.id for c in self.cities], [])
        for city in self.cities:
            cc = f"{city.city:02d}"
            issuer = f"合成{chinese_number(city.city)}市"
            general = f"pol:c{cc}-general"
            add(general, f"{city.zh}推进新型工业化三年行动计划(2024—2026年)", f"{issuer}发", "action_plan",
                f"{city.zh}人民政府", "municipal", city.id, 2024, "yes", [], [city.id],
                ["pol:prov-general"] if self.k > 1 else [])
            add(f"pol:c{cc}-old", f"{city.zh}产业转型升级实施意见(2019—2021年)", f"{issuer}发", "opinion",
                f"{city.zh}人民政府", "municipal", city.id, 2019, "yes", [], [city.id], [])
            for chain in landmark:
                segs = rng.sample(chain.segments, min(len(chain.segments), rng.randint(0, 2)))
                add(f"pol:c{cc}-{chain.id[6:]}", f"{city.zh}{chain.zh}产业链高质量发展实施方案",
                    f"{issuer}政办发", "implementation_plan", f"{city.zh}人民政府办公厅", "municipal", city.id,
                    rng.choice((2023, 2024, 2025)), "no", [chain.id] + sorted(s.id for s in segs), [city.id],
                    [general])
            add(f"pol:c{cc}-eval", f"{city.zh}推进新型工业化三年行动计划执行情况评估报告", f"{issuer}工信字",
                "evaluation_report", f"{city.zh}工业和信息化局", "municipal", city.id, 2025, "no", [],
                [city.id], [], evaluates=general)
            mine = [d for d in self.districts if d.city == city.city]
            for d in sorted(rng.sample(mine, min(len(mine), 3)), key=lambda x: x.code):
                add(f"pol:d{d.code[2:]}", f"{d.zh}支持{self._chain_names(d.focus[:1])}产业集聚发展若干措施",
                    f"{issuer}{chinese_number(int(d.code[4:]))}{d.zh[2]}发", "measures", f"{d.zh}人民政府",
                    "district", d.id, 2024, "no", list(d.focus), [d.id] + d.parks[:1], [general])
        return out

    def _link(self, writer, subject: str, predicate: str, obj: str, note: str = "") -> int:
        writer.writerow([subject, predicate, obj, SOURCE, self._conf(), "", note])
        return 1

    def _place_links(self, writer) -> int:
        count = 0
        landmark = [c.id for c in self.chains if c.tier == "landmark"]
        for city in self.cities:
            for chain in landmark:
                count += self._link(writer, city.id, "positioned_for", chain)
        for d in self.districts:
            for chain in d.focus:
                count += self._link(writer, d.id, "positioned_for", chain)
            for chain in d.ghost:
                count += self._link(writer, d.id, "positioned_for", chain, "synthetic mismatch: no enterprise here")
        for p in self.parks:
            for chain in p.carries:
                count += self._link(writer, p.id, "carries", chain)
                count += self._link(writer, p.id, "positioned_for", chain)
            for chain in p.extra:
                count += self._link(writer, p.id, "positioned_for", chain, "synthetic mismatch: not carried")
        return count

    def _policy_links(self, writer, policies: list[dict]) -> int:
        count = 0
        for p in policies:
            for target in p["supports"]:
                count += self._link(writer, p["id"], "supports", target)
            for target in p["applies"]:
                count += self._link(writer, p["id"], "applies_to", target)
            for target in p["cites"]:
                count += self._link(writer, p["id"], "cites", target)
            if p["evaluates"]:
                count += self._link(writer, p["id"], "evaluates", p["evaluates"])
        return count

    def _enterprises(self, ents, links) -> None:
        """The hot loop: one enterprise row and about two links per enterprise, written as generated."""
        rnd = self.rng.random
        conf = CONFIDENCE_SLOTS
        nconf = len(conf)
        width = self.width
        chains = {c.id: c for c in self.chains}
        chain_ids = [c.id for c in self.chains]
        places = [d for d in self.districts for _ in range(d.weight)]
        parks = {p.id: p for p in self.parks}
        prefix = {d.id: "91" + d.code for d in self.districts}
        check = identifiers.uscc_check_char
        ent_row = ents.writerow
        link_row = links.writerow
        nlinks = 0
        for i in range(1, self.n + 1):
            eid = f"ent:s{i:0{width}d}"
            place = places[int(rnd() * len(places))]
            place.enterprises += 1
            park = ""
            if place.parks and rnd() < 0.35:
                park = place.parks[int(rnd() * len(place.parks))]
                carried = parks[park].carries
                chain = chains[carried[int(rnd() * len(carried))]] if rnd() < 0.8 else \
                    chains[place.chain_slots[int(rnd() * len(place.chain_slots))]]
            else:
                chain = chains[place.chain_slots[int(rnd() * len(place.chain_slots))]]
            filled = chain.filled
            slots = place.member_slots
            first = int(rnd() * len(filled))
            segment = filled[first]
            ordinal = chain.members
            chain.members += 1
            role = "合成链主企业" if ordinal in chain.masters else "合成龙头企业" if ordinal in chain.leaders else ""
            parent = f"ent:s{int(rnd() * (i - 1)) + 1:0{width}d}" if i > 1 and rnd() < 0.02 else ""
            first17 = prefix[place.id] + f"{i:08d}Y"
            ent_row([eid, f"合成企业{i:0{width}d}有限公司", f"Synthetic Enterprise {i:0{width}d} Co., Ltd.",
                     first17 + check(first17), place.id, park, parent, role, SOURCE, conf[int(rnd() * nconf)], ""])
            link_row([eid, "in_segment", segment, SOURCE, conf[int(rnd() * nconf)], "", ""])
            nlinks += 1
            if role:
                link_row([eid, "chain_master_of" if ordinal in chain.masters else "leading_in", chain.id, SOURCE,
                          conf[int(rnd() * nconf)], "", ""])
                nlinks += 1
            # A second link for most: another segment of the same chain, or membership of another chain; picks
            # skip over the first choice so that no (subject, predicate, object) repeats.
            r = rnd()
            member = -1
            if r < 0.65 and len(filled) > 1:
                j = int(rnd() * (len(filled) - 1))
                link_row([eid, "in_segment", filled[j + (j >= first)], SOURCE, conf[int(rnd() * nconf)], "", ""])
                nlinks += 1
            elif r < 0.95:
                # Uniform over the place's chains but the enterprise's own: draw from all but the last slot and
                # let the last stand in for the own chain.
                member = slots[int(rnd() * (len(slots) - 1))]
                member = slots[-1] if member == chain.index else member
                link_row([eid, "member_of", chain_ids[member], SOURCE, conf[int(rnd() * nconf)], "", ""])
                nlinks += 1
            if rnd() < 0.1:
                j = slots[int(rnd() * len(slots))]
                if j != chain.index and j != member:
                    link_row([eid, "member_of", chain_ids[j], SOURCE, conf[int(rnd() * nconf)], "", ""])
                    nlinks += 1
        self.counts["enterprises.csv"] = self.n
        self.counts["links.csv"] += nlinks

    def _indicators(self, policies: list[dict]) -> Iterator[list[str]]:
        rng = self.rng
        plan = {}
        for p in policies:
            for chain in p["chains"]:
                plan.setdefault(chain, p["id"])
        for chain in self.chains:
            tag = chain.id[6:]
            revenue = rng.randrange(100, 2000)
            yield [f"ind:{tag}-revenue-2024", chain.id, "产业链营业收入(合成)", "Chain revenue (synthetic)",
                   str(revenue), "亿元", "2024", "actual", "", SOURCE, self._conf(), ""]
            # A 2026 target set by the chain's plan; the 2030 target lives in chains.csv (one 2030 target a chain).
            yield [f"ind:{tag}-revenue-2026", chain.id, "产业链营业收入目标(合成)", "Chain revenue target (synthetic)",
                   str(revenue * rng.randint(12, 20) // 10), "亿元", "2026", "target", plan.get(chain.id, ""),
                   SOURCE, self._conf(), ""]
            yield [f"ind:{tag}-enterprises", chain.id, "链上企业数(合成,按主环节)",
                   "Enterprises placed in the chain (synthetic, main segment)", str(chain.members), "家", "",
                   "actual", "", SOURCE, "confirmed", ""]
        for city in self.cities:
            yield [f"ind:{city.code}-revenue-2024", city.id, "规上工业营业收入(合成)",
                   "Industrial revenue (synthetic)", f"{rng.randrange(1000, 20000)}.{rng.randrange(10)}", "亿元",
                   "2024", "actual", "", SOURCE, self._conf(), ""]
        for d in self.districts:
            yield [f"ind:{d.code}-enterprises", d.id, "企业数(合成)", "Enterprises (synthetic)", str(d.enterprises),
                   "家", "", "actual", "", SOURCE, "confirmed", ""]

    def _aliases(self) -> Iterator[list[str]]:
        for chain in self.chains:
            yield [chain.id, f"合成链{chain.number:02d}", "zh", "short_name", SOURCE, "confirmed", ""]
            yield [chain.id, f"SC{chain.number:02d}", "en", "abbreviation", SOURCE, "confirmed", ""]
        for city in self.cities:
            yield [city.id, f"合成{city.city:02d}市", "zh", "variant", SOURCE, "partial", ""]
        for i in range(1, min(self.n, 3) + 1):
            yield [f"ent:s{i:0{self.width}d}", f"合成企业{i:0{self.width}d}", "zh", "short_name", SOURCE, "confirmed",
                   ""]
