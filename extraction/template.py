"""Which national template a report follows: "2021", "2019", "pre2019" or "unknown".

Decided by the wording of its table headers and rows, which differ between the
templates of 国办公开办函〔2021〕30号 and 〔2019〕60号 and the free format before them.
The year a report covers only breaks ties (and rules out templates that did not exist
yet); it never decides alone.
"""
from __future__ import annotations

import re


def _words(*words: str) -> re.Pattern:
    # PDF and HTML text may space out the characters of a header
    return re.compile("|".join(r"\s*".join(map(re.escape, w)) for w in words))


# (pattern, weight): headers and rows only one template has
_MARKS: dict[str, tuple[tuple[re.Pattern, int], ...]] = {
    "2021": (
        (_words("本年制发件数"), 3),
        (_words("本年废止件数", "本年度止件数"), 2),
        (_words("现行有效件数"), 3),
        (_words("本年处理决定数量"), 2),
        (_words("本年收费金额"), 2),
        (_words("逾期不补正", "无正当理由逾期"), 2),
        (_words("逾期未按收费通知", "缴纳费用"), 2),
        (re.compile(r"〔\s*2021\s*〕\s*30\s*号|\[\s*2021\s*\]\s*30\s*号"), 3),
    ),
    "2019": (
        (_words("本年新制作数量"), 3),
        (_words("本年新公开数量"), 2),
        (_words("对外公开总数量"), 3),
        (_words("上一年项目数量"), 3),
        (re.compile(r"本\s*年\s*增\s*[/／]\s*减"), 2),
        (re.compile(r"第二十条\s*第\s*[（(]\s*九\s*[）)]\s*项"), 2),
        (_words("政府集中采购", "采购总金额"), 2),
        (re.compile(r"〔\s*2019\s*〕\s*60\s*号|\[\s*2019\s*\]\s*60\s*号"), 3),
    ),
    "pre2019": (
        (_words("政府信息公开情况统计表"), 2),
        (_words("指标名称"), 1),
        (_words("历年累计"), 2),
        (_words("主动公开信息数", "主动公开文件数", "主动公开政府信息数", "主动公开政府信息条数"), 2),
        (_words("依申请公开信息总数", "受理依申请公开", "收到申请数"), 2),
        (_words("同意公开答复数", "否决公开答复数", "同意部分公开答复数"), 2),
        (_words("收费及减免", "收费和减免"), 1),
        (_words("回应解读情况"), 1),
        (re.compile(r"[一1]\s*[、.．]\s*概\s*述"), 1),
    ),
}
_ENOUGH = 3
_REPORT = re.compile(r"政府信息公开|政务公开|信息公开")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*度?\s*(?:[^\n。]{0,20}?)(?:政府信息公开|政务公开|信息公开)")
_PERIOD = re.compile(r"统计期限[^\n。]{0,8}?((?:19|20)\d\d)\s*年")


def _year(text: str) -> int | None:
    m = _YEAR.search(text, 0, 3000) or _PERIOD.search(text)
    return int(m.group(1)) if m else None


def template_scores(text: str) -> dict[str, int]:
    """The evidence for each template: the summed weights of its marks found in ``text``."""
    return {t: sum(w for p, w in marks if p.search(text)) for t, marks in _MARKS.items()}


def detect_template(text: str) -> str:
    """"2021" | "2019" | "pre2019" | "unknown" (see the module docstring)."""
    scores = template_scores(text)
    year = _year(text)
    new = {t: scores[t] for t in ("2021", "2019") if scores[t] >= _ENOUGH}
    if new:
        best = max(new.values())
        tied = [t for t, s in new.items() if s == best]
        if len(tied) == 1:
            return tied[0]
        if year is not None:
            return "2021" if year >= 2021 else "2019"
        return "2021"
    if scores["pre2019"] >= _ENOUGH - 1 and scores["pre2019"] > max(scores["2021"], scores["2019"]):
        return "pre2019"
    if year is not None and year <= 2018 and _REPORT.search(text) and not (scores["2021"] or scores["2019"]):
        # the 2019 and 2021 templates did not exist yet
        return "pre2019"
    return "unknown"
