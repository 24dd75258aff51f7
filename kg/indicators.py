"""Targets against actuals: the figures of the graph gathered into series, one per measure and subject, each with
its actuals by year, its targets and the progress towards them.

A series is the figures of one subject (a chain, place or chain system) that share a measure (``ckg:measure``, the
measures table); a figure with no measure is a series of its own. Qualified figures (超过900, 近800) keep their
qualifier everywhere and progress respects it (:func:`kg.figures.progress`). One named query
(``kg/queries/indicator_series.rq``), bound to a subject or not; no figure is derived or estimated here.
"""

from __future__ import annotations

from kg.figures import Figure, progress
from kg.query import iri, select
from kg.resolve import Entity, resolve
from kg.rows import group_rows, local

#: The kinds of entity that figures are about, for :func:`indicator_series` with a name.
SUBJECT_KINDS = ("chain", "place", "system")


def indicator_series(store, name: str | Entity | None = None, include_single: bool = False) -> dict:
    """The series of figures about one subject (a chain, district or chain system, by any of its names), or about
    every subject.

    Args:
        store: an open store.
        name: the subject; ``None`` for all of them.
        include_single: also list series of a single actual and no target (always so when ``name`` is given).

    Returns:
        ``{"subject": {"name", "name_en", "iri"} or None, "series": [...]}``. Each series has ``measure``,
        ``measure_en``, ``measure_id`` (``None`` when the figure has no shared measure), ``subject``,
        ``subject_en``, ``subject_iri``, ``unit``, ``actuals`` and ``targets`` (figures, oldest first: ``value``,
        ``year``, ``qualifier``, ``qualifier_word``, ``set_by``, ``quote``, ``confidence``, ``sources``, ``iri``)
        and ``progress`` (one per target: :func:`kg.figures.progress` with ``target`` and, for JSON, the figures
        flattened to their values).

    Raises:
        NotFound, Ambiguous: ``name`` does not single out one chain, place or chain system.
    """
    subject = None
    if name is not None:
        subject = name if isinstance(name, Entity) else resolve(store, name, kinds=SUBJECT_KINDS)
    rows = select(store, "indicator_series", subject=iri(subject.iri) if subject else None)
    series = _series(rows)
    if subject is None and not include_single:
        series = [s for s in series if s["targets"] or len(s["actuals"]) > 1]
    return {"subject": {"name": subject.name("zh"), "name_en": subject.names.get("en"), "iri": subject.iri}
            if subject else None, "series": series}


def _series(rows: list[dict]) -> list[dict]:
    figures = group_rows(rows, ("indicator",), (
        "indicator", "subject", "subject_zh", "subject_en", "measure", "measure_zh", "measure_en", "name_zh",
        "name_en", "value", "unit", "year", "kind", "qualifier", "qualifier_word", "set_by", "set_by_title", "quote"))
    by_key: dict[tuple, dict] = {}
    for f in figures:
        key = (f["subject"], f["measure"] or f["indicator"])
        s = by_key.get(key)
        if s is None:
            s = by_key[key] = {
                "measure": f["measure_zh"] or f["name_zh"], "measure_en": f["measure_en"] or f["name_en"],
                "measure_id": local(f["measure"]), "subject": f["subject_zh"], "subject_en": f["subject_en"],
                "subject_iri": f["subject"], "unit": f["unit"], "actuals": [], "targets": []}
        s["actuals" if f["kind"] == "actual" else "targets"].append({
            "value": f["value"], "year": _year(f["year"]), "qualifier": f["qualifier"],
            "qualifier_word": f["qualifier_word"], "name": f["name_zh"], "name_en": f["name_en"],
            "set_by": f["set_by_title"], "quote": f["quote"], "confidence": f["confidence"],
            "sources": f["sources"], "iri": f["indicator"]})
    out = []
    for s in by_key.values():
        for group in (s["actuals"], s["targets"]):
            group.sort(key=lambda f: (f["year"] is None, f["year"] or 0, str(f["iri"])))
        actuals = [_figure(f) for f in s["actuals"]]
        words = {a: f["qualifier_word"] for a, f in zip(actuals, s["actuals"])}
        s["progress"] = [_progress_row(progress(actuals, _figure(t)), t, words) for t in s["targets"]]
        out.append(s)
    out.sort(key=lambda s: (not s["targets"], -len(s["actuals"]), str(s["subject"]), str(s["measure"])))
    return out


def _year(value) -> int | None:
    try:
        return int(str(value)[:4]) if value is not None else None
    except ValueError:
        return None


def _figure(row: dict) -> Figure:
    return Figure(float(row["value"]), row["qualifier"], row["year"])


def _progress_row(result: dict, target: dict, words: dict[Figure, str | None]) -> dict:
    """:func:`kg.figures.progress`'s answer with its figures as plain values (JSON) and the target it is about."""
    latest, baseline = result["latest"], result["baseline"]
    return {**result, "target": {k: target[k] for k in ("value", "year", "qualifier", "qualifier_word", "iri")},
            "latest": _plain(latest, words), "baseline": _plain(baseline, words),
            "ratio": round(result["ratio"], 6) if result["ratio"] is not None else None,
            "expected": round(result["expected"], 6) if result["expected"] is not None else None}


def _plain(figure: Figure | None, words: dict[Figure, str | None]) -> dict | None:
    if figure is None:
        return None
    value = int(figure.value) if float(figure.value).is_integer() else figure.value
    return {"value": value, "qualifier": figure.qualifier, "qualifier_word": words.get(figure), "year": figure.year}
