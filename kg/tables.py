"""The CSV tables of a dataset: what each one holds, and reading them into rows that remember their line.

This module owns the table layout (``docs/schema.md`` is its prose twin) and the parsing stage: bytes on disk →
:class:`Row` objects. It checks only what reading needs (encoding, header, column count); the rules on values live
in :mod:`kg.validate`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import codes
from kg.errors import DataError, Problem

CONFIDENCE = tuple(codes.CONFIDENCE)
COMMON = ("source_ids", "confidence", "quote", "note")


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
            ("source_id", "kind", "outlet", "title", "date", "url", "note"),
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
             "description_zh"),
            required=("name_zh",),
            refs={"place_id": Ref(PLACE), "park_id": Ref(("park:",)), "parent_id": Ref(("ent:",))},
            name_column="name_zh",
        ),
        TableSpec(
            "policies.csv", "policy_id", ("pol:",),
            ("policy_id", "title", "doc_number", "doc_type", "issuer", "level", "jurisdiction_id",
             "date_issued", "date_in_force", "in_force", "general"),
            required=("title",),
            refs={"jurisdiction_id": Ref(PLACE)},
            enums={"doc_type": tuple(codes.DOC_TYPE), "level": tuple(codes.LEVEL), "in_force": codes.YES_NO,
                   "general": codes.YES_NO},
            name_column="title",
        ),
        TableSpec(
            "indicators.csv", "indicator_id", ("ind:",),
            ("indicator_id", "subject_id", "measure_zh", "measure_en", "value", "unit", "year", "kind", "set_by"),
            required=("subject_id", "measure_zh", "value", "unit", "kind"),
            refs={"subject_id": Ref(("chain:", "dist:", "zone:", "sys:", "park:"), required=True),
                  "set_by": Ref(("pol:",))},
            enums={"kind": tuple(codes.INDICATOR_KIND)},
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


class Row:
    """One data row: its table, the line it starts on (1-based, header is line 1) and its cells.

    ``row.get(column)`` is the cell's text, stripped, or ``""`` when the column is absent. Cells are stripped once,
    here, and ``get`` is the cell table's own C-level look-up: the checks and the build read a row's cells about 40
    times, which at a million rows made a Python method call the largest single cost of the build.
    """

    __slots__ = ("table", "line", "cells", "get")

    def __init__(self, table: str, line: int, cells: dict[str, str]) -> None:
        self.table = table
        self.line = line
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
    """A binary file decoded line by line for :mod:`csv` (so that a decoding error names its exact line)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = next(self.handle)
        self.line += 1
        if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        return raw.decode("utf-8")


def iter_table(path: Path, spec: TableSpec) -> Iterator[Row]:
    """Read one CSV table row by row (streaming: memory does not grow with the file).

    Args:
        path: the CSV file.
        spec: its layout.

    Yields:
        The rows, in file order; blank rows are skipped.

    Raises:
        DataError: the file is not UTF-8, has an unknown or missing column, a row with too many cells, or is not
            well-formed CSV (raised when the reader reaches the fault; earlier rows have been yielded).
    """
    with path.open("rb") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise DataError(Problem(spec.file, 1, "", "", "the file is empty; expected a header row")) from None
        except UnicodeDecodeError as err:
            raise _not_utf8(spec, path, lines.line, err) from err
        except csv.Error as err:
            raise DataError(Problem(spec.file, 1, "", "", f"malformed CSV: {err}")) from err
        problems = []
        allowed = spec.all_columns
        for name in header:
            if name not in allowed:
                problems.append(Problem(spec.file, 1, name, name,
                                        f"unknown column; expected one of {', '.join(allowed)}"))
        for name in ((spec.id_column,) if spec.id_column else ()) + spec.required + (
            ("source_ids", "confidence") if spec.sourced else ()
        ):
            if name not in header:
                problems.append(Problem(spec.file, 1, name, "", "required column is missing from the header"))
        if problems:
            raise DataError(problems)
        width = len(header)
        start = reader.line_num + 1
        try:
            for record in reader:
                if len(record) > width:
                    raise DataError(Problem(spec.file, start, "", record[width],
                                            f"row has {len(record)} cells, the header has {width}"))
                if any(record) and any(cell.strip() for cell in record):
                    yield Row(spec.file, start, dict(zip(header, record)))
                start = reader.line_num + 1
        except UnicodeDecodeError as err:
            raise _not_utf8(spec, path, lines.line, err) from err
        except csv.Error as err:
            raise DataError(Problem(spec.file, reader.line_num, "", "", f"malformed CSV: {err}")) from err


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
