"""Several chainkg processes on one store (issue 10): writers take turns, readers see the old or the new store, a
kill at any step of a write leaves a working store, a folder that is not ours is refused, and a damaged or
unwritable store gives a one-line message instead of a traceback.

Every command here runs as its own process (:func:`conftest.chainkg_process`): locks and Oxigraph handles are per
process, so in-process runs would prove nothing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BUSY, MINI, ROOT, add_enterprise, chainkg_process, store_leftovers

from cli import cli
from kg.build import build_store
from kg.errors import StoreError
from kg.store import open_store, read_info
from kg.store_folder import writer_lock

BUILDING = "building the store for"


def finish(process, timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def stats(store: Path, data: Path, cache: Path) -> str:
    code, out, err = finish(chainkg_process("stats", "--format", "json", "--data", data, "--store", store, cache=cache))
    assert code == 0, err
    return out


@pytest.fixture
def two_datasets(tmp_path):
    """Data A (the mini fixture) and data B (A and one more enterprise), with each one's `stats` answer."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(MINI, a)
    shutil.copytree(MINI, b)
    add_enterprise(b)
    cache = tmp_path / "cache"
    answers = {name: stats(tmp_path / f"expected-{name}", data, cache) for name, data in (("a", a), ("b", b))}
    assert answers["a"] != answers["b"]
    return a, b, answers


def test_four_builds_at_once_take_turns_while_questions_answer(tmp_path, two_datasets):
    a, b, answers = two_datasets
    store, cache = tmp_path / "store", tmp_path / "cache"
    assert finish(chainkg_process("build", "--data", b, "--store", store, cache=cache))[0] == 0
    builds = [chainkg_process("build", "--data", a, "--store", store, cache=cache) for _ in range(4)]
    questions = []
    for _ in range(6):
        questions.append(chainkg_process("stats", "--format", "json", "--data", a, "--store", store, cache=cache))
        time.sleep(0.2)
    for process in builds:
        code, out, err = finish(process)
        assert "Traceback" not in err and (code == 0 or BUSY in err), err
        assert code == 0, "builds wait for each other (CHAINKG_STORE_WAIT defaults to 10 minutes)"
    for process in questions:
        code, out, err = finish(process)
        assert code == 0 and "Traceback" not in err, err
        assert out == answers["a"], "a question on data A answers A (after waiting for a build if it needed one)"
    assert stats(store, a, cache) == answers["a"]
    # a version a question was still reading when the last build switched is kept (never deleted under a reader);
    # only such versions may be left, and the next write removes them
    assert all(name.startswith("v-") for name in store_leftovers(store)), store_leftovers(store)
    assert finish(chainkg_process("build", "--data", a, "--store", store, cache=cache))[0] == 0
    assert store_leftovers(store) == []


def test_a_build_waits_for_the_writer_or_fails_fast_with_a_clear_message(tmp_path):
    store, cache = tmp_path / "store", tmp_path / "cache"
    build_store(MINI, store)
    with writer_lock(store):  # this process is the running build
        code, _, err = finish(chainkg_process("build", "--data", MINI, "--store", store, cache=cache,
                                              env={"CHAINKG_STORE_WAIT": "0"}))
        assert code == 1 and err == f"Error: {BUSY} {store} (pid {os.getpid()}); try again when it ends\n", err
        waiting = chainkg_process("build", "--data", MINI, "--store", store, cache=cache)
        time.sleep(2)
        assert waiting.poll() is None, "a build waits for the running one"
    code, out, err = finish(waiting)
    assert code == 0 and out.startswith("built "), err


def test_questions_after_a_data_edit_rebuild_once_between_them(tmp_path, two_datasets):
    a, _, answers = two_datasets
    store, cache = tmp_path / "store", tmp_path / "cache"
    build_store(a, store)
    add_enterprise(a)  # now A answers like B: each question below finds the store stale
    questions = [chainkg_process("-v", "stats", "--format", "json", "--data", a, "--store", store, cache=cache)
                 for _ in range(4)]
    results = [finish(p) for p in questions]
    for code, out, err in results:
        assert code == 0 and "Traceback" not in err, err
        assert out == answers["b"]
    assert sum(err.count(BUILDING) for _, _, err in results) == 1, "one rebuilds, the others wait and use it"
    assert store_leftovers(store) == []


#: Runs chainkg with a SIGKILL at its N-th file-system step (rename, replace, symlink, unlink, rmdir, rmtree); prints
#: how many steps it took.
KILLER = r"""
import atexit, os, shutil, signal, sys
kill_at, seen = int(os.environ["CHAINKG_KILL_AT"]), [0]
def patch(module, name):
    real = getattr(module, name)
    def step(*args, **kwargs):
        seen[0] += 1
        if seen[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(module, name, step)
for name in ("rename", "replace", "symlink", "unlink", "rmdir"):
    patch(os, name)
patch(shutil, "rmtree")
atexit.register(lambda: sys.stderr.write(f"steps={seen[0]}\n"))
from cli import cli
cli(sys.argv[1:], prog_name="chainkg")
"""


def killed_build(store: Path, data: Path, cache: Path, kill_at: int) -> tuple[int, str]:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache), "CHAINKG_KILL_AT": str(kill_at)}
    done = subprocess.run([sys.executable, "-c", KILLER, "build", "--data", str(data), "--store", str(store)],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stderr


def check_old_or_new(store: Path, a: Path, cache: Path, answers: dict) -> bool:
    """The store after a killed build: a restored snapshot of B still used as it is, or a whole build of A."""
    info = read_info(store)
    assert info is not None, "a store is live after the kill"
    code, out, err = finish(chainkg_process("-v", "stats", "--format", "json", "--data", a, "--store", store,
                                            cache=cache))
    assert code == 0 and "Traceback" not in err, err
    if info.get("restored_from"):
        assert BUILDING not in err, "a restored store is not rebuilt from the tables after a crash"
        assert out == answers["b"]
        return True
    assert out == answers["a"]
    return False


def test_a_kill_at_any_step_of_a_build_leaves_the_old_or_the_new_store(tmp_path, two_datasets):
    a, b, answers = two_datasets
    store, cache, snap = tmp_path / "store", tmp_path / "cache", tmp_path / "snap"
    assert finish(chainkg_process("export", "-o", snap, "--format", "nq", "--data", b, "--store", tmp_path / "sb",
                                  cache=cache))[0] == 0
    restore = ("restore", snap, "--data", a, "--store", store)
    assert finish(chainkg_process(*restore, cache=cache))[0] == 0
    code, err = killed_build(store, a, cache, kill_at=0)
    assert code == 0, err
    steps = int(err.rsplit("steps=", 1)[1])
    assert steps >= 2
    every = sorted({*range(1, steps + 1, max(1, steps // 12)), steps})  # about a dozen of the steps, the last too
    rounds = [("step", k) for k in every] + [("time", random.uniform(0.0, 1.5)) for _ in range(3)]
    for kind, when in rounds:
        if not check_old_or_new(store, a, cache, answers):
            assert finish(chainkg_process(*restore, cache=cache))[0] == 0
        if kind == "step":
            code, err = killed_build(store, a, cache, kill_at=when)
            assert code == -signal.SIGKILL, (when, err)
        else:
            process = chainkg_process("build", "--data", a, "--store", store, cache=cache)
            time.sleep(when)
            process.send_signal(signal.SIGKILL)
            process.communicate()
        check_old_or_new(store, a, cache, answers)
    assert finish(chainkg_process("build", "--data", a, "--store", store, cache=cache))[0] == 0
    assert store_leftovers(store) == [], "the next write removes what killed writes left"


def test_a_folder_that_is_not_a_store_is_refused_and_kept(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "build.json").write_text("{}", encoding="utf-8")
    (folder / "mine.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--data", str(MINI), "--store", str(folder)])
    assert result.exit_code == 1 and "is not a chainkg store" in result.output, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["build.json", "mine.txt"]
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "x"
    assert (folder / "build.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"], "nothing written beside it either"


def _legacy_copy(version: Path, target: Path) -> None:
    """A store as layout 2 wrote it: build.json, oxigraph/ and graph.nq at the top of the folder."""
    shutil.copytree(version, target, symlinks=True)


def test_a_layout_2_store_is_read_then_replaced_by_the_first_write(tmp_path, two_datasets):
    a, _, answers = two_datasets
    built = build_store(a, tmp_path / "built")
    legacy = tmp_path / "legacy"
    _legacy_copy(built.folder, legacy)
    cache = tmp_path / "cache"
    code, out, err = finish(chainkg_process("-v", "stats", "--format", "json", "--data", a, "--store", legacy,
                                            cache=cache))
    assert code == 0 and out == answers["a"] and BUILDING not in err, err
    assert finish(chainkg_process("build", "--data", a, "--store", legacy, cache=cache))[0] == 0
    assert store_leftovers(legacy) == [] and not (legacy / "build.json").exists()
    assert stats(legacy, a, cache) == answers["a"]


def test_a_store_left_aside_by_an_interrupted_layout_2_write_is_adopted_not_rebuilt(tmp_path, two_datasets):
    a, b, answers = two_datasets
    restored_b = build_store(b, tmp_path / "built")
    aside = tmp_path / ".store.old-abcd1234"  # layout 2 renamed the store here, then was killed
    _legacy_copy(restored_b.folder, aside)
    info = json.loads((aside / "build.json").read_text(encoding="utf-8"))
    (aside / "build.json").write_text(json.dumps({**info, "restored_from": "/snapshots/q2"}), encoding="utf-8")
    store, cache = tmp_path / "store", tmp_path / "cache"
    code, out, err = finish(chainkg_process("-v", "stats", "--format", "json", "--data", a, "--store", store,
                                            cache=cache))
    assert code == 0 and BUILDING not in err, err
    assert out == answers["b"], "the restored store came back instead of a silent rebuild from the tables"
    assert not aside.exists() and store_leftovers(store) == []


def _sst_files(store: Path) -> list[Path]:
    return sorted((open_store(store).folder / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
def test_a_damaged_store_says_so_and_a_build_repairs_it(tmp_path, damage):
    store, cache = tmp_path / "store", tmp_path / "cache"
    build_store(MINI, store)
    biggest = _sst_files(store)[-1]
    if damage == "truncated":
        with biggest.open("r+b") as handle:
            handle.truncate(biggest.stat().st_size // 2)
    else:
        biggest.unlink()
    code, out, err = finish(chainkg_process("stats", "--data", MINI, "--store", store, cache=cache))
    assert code == 1 and "Traceback" not in err, err
    assert f"Error: the store at {store} is damaged (" in err and "run `chainkg build` to rebuild it" in err, err
    assert finish(chainkg_process("build", "--data", MINI, "--store", store, cache=cache))[0] == 0
    assert finish(chainkg_process("stats", "--data", MINI, "--store", store, cache=cache))[0] == 0


def test_damage_found_while_rows_are_read_is_a_store_error(tmp_path):
    store = build_store(MINI, tmp_path / "store")
    for sst in (store.folder / "oxigraph").glob("*.sst"):
        with sst.open("r+b") as handle:  # the data blocks come first: the footer and index still read
            handle.write(b"\xff" * 64)
    with pytest.raises(StoreError, match=r"the store at .* is damaged \(.*Corruption.*\); run `chainkg build`"):
        list(store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    with pytest.raises(StoreError, match="is damaged"):
        list(store.oxigraph.quads_for_pattern(None, None, None, None))


def test_an_unwritable_cache_folder_gives_a_clear_message(tmp_path):
    code, _, err = finish(chainkg_process("chains", "--data", MINI, cache=Path("/proc/x")))
    assert code == 1 and "Traceback" not in err, err
    assert err.startswith("Error: cannot build the store at /proc/x/") and "--store" in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_read_only_store_answers_while_fresh_and_says_why_it_cannot_rebuild(tmp_path, two_datasets):
    a, _, answers = two_datasets
    store, cache = tmp_path / "store", tmp_path / "cache"
    build_store(a, store)
    modes = {p: p.stat().st_mode for p in [store, *store.rglob("*")] if not p.is_symlink()}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        assert stats(store, a, cache) == answers["a"]
        add_enterprise(a)
        code, _, err = finish(chainkg_process("stats", "--data", a, "--store", store, cache=cache))
        assert code == 1 and "Traceback" not in err, err
        assert f"Error: cannot rebuild the store at {store}: Permission denied" in err, err
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def test_a_folder_holding_only_what_a_killed_first_write_left_is_ours(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / ".lock").write_text("12345", encoding="utf-8")  # killed before it wrote chainkg-store.json
    (folder / "v-20260101T000000-abcdefgh").mkdir()  # and its unfinished version
    assert build_store(MINI, folder).info["quads"] > 0
    assert store_leftovers(folder) == []
