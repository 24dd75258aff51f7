"""Planner text → entity: names in Chinese or English, abbreviations and aliases, document numbers and codes.

Matching uses :func:`kg.identifiers.match_key` (full-width, zero-width, spaces, traditional characters folded).
Exact matches win; then the name without a trailing 产业链/产业; then a unique substring match. A miss raises
:class:`~kg.errors.NotFound` with "did you mean" suggestions; several matches raise :class:`~kg.errors.Ambiguous`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from kg.errors import Ambiguous, InvalidIdentifier, NotFound
from kg.identifiers import match_key, normalise_doc_number
from kg.iris import CKG
from kg.query import iri, literal, load_query, select

KINDS = {
    str(CKG.IndustrialChain): "chain", str(CKG.ChainSegment): "segment", str(CKG.Enterprise): "enterprise",
    str(CKG.Park): "park", str(CKG.Place): "place", str(CKG.PolicyDocument): "policy",
    str(CKG.ChainSystem): "system", str(CKG.Measure): "measure", str(CKG.Indicator): "indicator",
}
#: When one text names entities of several kinds (a park is also a place), the first kind here wins.
KIND_ORDER = ("chain", "policy", "enterprise", "park", "place", "segment", "system", "measure", "indicator")
SUFFIXES = ("产业链群", "产业链", "产业集群", "产业", "链")
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
#: An ambiguous name's message lists this many candidates (the error carries them all).
AMBIGUOUS_SHOWN = 12


@dataclass
class Entity:
    """A resolved entity: its IRI, kind and names."""

    iri: str
    kind: str
    names: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        """The preferred name in ``lang``, falling back to the other language, then the IRI."""
        return self.names.get(lang) or self.names.get("zh") or self.names.get("en") or self.iri


class _Entities(dict):
    """Entities by IRI: the small kinds loaded up front, anything else (enterprises) looked up in the store once."""

    def __init__(self, store) -> None:
        super().__init__()
        self._store = store

    def get(self, iri: str, default=None):  # noqa: D102 - dict.get that also asks the store
        if iri in self:
            return self[iri]
        found = _entity_of(self._store, iri)
        if found is None:
            return default
        self[iri] = found
        return found


class Index:
    """The names of a store's entities, keyed for matching.

    The small kinds (chains, segments, parks, places, policies, systems) are held in memory, keys and all; an
    enterprise is found by an indexed point query on its key in the store's names graph (``ckg:matchKey``), so that a
    command starts in milliseconds whether the store holds fifty enterprises or a million.
    """

    def __init__(self, rows: list[dict], store=None, enterprises_in_memory: bool = True) -> None:
        self.store = store
        #: whether the enterprises' keys are among ``rows`` (small stores); else they are looked up one key at a time
        self.enterprises_in_memory = enterprises_in_memory
        self.entities: dict[str, Entity] = _Entities(store) if store is not None else {}
        self.keys: dict[str, set[str]] = {}
        self.labels: dict[str, str] = {}
        self.chars: set[str] = set()
        for row in rows:
            entity = self._add(row)
            key = row.get("key")
            if key:
                self.chars.update(key)
                self.keys.setdefault(key, set()).add(entity.iri)
                self.labels.setdefault(key, entity.name())

    def _add(self, row: dict) -> Entity:
        kind = KINDS[row["class"]]
        entity = dict.get(self.entities, row["entity"])
        if entity is None:
            entity = self.entities[row["entity"]] = Entity(row["entity"], kind)
        _merge(entity, kind, row)
        return entity

    def key(self, text: str) -> str:
        """The matching key of planner text. Text made only of characters the index's (simplified) keys already
        use needs no traditional → simplified check, which saves loading the converter's tables per command."""
        quick = match_key(text, simplify=False)
        return quick if set(quick) <= self.chars else match_key(text)

    def _lookup(self, key: str, enterprises: bool) -> set[str]:
        found = set(self.keys.get(key, ()))
        if enterprises and not self.enterprises_in_memory and self.store is not None:
            for row in select(self.store, "names_by_key", key=literal(key)):
                if row["entity"] not in found and self.entities.get(row["entity"]) is not None:
                    found.add(row["entity"])
        return found

    def _containing(self, key: str) -> set[str]:
        # Part of a name: among the keys in memory (every entity of a small store; all but the enterprises of a
        # large one, whose keys would take seconds to scan).
        return {e for k, ids in self.keys.items() if key in k for e in ids}

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
        enterprises = not kinds or "enterprise" in kinds
        if enterprises and self.store is not None and _USCC.fullmatch(text.strip().upper()):
            found = [e for e in (self.entities.get(r["entity"]) for r in
                                 select(self.store, "names_by_credit_code", code=literal(text.strip().upper())))
                     if e is not None]
            if found:
                return self._one(found, text)
        for candidate_key in _variants(key, text):
            found = self._pick(self._lookup(candidate_key, enterprises), kinds)
            if found:
                return self._one(found, text)
        if len(key) >= 2:
            found = self._pick(self._containing(key), kinds)
            if found:
                return self._one(found, text)
        suggestions = self.suggest(key, kinds)
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        if enterprises and not self.enterprises_in_memory:
            hint += " (in a dataset this large an enterprise is found by its full name, alias or credit code)"
        raise NotFound(f"no {what} named {text!r}{hint}", suggestions)

    def suggest(self, key: str, kinds: tuple[str, ...] | None) -> list[str]:
        """Up to five names close to ``key`` (among the small kinds)."""
        pool = [k for k, ids in self.keys.items() if self._pick(ids, kinds)]
        close = difflib.get_close_matches(key, pool, n=5, cutoff=0.5)
        cjk = {c for c in key if "\u3400" <= c <= "\u9fff"}
        if not close and cjk:
            overlap = sorted(pool, key=lambda k: (-len(cjk & set(k)), k))
            close = [k for k in overlap[:5] if cjk & set(k)]
        return list(dict.fromkeys(self.labels[k] for k in close))

    def _pick(self, ids: set[str], kinds: tuple[str, ...] | None) -> list[Entity]:
        entities = [dict.get(self.entities, i) for i in sorted(ids)]
        entities = [e for e in entities if e is not None]
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
        shown = "; ".join(names[:AMBIGUOUS_SHOWN]) + (f"; … {len(names) - AMBIGUOUS_SHOWN} more"
                                                     if len(names) > AMBIGUOUS_SHOWN else "")
        raise Ambiguous(f"{text!r} matches several entities: {shown}", names)


def _entity_of(store, iri_value: str) -> Entity | None:
    rows = select(store, "names_of", entity=iri(iri_value))
    entity = None
    for row in rows:
        if row["class"] is None:
            continue
        kind = KINDS[row["class"]]
        entity = entity or Entity(iri_value, kind)
        _merge(entity, kind, row)
    return entity


def _merge(entity: Entity, kind: str, row: dict) -> None:
    """Fold one label row into an entity: the kind that wins by :data:`KIND_ORDER`, the first name per language."""
    if KIND_ORDER.index(kind) < KIND_ORDER.index(entity.kind):
        entity.kind = kind
    for lang in ("zh", "en"):
        if row.get(f"name_{lang}"):
            entity.names.setdefault(lang, row[f"name_{lang}"])


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


#: Up to this many enterprises, their keys are loaded with the rest (about 12 ms per thousand), so that part of a name
#: finds one; above it, an enterprise is looked up by its full key: Oxigraph has no text index, and a search for
#: part of a name read every key (measured 2 s at 100,000 enterprises, 51 s at a million). The small kinds
#: (chains, places, policies …) are always held, and searched, in memory.
ENTERPRISES_IN_MEMORY = 5000


def index_for(store) -> Index:
    """The name index of a store (loaded once per process and store)."""
    token = f"{store.path}|{store.info.get('fingerprint')}|{store.info.get('built_at')}"
    if token not in _INDEXES:
        rows = select(store, "names_small")
        count = (store.info.get("rows") or {}).get("enterprises.csv")
        if count is None:
            count = select(store, "enterprises_in_store")[0]["n"]
        small = count <= ENTERPRISES_IN_MEMORY
        if small:
            rows += _enterprise_rows(store, {r["entity"] for r in rows})
        _INDEXES[token] = Index(rows, store, enterprises_in_memory=small)
    return _INDEXES[token]


def _enterprise_rows(store, known: set[str]) -> list[dict]:
    """Index rows for the enterprises of a small store, from two flat scans (keys, labels) joined here: a SPARQL
    join of enterprises, keys and labels cost 80 ms per thousand enterprises."""
    names: dict[str, dict[str, str]] = {}
    for entity, label in store.query(load_query("pref_labels")):  # plain values: no row dicts for 10^4 rows
        lang = "zh" if any("\u3400" <= c <= "\u9fff" for c in label.value) else "en"
        names.setdefault(entity.value, {}).setdefault(lang, label.value)
    enterprise = str(CKG.Enterprise)
    out = []
    for entity, key in store.query(load_query("names_enterprises")):
        if entity.value not in known:
            own = names.get(entity.value, {})
            out.append({"entity": entity.value, "class": enterprise, "key": key.value, "name_zh": own.get("zh"),
                        "name_en": own.get("en")})
    return out


def resolve(store, text: str, kinds: tuple[str, ...] | None = None) -> Entity:
    """Resolve planner text to one entity of the store (see :meth:`Index.resolve`)."""
    return index_for(store).resolve(text, kinds)
