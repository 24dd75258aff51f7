"""Shaping query rows into answers: local names, (Chinese, English) name pairs, rows folded by source, source
objects, indicator rows. Shared by the question modules (:mod:`kg.questions`, :mod:`kg.describe`,
:mod:`kg.profiles`) and :mod:`kg.indicators`; reads the store only for names (:func:`kg.resolve.index_for`).
"""

from __future__ import annotations

from kg.resolve import index_for


def local(value: str | None) -> str | None:
    """The local name of an IRI (``…#Confirmed`` → ``confirmed``), lower-cased; ``None`` stays ``None``."""
    if not value:
        return None
    return value.rpartition("#")[2].rpartition("/")[2]



def with_pairs(rows: list[dict], columns: tuple[str, ...], store=None) -> list[dict]:
    """Give each row ``{column}_pair``: the (Chinese, English) names of the entity it names in ``column`` (an IRI),
    from its ``{column}_zh`` / ``{column}_en`` columns, else (with ``store``) looked up by IRI; English ``None`` where
    the data has none. Collected by :func:`group_rows`, the pairs give the English names of listed entities."""
    entities = index_for(store).entities if store is not None else {}
    for row in rows:
        for column in columns:
            value, zh, en = row.get(column), row.get(f"{column}_zh"), row.get(f"{column}_en")
            if value and en is None and store is not None:
                entity = entities.get(value)
                zh, en = zh or (entity.name("zh") if entity else None), entity.names.get("en") if entity else None
            row[f"{column}_pair"] = (zh, en) if zh or en else None
    return rows



def english(pairs: list[tuple]) -> list[str]:
    """The English names of collected ``(zh, en)`` pairs, the Chinese where there is no English."""
    return [en or zh for zh, en in pairs]



def _confidence(value: str | None) -> str | None:
    return local(value).lower() if value else None



def group_rows(rows: list[dict], key: tuple[str, ...], keep: tuple[str, ...],
               collect: tuple[str, ...] = ()) -> list[dict]:
    """Fold query rows that differ only by source (and by the ``collect`` columns) into one row each.

    Each output row has the ``keep`` columns of the first row of its group, ``sources`` (unique ``{title, url}``
    objects, in order), ``confidence`` (the highest seen: a claim is as strong as its best evidence) and, for each
    ``collect`` column, a sorted list of its distinct non-empty values.
    """
    rank = {"confirmed": 0, "partial": 1, "uncertain": 2}
    groups: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row.get(c) for c in key)
        out = groups.get(k)
        if out is None:
            out = groups[k] = {c: row.get(c) for c in keep}
            out["sources"], out["confidence"] = [], None
            for c in collect:
                out[c] = []
        if row.get("source") and all(s["id"] != local(row["source"]) for s in out["sources"]):
            out["sources"].append({"id": local(row["source"]), "title": row.get("source_title"),
                                   "label": row.get("source_label"), "outlet": row.get("source_outlet"),
                                   "date": row.get("source_date"), "url": row.get("source_url")})
        level = _confidence(row.get("confidence"))
        if level and (out["confidence"] is None or rank[level] < rank[out["confidence"]]):
            out["confidence"] = level
        for c in collect:
            if row.get(c) not in (None, "") and row[c] not in out[c]:
                out[c].append(row[c])
    for out in groups.values():
        for c in collect:
            out[c] = sorted(out[c], key=str)
    return list(groups.values())



def source_objects(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["source"] in seen:
            continue
        seen.add(row["source"])
        out.append({"id": row["source"].rpartition("/")[2], "title": row.get("title"), "label": row["label"],
                    "outlet": row.get("outlet"),
                    "date": row.get("date"), "url": row.get("url"),
                    "kind": (row.get("kind") or "").rpartition("#")[2].removesuffix("Source").lower() or None})
    return out



def level_name(value: str | None) -> str | None:
    return local(value).removesuffix("Level").lower() if value else None



def ordered(rows: list[dict], columns: tuple[str, ...]) -> list[dict]:
    """Rows gathered from several queries, in the order one query's ``ORDER BY`` of these columns gave (unbound
    first), so that grouping them keeps sources in a stable order."""
    return sorted(rows, key=lambda r: tuple(str(r.get(c) or "") for c in columns))



def indicators_from(rows: list[dict]) -> list[dict]:
    grouped = group_rows(rows, ("indicator",), ("indicator", "subject_zh", "measure_zh", "measure_en", "value",
                                                "unit", "year", "kind", "qualifier", "qualifier_word", "quote"))
    # qualifier (more_than, nearly …) and qualifier_word (超过, 近 … as the source writes it): kg.figures.figure_text
    return [{"measure": r["measure_zh"], "measure_en": r["measure_en"], "subject": r["subject_zh"],
             "value": r["value"], "qualifier": r["qualifier"], "qualifier_word": r["qualifier_word"],
             "unit": r["unit"], "year": r["year"], "kind": r["kind"], "quote": r["quote"],
             "confidence": r["confidence"], "sources": r["sources"], "iri": r["indicator"]} for r in grouped]

