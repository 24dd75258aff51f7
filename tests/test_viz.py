"""Maps (kg.viz): layout, grades, collapsing, plain-text tooltips, escaping, offline pages. No browser here."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg import chain_panorama, i18n, overview_matrix, pages, panel, questions, report, viz


class PageScan(HTMLParser):
    """Tags, URL attributes, event-handler attributes and inline scripts of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags, self.urls, self.handlers, self.scripts, self.meta = [], [], [], [], {}
        self.links: list[tuple[str, str, dict]] = []  # (tag, URL, attributes) of every URL attribute
        self._in_script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self.urls += [v for k, v in attrs.items() if k in ("src", "href", "action", "srcset")]
        self.links += [(tag, v, attrs) for k, v in attrs.items() if k in ("src", "href", "action", "srcset")]
        self.handlers += [k for k in attrs if k.startswith("on")]
        if tag == "meta" and attrs.get("http-equiv"):
            self.meta[attrs["http-equiv"].lower()] = attrs.get("content")
        if tag == "script":
            self._in_script = attrs
            self.scripts.append([attrs, ""])

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def page_data(html: str) -> dict:
    """The network data a map page embeds."""
    scan = PageScan(html)
    (data,) = [text for attrs, text in scan.scripts if attrs.get("type") == "application/json"]
    return json.loads(data)


def synthetic_profile(enterprises: int, segments: int = 10, masters: int = 2) -> dict:
    """A chain profile shaped like :func:`kg.questions.chain_profile`'s, with many enterprises."""
    segs = [{"name": f"环节{i}", "name_en": f"Segment {i}", "position": "midstream", "sequence": i + 1,
             "supplies_to": [f"环节{i + 1}"] if i + 1 < segments else [], "codes": [], "enterprises": [],
             "iri": f"urn:seg:{i}"} for i in range(segments)]
    ents = []
    for n in range(enterprises):
        seg = segs[n % segments]
        role = "chain_master" if n < masters else "leading" if n < masters + 3 else "member"
        name = f"企业{n:05d}"
        seg["enterprises"].append(name)
        ents.append({"name": name, "name_en": f"Enterprise {n}", "role": role, "segments": [seg["name"]],
                     "districts": [f"区{n % 7}"], "parks": [f"园区{n % 5}"] if n % 3 == 0 else [],
                     "confidence": "partial", "sources": [{"id": "S1", "title": "来源一", "url": "https://example.org"}],
                     "iri": f"urn:ent:{n}"})
    places = [{"name": f"区{i}", "name_en": f"District {i}", "basis": ["enterprise"], "via": [], "sources": [],
               "iri": f"urn:place:{i}"} for i in range(7)]
    parks = [{"name": f"园区{i}", "name_en": f"Park {i}", "level": None, "district": f"区{i}", "basis": "enterprise",
              "enterprises": [], "confidence": "partial", "sources": [], "iri": f"urn:park:{i}"} for i in range(5)]
    return {"chain": {"name": "合成链", "name_en": "Synthetic", "iri": "urn:chain:synthetic", "tier": "landmark",
                      "group": None, "sources": []},
            "segments": segs, "enterprises": ents, "parks": parks, "places": places, "policies": [],
            "indicators": []}


def synthetic_gaps(profile: dict) -> list[dict]:
    """Grades for a synthetic profile (every fourth segment blank), shaped like :func:`kg.analysis.assess_chain`'s."""
    return [{"segment": s["name"], "iri": s["iri"], "grade": "blank" if i % 4 == 3 else "potential",
             "reasons": ["synthetic"], "evidence": {"sources": []}, "unknown": []}
            for i, s in enumerate(profile["segments"])]


@pytest.fixture(scope="module")
def chips(mini_store):
    profile = questions.chain_profile(mini_store, "芯片")
    return profile, report.chain_assessment(mini_store, profile["chain"])["gaps"]


def by_group(net) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for node in net.nodes:
        out.setdefault(node["group"], []).append(node)
    return out


@given(st.text())
def test_script_json_cannot_leave_a_script_element_and_round_trips(text):
    encoded = pages.script_json({"label": text, "list": [text]})
    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(encoded) == {"label": text, "list": [text]}


def test_script_json_keeps_chinese_readable():
    assert pages.script_json("集成电路") == '"集成电路"'


def test_chain_map_layout_runs_left_to_right_with_physics_off(chips):
    profile, gaps = chips
    net = viz.chain_network(profile, gaps)
    assert net.options["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in net.nodes)
    x = {n["label"].split("\n")[0]: n["x"] for n in net.nodes}
    order = [s["name"] for s in profile["segments"]]
    assert [x[name] for name in order] == sorted(x[name] for name in order)
    assert x["材料"] < x["设计"] < x["制造"] < x["封测"] < x["应用"]
    supplies = [e for e in net.edges if e.get("arrows") == "to" and e["width"] == viz.EDGE["supplies"]["width"]]
    assert len(supplies) == sum(len(s["supplies_to"]) for s in profile["segments"])


def test_chain_map_draws_grades_chain_masters_and_context(chips):
    profile, gaps = chips
    net = viz.chain_network(profile, gaps)
    groups, style = by_group(net), net.options["groups"]
    grade = {g["segment"]: g["grade"] for g in gaps}
    assert grade["材料"] == grade["应用"] == "blank" and grade["制造"] != "blank"
    for name, drawn in grade.items():
        assert any(n["label"].split("\n")[0] == name for n in groups[drawn]), (name, drawn)
    blank = {n["label"].split("\n")[0] for n in groups["blank"]}
    assert blank == {"材料", "应用"}
    assert all("空白" in n["label"] for n in groups["blank"]) and style["blank"]["shapeProperties"]["borderDashes"]
    assert style["blank"]["color"] != viz.STYLE["weak"]["color"]
    assert [n["label"] for n in groups["chain_master"]] == ["甲芯片公司"]
    assert style["chain_master"]["shape"] == "star" and style["chain_master"]["size"] > style["member"]["size"]
    assert [n["label"] for n in groups["leading"]] == ["丙封测公司"]
    assert {n["label"] for n in groups["park"]} == {"芯片产业园", "测试经济开发区"}
    assert {n["label"] for n in groups["place"]} >= {"历城区", "高新区"}
    policies = {n["label"].split("\n")[0] for n in groups["policy"]}
    assert policies == {"测试市芯片产业行动计划", "测试市工业强市三年行动计划"}  # direct, and city-wide (general)


def test_tooltips_are_plain_text_with_sources(chips):
    profile, gaps = chips
    net = viz.chain_network(profile, gaps)
    master = next(n for n in net.nodes if n["group"] == "chain_master")
    assert isinstance(master["title"], str)
    assert "链主" in master["title"] and "测试市产业链评估报告" in master["title"]
    assert "https://example.org/report" in master["title"]
    assert all(isinstance(n["title"], str) for n in net.nodes)


def test_large_segments_collapse_into_a_count_node():
    profile = synthetic_profile(5000)
    gaps = synthetic_gaps(profile)
    net = viz.chain_network(profile, gaps, collapse=12)
    groups = by_group(net)
    assert len(groups["chain_master"]) == 2 and len(groups["leading"]) == 3
    assert len(groups["count"]) == 10 and "member" not in groups
    counted = sum(int(re.search(r"\d+", n["label"]).group()) for n in groups["count"])
    assert counted + 5 == 5000
    assert len(net.nodes) < 60
    full = viz.chain_network(profile, gaps, collapse=None)
    assert sum(1 for n in full.nodes if n["group"] in ("chain_master", "leading", "member")) == 5000
    assert full.options["interaction"]["hideEdgesOnDrag"] is True


def test_small_segments_are_not_collapsed(chips):
    profile, gaps = chips
    groups = by_group(viz.chain_network(profile, gaps, collapse=1))
    assert "count" not in groups


def test_page_is_offline_and_allows_only_its_own_scripts(chips):
    profile, gaps = chips
    html = report.chain_page(profile, gaps)
    scan = PageScan(html)
    assert scan.urls == [] and scan.handlers == []
    assert "cdn" not in html.lower() and "bootstrap" not in html.lower()
    csp = scan.meta["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    runnable = [text for attrs, text in scan.scripts if attrs.get("type") != "application/json"]
    assert len(runnable) == 2 and runnable[0].startswith("/**\n * vis-network")
    assert sorted(pages.csp_hash(s) for s in runnable) == sorted(re.findall(r"'sha256-[^']+'", csp))
    assert "芯片" in html and "\\u82af" not in html
    data = page_data(html)
    assert len(data["nodes"]) == len(viz.chain_network(profile, gaps).nodes)


def test_vis_network_comes_from_the_installed_pyvis():
    js = pages.vis_network_js()
    assert f"@version {pages.VIS_VERSION}" in js[:400] and "license" in js[:1000].lower()


def test_overview_and_district_maps(mini_store):
    overview = page_data(report.overview_map(mini_store))
    labels = {n["label"].split("\n")[0] for n in overview["nodes"]}
    assert {"芯片", "医药", "历城区", "高新区", "测试市芯片产业行动计划"} <= labels
    district = page_data(report.district_map(mini_store, "历城区"))
    labels = {n["label"] for n in district["nodes"]}
    assert {"历城区", "芯片", "医药", "测试经济开发区", "乙设计公司"} <= labels
    assert all(isinstance(n["x"], float) for n in district["nodes"])


def test_english_labels(mini_store):
    data = page_data(report.chain_map(mini_store, "芯片", lang="en"))
    labels = {n["label"].split("\n")[0] for n in data["nodes"]}
    assert {"Chips", "Design", "Alpha Chips"} <= labels


# --- the 产业链全景图, the overview matrix and the side panel (DOM views) -------------------------------------

def test_panorama_caps_each_box_lists_leaders_first_and_keeps_everyone_in_panel_and_find():
    profile = synthetic_profile(5000)
    pano = chain_panorama.chain_panorama(profile, synthetic_gaps(profile), cap=12)
    boxes = [s for stage in pano["stages"] for s in stage["segments"]]
    assert [st["label"] for st in pano["stages"]] == ["中游"] and len(boxes) == 10
    for box, seg in zip(boxes, profile["segments"]):
        assert len(box["chips"]) == 12 and box["more"] == 500 - 12 and box["total"] == 500
        roles = [c["role"] for c in box["chips"]]
        assert roles == sorted(roles, key=chain_panorama.ROLE_ORDER.get), "链主 and 龙头 first"
        listed = [v["text"] for f in pano["panel"][box["ref"]]["facts"] if f["label"] == "企业" for v in f["values"]]
        assert set(seg["enterprises"]) <= set(listed), "the panel lists every enterprise the box counts"
    assert boxes[0]["chips"][0]["badge"] == "★链主" and boxes[0]["grade"] == "potential"
    assert sum(b["grade"] == "blank" for b in boxes) == 2
    found = {row[0] for row in pano["find"]}
    assert {e["name"] for e in profile["enterprises"]} <= found, "members are found too"
    assert {s["name"] for s in profile["segments"]} | {p["name"] for p in profile["parks"]} <= found


def test_panorama_puts_enterprises_without_a_segment_in_their_own_area(jinan_store):
    expected = {"汽车": {"国家电投", "比亚迪"}, "航空航天暨低空经济": {"中科卫星", "时代低空", "未来导航"}}
    for chain, names in expected.items():
        profile = questions.chain_profile(jinan_store, chain)
        assessed = report.chain_assessment(jinan_store, profile["chain"])
        pano = chain_panorama.chain_panorama(profile, assessed["gaps"])
        unplaced = {c["name"] for c in pano["unplaced"]["chips"]}
        assert names <= unplaced and pano["unplaced"]["count"] == assessed["summary"]["unplaced_count"]
        assert pano["unplaced"]["title"] == f"尚未划分环节 ({pano['unplaced']['count']})"
        in_boxes = {c["name"] for st in pano["stages"] for s in st["segments"] for c in s["chips"]}
        assert not names & in_boxes
        grades = {s["name"]: s["grade"] for st in pano["stages"] for s in st["segments"]}
        assert grades == {g["segment"]: g["grade"] for g in assessed["gaps"]}
    auto = chain_panorama.chain_panorama(questions.chain_profile(jinan_store, "汽车"), [])
    assert [st["label"] for st in auto["stages"]] == ["上游", "中游", "下游"]
    assert auto["unplaced"]["chips"][0]["badge"] == "★链主"


def test_overview_matrix_colours_each_stage_by_its_mean_grade(jinan_store):
    chains = questions.list_chains(jinan_store, "landmark")["chains"]
    profiles = [questions.chain_profile(jinan_store, c["name"]) for c in chains]
    assessed = [report.chain_assessment(jinan_store, c) for c in chains]
    matrix = overview_matrix.overview_matrix(profiles, [a["gaps"] for a in assessed],
                                             [a["summary"] for a in assessed])
    assert [s["label"] for s in matrix["stages"]] == ["上游", "中游", "下游", "配套支撑"]
    assert len(matrix["rows"]) == 13
    auto = next(r for r in matrix["rows"] if r["name"] == "汽车")
    assert [c["grade"] for c in auto["cells"]] == ["blank", "strong", "blank", None]
    assert [s["name"] for s in auto["cells"][1]["segments"]] == ["整车制造"] and auto["unplaced"] == 2
    for row, a in zip(matrix["rows"], assessed):
        graded = {g["segment"]: g["grade"] for g in a["gaps"]}
        for cell in row["cells"]:
            assert cell["grade"] == overview_matrix.mean_grade([graded[s["name"]] for s in cell["segments"]])
            assert all(s["grade"] == graded[s["name"]] for s in cell["segments"])
    assert overview_matrix.mean_grade(["strong", "blank", "blank"]) == "weak"
    assert overview_matrix.mean_grade(["weak", "potential"]) == "potential" and overview_matrix.mean_grade([]) is None


def test_panel_links_only_web_addresses_and_reads_structured_reasons():
    rows = panel.sources([{"id": 1, "title": "甲", "url": "javascript:alert(1)"},
                          {"id": 2, "title": "乙", "url": "https://example.org/a?b=1"},
                          {"id": 3, "title": "丙", "url": 'https://example.org/"><script>alert(2)</script>'},
                          {"id": 2, "title": "乙", "url": "https://example.org/a?b=1"}])
    assert [(r["title"], r["url"]) for r in rows] == [("甲", ""), ("乙", "https://example.org/a?b=1"), ("丙", "")]
    assert rows[0]["text"] == "javascript:alert(1)", "an address that is not a web address stays text"
    assert panel.reason_text("plain", "zh") == "plain"
    assert panel.reason_text({"code": "none", "text": "fallback"}, "en") == "(none)"
    assert panel.reason_text({"code": "no.such.key", "text": "无本地企业"}, "zh") == "无本地企业"


def test_every_page_word_has_both_languages():
    keys = [k for k in i18n.MESSAGES if k.startswith("page.")]
    assert len(keys) > 100
    for key in keys:
        zh, en = i18n.MESSAGES[key]
        assert zh and en and sorted(re.findall(r"{\w+}", zh)) == sorted(re.findall(r"{\w+}", en)), key
        assert not re.search(r"[\u4e00-\u9fff]", en), key
