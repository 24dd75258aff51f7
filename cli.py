"""chainkg: the command line. Thin: parse arguments, call one library function, print or write the result."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from kg import questions
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
                        help="Dataset folder of CSV tables (default: the bundled Jinan data).")(command)


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


@click.group(cls=ChainKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@_QUIET
@click.version_option(package_name="chainkg")
def cli(verbose: int) -> None:
    """chainkg: a knowledge graph of Jinan's industrial chains and the policies behind them.

    Example: chainkg chains --tier landmark
    """
    from kg.output import TerminalSafeStream

    # Names come from CSVs, snapshots and queries: nothing printed may act on the terminal (escape sequences).
    for name in ("stdout", "stderr"):
        if not isinstance(getattr(sys, name), TerminalSafeStream):
            setattr(sys, name, TerminalSafeStream(getattr(sys, name)))
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), default=1000, show_default=True,
              help="List at most this many problems (the rest are counted).")
@_data_options
def build(limit, data_dir, store_path, lang):
    """Check the data and (re)build the store; a refused build leaves the old store as it was.

    Example: chainkg build --data data/jinan
    """
    from kg import paths
    from kg.build import build_store
    from kg.store import default_store_path

    data_dir = data_dir or paths.default_data_dir()
    store = build_store(data_dir, _local(store_path, "build") or default_store_path(data_dir), limit=limit,
                        on_progress=_progress())
    info = store.info
    click.echo(f"built {info['quads']} quads in {info['graphs']} graphs in {info['build_seconds']} s → {store.path}")


@cli.command()
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


@cli.command()
@click.option("--tier", type=click.Choice(["landmark", "key", "all"]), default="all", show_default=True)
@_format_option
@_data_options
def chains(tier, fmt, data_dir, store_path, lang):
    """List the industrial chains (13 landmark; 34 key are declared, only sourced candidates are listed).

    Example: chainkg chains --tier landmark --format json
    """
    from kg.views import chains_view

    result = questions.list_chains(_open(data_dir, store_path), tier)
    _emit(chains_view(result, tier, lang), fmt, result["chains"])


@cli.command()
@click.argument("name")
@_format_option
@_data_options
def show(name, fmt, data_dir, store_path, lang):
    """Show any entity (chain, enterprise, park, district, policy by title or 文号), its links and their sources.

    Example: chainkg show 济发〔2023〕7号
    """
    from kg.views import show_view

    result = questions.describe(_open(data_dir, store_path), name)
    _emit(show_view(result, lang), fmt, result)


@cli.command()
@_format_option
@_data_options
def stats(fmt, data_dir, store_path, lang):
    """Counts per class, facts per confidence level, unsourced facts (must be 0).

    Example: chainkg stats --format json
    """
    from kg.views import stats_view

    result = questions.stats(_open(data_dir, store_path))
    _emit(stats_view(result, lang), fmt, result)


@cli.command()
@click.argument("chain")
@_format_option
@_data_options
def policies(chain, fmt, data_dir, store_path, lang):
    """The policies that support a chain: direct, inherited (from its landmark chain) or general (city-wide).

    Example: chainkg policies 集成电路 --format json
    """
    from kg.views import policies_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    rows = questions.chain_policies(store, entity)
    _emit(policies_view(rows, entity.name(lang), lang), fmt, rows)


@cli.command()
@click.argument("chain")
@_format_option
@_data_options
def chain(chain, fmt, data_dir, store_path, lang):
    """A chain's profile: segments upstream → downstream with their enterprises, parks, districts, policies, targets.

    Example: chainkg chain 现代医药
    """
    from kg.views import chain_view

    profile = questions.chain_profile(_open(data_dir, store_path), chain)
    _emit(chain_view(profile, lang), fmt, profile)


@cli.command()
@click.argument("chain")
@click.option("--segment", help="Only enterprises placed in this segment of the chain.")
@click.option("--district", help="Only enterprises located in this district or zone (or in a park there).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="Rows per page.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Rows to skip first.")
@_format_option
@_data_options
def enterprises(chain, segment, district, limit, offset, fmt, data_dir, store_path, lang):
    """The local enterprises of a chain, chain-masters (链主) first, a page at a time (JSON: the page's rows).

    Example: chainkg enterprises 汽车 --district 莱芜区 --limit 20 --offset 20
    """
    from kg.views import enterprises_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    page = questions.chain_enterprises(store, entity, segment=segment, district=district, limit=limit, offset=offset)
    _emit(enterprises_view(page["rows"], entity.name(lang), lang, page), fmt, page["rows"])


@cli.command()
@click.argument("chain")
@_format_option
@_data_options
def parks(chain, fmt, data_dir, store_path, lang):
    """The parks that carry a chain (stated by a source, or hosting its enterprises).

    Example: chainkg parks 现代医药
    """
    from kg.views import parks_view

    store = _open(data_dir, store_path)
    entity = questions.resolve_chain(store, chain)
    rows = questions.chain_parks(store, entity)
    _emit(parks_view(rows, entity.name(lang), lang), fmt, rows)


@cli.command()
@click.argument("name")
@_format_option
@_data_options
def district(name, fmt, data_dir, store_path, lang):
    """A district or zone: its positioning, the chains, parks and enterprises it carries, the policies that apply.

    Example: chainkg district 历城区
    """
    from kg.views import district_view

    profile = questions.district_profile(_open(data_dir, store_path), name)
    _emit(district_view(profile, lang), fmt, profile)


@cli.command()
@click.argument("name_or_number")
@_format_option
@_data_options
def policy(name_or_number, fmt, data_dir, store_path, lang):
    """A policy document (by title, short name or 文号): what it supports, cites or evaluates, the targets it sets.

    Example: chainkg policy 济发〔2023〕7号
    """
    from kg.views import policy_view

    profile = questions.policy_profile(_open(data_dir, store_path), name_or_number)
    _emit(policy_view(profile, lang), fmt, profile)


@cli.command()
@click.argument("name", required=False)
@click.option("--all", "include_single", is_flag=True,
              help="Every figure, also those with one actual and no target (default without NAME: the measures with "
                   "a target or at least two actuals).")
@_format_option
@_data_options
def indicators(name, include_single, fmt, data_dir, store_path, lang):
    """Targets against actuals: each measure's actuals by year, its target and the progress (share of target,
    reached / on track / behind, with the basis), qualifiers kept (近 800 家 is never 800).

    NAME narrows to one chain, district or chain system.

    Example: chainkg indicators 济南市 --format csv
    """
    from kg.indicator_views import indicators_view
    from kg.indicators import indicator_series

    result = indicator_series(_open(data_dir, store_path), name, include_single)
    _emit(indicators_view(result, lang, include_single or name is not None), fmt, result)


@cli.command()
@click.argument("query_file", type=click.File("rb"), required=False)
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME (repeatable). A name of an entity is resolved as any name argument (chain=集成电路); "
                   "NAME:TYPE=VALUE gives a type (year:integer=2023). Shipped queries say what they take.")
@click.option("--prefixes", "list_prefixes", is_flag=True, help="List the prefixes a query may use undeclared.")
@_format_option
@click.option("--timeout", default=30, show_default=True, type=click.FloatRange(min=0),
              help="Seconds the query may run, parsing included (0: no limit).")
@click.option("--memory", default=2048, show_default=True, type=click.IntRange(min=0),
              help="Megabytes the query may allocate (0: no limit).")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=0),
              help="Rows (or triples) printed at most; a warning says when more matched (0: no limit).")
@_data_options
def sparql(query_file, binds, list_prefixes, fmt, timeout, memory, max_rows, data_dir, store_path, lang):
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) from a UTF-8 file or - (stdin).

    Updates, LOAD and SERVICE are refused; the query runs in a child process without network access, stopped at
    --timeout or --memory. SELECT prints a table, CSV or SPARQL 1.1 JSON results; graphs print as Turtle. The default
    graph is the union of all named graphs, unless the query has FROM / FROM NAMED. The prefixes of --prefixes need
    no PREFIX line. docs/sparql.md explains the model; examples/ holds worked questions.

    Example: chainkg sparql examples/chain_policies.rq --bind chain=集成电路
    """
    from kg.output import terminal_width
    from kg.sparql import QUERY_PREFIXES, Limits, decode_query, run_readonly, serialize

    if list_prefixes:
        from kg.render import Section

        rows = [{"prefix": f"{p}:", "iri": iri} for p, iri in QUERY_PREFIXES.items()]
        return _emit([Section("prefixes", ["prefix", "iri"], ["prefix", "iri"], rows)], fmt, rows)
    if query_file is None:
        raise click.UsageError("give a query file (or - for stdin), or --prefixes")
    from kg.bindings import bind_arguments

    text = decode_query(query_file.read(), getattr(query_file, "name", "<stdin>"))
    limits = Limits(timeout=timeout or None, memory_mb=memory or None, max_rows=max_rows or None)
    store = _open(data_dir, store_path)
    result = run_readonly(store, text, limits, bind_arguments(store, text, binds))
    out = _shared("output")
    if fmt == "xlsx":
        from kg.render import Section
        from kg.sparql import select_rows

        if result.form != "SELECT":
            raise click.UsageError(f"--format xlsx holds SELECT results; this is {result.form} (use --format json)")
        names, rows = select_rows(result)
        _write_tables([Section("SPARQL", names, names, rows)], fmt, out, lang)
    else:
        wide = out or _shared("wide") or fmt != "table"
        text = serialize(result, fmt, None if wide else terminal_width(sys.stdout, os.environ))
        text += "" if text.endswith("\n") else "\n"  # CSV ends its last row itself
        if out:
            from kg.atomic import write_atomic

            write_atomic(out, text)
        else:
            click.echo(text, nl=False)
    if result.truncated:
        click.echo(f"Warning: stopped at --max-rows {max_rows} rows; more matched (raise --max-rows or add LIMIT)",
                   err=True)


@cli.command()
@click.option("--bind", default="127.0.0.1:7878", show_default=True,
              help="HOST:PORT to listen on (0.0.0.0:PORT opens the endpoint to other machines).")
@click.option("--timeout-s", default=30, show_default=True, type=click.FloatRange(min=1),
              help="Seconds a query may run before the server stops it.")
@click.option("--allow-network", is_flag=True,
              help="Serve even where the server cannot be cut off the network (SERVICE could then reach it).")
@click.option("--page", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write an offline query page (one HTML file whose form posts to the endpoint).")
@_data_options
def serve(bind, timeout_s, allow_network, page, data_dir, store_path, lang):
    """Serve the store read-only as a SPARQL 1.1 endpoint (the Oxigraph server) until Ctrl-C.

    No updates; queries see the union of all graphs; the server runs without network access, so SERVICE reaches
    nothing. Needs the `oxigraph` program (pip install 'chainkg[serve]').

    Example: chainkg serve --bind 127.0.0.1:7878, then curl 'http://127.0.0.1:7878/query?query=ASK{?s ?p ?o}'
    """
    import signal

    from kg.atomic import write_atomic
    from kg.serve import Endpoint, query_page

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it as Ctrl-C does
    try:
        with Endpoint(_open(data_dir, store_path), bind, timeout_s, allow_network) as endpoint:
            click.echo(f"SPARQL endpoint: {endpoint.url} (read-only; Ctrl-C stops it)")
            if page:
                write_atomic(page, query_page(endpoint.url))
                click.echo(f"offline query page: {page}")
            endpoint.wait()
    except KeyboardInterrupt:
        return
    raise ChainKGError("the server stopped unexpectedly")


@cli.command()
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Snapshot folder (created, or an earlier snapshot replaced whole).")
@click.option("--format", "formats", default="all", show_default=True,
              help="Comma-separated: ttl,nt,nq,trig,jsonld,graphml,gexf,csv.")
@_data_options
def export(out_dir, formats, data_dir, store_path, lang):
    """Write a dated, deterministic snapshot of the graph: RDF, JSON-LD, GraphML, GEXF, CSV and a manifest.

    The same data gives byte-identical files (only manifest.json's created_at differs). The folder is replaced
    only when every file is written.

    Example: chainkg export -o snapshots/2026-q2 --format ttl,nq,graphml,csv
    """
    from kg.export import export_snapshot

    manifest = export_snapshot(_open(data_dir, store_path), out_dir, formats, on_progress=_progress())
    for name, entry in manifest["files"].items():
        click.echo(f"{entry['bytes']:>12,}  {name}")
    counts = manifest["counts"]
    facts = f"{counts['facts']} facts" if "facts" in counts else f"{counts['fact_statements']} fact statements"
    click.echo(f"{counts['quads']} quads, {facts} → {out_dir}")
    for fmt, why in manifest.get("skipped", {}).items():
        click.echo(f"skipped {fmt}: {why}", err=True)


@cli.command()
@click.argument("snapshot", type=click.Path(path_type=Path, file_okay=False, exists=True))
@_data_options
def restore(snapshot, data_dir, store_path, lang):
    """Rebuild the store from a snapshot's N-Quads (or TriG), after checking checksums and SHACL shapes.

    The restored store is used as it is (not rebuilt from the CSV data) until the next `chainkg build`.

    Example: chainkg restore snapshots/2026-q2 --store /tmp/store-q2
    """
    from kg import paths
    from kg.snapshot import restore_snapshot
    from kg.store import default_store_path

    path = _local(store_path, "restore") or default_store_path(data_dir or paths.default_data_dir())
    store = restore_snapshot(snapshot, path)
    click.echo(f"restored {store.info['quads']} quads in {store.info['graphs']} graphs from {snapshot} → {path}")


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--wide", is_flag=True, expose_value=False, callback=_remember,
              help="Full lines (else long lines wrap to the terminal: COLUMNS, or its width).")
@_data_options
def diff(old, new, fmt, data_dir, store_path, lang):
    """Compare two snapshots, or a snapshot and the live store (the word live): entities, links and values.

    Exit 0 when they state the same facts, 1 when they differ, 2 on trouble (like diff). Moved rows and other
    bookkeeping in the provenance graph do not count; changed sources or confidence of a fact do.

    Example: chainkg diff snapshots/2026-q1 live --lang en
    """
    from kg.snapshot import diff_facts, load_facts, render_diff, summarize

    try:
        changes = diff_facts(*(load_facts(x, data_dir, _local(store_path, "diff")) for x in (old, new)), lang=lang)
    except ChainKGError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(2)
    from kg.output import fit_text, terminal_width

    width = None if _shared("wide") else terminal_width(sys.stdout, os.environ)
    click.echo(to_json({"summary": summarize(changes), "changes": changes}) if fmt == "json"
               else fit_text(render_diff(changes, lang), width))
    sys.exit(1 if changes else 0)


@cli.command("map")
@click.argument("chain", required=False)
@click.option("--overview", is_flag=True, help="All landmark chains, the districts and zones carrying them, policies.")
@click.option("--district", help="One district or zone: its policies, parks, enterprises and chains.")
@click.option("-o", "--output", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="HTML file to write (self-contained: opens offline).")
@click.option("--collapse", default=12, show_default=True, type=click.IntRange(min=0),
              help="Segments with more enterprises show leaders and one count node (0: draw all).")
@_data_options
def map_(chain, overview, district, out_file, collapse, data_dir, store_path, lang):
    """Draw a chain map (segments upstream → downstream, enterprises, parks, places, policies, gaps) as one HTML file.

    Example: chainkg map 集成电路 -o ic.html   (or: chainkg map --overview -o all.html; --district 历城区)
    """
    from kg import report
    from kg.atomic import write_atomic

    if sum(map(bool, (chain, overview, district))) != 1:
        raise click.UsageError("give one of CHAIN, --overview or --district NAME")
    store = _open(data_dir, store_path)
    html = (report.overview_map(store, lang) if overview else report.district_map(store, district, lang)
            if district else report.chain_map(store, chain, lang, collapse or None))
    write_atomic(out_file, html)
    click.echo(f"{len(html.encode('utf-8')):,} bytes → {out_file}")


@cli.command("report")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Report folder (created, or an earlier report replaced whole).")
@click.option("--collapse", default=12, show_default=True, type=click.IntRange(min=0),
              help="Segments with more enterprises show leaders and one count node (0: draw all).")
@_data_options
def report_(out_dir, collapse, data_dir, store_path, lang):
    """Write the planner's report: index.html (chains, coverage heat map, gaps), a map per landmark chain, CSV lists
    and sources; opens offline. The folder is replaced only when every file is written.

    Example: chainkg report -o out
    """
    from kg.report import write_report

    manifest = write_report(_open(data_dir, store_path), out_dir, lang, collapse or None, on_progress=_progress())
    for name, size in manifest["files"].items():
        click.echo(f"{size:>12,}  {name}")
    click.echo(f"{len(manifest['files'])} files in {manifest['seconds']['total']} s → {out_dir / 'index.html'}")


_TIER = click.option("--tier", type=click.Choice(["landmark", "key", "all"]), default="landmark", show_default=True,
                     help="Which chains: the 13 landmark chains, the key-chain candidates, or both.")


@cli.command()
@click.argument("chain", required=False)
@_format_option
@_data_options
def gaps(chain, fmt, data_dir, store_path, lang):
    """The 补链 list: every segment of a chain graded 优势/潜力/薄弱/空白 (strong/potential/weak/blank), ranked, with
    why and what exists locally upstream and downstream. All landmark chains when CHAIN is omitted.

    Example: chainkg gaps 集成电路 --format json
    """
    from kg.gap_views import gaps_view
    from kg.projection import chain_report, tier_reports, tier_unknowns

    store = _open(data_dir, store_path)
    whole = chain is None  # an empty CHAIN ("") is a name to resolve (and refused), not "all chains"
    reports = tier_reports(store, "landmark") if whole else [chain_report(store, chain)]
    notes = tier_unknowns(store, "landmark") if whole else []
    view = gaps_view(reports, lang, "csv" if fmt == "xlsx" else fmt, notes)  # files: the full ranked list, one sheet
    _emit(view, fmt, [row for report in reports for row in report["gaps"]])


@cli.command()
@click.option("--by", type=click.Choice(["district", "grade", "bridge"]), default="district", show_default=True,
              help="Chains × districts and zones (enterprise counts), chains × grades, or bridging entities.")
@_TIER
@_format_option
@_data_options
def coverage(by, tier, fmt, data_dir, store_path, lang):
    """How the chains cover Jinan: enterprises per district or zone, segment grades and completeness per chain, or
    the enterprises, parks and industry classes that bridge chains.

    Example: chainkg coverage --format csv > coverage.csv
    """
    from kg import projection
    from kg.gap_views import coverage_view

    store = _open(data_dir, store_path)
    measure = {"district": projection.coverage_matrix, "grade": projection.grade_table, "bridge": projection.bridges}
    result = measure[by](store, tier)
    _emit(coverage_view(result, by, lang), fmt, result)


@cli.command()
@_TIER
@_format_option
@_data_options
def mismatches(tier, fmt, data_dir, store_path, lang):
    """Where positioning and presence disagree: places positioned for a chain with no enterprise or park of it, and
    chains with enterprises or parks in a place not positioned for them; each with the source of the positioning.

    Example: chainkg mismatches --format csv
    """
    from kg.gap_views import mismatches_view
    from kg.projection import mismatches as find_mismatches

    rows = find_mismatches(_open(data_dir, store_path), tier)
    _emit(mismatches_view(rows, lang), fmt, rows)


@cli.command()
@click.option("--endpoint", required=True, help="SPARQL query endpoint of the triple store (used for the count).")
@click.option("--graph-store", help="Graph store URL taking N-Quads for the whole dataset "
                                    "(default: the endpoint's …/query → …/store, as on Oxigraph server).")
@click.option("--replace/--append", default=False, show_default=True,
              help="--replace: the server's whole dataset becomes this graph; --append: add to what it holds.")
@click.option("--chunk", type=click.IntRange(min=1), default=50_000, show_default=True, help="Quads per request.")
@click.option("--per-graph", is_flag=True, help="One Graph Store Protocol request per graph (?graph=IRI, N-Triples), "
                                                "for servers that take no N-Quads (Virtuoso).")
@_data_options
def push(endpoint, graph_store, replace, chunk, per_graph, data_dir, store_path, lang):
    """Upload the graph with its named graphs to a triple store, in chunks, then check the server's quad count.

    Credentials come from CHAINKG_ENDPOINT_USER and CHAINKG_ENDPOINT_PASSWORD (CHAINKG_ENDPOINT_AUTH=digest for
    digest auth), never from the command line. A failed push can be run again: it completes without duplicates.

    Example: chainkg push --endpoint http://127.0.0.1:7878/query --replace
    """
    from kg.push import push_store

    def say(p) -> None:
        click.echo(f"chunk {p.chunk}/{p.chunks}: {p.quads:,} of {p.total:,} quads", err=True)

    store = _open(data_dir, _local(store_path, "push"))
    result = push_store(store, endpoint, graph_store, replace=replace, chunk=chunk, progress=say, per_graph=per_graph)
    click.echo(f"pushed {result.quads:,} quads in {result.chunks} chunk(s) to {result.graph_store} in "
               f"{result.seconds:.1f} s ({result.rate:,.0f} quads/s); the server holds {result.server_quads:,}")


@cli.command()
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

    from kg.synth import synthesize

    result = synthesize(out_path, enterprises, cities, seed)
    for name, count in result.counts.items():
        click.echo(f"{count:>12,}  {name}")
    click.echo(f"wrote {result.folder} in {time.perf_counter() - start:.1f} s")


@cli.group()
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

    Example: chainkg ingest enterprises 专精特新.csv --source-title "济南市专精特新中小企业名单" --apply
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

    Example: chainkg ingest apply 名录.xlsx.review --data data/jinan
    """
    from kg import paths
    from kg.data.review import apply_review

    data_dir = data_dir or paths.default_data_dir()
    result = apply_review(review_dir, data_dir)
    click.echo("applied to {}: {}".format(data_dir, ", ".join(f"{k} {v:,}" for k, v in result.items())))


def main() -> None:
    """Entry point of the ``chainkg`` command."""
    cli(prog_name="chainkg")


if __name__ == "__main__":
    main()
