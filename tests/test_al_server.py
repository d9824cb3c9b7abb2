"""An annotation round against a real Label Studio server.

The session fixture installs ``label-studio`` into its own venv if it is missing
(``scripts/labelstudio-serve.sh install``, the step CI runs too), starts it on
127.0.0.1 with a throwaway data directory and stops it by PID at the end. The test
pushes a real report rewritten with ``\\r\\n`` line ends, full-width digits and
characters outside the BMP, annotates it through the API as a person would (UTF-16
offsets computed here, independently of the code under test), pulls twice, edits an
annotation, pulls again, retrains with a tiny configuration and pushes with the new
model.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotations import serve
from annotations.labelstudio import LabelStudioError, connect, find_project, labeling_config
from annotations.rounds import read_jsonl, read_rows, current_rows, registry
from extraction.ingest import read_document
from extraction.normalize import normalize
from nianbao.cli import app

pytestmark = pytest.mark.slow
REPORT = "seed-quxian-ybj-2022.txt"     # not in the evaluation split
SECOND = "seed-zhongwei-ybj-2023.txt"
PROJECT = "nianbao test round"
# (original, rewritten): full-width digits, 𠀀 (U+20000) and an emoji outside the BMP
EDITS = [
    ("全年公开各类政府信息101条", "𠀀全年公开各类政府信息１０１条"),
    ("一是公开意识及内容需要进一步深化", "一是公开意识😀及内容需要进一步深化"),
    ("共发布各类政策信息、政策解读100余条", "共发布各类政策信息、政策解读１００余条　"),
]


def utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory):
    t0 = time.monotonic()
    serve.install()
    installed_s = time.monotonic() - t0
    data = tmp_path_factory.mktemp("ls-data")
    with pytest.MonkeyPatch.context() as mp:
        for k in ("USERNAME", "PASSWORD", "USER_TOKEN"):
            mp.delenv(f"LABEL_STUDIO_{k}", raising=False)
        server = serve.start(data)
    try:
        started_s = serve.wait_ready(server, timeout=600)
        print(f"\nLabel Studio: install {installed_s:.0f} s, start {started_s:.0f} s, pid {server.pid}")
        yield server
    finally:
        serve.stop(server)
        assert server.process.poll() is not None, "the server outlived stop()"
        with pytest.raises(ProcessLookupError):
            os.kill(server.pid, 0)


@pytest.fixture()
def pool(tmp_path, corpus_dir):
    text = (corpus_dir / "reports" / REPORT).read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "pool" / REPORT
    path.parent.mkdir()
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def task_with(tasks: list[dict], needle: str) -> dict:
    found = [t for t in tasks if needle in t["data"]["text"]]
    assert len(found) == 1, needle
    return found[0]


class Annotator:
    """Makes annotations through the SDK as the Label Studio editor would, and keeps
    what it labelled (code points) for the checks."""

    def __init__(self, client):
        self.client = client
        self.expected: dict[tuple[str, int], set] = {}

    def region(self, text: str, label: str, needle: str, qualifier: str | None = None, rid: str = "") -> list[dict]:
        s = text.index(needle)
        assert text.count(needle) == 1
        e = s + len(needle)
        rid = rid or f"{label}-{s}"
        value = {"start": utf16(text, s), "end": utf16(text, e), "text": needle}
        out = [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {**value, "labels": [label]}}]
        if qualifier:
            out.append({"id": rid, "from_name": "qualifier", "to_name": "text", "type": "choices",
                        "value": {**value, "choices": [qualifier]}})
        return out

    def submit(self, task: dict, result: list[dict], **kw) -> int:
        ann = self.client.annotations.create(id=task["id"], result=result, lead_time=7.5, **kw)
        text = task["data"]["text"]
        regions = set()
        for r in result:
            if r["type"] == "labels":
                v = r["value"]
                # code points of the UTF-16 offsets, computed here by encoding
                units = text.encode("utf-16-le")
                s = len(units[:2 * v["start"]].decode("utf-16-le"))
                e = len(units[:2 * v["end"]].decode("utf-16-le"))
                if text[s:e] == v["text"]:
                    regions.add((v["labels"][0], s, e, v["text"]))
        if not kw.get("was_cancelled"):
            self.expected[(task["data"]["task_id"], ann.id)] = regions
        return ann.id


def test_round_trip(ls_server, pool, tmp_path, corpus_dir):
    t0 = time.monotonic()
    rounds = tmp_path / "rounds"
    conn = ["--url", ls_server.url, "--token", ls_server.token, "--project", PROJECT, "--rounds-dir", str(rounds)]
    doc = read_document(pool)
    assert "\r" not in doc.text and "１" not in doc.text and "𠀀" in doc.text

    # push every paragraph of sections 一 and 五; a second push finds nothing new
    res = run("al", "push", "--pool", str(pool.parent), "--k", "100", "--backend", "rules", *conn)
    assert res.exit_code == 0, res.output
    ledger = read_jsonl(rounds / "pushed.jsonl")
    assert len(ledger) >= 8 and len({r["task_id"] for r in ledger}) == len(ledger)
    res = run("al", "push", "--pool", str(pool.parent), "--k", "100", "--backend", "rules", *conn)
    assert res.exit_code == 0 and len(read_jsonl(rounds / "pushed.jsonl")) == len(ledger)

    client = connect(ls_server.url, ls_server.token)
    project_id = find_project(client, PROJECT)
    assert client.projects.get(id=project_id).label_config.strip() == labeling_config().strip()
    tasks = [t.dict() for t in client.tasks.list(project=project_id, fields="all")]
    assert len(tasks) == len(ledger)
    by_id = {r["task_id"]: r for r in ledger}
    for t in tasks:  # every task is the paragraph of the report the ledger says, with predictions
        row = by_id[t["data"]["task_id"]]
        assert doc.text[row["start"]:row["end"]] == t["data"]["text"]
        assert t["predictions"] and t["predictions"][0]["model_version"] == "rules"
        for r in t["predictions"][0]["result"]:
            v = r["value"]
            units = t["data"]["text"].encode("utf-16-le")
            assert units[2 * v["start"]:2 * v["end"]].decode("utf-16-le") == v["text"]

    person = Annotator(client)
    posts = task_with(tasks, "101条")
    text = posts["data"]["text"]
    assert text.index("101条") != utf16(text, text.index("101条"))  # 𠀀 shifts UTF-16 offsets
    wrong = person.region(text, "HOTLINE_CASES", "567件", rid="wrong")[0]
    wrong["value"]["text"] = "568件"                  # offsets that do not hold the region's text
    person.submit(posts, person.region(text, "POSTS_TOTAL", "101条")
                  + person.region(text, "HOTLINE_CASES", "567件", "exact") + [wrong])
    wechat = task_with(tasks, "100余条")
    person.submit(wechat, person.region(wechat["data"]["text"], "POSTS_WECHAT", "100余条", "at_least"))
    problems = task_with(tasks, "公开意识😀及内容")
    ptext = problems["data"]["text"]
    first = "公开意识😀及内容需要进一步深化,政务公开工作重视不够,主动公开信息意识不强。"
    second = "部分解读材料存在解读内容过于简单的问题,专家解读质量不高。"
    first_ann = person.submit(problems, person.region(ptext, "PROBLEM", first) + person.region(ptext, "PROBLEM", second))
    # a second, identical annotation by the same person is a duplicate
    client.annotations.create(id=problems["id"], result=person.region(ptext, "PROBLEM", first)
                              + person.region(ptext, "PROBLEM", second), lead_time=1.0)
    others = [t for t in tasks if t["id"] not in (posts["id"], wechat["id"], problems["id"])]
    person.submit(others[0], others[0]["predictions"][0]["result"])          # accepts the pre-annotations
    person.submit(others[1], [])                                              # nothing to label here
    person.submit(others[2], [], was_cancelled=True)                         # skipped
    bad = {"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
           "value": {"start": 0, "end": 2, "text": "错字", "labels": ["PROBLEM"]}}
    person.submit(others[3], [bad])

    res = run("al", "pull", *conn)
    assert res.exit_code == 1, res.output           # a region was set aside: reported
    assert "set aside" in res.output and "错字" in res.output
    files = sorted(rounds.glob("round-*.jsonl"))
    assert [f.name for f in files] == ["round-001.jsonl"]
    rows = read_jsonl(files[0])
    assert len(rows) == len(person.expected)
    assert all(len(r["facts"]) + len(r["statements"]) == len(person.expected[(r["task_id"], r["annotation_id"])])
               for r in rows)
    got = {(r["task_id"], r["annotation_id"]): {(x["label"], x["start"], x["end"], x["text"])
                                                for x in r["facts"] + r["statements"]} for r in rows}
    assert got == person.expected                   # every annotation exactly once, offsets in code points
    for r in rows:
        assert r["annotator"] == serve.credentials(Path(ls_server.log).parent).username
        assert r["lead_time"] == 7.5 and r["annotated_at"] and r["pre_annotated_by"] == ["rules"]
        for x in r["facts"] + r["statements"]:
            assert r["text"][x["start"]:x["end"]] == x["text"]
            s, e = doc.normalized.to_original(r["offset"] + x["start"], r["offset"] + x["end"])
            original = pool.read_bytes().decode("utf-8")[s:e]   # the span in the file as written
            assert normalize(original).text == x["text"]
    facts = {(x["label"], x["text"]): x for r in rows for x in r["facts"]}
    assert facts[("POSTS_TOTAL", "101条")]["value"] == 101
    assert facts[("POSTS_WECHAT", "100余条")]["qualifier"] == "at_least"
    assert facts[("POSTS_WECHAT", "100余条")]["value"] == 100
    bad_rows = [r for r in rows if r["problems"]]
    assert len(bad_rows) == 2 and all(not p["kept"] for r in bad_rows for p in r["problems"])

    # pulling again changes nothing
    digest = hashlib.sha256(files[0].read_bytes()).hexdigest()
    res = run("al", "pull", *conn)
    assert res.exit_code == 0 and "nothing new" in res.output
    assert sorted(rounds.glob("round-*.jsonl")) == files
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == digest

    # an annotation edited after its pull comes again; readers keep the latest version
    client.annotations.update(id=first_ann, result=person.region(ptext, "PROBLEM", first))
    res = run("al", "pull", *conn)
    assert res.exit_code == 0, res.output
    assert [r["annotation_id"] for r in read_jsonl(rounds / "round-002.jsonl")] == [first_ann]
    latest = [r for r in current_rows(read_rows(rounds)) if r["annotation_id"] == first_ann]
    assert len(latest) == 1 and [s["text"] for s in latest[0]["statements"]] == [first]
    print(f"push → annotate → pull ×3: {time.monotonic() - t0:.0f} s")

    # retrain on all gold with a tiny configuration, then push with the registered model
    t1 = time.monotonic()
    res = run("al", "retrain", "--rounds-dir", str(rounds), "--out", str(tmp_path / "model"),
              "--synthetic-paragraphs", "60", "--synthetic-sections", "15", "--negatives", "0", "--no-silver",
              "--ner-steps", "40", "--textcat-steps", "40")
    assert res.exit_code == 0, res.output
    entry = registry(rounds)[-1]
    assert entry["round"] == 2 and entry["round_rows"] == len({r["task_id"] for r in current_rows(read_rows(rounds))})
    assert entry["eval_documents"] and REPORT[:-4] not in entry["eval_documents"]
    assert 0.0 <= entry["metrics"]["facts"]["f1"] <= 1.0
    assert json.loads((tmp_path / "model" / "meta.json").read_text())["version"] == entry["version"]
    print(f"retrain: {time.monotonic() - t1:.0f} s")

    second = pool.parent / SECOND
    second.write_bytes((corpus_dir / "reports" / SECOND).read_bytes())
    res = run("al", "push", "--pool", str(pool.parent), "--k", "3", "--strategy", "entropy", *conn)
    assert res.exit_code == 0, res.output
    new = read_jsonl(rounds / "pushed.jsonl")[len(ledger):]
    assert len(new) == 3 and {r["doc_id"] for r in new} == {SECOND[:-4]}
    assert {r["model_version"] for r in new} == {entry["version"]}
    res = run("al", "status", "--rounds-dir", str(rounds), "--json")
    st = json.loads(res.output)
    assert [r["file"] for r in st["rounds"]] == ["round-001.jsonl", "round-002.jsonl"]
    assert st["models"][0]["version"] == entry["version"] and st["pushed"] == len(ledger) + 3


def test_wrong_token_is_a_clear_error(ls_server, tmp_path):
    with pytest.raises(LabelStudioError, match="rejected the API token"):
        connect(ls_server.url, "not-the-token")
    res = run("al", "pull", "--url", ls_server.url, "--token", "not-the-token", "--rounds-dir", str(tmp_path))
    assert res.exit_code == 2 and "rejected the API token" in res.output
