"""Whole synthetic reports from the national templates, with their table answers known.

``generate(rng, template, layout)`` draws plausible table values that satisfy the
tables' identities (row totals, 一 + 二 = (七) + 四, (七) = Σ results, 复议/诉讼 totals),
lays the three tables out as one of the layouts real reports come in, wraps them in
report prose, and returns the text with the answer: a ``Tables`` whose null cells are
the ones rendered blank.

Layouts (``LAYOUTS``):

- ``html_tab``: what ingest makes of HTML/docx/PDF tables: one row per line, cells
  joined by tabs, spanned cells repeated (labels and values);
- ``tab``: tabs, spanned label cells left empty (text pasted from Word or a PDF);
- ``pipe``: markdown tables;
- ``markdown_pieces``: table 三 cut into one small table per group, generic column names
  (数据1 … 数据6) and a bogus header on the last piece, as a converter mangles it;
- ``per_line``: one cell per line, rows between empty lines;
- ``blank_line``: every cell its own paragraph, no row boundaries;
- ``pdf_text``: a PDF text layer where no table was found: cells separated by spaces,
  long labels wrapped over lines with their numbers before, between or after the
  pieces, group labels scattered one character per line, page numbers;
- ``run_together``: a crawled page: the whole table on one line, no separators at all,
  here and there a space between two cells.

Blank cells are left empty where the layout can show an empty cell, and written as
"/", "-", "—" or "无" where it cannot (``blank_rate``); run-together tables have none.
Labels of sub-rows are cut to their first seven characters now and then
(``truncate_rate``), as narrow PDF columns print them.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Optional

from extraction.record import (PROACTIVE_2019, PROACTIVE_2021, REVIEW_FIELDS, REVIEW_GROUPS, Requests,
                               ReviewGroup, ReviewLitigation, Tables, request_rows)

LAYOUTS = ("html_tab", "tab", "pipe", "markdown_pieces", "per_line", "blank_line", "pdf_text", "run_together")
TEMPLATES = ("2021", "2019")
# layouts that cannot show an empty cell: a blank is written as a null mark
_MARKED_BLANKS = ("blank_line", "pdf_text")
_NULL_MARKS = ("/", "-", "—", "无")

# --- the templates' labels ------------------------------------------------------------------

_PRO_HEAD_2021 = {
    "（一）": (("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
              (("regulations", "规章"), ("normative_documents", "行政规范性文件"))),
    "（五）": (("信息内容", "本年处理决定数量"), (("licensing", "行政许可"),)),
    "（六）": (("信息内容", "本年处理决定数量"), (("punishment", "行政处罚"), ("coercion", "行政强制"))),
    "（八）": (("信息内容", "本年收费金额（单位：万元）"), (("fees", "行政事业性收费"),)),
}
_PRO_HEAD_2019 = {
    "（一）": (("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
              (("regulations", "规章"), ("normative_documents", "规范性文件"))),
    "（五）": (("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
              (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
    "（六）": (("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
              (("punishment", "行政处罚"), ("coercion", "行政强制"))),
    "（八）": (("信息内容", "上一年项目数量", "本年增/减"), (("fees", "行政事业性收费"),)),
    "（九）": (("信息内容", "采购项目数量", "采购总金额"), (("procurement", "政府集中采购"),)),
}

# table 三: (key, [label cells]) with the groups as the label columns
_G3 = "三、本年度办理结果"
_SUB = {
    "denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理", "other": "（六）其他处理",
}
_REQ_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new_received", ("一、本年新收政府信息公开申请数量",)),
    ("carried_over", ("二、上年结转政府信息公开申请数量",)),
    ("granted", (_G3, "（一）予以公开")),
    ("partially_granted", (_G3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")),
    ("denied_state_secret", (_G3, _SUB["denied"], "1.属于国家秘密")),
    ("denied_law_prohibited", (_G3, _SUB["denied"], "2.其他法律行政法规禁止公开")),
    ("denied_three_safety", (_G3, _SUB["denied"], "3.危及“三安全一稳定”")),
    ("denied_third_party", (_G3, _SUB["denied"], "4.保护第三方合法权益")),
    ("denied_internal_affairs", (_G3, _SUB["denied"], "5.属于三类内部事务信息")),
    ("denied_process_info", (_G3, _SUB["denied"], "6.属于四类过程性信息")),
    ("denied_enforcement_files", (_G3, _SUB["denied"], "7.属于行政执法案卷")),
    ("denied_query_matters", (_G3, _SUB["denied"], "8.属于行政查询事项")),
    ("unable_not_held", (_G3, _SUB["unable"], "1.本机关不掌握相关政府信息")),
    ("unable_needs_creation", (_G3, _SUB["unable"], "2.没有现成信息需要另行制作")),
    ("unable_unclear", (_G3, _SUB["unable"], "3.补正后申请内容仍不明确")),
    ("rejected_complaint", (_G3, _SUB["rejected"], "1.信访举报投诉类申请")),
    ("rejected_repeat", (_G3, _SUB["rejected"], "2.重复申请")),
    ("rejected_publication", (_G3, _SUB["rejected"], "3.要求提供公开出版物")),
    ("rejected_excessive", (_G3, _SUB["rejected"], "4.无正当理由大量反复申请")),
    ("rejected_confirm", (_G3, _SUB["rejected"], "5.要求行政机关确认或重新出具已获取信息")),
    ("other_no_correction", (_G3, _SUB["other"], "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")),
    ("other_no_fee", (_G3, _SUB["other"], "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")),
    ("other_misc", (_G3, _SUB["other"], "3.其他")),
    ("other", (_G3, "（六）其他处理")),
    ("total_processed", (_G3, "（七）总计")),
    ("carried_forward", ("四、结转下年度继续办理",)),
)
_REQ_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_LEGAL = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_REVIEW_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

_PROSE = {
    "一、总体情况": "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，进一步完善工作机制，"
                "规范公开内容，全年主动公开政府信息{posts}条，各项工作有序推进。",
    "五、存在的主要问题及改进情况": "一是信息公开的及时性有待提高；二是政策解读形式较为单一。"
                          "下一步，我们将加强业务培训，丰富解读形式。",
    "六、其他需要报告的事项": "本年度未收取信息处理费。",
}


@dataclass(frozen=True)
class SyntheticReport:
    """A generated report: its text, template and layout, and the table answer (null
    where a cell was left blank)."""

    text: str
    template: str
    layout: str
    tables: Tables


# --- values ----------------------------------------------------------------------------------


def _count(rng: random.Random, scale: float, zero: float = 0.5) -> int:
    """A count: none with probability ``zero``, else log-uniform up to ``scale``."""
    if rng.random() < zero:
        return 0
    return int(round(10 ** rng.uniform(0, max(0.0, math.log10(scale)))))


def sample_tables(rng: random.Random, template: str) -> Tables:
    """Plausible values for the three tables of a template, every identity holding."""
    if template == "2021":
        made = {r: _count(rng, 40 if r == "normative_documents" else 5, 0.4) for r in ("regulations",
                                                                                   "normative_documents")}
        pro: dict[str, dict] = {}
        for r, m in made.items():
            stock = m + _count(rng, 600, 0.2)
            repealed = min(_count(rng, 40, 0.5), stock)
            pro[r] = {"made": m, "repealed": repealed, "in_force": stock}
        for r in ("licensing", "punishment", "coercion"):
            pro[r] = {"decisions": _count(rng, 10 ** rng.randint(1, 6), 0.3)}
        fee = 0 if rng.random() < 0.3 else round(10 ** rng.uniform(-1, 5), rng.randint(0, 6))
        pro["fees"] = {"amount_wan_yuan": int(fee) if float(fee).is_integer() else fee}
    else:
        pro = {}
        for r in ("regulations", "normative_documents"):
            made = _count(rng, 30, 0.5)
            published = made if rng.random() < 0.8 else rng.randint(0, made)
            pro[r] = {"new_made": made, "new_published": published,
                      "total_published": published + _count(rng, 300, 0.3)}
        for r in ("licensing", "other_services", "punishment", "coercion", "fees"):
            prev = _count(rng, 3000, 0.2)
            change = 0 if rng.random() < 0.6 else rng.choice((1, -1)) * max(1, _count(rng, max(2, prev // 5), 0))
            change = max(change, -prev)
            pro[r] = {"prev_items": prev, "change": change}
            if r != "fees":
                pro[r]["decisions"] = _count(rng, 10 ** rng.randint(1, 5), 0.3)
        items = _count(rng, 300, 0.3)
        amount = 0 if items == 0 else round(10 ** rng.uniform(1, 8), rng.choice((0, 2)))
        pro["procurement"] = {"items": items, "amount": int(amount) if float(amount).is_integer() else amount}
    keys = request_rows(template)
    results = [k for k in keys if k not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    rows: dict[str, list] = {k: [0] * 7 for k in keys}
    for j in range(6):
        scale = 3000 if j == 0 else 60
        busy = rng.random() < (0.9 if j == 0 else 0.35)
        for k in results:
            rows[k][j] = _count(rng, scale / 10, 0.4) if busy else 0
        processed = sum(rows[k][j] for k in results)
        rows["total_processed"][j] = processed
        rows["carried_forward"][j] = _count(rng, max(1, processed // 4 + 1), 0.6) if busy else 0
        rows["carried_over"][j] = min(_count(rng, max(1, processed // 4 + 1), 0.6) if busy else 0,
                                      processed + rows["carried_forward"][j])
        rows["new_received"][j] = processed + rows["carried_forward"][j] - rows["carried_over"][j]
    for k in keys:
        rows[k][6] = sum(rows[k][:6])
    review = {}
    for g in REVIEW_GROUPS:
        four = [_count(rng, 30, 0.6) for _ in range(4)]
        review[g] = ReviewGroup(**dict(zip(REVIEW_FIELDS, four + [sum(four)])))
    return Tables(proactive=pro, requests=Requests(rows=rows), review_litigation=ReviewLitigation(**review))


# --- grids: the tables as rows of cells, spans expanded --------------------------------------


@dataclass
class _Cell:
    text: str
    value: bool = False  # a data cell
    copy: bool = False  # a copy of a spanned cell (left empty by layouts that do not repeat)
    path: Optional[str] = None  # where its answer lives (data cells)


def _fmt(v, field: str, rng: random.Random, signed_ok: bool) -> str:
    if field == "change" and signed_ok and v != 0:
        return rng.choice((f"增{v}", f"+{v}", str(v))) if v > 0 else rng.choice((f"减{-v}", str(v)))
    return str(v)


def _proactive_grid(t: Tables, template: str, rng: random.Random, signed_ok: bool) -> list[list[_Cell]]:
    heads = _PRO_HEAD_2021 if template == "2021" else _PRO_HEAD_2019
    fields = PROACTIVE_2021 if template == "2021" else PROACTIVE_2019
    width = 4
    grid: list[list[_Cell]] = []
    for item, (header, rows) in heads.items():
        title = f"第二十条第{item}项"
        grid.append([_Cell(title)] + [_Cell(title, copy=True)] * (width - 1))
        hdr = list(header)
        if template == "2021" and hdr[1] == "本年废止件数" and rng.random() < 0.2:
            hdr[1] = "本年度止件数"  # a typo real reports print
        head = [_Cell(hdr[0])] + [_Cell(h) for h in hdr[1:]]
        head += [_Cell(hdr[-1], copy=True)] * (width - len(head))
        grid.append(head)
        for key, label in rows:
            fs = fields[key]
            cells = [_Cell(label)]
            for f in fs:
                v = t.proactive[key][f]
                cells.append(_Cell("" if v is None else _fmt(v, f, rng, signed_ok), True,
                                   path=f"proactive.{key}.{f}"))
            cells += [_Cell(cells[-1].text, True, copy=True, path=cells[-1].path)] * (width - len(cells))
            grid.append(cells)
    return grid


def _request_grid(t: Tables, template: str, truncate: float, rng: random.Random) -> list[list[_Cell]]:
    keys = set(request_rows(template))
    grid = [
        [_Cell(_REQ_NOTE)] + [_Cell(_REQ_NOTE, copy=True)] * 2 + [_Cell("申请人情况")]
        + [_Cell("申请人情况", copy=True)] * 6,
        [_Cell(_REQ_NOTE, copy=True)] * 3 + [_Cell("自然人"), _Cell("法人或其他组织")]
        + [_Cell("法人或其他组织", copy=True)] * 4 + [_Cell("总计")],
        [_Cell(_REQ_NOTE, copy=True)] * 3 + [_Cell("自然人", copy=True)] + [_Cell(x) for x in _LEGAL]
        + [_Cell("总计", copy=True)],
    ]
    prev: tuple[str, ...] = ()
    for key, labels in _REQ_LABELS:
        if key not in keys:
            continue
        if template == "2019" and key == "other":
            labels = (_G3, "（六）其他处理")
        cells: list[_Cell] = []
        for i, lab in enumerate(labels):
            is_last = i == len(labels) - 1
            if is_last and len(labels) == 3 and rng.random() < truncate:
                lab = lab[:2] + lab[2:9]  # "4.保护第三方合法" style: seven characters after the number
            copy = i < len(prev) and prev[i] == lab and not is_last
            cells.append(_Cell(lab, copy=copy))
        while len(cells) < 3:
            cells.append(_Cell(cells[-1].text, copy=True))
        prev = labels
        for j, v in enumerate(t.requests.rows[key]):
            cells.append(_Cell("" if v is None else str(v), True, path=f"requests.{key}[{j}]"))
        grid.append(cells)
    return grid


def _review_grid(t: Tables) -> list[list[_Cell]]:
    r1 = [_Cell("行政复议")] + [_Cell("行政复议", copy=True)] * 4 + [_Cell("行政诉讼")] + [
        _Cell("行政诉讼", copy=True)] * 9
    r2 = [_Cell(x) for x in _REVIEW_RESULTS] + [_Cell("未经复议直接起诉")] + [
        _Cell("未经复议直接起诉", copy=True)] * 4 + [_Cell("复议后起诉")] + [_Cell("复议后起诉", copy=True)] * 4
    r3 = [_Cell(x, copy=True) for x in _REVIEW_RESULTS] + [_Cell(x) for x in _REVIEW_RESULTS] * 2
    data = []
    for g in REVIEW_GROUPS:
        for f in REVIEW_FIELDS:
            v = getattr(t.review_litigation, g).__getattribute__(f)
            data.append(_Cell("" if v is None else str(v), True, path=f"review_litigation.{g}.{f}"))
    return [r1, r2, r3, data]


# --- blanks ------------------------------------------------------------------------------------


def _blank_cells(t: Tables, rng: random.Random, rate: float, zeros_only: bool = False) -> Tables:
    """A copy of ``t`` with some cells blank (null), at ``rate`` (of the zero cells only
    with ``zeros_only``: a body leaving empty what it has nothing for)."""
    d = t.model_dump()

    def blank(v) -> bool:
        return (v == 0 or not zeros_only) and rng.random() < rate

    for fs in d["proactive"].values():
        for f in fs:
            if blank(fs[f]):
                fs[f] = None
    for row in d["requests"]["rows"].values():
        for j in range(len(row)):
            if blank(row[j]):
                row[j] = None
    for g in d["review_litigation"].values():
        for f in g:
            if blank(g[f]):
                g[f] = None
    return Tables(**d)


# --- layouts ------------------------------------------------------------------------------------


def _mark(cell: _Cell, rng: random.Random, marked: bool) -> str:
    if cell.value and not cell.text and marked:
        return rng.choice(_NULL_MARKS)
    return cell.text


def _delimited(grid: list[list[_Cell]], sep: str, repeat: bool, pipe: bool = False) -> list[str]:
    lines = []
    for i, row in enumerate(grid):
        cells = [c.text if (repeat or not c.copy) else "" for c in row]
        lines.append("| " + " | ".join(cells) + " |" if pipe else sep.join(cells))
        if pipe and i == 0:
            lines.append("|" + "---|" * len(row))
    return lines


def _per_line(grid: list[list[_Cell]]) -> list[str]:
    lines = []
    for row in grid:
        for c in row:
            text = "" if c.copy else c.text
            lines.append("\t" + text + ("" if text else " "))
        lines.append("")
    return lines


def _stream(grid: list[list[_Cell]], rng: random.Random) -> list[str]:
    paras = []
    for row in grid:
        for c in row:
            if c.copy:
                continue
            paras.append(_mark(c, rng, True))
    return ["\n\n".join(paras)]


def _wrap(label: str, rng: random.Random) -> list[str]:
    width = rng.randint(13, 15)
    return [label[i:i + width] for i in range(0, len(label), width)]


def _pdf_lines(grid: list[list[_Cell]], rng: random.Random, scatter: bool) -> list[str]:
    lines = []
    shown: set[str] = set()
    for row in grid:
        labels = [c.text for c in row if not c.value and not c.copy and c.text]
        values = [_mark(c, rng, True) for c in row if c.value and not c.copy]
        if not values:
            lines.append(" ".join(labels))
            continue
        own = labels[-1] if labels else ""
        groups = [g for g in labels[:-1] if g not in shown]
        shown.update(labels)
        if scatter:  # group labels one character per line, as narrow rotated cells print
            for g in groups:
                lines.extend(list(g))
        else:
            own = " ".join(groups + [own])
        nums = " ".join(values)
        if re.fullmatch(r"[-—]\s*[1-9]\d*\s*[-—]", nums):  # would read as a page number: use "/"
            nums = re.sub(r"[-—]", "/", nums)
        pieces = _wrap(own, rng) if len(own) > 15 else [own]
        if len(pieces) == 1:
            if rng.random() < 0.15:
                lines.extend([nums, own] if rng.random() < 0.5 else [own, nums])
            else:
                lines.append(f"{own} {nums}")
            continue
        where = rng.randrange(len(pieces) + 1)  # numbers before, inside or after the pieces
        for i, p in enumerate(pieces):
            if i == where:
                lines.append(nums)
            lines.append(p)
        if where == len(pieces):
            lines.append(nums)
        if rng.random() < 0.1:
            lines.append(f"- {rng.randint(1, 9)} -")
    return lines


def _run_together(grid: list[list[_Cell]], rng: random.Random) -> list[str]:
    out = []
    for row in grid:
        for c in row:
            if c.copy:
                continue
            out.append(c.text)
            if c.value and rng.random() < 0.05:
                out.append(" ")
    return ["".join(out)]


def _markdown_pieces(req: list[list[_Cell]], rng: random.Random) -> list[str]:
    lines = ["### 申请人情况 (法人或其他组织)", "| " + " | ".join(_LEGAL) + " |", "|" + "---|" * 5,
             "| " + " | ".join(["-"] * 5) + " |", ""]
    body = req[3:]
    group = None
    bogus_from = len(body) - 4
    head = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |"
    for i, row in enumerate(body):
        labels = [c.text for c in row if not c.value]
        own = labels[-1]
        g = labels[1] if len(labels) == 3 else own
        if i == bogus_from:
            lines += ["", "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 结转下年度 | 总计 |",
                      "|" + "---|" * 8]
        elif i < bogus_from and g != group:
            lines += ["", f"### {g}", head, "|" + "---|" * 8]
        group = g
        text = own.split("、", 1)[-1] if own.startswith(("一、", "二、")) else own
        lines.append("| " + " | ".join([text] + [c.text for c in row if c.value]) + " |")
    return lines


def _markdown_review(rev: list[list[_Cell]]) -> list[str]:
    lines = []
    names = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
    data = rev[-1]
    for gi, name in enumerate(names):
        lines += [f"### {name}", "| " + " | ".join(_REVIEW_RESULTS) + " |", "|" + "---|" * 5,
                  "| " + " | ".join(c.text for c in data[gi * 5:(gi + 1) * 5]) + " |", ""]
    return lines


def _render(pro, req, rev, layout: str, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    if layout == "html_tab":
        return _delimited(pro, "\t", True), _delimited(req, "\t", True), _delimited(rev, "\t", True)
    if layout == "tab":
        return _delimited(pro, "\t", False), _delimited(req, "\t", False), _delimited(rev, "\t", False)
    if layout == "pipe":
        return (_delimited(pro, "|", False, pipe=True), _delimited(req, "|", False, pipe=True),
                _delimited(rev, "|", False, pipe=True))
    if layout == "markdown_pieces":
        return _delimited(pro, "|", False, pipe=True), _markdown_pieces(req, rng), _markdown_review(rev)
    if layout == "per_line":
        return _per_line(pro), _per_line(req), _per_line(rev)
    if layout == "blank_line":
        return _stream(pro, rng), _stream(req, rng), _stream(rev, rng)
    if layout == "pdf_text":
        return _pdf_lines(pro, rng, False), _pdf_lines(req, rng, True), _pdf_lines(rev, rng, False)
    if layout == "run_together":
        return _run_together(pro, rng), _run_together(req, rng), _run_together(rev, rng)
    raise ValueError(f"unknown layout {layout!r}")


def generate(rng: random.Random, template: Optional[str] = None, layout: Optional[str] = None,
             blank_rate: float = 0.03, truncate_rate: float = 0.2) -> SyntheticReport:
    """A whole report (see the module docstring)."""
    template = template or rng.choice(TEMPLATES)
    layout = layout or rng.choice(LAYOUTS)
    truth = sample_tables(rng, template)
    if layout != "run_together":
        truth = _blank_cells(truth, rng, blank_rate)
    elif template == "2019":  # a sign has no place in digits run together: changes are increases
        for fs in truth.proactive.values():
            if fs.get("change"):
                fs["change"] = abs(fs["change"])
    signed_ok = layout != "run_together"
    pro = _proactive_grid(truth, template, rng, signed_ok)
    req = _request_grid(truth, template, truncate_rate if layout not in ("run_together",) else 0.0, rng)
    rev = _review_grid(truth)
    pro_l, req_l, rev_l = _render(pro, req, rev, layout, rng)
    year = 2019 if template == "2019" else rng.randint(2021, 2025)
    sep = "" if layout == "run_together" else "\n"
    para = "\n\n" if layout == "blank_line" else "\n"
    parts = [f"某某县人民政府{year}年政府信息公开工作年度报告",
             "一、总体情况", _PROSE["一、总体情况"].format(posts=rng.randint(10, 5000)),
             "二、主动公开政府信息情况", sep.join(pro_l),
             "三、收到和处理政府信息公开申请情况", sep.join(req_l),
             "四、政府信息公开行政复议、行政诉讼情况", sep.join(rev_l),
             "五、存在的主要问题及改进情况", _PROSE["五、存在的主要问题及改进情况"],
             "六、其他需要报告的事项", _PROSE["六、其他需要报告的事项"]]
    text = ("" if layout == "run_together" else para).join(parts)
    return SyntheticReport(text=text, template=template, layout=layout, tables=truth)


# --- the national Word template, filled -------------------------------------------------------

# rows of the blank 2021 template's table 二 (``reference/template-2021-blank.docx``) that hold
# data, with the value cells' fields (first value cell in column 1); table 三 holds the request
# rows from row 3, the seven values from column 3; table 四's fourth row the fifteen review cells
_WORD_PROACTIVE_2021 = {2: "regulations", 3: "normative_documents", 6: "licensing", 9: "punishment",
                        10: "coercion", 13: "fees"}


def _set_paragraph(paragraph, text: str) -> None:
    """Write ``text`` over a Word paragraph, keeping its first run's formatting."""
    for run in paragraph.runs[1:]:
        run.text = ""
    if paragraph.runs:
        paragraph.runs[0].text = text
    else:
        paragraph.add_run(text)


def word_report(rng: random.Random, blank_template, blank_rate: float = 0.2):
    """The blank national 2021 template (a ``.docx`` path) filled as a body fills it in Word:
    title and prose written over the placeholders, every table cell typed in (counts of a
    thousand or more sometimes with a thousands separator; a zero cell left blank at
    ``blank_rate``, empty or with a null mark). Returns the ``docx.Document`` and the
    table answer (null where a cell was left blank)."""
    import docx

    truth = _blank_cells(sample_tables(rng, "2021"), rng, blank_rate, zeros_only=True)
    marked = rng.random() < 0.5  # this body writes "/" or "-" in cells it has nothing for

    def cell_text(v) -> str:
        if v is None:
            return rng.choice(_NULL_MARKS) if marked else ""
        if isinstance(v, int) and v >= 1000 and rng.random() < 0.3:
            return f"{v:,}"
        return str(v)

    doc = docx.Document(str(blank_template))
    pro_table, req_table, rev_table = doc.tables
    for i, key in _WORD_PROACTIVE_2021.items():
        cells = pro_table.rows[i].cells
        for j, field in enumerate(PROACTIVE_2021[key]):
            _set_paragraph(cells[1 + j].paragraphs[0], cell_text(truth.proactive[key][field]))
    for i, key in enumerate(request_rows("2021")):
        cells = req_table.rows[3 + i].cells
        for j, v in enumerate(truth.requests.rows[key]):
            _set_paragraph(cells[3 + j].paragraphs[0], cell_text(v))
    cells = rev_table.rows[3].cells
    values = [getattr(getattr(truth.review_litigation, g), f) for g in REVIEW_GROUPS for f in REVIEW_FIELDS]
    for cell, v in zip(cells, values):
        _set_paragraph(cell.paragraphs[0], cell_text(v))
    year = rng.randint(2021, 2025)
    prose = {"一、总体情况": _PROSE["一、总体情况"].format(posts=rng.randint(10, 5000)),
             "五、存在的主要问题及改进情况": _PROSE["五、存在的主要问题及改进情况"],
             "六、其他需要报告的事项": _PROSE["六、其他需要报告的事项"]}
    heading = None
    for paragraph in doc.paragraphs:
        text = paragraph.text.strip()
        if text.startswith("政府信息公开工作年度报告格式模板"):
            _set_paragraph(paragraph, f"某某县人民政府{year}年政府信息公开工作年度报告")
        elif text in prose:
            heading = text
        elif text.startswith("（文字描述") and heading:
            _set_paragraph(paragraph, prose[heading])
    return doc, truth


__all__ = ["LAYOUTS", "TEMPLATES", "SyntheticReport", "generate", "sample_tables", "word_report"]
