"""Enterprise registers → reviewed rows of the dataset's own tables: each row checked, placed, classified, merged.

Owns the judgement of a register row (``chainkg ingest enterprises``): reading the file is :mod:`kg.data.register`'s
job, the place rules :mod:`kg.data.places`', the segment rules :mod:`kg.data.classify`'s, writing the review folder
and merging it into a dataset :mod:`kg.data.review`'s. Rules (``docs/schema.md``, "Enterprise registers"):

- every input row gets exactly one status: ``added`` (a new enterprise), ``merged`` (an enterprise the dataset or an
  earlier row already has: enriched with what it lacked, or nothing new), ``needs review`` (a doubt only a person can
  settle: an unknown district, a credit code registered elsewhere than the address says, an industry code outside
  GB/T 4754-2017, a name or code that clashes with another enterprise), ``refused`` (no name, or a credit code that
  is damaged or wrong: it cannot identify anything);
- an enterprise's own facts (name, credit code, district, industry code, 资质) come from the register, cited with the
  register's source at confidence ``confirmed`` (an official register speaks for its own rows); a segment is a
  modelling step (:data:`kg.data.classify.CONFIDENCE`);
- ids are stable: ``ent:uscc-<credit code>``, or ``ent:reg-<12 hex of sha1(name key | place)>`` without a code, so
  that importing the same file twice adds nothing.

Memory: the rows stream; held are one index entry per enterprise (credit code, name key, what enrichment needs).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg import identifiers
from kg.data.classify import BASIS_SOURCE, CONFIDENCE, Classifier, Segment
from kg.data.places import Place, Places
from kg.data.validate import load_industry_codes
from kg.errors import DataError, InvalidIdentifier, Problem
from kg.manifest import load_manifest
from kg.tables import SPECS, iter_table

ADDED, MERGED, REVIEW, REFUSED = "added", "merged", "needs review", "refused"
STATUSES = (ADDED, MERGED, REVIEW, REFUSED)

#: Company-form endings dropped before names are compared (never in what is displayed or written).
COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司")
_TAG_SPLIT = re.compile(r"[;；,，、/|\s]+")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)


def name_key(name: str) -> str:
    """The key names are matched by: :func:`kg.identifiers.match_key` (full-width, traditional, spaces, quotes
    folded) without a company-form ending (有限公司, 股份有限公司, 有限责任公司 …).

    >>> name_key("齊魯製藥集團有限公司") == name_key("齐鲁制药集团")
    True
    """
    key = identifiers.match_key(name)
    for form in COMPANY_FORMS:
        if key.endswith(form) and len(key) > len(form) + 1:
            return key[: -len(form)]
    return key


def check_credit_code(raw: str) -> tuple[str, str]:
    """``(code, "")`` for a valid credit code, ``("", what is wrong)`` otherwise, spreadsheet damage named.

    >>> check_credit_code("9.13700001630477E+17")[1]
    'stored as a number in the spreadsheet: digits lost (scientific notation); export the column as text'
    """
    value = raw.strip().upper().replace(" ", "")
    if _SCIENTIFIC.fullmatch(value):
        return "", "stored as a number in the spreadsheet: digits lost (scientific notation); export the column as text"
    if value.isdigit() and len(value) == 18 and value.endswith("000"):
        try:
            return identifiers.validate_uscc(value), ""
        except InvalidIdentifier:
            return "", ("rounded by a spreadsheet to 15 significant digits (ends in 000, check character wrong): "
                        "digits lost; export the column as text")
    if len(value) == 17:
        try:
            identifiers.validate_uscc("9" + value)
            return "", "a character is missing (a lost leading 9?): 17 characters, and 9 + the code is valid"
        except InvalidIdentifier:
            return "", "a character is missing: 17 characters, expected 18"
    try:
        return identifiers.validate_uscc(value), ""
    except InvalidIdentifier as err:
        return "", str(err).split(": ", 1)[-1]


def split_tags(text: str) -> list[str]:
    """资质 cell → tags, as written, in order, without repeats."""
    return list(dict.fromkeys(t for t in _TAG_SPLIT.split(text) if t))


@dataclass
class Known:
    """What the ingest knows of one enterprise (in the dataset or added by an earlier row)."""

    id: str
    key: str
    credit: str = ""
    place: str = ""  # the first place known (column or link); ``places`` holds them all
    code: str = ""
    tags: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    new: bool = False  # added by this import


@dataclass
class Outcome:
    """The judgement of one row: its report line and, when it adds or enriches, the facts it brings."""

    line: int
    status: str
    reason: str = ""
    column: str = ""
    value: str = ""
    enterprise: str = ""
    name: str = ""
    place: str = ""
    industry_code: str = ""
    segments: list[tuple[str, str, str]] = field(default_factory=list)  # (segment, basis, keyword)
    credit: str = ""  # of an added enterprise
    tags: list[str] = field(default_factory=list)
    located_short: str = ""  # a place read from the address by its short form: a located_in link, not place_id


@dataclass
class Change:
    """What a merge adds to an enterprise (``fields``: column → value; ``tags`` and ``segments`` appended)."""

    fields: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    segments: list[tuple[str, str]] = field(default_factory=list)  # (segment, basis)
    located_short: str = ""  # a place read from the address by its short form: a located_in link, not place_id


class Ingest:
    """The judgement of a register's rows against one dataset.

    Args:
        data_dir: the dataset folder.
        source_id: the register's source id (cited by every fact taken from it).

    After :meth:`judge` has seen every row, :attr:`changes` holds what merges add to known enterprises and
    :attr:`counts` the tallies the summary reports.
    """

    def __init__(self, data_dir: Path, source_id: str) -> None:
        self.data_dir = Path(data_dir)
        self.source_id = source_id
        self.manifest = load_manifest(self.data_dir)
        tables = {name: _read(self.data_dir, name) for name in ("segments.csv", "districts.csv", "aliases.csv",
                                                                   "chains.csv")}
        self.industry_codes = load_industry_codes(self.manifest.industry_codes_file())
        self.classifier = Classifier(
            [Segment(r.get("segment_id"), r.get("chain_id"), r.get("name_zh"), tuple(r.split("industry_codes")))
             for r in tables["segments.csv"]], self.industry_codes)
        self.segment_chain = {s.id: s.chain for s in self.classifier.segments.values()}
        self.segment_name = {s.id: s.name for s in self.classifier.segments.values()}
        self.chain_name = {r.get("chain_id"): r.get("name_zh") for r in tables["chains.csv"]}
        self.places = Places(
            [Place(r.get("place_id"), r.get("name_zh"), r.get("kind"), r.get("division_code"), r.get("stat_code"))
             for r in tables["districts.csv"]],
            [(r.get("entity_id"), r.get("alias")) for r in tables["aliases.csv"] if r.get("lang") == "zh"],
            self.manifest.divisions(), self.manifest.division_code)
        self.by_id: dict[str, Known] = {}
        self.by_credit: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.changes: dict[str, Change] = {}
        self.counts: dict[str, Counter] = {k: Counter() for k in (
            "status", "district", "chain", "segment", "basis", "unclassified_code", "review_reason")}
        self.row_count = 0
        self._index_dataset()

    # -- the dataset as it is ------------------------------------------------------------------------------------
    def _index_dataset(self) -> None:
        path = self.data_dir / "enterprises.csv"
        if path.is_file():
            for row in iter_table(path, SPECS["enterprises.csv"]):
                known = Known(row.get("enterprise_id"), name_key(row.get("name_zh")), row.get("credit_code").upper(),
                              row.get("place_id"), row.get("industry_code"), tags=tuple(row.split("qualifications")))
                self._remember(known)
        path = self.data_dir / "links.csv"
        if path.is_file():
            for row in iter_table(path, SPECS["links.csv"]):
                known = self.by_id.get(row.get("subject_id"))
                if known is None:
                    continue
                if row.get("predicate") == "in_segment":
                    known.segments += (row.get("object_id"),)
                elif row.get("predicate") in ("located_in", "in_park"):
                    known.place = known.place or row.get("object_id")
                    known.places += (row.get("object_id"),)

    def _remember(self, known: Known) -> None:
        self.by_id[known.id] = known
        if known.credit:
            self.by_credit.setdefault(known.credit, known.id)
        if known.key:
            self.by_name.setdefault(known.key, known.id)

    # -- one row ---------------------------------------------------------------------------------------------------
    def judge(self, line: int, row: dict[str, str]) -> Outcome:
        """Judge one register row (``line``: its line or spreadsheet row); the outcome is also counted."""
        outcome = self._judge(line, row)
        self.row_count += 1
        self.counts["status"][outcome.status] += 1
        if outcome.status == REVIEW:
            self.counts["review_reason"][outcome.column] += 1
        if outcome.status in (ADDED, MERGED):
            self.counts["district"][self.places.name_of(outcome.place) if outcome.place else "(unknown)"] += 1
            for seg, basis, _ in outcome.segments:
                self.counts["segment"][seg] += 1
                self.counts["basis"][basis] += 1
            for chain in dict.fromkeys(self.segment_chain[s] for s, _, _ in outcome.segments):
                self.counts["chain"][chain] += 1
            if not outcome.segments:
                self.counts["unclassified_code"][outcome.industry_code or "(none)"] += 1
        return outcome

    def refuse_unread(self, problem: Problem) -> Outcome:
        """A row the reader could not read (too many cells, bad bytes): refused, counted."""
        outcome = Outcome(problem.line, REFUSED, problem.message, problem.column, problem.value)
        self.row_count += 1
        self.counts["status"][REFUSED] += 1
        return outcome

    def _judge(self, line: int, row: dict[str, str]) -> Outcome:
        name = " ".join(row.get("name", "").split())
        if not name:
            return Outcome(line, REFUSED, "no enterprise name", "name", "")
        raw_code = row.get("credit_code", "").strip()
        credit = ""
        notes: list[str] = []
        if raw_code:
            credit, damage = check_credit_code(raw_code)
            if damage:
                return Outcome(line, REFUSED, f"credit code: {damage}", "credit_code", raw_code, name=name)
        else:
            notes.append("no credit code")

        # Where: the district column, else the address; the credit code's registration division cross-checks.
        located = self.places.from_column(row.get("district", ""))
        if located.problem:
            return Outcome(line, REVIEW, f"district: {located.problem}", "district", row.get("district", ""),
                           name=name)
        if not located.place:
            located = self.places.in_text(row.get("address", ""))
            if located.problem:
                return Outcome(line, REVIEW, located.problem, "address", row.get("address", ""), name=name)
        place = located.place
        if credit:
            registered, division = self.places.registered(credit)
            if registered and place and registered != place:
                said = (f"the district column says {self.places.name_of(place)}" if located.how == "column"
                        else f"the address names {located.matched}")
                doubt = (f"the credit code was registered in {division} {self.places.name_of(registered)} "
                         f"(positions 3-8), {said}")
                if located.how != "column":
                    return Outcome(line, REVIEW, doubt + "; give the district in a district column to settle it",
                                   "credit_code", credit, name=name)
                notes.append(doubt + "; kept the register's district column")
            elif not place and registered:
                notes.append(f"no district in the row; the credit code was registered in {division} "
                             f"{self.places.name_of(registered)} (registration is not location: not used)")
            elif not registered and division != self.manifest.division_code:
                notes.append(f"the credit code's registration division {division} is not a district of the dataset "
                             "(no cross-check)")
        if not place:
            notes.append("no district found (district column and address)")
        elif located.how == "address-short":
            notes.append(f"district read from the address by its short name {located.matched}")

        # What: the industry code and the segments.
        code_check = self.classifier.check_code(row.get("industry_code", ""))
        if code_check.problem:
            return Outcome(line, REVIEW, f"industry code: {code_check.problem}", "industry_code",
                           row.get("industry_code", ""), name=name)
        code = code_check.code
        segments = self.classifier.classify(code, row.get("business_scope", ""))
        tags = split_tags(row.get("tags", ""))

        # Who: the same enterprise by credit code, else by name (within a district).
        key = name_key(name)
        target = self.by_credit.get(credit) if credit else None
        if target is not None and self.by_id[target].key != key:
            other = self.by_id[target]
            return Outcome(line, REVIEW, f"credit code already belongs to {other.id} (another name); same enterprise "
                           "renamed, or a wrong code?", "credit_code", credit, name=name)
        if target is None:
            target = self.by_name.get(key)
            if target is not None:
                other = self.by_id[target]
                if credit and other.credit and other.credit != credit:
                    return Outcome(line, REVIEW, f"same name as {other.id}, which has the credit code {other.credit}",
                                   "name", name, name=name)
                places = {p for p in (other.place, *other.places) if p and not p.startswith("park:")}
                if place and places and place not in places:
                    return Outcome(line, REVIEW, f"same name as {other.id} in {self.places.name_of(other.place)}; "
                                   "two enterprises cannot share a name in one dataset", "name", name, name=name)
        outcome = Outcome(line, ADDED, "; ".join(notes), enterprise=target or "", name=name, place=place,
                          industry_code=code, segments=segments)
        if target is None:
            self._add(outcome, credit, key, located, tags)
        else:
            self._merge(outcome, self.by_id[target], credit, located, tags)
        for seg, basis, word in segments:
            if word:
                outcome.reason = "; ".join(filter(None, (outcome.reason, f"{seg}: {basis}, keyword {word}")))
        return outcome

    def _add(self, outcome: Outcome, credit: str, key: str, located, tags: list[str]) -> None:
        if credit:
            ent = f"ent:uscc-{credit}"
        else:
            ent = "ent:reg-" + hashlib.sha1(f"{key}|{located.place}".encode()).hexdigest()[:12]
        outcome.enterprise = ent
        known = Known(ent, key, credit, located.place, outcome.industry_code, tags=tuple(tags),
                      segments=tuple(s for s, _, _ in outcome.segments), new=True)
        self._remember(known)
        outcome.credit, outcome.tags = credit, tags
        outcome.located_short = located.place if located.how == "address-short" else ""

    def _merge(self, outcome: Outcome, known: Known, credit: str, located, tags: list[str]) -> None:
        outcome.status = MERGED
        change = self.changes.setdefault(known.id, Change())
        added: list[str] = []
        if credit and not known.credit:
            known.credit = change.fields["credit_code"] = credit
            self.by_credit.setdefault(credit, known.id)
            added.append("credit_code")
        if located.place and not known.place:
            known.place = located.place
            if located.how == "address-short":
                change.located_short = located.place
                added.append("located_in")
            else:
                change.fields["place_id"] = located.place
                added.append("place_id")
        if outcome.industry_code and not known.code:
            known.code = change.fields["industry_code"] = outcome.industry_code
            added.append("industry_code")
        new_tags = [t for t in tags if t not in known.tags]
        if new_tags:
            known.tags += tuple(new_tags)
            change.tags += new_tags
            added.append("qualifications")
        new_segments = [(s, b) for s, b, _ in outcome.segments if s not in known.segments]
        if new_segments:
            known.segments += tuple(s for s, _ in new_segments)
            change.segments += new_segments
            added.append("in_segment")
        if not (change.fields or change.tags or change.segments or change.located_short):
            del self.changes[known.id]
        what = f"enriched with {', '.join(added)}" if added else "nothing new"
        outcome.reason = "; ".join(filter(None, (f"same enterprise as {known.id} "
                                                 f"({'this import' if known.new else 'the dataset'}): {what}",
                                                 outcome.reason)))

    # -- what the rows add -----------------------------------------------------------------------------------------
    def enterprise_row(self, outcome: Outcome) -> dict[str, str]:
        """The enterprises.csv row of an added enterprise."""
        return {"enterprise_id": outcome.enterprise, "name_zh": outcome.name, "credit_code": outcome.credit,
                "place_id": "" if outcome.located_short else outcome.place, "industry_code": outcome.industry_code,
                "qualifications": ";".join(outcome.tags), "source_ids": self.source_id, "confidence": "confirmed"}

    def link_rows(self, enterprise: str, segments: Iterable[tuple[str, str]],
                  located_short: str = "") -> list[dict[str, str]]:
        """The links.csv rows of an enterprise's new segments (and its place read by a short name)."""
        out = []
        if located_short:
            out.append({"subject_id": enterprise, "predicate": "located_in", "object_id": located_short,
                        "source_ids": self.source_id, "confidence": "partial",
                        "note": "district read from the register's address by its short name"})
        for seg, basis in segments:
            out.append({"subject_id": enterprise, "predicate": "in_segment", "object_id": seg,
                        "source_ids": f"{self.source_id};{BASIS_SOURCE[basis]}", "confidence": CONFIDENCE[basis]})
        return out


def _read(data_dir: Path, name: str) -> list:
    path = data_dir / name
    if not path.is_file():
        if name == "aliases.csv":
            return []
        raise DataError(Problem(str(path), 0, "", "", "missing: the ingest needs this table of the dataset"))
    return list(iter_table(path, SPECS[name]))
