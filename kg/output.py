"""Rows → text for people and tools: aligned tables, spreadsheet-safe CSV, JSON.

Formatting only; writing files is :mod:`kg.snapshots.export`'s job and printing the CLI's.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

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


#: A column is narrowed to no less than its longest word, within these bounds (display columns), or its own width.
MIN_COLUMN = 6
MAX_WORD = 16
#: Spaces between two columns.
GAP = 2


def to_table(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None,
             max_width: int | None = None, width: int | None = None, key: int = 1) -> str:
    """An aligned plain-text table, fitted to ``width`` display columns (``None``: as wide as its longest cells).

    To fit, the widest columns are narrowed first and their cells (headers too) wrap onto continuation lines within
    the column, at spaces where they can (CJK text anywhere, counted two columns a character); a column is not
    narrowed below its longest word (at most :data:`MAX_WORD`), so short columns stay whole. When the columns do not
    fit even so, they are split into blocks shown one under the other, each repeating the first ``key`` columns (as
    many as fit in half the width, at least one) that tell which row a line belongs to. No line is
    longer than ``width`` (for any ``width`` of at least 10). ``max_width`` clips each cell to that many columns with
    ``…`` (``None``: no clipping).

    >>> print(to_table([{"a": "甲乙丙丁戊", "b": 1}], ["a", "b"], width=9))
    a       b
    ------  -
    甲乙丙  1
    丁戊
    """
    headers = list(headers or columns)
    body = [[cell(row.get(c)) for c in columns] for row in rows]
    if max_width:
        body = [[_clip(v, max_width) for v in r] for r in body]
    natural = [max([display_width(h)] + [display_width(r[i]) for r in body]) for i, h in enumerate(headers)]
    if width is None or _total(natural) <= width:
        return _lay_out(headers, body, natural)
    floor = [min(n, max(MIN_COLUMN, min(MAX_WORD, _longest_word([h] + [r[i] for r in body]))))
             for i, (n, h) in enumerate(zip(natural, headers))]
    return "\n\n".join(_lay_out([headers[i] for i in block], [[r[i] for i in block] for r in body],
                                 _fit([natural[i] for i in block], [floor[i] for i in block], width))
                        for block in _blocks(floor, width, key))


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + GAP * max(len(widths) - 1, 0)


def _longest_word(texts: Iterable[str]) -> int:
    return max((display_width(w) for text in texts for w in text.split()), default=0)


def _blocks(floor: Sequence[int], width: int, key: int = 1) -> list[list[int]]:
    """Column indexes per block: all in one when they fit at their floor widths, else the key columns and as many
    more as fit, block after block."""
    if _total(floor) <= width:
        return [list(range(len(floor)))]
    key = max(1, min(key, len(floor) - 1))
    while key > 1 and _total(floor[:key]) > width // 2:
        key -= 1
    blocks, current = [], list(range(key))
    for i in range(key, len(floor)):
        if len(current) > key and _total([floor[j] for j in [*current, i]]) > width:
            blocks.append(current)
            current = list(range(key))
        current.append(i)
    return [*blocks, current]


def _fit(natural: Sequence[int], floor: Sequence[int], width: int) -> list[int]:
    """Column widths that fit ``width``: every column at most one cap wide (the widest shrink first), none below its
    floor, unless even the floors are too wide (then all are cut to an equal share)."""
    room = width - GAP * (len(natural) - 1)
    if sum(floor) > room:
        share = max(2, room // len(natural))
        floor = [min(f, share) for f in floor]
        left = room - sum(floor)
        floor = [f + (1 if left > i and f == share else 0) for i, f in enumerate(floor)]
    low, high = 0, max(natural)
    while low < high:  # the largest cap whose widths still fit
        mid = (low + high + 1) // 2
        if sum(max(f, min(n, mid)) for n, f in zip(natural, floor)) <= room:
            low = mid
        else:
            high = mid - 1
    return [max(f, min(n, low)) for n, f in zip(natural, floor)]


def _lay_out(headers: Sequence[str], body: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    lines = _row_lines(headers, widths)
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines += _row_lines(row, widths)
    return "\n".join(lines)


def _row_lines(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    """One table row as lines: each cell wrapped to its column, the row as tall as its tallest cell."""
    wrapped = [wrap_text(v, w) for v, w in zip(cells, widths)]
    height = max(len(c) for c in wrapped)
    return ["  ".join(_pad(c[k] if k < len(c) else "", w) for c, w in zip(wrapped, widths)).rstrip()
            for k in range(height)]


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


#: Where a line may break: after a space (and a ``; `` or ``, `` list separator), or around any wide (CJK) character.
_PIECES = re.compile(r"[^\s\u1100-\uffdc]*\s*|.", re.S)


def wrap_text(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` display columns (CJK characters count two), broken at spaces, around
    CJK characters, and inside a word only when the word alone is too long; continuation lines start with ``indent``.

    >>> wrap_text("no local enterprise; betweenness 0.13", 20)
    ['no local enterprise;', 'betweenness 0.13']
    >>> wrap_text("半导体材料与衬底", 6)
    ['半导体', '材料与', '衬底']
    """
    if display_width(text) <= width or width < 2:
        return [text]
    lines: list[str] = []
    line = ""
    for piece in (p for p in _PIECES.findall(text) if p):
        if display_width(line + piece.rstrip()) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = indent
        while display_width(line + piece.rstrip()) > width:  # a word longer than the line: break it
            room = width - display_width(line)
            head = ""
            for ch in piece:
                if display_width(head + ch) > room:
                    break
                head += ch
            if not head:  # not even one character fits after the indent
                line, head = "", piece[:1]
            lines.append(line + head)
            line, piece = indent, piece[len(head):]
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def fit_text(text: str, width: int | None) -> str:
    """Text (notes, titles, source lists, a diff) with every line longer than ``width`` wrapped; a line that starts
    with ``- ``, ``+ ``, ``~ `` or ``[n] `` continues under its first word. ``None`` leaves it as it is."""
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        mark = re.match(r"(\s*)([-+~] |\[\d+\] |)", line)
        indent = " " * min(display_width(mark.group(0)), width // 2)
        out += wrap_text(line, width, indent)
    return "\n".join(out)


def terminal_width(stream, environ: Mapping[str, str]) -> int | None:
    """The width tables are fitted to: ``COLUMNS`` when set, else the terminal's width when ``stream`` is one; ``None``
    (no limit) when the output goes to a file or a pipe and ``COLUMNS`` is unset, so that saved output keeps its
    full lines."""
    columns = environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def safe_csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula-looking text gets a leading apostrophe (numbers stay numbers)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = cell_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(value) -> str:
    """A value as the text of a file's cell (CSV, xlsx): lists joined with ``; ``, ``None`` empty, text as it is."""
    return "" if value is None else cell(value) if isinstance(value, (list, tuple, dict, bool)) else str(value)


def to_csv(rows: Iterable[dict], columns: Sequence[str], bom: bool = True,
           headers: Sequence[str] | None = None) -> str:
    """CSV that opens cleanly in a spreadsheet: UTF-8 BOM, one header row (``headers``, else the column keys), every
    row, formula-looking cells neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_csv_cell(h) for h in (headers or columns)])
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
