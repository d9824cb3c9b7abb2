"""Evaluation reports: the metrics on hand-made cases with known answers, then a real
report on a small corpus gold, opened in headless Chromium and checked against its JSON."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from extraction.paths import MODELS_DIR
from extraction.record import Check, Fact, Narrative, Record, Source, Statement, Tables
from nianbao.cli import app
from training.corpus import resolve
from training.evaluate import evaluate_documents
from training.report import (EvalDoc, assign_splits, calibration, confusion_matrices, find_errors, held_out_ids,
                             load_eval_docs, parse_years, reliability, score_tables, table_cells, template_of_year)
from training.report_html import C_CELLS, C_FACTS, C_STMTS, output_paths, render_html

from conftest import GOLD_DIR, read_jsonl

TEXT = "微信公众号发布448篇文章，门户网站公开信息18条。\n一是政策解读不够丰富。二是队伍建设有待加强。下一步加强培训。"
GOLD = {
    "doc_id": "toy-2022", "meta": {"year": 2022},
    "facts": [
        {"label": "POSTS_WECHAT", "text": "448篇", "context": "发布448篇文章", "value": 448, "qualifier": "exact"},
        {"label": "POSTS_WEBSITE", "text": "18条", "context": "公开信息18条", "value": 18, "qualifier": "exact"},
    ],
    "statements": [
        {"label": "PROBLEM", "text": "政策解读不够丰富。"},
        {"label": "PROBLEM", "text": "队伍建设有待加强。"},
        {"label": "REMEDY", "text": "下一步加强培训。"},
    ],
}


def _fact(label, text, value, conf):
    s = TEXT.index(text)
    return Fact(label=label, text=text, value=value, qualifier="exact", start=s, end=s + len(text),
                section="overview", confidence=conf)


def _stmt(text, conf):
    s = TEXT.index(text)
    return Statement(text=text, start=s, end=s + len(text), confidence=conf)


def _toy() -> tuple[list[EvalDoc], dict[str, Narrative]]:
    doc = EvalDoc("toy-2022", gold=resolve(GOLD, TEXT), year=2022, template="2021", split="test")
    pred = Narrative(
        facts=[_fact("POSTS_WECHAT", "448篇", 448, 0.95),     # right
               _fact("POSTS_TOTAL", "18条", 18, 0.85)],       # wrong label on the gold website span
        problems=[_stmt("政策解读不够丰富。", 0.9),             # right
                  _stmt("下一步加强培训。", 0.7)],              # a remedy called a problem
    )
    return [doc], {"toy-2022": pred}


def test_parse_years():
    assert parse_years("2019-2021") == (2019, 2020, 2021)
    assert parse_years("2022") == (2022,)
    assert parse_years("2011-2012, 2018") == (2011, 2012, 2018)
    assert parse_years("") == ()
    for bad in ("2021-2019", "19-21", "last year"):
        with pytest.raises(ValueError):
            parse_years(bad)


def test_template_of_year():
    assert [template_of_year(y) for y in (2015, 2018, 2019, 2020, 2021, 2025)] == \
        ["pre2019", "pre2019", "2019", "2019", "2021", "2021"]


def test_splits_keep_only_train_and_test_years():
    docs = [EvalDoc(f"d{y}", year=y) for y in (2018, 2019, 2022, 2024)]
    kept, left = assign_splits(docs, (2019, 2020), (2022, 2023))
    assert [(d.doc_id, d.split) for d in kept] == [("d2019", "train"), ("d2022", "test")]
    assert [d.doc_id for d in left] == ["d2018", "d2024"]
    with pytest.raises(ValueError):
        assign_splits(docs, (2019, 2022), (2022,))


def test_held_out_ids_cover_every_report_of_the_test_years(corpus_dir):
    held = held_out_ids([EvalDoc("my-own-doc", year=2023)], (2023,), corpus_dir / "reports")
    assert {"my-own-doc", "pingtan-2023", "hongze-gov-2023", "shuyang-fgj-2023", "seed-zhongwei-ybj-2023"} <= held
    assert not {"pingtan-2021", "huaian-gov-2024"} & held


def test_confusion_errors_and_calibration_on_known_case():
    docs, pred = _toy()
    conf = confusion_matrices(docs, pred)
    labels, mat = conf["facts"]["labels"], conf["facts"]["matrix"]
    ix = labels.index
    assert mat[ix("POSTS_WECHAT")][ix("POSTS_WECHAT")] == 1
    assert mat[ix("POSTS_WEBSITE")][ix("POSTS_TOTAL")] == 1
    assert sum(map(sum, mat)) == 2
    st = conf["statements"]
    six = st["labels"].index
    assert st["matrix"][six("PROBLEM")][six("PROBLEM")] == 1
    assert st["matrix"][six("REMEDY")][six("PROBLEM")] == 1
    assert st["matrix"][six("PROBLEM")][six("none")] == 1     # 队伍建设… nothing predicted there

    errors = find_errors(docs, pred, context_chars=6)
    kinds = [(e["item"], e["kind"]) for e in errors]
    # wrong predictions first, most confident first; misses after; the website span not listed twice
    assert kinds == [("fact", "wrong_label"), ("statement", "wrong_label"), ("statement", "missed")]
    wl = errors[0]
    assert (wl["gold_label"], wl["pred_label"], wl["span"], wl["left"], wl["rank"]) == \
        ("POSTS_WEBSITE", "POSTS_TOTAL", "18条", "网站公开信息", 1)
    assert TEXT[wl["start"]:wl["end"]] == "18条"
    assert errors[2]["span"] == "队伍建设有待加强。"

    cal = calibration(docs, pred, bins=10)
    assert (cal["facts"]["predictions"], cal["facts"]["correct"]) == (2, 1)
    b = {x["lo"]: x for x in cal["facts"]["bins"] if x["count"]}
    assert b[0.8]["accuracy"] == 0.0 and b[0.9]["accuracy"] == 1.0
    assert cal["facts"]["ece"] == pytest.approx(0.5 * 0.85 + 0.5 * 0.05)
    assert (cal["statements"]["predictions"], cal["statements"]["correct"]) == (2, 1)


def test_reliability_of_a_perfectly_calibrated_set():
    items = [(0.25, i < 1) for i in range(4)] + [(0.75, i < 3) for i in range(4)] + [(1.0, True)]
    r = reliability(items, bins=4)
    assert [b["count"] for b in r["bins"]] == [0, 4, 0, 5]        # 1.0 falls in the last bin
    assert r["bins"][1]["accuracy"] == 0.25
    assert r["ece"] == pytest.approx(5 / 9 * abs(0.8 - 0.8))
    assert reliability([], 5)["ece"] is None


def _record(tables: dict, checks: dict[str, str]) -> Record:
    return Record(source=Source(path="x.txt", sha256="", format="txt", chars=0), status="ok",
                  tables=Tables(**tables), checks=[Check(name=k, status=v) for k, v in checks.items()])


def test_score_tables_counts_cells_nulls_and_checks(corpus_dir):
    gold = next(g for g in read_jsonl(GOLD_DIR / "tables.jsonl") if g["doc_id"] == "hongze-gov-2023")
    tables = json.loads(json.dumps(gold["tables"]))
    absent = [k for k, v in tables["requests"]["rows"].items() if v is None]
    assert absent, "hongze-gov-2023 has rows absent from the report (null in gold)"
    for k in absent:                       # the record leaves absent rows out
        del tables["requests"]["rows"][k]
    tables["requests"]["rows"]["granted"][6] += 1
    n = len(table_cells(gold["tables"]))
    assert n == len(table_cells({**gold["tables"], "requests": {**gold["tables"]["requests"], "rows": {
        k: v for k, v in gold["tables"]["requests"]["rows"].items() if v is not None}}})) + 7 * len(absent)
    checks = {"requests_balance": "pass", "requests_total_processed": "fail", "requests_row_totals": "pass",
              "review_litigation_totals": "fail", "narrative_requests_match": "not_applicable"}
    s = score_tables(gold, _record(tables, checks)).to_dict()
    assert s["cells"] == {"correct": n - 1, "total": n, "accuracy": round((n - 1) / n, 4)}
    assert s["parts"]["requests"]["correct"] == s["parts"]["requests"]["total"] - 1
    # gold: published review totals fail, the rest pass → the record agrees on 3 of 4
    assert s["checks"]["gold_pass_rate"] == 0.75 and s["checks"]["agreement"] == 0.75
    assert (s["checks"]["pass"], s["checks"]["fail"], s["checks"]["not_applicable"]) == (2, 2, 1)
    assert s["checks"]["pass_rate"] == 0.5
    assert score_tables(gold, None).to_dict()["cells"]["correct"] < n / 2   # nothing extracted


def test_ambiguous_rows_must_be_null(corpus_dir):
    gold = next(g for g in read_jsonl(GOLD_DIR / "tables.jsonl") if g.get("ambiguous_in_text"))
    s = score_tables(gold, _record(gold["tables"], {})).to_dict()       # the true values, guessed from text
    amb = [k for k in table_cells(gold["tables"]) if k.startswith(tuple(a + "." for a in gold["ambiguous_in_text"]))]
    assert amb and s["cells"]["total"] - s["cells"]["correct"] == sum(
        table_cells(gold["tables"])[k] is not None for k in amb)


def test_gold_files_merge_by_doc_id(corpus_dir, tmp_path):
    extra = tmp_path / "mine.jsonl"
    extra.write_text(json.dumps({**GOLD, "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    docs, notes = load_eval_docs([GOLD_DIR / "narrative.jsonl", GOLD_DIR / "tables.jsonl", extra])
    by = {d.doc_id: d for d in docs}
    assert by["toy-2022"].gold.text == TEXT and by["toy-2022"].gold.unresolved == []   # text carried in the row
    assert by["pingtan-2019"].gold is not None and by["pingtan-2019"].tables_gold["template"] == "2019"
    assert by["pingtan-2019"].template == "2019" and by["pingtan-2019"].year == 2019
    assert by["hongze-gov-2023"].path.name == "hongze-gov-2023.pdf"
    assert not [n for n in notes if "given twice" in n]


def test_annotation_round_rows_are_gold_paragraphs_of_their_report(corpus_dir, tmp_path):
    para = TEXT.split("\n")[0]
    row = {"doc_id": "seed-quxian-ybj-2022#1950-2033", "report": "seed-quxian-ybj-2022", "text": para, "meta": {},
           "facts": GOLD["facts"], "statements": [], "task_id": 7, "ground_truth": True}
    later = {**row, "facts": GOLD["facts"][:1], "ground_truth": False}
    f = tmp_path / "round-001.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (row, later)), encoding="utf-8")
    (doc,), notes = load_eval_docs([f])
    assert doc.year == 2022                      # from the report, not from the offsets in the id
    assert doc.path.name == "seed-quxian-ybj-2022.txt"
    assert len(doc.gold.facts) == 2 and doc.gold.unresolved == []   # the ground-truth row wins
    assert notes == ["seed-quxian-ybj-2022#1950-2033: narrative gold given twice; the ground-truth row is kept"]


def test_html_numbers_are_the_json_numbers_on_known_case():
    docs, pred = _toy()
    from training.report import ReportSettings, build_metrics

    s = ReportSettings(gold=[], test_years=(2022,))
    m = build_metrics(docs, pred, {}, s, {"backend": "spacy", "name": "toy", "trained_here": False})
    direct = evaluate_documents([docs[0].gold], pred).to_dict()
    assert m["test"]["narrative"]["facts"] == direct["facts"]
    assert m["test"]["tables"] is None
    soup = BeautifulSoup(render_html(m), "lxml")
    assert _html_matches_json(soup, m) > 20
    mark = soup.select("#table-errors-wrong mark")[0]
    assert mark.get_text() == "18条" and "wrong_label" in mark["class"]


# --- helpers for the real report -------------------------------------------------------
def _resolve(m: dict, pointer: str):
    node = m
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _html_matches_json(soup, m: dict) -> int:
    """Every number in the HTML equals the JSON value its data-key points at; returns how many."""
    cells = soup.select("[data-key]")
    for el in cells:
        value = _resolve(m, el["data-key"])
        assert json.loads(el["data-value"]) == value, el["data-key"]
        shown = el.get_text(strip=True)
        if value is None:
            assert shown == "–", el["data-key"]
        elif isinstance(value, float):
            # shown to 3 decimals: off by at most half a unit of the last digit (0.0595 may show as 0.059)
            assert math.isclose(float(shown), value, abs_tol=5e-4 + 1e-9), (el["data-key"], shown, value)
        else:
            assert shown == str(value), el["data-key"]
    return len(cells)


SMALL_GOLD_IDS = ("seed-yanchi-ybj-2019", "seed-xiangshan-ybj-2019", "pingtan-2021",       # train
                  "seed-quxian-ybj-2022", "seed-zhongwei-ybj-2023", "pingtan-2023")        # test


@pytest.fixture(scope="module")
def small_gold(corpus_dir, tmp_path_factory):
    """Six corpus documents: 2019 and 2021 to train on, 2022–2023 to test."""
    d = tmp_path_factory.mktemp("gold")
    for name in ("narrative.jsonl", "tables.jsonl"):
        rows = [r for r in read_jsonl(GOLD_DIR / name) if r["doc_id"] in SMALL_GOLD_IDS]
        (d / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def trained_here(small_gold, tmp_path_factory):
    """A report whose tiny model ``run_report`` trains on the train years."""
    from training.report import ReportSettings, run_report
    from training.train import TrainSettings

    out = tmp_path_factory.mktemp("model") / "narrative"
    s = ReportSettings(gold=[small_gold / "narrative.jsonl"], train_years=(2019, 2021), test_years=(2022, 2023))
    tiny = TrainSettings(synthetic_paragraphs=200, synthetic_sections=50, negatives=0, gold_repeat=2,
                         silver=False, ner_steps=60, textcat_steps=60)
    return run_report(s, tiny, out), out


def test_training_sees_only_the_train_years(trained_here):
    m, out = trained_here
    assert m["model"]["trained_here"] and m["model"]["path"] == str(out)
    assert m["model"]["train_documents"] == ["pingtan-2021", "seed-xiangshan-ybj-2019", "seed-yanchi-ybj-2019"]
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["gold_documents"] == \
        m["model"]["train_documents"]
    assert m["split"]["test_documents"] == ["pingtan-2023", "seed-quxian-ybj-2022", "seed-zhongwei-ybj-2023"]
    assert "trained_on_test" not in m["model"] and m["test"]["narrative"]["documents"] == 3


@pytest.fixture(scope="module")
def model_path(trained_here):
    """The shipped model where there is one, else the tiny one trained above."""
    shipped = MODELS_DIR / "narrative"
    return shipped if (shipped / "textcat").is_dir() else trained_here[1]


@pytest.fixture(scope="module")
def built_report(small_gold, model_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = CliRunner().invoke(app, [
        "report", "--gold", str(small_gold / "narrative.jsonl"), "--gold", str(small_gold / "tables.jsonl"),
        "--train-years", "2019-2021", "--test-years", "2022-2025", "--out", str(out), "--model", str(model_path)])
    assert res.exit_code == 0, res.output
    files = output_paths(out)
    return files, json.loads(files.json.read_text(encoding="utf-8"))


def test_report_metrics_follow_the_split(built_report, small_gold):
    files, m = built_report
    assert m["split"]["test_documents"] == ["pingtan-2023", "seed-quxian-ybj-2022", "seed-zhongwei-ybj-2023"]
    assert [(r["year"], r["split"]) for r in m["per_year"]] == [
        (2019, "train"), (2021, "train"), (2022, "test"), (2023, "test")]
    assert [(r["template"], r["split"], r["documents"]) for r in m["per_template"]] == [
        ("2019", "train", 2), ("2021", "test", 3), ("2021", "train", 1)]
    assert m["test"]["tables"]["documents"] == 3 and m["test"]["tables"]["cells"]["total"] > 300
    assert 0 <= m["test"]["narrative"]["facts"]["f1"] <= 1
    gold_facts = sum(len(r["facts"]) for r in read_jsonl(small_gold / "narrative.jsonl")
                     if r["doc_id"] in m["split"]["test_documents"])
    unresolved = sum(n.split(":")[0] in m["split"]["test_documents"] and "gold fact" in n for n in m["notes"])
    conf = m["confusion"]["facts"]
    assert sum(map(sum, conf["matrix"][:-1])) == gold_facts - unresolved   # one row count per gold span
    assert sum(b["count"] for b in m["calibration"]["facts"]["bins"]) == m["calibration"]["facts"]["predictions"]
    summary = files.markdown.read_text(encoding="utf-8")
    assert f"| facts F1 (label, value) | {m['test']['narrative']['facts']['f1']:.3f} |" in summary


def test_report_html_is_self_contained_and_matches_json(built_report):
    files, m = built_report
    page = files.html.read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "lxml")
    assert not soup.select("script, link, img, iframe, object, embed")
    refs = [v for el in soup.find_all(True) for k, v in el.attrs.items() if k in ("href", "xlink:href", "src")]
    assert refs and all(v.startswith(("#", "data:image/")) for v in refs)   # only what is inside the page
    assert "url(http" not in page and "@import" not in page and "https://" not in page
    assert {f["data-plot"] for f in soup.select("figure.plot")} == {
        "by-year", "by-template", "labels", "label-year", "confusion", "calibration"}
    assert _html_matches_json(soup, m) > 100
    assert len(soup.select("#table-per-year tr")) == len(m["per_year"]) + 1
    errs = soup.select("table.errors mark")
    assert len(errs) == min(len(m["errors"]["list"]), 2 * m["errors"]["shown"])


def _chromium(*args: str, tmp) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("headless Chromium is not installed (Debian package chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
             "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
             "--hide-scrollbars", f"--user-data-dir={tmp}"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": str(tmp)})


def test_report_renders_in_headless_chromium(built_report, tmp_path):
    from PIL import Image

    files, m = built_report
    url = files.html.resolve().as_uri()
    dom = _chromium("--dump-dom", url, tmp=tmp_path / "profile1")
    assert dom.returncode == 0, dom.stderr[-2000:]
    soup = BeautifulSoup(dom.stdout, "lxml")
    svgs = soup.select("figure.plot svg")
    assert len(svgs) == 6 and all(len(s.select("path")) > 20 for s in svgs)
    assert _html_matches_json(soup, m) > 100          # the numbers survive the browser's parse

    png = tmp_path / "report.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1280,9000", url, tmp=tmp_path / "profile2")
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    img = Image.open(png).convert("RGB")
    assert img.size == (1280, 9000)
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 200            # not a blank page
    count = {c: n for n, c in colours}

    def rgb(h: str) -> tuple[int, int, int]:
        return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))

    # the plot colours are used by the SVG bars only: they show once the plots are drawn
    for colour in (C_FACTS, C_STMTS, C_CELLS):
        assert count.get(rgb(colour), 0) > 500, colour


def test_cli_errors_are_clear(small_gold, tmp_path):
    gold = ["--gold", str(small_gold / "narrative.jsonl")]
    out = ["--out", str(tmp_path / "r.html")]
    res = CliRunner().invoke(app, ["report", *gold, "--test-years", "2030", "--backend", "rules", *out])
    assert res.exit_code == 2 and "no gold document in the test years [2030]" in res.output
    res = CliRunner().invoke(app, ["report", *gold, "--train-years", "2019-2022", "--test-years", "2022", *out])
    assert res.exit_code == 2 and "overlap" in res.output
    res = CliRunner().invoke(app, ["report", "--gold", str(tmp_path / "none.jsonl"), "--test-years", "2022", *out])
    assert res.exit_code == 2 and "no gold file" in res.output
    assert not (tmp_path / "r.html").exists()
