"""What every command shares: the store and language options, --format/-o/--wide, opening the store, progress
lines, printing or writing a result, and the group class that turns every error into a message and an exit code."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from kg.errors import Ambiguous, ChainKGError, DataError, NotFound
from kg.output import to_json


class StorePath(click.ParamType):
    """A store folder (a :class:`Path`) or an endpoint URL (kept as text: a path would fold its ``//``)."""

    name = "PATH|URL"

    def convert(self, value, param, ctx):
        from kg.remote import is_url

        return value if isinstance(value, Path) or is_url(value) else Path(value)


def _local(store_path, command: str):
    """The store folder of a command that writes or reads the store's own files (refused for an endpoint)."""
    from kg.remote import is_url

    if is_url(store_path):
        raise click.UsageError(f"{command} works on a local store folder, not on a remote store ({store_path})")
    return store_path


def _remember(ctx: click.Context, param: click.Parameter, value):
    """Keep an option every command shares (``--quiet``, ``-o``, ``--wide``) in the context, not in its signature."""
    if value is not None and (value or param.name not in ctx.meta.get("chainkg", {})):
        ctx.meta.setdefault("chainkg", {})[param.name] = value
    return value


def _shared(name: str, default=None):
    return click.get_current_context().meta.get("chainkg", {}).get(name, default)


_QUIET = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_remember,
                      help="No progress lines on stderr (they only appear when stderr is a terminal).")


def _data_options(command):
    """``--data``, ``--store`` and ``--lang`` on every command that reads a dataset."""

    command = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="Language of labels.")(command)
    command = _QUIET(command)
    command = click.option("--store", "store_path", type=StorePath(),
                           help="Store folder (default: a per-user cache folder keyed by the data), or the URL of a "
                                "SPARQL endpoint holding the pushed graph (http://host:7878/query).")(command)
    return click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
                        help="Dataset folder of CSV tables (default: the bundled dataset).")(command)


#: Exit code of an error that is a bug in chainkg (sysexits' EX_SOFTWARE): never expected, tested to never happen.
INTERNAL_ERROR = 70


class ChainKGGroup(click.Group):
    """The command group: every error of any command becomes a message and an exit code, never a traceback.

    Exit 2: a name that resolves to nothing or to several entities (like a usage error); 1: anything else refused or
    failed (bad data, a refused query, a damaged store, a file that cannot be read or written); 70: a bug.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (NotFound, Ambiguous) as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(2)
        except DataError as err:
            for problem in err.problems:
                click.echo(problem.format(), err=True)
            click.echo(f"{len(err.problems)} problem(s); nothing was changed.", err=True)
            ctx.exit(1)
        except ChainKGError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(1)
        except BrokenPipeError:  # `chainkg … | head`: the reader left; click ends quietly (exit 1)
            raise
        except OSError as err:
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"Error: {where}{err.strerror or err}", err=True)
            ctx.exit(1)
        except RecursionError:
            click.echo("Error: the input is nested too deeply to read", err=True)
            ctx.exit(1)
        except MemoryError:
            click.echo("Error: out of memory", err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:  # a bug: one line for the planner, the traceback under -vv
            logging.getLogger("chainkg").debug("internal error", exc_info=True)
            click.echo(f"Error: internal error in chainkg ({type(err).__name__}: {err}); please report it "
                       "with the command that caused it (-vv shows the details)", err=True)
            ctx.exit(INTERNAL_ERROR)


def _open(data_dir, store_path):
    from kg.remote import is_url

    if is_url(store_path):  # a SPARQL endpoint: the dataset's description only from an explicit --data
        from kg.manifest import describe, load_manifest
        from kg.remote import RemoteStore

        return RemoteStore.open(store_path, describe(load_manifest(data_dir)) if data_dir else None)
    from kg.build import ready_store

    return ready_store(data_dir, store_path, on_progress=_progress())


def _progress():
    """The progress callback of long work (a build, a report, an export): one phase line on stderr per step, only
    when stderr is a terminal and --quiet was not given (the library reports, the CLI prints)."""
    from kg.i18n import t

    if _shared("quiet") or not _stderr_is_terminal():
        return None
    lang = click.get_current_context().params.get("lang", "zh")

    def say(phase: str, **fields) -> None:
        click.echo(t(f"progress.{phase}", lang, **fields), err=True)

    return say


def _stderr_is_terminal() -> bool:
    """Whether a person sees stderr (progress lines are for them; the tests replace this to pretend one does)."""
    return sys.stderr.isatty()


def _format_option(command):
    """``--format`` (table, csv, json, xlsx), ``-o`` and ``--wide`` on every listing command."""
    command = click.option("--wide", is_flag=True, expose_value=False, callback=_remember,
                           help="Full table lines (else tables are fitted to the terminal: COLUMNS, or its width; "
                                "no limit when the output is not a terminal).")(command)
    command = click.option("-o", "--output", type=click.Path(path_type=Path), expose_value=False,
                           callback=_remember, help="Write to a file instead of printing: FILE.xlsx, FILE.json, a "
                                                    "table's FILE.csv, or a FOLDER of CSV files (one per table).")(
        command)
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]), default="table",
                        show_default=True, help="Output format (xlsx and a CSV of several tables need -o).")(command)


def _emit(sections, fmt: str, value) -> None:
    """Print or write a result: JSON of the question's own rows, or the view's tables, CSV or xlsx (see
    :func:`kg.spreadsheet`); -o writes a file (a folder for a CSV of several tables)."""
    from kg.i18n import t
    from kg.output import terminal_width
    from kg.render import render

    out, lang = _shared("output"), click.get_current_context().params.get("lang", "zh")
    if fmt == "xlsx" or (fmt == "csv" and (len(sections) != 1 or (out and out.suffix.lower() != ".csv"))):
        _write_tables(sections, fmt, out, lang)
        return
    if fmt == "json":
        text = to_json(value) + "\n"
    else:
        text = render(sections, fmt, lang, None if out or _shared("wide") else terminal_width(sys.stdout, os.environ))
    if out:
        from kg.atomic import write_atomic

        write_atomic(out, text)
        click.echo(t("formats.wrote", lang, n=1, path=out))
    else:
        click.echo(text, nl=False)


def _write_tables(sections, fmt: str, out: Path | None, lang: str) -> None:
    """An xlsx workbook, or a folder of CSV files (one per table), at -o (refused without it)."""
    from kg.i18n import t
    from kg.spreadsheet import write_csv_folder, write_workbook

    if out is None:
        raise click.UsageError(t("formats.xlsx_needs_output" if fmt == "xlsx" else "formats.csv_needs_folder", lang,
                                 n=len(sections)))
    if fmt == "xlsx":
        if out.suffix.lower() != ".xlsx":
            raise click.UsageError(t("formats.xlsx_suffix", lang, path=out))
        write_workbook(sections, out)
    elif out.suffix.lower() == ".csv":
        raise click.UsageError(t("formats.csv_file_of_many", lang, n=len(sections), path=out))
    else:
        write_csv_folder(sections, out)
    click.echo(t("formats.wrote", lang, n=len(sections), path=out))
