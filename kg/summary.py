"""Counts and member pages computed while the build streams, so that a question at a million enterprises reads a
handful of numbers instead of counting 150,000 rows.

What is counted follows the question queries exactly (a test compares the two on every fixture):

- an enterprise *of a chain*: ``ckg:chainMasterOf``, ``ckg:leadingEnterpriseOf`` or ``ckg:memberOfChain`` the
  chain, or ``ckg:inSegment`` one of its segments;
- an enterprise *in a place*: ``ckg:locatedIn`` the place, or ``ckg:inPark`` a park that is ``ckg:locatedIn`` it;
- an enterprise *of a segment*: ``ckg:inSegment`` it.

Everything lands in the derived graph ``ckgid:graph/summary`` (not facts: no source, left out of fact counts):

- ``?x ckg:enterpriseCount n`` for each chain, segment and place with at least one enterprise;
- ``?chain ckg:unplacedCount n``: the chain's enterprises placed in none of its segments;
- ``?chain ckg:locatedCount n``: the chain's enterprises with a known place (directly or through a park);
- a ``ckg:Tally`` per (chain, place) and (segment, place) pair: ``ckg:tallyOf``, ``ckg:tallyIn``,
  ``ckg:enterpriseCount``; a place here is a district, county or zone (the enterprise is located there, directly or
  through its park) or a park (the enterprise is ``ckg:inPark`` it);
- a ``ckg:Tally`` per pair of chains sharing enterprises: two ``ckg:tallyOf`` chains, no ``ckg:tallyIn``, and the
  number of enterprises of both;
- ``ckg:MemberPage`` nodes, ``PAGE_SIZE`` enterprises each, listing a chain's enterprises in a fixed order
  (chain-masters, leading enterprises, members; each by Chinese name, then id): ``ckg:pageOf``, ``ckg:pageNumber``,
  ``ckg:pageMember``. Page ``k`` holds ranks ``k × PAGE_SIZE`` … ``(k + 1) × PAGE_SIZE − 1``.

Memory: a few small tuples per enterprise, its Chinese name (for the page order) and nothing of the other columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from kg.iris import CKG_NS
from kg.tables import Row

PAGE_SIZE = 50
ID_NS = "https://w3id.org/chainkg/id/"
GRAPH = f"<{ID_NS}graph/summary>"
ROLE_ORDER = ("chain_master", "leading", "member")
_ROLE_OF = {"chain_master_of": 0, "leading_in": 1, "member_of": 2}
_A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _c(local: str) -> str:
    return f"<{CKG_NS}{local}>"


def _iri(entity_id: str) -> str:
    prefix, _, local = entity_id.partition(":")
    return f"<{ID_NS}{prefix}/{local}>"


def _int(n: int) -> str:
    return f'"{n}"^^<http://www.w3.org/2001/XMLSchema#integer>'


def page_iri(chain_iri: str, number: int) -> str:
    """The IRI of page ``number`` of a chain's member pages (``…/id/summary/page/{chain}/{number}``)."""
    local = chain_iri.rpartition("/")[2]
    return f"{ID_NS}summary/page/{local}/{number}"


def _put(table: dict, key: str, value: str) -> None:
    have = table.get(key)
    if have is None:
        table[key] = value
    elif isinstance(have, str):
        if have != value:
            table[key] = (have, value)
    elif value not in have:
        table[key] = have + (value,)


def _ids(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


class Summary:
    """Collects what the counts need from the rows the build emits; :meth:`lines` writes the summary graph."""

    def __init__(self) -> None:
        self.segment_chain: dict[str, str] = {}
        self.park_places: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}
        # enterprise → places (direct), parks, segments: one id, or a tuple of ids when there are several (a set per
        # enterprise would cost 200 bytes each at a million enterprises)
        self.places: dict[str, str | tuple[str, ...]] = {}
        self.parks: dict[str, str | tuple[str, ...]] = {}
        self.segments: dict[str, str | tuple[str, ...]] = {}
        self.roles: dict[str, dict[str, int]] = defaultdict(dict)  # chain → enterprise → best role (0, 1, 2)

    def row(self, row: Row) -> None:
        """Take what the counts need from one (checked, emitted) row."""
        table = row.table
        if table == "enterprises.csv":
            ent = row.get("enterprise_id")
            self.names[ent] = row.get("name_zh")
            if row.get("place_id"):
                _put(self.places, ent, row.get("place_id"))
            if row.get("park_id"):
                _put(self.parks, ent, row.get("park_id"))
        elif table == "links.csv":
            subject, predicate, obj = row.get("subject_id"), row.get("predicate"), row.get("object_id")
            if predicate in _ROLE_OF:
                chain_roles = self.roles[obj]
                role = _ROLE_OF[predicate]
                if role < chain_roles.get(subject, 3):
                    chain_roles[subject] = role
            elif predicate == "in_segment":
                _put(self.segments, subject, obj)
            elif predicate == "located_in":
                if subject.startswith("park:"):
                    self.park_places[subject].add(obj)
                else:
                    _put(self.places, subject, obj)
            elif predicate == "in_park":
                _put(self.parks, subject, obj)
        elif table == "segments.csv":
            self.segment_chain[row.get("segment_id")] = row.get("chain_id")
        elif table == "parks.csv" and row.get("place_id"):
            self.park_places[row.get("park_id")].add(row.get("place_id"))

    def _places_of(self, ent: str) -> tuple[str, ...] | set[str]:
        parks = self.parks.get(ent)
        if parks is None:  # most enterprises: their own place(s), no set to build
            return _ids(self.places.get(ent))
        out = set(_ids(self.places.get(ent)))
        for park in _ids(parks):
            out |= self.park_places.get(park, set())
        return out

    def lines(self, write: Callable[[str], None], batch: int = 4000) -> int:
        """Write the summary graph as N-Quads text; returns how many quads were written."""
        out: list[str] = []
        count = 0

        def add(s: str, p: str, o: str) -> None:
            nonlocal count
            out.append(f"{s} {p} {o} {GRAPH} .\n")
            if len(out) >= batch:
                count += len(out)
                write("".join(out))
                out.clear()

        # Segments reach their chain: an enterprise in a segment is a member of the chain unless it holds a role.
        for ent, segs in self.segments.items():
            for seg in _ids(segs):
                chain = self.segment_chain.get(seg)
                if chain is not None:
                    self.roles[chain].setdefault(ent, 2)
        place_count: dict[str, int] = defaultdict(int)
        for ent in set(self.places) | set(self.parks):
            for place in self._places_of(ent):
                place_count[place] += 1
        for place, n in sorted(place_count.items()):
            add(_iri(place), _c("enterpriseCount"), _int(n))
        segment_place: dict[tuple[str, str], int] = defaultdict(int)
        segment_count: dict[str, int] = defaultdict(int)
        for ent, segs in self.segments.items():
            where = self._places_of(ent)
            for seg in _ids(segs):
                segment_count[seg] += 1
                for place in where:
                    segment_place[seg, place] += 1
        for seg, n in sorted(segment_count.items()):
            add(_iri(seg), _c("enterpriseCount"), _int(n))
        for (seg, place), n in sorted(segment_place.items()):
            self._tally(add, seg, place, n)
        segment_park: dict[tuple[str, str], int] = defaultdict(int)
        for ent, segs in self.segments.items():
            for park in _ids(self.parks.get(ent)):
                for seg in _ids(segs):
                    segment_park[seg, park] += 1
        for (seg, park), n in sorted(segment_park.items()):
            self._tally(add, seg, park, n)
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        chains_of: dict[str, list[str]] = defaultdict(list)
        for chain in sorted(self.roles):
            for ent in self.roles[chain]:
                chains_of[ent].append(chain)
        for chains in chains_of.values():
            for i, a in enumerate(chains):
                for b in chains[i + 1:]:
                    pairs[a, b] += 1
        del chains_of
        for (a, b), n in sorted(pairs.items()):
            node = f"<{ID_NS}summary/tally/{a.replace(':', '.')}/{b.replace(':', '.')}>"
            add(node, _A, _c("Tally"))
            add(node, _c("tallyOf"), _iri(a))
            add(node, _c("tallyOf"), _iri(b))
            add(node, _c("enterpriseCount"), _int(n))
        for chain in sorted(self.roles):
            members = self.roles[chain]
            add(_iri(chain), _c("enterpriseCount"), _int(len(members)))
            chain_segments = {s for s, c in self.segment_chain.items() if c == chain}
            unplaced = sum(1 for ent in members if chain_segments.isdisjoint(_ids(self.segments.get(ent))))
            add(_iri(chain), _c("unplacedCount"), _int(unplaced))
            by_place: dict[str, int] = defaultdict(int)
            located = 0
            for ent in members:
                where = self._places_of(ent)
                located += bool(where)
                for place in where:
                    by_place[place] += 1
                for park in _ids(self.parks.get(ent)):
                    by_place[park] += 1
            add(_iri(chain), _c("locatedCount"), _int(located))
            for place, n in sorted(by_place.items()):
                self._tally(add, chain, place, n)
            order = sorted(members, key=lambda e: (members[e], self.names.get(e, ""), e))
            chain_iri = _iri(chain)
            for start in range(0, len(order), PAGE_SIZE):
                page = f"<{page_iri(chain_iri.strip('<>'), start // PAGE_SIZE)}>"
                add(page, _A, _c("MemberPage"))
                add(page, _c("pageOf"), chain_iri)
                add(page, _c("pageNumber"), _int(start // PAGE_SIZE))
                for ent in order[start:start + PAGE_SIZE]:
                    add(page, _c("pageMember"), _iri(ent))
        count += len(out)
        if out:
            write("".join(out))
        return count

    @staticmethod
    def _tally(add, subject: str, place: str, n: int) -> None:
        s, p = subject.partition(":"), place.partition(":")
        node = f"<{ID_NS}summary/tally/{s[0]}.{s[2]}/{p[0]}.{p[2]}>"
        add(node, _A, _c("Tally"))
        add(node, _c("tallyOf"), _iri(subject))
        add(node, _c("tallyIn"), _iri(place))
        add(node, _c("enterpriseCount"), _int(n))
