"""Real browser tests: the pages open in headless Debian chromium (Playwright) with every request blocked and recorded.

For each kind of page (chain map, overview, district map, report index, sources) the test checks that the network
was drawn with the nodes the Python side built (after a click on its tab where the page opens on another view), that
no request left the page, that the console stayed clean, and that the injection fixture executed nothing. At
1440×900 it measures the default views (every visible label at least 12 px, no two labels overlapping), drives the
side panel, the find box and printing, and checks the language of the page text. It saves screenshots of the report
index, the overview and the 汽车 and 集成电路 maps, and the draw times of large synthetic maps, in
``test-artifacts/``.

Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright`` package (the ``test`` extra); no browser
is downloaded. Without them the tests are skipped, saying why.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_report import INJECT
from test_viz import page_data, synthetic_gaps, synthetic_profile

from kg import questions, report, viz
from kg.build import build_store

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

VIEWPORT = {"width": 1440, "height": 900}
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="no chromium: apt-get install chromium (.ci/run installs it)")


@dataclass
class Visit:
    """One page opened with all requests but the page itself blocked."""

    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def left_the_page(self) -> list[str]:
        return [u for u in self.requests if u != self.url]

    def assert_clean(self) -> None:
        assert self.left_the_page == [], f"requests left {self.url}: {self.left_the_page}"
        assert self.errors == [], f"console errors on {self.url}: {self.errors}"
        assert self.dialogs == [], f"dialogs opened on {self.url}: {self.dialogs}"
        assert self.page.evaluate("window.__xss") is False, "an injected script ran"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser):
    """Open pages in a fresh browser context: every request except the page itself is recorded and aborted."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.add_init_script("window.__xss = false;")
    pages = []

    def open_page(path: Path, drawn: bool = True) -> Visit:
        page = context.new_page()
        pages.append(page)
        seen = Visit(page, path.resolve().as_uri())

        def route(r):
            seen.requests.append(r.request.url)
            if r.request.url == seen.url:
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
        page.goto(seen.url, wait_until="load")
        if drawn:
            if page.query_selector("#tab-network"):  # the network sits one tab away from the default view
                page.click("#tab-network")
            page.wait_for_selector("html[data-drawn]", state="attached", timeout=30_000)
        while len(pages) > 2:
            pages.pop(0).close()
        return seen

    yield open_page
    context.close()


def drawn_nodes(seen: Visit) -> dict:
    """What vis-network holds and drew: data-set size, node objects built, whether the first frame was drawn."""
    return seen.page.evaluate("""() => ({
        data: chainkg.network.body.data.nodes.length,
        built: Object.keys(chainkg.network.body.nodes).length,
        edges: Object.keys(chainkg.network.body.edges).length,
        drawn: chainkg.drawn, ms: chainkg.drawMs,
        canvas: document.querySelector('#map canvas').width })""")


@pytest.fixture(scope="module")
def jinan_pages(jinan_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "out"
    report.write_report(jinan_store, out)
    district = out.parent / "licheng.html"
    district.write_text(report.district_map(jinan_store, "历城区"), encoding="utf-8")
    return out, district


def test_harness_catches_requests_leaving_the_page(visit, tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><link rel="stylesheet" href="https://cdn.example.org/x.css">'
                    '<img src="https://example.org/a.png"><img src="local.png">'
                    '<script>fetch("http://example.org/api").catch(() => {})</script>', encoding="utf-8")
    seen = visit(page, drawn=False)
    seen.page.wait_for_timeout(200)
    assert {"https://cdn.example.org/x.css", "https://example.org/a.png", "http://example.org/api"} <= set(
        seen.left_the_page)
    assert any(u.endswith("/local.png") for u in seen.left_the_page), "file:// requests are caught too"


def test_every_chain_map_draws_all_its_nodes_offline(visit, jinan_pages, jinan_store):
    out, _ = jinan_pages
    chains = questions.list_chains(jinan_store, "landmark")["chains"]
    assert len(chains) == 13
    for chain in chains:
        path = out / "maps" / f"{report.slug(chain['iri'])}.html"
        profile = questions.chain_profile(jinan_store, chain["name"])
        expected = viz.chain_network(profile, report.chain_assessment(jinan_store, chain)["gaps"])
        seen = visit(path)
        seen.assert_clean()
        drawn = drawn_nodes(seen)
        assert drawn["drawn"] and drawn["canvas"] > 0
        assert drawn["data"] == drawn["built"] == len(expected.nodes), chain["name"]
        assert drawn["edges"] == len(expected.edges), chain["name"]
        if chain["name"] == "集成电路":
            ARTIFACTS.mkdir(exist_ok=True)
            seen.page.screenshot(path=str(ARTIFACTS / "chain-map-ic.png"), full_page=True)
            assert (ARTIFACTS / "chain-map-ic.png").stat().st_size > 10_000


def test_overview_and_district_maps_draw(visit, jinan_pages):
    out, district = jinan_pages
    for path in (out / "overview.html", district):
        expected = page_data(path.read_text(encoding="utf-8"))
        seen = visit(path)
        seen.assert_clean()
        drawn = drawn_nodes(seen)
        assert drawn["data"] == drawn["built"] == len(expected["nodes"]) > 15, path.name


def test_index_and_sources_pages_open_offline(visit, jinan_pages):
    out, _ = jinan_pages
    seen = visit(out / "index.html", drawn=False)
    seen.assert_clean()
    page = seen.page
    assert page.evaluate("document.querySelectorAll('a[href^=\"maps/\"]').length") >= 13
    assert page.evaluate("document.querySelectorAll('td.heat').length") >= 13
    assert "产业链一览" in page.inner_text("main")
    sources = visit(out / "sources.html", drawn=False)
    sources.assert_clean()
    assert sources.page.evaluate("document.querySelectorAll('tbody tr').length") > 10
    links = sources.page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .filter(a => !a.getAttribute('href').startsWith('index.html'))
        .map(a => ({href: a.getAttribute('href'), rel: a.rel, target: a.target}))""")
    assert len(links) > 10, "source addresses are links"
    assert all(a["href"].startswith(("http://", "https://")) and a["rel"] == "noopener noreferrer"
               and a["target"] == "_blank" for a in links), links


@pytest.fixture(scope="module")
def inject_pages(tmp_path_factory):
    where = tmp_path_factory.mktemp("inject-browser")
    store = build_store(INJECT, where / "store")
    out = where / "out"
    report.write_report(store, out)
    (where / "district.html").write_text(report.district_map(store, "历城区"), encoding="utf-8")
    (where / "map-en.html").write_text(report.chain_map(store, "IC", lang="en"), encoding="utf-8")
    return out, where


def test_injection_fixture_executes_nothing(visit, inject_pages):
    out, where = inject_pages
    maps = [out / "overview.html", *sorted((out / "maps").glob("*.html")), where / "district.html",
            where / "map-en.html"]
    for path in maps:
        seen = visit(path)
        seen.assert_clean()
        assert drawn_nodes(seen)["built"] == len(page_data(path.read_text(encoding="utf-8"))["nodes"])
        assert seen.page.evaluate("document.querySelectorAll('img, svg, iframe, b, textarea').length") == 0
    for path in (out / "index.html", out / "sources.html"):
        seen = visit(path, drawn=False)
        seen.assert_clean()
        assert seen.page.evaluate("document.querySelectorAll('img, svg, iframe, b, textarea').length") == 0
    index = visit(out / "index.html", drawn=False)
    assert "芯片<img src=x onerror=alert(1)>" in index.page.inner_text("main"), "the label shows as text"


def test_injected_labels_show_as_text_in_heading_menu_and_tooltip(visit, inject_pages):
    out, _ = inject_pages
    seen = visit(out / "maps" / "chips.html")
    page = seen.page
    assert "芯片<img src=x onerror=alert(1)>" in page.inner_text("h1")
    found = page.evaluate("chainkg.search('甲芯片')")
    assert any(o.startswith("甲芯片公司<img src=x onerror=alert(5)>") for o in found), found
    node = page.evaluate("""() => {
        const id = chainkg.nodes.get().find(n => n.group === 'chain_master').id;
        const at = chainkg.network.canvasToDOM(chainkg.network.getPosition(id));
        const box = document.getElementById('map').getBoundingClientRect();
        return {x: box.left + at.x, y: box.top + at.y};
    }""")
    page.mouse.move(node["x"] - 30, node["y"] - 30)
    page.mouse.move(node["x"], node["y"], steps=5)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    tip = page.evaluate("""() => { const t = document.querySelector('div.vis-tooltip');
                                   return {text: t.innerText, elements: t.querySelectorAll(':not(br)').length}; }""")
    # innerText turns line breaks into <br>; any other element would have come from the data
    assert "甲芯片公司<img src=x onerror=alert(5)>" in tip["text"] and tip["elements"] == 0
    assert "测试市产业链评估报告<img src=x onerror=alert(14)>" in tip["text"], "the tooltip names the source"
    seen.assert_clean()


def test_large_synthetic_maps_stay_responsive(visit, tmp_path):
    """Draw time of big maps: collapsed (the default) and with every enterprise drawn."""
    timings = {}
    for enterprises, collapse in ((5000, viz.COLLAPSE), (1000, None), (5000, None), (10000, None)):
        profile = synthetic_profile(enterprises)
        path = tmp_path / f"synthetic-{enterprises}-{collapse}.html"
        html = report.chain_page(profile, synthetic_gaps(profile), collapse=collapse)
        path.write_text(html, encoding="utf-8")
        nodes = len(page_data(html)["nodes"])
        seen = visit(path)
        seen.assert_clean()
        drawn = drawn_nodes(seen)
        assert drawn["built"] == nodes
        frame = seen.page.evaluate("""() => new Promise(done => {
            const started = performance.now();
            chainkg.network.once('afterDrawing', () => done(performance.now() - started));
            chainkg.network.moveTo({scale: chainkg.network.getScale() * 1.5});
        })""")
        timings[f"{enterprises} enterprises, collapse={collapse}"] = {
            "nodes": nodes, "edges": drawn["edges"], "first_draw_ms": round(drawn["ms"]),
            "zoom_frame_ms": round(frame), "html_bytes": len(html.encode("utf-8"))}
        # generous bounds for slow CI machines; the measured times are in test-artifacts/draw-times.json
        assert drawn["ms"] < 3 * enterprises and frame < 3_000, timings
    assert timings[f"5000 enterprises, collapse={viz.COLLAPSE}"]["nodes"] < 100
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "draw-times.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(timings, indent=2))


# --- the default views at 1440×900: readable, panel, find, print, language -----------------------------------------

#: Every visible text of the page, one rect per line fragment, with its font size and where it sits (classes of the
#: nearest marked ancestor: a name, a source title, an address, a literal, analysis text, Chinese-only name).
TEXTS = """(root) => {
    const out = [];
    const walker = document.createTreeWalker(document.querySelector(root || 'body'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(), i = 0; node; node = walker.nextNode(), i++) {
        const text = node.textContent.trim();
        const parent = node.parentElement;
        if (!text || !parent || parent.closest('script, style, title')) continue;
        if (!parent.checkVisibility({checkVisibilityCSS: true, checkOpacity: true})) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rects = Array.from(range.getClientRects()).filter(r => r.width > 0.5 && r.height > 0.5)
            .map(r => ({x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}));
        if (!rects.length) continue;
        const marked = parent.closest('.nm, .src, .url, .lit, .reason, .zh-only');
        out.push({i, text, size: parseFloat(getComputedStyle(parent).fontSize), rects,
                  cls: marked ? marked.className : '', zhOnly: !!parent.closest('.zh-only')});
    }
    return out;
}"""


def overlaps(texts: list[dict], slack: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of different texts whose line boxes overlap by more than ``slack`` px both ways."""
    boxes = sorted((r["y"], r["y"] + r["h"], r["x"], r["x"] + r["w"], t["i"], t["text"])
                    for t in texts for r in t["rects"])
    found = []
    for a, first in enumerate(boxes):
        for second in boxes[a + 1:]:
            if second[0] >= first[1] - slack:
                break
            if first[4] != second[4] and min(first[3], second[3]) - max(first[2], second[2]) > slack \
                    and min(first[1], second[1]) - max(first[0], second[0]) > slack:
                found.append((first[5], second[5]))
    return found


def test_overlap_measure_catches_overlapping_and_tiny_labels(visit, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><meta charset="utf-8"><body><p style="font-size:9px">小字</p>'
                    '<p style="position:absolute;top:0;left:0;font-size:14px">重叠的标签</p>'
                    '<p style="position:absolute;top:2px;left:4px;font-size:14px">另一个标签</p>', encoding="utf-8")
    texts = visit(page, drawn=False).page.evaluate(TEXTS, "body")
    assert [t["text"] for t in texts if t["size"] < 12] == ["小字"]
    assert ("重叠的标签", "另一个标签") in overlaps(texts) or ("另一个标签", "重叠的标签") in overlaps(texts)


DEFAULT_VIEWS = {"report-index": "index.html", "overview": "overview.html", "chain-map-auto": "maps/auto.html",
                 "chain-map-ic": "maps/ic.html"}


@pytest.mark.parametrize("name", DEFAULT_VIEWS)
def test_default_views_are_readable_at_1440x900(visit, jinan_pages, name):
    """Screenshot saved; every visible label ≥ 12 px; no two labels overlap; the network is not the default view."""
    out, _ = jinan_pages
    seen = visit(out / DEFAULT_VIEWS[name], drawn=False)
    seen.assert_clean()
    page = seen.page
    assert page.viewport_size == VIEWPORT
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    texts = page.evaluate(TEXTS, "body")
    assert len(texts) > 40, name
    small = sorted({(t["text"][:30], t["size"]) for t in texts if t["size"] < 12})
    assert small == [], f"{name}: labels under 12 px: {small}"
    assert overlaps(texts) == [], f"{name}: overlapping labels"
    if name != "report-index":
        assert page.evaluate("document.getElementById('view-network').hidden") is True
        assert page.evaluate("chainkg.network") is None, "the network is drawn only when its tab is opened"


def test_chain_panorama_lists_segments_by_stage_with_chain_masters_first(visit, jinan_pages, jinan_store):
    out, _ = jinan_pages
    page = visit(out / "maps" / "auto.html", drawn=False).page
    stages = page.evaluate("""() => Array.from(document.querySelectorAll('.stage')).map(s => ({
        head: s.querySelector('.stage-h').firstChild.textContent.trim(),
        segs: Array.from(s.querySelectorAll('.seg')).map(b => ({
            name: b.querySelector('.seg-h .nm').textContent, grade: b.className,
            chips: Array.from(b.querySelectorAll('.chip')).map(c => c.textContent)}))}))""")
    assert [s["head"] for s in stages] == ["上游", "中游", "下游"]
    profile = questions.chain_profile(jinan_store, "汽车")
    for stage, position in zip(stages, ("upstream", "midstream", "downstream")):
        expected = [s["name"] for s in sorted(profile["segments"], key=lambda s: s["sequence"])
                    if s["position"] == position]
        assert [s["name"] for s in stage["segs"]] == expected
    vehicle = next(s for s in stages[1]["segs"] if s["name"] == "整车制造")
    assert "g-strong" in vehicle["grade"] and vehicle["chips"][0] == "★链主中国重汽集团济南卡车股份有限公司"
    assert set(vehicle["chips"][1:]) == {"中国重汽(济南)轻卡", "吉利"}
    assert all("g-blank" in s["grade"] for s in stages[0]["segs"]), "gaps keep their grade marks"
    unplaced = page.evaluate("""() => ({head: document.querySelector('.unplaced h2').textContent,
        chips: Array.from(document.querySelectorAll('.unplaced .chip')).map(c => c.textContent),
        isSegment: !!document.querySelector('.unplaced').closest('.stage')})""")
    assert unplaced == {"head": "尚未划分环节 (2)", "chips": ["★链主国家电投", "★链主比亚迪"], "isSegment": False}


def test_side_panel_shows_facts_and_sources_as_links(visit, jinan_pages):
    out, _ = jinan_pages
    seen = visit(out / "maps" / "auto.html", drawn=False)
    page = seen.page
    page.click(".seg:has-text('整车制造') .seg-h")
    assert page.inner_text("#panel h3") == "整车制造"
    assert "优势" in page.inner_text("#panel") and "中国重汽(济南)轻卡" in page.inner_text("#panel")
    page.click(".chip:has-text('中国重汽集团济南卡车股份有限公司')")
    panel = page.inner_text("#panel")
    assert page.inner_text("#panel h3") == "中国重汽集团济南卡车股份有限公司"
    assert "链主" in panel and "莱芜区" in panel and "山东重工绿色智造产业城" in panel
    links = page.evaluate("""() => Array.from(document.querySelectorAll('#panel a[href]')).map(a => (
        {href: a.getAttribute('href'), rel: a.rel, target: a.target}))""")
    assert {"href": "http://www.gdmsci.cn/post/0rPLNJMoSxpq.html", "rel": "noopener noreferrer",
            "target": "_blank"} in links
    selected = page.evaluate("""() => { const r = document.createRange();
        r.selectNodeContents(document.getElementById('panel-body'));
        getSelection().removeAllRanges(); getSelection().addRange(r);
        return {text: getSelection().toString(), style: getComputedStyle(document.getElementById('panel')).userSelect};
    }""")
    assert "中国重汽集团济南卡车股份有限公司" in selected["text"] and selected["style"] != "none"
    page.click(".unplaced h2")
    assert page.inner_text("#panel h3") == "尚未划分环节 (2)" and "比亚迪" in page.inner_text("#panel")
    page.click("#tab-network")
    page.wait_for_selector("html[data-drawn]", state="attached", timeout=30_000)
    node = page.evaluate("""() => {
        const id = chainkg.nodes.get().find(n => n.group === 'chain_master' && n.name.startsWith('比亚迪')).id;
        const at = chainkg.network.canvasToDOM(chainkg.network.getPosition(id));
        const box = document.getElementById('map').getBoundingClientRect();
        return {x: box.left + at.x, y: box.top + at.y};
    }""")
    page.mouse.click(node["x"], node["y"])
    assert page.inner_text("#panel h3") == "比亚迪", "a network node opens the same panel"
    seen.assert_clean()


@pytest.mark.parametrize("query, found", [("吉利", "吉利"), ("整车", "整车制造"), ("明水", "明水经开区"),
                                          ("十五个五年", "济南市国民经济和社会发展第十五个五年规划纲要(草案)"),
                                          ("BYD", "比亚迪")])
def test_find_box_finds_members_segments_parks_policies(visit, jinan_pages, query, found):
    page = visit(jinan_pages[0] / "maps" / "auto.html", drawn=False).page
    page.fill("#find", query)
    hits = page.locator("#find-results button")
    assert found in hits.all_inner_texts()[0]
    hits.first.click()
    assert page.inner_text("#panel h3") == found
    assert page.evaluate("document.querySelectorAll('#view-main .hit').length") >= 1


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The page sizes (points) of a PDF chromium wrote (page objects are not compressed)."""
    boxes = re.findall(rb"/Type\s*/Page\b.*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf, re.S)
    assert len(boxes) == len(re.findall(rb"/Type\s*/Page\b", pdf))
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_printing_a_chain_map_gives_one_a4_landscape_page(visit, jinan_pages):
    out, _ = jinan_pages
    index = visit(out / "index.html", drawn=False).page
    assert len(pdf_pages(index.pdf())) > 1, "the page counter sees several pages"
    for path in sorted((out / "maps").glob("*.html")):  # every chain map prints on one sheet
        page = visit(path, drawn=False).page
        assert len(pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))) == 1, path.name
    for name in ("auto", "ic"):
        page = visit(out / "maps" / f"{name}.html", drawn=False).page
        assert page.is_visible("#print") and page.inner_text("#print") == "打印/导出 PDF"
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"chain-map-{name}.pdf").write_bytes(pdf)
        sizes = pdf_pages(pdf)
        assert len(sizes) == 1, (name, sizes)
        width, height = sizes[0]
        assert width > height and abs(width - 841.9) < 2 and abs(height - 595.3) < 2, "A4 landscape"
        page.emulate_media(media="print")
        assert page.evaluate("""() => ['#panel', '.toolbar', '#view-network'].every(s =>
            getComputedStyle(document.querySelector(s)).display === 'none')""")
        assert page.is_visible(".pano")


ENGLISH = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: A command-line option quoted in a note (``--tier key``) is code, not an English word.
OPTION = re.compile(r"--[a-z][a-z-]*(?: [a-z]+\b)?")
#: Words a Chinese page may show outside names: the format the print button names.
ACRONYMS = {"PDF"}


def words_outside_names(texts: list[dict], lang: str) -> list[str]:
    """The texts holding a word of the other language outside names, codes, source titles, addresses."""
    out = []
    for t in texts:
        cls = set(t["cls"].split())
        if lang == "zh":
            if cls & {"nm", "src", "url", "lit"}:
                continue
            if any(w not in ACRONYMS for w in ENGLISH.findall(OPTION.sub("", t["text"]))):
                out.append(t["text"])
        elif not (t["zhOnly"] or cls & {"src", "url"}) and CJK.search(t["text"]):
            out.append(t["text"])
    return sorted(set(out))


@pytest.fixture(scope="module")
def english_pages(jinan_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-en") / "out"
    report.write_report(jinan_store, out, lang="en")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_text_is_in_the_page_language(visit, jinan_pages, english_pages, jinan_store, lang):
    """Chinese pages: no English word outside names, codes, source titles and addresses; English pages: no Chinese
    outside names the data has no English for and source titles. Checked on the default views and open panels."""
    out = jinan_pages[0] if lang == "zh" else english_pages
    for path in ("index.html", "overview.html", "maps/auto.html", "maps/ic.html", "sources.html"):
        page = visit(out / path, drawn=False).page
        texts = page.evaluate(TEXTS, "body")
        wrong = words_outside_names(texts, lang)
        assert wrong == [], (lang, path, wrong)
        if path.startswith("maps/"):
            for target in (".seg", ".stage .chip", ".context section:nth-child(1) .chip",
                           ".context section:nth-child(3) .chip"):
                page.click(target + " >> nth=0")
                panel = page.evaluate(TEXTS, "#panel")
                assert words_outside_names(panel, lang) == [], (lang, path, target)
    assert words_outside_names([{"text": "no local enterprise", "cls": "", "zhOnly": False}], "zh")
    assert words_outside_names([{"text": "上游", "cls": "nm", "zhOnly": False}], "en")
