"""Priors that choose among the splits of a run-together row of table 二.

Table 二 has no arithmetic identity, so when its digits are run together
(``规范性文件898989``) the split must come from what such rows look like in real
reports. Each prior below is a log-probability of the row's values; a split is taken
only when it beats every other split by ``margin`` nats (e^3 ≈ 20 times as likely),
otherwise the cells on which the close splits differ are null with a warning.

The reference measure for any count is scale-free (``1/(n+1)``: every decade equally
likely), so the priors only express relations between the cells of a row:

- 2021 第二十条第（一）项 (made, repealed, in_force): a stock and its flows. Last year's
  stock is ``in_force - made + repealed``; documents made this year are still in force
  at its end (``in_force >= made``); the year's output is a modest share of the stock
  (log10(made/in_force) around -0.8, sd 0.4); the repealed are often none, else any
  share of last year's stock, rarely most of it.
- 2019 第二十条第（一）项 (new_made, new_published, total_published): normative
  documents and rules must be published, so new_published equals new_made in most
  reports and rarely exceeds it; total_published includes this year's.
- 2019 第二十条第（五）（六）（八）项 (prev_items, change, decisions): the change of a
  list of items is usually none, otherwise mostly small against the list (about a tenth,
  sd half a decade), with a scale-free tail for reorganisations.
- 第二十条第（九）项 (items, amount): nothing relates the two, so a run-together
  procurement row stays undecided unless only one split exists.

Reports often restate a table cell in their prose ("本年度制发的规范性文件77件"): a
split whose cell (of two digits or more) the prose gives for the same row gains
``prose_bonus`` nats per such cell. The prose may also name the stock in force when the
list was cleaned ("清理并集中发布现行有效行政规范性文件393件"): the year-end stock is near
it, so a split whose last cell (in_force) is at least that stock and at most
``stock_near`` times it gains ``prose_bonus`` nats too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from extraction.tables.cells import Number

_LN10 = math.log(10)


@dataclass(frozen=True)
class SplitPriors:
    """Parameters of the table-二 priors (see the module docstring)."""

    margin: float = 3.0
    in_force_share_mu: float = -0.8
    in_force_share_sd: float = 0.4
    made_after_repeal_penalty: float = 6.0
    repealed_none: float = 0.4
    repealed_most_sd: float = 0.1
    published_equal: float = 0.7
    published_less: float = 0.25
    total_equal: float = 0.3
    total_below_penalty: float = 6.0
    change_none: float = 0.5
    change_small: float = 0.8
    change_share_mu: float = -1.0
    change_share_sd: float = 0.6
    change_tail_decades: float = 5.0
    prose_bonus: float = 3.0
    stock_near: float = 1.5


def _scale_free(n: Number) -> float:
    return -math.log(abs(n) + 1)


def _normal(x: float, mu: float, sd: float) -> float:
    return -0.5 * ((x - mu) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi))


def stock_2021(v: Sequence[Number], p: SplitPriors) -> float:
    made, repealed, in_force = v
    prev = in_force - made + repealed
    if prev < 0:
        return -math.inf  # last year's stock cannot be negative
    s = _scale_free(made)
    if in_force < made:
        s -= p.made_after_repeal_penalty
    if repealed == 0:
        s += math.log(p.repealed_none)
    else:  # log-uniform share of last year's stock, rarely most of it
        s += math.log(1 - p.repealed_none) - math.log(repealed) - math.log(math.log(max(prev, 1) + 1) + 1)
        share = repealed / max(prev, 1)
        if share > 0.5:
            s -= 0.5 * (math.log10(share / 0.5) / p.repealed_most_sd) ** 2
    if made == 0:
        return s + _scale_free(in_force)
    x = math.log10((made + 1) / (in_force + 1))
    return s + _normal(x, p.in_force_share_mu, p.in_force_share_sd) - math.log((in_force + 1) * _LN10)


def published_2019(v: Sequence[Number], p: SplitPriors) -> float:
    made, published, total = v
    s = _scale_free(made)
    if published == made:
        s += math.log(p.published_equal)
    elif published < made:
        s += math.log(p.published_less) - math.log(made)
    else:
        s += math.log(1 - p.published_equal - p.published_less) + _scale_free(published)
    if total < published:
        return s + _scale_free(total) - p.total_below_penalty
    if total == published:
        return s + math.log(p.total_equal)
    return s + math.log(1 - p.total_equal) + _scale_free(total)


def _change(change: Number, prev: Number, p: SplitPriors) -> float:
    if change == 0:
        return math.log(p.change_none)
    if change < 0 and -change > prev:
        return -math.inf
    c = abs(change)
    small = p.change_small * math.exp(
        _normal(math.log10(c), math.log10(prev + 1) + p.change_share_mu, p.change_share_sd)) / (c * _LN10)
    tail = (1 - p.change_small) / ((c + 1) * p.change_tail_decades * _LN10)
    return math.log(1 - p.change_none) + math.log(small + tail)


def items_2019(v: Sequence[Number], p: SplitPriors) -> float:
    prev, change = v[0], v[1]
    s = _scale_free(prev) + _change(change, prev, p)
    if len(v) > 2:
        s += _scale_free(v[2])
    return s


def free(v: Sequence[Number], p: SplitPriors) -> float:
    return sum(_scale_free(x) for x in v)


def prior_for(template: str, row: str) -> Callable[[Sequence[Number], SplitPriors], float]:
    """The prior of a table-二 row of a template."""
    if row in ("regulations", "normative_documents"):
        return stock_2021 if template == "2021" else published_2019
    if template == "2019" and row in ("licensing", "other_services", "punishment", "coercion", "fees"):
        return items_2019
    return free


def _scored(candidates: list[tuple[Number, ...]], prior: Callable[[Sequence[Number], SplitPriors], float],
            p: SplitPriors, stated: frozenset, stock: frozenset) -> list[tuple[float, tuple[Number, ...]]]:
    """(score, split) of each distinct split, best first."""
    def score(c: tuple[Number, ...]) -> float:
        s = prior(c, p) + p.prose_bonus * sum(1 for v in c if v >= 10 and v in stated)
        if prior is stock_2021 and any(k <= c[-1] <= p.stock_near * k for k in stock):
            s += p.prose_bonus
        return s

    return sorted(((score(c), c) for c in set(candidates)), key=lambda t: (-t[0], t[1]))


def choose(candidates: list[tuple[Number, ...]], prior: Callable[[Sequence[Number], SplitPriors], float],
           p: SplitPriors, stated: frozenset = frozenset(), stock: frozenset = frozenset(),
           ) -> tuple[tuple[Optional[Number], ...], list[tuple[Number, ...]], Optional[tuple[tuple[Number, ...], float]]]:
    """The cells the priors decide, None where the splits within ``margin`` of the best
    differ; those close splits, best first; and the second most likely split with how
    many nats the best beats it by (None when only one split fits). ``stated``: numbers
    the prose gives for the row; ``stock``: stocks in force the prose gives for it (for
    the in_force cell)."""
    scored = _scored(candidates, prior, p, stated, stock)
    best_score, best = scored[0]
    close = [c for s, c in scored if best_score - s < p.margin]
    cells = tuple(v if all(c[i] == v for c in close) else None for i, v in enumerate(best))
    second = (scored[1][1], best_score - scored[1][0]) if len(scored) > 1 else None
    return cells, close, second
