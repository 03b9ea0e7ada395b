"""Parsing one printed cell into (value, unit, flags). Pure functions.

Blank, an NA marker and 0 are different facts: blank and NA give value None with the flag
``blank`` or ``na_marker``; 0 is a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import clean

UNITS = frozenset({"万元", "元", "件", "项", "个", "条", "次"})
NA_MARKERS = frozenset({"—", "-", "/", "无", "／", "－", "–", "——", "空", "\\", "×", "_"})
_NUMBER = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:[,，]\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>万元|元|件|项|个|条|次)?$"
)


@dataclass
class ParsedValue:
    value: float | int | None
    unit: str | None = None
    flags: list[str] = field(default_factory=list)


def looks_like_value(text: str) -> bool:
    """True when a printed token is a table value (a number, an NA marker) rather than text."""
    t = clean(text).replace(" ", "")
    return bool(t) and (t in NA_MARKERS or bool(_NUMBER.match(t)))


def parse_value(text: str, *, money: bool = False, signed: bool = False) -> ParsedValue:
    """Parse a printed value. ``money`` columns are in 万元 and may be decimal; ``signed``
    columns (gb2019 本年增/减) may carry a sign. Anything else that is not a clean count is
    flagged rather than guessed."""
    t = clean(text).replace(" ", "")
    if not t:
        return ParsedValue(None, flags=["blank"])
    if t in NA_MARKERS:
        return ParsedValue(None, flags=["na_marker"])
    m = _NUMBER.match(t)
    if not m:
        return ParsedValue(None, flags=["unparsed"])
    flags: list[str] = []
    digits = m["num"].replace(",", "").replace("，", "")
    if digits != m["num"]:
        flags.append("thousands_separator")
    unit = m["unit"]
    if money:
        number = float(digits + (m["frac"] or ""))
        if unit == "元":
            number = round(number / 10000, 6)
            flags.append("unit_converted")
        elif unit not in (None, "万元"):
            flags.append("unexpected_unit")
        value: float | int = number
        unit = "万元"
    else:
        if m["frac"]:
            return ParsedValue(None, unit, ["decimal_in_count"])
        value = int(digits)
        if unit in ("万元", "元"):
            flags.append("unexpected_unit")
    if m["sign"]:
        if m["sign"] == "-":
            value = -value
        if not signed:
            flags.append("signed_in_unsigned")
        else:
            flags.append("signed")
    return ParsedValue(value, unit, flags)
