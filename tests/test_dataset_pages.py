"""Pages and snapshots name their dataset from its manifest, never from code; synthetic data always says so.

A tiny synthetic dataset is the fixture (tests/fixtures/mini) with ``"synthetic": true`` and a made-up city in its
``dataset.json``; the real Jinan data is the counter-example.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from test_viz import PageScan

from kg import report
from kg.build import build_store
from kg.manifest import NEUTRAL, SYNTHETIC_NOTICE, store_dataset
from kg.snapshot import restore_snapshot
from kg.snapshots.export import export_snapshot
from kg.store import Store

KG = Path(__file__).resolve().parents[1] / "kg"
#: Modules checked for city names in code: every module of the package, the CLI's included (its help is user text).
CITY_FREE = tuple(sorted(p.relative_to(KG).as_posix() for p in KG.rglob("*.py")))
CITY = re.compile("济南|jinan", re.IGNORECASE)
BANNER = {lang: f'<p class="synthetic" role="note">⚠ {text}</p>' for lang, text in SYNTHETIC_NOTICE.items()}


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory, mini_dir) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "data"
    shutil.copytree(mini_dir, folder)
    manifest = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    manifest.update(id="synth-test", synthetic=True, name={"zh": "示例市", "en": "Sample City"},
                    title={"zh": "示例市产业链图谱", "en": "Sample City industrial chains"})
    (folder / "dataset.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def synth_store(synth_dir, tmp_path_factory):
    return build_store(synth_dir, tmp_path_factory.mktemp("synth-store") / "store")


@pytest.fixture(scope="module")
def synth_report(synth_store, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth-report") / "out"
    return out, report.write_report(synth_store, out)


def assert_banner(html: str, lang: str, where: str) -> None:
    """The notice is there, once, as text, first thing in the body (above the heading)."""
    assert html.count(BANNER[lang]) == 1, where
    assert html.index(BANNER[lang]) < html.index("<h1>"), where
    assert "p" in PageScan(html).tags, where


def test_store_records_the_synthetic_manifest(synth_store):
    dataset = store_dataset(synth_store)
    assert dataset["synthetic"] is True and dataset["id"] == "synth-test"
    assert dataset["title"] == {"zh": "示例市产业链图谱", "en": "Sample City industrial chains"}


def test_every_report_page_of_synthetic_data_carries_the_banner(synth_report):
    out, manifest = synth_report
    pages = sorted(out.rglob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "overview.html", "sources.html"} and (out / "maps").is_dir()
    for page in pages:
        assert_banner(page.read_text(encoding="utf-8"), "zh", page.name)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>示例市产业链图谱:规划报告</h1>" in index and "<title>示例市产业链图谱:规划报告</title>" in index
    assert "并非示例市官方口径" in index
    assert manifest["dataset"]["synthetic"] is True
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["dataset"]["id"] == "synth-test"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_maps_of_synthetic_data_carry_the_banner_in_the_page_language(synth_store, lang):
    pages = {"chain": report.chain_map(synth_store, "芯片", lang=lang),
             "overview": report.overview_map(synth_store, lang),
             "district": report.district_map(synth_store, "历城区", lang)}
    for name, html in pages.items():
        assert_banner(html, lang, name)
        assert BANNER["en" if lang == "zh" else "zh"] not in html, name
    note = "并非示例市官方口径" if lang == "zh" else "not a fact of Sample City"
    assert note in pages["chain"]


def test_english_report_of_synthetic_data(synth_store):
    files = report.render_report(report.gather(synth_store), "en")
    assert "<h1>Sample City industrial chains: planner&#39;s report</h1>" in files["index.html"]
    for name, text in files.items():
        if name.endswith(".html"):
            assert_banner(text, "en", name)


def test_a_synthetic_snapshot_says_so_and_restore_keeps_it(synth_store, tmp_path):
    manifest = export_snapshot(synth_store, tmp_path / "a")
    assert manifest["dataset"]["synthetic"] is True and manifest["dataset"]["id"] == "synth-test"
    assert SYNTHETIC_NOTICE["en"] in manifest["notice"] and SYNTHETIC_NOTICE["zh"] in manifest["notice"]
    written = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert written["dataset"] == manifest["dataset"]
    for name in ("graph.ttl", "graph.nt", "graph.nq", "graph.trig"):
        head = (tmp_path / "a" / name).read_text(encoding="utf-8").splitlines()[:2]
        assert head == [f"# {SYNTHETIC_NOTICE['zh']}", f"# {SYNTHETIC_NOTICE['en']}"], name
    assert nx.read_graphml(tmp_path / "a" / "graph.graphml").graph["synthetic"] is True
    meta = ET.parse(tmp_path / "a" / "graph.gexf").getroot().find("{*}meta")
    assert SYNTHETIC_NOTICE["en"] in meta.find("{*}description").text

    restored = restore_snapshot(tmp_path / "a", tmp_path / "restored")
    assert restored.info["dataset"] == manifest["dataset"]
    assert_banner(report.chain_map(restored, "芯片"), "zh", "restored chain map")
    again = export_snapshot(restored, tmp_path / "b")
    assert again["dataset"] == manifest["dataset"]
    changed = [p.name for p in (tmp_path / "a").rglob("*") if p.is_file()
               and p.read_bytes() != (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes()]
    assert changed in ([], ["manifest.json"])


def test_jinan_pages_have_no_banner_and_the_manifest_title(jinan_store):
    index = report.render_report(report.gather(jinan_store), "zh")["index.html"]
    assert "<h1>济南市产业链图谱:规划报告</h1>" in index and "并非济南市官方口径" in index
    chain = report.chain_map(jinan_store, "IC", lang="en")
    assert "not a fact of Jinan" in chain
    for html in (index, chain, report.overview_map(jinan_store)):
        assert 'class="synthetic"' not in html and SYNTHETIC_NOTICE["zh"] not in html


def test_jinan_snapshot_records_its_dataset_and_no_notice(jinan_store, tmp_path):
    manifest = export_snapshot(jinan_store, tmp_path / "snap", "nq,ttl")
    assert manifest["dataset"]["id"] == "jinan" and manifest["dataset"]["synthetic"] is False
    assert manifest["dataset"]["division_code"] == "370100" and "notice" not in manifest
    assert not (tmp_path / "snap" / "graph.ttl").read_text(encoding="utf-8").startswith("#")


def test_a_store_without_a_recorded_dataset_gets_neutral_pages(mini_store):
    old = Store(mini_store.path, mini_store.oxigraph, {k: v for k, v in mini_store.info.items() if k != "dataset"})
    assert store_dataset(old) == NEUTRAL
    index = report.render_report(report.gather(old), "zh")["index.html"]
    assert "<h1>产业链图谱:规划报告</h1>" in index and "并非官方口径" in index and 'class="synthetic"' not in index
    assert "not an official fact" in report.chain_map(old, "芯片", lang="en")


# --- no city in the code --------------------------------------------------------------------------------------------

def code_strings(source: str) -> list[tuple[int, str]]:
    """String constants of a module that are not documentation (docstrings, or bare strings used as comments)."""
    tree = ast.parse(source)
    docs = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def test_code_strings_skip_docstrings_and_comments():
    source = '"""济南 module."""\n# Jinan comment\ndef f():\n    """Jinan."""\n    return "济南" + f"{1}Jinan"\n'
    assert [text for _, text in code_strings(source)] in (["济南", "Jinan"], ["Jinan", "济南"])


@pytest.mark.parametrize("name", CITY_FREE)
def test_no_city_literal_in_the_code(name):
    source = (KG / name).read_text(encoding="utf-8")
    # the CLI's docstrings are its --help text: user text, checked too
    strings = ([(n.lineno, n.value) for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)]
               if name.startswith("cli/") else code_strings(source))
    found = [(line, text) for line, text in strings if CITY.search(text)]
    assert not found, f"kg/{name} names a city in code (take it from the dataset manifest): {found}"


def test_no_city_in_the_page_templates():
    for template in sorted((KG / "templates").glob("*.html")):
        assert not CITY.search(template.read_text(encoding="utf-8")), template.name
