"""Active learning without a server: tasks cut from reports, their stable ids, the
model's decisions, the strategies and the ledger."""
from __future__ import annotations

import math

import pytest

from annotations.active_learning import (
    MAX_TASK_CHARS, Ledger, Scored, Task, cut_tasks, least_confidence, paragraphs, push, score_document,
    score_pool, select, smallest_margin, task_id, task_payload, total_entropy,
)
from extraction.ingest import read_document
from extraction.narrative import RulesBackend, load_narrative_model, regions
from extraction.sections import find_sections
from tests.conftest import corpus_reports

PDF_LIKE = (
    "（一）主动公开情况\n"
    "2023 年，我区在政府网站平台主动公开政府信息 1136 条，\n"
    "通过政务微信公众号发布信息 230 篇。\n"
    "- 1 -\n"
    "加强区政府门户网站及政务新媒体日常管理，运用第三方检\n"
    "测平台实行常态化监测。\n"
    "一是政策解读质量仍需提升，个别单位政策\n"
    "解读内容简单、形式单一；二是队伍建设还需加强。\n"
)


def test_paragraphs_join_broken_lines_and_leave_out_headings():
    assert [PDF_LIKE[s:e] for s, e in paragraphs(PDF_LIKE, 0, len(PDF_LIKE))] == [
        "2023 年，我区在政府网站平台主动公开政府信息 1136 条，\n通过政务微信公众号发布信息 230 篇。",
        "加强区政府门户网站及政务新媒体日常管理，运用第三方检\n测平台实行常态化监测。",
        "一是政策解读质量仍需提升，个别单位政策\n解读内容简单、形式单一；二是队伍建设还需加强。",
    ]


def test_a_long_paragraph_is_cut_between_statement_units():
    item = "一是信息公开工作还存在不足，公开内容不够全面，更新不够及时，解读形式单一，互动回应不够充分。"
    text = "".join(item.replace("一是", f"{n}是") for n in "一二三四五六七八九十" * 2)
    pars = paragraphs(text, 0, len(text))
    assert len(pars) > 1 and all(e - s <= MAX_TASK_CHARS for s, e in pars)
    assert "".join(text[s:e] for s, e in pars) == text
    assert all(text[s + 1] == "是" and text[e - 1] == "。" for s, e in pars)  # whole items


@pytest.fixture(scope="module")
def reports(corpus_dir):
    out = []
    for path in corpus_reports():
        doc = read_document(path)
        out.append((path, doc, find_sections(doc.text)[0]))
    return out


def test_tasks_are_paragraphs_of_sections_one_and_five(reports):
    total = 0
    for path, doc, sections in reports:
        tasks = cut_tasks(doc.text, sections, path.stem, doc.sha256, str(path))
        allowed = [(s, e) for name, s, e in regions(doc.text, sections) if name in ("overview", "problems")]
        for t in tasks:
            assert t.text == doc.text[t.start:t.end] and t.text == t.text.strip()
            assert any(s <= t.start and t.end <= e for s, e in allowed), (path.name, t.text[:30])
            assert t.id == task_id(doc.sha256, t.start, t.end)
        spans = sorted((t.start, t.end) for t in tasks)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlaps
        assert len({t.id for t in tasks}) == len(tasks)
        total += len(tasks)
    assert total > 100


def test_task_ids_are_stable_and_tied_to_the_report(reports):
    path, doc, sections = reports[0]
    again = read_document(path)
    a = cut_tasks(doc.text, sections, path.stem, doc.sha256)
    b = cut_tasks(again.text, find_sections(again.text)[0], "renamed", again.sha256, "/elsewhere")
    assert [t.id for t in a] == [t.id for t in b]
    other = cut_tasks(doc.text, sections, path.stem, "0" * 64)
    assert not {t.id for t in a} & {t.id for t in other}


def test_strategy_measures():
    sure, torn, three = {"A": 1.0}, {"A": 0.5, "O": 0.5}, {"A": 0.5, "B": 0.3, "O": 0.2}
    assert least_confidence([]) == smallest_margin([]) == total_entropy([]) == 0.0
    assert least_confidence([sure, three]) == pytest.approx(0.5)
    assert smallest_margin([sure, torn]) == pytest.approx(1.0)
    assert smallest_margin([three]) == pytest.approx(0.8)
    assert total_entropy([torn, torn]) == pytest.approx(2 * math.log(2))


def scored(texts_and_decisions) -> list[Scored]:
    return [Scored(Task(f"t{i}", "d", "s", "", "overview", 0, len(t), t), [], d)
            for i, (t, d) in enumerate(texts_and_decisions)]


def test_select_ranks_by_the_strategy_and_breaks_ties_by_seed():
    pool = scored([("a", [{"A": 1.0}]), ("b", [{"A": 0.6, "O": 0.4}]), ("c", [{"A": 0.9, "O": 0.1}]),
                   ("d", [{"A": 0.4, "B": 0.35, "O": 0.25}]), ("e", [])])
    assert select(pool, 2, "uncertainty") == [3, 1]
    assert select(pool, 2, "margin") == [3, 1]
    assert select(pool, 1, "entropy") == [3]
    assert sorted(select(pool, 5, "random", seed=1)) == [0, 1, 2, 3, 4]
    assert select(pool, 5, "random", seed=1) == select(pool, 5, "random", seed=1)
    assert len({tuple(select(pool, 5, "random", seed=s)) for s in range(6)}) > 1
    ties = scored([(c, [{"A": 0.5, "O": 0.5}]) for c in "abcdef"])
    assert select(ties, 3, "uncertainty", seed=0) == select(ties, 3, "uncertainty", seed=0)
    assert len({tuple(select(ties, 3, "uncertainty", seed=s)) for s in range(6)}) > 1
    with pytest.raises(ValueError, match="unknown strategy"):
        select(pool, 1, "oracle")


def test_diverse_takes_one_task_from_each_kind_of_paragraph():
    kinds = ["微信公众号发布信息{}篇，推送政策解读。", "受理政府信息公开申请{}件，均按时答复。", "组织业务培训{}次，提升队伍水平。"]
    # the first kind is the most uncertain: plain uncertainty takes only that kind
    pool = scored([(k.format(n), [{"A": 0.5 + 0.1 * j + 0.001 * n, "O": 0.5 - 0.1 * j - 0.001 * n}])
                   for j, k in enumerate(kinds) for n in range(5)])
    by_uncertainty = {pool[i].task.text[:4] for i in select(pool, 3, "uncertainty")}
    by_diversity = {pool[i].task.text[:4] for i in select(pool, 3, "diverse")}
    assert len(by_uncertainty) == 1 and len(by_diversity) == 3


def test_decisions_and_pre_annotations_of_a_real_report(reports):
    model = load_narrative_model(backend="rules")
    for path, doc, sections in reports[:6]:
        tasks = cut_tasks(doc.text, sections, path.stem, doc.sha256)
        alone = score_document(model, doc.text, sections, tasks)
        with_committee = score_document(model, doc.text, sections, tasks, [RulesBackend()])
        for s, c in zip(alone, with_committee):
            assert s.decisions == c.decisions  # a committee that agrees changes nothing
            for r in s.regions:
                assert s.task.text[r.start:r.end] == r.text
            for d in s.decisions:
                assert sum(d.values()) == pytest.approx(1.0)
            payload = task_payload(s, "rules", "uncertainty", 0.0)
            assert payload["data"]["task_id"] == s.task.id and payload["data"]["text"] == s.task.text
            assert payload["predictions"][0]["model_version"] == "rules"
            assert len([r for r in payload["predictions"][0]["result"] if r["type"] == "labels"]) == len(s.regions)


def test_the_ledger_keeps_pushed_tasks_out_of_the_next_pool(tmp_path, corpus_dir):
    report = corpus_dir / "reports" / "seed-quxian-ybj-2022.txt"
    model = load_narrative_model(backend="rules")
    ledger = Ledger(tmp_path / "pushed.jsonl")
    first = push(None, 0, [report], model, "rules", ledger, k=3, dry_run=True)
    assert len(first.pushed) == 3 and ledger.rows() == []  # a dry run writes nothing
    ledger.add(first.pushed)
    everything, _ = score_pool([report], model)
    rest, _ = score_pool([report], model, skip_task_ids=ledger.ids())
    assert len(rest) == len(everything) - 3
    assert not {s.task.id for s in rest} & ledger.ids()
    _, skipped = score_pool([report], model, skip_doc_ids=[report.stem])
    assert skipped == [(str(report), "in the evaluation split")]


def test_a_copy_of_an_evaluation_report_is_never_pushed(tmp_path, corpus_dir):
    from annotations.rounds import eval_keys, eval_split
    from training.corpus import find_report

    src = next(p for p in map(find_report, eval_split()) if p.suffix == ".txt")
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(src.read_bytes())
    _, skipped = score_pool([copy], load_narrative_model(backend="rules"), skip_doc_ids=eval_keys())
    assert skipped == [(str(copy), "in the evaluation split")]
