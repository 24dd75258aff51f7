"""chainkg: the command line. Thin: parse arguments, call one library function, print or write the result.

The group and the entry point live here, the shared options and helpers in :mod:`kg.cli.common`, the commands by
stage: :mod:`~kg.cli.data` (build, validate, synth, ingest), :mod:`~kg.cli.questions` (the planner's questions),
:mod:`~kg.cli.outputs` (maps, report, snapshots) and :mod:`~kg.cli.endpoint` (sparql, serve, push).
"""

from __future__ import annotations

import logging
import sys

import click

from kg.cli import data, endpoint, outputs, questions
from kg.cli.common import _QUIET, INTERNAL_ERROR, ChainKGGroup

__all__ = ["INTERNAL_ERROR", "cli", "main"]


@click.group(cls=ChainKGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@_QUIET
@click.version_option(package_name="chainkg")
def cli(verbose: int) -> None:
    """chainkg: a knowledge graph of a city's industrial chains and the policies behind them.

    Example: chainkg chains --tier landmark
    """
    from kg.output import TerminalSafeStream

    # Names come from CSVs, snapshots and queries: nothing printed may act on the terminal (escape sequences).
    for name in ("stdout", "stderr"):
        if not isinstance(getattr(sys, name), TerminalSafeStream):
            setattr(sys, name, TerminalSafeStream(getattr(sys, name)))
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")


for _module in (data, questions, outputs, endpoint):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Entry point of the ``chainkg`` command."""
    cli(prog_name="chainkg")
