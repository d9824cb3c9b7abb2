"""Batch extraction: every input gives exactly one record, bad files never stop a run,
resume skips what is done, the three output formats hold the same records."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from extraction import batch
from extraction.batch import expand_inputs, run_batch
from extraction.record import Record
from extraction.writers import FLAT_COLUMNS, existing_hashes, read_records

from conftest import REPORTS_DIR, read_jsonl


def _bad_inputs(d: Path) -> dict[str, tuple[str, str | None]]:
    """Write bad files into d; returns name -> (expected status, expected error code or None)."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 64)
    pdf = (REPORTS_DIR / "hongze-gov-2023.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    (d / "truncated.docx").write_bytes(buf.getvalue()[:-10])
    (d / "no_tables.html").write_text(
        "<html><head><meta charset='utf-8'><title>通知</title></head><body><p>关于举办政府开放日活动的通知。"
        "本次政府开放日活动邀请25名群众代表参加。</p></body></html>", encoding="utf-8")
    (d / "not_a_report.txt").write_text("红烧肉的做法：五花肉切块，焯水后加冰糖炒色，再加酱油和水炖一小时。\n" * 20,
                                        encoding="utf-8")
    (d / "unknown.xyz").write_bytes(b"\x00\x01 something")
    os.symlink(d / "missing-target.txt", d / "dangling.txt")
    return {
        "empty.txt": ("failed", "empty_file"),
        "binary.txt": ("failed", "binary_file"),
        "truncated.pdf": ("partial", None),  # the pages before the cut are salvaged
        "truncated.docx": ("failed", None),
        "no_tables.html": ("partial", None),
        "not_a_report.txt": ("partial", None),
        "unknown.xyz": ("failed", None),
        "dangling.txt": ("failed", "unreadable"),
    }


@pytest.fixture(scope="module")
def mixed_dir(tmp_path_factory, corpus_dir) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("mixed")
    good = ["seed-yanchi-ybj-2019.txt", "seed-quxian-ybj-2022.txt", "pingtan-2021.txt", "shuyang-fgj-2023.html"]
    for name in good:
        shutil.copy(REPORTS_DIR / name, d / name)
    gbk = (REPORTS_DIR / "seed-zhongwei-ybj-2023.txt").read_text(encoding="utf-8").encode("gb18030")
    (d / "sub").mkdir()
    (d / "sub" / "zhongwei-gbk.txt").write_bytes(gbk)
    expected = _bad_inputs(d / "bad")
    expected = {f"bad/{k}": v for k, v in expected.items()}
    for name in good:
        expected[name] = ("ok", None)
    expected["sub/zhongwei-gbk.txt"] = ("ok", None)
    return d, expected


def _by_name(records: list[Record], root: Path) -> dict[str, Record]:
    return {os.path.relpath(r.source.path, root): r for r in records}


@pytest.mark.parametrize("workers", [1, 2])
def test_every_input_one_record_and_bad_files_never_stop(mixed_dir, tmp_path, workers):
    d, expected = mixed_dir
    out = tmp_path / "out.jsonl"
    summary = run_batch([str(d)], out, workers=workers, narrative=False)
    recs = list(read_records(out))
    got = _by_name(recs, d)
    assert sorted(got) == sorted(expected), "exactly one record per input file"
    assert summary.total == len(expected)
    for name, (status, code) in expected.items():
        rec = got[name]
        assert rec.status == status, (name, rec.status, rec.errors, [w.code for w in rec.warnings])
        if status == "failed":
            assert rec.errors and rec.errors[0].message, name
        if code:
            assert rec.errors[0].code == code, (name, rec.errors)
    assert any(w.code == "not_a_report" for w in got["bad/not_a_report.txt"].warnings)
    assert any(w.code == "truncated_file" for w in got["bad/truncated.pdf"].warnings)
    assert any(w.code == "encoding_guessed" for w in got["sub/zhongwei-gbk.txt"].warnings)
    assert summary.status["failed"] == sum(1 for s, _ in expected.values() if s == "failed")


def test_output_order_follows_input_order(mixed_dir, tmp_path):
    d, _ = mixed_dir
    out = tmp_path / "o.jsonl"
    run_batch([str(d)], out, workers=2, narrative=False)
    assert [r.source.path for r in read_records(out)] == expand_inputs([str(d)])


def test_resume_skips_done_inputs_without_duplicates(mixed_dir, tmp_path):
    d, expected = mixed_dir
    out = tmp_path / "r.jsonl"
    first = run_batch([str(d / "seed-yanchi-ybj-2019.txt"), str(d / "pingtan-2021.txt")], out, narrative=False)
    assert first.total == 2
    second = run_batch([str(d)], out, resume=True, narrative=False)
    assert second.skipped == 2
    recs = list(read_records(out))
    assert len(recs) == len(expected)
    assert len({r.source.path for r in recs}) == len(recs)
    third = run_batch([str(d)], out, resume=True, narrative=False)
    # inputs that have no sha256 (unreadable) run again; everything else is skipped
    assert third.total == sum(1 for r in recs if not r.source.sha256)


@pytest.mark.parametrize("ext", [".parquet", ".csv"])
def test_parquet_and_csv_hold_the_same_records(mixed_dir, tmp_path, ext):
    d, expected = mixed_dir
    ref = tmp_path / "ref.jsonl"
    run_batch([str(d)], ref, narrative=False)
    out = tmp_path / f"out{ext}"
    run_batch([str(d)], out, narrative=False)
    assert existing_hashes(out) == existing_hashes(ref)
    if ext == ".parquet":
        a = [r.model_dump() for r in read_records(ref)]
        b = [r.model_dump() for r in read_records(out)]
        assert a == b
    else:
        with open(out, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0]) == FLAT_COLUMNS
        assert len(rows) == len(expected)
        yanchi = next(r for r in rows if r["path"].endswith("seed-yanchi-ybj-2019.txt"))
        assert yanchi["template"] == "2019" and yanchi["status"] == "ok"
        assert yanchi["proactive.punishment.decisions"] == "4"
    # resume on parquet keeps the old rows and adds none twice
    run_batch([str(d)], out, resume=True, narrative=False)
    assert len(existing_hashes(out)) == len(existing_hashes(ref))


_REAL_EXTRACT_ONE = batch._extract_one


def _dies_on_pingtan(path: str) -> str:
    if path.endswith("pingtan-2021.txt"):
        os._exit(3)  # the worker process dies, as on a segfault in a parsing library
    return _REAL_EXTRACT_ONE(path)


def test_worker_crash_loses_only_that_file(mixed_dir, tmp_path, monkeypatch):
    """A worker process that dies (here: on one chosen file) costs that file alone."""
    d, expected = mixed_dir
    monkeypatch.setattr(batch, "_extract_one", _dies_on_pingtan)  # inherited by forked workers
    out = tmp_path / "crash.jsonl"
    summary = run_batch([str(d)], out, workers=2, narrative=False)
    got = _by_name(list(read_records(out)), d)
    assert sorted(got) == sorted(expected)
    assert got["pingtan-2021.txt"].status == "failed"
    assert got["pingtan-2021.txt"].errors[0].code == "worker_crashed"
    others = {k: v for k, v in got.items() if k != "pingtan-2021.txt"}
    assert all(r.status == expected[k][0] for k, r in others.items())
    assert summary.total == len(expected)


def test_large_file_does_not_stop_the_batch(tmp_path, corpus_dir):
    """A 50 MB text is read; the narrative model is not run on it; the batch goes on."""
    big = tmp_path / "big.txt"
    para = "本机关认真贯彻落实政府信息公开条例，持续加强政务公开标准化规范化建设。\n"
    with open(big, "w", encoding="utf-8") as f:
        f.write(para * (50 * 1024 * 1024 // len(para.encode("utf-8")) + 1))
    assert big.stat().st_size >= 50 * 1024 * 1024
    shutil.copy(REPORTS_DIR / "seed-yanchi-ybj-2019.txt", tmp_path / "small.txt")
    out = tmp_path / "o.jsonl"
    run_batch([str(big), str(tmp_path / "small.txt")], out)
    recs = {Path(r.source.path).name: r for r in read_records(out)}
    assert set(recs) == {"big.txt", "small.txt"}
    assert recs["big.txt"].status in ("partial", "failed")
    codes = {w.code for w in recs["big.txt"].warnings} | {e.code for e in recs["big.txt"].errors}
    assert codes & {"narrative_skipped", "too_large"}
    assert recs["small.txt"].status == "ok"


def test_expand_inputs_globs_dirs_and_missing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "y.md").write_text("y")
    got = expand_inputs([str(tmp_path / "a"), str(tmp_path / "*.md"), str(tmp_path / "nope.txt")])
    assert got == [str(tmp_path / "a" / "x.txt"), str(tmp_path / "y.md"), str(tmp_path / "nope.txt")]


def test_jsonl_lines_validate_against_the_schema(mixed_dir, tmp_path):
    import jsonschema

    from extraction.record import json_schema

    d, _ = mixed_dir
    out = tmp_path / "s.jsonl"
    run_batch([str(d)], out, narrative=False)
    validator = jsonschema.Draft202012Validator(json_schema())
    for row in read_jsonl(out):
        validator.validate(row)


def test_workers_share_the_cores_for_ocr(monkeypatch):
    """Each batch worker gives OCR (onnxruntime) its share of the cores, not all of them;
    a value the user set is kept."""
    from extraction import ocr

    monkeypatch.setattr(batch, "_EXTRACTOR", None)  # restored after the test
    monkeypatch.setenv("NIANBAO_OCR_THREADS", "")  # recorded first, so the end of the test restores it
    monkeypatch.delenv("NIANBAO_OCR_THREADS")
    batch._init_worker(None, "spacy", False, 1)
    assert os.environ["NIANBAO_OCR_THREADS"] == "1" and ocr._threads() == 1
    monkeypatch.setenv("NIANBAO_OCR_THREADS", "1000")  # a user's value is kept, but capped at the cores
    batch._init_worker(None, "spacy", False, 3)
    assert os.environ["NIANBAO_OCR_THREADS"] == "1000" and ocr._threads() == ocr.cores()
