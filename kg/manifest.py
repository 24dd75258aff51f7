"""A dataset folder's manifest (``dataset.json``): which area it describes, its title, licence, reference tables.

Everything city-specific lives in data, never in ``kg/``: the area's names and division code, the division table
that district rows are checked against, the industry classification, and the year and unit of the chain-target
column. Reference tables named in the manifest are looked up in the dataset folder first, then in the bundled
``data/reference/`` folder.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from kg import paths
from kg.errors import DataError, Problem
from kg.tables import REQUIRED_TABLES

MANIFEST = "dataset.json"


@dataclass(frozen=True)
class Division:
    """One row of a division table: a GB/T 2260 (or statistical) code and what it stands for."""

    code: str
    name: str
    status: str  # current | former | statistical
    successor: str = ""
    note: str = ""


@dataclass(frozen=True)
class Manifest:
    """What a dataset folder says about itself."""

    folder: Path
    id: str
    name: dict[str, str]
    division_code: str
    title: dict[str, str]
    synthetic: bool = False
    licence: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    reference: dict[str, str] = field(default_factory=dict)
    chain_target: dict[str, str] = field(default_factory=dict)
    allow_empty: tuple[str, ...] = ()  # required tables this dataset means to leave without rows

    def text(self, key: str, lang: str = "zh") -> str:
        """A bilingual field (``name``, ``title``, ``notes``) in ``lang``, falling back to the other language."""
        value = getattr(self, key)
        return value.get(lang) or value.get("zh") or value.get("en") or ""

    def reference_file(self, key: str) -> Path:
        """The reference table ``key`` names: the dataset folder first, then the bundled ``data/reference/``."""
        name = self.reference.get(key)
        if not name:
            raise DataError(Problem(MANIFEST, 0, f"reference.{key}", "", "no such reference table in the manifest"))
        for base in (self.folder, self.folder / "reference", paths.data_root() / "reference"):
            if (base / name).is_file():
                return base / name
        raise DataError(Problem(MANIFEST, 0, f"reference.{key}", name,
                                "reference table not found in the dataset folder nor in data/reference/"))

    def divisions(self) -> dict[str, Division]:
        """The division table: code → :class:`Division` (current, former and statistical codes)."""
        path = self.reference_file("divisions")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {r["code"].strip(): Division(r["code"].strip(), r.get("name_zh", ""), r.get("status") or "current",
                                                (r.get("successor") or "").strip(), r.get("note") or "")
                    for r in csv.DictReader(handle)}

    def industry_codes_file(self) -> Path:
        """The industry classification table (GB/T 4754-2017 unless the manifest names another)."""
        return self.reference_file("industry_codes") if self.reference.get("industry_codes") else paths.gbt4754_file()


_REQUIRED = ("id", "name", "division_code", "title")


def load_manifest(data_dir: Path) -> Manifest:
    """Read ``dataset.json`` of a dataset folder.

    Raises:
        DataError: the manifest is missing, is not JSON, or lacks a required field (named).
    """
    path = Path(data_dir) / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataError(Problem(MANIFEST, 0, "", str(path), "missing: every dataset folder needs a dataset.json "
                                "manifest (see docs/schema.md)")) from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise DataError(Problem(MANIFEST, 0, "", str(path), f"cannot read the manifest: {err}")) from err
    if not isinstance(raw, dict):
        raise DataError(Problem(MANIFEST, 0, "", str(path), "the manifest must be a JSON object"))
    missing = [k for k in _REQUIRED if not raw.get(k)]
    if missing:
        raise DataError([Problem(MANIFEST, 0, k, "", "required field is missing") for k in missing])
    for key in ("name", "title", "notes"):
        if key in raw and not isinstance(raw[key], dict):
            raise DataError(Problem(MANIFEST, 0, key, str(raw[key]), 'must be an object such as {"zh": …, "en": …}'))
    allow_empty = raw.get("allow_empty") or []
    if not isinstance(allow_empty, list) or any(t not in REQUIRED_TABLES[1:] for t in allow_empty):
        raise DataError(Problem(MANIFEST, 0, "allow_empty", str(allow_empty)[:80],
                                f"must be a list of tables among {', '.join(REQUIRED_TABLES[1:])}"))
    return Manifest(
        folder=Path(data_dir), allow_empty=tuple(allow_empty),
        id=str(raw["id"]), name=dict(raw["name"]), division_code=str(raw["division_code"]),
        title=dict(raw["title"]), synthetic=bool(raw.get("synthetic", False)), licence=str(raw.get("licence", "")),
        notes=dict(raw.get("notes") or {}), reference=dict(raw.get("reference") or {}),
        chain_target={k: str(v) for k, v in (raw.get("chain_target") or {}).items()},
    )


def describe(manifest: Manifest) -> dict:
    """The manifest as recorded with a built store (``store.info["dataset"]``) and in snapshots."""
    return {"id": manifest.id, "name": manifest.name, "title": manifest.title, "division_code": manifest.division_code,
            "synthetic": manifest.synthetic, "licence": manifest.licence, "notes": manifest.notes}


#: What a store built before manifests existed (or restored from an old snapshot) is taken to describe.
NEUTRAL = {"id": "", "name": {}, "title": {"zh": "产业链图谱", "en": "Industrial chains"}, "division_code": "",
           "synthetic": False, "licence": "", "notes": {}}

#: The notice every page and snapshot of synthetic data carries, in the page's language.
SYNTHETIC_NOTICE = {"zh": "合成数据:本图谱由 chainkg synth 生成,不描述任何真实城市。",
                    "en": "Synthetic data: generated by chainkg synth; describes no real city."}


def store_dataset(store) -> dict:
    """The dataset a store was built from (:func:`describe`'s dict, from ``store.info["dataset"]``).

    A store built before manifests existed, or restored from a snapshot that did not record one, gets
    :data:`NEUTRAL` (title "产业链图谱" / "Industrial chains", not synthetic); missing fields are filled from it.

    Args:
        store: an open :class:`kg.store.Store`, or its build record (a dict).
    """
    info = store if isinstance(store, dict) else getattr(store, "info", None) or {}
    recorded = info.get("dataset")
    if not isinstance(recorded, dict):
        return {**NEUTRAL, "name": {}, "title": dict(NEUTRAL["title"]), "notes": {}}
    out = {**NEUTRAL, **recorded}
    for key in ("name", "title", "notes"):
        out[key] = dict(out[key]) if isinstance(out[key], dict) else {}
    out["title"] = out["title"] or dict(NEUTRAL["title"])
    out["synthetic"] = bool(out["synthetic"])
    return out


def dataset_text(dataset: dict, key: str, lang: str = "zh") -> str:
    """A bilingual field (``name``, ``title``, ``notes``) of a dataset dict in ``lang``, else the other language.

    >>> dataset_text({"title": {"zh": "示例市产业链图谱", "en": "Sample City industrial chains"}}, "title", "en")
    'Sample City industrial chains'
    """
    value = dataset.get(key) or {}
    return str(value.get(lang) or value.get("zh") or value.get("en") or "")


def synthetic_notice(dataset: dict, lang: str = "zh") -> str | None:
    """:data:`SYNTHETIC_NOTICE` in ``lang`` when the dataset is synthetic, else ``None``."""
    return SYNTHETIC_NOTICE["en" if lang == "en" else "zh"] if dataset.get("synthetic") else None
