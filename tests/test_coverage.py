"""chainkg gaps, coverage and mismatches on the Jinan data (the issue's must-show answers), from the CLI, and the
multi-valued columns of the coverage and gap queries on the fixture."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from click.testing import CliRunner

from cli import cli
from kg import paths, projection, questions
from kg.gap_views import mismatches_view
from kg.i18n import t
from kg.query import iri, select

ID = "https://w3id.org/chainkg/id/"


def run(store, *args, data=None):
    argv = [*args, "--store", str(store.path if hasattr(store, "path") else store)]
    if data:
        argv += ["--data", str(data)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _table(name: str) -> list[dict]:
    with open(paths.default_data_dir() / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


LANDMARK = {r["chain_id"]: r["name_zh"] for r in _table("chains.csv") if r["tier"] == "landmark"}
PLACES = [r["name_zh"] for r in _table("districts.csv") if r["kind"] != "city"]


def test_gaps_ic_lists_every_segment_with_grade_reasons_evidence(jinan_store):
    rows = json.loads(run(jinan_store, "gaps", "集成电路", "--format", "json"))
    segments = {r["segment"] for r in select(jinan_store, "chain_segments", chain=iri(ID + "chain/ic"))}
    assert {r["iri"] for r in rows} == segments and len(rows) == len(segments)
    for row in rows:
        assert row["chain"] == "集成电路" and row["segment"]
        assert row["grade"] in ("strong", "potential", "weak", "blank") and row["reasons"]
        assert {"enterprises", "parks", "policies", "sources"} <= set(row["evidence"])
        assert row["evidence"]["sources"], "the segment's own row is evidence (a modelling source)"
        assert isinstance(row["upstream"], list) and isinstance(row["downstream"], list)
    between = [r for r in rows if r["grade"] in ("blank", "weak")
               and any(n["grade"] != "blank" for n in r["upstream"])
               and any(n["grade"] != "blank" for n in r["downstream"])]
    assert between, "a blank or weak segment with local presence upstream and downstream"
    fab = next(r for r in rows if r["iri"] == ID + "seg/ic-fab")
    assert fab["grade"] == "blank" and fab["rank"] == 1
    assert {n["segment"] for n in fab["upstream"] if n["enterprises"]} == {"半导体材料与衬底"}
    assert [n["segment"] for n in fab["downstream"]] == ["封装测试与载板"]
    assert any("missing data" in u for u in fab["unknown"]) and any("BYD Semiconductor" in u for u in fab["unknown"])
    assert fab["chain_unplaced"]["count"] == 1 and fab["chain_unplaced"]["enterprises"][0]["name"] == "比亚迪半导体"


def test_gaps_table_says_blanks_may_be_missing_data(jinan_store):
    output = run(jinan_store, "gaps", "集成电路")
    assert "空白" in output and "可能是缺少数据" in output and "建模选择" in output
    assert "尚未划分环节" in output and "比亚迪半导体" in output
    english = run(jinan_store, "gaps", "IC", "--lang", "en")
    assert "blank" in english and "may be missing data" in english and "modelling choice" in english
    assert "have no segment yet" in english or "has no segment yet" in english


def test_gaps_all_landmark_chains_csv(jinan_store):
    output = run(jinan_store, "gaps", "--format", "csv")
    assert output.startswith("\ufeff")
    head = {k: t(f"col.{k}", "zh") for k in ("chain", "segment", "grade", "why", "enterprises", "local_upstream",
                                              "local_downstream", "sources")}
    rows = [{k: row[h] for k, h in head.items()} for row in csv.DictReader(io.StringIO(output.lstrip("\ufeff")))]
    expected = sum(1 for r in _table("segments.csv") if r["chain_id"] in LANDMARK)
    unplaced = [r for r in rows if r["segment"] == "(未划分环节)"]
    assert len(rows) - len(unplaced) == expected and unplaced, "a row per chain with enterprises in no segment"
    assert all(r["enterprises"] and "尚未划分环节" in r["why"] for r in unplaced)
    assert {r["chain"] for r in rows} == set(LANDMARK.values())


def test_gaps_for_all_chains_is_fast(jinan_store):
    projection.tier_reports(jinan_store)
    started = time.perf_counter()
    reports = projection.tier_reports(jinan_store)
    assert len(reports) == 13
    assert time.perf_counter() - started < 2.0, "target: well under 1 s for the 13 landmark chains"


def test_coverage_csv_cells_equal_enterprises_by_district(jinan_store):
    output = run(jinan_store, "coverage", "--format", "csv")
    assert output.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(output.lstrip("\ufeff")))
    columns = reader.fieldnames
    assert columns[0] == t("col.chain", "zh") and columns[-2:] == [t("col.total", "zh"), t("col.unlocated", "zh")]
    assert sorted(columns[1:-2]) == sorted(PLACES), "one column per district, county or functional zone"
    rows = [{"chain" if k == columns[0] else k: v for k, v in row.items()} for row in reader]
    assert sorted(r["chain"] for r in rows) == sorted(LANDMARK.values()), "one row per landmark chain"
    nonzero = 0
    for row in rows:
        entity = questions.resolve_chain(jinan_store, row["chain"])
        for place in PLACES:
            page = questions.chain_enterprises(jinan_store, entity, district=place)
            count = page["total"]
            assert len(page["rows"]) == count, "every Jinan list fits in the first page"
            assert int(row[place]) == count, (row["chain"], place)
            nonzero += count > 0
        assert int(row[t("col.total", "zh")]) == questions.chain_enterprises(jinan_store, entity)["total"]
    assert nonzero >= 10


@pytest.mark.parametrize(("chain", "place", "count"), [("新能源装备", "市中区", 2), ("现代医药", "历城区", 2),
                                                      ("集成电路", "章丘区", 0)])
def test_coverage_cells_match_the_enterprises_command(jinan_store, chain, place, count):
    listed = json.loads(run(jinan_store, "enterprises", chain, "--district", place, "--format", "json"))
    matrix = projection.coverage_matrix(jinan_store)
    row = next(r for r in matrix["rows"] if r["chain"] == chain)
    assert row["counts"][place] == len(listed) == count


def test_coverage_by_grade_and_bridge(jinan_store):
    summaries = json.loads(run(jinan_store, "coverage", "--by", "grade", "--format", "json"))
    assert sorted(s["chain"] for s in summaries) == sorted(LANDMARK.values())
    for s in summaries:
        assert sum(s["grades"].values()) == s["segments"] > 0
        assert 0 <= s["completeness"] <= 1 and 0 <= s["weighted_completeness"] <= 1
        assert s["no_chain_master"] == (not s["chain_masters"])
    auto = next(s for s in summaries if s["chain"] == "汽车")
    assert auto["grades"]["strong"] == 1 and "中国重汽集团济南卡车股份有限公司" in auto["chain_masters"]
    assert "产业链 × 评级" in run(jinan_store, "coverage", "--by", "grade")
    assert "chains × grades" in run(jinan_store, "coverage", "--by", "grade", "--lang", "en")
    bridges = json.loads(run(jinan_store, "coverage", "--by", "bridge", "--format", "json"))
    park = next(e for e in bridges["entities"] if e["name"] == "明水经开区")
    assert park["kind"] == "park" and park["chains"] == 3
    assert any(e["kind"] == "industry_class" for e in bridges["entities"])


def test_mismatches_each_with_the_source_of_the_positioning(jinan_store):
    rows = json.loads(run(jinan_store, "mismatches", "--format", "json"))
    assert rows
    matrix = projection.coverage_matrix(jinan_store)
    counts = {(r["chain"], p): n for r in matrix["rows"] for p, n in r["counts"].items()}
    for row in rows:
        assert row["kind"] in ("positioned_without_presence", "presence_without_positioning")
        assert row["positioning"]["sources"] and all(s["title"] or s["url"] for s in row["positioning"]["sources"])
        if row["kind"] == "positioned_without_presence":
            assert counts[(row["chain"], row["place"])] == 0 and not row["evidence"]["parks"]
        else:
            assert row["evidence"]["enterprises"] or row["evidence"]["parks"]
    assert any(r["place"] == "济阳区" and r["chain"] == "汽车" for r in rows)
    output = run(jinan_store, "mismatches")
    assert "== 来源 ==" in output and "有定位无企业" in output
    english = run(jinan_store, "mismatches", "--lang", "en")
    assert "== sources ==" in english and "positioned without presence" in english


def test_mismatches_says_plainly_when_there_are_none(mini_copy, tmp_path):
    links = mini_copy / "links.csv"
    text = links.read_text(encoding="utf-8").replace("dist:370112,positioned_for,chain:drugs",
                                                     "dist:370124,positioned_for,chain:drugs")
    links.write_text(text, encoding="utf-8")
    output = run(tmp_path / "store", "mismatches", data=mini_copy)
    assert "没有定位与实际不符之处" in output
    english = run(tmp_path / "store", "mismatches", "--lang", "en", data=mini_copy)
    assert "There are no positioning mismatches" in english
    assert json.loads(run(tmp_path / "store", "mismatches", "--format", "json", data=mini_copy)) == []
    assert "no positioning mismatches" in mismatches_view([], "en")[0].note


def test_gap_queries_multi_valued_columns(mini_store):
    chain = iri(ID + "chain/chips")

    def split(value):
        return {v.replace(ID, "") for v in (value or "").split()}

    segments = {r["segment"].replace(ID, ""): r for r in select(mini_store, "gaps_segments", chain=chain)}
    assert split(segments["seg/chips-materials"]["supplies_to"]) == {"seg/chips-design", "seg/chips-fab"}
    assert split(segments["seg/chips-apps"]["supplies_to"]) == set()
    anchors = {r["enterprise"].replace(ID, ""): r for r in select(mini_store, "gaps_anchors", chain=chain)}
    assert set(anchors) == {"ent/alpha", "ent/gamma"} and split(anchors["ent/alpha"]["sources"]) == {"src/F1"}
    placed = {(r["segment"].replace(ID, ""), r["source"].replace(ID, ""))
              for r in select(mini_store, "gaps_placement_sources", chain=chain)}
    assert {src for seg, src in placed if seg == "seg/chips-fab"} == {"src/F1", "src/M-SEG"}
    cells = {(r["place"].replace(ID, ""), r["chain"].replace(ID, "")): r["count"]
             for r in select(mini_store, "coverage_tallies") if r["place"]}
    assert cells[("dist/370112", "chain/chips")] == 2
    links = {(r["place"].replace(ID, ""), r["chain"].replace(ID, ""), r["basis"]): split(r["members"])
             for r in select(mini_store, "coverage_district_links")}
    assert links[("zone/hitech", "chain/chips", "park")] == {"park/chip-park"}
