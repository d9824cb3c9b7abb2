"""OCR of PDFs without a text layer (extraction/ocr.py), on scans made at test time from the
corpus PDFs: pages rendered to images and saved as an image-only PDF, so that the real text
layer of the same pages is the reference.

The scan of hongze-gov-2023 pages 2-4 (the three statistics tables; page 3 turned 1.5° like
a sheet fed askew) is read once per module; about 15 s of the ~30 s these tests take on
2 cores.
"""
from __future__ import annotations

import difflib
import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from extraction.ingest import _RADICALS, IngestError, read_document
from extraction.ocr import assemble_lines, upright_boxes
from extraction.paths import CORPUS_DIR, REPO_ROOT

REPORTS = CORPUS_DIR / "reports"
HONGZE = REPORTS / "hongze-gov-2023.pdf"
SCAN_PAGES = [2, 3, 4]  # table 二 ends on page 3, table 三 runs over 3-4, table 四 is on 4
SKEWED_PAGE = 3


def _images(pdf_path: Path, pages: list[int], dpi: int = 200) -> list:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[n - 1].render(scale=dpi / 72).to_pil().convert("RGB") for n in pages]
    finally:
        pdf.close()


def _image_pdf(images: list, path: Path, dpi: int = 200) -> Path:
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def _text_layer(pdf_path: Path, pages: list[int]) -> str:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        return "\n".join(pdf.pages[n - 1].extract_text() or "" for n in pages)


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text.translate(_RADICALS))


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _squash(a), _squash(b), autojunk=False).ratio()


def _codes(doc) -> list[str]:
    return [w.code for w in doc.warnings]


@pytest.fixture(scope="module")
def rapidocr():
    return pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def scan(corpus_dir, rapidocr, tmp_path_factory):
    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    images = _images(HONGZE, SCAN_PAGES)
    i = SCAN_PAGES.index(SKEWED_PAGE)
    images[i] = images[i].rotate(1.5, expand=True, fillcolor="white")
    path = _image_pdf(images, tmp_path_factory.mktemp("scan") / "hongze-scan.pdf")
    assert not _text_layer(path, [1, 2, 3]).strip()  # a scan: no text layer at all
    return read_document(path)


# --- the scanned report ---------------------------------------------------------------


def test_scanned_pdf_is_read_by_ocr(scan):
    assert scan.format == "pdf"
    assert _codes(scan) == ["pdf_ocr"]
    message = scan.warnings[0].message
    assert "page(s) 1, 2, 3 read by OCR" in message and "no usable text layer" in message
    conf = float(re.search(r"mean recognition confidence (\d\.\d+)", message).group(1))
    assert conf >= 0.95 and "low confidence" not in message


def test_ocr_text_matches_the_text_layer(scan):
    """Similarity measured 0.962 (with page 3 askew; 0.92-1.00 per page, 0.99 on pages of
    prose): the characters are the same, what differs is mostly the order in which
    pdfplumber gives the merged 三、本年度办理结果 cell (one character per line among the
    numbers). 0.93 leaves room for another onnxruntime build; a lost line of prose (~2% of
    these 1,427 characters) is caught by the line check below, which measured 22 of 22."""
    layer = _text_layer(HONGZE, SCAN_PAGES)
    assert _similarity(layer, scan.text) >= 0.93
    # running text comes out verbatim: every line of prose but at most one
    ours = _squash(scan.text)
    prose = [line for line in map(_squash, layer.splitlines()) if len(line) >= 8 and re.search("[，。；]", line)]
    assert len(prose) > 15
    assert len([line for line in prose if line not in ours]) <= 1


def test_ocr_tables_are_tab_rows_the_table_parser_reads(scan):
    from extraction.sections import find_sections
    from extraction.tables import parse_tables

    lines = scan.text.splitlines()
    # rows of the page fed askew come out whole, cells separated by tabs
    assert "一、本年新收政府信息公开申请数量\t21\t0\t0\t0\t0\t0\t21" in lines
    assert "1.本机关不掌握相关政府信息\t10\t0\t0\t0\t0\t0\t10" in lines
    assert "行政事业性收费\t7730.28" in lines

    ours, _ = parse_tables(scan.text, find_sections(scan.text)[0], "2021")
    real = read_document(HONGZE).text
    theirs, _ = parse_tables(real, find_sections(real)[0], "2021")
    # every cell of tables 二, 三 and 四 as the text layer gives it (the gold: test_tables.py)
    assert ours == theirs
    assert ours.requests.rows["new_received"] == [21, 0, 0, 0, 0, 0, 21]
    assert ours.requests.rows["total_processed"] == [21, 0, 0, 0, 0, 0, 21]
    assert ours.proactive["punishment"]["decisions"] == 4119
    assert ours.proactive["fees"]["amount_wan_yuan"] == 7730.28
    assert ours.review_litigation.litigation_after_review.upheld == 5


# --- pages without text in a text PDF, blank and poor scans ----------------------------


def test_text_pdf_with_a_scanned_and_a_blank_page(corpus_dir, rapidocr, tmp_path: Path):
    """hongze-gov-2023 with its last page replaced by a picture of it, and a blank picture
    after it: only those two pages are OCR'd, the rest is the text layer as before."""
    import pypdfium2 as pdfium
    from PIL import Image

    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    last = _images(HONGZE, [5])[0]
    pictures = _image_pdf([last, Image.new("RGB", last.size, "white")], tmp_path / "pictures.pdf")
    pdf = pdfium.PdfDocument(str(HONGZE))
    pdf.del_page(4)
    pdf.import_pages(pdfium.PdfDocument(str(pictures)))
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    path = tmp_path / "mixed.pdf"
    path.write_bytes(buf.getvalue())

    doc = read_document(path)
    assert _codes(doc) == ["pdf_ocr", "pdf_page_without_text"]
    assert doc.warnings[0].message.startswith("page(s) 5 read by OCR")
    assert doc.warnings[1].message.startswith("page(s) 6 have no text layer and OCR found no text")
    original = read_document(HONGZE).text
    head = original[: original.index("人员跟班学习制度")]
    assert doc.text.startswith(head)
    tail = _squash(doc.text[len(head):])
    assert "六、其他需要报告的事项" in tail and "全年收取政府信息公开信息处理费0元" in tail


def test_blank_scan_is_a_clear_error(rapidocr, tmp_path: Path):
    from PIL import Image

    path = _image_pdf([Image.new("RGB", (1654, 2339), "white")] * 2, tmp_path / "blank.pdf")
    with pytest.raises(IngestError) as info:
        read_document(path)
    assert info.value.code == "pdf_no_text_layer"
    assert "OCR found no text on any page" in info.value.message


def test_poor_scan_is_named_low_confidence(corpus_dir, rapidocr, tmp_path: Path):
    """Page 1 saved at 30 dpi reads with confidence ~0.78 (similarity to its text ~0.76);
    page 5 at 200 dpi ~1.0."""
    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    images = _images(HONGZE, [5]) + _images(HONGZE, [1], dpi=30)
    doc = read_document(_image_pdf(images, tmp_path / "poor.pdf"))
    [warning] = doc.warnings
    assert warning.code == "pdf_ocr"
    assert re.search(r"low confidence \(< 0\.95\) on page\(s\) 2 \(0\.\d+\)", warning.message), warning.message
    assert "六、其他需要报告的事项" in doc.text


def _overlaid(images: list, path: Path, caption: str = "- {n} -", fontsize: int = 10, y: float = 0.02) -> Path:
    """A PDF whose pages are ``images`` drawn over the whole page with ``caption`` (a page
    number "- N -") as real text on top: a scan with a text layer of a few characters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for n, image in enumerate(images, 1):
            fig = plt.figure(figsize=(image.width / 200, image.height / 200))
            ax = fig.add_axes((0, 0, 1, 1))
            ax.imshow(image)
            ax.axis("off")
            fig.text(0.5, y, caption.format(n=n), ha="center", fontsize=fontsize)
            pdf.savefig(fig, dpi=200)
            plt.close(fig)
    return path


def test_scan_under_a_page_number_overlay_is_read_by_ocr(corpus_dir, rapidocr, tmp_path: Path):
    """A scan whose only text is its page numbers is a scan, not a text PDF of two lines:
    read by OCR (as a whole, with the whole-PDF warning); without OCR it is the clear
    no-text-layer error, not a record of page numbers. A page whose OCR finds nothing
    keeps its overlay."""
    from PIL import Image

    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    last = _images(HONGZE, [5])[0]
    path = _overlaid([last, Image.new("RGB", last.size, "white")], tmp_path / "overlaid.pdf")
    assert re.sub(r"\s", "", _text_layer(path, [1, 2])) == "-1--2-"
    doc = read_document(path)
    assert _codes(doc) == ["pdf_ocr"]  # the white page under "- 2 -" is a picture with its caption
    assert doc.warnings[0].message.startswith("page(s) 1 read by OCR")
    assert "no usable text layer" in doc.warnings[0].message
    assert "六、其他需要报告的事项" in _squash(doc.text)
    assert _squash(doc.text).endswith("-2-")  # the blank page kept its overlay

    sys.modules["rapidocr"] = None  # undone below; monkeypatch would do the same
    try:
        with pytest.raises(IngestError) as info:
            read_document(path)
    finally:
        del sys.modules["rapidocr"]
    assert info.value.code == "pdf_no_text_layer"
    assert "a few characters of text" in info.value.message and "nianbao[ocr]" in info.value.message


def test_scanned_page_under_a_page_number_in_a_text_pdf(corpus_dir, rapidocr, tmp_path: Path):
    """hongze-gov-2023 whose last page is a scan under its page number: that page alone is
    OCR'd, and the warning says why (a few characters over a scanned image)."""
    import pypdfium2 as pdfium

    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    scan = _overlaid(_images(HONGZE, [5]), tmp_path / "last.pdf", caption="- 5 -")
    pdf = pdfium.PdfDocument(str(HONGZE))
    pdf.del_page(4)
    pdf.import_pages(pdfium.PdfDocument(str(scan)))
    pdf.save(str(tmp_path / "mixed.pdf"))
    pdf.close()
    doc = read_document(tmp_path / "mixed.pdf")
    assert _codes(doc) == ["pdf_ocr"]
    assert doc.warnings[0].message.startswith("page(s) 5 read by OCR")
    assert "or only a few characters over a scanned image" in doc.warnings[0].message
    assert "全年收取政府信息公开信息处理费0元" in _squash(doc.text)


def test_picture_page_under_its_own_title_keeps_its_text(corpus_dir, rapidocr, tmp_path: Path):
    """A text PDF whose cover is a full-page picture under a short title: the cover is
    looked at (it could be a scan under a page number) but OCR reads no more than its
    title, so its text layer stands and nothing is reported as OCR'd."""
    import pypdfium2 as pdfium
    from PIL import Image

    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    picture = Image.new("RGB", (1654, 2339), (200, 220, 240))
    cover = _overlaid([picture], tmp_path / "cover.pdf", caption="Annual Report 2023", fontsize=28, y=0.6)
    pdf = pdfium.PdfDocument(str(cover))
    pdf.import_pages(pdfium.PdfDocument(str(HONGZE)))
    pdf.save(str(tmp_path / "with-cover.pdf"))
    pdf.close()
    doc = read_document(tmp_path / "with-cover.pdf")
    assert doc.warnings == []
    assert doc.text.startswith("Annual Report 2023")
    assert doc.text.endswith(read_document(HONGZE).text)


def test_ocr_reads_at_most_the_page_limit(corpus_dir, rapidocr, monkeypatch, tmp_path: Path):
    """A scan longer than NIANBAO_OCR_MAX_PAGES: the first pages are read, the rest are
    named in a warning (a batch worker is not tied up by a 300-page compilation)."""
    from PIL import Image

    if not HONGZE.is_file():
        pytest.skip(f"{HONGZE.name} is not in the corpus")
    last = _images(HONGZE, [5])[0]
    white = Image.new("RGB", last.size, "white")
    path = _image_pdf([last, white, white, white], tmp_path / "long.pdf")
    monkeypatch.setenv("NIANBAO_OCR_MAX_PAGES", "1")
    doc = read_document(path)
    assert _codes(doc) == ["pdf_ocr", "pdf_ocr_skipped"]
    assert doc.warnings[1].message.startswith("3 page(s) without a text layer (2-4) were not read")
    assert "at most 1 pages" in doc.warnings[1].message
    assert "六、其他需要报告的事项" in _squash(doc.text)


def test_huge_pages_are_rendered_no_larger_than_the_engine_reads(tmp_path: Path):
    """An A0-sized page at 200 dpi would be 6600 x 9400 pixels (250 MB): it is rendered
    with its longer side at the engine's limit instead; an A4 page at the full 200 dpi."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pypdfium2 as pdfium

    from extraction import ocr

    for name, size in (("a0.pdf", (33.1, 46.8)), ("a4.pdf", (8.27, 11.69))):
        fig = plt.figure(figsize=size)
        fig.text(0.1, 0.5, "x")
        fig.savefig(tmp_path / name, format="pdf")
        plt.close(fig)
    pdf = pdfium.PdfDocument(str(tmp_path / "a0.pdf"))
    assert max(ocr.render(pdf, 0).shape[:2]) == ocr._MAX_SIDE
    pdf = pdfium.PdfDocument(str(tmp_path / "a4.pdf"))
    height, width = ocr.render(pdf, 0).shape[:2]
    assert abs(height - 11.69 * ocr.DPI) <= 1 and abs(width - 8.27 * ocr.DPI) <= 1


def test_without_rapidocr_the_message_says_how_to_enable_it(monkeypatch, tmp_path: Path):
    """rapidocr made unimportable (``sys.modules[name] = None`` is how Python spells a
    module that must not import): a scan is today's error and a page without text today's
    warning, each with the way to enable OCR."""
    import matplotlib
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    monkeypatch.setitem(sys.modules, "rapidocr", None)
    image = Image.new("RGB", (800, 300), "white")
    ImageDraw.Draw(image).text((50, 120), "Requests received: 12", fill="black")
    scan = _image_pdf([image], tmp_path / "scan.pdf")
    with pytest.raises(IngestError) as info:
        read_document(scan)
    assert info.value.code == "pdf_no_text_layer"
    assert "pip install 'nianbao[ocr]'" in info.value.message

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.text(0.1, 0.5, "Requests received: 12")
    fig.savefig(tmp_path / "text.pdf", format="pdf")
    plt.close(fig)
    pdf = pdfium.PdfDocument(str(tmp_path / "text.pdf"))
    pdf.import_pages(pdfium.PdfDocument(str(scan)))
    pdf.save(str(tmp_path / "mixed.pdf"))
    pdf.close()
    doc = read_document(tmp_path / "mixed.pdf")
    assert "Requests received: 12" in doc.text
    assert [(w.code, w.message) for w in doc.warnings] == [(
        "pdf_page_without_text",
        "page(s) 2 have no text layer (images?); OCR is not installed, "
        "install the OCR extra to read it: pip install 'nianbao[ocr]'")]


def test_ocr_is_lazy_built_once_and_offline(rapidocr, tmp_path: Path):
    """In a fresh process with every network connection refused: reading a text PDF does not
    import rapidocr; a scan does, with the models inside the wheel (rapidocr's download code
    would need the network), and the engine is built once."""
    code = textwrap.dedent(f"""
        import socket, sys
        def refuse(*a, **k):
            raise OSError("network access attempted")
        socket.socket.connect = socket.socket.connect_ex = refuse
        socket.create_connection = socket.getaddrinfo = refuse
        sys.path.insert(0, {str(REPO_ROOT)!r})
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import pypdfium2 as pdfium
        from extraction.ingest import read_document
        from extraction import ocr
        fig = plt.figure(figsize=(6, 2))
        fig.text(0.1, 0.5, "Requests received: 12", fontsize=20)
        fig.savefig({str(tmp_path / 'text.pdf')!r}, format="pdf")
        assert "Requests received: 12" in read_document({str(tmp_path / 'text.pdf')!r}).text
        assert "rapidocr" not in sys.modules and "onnxruntime" not in sys.modules
        image = pdfium.PdfDocument({str(tmp_path / 'text.pdf')!r})[0].render(scale=200 / 72).to_pil()
        image.convert("RGB").save({str(tmp_path / 'scan.pdf')!r}, resolution=200)
        doc = read_document({str(tmp_path / 'scan.pdf')!r})
        assert "rapidocr" in sys.modules
        assert [w.code for w in doc.warnings] == ["pdf_ocr"], doc.warnings
        assert "Requests received" in doc.text and "12" in doc.text, doc.text
        first = ocr.engine()
        read_document({str(tmp_path / 'scan.pdf')!r})
        assert ocr.engine() is first and ocr.engine.cache_info().misses == 1
        print("ok")
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and res.stdout.strip().endswith("ok"), res.stderr[-3000:]


# --- line assembly ---------------------------------------------------------------------


def test_boxes_become_rows_cells_and_lines():
    h = 40  # a line height
    boxes = [
        (600, 100, 640, 100 + h), (100, 102, 500, 102 + h),     # a label and a number far right
        (515, 100, 555, 98 + h),                                  # a number 15 px from the label
        (100, 200, 400, 200 + h), (405, 203, 700, 203 + h),      # a line cut in two, 5 px apart
        (100, 300, 300, 300 + h),
    ]
    texts = ["21", "一、本年新收政府信息公开申请数量", "0", "政府信息公开", "工作年度报告", "总体情况"]
    assert assemble_lines(boxes, texts) == [
        "一、本年新收政府信息公开申请数量0\t21", "政府信息公开工作年度报告", "总体情况"]
    # cell_gap is in line heights: 15 px is 0.375 of a line, a tab under a lower threshold
    assert assemble_lines(boxes, texts, cell_gap=0.3)[0] == "一、本年新收政府信息公开申请数量\t0\t21"
    assert assemble_lines([], []) == []
    # two boxes of digits close together are two cells, never one number (7730.28 and 12)
    digits = [(100, 100, 400, 100 + h), (405, 100, 520, 100 + h), (532, 100, 570, 100 + h)]
    assert assemble_lines(digits, ["行政事业性收费", "7730.28", "12"]) == ["行政事业性收费7730.28\t12"]


def test_skewed_boxes_are_turned_upright():
    import math

    def quad(x0, y0, x1, y1, angle):  # an upright box turned by ``angle`` about the origin
        c, s = math.cos(angle), math.sin(angle)
        return [(x * c - y * s, x * s + y * c) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]

    a = math.radians(2.5)  # across 1,000 px the row drifts 44 px: more than a line height
    quads = [quad(100, 500, 600, 540, a), quad(1000, 500, 1040, 540, a), quad(100, 560, 600, 600, a)]
    boxes = upright_boxes(quads)
    assert [round(b[1]) for b in boxes] == [500, 500, 560]
    assert assemble_lines(boxes, ["label", "7", "next"]) == ["label\t7", "next"]
