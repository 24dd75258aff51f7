"""Planner text → entity: names in Chinese or English, abbreviations and aliases, document numbers and codes.

Matching uses :func:`kg.identifiers.match_key` (full-width, zero-width, spaces, traditional characters folded).
Exact matches win; then the name without a trailing 产业链/产业; then a unique substring match. A miss raises
:class:`~kg.errors.NotFound` with "did you mean" suggestions; several matches raise :class:`~kg.errors.Ambiguous`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from kg.errors import Ambiguous, InvalidIdentifier, NotFound
from kg.identifiers import match_key, normalise_doc_number
from kg.iris import CKG
from kg.query import select

KINDS = {
    str(CKG.IndustrialChain): "chain", str(CKG.ChainSegment): "segment", str(CKG.Enterprise): "enterprise",
    str(CKG.Park): "park", str(CKG.Place): "place", str(CKG.PolicyDocument): "policy",
    str(CKG.ChainSystem): "system",
}
#: When one text names entities of several kinds (a park is also a place), the first kind here wins.
KIND_ORDER = ("chain", "policy", "enterprise", "park", "place", "segment", "system")
SUFFIXES = ("产业链群", "产业链", "产业集群", "产业", "链")


@dataclass
class Entity:
    """A resolved entity: its IRI, kind and names."""

    iri: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        """The preferred name in ``lang``, falling back to the other language, then the IRI."""
        return self.names.get(lang) or self.names.get("zh") or self.names.get("en") or self.iri


class Index:
    """All names of a store's entities, keyed for matching."""

    def __init__(self, rows: list[dict]) -> None:
        self.entities: dict[str, Entity] = {}
        self.keys: dict[str, set[str]] = {}
        self.labels: dict[str, str] = {}
        self.chars: set[str] = set()
        for row in rows:
            kind = KINDS[row["class"]]
            entity = self.entities.setdefault(row["entity"], Entity(row["entity"], kind))
            if KIND_ORDER.index(kind) < KIND_ORDER.index(entity.kind):
                entity.kind = kind
            if row["kind"] == "pref":
                lang = "zh" if any("\u3400" <= c <= "\u9fff" for c in row["label"]) else "en"
                entity.names.setdefault(lang, row["label"])
            key = row["key"] if "key" in row else match_key(row["label"])
            if key:
                self.chars.update(key)
                self.keys.setdefault(key, set()).add(row["entity"])
                self.labels.setdefault(key, row["label"])

    def key(self, text: str) -> str:
        """The matching key of planner text. Text made only of characters the index's (simplified) keys already
        use needs no traditional → simplified conversion, which saves loading the converter (~50 ms) per command."""
        quick = match_key(text, simplify=False)
        return quick if set(quick) <= self.chars else match_key(text)

    def resolve(self, text: str, kinds: tuple[str, ...] | None = None) -> Entity:
        """Find the one entity ``text`` names.

        Args:
            text: what the planner typed.
            kinds: restrict to these kinds (``chain``, ``policy``, ``enterprise``, ``park``, ``place``, ...).

        Raises:
            NotFound: nothing matches; ``suggestions`` holds close names.
            Ambiguous: several entities match; ``candidates`` lists them.
        """
        what = "/".join(kinds) if kinds else "entity"
        key = self.key(text)
        if not key:
            raise NotFound(f"empty name: give a {what} name")
        for candidate_key in _variants(key, text):
            found = self._pick(self.keys.get(candidate_key, set()), kinds)
            if found:
                return self._one(found, text)
        if len(key) >= 2:
            found = self._pick({e for k, ids in self.keys.items() if key in k for e in ids}, kinds)
            if found:
                return self._one(found, text)
        suggestions = self.suggest(key, kinds)
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"no {what} named {text!r}{hint}", suggestions)

    def suggest(self, key: str, kinds: tuple[str, ...] | None) -> list[str]:
        """Up to five names close to ``key``."""
        pool = [k for k, ids in self.keys.items() if self._pick(ids, kinds)]
        close = difflib.get_close_matches(key, pool, n=5, cutoff=0.5)
        cjk = {c for c in key if "\u3400" <= c <= "\u9fff"}
        if not close and cjk:
            overlap = sorted(pool, key=lambda k: (-len(cjk & set(k)), k))
            close = [k for k in overlap[:5] if cjk & set(k)]
        return [self.labels[k] for k in close]

    def _pick(self, ids: set[str], kinds: tuple[str, ...] | None) -> list[Entity]:
        entities = [self.entities[i] for i in sorted(ids)]
        if kinds:
            entities = [e for e in entities if e.kind in kinds]
        return entities

    def _one(self, found: list[Entity], text: str) -> Entity:
        if len(found) == 1:
            return found[0]
        best = min(KIND_ORDER.index(e.kind) for e in found)
        top = [e for e in found if KIND_ORDER.index(e.kind) == best]
        if len(top) == 1 and len({e.kind for e in found}) > 1:
            return top[0]
        names = [f"{e.name()} ({e.kind})" for e in found]
        raise Ambiguous(f"{text!r} matches several entities: {'; '.join(names)}", names)


def _variants(key: str, text: str = "") -> list[str]:
    out = [key]
    try:
        out.append(match_key(normalise_doc_number(text)[0], simplify=False))
    except InvalidIdentifier:
        pass
    for suffix in SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            out.append(key[: -len(suffix)])
    return out


_INDEXES: dict[str, Index] = {}
#: The store folder keeps the names of its entities beside the database, written at build time, so that a
#: command resolves a name without converting every label of the store (~30 ms) on each start.
NAMES_FILE = "names.json"


def label_rows(store) -> list[dict]:
    """Every name of every entity (the ``labels`` query) with its matching key, as plain rows."""
    rows = select(store, "labels")
    for row in rows:
        row["key"] = match_key(row["label"])
    return rows


def index_for(store) -> Index:
    """The name index of a store (read from the store folder, or built once per process)."""
    token = f"{store.path}|{store.info.get('fingerprint')}|{store.info.get('built_at')}"
    if token not in _INDEXES:
        try:
            rows = json.loads((store.path / NAMES_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rows = label_rows(store)
        _INDEXES[token] = Index(rows)
    return _INDEXES[token]


def resolve(store, text: str, kinds: tuple[str, ...] | None = None) -> Entity:
    """Resolve planner text to one entity of the store (see :meth:`Index.resolve`)."""
    return index_for(store).resolve(text, kinds)
