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


def test_damaged_gbk_text(tmp_path: Path):
    data = (SAMPLE * 20).encode("gbk")
    p = tmp_path / "gbk.txt"
    p.write_bytes(data[:300] + b"\xff" + data[300:])
    doc = read_document(p)
    assert doc.text.startswith("盐池县医疗保障局\n2019年")
    assert [w.code for w in doc.warnings] == ["encoding_guessed", "decode_errors"]


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


def test_markdown_html_tables_become_rows(tmp_path: Path):
    md = ("## 二、主动公开政府信息情况\n\n<table><tr><td colspan=\"2\">第二十条第（五）项</td></tr>"
          "<tr><td>行政许可</td><td>5</td></tr></table>\n\n## 三、收到和处理政府信息公开申请情况\n")
    p = tmp_path / "r.md"
    p.write_text(md, encoding="utf-8")
    assert read_document(p).text == ("## 二、主动公开政府信息情况\n\n第二十条第（五）项\t第二十条第（五）项\n"
                                     "行政许可\t5\n\n## 三、收到和处理政府信息公开申请情况\n")


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


def test_control_characters_are_binary(tmp_path: Path):
    p = tmp_path / "ctl.txt"
    p.write_bytes(bytes(range(1, 32)) * 300)  # valid UTF-8, but not text
    _raises(p, "binary_file")


def test_a_directory_named_txt_is_unreadable(tmp_path: Path):
    d = tmp_path / "x.txt"
    d.mkdir()
    _raises(d, "unreadable")


def test_a_pipe_is_unreadable_not_a_hang(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    _raises(fifo, "unreadable")


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
    t = time.process_time()  # CPU time: the machine may be shared
    doc = read_document(p)
    elapsed = time.process_time() - t
    assert doc.text.startswith("盐池县医疗保障局") and doc.warnings == []
    assert len(doc.text) > 19_000_000  # 3 bytes a character
    assert elapsed < 8, f"{elapsed:.1f} s of CPU for 50 MB"


def test_html_saved_as_txt_is_read_as_html(tmp_path: Path):
    p = tmp_path / "page.txt"
    p.write_text("<!DOCTYPE html><html><body><p>一、总体情况</p><p>正文</p></body></html>", encoding="utf-8")
    doc = read_document(p)
    assert doc.format == "html" and doc.text == "一、总体情况\n正文\n"


# --- HTML -----------------------------------------------------------------------------

SPAN_HTML = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>不显示的标题</title><style>p {{color: red}}</style><script>var x = "脚本";</script></head>
<body><nav>首页 | 政务公开</nav>
<h1>某县卫生健康局<br>2020年政府信息公开工作年度报告</h1>
<p>一、<span>总体</span>情况</p><div>全年公开
  信息<b>12</b>条。</div>
<div style="display:none">隐藏文字</div>
<table>
  <tr><td rowspan="2" colspan="2">（本列数据的勾稽关系）</td><td colspan="3">申请人情况</td></tr>
  <tr><td>自然人</td><td>法人或其他组织</td><td>总计</td></tr>
  <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>1</td><td>2</td><td>3</td></tr>
  <tr><td>（二）部分公开</td><td><p>0</p></td><td></td><td>0</td></tr>
</table>
<p>二、主动公开政府信息情况</p>
</body></html>"""


def test_html_tables_expand_spans_and_gbk_meta_is_honoured(tmp_path: Path):
    p = tmp_path / "r.html"
    p.write_bytes(SPAN_HTML.format().encode("gbk"))
    doc = read_document(p)
    assert doc.format == "html"
    assert doc.warnings == []  # the declared charset fits the bytes: nothing guessed
    assert doc.text.splitlines() == [
        "某县卫生健康局",
        "2020年政府信息公开工作年度报告",
        "一、总体情况",
        "全年公开信息12条。",
        "（本列数据的勾稽关系）\t（本列数据的勾稽关系）\t申请人情况\t申请人情况\t申请人情况",
        "（本列数据的勾稽关系）\t（本列数据的勾稽关系）\t自然人\t法人或其他组织\t总计",
        "三、本年度办理结果\t（一）予以公开\t1\t2\t3",
        "三、本年度办理结果\t（二）部分公开\t0\t\t0",
        "二、主动公开政府信息情况",
    ]


def test_html_gbk_without_declaration_is_guessed(tmp_path: Path):
    p = tmp_path / "r.htm"
    p.write_bytes("<html><body><p>一、总体情况</p><p>本机关全年收到申请5件。</p></body></html>".encode("gbk"))
    doc = read_document(p)
    assert doc.text == "一、总体情况\n本机关全年收到申请5件。\n"
    assert [w.code for w in doc.warnings] == ["encoding_guessed"]


def test_html_without_tables_and_with_a_layout_table(tmp_path: Path):
    p = tmp_path / "r.html"
    p.write_text("<html><body><table><tr><td><p>一、总体情况</p>"
                 "<table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>"
                 "<p>没有表格的段落</p></body></html>", encoding="utf-8")
    assert read_document(p).text == "一、总体情况\n规章\t0\n没有表格的段落\n"


def test_xhtml_with_an_xml_declaration(tmp_path: Path):
    p = tmp_path / "r.xhtml"
    p.write_bytes('<?xml version="1.0" encoding="gbk"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
                  '<body><p>一、总体情况</p></body></html>'.encode("gbk"))
    doc = read_document(p)
    assert doc.text == "一、总体情况\n" and doc.warnings == []  # the declared encoding is used


def test_html_with_no_visible_text_is_empty(tmp_path: Path):
    p = tmp_path / "r.html"
    p.write_text("<html><head><title>标题</title><script>x()</script></head><body> </body></html>")
    _raises(p, "empty_file")


@pytest.mark.skipif(not (REPORTS / "shuyang-fgj-2023.html").exists(), reason="corpus absent")
def test_corpus_html_report():
    doc = read_document(REPORTS / "shuyang-fgj-2023.html")
    lines = doc.text.splitlines()
    assert "一、总体情况" in lines and "六、其他需要报告的事项" in lines
    assert "规范性文件\t8\t0\t18" in lines
    assert "一、本年新收政府信息公开申请数量\t一、本年新收政府信息公开申请数量\t一、本年新收政府信息公开申请数量\t26\t\t\t\t\t\t26" in lines
    assert "0\t0\t0\t1\t1" + "\t0" * 10 in lines  # table 四: one 复议 尚未审结
    assert "websiteId" not in doc.text and "font-family" not in doc.text
    # inline runs (<span>, <font>) are not split: the prose reads as one line
    assert "本年度报告所列数据的统计时限为2023年1月1日至2023年12月31日。" in doc.text


# --- docx -----------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("某县医疗保障局")
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(1, 1)).text = "（本列数据的勾稽关系）"
    t.cell(0, 2).merge(t.cell(0, 3)).text = "申请人  情况"
    t.cell(1, 2).text, t.cell(1, 3).text = "自然人", "总计"
    t.cell(2, 0).merge(t.cell(3, 0)).text = "三、本年度办理结果"
    for r, label, a, b in ((2, "（一）予以公开", "4", "4"), (3, "（二）部分公开", "", "0")):
        t.cell(r, 1).text, t.cell(r, 2).text, t.cell(r, 3).text = label, a, b
    d.add_paragraph("二、主动公开政府信息情况")
    bio = io.BytesIO()
    d.save(bio)
    return bio.getvalue()


def test_docx_paragraphs_and_merged_table_in_order(tmp_path: Path):
    p = tmp_path / "r.docx"
    p.write_bytes(_docx_bytes())
    doc = read_document(p)
    assert doc.format == "docx" and doc.warnings == []
    assert doc.text.splitlines() == [
        "某县医疗保障局",
        "一、总体情况",
        "（本列数据的勾稽关系）\t（本列数据的勾稽关系）\t申请人情况\t申请人情况",
        "（本列数据的勾稽关系）\t（本列数据的勾稽关系）\t自然人\t总计",
        "三、本年度办理结果\t（一）予以公开\t4\t4",
        "三、本年度办理结果\t（二）部分公开\t\t0",
        "二、主动公开政府信息情况",
    ]


def test_truncated_docx_is_corrupt(tmp_path: Path):
    data = _docx_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(data[: len(data) // 2])
    _raises(p, "corrupt_file")


def test_zip_that_is_not_a_docx(tmp_path: Path):
    import zipfile

    p = tmp_path / "r.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "你好")
    _raises(p, "corrupt_file")


@pytest.mark.skipif(not (CORPUS_DIR / "reference" / "template-2021-blank.docx").exists(), reason="corpus absent")
def test_blank_national_template_docx():
    doc = read_document(CORPUS_DIR / "reference" / "template-2021-blank.docx")
    lines = doc.text.splitlines()
    assert lines.index("一、总体情况") < lines.index("二、主动公开政府信息情况") < lines.index(
        "第二十条第（一）项\t第二十条第（一）项\t第二十条第（一）项\t第二十条第（一）项")
    assert "三、本年度办理结果\t（三）不予公开\t1.属于国家秘密" + "\t" * 7 in lines


# --- PDF ------------------------------------------------------------------------------

PDFS = _reports(".pdf")


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_corpus_pdf_prose_is_all_there(path: Path):
    import re

    doc = read_document(path)
    assert doc.format == "pdf" and doc.warnings == []
    gold = (CORPUS_DIR / "gold" / "texts" / (path.name + ".txt")).read_text(encoding="utf-8")
    ours = re.sub(r"\s", "", doc.text)
    # every line of running text in the gold text layer is in ours, spaces aside (the gold
    # layer scatters table cells over lines of their own; we keep them in rows, so table lines
    # are not compared: running text is a line with sentence punctuation outside the 勾稽 header)
    prose = [line for line in (re.sub(r"\s", "", g) for g in gold.splitlines())
             if len(line) >= 8 and re.search("[，。；]", line) and "勾稽" not in line]
    assert len(prose) > 40
    assert [line for line in prose if line not in ours] == []
    lines = doc.text.splitlines()
    assert "一、总体情况" in lines and "六、其他需要报告的事项" in lines
    assert any(line.startswith("四、结转下年度继续办理\t") for line in lines)


@pytest.mark.skipif(not (REPORTS / "hongze-gov-2023.pdf").exists(), reason="corpus absent")
def test_pdf_table_rows_and_page_break_cells():
    lines = read_document(REPORTS / "hongze-gov-2023.pdf").text.splitlines()
    assert "行政事业性收费\t7730.28" in lines
    # the tall 三、本年度办理结果 cell runs down to the page break and has no rule under it
    assert "三、本年度办理结果\t（四）无法提供\t2.没有现成信息需要另行制作\t3\t0\t0\t0\t0\t0\t3" in lines
    assert "10\t1\t0\t0\t0\t0\t0\t0\t0\t0\t5\t0\t0\t0\t0" in lines


@pytest.mark.skipif(not PDFS, reason="corpus absent")
def test_truncated_pdf(tmp_path: Path):
    data = PDFS[0].read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: int(len(data) * 0.99)])  # most pages survive: text plus a warning
    doc = read_document(p)
    assert "一、总体情况" in doc.text
    assert "truncated_file" in [w.code for w in doc.warnings]
    p.write_bytes(data[:5000])  # nothing but the header and fonts' first bytes
    _raises(p, "corrupt_file")


def test_pdf_garbage_is_corrupt(tmp_path: Path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    _raises(p, "corrupt_file")


def _matplotlib_pdf(path: Path, text: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    plt.plot([1, 3, 2])
    plt.axis("off")
    if text:
        fig.text(0.1, 0.5, text)
    fig.savefig(path, format="pdf")
    plt.close(fig)


def test_pdf_without_text_layer(tmp_path: Path):
    p = tmp_path / "scan.pdf"
    _matplotlib_pdf(p, None)
    err = _raises(p, "pdf_no_text_layer")
    assert "OCR" in err.message


def test_pdf_with_unknown_extension_is_sniffed(tmp_path: Path):
    p = tmp_path / "download.bin"
    _matplotlib_pdf(p, "Requests received: 12")
    doc = read_document(p)
    assert doc.format == "pdf" and "Requests received: 12" in doc.text
