"""The confidence rules: when a row may say ``confirmed``, and which source holds its quote.

``docs/data.md`` states the rules in prose; this module is their one implementation on rows. The checker
(:class:`kg.data.validate.Checker`) runs it on every row: a ``quote_source`` that cannot be right (not one of the row's
sources, a modelling source, or set on a row without a quote) is an error like a broken reference; a break of a
rule below is a judgement on the evidence, listed by ``chainkg validate`` as a warning and counted in a built store by
``kg/queries/stats_confidence_rules.rq`` for ``chainkg stats`` (the bundled data has none; a test holds it to 0 and
checks that the query finds exactly the row graphs this module finds on a dataset that has some).

The rules:

1. ``modelling-only``: a row whose every source is a modelling choice (``sources.csv`` kind ``modelling``) is at
   most ``partial``: a modelling choice is never passed off as a stated fact.
2. ``quote-source``: a quote belongs to exactly one source the row cites, one that is not a modelling choice (a
   modelling source holds no text to quote). ``quote_source`` names it; it may be left empty only when the row
   cites exactly one such source.
3. ``unnamed-chain``: a ``confirmed`` link to a chain (chain-master, leading, member, carries, positioned for,
   supports) whose quote names neither the chain (its Chinese or English name, with or without the 产业链 ending)
   nor one of its ``confirmed`` aliases is not stated by its source: it is ``partial``, with a note saying what
   the source names. (The test is textual: a chain name inside another name, 钢铁 in 泰山钢铁, passes.)
4. ``inferred-note``: a ``confirmed`` row whose own note says it is inferred (:data:`INFERENCE`: "mapped to",
   "does not name", "inferred", …) contradicts itself: it is ``partial`` or ``uncertain``.

Memory: the source kinds and the chains' names (small tables); nothing per enterprise or link.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kg.errors import Problem
from kg.tables import Row

#: Link predicates that tie something to a chain (rule 3 reads their quotes).
CHAIN_PREDICATES = frozenset({"chain_master_of", "leading_in", "member_of", "carries", "positioned_for", "supports"})
#: Words with which a note says its row is inferred rather than stated (rule 4). Matched case-insensitively.
INFERENCE = re.compile(r"mapped to|does not name|do not name|not named|inferred|not stated|assignment by|"
                       r"modelling choice", re.IGNORECASE)
#: The ending a chain's name may carry or drop in a quote (晶体材料产业链 / 晶体材料).
CHAIN_ENDING = "产业链"
RULES = ("modelling-only", "quote-source", "unnamed-chain", "inferred-note")


def chain_name_forms(name: str) -> set[str]:
    """The forms of a chain name a quote may use: as written and without the 产业链 ending, lower-cased.

    >>> sorted(chain_name_forms("晶体材料产业链"))
    ['晶体材料', '晶体材料产业链']
    """
    name = name.strip().lower()
    short = name.removesuffix(CHAIN_ENDING)
    return {n for n in (name, short) if n}


def quotable_sources(row: Row, kinds: dict[str, str]) -> list[str]:
    """The row's sources that can hold a quote (all but modelling sources), in order, without repeats."""
    return [s for s in dict.fromkeys(row.split("source_ids")) if kinds.get(s) != "modelling"]


def quote_holder(row: Row, kinds: dict[str, str]) -> str | None:
    """The source that holds a row's quote: its ``quote_source``, or the only source that can hold one (``None``
    without a quote, or when that is ambiguous, which is a rule break).

    Args:
        row: a checked row.
        kinds: source id → kind, for the dataset's sources.
    """
    if not row.get("quote"):
        return None
    if row.get("quote_source"):
        return row.get("quote_source")
    quotable = quotable_sources(row, kinds)
    return quotable[0] if len(quotable) == 1 else None


class ConfidenceRules:
    """The rules above, judged row by row in the checker's order (sources first, then chains and aliases before
    links). :meth:`check` returns the row's errors and its rule breaks, each a :class:`kg.errors.Problem` whose
    message starts with the rule's name."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}  # source id → kind
        self.chain_names: dict[str, set[str]] = defaultdict(set)  # chain id → lower-cased name forms

    def check(self, row: Row) -> tuple[list[Problem], list[Problem]]:
        """``(errors, breaks)`` of one row, remembering what later rows need (source kinds, chain names)."""
        table = row.table
        if table == "sources.csv":
            self.kinds[row.get("source_id")] = row.get("kind")
            return [], []
        if table == "chains.csv":
            for column in ("name_zh", "name_en"):
                if row.get(column):
                    self.chain_names[row.get("chain_id")] |= chain_name_forms(row.get(column))
        elif (table == "aliases.csv" and row.get("entity_id").startswith("chain:")
              and row.get("confidence") == "confirmed" and row.get("alias")):
            self.chain_names[row.get("entity_id")] |= chain_name_forms(row.get("alias"))
        errors = self._quote_source_errors(row)
        breaks: list[Problem] = []
        quotable = quotable_sources(row, self.kinds)
        confirmed = row.get("confidence") == "confirmed"
        if confirmed and row.get("source_ids") and not quotable:
            breaks.append(row.problem("confidence", "modelling-only: every source of this row is a modelling "
                                                    "choice, so it is at most partial (never confirmed)"))
        if row.get("quote") and not row.get("quote_source") and len(quotable) != 1:
            breaks.append(row.problem("quote_source", "quote-source: " + (
                f"the row cites {len(quotable)} sources that could hold the quote; name the one that does (one "
                f"of {', '.join(quotable)})" if quotable else
                "a quote needs a document or dataset source that holds it; this row cites only modelling sources"),
                ""))
        if confirmed and table == "links.csv" and row.get("quote") and row.get("predicate") in CHAIN_PREDICATES:
            chain = next((v for v in (row.get("object_id"), row.get("subject_id")) if v.startswith("chain:")), "")
            names = self.chain_names.get(chain)
            quote = row.get("quote").lower()
            if names and not any(n in quote for n in names):
                breaks.append(row.problem("confidence", f"unnamed-chain: the quote does not name {chain} (nor a "
                                                        "confirmed alias of it), so the source does not state this "
                                                        "link: mark it partial with a note saying what the source "
                                                        "names, or quote the words that name the chain"))
        if confirmed and (found := INFERENCE.search(row.get("note"))):
            breaks.append(row.problem("confidence", f"inferred-note: the row's note says it is inferred "
                                                    f"({found.group()!r}), so it is partial or uncertain, not "
                                                    "confirmed"))
        return errors, breaks

    def _quote_source_errors(self, row: Row) -> list[Problem]:
        named = row.get("quote_source")
        if not named:
            return []
        if not row.get("quote"):
            return [row.problem("quote_source", "names the source of a quote, but the row has no quote")]
        if named not in row.split("source_ids"):
            return [row.problem("quote_source", "must be one of the row's source_ids")]
        if self.kinds.get(named) == "modelling":
            return [row.problem("quote_source", "a modelling source holds no text to quote; name the document or "
                                                "dataset the quote comes from")]
        return []
