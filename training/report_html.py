"""Render the metrics of :mod:`training.report` as one self-contained HTML page (plots
as inline matplotlib SVG, styles inline, nothing fetched), a JSON file and a short
Markdown summary.

Every number shown in an HTML table carries ``data-key`` (a JSON pointer into the
metrics) and ``data-value`` (the JSON value), so the page can be checked against the
JSON it was made from.
"""
from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

C_FACTS, C_SPANS, C_STMTS, C_CELLS = "#1f77b4", "#9ecae1", "#ff7f0e", "#2ca02c"
C_TEST_BG = "#fff3c4"
_KINDS = {"wrong_label": "wrong label", "wrong_value": "wrong value", "wrong_span": "wrong span",
          "spurious": "spurious", "missed": "missed"}


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    json: Path
    markdown: Path


def output_paths(out: str | Path) -> ReportFiles:
    """``report.html`` → ``report.html``, ``report.metrics.json``, ``report.summary.md``."""
    out = Path(out)
    stem = out.with_suffix("") if out.suffix.lower() in (".html", ".htm") else out
    return ReportFiles(stem.with_suffix(".html"), Path(f"{stem}.metrics.json"), Path(f"{stem}.summary.md"))


def write_report(metrics: dict, out: str | Path) -> ReportFiles:
    """Write the HTML page, the metrics JSON and the Markdown summary; return their paths."""
    files = output_paths(out)
    files.html.parent.mkdir(parents=True, exist_ok=True)
    files.json.write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    files.html.write_text(render_html(metrics), encoding="utf-8")
    files.markdown.write_text(render_markdown(metrics, files), encoding="utf-8")
    return files


# --- small helpers ---------------------------------------------------------------------
def fmt(v) -> str:
    """How a metric value is shown: 3 decimals for fractions, integers as they are."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def _ptr(*parts) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def num(value, *path, tag: str = "td") -> str:
    """A table cell showing ``value`` and tied to the JSON by its pointer."""
    return (f'<{tag} class="num" data-key="{_esc(_ptr(*path))}" data-value="{_esc(json.dumps(value))}">'
            f"{_esc(fmt(value))}</{tag}>")


def _get(d, *path):
    for p in path:
        if d is None:
            return None
        d = d[p] if isinstance(d, list) else d.get(p)
    return d


def _svg(fig: Figure, name: str, title: str) -> str:
    """The figure as inline SVG (text as paths: no font needed to show it)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg[svg.index("<svg"):], flags=re.S)
    svg = re.sub(r"<svg\b", f'<svg role="img" aria-label="{_esc(title)}" id="fig-{name}"', svg, count=1)
    return f'<figure class="plot" data-plot="{name}">{svg}<figcaption>{_esc(title)}</figcaption></figure>'


def _figure(w: float, h: float, rows: int = 1, cols: int = 1, **kw):
    fig = Figure(figsize=(w, h), layout="constrained")
    return fig, fig.subplots(rows, cols, **kw)


def _no_data(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what}", ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


# --- plots -----------------------------------------------------------------------------
def _series(rows: list[dict]) -> dict[str, list]:
    return {
        "facts": [_get(r, "narrative", "facts", "f1") for r in rows],
        "spans": [_get(r, "narrative", "spans_exact", "f1") for r in rows],
        "statements": [_get(r, "narrative", "statements", "f1") for r in rows],
        "cells": [_get(r, "tables", "cells", "accuracy") for r in rows],
    }


def _grouped_bars(ax, names: list[str], rows: list[dict], test_mask: list[bool]) -> None:
    import numpy as np

    s = _series(rows)
    x = np.arange(len(rows))
    for i, is_test in enumerate(test_mask):
        if is_test:
            ax.axvspan(i - 0.5, i + 0.5, color=C_TEST_BG, zorder=0, lw=0)
    width = 0.2
    for k, (key, color, label) in enumerate((("facts", C_FACTS, "facts F1 (label, value)"),
                                             ("spans", C_SPANS, "facts F1 span-exact"),
                                             ("statements", C_STMTS, "statements F1"),
                                             ("cells", C_CELLS, "table cell accuracy"))):
        shown = [(i, v) for i, v in enumerate(s[key]) if v is not None]
        xs = [x[i] + (k - 1.5) * width for i, _ in shown]
        ax.bar(xs, [v for _, v in shown], width, color=color, label=label, zorder=2)
        for xi, (_, v) in zip(xs, shown):
            ax.text(xi, v + 0.015, f"{v:.2f}", rotation=90, ha="center", va="bottom", fontsize=6.5, color="#333")
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.18)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("F1 / accuracy")
    ax.grid(axis="y", alpha=0.3, zorder=1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def fig_by_year(m: dict) -> str:
    rows = m["per_year"]
    fig, ax = _figure(10, 3.6)
    if rows:
        _grouped_bars(ax, [f"{r['year']}\n{r['split']}" for r in rows], rows, [r["split"] == "test" for r in rows])
        ax.set_xlabel("report year (shaded: test years)")
    else:
        _no_data(ax, "documents")
    ax.set_title("Scores by report year")
    return _svg(fig, "by-year", "Scores by report year: facts, statements, table cells")


def fig_by_template(m: dict) -> str:
    rows = m["per_template"]
    fig, ax = _figure(8, 3.2)
    if rows:
        _grouped_bars(ax, [f"{r['template']}\n{r['split']}" for r in rows], rows,
                      [r["split"] == "test" for r in rows])
        ax.set_xlabel("template (shaded: test years)")
    else:
        _no_data(ax, "documents")
    ax.set_title("Scores by template")
    return _svg(fig, "by-template", "Scores by template (pre2019 / 2019 / 2021)")


def fig_labels(m: dict) -> str:
    import numpy as np

    per = _get(m, "test", "narrative", "facts_per_label") or {}
    stmts = _get(m, "test", "narrative", "statements_per_label") or {}
    per = {**per, **{f"statement {k}": v for k, v in stmts.items()}}
    names = list(per)
    fig, ax = _figure(9, 0.42 * max(len(names), 3) + 1.2)
    if names:
        y = np.arange(len(names))[::-1]
        h = 0.26
        for k, (key, color) in enumerate((("precision", "#6baed6"), ("recall", "#fd8d3c"), ("f1", C_FACTS))):
            ax.barh(y + (1 - k) * h, [per[n][key] for n in names], h, color=color, label=key)
        ax.set_yticks(y, [f"{n}  (gold {per[n]['tp'] + per[n]['fn']})" for n in names], fontsize=8)
        ax.set_xlim(0, 1.0)
        ax.set_xlabel("score on the test years")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    else:
        _no_data(ax, "narrative gold in the test years")
    ax.set_title("Precision, recall and F1 per label (test years)")
    return _svg(fig, "labels", "Precision, recall and F1 per label on the test years")


def fig_label_year(m: dict) -> str:
    import numpy as np

    rows = [r for r in m["per_year"] if r.get("narrative")]
    labels = sorted({k for r in rows for k in r["narrative"]["facts_per_label"]})
    fig, ax = _figure(10, 0.38 * max(len(labels), 3) + 1.6)
    if rows and labels:
        data = np.full((len(labels), len(rows)), np.nan)
        for j, r in enumerate(rows):
            for i, lab in enumerate(labels):
                p = r["narrative"]["facts_per_label"].get(lab)
                if p and p["tp"] + p["fp"] + p["fn"]:
                    data[i, j] = p["f1"]
                    n = p["tp"] + p["fn"]
                    ax.text(j, i, f"{p['f1']:.2f}\n({n})", ha="center", va="center", fontsize=7,
                            color="black" if p["f1"] > 0.55 else "white")
        im = ax.imshow(data, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(rows)), [f"{r['year']}\n{r['split']}" for r in rows], fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_xlabel("report year")
        fig.colorbar(im, ax=ax, label="F1 (label, value)", shrink=0.8)
    else:
        _no_data(ax, "narrative gold")
    ax.set_title("Fact F1 per label and year (number of gold facts in brackets; blank: none)")
    return _svg(fig, "label-year", "Fact F1 per label and year")


def _heatmap(ax, conf: dict, title: str) -> None:
    import numpy as np

    labels, mat = conf["labels"], np.array(conf["matrix"], dtype=float)
    keep = [i for i in range(len(labels)) if mat[i].sum() + mat[:, i].sum() > 0 or labels[i] == "none"]
    labels, mat = [labels[i] for i in keep], mat[np.ix_(keep, keep)]
    ax.imshow(np.log1p(mat), cmap="Blues", aspect="auto")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if mat[i, j]:
                ax.text(j, i, int(mat[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if mat[i, j] > mat.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("gold label")
    ax.set_title(title)


def fig_confusion(m: dict) -> str:
    fig, axes = _figure(11, 5.6, 1, 2, width_ratios=[3, 1.3])
    _heatmap(axes[0], m["confusion"]["facts"], "Quantity facts (overlapping spans)")
    _heatmap(axes[1], m["confusion"]["statements"], "Statements")
    return _svg(fig, "confusion", "Label confusion on the test years: gold against predicted, none = no span")


def fig_calibration(m: dict) -> str:
    fig, axes = _figure(10, 5, 2, 2, height_ratios=[3, 1], sharex="col")
    for col, kind in enumerate(("facts", "statements")):
        cal = m["calibration"][kind]
        top, bottom = axes[0][col], axes[1][col]
        bins = cal["bins"]
        mids = [(b["lo"] + b["hi"]) / 2 for b in bins]
        width = bins[0]["hi"] - bins[0]["lo"] if bins else 0.1
        top.plot([0, 1], [0, 1], ls="--", color="#888", lw=1, label="perfect calibration")
        top.bar([c for c, b in zip(mids, bins) if b["count"]], [b["accuracy"] for b in bins if b["count"]],
                width * 0.9, color=C_FACTS if kind == "facts" else C_STMTS, alpha=0.85, label="accuracy in bin")
        top.plot([b["confidence"] for b in bins if b["count"]], [b["accuracy"] for b in bins if b["count"]],
                 "o", color="black", ms=4, label="mean confidence")
        top.set_xlim(0, 1)
        top.set_ylim(0, 1.02)
        top.set_ylabel("accuracy")
        ece = "–" if cal["ece"] is None else f"{cal['ece']:.3f}"
        top.set_title(f"{kind}: {cal['predictions']} predictions, ECE {ece}")
        top.legend(loc="upper left", fontsize=7)
        top.grid(alpha=0.3)
        bottom.bar(mids, [b["count"] for b in bins], width * 0.9, color="#999")
        bottom.set_xlabel("confidence")
        bottom.set_ylabel("count")
    return _svg(fig, "calibration", "Reliability diagram: confidence against accuracy (test years)")


# --- tables ----------------------------------------------------------------------------
def _prf_cells(d: dict | None, *path) -> str:
    if d is None:
        return '<td class="na" colspan="3">–</td>'
    return "".join(num(d[k], *path, k) for k in ("precision", "recall", "f1"))


def _group_table(rows: list[dict], key: str, base: str) -> str:
    head = (f"<tr><th>{key}</th><th>split</th><th>docs</th><th>facts P</th><th>facts R</th><th>facts F1</th>"
            "<th>span-exact F1</th><th>statements P</th><th>statements R</th><th>statements F1</th>"
            "<th>cells right</th><th>cell accuracy</th><th>checks pass (extracted)</th>"
            "<th>checks pass (gold)</th><th>checks agree</th></tr>")
    body = []
    for i, r in enumerate(rows):
        n, t = r.get("narrative"), r.get("tables")
        cells = [f"<td>{_esc(r[key])}</td>", f'<td class="{r["split"]}">{_esc(r["split"])}</td>',
                 num(r["documents"], base, i, "documents"),
                 _prf_cells(n and n["facts"], base, i, "narrative", "facts"),
                 num(n["spans_exact"]["f1"], base, i, "narrative", "spans_exact", "f1") if n else "<td>–</td>",
                 _prf_cells(n and n["statements"], base, i, "narrative", "statements")]
        if t:
            cells += [f'<td class="num">{t["cells"]["correct"]}/{t["cells"]["total"]}</td>',
                      num(t["cells"]["accuracy"], base, i, "tables", "cells", "accuracy"),
                      num(t["checks"]["pass_rate"], base, i, "tables", "checks", "pass_rate"),
                      num(t["checks"]["gold_pass_rate"], base, i, "tables", "checks", "gold_pass_rate"),
                      num(t["checks"]["agreement"], base, i, "tables", "checks", "agreement")]
        else:
            cells.append('<td class="na" colspan="5">no table gold</td>')
        body.append(f'<tr class="{r["split"]}">{"".join(cells)}</tr>')
    return f'<table id="table-{base.replace("_", "-")}">{head}{"".join(body)}</table>'


def _label_table(m: dict) -> str:
    rows = []
    for group, title in (("facts_per_label", ""), ("statements_per_label", "statement ")):
        for lab, p in (_get(m, "test", "narrative", group) or {}).items():
            path = ("test", "narrative", group, lab)
            rows.append(f"<tr><td>{_esc(title + lab)}</td>{_prf_cells(p, *path)}"
                        + "".join(num(p[k], *path, k) for k in ("tp", "fp", "fn")) + "</tr>")
    head = "<tr><th>label</th><th>P</th><th>R</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th></tr>"
    return f'<table id="table-labels">{head}{"".join(rows)}</table>'


def _parts_table(m: dict) -> str:
    parts = sorted({p for r in m["per_year"] if r.get("tables") for p in r["tables"]["parts"]})
    if not parts:
        return "<p>No document in these years has table gold.</p>"
    head = "<tr><th>year</th><th>split</th><th>docs with table gold</th>" + "".join(
        f"<th>{_esc(p)}</th>" for p in parts) + "<th>checks pass / fail / n.a. (extracted)</th></tr>"
    body = []
    for i, r in enumerate(m["per_year"]):
        t = r.get("tables")
        if not t:
            continue
        c = t["checks"]
        body.append(f'<tr class="{r["split"]}"><td>{r["year"]}</td><td>{r["split"]}</td>'
                    + num(t["documents"], "per_year", i, "tables", "documents")
                    + "".join(num(_get(t, "parts", p, "accuracy"), "per_year", i, "tables", "parts", p, "accuracy")
                              for p in parts)
                    + f'<td class="num">{c["pass"]} / {c["fail"]} / {c["not_applicable"]}</td></tr>')
    return f'<table id="table-parts">{head}{"".join(body)}</table>'


def _confusion_table(conf: dict, name: str) -> str:
    labels, mat = conf["labels"], conf["matrix"]
    used = [i for i, lab in enumerate(labels) if lab == "none" or sum(mat[i]) or any(r[i] for r in mat)]
    head = "<tr><th>gold \\ predicted</th>" + "".join(f"<th>{_esc(labels[j])}</th>" for j in used) + "</tr>"
    body = "".join(f"<tr><th>{_esc(labels[i])}</th>"
                   + "".join(num(mat[i][j], "confusion", name, "matrix", i, j) for j in used) + "</tr>"
                   for i in used)
    return f'<div class="scroll"><table class="confusion" id="table-confusion-{name}">{head}{body}</table></div>'


def _calibration_table(m: dict) -> str:
    head = "<tr><th>kind</th><th>confidence bin</th><th>predictions</th><th>mean confidence</th><th>accuracy</th></tr>"
    body = []
    for kind in ("facts", "statements"):
        for i, b in enumerate(m["calibration"][kind]["bins"]):
            if b["count"]:
                body.append(f"<tr><td>{kind}</td><td>{b['lo']:.1f}–{b['hi']:.1f}</td>"
                            + "".join(num(b[k], "calibration", kind, "bins", i, k)
                                      for k in ("count", "confidence", "accuracy")) + "</tr>")
    return f'<table id="table-calibration">{head}{"".join(body)}</table>'


def _context_html(e: dict) -> str:
    if not e["left"] and not e["right"]:
        return f'<mark class="{e["kind"]}">{_esc(e["span"])}</mark>' + (
            ' <span class="note">(not found in the text)</span>' if e["start"] is None else "")

    def show(s: str) -> str:
        return _esc(s).replace("\n", '<span class="nl">↵</span>')

    return f'…{show(e["left"])}<mark class="{e["kind"]}">{show(e["span"])}</mark>{show(e["right"])}…'


def _label_value(e: dict, side: str) -> str:
    lab, val = e[f"{side}_label"], e[f"{side}_value"]
    return _esc(lab) + (f" = {fmt(val)}" if val is not None else "")


def _errors_table(m: dict, wrong: bool) -> str:
    errs = m["errors"]["list"]
    chosen = [(i, e) for i, e in enumerate(errs) if (e["kind"] != "missed") == wrong][: m["errors"]["shown"]]
    if not chosen:
        return "<p>None.</p>"
    head = ("<tr><th>#</th><th>document</th><th>what</th><th>gold</th><th>predicted</th>"
            + ("<th>confidence</th>" if wrong else "") + "<th>text (span highlighted)</th></tr>")
    rows = []
    for i, e in chosen:
        rows.append(f'<tr class="err" data-rank="{e["rank"]}">' + num(e["rank"], "errors", "list", i, "rank")
                    + f'<td>{_esc(e["doc_id"])}<br><small>{e["year"]}</small></td>'
                    + f'<td>{_esc(e["item"])}: {_KINDS.get(e["kind"], e["kind"])}</td>'
                    + f"<td>{_label_value(e, 'gold')}</td><td>{_label_value(e, 'pred')}</td>"
                    + (num(e["confidence"], "errors", "list", i, "confidence") if wrong else "")
                    + f'<td class="ctx">{_context_html(e)}</td></tr>')
    return f'<table class="errors" id="table-errors-{"wrong" if wrong else "missed"}">{head}{"".join(rows)}</table>'


def _cells_table(m: dict) -> str:
    wrong = m["errors"]["table_cells"][: m["errors"]["shown"]]
    if not wrong:
        return "<p>None.</p>"
    rows = "".join(f'<tr><td>{_esc(c["doc_id"])}</td><td><code>{_esc(c["cell"])}</code></td>'
                   + num(c["gold"], "errors", "table_cells", i, "gold")
                   + num(c["extracted"], "errors", "table_cells", i, "extracted") + "</tr>"
                   for i, c in enumerate(wrong))
    return ('<table id="table-errors-cells"><tr><th>document</th><th>cell</th><th>gold</th><th>extracted</th></tr>'
            f"{rows}</table>")


def _documents_table(m: dict) -> str:
    head = ("<tr><th>document</th><th>year</th><th>template</th><th>split</th><th>facts F1</th>"
            "<th>statements F1</th><th>cell accuracy</th><th>checks agree</th></tr>")
    rows = []
    docs = m["documents"]
    for i in sorted(range(len(docs)), key=lambda k: (docs[k]["year"] or 0, docs[k]["doc_id"])):
        d = docs[i]
        cells = "".join(num(d[a][b], "documents", i, a, b) if d[a] is not None else "<td>–</td>"
                        for a, b in (("facts", "f1"), ("statements", "f1"), ("cells", "accuracy"),
                                     ("checks", "agreement")))
        rows.append(f'<tr class="{d["split"]}"><td>{_esc(d["doc_id"])}</td><td>{d["year"]}</td>'
                    f'<td>{_esc(d["template"])}</td><td>{d["split"]}</td>{cells}</tr>')
    return f'<table id="table-documents">{head}{"".join(rows)}</table>'


def _cards(m: dict) -> str:
    t = m["test"]
    items = [("facts F1", _get(t, "narrative", "facts", "f1"), ("test", "narrative", "facts", "f1")),
             ("span-exact F1", _get(t, "narrative", "spans_exact", "f1"), ("test", "narrative", "spans_exact", "f1")),
             ("statements F1", _get(t, "narrative", "statements", "f1"), ("test", "narrative", "statements", "f1")),
             ("table cell accuracy", _get(t, "tables", "cells", "accuracy"), ("test", "tables", "cells", "accuracy")),
             ("facts ECE", m["calibration"]["facts"]["ece"], ("calibration", "facts", "ece"))]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="card-label">{_esc(name)}</div>'
        + (num(v, *path, tag="div") if v is not None else '<div class="num na">–</div>') + "</div>"
        for name, v, path in items) + "</div>"


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
 margin:0 auto;max-width:1180px;padding:24px;color:#1b1b1b;line-height:1.45}
h1{margin:0 0 4px}h2{margin-top:36px;border-bottom:2px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:14px}.meta code{background:#f3f3f3;padding:1px 4px}
table{border-collapse:collapse;margin:10px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 7px;vertical-align:top}th{background:#f3f5f8;text-align:left}
td.num,div.num{text-align:right;font-variant-numeric:tabular-nums}
tr.test td:first-child{border-left:4px solid #e6b800}td.test{background:#fff3c4}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:150px;background:#fafbfc}
.card-label{color:#555;font-size:13px}.card div.num{font-size:28px;font-weight:600;text-align:left}
figure.plot{margin:12px 0}figure.plot svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:13px}
td.ctx{max-width:560px;font-size:14px}mark{padding:0 2px;border-radius:3px}
mark.missed{background:#ffd6d6}mark.spurious{background:#ffe9b3}mark.wrong_label{background:#e2c8ff}
mark.wrong_value,mark.wrong_span{background:#c8e1ff}.nl{color:#aaa}.note{color:#888;font-size:12px}
ul.notes{font-size:13px;color:#444}.na{color:#999}.scroll{overflow-x:auto}
.warn{background:#ffe0e0;border:1px solid #d33;padding:8px 12px;font-weight:600}
"""


def render_html(m: dict) -> str:
    """The report as one HTML page with everything inline."""
    model = m["model"]
    how = (f"trained here on {len(model.get('train_documents', []))} gold documents of the train years"
           if model.get("trained_here") else f"given: <code>{_esc(model.get('path') or '(default)')}</code>")
    sp = m["split"]
    counts = m["errors"]["counts"]
    notes = "".join(f"<li>{_esc(n)}</li>" for n in m["notes"])
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>nianbao evaluation report</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>nianbao evaluation report</h1>",
        f'<p class="meta">Model <b>{_esc(model.get("name"))}</b> (backend {_esc(model["backend"])}), {how}.<br>'
        f"Train years <b>{_years(sp['train_years'])}</b> ({len(sp['train_documents'])} documents) · "
        f"test years <b>{_years(sp['test_years'])}</b> ({len(sp['test_documents'])} documents, {_held(model)}) · "
        f"gold: {', '.join(f'<code>{_esc(Path(g).name)}</code>' for g in m['gold_files'])} · "
        f"made {_esc(m['created'])}"
        + (f" · prediction {model['predict_seconds']} s" if model.get("predict_seconds") is not None else "")
        + "</p>",
        (f'<p class="warn">Not a held-out evaluation: the model was trained on '
         f'{len(model["trained_on_test"])} of the test documents.</p>') if model.get("trained_on_test") else "",
        "<h2>Test years at a glance</h2>", _cards(m),
        "<p>Facts are scored as (label, value) pairs per document (micro over documents) and span-exact; "
        "statements match one-to-one by text overlap. Table cells are scored against table gold where a "
        "document has it; checks compare the extracted checks with the published arithmetic.</p>",
        f'<ul class="notes">{notes}</ul>' if notes else "",
        '<h2 id="by-year">By year</h2>', fig_by_year(m), _group_table(m["per_year"], "year", "per_year"),
        '<h2 id="by-template">By template</h2>', fig_by_template(m),
        _group_table(m["per_template"], "template", "per_template"),
        '<h2 id="labels">By label (test years)</h2>', fig_labels(m), _label_table(m), fig_label_year(m),
        '<h2 id="tables">Tables 二/三/四: cell accuracy per part and year</h2>', _parts_table(m),
        '<h2 id="confusion">Label confusion (test years)</h2>', fig_confusion(m),
        _confusion_table(m["confusion"]["facts"], "facts"),
        _confusion_table(m["confusion"]["statements"], "statements"),
        '<p class="note">Labels with no span in gold or prediction are left out of the tables.</p>',
        '<h2 id="calibration">Calibration (test years)</h2>', fig_calibration(m), _calibration_table(m),
        '<h2 id="errors">Worst errors (test years)</h2>',
        "<p>" + ", ".join(f"{_esc(k)}: {v}" for k, v in counts.items()) + "</p>" if counts else "",
        f"<h3>Wrong predictions, most confident first (at most {m['errors']['shown']})</h3>",
        _errors_table(m, wrong=True),
        f"<h3>Missed gold items (at most {m['errors']['shown']})</h3>", _errors_table(m, wrong=False),
        f"<h3>Wrong table cells ({len(m['errors']['table_cells'])}; at most {m['errors']['shown']} shown)</h3>",
        _cells_table(m),
        '<h2 id="documents">Documents</h2>', _documents_table(m),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


# --- Markdown --------------------------------------------------------------------------
def _years(ys: list[int]) -> str:
    if not ys:
        return "none"
    return f"{ys[0]}–{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else ", ".join(map(str, ys))


def _held(model: dict) -> str:
    seen = model.get("trained_on_test")
    return f"NOT held out: the model was trained on {len(seen)} of them" if seen else "never trained on"


def render_markdown(m: dict, files: ReportFiles | None = None) -> str:
    """A short summary: headline numbers, one line per year and per template, error counts."""
    t, sp, model = m["test"], m["split"], m["model"]
    lines = [
        "# nianbao evaluation report", "",
        f"Model `{model.get('name')}` (backend {model['backend']}"
        + (", trained here on the train years" if model.get("trained_here") else "") + "); "
        f"train years {_years(sp['train_years'])} ({len(sp['train_documents'])} docs), "
        f"test years {_years(sp['test_years'])} ({len(sp['test_documents'])} docs, {_held(model)}).", "",
        "| test years | value |", "|---|---|",
        f"| facts F1 (label, value) | {fmt(_get(t, 'narrative', 'facts', 'f1'))} |",
        f"| facts F1 span-exact | {fmt(_get(t, 'narrative', 'spans_exact', 'f1'))} |",
        f"| statements F1 | {fmt(_get(t, 'narrative', 'statements', 'f1'))} |",
        f"| table cell accuracy | {fmt(_get(t, 'tables', 'cells', 'accuracy'))} |",
        f"| facts ECE | {fmt(m['calibration']['facts']['ece'])} |", "",
    ]
    for rows, key in ((m["per_year"], "year"), (m["per_template"], "template")):
        lines += [f"| {key} | split | docs | facts F1 | statements F1 | cell accuracy | checks agree |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r[key]} | {r['split']} | {r['documents']} | {fmt(_get(r, 'narrative', 'facts', 'f1'))} | "
                  f"{fmt(_get(r, 'narrative', 'statements', 'f1'))} | {fmt(_get(r, 'tables', 'cells', 'accuracy'))} | "
                  f"{fmt(_get(r, 'tables', 'checks', 'agreement'))} |" for r in rows]
        lines.append("")
    counts = m["errors"]["counts"]
    if counts:
        lines += ["Errors on the test years: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".", ""]
    if files is not None:
        lines.append(f"Full report: `{files.html.name}`; all numbers: `{files.json.name}`.")
    return "\n".join(lines) + "\n"
