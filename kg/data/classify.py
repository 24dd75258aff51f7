"""A register row's industry code and business scope → the dataset's chain segments, with the basis of each.

Owns two modelling rules (``docs/schema.md`` states them for planners):

- **by code**: a GB/T 4754-2017 code falls in every segment whose ``industry_codes`` (segments.csv) list the code or
  one of its ancestors (a segment listing the 中类 ``358`` takes the 小类 ``3581``); a code may fall in several
  segments, of one chain or several.
- **by keyword**: the business scope (经营范围) names a segment: its Chinese name, or a part of it of three or more
  characters split at 、与及和 and brackets (``电子器件(显示、光电子、半导体照明)`` gives 电子器件, 光电子, 半导体照明).

Segments found by both are ``both``; a code's segments without a keyword are ``code``; keywords count alone only when
the code gives no segment (no code, or a code outside every segment), as ``keyword``. Never ``confirmed``: see
:data:`CONFIDENCE`.

Industry codes are checked against the classification table the manifest names (GB/T 4754-2017). A code that is not in
it is flagged; no 2011→2017 correspondence is applied, because the project has no sourced concordance table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Confidence of an ``in_segment`` link by its basis: a classification is a modelling step, never ``confirmed``.
CONFIDENCE = {"both": "partial", "code": "uncertain", "keyword": "uncertain"}

#: The modelling source each basis cites (its note, written by :func:`modelling_sources`, states the rule).
BASIS_SOURCE = {"code": "src:M-REGISTER-CODE", "keyword": "src:M-REGISTER-KEYWORD", "both": "src:M-REGISTER-BOTH"}

_SPLIT = re.compile(r"[、与及和,，()（）/]")
#: Parts of segment names too generic to stand for the segment in a business scope.
_GENERIC = frozenset({"终端应用", "其他", "服务", "设备", "制造", "加工"})
_SECTION = re.compile(r"[A-Ta-t]")


@dataclass(frozen=True)
class Segment:
    """What classification needs of a segment row."""

    id: str
    chain: str
    name: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CodeCheck:
    """An industry code as read: ``code`` when it is a code of the table, else ``problem`` says why not."""

    code: str = ""
    problem: str = ""
    hint: str = ""


class Classifier:
    """Segments by industry code and business-scope keyword, for one dataset.

    Args:
        segments: the dataset's segments.
        industry_codes: the classification table (code → (name, level, parent)).
    """

    def __init__(self, segments: Iterable[Segment], industry_codes: Mapping[str, tuple]) -> None:
        self.industry_codes = industry_codes
        self.segments = {s.id: s for s in segments}
        self.by_code: dict[str, list[str]] = {}
        for seg in self.segments.values():
            for code in seg.codes:
                self.by_code.setdefault(code, []).append(seg.id)
        keywords: dict[str, set[str]] = {}
        for seg in self.segments.values():
            for word in segment_keywords(seg.name):
                keywords.setdefault(word, set()).add(seg.id)
        self.keywords = {k: tuple(sorted(v)) for k, v in keywords.items()}
        # Longest first, so that the regex finds 半导体分立器件 rather than a shorter word inside it.
        words = sorted(self.keywords, key=lambda w: (-len(w), w))
        self._keyword_re = re.compile("|".join(map(re.escape, words))) if words else None
        self._cache: dict[str, tuple[str, ...]] = {}

    def check_code(self, raw: str) -> CodeCheck:
        """Read an industry code: ``C3973`` and ``3973`` are the same; ``3973.0`` (a number cell) is ``3973``.

        >>> Classifier([], {"3973": ("集成电路制造", "小类", "397")}).check_code("C3973").code
        '3973'
        """
        value = raw.strip().upper().replace(" ", "")
        if not value:
            return CodeCheck()
        if value.endswith(".0") and value[:-2].isdigit():
            value = value[:-2]
        section = ""
        if _SECTION.fullmatch(value[:1]) and value[1:].isdigit():
            section, value = value[0], value[1:]
        if value in self.industry_codes and value.isdigit():
            table_section = _section_of(value, self.industry_codes)
            if section and table_section and section != table_section:
                return CodeCheck(problem=f"section letter {section} does not match the code: {value} is in section "
                                         f"{table_section} of GB/T 4754-2017")
            return CodeCheck(code=value)
        if not value.isdigit():
            return CodeCheck(problem="not an industry code (expected a GB/T 4754-2017 code such as C3973 or 3973)")
        if ("0" + value) in self.industry_codes:
            return CodeCheck(problem="not a GB/T 4754-2017 code; a leading zero lost in a spreadsheet? "
                                     f"(0{value} is a code)", hint="0" + value)
        return CodeCheck(problem="not a GB/T 4754-2017 code (2011 edition?); no 2011→2017 correspondence is applied "
                                 "(chainkg has no sourced concordance): classify it by hand or give the 2017 code")

    def by_industry(self, code: str) -> tuple[str, ...]:
        """The segments a (checked) code falls in: those listing the code or one of its ancestors."""
        found = self._cache.get(code)
        if found is None:
            out: list[str] = []
            for n in range(len(code), 1, -1):
                out += self.by_code.get(code[:n], ())
            found = self._cache[code] = tuple(dict.fromkeys(out))
        return found

    def by_keyword(self, scope: str) -> dict[str, str]:
        """Segment id → the keyword of the business scope that names it."""
        if not scope or self._keyword_re is None:
            return {}
        out: dict[str, str] = {}
        for word in dict.fromkeys(self._keyword_re.findall(scope)):
            for seg in self.keywords[word]:
                out.setdefault(seg, word)
        return out

    def classify(self, code: str, scope: str) -> list[tuple[str, str, str]]:
        """``(segment id, basis, keyword)`` for a row: basis ``both``, ``code`` or ``keyword`` (module docstring)."""
        coded = self.by_industry(code) if code else ()
        named = self.by_keyword(scope)
        if coded:
            return [(seg, "both" if seg in named else "code", named.get(seg, "")) for seg in coded]
        return [(seg, "keyword", word) for seg, word in sorted(named.items())]


def segment_keywords(name: str) -> list[str]:
    """The words of a segment name that a business scope may use for it.

    >>> segment_keywords("电子器件(显示、光电子、半导体照明)")
    ['电子器件(显示、光电子、半导体照明)', '电子器件', '光电子', '半导体照明']
    """
    words = [name] if len(name) >= 3 else []
    words += [part for part in _SPLIT.split(name) if len(part) >= 3 and part != name and part not in _GENERIC]
    return [w for w in dict.fromkeys(words) if w not in _GENERIC]


def _section_of(code: str, table: Mapping[str, tuple]) -> str:
    """The section letter (门类) above a code, following ``parent`` links."""
    seen = 0
    while code in table and seen < 6:
        parent = table[code][2]
        if not parent:
            return code if code.isalpha() else ""
        code, seen = parent, seen + 1
    return code if code.isalpha() else ""


def modelling_sources() -> list[dict[str, str]]:
    """The sources.csv rows the classification cites, one per basis (kind ``modelling``, the rule in the note)."""
    rule = ("Modelling choice (chainkg ingest): a register row's GB/T 4754-2017 code is matched against segments.csv "
            "industry_codes (a segment listing a code or one of its ancestors takes it; a code may fall in several "
            "segments); its business scope (经营范围) is searched for the segment's Chinese name or a part of it "
            "of three or more characters.")
    basis = {"code": "Basis: the industry code alone. Confidence uncertain.",
             "keyword": "Basis: a business-scope keyword alone (the row's code names no segment). Confidence "
                        "uncertain.",
             "both": "Basis: the industry code and a business-scope keyword agree. Confidence partial."}
    titles = {"code": "按行业代码归入产业链环节", "keyword": "按经营范围关键词归入产业链环节",
              "both": "按行业代码与经营范围关键词归入产业链环节"}
    return [{"source_id": BASIS_SOURCE[b], "kind": "modelling", "outlet": "chainkg", "title": titles[b],
             "date": "", "url": "", "note": f"{rule} {basis[b]} Not an official classification of the enterprise."}
            for b in ("code", "keyword", "both")]
