"""Checks on a dataset that SHACL cannot do, and the SHACL run itself.

Row checks (codes, dates, enumerations, numbers), references between tables that point nowhere, duplicates (same id,
same code, same normalised name), and ``suppliesTo`` cycles. Every problem names the file, line, column and value.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Dataset, Graph

from kg import identifiers
from kg.errors import DataError, InvalidIdentifier, Problem
from kg.tables import CONFIDENCE, LINK_PREDICATES, SPECS, Row


def load_industry_codes(path: Path) -> dict[str, tuple[str, str, str]]:
    """Read the GB/T 4754-2017 table: code → (name, level, parent)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: (r["name"], r["level"], r["parent"]) for r in csv.DictReader(handle, delimiter="\t")}


def check_dataset(tables: dict[str, list[Row]], industry_codes: dict[str, tuple[str, str, str]]) -> None:
    """Run every non-SHACL check on the rows of a dataset.

    Args:
        tables: rows by file name, from :func:`kg.tables.read_dataset`.
        industry_codes: the GB/T 4754-2017 codes a segment may cite.

    Raises:
        DataError: with one problem per finding, in file and line order.
    """
    problems: list[Problem] = []
    ids = _collect_ids(tables, problems)
    division_codes = {r.get("division_code") for r in tables.get("districts.csv", []) if r.get("division_code")}
    for name, rows in tables.items():
        spec = SPECS[name]
        for row in rows:
            problems.extend(_check_row(row, spec, ids, division_codes, industry_codes))
    problems.extend(_check_duplicates(tables))
    problems.extend(_check_cycles(tables.get("segments.csv", [])))
    if problems:
        problems.sort(key=lambda p: (list(SPECS).index(p.file) if p.file in SPECS else 99, p.line))
        raise DataError(problems)


def _collect_ids(tables: dict[str, list[Row]], problems: list[Problem]) -> dict[str, Row]:
    ids: dict[str, Row] = {}
    for name, rows in tables.items():
        spec = SPECS[name]
        if not spec.id_column:
            continue
        for row in rows:
            value = row.get(spec.id_column)
            if not value:
                problems.append(row.problem(spec.id_column, "id is empty"))
            elif not value.startswith(spec.id_prefixes) or not _is_ascii_id(value):
                prefixes = " or ".join(spec.id_prefixes)
                problems.append(row.problem(spec.id_column, f"id must be ASCII and start with {prefixes}"))
            elif value in ids:
                first = ids[value]
                problems.append(row.problem(spec.id_column, f"duplicate id (first at {first.table}:{first.line})"))
            else:
                ids[value] = row
    return ids


def _is_ascii_id(value: str) -> bool:
    prefix, _, local = value.partition(":")
    return bool(local) and all(c.isascii() and (c.isalnum() or c in "-_.") for c in local)


def _check_row(row: Row, spec, ids: dict[str, Row], division_codes: set[str], industry_codes) -> list[Problem]:
    out: list[Problem] = []
    for column in spec.required:
        if not row.get(column):
            out.append(row.problem(column, "required value is empty"))
    for column, allowed in spec.enums.items():
        value = row.get(column)
        if value and value not in allowed:
            out.append(row.problem(column, f"not one of {', '.join(allowed)}"))
    for column, ref in spec.refs.items():
        values = row.split(column) if ref.multi else ([row.get(column)] if row.get(column) else [])
        for value in values:
            if not value.startswith(ref.prefixes):
                out.append(row.problem(column, f"must point at {' or '.join(ref.prefixes)} ids", value))
            elif value not in ids:
                out.append(row.problem(column, "points at no row (unknown id)", value))
    if spec.sourced:
        sources = row.split("source_ids")
        if not sources:
            out.append(row.problem("source_ids", "every row needs at least one source"))
        for value in sources:
            if not value.startswith("src:") or value not in ids:
                out.append(row.problem("source_ids", "unknown source (not in sources.csv)", value))
        if row.get("confidence") not in CONFIDENCE:
            out.append(row.problem("confidence", f"not one of {', '.join(CONFIDENCE)}"))
    out.extend(_check_values(row, division_codes, industry_codes))
    if spec.file == "links.csv":
        out.extend(_check_link(row, ids))
    return out


def _check_values(row: Row, division_codes: set[str], industry_codes) -> list[Problem]:
    out: list[Problem] = []

    def guard(column: str, check) -> None:
        value = row.get(column)
        if value:
            try:
                check(value)
            except InvalidIdentifier as err:
                out.append(row.problem(column, str(err)))

    guard("credit_code", identifiers.validate_uscc)
    guard("doc_number", _check_doc_number)
    for column in ("date", "date_issued", "date_in_force"):
        guard(column, identifiers.parse_date)
    if row.table == "districts.csv":
        guard("division_code", lambda v: identifiers.validate_division_code(v, identifiers.JINAN_COUNTY_CODES))
        guard("stat_code", _check_stat_code)
    for column in ("landmark_count", "key_count", "sequence"):
        value = row.get(column)
        if value and not (value.isascii() and value.isdigit()):
            out.append(row.problem(column, "must be a whole number"))
    for column in ("value", "target_2030"):
        value = row.get(column)
        if value:
            try:
                number = Decimal(value)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                out.append(row.problem(column, "must be a plain decimal number such as 10189.4 (no units, no commas)"))
    year = row.get("year")
    if year and not (len(year) == 4 and year.isdigit()):
        out.append(row.problem("year", "must be a four-digit year"))
    if row.table == "sources.csv" and not (row.get("title") or row.get("url") or row.get("outlet")):
        out.append(row.problem("title", "a source must be traceable: give its title, outlet or URL"))
    url = row.get("url")
    if url and not url.startswith(("http://", "https://")):
        out.append(row.problem("url", "must start with http:// or https://"))
    for code in row.split("industry_codes"):
        if code not in industry_codes:
            out.append(row.problem("industry_codes", "not a GB/T 4754-2017 code", code))
    return out


def _check_doc_number(value: str) -> None:
    canonical, _ = identifiers.normalise_doc_number(value)
    if canonical != value:
        raise InvalidIdentifier(f"document number {value!r} is not in the standard form; write it as {canonical!r}")


def _check_stat_code(value: str) -> None:
    if value not in identifiers.JINAN_COUNTY_CODES and value not in identifiers.STATISTICAL_ONLY_CODES:
        raise InvalidIdentifier(f"statistical code {value!r} is not a known Jinan county-level code")


def _check_link(row: Row, ids: dict[str, Row]) -> list[Problem]:
    predicate = row.get("predicate")
    if predicate not in LINK_PREDICATES:
        return [row.problem("predicate", f"unknown predicate; expected one of {', '.join(LINK_PREDICATES)}")]
    subjects, objects = LINK_PREDICATES[predicate]
    out = []
    if not row.get("subject_id").startswith(subjects):
        out.append(row.problem("subject_id", f"{predicate} needs a subject starting with {' or '.join(subjects)}"))
    if not row.get("object_id").startswith(objects):
        out.append(row.problem("object_id", f"{predicate} needs an object starting with {' or '.join(objects)}"))
    return out


def _check_duplicates(tables: dict[str, list[Row]]) -> list[Problem]:
    out: list[Problem] = []
    keyed: dict[tuple[str, str, str], Row] = {}

    def seen(row: Row, kind: str, key: str, column: str, what: str) -> None:
        if not key:
            return
        first = keyed.setdefault((row.table, kind, key), row)
        if first is not row:
            out.append(row.problem(column, f"duplicate {what} (same as {first.table}:{first.line})"))

    for name, rows in tables.items():
        spec = SPECS[name]
        for row in rows:
            if spec.name_column:
                scope = row.get("tier") if name == "chains.csv" else ""
                seen(row, "name" + scope, identifiers.match_key(row.get(spec.name_column)), spec.name_column, "name")
            seen(row, "uscc", row.get("credit_code").upper(), "credit_code", "credit code")
            seen(row, "division", row.get("division_code"), "division_code", "division code")
            if row.get("doc_number"):
                try:
                    canonical = identifiers.normalise_doc_number(row.get("doc_number"))[0]
                except InvalidIdentifier:
                    canonical = ""
                seen(row, "docno", canonical, "doc_number", "document number")
            if name == "links.csv":
                key = "|".join((row.get("subject_id"), row.get("predicate"), row.get("object_id")))
                seen(row, "link", key, "object_id", "link (merge the sources into one row)")
            if name == "aliases.csv":
                seen(row, "alias", row.get("entity_id") + "|" + identifiers.match_key(row.get("alias")),
                     "alias", "alias")
    return out


def _check_cycles(segments: list[Row]) -> list[Problem]:
    edges = defaultdict(list)
    rows = {}
    for row in segments:
        rows[row.get("segment_id")] = row
        edges[row.get("segment_id")].extend(row.split("supplies_to"))
    state: dict[str, int] = {}
    out: list[Problem] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                row = rows[node]
                cycle = " → ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} → {nxt}"
                out.append(row.problem("supplies_to", f"suppliesTo forms a cycle: {cycle}", nxt))
            elif nxt in rows and not state.get(nxt):
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in rows:
        if not state.get(node):
            visit(node, [node])
    return out


def run_shacl(data: Dataset, shapes: Graph, ontology: Graph,
              locate: dict[str, tuple[str, int]] | None = None) -> list[Problem]:
    """Validate the union of a dataset's graphs, with the ontology, against the shapes.

    Args:
        data: the built dataset (every named graph is validated together).
        shapes: the SHACL shapes.
        ontology: the ontology, so that ``sh:class`` sees subclasses.
        locate: entity IRI → (file, line), so that a problem names the CSV row it came from.

    Returns:
        One problem per SHACL result (empty when the data conforms).
    """
    import pyshacl
    from rdflib.namespace import RDF, SH

    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    union += ontology
    conforms, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    locate = locate or {}
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = str(report.value(result, SH.resultMessage) or "violates a shape")
        file, line = locate.get(focus, ("shapes", 0))
        column = str(path).rpartition("#")[2].rpartition("/")[2] if path is not None else ""
        shown = str(value) if value is not None else focus
        out.append(Problem(file, line, column, shown, f"{message} ({focus})"))
    return sorted(out, key=lambda p: (p.file, p.line, p.column))
