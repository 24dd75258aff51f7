"""The rules on one number or literal, shared by the row checks (:mod:`kg.data.validate`) and by restore, which reads
literals from outside the build (:func:`kg.snapshot.restore_snapshot`).

Numbers are bounded before anything converts them: an 11-byte ``1e999999999`` would otherwise become a 10^9-digit
integer, and a 5,000-digit integer literal would reach ``int()`` in the question path.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kg.tables import CONTROL

#: Largest magnitude accepted in a number column: well beyond any economic figure, far below what would make a
#: decimal expensive to convert (an 11-byte ``1e999999999`` would otherwise become a 10^9-digit integer).
MAX_ABS_NUMBER = Decimal("1e15")
#: A plain decimal (the ``xsd:decimal`` lexical form: no exponent, no grouping, no unit), at most 32 characters.
PLAIN_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
MAX_DECIMAL_CHARS = 32
XSD = "http://www.w3.org/2001/XMLSchema#"


def decimal_problem(value: str) -> str | None:
    """What is wrong with a number cell or ``xsd:decimal`` literal (``None`` when it is a plain decimal in bounds).

    >>> decimal_problem("10189.4") is None, decimal_problem("1e999999999")[:23]
    (True, 'must be a plain decimal')
    """
    if len(value) > MAX_DECIMAL_CHARS or not PLAIN_DECIMAL.fullmatch(value):
        return (f"must be a plain decimal number such as 10189.4 (no units, no commas, no exponent, at most "
                f"{MAX_DECIMAL_CHARS} characters)")
    try:
        number = Decimal(value)
    except InvalidOperation:  # not reached: the pattern admits only what Decimal reads
        return "must be a plain decimal number such as 10189.4"
    if abs(number) >= MAX_ABS_NUMBER:
        return f"is implausibly large (limit {MAX_ABS_NUMBER:.0e}); check the unit"
    return None


#: Integer datatypes a snapshot may carry; their literals are bounded like the build's (a 5,000-digit integer would
#: otherwise reach ``int()`` in the question path).
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
MAX_INTEGER_DIGITS = 18
_INTEGER = re.compile(rf"[+-]?[0-9]{{1,{MAX_INTEGER_DIGITS}}}")


def literal_problem(value: str, datatype: str) -> str | None:
    """What is wrong with a literal read from outside the build (a restored snapshot), or ``None``.

    The same rules as on CSV cells: no control or bidirectional-override characters, decimals plain and below
    :data:`MAX_ABS_NUMBER`, integers of at most :data:`MAX_INTEGER_DIGITS` digits.

    >>> literal_problem("12", XSD + "integer") is None, literal_problem("9" * 5000, XSD + "integer")[:9]
    (True, 'an intege')
    """
    found = CONTROL.search(value)
    if found:
        char = found.group()
        return f"holds the control character {char!r} (U+{ord(char):04X})"
    if datatype == XSD + "decimal":
        return decimal_problem(value)
    if datatype in INTEGER_TYPES and not _INTEGER.fullmatch(value):
        return f"an integer must be at most {MAX_INTEGER_DIGITS} plain digits"
    return None
