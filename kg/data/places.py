"""Where a register row's enterprise is: its district column, or its address, read against the dataset's places.

Owns the place rules of ``chainkg ingest`` (``docs/schema.md`` states them):

- a district column is read as a place name (full, ``历下区``; short, ``历下``; a former name or an alias from
  aliases.csv), a division or statistical code, or a name inside a longer text (a full registered address);
- without one, the address is searched for the places' full names, then their short forms; the longest name found
  wins (the regex tries longer names first), and two different places named in one address are left for review;
- the credit code's positions 3-8 (the division where it was registered, possibly a former code whose successor the
  division table names) give a second opinion, never a silent correction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SUFFIX = ("新区", "区", "县", "市")


@dataclass(frozen=True)
class Place:
    """What locating needs of a districts.csv row."""

    id: str
    name: str
    kind: str
    division_code: str = ""
    stat_code: str = ""


@dataclass(frozen=True)
class Located:
    """A place found for a row: ``how`` is ``column``, ``address`` or ``address-short`` (its short form only)."""

    place: str = ""
    how: str = ""
    matched: str = ""
    problem: str = ""


class Places:
    """The places of one dataset, by name and by code.

    Args:
        places: districts.csv rows.
        aliases: ``(place id, alias)`` pairs (Chinese aliases of places, from aliases.csv).
        divisions: the division table (code → :class:`kg.manifest.Division`).
        city_code: the dataset's own division code (``370100``).
    """

    def __init__(self, places: Iterable[Place], aliases: Iterable[tuple[str, str]], divisions: Mapping,
                 city_code: str) -> None:
        self.places = {p.id: p for p in places}
        self.divisions = divisions
        self.city_code = city_code
        self.city_names: set[str] = set()
        full: dict[str, set[str]] = {}
        short: dict[str, set[str]] = {}
        for place in self.places.values():
            if place.kind == "city":
                self.city_names.add(place.name)
                continue
            full.setdefault(place.name, set()).add(place.id)
            for form in _short_forms(place.name):
                short.setdefault(form, set()).add(place.id)
        for place_id, alias in aliases:
            if place_id in self.places and self.places[place_id].kind != "city" and len(alias) >= 2:
                full.setdefault(alias, set()).add(place_id)
                for form in _short_forms(alias):
                    short.setdefault(form, set()).add(place_id)
        for name in list(short):
            if name in full:
                del short[name]
        self.full = full
        self.short = short
        self._full_re = _alternation(full)
        self._short_re = _alternation(short)
        self.by_code: dict[str, str] = {}
        for place in self.places.values():
            for code in (place.division_code, place.stat_code):
                if code and place.kind != "city":
                    self.by_code.setdefault(code, place.id)
        for code, entry in divisions.items():  # former codes lead to their successor's place
            if getattr(entry, "status", "") == "former" and entry.successor in self.by_code:
                self.by_code.setdefault(code, self.by_code[entry.successor])

    def name_of(self, place_id: str) -> str:
        """A place's Chinese name (its id when unknown)."""
        place = self.places.get(place_id)
        return place.name if place else place_id

    def from_column(self, text: str) -> Located:
        """The place a district column names (``Located()`` for an empty cell or the city itself)."""
        value = text.strip()
        if not value or value in self.city_names:
            return Located()
        if value in self.by_code:
            return Located(self.by_code[value], "column", value)
        for table in (self.full, self.short):
            ids = table.get(value)
            if ids and len(ids) == 1:
                return Located(next(iter(ids)), "column", value)
        found = self.in_text(value)
        if found.place:
            return Located(found.place, "column", found.matched)
        if found.problem:
            return Located(problem=found.problem.replace("the address", "the district column"))
        return Located(problem="not a district or zone of the dataset (districts.csv and its division table)")

    def in_text(self, address: str) -> Located:
        """The place an address names: full names first, then short forms; the longest match wins."""
        for regex, how in ((self._full_re, "address"), (self._short_re, "address-short")):
            if regex is None or not address:
                continue
            matches = regex.findall(address)
            if not matches:
                continue
            table = self.full if how == "address" else self.short
            ids = {i for m in matches for i in table[m]}
            if len(ids) == 1:
                return Located(next(iter(ids)), how, max(matches, key=len))
            return Located(problem=f"the address names several places ({', '.join(sorted(set(matches)))})")
        return Located()

    def registered(self, credit_code: str) -> tuple[str, str]:
        """``(place id or "", the division code)`` where a credit code was registered (positions 3-8).

        The place is empty when the code is the city's own, or a division outside the dataset.
        """
        division = credit_code[2:8]
        if division == self.city_code:
            return "", division
        return self.by_code.get(division, ""), division

    def division_name(self, division: str) -> str:
        """A division code's name in the division table (empty when unknown)."""
        entry = self.divisions.get(division)
        return getattr(entry, "name", "") if entry is not None else ""


def _short_forms(name: str) -> list[str]:
    """``历下区`` → ``历下``; a name of two characters has none (``市中`` of 市中区 is kept: three characters)."""
    for suffix in _SUFFIX:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


def _alternation(table: Mapping[str, set[str]]) -> re.Pattern | None:
    words = sorted(table, key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, words))) if words else None
