"""The worked questions of examples/ run as their headers say (``# Run: chainkg sparql examples/NAME.rq …``) and give
the rows their headers list (``# Expected (col | col):`` and one ``#   value | value`` line per row, in order when
the query ends with ORDER BY). docs/sparql.md shows the same blocks: the header is the one place an answer is
written, and the doc is checked against it.

Values are shown as the CSV output would give them, IRIs shortened with the project's prefixes (``ckgid:chain/ic``,
``ckg:Upstream``), an unbound value as ``-``.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg.sparql import QUERY_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.rq"))
DOC = ROOT / "docs" / "sparql.md"
_BY_LENGTH = sorted(QUERY_PREFIXES.items(), key=lambda item: -len(item[1]))


def compact(value: str | None) -> str:
    """A value as the Expected block writes it."""
    if value is None:
        return "-"
    for prefix, iri in _BY_LENGTH:
        if value.startswith(iri) and len(value) > len(iri):
            return f"{prefix}:{value[len(iri):]}"
    return value


def run_line(path: Path) -> str:
    """The command of an example's ``# Run:`` line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(line.removeprefix("# Run:").strip() for line in lines if line.startswith("# Run:"))


def header(path: Path) -> dict:
    """The header of an example: its Run command, the Expected columns and rows (as text), and the block itself."""
    lines = path.read_text(encoding="utf-8").splitlines()
    run = run_line(path)
    start = next(i for i, line in enumerate(lines) if line.startswith("# Expected ("))
    columns = [c.strip() for c in re.match(r"# Expected \((.*)\):", lines[start]).group(1).split("|")]
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("#   "):
            break
        block.append(line)
    rows = [tuple(v.strip() for v in line[4:].split(" | ")) for line in block[1:]]
    return {"run": run, "columns": columns, "rows": rows, "block": "\n".join(block)}


def ordered(path: Path) -> bool:
    body = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))
    return "ORDER BY" in body[body.rfind("}"):]


def run_example(path: Path, columns: list[str], store_args: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Run the example's command in-process (``--format json``) and return the distinct rows of ``columns``."""
    args = shlex.split(run_line(path))
    assert args[:3] == ["chainkg", "sparql", f"examples/{path.name}"], args
    result = CliRunner().invoke(cli, ["sparql", str(path), *args[3:], "--format", "json", *store_args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    rows = [tuple(compact(b[c]["value"]) if c in b else "-" for c in columns)
            for b in document["results"]["bindings"]]
    return list(dict.fromkeys(rows))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_gives_its_documented_answer(jinan_store, path):
    expected = header(path)
    got = run_example(path, expected["columns"], ("--store", str(jinan_store.path)))
    if ordered(path):
        assert got == expected["rows"]
    else:
        assert sorted(got) == sorted(expected["rows"])
    assert got, "an example should answer with at least one row"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_header_says_what_it_asks_and_takes(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {path.stem}:")
    assert re.search(r"^# Question \(zh\): .*[\u4e00-\u9fff]", text, re.M)
    assert re.search(r"^# Question \(en\): [A-Za-z]", text, re.M)
    from kg.query import parameters

    bound = re.findall(r"--bind (\w+)=", run_line(path))
    assert sorted(bound) == sorted(p.name for p in parameters(text) if p.required)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_doc_shows_the_same_answer(path):
    doc = DOC.read_text(encoding="utf-8")
    assert f"examples/{path.name}" in doc
    assert header(path)["block"] in doc, f"docs/sparql.md: copy the Expected block of {path.name} (its header)"


def test_there_are_ten_worked_questions():
    assert len(EXAMPLES) == 10
