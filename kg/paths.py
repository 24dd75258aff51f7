"""Where the bundled ontology, data and queries live: the one place that knows.

An installed wheel carries ``ontology/`` and ``data/`` inside the package as ``kg/_bundled/``; a source checkout
(editable install, or running from the repository) keeps them at the repository root. Everything else asks here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE = Path(str(resources.files("kg")))


def _bundled(name: str) -> Path:
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def ontology_dir() -> Path:
    """The folder holding ``chainkg.ttl`` and ``shapes.ttl``."""
    return _bundled("ontology")


def ontology_file() -> Path:
    """The ontology in Turtle."""
    return ontology_dir() / "chainkg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes in Turtle."""
    return ontology_dir() / "shapes.ttl"


def data_root() -> Path:
    """The folder of bundled datasets (one folder per city) and reference tables (``reference/``)."""
    return _bundled("data")


def default_data_dir() -> Path:
    """The bundled dataset used when no ``--data`` is given: the folder under ``data/`` whose ``dataset.json`` says
    ``"default": true`` (the city is data, not code)."""
    import json

    folders = sorted(p.parent for p in data_root().glob("*/dataset.json"))
    for folder in folders:
        try:
            if json.loads((folder / "dataset.json").read_text(encoding="utf-8")).get("default"):
                return folder
        except (OSError, ValueError):
            continue
    return folders[0] if folders else data_root()


def gbt4754_file() -> Path:
    """The GB/T 4754-2017 industry classification table (TSV)."""
    return data_root() / "reference" / "gbt4754-2017.tsv"


def queries_dir() -> Path:
    """The named SPARQL queries (``*.rq``)."""
    return _PACKAGE / "queries"
