"""``diff``: what a planner would call a change, and nothing else (moved rows and line numbers are not changes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg.build import ready_store
from kg.snapshot import diff_facts, load_facts, render_diff, summarize
from kg.snapshots.export import export_snapshot


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _edit(path: Path, change) -> None:
    fields, rows = _read(path)
    _write(path, fields, change(fields, rows))


@pytest.fixture
def before(mini_store, tmp_path) -> Path:
    """A snapshot of the unedited fixture."""
    export_snapshot(mini_store, tmp_path / "before", "nq,nt")
    return tmp_path / "before"


def _live(data_dir: Path, tmp_path: Path):
    return load_facts("live", data_dir, tmp_path / "store")


def _three_edits(data: Path) -> None:
    """One enterprise added (above the others, so every later row moves a line), one policy→chain link removed, one
    indicator value changed."""
    new = {"enterprise_id": "ent:omega", "name_zh": "庚新材料公司", "name_en": "Omega Materials",
           "place_id": "dist:370112", "source_ids": "src:F1", "confidence": "confirmed"}
    _edit(data / "enterprises.csv", lambda fields, rows: [{f: new.get(f, "") for f in fields}, *rows])
    _edit(data / "links.csv", lambda fields, rows: [r for r in rows if (r["subject_id"], r["predicate"]) !=
                                                    ("pol:chip-plan", "supports")])

    def revalue(fields, rows):
        for row in rows:
            if row["indicator_id"] == "ind:revenue-2024":
                row["value"] = "10200.5"
        return rows

    _edit(data / "indicators.csv", revalue)


def _brief(changes: list[dict]) -> list[tuple]:
    return [(c["change"], c["kind"], c["subject"], c["property"], c["object"], c["old"], c["new"]) for c in changes]


def test_three_edits_are_exactly_three_changes(before, mini_copy, tmp_path):
    _three_edits(mini_copy)
    changes = diff_facts(load_facts(before), _live(mini_copy, tmp_path))
    assert _brief(changes) == [
        ("entity_added", "enterprise", "ent:omega", "", "", [], []),
        ("link_removed", "policy", "pol:chip-plan", "ckg:supportsChain", "chain:chips", [], []),
        ("value_changed", "indicator", "ind:revenue-2024", "ckg:value", "", ["10189.4"], ["10200.5"]),
    ]
    assert changes[0]["label"] == "庚新材料公司" and changes[1]["object_label"] == "芯片"
    # the provenance graph did change (rows moved down a line): the diff ignores that bookkeeping
    export_snapshot(ready_store(mini_copy, tmp_path / "store"), tmp_path / "after", "nq")
    line_of_alpha = ("<https://w3id.org/chainkg/id/ent/alpha> "
                     '<https://w3id.org/chainkg/ontology#rowLine> "{}"')
    assert line_of_alpha.format(2) in (before / "graph.nq").read_text(encoding="utf-8")
    assert line_of_alpha.format(3) in (tmp_path / "after" / "graph.nq").read_text(encoding="utf-8")
    assert diff_facts(load_facts(tmp_path / "after"), _live(mini_copy, tmp_path)) == []


def test_cli_reports_the_three_changes_and_exits_1(before, mini_copy, tmp_path):
    _three_edits(mini_copy)
    args = ["diff", str(before), "live", "--data", str(mini_copy), "--store", str(tmp_path / "store")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "+ ent:omega 庚新材料公司" in result.output
    assert "- pol:chip-plan 测试市芯片产业行动计划 —ckg:supportsChain→ chain:chips 芯片" in result.output
    assert "~ ind:revenue-2024" in result.output and "10189.4 → 10200.5" in result.output
    assert "共 3 处变化:新增实体 1 个、删除关联 1 条、数值变化 1 处" in result.output
    english = CliRunner().invoke(cli, [*args, "--lang", "en"])
    assert "3 changes: 1 entity added, 1 link removed, 1 value changed" in english.output
    english = CliRunner().invoke(cli, [*args, "--lang", "en"]).output
    assert "+ ent:omega Omega Materials" in english and "enterprises" in english
    report = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert report["summary"]["changes"] == 3 and report["summary"]["link_removed"] == 1
    assert {c["subject"] for c in report["changes"]} == {"ent:omega", "pol:chip-plan", "ind:revenue-2024"}


def test_moved_rows_are_not_a_change(before, mini_copy, tmp_path):
    for name in ("enterprises.csv", "links.csv", "indicators.csv"):
        _edit(mini_copy / name, lambda fields, rows: rows[::-1])
    assert diff_facts(load_facts(before), _live(mini_copy, tmp_path)) == []
    result = CliRunner().invoke(cli, ["diff", str(before), "live", "--data", str(mini_copy),
                                      "--store", str(tmp_path / "store")])
    assert (result.exit_code, result.output.strip()) == (0, "无变化")


def test_changed_confidence_and_sources_are_backing_changes(before, mini_copy, tmp_path):
    def weaken(fields, rows):
        for row in rows:
            if (row["subject_id"], row["predicate"]) == ("ent:alpha", "chain_master_of"):
                row["confidence"], row["source_ids"] = "partial", "src:F1;src:F2"
        return rows

    _edit(mini_copy / "links.csv", weaken)
    assert _brief(diff_facts(load_facts(before), _live(mini_copy, tmp_path))) == [
        ("backing_changed", "enterprise", "ent:alpha", "ckg:chainMasterOf", "",
         ["sources: src:F1", "confidence: confirmed"], ["sources: src:F1; src:F2", "confidence: partial"]),
    ]


def test_removed_entity_absorbs_its_own_facts_and_links(before, mini_copy, tmp_path):
    _edit(mini_copy / "enterprises.csv", lambda fields, rows: [r for r in rows if r["enterprise_id"] != "ent:delta"])
    _edit(mini_copy / "links.csv", lambda fields, rows: [r for r in rows if r["subject_id"] != "ent:delta"])
    changes = diff_facts(load_facts(before), _live(mini_copy, tmp_path), lang="en")
    assert _brief(changes) == [("entity_removed", "enterprise", "ent:delta", "", "", [], [])]
    assert changes[0]["label"] == "Delta Pharma"
    assert summarize(changes)["entity_removed"] == 1
    text = render_diff(changes, "en").splitlines()
    assert text[:2] == ["enterprises", "  - ent:delta Delta Pharma  [entity removed]"]


def test_a_triples_only_snapshot_compares_facts_without_backing(before, mini_copy, tmp_path):
    (before / "graph.nq").unlink()  # graph.nt is read instead: the facts, without provenance
    facts = load_facts(before)
    assert not facts.has_backing and facts.triples == _live(mini_copy, tmp_path).triples
    _three_edits(mini_copy)
    assert len(diff_facts(facts, _live(mini_copy, tmp_path))) == 3
