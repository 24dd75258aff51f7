"""An installed wheel (not the editable checkout) finds its ontology, data and queries and answers `chainkg chains`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True)
    (found,) = out.glob("chainkg-*.whl")
    return found


def test_wheel_carries_ontology_data_and_queries(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("cli.py", "kg/__init__.py", "kg/_bundled/ontology/chainkg.ttl", "kg/_bundled/ontology/shapes.ttl",
                     "kg/_bundled/data/jinan/chains.csv", "kg/_bundled/data/reference/gbt4754-2017.tsv",
                     "kg/queries/chains.rq"):
        assert required in names, required
    assert not any(n.startswith(("tests/", "data/", "ontology/")) for n in names)


def test_installed_wheel_runs_chains(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from the test environment's site-packages, added as a plain path: its .pth files (and
    # so the editable install of the checkout) are not processed, so `kg` can only come from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    script = env_dir / "bin" / "chainkg"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    where = subprocess.run([str(python), "-c", "import kg, cli; print(kg.__file__)"], cwd=tmp_path, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert str(site) in where
    result = subprocess.run([str(script), "chains", "--tier", "landmark", "--format", "json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 13
    assert (tmp_path / "cache" / "chainkg" / "stores").is_dir(), "the store lives in the per-user cache"
