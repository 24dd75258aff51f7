"""Sections (:class:`kg.render.Section`) → files a spreadsheet opens cleanly: a folder of CSV files (one table each)
or an xlsx workbook (one sheet each).

Both hold the same cells: the header row is the section's ``headers``, then one row per result row, lists joined with
``; ``, sources as their labels. A CSV file starts with a UTF-8 BOM and has exactly one header row; text that a
spreadsheet would read as a formula gets a leading apostrophe in CSV and is stored as text (never a formula) in xlsx.
Both are written atomically: the workbook through a temporary file and a rename, the folder built aside and swapped in
whole (:func:`kg.atomic.folder_in_place`, its marker :data:`MARKER` listing every file).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from kg.atomic import folder_in_place, marker_fields, write_atomic
from kg.output import cell_text, display_width, to_csv, to_json
from kg.render import Section, source_labels

#: The marker of a folder of CSV tables (what :func:`kg.atomic.check_replaceable` looks for before replacing one).
MARKER = "tables.json"
KIND = "tables"
WHAT = "chainkg table folder"
#: Longest file-name part taken from a title (characters), and widest xlsx column (display columns).
SLUG_CHARS = 40
MAX_COLUMN = 60
#: Characters a sheet title may not hold (Excel), and its longest length.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_CHARS = 31
#: Control characters an xlsx file cannot hold (openpyxl refuses them): written as ``\uXXXX``.
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def slug(title: str) -> str:
    """A file-name part from a section title: letters and digits of any script kept, the rest folded into ``-``.

    >>> slug("环节(上游 → 下游)"), slug("汽车: 支持政策"), slug("..")
    ('环节-上游-下游', '汽车-支持政策', 'table')
    """
    text = re.sub(r"[\W_]+", "-", title).strip("-")[:SLUG_CHARS].strip("-")
    return text or "table"


def part_names(sections: list[Section]) -> list[str]:
    """The CSV file name of each section: ``01-环节-上游-下游.csv`` (numbered, so names are unique and in order)."""
    return [f"{i:02d}-{slug(s.title)}.csv" for i, s in enumerate(sections, 1)]


def csv_text(section: Section) -> str:
    """One section as one CSV table (BOM, one header row)."""
    return to_csv(source_labels(section), section.columns, headers=section.headers)


def write_csv_folder(sections: list[Section], out_dir: Path | str) -> dict:
    """Write one CSV file per section into ``out_dir``, replaced whole (refused when it holds files chainkg did not
    write there); returns the marker (``files``: name → title, rows, bytes).

    Raises:
        ExportError: the folder is not ours, or cannot be written.
    """
    out_dir = Path(out_dir)
    files = {}
    with folder_in_place(out_dir, MARKER, what=WHAT, kind=KIND) as tmp:
        for name, section in zip(part_names(sections), sections):
            data = csv_text(section).encode("utf-8")
            (tmp / name).write_bytes(data)
            files[name] = {"title": section.title, "rows": len(section.rows), "bytes": len(data)}
        marker = {**marker_fields(KIND), "files": files}
        (tmp / MARKER).write_text(to_json(marker) + "\n", encoding="utf-8")
    return marker


def sheet_titles(sections: list[Section]) -> list[str]:
    """Sheet names from section titles: Excel's rules (at most 31 characters, none of ``[]:*?/\\``, not blank, unique
    regardless of case), ``:`` shown as a full-width ``：``.

    >>> sheet_titles([Section("汽车: 支持政策", [], []), Section("汽车: 支持政策", [], []), Section("[x]", [], [])])
    ['汽车：支持政策', '汽车：支持政策 (2)', 'x']
    """
    out: list[str] = []
    for s in sections:
        text = _SHEET_BAD.sub("", s.title.replace(": ", "：").replace(":", "：")).strip().strip("'")
        base = text[:SHEET_CHARS].strip() or "sheet"
        title, n = base, 1
        while title.casefold() in {t.casefold() for t in out}:
            n += 1
            tail = f" ({n})"
            title = base[:SHEET_CHARS - len(tail)].rstrip() + tail
        out.append(title)
    return out


def sheet_value(value):
    """A cell's value in a sheet: numbers as numbers, everything else as the CSV's text (``None``: empty)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    return _XML_BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if text else None


def workbook_bytes(sections: list[Section]) -> bytes:
    """An xlsx workbook, one sheet per section: bold header row (``headers``), frozen under it, columns as wide as
    their text (CJK counted double, at most :data:`MAX_COLUMN`), numbers as numbers, text always text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, section in zip(sheet_titles(sections), sections):
        sheet = book.create_sheet(title)
        rows = [[sheet_value(h) for h in section.headers]]
        rows += [[sheet_value(row.get(c)) for c in section.columns] for row in source_labels(section)]
        widths = [0] * len(section.headers)
        for r, values in enumerate(rows, 1):
            for c, value in enumerate(values, 1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl takes text starting with "=" for a formula
                    if value.startswith("="):
                        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
                if r == 1:
                    cell.font = bold
                text = "" if value is None else str(value)
                widths[c - 1] = max(widths[c - 1], *(display_width(line) for line in text.split("\n")))
        for c, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width, 4), MAX_COLUMN) + 2
        sheet.freeze_panes = "A2"
    if not sections:
        book.create_sheet("sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_workbook(sections: list[Section], path: Path | str) -> int:
    """Write the workbook to ``path`` atomically; returns its size in bytes.

    Raises:
        ExportError: the file cannot be written (an old file is left as it was).
    """
    data = workbook_bytes(sections)
    write_atomic(path, data)
    return len(data)
