"""Identifier rules checked at the edge: credit codes, division codes, document numbers, dates, match keys.

Every function is pure (no I/O) and raises :class:`kg.errors.InvalidIdentifier` with a message naming the
value, what is wrong and what would be right. Rules: GB 32100-2015 (统一社会信用代码), GB/T 2260 division
codes (checked against a dataset's own division table), GB/T 9704-2012 §7.2.5 document numbers (发文字号), XSD
date literals, and a text key for matching names (never for display).
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from kg.errors import InvalidIdentifier

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""Characters of a unified social credit code; a character's value is its index (no I, O, S, V, Z)."""

_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

_ROUNDED_HINT = "looks rounded by a spreadsheet; read code columns as text"


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a credit code.

    Raises:
        InvalidIdentifier: If ``first17`` is not 17 characters from :data:`USCC_ALPHABET` (uppercase).

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise InvalidIdentifier(f"credit code prefix {first17!r}: has {len(first17)} characters, expected 17")
    if bad := _illegal_chars(first17):
        raise InvalidIdentifier(f"credit code prefix {first17!r}: {bad}")
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Check a unified social credit code and return it normalised (stripped, uppercase).

    The organisation-code check character (position 17) is not checked, and positions 3-8 need only be six
    digits: a code keeps the division code in force at registration, so codes of former divisions stay valid.

    Raises:
        InvalidIdentifier: On a wrong length, a character outside the alphabet, a non-numeric division part or a
            wrong check character (with a hint when an all-digit code looks rounded by a spreadsheet).

    >>> validate_uscc(" 91110000600037341l ")
    '91110000600037341L'
    """
    value = code.strip().upper()
    if re.fullmatch(r"[0-9](\.[0-9]+)?E\+?[0-9]+", value):
        raise InvalidIdentifier(f"credit code {code!r}: is a number in scientific notation; {_ROUNDED_HINT}")
    if len(value) != 18:
        raise InvalidIdentifier(f"credit code {code!r}: has {len(value)} characters, expected 18")
    if bad := _illegal_chars(value[:17]):
        raise InvalidIdentifier(f"credit code {code!r}: {bad}")
    if not value[2:8].isascii() or not value[2:8].isdigit():
        raise InvalidIdentifier(f"credit code {code!r}: positions 3-8 {value[2:8]!r} must be a six-digit division code")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        message = f"credit code {code!r}: check character is {value[17]!r}, expected {expected!r}"
        if value.isdigit() and value.endswith("000"):
            message += f"; {_ROUNDED_HINT}"
        raise InvalidIdentifier(message)
    return value


def _illegal_chars(text: str) -> str:
    bad = [f"{ch!r} at position {i}" for i, ch in enumerate(text, 1) if ch not in USCC_ALPHABET]
    if not bad:
        return ""
    return f"illegal character {', '.join(bad)}; allowed are 0-9 and {USCC_ALPHABET[10:]} (never I, O, S, V, Z)"


def validate_division_code(code: str, known: Mapping[str, Any] | Collection[str]) -> str:
    """Check a six-digit GB/T 2260 division code against a dataset's division table and return it stripped.

    Args:
        code: The code as read, e.g. ``"370102"``.
        known: The dataset's division table: code → an entry with ``status`` (``current``, ``former`` or
            ``statistical``), ``name`` and, for a former code, ``successor`` (see :class:`kg.manifest.Division`);
            or simply the collection of accepted codes.

    Raises:
        InvalidIdentifier: If the code is not six digits, or not a current code of the table (with a hint when the
            table knows it as a former or a statistical code).

    >>> validate_division_code(" 370102 ", {"370102"})
    '370102'
    """
    value = code.strip()
    if not re.fullmatch(r"[0-9]{6}", value):
        raise InvalidIdentifier(f"division code {code!r}: expected six digits (GB/T 2260), e.g. '370102'")
    entry = status = None
    if isinstance(known, Mapping):
        entry = known.get(value)
        status = None if entry is None else getattr(entry, "status", "current")
    if status == "current" or (entry is None and not isinstance(known, Mapping) and value in known):
        return value
    message = f"division code {code!r}: not a current county-level code of the dataset's division table"
    if status == "former":
        message += f"; it is the former code of {entry.name}, use {entry.successor}"
    elif status == "statistical":
        message += f"; it is a statistical code ({entry.name}): put it in stat_code"
    current = sorted(c for c in known if not isinstance(known, Mapping)
                     or getattr(known[c], "status", "current") == "current")
    if len(current) <= 20:
        message += f"; known codes: {', '.join(current)}"
    raise InvalidIdentifier(message)


_OPEN_BRACKETS = "〔[［(（【﹝"
_CLOSE_BRACKETS = "〕]］)）】﹞"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_DOC_FORM = re.compile(
    rf"(?P<issuer>.*?)[{re.escape(_OPEN_BRACKETS)}](?P<year>[^{re.escape(_CLOSE_BRACKETS)}]*)"
    rf"[{re.escape(_CLOSE_BRACKETS)}](?P<rest>.*)"
)
_SESSION_YEAR = re.compile(r"[〇零一二三四五六七八九十百]+届")
_EXPECTED_DOC = "expected issuer + 〔YYYY〕 + sequence + 号, e.g. '济发〔2023〕7号'"


def normalise_doc_number(text: str) -> tuple[str, str]:
    """Return ``(canonical, original)`` for a policy document number (发文字号).

    The canonical form is issuer + ``〔YYYY〕`` + sequence without ``第`` or leading zeros + ``号``
    (GB/T 9704-2012 §7.2.5). Bracket variants, whitespace (including full-width and zero-width) and full-width
    digits are fixed. A second form is kept as written: a standing-committee announcement whose bracket holds a
    session, issuer + ``〔<Chinese numerals>届〕`` + ``第N号``, e.g. ``公告〔十八届〕第19号``.

    Raises:
        InvalidIdentifier: For what cannot be fixed safely: a two-digit year, a missing ``号``, a leading zero,
            ``第`` in the year form, an empty issuer, a year outside 1949-2100.

    >>> normalise_doc_number("济发 [2023] 7号")
    ('济发〔2023〕7号', '济发 [2023] 7号')
    """
    compact = "".join(ch for ch in text if not _is_space(ch)).translate(_FULLWIDTH_DIGITS)
    match = _DOC_FORM.fullmatch(compact)
    if not match:
        raise InvalidIdentifier(f"document number {text!r}: {_EXPECTED_DOC}")
    issuer, year, rest = match.group("issuer", "year", "rest")
    if not issuer:
        raise InvalidIdentifier(f"document number {text!r}: the issuer before the bracket is empty")
    if not rest.endswith("号"):
        raise InvalidIdentifier(f"document number {text!r}: does not end with '号'; {_EXPECTED_DOC}")
    session = _SESSION_YEAR.fullmatch(year) is not None
    if not session:
        if re.fullmatch(r"[0-9]{2}", year):
            raise InvalidIdentifier(f"document number {text!r}: year {year!r} has two digits; write it in full")
        if not re.fullmatch(r"[0-9]{4}", year) or not 1949 <= int(year) <= 2100:
            raise InvalidIdentifier(f"document number {text!r}: year {year!r} must be four digits in 1949-2100")
    seq = rest[:-1]
    has_di = seq.startswith("第")
    seq = seq[1:] if has_di else seq
    if not re.fullmatch(r"[0-9]+", seq):
        raise InvalidIdentifier(f"document number {text!r}: sequence {rest[:-1]!r} is not a number; {_EXPECTED_DOC}")
    fixed = seq.lstrip("0")
    if not fixed:
        raise InvalidIdentifier(f"document number {text!r}: sequence must be 1 or more, not {seq!r}")
    right = f"{issuer}〔{year}〕{'第' if session else ''}{fixed}号"
    if session and not has_di:
        raise InvalidIdentifier(f"document number {text!r}: a session number takes '第', expected {right!r}")
    if has_di and not session:
        raise InvalidIdentifier(f"document number {text!r}: remove '第' before the sequence, expected {right!r}")
    if fixed != seq:
        raise InvalidIdentifier(f"document number {text!r}: sequence {seq!r} has a leading zero, expected {right!r}")
    return right, text


def is_strict_doc_number(text: str) -> bool:
    """Return True if ``text`` is already a document number in its canonical form (nothing to normalise)."""
    try:
        return normalise_doc_number(text)[0] == text
    except InvalidIdentifier:
        return False


_DATE_FORM = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def parse_date(text: str) -> tuple[str, str]:
    """Return ``(value, datatype)`` for a date of known precision; datatype is an XSD local name.

    ``YYYY`` gives ``gYear``, ``YYYY-MM`` gives ``gYearMonth``, ``YYYY-MM-DD`` gives ``date``.

    Raises:
        InvalidIdentifier: For any other shape, a year 0000, a month outside 01-12 or a day not in the month.

    >>> parse_date("2023-11")
    ('2023-11', 'gYearMonth')
    """
    value = text.strip()
    if not _DATE_FORM.fullmatch(value):
        raise InvalidIdentifier(f"date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD, e.g. '2023-11-01'")
    parts = [int(p) for p in value.split("-")]
    if parts[0] == 0:
        raise InvalidIdentifier(f"date {text!r}: year 0000 does not exist, expected 0001-9999")
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise InvalidIdentifier(f"date {text!r}: month {value[5:7]!r} must be 01-12")
    if len(parts) > 2:
        try:
            datetime.date(*parts)
        except ValueError:
            raise InvalidIdentifier(f"date {text!r}: not a calendar date, {value[:7]} has no day {value[8:]}") from None
    return value, ("gYear", "gYearMonth", "date")[len(parts) - 1]


_DROP_IN_KEY = frozenset(".·•・．‧∙⋅･《》〈〉\"'“”‘’「」『』«»‹›„‟")


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC  # imported late: only matching needs it

    return OpenCC("t2s")


class _CharTable(dict):
    """A ``str.translate`` table filled on first sight of each character (``keep`` decides), so that a key costs
    two C-level passes instead of a Python loop per character (a million names are keyed at build time)."""

    def __init__(self, drop) -> None:
        super().__init__()
        self._drop = drop

    def __missing__(self, code: int):
        value = None if self._drop(chr(code)) else code
        self[code] = value
        return value


_FORMAT_CHARS = _CharTable(lambda ch: unicodedata.category(ch) == "Cf")
_KEY_DROPS = _CharTable(lambda ch: _dropped(ch))


def match_key(text: str, simplify: bool = True) -> str:
    """Return the key used to match names (never for display).

    Strips format characters (category Cf, e.g. zero-width space), applies NFKC, converts traditional to
    simplified Chinese (unless ``simplify`` is false: a caller that knows the text is simplified already can skip
    loading the converter), drops whitespace, dots, book-title marks and quotes, and casefolds.

    >>> match_key("《集成 電路》 ＩＣ")
    '集成电路ic'
    """
    key = unicodedata.normalize("NFKC", text.translate(_FORMAT_CHARS))
    if simplify and not _t2s_triggers().isdisjoint(key):
        key = _to_simplified(key)
    key = key.casefold().translate(_KEY_DROPS)
    # NFKC again: casefolding and dropping can leave sequences NFKC would still change (e.g. 'e' '.' U+0301).
    return unicodedata.normalize("NFKC", key)


#: :func:`match_key` with a small cache, for code that keys the same text twice in a row (the build's checks and
#: its name keys).
cached_match_key = functools.lru_cache(maxsize=1024)(match_key)


@functools.lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str]:
    """The characters OpenCC's t2s can change: text without any of them converts to itself, so the (slow, pure
    Python) converter is skipped. From its dictionaries: each position where a mapping changes the character, and
    every character of a mapping that changes the length."""
    converter = _t2s()
    converter.convert("")  # loads the dictionaries
    out: set[str] = set()
    for chain in converter._dict_chain_data:
        for _max, _min, table in chain:
            for key, value in table.items():
                value = value.split(" ")[0]
                if len(key) == len(value):
                    out.update(k for k, v in zip(key, value) if k != v)
                else:
                    out.update(key)
    return frozenset(out)


def _to_simplified(text: str) -> str:
    # OpenCC's t2s is not idempotent on every character (薴 -> 苧 -> 苎): convert until nothing changes.
    converter = _t2s()
    for _ in range(4):
        converted = converter.convert(text)
        if converted == text:
            break
        text = converted
    return text


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def _dropped(ch: str) -> bool:
    return _is_space(ch) or ch in _DROP_IN_KEY
