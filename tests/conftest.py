"""Shared fixtures: the small kitchen-sink dataset (tests/fixtures/mini) and the real Jinan data, each built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import paths
from kg.build import build_store

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def tree_hash(path: Path) -> str:
    """A hash of every file under ``path`` (names and bytes): equal hashes mean an untouched folder."""
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    return MINI


@pytest.fixture(scope="session")
def jinan_dir() -> Path:
    return paths.default_data_dir()


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory):
    return build_store(MINI, tmp_path_factory.mktemp("mini") / "store")


@pytest.fixture(scope="session")
def jinan_store(tmp_path_factory, jinan_dir):
    return build_store(jinan_dir, tmp_path_factory.mktemp("jinan") / "store")


@pytest.fixture
def data_copy(tmp_path, jinan_dir) -> Path:
    """A writable copy of the Jinan data, for tests that break it."""
    target = tmp_path / "data"
    shutil.copytree(jinan_dir, target)
    return target


@pytest.fixture
def mini_copy(tmp_path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
