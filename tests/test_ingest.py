"""``chainkg ingest enterprises``: small hand-made registers with exact answers (issue 11)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg.data.ingest import check_credit_code, name_key
from kg.data.review import apply_review, write_review
from kg.identifiers import uscc_check_char
from kg.tables import SPECS, iter_table
from tests.conftest import tree_hash

HEADER = ("统一社会信用代码", "企业名称", "住所", "所属区县", "行业代码", "经营范围", "资质")


def uscc(division: str, serial: int) -> str:
    """A checksum-valid credit code registered in ``division`` (positions 3-8); serial makes it unique."""
    first17 = f"91{division}MA{serial:07d}"
    assert len(first17) == 17
    return first17 + uscc_check_char(first17)


def write_register(path: Path, rows: list[tuple], encoding: str = "utf-8", header=HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def report_of(review: Path) -> dict[int, dict[str, str]]:
    return {int(r["line"]): r for r in read_csv(review / "report.csv")}


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


GOOD = uscc("370102", 1)   # registered in 历下区
LICHENG = uscc("370112", 2)  # registered in 历城区


def damaged_rows() -> list[tuple]:
    digits = "913700001630477270"  # a published, valid all-digit code (see the identifiers reference)
    return [
        (GOOD, "测试晶圆制造有限公司", "济南市历下区经十路1号", "", "C3973", "集成电路晶圆制造",
         "专精特新;高新技术企业"),                                                                # 2 added
        ("9.13700001630477E+17", "科学计数有限公司", "济南市历下区", "", "3973", "", ""),         # 3 refused
        (digits[:17] + "1", "校验错误有限公司", "济南市历下区", "", "3973", "", ""),                # 4 refused
        (digits[1:], "缺位有限公司", "济南市历下区", "", "3973", "", ""),                          # 5 refused
        (digits[:15] + "000", "四舍五入有限公司", "济南市历下区", "", "3973", "", ""),              # 6 refused
        (uscc("370102", 3), "外区有限公司", "北京市朝阳区", "朝阳区", "3973", "", ""),               # 7 review
        (uscc("370102", 4), "未知行业有限公司", "济南市历下区", "", "9999", "", ""),                # 8 review
        (GOOD, "另一个名字有限公司", "济南市历下区", "", "3973", "", ""),                         # 9 review
        (GOOD, "测试晶圆制造股份有限公司", "济南市历下区", "", "3973", "", "专精特新小巨人"),         # 10 merged
        ("", "", "济南市历下区", "", "3973", "", ""),                                           # 11 refused
        (LICHENG, "登记地不同有限公司", "济南市历下区解放路", "", "3973", "", ""),                 # 12 review
        (uscc("370102", 5), "两地有限公司", "济南市历下区与历城区交界", "", "3973", "", ""),        # 13 review
        (uscc("370112", 6), "区县列为准有限公司", "", "历下区", "3973", "", ""),                   # 14 added (note)
    ]


EXPECTED = {  # line: (status, column, value)
    2: ("added", "", ""),
    3: ("refused", "credit_code", "9.13700001630477E+17"),
    4: ("refused", "credit_code", "913700001630477271"),
    5: ("refused", "credit_code", "13700001630477270"),
    6: ("refused", "credit_code", "913700001630477000"),
    7: ("needs review", "district", "朝阳区"),
    8: ("needs review", "industry_code", "9999"),
    9: ("needs review", "credit_code", GOOD),
    10: ("merged", "", ""),
    11: ("refused", "name", ""),
    12: ("needs review", "credit_code", LICHENG),
    13: ("needs review", "address", "济南市历下区与历城区交界"),
    14: ("added", "", ""),
}


def test_damaged_register_exact_statuses_and_nothing_written(tmp_path, data_copy):
    register = write_register(tmp_path / "reg.csv", damaged_rows())
    before = tree_hash(data_copy)
    summary = write_review(register, data_copy, tmp_path / "review")
    report = report_of(tmp_path / "review")
    assert {line: (r["status"], r["column"], r["value"]) for line, r in report.items()} == EXPECTED
    reasons = {line: r["reason"] for line, r in report.items()}
    assert "stored as a number in the spreadsheet: digits lost" in reasons[3]
    assert "check character" in reasons[4]
    assert "a character is missing (a lost leading 9?)" in reasons[5]
    assert "rounded by a spreadsheet to 15 significant digits" in reasons[6]
    assert "not a district or zone of the dataset" in reasons[7]
    assert "not a GB/T 4754-2017 code (2011 edition?)" in reasons[8]
    assert "already belongs to ent:uscc-" in reasons[9]
    assert "enriched with qualifications" in reasons[10]
    assert "registered in 370112 历城区" in reasons[12] and "the address names 历下区" in reasons[12]
    assert "several places" in reasons[13]
    assert "kept the register's district column" in reasons[14]
    assert summary["rows"] == 13 == sum(summary["status"].values())
    assert summary["status"] == {"added": 2, "merged": 1, "needs review": 5, "refused": 5}
    assert tree_hash(data_copy) == before  # nothing written without --apply
    assert (tmp_path / "review" / "report.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    marker = json.loads((tmp_path / "review" / "summary.json").read_text(encoding="utf-8"))
    assert (marker["generator"], marker["kind"]) == ("chainkg", "review")
    assert set(marker["files"]) == {"enterprises.csv", "links.csv", "sources.csv", "report.csv", "summary.txt"}
    ents = {r["enterprise_id"]: r for r in read_csv(tmp_path / "review" / "enterprises.csv")}
    first = ents[f"ent:uscc-{GOOD}"]
    assert (first["place_id"], first["industry_code"], first["qualifications"], first["confidence"]) == (
        "dist:370102", "3973", "专精特新;高新技术企业;专精特新小巨人", "confirmed")
    assert ents[f"ent:uscc-{uscc('370112', 6)}"]["place_id"] == "dist:370102"
    links = read_csv(tmp_path / "review" / "links.csv")
    fab = [r for r in links if r["subject_id"] == f"ent:uscc-{GOOD}" and r["object_id"] == "seg:ic-fab"]
    assert [(r["predicate"], r["confidence"], r["source_ids"].split(";")[1]) for r in fab] == [
        ("in_segment", "partial", "src:M-REGISTER-BOTH")]
    assert all(r["confidence"] != "confirmed" for r in links)


def test_credit_code_damage_is_named():
    assert check_credit_code("9.137E+17")[1].startswith("stored as a number in the spreadsheet: digits lost")
    assert check_credit_code("13700001630477270")[1].startswith("a character is missing (a lost leading 9?)")
    assert check_credit_code(" 913700001630477270 ") == ("913700001630477270", "")


def test_name_key_folds_company_forms_width_and_traditional():
    assert name_key("齐鲁制药集团有限公司") == name_key("齐鲁制药集团") == name_key("齊魯製藥集團股份有限公司")
    assert name_key("ＡＢＣ科技有限责任公司") == name_key("abc科技")


def _single_segment_codes(data_dir: Path) -> dict[str, str]:
    owners: dict[str, list[str]] = {}
    for row in iter_table(data_dir / "segments.csv", SPECS["segments.csv"]):
        for code in row.split("industry_codes"):
            owners.setdefault(code, []).append(row.get("segment_id"))
    return {code: segs[0] for code, segs in owners.items() if len(segs) == 1}


def test_every_single_segment_code_lands_in_its_segment(tmp_path, jinan_dir):
    codes = _single_segment_codes(jinan_dir)
    assert len(codes) > 50
    rows = [(uscc("370102", 100 + i), f"编码测试{i}有限公司", "", "历下区", code, "", "")
            for i, code in enumerate(sorted(codes))]
    write_review(write_register(tmp_path / "codes.csv", rows), jinan_dir, tmp_path / "review")
    report = report_of(tmp_path / "review")
    assert {r["status"] for r in report.values()} == {"added"}
    landed: dict[str, set[str]] = {}
    for link in read_csv(tmp_path / "review" / "links.csv"):
        landed.setdefault(link["subject_id"], set()).add(link["object_id"])
    for i, code in enumerate(sorted(codes)):
        ent = f"ent:uscc-{uscc('370102', 100 + i)}"
        assert codes[code] in landed.get(ent, set()), (code, codes[code], landed.get(ent))


IC_ROWS = [(uscc(division, 200 + i), f"晶圆{i}号有限公司", "", district, "3973", "", "")
           for i, (division, district) in enumerate([("370102", "历下区"), ("370102", "历下区"), ("370112", "历城区"),
                                                     ("370112", "历城区"), ("370112", "历城区")])]


def test_ic_fab_turns_from_blank_and_diff_lists_exactly_the_additions(tmp_path, data_copy):
    store = tmp_path / "store"
    gaps = json.loads(invoke("gaps", "集成电路", "--format", "json", "--data", str(data_copy),
                             "--store", str(store)).output)
    assert next(g for g in gaps if g["segment"] == "晶圆制造")["grade_zh"] == "空白"
    coverage = json.loads(invoke("coverage", "--format", "json", "--data", str(data_copy),
                                 "--store", str(store)).output)
    ic = next(r for r in coverage["rows"] if r["chain"] == "集成电路")
    before_counts = (ic["counts"]["历下区"], ic["counts"]["历城区"])
    assert invoke("export", "-o", str(tmp_path / "before"), "--data", str(data_copy),
                  "--store", str(store)).exit_code == 0
    register = write_register(tmp_path / "ic.csv", IC_ROWS)
    result = invoke("ingest", "enterprises", str(register), "--data", str(data_copy), "-o", str(tmp_path / "rev"),
                    "--source-title", "测试名录", "--source-date", "2025", "--apply")
    assert result.exit_code == 0, result.output
    assert "enterprises added 5" in result.output
    gaps = json.loads(invoke("gaps", "集成电路", "--format", "json", "--data", str(data_copy),
                             "--store", str(store)).output)
    fab = next(g for g in gaps if g["segment"] == "晶圆制造")
    assert fab["grade_zh"] != "空白" and fab["enterprise_count"] == 5
    coverage = json.loads(invoke("coverage", "--format", "json", "--data", str(data_copy),
                                 "--store", str(store)).output)
    ic = next(r for r in coverage["rows"] if r["chain"] == "集成电路")
    assert (ic["counts"]["历下区"], ic["counts"]["历城区"]) == (2 + before_counts[0], 3 + before_counts[1])
    page = tmp_path / "ic.html"
    assert invoke("map", "集成电路", "-o", str(page), "--data", str(data_copy), "--store", str(store)).exit_code == 0
    assert "晶圆0号有限公司" in page.read_text(encoding="utf-8")
    result = invoke("diff", str(tmp_path / "before"), "live", "--data", str(data_copy), "--store", str(store),
                    "--format", "json")
    changes = json.loads(result.output)["changes"]
    ids = {f"ent:uscc-{row[0]}" for row in IC_ROWS}
    source = next(c["subject"] for c in changes if c["subject"].startswith("src:reg-"))
    # diff folds the facts and links of an added entity into its "entity added" line: exactly these seven
    assert sorted((c["change"], c["subject"]) for c in changes) == sorted(
        [("entity_added", e) for e in ids] + [("entity_added", "src:M-REGISTER-CODE"), ("entity_added", source)])
    # the facts behind them, triple by triple: each enterprise, its place, code and its two segment links
    from kg.snapshot import load_facts

    old, new = load_facts(tmp_path / "before"), load_facts("live", data_copy, store)
    added = {(_local(s), _local(p), _local(o)) for s, p, o in new.triples - old.triples}
    assert not old.triples - new.triples
    links = {t for t in added if t[1] == "inSegment"}
    assert links == {(e, "inSegment", seg) for e in ids for seg in ("seg:ic-fab", "seg:ic-packaging")}
    places = {(t[0], t[2]) for t in added if t[1] == "locatedIn"}
    assert places == {(f"ent:uscc-{r[0]}", "dist:370102" if r[3] == "历下区" else "dist:370112") for r in IC_ROWS}
    assert {t[0] for t in added} == ids | {"src:M-REGISTER-CODE", source}


def _local(term) -> str:
    """An IRI as a CSV id (``…/id/ent/x`` → ``ent:x``), a property by its local name, a literal as its text."""
    value = getattr(term, "value", str(term))
    if "/id/" in value:
        kind, _, local = value.partition("/id/")[2].partition("/")
        return f"{kind}:{local}"
    return value.rpartition("#")[2]


def test_reimport_adds_and_changes_nothing(tmp_path, data_copy):
    register = write_register(tmp_path / "ic.csv", IC_ROWS + [(uscc("370112", 300), "齐鲁制药集团有限公司",
                                                              "济南市历城区", "", "2720", "", "专精特新")])
    first = apply_review(Path(write_review(register, data_copy, tmp_path / "r1", title="名录")["review_dir"]),
                         data_copy)
    assert first == {"enterprises added": 5, "enterprises changed": 1, "links added": 11, "sources added": 2}
    before = tree_hash(data_copy)
    summary = write_review(register, data_copy, tmp_path / "r2", title="名录")
    assert summary["status"] == {"added": 0, "merged": 6, "needs review": 0, "refused": 0}
    assert summary["enterprises"]["added"] == 0 and summary["enterprises"]["enriched in the dataset"] == 0
    assert apply_review(tmp_path / "r2", data_copy) == {"enterprises added": 0, "enterprises changed": 0,
                                                         "links added": 0, "sources added": 0}
    assert tree_hash(data_copy) == before


def test_existing_enterprise_is_matched_by_name_and_enriched(tmp_path, data_copy):
    code = uscc("370112", 400)
    register = write_register(tmp_path / "qilu.csv", [(code, "齐鲁制药集团有限公司", "济南市历城区", "", "2720",
                                                       "化学药品制剂的生产", "高新技术企业")])
    summary = write_review(register, data_copy, tmp_path / "rev", title="名录")
    line = report_of(tmp_path / "rev")[2]
    assert (line["status"], line["enterprise_id"]) == ("merged", "ent:qilu-pharma")
    apply_review(tmp_path / "rev", data_copy)
    rows = [r for r in read_csv(data_copy / "enterprises.csv") if "齐鲁制药" in r["name_zh"]]
    assert len(rows) == 1 and summary["enterprises"]["added"] == 0
    qilu = rows[0]
    assert (qilu["enterprise_id"], qilu["credit_code"], qilu["industry_code"], qilu["qualifications"]) == (
        "ent:qilu-pharma", code, "2720", "高新技术企业")
    assert qilu["confidence"] == "confirmed" and qilu["source_ids"].endswith(summary["source"]["source_id"])
    links = [r for r in read_csv(data_copy / "links.csv") if r["subject_id"] == "ent:qilu-pharma"
             and r["predicate"] == "in_segment"]
    assert [(r["object_id"], r["confidence"]) for r in links] == [("seg:med-chem", "partial")]


def test_apply_refuses_a_merge_that_breaks_the_dataset(tmp_path, data_copy):
    register = write_register(tmp_path / "ic.csv", IC_ROWS[:1])
    review = Path(write_review(register, data_copy, tmp_path / "rev", title="名录")["review_dir"])
    text = (review / "enterprises.csv").read_text(encoding="utf-8").replace("dist:370102", "dist:999999")
    (review / "enterprises.csv").write_text(text, encoding="utf-8")
    before = tree_hash(data_copy)
    from kg.errors import DataError

    with pytest.raises(DataError, match="dist:999999"):
        apply_review(review, data_copy)
    assert tree_hash(data_copy) == before
    assert not [p for p in data_copy.parent.iterdir() if ".ingest-" in p.name]


def test_apply_without_a_source_title_is_refused(tmp_path, data_copy):
    register = write_register(tmp_path / "ic.csv", IC_ROWS[:1])
    result = CliRunner().invoke(cli, ["ingest", "enterprises", str(register), "--data", str(data_copy), "--apply"])
    assert result.exit_code == 2 and "--source-title" in result.output


def test_gbk_csv_and_xlsx_with_title_row_import_the_same(tmp_path, jinan_dir):
    openpyxl = pytest.importorskip("openpyxl")
    rows = damaged_rows()
    write_register(tmp_path / "gbk.csv", rows, encoding="gbk")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年济南市测试企业名录"])
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))
    book.save(tmp_path / "twin.xlsx")
    one = write_review(tmp_path / "gbk.csv", jinan_dir, tmp_path / "r-csv")
    two = write_review(tmp_path / "twin.xlsx", jinan_dir, tmp_path / "r-xlsx")
    assert one["register"]["encoding"] == "gb18030" and two["register"]["header_line"] == 2
    assert one["status"] == two["status"]
    first = [(r["status"], r["column"], r["value"], r["enterprise_id"])
             for r in read_csv(tmp_path / "r-csv" / "report.csv")]
    second = [(r["status"], r["column"], r["value"], r["enterprise_id"])
              for r in read_csv(tmp_path / "r-xlsx" / "report.csv")]
    assert first == second
    for name in ("enterprises.csv", "links.csv"):  # the same rows, each citing its own file as the source
        rows = [read_csv(tmp_path / folder / name) for folder in ("r-csv", "r-xlsx")]
        for row in rows[0] + rows[1]:
            row["source_ids"] = row["source_ids"].replace(one["source"]["source_id"], "REG").replace(
                two["source"]["source_id"], "REG")
        assert rows[0] == rows[1] and rows[0]


def test_synthetic_gbk_register_with_20_damaged_rows(tmp_path, jinan_dir):
    """The issue's must-show: 1,000 GBK rows, 20 damaged: exactly those refused or for review, each at its line and
    column; the counts add up to 1,000; nothing written to the dataset."""
    from kg.data.register_synth import write_register as synth_register

    before = tree_hash(jinan_dir)
    synth_register(tmp_path / "reg.csv", 1000, jinan_dir, "gbk", 20, 0)
    damage = {int(r["line"]): r for r in read_csv(tmp_path / "reg.csv.damage.csv")}
    summary = write_review(tmp_path / "reg.csv", jinan_dir, tmp_path / "review")
    report = report_of(tmp_path / "review")
    assert summary["register"]["encoding"] == "gb18030" and summary["rows"] == 1000 == len(report)
    assert sum(summary["status"].values()) == 1000
    flagged = {line: r for line, r in report.items() if r["status"] in ("refused", "needs review")}
    assert set(flagged) == set(damage)
    for line, row in flagged.items():
        assert row["reason"], line
        assert (row["column"], row["value"]) == (damage[line]["column"], damage[line]["value"]), (line, row)
    kinds = {damage[line]["kind"]: flagged[line]["status"] for line in damage}
    assert kinds == {"bad_checksum": "refused", "scientific_notation": "refused", "lost_leading_character": "refused",
                     "empty_name": "refused", "unknown_district": "needs review",
                     "unknown_industry_code": "needs review", "duplicate_code": "needs review"}
    assert tree_hash(jinan_dir) == before


def test_review_folder_is_ours_to_replace_only(tmp_path, jinan_dir):
    register = write_register(tmp_path / "ic.csv", IC_ROWS[:2])
    write_review(register, jinan_dir, tmp_path / "ic.csv.review")  # the default place, written twice
    result = invoke("ingest", "enterprises", str(register), "--data", str(jinan_dir))
    assert result.exit_code == 0 and "review folder: " in result.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "enterprises", str(register), "--data", str(jinan_dir),
                                      "-o", str(foreign)])
    assert result.exit_code == 1 and "notes.txt" in result.output
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_map_option_and_apply_to_another_dataset(tmp_path, data_copy, mini_copy):
    header = ("代码", "企业名称", "所在街道", "所属区县", "行业代码", "经营范围", "资质")
    register = write_register(tmp_path / "odd.csv", IC_ROWS[:1], header=header)
    result = CliRunner().invoke(cli, ["ingest", "enterprises", str(register), "--data", str(data_copy),
                                      "--map", "代码=credit_code", "-o", str(tmp_path / "rev")])
    assert result.exit_code == 0, result.output
    assert report_of(tmp_path / "rev")[2]["enterprise_id"] == f"ent:uscc-{IC_ROWS[0][0]}"
    result = CliRunner().invoke(cli, ["ingest", "apply", str(tmp_path / "rev"), "--data", str(mini_copy)])
    assert result.exit_code == 1 and "made for another dataset" in result.output


def test_enterprise_industry_code_and_qualifications_are_checked_and_built(data_copy):
    from kg.build import check_dataset_folder, compile_quads
    from kg.errors import DataError

    rows = read_csv(data_copy / "enterprises.csv")
    fields = list(rows[0]) + ["industry_code", "qualifications"]
    rows[0].update(industry_code="2720", qualifications="专精特新;高新技术企业")

    def write(rows) -> None:
        with (data_copy / "enterprises.csv").open("w", encoding="utf-8", newline="") as handle:
            out = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            out.writeheader()
            out.writerows(rows)

    write(rows)
    chunks: list[str] = []
    compile_quads(data_copy, chunks.append)
    text = "".join(chunks)
    ent = "<https://w3id.org/chainkg/id/ent/qilu-pharma>"
    assert f"{ent} <https://w3id.org/chainkg/ontology#registeredIndustryClass> " \
           "<https://w3id.org/chainkg/id/gbt4754/2720>" in text
    assert f'{ent} <https://w3id.org/chainkg/ontology#qualification> "高新技术企业"@zh' in text
    check_dataset_folder(data_copy)  # SHACL on the sample: the class 2720 is typed, the tags are @zh text
    rows[0]["industry_code"] = "C27"
    write(rows)
    with pytest.raises(DataError, match="industry_code='C27': not a GB/T 4754-2017 code"):
        check_dataset_folder(data_copy, shacl="none")


def test_keyword_basis_short_place_names_and_former_division_codes(tmp_path, jinan_dir):
    rows = [
        (uscc("370102", 500), "关键词有限公司", "", "历下区", "7212", "从事晶圆制造及相关技术服务", ""),  # keyword only
        (uscc("370102", 501), "简称地址有限公司", "山东省济南历下经十路9号", "", "3973", "", ""),      # short name
        (uscc("370181", 502), "章丘老代码有限公司", "济南市章丘区明水街道", "", "3973", "", ""),      # 370181 → 370114
        ("", "无代码有限公司", "济南市平阴县", "", "", "", ""),                                        # no code at all
    ]
    write_review(write_register(tmp_path / "r.csv", rows), jinan_dir, tmp_path / "rev")
    report = report_of(tmp_path / "rev")
    assert [report[line]["status"] for line in (2, 3, 4, 5)] == ["added"] * 4
    assert "keyword 晶圆制造" in report[2]["reason"]
    assert "short name 历下" in report[3]["reason"]
    assert "registered" not in report[4]["reason"]  # the former code's successor is the address's district
    assert "no credit code" in report[5]["reason"]
    ents = {r["name_zh"]: r for r in read_csv(tmp_path / "rev" / "enterprises.csv")}
    assert ents["简称地址有限公司"]["place_id"] == "" and ents["章丘老代码有限公司"]["place_id"] == "dist:370114"
    assert ents["无代码有限公司"]["enterprise_id"].startswith("ent:reg-") and ents["无代码有限公司"]["place_id"] == \
        "dist:370124"
    links = {(r["subject_id"], r["predicate"], r["object_id"]): r for r in read_csv(tmp_path / "rev" / "links.csv")}
    keyword = links[(f"ent:uscc-{rows[0][0]}", "in_segment", "seg:ic-fab")]
    assert (keyword["confidence"], keyword["source_ids"].split(";")[1]) == ("uncertain", "src:M-REGISTER-KEYWORD")
    short = links[(f"ent:uscc-{rows[1][0]}", "located_in", "dist:370102")]
    assert short["confidence"] == "partial" and "short name" in short["note"]
    sources = {r["source_id"] for r in read_csv(tmp_path / "rev" / "sources.csv")}
    assert {"src:M-REGISTER-KEYWORD", "src:M-REGISTER-CODE"} <= sources and "src:M-REGISTER-BOTH" not in sources


def test_the_bundled_dataset_is_never_written(tmp_path, jinan_dir):
    """`--apply` without `--data` would write into the bundled data: refused, nothing changed, a copy suggested."""
    register = tmp_path / "r.csv"
    register.write_text("企业名称,所属区县,行业代码\n合成测试企业有限公司,历下区,3973\n", encoding="utf-8")
    before = tree_hash(jinan_dir)
    result = CliRunner().invoke(cli, ["ingest", "enterprises", str(register), "--source-title", "t", "--apply"])
    assert result.exit_code == 1
    assert "never written by chainkg" in result.output and "--data" in result.output
    assert tree_hash(jinan_dir) == before
