"""Where tables 二, 三 and 四 are in a report's text.

The section spans (extraction.sections) are used when they hold the table's own
labels; otherwise, or without sections, the tables are found by their labels: 二 starts
at the first 第二十条 item, 三 holds the rows from 本年新收 to 结转下年度继续办理, and 四
is the 行政复议/行政诉讼 table after it.
"""
from __future__ import annotations

import re
from typing import Optional

from extraction.record import Sections

Span = tuple[int, int]

_PRO_START = re.compile(r"第二十条\s*第?\s*[（(]\s*[一1]")
_PRO_ANY = re.compile(r"第二十条")
# the heads of table 三, strongest first: its section heading, its note, its first header
_REQ_HEADS = (re.compile(r"收到和处理政府信息公开申请"), re.compile(r"本[列表]数据的?勾稽关系"), re.compile(r"申请人情况"))
_REQ_FIRST = re.compile(r"本\s*年\s*新\s*收")
_REQ_LAST = re.compile(r"结\s*转\s*下\s*一?\s*年\s*度?|下年度继续办理")
_REV_HEAD = re.compile(r"行\s*政\s*复\s*议")
_REV_WORDS = re.compile(r"尚\s*未\s*审\s*结|结\s*果\s*维\s*持|复议后起诉|直接起诉")
_AFTER_REV = re.compile(r"\n[ \t#]*(?:[五六七]\s*[、.．]|[（(][五六七][）)])|存在的?主要问题|存在问题|其他需要报告|主要问题及改进")
_LINE_END = re.compile(r"\n")

# how far past the last labels of a table its numbers may still come (PDF text layers)
_TAIL = 400
_MAX_REVIEW = 2500


def _section(sections: Optional[Sections], name: str) -> Optional[Span]:
    sec = getattr(sections, name, None) if sections is not None else None
    return (sec.start, sec.end) if sec is not None else None


def _line_start(text: str, i: int) -> int:
    """The start of the line holding ``i``, unless that line is prose run together with
    the table (a crawled page on one line): then ``i`` itself."""
    start = text.rfind("\n", 0, i) + 1
    return start if i - start <= 40 else i


def requests_span(text: str, sections: Optional[Sections]) -> Optional[Span]:
    """Table 三: from its header (or first row) to the end of the line after its last row."""
    sec = _section(sections, "requests")
    lo, hi = sec if sec and _REQ_FIRST.search(text, *sec) else (0, len(text))
    m = _REQ_FIRST.search(text, lo, hi)
    if m is None:
        return None
    last = _REQ_LAST.search(text, m.end(), min(len(text), m.end() + 20000))
    head = None
    for pattern in _REQ_HEADS:
        for h in pattern.finditer(text, max(lo, m.start() - 1500), m.start()):
            head = h
        if head:
            break
    start = _line_start(text, head.start() if head else m.start())
    if last is None:
        return start, hi
    # the numbers of the last row may follow it on the next lines (PDF text)
    rev = _REV_HEAD.search(text, last.end(), min(len(text), last.end() + _TAIL))
    end = rev.start() if rev else min(len(text), last.end() + _TAIL)
    nxt = _LINE_END.search(text, last.end(), end)
    if nxt and not rev:
        # keep at most two more lines
        second = _LINE_END.search(text, nxt.end(), end)
        end = second.end() if second else end
    return start, max(end, last.end())


def proactive_span(text: str, sections: Optional[Sections], req: Optional[Span]) -> Optional[Span]:
    """Table 二: from the first 第二十条 item to table 三."""
    sec = _section(sections, "proactive")
    lo, hi = (sec if sec and _PRO_ANY.search(text, *sec) else (0, req[0] if req else len(text)))
    m = _PRO_START.search(text, lo, hi) or _PRO_ANY.search(text, lo, hi)
    if m is None:
        return None
    end = min(hi, req[0]) if req else hi
    if end <= m.start():
        end = hi
    return _line_start(text, m.start()), end


def review_span(text: str, sections: Optional[Sections], req: Optional[Span]) -> Optional[Span]:
    """Table 四: the 行政复议 heading after table 三 (or the one near 尚未审结 words) to the
    next section heading."""
    sec = _section(sections, "review_litigation")
    lo = req[1] if req else 0
    if sec and _REV_WORDS.search(text, *sec):
        lo, hi = sec
        if req and req[1] > lo:
            lo = min(req[1], hi)
    else:
        hi = len(text)
    words = _REV_WORDS.search(text, lo, hi)
    if words is None:
        return None
    head = None
    for h in _REV_HEAD.finditer(text, max(lo, words.start() - 600), words.start()):
        head = h
        break
    start = _line_start(text, head.start() if head else words.start())
    stop = _AFTER_REV.search(text, words.end(), min(hi, words.end() + _MAX_REVIEW))
    return start, stop.start() if stop else min(hi, words.end() + _MAX_REVIEW)
