"""Synthetic enterprise registers (``chainkg synth --register N``): a planner's spreadsheet, any size, deterministic.

This module owns writing a register file (``.csv`` or ``.xlsx``) shaped like the ones planners hold (规上工业企业名录
and the like: Chinese headers, an XLSX title row above the header) for one dataset's districts and chain segments,
with an optional number of damaged rows whose answers are written beside it, so that ``chainkg ingest enterprises``
can be tested and measured against a known truth. It reads the dataset (``dataset.json``, its division table,
``segments.csv``, the industry classification) and never writes to it.

What a row holds: a checksum-valid credit code (GB 32100-2015) whose positions 3-8 are the district's division code
and positions 9-16 the row's serial, position 17 ``Y`` (not a GB 11714 check character, so no real organisation's
code can come out); a name that says it is synthetic (``合成企业000123有限公司``); an address ``<city><district>合成路
N号`` (one row in ten leaves the district column empty: the district is then only in the address); an industry code
from a segment's ``industry_codes`` (one row in twelve: a GB/T 4754-2017 class no segment cites, its business scope
then built from that class's name); business-scope text otherwise built from the names of two segments; a date
of establishment, a size and sometimes tags (``专精特新``, ``高新技术企业``, ``小巨人``... joined by ``、``).
Districts are the current county-level codes of the division table (codes ending in ``00`` are cities or provinces
and are left out).

Damage (``damage=K``): K rows, spread evenly over the file, take the kinds of :data:`DAMAGE_KINDS` in turn (at most
half the rows, so that the row before a damaged row is always intact: a duplicate copies its code). The sidecar
``FILE.damage.csv`` (UTF-8, header ``line,kind,column,value,note``) lists exactly those rows: ``line`` is the line of
the CSV (header on line 1) or the row of the sheet (title row 1, header row 2), ``column`` the field of
:data:`kg.data.register.FIELDS` that is damaged, ``value`` the cell as :func:`kg.data.register.open_register` reads
it, ``note`` the intact value or the line repeated. The sidecar is written even without damage (header only).

Same arguments, same bytes: one ``random.Random(seed)`` drawn in a fixed order; the XLSX workbook's created/modified
times and its zip entries' times are fixed.

Writing streams (``csv.writer``; openpyxl's write-only mode, whose sheet goes to a temporary file): a million rows
never sit in memory, except that XLSX keeps its shared-string table. Both files are written to temporary siblings and
renamed into place. An existing file is replaced only when it is an earlier synthetic register: its sidecar is beside
it with the sidecar header, and the file itself starts with this module's header row (CSV) or names ``chainkg synth``
as its creator (XLSX). Anything else is refused, and so is a path inside the bundled data, and a file in the sidecar's
place that is not a sidecar.
"""

from __future__ import annotations

import csv
import datetime
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from kg import atomic, paths
from kg.data.register import cell_text
from kg.data.validate import load_industry_codes
from kg.errors import ExportError
from kg.identifiers import USCC_ALPHABET, uscc_check_char
from kg.manifest import load_manifest
from kg.tables import SPECS, iter_table

COLUMNS = ("统一社会信用代码", "企业名称", "住所", "所属区县", "行业代码", "行业名称", "经营范围", "成立日期",
           "企业规模", "资质")
"""The header row, one column per field of :data:`kg.data.register.FIELDS` in that order."""
FIELD_OF = dict(zip(COLUMNS, ("credit_code", "name", "address", "district", "industry_code", "industry_name",
                              "business_scope", "established", "size", "tags")))
TITLE = "合成企业名录(测试用,chainkg synth 生成,不描述任何真实企业)"
CREATOR = "chainkg synth"
SIDECAR_HEADER = ("line", "kind", "column", "value", "note")
DAMAGE_KINDS = ("bad_checksum", "scientific_notation", "lost_leading_character", "unknown_district",
                "unknown_industry_code", "duplicate_code", "empty_name")
"""The kinds of damage, in the order damaged rows take them."""
ENCODINGS = ("utf-8", "utf-8-sig", "gbk")
MAX_ROWS = 99_999_999  # the serial fills positions 9-16 of the credit code
UNKNOWN_DISTRICT = "合成新区"
FIXED_TIME = datetime.datetime(2020, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SIZES = ("大型",) * 3 + ("中型",) * 12 + ("小型",) * 55 + ("微型",) * 30
TAGS = ("",) * 80 + ("专精特新",) * 6 + ("高新技术企业",) * 7 + ("专精特新、高新技术企业",) * 3 + (
    "专精特新、小巨人",) * 1 + ("科技型中小企业",) * 3
SCOPE_TAIL = "货物进出口(依法须经批准的项目,经相关部门批准后方可开展经营活动)"
_DAY0 = datetime.date(1995, 1, 1).toordinal()
_DAYS = datetime.date(2024, 12, 31).toordinal() - _DAY0 + 1


@dataclass(frozen=True)
class RegisterResult:
    """What :func:`write_register` wrote."""

    path: Path
    sidecar: Path
    rows: int
    encoding: str | None  # CSV only
    damage: dict[str, int] = field(default_factory=dict)  # kind → rows


def sidecar_path(path: Path) -> Path:
    """The damage sidecar of a register: ``r.xlsx`` → ``r.xlsx.damage.csv`` (twins ``r.csv``/``r.xlsx`` differ)."""
    path = Path(path)
    return path.with_name(path.name + ".damage.csv")


def write_register(path: Path, rows: int, data_dir: Path | None = None, encoding: str | None = None,
                   damage: int = 0, seed: int = 0) -> RegisterResult:
    """Write a synthetic register and its damage sidecar.

    Args:
        path: the file to write, ``.csv`` or ``.xlsx`` (refused if it exists and is not an earlier synthetic
            register, see the module docstring).
        rows: data rows, 1 to 99,999,999.
        data_dir: the dataset whose districts and segments rows are drawn from (default: the bundled one).
        encoding: for CSV ``utf-8`` (default), ``utf-8-sig`` or ``gbk``; not for XLSX.
        damage: how many rows to damage (0 to half the rows).
        seed: the random seed; the same arguments give the same bytes.

    Raises:
        ExportError: an argument is out of range, the target is not ours to replace, or a file cannot be written.
        DataError: the dataset cannot be read.
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise ExportError(f"{path}: a register is written as .csv or .xlsx, not {kind or 'a file without extension'}")
    if not 1 <= rows <= MAX_ROWS:
        raise ExportError(f"--register {rows}: expected 1 to {MAX_ROWS:,} rows")
    if not 0 <= damage <= rows // 2:
        raise ExportError(f"--damage {damage}: expected 0 to {rows // 2} (at most half of the {rows} rows)")
    if kind == ".xlsx" and encoding is not None:
        raise ExportError("--encoding applies to CSV registers only (an XLSX workbook is always UTF-8 inside)")
    encoding = encoding or ("utf-8" if kind == ".csv" else None)
    if encoding is not None and encoding not in ENCODINGS:
        raise ExportError(f"--encoding {encoding!r}: expected one of {', '.join(ENCODINGS)}")
    check_target(path)
    plan = _Plan(Path(data_dir) if data_dir else paths.default_data_dir(), rows, damage, seed)
    sidecar = sidecar_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _temp_sibling(path) as tmp, _temp_sibling(sidecar) as side_tmp:
            with side_tmp.open("w", encoding="utf-8", newline="") as side:
                notes = csv.writer(side, lineterminator="\n")
                notes.writerow(SIDECAR_HEADER)
                if kind == ".csv":
                    _write_csv(tmp, encoding, plan.rows(xlsx=False), notes.writerow)
                else:
                    _write_xlsx(tmp, plan.rows(xlsx=True), notes.writerow)
            check_target(path)
            os.replace(tmp, path)
            os.replace(side_tmp, sidecar)
    except UnicodeEncodeError as err:
        raise ExportError(f"cannot write {path} in {encoding}: {err.object[err.start:err.end]!r} has no "
                          f"{encoding} form; use --encoding utf-8") from None
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror or err}") from err
    return RegisterResult(path, sidecar, rows, encoding, dict(sorted(plan.damaged.items())))


def check_target(path: Path) -> None:
    """Refuse a target that is inside the bundled data, not a file, or an existing file that is not an earlier
    synthetic register (see the module docstring).

    Raises:
        ExportError: naming the file and why.
    """
    root = paths.data_root().resolve()
    if root in path.resolve().parents:
        raise ExportError(f"{path} is inside the bundled data folder {root}; write synthetic registers elsewhere")
    sidecar = sidecar_path(path)
    if os.path.lexists(sidecar) and not _is_sidecar(sidecar):
        raise ExportError(f"{sidecar} exists and is not a damage sidecar chainkg synth wrote; choose another name for "
                          "the register or remove that file")
    if not os.path.lexists(path):
        return
    if not path.is_file():
        raise ExportError(f"{path} exists and is not a file; choose another name")
    if not (os.path.lexists(sidecar) and _written_by_synth(path)):
        raise ExportError(f"{path} exists and is not a register chainkg synth wrote (that has {sidecar.name} beside "
                          "it); choose another name or remove the file")


def _is_sidecar(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return path.is_file() and handle.readline(200).rstrip("\r\n") == ",".join(SIDECAR_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def _written_by_synth(path: Path) -> bool:
    try:
        if path.suffix.lower() == ".csv":
            with path.open("rb") as handle:
                head = handle.read(4096)
            return any(head.startswith(",".join(COLUMNS).encode(e)) for e in ("utf-8-sig", "utf-8", "gbk"))
        with zipfile.ZipFile(path) as book:
            return f"<dc:creator>{CREATOR}</dc:creator>" in book.read("docProps/core.xml").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError, EOFError):
        return False


class _temp_sibling:
    """A temporary file beside ``path`` (same folder, so that the final rename is atomic), removed unless renamed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        os.chmod(name, 0o666 & ~atomic.UMASK)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, *exc) -> None:
        if self.tmp.exists():
            self.tmp.unlink()


# --- the plan: what each row holds ----------------------------------------------------------------------------------

class _Plan:
    """The dataset's districts, segments and codes, and the row generator (one ``Random(seed)``)."""

    def __init__(self, data_dir: Path, n: int, damage: int, seed: int) -> None:
        manifest = load_manifest(data_dir)
        divisions = manifest.divisions()
        names = {code: d.name for code, d in divisions.items()}
        self.districts = [(code, d.name, names.get(code[:4] + "00", manifest.text("name")))
                          for code, d in sorted(divisions.items())
                          if d.status == "current" and not code.endswith("00") and d.name]
        if not self.districts:
            raise ExportError(f"the division table of {data_dir} has no current county-level code to place rows in")
        classes = load_industry_codes(manifest.industry_codes_file())
        self.industry = {code: entry[0] for code, entry in classes.items()}
        self.segments = []
        for row in iter_table(data_dir / "segments.csv", SPECS["segments.csv"]):
            codes = [c for c in row.split("industry_codes") if c in self.industry]
            if codes:
                self.segments.append((row.get("name_zh").rsplit("·", 1)[-1], codes))
        if not self.segments:
            raise ExportError(f"no segment of {data_dir / 'segments.csv'} cites an industry code of the "
                              "classification; cannot draw industry codes")
        used = {c for _, codes in self.segments for c in codes}
        self.rng = rng = Random(seed)
        spare = sorted(c for c, entry in classes.items() if entry[1] == "小类" and c not in used)
        self.spare = rng.sample(spare, min(30, len(spare)))
        unknown = [f"{k:04d}" for k in range(100, 10000) if f"{k:04d}" not in classes]
        self.unknown_codes = rng.sample(unknown, min(20, len(unknown)))
        self.weights = [d for d in self.districts for _ in range(rng.randint(1, 5))]
        self.n = n
        self.width = max(6, len(str(n)))
        self.plan = {int((j + 0.5) * n / damage): DAMAGE_KINDS[j % len(DAMAGE_KINDS)] for j in range(damage)}
        self.damaged: dict[str, int] = {}

    def rows(self, xlsx: bool) -> Iterator[tuple[list, tuple | None]]:
        """Yield ``(cells, damage)`` per row; ``damage`` is ``(kind, field, value as read, note)`` or ``None``.

        XLSX cells: dates as ``datetime.date``; the scientific-notation damage as a float cell. CSV: all text.
        """
        first_line = 3 if xlsx else 2
        rnd = self.rng.random
        weights, segments, spare, industry = self.weights, self.segments, self.spare, self.industry
        nw, ns, nspare = len(weights), len(segments), len(spare)
        sizes, tags = SIZES, TAGS
        width = self.width
        plan = self.plan
        previous = ("", 0)  # the last intact row's code and line
        for i in range(self.n):
            code, district, city = weights[int(rnd() * nw)]
            scope_name, codes = segments[int(rnd() * ns)]
            other = segments[int(rnd() * ns)][0]
            if nspare and rnd() < 1 / 12:
                industry_code = spare[int(rnd() * nspare)]
                scope = f"{industry[industry_code]}的生产、销售;{SCOPE_TAIL}"
            else:
                industry_code = codes[int(rnd() * len(codes))]
                scope = f"{scope_name}的研发、生产、销售;{other}相关技术咨询、技术服务;{SCOPE_TAIL}"
            first17 = f"91{code}{i + 1:08d}Y"
            credit = first17 + uscc_check_char(first17)
            shown = "" if rnd() < 0.1 else district
            day = datetime.date.fromordinal(_DAY0 + int(rnd() * _DAYS))
            cells = [credit, f"合成企业{i + 1:0{width}d}有限公司", f"{city}{district}合成路{int(rnd() * 999) + 1}号",
                     shown, industry_code, industry[industry_code], scope,
                     day if xlsx else day.isoformat(), sizes[int(rnd() * 100)], tags[int(rnd() * 100)]]
            harm = None
            if i in plan:
                harm = self._damage(plan[i], cells, district, previous, i, xlsx)
                self.damaged[harm[0]] = self.damaged.get(harm[0], 0) + 1
            else:
                previous = (credit, first_line + i)
            yield cells, harm

    def _damage(self, kind: str, cells: list, district: str, previous: tuple[str, int], i: int,
                xlsx: bool) -> tuple[str, str, str, str]:
        credit = cells[0]
        if kind == "bad_checksum":
            wrong = USCC_ALPHABET[(USCC_ALPHABET.index(credit[17]) + 1 + int(self.rng.random() * 30)) % 31]
            cells[0] = credit[:17] + wrong
            return kind, "credit_code", cells[0], f"check character should be {credit[17]}"
        if kind == "scientific_notation":
            # Only an all-digit code becomes a number in Excel: the row's code as such a code (check left aside).
            digits = credit[:16] + "00"
            number = float(digits)
            cells[0] = number if xlsx else _excel_short(number)
            return kind, "credit_code", cell_text(number) if xlsx else cells[0], f"{digits} stored as a number"
        if kind == "lost_leading_character":
            cells[0] = credit[1:]
            return kind, "credit_code", cells[0], f"was {credit}"
        if kind == "unknown_district":
            cells[2] = cells[2].replace(district, UNKNOWN_DISTRICT, 1)
            cells[3] = UNKNOWN_DISTRICT
            return kind, "district", UNKNOWN_DISTRICT, "not in the division table"
        if kind == "unknown_industry_code":
            cells[4] = self.unknown_codes[i % len(self.unknown_codes)]
            cells[5] = ""
            return kind, "industry_code", cells[4], "not in the industry classification"
        if kind == "duplicate_code":
            cells[0] = previous[0]
            return kind, "credit_code", previous[0], f"same code as line {previous[1]}"
        cells[1] = ""
        return "empty_name", "name", "", ""


def _excel_short(number: float) -> str:
    """A large number as Excel's General format shows it in a default-width column, e.g. ``9.13701E+17``."""
    mantissa, exponent = f"{number:.5E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent[0]}{int(exponent[1:]):02d}"


# --- writers --------------------------------------------------------------------------------------------------------

def _write_csv(tmp: Path, encoding: str, rows: Iterator, note) -> None:
    with tmp.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        put = writer.writerow
        for line, (cells, harm) in enumerate(rows, 2):
            put(cells)
            if harm:
                note((line, *harm))


def _write_xlsx(tmp: Path, rows: Iterator, note) -> None:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    book.properties.creator = CREATOR
    book.properties.title = TITLE
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.create_sheet("企业名录")
    sheet.append([TITLE])
    sheet.append(list(COLUMNS))
    line = 2
    for line, (cells, harm) in enumerate(rows, 3):
        sheet.append(cells)
        if harm:
            note((line, *harm))
    archive = _FixedTimeZip(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.dimension = f"A1:{chr(ord('A') + len(COLUMNS) - 1)}{line}"
    try:
        ExcelWriter(book, archive).save()
    finally:
        archive.close()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip file whose entries all carry one fixed time and mode: openpyxl stamps them with the clock.

    It also gives the sheet the ``<dimension>`` openpyxl's write-only mode leaves out (Excel writes one): without it,
    openpyxl's reader parses the whole sheet once just to size it.
    """

    dimension = ""

    def _fixed(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, _ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._fixed(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._fixed(arcname or os.path.basename(filename))
        with open(filename, "rb") as src, self.open(info, "w", force_zip64=os.path.getsize(filename) > 1 << 30) as dst:
            head = src.read(1 << 16)
            if self.dimension and info.filename.startswith("xl/worksheets/"):
                head = head.replace(b"<sheetViews>", f'<dimension ref="{self.dimension}" /><sheetViews>'.encode(), 1)
            dst.write(head)
            shutil.copyfileobj(src, dst, 1 << 20)
