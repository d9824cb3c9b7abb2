"""Row and column labels of tables 二, 三 and 四, matched by keywords.

Labels in real reports are truncated (``4. 保护第三方合``), mistyped (``本年度止件数``),
spread over several lines, or run together with group labels and header text
(``（三）不予公开1.属于国家秘密``). So a label is matched by the distinctive keywords
of each row, and where a text holds several, the one that comes last names the row
(the group and header words come before the row's own words).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

# --- table 三: rows -------------------------------------------------------------------
# (key, keywords); the keyword lists are searched together, so a keyword of one row
# must not be a part of another row's label.
_REQUEST_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new_received", ("本年新收", "新收政府", "新收申请", "新收")),
    ("carried_over", ("上年结转", "上年度结转", "结转上年")),
    ("carried_forward", ("结转下年", "下年度继续", "结转下一年", "转入下年")),
    ("total_processed", ("总计", "合计")),
    ("partially_granted", ("部分公开",)),
    ("granted", ("予以公开",)),
    ("denied_state_secret", ("国家秘密",)),
    ("denied_law_prohibited", ("其他法律", "法律行政法规", "法规禁止", "禁止公开")),
    ("denied_three_safety", ("三安全", "危及", "一稳定")),
    ("denied_third_party", ("第三方",)),
    ("denied_internal_affairs", ("三类内部", "内部事务")),
    ("denied_process_info", ("四类过程", "过程性")),
    ("denied_enforcement_files", ("执法案卷", "属于行政执法", "行政执法")),
    ("denied_query_matters", ("行政查询", "查询事项")),
    ("unable_not_held", ("不掌握", "本机关不")),
    ("unable_needs_creation", ("没有现成", "另行制作")),
    ("unable_unclear", ("补正后", "仍不明确", "补正后申请")),
    ("rejected_complaint", ("信访", "举报投诉")),
    ("rejected_repeat", ("重复申请",)),
    ("rejected_publication", ("公开出版物", "要求提供公开", "提供公开出")),
    ("rejected_excessive", ("大量反复", "无正当理由大", "无正当理由")),
    ("rejected_confirm", ("要求行政机关", "确认或重新", "重新出具")),
    ("other_no_correction", ("逾期不补正", "申请人无正当", "不补正")),
    ("other_no_fee", ("收费通知", "缴纳费用", "逾期未按")),
    ("other_group", ("其他处理",)),
)
# a bare "其他" after a sub-row number is the 2021 (六)3 row; after （六） it is the group
_BARE_OTHER = re.compile(r"^(?P<group>[（(]\s*[六6]\s*[)）])?\s*(?:\d+\s*[.、．]?)?\s*其[他它]$")

_WS = re.compile(r"\s+")


def _alternation(pairs) -> tuple[re.Pattern, dict[str, str]]:
    owner: dict[str, str] = {}
    for key, words in pairs:
        for w in words:
            owner.setdefault(w, key)
    words = sorted(owner, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), owner


_REQ_RE, _REQ_OWNER = _alternation(_REQUEST_KEYWORDS)


def compact(label: str) -> str:
    """A label without white space (PDF text and HTML cells space out characters)."""
    return _WS.sub("", label)


@lru_cache(maxsize=4096)
def request_row(label: str) -> Optional[str]:
    """The table-三 row a label names ('other_group' for （六）其他处理, 'other_misc' for
    a bare 其他), or None for group labels, headers and fragments."""
    text = compact(label)
    if not text:
        return None
    best: Optional[tuple[int, str]] = None
    for m in _REQ_RE.finditer(text):
        key = _REQ_OWNER[m.group()]
        if key == "granted" and text[max(0, m.start() - 1):m.start()] == "不":
            continue
        if best is None or m.start() >= best[0]:
            best = (m.start(), key)
    if best is not None:
        return best[1]
    m = _BARE_OTHER.match(text)
    if m:
        return "other_group" if m["group"] else "other_misc"
    return None


# --- table 三: columns ----------------------------------------------------------------
_LEGAL_COLUMNS = (
    ("commercial", ("商业",)),
    ("research", ("科研",)),
    ("social_welfare", ("社会",)),
    ("legal_services", ("法律",)),
    ("other_org", ("其他", "其它")),
)


def legal_person_columns(cells: tuple[str, ...]) -> Optional[list[tuple[int, str]]]:
    """(position, column) of the five legal-person columns in a header row, when it names
    four of them at least (a missing one takes the gap); None otherwise. A cut header
    (``商``) names the column it begins."""
    found: list[tuple[int, str]] = []
    for i, cell in enumerate(cells):
        text = compact(cell)
        if not text:
            continue
        for key, words in _LEGAL_COLUMNS:
            if any(text.startswith(w) or w.startswith(text) for w in words) and key not in (k for _, k in found):
                found.append((i, key))
                break
    if len(found) < 4:
        return None
    if len(found) == 4:
        missing = next(k for k, _ in _LEGAL_COLUMNS if k not in (k2 for _, k2 in found))
        at = [i for i, _ in found]
        gap = next((a + 1 for a, b in zip(at, at[1:]) if b - a == 2), None)
        if gap is None:
            gap = at[0] - 1 if missing == _LEGAL_COLUMNS[0][0] else at[-1] + 1
        found.append((gap, missing))
    return sorted(found)


# --- table 二 -----------------------------------------------------------------------------
_PROACTIVE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("regulations", ("规章",)),
    ("normative_documents", ("规范性文件",)),
    ("licensing", ("行政许可",)),
    ("other_services", ("对外管理服务", "其他对外管理")),
    ("punishment", ("行政处罚",)),
    ("coercion", ("行政强制",)),
    ("fees", ("事业性收费", "行政事业性")),
    ("procurement", ("集中采购", "政府采购")),
)
_PRO_RE, _PRO_OWNER = _alternation(_PROACTIVE_KEYWORDS)
_PRO_WORDS = dict(_PROACTIVE_KEYWORDS)
# "…规范性文件77件": a row's keyword, a few characters, a number and a measure word
_STATED = r"[^。；\n\d]{0,6}?(\d+(?:\.\d+)?)\s*(?:件|项|个|份|条|万元|元)"


def stated_numbers(prose: str, row: str) -> frozenset:
    """The numbers a report's prose gives right after a table-二 row's keyword."""
    if not prose:
        return frozenset()
    words = "|".join(map(re.escape, _PRO_WORDS[row]))
    return frozenset(float(m) if "." in m else int(m) for m in re.findall(f"(?:{words}){_STATED}", prose))

def stated_stock(prose: str, row: str) -> frozenset:
    """Stocks the prose gives for a table-二 row: "现行有效行政规范性文件393件" (the
    documents in force when the list was cleaned, a number the year-end stock is near)."""
    if not prose:
        return frozenset()
    words = "|".join(map(re.escape, _PRO_WORDS[row]))
    return frozenset(int(m) for m in re.findall(f"现行有效[^。；\\n\\d]{{0,6}}?(?:{words}){_STATED}", prose)
                     if "." not in m)


_FIELD_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new_made", ("新制作",)),
    ("made", ("制发",)),
    ("repealed", ("废止", "度止", "止件数")),
    ("in_force", ("现行有效", "有效件数")),
    ("new_published", ("新公开",)),
    ("total_published", ("公开总数", "对外公开总", "公开总")),
    ("items", ("采购项目",)),
    ("amount", ("采购总金额", "总金额")),
    ("prev_items", ("上一年项目", "上年项目", "上一年")),
    ("change", ("增/减", "增减", "增/ 减", "本年增")),
    ("decisions", ("处理决定",)),
    ("amount_wan_yuan", ("收费金额",)),
)
_FIELD_RE, _FIELD_OWNER = _alternation(_FIELD_KEYWORDS)


@lru_cache(maxsize=4096)
def proactive_row(label: str) -> Optional[str]:
    """The table-二 row a label names (the last row keyword in it), or None."""
    best = None
    for m in _PRO_RE.finditer(compact(label)):
        best = _PRO_OWNER[m.group()]
    return best


@lru_cache(maxsize=4096)
def proactive_field(label: str) -> Optional[str]:
    """The table-二 column a header cell names, or None."""
    m = _FIELD_RE.search(compact(label))
    return _FIELD_OWNER[m.group()] if m else None


@lru_cache(maxsize=4096)
def proactive_fields(label: str) -> tuple[str, ...]:
    """Every table-二 column named in a text, in order (a header run together)."""
    return tuple(_FIELD_OWNER[m.group()] for m in _FIELD_RE.finditer(compact(label)))


# --- table 四 -----------------------------------------------------------------------------
_GROUP_WORDS = (
    ("litigation_after_review", ("复议后起诉", "复议后")),
    ("litigation_direct", ("未经复议", "直接起诉")),
    ("review", ("行政复议",)),
)
@lru_cache(maxsize=4096)
def review_group(label: str) -> Optional[str]:
    """Which group of table 四 a heading names, or None."""
    text = compact(label)
    for key, words in _GROUP_WORDS:
        if any(w in text for w in words):
            return key
    return None
