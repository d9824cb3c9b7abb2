"""Text normalisation that keeps a map back to the original offsets.

What changes (labels.md): full-width digits and Latin letters (and the few
full-width symbols that belong to numbers: ％ ＋ － ． ／) become half-width,
``\\r\\n`` and lone ``\\r`` become ``\\n``, ``\\u3000`` and no-break spaces become a
plain space, and a leading BOM is dropped. Chinese punctuation (，；：（）) is
kept as written: annotations quote it.

Every change but two is one character for one character; the two that drop a
character (a BOM, the ``\\r`` of ``\\r\\n``) are remembered, so mapping an offset
back costs one binary search and normalising is one regex substitution.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_FULLWIDTH_KEEP = set("％＋－．／")


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):
        ch = chr(cp)
        half = chr(cp - 0xFEE0)
        if half.isalnum() or ch in _FULLWIDTH_KEEP:
            table[cp] = half
    for space in (0x3000, 0x00A0, 0x2007, 0x202F):
        table[space] = " "
    table[ord("\r")] = "\n"
    return table


_CHANGED = {chr(cp): ch for cp, ch in _build_table().items()}
# one regex pass over the characters that change: far faster than str.translate on CJK text
_CHANGE = re.compile("[" + re.escape("".join(_CHANGED)) + "]")
_CRLF = re.compile("\r\n")


@dataclass(frozen=True)
class Normalized:
    """Normalised text, and the original positions of the characters it dropped."""

    text: str
    dropped: tuple[int, ...] = field(default=())  # sorted original indices removed

    def original_index(self, i: int) -> int:
        """Index in the original text of normalised index ``i`` (``len(text)`` allowed)."""
        if not self.dropped:
            return i
        # the k-th kept character sits at original index i + (#dropped positions <= that index)
        j = i
        k = 0
        while True:
            k_new = bisect.bisect_right(self.dropped, j)
            if k_new == k:
                return j
            j = i + k_new
            k = k_new

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the original text."""
        return self.original_index(start), self.original_index(end)


def normalize(original: str) -> Normalized:
    """Normalise ``original``; see the module docstring for what changes."""
    dropped: list[int] = []
    text = original
    if text.startswith("\ufeff"):
        dropped.append(0)
        text = text[1:]
    if "\r\n" in text:
        base = len(dropped)
        dropped.extend(m.start() + base for m in _CRLF.finditer(text))
        text = text.replace("\r\n", "\n")
    return Normalized(_CHANGE.sub(lambda m: _CHANGED[m.group()], text), tuple(dropped))
