"""Files that open cleanly and tables that fit (issue 13, parts 4 and 5): one CSV per table with its BOM at byte 0, xlsx
workbooks holding the same cells, tables fitted to the terminal's width, and progress lines for long work."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import cli
from kg.cli import common as cli_common
from kg.i18n import t
from kg.output import display_width, to_csv, to_table, wrap_text
from kg.render import Section, render
from kg.snapshots.export import export_snapshot
from kg.spreadsheet import MARKER, sheet_titles, slug, workbook_bytes, write_csv_folder

#: The arguments each listing command is run with on the Jinan data (commands without required arguments run bare).
ARGS = {
    "show": [["show", "济发〔2023〕7号"], ["show", "济南高新技术产业开发区"]],
    "policies": [["policies", "汽车"]],
    "chain": [["chain", "汽车"], ["chain", "集成电路"]],
    "enterprises": [["enterprises", "汽车"]],
    "parks": [["parks", "现代医药"]],
    "district": [["district", "历城区"]],
    "policy": [["policy", "济发〔2023〕7号"]],
    "gaps": [["gaps", "集成电路"], ["gaps"]],
    "coverage": [["coverage"], ["coverage", "--by", "grade"], ["coverage", "--by", "bridge"]],
}
#: Commands with --format that are not listings of a question (their own formats).
NOT_LISTINGS = {"sparql"}


def _listing_commands() -> list[str]:
    return sorted(name for name, command in cli.commands.items() if not isinstance(command, click.Group)
                  and name not in NOT_LISTINGS
                  and any(p.name == "fmt" and "xlsx" in getattr(p.type, "choices", ()) for p in command.params))


def _runs() -> list[list[str]]:
    runs = []
    for name in _listing_commands():
        runs += ARGS.get(name, [[name]])
    return runs


def _invoke(store, args, env=None, **kwargs):
    result = CliRunner().invoke(cli, [*args, "--store", str(store.path)], env=env, catch_exceptions=False, **kwargs)
    return result


def _read_csv(data: bytes) -> list[list[str]]:
    """A CSV file as a spreadsheet reads it: BOM at byte 0, then rows."""
    assert data[:3] == b"\xef\xbb\xbf", "the UTF-8 BOM is the first three bytes"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _one_table(rows: list[list[str]], headers: list[str] | None = None) -> None:
    """One header row, every row as wide as it; nothing before it (no ``# title`` line)."""
    assert rows and not rows[0][0].startswith("# "), rows[:1]
    if headers is not None:
        assert rows[0] == headers
    assert all(len(r) == len(rows[0]) for r in rows), "one table: every row has the header's width"


def test_every_listing_command_is_covered():
    names = _listing_commands()
    assert {"chains", "chain", "show", "district", "policy", "gaps", "coverage", "mismatches", "stats"} <= set(names)
    for name in names:
        argument = [p for p in cli.commands[name].params if isinstance(p, click.Argument) and p.required]
        assert not argument or name in ARGS, f"{name} needs a required argument: add it to ARGS"


@pytest.mark.parametrize("args", _runs(), ids=" ".join)
def test_csv_parts_and_xlsx_sheets_hold_the_same_cells(jinan_store, tmp_path, args):
    folder = tmp_path / "tables"
    result = _invoke(jinan_store, [*args, "--format", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    assert marker["generator"] == "chainkg" and marker["kind"] == "tables"
    names = sorted(marker["files"])
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, MARKER])
    parts = {}
    for name in names:
        rows = _read_csv((folder / name).read_bytes())
        _one_table(rows)
        assert len(rows) == marker["files"][name]["rows"] + 1
        parts[name] = rows
    book_path = tmp_path / "book.xlsx"
    result = _invoke(jinan_store, [*args, "--format", "xlsx", "-o", str(book_path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(book_path)
    assert len(book.worksheets) == len(names)
    for sheet, name in zip(book.worksheets, names):
        assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
        cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        expected = [[v[1:] if v.startswith("'=") else v for v in row] for row in parts[name]]
        assert cells == expected, name
    titles = sheet_titles([Section(marker["files"][name]["title"], [], []) for name in names])
    assert [s.title for s in book.worksheets] == titles


@pytest.mark.parametrize("args", [a for a in _runs()], ids=" ".join)
def test_csv_to_stdout_is_one_table_or_refused(jinan_store, args):
    result = _invoke(jinan_store, [*args, "--format", "csv"])
    if result.exit_code == 0:
        _one_table(_read_csv(result.stdout_bytes))
    else:
        assert result.exit_code == 2 and "-o" in result.output and "--format json" in result.output
        assert "CSV" in result.output


def test_multi_part_csv_is_refused_clearly(jinan_store, tmp_path):
    result = _invoke(jinan_store, ["chain", "汽车", "--format", "csv"])
    assert result.exit_code == 2 and "7 个表" in result.output and "-o" in result.output
    english = _invoke(jinan_store, ["chain", "汽车", "--format", "csv", "--lang", "en"])
    assert "this answer has 7 tables" in english.output and "--format json" in english.output
    into_file = _invoke(jinan_store, ["chain", "汽车", "--format", "csv", "-o", str(tmp_path / "x.csv")])
    assert into_file.exit_code == 2 and "folder" not in into_file.output and "文件夹" in into_file.output
    assert not (tmp_path / "x.csv").exists()
    no_file = _invoke(jinan_store, ["chains", "--format", "xlsx", "--lang", "en"])
    assert no_file.exit_code == 2 and "-o FILE.xlsx" in no_file.output


def test_single_part_csv_file_and_part_names(jinan_store, tmp_path):
    out = tmp_path / "chains.csv"
    assert _invoke(jinan_store, ["chains", "--format", "csv", "-o", str(out)]).exit_code == 0
    rows = _read_csv(out.read_bytes())
    _one_table(rows, [t("col.chain", "zh"), "层级", "分组", "状态", "2030年目标(亿元)", t("col.sources", "zh")])
    assert any(r[0] == "汽车" for r in rows)
    _invoke(jinan_store, ["chain", "汽车", "--format", "csv", "-o", str(tmp_path / "chain")])
    names = sorted(p.name for p in (tmp_path / "chain").glob("*.csv"))
    assert names[1] == "02-环节-上游-下游.csv" and all(n[:3] == f"{i:02d}-" for i, n in enumerate(names, 1))


def test_csv_folder_is_replaced_whole_and_only_when_ours(tmp_path):
    sections = [Section("a: one", ["x"], ["X"], [{"x": 1}]), Section("b", ["y"], ["Y"], [])]
    folder = tmp_path / "out"
    write_csv_folder(sections, folder)
    write_csv_folder(sections[:1], folder)
    assert sorted(p.name for p in folder.iterdir()) == ["01-a-one.csv", MARKER]
    (folder / "mine.txt").write_text("keep", encoding="utf-8")
    from kg.errors import ExportError

    with pytest.raises(ExportError, match="mine.txt"):
        write_csv_folder(sections, folder)
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_formula_text_stays_text_in_csv_and_xlsx(tmp_path):
    link = '=HYPERLINK("http://example.com","click")'
    section = Section("t", ["a", "n", "m"], ["a", "n", "m"], [{"a": link, "n": -5, "m": 0.25}, {"a": "@SUM(1)"}])
    text = to_csv(section.rows, section.columns)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["'" + link, "-5", "0.25"] and rows[2][0] == "'@SUM(1)", "numbers are not prefixed"
    data = workbook_bytes([section])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml, "no formula is written"
    (tmp_path / "t.xlsx").write_bytes(data)
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet["A2"].value == link and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5 and sheet["C2"].value == 0.25 and sheet["B2"].data_type == "n"


def test_sheet_titles_and_column_widths():
    long = "集成电路: " + "很长的标题" * 10
    titles = sheet_titles([Section(long, [], []), Section(long, [], []), Section("a/b?[c]*", [], []),
                           Section("", [], [])])
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    assert len({t.casefold() for t in titles}) == 4 and titles[2] == "abc" and titles[3] == "sheet"
    section = Section("w", ["a", "b"], ["a", "b"], [{"a": "中" * 100, "b": "x"}, {"a": "中文", "b": "y" * 12}])
    sheet = load_workbook(io.BytesIO(workbook_bytes([section]))).active
    assert sheet.column_dimensions["A"].width == 62, "capped at 60 (+2)"
    assert sheet.column_dimensions["B"].width == 14, "CJK counted double only where it is"
    assert slug("汽车: figures / targets") == "汽车-figures-targets"


def test_render_csv_of_several_tables_is_refused():
    with pytest.raises(ValueError, match="one table"):
        render([Section("a", ["x"], ["x"]), Section("b", ["x"], ["x"])], "csv")
    text = render([Section("a", ["x"], ["X"], [{"x": "=1"}])], "csv")
    assert text.startswith("\ufeffX\r\n") and "'=1" in text


# --- tables fit the terminal ----------------------------------------------------------------------------------------

def _widest(text: str) -> int:
    return max((display_width(line) for line in text.splitlines()), default=0)


TABLE_RUNS = [*_runs(), ["enterprises", "汽车", "--district", "莱芜区"]]


@pytest.mark.parametrize("args", TABLE_RUNS, ids=" ".join)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_line_is_wider_than_100_columns(jinan_store, args, lang):
    result = _invoke(jinan_store, [*args, "--lang", lang], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert _widest(result.stdout) <= 100, max(result.stdout.splitlines(), key=display_width)


def test_wide_prints_full_lines_and_files_are_not_fitted(jinan_store):
    fitted = _invoke(jinan_store, ["gaps", "集成电路"], env={"COLUMNS": "100"}).stdout
    wide = _invoke(jinan_store, ["gaps", "集成电路", "--wide"], env={"COLUMNS": "100"}).stdout
    piped = _invoke(jinan_store, ["gaps", "集成电路"], env={"COLUMNS": None}).stdout
    assert _widest(fitted) <= 100 < _widest(wide) and wide == piped, "no terminal, no COLUMNS: full lines"
    narrow = _invoke(jinan_store, ["gaps", "集成电路"], env={"COLUMNS": "50"}).stdout
    assert _widest(narrow) <= 50
    for word in ("晶圆制造", "半导体材料与衬底", "封装测试与载板"):  # split into blocks, wrapped, nothing lost
        assert word in narrow
    assert "中晶芯源" in fitted.replace("\n", "").replace(" ", "")


def test_sparql_and_diff_fit_too(jinan_store, mini_store, mini_copy, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200", encoding="utf-8")
    result = _invoke(jinan_store, ["sparql", str(query)], env={"COLUMNS": "100"})
    assert result.exit_code == 0 and _widest(result.stdout) <= 100 and "(200 rows)" in result.stdout
    book = tmp_path / "q.xlsx"
    assert _invoke(jinan_store, ["sparql", str(query), "--format", "xlsx", "-o", str(book)]).exit_code == 0
    assert load_workbook(book).active.max_row == 201
    export_snapshot(mini_store, tmp_path / "before", "nq")
    with (mini_copy / "enterprises.csv").open("a", encoding="utf-8") as handle:
        handle.write("ent:omega,庚新材料公司有一个非常非常长的名字用来测试换行是否正确,Omega Materials with a very "
                     "long English name to wrap,,dist:370112,,,,src:F1,confirmed,\n")
    args = ["diff", str(tmp_path / "before"), "live", "--data", str(mini_copy), "--store", str(tmp_path / "s")]
    fitted = CliRunner().invoke(cli, args, env={"COLUMNS": "40"})
    assert fitted.exit_code == 1 and "ent:omega" in fitted.output and _widest(fitted.output) <= 40
    assert _widest(CliRunner().invoke(cli, [*args, "--wide"], env={"COLUMNS": "40"}).output) > 40


@pytest.mark.parametrize("width", [10, 14, 23, 40, 61, 100])
def test_to_table_fits_any_width(width):
    rows = [{"a": "集成电路", "b": "no local enterprise placed in this segment; betweenness 0.13", "c": 7,
             "d": "https://example.com/" + "x" * 90, "e": "半导体材料与衬底: 中晶芯源, 天岳先进"}] * 3
    text = to_table(rows, list("abcde"), ["chain", "why", "n", "url", "local upstream"], width=width)
    assert _widest(text) <= width, text
    flat = text.replace("\n", "").replace(" ", "")
    assert "中晶芯源" in flat and "betweenness" in flat or width < 14


def test_wrap_text_breaks_at_spaces_and_cjk():
    assert wrap_text("甲乙丙丁", 4) == ["甲乙", "丙丁"]
    assert wrap_text("alpha beta", 5) == ["alpha", "beta"]
    assert wrap_text("abcdefgh", 3) == ["abc", "def", "gh"]
    assert all(display_width(line) <= 7 for line in wrap_text("[1] 国民经济行业分类 · https://x.org/a/b", 7, "    "))


# --- progress on long work --------------------------------------------------------------------------------------------

@pytest.fixture
def terminal(monkeypatch):
    """Pretend stderr is a terminal (CliRunner's is not)."""
    monkeypatch.setattr(cli_common, "_stderr_is_terminal", lambda: True)


def test_first_build_report_and_export_say_what_they_do(terminal, mini_dir, tmp_path):
    store = str(tmp_path / "store")
    first = CliRunner().invoke(cli, ["stats", "--data", str(mini_dir), "--store", store])
    assert first.exit_code == 0
    for phase in ("构建存储", "读取并校验小表格", "读取并校验 enterprises.csv", "整理存储索引", "存储已就绪"):
        assert phase in first.stderr
    assert "构建存储" not in first.stdout and "存储已就绪" not in first.stdout, "progress goes to stderr only"
    again = CliRunner().invoke(cli, ["stats", "--data", str(mini_dir), "--store", store])
    assert again.stderr == "", "a fresh store is opened without a word"
    report = CliRunner().invoke(cli, ["report", "-o", str(tmp_path / "r"), "--data", str(mini_dir), "--store", store,
                                      "--lang", "en"])
    assert report.exit_code == 0
    assert "querying the chains" in report.stderr and "writing the report folder" in report.stderr
    export = CliRunner().invoke(cli, ["export", "-o", str(tmp_path / "e"), "--format", "ttl,csv", "--data",
                                      str(mini_dir), "--store", store])
    assert "写出 ttl" in export.stderr and "写出 csv" in export.stderr
    build = CliRunner().invoke(cli, ["build", "--data", str(mini_dir), "--store", store, "--lang", "en"])
    assert "reading and checking links.csv" in build.stderr and build.stdout.startswith("built ")


@pytest.mark.parametrize("quiet", [["-q", "stats"], ["stats", "--quiet"], ["stats", "-q"]])
def test_quiet_says_nothing(terminal, mini_dir, tmp_path, quiet):
    result = CliRunner().invoke(cli, [*quiet, "--data", str(mini_dir), "--store", str(tmp_path / "store")])
    assert result.exit_code == 0 and result.stderr == ""


def test_no_progress_when_stderr_is_not_a_terminal(mini_dir, tmp_path):
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path / "r"), "--data", str(mini_dir), "--store",
                                      str(tmp_path / "store")])
    assert result.exit_code == 0 and result.stderr == ""


# --- every CSV any command writes -----------------------------------------------------------------------------------

def test_every_csv_of_report_export_and_sparql_has_a_bom_and_one_header(jinan_store, tmp_path):
    assert _invoke(jinan_store, ["report", "-o", str(tmp_path / "r")]).exit_code == 0
    assert _invoke(jinan_store, ["export", "-o", str(tmp_path / "e"), "--format", "csv"]).exit_code == 0
    files = sorted([*(tmp_path / "r").rglob("*.csv"), *(tmp_path / "e").rglob("*.csv")])
    assert len(files) >= 5
    for path in files:
        _one_table(_read_csv(path.read_bytes()))
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", encoding="utf-8")
    _one_table(_read_csv(_invoke(jinan_store, ["sparql", str(query), "--format", "csv"]).stdout_bytes), ["s"])
    shutil.rmtree(tmp_path / "r")


def test_every_csv_of_an_ingest_review_has_a_bom_and_one_header(tmp_path, data_copy):
    from tests.test_ingest import damaged_rows, write_register

    register = write_register(tmp_path / "reg.csv", damaged_rows())
    result = CliRunner().invoke(cli, ["ingest", "enterprises", str(register), "--data", str(data_copy), "-o",
                                      str(tmp_path / "review"), "--source-title", "测试名录"])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "review").glob("*.csv"))
    assert {p.name for p in files} == {"enterprises.csv", "links.csv", "sources.csv", "report.csv"}
    for path in files:
        rows = _read_csv(path.read_bytes())
        _one_table(rows)
        assert len(rows) > 1, path.name
    applied = CliRunner().invoke(cli, ["ingest", "apply", str(tmp_path / "review"), "--data", str(data_copy)])
    assert applied.exit_code == 0, applied.output
    assert not (data_copy / "enterprises.csv").read_bytes().startswith(b"\xef\xbb\xbf"), "the dataset keeps its form"
