"""Find the six sections of a report by what their headings mean, not by their numbers.

A top-level heading is a Chinese numeral with a separator (``一、``, ``第二部分``) at a line
start or inline (crawled pages run a whole report on a few lines), followed by a title.
Its title is mapped to a section by meaning (总体情况/概述 → overview, 依申请公开/收到和处理
政府信息公开申请 → requests, 存在问题/整改措施/下一步 → problems, …). Among all candidates
the chain with increasing numerals that explains the most headings wins, so table row
labels (``三、本年度办理结果``, ``四、结转下年度继续办理``) and sub-headings (``（一）…``)
never become sections. Consecutive headings with one meaning form one section (a
separate 整改措施 part joins 存在问题); a heading whose section is already taken, or
whose meaning is unknown, still ends the section before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from extraction.record import SECTION_NAMES, Section, Sections, Warning_

_NUMERALS = "一二三四五六七八九十"
# a numbered heading: 第X部分 / X、 X. X． (X = 一…九十九), not a (一) sub-heading; inline
# look-alikes in prose (统一、 万一、) have no section meaning and rarely fit the numbering
_NUMBERED = re.compile(
    rf"(?=[{_NUMERALS}第])(?:第(?P<n1>[{_NUMERALS}]{{1,3}})(?:部分|章|节)\s*[、:：.．]?|"
    rf"(?P<n2>[{_NUMERALS}]{{1,3}})\s*[、.．])[ \t]*")
# a bare numeral right after one of these is not a heading: （一） 十一 第一
_NOT_BEFORE_NUMERAL = set(_NUMERALS + "（(〔【[第")
# how a heading title ends when the body text runs on after it on the same line
_TITLE_END = re.compile(r"[^\n。；！？\t|]{0,36}?(?:情况统计表|统计表|情况|措施|事项|概述|概况|方向|不足)"
                        r"(?:(?:和|及|与|以及)[^\n。；！？\t|]{0,10}?(?:情况|措施|方向))?")
# table row labels of 三 that carry top-level numerals (一、本年新收… 四、结转下年度继续办理)
_TABLE_LABEL = re.compile(r"(?:本年新收|上年结转|本年度?办理结果|结转下年度)")

_MEANINGS: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("other", r"其他需要报告|其他(?:需要)?说明|其他事项|其他情况|需要报告的其他"
              r"|收费(?:及|和|与)?减免|收费情况|信息处理费"),
    ("problems", r"存在的?(?:主要)?问题|主要问题|问题(?:和|及|与)(?:改进|整改|建议)|不足"
                 r"|改进(?:情况|措施)|整改(?:情况|措施)|下一步|工作(?:计划|打算|重点|展望)|努力方向"),
    ("review_litigation", r"行政复议|行政诉讼|复议.{0,3}诉讼|申诉"),
    ("requests", r"依申请|申请公开|收到和处理.{0,6}申请|受理.{0,6}申请"
                 r"|政府信息公开申请(?:的)?(?:受理|办理|处理|答复)?(?:情况|工作)"),
    ("proactive", r"主动公开|重点领域.{0,8}公开"),
    ("overview", r"总体情况|概述|概况|基本情况|总述|工作情况综述"),
))
_MEANINGS_BY_NAME = dict(_MEANINGS)
_BLANKS = re.compile(r"\s+")
# page chrome after the end of a report (crawled pages)
_CHROME = re.compile(r"附件下载|扫一扫|版权所有|主办单位[:：]|打印本页|关闭窗口|【打印】|【关闭】|分享到[:：]?"
                     r"|网站地图|Copyright|©")
_TRAILING_PAGE_NUMBER = re.compile(r"(?:\n[ \t]*[-—–][ \t]*\d+[ \t]*[-—–][ \t]*|\s)*\Z")
_UNNUMBERED = re.compile(r"(?m)^[ \t#*>]*(?P<title>[^\n\t|。；，,0-9]{2,24})[ \t*]*$")


@dataclass(frozen=True)
class _Candidate:
    start: int          # the heading's first character (the numeral or 第)
    cut: int            # where the section before it ends: its line start, or ``start`` inline
    end: int            # the end of its title
    number: int         # 1, 2, … (0 for an unnumbered line heading)
    name: Optional[str] # the section it means, or None
    at_line_start: bool

    @property
    def score(self) -> float:
        if self.name:
            return 4.0 if self.at_line_start else 3.0
        return 1.0 if self.at_line_start else 0.5


def find_sections(text: str) -> tuple[Sections, list[Warning_]]:
    """The six sections of ``text`` as spans, and warnings for those not found."""
    chain = _best_chain(_numbered_candidates(text))
    if sum(c.name is not None for c in chain) < 2:
        unnumbered = _unnumbered_candidates(text)
        if len(unnumbered) > sum(c.name is not None for c in chain):
            chain = unnumbered
    if not any(c.name for c in chain):
        return Sections(), [Warning_(code="no_sections",
                                     message="no section headings found; the whole text is read as one")]
    spans = _spans(chain, _text_end(text, chain[-1].end))
    sections = Sections(**{name: Section(start=s, end=e, heading=text[s:h].strip())
                           for name, (s, e, h) in spans.items()})
    warnings = [Warning_(code="section_missing", message=f"no heading for the section '{name}'", where=name)
                for name in SECTION_NAMES if name not in spans]
    return sections, warnings


def _meaning(title: str) -> tuple[Optional[str], int]:
    """The section a heading title means and where in the title the meaning starts."""
    best: tuple[Optional[str], int] = (None, len(title) + 1)
    for name, pattern in _MEANINGS:
        m = pattern.search(title)
        if m and m.start() < best[1]:
            best = (name, m.start())
    return best


def _number(numeral: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23; 0 for a run that is no numeral."""
    if numeral.startswith("十"):
        return 10 + (_NUMERALS.index(numeral[1]) + 1 if len(numeral) > 1 else 0)
    if len(numeral) == 1:
        return _NUMERALS.index(numeral) + 1
    tens = _NUMERALS.index(numeral[0]) + 1
    if numeral[1] != "十":
        return 0  # not a numeral (一一、): never a heading
    return tens * 10 + (_NUMERALS.index(numeral[2]) + 1 if len(numeral) > 2 else 0)


def _numbered_candidates(text: str) -> list[_Candidate]:
    """Every numbered heading that could be top-level, with its title's meaning (or none)."""
    out: list[_Candidate] = []
    for m in _NUMBERED.finditer(text):
        if m.group("n2") and m.start() and text[m.start() - 1] in _NOT_BEFORE_NUMERAL:
            continue
        number = _number(m.group("n1") or m.group("n2"))
        if not number:
            continue
        title_start = m.end()
        line_end = text.find("\n", title_start)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[title_start:line_end]
        if _TABLE_LABEL.match(_BLANKS.sub("", rest[:16])):
            continue
        line_begin = text.rfind("\n", 0, m.start()) + 1
        # only blanks and markdown/bold marks before it on its line (a tab starts a table cell)
        line_start = not text[line_begin:m.start()].strip(" #*>")
        whole_line = line_start and len(rest.strip()) <= 40 and "\t" not in rest and "|" not in rest
        if whole_line:
            title_end = title_start + len(rest.rstrip(" \t*#"))
        else:
            end = _TITLE_END.match(text, title_start)
            title_end = end.end() if end else None
        title = text[title_start:title_end] if title_end else text[title_start:title_start + 24]
        name, at = _meaning(title)
        if name is not None and not whole_line and at > 12:
            name = None  # inline, the meaning must be the title's, not the following text's
        if name is None:
            if title_end is None or not _plausible_unknown(text, m.start(), title, whole_line):
                continue
        elif title_end is None:
            title_end = title_start + _MEANINGS_BY_NAME[name].search(title).end()
        cut = line_begin if line_start else m.start()
        out.append(_Candidate(m.start(), cut, title_end, number, name, line_start))
    return out


def _plausible_unknown(text: str, start: int, title: str, whole_line: bool) -> bool:
    """A heading of unknown meaning: a short title at a line start, or inline after a sentence."""
    title = title.strip()
    if len(title) < 2 or title[-1] in "。；，,：:" or title[-1].isdigit() or "|" in title or "\t" in title:
        return False
    if whole_line:
        return True
    return start == 0 or text[start - 1] in "。；！？ \n" or text[start - 1].isdigit()


def _best_chain(cands: list[_Candidate]) -> list[_Candidate]:
    """The subsequence with strictly increasing numbers of highest score; skipped numbers cost."""
    if not cands:
        return []
    best: list[float] = []
    back: list[int] = []
    for i, c in enumerate(cands):
        score, prev = c.score - 1.5 * (c.number - 1), -1
        for j in range(i):
            p = cands[j]
            if p.number < c.number and p.end <= c.start:
                s = best[j] + c.score - 1.5 * (c.number - p.number - 1)
                if s > score:
                    score, prev = s, j
        best.append(score)
        back.append(prev)
    i = max(range(len(cands)), key=best.__getitem__)
    chain = []
    while i >= 0:
        chain.append(cands[i])
        i = back[i]
    return chain[::-1]


def _unnumbered_candidates(text: str) -> list[_Candidate]:
    """Headings without numbers: short lines whose whole text names a section, first of each."""
    seen: set[str] = set()
    out: list[_Candidate] = []
    for m in _UNNUMBERED.finditer(text):
        title = m.group("title").strip()
        name, at = _meaning(title)
        if name is None or name in seen or at > 6:
            continue
        seen.add(name)
        out.append(_Candidate(m.start("title"), m.start(), m.start("title") + len(title), 0, name, True))
    return out


def _text_end(text: str, last_heading_end: int) -> int:
    """Where the report ends: before page chrome or a page number that follow the last heading."""
    m = _CHROME.search(text, last_heading_end)
    end = m.start() if m else len(text)
    tail = _TRAILING_PAGE_NUMBER.search(text, last_heading_end, end)
    return len(text[:tail.start() if tail else end].rstrip())


def _spans(chain: list[_Candidate], text_end: int) -> dict[str, tuple[int, int, int]]:
    """Section name -> (start, end, heading end); headings of one meaning in a row are merged."""
    spans: dict[str, tuple[int, int, int]] = {}
    current: Optional[str] = None
    for c in chain:
        if current is not None:
            s, _, h = spans[current]
            spans[current] = (s, c.cut, h)
        if c.name is not None and c.name == current:
            s, _, h = spans[current]
            spans[current] = (s, text_end, h)  # the same meaning again: the section goes on
            continue
        if c.name is None or c.name in spans:
            current = None  # an extra part: it ends the section before it and belongs to none
            continue
        spans[c.name] = (c.start, text_end, c.end)
        current = c.name
    return spans
