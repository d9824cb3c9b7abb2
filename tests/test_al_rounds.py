"""Round rows without a server: one annotation → one gold row, contexts, versions,
one row per task for training, and the status summary (pull, retrain and the
server itself are exercised in test_al_server.py)."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from annotations.labelstudio import Region, to_results
from annotations.rounds import (
    annotation_row, context_of, current_rows, eval_split, gold_rows, read_jsonl, round_files, status,
)

TEXT = "𠀀全年公开政府信息101条，近4000人关注。办理12345热线567件、信箱7件。信息公开不够及时。"


def api_task(text: str, regions: list[Region], **ann) -> tuple[dict, dict]:
    """A task and one of its annotations as the Label Studio API returns them."""
    annotation = {"id": 9, "result": to_results(text, regions), "annotator": "a@example.com",
                  "updated_at": "2026-11-22T11:37:31.036027Z", "lead_time": 3.2, "ground_truth": False, **ann}
    task = {"id": 5, "data": {"text": text, "task_id": "abc", "doc_id": "report-2022", "doc_sha256": "f" * 64,
                              "section": "overview", "start": 100, "end": 100 + len(text)},
            "annotations": [annotation]}
    return task, annotation


def region(label: str, needle: str, qualifier: str | None = None) -> Region:
    s = TEXT.index(needle)
    return Region(label, s, s + len(needle), needle, qualifier)


def test_an_annotation_becomes_a_gold_row():
    task, ann = api_task(TEXT, [region("POSTS_TOTAL", "101条"), region("FOLLOWERS", "4000人"),
                                region("HOTLINE_CASES", "567件", "at_least"), region("PROBLEM", "信息公开不够及时。")])
    row = annotation_row(task, ann, project_id=3)
    assert row["doc_id"] == f"report-2022#100-{100 + len(TEXT)}" and row["report"] == "report-2022"
    assert row["offset"] == 100 and row["text"] == TEXT and row["task_id"] == "abc"
    assert (row["annotator"], row["lead_time"], row["annotation_id"], row["project_id"]) == ("a@example.com", 3.2, 9, 3)
    facts = {f["label"]: f for f in row["facts"]}
    assert (facts["POSTS_TOTAL"]["value"], facts["POSTS_TOTAL"]["qualifier"]) == (101, "exact")
    assert (facts["FOLLOWERS"]["value"], facts["FOLLOWERS"]["qualifier"]) == (4000, "approx")   # 近 before it
    assert facts["HOTLINE_CASES"]["qualifier"] == "at_least"  # the annotator's choice wins over the parser
    for f in row["facts"]:
        assert TEXT[f["start"]:f["end"]] == f["text"]
        assert TEXT.count(f["context"]) == 1 and f["context"].count(f["text"]) == 1
    assert row["statements"] == [{"label": "PROBLEM", "text": "信息公开不够及时。",
                                  "start": TEXT.index("信息公开不够及时"), "end": len(TEXT)}]
    assert row["problems"] == []


def test_regions_that_cannot_be_gold_are_listed_not_dropped():
    task, ann = api_task(TEXT, [region("OPEN_DAY_EVENTS", "全年"), region("POSTS_TOTAL", "101条")])
    ann["result"].append({"id": "z", "from_name": "label", "to_name": "text", "type": "labels",
                          "value": {"start": 0, "end": 3, "text": "全年公", "labels": ["POSTS_TOTAL"]}})
    ann["result"].append({"id": "y", "from_name": "label", "to_name": "text", "type": "labels",
                          "value": {"start": 2, "end": 4, "text": "全年", "labels": ["OLD_LABEL"]}})
    row = annotation_row(task, ann, project_id=3)
    assert [f["label"] for f in row["facts"]] == ["OPEN_DAY_EVENTS", "POSTS_TOTAL"]
    assert row["facts"][0]["value"] is None
    reasons = sorted((p["kept"], p["reason"].split(" ")[0]) for p in row["problems"])
    assert reasons == [(False, "UTF-16"), (False, "label"), (True, "its")]


@given(st.text(alphabet="年报12条件。", min_size=1, max_size=30), st.data())
def test_context_holds_the_span_once_and_occurs_once_where_it_can(text, data):
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, len(text)))
    ctx = context_of(text, s, e)
    assert text[s:e] in ctx
    if text.count(ctx) == 1 and ctx.count(text[s:e]) == 1:
        assert text.index(ctx) <= s and e <= text.index(ctx) + len(ctx)
    else:
        assert ctx == text  # no unique context exists: the whole text


def row(task_id: str, ann: int, at: str, rnd: int, truth: bool = False, labels=("PROBLEM",)) -> dict:
    return {"task_id": task_id, "annotation_id": ann, "annotated_at": at, "round": rnd, "ground_truth": truth,
            "annotator": "a", "facts": [], "statements": [{"label": x} for x in labels], "problems": [],
            "lead_time": 2.0}


def write_round(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_latest_version_and_one_row_per_task(tmp_path):
    write_round(tmp_path / "round-001.jsonl", [row("t1", 1, "2026-01-01", 1), row("t1", 2, "2026-01-02", 1),
                                                row("t2", 3, "2026-01-01", 1, truth=True)])
    write_round(tmp_path / "round-002.jsonl", [row("t1", 1, "2026-01-05", 2, labels=("REMEDY",)),
                                                row("t2", 4, "2026-01-09", 2)])
    write_round(tmp_path / "round-010.jsonl", [row("t3", 5, "2026-01-09", 10)])
    (tmp_path / "round-x.jsonl").write_text("")
    assert [p.name for p in round_files(tmp_path)] == ["round-001.jsonl", "round-002.jsonl", "round-010.jsonl"]
    rows = [r for p in round_files(tmp_path) for r in read_jsonl(p)]
    cur = {(r["task_id"], r["annotation_id"]): r for r in current_rows(rows)}
    assert len(cur) == 5 and cur[("t1", 1)]["round"] == 2
    gold = {r["task_id"]: r for r in gold_rows(tmp_path)}
    assert gold["t1"]["annotation_id"] == 1          # the latest annotation of t1 (edited in round 2)
    assert gold["t2"]["annotation_id"] == 3          # ground truth beats a later annotation
    s = status(tmp_path)
    assert [r["annotations"] for r in s["rounds"]] == [3, 2, 1]
    assert s["gold_tasks"] == 3 and s["labels"] == {"PROBLEM": 2, "REMEDY": 1}
    assert s["rounds"][0]["lead_time_s"] == 6.0


def test_the_evaluation_split_is_fixed(corpus_dir):
    split = eval_split()
    gold_ids = [r["doc_id"] for r in read_jsonl(corpus_dir / "gold" / "narrative.jsonl")]
    assert split == eval_split() and 0 < len(split) < len(gold_ids) and set(split) <= set(gold_ids)
    # no other gold report of an evaluated body: retrain never sees that body
    from training.corpus import all_gold_files
    from training.train import body_of

    rows = [r for f in all_gold_files() for r in read_jsonl(f)]
    bodies = {body_of(r.get("meta")) for r in rows if r["doc_id"] in split}
    assert all(r["doc_id"] in split for r in rows if body_of(r.get("meta")) in bodies)
