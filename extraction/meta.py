"""Who issued a report, the year it reports on, its template and its sector.

The agency is the body the report names itself after, in its fullest written form: the
name before the year in the title (``盐池县医疗保障局\\n2019年政府信息公开工作年度报告``,
``标题: 平潭综合实验区2021年度…``, ``# 沐阳县人民政府 2025 年 …``) or after it
(``公布2022年渠县医疗保障局政府信息公开工作年度报告``), widened by a city or province
prefix the text writes it with (洪泽区人民政府 → 淮安市洪泽区人民政府); without a
title, the body name the text uses most. ``None`` when the report only says 我局/本机关.
The year comes from the title, else from the 统计期限 (never the publication date).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from extraction.record import Meta, Sections
from extraction.template import detect_template

_HEAD = 3000  # titles and 统计期限 sit in the first characters of a report
_REPORT = r"\s*(?:政府)?\s*信息公开\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
_YEAR = r"(?P<year>(?:19|20)\d\d)\s*年\s*度?"
# year + 政府信息公开工作年度报告, the agency before it on its line or on the line above
_TITLE = re.compile(rf"{_YEAR}{_REPORT}")
# year + agency + 政府信息公开工作年度报告 (公布2022年渠县医疗保障局政府信息公开工作年度报告)
_TITLE_YEAR_FIRST = re.compile(rf"{_YEAR}\s*(?P<agency>[\u4e00-\u9fff]{{3,30}}?){_REPORT}")
_STATS_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|范围|期间)[^。\n]{0,12}?((?:19|20)\d\d)\s*年")
_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*[至到—-]\s*\1\s*年\s*12\s*月\s*31\s*日"
                     r"|截[止至]\s*((?:19|20)\d\d)\s*年\s*12\s*月\s*31\s*日")
_ANY_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")

_ORG_SUFFIX = (r"(?:人民政府|政府|管理委员会|管委会|委员会|办公室|实验区|新区|开发区|高新区|"
               r"局|委|厅|署|办|院|中心|街道办事处|街道|镇|乡)")
_ORG_END = re.compile(rf"{_ORG_SUFFIX}$")
# the end of a body name in running text: an organisation suffix, then not more of a word
_ORG_SUFFIX_AT = re.compile(rf"{_ORG_SUFFIX}(?=[^\u4e00-\u9fff]|$|是|将|在|对|按|坚持|认真|严格|高度|始终|紧紧"
                            rf"|政府信息|信息公开)")
# where a body name starts: after a non-CJK character or one of these words' last characters
_NAME_BOUNDARY = set("由与在是将向对和及的为据年")
_TITLE_NOISE = re.compile(r"^(?:\s|#|标题|名称|题目|[:：*>\-—])+|^(?:现将|特将|兹将|现就|向社会公布|公布|发布)")
_NOT_AGENCY = re.compile(r"^(?:本|该)|我")
# a city/province prefix the text may put before the title's name (淮安市 + 洪泽区人民政府)
_REGION_END = "市省州盟"
_BOUNDARY = set("由与在是将向对和及的为据、，。：:（( \n\t")

_SECTORS = (
    ("medical_security", re.compile(r"医疗保障|医保")),
    ("health", re.compile(r"卫生健康|卫健|卫生和计划生育|卫计|卫生局|疾病预防控制")),
)


def detect_meta(text: str, sections: Sections) -> Meta:
    """Agency, year, template and sector of a report's normalised ``text``."""
    head = text[: max(_HEAD, sections.overview.start if sections.overview else 0)]
    agency, year = _from_title(head)
    if agency is None:
        agency = _most_named_body(text)
    if agency is not None:
        agency = _fullest(text, agency)
    if year is None:
        year = _year_from_period(head) or _year_from_period(text) or _most_common_year(text)
    return Meta(agency=agency, year=year, template=detect_template(text), sector=_sector(agency, text))


def _from_title(head: str) -> tuple[Optional[str], Optional[int]]:
    """Agency and year of the first title in ``head`` (agency ``None`` if the title names none)."""
    year: Optional[int] = None
    for m in _TITLE.finditer(head):
        year = year or int(m.group("year"))
        line_start = head.rfind("\n", 0, m.start()) + 1
        before = head[max(line_start, m.start() - 60):m.start()]
        agency = _clean_title_agency(before) or _previous_line_agency(head, m.start())
        if agency:
            return agency, int(m.group("year"))
    for m in _TITLE_YEAR_FIRST.finditer(head):
        agency = _clean_title_agency(m.group("agency"))
        if agency:
            return agency, int(m.group("year"))
    return None, year


def _clean_title_agency(raw: str) -> Optional[str]:
    """The name in the text before a title's year: the last word of the line, noise removed."""
    words = _TITLE_NOISE.sub("", raw).split()
    if not words:
        return None
    name = _TITLE_NOISE.sub("", words[-1].strip("：:-—*#"))
    if not 3 <= len(name) <= 30 or _NOT_AGENCY.search(name) or not _ORG_END.search(name) \
            or not re.fullmatch(r"[\u4e00-\u9fff（）()]+", name):
        return None
    return name


def _previous_line_agency(head: str, year_at: int) -> Optional[str]:
    """A title split in two lines: the body's name on the non-blank line above the year."""
    line_start = head.rfind("\n", 0, year_at)
    if line_start < 0 or head[line_start:year_at].strip():
        return None
    above = head[:line_start].rstrip().rsplit("\n", 1)[-1]
    return _clean_title_agency(above)


def _most_named_body(text: str) -> Optional[str]:
    """The body name the text uses most (first on a tie), for reports without a title."""
    names: Counter[str] = Counter()
    for m in _ORG_SUFFIX_AT.finditer(text, 0, 20000):
        start = m.start()
        while start > max(0, m.start() - 16) and text[start - 1] not in _NAME_BOUNDARY \
                and text[start - 1].isalpha() and not text[start - 1].isascii():
            start -= 1
        name = text[start:m.end()]
        if len(name) >= 4 and not _NOT_AGENCY.search(name):
            names[name] += 1
    if not names:
        return None
    top = max(names.values())
    return next(n for n in names if names[n] == top)


def _fullest(text: str, agency: str) -> str:
    """``agency`` widened by the city/province prefixes the text writes before it."""
    best = agency
    for m in re.finditer(re.escape(agency), text):
        start = m.start()
        while start > 0 and text[start - 1] in _REGION_END:
            region = next((start - 1 - n for n in (2, 3, 4)
                           if start - 1 - n >= 0 and text[start - 1 - n:start - 1].isalpha()
                           and (start - 1 - n == 0 or text[start - 2 - n] in _BOUNDARY
                                or not text[start - 2 - n].isalpha())), None)
            if region is None:
                break
            start = region
        if m.end() - start > len(best):
            best = text[start:m.end()]
    return best


def _year_from_period(text: str) -> Optional[int]:
    """The year of the 统计期限, or of a 1月1日至12月31日 / 截至12月31日 period."""
    m = _STATS_PERIOD.search(text)
    if m:
        return int(m.group(1))
    m = _PERIOD.search(text)
    return int(m.group(1) or m.group(2)) if m else None


def _most_common_year(text: str) -> Optional[int]:
    years = Counter(_ANY_YEAR.findall(text))
    return int(years.most_common(1)[0][0]) if years else None


def _sector(agency: Optional[str], text: str) -> str:
    """From the agency's name; without one, from the start of the text."""
    source = agency if agency is not None else text[:_HEAD]
    return next((sector for sector, pattern in _SECTORS if pattern.search(source)), "other")
