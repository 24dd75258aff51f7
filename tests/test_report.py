"""The planner's report (kg.report, `chainkg report`, `chainkg map`): contents, offline pages, atomic writes, speed."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_viz import PageScan, page_data

from cli import cli
from kg import atomic, projection, questions, report
from kg.build import build_store
from kg.errors import ExportError

INJECT = Path(__file__).parent / "fixtures" / "inject"
LANDMARK = 13


def injection_payloads() -> set[str]:
    """Every cell of the injection fixture (and text of its manifest) that holds markup, and each tag with attributes
    or script inside it."""
    found = set()
    for table in INJECT.glob("*.csv"):
        with open(table, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for value in row.values():
                    if value and re.search(r"[<>]", value):
                        found.add(value)
                        found.update(re.findall(r"<\w[^>]*\s[^>]*>|<script>[^<]*</script>", value))
    manifest = json.loads((INJECT / "dataset.json").read_text(encoding="utf-8"))
    for key in ("name", "title", "notes"):
        for value in manifest[key].values():
            found.add(value)
            found.update(re.findall(r"<\w[^>]*\s[^>]*>|<script>[^<]*</script>", value))
    return found


def source_link(tag: str, url: str, attrs: dict) -> bool:
    """A link to a source's web address: an ``<a>`` to ``http(s)``, opening elsewhere without opener or referrer
    (nothing is fetched until a planner clicks it)."""
    return (tag == "a" and re.match(r"https?://[^\s\"'<>]+$", url) is not None
            and {"noopener", "noreferrer"} <= set((attrs.get("rel") or "").split()))


def assert_offline_and_readable(html: str, where: str) -> None:
    scan = PageScan(html)
    external = [u for tag, u, attrs in scan.links if re.match(r"\s*(https?:|//|javascript:|data:)", u, re.I)
                and not source_link(tag, u, attrs)]
    assert not external, (where, external)
    assert not re.search(r"""\ssrc\s*=\s*["']?\s*https?://""", html), where
    assert scan.handlers == [], where
    assert "content-security-policy" in scan.meta, where


@pytest.fixture(scope="module")
def jinan_report(jinan_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    started = time.perf_counter()
    manifest = report.write_report(jinan_store, out)
    return out, manifest, time.perf_counter() - started


@pytest.fixture(scope="module")
def inject_store(tmp_path_factory):
    return build_store(INJECT, tmp_path_factory.mktemp("inject") / "store")


def test_report_writes_index_maps_csv_and_sources_fast(jinan_report):
    out, manifest, seconds = jinan_report
    assert seconds < 10, f"report took {seconds:.1f} s"
    maps = sorted(p.name for p in (out / "maps").glob("*.html"))
    assert len(maps) == LANDMARK
    for name in ("index.html", "overview.html", "gaps.csv", "segment_enterprises.csv", "chain_policies.csv",
                 "sources.html", "sources.csv", "report.json"):
        assert (out / name).is_file(), name
    assert set(manifest["files"]) == {p.relative_to(out).as_posix() for p in out.rglob("*")
                                      if p.is_file() and p.name != "report.json"}
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["chains"] == LANDMARK


def test_every_page_is_offline_escaped_and_chinese_readable(jinan_report):
    out, _, _ = jinan_report
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert_offline_and_readable(html, page.name)
        assert re.search(r"[\u4e00-\u9fff]{2,}", html), page.name
        assert not re.search(r"\\u[4-9][0-9a-f]{3}", html), f"{page.name} hides Chinese in \\u escapes"


def test_index_links_every_chain_map_and_lists_gaps(jinan_report, jinan_store):
    out, _, _ = jinan_report
    html = (out / "index.html").read_text(encoding="utf-8")
    scan = PageScan(html)
    local = [u for u in scan.urls if not u.startswith("#")]
    for url in local:
        assert (out / url.split("#")[0]).is_file(), url
    assert sum(1 for u in set(local) if u.startswith("maps/")) == LANDMARK
    for chain in questions.list_chains(jinan_store, "landmark")["chains"]:
        assert chain["name"] in html
    assert "完整度" in html and "热力图" in html and "缺口清单" in html
    assert html.count('class="heat') >= LANDMARK
    sources = (out / "sources.html").read_text(encoding="utf-8")
    for anchor in set(re.findall(r'href="sources\.html#([^"]+)"', html)):
        assert f'id="{anchor}"' in sources, anchor


def test_each_map_page_matches_its_chain(jinan_report, jinan_store):
    out, _, _ = jinan_report
    profile = questions.chain_profile(jinan_store, "集成电路")
    data = page_data((out / "maps" / "ic.html").read_text(encoding="utf-8"))
    labels = {n["label"].split("\n")[0] for n in data["nodes"]}
    assert {s["name"] for s in profile["segments"]} <= labels
    assert "集成电路" in labels


def read_csv(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff"), "spreadsheet-friendly BOM"
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_lists(jinan_report, jinan_store):
    out, _, _ = jinan_report
    chains = questions.list_chains(jinan_store, "landmark")["chains"]
    profiles = [questions.chain_profile(jinan_store, c["name"]) for c in chains]
    gaps = read_csv(out / "gaps.csv")
    assert len(gaps) == sum(len(p["segments"]) for p in profiles)
    assert {g["grade"] for g in gaps} <= {"strong", "potential", "weak", "blank"}
    per_segment = read_csv(out / "segment_enterprises.csv")
    blank = [r for r in per_segment if not r["enterprise"]]
    assert len(blank) == sum(1 for p in profiles for s in p["segments"] if not s["enterprises"])
    assert {r["role"] for r in per_segment if r["enterprise"]} <= {"chain_master", "leading", "member"}
    policies = read_csv(out / "chain_policies.csv")
    assert len(policies) == sum(len(p["policies"]) for p in profiles)


def test_report_shows_the_gap_analysis(jinan_report, jinan_store):
    out, _, _ = jinan_report
    rows = read_csv(out / "gaps.csv")
    index = (out / "index.html").read_text(encoding="utf-8")
    for chain in questions.list_chains(jinan_store, "landmark")["chains"]:
        assessed = projection.chain_report(jinan_store, chain["name"])
        mine = {r["segment"]: r["grade"] for r in rows if r["chain"] == chain["name"]}
        assert mine == {g["segment"]: g["grade"] for g in assessed["gaps"]}, chain["name"]
        done = assessed["summary"]["completeness"]
        assert f"{done:.0%}" in index
        for gap in assessed["summary"]["top_gaps"]:
            assert gap["segment"] in index


def test_heat_map_follows_the_coverage_matrix(jinan_report, jinan_store):
    out, _, _ = jinan_report
    index = (out / "index.html").read_text(encoding="utf-8")
    matrix = projection.coverage_matrix(jinan_store)
    cells = re.findall(r'<td class="heat[^"]*"[^>]*>([^<]*)</td>', index)
    assert len(cells) == len(matrix["rows"]) * len(matrix["places"])
    expected = [row["counts"][p["name"]] for row in matrix["rows"] for p in matrix["places"]]
    assert [int(c.rstrip("◎") or 0) for c in cells] == expected
    for place in matrix["places"]:
        assert f'<th class="rot"><span class="nm">{place["name"]}</span></th>' in index


def test_a_failed_report_leaves_the_old_one(mini_store, tmp_path, monkeypatch):
    out = tmp_path / "out"
    report.write_report(mini_store, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic, "replace_dir", broken)
    with pytest.raises(ExportError, match="disk full"):
        report.write_report(mini_store, out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no temporary folder is left behind"


def test_report_replaces_an_earlier_report_but_no_other_folder(mini_store, tmp_path):
    out = tmp_path / "out"
    report.write_report(mini_store, out)
    (out / "index.html").write_text("old", encoding="utf-8")
    report.write_report(mini_store, out)
    assert (out / "index.html").read_text(encoding="utf-8") != "old"
    (out / "stale.html").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="stale.html was not written by chainkg"):
        report.write_report(mini_store, out)
    assert (out / "stale.html").read_text(encoding="utf-8") == "mine"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(ExportError, match="not a chainkg report"):
        report.write_report(mini_store, mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"


#: The elements of the progress page's inline charts (kg/progress_page.py): drawn by chainkg, never from the data.
SVG_TAGS = {"section", "h3", "svg", "line", "text", "path", "polyline", "circle"}


def test_injection_fixture_never_reaches_html_raw(inject_store, tmp_path):
    out = tmp_path / "out"
    report.write_report(inject_store, out)
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    pages["map.html"] = report.chain_map(inject_store, "IC")
    pages["district.html"] = report.district_map(inject_store, "历城区")
    pages["overview-map.html"] = report.overview_map(inject_store)
    payloads = injection_payloads()
    assert len(payloads) > 20
    for name, html in pages.items():
        assert_offline_and_readable(html, name)
        raw = [p for p in payloads if p in html]
        assert not raw, (name, raw)
        assert set(PageScan(html).tags) <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2",
                                            "p", "main", "nav", "a", "div", "label", "select", "option", "button",
                                            "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "br",
                                            "section", "aside", "input", "footer",
                                            "script"} | SVG_TAGS, name
    index = pages["index.html"]
    assert "芯片&lt;img src=x onerror=alert(1)&gt;" in index, "the label shows as text"


@pytest.fixture(scope="module")
def run(jinan_store):
    def invoke(*args: str, expect: int = 0):
        result = CliRunner().invoke(cli, [*args, "--store", str(jinan_store.path)], catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    return invoke


def test_cli_map_chain_overview_district(run, tmp_path):
    run("map", "集成电路", "-o", str(tmp_path / "m.html"))
    run("map", "--overview", "-o", str(tmp_path / "o.html"))
    run("map", "--district", "历城区", "-o", str(tmp_path / "d.html"))
    run("map", "--collapse", "0", "芯片", "-o", str(tmp_path / "all.html"))
    for name in ("m.html", "o.html", "d.html", "all.html"):
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert_offline_and_readable(html, name)
        assert page_data(html)["nodes"]
    assert "<h1>集成电路 产业链图谱</h1>" in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_cli_map_needs_exactly_one_subject(run, tmp_path):
    assert "give one of" in run("map", "-o", str(tmp_path / "x.html"), expect=2).output
    assert "give one of" in run("map", "汽车", "--overview", "-o", str(tmp_path / "x.html"), expect=2).output
    assert not (tmp_path / "x.html").exists()
    run("map", "没有这条链", "-o", str(tmp_path / "x.html"), expect=2)


def test_cli_report(run, tmp_path):
    result = run("report", "-o", str(tmp_path / "out"))
    assert "index.html" in result.output and (tmp_path / "out" / "maps" / "ic.html").is_file()
