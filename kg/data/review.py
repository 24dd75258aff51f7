"""The review folder of a register import, and merging it into a dataset folder.

``write_review`` streams a register through :class:`kg.data.ingest.Ingest` into a folder built aside and swapped in
whole (:func:`kg.atomic.folder_in_place`; its marker ``summary.json`` names chainkg, the kind ``review`` and every
file)::

    enterprises.csv   new enterprises and enriched ones, in the dataset's own table format
    links.csv         their new in_segment links (and located_in, for a place read from a short name)
    sources.csv       the register as a source (kind dataset; file name and sha256 in the note) and the modelling
                      sources the classification cites
    report.csv        one row per input row: line, status, reason, column, value, enterprise (UTF-8 BOM at byte 0)
    summary.txt       the counts in a few lines; summary.json holds them all

``apply_review`` merges such a folder into the dataset: every changed table is written to a copy of the dataset
beside it, the copy is checked whole (:func:`kg.build.check_dataset_folder`), and only then is each table moved into
place by ``os.replace`` (sources, then enterprises, then links: each step leaves a valid dataset). A folder that
changes nothing writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from kg.atomic import folder_in_place, marker_fields
from kg.data.classify import BASIS_SOURCE, modelling_sources
from kg.data.ingest import ADDED, STATUSES, Ingest, Outcome
from kg.data.register import open_register
from kg.errors import DataError, ExportError, Problem
from kg.manifest import load_manifest
from kg.output import safe_csv_cell, to_json
from kg.tables import SPECS, iter_table

MARKER = "summary.json"
KIND = "review"
FILES = ("enterprises.csv", "links.csv", "sources.csv", "report.csv", "summary.txt")
REPORT_COLUMNS = ("line", "status", "reason", "column", "value", "enterprise_id", "name")
ENTERPRISE_COLUMNS = SPECS["enterprises.csv"].all_columns
LINK_COLUMNS = SPECS["links.csv"].all_columns
SOURCE_COLUMNS = SPECS["sources.csv"].all_columns
_PART = ".new-enterprises.part"


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_review_dir(register: Path) -> Path:
    """Where the review folder goes when none is given: ``<register>.review`` beside the register."""
    register = Path(register)
    return register.with_name(register.name + ".review")


def register_source(path: Path, sha256: str, title: str = "", date: str = "", url: str = "") -> dict[str, str]:
    """The sources.csv row of a register: kind ``dataset``, its id from the file's sha256 (same file, same id)."""
    return {"source_id": f"src:reg-{sha256[:12]}", "kind": "dataset", "outlet": "", "title": title, "date": date,
            "url": url, "note": f"Enterprise register imported by chainkg ingest: file {Path(path).name}, "
                                f"sha256 {sha256}."}


def write_review(register: Path, data_dir: Path, out_dir: Path | None = None, *, title: str = "", date: str = "",
                 url: str = "", overrides: Mapping[str, str] | None = None, sheet: str | None = None) -> dict:
    """Judge every row of a register against a dataset and write the review folder (module docstring).

    Args:
        register: the register file (``.csv`` or ``.xlsx``).
        data_dir: the dataset folder it is judged against (nothing in it is written).
        out_dir: the review folder (default :func:`default_review_dir`); replaced whole only if it is an earlier
            review folder.
        title, date, url: the register's source row.
        overrides: ``--map`` header → field.
        sheet: the XLSX sheet.

    Returns:
        The summary (also in ``summary.json``).

    Raises:
        DataError: the register or the dataset cannot be read.
        ExportError: the folder cannot be written, or is not an earlier review folder.
    """
    started = time.perf_counter()
    register, data_dir = Path(register), Path(data_dir)
    out_dir = Path(out_dir) if out_dir else default_review_dir(register)
    reader = open_register(register, overrides, sheet)
    sha = file_sha256(register)
    source = register_source(register, sha, title, date, url)
    ingest = Ingest(data_dir, source["source_id"])
    bases: set[str] = set()
    links_written = added = 0
    with folder_in_place(out_dir, MARKER, what="chainkg review folder", kind=KIND) as tmp:
        with (tmp / "report.csv").open("w", encoding="utf-8", newline="") as report_file, \
                (tmp / _PART).open("w", encoding="utf-8", newline="") as part_file, \
                (tmp / "links.csv").open("w", encoding="utf-8", newline="") as links_file:
            report_file.write("\ufeff")  # every CSV of the folder opens in a spreadsheet (BOM); readers skip it
            links_file.write("\ufeff")
            report = csv.writer(report_file, lineterminator="\r\n")
            report.writerow(REPORT_COLUMNS)
            part = csv.writer(part_file, lineterminator="\n")
            links = csv.writer(links_file, lineterminator="\n")
            links.writerow(LINK_COLUMNS)

            def write_links(rows: list[dict[str, str]]) -> None:
                nonlocal links_written
                for link in rows:
                    links.writerow([link.get(c, "") for c in LINK_COLUMNS])
                    links_written += 1

            def note(outcome: Outcome) -> None:
                report.writerow([safe_csv_cell(v) for v in (outcome.line, outcome.status, outcome.reason,
                                                            outcome.column, outcome.value, outcome.enterprise,
                                                            outcome.name)])

            for line, row in reader.rows():
                outcome = ingest.judge(line, row)
                note(outcome)
                if outcome.status == ADDED:
                    added += 1
                    entry = ingest.enterprise_row(outcome)
                    part.writerow([entry.get(c, "") for c in ENTERPRISE_COLUMNS])
                    segments = [(s, b) for s, b, _ in outcome.segments]
                    bases.update(b for _, b in segments)
                    write_links(ingest.link_rows(outcome.enterprise, segments, outcome.located_short))
            for problem in reader.problems:
                note(ingest.refuse_unread(problem))
            for ent, change in ingest.changes.items():
                bases.update(b for _, b in change.segments)
                write_links(ingest.link_rows(ent, change.segments, change.located_short))
        enriched = _write_enterprises(tmp, data_dir, ingest)
        (tmp / _PART).unlink()
        cited = {BASIS_SOURCE[b] for b in bases}
        sources = [source] + [s for s in modelling_sources() if s["source_id"] in cited]
        _write_csv(tmp / "sources.csv", SOURCE_COLUMNS, sources)
        summary = _summary(ingest, reader, register, sha, source, added, enriched, links_written, started)
        (tmp / "summary.txt").write_text(summary_text(summary), encoding="utf-8")
        files = {name: {"bytes": (tmp / name).stat().st_size} for name in FILES}
        marker = {**marker_fields(KIND), **summary, "files": files}
        (tmp / MARKER).write_text(to_json(marker) + "\n", encoding="utf-8")
    return {**marker, "review_dir": str(out_dir)}


def _write_enterprises(tmp: Path, data_dir: Path, ingest: Ingest) -> int:
    """enterprises.csv of the review: the dataset's enriched rows, then the new ones (with later rows' additions).
    Returns how many rows of the dataset were enriched."""
    enriched = 0
    with (tmp / "enterprises.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(ENTERPRISE_COLUMNS)
        path = data_dir / "enterprises.csv"
        if ingest.changes and path.is_file():
            for row in iter_table(path, SPECS["enterprises.csv"]):
                change = ingest.changes.get(row.get("enterprise_id"))
                if change is None or not (change.fields or change.tags):
                    continue
                cells = dict(row.cells)
                _apply_change(cells, change, ingest.source_id)
                out.writerow([cells.get(c, "") for c in ENTERPRISE_COLUMNS])
                enriched += 1
        with (tmp / _PART).open(encoding="utf-8", newline="") as part:
            for record in csv.reader(part):
                cells = dict(zip(ENTERPRISE_COLUMNS, record))
                change = ingest.changes.get(cells["enterprise_id"])
                if change is not None:
                    _apply_change(cells, change, ingest.source_id)
                out.writerow([cells.get(c, "") for c in ENTERPRISE_COLUMNS])
    return enriched


def _apply_change(cells: dict[str, str], change, source_id: str) -> None:
    for column, value in change.fields.items():
        if not cells.get(column):
            cells[column] = value
    if change.tags:
        tags = [t for t in cells.get("qualifications", "").split(";") if t]
        cells["qualifications"] = ";".join(dict.fromkeys(tags + change.tags))
    sources = [s for s in cells.get("source_ids", "").split(";") if s]
    if source_id not in sources and (change.fields or change.tags):
        cells["source_ids"] = ";".join(sources + [source_id])


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow([row.get(c, "") for c in columns])


def _summary(ingest: Ingest, reader, register: Path, sha: str, source: dict, added: int, enriched: int,
             links: int, started: float) -> dict:
    counts = ingest.counts
    changed_new = sum(1 for ent in ingest.changes if ingest.by_id[ent].new)
    return {
        "register": {"file": register.name, "sha256": sha, "kind": reader.kind, "encoding": reader.encoding,
                     "sheet": reader.sheet, "header_line": reader.header_line, "headers": reader.headers,
                     "columns": {f: reader.headers[i] for f, i in reader.columns.items()}, "unused": reader.unused},
        "dataset": {"id": ingest.manifest.id, "folder": str(ingest.data_dir.resolve())},
        "source": source,
        "rows": ingest.row_count,
        "status": {s: counts["status"][s] for s in STATUSES},
        "enterprises": {"added": added, "enriched in the dataset": enriched,
                        "enriched in this import": changed_new, "links": links},
        "needs review by column": dict(counts["review_reason"].most_common()),
        "district": dict(counts["district"].most_common()),
        "chain": {f"{c} {ingest.chain_name.get(c, '')}".strip(): n for c, n in counts["chain"].most_common()},
        "segment": {f"{s} {ingest.segment_name.get(s, '')}".strip(): n for s, n in counts["segment"].most_common()},
        "basis": dict(counts["basis"].most_common()),
        "unclassified by industry code": dict(counts["unclassified_code"].most_common()),
        "seconds": round(time.perf_counter() - started, 3),
    }


def summary_text(summary: Mapping) -> str:
    """The summary in a few lines (what the CLI prints, and ``summary.txt``)."""
    reg = summary["register"]
    how = f"encoding {reg['encoding']}" if reg["kind"] == "csv" else f"sheet {reg['sheet']}"
    where = "line" if reg["kind"] == "csv" else "row"
    lines = [f"{reg['file']}: {summary['rows']:,} rows ({reg['kind']}, {how}, header on {where} {reg['header_line']})",
             "status: " + ", ".join(f"{k} {v:,}" for k, v in summary["status"].items()),
             "enterprises: " + ", ".join(f"{k} {v:,}" for k, v in summary["enterprises"].items())]
    for key, top in (("needs review by column", 10), ("district", 20), ("chain", 20), ("segment", 15),
                     ("basis", 3), ("unclassified by industry code", 10)):
        items = list(summary[key].items())
        if items:
            more = f", … {len(items) - top} more" if len(items) > top else ""
            lines.append(f"{key}: " + ", ".join(f"{k} {v:,}" for k, v in items[:top]) + more)
    return "\n".join(lines) + "\n"


# --- apply -----------------------------------------------------------------------------------------------------------

def _refuse_bundled(data_dir: Path) -> None:
    """The bundled datasets are edited by people and cite their sources row by row: code never writes them."""
    from kg import paths

    root = paths.data_root().resolve()
    target = data_dir.resolve()
    if target == root or root in target.parents:
        raise DataError(Problem(str(data_dir), 0, "", "", "the bundled dataset is never written by chainkg; copy it "
                                f"(cp -r {data_dir} my-data) and apply to the copy with --data my-data"))


def apply_review(review_dir: Path, data_dir: Path) -> dict:
    """Merge a review folder into the dataset folder it was made for (module docstring).

    Returns:
        ``{"enterprises added": n, "enterprises changed": n, "links added": n, "sources added": n}``.

    Raises:
        DataError: the dataset is a bundled one (never written by code), the folder is not a review folder of this
            dataset, or the merged dataset does not pass the
            checks (then nothing is written; the problems name the merged tables' lines).
        ExportError: a table cannot be written.
    """
    from kg.build import check_dataset_folder

    review_dir, data_dir = Path(review_dir), Path(data_dir)
    _refuse_bundled(data_dir)
    marker = _read_marker(review_dir)
    manifest = load_manifest(data_dir)
    if marker.get("dataset", {}).get("id") != manifest.id:
        raise DataError(Problem(str(review_dir / MARKER), 0, "dataset", str(marker.get("dataset", {}).get("id")),
                                f"this review was made for another dataset, not {manifest.id!r}; run the ingest "
                                "again against this one"))
    for name in ("sources.csv", "enterprises.csv", "links.csv"):
        if not (review_dir / name).is_file():
            raise DataError(Problem(str(review_dir / name), 0, "", "", "missing from the review folder"))
    tmp = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.ingest-", dir=data_dir.parent))
    try:
        sources = _merge_table(review_dir, data_dir, tmp, "sources.csv", lambda c: c.get("source_id"))
        changed = _merge_table(review_dir, data_dir, tmp, "enterprises.csv", lambda c: c.get("enterprise_id"))
        links_added = _merge_table(review_dir, data_dir, tmp, "links.csv", _link_key)
        result = {"enterprises added": changed["added"], "enterprises changed": changed["changed"],
                  "links added": links_added["added"], "sources added": sources["added"]}
        if not any(result.values()):
            return result
        for item in data_dir.iterdir():
            if item.is_file() and not (tmp / item.name).exists():
                shutil.copy2(item, tmp / item.name)
            elif item.is_dir():
                shutil.copytree(item, tmp / item.name, symlinks=True)
        check_dataset_folder(tmp)
        for name in ("sources.csv", "enterprises.csv", "links.csv"):
            os.replace(tmp / name, data_dir / name)
        return result
    except OSError as err:
        raise ExportError(f"cannot merge into {data_dir}: {err.strerror or err}; nothing was changed") from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_marker(review_dir: Path) -> dict:
    try:
        marker = json.loads((review_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DataError(Problem(str(review_dir), 0, "", "", f"not a chainkg review folder (cannot read {MARKER}: "
                                                            f"{err})")) from err
    if not isinstance(marker, dict) or marker.get("generator") != "chainkg" or marker.get("kind") != KIND:
        raise DataError(Problem(str(review_dir / MARKER), 0, "", "", "not a chainkg review folder"))
    return marker


def _link_key(cells: Mapping[str, str]) -> str:
    return "|".join((cells.get("subject_id", ""), cells.get("predicate", ""), cells.get("object_id", "")))


def _merge_table(review_dir: Path, data_dir: Path, tmp: Path, name: str, key) -> dict[str, int]:
    """Write ``tmp/name``: the dataset's rows, each one the review has a row for (same id, or same link) replaced by
    it, then the review's other rows. Columns: the dataset's own, then any the review fills that it lacks.

    Streams both files (held: the review's keys, and the rows that replace a dataset row)."""
    path, incoming_path, spec = data_dir / name, review_dir / name, SPECS[name]
    incoming: set[str] = set()
    filled: set[str] = set()
    for row in iter_table(incoming_path, spec):
        incoming.add(key(row.cells))
        filled.update(c for c, v in row.cells.items() if v)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = [h.strip() for h in next(csv.reader(handle), None) or spec.all_columns]
    header += [c for c in spec.all_columns if c not in header and c in filled]
    present = {k for row in iter_table(path, spec) if (k := key(row.cells)) in incoming}
    replacing = {key(row.cells): dict(row.cells) for row in iter_table(incoming_path, spec)
                 if key(row.cells) in present}
    changed = added = 0
    with (tmp / name).open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        for row in iter_table(path, spec):
            cells = dict(row.cells)
            replacement = replacing.get(key(cells))
            if replacement is not None:
                if any(replacement.get(c, "") != cells.get(c, "") for c in header):
                    changed += 1
                cells = replacement
            out.writerow([cells.get(c, "") for c in header])
        for row in iter_table(incoming_path, spec):
            if key(row.cells) not in present:
                out.writerow([row.get(c) for c in header])
                added += 1
        handle.flush()
        os.fsync(handle.fileno())
    return {"added": added, "changed": changed}
