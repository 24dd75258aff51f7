"""kg.data.register_synth (``chainkg synth --register``): synthetic registers read back through open_register, the
damage sidecar names exactly the damaged rows, same arguments give the same bytes, CSV and XLSX twins agree."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from kg import paths
from kg.data.register import FIELDS, open_register
from kg.data.register_synth import DAMAGE_KINDS, SIDECAR_HEADER, UNKNOWN_DISTRICT, sidecar_path, write_register
from kg.data.synth import synthesize
from kg.data.validate import load_industry_codes
from kg.errors import ExportError, InvalidIdentifier
from kg.identifiers import validate_uscc
from kg.manifest import load_manifest

ROWS = 120
DAMAGE = 21  # three of each kind


def _read(path: Path) -> dict[int, dict[str, str]]:
    with open_register(path) as register:
        rows = dict(register.rows())
        assert register.problems == []
    return rows


def _sidecar(path: Path) -> list[dict[str, str]]:
    with sidecar_path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == SIDECAR_HEADER
        return list(reader)


@pytest.fixture(scope="module")
def twins(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("registers")
    csv_path, xlsx_path = folder / "r.csv", folder / "r.xlsx"
    write_register(csv_path, ROWS, damage=DAMAGE, seed=5)
    write_register(xlsx_path, ROWS, damage=DAMAGE, seed=5)
    return csv_path, xlsx_path


@pytest.fixture(scope="module")
def jinan():
    manifest = load_manifest(paths.default_data_dir())
    divisions = {d.name: code for code, d in manifest.divisions().items()
                 if d.status == "current" and not code.endswith("00")}
    return divisions, load_industry_codes(manifest.industry_codes_file())


@pytest.mark.parametrize("encoding, detected", [(None, "utf-8"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("gbk", "gb18030")])
def test_csv_reads_back_with_its_encoding_and_header(tmp_path, encoding, detected):
    path = tmp_path / "r.csv"
    result = write_register(path, 30, encoding=encoding)
    assert (result.rows, result.encoding, result.damage) == (30, encoding or "utf-8", {})
    with open_register(path) as register:
        assert (register.kind, register.encoding, register.header_line) == ("csv", detected, 1)
        assert list(register.columns) == list(FIELDS) and register.unused == []
        assert [n for n, _ in register.rows()] == list(range(2, 32))
    assert _sidecar(path) == []


def test_xlsx_has_a_title_row_above_the_header(twins):
    with open_register(twins[1]) as register:
        assert (register.kind, register.sheet, register.header_line) == ("xlsx", "企业名录", 2)
        assert list(register.columns) == list(FIELDS)
        assert min(n for n, _ in register.rows()) == 3


@pytest.mark.parametrize("which", [0, 1])
def test_sidecar_lists_exactly_the_damaged_rows(twins, jinan, which):
    path = twins[which]
    districts, industry = jinan
    rows = _read(path)
    damage = {int(d["line"]): d for d in _sidecar(path)}
    assert len(damage) == DAMAGE
    assert sorted(d["kind"] for d in damage.values()) == sorted(DAMAGE_KINDS * 3)
    seen_codes = {}
    for line, row in rows.items():
        hurt = damage.get(line)
        if hurt is None:
            code = validate_uscc(row["credit_code"])
            assert code not in seen_codes, f"line {line} repeats line {seen_codes.get(code)}"
            seen_codes[code] = line
            assert row["name"].startswith("合成企业") and row["name"].endswith("有限公司")
            assert row["industry_code"] in industry and row["industry_name"] == industry[row["industry_code"]][0]
            district = row["district"] or next(name for name in districts if name in row["address"])
            assert district in row["address"] and code[2:8] == districts[district]
            continue
        assert row[hurt["column"]] == hurt["value"], line
        kind = hurt["kind"]
        if kind == "bad_checksum":
            with pytest.raises(InvalidIdentifier, match="check character"):
                validate_uscc(row["credit_code"])
        elif kind == "scientific_notation":
            assert row["credit_code"].startswith("9.137") and "E+17" in row["credit_code"]
            with pytest.raises(InvalidIdentifier, match="scientific notation"):
                validate_uscc(row["credit_code"])
        elif kind == "lost_leading_character":
            assert len(row["credit_code"]) == 17 and hurt["note"] == f"was 9{row['credit_code']}"
            validate_uscc(hurt["note"][4:])
        elif kind == "unknown_district":
            assert row["district"] == UNKNOWN_DISTRICT and UNKNOWN_DISTRICT in row["address"]
            assert not any(name in row["address"] for name in districts)
        elif kind == "unknown_industry_code":
            assert row["industry_code"] not in industry and len(row["industry_code"]) == 4
        elif kind == "duplicate_code":
            earlier = int(hurt["note"].rsplit(" ", 1)[1])
            assert earlier < line and line - 1 not in damage
            assert rows[earlier]["credit_code"] == row["credit_code"] == validate_uscc(row["credit_code"])
        else:
            assert kind == "empty_name" and row["name"] == ""


def test_csv_and_xlsx_twins_hold_the_same_rows(twins):
    from_csv, from_xlsx = _read(twins[0]), _read(twins[1])
    assert list(from_xlsx) == [line + 1 for line in from_csv]
    scientific = {int(d["line"]) for d in _sidecar(twins[0]) if d["kind"] == "scientific_notation"}
    for line, row in from_csv.items():
        other = from_xlsx[line + 1]
        if line in scientific:  # a short text in the CSV, a float cell (15 digits shown) in the workbook
            assert row["credit_code"] != other["credit_code"]
            assert float(row["credit_code"]) == pytest.approx(float(other["credit_code"]), rel=1e-5)
            row, other = {**row, "credit_code": ""}, {**other, "credit_code": ""}
        assert row == other


def test_rows_draw_on_the_dataset(twins, jinan):
    districts, industry = jinan
    rows = list(_read(twins[0]).values())
    with (paths.default_data_dir() / "segments.csv").open(encoding="utf-8") as handle:
        segments = list(csv.DictReader(handle))
    segment_codes = {c for s in segments for c in s["industry_codes"].split(";") if c}
    codes = {r["industry_code"] for r in rows}
    assert len(codes & segment_codes) > 20
    spare = codes - segment_codes - {r["industry_code"] for r in rows if r["industry_code"] not in industry}
    assert spare, "some rows carry classes that no segment cites"
    assert {r["district"] for r in rows} - {""} <= set(districts) | {UNKNOWN_DISTRICT}
    assert any(r["district"] == "" for r in rows), "some rows give the district in the address only"
    names = {s["name_zh"] for s in segments}
    assert sum(any(name in r["business_scope"] for name in names) for r in rows) > ROWS * 0.8
    assert {r["size"] for r in rows} <= {"大型", "中型", "小型", "微型"}
    assert all(len(r["established"]) == 10 for r in rows)
    assert any("专精特新" in r["tags"] for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_same_arguments_same_bytes_and_an_earlier_register_is_replaced(tmp_path, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_register(first, 200, damage=14, seed=3)
    write_register(second, 200, damage=14, seed=3)
    assert first.read_bytes() == second.read_bytes()
    assert sidecar_path(first).read_bytes() == sidecar_path(second).read_bytes()
    write_register(second, 200, damage=14, seed=4)
    assert first.read_bytes() != second.read_bytes()
    write_register(second, 200, damage=14, seed=3)  # replaces an earlier synthetic register
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.name, second.name, sidecar_path(first).name, sidecar_path(second).name])


@pytest.mark.parametrize("setup, message", [
    (lambda p: p.write_text("统一社会信用代码,企业名称\n", encoding="utf-8"), "is not a register chainkg synth wrote"),
    (lambda p: (p.write_text("mine\n"), sidecar_path(p).write_text(",".join(SIDECAR_HEADER) + "\n")),
     "is not a register chainkg synth wrote"),
    (lambda p: p.mkdir(), "exists and is not a file"),
])
def test_a_file_that_is_not_an_earlier_register_is_refused(tmp_path, setup, message):
    path = tmp_path / "r.csv"
    setup(path)
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(ExportError, match=message):
        write_register(path, 10)
    assert (path.read_bytes() if path.is_file() else None) == before


def test_the_bundled_data_is_never_written():
    with pytest.raises(ExportError, match="inside the bundled data folder"):
        write_register(paths.default_data_dir() / "register.csv", 10)


@pytest.mark.parametrize("kwargs, message", [
    ({"path": "r.txt"}, "written as .csv or .xlsx"),
    ({"damage": 6}, "--damage 6: expected 0 to 5"),
    ({"rows": 0}, "--register 0: expected 1 to"),
    ({"path": "r.xlsx", "encoding": "gbk"}, "--encoding applies to CSV registers only"),
    ({"encoding": "latin-1"}, "expected one of utf-8, utf-8-sig, gbk"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    args = {"rows": 10, **kwargs, "path": tmp_path / kwargs.get("path", "r.csv")}
    with pytest.raises(ExportError, match=message):
        write_register(**args)
    assert list(tmp_path.iterdir()) == []


def test_a_synthetic_dataset_gives_its_own_districts_and_segments(tmp_path):
    synthesize(tmp_path / "ds", 50, cities=2, seed=1)
    path = tmp_path / "r.xlsx"
    write_register(path, 60, data_dir=tmp_path / "ds", damage=7, seed=2)
    rows = _read(path)
    intact = [r for line, r in rows.items() if str(line) not in {d["line"] for d in _sidecar(path)}]
    assert all(validate_uscc(r["credit_code"])[2:4] == "99" for r in intact)
    assert all(r["address"].startswith("合成市") for r in intact)
    assert not any("·" in r["business_scope"] for r in intact)  # the chain prefix of segment names is dropped


def test_cli_writes_a_register_and_keeps_dataset_mode(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.csv"
    result = runner.invoke(cli, ["synth", "--register", "40", "-o", str(out), "--damage", "7", "--encoding", "gbk"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "40  rows (gbk)" in result.output and "damaged: duplicate_code" in result.output
    assert open_register(out).encoding == "gb18030" and len(_sidecar(out)) == 7
    result = runner.invoke(cli, ["synth", "-o", str(tmp_path / "ds"), "--enterprises", "20"], catch_exceptions=False)
    assert result.exit_code == 0 and (tmp_path / "ds" / "dataset.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["-o", "x"], "give --enterprises N (a dataset folder) or --register N"),
    (["-o", "x", "--register", "5", "--cities", "2"], "--cities: not with --register"),
    (["-o", "x", "--enterprises", "5", "--damage", "1", "--data", "."], "--damage, --data: not with --enterprises"),
])
def test_cli_refuses_mixed_options(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["synth", *args])
    assert result.exit_code == 2 and message in result.output


def test_cli_refuses_a_foreign_file(tmp_path):
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"PK\x03\x04 not ours")
    result = CliRunner().invoke(cli, ["synth", "--register", "5", "-o", str(out)])
    assert result.exit_code == 1 and "is not a register chainkg synth wrote" in result.output
    assert out.read_bytes() == b"PK\x03\x04 not ours"


def test_a_foreign_file_in_the_sidecars_place_is_refused(tmp_path):
    path = tmp_path / "r.xlsx"
    sidecar_path(path).write_text("my notes\n", encoding="utf-8")
    with pytest.raises(ExportError, match="r.xlsx.damage.csv exists and is not a damage sidecar"):
        write_register(path, 10)
    assert not path.exists() and sidecar_path(path).read_text(encoding="utf-8") == "my notes\n"
