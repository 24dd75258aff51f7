"""Chinese first, English complete: the wording catalogue (kg/i18n.py) and every table command in both languages.

The catalogue: every message and code label has a Chinese and an English form, the Chinese has no Latin word (codes
and units aside), the English no Chinese character, and the code labels the ontology also gives agree with it.

The commands, run in-process on the bundled Jinan data in table and CSV format: with the default language the output
holds no English word but proper names and codes found in the data (titles, names, document numbers, units, URLs);
with ``--lang en`` no Chinese character but names the data has in Chinese only, document titles, quotes and other
Chinese-only data text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from cli import cli
from kg import codes, paths
from kg.i18n import CODES, MESSAGES, Note, code, say, t

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z]+")
#: Codes and units a Chinese text may hold.
CODE_WORDS = {"GB", "T", "chainkg", "PFlops", "EFlops", "IC", "AI", "PDF", "xlsx", "csv", "json", "CSV", "JSON"}
#: Spans that are codes, not words: URLs, IRIs, command-line options with their value, commands in backticks.
CODE_SPANS = re.compile(r"https?://\S+|<https?://[^>]*>|`[^`]*`|--[a-z][a-z-]*(?: [a-z0-9]+)?"
                        r"|(?<![\w-])-[a-z]\b|\.(?:xlsx|csv|json|html|pdf)\b")

# --- the catalogue ---------------------------------------------------------------------------------------------


def _latin_words(text: str) -> set[str]:
    """Latin words of a Chinese text, codes, fields (``{name}``) and option names taken out."""
    text = re.sub(r"\{[^}]*\}", "", CODE_SPANS.sub("", text))
    return {w for w in LATIN_WORD.findall(text) if w not in CODE_WORDS}


def test_every_message_has_both_languages_and_no_mixing():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en, key
        assert not _latin_words(zh), (key, zh, _latin_words(zh))
        assert not CJK.search(en), (key, en)
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", en)), (key, "fields differ")


def test_every_code_label_has_both_languages_and_no_mixing():
    for group, labels in CODES.items():
        for value, (zh, en) in labels.items():
            assert zh and en, (group, value)
            assert not _latin_words(zh), (group, value, zh)
            assert not CJK.search(en), (group, value, en)


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(paths.ontology_file())


def _labels(graph: rdflib.Graph, subject: str, prop) -> tuple[str, str]:
    found = {lit.language: str(lit) for lit in graph.objects(rdflib.URIRef(subject), prop)}
    return found.get("zh"), found.get("en")


#: CODES group → the code list (:mod:`kg.codes`) whose ontology individuals label the same values.
INDIVIDUAL_GROUPS = {"position": codes.POSITION, "level": codes.LEVEL, "confidence": codes.CONFIDENCE,
                     "chain_group": codes.GROUP, "indicator_kind": codes.INDICATOR_KIND,
                     "source_kind": codes.SOURCE_KIND}
#: CODES group → code list of ontology classes (labelled with rdfs:label).
CLASS_GROUPS = {"tier": codes.TIER, "park_kind": codes.PARK_KIND}


@pytest.mark.parametrize("group", sorted(INDIVIDUAL_GROUPS))
def test_code_labels_agree_with_the_ontology_individuals(ontology, group):
    listed = INDIVIDUAL_GROUPS[group]
    assert set(CODES[group]) == set(listed), group
    for value, individual in listed.items():
        assert CODES[group][value] == _labels(ontology, individual, rdflib.SKOS.prefLabel), (group, value)


@pytest.mark.parametrize("group", sorted(CLASS_GROUPS))
def test_code_labels_agree_with_the_ontology_classes(ontology, group):
    for value, cls in CLASS_GROUPS[group].items():
        assert CODES[group][value] == _labels(ontology, cls, rdflib.RDFS.label), (group, value)


def test_class_labels_are_the_ontology_labels_of_every_class(ontology):
    ns = "https://w3id.org/chainkg/ontology#"
    classes = {str(c)[len(ns):] for c in ontology.subjects(rdflib.RDF.type, rdflib.OWL.Class) if str(c).startswith(ns)}
    assert set(CODES["class"]) == classes
    for local in classes:
        assert CODES["class"][local] == _labels(ontology, ns + local, rdflib.RDFS.label), local


def test_a_note_is_english_text_that_shows_in_chinese():
    note = Note("reason.betweenness", value=0.13, threshold=0.1)
    assert note == "high betweenness 0.13 (≥ 0.1): on many supply paths"
    assert say(note, "zh") == "介数 0.13 (≥ 0.1):位于多条供应路径上"
    assert json.loads(json.dumps([note])) == [str(note)]
    assert note.as_dict() == {"code": "betweenness", "value": 0.13, "threshold": 0.1}
    import copy
    import pickle
    assert say(pickle.loads(pickle.dumps(note)), "zh") == say(copy.deepcopy(note), "zh") == say(note, "zh")
    names = Note("reason.local_upstream", segments=[{"name": "甲", "name_en": "A", "count": 2},
                                                    {"name": "乙", "name_en": None, "count": 1}])
    assert say(names, "zh") == "本地上游:甲 (2)、乙 (1)" and names == "local upstream: A (2), 乙 (1)"
    assert code("position", "upstream") == "上游" and code("position", "upstream", "en") == "upstream"
    assert t("short.enterprises", "en", count=1) == "1 local enterprise"


# --- the commands ----------------------------------------------------------------------------------------------

COMMANDS = [
    ("chains",), ("chains", "--tier", "key"), ("show", "济发〔2023〕7号"), ("show", "历城区"), ("show", "比亚迪"),
    ("stats",), ("policies", "集成电路"), ("chain", "汽车"), ("chain", "集成电路"), ("enterprises", "汽车"),
    ("parks", "现代医药"), ("district", "历城区"), ("policy", "济发〔2023〕7号"), ("gaps", "集成电路"), ("gaps",),
    ("coverage",), ("coverage", "--by", "grade"), ("coverage", "--by", "bridge"), ("mismatches",),
    ("indicators",), ("indicators", "--all"), ("indicators", "汽车"), ("show", "\"云帆计划\"服务企业"),
    ("district", "济南市"),
]
#: Columns of the data that hold text the data gives in Chinese only (titles, quotes, positioning statements…).
CHINESE_ONLY = {"title", "label", "doc_number", "issuer", "positioning_zh", "description_zh", "quote", "unit", "outlet",
                "target_note", "name", "period"}
#: English names shown by ``show`` as facts (the name_en literal is a fact of the entity).
SHOWN_ENGLISH = {"历城区": "Licheng District", "比亚迪": "BYD",
                 "\"云帆计划\"服务企业": "Firms served by the Yunfan programme"}


def _rows(folder: Path):
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            yield from ((path.stem, row) for row in csv.DictReader(f))


@pytest.fixture(scope="module")
def allowed(jinan_dir) -> dict:
    """What may stay in the other language: ``latin`` (words a Chinese output may hold) and ``chinese`` (texts an
    English output may hold), both from the data."""
    latin, chinese = set(CODE_WORDS), set()
    for table, row in _rows(jinan_dir):
        for column, value in row.items():
            if not value:
                continue
            if column in CHINESE_ONLY or column in ("name_zh", "measure_zh", "alias") or table == "sources":
                latin |= set(LATIN_WORD.findall(value))
            if column in CHINESE_ONLY or table == "sources":
                chinese.add(value)
        for zh, en in (("name_zh", "name_en"), ("measure_zh", "measure_en")):
            if row.get(zh) and not row.get(en):
                chinese.add(row[zh])
        if table == "aliases" and row["lang"] == "zh":
            chinese.add(row["alias"])
    # GB/T 4754 class names have no English form in the bundled reference table.
    for line in paths.gbt4754_file().read_text(encoding="utf-8").splitlines()[1:]:
        chinese.add(line.split("\t")[1])
    return {"latin": latin, "chinese": chinese}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The output of a command; with ``--format csv`` the CSV files it writes to ``-o`` (a file, or a folder of
    one file per table), each file's text with its BOM, joined by a blank line."""
    store = tmp_path_factory.mktemp("i18n") / "store"
    outs = tmp_path_factory.mktemp("i18n-csv")
    made = iter(range(10**6))

    def invoke(*args: str) -> str:
        extra = []
        if "csv" in args and "--format" in args:
            target = outs / f"out-{next(made)}"
            extra = ["-o", str(target)]
        result = CliRunner().invoke(cli, [*args, "--store", str(store), *extra], catch_exceptions=False)
        if extra and result.exit_code != 0:  # one table: a file
            result = CliRunner().invoke(cli, [*args, "--store", str(store), "-o", f"{target}.csv"],
                                        catch_exceptions=False)
            target = Path(f"{target}.csv")
        assert result.exit_code == 0, result.output
        if not extra:
            return result.output
        files = sorted(target.glob("*.csv")) if target.is_dir() else [target]
        texts = [f.read_bytes().decode("utf-8") for f in files]
        assert texts and all(text.startswith("\ufeff") for text in texts), target
        return "\n".join(texts)

    return invoke


def _text_lines(output: str, fmt: str) -> list[str]:
    """The lines to check, without the listing of sources (titles, outlets, URLs of documents: proper names); in CSV
    one cell a line (header rows included: they are the headers people read), the sources column left out."""
    if fmt == "csv":
        lines, header, skip = [], True, set()
        for row in csv.reader(io.StringIO(output)):
            if row and row[0].startswith("\ufeff"):
                header = True
            row = [c.lstrip("\ufeff") for c in row]
            if not row:
                continue
            if header:
                skip, header = {i for i, c in enumerate(row) if c in ("sources", "来源")}, False
            lines += [c for i, c in enumerate(row) if i not in skip]
        return lines
    lines, listing = [], False
    for line in output.splitlines():
        if line.startswith("== "):
            listing = line in ("== 来源 ==", "== sources ==")
        if not listing:
            lines.append(line)
    return lines


def english_words(output: str, fmt: str, latin: set[str]) -> list[str]:
    """Latin words of an output that are not names or codes from the data."""
    found = []
    for line in _text_lines(output, fmt):
        words = LATIN_WORD.findall(CODE_SPANS.sub("", line))
        found += [w for w in words if w not in latin and not (w + "…" in line and any(a.startswith(w) for a in latin))]
    return found


def chinese_texts(output: str, fmt: str, chinese: set[str]) -> list[str]:
    """Runs of Chinese characters in an output that are not part of a Chinese-only text of the data."""
    found = []
    for line in _text_lines(output, fmt):
        for run in CJK.findall(CODE_SPANS.sub("", line)):
            if not any(run in text for text in chinese):
                found.append(run)
    return found


@pytest.mark.parametrize("fmt", ["table", "csv"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_default_language_is_chinese_throughout(run, allowed, args, fmt):
    latin = allowed["latin"] | set(LATIN_WORD.findall(SHOWN_ENGLISH.get(args[-1], "")))
    output = run(*args, "--format", fmt)
    assert not english_words(output, fmt, latin), output


@pytest.mark.parametrize("fmt", ["table", "csv"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_english_has_no_chinese_but_names_without_english(run, allowed, args, fmt):
    output = run(*args, "--format", fmt, "--lang", "en")
    assert not chinese_texts(output, fmt, allowed["chinese"] | set(args)), output


def test_gaps_ic_in_chinese_names_its_reasons_and_unplaced(run, allowed):
    output = run("gaps", "集成电路")
    assert not english_words(output, "table", allowed["latin"]), output
    for text in ("集成电路:补链清单", "评级", "原因", "无本地企业", "介数 0.13", "空白", "中游",
                 "本链有 1 家企业尚未划分环节:比亚迪半导体"):
        assert text in output, text
    rows = list(csv.reader(io.StringIO(run("gaps", "集成电路", "--format", "csv").lstrip("\ufeff"))))
    cells = {c for row in rows for c in row}
    assert "介数 0.13 (≥ 0.1):位于多条供应路径上" in "".join(cells) and {"空白", "中游", "(未划分环节)"} <= cells
    english = run("gaps", "集成电路", "--lang", "en")
    assert "1 enterprise of this chain has no segment yet: BYD Semiconductor" in english
    assert "Wafer fabrication" in english and "betweenness 0.13" in english


@pytest.mark.parametrize(("chain", "names"), [("汽车", {"国家电投", "比亚迪"}),
                                              ("航空航天暨低空经济", {"中科卫星", "时代低空", "未来导航"})])
def test_gaps_count_and_name_the_enterprises_without_segment(run, chain, names):
    output = run("gaps", chain)
    line = next(line for line in output.splitlines() if line.startswith("本链有 "))
    count = int(re.search(r"本链有 (\d+) 家企业尚未划分环节", line).group(1))
    assert count >= len(names) and all(n in line for n in names), line
    rows = json.loads(run("gaps", chain, "--format", "json"))
    unplaced = rows[0]["chain_unplaced"]
    assert unplaced["count"] == count and names <= {e["name"] for e in unplaced["enterprises"]}
    csv_rows = list(csv.DictReader(io.StringIO(run("gaps", chain, "--format", "csv").lstrip("\ufeff"))))
    assert any(names <= set(r[t("col.enterprises", "zh")].split("; ")) for r in csv_rows)


def test_gap_json_carries_structured_and_rendered_reasons(run):
    rows = json.loads(run("gaps", "集成电路", "--format", "json"))
    fab = next(r for r in rows if r["segment"] == "晶圆制造")
    assert {"code": "no_enterprise"} in fab["reason_codes"]
    central = next(r for r in fab["reason_codes"] if r["code"] == "betweenness")
    assert central["threshold"] == 0.1 and round(central["value"], 2) == 0.13
    assert len(fab["reasons"]) == len(fab["reason_codes"]) and fab["reasons"][0].startswith("no local enterprise")
    upstream = next(r for r in fab["reason_codes"] if r["code"] == "local_upstream")
    assert {s["name"] for s in upstream["segments"]} == {"半导体材料与衬底"}


def test_english_says_once_that_some_names_are_chinese(run):
    output = run("chain", "汽车", "--lang", "en")
    assert output.count(t("tbl.names_zh_only", "en")) == 1
    assert t("tbl.names_zh_only", "en") not in run("stats", "--lang", "en")
