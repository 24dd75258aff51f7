"""The CSV tables of a dataset: what each one holds, and reading them into rows that remember their line.

This module owns the table layout (``docs/schema.md`` is its prose twin) and the parsing stage: bytes on disk →
:class:`Row` objects. It checks only what reading needs (encoding, header, column count); the rules on values live
in :mod:`kg.data.validate`.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import codes
from kg.errors import DataError, Problem

CONFIDENCE = tuple(codes.CONFIDENCE)
#: Provenance columns every sourced table may have; ``quote_source`` names which of the row's sources holds its quote
#: (``kg/data/rules.py``).
COMMON = ("source_ids", "confidence", "quote", "quote_source", "note")


@dataclass(frozen=True)
class Ref:
    """A column that points at rows of other tables, by id prefix."""

    prefixes: tuple[str, ...]
    multi: bool = False
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    """The layout of one CSV table."""

    file: str
    id_column: str | None
    id_prefixes: tuple[str, ...]
    columns: tuple[str, ...]
    required: tuple[str, ...] = ()
    refs: dict[str, Ref] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sourced: bool = True
    name_column: str | None = None

    @property
    def all_columns(self) -> tuple[str, ...]:
        """Every column the table may have (its own plus the common provenance columns)."""
        extra = COMMON if self.sourced else ()
        return self.columns + tuple(c for c in extra if c not in self.columns)


PLACE = ("dist:", "zone:")
ANY_ENTITY = ("chain:", "seg:", "ent:", "park:", "dist:", "zone:", "pol:", "sys:", "ind:")

SPECS: dict[str, TableSpec] = {
    spec.file: spec
    for spec in (
        TableSpec(
            "sources.csv", "source_id", ("src:",),
            ("source_id", "kind", "outlet", "title", "label", "date", "url", "note"),
            required=("kind",),
            enums={"kind": tuple(codes.SOURCE_KIND)},
            sourced=False,
        ),
        TableSpec(
            "chain_systems.csv", "system_id", ("sys:",),
            ("system_id", "name_zh", "name_en", "landmark_count", "key_count", "period", "replaces"),
            required=("name_zh",),
            refs={"replaces": Ref(("sys:",), multi=True)},
            name_column="name_zh",
        ),
        TableSpec(
            "chains.csv", "chain_id", ("chain:",),
            ("chain_id", "name_zh", "name_en", "tier", "group", "system_id", "status", "parent_chain_id",
             "target_2030", "target_note"),
            required=("name_zh", "name_en", "tier", "status"),
            refs={"system_id": Ref(("sys:",)), "parent_chain_id": Ref(("chain:",))},
            enums={"tier": tuple(codes.TIER), "group": tuple(codes.GROUP), "status": codes.CHAIN_STATUS},
            name_column="name_zh",
        ),
        TableSpec(
            "aliases.csv", None, (),
            ("entity_id", "alias", "lang", "kind"),
            required=("entity_id", "alias", "lang"),
            refs={"entity_id": Ref(ANY_ENTITY, required=True)},
            enums={"lang": codes.LANG, "kind": codes.ALIAS_KIND},
        ),
        TableSpec(
            "segments.csv", "segment_id", ("seg:",),
            ("segment_id", "chain_id", "name_zh", "name_en", "position", "sequence", "supplies_to",
             "industry_codes"),
            required=("chain_id", "name_zh", "name_en", "position", "sequence"),
            refs={"chain_id": Ref(("chain:",), required=True), "supplies_to": Ref(("seg:",), multi=True)},
            enums={"position": tuple(codes.POSITION)},
        ),
        TableSpec(
            "districts.csv", "place_id", PLACE,
            ("place_id", "name_zh", "name_en", "kind", "division_code", "stat_code", "parent_id",
             "positioning_zh"),
            required=("name_zh", "name_en", "kind"),
            refs={"parent_id": Ref(PLACE)},
            enums={"kind": tuple(codes.PLACE_KIND)},
            name_column="name_zh",
        ),
        TableSpec(
            "parks.csv", "park_id", ("park:",),
            ("park_id", "name_zh", "name_en", "kind", "level", "place_id", "parent_park_id", "description_zh"),
            required=("name_zh", "kind"),
            refs={"place_id": Ref(PLACE), "parent_park_id": Ref(("park:",))},
            enums={"kind": tuple(codes.PARK_KIND), "level": codes.PARK_LEVELS},
            name_column="name_zh",
        ),
        TableSpec(
            "enterprises.csv", "enterprise_id", ("ent:",),
            ("enterprise_id", "name_zh", "name_en", "credit_code", "place_id", "park_id", "parent_id",
             "description_zh", "industry_code", "qualifications"),
            required=("name_zh",),
            refs={"place_id": Ref(PLACE), "park_id": Ref(("park:",)), "parent_id": Ref(("ent:",))},
            name_column="name_zh",
        ),
        TableSpec(
            "policies.csv", "policy_id", ("pol:",),
            ("policy_id", "title", "label", "doc_number", "doc_type", "issuer", "level", "jurisdiction_id",
             "date_issued", "date_in_force", "in_force", "general"),
            refs={"jurisdiction_id": Ref(PLACE)},
            enums={"doc_type": tuple(codes.DOC_TYPE), "level": tuple(codes.LEVEL), "in_force": codes.YES_NO,
                   "general": codes.YES_NO},
            name_column="title",
        ),
        TableSpec(
            "measures.csv", "measure_id", ("measure:",),
            ("measure_id", "name_zh", "name_en", "unit"),
            required=("name_zh", "unit"),
            name_column="name_zh",
        ),
        TableSpec(
            "indicators.csv", "indicator_id", ("ind:",),
            ("indicator_id", "subject_id", "measure_id", "measure_zh", "measure_en", "qualifier", "qualifier_word",
             "value", "unit", "year", "kind", "set_by"),
            required=("subject_id", "measure_zh", "value", "unit", "kind"),
            refs={"subject_id": Ref(("chain:", "dist:", "zone:", "sys:", "park:"), required=True),
                  "measure_id": Ref(("measure:",)), "set_by": Ref(("pol:",))},
            enums={"kind": tuple(codes.INDICATOR_KIND), "qualifier": tuple(codes.QUALIFIER)},
        ),
        TableSpec(
            "links.csv", None, (),
            ("subject_id", "predicate", "object_id"),
            required=("subject_id", "predicate", "object_id"),
            refs={"subject_id": Ref(ANY_ENTITY, required=True), "object_id": Ref(ANY_ENTITY, required=True)},
        ),
    )
}

#: links.csv predicates: (allowed subject prefixes, allowed object prefixes).
LINK_PREDICATES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "chain_master_of": (("ent:",), ("chain:",)),
    "leading_in": (("ent:",), ("chain:",)),
    "member_of": (("ent:",), ("chain:",)),
    "in_segment": (("ent:",), ("seg:",)),
    "located_in": (("ent:", "park:"), PLACE),
    "in_park": (("ent:",), ("park:",)),
    "carries": (("park:",), ("chain:",)),
    "positioned_for": (PLACE + ("park:",), ("chain:",)),
    "supports": (("pol:",), ("chain:", "seg:")),
    "applies_to": (("pol:",), PLACE + ("park:",)),
    "cites": (("pol:",), ("pol:",)),
    "evaluates": (("pol:",), ("pol:",)),
    "draft_of": (("pol:",), ("pol:",)),
    "subsidiary_of": (("ent:",), ("ent:",)),
}

#: Build order: a table may point only at tables read before it or at itself (links point anywhere).
TABLE_ORDER = tuple(SPECS)

#: Tables every dataset has, each with at least one row: without them the graph has no chains, no enterprises or no
#: links, which is a mistake (a lost or truncated file) far more often than a choice. A dataset that means it lists
#: the table in its manifest's ``allow_empty`` (``sources.csv`` cannot be listed: every row cites a source).
REQUIRED_TABLES = ("sources.csv", "chain_systems.csv", "chains.csv", "segments.csv", "districts.csv",
                   "enterprises.csv", "links.csv")

#: The largest cell accepted, in characters: a long policy quote or description is a few thousand; a bigger cell is
#: a pasted file or a broken quote that swallowed the rest of the table.
MAX_CELL_CHARS = 65_536
#: The longest physical line read, in bytes: room for every column at the cell limit in 4-byte characters, so a
#: file without line breaks is refused after reading this much instead of whole.
MAX_LINE_BYTES = 4 * MAX_CELL_CHARS * (len(max((s.all_columns for s in SPECS.values()), key=len)) + 1)
#: Characters no cell may hold: C0 controls but tab, line feed and carriage return; DEL; C1 controls; the Unicode
#: bidirectional embeddings, overrides and isolates (they make a name read differently from what it is).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Line breaks and tabs: allowed inside the long-text columns below, refused in every other (one-line) column.
#: (U+2028 and U+2029 are left to output escaping: the injection fixture holds them in a name on purpose.)
BREAK = re.compile(r"[\t\n\r]")
MULTILINE_COLUMNS = frozenset({"quote", "note", "description_zh", "positioning_zh", "target_note"})
#: A physical line that needs a closer look at its cells (cheap to test on every line of a million-row table).
#: (A stray carriage return is found with ``str.count``: as a look-ahead here it tripled the cost of the search.)
_SUSPECT = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Row:
    """One data row: its table, the line it starts on (1-based, header is line 1) and its cells.

    ``row.get(column)`` is the cell's text, stripped, or ``""`` when the column is absent. Cells are stripped once,
    here, and ``get`` is the cell table's own C-level look-up: the checks and the build read a row's cells about 40
    times, which at a million rows made a Python method call the largest single cost of the build.
    """

    __slots__ = ("table", "line", "cells", "get", "flaws")

    def __init__(self, table: str, line: int, cells: dict[str, str], flaws: list[Problem] | None = None) -> None:
        self.table = table
        self.line = line
        self.flaws = flaws  # problems found while reading (control characters, oversized cells), for the checker
        self.cells: defaultdict[str, str] = defaultdict(str, {k: v.strip() if v else "" for k, v in cells.items()})
        self.get = self.cells.__getitem__

    def __repr__(self) -> str:
        return f"Row({self.table!r}, {self.line}, {dict(self.cells)!r})"

    def split(self, column: str) -> list[str]:
        """A multi-valued cell split on ``;``, blanks dropped."""
        return [part.strip() for part in self.get(column).split(";") if part.strip()]

    def problem(self, column: str, message: str, value: str | None = None) -> Problem:
        """A problem located at this row and column."""
        return Problem(self.table, self.line, column, self.get(column) if value is None else value, message)


class _Lines:
    """A binary file decoded line by line for :mod:`csv` (so that a decoding error names its exact line).

    It flags (``suspect``) a line that holds a control character, a tab, a stray carriage return, or more characters
    than a cell may: only the records of such lines (and records spanning several lines) have their cells looked at
    one by one. A line longer than :data:`MAX_LINE_BYTES` is not read whole.
    """

    def __init__(self, handle) -> None:
        self.readline = handle.readline
        self.line = 0
        self.last = ""
        self.suspect = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = self.readline(MAX_LINE_BYTES)
        if not raw:
            raise StopIteration
        self.line += 1
        if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) >= MAX_LINE_BYTES and raw[-1:] != b"\n":
            raise _Oversized
        self.last = text = raw.decode("utf-8")
        if len(text) > MAX_CELL_CHARS or _SUSPECT.search(text) or text.count("\r") > text.endswith("\r\n"):
            self.suspect = True
        return text


class _Oversized(Exception):
    """A physical line longer than :data:`MAX_LINE_BYTES` (raised by :class:`_Lines`, turned into a problem)."""


def iter_table(path: Path, spec: TableSpec) -> Iterator[Row]:
    """Read one CSV table row by row (streaming: memory does not grow with the file).

    Args:
        path: the CSV file.
        spec: its layout.

    Yields:
        The rows, in file order; blank rows are skipped. A row whose cells hold control characters, line breaks in
        a one-line column, or more than :data:`MAX_CELL_CHARS` characters carries those problems in ``row.flaws``
        (the checker reports them, so that every such row is listed).

    Raises:
        DataError: the file is empty, not UTF-8, has an unknown or missing column (with a hint when it looks tab-
            or semicolon-separated), a row with too many cells, a cell too large to parse, or is not well-formed
            CSV (raised when the reader reaches the fault; earlier rows have been yielded).
    """
    with path.open("rb") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise DataError(Problem(spec.file, 1, "", "", "the file is empty (0 bytes); expected the header row "
                                    + ",".join(spec.all_columns))) from None
        except UnicodeDecodeError as err:
            raise _not_utf8(spec, path, lines.line, err) from err
        except (csv.Error, _Oversized) as err:
            raise _malformed(spec, path, lines, [], err) from None
        _check_header(spec, header, lines.last)
        lines.suspect = False
        width = len(header)
        start = reader.line_num + 1
        try:
            for record in reader:
                if len(record) > width:
                    raise DataError(Problem(spec.file, start, "", _short(record[width]),
                                            f"row has {len(record)} cells, the header has {width}"))
                if any(record) and any(cell.strip() for cell in record):
                    cells = dict(zip(header, record))
                    suspect = lines.suspect or reader.line_num != start
                    flaws = _cell_flaws(spec.file, start, cells) if suspect else None
                    yield Row(spec.file, start, cells, flaws or None)
                if lines.suspect:
                    lines.suspect = False
                start = reader.line_num + 1
        except UnicodeDecodeError as err:
            raise _not_utf8(spec, path, lines.line, err) from err
        except (csv.Error, _Oversized) as err:
            raise _malformed(spec, path, lines, header, err, start) from None


def _check_header(spec: TableSpec, header: list[str], raw: str) -> None:
    problems = []
    allowed = spec.all_columns
    for name in header:
        if name not in allowed:
            problems.append(Problem(spec.file, 1, name, _short(name),
                                    f"unknown column; expected one of {', '.join(allowed)}"))
    for name in ((spec.id_column,) if spec.id_column else ()) + spec.required + (
        ("source_ids", "confidence") if spec.sourced else ()
    ):
        if name not in header:
            problems.append(Problem(spec.file, 1, name, "", "required column is missing from the header"))
    if not problems:
        return
    for separator, word in (("\t", "tab"), (";", "semicolon")):
        if raw.count(separator) >= max(1, raw.count(",")):
            raise DataError(Problem(spec.file, 1, "", _short(raw.rstrip("\r\n")),
                                    f"the header does not match and looks {word}-separated; chainkg reads "
                                    f"comma-separated UTF-8 CSV (expected columns: {','.join(allowed)})"))
    raise DataError(problems)


def _short(value: str, at: int = 0, width: int = 40) -> str:
    """A cell as shown in a problem: at most ``width`` characters around position ``at``, the cut marked."""
    if len(value) <= width:
        return value
    begin = max(0, min(at - width // 2, len(value) - width))
    return ("…" if begin else "") + value[begin : begin + width] + ("…" if begin + width < len(value) else "")


def _cell_flaws(table: str, line: int, cells: dict[str, str]) -> list[Problem]:
    """The problems of a suspect record's cells: control characters, breaks in one-line columns, oversized cells."""
    out = []
    for column, value in cells.items():
        if not value:
            continue
        if len(value) > MAX_CELL_CHARS:
            out.append(Problem(table, line, column, _short(value), f"the cell holds {len(value):,} characters; "
                               f"a cell holds at most {MAX_CELL_CHARS:,} (a broken quote, or a pasted file?)"))
            continue
        found = CONTROL.search(value)
        if found:
            char = found.group()
            out.append(Problem(table, line, column, _short(value, found.start()),
                               f"holds the control character {char!r} (U+{ord(char):04X}); remove it"))
        elif column not in MULTILINE_COLUMNS and (found := BREAK.search(value.strip())):
            char = found.group()
            out.append(Problem(table, line, column, _short(value, found.start()),
                               f"holds a line break or tab {char!r} (U+{ord(char):04X}); this column is one line"))
    return out


def _malformed(spec: TableSpec, path: Path, lines: _Lines, header: list[str], err: Exception,
               start: int = 1) -> DataError:
    """A parse error as a problem; an oversized cell (past the csv field limit, or a line too long) names its
    column, found by reading the record's lines again (each at most :data:`MAX_LINE_BYTES`)."""
    if isinstance(err, _Oversized) or "field larger than field limit" in str(err):
        with path.open("rb") as handle:
            for _ in range(start - 1):
                handle.readline(MAX_LINE_BYTES)  # a line this long would have stopped the reader already
            text = "".join(handle.readline(MAX_LINE_BYTES).decode("utf-8", errors="ignore")
                           for _ in range(start, lines.line + 1))
        index, at = _oversized_field(text)
        column = header[index] if index is not None and index < len(header) else ""
        return DataError(Problem(spec.file, start, column, _short(text[at:]), f"a cell larger than "
                                 f"{MAX_CELL_CHARS:,} characters (a broken quote, or a pasted file?)"))
    return DataError(Problem(spec.file, lines.line, "", "", f"malformed CSV: {err}"))


def _oversized_field(text: str) -> tuple[int | None, int]:
    """The index and offset of the first field of a (partial) CSV record longer than :data:`MAX_CELL_CHARS`."""
    index, i, n = 0, 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while True:
                j = text.find('"', j)
                if j == -1 or not text.startswith('""', j):
                    break
                j += 2
            end = n if j == -1 else j + 1
            length = (n if j == -1 else j) - i - 1
            end = text.find(",", end)
        else:
            end = text.find(",", i)
            length = (n if end == -1 else end) - i
        if length > MAX_CELL_CHARS:
            return index, i
        if end == -1:
            break
        index, i = index + 1, end + 1
    return None, 0


def _not_utf8(spec: TableSpec, path: Path, line: int, err: UnicodeDecodeError) -> DataError:
    bad = err.object[err.start : err.start + 4].hex(" ") if isinstance(err.object, bytes) else ""
    return DataError(Problem(spec.file, line, "", bad, "not valid UTF-8 (save the file as UTF-8)"))


def read_table(path: Path, spec: TableSpec) -> list[Row]:
    """Read one (small) CSV table whole: :func:`iter_table` as a list."""
    return list(iter_table(path, spec))


def read_dataset(data_dir: Path) -> dict[str, list[Row]]:
    """Read every table of a dataset folder.

    Args:
        data_dir: the folder with ``sources.csv`` and the other tables.

    Returns:
        Rows by file name; a missing optional table gives no rows.

    Raises:
        DataError: the folder or ``sources.csv`` is missing, or any table cannot be read (all problems together).
    """
    if not data_dir.is_dir():
        raise DataError(Problem(str(data_dir), 0, "", "", "data folder not found"))
    if not (data_dir / "sources.csv").is_file():
        raise DataError(Problem(str(data_dir / "sources.csv"), 0, "", "", "missing: every dataset needs sources.csv"))
    tables: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for name, spec in SPECS.items():
        path = data_dir / name
        if not path.is_file():
            tables[name] = []
            continue
        try:
            tables[name] = read_table(path, spec)
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return tables
