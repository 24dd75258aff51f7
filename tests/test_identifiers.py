"""Tests for kg.identifiers: vectors from reference/identifiers.md plus the edge cases seen in real data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InvalidIdentifier
from kg.identifiers import (
    is_strict_doc_number,
    match_key,
    normalise_doc_number,
    parse_date,
    uscc_check_char,
    validate_division_code,
    validate_uscc,
)

REFERENCE = Path("/work/shared/reference")

VALID_USCC = [
    "91110000600037341L",
    "913700001630477270",
    "9144030071526726XG",
    "91330100716105852F",
    "12100000425006133D",
]


# --- unified social credit code ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]


def test_uscc_is_stripped_and_uppercased() -> None:
    assert validate_uscc("  9144030071526726xg\t") == "9144030071526726XG"


def test_uscc_wrong_check_char_names_expected() -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        validate_uscc("91350100M000100Y4Z")
    assert str(exc.value) == "credit code '91350100M000100Y4Z': check character is 'Z', expected '3'"


def test_uscc_rounded_by_spreadsheet_gets_hint() -> None:
    with pytest.raises(InvalidIdentifier, match="expected '8'; looks rounded by a spreadsheet; read code columns"):
        validate_uscc("913700001630477000")


def test_uscc_scientific_notation_gets_hint() -> None:
    with pytest.raises(InvalidIdentifier, match="scientific notation; looks rounded by a spreadsheet"):
        validate_uscc("9.13700001630477E+17")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91370000163047727", "has 17 characters, expected 18"),
        ("9137000016304772700", "has 19 characters, expected 18"),
        ("", "has 0 characters, expected 18"),
        ("91370000I63047727O", "illegal character 'I' at position 9"),
        ("913700001630477S70", "never I, O, S, V, Z"),
        ("91A70000163047727X", "positions 3-8 'A70000' must be a six-digit division code"),
    ],
)
def test_uscc_rejections(code: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        validate_uscc(code)


def test_uscc_keeps_old_division_codes() -> None:
    # 370181 is the code of former 章丘市: still valid inside a credit code.
    first17 = "91370181MA3C00001"
    assert validate_uscc(first17 + uscc_check_char(first17)).startswith("91370181")


def test_uscc_check_char_rejects_bad_prefix() -> None:
    with pytest.raises(InvalidIdentifier, match="expected 17"):
        uscc_check_char("9137")
    with pytest.raises(InvalidIdentifier, match="'V' at position 17"):
        uscc_check_char("9137000016304772V")


# --- division codes -----------------------------------------------------------------------------------------------


def _divisions():
    from kg import paths
    from kg.manifest import load_manifest

    return load_manifest(paths.default_data_dir()).divisions()


def test_division_code_known() -> None:
    assert validate_division_code(" 370102 ", _divisions()) == "370102"
    assert validate_division_code("370176", {"370176", "370102"}) == "370176"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("3701", "expected six digits"),
        ("37010A", "expected six digits"),
        ("370181", "not a current county-level code of the dataset's division table; it is the former code of 章丘市, "
                   "use 370114"),
        ("370171", "former code of 济南高新区, use 370176"),
        ("370176", "statistical code .济南高新技术产业开发区.: put it in stat_code"),
        ("110101", "not a current county-level code of the dataset's division table; known codes: 370100, 370102"),
    ],
)
def test_division_code_rejections(code: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        validate_division_code(code, _divisions())


def test_division_table_shape() -> None:
    table = _divisions()
    current = {c for c, d in table.items() if d.status == "current"}
    assert len(current) == 13 and "370100" in current
    assert {c for c, d in table.items() if d.status == "statistical"} == {"370176"}
    assert all(table[d.successor].status in ("current", "statistical")
               for d in table.values() if d.status == "former")


def _read_reference(name: str) -> list[list[str]]:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_division_table_matches_reference() -> None:
    rows = _read_reference("jinan-division-codes.csv")
    assert rows[0][:2] == ["code", "name"]
    table = _divisions()
    assert {row[0]: row[1] for row in rows[1:]} == {c: d.name for c, d in table.items() if d.status != "former"}


def test_street_codes_lie_in_known_counties() -> None:
    rows = _read_reference("jinan-street-statcodes.csv")
    parents = {row[2] for row in rows if row and row[0].isdigit()}
    table = _divisions()
    assert parents == {c for c, d in table.items() if d.status in ("current", "statistical")} - {"370100"}


# --- document numbers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "济发〔2023〕7号",
        "济发[2023]7号",
        "济发［2023］7号",
        "济发(2023)7号",
        "济发（2023）7号",
        "济发【2023】7号",
        "济发﹝2023﹞7号",
        "济发 〔2023〕 7 号",
        "济发\u3000〔２０２３〕\u200b７号",
    ],
)
def test_doc_number_bracket_variants(text: str) -> None:
    assert normalise_doc_number(text) == ("济发〔2023〕7号", text)


def test_doc_number_strictness() -> None:
    assert is_strict_doc_number("济政字〔2023〕34号")
    assert not is_strict_doc_number("济政字[2023]34号")
    assert not is_strict_doc_number("济发〔23〕7号")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("济发〔23〕7号", "year '23' has two digits; write it in full"),
        ("济发〔2023〕7", "does not end with '号'"),
        ("济发〔2023〕07号", "sequence '07' has a leading zero, expected '济发〔2023〕7号'"),
        ("济发〔2023〕第7号", "remove '第' before the sequence, expected '济发〔2023〕7号'"),
        ("〔2023〕7号", "issuer before the bracket is empty"),
        ("济发〔1948〕7号", "must be four digits in 1949-2100"),
        ("济发〔2101〕7号", "must be four digits in 1949-2100"),
        ("济发〔2023〕0号", "must be 1 or more"),
        ("济发〔2023〕七号", "is not a number"),
        ("济发2023年7号", "expected issuer"),
    ],
)
def test_doc_number_rejections(text: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        normalise_doc_number(text)
    assert not is_strict_doc_number(text)


def test_doc_number_session_form_kept_as_written() -> None:
    text = "公告〔十八届〕第19号"
    assert normalise_doc_number(text) == (text, text)
    assert is_strict_doc_number(text)
    assert normalise_doc_number("公告（十八届） 第19号")[0] == text


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("公告〔十八届〕19号", "takes '第', expected '公告〔十八届〕第19号'"),
        ("公告〔十八届〕第019号", "leading zero, expected '公告〔十八届〕第19号'"),
    ],
)
def test_doc_number_session_form_rejections(text: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        normalise_doc_number(text)


# --- dates ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023", ("2023", "gYear")),
        ("2023-11", ("2023-11", "gYearMonth")),
        ("2023-11-01", ("2023-11-01", "date")),
        ("2024-02-29", ("2024-02-29", "date")),
        (" 2023-11-01 ", ("2023-11-01", "date")),
    ],
)
def test_parse_date(text: str, expected: tuple[str, str]) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2023/11/01", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2023-1-1", "expected YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2023年11月", "expected YYYY"),
        ("２０２３", "expected YYYY"),
        ("", "expected YYYY"),
        ("2023-13", "month '13' must be 01-12"),
        ("2023-00-10", "month '00' must be 01-12"),
        ("2023-02-30", "2023-02 has no day 30"),
        ("2023-02-29", "2023-02 has no day 29"),
        ("0000", "year 0000"),
    ],
)
def test_parse_date_rejections(text: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        parse_date(text)


# --- match keys -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＩＣ", "ic"),
        ("集成 电路", "集成电路"),
        ("集成\u200b电路", "集成电路"),
        ("\ufeff集成\u3000电路", "集成电路"),
        ("現代醫藥", "现代医药"),
        ("航空航天暨低空經濟", "航空航天暨低空经济"),
        ("《济南市“十四五”规划》", "济南市十四五规划"),
        ("阿卜杜·热合曼", "阿卜杜热合曼"),
        ("Inc.", "inc"),
        ("浪潮集团有限公司（济南）", "浪潮集团有限公司(济南)"),
    ],
)
def test_match_key(text: str, expected: str) -> None:
    assert match_key(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_match_key_idempotent(text: str) -> None:
    key = match_key(text)
    assert match_key(key) == key


CJK_CHARS = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
CJK_TEXT = st.text(alphabet=CJK_CHARS | st.sampled_from(list(" .·《》“”\u200b\u3000")), max_size=20)


@settings(max_examples=300, deadline=None)
@given(CJK_TEXT)
def test_match_key_idempotent_on_chinese(text: str) -> None:
    key = match_key(text)
    assert match_key(key) == key


def test_match_key_chained_traditional_forms() -> None:
    # OpenCC maps 薴 to 苧 and 苧 to 苎: one pass would not be idempotent.
    assert match_key("薴") == match_key(match_key("薴")) == "苎"
