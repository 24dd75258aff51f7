"""Titled tables (:class:`Section`) → text for the terminal, fitted to its width, or one CSV table.

The ``*_view`` functions (:mod:`kg.views`, :mod:`kg.gap_views`) turn a question's result into sections; this module
lays them out. Files of several tables (a CSV folder, an xlsx workbook) are :mod:`kg.spreadsheet`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.i18n import DEFAULT_LANG, t
from kg.output import fit_text, to_csv, to_table


@dataclass
class Section:
    """One titled table: ``columns`` are the row keys, ``headers`` what a reader sees above them (the header row of
    a CSV file and of a sheet); ``key``: how many leading columns name a row (repeated when a table is split into
    blocks to fit the terminal); ``lang``: the language of its labels (:func:`kg.views.finish` sets it)."""

    title: str
    columns: list[str]
    headers: list[str]
    rows: list[dict] = field(default_factory=list)
    note: str = ""
    key: int = 1
    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        self.rows = [dict(row) for row in self.rows]  # the view's own rows: rendering may change cells


def source_labels(section: Section) -> list[dict]:
    """The rows with a ``sources`` list (source objects) written as their labels, for files."""
    return [{**row, "sources": [src.get("label") or src.get("title") for src in row["sources"]]}
            if isinstance(row.get("sources"), list) else row for row in section.rows]


def render(sections: list[Section], fmt: str = "table", lang: str | None = None, width: int | None = None) -> str:
    """Sections as aligned tables with numbered source notes (``table``), or one section as CSV (``csv``).

    A ``sources`` column (a list of source objects) becomes ``[1][3]`` references in a table, listed in full at
    the end; in CSV it becomes the sources' labels joined with ``; ``. Tables, titles and notes are fitted to
    ``width`` display columns (``None``: full lines; see :func:`kg.output.to_table`).

    Raises:
        ValueError: ``csv`` of more than one section: a CSV file holds one table (write a folder of them with
            :func:`kg.spreadsheet.write_csv_folder`).
    """
    lang = lang or (sections[0].lang if sections else DEFAULT_LANG)
    if fmt == "csv":
        if len(sections) != 1:
            raise ValueError(f"one CSV holds one table, not {len(sections)}")
        return to_csv(source_labels(sections[0]), sections[0].columns, headers=sections[0].headers)
    notes: dict[str, int] = {}
    listed: list[dict] = []
    parts = []
    for s in sections:
        rows = []
        for row in s.rows:
            row = dict(row)
            if isinstance(row.get("sources"), list):
                refs = []
                for src in row["sources"]:
                    key = src.get("id") or src.get("label")
                    if key not in notes:
                        notes[key] = len(notes) + 1
                        listed.append(src)
                    refs.append(f"[{notes[key]}]")
                row["sources"] = "".join(refs)
            rows.append(row)
        body = to_table(rows, s.columns, s.headers, width=width, key=s.key) if rows else t("none", lang)
        parts.append(fit_text(f"== {s.title} ==", width) + f"\n{body}" + (f"\n{fit_text(s.note, width)}"
                                                                             if s.note else ""))
    if listed:
        lines = [f"[{i}] " + " · ".join(str(v) for v in _source_parts(src) if v) for i, src in enumerate(listed, 1)]
        parts.append(fit_text(f"== {t('sources', lang)} ==\n" + "\n".join(lines), width))
    return "\n\n".join(parts) + "\n"


def _source_parts(src: dict) -> tuple:
    if src.get("title"):
        return (src["title"], src.get("outlet"), src.get("date"), src.get("url"))
    if src.get("label") == f"[{src.get('url')}]":
        return (src.get("url"),)
    return (src.get("label"), src.get("url"))
