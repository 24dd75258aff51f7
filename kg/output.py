"""Rows → text for people and tools: aligned tables, spreadsheet-safe CSV, JSON.

Formatting only; writing files is :mod:`kg.export`'s job and printing the CLI's.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence

from kg.i18n import code

#: Cells starting with these are read as formulas by spreadsheets; prefix them with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def cell(value, lang: str | None = None) -> str:
    """A value as table text: lists joined with ``; ``, ``None`` as ``—`` (unknown), a boolean as 是/否 (``lang``
    ``en``: yes/no; the views give booleans as labels in the reader's language already).

    >>> cell(True), cell(False, "en"), cell(["a", None])
    ('是', 'no', 'a; —')
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return code("bool", "yes" if value else "no", lang)
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v, lang) for v in value) or "—"
    if isinstance(value, dict):
        return str(value.get("title") or value.get("name") or value)
    return " ".join(str(value).split())


def to_table(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None,
             max_width: int = 60) -> str:
    """An aligned plain-text table."""
    headers = list(headers or columns)
    body = [[_clip(cell(row.get(c)), max_width) for c in columns] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(v, w) for v, w in zip(r, widths)).rstrip() for r in body]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def safe_csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula-looking text gets a leading apostrophe."""
    text = "" if value is None else cell(value) if isinstance(value, (list, tuple, dict, bool)) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Iterable[dict], columns: Sequence[str], bom: bool = True) -> str:
    """CSV that opens cleanly in a spreadsheet: UTF-8 BOM, every row, formula-looking cells neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_csv_cell(row.get(c)) for c in columns])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def to_json(value) -> str:
    """JSON with Chinese kept readable (no ``\\u`` escapes)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


#: Characters a terminal acts on instead of showing: C0 controls but tab and line feed, DEL, C1 controls (0x9b starts
#: a CSI sequence on some terminals), and the bidirectional overrides and isolates that reorder what is shown.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def terminal_safe(text: str) -> str:
    """Text a terminal shows as it is: every control character (see ``_UNSAFE``) written as a ``\\uXXXX`` escape.

    The escape is also a valid JSON escape, so JSON output stays valid and decodes to the original value; a CR is kept
    only as part of a CRLF line end (CSV).
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TerminalSafeStream:
    """A text stream that writes through :func:`terminal_safe`: installed by the CLI on stdout and stderr, so that no
    name from a CSV, snapshot or query can clear the screen, retitle the terminal or reorder a line."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
