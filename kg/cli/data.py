"""The commands that bring rows in: build and validate a dataset, synthesize one, ingest outside registers."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import _data_options, _local, _progress


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="List at most this many problems (the rest are counted).")
@_data_options
def build(limit, data_dir, store_path, lang):
    """Check the data and (re)build the store; a refused build leaves the old store as it was.

    Example: chainkg build --data my-city/
    """
    from kg import paths
    from kg.build import build_store
    from kg.store import default_store_path

    data_dir = data_dir or paths.default_data_dir()
    store = build_store(data_dir, _local(store_path, "build") or default_store_path(data_dir), limit=limit,
                        on_progress=_progress())
    info = store.info
    click.echo(f"built {info['quads']} quads in {info['graphs']} graphs in {info['build_seconds']} s → {store.path}")


@click.command()
@click.option("--full", is_flag=True, help="Run every SHACL shape on every row (slow at a million rows).")
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="List at most this many problems (the rest are counted).")
@_data_options
def validate(full, limit, data_dir, store_path, lang):
    """Check the data without touching the store: every row rule (codes, references, duplicates, cycles), then
    SHACL on the small tables and the first 1,000 enterprises with their links (--full: on everything).

    Exit 1 with one line per problem: file:line: column='value': what is wrong.

    Example: chainkg validate --data my-copy-of-data
    """
    from kg import paths
    from kg.build import check_dataset_folder

    summary = check_dataset_folder(data_dir or paths.default_data_dir(), limit=limit,
                                   shacl="full" if full else "sample")
    rows, breaks = sum(summary["rows"].values()), summary["rule_breaks"]
    for line in breaks["first"]:  # the confidence rules (docs/data.md): warnings, the data still builds
        click.echo(f"warning: {line}")
    warned = f", {breaks['count']} confidence-rule warning(s)" if breaks["count"] else ""
    click.echo(f"ok: {rows} rows, {summary['quads']} quads to load, SHACL ({summary['shacl']}) passed, no problems"
               + warned)


@click.command()
@click.option("-o", "--output", "out_path", required=True, type=click.Path(path_type=Path),
              help="Dataset folder to create (or an earlier synth output, replaced whole); with --register, the "
                   "register file (.csv or .xlsx).")
@click.option("--enterprises", type=click.IntRange(min=1), help="Number of enterprises (a dataset folder).")
@click.option("--cities", default=1, show_default=True, type=click.IntRange(1, 99),
              help="Number of synthetic cities (more than one: a synthetic province).")
@click.option("--register", "register_rows", type=click.IntRange(min=1),
              help="Write an enterprise register of this many rows instead of a dataset folder.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="With --register: the dataset whose districts and segments rows use (default: the bundled one).")
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "gbk"]),
              help="With --register: encoding of a CSV register (default utf-8).")
@click.option("--damage", default=0, show_default=True, type=click.IntRange(min=0),
              help="With --register: rows to damage (listed in FILE.damage.csv).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed; same arguments, same bytes.")
@click.pass_context
def synth(ctx, out_path, enterprises, cities, register_rows, data_dir, encoding, damage, seed):
    """Write a deterministic synthetic dataset (CSV tables, dataset.json, divisions.csv) for --data, or with
    --register N a synthetic enterprise register (.csv or .xlsx) and its damage sidecar FILE.damage.csv.

    Names say 合成 / Synthetic, division codes start with 99 (unused by GB/T 2260), every row cites a synthetic
    source. Refuses a non-empty folder that is not an earlier synth output, and a register file that is not an
    earlier synthetic register.

    Example: chainkg synth -o /tmp/synth-100k --enterprises 100000 --cities 3 --seed 7

    Example: chainkg synth --register 100000 -o /tmp/register.xlsx --damage 70
    """
    import time

    given = {p.name for p in ctx.command.params if ctx.get_parameter_source(p.name).name == "COMMANDLINE"}
    mode = ("enterprises", "cities") if register_rows is None else ("data_dir", "encoding", "damage")
    other = sorted(given & {"enterprises", "cities", "data_dir", "encoding", "damage"} - set(mode))
    if register_rows is None and enterprises is None:
        raise click.UsageError("give --enterprises N (a dataset folder) or --register N (a register file)")
    if other:
        names = ", ".join("--" + name.replace("_dir", "").replace("_", "-") for name in other)
        raise click.UsageError(f"{names}: not with {'--register' if register_rows else '--enterprises'}")
    # click's own path checks, which depend on the mode: a folder for a dataset, a file for a register
    if register_rows is None and out_path.is_file():
        raise click.BadParameter(f"Directory {str(out_path)!r} is a file.", param_hint="'-o' / '--output'")
    if register_rows is not None and out_path.is_dir():
        raise click.BadParameter(f"File {str(out_path)!r} is a directory.", param_hint="'-o' / '--output'")
    start = time.perf_counter()
    if register_rows is not None:
        from kg.data.register_synth import write_register

        result = write_register(out_path, register_rows, data_dir, encoding, damage, seed)
        click.echo(f"{result.rows:>12,}  rows" + (f" ({result.encoding})" if result.encoding else ""))
        for kind, count in result.damage.items():
            click.echo(f"{count:>12,}  damaged: {kind}")
        click.echo(f"wrote {result.path} and {result.sidecar.name} in {time.perf_counter() - start:.1f} s")
        return

    from kg.data.synth import synthesize

    result = synthesize(out_path, enterprises, cities, seed)
    for name, count in result.counts.items():
        click.echo(f"{count:>12,}  {name}")
    click.echo(f"wrote {result.folder} in {time.perf_counter() - start:.1f} s")


@click.group()
def ingest():
    """Import outside tables into a dataset: enterprise registers (规上企业名录, 专精特新 and 高新技术企业 lists).

    Example: chainkg ingest enterprises 名录.xlsx --source-title "2024年规上工业企业名录" -o review
    """


def _parse_maps(maps: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in maps:
        header, sep, name = item.rpartition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected HEADER=field", param_hint="--map")
        out[header] = name
    return out


@ingest.command("enterprises")
@click.argument("register", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Dataset folder the register is judged against and merged into (default: the bundled data).")
@click.option("--source-title", default="", help="Title of the register as its publisher gives it.")
@click.option("--source-date", default="", help="Its date (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--source-url", default="", help="Where it was obtained (http:// or https://).")
@click.option("--map", "maps", multiple=True, metavar="HEADER=FIELD",
              help="Read a column the reader does not know as a field (credit_code, name, address, district, "
                   "industry_code, industry_name, business_scope, established, size, tags). Repeatable.")
@click.option("--sheet", help="XLSX sheet to read (default: the first sheet with data).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Review folder to write (default: REGISTER.review beside the register).")
@click.option("--apply", "apply_", is_flag=True, help="Also merge the reviewed rows into the dataset folder.")
def ingest_enterprises(register, data_dir, source_title, source_date, source_url, maps, sheet, out_dir, apply_):
    """Check, place, classify and merge the enterprises of a register (.csv in UTF-8 or GBK, or .xlsx).

    Writes a review folder (enterprises.csv and links.csv in the dataset's format, report.csv with one row per input
    row, summary.json); nothing in the dataset changes without --apply.

    Example: chainkg ingest enterprises 专精特新.csv --source-title "专精特新中小企业名单" --apply
    """
    from kg import paths
    from kg.data.review import apply_review, summary_text, write_review

    data_dir = data_dir or paths.default_data_dir()
    if apply_ and not (source_title or source_url):
        raise click.UsageError("--apply records the register as a source: give --source-title or --source-url")
    summary = write_review(register, data_dir, out_dir, title=source_title, date=source_date, url=source_url,
                           overrides=_parse_maps(maps), sheet=sheet)
    click.echo(summary_text(summary), nl=False)
    click.echo(f"review folder: {summary['review_dir']}")
    if apply_:
        result = apply_review(Path(summary["review_dir"]), data_dir)
        click.echo("applied to {}: {}".format(data_dir, ", ".join(f"{k} {v:,}" for k, v in result.items())))


@ingest.command("apply")
@click.argument("review_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Dataset folder to merge into (default: the bundled data).")
def ingest_apply(review_dir, data_dir):
    """Merge a review folder written by `chainkg ingest enterprises` (after a person checked it) into the dataset.

    Example: chainkg ingest apply 名录.xlsx.review --data my-city/
    """
    from kg import paths
    from kg.data.review import apply_review

    data_dir = data_dir or paths.default_data_dir()
    result = apply_review(review_dir, data_dir)
    click.echo("applied to {}: {}".format(data_dir, ", ".join(f"{k} {v:,}" for k, v in result.items())))


#: The commands of this module, registered on the group by :mod:`kg.cli`.
COMMANDS = (build, validate, synth, ingest)
