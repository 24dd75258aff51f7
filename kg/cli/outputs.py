"""The commands that present the graph as files: chain maps, the planner's report, snapshots (export, restore,
diff)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.cli.common import _data_options, _local, _open, _progress, _remember, _shared
from kg.errors import ChainKGError
from kg.output import to_json


@click.command()
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
    from kg.snapshots.export import export_snapshot

    manifest = export_snapshot(_open(data_dir, store_path), out_dir, formats, on_progress=_progress())
    for name, entry in manifest["files"].items():
        click.echo(f"{entry['bytes']:>12,}  {name}")
    counts = manifest["counts"]
    facts = f"{counts['facts']} facts" if "facts" in counts else f"{counts['fact_statements']} fact statements"
    click.echo(f"{counts['quads']} quads, {facts} → {out_dir}")
    for fmt, why in manifest.get("skipped", {}).items():
        click.echo(f"skipped {fmt}: {why}", err=True)


@click.command()
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


@click.command()
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


@click.command("map")
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


@click.command("report")
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


#: The commands of this module, registered on the group by :mod:`kg.cli`.
COMMANDS = (map_, report_, export, restore, diff)
