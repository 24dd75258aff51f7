"""What a user sees when something goes wrong: one line, an exit code, never a traceback or a terminal escape."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli as cli_module
from cli import cli
from kg import questions
from kg.output import TerminalSafeStream, terminal_safe
from kg.snapshots.export import export_snapshot

ESCAPES = ["\x1b]0;pwned\x07", "\x1b[2J", "\x9b2J", "\u202e", "\x00", "\r"]


def _where(store) -> list[str]:
    return ["--data", str(Path("tests/fixtures/mini").resolve()), "--store", str(store.path)]


@pytest.mark.parametrize("escape", ESCAPES)
def test_terminal_safe_escapes_every_control_sequence(escape):
    shown = terminal_safe(f"名{escape}字\r\n")
    assert escape not in shown.replace("\r\n", "")
    assert shown.endswith("\r\n") and shown.startswith("名") and "\\u" in shown


def test_json_output_stays_valid_and_exact_after_escaping():
    value = {"name": "甲\x1b]0;x\x07乙\x9b\u202e"}
    assert json.loads(terminal_safe(json.dumps(value, ensure_ascii=False))) == value


def test_the_stream_wrapper_escapes_what_is_written(capsys):
    stream = TerminalSafeStream(sys.stdout)
    stream.write("a\x1b[2Jb\n")
    assert capsys.readouterr().out == "a\\u001b[2Jb\n"


def _tamper(snapshot: Path, old: str, new: str) -> None:
    """Edit a snapshot's N-Quads and re-hash it in the manifest, as someone who knows the format would."""
    nq = snapshot / "graph.nq"
    nq.write_text(nq.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["graph.nq"]["sha256"] = hashlib.sha256(nq.read_bytes()).hexdigest()
    manifest["files"]["graph.nq"]["bytes"] = nq.stat().st_size
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_diff_of_a_tampered_snapshot_prints_no_terminal_escape(mini_store, tmp_path):
    export_snapshot(mini_store, tmp_path / "a", "nq")
    export_snapshot(mini_store, tmp_path / "b", "nq")
    # an ESC and a BEL in an enterprise name, written as N-Quads escapes (as a tampered file would carry them)
    _tamper(tmp_path / "b", '"甲芯片公司"@zh', '"甲芯片公司\\u001B]0;pwned\\u0007\\u001B[2J"@zh')
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "a"), str(tmp_path / "b"), *_where(mini_store)])
    assert result.exit_code == 1, result.output
    assert "pwned" in result.output  # the change is shown …
    assert "\x1b" not in result.output and "\x07" not in result.output  # … as text, not as a command
    assert "\\u001b]0;pwned\\u0007" in result.output


def test_an_unknown_name_with_escapes_is_quoted_not_executed(mini_store):
    result = CliRunner().invoke(cli, ["show", "x\x1b]0;pwned\x07", *_where(mini_store)])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_gaps_with_an_empty_name_is_refused_like_a_blank_one(mini_store):
    empty = CliRunner().invoke(cli, ["gaps", "", *_where(mini_store)])
    blank = CliRunner().invoke(cli, ["gaps", " ", *_where(mini_store)])
    assert empty.exit_code == blank.exit_code == 2
    assert "empty name" in empty.output and "empty name" in blank.output
    assert CliRunner().invoke(cli, ["gaps", *_where(mini_store)]).exit_code == 0  # omitted: every landmark chain


def test_an_unwritable_output_file_is_a_message(mini_store):
    result = CliRunner().invoke(cli, ["map", "芯片", "-o", "/proc/chainkg-no/map.html", *_where(mini_store)])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "/proc/chainkg-no" in result.output
    assert "Traceback" not in result.output


def test_a_bug_is_one_line_and_exit_70_with_details_under_vv(mini_store, monkeypatch):
    def broken(*_args, **_kwargs):
        raise TypeError("something unexpected")

    monkeypatch.setattr(questions, "list_chains", broken)
    result = CliRunner().invoke(cli, ["chains", *_where(mini_store)])
    assert result.exit_code == cli_module.INTERNAL_ERROR
    assert result.output.count("\n") == 1 and "internal error" in result.output and "Traceback" not in result.output


def test_a_closed_pipe_ends_quietly(mini_store):
    """`chainkg sparql … | true`: the reader leaves early; nothing on stderr (no traceback, no error line)."""
    query = "SELECT * WHERE { ?s ?p ?o }"  # about 200 kB: more than a pipe holds
    command = f"echo '{query}' | {sys.executable} -m cli sparql - --format csv {' '.join(_where(mini_store))} | true"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, errors="replace", timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stderr == "", done.stderr
