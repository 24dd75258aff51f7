"""chainkg: the command line. The commands live in :mod:`kg.cli`; this module keeps ``cli:main`` (the ``chainkg``
script), ``from cli import cli`` and ``python cli.py`` working."""

from kg.cli import INTERNAL_ERROR, cli, main

__all__ = ["INTERNAL_ERROR", "cli", "main"]

if __name__ == "__main__":
    main()
