"""The graph as a SPARQL service: read-only queries, the Oxigraph server on a built store, a push to a triple
store."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.cli.common import _data_options, _emit, _format_option, _local, _open, _shared, _write_tables
from kg.errors import ChainKGError


@click.command()
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


@click.command()
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


@click.command()
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


#: The commands of this module, registered on the group by :mod:`kg.cli`.
COMMANDS = (sparql, serve, push)
