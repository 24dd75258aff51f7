"""The words a planner reads, in Chinese and English: one catalogue.

Every label shown in a table, a CSV header or value, a note, a gap reason, the report or a map is looked up here by
key, so the wording lives in one place and both languages stay complete (a test checks every key has both).
Chinese is the default. Names from the data (chains, enterprises, districts) are not here: they come from the graph,
with their English form where the data has one.

- :data:`MESSAGES`: ``key -> (zh, en)``; ``{name}`` fields are filled by :func:`t`.
- :data:`CODES`: ``group -> code -> (zh, en)`` for the code values rows carry (``upstream``, ``blank``, ``direct``…).
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

#: Code values → labels. Groups that the ontology also labels (positions, levels, confidence, source kinds, measure
#: kinds, chain groups) must agree with its ``skos:prefLabel`` (tested).
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "position": {"upstream": ("上游", "upstream"), "midstream": ("中游", "midstream"),
                 "downstream": ("下游", "downstream"), "support": ("配套支撑", "support")},
    "grade": {"strong": ("优势", "strong"), "potential": ("潜力", "potential"), "weak": ("薄弱", "weak"),
              "blank": ("空白", "blank")},
    "support": {"direct": ("直接", "direct"), "inherited": ("继承", "inherited"), "general": ("普适", "general")},
    "role": {"chain_master": ("链主", "chain master"), "leading": ("龙头", "leading"), "member": ("成员", "member")},
    "confidence": {"confirmed": ("已证实", "confirmed"), "partial": ("部分证实", "partial"),
                   "uncertain": ("未证实", "uncertain")},
    "level": {"national": ("国家级", "national level"), "provincial": ("省级", "provincial level"),
              "municipal": ("市级", "municipal level"), "district": ("区县级", "district level")},
    "bool": {"yes": ("是", "yes"), "no": ("否", "no")},
}

#: Message keys → ``(zh, en)``. Each area of the code keeps its keys in its own block below.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- common ---------------------------------------------------------------------------------------------------
    "none": ("(无)", "(none)"),
    "unknown": ("—", "—"),
    "sources": ("来源", "sources"),
    # --- tables (kg/views.py, kg/gap_views.py, kg/analysis.py reasons) -------------------------------------------
    # --- pages (report, chain maps, overview) -----------------------------------------------------------------------
    # --- indicators (targets against actuals) -----------------------------------------------------------------------
    # --- formats and progress (CSV/xlsx files, terminal, long work) ---------------------------------------------------
    # --- data rules (kg/data/rules.py: the confidence rules, docs/data.md) --------------------------------------------
    "stats.rule_breaks": ("违反可信度规则的断言", "assertions breaking the confidence rules"),
}


def lang_of(lang: str | None) -> int:
    """The column of a language in the catalogue (anything but ``en`` is Chinese, the default)."""
    return 1 if lang == "en" else 0


def t(key: str, lang: str | None = DEFAULT_LANG, /, **values) -> str:
    """The message ``key`` in ``lang``, its ``{fields}`` filled from ``values``; an unknown key is a bug (KeyError)."""
    text = MESSAGES[key][lang_of(lang)]
    return text.format(**values) if values else text


def code(group: str, value: str | None, lang: str | None = DEFAULT_LANG) -> str | None:
    """The label of a code value (``code("position", "upstream")`` → ``上游``); an unlisted value is returned as is."""
    if value is None:
        return None
    labels = CODES[group].get(value)
    return labels[lang_of(lang)] if labels else value
