"""chainkg: the command line. Thin: parse arguments, call one library function, print or write the result."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click

from kg import questions
from kg.errors import Ambiguous, ChainKGError, DataError, NotFound
from kg.output import to_csv, to_json, to_table


def _data_options(command):
    """``--data``, ``--store`` and ``--lang`` on every command, and errors turned into messages and exit codes."""

    @click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
                  help="Dataset folder of CSV tables (default: the bundled Jinan data).")
    @click.option("--store", "store_path", type=click.Path(path_type=Path),
                  help="Store folder (default: a per-user cache folder keyed by the data).")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                  help="Language of labels.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (NotFound, Ambiguous) as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(2)
        except DataError as err:
            for problem in err.problems:
                click.echo(problem.format(), err=True)
            click.echo(f"{len(err.problems)} problem(s); nothing was changed.", err=True)
            sys.exit(1)
        except ChainKGError as err:
            raise click.ClickException(str(err)) from err

    return wrapper


def _open(data_dir, store_path):
    from kg.store import open_store

    return open_store(data_dir, store_path)


def _format_option(command):
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                        show_default=True, help="Output format.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="chainkg")
def cli(verbose: int) -> None:
    """chainkg: a knowledge graph of Jinan's industrial chains and the policies behind them.

    Example: chainkg chains --tier landmark
    """
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@_data_options
def build(data_dir, store_path, lang):
    """Validate the data and (re)build the store.

    Example: chainkg build --data data/jinan
    """
    from kg import paths
    from kg.store import build_store, default_store_path

    data_dir = data_dir or paths.default_data_dir()
    store = build_store(data_dir, store_path or default_store_path(data_dir))
    info = store.info
    click.echo(f"built {info['quads']} quads in {info['graphs']} graphs in {info['build_seconds']} s → {store.path}")


@cli.command()
@_data_options
def validate(data_dir, store_path, lang):
    """Check the data (codes, references, duplicates, SHACL) without touching the store.

    Exit 1 with one line per problem: file:line: column='value': what is wrong.

    Example: chainkg validate --data my-copy-of-data
    """
    from kg import paths
    from kg.store import compile_dataset

    dataset = compile_dataset(data_dir or paths.default_data_dir())
    click.echo(f"ok: {len(dataset)} quads, no problems")


@cli.command()
@click.option("--tier", type=click.Choice(["landmark", "key", "all"]), default="all", show_default=True)
@_format_option
@_data_options
def chains(tier, fmt, data_dir, store_path, lang):
    """List the industrial chains (13 landmark, 34 key as declared).

    Example: chainkg chains --tier landmark --format json
    """
    result = questions.list_chains(_open(data_dir, store_path), tier)
    rows = result["chains"]
    if fmt == "json":
        click.echo(to_json(rows))
        return
    for row in rows:
        row["label"] = row["name"] if lang == "zh" else row["name_en"]
        row["group_label"] = row["group_zh"] if lang == "zh" else row["group_en"]
        row["source_titles"] = [s["title"] for s in row["sources"]]
    columns = ["label", "tier", "group_label", "status", "target_2030", "source_titles"]
    headers = ["chain", "tier", "group", "status", "2030 target (亿元)", "sources"]
    if fmt == "csv":
        click.echo(to_csv(rows, columns), nl=False)
        return
    click.echo(to_table(rows, columns, headers))
    declared = result["declared"]
    if declared and tier in ("key", "all"):
        shown = sum(1 for r in rows if r["tier"] == "key")
        click.echo(f"\n{declared.get('key')} key chains (重点产业链) are declared; no public source names them. "
                   f"The {shown} shown are candidates named by Jinan bodies, unconfirmed as members of the "
                   f"{declared.get('key')}.")


@cli.command()
@click.argument("name")
@_format_option
@_data_options
def show(name, fmt, data_dir, store_path, lang):
    """Show any entity (chain, enterprise, park, district, policy by title or 文号), its links and their sources.

    Example: chainkg show 济发〔2023〕7号
    """
    result = questions.describe(_open(data_dir, store_path), name)
    if fmt == "json":
        click.echo(to_json(result))
        return
    rows = []
    for direction, facts in (("", result["facts"]), ("← ", result["links_in"])):
        for fact in facts:
            rows.append({
                "property": direction + (fact[f"property_{lang}"] or fact["property"]),
                "value": fact[f"value_{lang}"] or fact["value_zh"] or fact["value_en"] or fact["value"],
                "confidence": fact["confidence"],
                "sources": [s["title"] for s in fact["sources"]],
            })
    if fmt == "csv":
        click.echo(to_csv(rows, ["property", "value", "confidence", "sources"]), nl=False)
        return
    entity = result["entity"]
    click.echo(f"{entity['name']} ({entity['kind']}) <{entity['iri']}>")
    click.echo(to_table(rows, ["property", "value", "confidence", "sources"], max_width=50))


@cli.command()
@_format_option
@_data_options
def stats(fmt, data_dir, store_path, lang):
    """Counts per class, facts per confidence level, unsourced facts (must be 0).

    Example: chainkg stats --format json
    """
    result = questions.stats(_open(data_dir, store_path))
    if fmt == "json":
        click.echo(to_json(result))
        return
    rows = [{"what": f"class {k}", "count": v} for k, v in result["classes"].items()]
    rows += [{"what": f"facts {k}", "count": v} for k, v in result["facts_by_confidence"].items()]
    rows += [{"what": "unsourced facts", "count": result["unsourced_facts"]},
             {"what": "quads in store", "count": result["quads"]}]
    click.echo(to_csv(rows, ["what", "count"]) if fmt == "csv" else to_table(rows, ["what", "count"]), nl=fmt != "csv")


def main() -> None:
    """Entry point of the ``chainkg`` command."""
    cli(prog_name="chainkg")


if __name__ == "__main__":
    main()
