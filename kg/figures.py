"""Figures as the sources give them: a value, its unit and its qualifier (超过900, 近800, 约798), and progress
against a target that respects what a qualifier allows one to conclude.

Pure functions, no store: :mod:`kg.indicators` feeds them the rows of the graph, the views and pages format with
them. A qualified value is a bound, never an exact figure:

=============  ===============================  ====================================================
qualifier      words (as sources write them)     what the value is
=============  ===============================  ====================================================
``more_than``  超过, 超, 突破, 余, 多             a lower bound (the true figure is above it)
``at_least``   以上, 不低于, 不少于               an inclusive lower bound
``nearly``     近, 接近                          an upper bound (近800 is under 800, never 800)
``less_than``  不到, 不足, 以内                   an upper bound
``about``      约, 左右                          an approximation (treated as the value, flagged)
=============  ===============================  ====================================================

Progress (:func:`progress`) is a modelling choice, stated with every answer: the latest actual divided by the target;
*reached* when the actual's bounds prove the target met; *behind* when the target year has passed without that
proof; otherwise the latest actual is compared with a straight line from the first dated actual to the target in
the target year (*on track* at or above it, *behind* below it). What the bounds cannot decide stays *undetermined*.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kg import i18n

QUALIFIERS = ("more_than", "at_least", "nearly", "less_than", "about")
SYMBOL = {"more_than": ">", "at_least": "≥", "nearly": "<", "less_than": "<", "about": "≈"}
#: Words written after the number (20余项, 30多家) or after the unit (100家以上); any other word goes before it.
AFTER_NUMBER = ("余", "多")
AFTER_UNIT = ("以上", "以下", "以内", "左右")
STATUSES = ("reached", "on_track", "behind", "undetermined", "no_actual")


@dataclass(frozen=True)
class Figure:
    """One figure: its value as recorded, the qualifier code (``None`` when exact) and the year (may be unknown)."""

    value: float
    qualifier: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Bounds:
    """What a qualified figure allows: the true value lies between ``lo`` and ``hi`` (``None``: unbounded)."""

    lo: float | None
    lo_incl: bool
    hi: float | None
    hi_incl: bool
    approx: bool = False


def bounds(figure: Figure) -> Bounds:
    """The interval a figure's qualifier allows.

    >>> bounds(Figure(800, "nearly"))
    Bounds(lo=None, lo_incl=False, hi=800, hi_incl=False, approx=False)
    >>> bounds(Figure(900, "more_than")).lo
    900
    """
    v, q = figure.value, figure.qualifier
    if q == "more_than":
        return Bounds(v, False, None, False)
    if q == "at_least":
        return Bounds(v, True, None, False)
    if q in ("nearly", "less_than"):
        return Bounds(None, False, v, False)
    return Bounds(v, True, v, True, approx=q == "about")


def meets(figure: Figure, target: float, need: str) -> bool | None:
    """Whether a figure proves ``true value {need} target`` (``need``: ``>=``, ``>`` or ``<``): ``True`` proven,
    ``False`` disproven, ``None`` when its bounds cannot tell.

    >>> meets(Figure(900, "more_than"), 900, ">="), meets(Figure(800, "nearly"), 800, ">=")
    (True, False)
    >>> meets(Figure(900, "more_than"), 1000, ">=") is None
    True
    """
    b = bounds(figure)
    if need == "<":
        if b.hi is not None and (b.hi < target or (b.hi == target and not b.hi_incl)):
            return True
        if b.lo is not None and b.lo >= target:
            return False
        return None
    strict = need == ">"
    # 超过900 proves ">= 900" (the true figure is above 900) and "> 900"; an exact 900 proves only ">= 900".
    if b.lo is not None and (b.lo > target or (b.lo == target and not (strict and b.lo_incl))):
        return True
    if b.hi is not None and (b.hi < target or (b.hi == target and (strict or not b.hi_incl))):
        return False
    return None


def _need(target: Figure) -> str:
    """What meeting a target means: reach it (``>=``), exceed it (突破: ``>``) or stay under it (``<``)."""
    if target.qualifier == "more_than":
        return ">"
    if target.qualifier in ("nearly", "less_than"):
        return "<"
    return ">="


def progress(actuals: list[Figure], target: Figure) -> dict:
    """Progress of a series of actuals towards one target (see the module docstring for the rule).

    Returns:
        ``{"status", "basis", "ratio", "ratio_bound", "latest", "expected", "baseline"}``: ``status`` one of
        :data:`STATUSES`; ``basis`` a code for why (``met``, ``target_year_passed``, ``linear_path``,
        ``bounds_undecided``, ``one_actual``, ``no_year``, ``no_actual``); ``ratio`` the latest actual ÷ target
        (``None`` without an actual or with a zero target); ``ratio_bound`` the latest actual's qualifier (the ratio
        is a bound, or approximate, likewise); ``expected`` the value the straight path asks for in the latest
        actual's year, ``baseline`` the first dated actual it starts from.

    >>> progress([Figure(10189.4, None, 2024)], Figure(10000, "more_than", 2025))["status"]
    'reached'
    >>> progress([Figure(800, "nearly", 2025)], Figure(800, None, 2025))["status"]
    'behind'
    """
    out = {"status": "no_actual", "basis": "no_actual", "ratio": None, "ratio_bound": None, "latest": None,
           "expected": None, "baseline": None}
    if not actuals:
        return out
    dated = sorted((a for a in actuals if a.year is not None), key=lambda a: a.year)
    latest = dated[-1] if dated else actuals[-1]
    out["latest"] = latest
    out["ratio_bound"] = latest.qualifier
    if target.value:
        out["ratio"] = latest.value / target.value
    need = _need(target)
    met = meets(latest, target.value, need)
    if met:
        return {**out, "status": "reached", "basis": "met"}
    if target.year is not None and latest.year is not None and latest.year >= target.year:
        if met is False:
            return {**out, "status": "behind", "basis": "target_year_passed"}
        return {**out, "status": "undetermined", "basis": "bounds_undecided"}
    if latest.year is None or target.year is None:
        return {**out, "status": "undetermined", "basis": "no_year" if met is False else "bounds_undecided"}
    baseline = next((a for a in dated if a.year < latest.year and a.qualifier in (None, "about")), None)
    if baseline is None:
        return {**out, "status": "undetermined", "basis": "one_actual" if met is False else "bounds_undecided"}
    share = (latest.year - baseline.year) / (target.year - baseline.year)
    expected = baseline.value + (target.value - baseline.value) * share
    ahead = meets(latest, expected, "<" if need == "<" else ">=")
    out.update(expected=expected, baseline=baseline, basis="linear_path")
    if ahead is None:
        return {**out, "status": "undetermined", "basis": "bounds_undecided"}
    return {**out, "status": "on_track" if ahead else "behind"}


# --- text ------------------------------------------------------------------------------------------------------------

def number_text(value) -> str:
    """A figure's number for reading: thousands separated, no trailing zeros (``10189.4`` → ``10,189.4``).

    >>> number_text(10189.4), number_text(800), number_text(56000.0)
    ('10,189.4', '800', '56,000')
    """
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    whole, _, frac = format(abs(number).normalize(), "f").partition(".")
    return f"{'-' if number < 0 else ''}{int(whole):,}.{frac}"


#: Chinese counters (量词): in English the measure's name says what is counted, so they are left out.
COUNTERS = ("家", "个", "项", "位", "只", "件", "座")


def unit_text(unit: str | None, lang: str) -> str:
    """The unit in ``lang``: the catalogue's English for the common units, else as the data writes it."""
    if not unit or (lang == "en" and unit in COUNTERS):
        return ""
    key = f"indicators.unit.{unit}"
    return i18n.t(key, lang) if key in i18n.MESSAGES else unit


def figure_text(value, unit: str | None, qualifier: str | None = None, word: str | None = None,
                lang: str = "zh") -> str:
    """A figure as a planner reads it, its qualifier never dropped.

    In Chinese the source's own word is kept where the source writes it (近 800 家, 20 余项, 超过 900 家); a
    qualifier recorded without its word shows as a sign (> 600 亿元). In English the qualifier is a word.

    >>> figure_text(800, "家", "nearly", "近")
    '近 800 家'
    >>> figure_text(20, "项", "more_than", "余")
    '20 余项'
    >>> figure_text(600, "亿元", "more_than")
    '> 600 亿元'
    >>> figure_text(800, "家", "nearly", "近", "en")
    'nearly 800'
    """
    number = number_text(value)
    unit_shown = unit_text(unit, lang)
    if lang == "en":
        head = f"{i18n.t('indicators.qualifier.' + qualifier, 'en')} " if qualifier else ""
        return f"{head}{number}{' ' + unit_shown if unit_shown else ''}"
    unit_shown = unit or ""
    if qualifier and word and word in AFTER_NUMBER:
        return f"{number} {word}{unit_shown}"
    if qualifier and word and word in AFTER_UNIT:
        return f"{number} {unit_shown}{word}"
    head = (word or SYMBOL.get(qualifier or "", "")) if qualifier else ""
    return f"{head + ' ' if head else ''}{number}{' ' + unit_shown if unit_shown else ''}"


def ratio_text(ratio: float | None, bound: str | None, lang: str = "zh") -> str:
    """The share of the target reached, marked as a bound or an approximation when the actual is one.

    >>> ratio_text(1.01894, None), ratio_text(0.5, "more_than"), ratio_text(0.9, "about", "en")
    ('101.9 %', '> 50.0 %', '≈ 90.0 %')
    """
    if ratio is None:
        return "—"
    mark = SYMBOL.get(bound or "", "")
    if bound == "about" and lang == "zh":
        mark = "约"
    return f"{mark + ' ' if mark else ''}{ratio * 100:.1f} %"
