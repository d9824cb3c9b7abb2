"""Numbers in report prose: where they are, what they denote, how they are qualified.

A quantity span (labels.md) is a numeral (Arabic, full-width before normalisation,
or Chinese), an optional 余/多/万 and an optional measure word. Leading words
(共 近 约 超过 …) stay outside the span and decide the qualifier.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

MEASURE_WORDS = "条篇件次场期人名个份位项通起批场次家封户"
# measure words of two characters, tried before the single ones (3200人次: the span is "3200人次")
MEASURE_PAIRS = ("人次",)
# a measure word as a regular expression (the pairs first)
MEASURE = "|".join(MEASURE_PAIRS) + f"|[{MEASURE_WORDS}]"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# a numeral: Arabic (with thousands commas or decimals, spaces between digits as some
# PDFs print them) or a run of Chinese numeral characters
NUMERAL = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN_DIGITS}]+)"
# what follows a numeral inside a span: 余/多, 万, a measure word (spaces allowed)
_SPAN = re.compile(
    rf"(?P<num>{NUMERAL})(?P<tail>[ \t]*(?:[余多]?[ \t]*万?[ \t]*[余多]?)[ \t]*(?P<mw>{MEASURE})?)"
)
# numerals that are never counts: dates, times, percentages, money, ordinals, versions
_NOT_A_COUNT_AFTER = re.compile(r"[ \t]*(?:年|月|日|号|时|点|分|%|‰|元|万元|亿元|岁|倍|周年|个月|天|小时|km|公里|平方|亩|吨|千米|米)")
# a measure word that is part of a unit of time or a rate (5.2个工作日, 3个百分点): no count
_NOT_A_COUNT_AFTER_MW = re.compile(r"[ \t]*(?:工作日|月|小时|星期|季度|百分点|学时|课时)")
# a lone 一/两 with an event measure word is a count (专题学习两次, 举办一期); not in words
# and slogans (一次性告知, 最多跑一次, 一次办好, 这一次, 一期工程, 一场场)
_ONE_TWO_EVENTS = re.compile(r"[一两][ \t]*[次场期]")
_ONE_TWO_NOT_AFTER = re.compile(r"[ \t]*(?:性|办|到位|告知|跑|审批|成功|通过|次|场|期|工程|项目)")
_ONE_TWO_NOT_BEFORE = "跑每逐同统唯这那再上下某哪"  # not 前/后: 先后两次 is a count
# two adjacent small numerals are a guess, not a count (一两次, 三五场, 七八个)
_ROUGH = re.compile(r"[一两二三四五六七八九]{2}")
_ORDINAL_BEFORE = re.compile(r"(?:第|〔|\[|No\.?|NO\.?)[ \t]*$")
_CN_ONLY = re.compile(rf"[{_CN_DIGITS}]+")
_BARE_TAIL = re.compile(r"[ \t]*[余多万]+")

_AT_LEAST_BEFORE = re.compile(r"(?:超过|超出|逾|多于|高于|突破|超)[ \t]*$")
_APPROX_BEFORE = re.compile(r"(?:将近|接近|大约|约|近)[ \t]*$")
_AT_MOST_BEFORE = re.compile(r"(?:不足|不到|不超过|少于|未满|低于)[ \t]*$")
_AT_LEAST_AFTER = re.compile(r"^[ \t]*(?:以上|多)")
_APPROX_AFTER = re.compile(r"^[ \t]*(?:左右|上下)")
_AT_MOST_AFTER = re.compile(r"^[ \t]*以内")


@dataclass(frozen=True)
class Quantity:
    """A candidate quantity span ``text[start:end]`` and its parsed value."""

    start: int
    end: int
    text: str
    value: int | float | None
    qualifier: str
    measure: str | None


def parse_numeral(s: str) -> int | float | None:
    """The number a numeral string denotes (``'1.2万'`` → 12000, ``'一百二十三'`` → 123)."""
    s = re.sub(r"[\s,，余多]", "", s)
    if not s:
        return None
    try:
        v = float(s) if re.fullmatch(r"\d+(?:\.\d+)?", s) else cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    v = float(v)
    return int(v) if v.is_integer() else v


def span_value(span_text: str) -> int | float | None:
    """The value of a quantity span's text: the numeral, times 万 where it carries one."""
    m = _SPAN.match(span_text.strip())
    if m is None:
        return None
    num = m.group("num")
    wan = "万" in m.group("tail") and "万" not in num
    v = parse_numeral(num)
    if v is None:
        return None
    if wan:
        v = v * 10000
        v = int(v) if float(v).is_integer() else v
    return v


def qualifier(span_text: str, before: str, after: str) -> str:
    """exact / at_least / approx / at_most from the span and the words around it."""
    if re.search(r"\d[ \t]*[余多]|[十百千万][余多]", span_text) or _AT_LEAST_BEFORE.search(before) \
            or _AT_LEAST_AFTER.search(after):
        return "at_least"
    if _APPROX_BEFORE.search(before) or _APPROX_AFTER.search(after):
        return "approx"
    if _AT_MOST_BEFORE.search(before) or _AT_MOST_AFTER.search(after):
        return "at_most"
    return "exact"


def describe(text: str, start: int, end: int) -> tuple[int | float | None, str]:
    """(value, qualifier) of the span ``text[start:end]``, reading 8 chars either side."""
    span = text[start:end]
    return span_value(span), qualifier(span, text[max(0, start - 8):start], text[end:end + 8])


def _lone_one_two_is_count(text: str, start: int, end: int) -> bool:
    """Whether a lone 一/两 with its measure word (``text[start:end]``) counts events:
    两次, 一期 — not 一次性, 最多跑一次, 每一期."""
    return (bool(_ONE_TWO_EVENTS.fullmatch(text, start, end)) and not _ONE_TWO_NOT_AFTER.match(text, end)
            and not (start > 0 and text[start - 1] in _ONE_TWO_NOT_BEFORE))


def find_quantities(text: str, start: int = 0, end: int | None = None, values: bool = True,
                    measured_only: bool = False) -> list[Quantity]:
    """Every numeral in ``text[start:end]`` that may be a count, as a span with its measure word.

    Dates, percentages, money, ordinals and lone Chinese numeral characters that are
    words (一是, 十分, 一些) are left out: a Chinese numeral needs a measure word.
    ``values=False`` skips parsing (value None, qualifier exact) where only spans are
    wanted; ``measured_only`` keeps numbers with a measure word only.
    """
    end = len(text) if end is None else end
    out: list[Quantity] = []
    for m in _SPAN.finditer(text, start, end):
        num = m.group("num")
        mw = m.group("mw")
        if measured_only and not mw:
            continue
        s, e = m.start(), m.end() if mw else m.start("num") + len(num)
        if not mw:
            # keep a trailing 余/多/万 inside the span of a bare number
            tail = _BARE_TAIL.match(text, e, m.end())
            e = tail.end() if tail else e
        if _CN_ONLY.fullmatch(num):
            if not mw or _ROUGH.fullmatch(num):
                continue  # 一些 / 十分: words, not counts; 一两次: a guess
            if len(num) == 1 and num in "一两" and not _lone_one_two_is_count(text, m.start(), m.end()):
                continue  # 一个 / 一次性 / 两个维护: words, not counts
            if m.start() > 0 and text[m.start() - 1] in _CN_DIGITS + "第":
                continue
        if _NOT_A_COUNT_AFTER.match(text, m.start("num") + len(num)) and not mw:
            continue
        if _ORDINAL_BEFORE.search(text[max(0, s - 4):s]):
            continue
        if mw == "个" and _NOT_A_COUNT_AFTER_MW.match(text, m.end()):
            continue
        if not mw and m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] in ".-/"):
            continue
        span = text[s:e].rstrip(" \t")
        e = s + len(span)
        if not values:
            out.append(Quantity(s, e, span, None, "exact", mw))
            continue
        value, qual = describe(text, s, e)
        if value is None:
            continue
        out.append(Quantity(s, e, span, value, qual, mw))
    return out
