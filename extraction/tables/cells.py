"""One table cell: what its text says (a number, a signed change, money, or nothing).

record.md: blank, "/", "-", "无" are null with a warning; 增2 / 减1 / +3 / -8 keep their
sign; money is a number, not an integer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Union

Number = Union[int, float]

# marks that stand for "nothing here" in a cell
NULL_MARKS = frozenset({"/", "／", "\\", "-", "－", "—", "——", "–", "─", "无", "空", "--", "---", "×", "x", "X"})
_UNIT = r"(?:万元|亿元|元|件|个|项|条|次|人)"
_NUMBER = re.compile(
    rf"(?P<sign>增加|减少|增|减|[+\-－])?\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*{_UNIT}?"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Cell:
    """A parsed cell: ``kind`` is 'number', 'null' (blank or a null mark), 'text', or
    'ambiguous' (set by the run-together solver)."""

    kind: str
    value: Optional[Number] = None
    raw: str = ""
    digits: str = ""  # the digits as written (run-together splitting needs them)


BLANK = Cell("null", None, "")
AMBIGUOUS = Cell("ambiguous")  # run-together digits that fit several splits (warned where decided)


def to_number(num: str) -> Number:
    """'1,234' → 1234, '4068.208' → 4068.208, '12' → 12."""
    num = num.replace(",", "")
    return float(num) if "." in num else int(num)


@lru_cache(maxsize=8192)
def parse_cell(text: str) -> Cell:
    """Read one cell's text (cached: tables repeat the same few cells)."""
    raw = text.strip()
    if not raw:
        return BLANK
    compact = _SPACES.sub("", raw)
    if compact in NULL_MARKS:
        return Cell("null", None, raw)
    m = _NUMBER.fullmatch(compact)
    if m is None:
        return Cell("text", None, raw)
    value = to_number(m["num"])
    if m["sign"] in ("减", "减少", "-", "－"):
        value = -value
    return Cell("number", value, raw, m["num"].replace(",", ""))


def is_value_text(text: str) -> bool:
    """Whether a cell's text is a value or a null mark (not a label)."""
    return parse_cell(text).kind != "text"
