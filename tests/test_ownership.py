"""Issue 10: ``export -o``, ``report -o`` and ``synth -o`` replace only a folder chainkg provably wrote.

A folder is replaced when it is absent, empty, or holds nothing but the files its marker (``manifest.json``,
``report.json``, ``dataset.json``) lists, the marker naming chainkg as its writer. Anything else is refused with the
folder and the unknown files named, and left byte-identical. Temporary folders of interrupted writes are removed by the
next write when their process is gone, and only then.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg.atomic import TAG
from kg.data.synth import synthesize
from kg.errors import ExportError
from kg.report import write_report
from kg.snapshots.export import export_snapshot
from tests.conftest import MINI, tree_hash

COMMANDS = ("export", "report", "synth")
MARKERS = {"export": "manifest.json", "report": "report.json", "synth": "dataset.json"}
KINDS = {"export": "snapshot", "report": "report", "synth": "synthetic dataset"}


@pytest.fixture(scope="module")
def write(mini_store):
    """``write(command, out, expect=0)`` runs ``chainkg COMMAND -o OUT`` on the fixture store; returns the output."""

    def invoke(command: str, out: Path, expect: int = 0) -> str:
        data = ["--data", str(MINI), "--store", str(mini_store.path)]
        argv = {"export": ["export", "-o", str(out), "--format", "nq,csv", *data],
                "report": ["report", "-o", str(out), *data],
                "synth": ["synth", "-o", str(out), "--enterprises", "20"]}[command]
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
        assert result.exit_code == expect, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def _marker(command: str, out: Path) -> dict:
    return json.loads((out / MARKERS[command]).read_text(encoding="utf-8"))


def _refused(output: str, out: Path) -> None:
    """A refusal: one ``Error:`` line naming the folder, saying what it refuses and what to do."""
    assert output.startswith("Error: ") and str(out) in output and "refusing to replace" in output
    assert "choose an empty or new folder" in output


# --- (a) the report of the issue: a bare marker beside the user's own files ---------------------------------------

@pytest.mark.parametrize(("command", "marker", "user_file"), [
    ("export", "{}", "app.js"),
    ("report", "{}", "app.js"),
    ("synth", "{}", "app.js"),
    # the old synth check took any dataset.json saying "synthetic": true as its own
    ("synth", '{"synthetic": true, "id": "mine"}', "enterprises.csv"),
])
def test_a_bare_marker_does_not_make_a_folder_ours(write, tmp_path, command, marker, user_file):
    app = tmp_path / "app"
    app.mkdir()
    (app / MARKERS[command]).write_text(marker + "\n", encoding="utf-8")
    (app / user_file).write_text("code\n", encoding="utf-8")
    before = tree_hash(app)
    output = write(command, app, expect=1)
    _refused(output, app)
    assert f"{app / user_file}" in output and "not written by chainkg" in output
    assert tree_hash(app) == before and (app / user_file).read_text(encoding="utf-8") == "code\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"], "no temporary folder is left"


# --- (b) a genuine earlier output with a user's file added ------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("extra", ["notes.txt", "drafts/notes.txt"])
def test_an_earlier_output_with_a_user_file_is_refused(write, tmp_path, command, extra):
    out = tmp_path / "out"
    write(command, out)
    (out / extra).parent.mkdir(exist_ok=True)
    (out / extra).write_text("mine", encoding="utf-8")
    before = tree_hash(out)
    output = write(command, out, expect=1)
    _refused(output, out)
    assert f"{out / extra.split('/')[0]}" in output and "was not written by chainkg" in output
    assert tree_hash(out) == before and (out / extra).read_text(encoding="utf-8") == "mine"


def test_a_user_file_in_a_folder_chainkg_writes_is_refused(write, tmp_path):
    out = tmp_path / "out"
    write("export", out)
    (out / "csv" / "mine.csv").write_text("a,b\n", encoding="utf-8")
    before = tree_hash(out)
    assert f"{out / 'csv' / 'mine.csv'} was not written by chainkg" in write("export", out, expect=1)
    assert tree_hash(out) == before


# --- (c) a genuine earlier output is replaced -------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_an_earlier_output_is_replaced_and_its_marker_lists_every_file(write, tmp_path, command):
    out = tmp_path / "out"
    write(command, out)
    marker = _marker(command, out)
    assert marker["generator"] == "chainkg" and marker["kind"] == KINDS[command]
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert set(marker["files"]) == written - {MARKERS[command]}
    listed = sorted(marker["files"])
    (out / listed[0]).write_text("changed by hand", encoding="utf-8")  # chainkg's file: still ours to replace
    write(command, out)
    assert (out / listed[0]).read_text(encoding="utf-8") != "changed by hand"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no temporary folder is left"


def _as_written_before(command: str, out: Path) -> None:
    """Turn a fresh output's marker into what the previous version wrote (no generator or kind; synth: no files)."""
    marker = _marker(command, out)
    del marker["generator"], marker["kind"]
    if command == "synth":
        marker["generator"] = marker.pop("parameters")
        del marker["files"]
    (out / MARKERS[command]).write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_output_of_the_previous_version_is_replaced_when_it_holds_exactly_its_files(write, tmp_path, command):
    out = tmp_path / "out"
    write(command, out)
    _as_written_before(command, out)
    write(command, out)
    assert _marker(command, out)["generator"] == "chainkg"
    _as_written_before(command, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree_hash(out)
    assert f"{out / 'notes.txt'} was not written by chainkg" in write(command, out, expect=1)
    assert tree_hash(out) == before


def test_a_streamed_snapshot_is_marked_and_replaced_like_the_others(mini_store, tmp_path):
    out = tmp_path / "out"
    manifest = export_snapshot(mini_store, out, "nq,ttl", stream_above=0)
    assert manifest["streamed"] and manifest["generator"] == "chainkg" and manifest["kind"] == "snapshot"
    export_snapshot(mini_store, out, "nq", stream_above=0)
    assert sorted(p.name for p in out.iterdir()) == ["graph.nq", "manifest.json"]
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="notes.txt was not written by chainkg"):
        export_snapshot(mini_store, out, "nq", stream_above=0)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


# --- (d) a marker of the wrong shape ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("content", "why"), [
    ("[1, 2]", "is an array, not a JSON object"),
    ('"chainkg"', "is a string, not a JSON object"),
    ("{not json", "is not valid JSON"),
    ('{"generator": "chainkg", "kind": "KIND", "files": ["FILE"]}', 'has no "files" object'),
    ('{"generator": "someone else", "kind": "KIND", "files": {}}', "does not name chainkg as its writer"),
    ('{"generator": "chainkg", "kind": "store", "files": {}}', "describes a chainkg 'store'"),
])
def test_a_marker_of_the_wrong_shape_is_refused_clearly(write, tmp_path, command, content, why):
    out = tmp_path / "out"
    write(command, out)
    files = sorted(_marker(command, out)["files"])
    content = content.replace("KIND", KINDS[command]).replace("FILE", files[0])
    (out / MARKERS[command]).write_text(content, encoding="utf-8")
    before = tree_hash(out)
    output = write(command, out, expect=1)
    _refused(output, out)
    assert f"{MARKERS[command]} {why}" in output
    assert tree_hash(out) == before


# --- what is not a folder, or cannot be written -----------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_a_symbolic_link_to_an_earlier_output_is_refused(write, tmp_path, command):
    real = tmp_path / "real"
    write(command, real)
    before = tree_hash(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert "is a symbolic link" in write(command, link, expect=1)
    assert link.is_symlink() and tree_hash(real) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_is_refused(write, mini_store, tmp_path, command):
    target = tmp_path / "out"
    target.write_text("mine", encoding="utf-8")
    assert "is a file" in write(command, target, expect=2)  # click's own check (file_okay=False), and the library's:
    library = {"export": lambda: export_snapshot(mini_store, target, "nq"),
               "report": lambda: write_report(mini_store, target),
               "synth": lambda: synthesize(target, 10)}[command]
    with pytest.raises(ExportError, match="exists and is not a folder; refusing to replace it"):
        library()
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unwritable_place_is_a_clear_error(write, command):
    output = write(command, Path("/proc/chainkg-test-out"), expect=1)
    assert output.startswith("Error: cannot write") and "/proc/chainkg-test-out" in output
    assert "choose a folder you can write to" in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes every folder")
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreadable_or_read_only_place_is_a_clear_error(write, tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "out").mkdir()
    (locked / "out" / "x").write_text("mine", encoding="utf-8")
    os.chmod(locked / "out", 0o000)
    try:
        assert "cannot read" in write(command, locked / "out", expect=1)
    finally:
        os.chmod(locked / "out", 0o755)
    os.chmod(locked, 0o555)
    try:
        assert "cannot write" in write(command, locked / "new", expect=1)
    finally:
        os.chmod(locked, 0o755)


# --- (e) temporary folders left by interrupted writes -----------------------------------------------------------------

def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _tagged(parent: Path, name: str, role: str, pid: int) -> Path:
    """A temporary folder ``.NAME.ROLE-…`` as a write by process ``pid`` makes it: its tag written first."""
    folder = parent / f".{name}.{role}-{pid}x"
    folder.mkdir()
    tag = {"generator": "chainkg", "kind": "temporary folder", "role": role, "target": name,
           "host": socket.gethostname(), "pid": pid}
    (folder / TAG).write_text(json.dumps(tag), encoding="utf-8")
    return folder


def _leftover(parent: Path, name: str, role: str, pid: int) -> Path:
    """What an interrupted write leaves: a tagged folder with part of an output in ``NAME``."""
    folder = _tagged(parent, name, role, pid)
    (folder / name).mkdir()
    (folder / name / "graph.nq").write_bytes(b"<a> <b> <c> .\n")
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_leftovers_of_dead_writers_are_removed_and_nothing_else(write, tmp_path, command):
    out = tmp_path / "out"
    write(command, out)
    dead = _dead_pid()
    dead_new = _leftover(tmp_path, "out", "new", dead)
    dead_old = _leftover(tmp_path, "out", "old", dead)
    live = _leftover(tmp_path, "out", "new", os.getpid())
    users = tmp_path / ".out.new-abc"
    users.mkdir()
    (users / "notes.txt").write_text("mine", encoding="utf-8")
    other = _leftover(tmp_path, "other", "new", dead)  # another target's: not this write's business
    kept = {p: tree_hash(p) for p in (live, users, other)}
    write(command, out)
    assert not dead_new.exists() and not dead_old.exists()
    assert {p: tree_hash(p) for p in kept if p.exists()} == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", live.name, users.name, other.name])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_crash_between_the_renames_is_cleaned_up_by_the_next_write(write, tmp_path, command):
    """The old output was moved aside, the new one not yet in: no target, the old copy in ``.out.old-*``."""
    out = tmp_path / "out"
    write(command, out)
    old = _tagged(tmp_path, "out", "old", _dead_pid())
    out.rename(old / "out")
    new = _leftover(tmp_path, "out", "new", _dead_pid())
    write(command, out)
    assert _marker(command, out)["generator"] == "chainkg"
    assert not old.exists() and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_that_cannot_be_read_is_refused_clearly(mini_store, tmp_path, monkeypatch):
    """Whoever runs the tests (root reads everything): a read failure while looking is a refusal, not a traceback."""
    from kg import atomic

    out = tmp_path / "out"
    export_snapshot(mini_store, out, "nq")
    before = tree_hash(out)

    def unreadable(folder, *args):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(atomic, "_survey", unreadable)
    with pytest.raises(ExportError, match=f"cannot read {out}: Permission denied .*refusing to replace it"):
        export_snapshot(mini_store, out, "nq")
    assert tree_hash(out) == before


def test_a_read_only_parent_is_a_clear_error(mini_store, tmp_path, monkeypatch):
    """Root writes into read-only folders, so the refusal of the system is simulated where chainkg meets it."""
    from kg import atomic

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".out.new-x"))

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", read_only)
    with pytest.raises(ExportError, match=f"cannot write the chainkg snapshot {tmp_path / 'out'}: cannot create a "
                                          f"folder in {tmp_path}: Permission denied; choose a folder you can write"):
        export_snapshot(mini_store, tmp_path / "out", "nq")
    assert list(tmp_path.iterdir()) == []
