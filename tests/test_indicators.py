"""Targets against actuals (issue 13 part 3) and qualified figures (issue 14): the data, the graph, the command, the
progress rule and the report's 目标与进展 page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from cli import cli
from kg import figures, indicators, paths, progress_page, report
from kg.data.validate import check_rows, load_industry_codes
from kg.errors import DataError
from kg.figures import Figure, figure_text, progress
from kg.i18n import t
from kg.query import select
from kg.tables import SPECS, read_table

SOURCE_REPORT = "/work/shared/sources/000_1606cb7cd5886883.txt"
#: The qualified figures of the evaluation report: indicator → (code, word as the source writes it, value).
QUALIFIED = {
    "ind:jinan-innovation-platforms": ("more_than", "超过", "900"),
    "ind:jinan-tech-innovation-projects": ("more_than", "超过", "900"),
    "ind:jinan-yunfan-firms": ("nearly", "近", "800"),
    "ind:jinan-yunfan-funding": ("more_than", "超", "50"),
    "ind:jinan-quality-firms": ("more_than", "突破", "8000"),
    "ind:jinan-industrial-firms": ("more_than", "突破", "2800"),
    "ind:jinan-supporting-policies": ("more_than", "余", "20"),
    "ind:jiyang-nev-suppliers": ("more_than", "多", "30"),
}
#: Words that qualify a figure; a quote holding one next to the number must have the qualifier recorded.
WORDS = ("超过", "超", "突破", "近", "余", "多", "约", "以上", "左右", "不到", "不足")


@pytest.fixture(scope="module")
def rows():
    return {r.get("indicator_id"): r for r in read_table(paths.default_data_dir() / "indicators.csv",
                                                         SPECS["indicators.csv"])}


@pytest.fixture(scope="module")
def run(jinan_store):
    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, "--store", str(jinan_store.path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


# --- the data ---------------------------------------------------------------------------------------------------

def test_qualified_figures_keep_the_source_word(rows):
    for ind, (code, word, value) in QUALIFIED.items():
        row = rows[ind]
        assert (row.get("qualifier"), row.get("qualifier_word"), row.get("value")) == (code, word, value), ind
        assert word + value in row.get("quote").replace("20余", "余20").replace("30多", "多30") or \
            value + word in row.get("quote"), ind


def test_qualified_quotes_stand_in_the_evaluation_report(rows):
    try:
        text = open(SOURCE_REPORT, encoding="utf-8").read()
    except OSError:
        pytest.skip("the evaluation report's text is not on this machine")
    for ind in QUALIFIED:
        if "src:S1" in rows[ind].split("source_ids"):
            assert rows[ind].get("quote") in text, ind


def test_no_quote_hides_a_qualifier(rows):
    """Every quote with a qualifying word right beside its number has the qualifier recorded."""
    for ind, row in rows.items():
        quote = row.get("quote")
        for word in WORDS:
            if re.search(rf"{word}[0-9.一二三四五六七八九十千万亿]|[0-9]{word}", quote):
                assert row.get("qualifier"), (ind, word, quote)


def test_a_target_and_its_actual_share_one_measure(rows):
    actual, target = rows["ind:jinan-2024-industrial-revenue"], rows["ind:jinan-industrial-revenue-target-2025"]
    assert actual.get("measure_id") == target.get("measure_id") == "measure:industrial-revenue"
    assert actual.get("unit") == target.get("unit") == "亿元"
    assert actual.get("subject_id") == target.get("subject_id")
    measures = read_table(paths.default_data_dir() / "measures.csv", SPECS["measures.csv"])
    assert all("src:M-MEASURES" in m.split("source_ids") and m.get("confidence") != "confirmed" for m in measures)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("qualifier", "roughly", "not one of"),
    ("qualifier_word", "约", "written as in the quote"),
    ("unit", "万元", "differs from the unit of measure:industrial-revenue"),
])
def test_checks_refuse_bad_qualifiers_and_units(jinan_dir, column, value, message):
    tables = {name: read_table(jinan_dir / name, spec) for name, spec in SPECS.items() if (jinan_dir / name).is_file()}
    row = next(r for r in tables["indicators.csv"] if r.get("indicator_id") == "ind:jinan-2024-industrial-revenue")
    row.cells[column] = value
    if column == "qualifier_word":
        row.cells["qualifier"] = "about"
    with pytest.raises(DataError) as err:
        check_rows(tables, load_industry_codes(paths.gbt4754_file()))
    assert any(message in p.message and p.column == column for p in err.value.problems), err.value.problems


def test_a_word_without_its_code_is_refused(data_copy):
    path = data_copy / "indicators.csv"
    text = path.read_text(encoding="utf-8").replace("ind:jinan-yunfan-firms,dist:370100,,", "ind:jinan-yunfan-firms,"
                                                    "dist:370100,,", 1)
    text = re.sub(r'(ind:jinan-yunfan-firms,.*?),nearly,近,', r'\1,,近,', text)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--data", str(data_copy)])
    assert result.exit_code == 1 and "indicators.csv:14" in result.output and "qualifier" in result.output


# --- the graph --------------------------------------------------------------------------------------------------

def test_nearly_800_is_in_the_rdf_with_its_qualifier(jinan_store):
    query = """PREFIX ckg: <https://w3id.org/chainkg/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?value ?code ?word ?label WHERE {
      <https://w3id.org/chainkg/id/ind/jinan-yunfan-firms> ckg:value ?value ; ckg:valueQualifier ?q ;
          ckg:qualifierText ?word .
      ?q skos:notation ?code ; skos:prefLabel ?label FILTER(LANG(?label) = "zh")
    }"""
    rows = [[t.value for t in solution] for solution in jinan_store.query(query)]
    assert rows == [["800", "nearly", "近", "近"]]


def test_revenue_actual_and_target_share_a_measure_in_the_graph(jinan_store):
    rows = select(jinan_store, "indicator_series")
    revenue = {(r["indicator"].rpartition("/")[2], r["kind"], r["value"]) for r in rows
               if (r["measure"] or "").endswith("measure/industrial-revenue")}
    assert revenue == {("jinan-2024-industrial-revenue", "actual", 10189.4),
                       ("jinan-industrial-revenue-target-2025", "target", 10000)}


# --- the command ------------------------------------------------------------------------------------------------

def test_indicators_shows_revenue_against_its_target(run):
    out = run("indicators")
    line = next(x for x in out.splitlines() if x.startswith("规上工业营业收入"))
    for part in ("济南市", "2024年 10,189.4 亿元", "突破 10,000 亿元(2025年)", "101.9 %", "已达成"):
        assert part in line, (part, line)
    assert "建模选择" in out  # the basis of the status is said to be a modelling choice


def _keyed(output: str) -> list[dict]:
    """CSV rows of ``indicators`` keyed by column (the file's header row is the Chinese headers)."""
    from kg.indicator_views import COLUMNS, HEADERS

    by_header = {t(f"indicators.h.{h}", "zh"): c for h, c in zip(HEADERS, COLUMNS)}
    reader = csv.DictReader(io.StringIO(output.lstrip("\ufeff")))
    return [{by_header.get(k, k): v for k, v in row.items()} for row in reader]


def test_indicators_json_and_csv(run):
    result = json.loads(run("indicators", "--format", "json"))
    revenue = next(s for s in result["series"] if s["measure_id"] == "industrial-revenue")
    assert [(a["year"], a["value"]) for a in revenue["actuals"]] == [(2024, 10189.4)]
    assert [(t["year"], t["value"], t["qualifier"]) for t in revenue["targets"]] == [(2025, 10000, "more_than")]
    assert revenue["progress"][0]["status"] == "reached" and round(revenue["progress"][0]["ratio"], 4) == 1.0189
    rows = _keyed(run("indicators", "--format", "csv"))
    assert any(r["progress_text"] == "101.9 %" and r["status_text"] == "已达成" for r in rows)


def test_nearly_800_shows_its_qualifier_in_table_csv_json(run):
    table = run("indicators", "济南市")
    assert "近 800 家" in table and not re.search(r"(?<!近 )(?<![\d,])800 家", table)
    rows = _keyed(run("indicators", "济南市", "--format", "csv"))
    yunfan = next(r for r in rows if r["measure_label"] == '"云帆计划"服务企业')
    assert yunfan["actuals_text"] == "年份未注明 近 800 家"
    result = json.loads(run("indicators", "济南市", "--format", "json"))
    figure = next(a for s in result["series"] for a in s["actuals"] if a["iri"].endswith("jinan-yunfan-firms"))
    assert (figure["value"], figure["qualifier"], figure["qualifier_word"]) == (800, "nearly", "近")
    english = run("indicators", "济南市", "--lang", "en")
    assert "nearly 800" in english and "Firms served by the Yunfan programme" in english


def test_nearly_800_keeps_its_qualifier_in_xlsx(run, tmp_path):
    import openpyxl

    for args in (("indicators", "济南市"), ("district", "济南市")):
        path = tmp_path / f"{args[0]}.xlsx"
        run(*args, "--format", "xlsx", "-o", str(path))
        cells = [str(c) for sheet in openpyxl.load_workbook(path, read_only=True).worksheets
                 for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert any("近 800 家" in c for c in cells), args
        assert not any(re.fullmatch(r"800( 家)?", c) for c in cells), args


def test_show_and_district_profile_keep_the_qualifier(run):
    shown = run("show", '"云帆计划"服务企业')
    assert "数值限定" in shown and "近" in shown
    profile = json.loads(run("district", "济南市", "--format", "json"))
    figure = next(i for i in profile["indicators"] if i["measure"] == '"云帆计划"服务企业')
    assert (figure["qualifier"], figure["qualifier_word"]) == ("nearly", "近")


def test_indicators_of_a_chain(run):
    result = json.loads(run("indicators", "汽车", "--format", "json"))
    assert result["subject"]["name"] == "汽车"
    scale = next(s for s in result["series"] if s["measure_id"] == "industry-scale")
    assert [(a["value"], a["qualifier_word"]) for a in scale["actuals"]] == [(1000, "超过")]
    assert "超过 1,000 亿元" in run("indicators", "汽车")


# --- the progress rule ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("actuals", "target", "status", "basis"), [
    ([Figure(10189.4, None, 2024)], Figure(10000, "more_than", 2025), "reached", "met"),
    ([Figure(10000, None, 2025)], Figure(10000, "more_than", 2025), "behind", "target_year_passed"),  # 突破 = above
    ([Figure(100, None, 2020), Figure(160, None, 2022)], Figure(200, None, 2024), "on_track", "linear_path"),
    ([Figure(100, None, 2020), Figure(120, None, 2022)], Figure(200, None, 2024), "behind", "linear_path"),
    ([Figure(120, None, 2022)], Figure(200, None, 2024), "undetermined", "one_actual"),
    ([Figure(900, "more_than", 2023)], Figure(900, None, 2025), "reached", "met"),  # 超过X reaches X
    ([Figure(900, "more_than", 2023)], Figure(1000, None, 2025), "undetermined", "bounds_undecided"),
    ([Figure(800, "nearly", 2025)], Figure(800, None, 2025), "behind", "target_year_passed"),  # 近800 is not 800
    ([Figure(800, "nearly", 2023)], Figure(800, None, 2025), "undetermined", "one_actual"),
    ([Figure(800, "nearly", 2023)], Figure(500, None, 2025), "undetermined", "bounds_undecided"),
    ([Figure(100, None, 2020), Figure(150, "nearly", 2022)], Figure(200, None, 2024), "behind", "linear_path"),
    ([Figure(100, None, 2020), Figure(150, "more_than", 2022)], Figure(200, None, 2024), "on_track", "linear_path"),
    ([Figure(5290, None, None)], Figure(3500, "at_least", None), "reached", "met"),
    ([Figure(3000, None, None)], Figure(3500, None, 2026), "undetermined", "no_year"),
    ([], Figure(11000, None, 2025), "no_actual", "no_actual"),
])
def test_progress(actuals, target, status, basis):
    result = progress(actuals, target)
    assert (result["status"], result["basis"]) == (status, basis)


def test_progress_ratio_and_path_values():
    result = progress([Figure(100, None, 2020), Figure(160, None, 2022)], Figure(200, None, 2024))
    assert result["expected"] == 150 and result["ratio"] == 0.8
    assert figures.ratio_text(progress([Figure(900, "more_than", 2023)], Figure(1000, None, 2025))["ratio"],
                              "more_than") == "> 90.0 %"


@pytest.mark.parametrize(("args", "text"), [
    ((800, "家", "nearly", "近"), "近 800 家"),
    ((900, "家", "more_than", "超过"), "超过 900 家"),
    ((30, "家", "more_than", "多"), "30 多家"),
    ((798, "平方公里", "about", "约"), "约 798 平方公里"),
    ((3500, "PFlops", "at_least", None), "≥ 3,500 PFlops"),
    ((10189.4, "亿元", None, None), "10,189.4 亿元"),
])
def test_figure_text(args, text):
    assert figure_text(*args) == text


# --- the report page ----------------------------------------------------------------------------------------------

def test_progress_page_has_one_svg_chart_per_measure_and_no_script(jinan_store, tmp_path):
    result = indicators.indicator_series(jinan_store)
    html = progress_page.progress_html(result, "zh")
    assert not re.search(r"<script\b", html, re.I) and not re.search(r'(href|src)="(https?:)?//', html)
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(charts) == len(result["series"]) > 1
    for svg in charts:
        ET.fromstring(svg)  # well-formed XML
    revenue = next(c for c in charts if "规上工业营业收入" in c)
    root = ET.fromstring(revenue)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 1 and root.findall(f"{ns}line[@class='target']")
    assert "突破 10,000 亿元" in revenue and "101.9 %" in html and "已达成" in html


def test_progress_page_escapes_names_and_marks_bounds():
    series = {"measure": "<b>x</b>&", "measure_en": None, "subject": "甲", "subject_en": None, "unit": "家",
              "actuals": [{"value": 800, "year": 2023, "qualifier": "nearly", "qualifier_word": "近", "sources": []},
                          {"value": 900, "year": 2024, "qualifier": "more_than", "qualifier_word": "超过",
                           "sources": []}],
              "targets": [{"value": 1000, "year": 2025, "qualifier": None, "qualifier_word": None, "sources": [],
                           "iri": "t"}]}
    series["progress"] = [indicators._progress_row(progress([Figure(800, "nearly", 2023), Figure(900, "more_than",
                                                                                               2024)],
                                                            Figure(1000, None, 2025)), series["targets"][0], {})]
    html = progress_page.progress_html({"series": [series]}, "zh")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;&amp;" in html
    svg = ET.fromstring(re.search(r"<svg\b.*?</svg>", html, flags=re.S).group())
    marks = [e.text for e in svg.iter("{http://www.w3.org/2000/svg}text") if e.get("class") == "mark"]
    assert marks == ["▼", "▲"]


def test_report_links_the_progress_page(jinan_store, tmp_path):
    out = tmp_path / "report"
    manifest = report.write_report(jinan_store, out)
    assert "progress.html" in manifest["files"]
    assert 'href="progress.html"' in (out / "index.html").read_text(encoding="utf-8")
    page = (out / "progress.html").read_text(encoding="utf-8")
    assert 'href="sources.html#src-S1"' in page  # the figures' sources are numbered with the report's


def test_synthetic_data_still_builds_without_measures(tmp_path, mini_dir):
    data = tmp_path / "mini"
    shutil.copytree(mini_dir, data)
    result = CliRunner().invoke(cli, ["indicators", "--all", "--format", "json", "--data", str(data),
                                      "--store", str(tmp_path / "store")], catch_exceptions=False)
    series = json.loads(result.output)["series"]
    assert {s["measure"] for s in series} >= {"规上工业营业收入", "芯片产业规模目标"}
