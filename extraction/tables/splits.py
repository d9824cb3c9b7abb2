"""Split digits that were run together (``640020470``) into the cells they came from.

A cell is a number written without leading zeros (a lone ``0`` is a number); white space
that survived inside a run is a cell boundary for sure. The arithmetic identities of the
tables prune the search: a row of table 三 ends with its total, so once the first cells
are chosen the total is known and must be exactly what is left.
"""
from __future__ import annotations

from typing import Iterator, Optional

from extraction.tables.cells import Number, to_number

# the most partial splits one run is allowed to explore; beyond it the run is unreadable
MAX_NODES = 50_000
MAX_SOLUTIONS = 64


class _Budget:
    def __init__(self, nodes: int):
        self.left = nodes

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _valid(part: str, decimal: bool) -> bool:
    if not part or part[0] == "." or part[-1] == ".":
        return False
    if "." in part:
        if not decimal or part.count(".") > 1:
            return False
        head = part.split(".", 1)[0]
        return head == "0" or head[0] != "0"
    return part == "0" or part[0] != "0"


def _chunks(chunks: list[str]) -> tuple[str, list[int]]:
    """The joined digits and, for each position, where its chunk ends."""
    s = "".join(chunks)
    ends: list[int] = []
    pos = 0
    for c in chunks:
        pos += len(c)
        ends.extend([pos] * len(c))
    return s, ends


def free_splits(chunks: list[str], n: int, decimal_last: bool = False,
                budget: Optional[_Budget] = None) -> Iterator[tuple[Number, ...]]:
    """Every way to cut ``chunks`` into ``n`` numbers (only the last may have decimals)."""
    s, ends = _chunks(chunks)
    budget = budget or _Budget(MAX_NODES)
    if not s or len(chunks) > n:
        return

    def rec(pos: int, k: int, acc: list[str]) -> Iterator[tuple[Number, ...]]:
        if not budget.spend():
            return
        if k == n - 1:
            if pos < len(s) and ends[pos] == len(s) and _valid(s[pos:], decimal_last):
                yield tuple(to_number(p) for p in acc + [s[pos:]])
            return
        if pos >= len(s):
            return
        for end in range(pos + 1, ends[pos] + 1):
            if len(s) - end < n - k - 1:
                break
            part = s[pos:end]
            if _valid(part, False):
                yield from rec(end, k + 1, acc + [part])

    yield from rec(0, 0, [])


def sum_splits(chunks: list[str], n: int, budget: Optional[_Budget] = None) -> Iterator[tuple[int, ...]]:
    """Every way to cut ``chunks`` into ``n`` integers whose last is the sum of the others."""
    s, ends = _chunks(chunks)
    budget = budget or _Budget(MAX_NODES)
    if not s or "." in s or len(chunks) > n:
        return

    def rec(pos: int, k: int, acc: list[int]) -> Iterator[tuple[int, ...]]:
        if not budget.spend():
            return
        rest = len(s) - pos
        if k == n - 1:
            total = str(sum(acc))
            if s[pos:] == total and ends[pos] == len(s):
                yield tuple(acc) + (int(total),)
            return
        if rest < n - k or len(str(sum(acc))) > rest - (n - k - 1):
            return
        for end in range(pos + 1, ends[pos] + 1):
            part = s[pos:end]
            if len(s) - end < n - k - 1:
                break
            if _valid(part, False):
                yield from rec(end, k + 1, acc + [int(part)])

    yield from rec(0, 0, [])


def grouped_sum_splits(chunks: list[str], groups: int, size: int,
                       budget: Optional[_Budget] = None) -> list[tuple[int, ...]]:
    """Cut ``chunks`` into ``groups`` groups of ``size`` integers, each group ending in the
    sum of its others (table 四: three groups of four results and a total)."""
    s, ends = _chunks(chunks)
    budget = budget or _Budget(MAX_NODES)
    out: list[tuple[int, ...]] = []
    if not s or "." in s:
        return out

    def rec(pos: int, k: int, acc: list[int]) -> None:
        if len(out) >= MAX_SOLUTIONS or not budget.spend():
            return
        left_cells = groups * size - k
        if k == groups * size:
            if pos == len(s):
                out.append(tuple(acc))
            return
        if len(s) - pos < left_cells:
            return
        if (k + 1) % size == 0:  # a group total: the sum of the group so far
            total = str(sum(acc[k - size + 1:k]))
            end = pos + len(total)
            if s[pos:end] == total and end <= ends[pos]:
                rec(end, k + 1, acc + [int(total)])
            return
        for end in range(pos + 1, ends[pos] + 1):
            if len(s) - end < left_cells - 1:
                break
            part = s[pos:end]
            if _valid(part, False):
                rec(end, k + 1, acc + [int(part)])

    rec(0, 0, [])
    return out


def new_budget(nodes: int = MAX_NODES) -> _Budget:
    return _Budget(nodes)
