"""Reading an enterprise register (规上工业企业名录, 高新技术企业 / 专精特新 lists, registration extracts): CSV or XLSX.

This module owns the step from a planner's spreadsheet to rows of text keyed by :data:`FIELDS`. It finds the header
row (government sheets put a title row and notes above it), maps the headers it knows (Chinese and English, see
:data:`HEADERS`; ``--map HEADER=field`` for the rest), detects a CSV's encoding and says which, and streams the rows:
a register of a million rows never sits in memory. It does not judge the values: checking credit codes, districts and
industry codes is the ingest's job (:mod:`kg.data.ingest`), so every cell is handed on as text, including a credit
code Excel stored as a number (rendered the way Excel shows it, ``9.13700001234568E+17``, so that the checker can
name the damage).

Reader choice: openpyxl (read-only mode, ``iter_rows(values_only=True)``) streams a sheet row by row in bounded
memory, is pure Python and well kept, and also writes (write-only mode, used by :mod:`kg.data.register_synth`): one
dependency for both directions. Measured on 100,000 rows x 10 columns (2 shared cores): openpyxl 5.9 s and 68 MB peak
with shared strings (as Excel and WPS write them), 10.6 s and 34 MB with inline strings (as openpyxl writes them);
python-calamine 0.8 s but 104-127 MB, because it loads the whole sheet before the first row (about 1 KB a row, so
about 1 GB at a million rows) and it cannot write. A 规上 list of a few thousand rows reads in well under a second
either way, so bounded memory wins; calamine stays an option behind :func:`_xlsx_records` if large XLSX registers
become common.

Library code never prints: every problem is a :class:`kg.errors.DataError` naming the file (and the line or row).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import DataError, Problem

FIELDS = ("credit_code", "name", "address", "district", "industry_code", "industry_name", "business_scope",
          "established", "size", "tags")
"""The fields a register row may carry; every row from :meth:`RegisterFile.rows` has all of them ("" if absent)."""

HEADERS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "USCC", "unified social credit code",
                    "credit code"),
    "name": ("企业名称", "单位名称", "名称", "企业(单位)名称", "单位详细名称", "企业全称", "enterprise name",
             "company name", "name"),
    "address": ("住所", "注册地址", "地址", "经营场所", "单位地址", "详细地址", "企业地址", "住所(经营场所)",
                "address"),
    "district": ("所属区县", "区县", "所在区县", "行政区划", "所属区域", "所在地区", "区县名称", "district"),
    "industry_code": ("行业代码", "国民经济行业代码", "国民经济行业分类代码", "行业分类代码", "所属行业代码",
                      "行业小类代码", "industry code"),
    "industry_name": ("行业名称", "行业类别", "所属行业", "国民经济行业", "国民经济行业分类", "行业小类",
                      "industry"),
    "business_scope": ("经营范围", "主营业务", "business scope"),
    "established": ("成立日期", "注册日期", "成立时间", "登记日期", "established"),
    "size": ("企业规模", "是否规上", "规模", "size"),
    "tags": ("资质", "标签", "企业资质", "荣誉", "认定类型", "tags"),
}
"""Field → the headers accepted for it (matched after :func:`normalise_header`; the field's own name is accepted
too)."""

REQUIRED = ("name",)
"""Fields a register must have a column for; besides, at least one of ``district`` and ``address``."""

PLACE_FIELDS = ("district", "address")

HEADER_SCAN_ROWS = 10
"""The header row is looked for among the first this many non-blank rows."""

SNIFF_BYTES = 4 << 20
"""How much of a CSV file encoding detection reads (a decoding error past it is reported with its line)."""

MAX_LINE_BYTES = 4 << 20
"""A CSV line longer than this stops the reading (a binary file or a file without line breaks)."""


_DROP_IN_HEADER = dict.fromkeys(map(ord, "()*_"), None)


def normalise_header(text: str) -> str:
    """The key a header is matched by: stripped, NFKC (full-width brackets become ASCII), without whitespace,
    brackets, ``*`` (a "required" mark) and ``_``, casefolded.

    >>> normalise_header(" 企业（单位）名称* ")
    '企业单位名称'
    >>> normalise_header("Credit_Code")
    'creditcode'
    """
    key = unicodedata.normalize("NFKC", text).translate(_DROP_IN_HEADER)
    return "".join(key.split()).casefold()


_KNOWN: dict[str, str] = {}
for _field, _names in HEADERS.items():
    for _name in (*_names, _field):
        _KNOWN.setdefault(normalise_header(_name), _field)


@dataclass
class RegisterFile:
    """An opened register: where its header is, how its columns map to :data:`FIELDS`, and its rows (streamed).

    Attributes:
        path: the file.
        kind: ``"csv"`` or ``"xlsx"``.
        encoding: for CSV the encoding detected: ``"utf-8"``, ``"utf-8-sig"`` (a byte-order mark) or ``"gb18030"``
            (GBK and GB2312 are subsets); ``None`` for XLSX.
        sheet: for XLSX the sheet read; ``None`` for CSV.
        header_line: the 1-based line (CSV; physical line) or row (XLSX) of the header.
        headers: the header cells as found (stripped).
        columns: field → 0-based column index.
        unused: headers that map to no field (or to a field an earlier column already took).
        problems: rows :meth:`rows` could not read (a row with more cells than the header, bytes that are not
            in the file's encoding); filled while iterating, those rows are not yielded. Check it after the loop.

    An XLSX workbook opened by :func:`open_register` stays open (openpyxl reads a sheet without a ``<dimension>``
    whole each time it is loaded) until :meth:`rows` has run to its end or :meth:`close` is called; a
    ``with open_register(...) as register:`` block closes it.
    """

    path: Path
    kind: str
    encoding: str | None
    sheet: str | None
    header_line: int
    headers: list[str]
    columns: dict[str, int]
    unused: list[str]
    problems: list[Problem] = field(default_factory=list)
    _book: object = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Close the workbook (XLSX) if it is open; :meth:`rows` opens it again when called."""
        book, self._book = self._book, None
        if book is not None:
            book.close()

    def __enter__(self) -> RegisterFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Stream the data rows after the header: ``(line or row number, {field: text})``.

        Every field of :data:`FIELDS` is a key ("" when the register has no such column or the cell is empty); cell
        text is stripped. Blank rows are skipped. A row that cannot be read is not yielded but added to
        :attr:`problems` (the iteration goes on).

        Raises:
            DataError: the file can no longer be read as it was when opened (changed on disk, a corrupt sheet part,
                a CSV cell longer than the csv module's limit of 131,072 characters, as when an unclosed quote
                swallows the rest of the file).
        """
        self.problems = []
        source = _csv_records(self) if self.kind == "csv" else _xlsx_records(self)
        places = [(name, self.columns.get(name, -1)) for name in FIELDS]
        width = len(self.headers)
        for number, cells in source:
            if number <= self.header_line:
                continue
            if not any(cells):
                continue
            if len(cells) > width and any(cells[width:]):
                self.problems.append(Problem(
                    self.path.name, number, "", _short(next(c for c in cells[width:] if c)),
                    f"row has {len(cells)} cells, the header has {width} (an unquoted comma in a cell?); row skipped"))
                continue
            yield number, {name: (cells[index] if 0 <= index < len(cells) else "") for name, index in places}


def open_register(path: Path, overrides: Mapping[str, str] | None = None, sheet: str | None = None) -> RegisterFile:
    """Open a register (``.csv`` or ``.xlsx``): detect its encoding (CSV), sheet (XLSX) and header row, map columns.

    Args:
        path: the file.
        overrides: ``{header: field}`` from ``--map HEADER=field``: the header (matched like the known ones, after
            :func:`normalise_header`) must be in the header row and the field in :data:`FIELDS`; it wins over the
            automatic mapping.
        sheet: the XLSX sheet to read (default: the first visible sheet with a non-blank row).

    Returns:
        The opened register; read its rows with :meth:`RegisterFile.rows`.

    Raises:
        DataError: a file that is missing, of another type (``.xls``: save it as ``.xlsx`` or ``.csv``), empty,
            binary, corrupt or in an unknown encoding; an unknown sheet; no header row in the first rows; a bad
            override; a missing required column (one problem listing the headers found and the names accepted).
    """
    path = Path(path)
    overrides = dict(overrides or {})
    _check_overrides(path, overrides)
    kind = _kind(path)
    encoding = None
    if kind == "csv":
        encoding = _detect_encoding(path)
        register = RegisterFile(path, kind, encoding, None, 0, [], {}, [])
    else:
        register = RegisterFile(path, kind, None, None, 0, [], {}, [])
        register._book = _load(path)
        try:
            register.sheet = _pick_sheet(register._book, path, sheet)
        except BaseException:
            register.close()
            raise
    source = _csv_records(register) if kind == "csv" else _xlsx_records(register, close=False)
    first: list[tuple[int, list[str]]] = []
    try:
        for number, cells in source:
            if any(cells):
                first.append((number, cells))
            if len(first) >= HEADER_SCAN_ROWS:
                break
        source.close()
        wanted = {normalise_header(h): f for h, f in overrides.items()}
        line, headers = _find_header(path, first, wanted)
        register.header_line, register.headers = line, headers
        register.columns, register.unused = _map_columns(path, line, headers, overrides, wanted)
    except BaseException:
        source.close()
        register.close()
        raise
    return register


def _check_overrides(path: Path, overrides: dict[str, str]) -> None:
    problems = [Problem(path.name, 0, "--map", f"{header}={name}",
                        f"unknown field {name!r}; fields are {', '.join(FIELDS)}")
                for header, name in overrides.items() if name not in FIELDS]
    problems += [Problem(path.name, 0, "--map", f"{header}={name}", "the header is empty")
                 for header, name in overrides.items() if not normalise_header(header)]
    if problems:
        raise DataError(problems)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError(Problem(path.name, 0, "", "", "an old binary Excel workbook (.xls) cannot be read; open it in "
                                "Excel or LibreOffice and save it as .xlsx (or as CSV UTF-8)"))
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise DataError(Problem(path.name, 0, "", "", f"cannot read {suffix or 'a file without extension'!r} files; "
                                "a register must be .csv or .xlsx"))
    if not path.exists():
        raise DataError(Problem(str(path), 0, "", "", "no such file"))
    if not path.is_file():
        raise DataError(Problem(str(path), 0, "", "", "not a file"))
    with path.open("rb") as handle:
        magic = handle.read(8)
    if not magic:
        raise DataError(Problem(path.name, 0, "", "", "the file is empty (0 bytes)"))
    if suffix == ".csv":
        if magic.startswith(b"PK\x03\x04"):
            raise DataError(Problem(path.name, 0, "", "", "this is an XLSX workbook (a zip file), not CSV text; "
                                    "name it .xlsx"))
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise DataError(Problem(path.name, 0, "", "", "this is an old binary Excel workbook (.xls), not CSV "
                                    "text; save it as .xlsx or as CSV UTF-8"))
        return "csv"
    return "xlsx"


# --- CSV ------------------------------------------------------------------------------------------------------------

def _detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` (the first :data:`SNIFF_BYTES` decode strictly) or ``gb18030``."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        final = not handle.read(1)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(Problem(path.name, 0, "", "", "the file is UTF-16 text (Excel's \"Unicode text\"); save it "
                                "as CSV UTF-8 or as .xlsx"))
    if b"\x00" in head:
        raise DataError(Problem(path.name, head.count(b"\n", 0, head.index(b"\x00")) + 1, "", "",
                                "the file holds NUL bytes: it is binary, not CSV text"))
    failures = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(head, final)
            return encoding
        except UnicodeDecodeError as err:
            failures[encoding] = err
    err = failures["utf-8"]
    raise DataError(Problem(path.name, head.count(b"\n", 0, err.start) + 1, "", repr(head[err.start:err.start + 4]),
                            "the file is neither UTF-8 nor GB18030/GBK text; save it as CSV UTF-8 or as .xlsx"))


class _Decoded:
    """A binary file decoded line by line for :mod:`csv` (a newline byte never occurs inside a UTF-8 or GB18030
    character), so that a decoding error names its line: such a line is decoded with replacement characters and its
    number kept in :attr:`bad` (the record holding it is reported, not yielded)."""

    def __init__(self, handle, encoding: str) -> None:
        self.handle = handle
        self.decode = codecs.getdecoder("utf-8" if encoding == "utf-8-sig" else encoding)
        self.line = 0
        self.bad: list[int] = []

    def __iter__(self) -> Iterator[str]:
        readline = self.handle.readline
        while raw := readline(MAX_LINE_BYTES):
            self.line += 1
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise _LineTooLong(self.line)
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                yield self.decode(raw)[0]
            except UnicodeDecodeError:
                self.bad.append(self.line)
                yield self.decode(raw, "replace")[0]


class _LineTooLong(Exception):
    """A physical line longer than :data:`MAX_LINE_BYTES` (no register row is that long): not read whole."""


def _csv_records(register: RegisterFile) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, stripped cells)`` of every record; undecodable records go to ``register.problems``."""
    path = register.path
    with path.open("rb") as handle:
        lines = _Decoded(handle, register.encoding or "utf-8")
        reader = csv.reader(lines)
        start = 1
        try:
            for record in reader:
                if lines.bad:
                    register.problems.append(Problem(path.name, lines.bad[0], "", "", f"bytes that are not "
                                                     f"{register.encoding} text; row skipped"))
                    lines.bad.clear()
                else:
                    yield start, [cell.strip() for cell in record]
                start = reader.line_num + 1
        except csv.Error as err:
            raise DataError(Problem(path.name, start, "", "", f"not readable as CSV: {err} (an unclosed quote?)")) \
                from None
        except _LineTooLong as err:
            raise DataError(Problem(path.name, err.args[0], "", "", f"a line longer than {MAX_LINE_BYTES:,} bytes: "
                                    "not a register row (is this a CSV file?)")) from None


# --- XLSX -----------------------------------------------------------------------------------------------------------

def _load(path: Path):
    from openpyxl import load_workbook  # imported late: only XLSX reading needs it

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # zipfile, KeyError, openpyxl's InvalidFileException, XML parser errors, OSError ...
        raise DataError(_corrupt(path, err)) from err


def _corrupt(path: Path, err: Exception) -> Problem:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        why = "it is an old binary Excel workbook (.xls) named .xlsx; save it as .xlsx or as CSV UTF-8"
    elif not magic.startswith(b"PK"):
        why = "it is not an XLSX workbook (not a zip file); if it is CSV text, name it .csv"
    else:
        why = f"the workbook is damaged ({type(err).__name__}: {_short(str(err), width=80)}); open and save it again"
    return Problem(path.name, 0, "", "", f"cannot read the workbook: {why}")


def _pick_sheet(book, path: Path, sheet: str | None) -> str:
    try:
        names = list(book.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise DataError(Problem(path.name, 0, "--sheet", sheet,
                                        f"no such sheet; the workbook has {', '.join(map(repr, names))}"))
            return sheet
        visible = [n for n in names if book[n].sheet_state == "visible"]
        for name in visible + [n for n in names if n not in visible]:
            book[name].reset_dimensions()
            for count, values in enumerate(book[name].iter_rows(values_only=True)):
                if any(v is not None and str(v).strip() for v in values):
                    return name
                if count > 1000:
                    break
        raise DataError(Problem(path.name, 0, "", "", "every sheet of the workbook is empty"))
    except DataError:
        raise
    except Exception as err:
        raise DataError(_corrupt(path, err)) from err


def _xlsx_records(register: RegisterFile, close: bool = True) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as text; the workbook is closed at the end (or when the generator is closed) if ``close``."""
    if register._book is None:
        register._book = _load(register.path)
    book = register._book
    try:
        sheet = book[register.sheet]
        # A sheet's <dimension> may be missing (openpyxl then parses the whole sheet once to size it) or wrong
        # (written by other tools); rows are read as ragged tuples instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                break
            except Exception as err:  # a damaged sheet part: XML or zip errors while streaming
                raise DataError(Problem(register.path.name, number + 1, "", "", _corrupt(register.path, err).message)) \
                    from err
            number += 1
            yield number, [cell_text(v) for v in values]
    finally:
        if close:
            register.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a planner sees (what a CSV export would hold).

    Text is stripped; whole numbers become digits; a number of 1e15 or more (a credit code Excel stored as a number,
    its digits lost past the 15th) is shown the way Excel's General format shows it; dates become ``YYYY-MM-DD``.

    >>> cell_text(913700001234567890.0), cell_text(9.137e17), cell_text(370102.0), cell_text(2.5)
    ('9.13700001234568E+17', '9.137E+17', '370102', '2.5')
    >>> cell_text(datetime.datetime(2019, 3, 1, 0, 0)), cell_text(None), cell_text(" 企业 ")
    ('2019-03-01', '', '企业')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "#NUM!"
        if abs(value) >= 1e15:
            mantissa, exponent = f"{value:.14E}".split("E")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
        if value.is_integer():
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


# --- header ---------------------------------------------------------------------------------------------------------

def _field_of(header: str, wanted: dict[str, str]) -> str | None:
    key = normalise_header(header)
    return wanted.get(key) or _KNOWN.get(key)


def _find_header(path: Path, first: list[tuple[int, list[str]]],
                 wanted: dict[str, str]) -> tuple[int, list[str]]:
    if not first:
        raise DataError(Problem(path.name, 0, "", "", "the register has no rows (every row is blank)"))
    near = None
    for number, cells in first:
        found = {_field_of(c, wanted) for c in cells if c} - {None}
        if len(found) >= 2 and "name" in found:
            return number, cells
        if len(found) >= 2 and near is None:
            near = (number, cells)
    if near is not None:  # a header row without the name column: say what is missing
        _require(path, near[0], near[1], {f for c in near[1] if (f := _field_of(c, wanted))})
    shown = "; ".join(f"{n}: {_short(' | '.join(c for c in cells if c), width=60)}" for n, cells in first[:3])
    hint = "name columns with --map HEADER=field"
    for separator, word in (("\t", "tab"), (";", "semicolon"), ("；", "semicolon")):
        if any(len({_field_of(part, wanted) for part in " ".join(cells).split(separator)} - {None}) >= 2
               for _, cells in first):
            hint = f"the file looks {word}-separated: save it as comma-separated CSV (or as .xlsx)"
    raise DataError(Problem(path.name, first[0][0], "", "", f"no header row in the first {len(first)} rows: expected a "
                            f"row with {_accepted('name')} and at least one other known header (rows seen: {shown}); "
                            f"{hint}"))


def _map_columns(path: Path, line: int, headers: list[str], overrides: dict[str, str],
                 wanted: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    keys = [normalise_header(h) for h in headers]
    missing = [h for h in overrides if normalise_header(h) not in keys]
    if missing:
        raise DataError([Problem(path.name, line, "--map", h, "no such header; the header row holds "
                                 + ", ".join(repr(x) for x in headers if x)) for h in missing])
    columns: dict[str, int] = {}
    unused: list[str] = []
    # Overrides first, so that a header they name wins over one the automatic mapping would pick for the same field.
    for index, key in enumerate(keys):
        if key in wanted and wanted[key] not in columns:
            columns[wanted[key]] = index
    for index, (header, key) in enumerate(zip(headers, keys)):
        if index in columns.values() or not header:
            continue
        name = None if key in wanted else _KNOWN.get(key)
        if name is not None and name not in columns:
            columns[name] = index
        else:
            unused.append(header)
    _require(path, line, headers, set(columns))
    return dict(sorted(columns.items(), key=lambda item: FIELDS.index(item[0]))), unused


def _require(path: Path, line: int, headers: list[str], found: set[str]) -> None:
    lacking = [f for f in REQUIRED if f not in found]
    if not found & set(PLACE_FIELDS):
        lacking.append("district or address")
    if not lacking:
        return
    accepted = "; ".join(f"{f}: {_accepted(f)}" for f in lacking if f in HEADERS) or ""
    if "district or address" in lacking:
        accepted = "; ".join(filter(None, [accepted, f"district: {_accepted('district')}",
                                           f"address: {_accepted('address')}"]))
    raise DataError(Problem(
        path.name, line, "", "", f"missing column {', '.join(lacking)}: the header row holds "
        f"{', '.join(repr(h) for h in headers if h) or 'nothing'}; accepted headers are {accepted}; "
        "or name the column with --map HEADER=field"))


def _accepted(name: str) -> str:
    return ", ".join(HEADERS[name])


def _short(value: str, width: int = 40) -> str:
    value = re.sub(r"\s+", " ", value)
    return value if len(value) <= width else value[: width - 1] + "…"
