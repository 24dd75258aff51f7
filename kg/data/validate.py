"""The rules on a dataset's rows, checked as the rows stream past (the SHACL run is :mod:`kg.data.shacl`; the
rules on one number or literal, shared with restore, :mod:`kg.data.values`).

:class:`Checker` sees each row once, in the order the build reads them, and keeps only what later rows need: the
ids seen (to check references), one hash per unique key (ids, credit codes, normalised names, document numbers,
links, aliases: to find duplicates), the references that point forward (checked at the end), and the segment graph
(for ``suppliesTo`` cycles). Memory grows by a few hundred bytes per enterprise or link row, never with the text of
the rows. It keeps the first ``limit`` problems (1,000 by default) and counts the rest.

Division codes are checked against the dataset's own division table (named in its manifest), never against a list
written into the code. ``docs/validation.md`` says which check guards which rule, and what SHACL still checks.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from kg import identifiers
from kg.data.rules import ConfidenceRules
from kg.data.values import decimal_problem
from kg.errors import DataError, InvalidIdentifier, Problem
from kg.tables import CONFIDENCE, LINK_PREDICATES, SPECS, Row, TableSpec

DEFAULT_LIMIT = 1000
_match_key = identifiers.cached_match_key
#: The canonical 文号 form, as ``ontology/shapes.ttl`` (ckgsh:PolicyDocument-docNumber) states it; a test checks
#: that the two are the same pattern.
DOC_NUMBER_SHAPE = ("^[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+〔([0-9]{4}〕[1-9][0-9]*"
                    "|[〇零一二三四五六七八九十百]+届〕第[1-9][0-9]*)号$")
_DOC_NUMBER = re.compile(DOC_NUMBER_SHAPE)
_CITY_CODE = re.compile(r"[0-9]{4}00")
_COUNTY_CODE = re.compile(r"[0-9]{4}(0[1-9]|[1-9][0-9])")
#: Whole-number columns (declared chain counts, a segment's sequence): ASCII digits, at most this many (< 10^9, an
#: ``xsd:int``). A 5,000-digit sequence would otherwise reach ``int()`` and stop the build with a traceback.
MAX_WHOLE_DIGITS = 9
WHOLE_COLUMNS = ("landmark_count", "key_count", "sequence")
DECIMAL_COLUMNS = ("value", "target_2030")
_TABLE_RANK = {name: i for i, name in enumerate(SPECS)}


def load_industry_codes(path: Path) -> dict[str, tuple[str, str, str]]:
    """Read the GB/T 4754-2017 table: code → (name, level, parent)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: (r["name"], r["level"], r["parent"]) for r in csv.DictReader(handle, delimiter="\t")}


class Checker:
    """Streaming checks over the rows of one dataset.

    Args:
        industry_codes: the industry classification a segment may cite (code → name, level, parent).
        divisions: the dataset's division table (code → :class:`kg.manifest.Division`), or ``None`` to check
            division codes for their form only.
        limit: how many problems to keep; the rest are only counted.
    """

    def __init__(self, industry_codes: Mapping, divisions: Mapping | None = None, limit: int = DEFAULT_LIMIT) -> None:
        self.industry_codes = industry_codes
        self.divisions = divisions
        self.limit = limit
        self.problems: list[Problem] = []
        self.more = 0
        self.ids: dict[str, int] = {}  # id → line (the table follows from the id's prefix)
        self._keys: dict[tuple[str, int], tuple[str, int]] = {}
        self._forward: list[tuple[str, int, str, str, str]] = []  # (table, line, column, value, wanted prefixes)
        self._segments: dict[str, tuple[int, list[str]]] = {}
        self._kinds: dict[str, str] = {}  # chain id → tier, place id → kind (small tables only)
        self._units: dict[str, str] = {}  # measure id → unit (small table)
        self._parents: list[tuple[Row, str, str, tuple[str, ...], str]] = []  # (row, column, id, kinds, message)
        self._tables: list[Problem] = []  # whole-table problems (a required table missing or empty), listed first
        self._absent: dict[str, str] = {}  # id prefix → the missing or empty table its rows would be in
        self._unchecked: dict[str, int] = defaultdict(int)  # that table → references to it not listed
        self.rules = ConfidenceRules()  # the confidence rules (kg/data/rules.py), judged on every row
        self.breaks: list[Problem] = []  # their breaks: warnings, not errors (the first ``limit`` kept)
        self.more_breaks = 0

    # -- bookkeeping ---------------------------------------------------------------------------------------------
    def add(self, problem: Problem) -> None:
        """Record a problem (kept while under the limit, else counted)."""
        if len(self.problems) < self.limit:
            self.problems.append(problem)
        else:
            self.more += 1

    @property
    def count(self) -> int:
        """How many problems were found."""
        return len(self.problems) + self.more + len(self._tables)

    def table_problem(self, problem: Problem, spec: TableSpec | None = None) -> None:
        """Record a problem with a whole table (listed before the rows' problems); with ``spec``, the table has no
        usable rows, and references to its ids are summed up in one line instead of each listed."""
        self._tables.append(problem)
        if spec is not None:
            for prefix in spec.id_prefixes:
                self._absent[prefix] = spec.file

    def error(self) -> DataError | None:
        """The problems found so far as one error (table problems first, then by table and line), or ``None``."""
        if not self.count and not self._tables:
            return None
        merged: dict[tuple, Problem] = {}
        for p in self.problems:  # one line per bad cell, its findings joined
            key = (p.file, p.line, p.column, p.value)
            if key in merged:
                if p.message not in merged[key].message:
                    merged[key].message += "; " + p.message
            else:
                merged[key] = Problem(p.file, p.line, p.column, p.value, p.message)
        problems = sorted(merged.values(), key=lambda p: (_TABLE_RANK.get(p.file, 99), p.line, p.column))
        if self.more:
            problems.append(Problem("", 0, "", "", f"… and {self.more} more problem(s) not listed "
                                                   f"(only the first {self.limit} are shown)"))
        return DataError(self._tables + problems)

    def _seen(self, row: Row, kind: str, key: str, column: str, what: str) -> None:
        if not key:
            return
        slot = (kind, hash(key))  # a hash, not the text: at a million rows the texts would cost a gigabyte
        first = self._keys.setdefault(slot, (row.table, row.line))
        if first != (row.table, row.line):
            self.add(row.problem(column, f"duplicate {what} (same as {first[0]}:{first[1]})"))

    # -- rows ------------------------------------------------------------------------------------------------------
    def register(self, row: Row, spec: TableSpec) -> bool:
        """Check a row's id and remember it; ``False`` when the id is unusable (the row is then not built)."""
        column = spec.id_column
        if not column:
            return True
        value = row.get(column)
        if not value:
            self.add(row.problem(column, "id is empty"))
            return False
        if not value.startswith(spec.id_prefixes) or not _is_ascii_id(value):
            self.add(row.problem(column, f"id must be ASCII and start with {' or '.join(spec.id_prefixes)}"))
            return False
        first = self.ids.setdefault(value, row.line)
        if first != row.line:
            self.add(row.problem(column, f"duplicate id (first at {spec.file}:{first})"))
            return False
        return True

    def check(self, row: Row, spec: TableSpec) -> int:
        """Run every row rule on one row (its id already registered); returns how many problems it added."""
        before = self.count
        for flaw in row.flaws or ():
            self.add(flaw)
        for column in spec.required:
            if not row.get(column):
                self.add(row.problem(column, "required value is empty"))
        for column, allowed in spec.enums.items():
            value = row.get(column)
            if value and value not in allowed:
                self.add(row.problem(column, f"not one of {', '.join(allowed)}"))
        for column, ref in spec.refs.items():
            values = row.split(column) if ref.multi else ([row.get(column)] if row.get(column) else [])
            for value in values:
                if not value.startswith(ref.prefixes):
                    self.add(row.problem(column, f"must point at {' or '.join(ref.prefixes)} ids", value))
                elif value not in self.ids:
                    self._forward.append((row.table, row.line, column, value, ""))
        if spec.sourced:
            sources = row.split("source_ids")
            if not sources:
                self.add(row.problem("source_ids", "every row needs at least one source"))
            for value in sources:
                if not value.startswith("src:") or value not in self.ids:
                    if value.startswith("src:") and "src:" in self._absent:
                        self._unchecked["sources.csv"] += 1
                    else:
                        self.add(row.problem("source_ids", "unknown source (not in sources.csv)", value))
            if row.get("confidence") not in CONFIDENCE:
                self.add(row.problem("confidence", f"not one of {', '.join(CONFIDENCE)}"))
        self._check_values(row)
        self._check_shape_rules(row)
        errors, breaks = self.rules.check(row)
        for problem in errors:
            self.add(problem)
        for problem in breaks:
            if len(self.breaks) < self.limit:
                self.breaks.append(problem)
            else:
                self.more_breaks += 1
        if spec.file == "links.csv":
            self._check_link(row)
        self._check_duplicates(row, spec)
        if spec.file == "segments.csv":
            self._segments[row.get("segment_id")] = (row.line, row.split("supplies_to"))
        return self.count - before

    def finish(self) -> DataError | None:
        """Check what needed every row (forward references, cycles); the problems as one error, or ``None``."""
        unchecked = self._unchecked
        for table, line, column, value, _ in self._forward:
            if value not in self.ids:
                missing = next((t for prefix, t in self._absent.items() if value.startswith(prefix)), None)
                if missing:  # a consequence of the table problem already listed: counted, not listed
                    unchecked[missing] += 1
                else:
                    self.add(Problem(table, line, column, value, "points at no row (unknown id)"))
        self._forward.clear()
        for table, n in sorted(unchecked.items()):
            self._tables.append(Problem(table, 0, "", "", f"{n:,} reference(s) from other rows point at ids not "
                                                          "read from this table; not listed one by one"))
        for row, column, value, kinds, message in self._parents:
            if value in self.ids and self._kinds.get(value) not in kinds:
                self.add(row.problem(column, message, value))
        self._parents.clear()
        self._check_cycles()
        return self.error()

    def _check_values(self, row: Row) -> None:
        def guard(column: str, check) -> None:
            value = row.get(column)
            if value:
                try:
                    check(value)
                except InvalidIdentifier as err:
                    self.add(row.problem(column, str(err)))

        cells = row.cells
        if "credit_code" in cells:
            guard("credit_code", identifiers.validate_uscc)
        if "doc_number" in cells:
            guard("doc_number", _check_doc_number)
        for column in ("date", "date_issued", "date_in_force"):
            if column in cells:
                guard(column, identifiers.parse_date)
        if row.table == "districts.csv":
            guard("division_code", self._check_division_code)
            guard("stat_code", self._check_stat_code)
        for column in WHOLE_COLUMNS:
            value = row.get(column)
            if value and not (value.isascii() and value.isdigit()):
                self.add(row.problem(column, "must be a whole number", value[:40]))
            elif value and len(value) > MAX_WHOLE_DIGITS:
                self.add(row.problem(column, f"a whole number of {len(value):,} digits; at most {MAX_WHOLE_DIGITS} "
                                             "are accepted", value[:20] + "…"))
        for column in DECIMAL_COLUMNS:
            value = row.get(column)
            if value:
                self._check_number(row, column, value)
        year = row.get("year")
        if year and not (len(year) == 4 and year.isdigit()):
            self.add(row.problem("year", "must be a four-digit year"))
        if row.table == "sources.csv" and not (row.get("title") or row.get("url") or row.get("outlet")):
            self.add(row.problem("title", "a source must be traceable: give its title, outlet or URL"))
        if row.table == "policies.csv" and not (row.get("title") or row.get("label")):
            self.add(row.problem("title", "a policy needs its exact title, or, when no source gives the title, a "
                                          "label describing it (never an invented title)"))
        url = row.get("url")
        if url and not url.startswith(("http://", "https://")):
            self.add(row.problem("url", "must start with http:// or https://"))
        code = row.get("industry_code")
        if code and (code not in self.industry_codes or not code.isdigit()):
            self.add(row.problem("industry_code", "not a GB/T 4754-2017 code (digits, e.g. 3973)"))
        for code in row.split("industry_codes"):
            if code not in self.industry_codes:
                self.add(row.problem("industry_codes", "not a GB/T 4754-2017 code", code))

    def _check_shape_rules(self, row: Row) -> None:
        """The rules SHACL states across columns or rows (``ontology/shapes.ttl``), checked here so that a build
        needs no SHACL run: each message is the shape's own."""
        table = row.table
        if table == "chains.csv":
            tier = row.get("tier")
            self._kinds[row.get("chain_id")] = tier
            if not row.get("system_id"):
                self.add(row.problem("system_id",
                                     "An industrial chain has exactly one ckg:inSystem, a ckg:ChainSystem."))
            if tier == "landmark" and not row.get("group"):
                self.add(row.problem("group", "A landmark chain has exactly one ckg:chainGroup (advantage, "
                                              "characteristic or emerging)."))
            if tier == "landmark" and row.get("parent_chain_id"):
                self.add(row.problem("parent_chain_id", "A landmark chain has no ckg:parentChain; only key chains "
                                                        "sit under landmark chains."))
            if tier == "key" and row.get("group"):
                self.add(row.problem("group", "A key chain has no ckg:chainGroup; groups are for landmark chains."))
            if tier == "key" and row.get("parent_chain_id"):
                self._parents.append((row, "parent_chain_id", row.get("parent_chain_id"), ("landmark",),
                                      "A key chain has at most one ckg:parentChain, a ckg:LandmarkChain."))
        elif table == "districts.csv":
            kind, code = row.get("kind"), row.get("division_code")
            self._kinds[row.get("place_id")] = kind
            if kind in ("city", "district", "county") and not code:
                self.add(row.problem("division_code", "An administrative division has a ckg:divisionCode (GB/T 2260)."))
            if kind == "city" and code and not _CITY_CODE.fullmatch(code):
                self.add(row.problem("division_code", "A city's ckg:divisionCode ends in 00 (e.g. 370100)."))
            if kind in ("district", "county"):
                if code and not _COUNTY_CODE.fullmatch(code):
                    self.add(row.problem("division_code", "A district's or county's ckg:divisionCode does not end in "
                                                          "00 (e.g. 370102)."))
                if not row.get("parent_id"):
                    self.add(row.problem("parent_id", "A district or county is ckg:within a ckg:City."))
                else:
                    self._parents.append((row, "parent_id", row.get("parent_id"), ("city",),
                                          "A district or county is ckg:within a ckg:City."))
            if kind == "functional_zone" and code:
                self.add(row.problem("division_code", "Functional zones and parks are not administrative divisions "
                                                      "and have no ckg:divisionCode; use ckg:statisticalCode."))
        elif table == "policies.csv":
            title = row.get("title")
            if title.startswith("《") and title.endswith("》"):
                self.add(row.problem("title", "A policy document title is not wrapped in 《》 (titles such as "
                                              "关于印发《…》的通知 keep their inner marks)."))
            number = row.get("doc_number")
            if number:
                try:
                    canonical = identifiers.normalise_doc_number(number)[0]
                except InvalidIdentifier:
                    canonical = None  # reported by the document-number check
                if canonical is not None and not _DOC_NUMBER.fullmatch(canonical):
                    self.add(row.problem("doc_number", "not a canonical 发文字号: the issuer abbreviation must be "
                                                       "Chinese characters, e.g. 济发〔2023〕7号"))
        elif table == "measures.csv":
            self._units[row.get("measure_id")] = row.get("unit")
        elif table == "indicators.csv":
            self._check_indicator(row)
        elif table == "sources.csv" and row.get("kind") == "modelling" and not row.get("note"):
            self.add(row.problem("note", "A source of kind modelling states the basis of the choice in its note."))

    def _check_indicator(self, row: Row) -> None:
        """A qualifier word comes with its code and stands in the quote; a figure has its measure's unit."""
        word, quote = row.get("qualifier_word"), row.get("quote")
        if word and not row.get("qualifier"):
            self.add(row.problem("qualifier", "A ckg:qualifierText needs its ckg:valueQualifier: give the qualifier "
                                              "code (more_than, at_least, nearly, less_than, about) for this word."))
        if word and quote and word not in quote:
            self.add(row.problem("qualifier_word", "the qualifier word must be written as in the quote"))
        measure = row.get("measure_id")
        if measure in self._units and self._units[measure] != row.get("unit"):
            self.add(row.problem("unit", f"differs from the unit of {measure} ({self._units[measure]}); a target "
                                         "and its actuals share one measure and one unit"))

    def _check_number(self, row: Row, column: str, value: str) -> None:
        problem = decimal_problem(value)
        if problem:
            self.add(row.problem(column, problem, value if len(value) <= 40 else value[:40] + "…"))

    def _check_division_code(self, value: str) -> None:
        identifiers.validate_division_code(value, self.divisions if self.divisions is not None else {value})

    def _check_stat_code(self, value: str) -> None:
        if self.divisions is None:
            return
        known = self.divisions.get(value)
        if known is None or known.status not in ("current", "statistical"):
            raise InvalidIdentifier(f"statistical code {value!r} is not in this dataset's division table")

    def _check_link(self, row: Row) -> None:
        predicate = row.get("predicate")
        if predicate not in LINK_PREDICATES:
            self.add(row.problem("predicate", f"unknown predicate; expected one of {', '.join(LINK_PREDICATES)}"))
            return
        subjects, objects = LINK_PREDICATES[predicate]
        if not row.get("subject_id").startswith(subjects):
            self.add(row.problem("subject_id", f"{predicate} needs a subject starting with {' or '.join(subjects)}"))
        if not row.get("object_id").startswith(objects):
            self.add(row.problem("object_id", f"{predicate} needs an object starting with {' or '.join(objects)}"))

    def _check_duplicates(self, row: Row, spec: TableSpec) -> None:
        name = spec.file
        if spec.name_column:
            scope = row.get("tier") if name == "chains.csv" else ""
            self._seen(row, f"{name}|name{scope}", _match_key(row.get(spec.name_column)), spec.name_column,
                       "name")
        if row.get("credit_code"):
            self._seen(row, "uscc", row.get("credit_code").upper(), "credit_code", "credit code")
        if row.get("division_code"):
            self._seen(row, "division", row.get("division_code"), "division_code", "division code")
        if row.get("doc_number"):
            try:
                canonical = identifiers.normalise_doc_number(row.get("doc_number"))[0]
            except InvalidIdentifier:
                canonical = ""
            self._seen(row, "docno", canonical, "doc_number", "document number")
        if name == "links.csv":
            key = "|".join((row.get("subject_id"), row.get("predicate"), row.get("object_id")))
            self._seen(row, "link", key, "object_id", "link (merge the sources into one row)")
        elif name == "aliases.csv":
            self._seen(row, "alias", row.get("entity_id") + "|" + identifiers.match_key(row.get("alias")),
                       "alias", "alias")

    def _check_cycles(self) -> None:
        edges = {node: targets for node, (_, targets) in self._segments.items()}
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            for nxt in edges.get(node, ()):
                if state.get(nxt) == 1:
                    cycle = " → ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} → {nxt}"
                    self.add(Problem("segments.csv", self._segments[node][0], "supplies_to", nxt,
                                     f"suppliesTo forms a cycle: {cycle}"))
                elif nxt in edges and not state.get(nxt):
                    visit(nxt, path + [nxt])
            state[node] = 2

        for node in edges:
            if not state.get(node):
                visit(node, [node])


def _is_ascii_id(value: str) -> bool:
    prefix, _, local = value.partition(":")
    return bool(local) and all(c.isascii() and (c.isalnum() or c in "-_.") for c in local)


def _check_doc_number(value: str) -> None:
    canonical, _ = identifiers.normalise_doc_number(value)
    if canonical != value:
        raise InvalidIdentifier(f"document number {value!r} is not in the standard form; write it as {canonical!r}")


def check_rows(tables: Mapping[str, Iterable[Row]], industry_codes: Mapping, divisions: Mapping | None = None,
               limit: int = DEFAULT_LIMIT) -> None:
    """Run every check on rows already read (for tests and small datasets; the build streams instead).

    Raises:
        DataError: with one problem per finding, in file and line order.
    """
    checker = Checker(industry_codes, divisions, limit)
    rows = {name: list(tables.get(name, ())) for name in SPECS}
    for name in SPECS:
        for row in rows[name]:
            checker.register(row, SPECS[name])
    for name in SPECS:
        for row in rows[name]:
            checker.check(row, SPECS[name])
    error = checker.finish()
    if error:
        raise error


def check_dataset(tables: Mapping[str, Iterable[Row]], industry_codes: Mapping,
                  divisions: Mapping | None = None) -> None:
    """Alias of :func:`check_rows` (the name earlier code used)."""
    check_rows(tables, industry_codes, divisions)
