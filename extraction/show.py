"""A record for a person: rich tables for the terminal (``nianbao show``)."""
from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from extraction.record import REQUEST_COLUMNS, REVIEW_FIELDS, REVIEW_GROUPS, SECTION_NAMES, Record

_STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red", "pass": "green", "fail": "red",
                 "not_applicable": "dim"}
_COL_SHORT = {"natural_person": "自然人", "commercial": "商业", "research": "科研", "social_welfare": "公益",
              "legal_services": "法律", "other_org": "其他", "total": "总计"}


def _cell(v) -> str:
    return "—" if v is None else str(v)


def render_record(rec: Record, console: Console) -> None:
    m = rec.meta
    head = Text.assemble(
        (f"{m.agency or '(agency unknown)'}  {m.year or '????'}", "bold"),
        f"   template {m.template}   sector {m.sector}\n",
        ("status ", ""), (rec.status, _STATUS_STYLE[rec.status]),
        f"   {rec.source.format or '?'}  {rec.source.chars} chars   {rec.source.path}",
    )
    console.print(Panel(head, title="nianbao record", expand=False))
    if rec.errors or rec.warnings:
        t = Table(title="errors and warnings", show_lines=False)
        t.add_column("kind"), t.add_column("code"), t.add_column("where"), t.add_column("message", overflow="fold")
        for e in rec.errors:
            t.add_row(Text("error", "red"), e.code, "", e.message)
        for w in rec.warnings:
            t.add_row(Text("warning", "yellow"), w.code, w.where or "", w.message)
        console.print(t)
    if rec.status == "failed":
        return
    t = Table(title="sections")
    t.add_column("section"), t.add_column("span", justify="right"), t.add_column("heading")
    for name in SECTION_NAMES:
        s = getattr(rec.sections, name)
        t.add_row(name, f"{s.start}–{s.end}" if s else "—", s.heading if s else Text("missing", "yellow"))
    console.print(t)
    _render_narrative(rec, console)
    _render_tables(rec, console)
    t = Table(title="checks")
    t.add_column("check"), t.add_column("status"), t.add_column("detail", overflow="fold")
    for c in rec.checks:
        t.add_row(c.name, Text(c.status, _STATUS_STYLE[c.status]), c.detail)
    console.print(t)


def _render_narrative(rec: Record, console: Console) -> None:
    n = rec.narrative
    if not (n.facts or n.problems or n.remedies):
        console.print(Text("narrative: no facts or statements (the model found none, or was not run)", "dim"))
        return
    summary = {k: v for k, v in n.summary.model_dump().items() if v is not None}
    t = Table(title="narrative facts")
    for c in ("label", "text", "value", "qualifier", "section", "conf."):
        t.add_column(c)
    for f in n.facts:
        t.add_row(f.label, f.text, _cell(f.value), f.qualifier, f.section or "—", f"{f.confidence:.2f}")
    parts = [t]
    if summary:
        parts.append(Text("summary: " + ", ".join(f"{k}={_cell(v)}" for k, v in summary.items())))
    for title, items in (("problems", n.problems), ("remedies", n.remedies)):
        if not items:
            continue
        st = Table(title=title, show_header=False)
        st.add_column("#", justify="right"), st.add_column("text", overflow="fold"), st.add_column("conf.")
        for i, s in enumerate(items, 1):
            st.add_row(str(i), s.text, f"{s.confidence:.2f}")
        parts.append(st)
    console.print(Group(*parts))


def _render_tables(rec: Record, console: Console) -> None:
    tb = rec.tables
    if tb.proactive:
        fields = list(dict.fromkeys(f for row in tb.proactive.values() for f in row))
        t = Table(title="二 主动公开")
        t.add_column("row")
        for f in fields:
            t.add_column(f, justify="right")
        for row, vals in tb.proactive.items():
            t.add_row(row, *[_cell(vals.get(f)) for f in fields])
        console.print(t)
    if tb.requests.rows:
        t = Table(title="三 依申请")
        t.add_column("row")
        for c in REQUEST_COLUMNS:
            t.add_column(_COL_SHORT[c], justify="right")
        for row, vals in tb.requests.rows.items():
            t.add_row(row, *[_cell(v) for v in vals])
        console.print(t)
    rl = tb.review_litigation
    if any(v is not None for g in REVIEW_GROUPS for v in getattr(rl, g).model_dump().values()):
        t = Table(title="四 复议诉讼")
        t.add_column("group")
        for f in REVIEW_FIELDS:
            t.add_column(f, justify="right")
        for g in REVIEW_GROUPS:
            vals = getattr(rl, g).model_dump()
            t.add_row(g, *[_cell(vals[f]) for f in REVIEW_FIELDS])
        console.print(t)
