"""Ingest: every format of the corpus, and the bad inputs a folder of reports holds."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from extraction.ingest import Document, IngestError, read_document, sha256_file
from extraction.paths import CORPUS_DIR

REPORTS = CORPUS_DIR / "reports"
SAMPLE = "盐池县医疗保障局\n2019年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息１２３条。\r\n"


def _reports(*suffixes: str) -> list[Path]:
    if not REPORTS.is_dir():
        return []
    return sorted(p for p in REPORTS.iterdir() if p.suffix in suffixes)


def _codes(doc: Document) -> list[str]:
    return [w.code for w in doc.warnings]


def _raises(path: Path, code: str) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_document(path)
    assert info.value.code == code, info.value.message
    assert info.value.message
    return info.value


# --- txt / md -------------------------------------------------------------------------


@pytest.mark.parametrize("path", _reports(".txt", ".md"), ids=lambda p: p.name)
def test_corpus_text_files_read_as_utf8(path: Path):
    doc = read_document(path)
    raw = path.read_bytes()
    assert doc.format == path.suffix[1:]
    assert doc.sha256 == hashlib.sha256(raw).hexdigest() == sha256_file(path)
    assert doc.warnings == []
    assert doc.text == doc.normalized.text
    # the normalised text keeps every character of the file but the dropped ones
    assert len(doc.text) + len(doc.normalized.dropped) == len(raw.decode("utf-8"))
    assert "政府信息公开" in doc.text


def test_normalisation_and_offset_map(tmp_path: Path):
    p = tmp_path / "r.txt"
    p.write_bytes(SAMPLE.encode("utf-8"))
    doc = read_document(p)
    assert "123条。\n" in doc.text and "\r" not in doc.text
    i = doc.text.index("123")
    assert doc.normalized.to_original(i, i + 3) == (i, i + 3)


def test_utf8_bom(tmp_path: Path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    doc = read_document(p)
    assert doc.text.startswith("盐池县医疗保障局")
    assert doc.warnings == []


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_text_is_detected(tmp_path: Path, encoding: str):
    p = tmp_path / "gbk.txt"
    p.write_bytes((SAMPLE * 3).encode(encoding))
    doc = read_document(p)
    assert doc.text.startswith("盐池县医疗保障局\n2019年")
    assert _codes(doc) == ["encoding_guessed"]
    assert "gb18030" in doc.warnings[0].message


def test_short_gbk_text_is_not_mistaken_for_anything_else(tmp_path: Path):
    p = tmp_path / "short.txt"
    p.write_bytes("总体情况".encode("gbk"))
    assert read_document(p).text == "总体情况"


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                           ("utf-16-le", b""), ("utf-16-be", b"")])
def test_utf16_text(tmp_path: Path, encoding: str, bom: bytes):
    p = tmp_path / "u16.txt"
    p.write_bytes(bom + SAMPLE.encode(encoding))
    doc = read_document(p)
    assert doc.text.startswith("盐池县医疗保障局\n2019年")
    assert "utf-16" in doc.warnings[0].message and _codes(doc) == ["encoding_guessed"]


def test_a_few_bad_bytes_are_replaced_with_a_warning(tmp_path: Path):
    p = tmp_path / "damaged.txt"
    p.write_bytes((SAMPLE * 50).encode("utf-8") + b"\xff\xfe\xfa" + "二、主动公开".encode("utf-8"))
    doc = read_document(p)
    assert doc.text.endswith("二、主动公开")
    assert "decode_errors" in _codes(doc)
    assert "\ufffd" in doc.text


def test_truncated_utf8_file_keeps_its_text(tmp_path: Path):
    p = tmp_path / "cut.txt"
    p.write_bytes((SAMPLE * 50).encode("utf-8")[:-3])  # drop "\r\n" and cut inside "。"
    doc = read_document(p)
    assert doc.text.startswith("盐池县医疗保障局")
    assert "decode_errors" in _codes(doc)


def test_markdown_is_kept_as_written(tmp_path: Path):
    md = "# 某县人民政府2023年政府信息公开工作年度报告\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n"
    p = tmp_path / "r.md"
    p.write_text(md, encoding="utf-8")
    doc = read_document(p)
    assert doc.format == "md" and doc.text == md


def test_empty_file(tmp_path: Path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    _raises(p, "empty_file")
    p.write_bytes(b" \n\r\n\t ")
    _raises(p, "empty_file")


def test_binary_garbage_named_txt(tmp_path: Path):
    p = tmp_path / "garbage.txt"
    p.write_bytes(os.urandom(20000))
    _raises(p, "binary_file")


def test_binary_without_nul_bytes(tmp_path: Path):
    p = tmp_path / "noise.txt"
    rnd = bytes(b for b in os.urandom(40000) if b)  # no NULs: the encoding cascade must reject it
    p.write_bytes(rnd)
    _raises(p, "binary_file")


def test_a_directory_named_txt_is_unreadable(tmp_path: Path):
    d = tmp_path / "x.txt"
    d.mkdir()
    _raises(d, "unreadable")


def test_dangling_symlink_is_unreadable(tmp_path: Path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    _raises(link, "unreadable")


def test_unknown_extension(tmp_path: Path):
    p = tmp_path / "report.xyz"
    p.write_text(SAMPLE, encoding="utf-8")
    err = _raises(p, "unsupported_format")
    assert ".xyz" in err.message


def test_old_word_file_is_unsupported(tmp_path: Path):
    p = tmp_path / "report.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert ".docx" in _raises(p, "unsupported_format").message


def test_too_large_limit_is_configurable(tmp_path: Path):
    p = tmp_path / "r.txt"
    p.write_text(SAMPLE * 100, encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_document(p, max_bytes=1000)
    assert info.value.code == "too_large"


def test_text_that_is_not_a_report_is_read(tmp_path: Path):
    p = tmp_path / "recipe.txt"
    p.write_text("红烧肉的做法：五花肉切块，冷水下锅焯水。\n", encoding="utf-8")
    assert read_document(p).text.startswith("红烧肉")


def test_fifty_megabyte_text_is_read_fast(tmp_path: Path):
    p = tmp_path / "big.txt"
    block = (SAMPLE * 200).encode("utf-8")
    with open(p, "wb") as f:
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            f.write(block)
    assert p.stat().st_size >= 50 * 1024 * 1024
    t = time.perf_counter()
    doc = read_document(p)
    elapsed = time.perf_counter() - t
    assert doc.text.startswith("盐池县医疗保障局") and doc.warnings == []
    assert elapsed < 10, f"{elapsed:.1f} s for 50 MB"
