"""Shared fixtures: the small kitchen-sink dataset (tests/fixtures/mini) and the real Jinan data, each built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import paths
from kg.build import build_store

pytest_plugins = ["tests.servers"]  # the triple store servers for the push tests

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def tree_hash(path: Path) -> str:
    """A hash of every file under ``path`` (names and bytes): equal hashes mean an untouched folder.

    A store's writer lock (``S/.lock``, which names the last process that took it) is not content: a refused build
    takes the lock, and leaves every byte of the store as it was."""
    import hashlib

    from kg.store_folder import LOCK_FILE

    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not (
            p.name == LOCK_FILE and (p.parent / "chainkg-store.json").is_file())):
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


ROOT = Path(__file__).resolve().parents[1]
#: The only message a command may end with when the store is busy (besides answering).
BUSY = "another chainkg build is running on"


def chainkg_process(*args, cache: Path, **popen):
    """Start ``chainkg ARGS`` as its own process (true concurrency: its own locks, its own Oxigraph handles)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache), **popen.pop("env", {})}
    return subprocess.Popen([sys.executable, "-m", "cli", *map(str, args)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def add_enterprise(data_dir: Path) -> None:
    """One more enterprise in a copy of the mini data (so that answers before and after differ)."""
    import csv

    with (data_dir / "enterprises.csv").open(encoding="utf-8", newline="") as handle:
        fields = next(csv.reader(handle))
    with (data_dir / "enterprises.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields).writerow(
            {"enterprise_id": "ent:zeta", "name_zh": "己公司", "name_en": "Zeta", "source_ids": "src:F1",
             "confidence": "confirmed"})


def store_leftovers(store: Path) -> list[str]:
    """What a store folder holds besides one live version and its own files (after a write: nothing)."""
    import os

    live = os.readlink(store / "current")
    expected = {"chainkg-store.json", ".lock", "current", live}
    siblings = [p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")]
    return sorted({p.name for p in store.iterdir()} - expected) + siblings
