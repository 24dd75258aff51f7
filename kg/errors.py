"""Exceptions raised by the chainkg library.

One base class, :class:`ChainKGError`; the CLI turns any of them into a one-line message and a non-zero exit.
Messages say what to fix: the file, the line, the value.
"""

from __future__ import annotations


class ChainKGError(Exception):
    """Base class of every error chainkg raises on purpose."""


class InvalidIdentifier(ChainKGError, ValueError):
    """A credit code, division code or document number that breaks its rule."""


class DataError(ChainKGError):
    """The input data (CSV or RDF) is malformed or inconsistent; carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="", line=0, column="", value="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class NotFound(ChainKGError):
    """A name that resolves to no entity; carries suggestions."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        self.suggestions = suggestions or []
        super().__init__(message)


class Ambiguous(ChainKGError):
    """A name that matches several entities; carries the candidates."""

    def __init__(self, message: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(message)


class QueryRefused(ChainKGError):
    """A SPARQL request that is not a read-only query (update, SERVICE, LOAD) or does not parse."""


class QueryLimitExceeded(QueryRefused):
    """A query stopped because it ran past its time limit or needed more memory than it may use."""


class StoreError(ChainKGError):
    """The store cannot be opened, built or replaced."""


class RemoteError(ChainKGError):
    """A remote triple store refused a request, did not answer in time, or holds other data than was sent."""


class ServeError(ChainKGError):
    """The SPARQL endpoint cannot be started: no server program, no isolation, a busy address."""


class ExportError(ChainKGError):
    """A file or snapshot cannot be written (the previous one is left as it was)."""


class Problem:
    """One problem found in the input: where it is and what is wrong."""

    __slots__ = ("file", "line", "column", "value", "message")

    def __init__(self, file: str, line: int, column: str, value: str, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.message = message

    def format(self) -> str:
        """Return ``file:line: column=value: message`` (parts that are unknown are left out)."""
        where = self.file
        if self.line:
            where = f"{where}:{self.line}"
        what = f"{self.column}={self.value!r}" if self.column else (repr(self.value) if self.value else "")
        return ": ".join(part for part in (where, what, self.message) if part)

    def __repr__(self) -> str:
        return f"Problem({self.format()!r})"
