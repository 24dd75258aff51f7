"""The chainkg command line, in-process (CliRunner), on the fixture and on the Jinan data."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from cli import cli

LANDMARK = ["汽车", "电子信息", "高端软件", "现代医药", "高端数控机床与机器人", "专用装备", "钢铁", "先进材料",
            "食品与生物制造", "人工智能", "集成电路", "航空航天暨低空经济", "新能源装备"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli") / "store"

    def invoke(*args: str, data: str | None = None, expect: int = 0):
        where = store if data is None else store.with_name("store-" + str(abs(hash(data))))
        argv = list(args) + ["--store", str(where)]
        if data:
            argv += ["--data", data]
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
        assert result.exit_code == expect, (result.output, result.stderr if hasattr(result, "stderr") else "")
        return result

    return invoke


def test_landmark_chains_json(run):
    chains = json.loads(run("chains", "--tier", "landmark", "--format", "json").output)
    assert sorted(c["name"] for c in chains) == sorted(LANDMARK)
    groups = {c["name"]: c["group"] for c in chains}
    assert groups["汽车"] == "advantage" and groups["钢铁"] == "characteristic" and groups["集成电路"] == "emerging"
    for chain in chains:
        assert chain["tier"] == "landmark" and chain["name_en"] and chain["iri"].startswith("https://")
        assert chain["sources"] and all(s["title"] for s in chain["sources"])


def test_key_chains_state_the_declared_count_and_flag_candidates(run):
    result = run("chains", "--tier", "key")
    assert "已宣布 34 条重点产业链" in result.output
    assert "34 key chains are declared" in run("chains", "--tier", "key", "--lang", "en").output
    chains = json.loads(run("chains", "--tier", "key", "--format", "json").output)
    assert chains, "the candidates named by sources are listed"
    assert all(c["status"] == "candidate" and c["sources"] for c in chains)
    assert not set(c["name"] for c in chains) & set(LANDMARK)


@pytest.mark.parametrize(("name", "expected"), [
    ("济发〔2023〕7号", ["推进新型工业化加快建设工业强市三年行动计划", "济南市工业和信息化局"]),
    ("济发[2023]7号", ["推进新型工业化加快建设工业强市三年行动计划"]),
    ("中国算谷产业园", ["中国算谷产业园", "济南高新技术产业开发区"]),
    ("历城区", ["历城区", "370112", "现代医药"]),
])
def test_show_prints_entity_links_and_sources(run, name, expected):
    output = run("show", name).output
    for text in expected:
        assert text in output, output
    data = json.loads(run("show", name, "--format", "json").output)
    assert data["facts"] and all(f["sources"] for f in data["facts"] + data["links_in"])


def test_show_unknown_name_suggests(run):
    result = run("show", "集成电轮", expect=2)
    assert "did you mean" in result.output and "集成电路" in result.output


def test_stats_reports_zero_unsourced(run):
    stats = json.loads(run("stats", "--format", "json").output)
    assert stats["unsourced_facts"] == 0
    assert stats["classes"]["LandmarkChain"] == 13
    assert set(stats["facts_by_confidence"]) <= {"confirmed", "partial", "uncertain"}


def test_validate_passes_on_jinan(run):
    assert "no problems" in run("validate").output


def test_validate_reports_file_line_value(tmp_path, run, data_copy):
    path = data_copy / "policies.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("济发〔2023〕7号", "济发〔23〕7号", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1
    assert "policies.csv:" in result.output and "济发〔23〕7号" in result.output
    assert "Traceback" not in result.output


def _walk(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _walk(command, prefix + (name,))


def test_every_command_has_help_with_an_example():
    for path, command in _walk(cli):
        assert command.help and "Example:" in command.help, path


def _tree_hash(path):
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + file.read_bytes())
    return digest.hexdigest()


def _replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_JINAN = [
    ("unknown district", "enterprises.csv", ",dist:370116,", ",dist:370199,", "dist:370199"),
    ("credit code with a wrong check character", "enterprises.csv", "Qilu Pharmaceutical Group,,",
     "Qilu Pharmaceutical Group,91350100M000100Y4Z,", "91350100M000100Y4Z"),
    ("ASCII brackets in a document number", "policies.csv", "济发〔2023〕7号", "济发[2023]7号", "济发[2023]7号"),
    ("two-digit year", "policies.csv", "济发〔2023〕7号", "济发〔23〕7号", "济发〔23〕7号"),
    ("reference to a missing row", "links.csv", "chain_master_of,chain:medicine", "chain_master_of,chain:nowhere",
     "chain:nowhere"),
    ("duplicate enterprise", "enterprises.csv", "ent:hongjitang,宏济堂制药,", "ent:hongjitang,齐鲁制药集团,",
     "duplicate name"),
]


@pytest.mark.parametrize(("why", "table", "old", "new", "value"), BAD_JINAN, ids=[b[0] for b in BAD_JINAN])
def test_bad_copy_of_jinan_is_refused_and_store_kept(tmp_path_factory, data_copy, why, table, old, new, value):
    store = tmp_path_factory.getbasetemp() / "bad-input-store"
    if not store.exists():
        assert CliRunner().invoke(cli, ["build", "--store", str(store)]).exit_code == 0
    before = _tree_hash(store)
    _replace_in(data_copy / table, old, new)
    result = CliRunner().invoke(cli, ["build", "--data", str(data_copy), "--store", str(store)])
    assert result.exit_code == 1
    assert f"{table}:" in result.output and value in result.output, result.output
    assert "Traceback" not in result.output and "nothing was changed" in result.output
    assert _tree_hash(store) == before


def test_non_utf8_copy_is_refused(data_copy):
    path = data_copy / "parks.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1 and "parks.csv:" in result.output and "not valid UTF-8" in result.output
