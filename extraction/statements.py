"""Statement segmentation for the problems section (labels.md §2).

The section is cut into *units*: one per enumerated item (一是…, （一）…, 1.…, 一、…),
and one per sentence where there is no enumeration. A unit carries the *zone* it
stands in (after words that introduce problems, ``P``; remedies, ``R``; else ``N``),
which the statement classifier reads along with the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十"
# an enumerator and the punctuation after it; a paragraph-initial "1." or "一、" only
_MARKER = re.compile(
    rf"(?:(?<![统唯之第进万])[{_CN}]{{1,2}}\s*是(?![否非指以])"
    rf"|[（(]\s*(?:[{_CN}]{{1,3}}|\d{{1,2}})\s*[)）]"
    rf"|(?:(?<=^)|(?<=[\n。；;：:]))[ \t]*(?:\d{{1,2}}[ \t]*[.、．](?!\d)|[{_CN}]{{1,3}}[ \t]*、))"
    r"[ \t]*[，,、:：.．]?[ \t]*",
    re.M,
)
# hard breaks: a line ending in a sentence end, or either side of a short line without
# one (a heading); a page footer such as "- 4 -" breaks nothing
_BREAK = re.compile(r"(?<=[。；;：:！？!?”’」』）)])[ \t]*\n"
                    r"|^(?![ \t]*[-—]?[ \t]*\d+[ \t]*[-—]?[ \t]*$)[^\n。；;！？，,]{1,20}\n", re.M)
_SENTENCE_END = re.compile(r"[。！？!?][”’」』）)]*")
_HEAD = re.compile(r"[^。：:\n]{1,16}[。：:]")
_HEAD_PREFIX = re.compile(r"(?:存在的?(?:主要)?问题|主要问题|改进措施|整改措施|改进情况|整改情况|下一步工作(?:打算|计划|重点)?)[：:。]?")
_HEAD_WORDS = re.compile(r"问题|不足|措施|改进|整改|打算|计划|情况|方向|思路|下一步|今后|举措")
_TRANSITION = re.compile(r"^\s*(?:下一步|今后|针对|为此|对此|接下来|\d{4}\s*年\s*[，,]|[^。]{0,30}[：:]\s*$"
                         r"|附件|附表|[^，。]{0,20}?[〇○零一二三四五六七八九十\d]{4}\s*年[^，。]{0,6}月[^，。]{0,4}日)")
_ATTACHMENT = re.compile(r"[^。，]{0,40}?(?:附件|附表)\s*\d*\s*[：:]")
_DIGITS = re.compile(r"\d+")
_P_CUE = re.compile(r"存在|问题|不足|薄弱|短板|差距|欠缺|还有一些|表现在")
_R_CUE = re.compile(r"措施|改进|整改|下一步|今后|打算|针对|将")


@dataclass(frozen=True)
class Unit:
    """One candidate statement ``text[start:end]``."""

    start: int
    end: int
    text: str
    enumerated: bool
    zone: str  # P, R or N: the part of the section the unit stands in


def _zone_of(s: str) -> str | None:
    p, r = _P_CUE.search(s), _R_CUE.search(s)
    if p and (not r or p.start() < r.start()):
        return "P"
    return "R" if r else None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, each ending after its 。！？ (and closing quote)."""
    out, s = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        out.append((s, m.end()))
        s = m.end()
    out.append((s, end))
    return [(a, b) for a, b in (_strip(text, a, b) for a, b in out) if b > a]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(block start, content start, end): pieces between enumerators and hard breaks;
    content start > block start where the block opens with an enumerator."""
    cuts = {start: start}
    for m in _MARKER.finditer(text, start, end):
        cuts[m.start()] = m.end()
    markers = sorted(cuts.items())
    for m in _BREAK.finditer(text, start, end):
        if not any(a < m.end() <= b for a, b in markers):  # a line break inside 一\n是
            cuts.setdefault(m.end(), m.end())
    pos = sorted(cuts)
    out = []
    for i, p in enumerate(pos):
        stop = pos[i + 1] if i + 1 < len(pos) else end
        out.append((p, min(cuts[p], stop), stop))
    return out


def segment(text: str, start: int = 0, end: int | None = None) -> list[Unit]:
    """The candidate statements of ``text[start:end]`` in order."""
    end = len(text) if end is None else min(end, len(text))
    pieces: list[tuple[int, int, bool]] = []
    for b, c, e in _blocks(text, start, end):
        enumerated = c > b
        marker = text[b:c]
        if enumerated:
            head = _HEAD.match(text, c, e) or _HEAD_PREFIX.match(text, c, e)
            if "是" not in marker and head and _HEAD_WORDS.search(head.group()) and text[head.end():e].strip():
                pieces.append((c, head.end(), False))  # a heading such as （二）改进措施：
                pieces.extend((a, z, False) for a, z in _sentences(text, head.end(), e))
                continue
            sents = _sentences(text, c, e)
            if not sents:
                continue
            whole = text[sents[0][0]:sents[-1][1]]
            if "是" not in marker and len(sents) == 1 and len(whole) <= 16 and _HEAD_WORDS.search(whole):
                pieces.append((*sents[0], False))  # a heading alone: （二）改进措施。
                continue
            cut = next((i for i, (a, z) in enumerate(sents) if i and _TRANSITION.match(text[a:z])), None)
            keep = sents if cut is None else sents[:cut]
            pieces.append((keep[0][0], keep[-1][1], True))
            if cut is not None:
                pieces.extend((a, z, False) for a, z in sents[cut:])
        else:
            pieces.extend((a, z, False) for a, z in _sentences(text, c, e))
    units, zone = [], "N"
    for a, z, enumerated in pieces:
        s = text[a:z]
        if _ATTACHMENT.match(s):
            break  # an attachment (附件1：…统计表) ends the section's prose
        if not s.strip(" \t\n。；;：:，,") or _table_like(s):
            continue
        units.append(Unit(a, z, s, enumerated, zone))
        if not enumerated:
            zone = _zone_of(s) or zone
    return units


def _table_like(s: str) -> bool:
    """A table row or a statistics line, not prose."""
    return "\t" in s or "|" in s or (len(_DIGITS.findall(s)) >= 6 and "，" not in s and "," not in s)


def classifier_input(u: Unit) -> str:
    """What the statement classifier reads: zone, whether enumerated, the text."""
    return f"{u.zone}{'E' if u.enumerated else 'S'} {u.text}"
