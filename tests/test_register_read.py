"""kg.data.register: reading enterprise registers (CSV in three encodings, XLSX with title rows), header mapping,
overrides, and clear refusals of files that are not registers."""

from __future__ import annotations

import datetime
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kg.data import register as register_module
from kg.data.register import FIELDS, HEADERS, cell_text, normalise_header, open_register
from kg.errors import DataError

TITLE = "2024年济南市规上工业企业名录"
HEADER = ["序号", "统一社会信用代码", "企业名称", "住所", "所属区县", "行业代码", "经营范围"]
ROWS = [
    ["1", "913700001630477270", "合成企业000001有限公司", "山东省济南市历下区合成路1号", "历下区", "3911",
     "计算机整机制造"],
    ["2", "91110000600037341L", "合成企业000002有限公司", "", "槐荫区", "3973", "集成电路制造"],
]


def _csv(tmp_path, name, encoding, lines, bom=False):
    path = tmp_path / name
    text = "\r\n".join(",".join(cells) for cells in lines) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _xlsx(tmp_path, rows, name="r.xlsx", sheets=None):
    book = Workbook()
    book.remove(book.active)
    for title, content in (sheets or {"名录": rows}).items():
        sheet = book.create_sheet(title)
        for row in content:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


@pytest.mark.parametrize("encoding, bom, expected", [
    ("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("gbk", False, "gb18030"), ("gb18030", False, "gb18030"),
])
def test_csv_encodings_are_detected_and_named(tmp_path, encoding, bom, expected):
    path = _csv(tmp_path, "r.csv", encoding, [[TITLE], HEADER, *ROWS], bom=bom)
    register = open_register(path)
    assert (register.kind, register.encoding, register.sheet) == ("csv", expected, None)
    assert register.header_line == 2
    assert register.headers == HEADER
    assert register.columns == {"credit_code": 1, "name": 2, "address": 3, "district": 4, "industry_code": 5,
                                "business_scope": 6}
    assert register.unused == ["序号"]
    rows = list(register.rows())
    assert [n for n, _ in rows] == [3, 4]
    assert rows[0][1]["name"] == "合成企业000001有限公司"
    assert rows[1][1]["address"] == "" and rows[1][1]["tags"] == ""
    assert all(tuple(r) == FIELDS for _, r in rows)
    assert register.problems == []


def test_csv_lines_blank_rows_multiline_cells_and_stripping(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('企业名称,区县,经营范围\n\n , ,\n" 甲公司 ",历下区,"一行\n两行"\n乙公司,槐荫区,x\n',
                    encoding="utf-8")
    empty = dict.fromkeys(FIELDS, "")
    assert list(open_register(path).rows()) == [
        (4, {**empty, "name": "甲公司", "district": "历下区", "business_scope": "一行\n两行"}),
        (6, {**empty, "name": "乙公司", "district": "槐荫区", "business_scope": "x"})]


def test_csv_wrong_cell_count_and_bad_bytes_become_problems_with_lines(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_bytes("企业名称,区县\n甲,历下区\n乙,槐荫区,山东省济南市\n丙,历下区,,\n".encode()
                     + "丁,天桥区\n".encode("gbk") + "戊\n".encode())
    with pytest.raises(DataError, match=r"r.csv:5: .*neither UTF-8 nor GB18030"):  # mixed within the sniffed part
        open_register(path)
    monkeypatch.setattr(register_module, "SNIFF_BYTES", 20)  # past the sniffed part: the row is reported
    register = open_register(path)
    assert register.encoding == "utf-8"
    rows = list(register.rows())
    assert [(n, r["name"], r["district"]) for n, r in rows] == [(2, "甲", "历下区"), (4, "丙", "历下区"), (6, "戊", "")]
    assert [(p.line, p.value) for p in register.problems] == [(3, "山东省济南市"), (5, "")]
    assert "3 cells, the header has 2" in register.problems[0].message
    assert "not utf-8 text" in register.problems[1].message


def test_header_matching_normalises_brackets_spaces_case_and_stars():
    assert normalise_header("企业（单位）名称") == normalise_header("企业(单位)名称") == "企业单位名称"
    assert normalise_header(" *Unified Social Credit Code ") == "unifiedsocialcreditcode"
    assert normalise_header("ＵＳＣＣ") == "uscc"


def test_english_headers_and_field_names(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [["Company Name", "Credit Code", "District", "industry_code", "Notes"],
                                             ["A Co", "91110000600037341L", "历下区", "3911", "x"]])
    register = open_register(path)
    assert register.columns == {"credit_code": 1, "name": 0, "district": 2, "industry_code": 3}
    assert register.unused == ["Notes"]


def test_two_headers_for_one_field_the_first_wins_the_second_is_reported(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [["企业名称", "注册地址", "经营场所"], ["甲", "a", "b"]])
    register = open_register(path)
    assert register.columns == {"name": 0, "address": 1}
    assert register.unused == ["经营场所"]


def test_overrides_map_unknown_headers_and_win(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [["纳税人名称", "地址", "所在街道", "区县"], ["甲", "a", "b", "历下区"]])
    with pytest.raises(DataError, match="missing column name"):
        open_register(path)
    register = open_register(path, {"纳税人名称": "name", "所在街道": "address"})
    assert register.columns == {"name": 0, "address": 2, "district": 3}
    assert register.unused == ["地址"]
    assert next(register.rows())[1]["address"] == "b"


@pytest.mark.parametrize("overrides, message", [
    ({"企业名称": "nickname"}, "unknown field 'nickname'; fields are credit_code, name"),
    ({"税号": "credit_code"}, "no such header; the header row holds '企业名称', '区县'"),
])
def test_bad_overrides_are_refused_clearly(tmp_path, overrides, message):
    path = _csv(tmp_path, "r.csv", "utf-8", [["企业名称", "区县"], ["甲", "历下区"]])
    with pytest.raises(DataError) as info:
        open_register(path, overrides)
    assert message in str(info.value)
    assert info.value.problems[0].column == "--map"


def test_missing_required_column_is_one_error_listing_headers_and_accepted_names(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [[TITLE], ["统一社会信用代码", "行业代码", "备注"], ["x", "3911", ""]])
    with pytest.raises(DataError) as info:
        open_register(path)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert problem.line == 2
    assert "missing column name, district or address" in problem.message
    assert "'统一社会信用代码', '行业代码', '备注'" in problem.message
    assert ", ".join(HEADERS["name"]) in problem.message and "所属区县" in problem.message and "住所" in problem.message


def test_name_without_any_place_column_is_refused(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [["企业名称", "统一社会信用代码"], ["甲", "x"]])
    with pytest.raises(DataError, match="missing column district or address"):
        open_register(path)


def test_no_header_row_in_the_first_rows(tmp_path):
    path = _csv(tmp_path, "r.csv", "utf-8", [["a", "b"]] * 12)
    with pytest.raises(DataError, match="no header row in the first 10 rows"):
        open_register(path)


def test_xlsx_with_title_and_note_rows(tmp_path):
    rows = [[TITLE], ["单位:家", None, None], [], HEADER + ["成立日期", "资质"],
            [1, "913700001630477270", " 合成企业000001有限公司 ", "地址", "历下区", 3911, "范围",
             datetime.datetime(2015, 6, 1), "专精特新;高新技术企业"],
            [None] * 9,
            [2, 9.13700001630477e17, "合成企业000002有限公司", None, "槐荫区", 3973.0, None, datetime.date(2001, 1, 2),
             None]]
    register = open_register(_xlsx(tmp_path, rows))
    assert (register.kind, register.encoding, register.sheet, register.header_line) == ("xlsx", None, "名录", 4)
    got = list(register.rows())
    assert [n for n, _ in got] == [5, 7]
    first, second = got[0][1], got[1][1]
    assert (first["name"], first["industry_code"], first["established"], first["tags"]) == (
        "合成企业000001有限公司", "3911", "2015-06-01", "专精特新;高新技术企业")
    assert second["credit_code"] == "9.13700001630477E+17"
    assert (second["industry_code"], second["established"], second["address"]) == ("3973", "2001-01-02", "")


def test_xlsx_first_non_empty_sheet_unless_named(tmp_path):
    sheets = {"说明": [], "名录": [["企业名称", "区县"], ["甲", "历下区"]], "附表": [["企业名称", "地址"], ["乙", "x"]]}
    path = _xlsx(tmp_path, None, sheets=sheets)
    assert open_register(path).sheet == "名录"
    register = open_register(path, sheet="附表")
    assert [r["address"] for _, r in register.rows()] == ["x"]
    with pytest.raises(DataError, match="no such sheet; the workbook has '说明', '名录', '附表'"):
        open_register(path, sheet="Sheet1")


@pytest.mark.parametrize("value, text", [
    (913700001630477270, "913700001630477270"),  # an int cell keeps its digits
    (9.137e17, "9.137E+17"),
    (913700001630477270.0, "9.13700001630477E+17"),
    (1e15, "1E+15"),
    (123456789012345.0, "123456789012345"),
    (3911.0, "3911"),
    (0.1 + 0.2, "0.3"),
    (True, "TRUE"),
    (datetime.datetime(2020, 2, 29, 13, 5), "2020-02-29"),
    (None, ""),
    ("  专精特新\u3000", "专精特新"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_xlsx_float_credit_code_round_trip(tmp_path):
    path = _xlsx(tmp_path, [["统一社会信用代码", "企业名称", "区县"], [913700001234567890.0, "甲", "历下区"]])
    assert next(open_register(path).rows())[1]["credit_code"] == "9.13700001234568E+17"


@pytest.mark.parametrize("name, content, message", [
    ("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "save it as .xlsx"),
    ("r.ods", b"PK\x03\x04", "a register must be .csv or .xlsx"),
    ("r.txt", b"a,b\n", "a register must be .csv or .xlsx"),
    ("r.csv", b"", "the file is empty (0 bytes)"),
    ("r.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "NUL bytes: it is binary, not CSV text"),
    ("r.csv", b"\xff\xfe" + "企业名称".encode("utf-16-le"), "UTF-16"),
    ("r.csv", b"PK\x03\x04rest", "XLSX workbook (a zip file), not CSV text; name it .xlsx"),
    ("r.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old binary Excel workbook (.xls)"),
    ("r.csv", "企业名称,区县\n".encode() + b"\x80\x80\xff\xfe\xfd\n", "neither UTF-8 nor GB18030/GBK"),
    ("r.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "(.xls) named .xlsx"),
    ("r.xlsx", "企业名称,区县\n甲,历下区\n".encode(), "not a zip file); if it is CSV text, name it .csv"),
    ("r.xlsx", b"PK\x03\x04" + b"\0" * 200, "the workbook is damaged"),
    ("r.csv", b"\n\n  \n", "no rows"),
    ("r.csv", '企业名称,区县\n"甲,历下区\n'.encode() + b"x" * 140_000 + b"\n", "not readable as CSV"),
])
def test_odd_files_are_refused_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        register = open_register(path)
        list(register.rows())
    assert message in str(info.value)
    assert str(info.value).startswith(name)


def test_truncated_xlsx_is_refused(tmp_path):
    path = _xlsx(tmp_path, [["企业名称", "区县"]] + [[f"企业{i}", "历下区"] for i in range(2000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cannot read the workbook"):
        list(open_register(path).rows())


def test_xlsx_with_a_damaged_sheet_part(tmp_path):
    good = _xlsx(tmp_path, [["企业名称", "区县"], ["甲", "历下区"]])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(DataError, match="bad.xlsx"):
        list(open_register(bad).rows())


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        open_register(tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(DataError, match="not a file"):
        open_register(tmp_path / "dir.csv")


def test_rows_stream_and_can_be_read_twice(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("企业名称,区县\n")
        for i in range(20_000):
            handle.write(f"企业{i},历下区\n")
    register = open_register(path)
    rows = register.rows()
    assert next(rows) == (2, {**dict.fromkeys(FIELDS, ""), "name": "企业0", "district": "历下区"})
    rows.close()
    assert sum(1 for _ in register.rows()) == 20_000


def test_a_tab_separated_file_gets_a_hint(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("企业名称\t所属区县\n甲\t历下区\n", encoding="utf-8")
    with pytest.raises(DataError, match="looks tab-separated: save it as comma-separated CSV"):
        open_register(path)


def test_an_overlong_line_is_not_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(register_module, "MAX_LINE_BYTES", 64)
    path = tmp_path / "r.csv"
    path.write_text("企业名称,区县\n" + "甲,历下区\n" * 20 + "x" * 200 + "\n", encoding="utf-8")
    register = open_register(path)
    with pytest.raises(DataError, match=r"r.csv:22: a line longer than 64 bytes"):
        list(register.rows())


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from([".csv", ".xlsx"]), cut=st.floats(0, 1),
       edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), max_size=6))
def test_damaged_files_give_data_errors_never_crashes(tmp_path_factory, suffix, cut, edits):
    """Whatever is done to a register's bytes (cut short, overwritten), reading it succeeds or raises DataError."""
    folder = tmp_path_factory.mktemp("fuzz")
    rows = [["2024年名录"], ["统一社会信用代码", "企业名称", "所属区县", "成立日期"],
            *[["913700001630477270", f"企业{i}", "历下区", datetime.date(2020, 1, i + 1)] for i in range(20)]]
    if suffix == ".xlsx":
        data = bytearray(_xlsx(folder, rows).read_bytes())
    else:
        data = bytearray("\n".join(",".join(map(str, r)) for r in rows).encode("gbk"))
    data = data[: max(1, int(len(data) * (0.3 + 0.7 * cut)))]
    for at, chunk in edits:
        index = int(at * (len(data) - 1))
        data[index:index + len(chunk)] = chunk
    path = folder / f"f{suffix}"
    path.write_bytes(bytes(data))
    try:
        with open_register(path) as register:
            for number, row in register.rows():
                assert number > register.header_line and set(row) == set(FIELDS)
    except DataError as err:
        assert str(err).startswith("f" + suffix)
