"""Read a report file (txt, md, html, docx, pdf) into one normalised text.

``read_document`` decides the format from the file's bytes first (PDF and ZIP magic,
HTML markup) and from its extension second, decodes or renders the file, and
normalises the text with :func:`extraction.normalize.normalize`. When nothing can be
read it raises :class:`IngestError` with one of the codes of ARCHITECTURE.md.
"""
from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from extraction.normalize import Normalized, normalize
from extraction.record import Warning_

MAX_BYTES = 64 * 1024 * 1024

_EXTENSIONS = {
    "txt": "txt", "text": "txt",
    "md": "md", "markdown": "md",
    "html": "html", "htm": "html", "xhtml": "html", "shtml": "html",
    "docx": "docx",
    "pdf": "pdf",
}
# the encodings tried, in order, when the bytes are not UTF-8 and carry no BOM
_FALLBACK_ENCODINGS = ("gb18030", "big5")
_HTML_SNIFF = re.compile(rb"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table)\b",
                         re.IGNORECASE | re.DOTALL)
# C0 controls other than \t \n \v \f \r, and DEL: binary data when frequent in decoded text
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# what Chinese report text is made of: CJK, CJK and full-width punctuation, printable ASCII, blanks
_COMMON = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027\x20-\x7e\t\n\r]")
# private-use code points and U+FFFD: what a wrong multi-byte guess or garbage produces
_ODD = re.compile(r"[\ue000-\uf8ff\ufffd]")


class IngestError(Exception):
    """Nothing could be read from a file; ``code`` is one of ARCHITECTURE.md's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Document:
    """A file read into normalised text; ``text`` is ``normalized.text``."""

    path: str
    format: str
    sha256: str
    text: str
    normalized: Normalized
    warnings: list[Warning_] = field(default_factory=list)


def sha256_file(path: str | Path) -> str:
    """sha256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_document(path: str | Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read ``path`` into a :class:`Document`; raise :class:`IngestError` if nothing can be read."""
    path = str(path)
    data = _read_bytes(path, max_bytes)
    fmt = _sniff_format(path, data)
    warnings: list[Warning_] = []
    if fmt == "txt":
        raw = decode_text(data, warnings)
    elif fmt == "md":
        raw = _md_html_tables(decode_text(data, warnings))
    elif fmt == "html":
        raw = read_html(data, warnings)
    elif fmt == "docx":
        raw = read_docx(data)
    else:
        raw = read_pdf(data, warnings)
    normalized = normalize(raw)
    return Document(path=path, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                    text=normalized.text, normalized=normalized, warnings=warnings)


def _read_bytes(path: str, max_bytes: int) -> bytes:
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IngestError("unreadable", f"{path} is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block or never end
            raise IngestError("unreadable", f"{path} is not a regular file")
        if st.st_size > max_bytes:
            raise IngestError("too_large", f"{st.st_size} bytes is more than the limit of {max_bytes} bytes")
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise IngestError("unreadable", f"{path} does not exist (or is a broken link)") from None
    except PermissionError:
        raise IngestError("unreadable", f"no permission to read {path}") from None
    except OSError as e:
        raise IngestError("unreadable", f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > max_bytes:  # grew while we read it, or a special file
        raise IngestError("too_large", f"more than the limit of {max_bytes} bytes")
    if not data.strip():
        raise IngestError("empty_file", "the file is empty" if not data else "the file holds only blanks")
    return data


def _sniff_format(path: str, data: bytes) -> str:
    """The format by content where the bytes say it, else by extension."""
    head = data[:2048]
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or Path(path).suffix.lower() == ".docx":
            return "docx"
        raise IngestError("unsupported_format", "a ZIP archive that is not a Word .docx document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError("unsupported_format",
                          "an old binary Office file (.doc/.xls); save it as .docx first")
    if _HTML_SNIFF.match(_ascii_head(head)):
        return "html"
    ext = Path(path).suffix.lower().lstrip(".")
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    raise IngestError("unsupported_format",
                      f"unknown file type {'.' + ext if ext else '(no extension)'}; "
                      "nianbao reads .txt, .md, .html/.htm, .docx and .pdf")


def _ascii_head(head: bytes) -> bytes:
    """The start of the file with a BOM and UTF-16 zero bytes removed, for sniffing markup."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):]
            if bom is not codecs.BOM_UTF8:
                head = head.replace(b"\x00", b"")
            break
    return head


def decode_text(data: bytes, warnings: list[Warning_]) -> str:
    """Decode plain-text bytes: BOM, then UTF-8, then GB18030/Big5, then a guess.

    Appends ``encoding_guessed`` when the text is not UTF-8 and ``decode_errors`` when
    bytes had to be replaced; raises ``binary_file`` when the bytes are not text.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                     (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            if enc != "utf-8-sig":
                warnings.append(Warning_(code="encoding_guessed", message=f"decoded as {enc} (byte-order mark)"))
            return _check_text(text, enc)
    if b"\x00" in data[:4096] or b"\x00" in data[-4096:]:
        guessed = _utf16_without_bom(data)
        if guessed is None:
            raise IngestError("binary_file", "the file holds NUL bytes: binary data, not text")
        warnings.append(Warning_(code="encoding_guessed", message=f"decoded as {guessed[1]} (no byte-order mark)"))
        return _check_text(guessed[0], guessed[1])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
    else:  # valid UTF-8: binary data would show as control characters
        if len(_CONTROL.findall(text, 0, 20000)) * 100 > min(len(text), 20000):
            raise IngestError("binary_file", "the bytes do not read as text (control characters)")
        return text
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if bad * 20 < non_ascii:  # UTF-8 with a little damage (a cut file, a stray byte)
        warnings.append(_decode_errors(bad, f"first at byte {first_bad}"))
        return _check_text(text, "utf-8")
    for enc in _FALLBACK_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            warnings.append(Warning_(code="encoding_guessed", message=f"decoded as {enc}"))
            return text
    for enc in _FALLBACK_ENCODINGS:  # the same with a little damage
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if bad * 20 < len(text) - len(text.encode("ascii", "ignore")) and _looks_like_text(text):
            warnings.append(Warning_(code="encoding_guessed", message=f"decoded as {enc}"))
            warnings.append(_decode_errors(bad, enc))
            return text
    return _decode_guessed(data, warnings)


def _decode_guessed(data: bytes, warnings: list[Warning_]) -> str:
    """Bytes no encoding reads cleanly: charset-normalizer's guess, bad bytes replaced."""
    from charset_normalizer import from_bytes

    match = from_bytes(data[:200_000]).best()
    if match is None or match.encoding in ("utf_8", "ascii"):
        raise IngestError("binary_file", "the bytes do not read as text in any encoding tried")
    text = data.decode(match.encoding, errors="replace")
    text = _check_text(text, match.encoding)
    warnings.append(Warning_(code="encoding_guessed", message=f"decoded as {match.encoding} (guessed)"))
    bad = text.count("\ufffd")
    if bad:
        warnings.append(_decode_errors(bad, match.encoding))
    return text


def _decode_errors(bad: int, detail: str) -> Warning_:
    return Warning_(code="decode_errors",
                    message=f"{bad} undecodable byte sequence(s) replaced by U+FFFD ({detail})")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode NUL-holding bytes as UTF-16 without a BOM if one byte order reads as Chinese text."""
    even = data[: len(data) - len(data) % 2]
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = even.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        common = len(_COMMON.findall(sample))
        if common * 10 >= len(sample) * 9 and (best is None or common > best[0]):
            best = (common, text, enc)
    return None if best is None else (best[1], best[2])


def _looks_like_text(text: str) -> bool:
    """Few control characters, private-use characters and replacement characters."""
    sample = text[:20000]
    if not sample:
        return False
    if len(_CONTROL.findall(sample)) * 100 > len(sample):
        return False
    return len(_ODD.findall(sample)) * 20 <= len(sample)


def _check_text(text: str, enc: str) -> str:
    if not _looks_like_text(text):
        raise IngestError("binary_file", f"the bytes do not read as text (tried {enc})")
    return text


# --- HTML -----------------------------------------------------------------------------

_MD_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"""<(?:meta[^>]+charset|\?xml[^>]+encoding)\s*=\s*["']?\s*([a-z0-9_.:-]+)""",
                           re.IGNORECASE)
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
                    "big5": "big5hkscs", "utf8": "utf-8"}
# elements whose content is never visible text
_SKIP_TAGS = frozenset("script style noscript template head title iframe object embed svg canvas "
                       "select option button input textarea nav map audio video".split())
_BLOCK_TAGS = frozenset("address article aside blockquote center dd details dialog dir div dl dt "
                        "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr "
                        "li main menu ol p pre section summary ul caption body html tr td th".split())
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# a blank between two CJK characters or CJK punctuation is source formatting, not text
_CJK_GAP = re.compile(r"(?<=[\u3001-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3001-\u303f\u4e00-\u9fff\uff00-\uffef])")
_MAX_SPAN = 1000


def read_html(data: bytes, warnings: list[Warning_]) -> str:
    """Visible text of an HTML page, one block per line, tables as tab-separated rows."""
    import lxml.html
    from lxml import etree

    text = _XML_DECLARATION.sub("", _decode_html(data, warnings), count=1)  # lxml refuses it in str
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise IngestError("corrupt_file", f"the HTML cannot be parsed: {e}") from None
    lines: list[str] = []
    _HtmlText(lines).block(root)
    if not lines:
        raise IngestError("empty_file", "the HTML page holds no visible text")
    return "\n".join(lines) + "\n"


def _md_html_tables(text: str) -> str:
    """Markdown as written, but HTML tables in it (PDF-to-markdown converters emit them) as
    tab-separated rows like every other table."""
    if "<table" not in text and "<TABLE" not in text:
        return text
    import lxml.html
    from lxml import etree

    def render(m: re.Match) -> str:
        try:
            table = lxml.html.fragment_fromstring(m.group(0))
        except (etree.ParserError, ValueError):
            return m.group(0)
        return "\n".join("\t".join(row) for row in _table_grid(table) if any(row))

    return _MD_HTML_TABLE.sub(render, text)


def _decode_html(data: bytes, warnings: list[Warning_]) -> str:
    """Decode with the charset a <meta> tag or the XML declaration names if it fits the bytes,
    else as plain text."""
    m = _META_CHARSET.search(data[:8192])
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = m.group(1).decode("ascii").lower()
        enc = _CHARSET_ALIASES.get(declared, declared)
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, warnings)


def _one_line(text: str) -> str:
    return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()


class _HtmlText:
    """Walks an lxml tree, writing visible text into ``lines`` (inline runs joined, blocks split)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.run: list[str] = []

    def flush(self) -> None:
        if self.run:
            line = _one_line("".join(self.run))
            self.run = []
            if line:
                self.lines.append(line)

    def block(self, el) -> None:
        """Write ``el``'s content (not its tail)."""
        if el.text:
            self.run.append(el.text)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag and not _hidden(child, tag):
                if tag == "table":
                    self.flush()
                    self.table(child)
                elif tag == "br":
                    self.flush()
                elif tag in _BLOCK_TAGS:
                    self.flush()
                    self.block(child)
                    self.flush()
                else:
                    self.block(child)
            if child.tail:
                self.run.append(child.tail)

    def table(self, table) -> None:
        if table.xpath(".//table"):  # a layout table around other tables: read it as blocks
            self.block(table)
            self.flush()
            return
        for row in _table_grid(table):
            if any(row):
                self.lines.append("\t".join(row))


def _hidden(el, tag: str) -> bool:
    if tag in _SKIP_TAGS:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style)) or el.get("hidden") is not None


def _cell_text(cell) -> str:
    lines: list[str] = []
    walker = _HtmlText(lines)
    walker.block(cell)
    walker.flush()
    return _one_line(" ".join(lines))


def _span(cell, name: str) -> int:
    try:
        return max(0, min(int(cell.get(name, "1").strip() or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _table_grid(table) -> list[list[str]]:
    """The rows of a table with every rowspan/colspan expanded (the text repeated)."""
    trs = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            rowspan = _span(cell, "rowspan") or len(trs) - r  # rowspan="0": to the end
            colspan = _span(cell, "colspan") or 1
            for dr in range(min(rowspan, len(trs) - r)):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text
            c += colspan
        width = max(width, c)
    if grid:
        width = max(width, max(c for _, c in grid) + 1)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(trs))]


# --- docx -----------------------------------------------------------------------------


def read_docx(data: bytes) -> str:
    """Paragraphs and tables of a Word document in body order, tables as tab-separated rows."""
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, etree.XMLSyntaxError, ValueError) as e:
        raise IngestError("corrupt_file",
                          f"the Word document cannot be opened (damaged or cut short): {e}") from None
    lines: list[str] = []
    _docx_blocks(document.element.body, document, lines)
    if not any(line.strip() for line in lines):
        raise IngestError("empty_file", "the Word document holds no text")
    return "\n".join(lines) + "\n"


def _docx_blocks(parent, document, lines: list[str]) -> None:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            for row in _docx_grid(Table(child, document)):
                if any(row):
                    lines.append("\t".join(row))
        elif child.tag == qn("w:sdt"):  # a content control around paragraphs or tables
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _docx_blocks(content, document, lines)


def _docx_grid(table) -> list[list[str]]:
    """Rows of a Word table; python-docx repeats a merged cell in every grid position it covers."""
    texts: dict = {}  # keyed by the <w:tc> element: a merged cell's text is computed once
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc not in texts:
                texts[cell._tc] = _one_line(cell.text)
            cells.append(texts[cell._tc])
        rows.append([""] * row.grid_cols_before + cells + [""] * row.grid_cols_after)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


# --- PDF ------------------------------------------------------------------------------

# Kangxi radicals and CJK radical supplements: PDF fonts often map 一 人 日 … to these look-alikes
_RADICALS = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2E80, 0x2FE0)
             if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)}
_CID = re.compile(r"\(cid:\d+\)")


def read_pdf(data: bytes, warnings: list[Warning_]) -> str:
    """The text layer of a PDF, page by page; tables found on a page as tab-separated rows
    at their place, the text around them as pdfplumber extracts it.

    Pages without a usable text layer (all of them in a scan) are read by OCR
    (:mod:`extraction.ocr`) when rapidocr is installed, with a ``pdf_ocr`` warning.
    A PDF cut short (no trailer) is read from the objects that survive, with a warning."""
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    salvaged = False
    try:
        pages, unreadable, overlaid = _pdf_pages(data)
    except PDFPasswordIncorrect:
        raise IngestError("unreadable", "the PDF is password-protected") from None
    except Exception as e:  # pdfminer raises many types (PSEOF, PDFSyntaxError, …) on damaged files
        repaired = _pdf_with_trailer(data)
        try:
            if repaired is None:
                raise e
            pages, unreadable, overlaid = _pdf_pages(repaired)
        except Exception:
            raise IngestError("corrupt_file", "the PDF cannot be opened (damaged or cut short): "
                              f"{type(e).__name__}: {e}") from None
        salvaged = True
        data = repaired
    text = "\n".join(pages).translate(_RADICALS)
    # pages to OCR: no text, or a scan under a small text overlay (page numbers)
    scanned = [i for i, p in enumerate(pages, 1) if (not p.strip() and i not in unreadable) or i in overlaid]
    if not _usable(text) or (overlaid and len(scanned) + len(unreadable) == len(pages)):
        if not _usable(text) and (salvaged or (unreadable and not text.strip())):
            raise IngestError("corrupt_file", f"no text could be read from the damaged PDF ({len(pages)} pages)")
        what = (f"the PDF has no usable text layer ({len(pages)} page(s) of images, a scan, "
                "or fonts without a Unicode mapping)")
        if text.strip() and _usable(text):
            what = (f"the PDF has no usable text layer ({len(pages)} page(s) of images with at most a few "
                    "characters of text on each, a scan with page numbers or a stamp over it)")
        pages = _ocr_pages(data, pages, list(range(1, len(pages) + 1)), warnings, what, overlaid)
        text = "\n".join(pages)
        if not text.strip():
            raise IngestError("pdf_no_text_layer", f"{what}; OCR found no text on any page")
    elif scanned:  # single pages without text (a scanned page in a text PDF) are OCR'd
        pages = _ocr_pages(data, pages, scanned, warnings, None, overlaid)
        text = "\n".join(pages).translate(_RADICALS)
    if salvaged or not data.rstrip().endswith(b"%%EOF"):
        warnings.append(Warning_(code="truncated_file",
                                 message=f"the PDF was cut short; read the {len(pages)} page(s) that survive"))
    if unreadable:
        warnings.append(Warning_(code="pdf_page_unreadable",
                                 message=f"page(s) {', '.join(map(str, unreadable))} could not be read"))
    cids = len(_CID.findall(text))
    if cids:
        warnings.append(Warning_(code="pdf_unmapped_glyphs",
                                 message=f"{cids} glyph(s) without a Unicode mapping, written as (cid:N)"))
    return text


def _usable(text: str) -> bool:
    """Whether a text layer is usable: some text, at most half of it (cid:N) placeholders."""
    return bool(text.strip()) and len(_CID.findall(text)) * 8 * 2 <= len(text)  # (cid:N) holds ~8 characters


def _ocr_pages(data: bytes, pages: list[str], numbers: list[int], warnings: list[Warning_],
               whole: str | None, overlaid: list[int] = ()) -> list[str]:
    """``pages`` with the pages ``numbers`` (1-based) replaced by their OCR text, and a
    ``pdf_ocr`` warning (``pdf_page_without_text`` for pages where OCR finds nothing).
    Without rapidocr the pages are left as they are with a ``pdf_page_without_text``
    warning, or, when ``whole`` (why no page has a usable text layer) is given,
    ``pdf_no_text_layer`` is raised, as before OCR existed; both say how to enable it.
    Pages in ``overlaid`` (mostly an image, a few characters of text) take the OCR text
    only where it reads clearly more than their text layer (a scan under page numbers),
    and keep their own text otherwise (a cover picture with its title, a chart with its
    caption: not reported as OCR'd). At most ``ocr.max_pages()`` pages are read; a
    ``pdf_ocr_skipped`` warning names the rest."""
    from extraction import ocr

    def described(listed: list[int]) -> str:
        bare = [n for n in listed if n not in overlaid]
        parts = [f"page(s) {', '.join(map(str, bare))} have no text layer (images?)"] if bare else []
        if len(bare) < len(listed):
            parts.append(f"page(s) {', '.join(str(n) for n in listed if n in overlaid)} are mostly an image "
                         "with little text (scanned pages, or pictures?)")
        return "; ".join(parts)

    limit = ocr.max_pages()
    numbers, skipped = numbers[:limit], numbers[limit:]

    def done(result: list[str]) -> list[str]:
        if skipped:
            warnings.append(Warning_(code="pdf_ocr_skipped",
                                     message=f"{len(skipped)} page(s) without a text layer ({_ranges(skipped)}) "
                                             f"were not read: OCR reads at most {limit} pages of a PDF "
                                             "(NIANBAO_OCR_MAX_PAGES sets another limit)"))
        return result

    if not ocr.available():
        if whole:
            raise IngestError("pdf_no_text_layer", f"{whole}; OCR is not installed, {ocr.ENABLE_HINT}")
        warnings.append(Warning_(code="pdf_page_without_text",
                                 message=f"{described(numbers + skipped)}; OCR is not installed, {ocr.ENABLE_HINT}"))
        return pages
    try:
        read = ocr.read_pages(data, numbers)
    except ocr.OcrUnavailable as e:
        if whole:
            raise IngestError("pdf_no_text_layer", f"{whole}; {e}") from None
        warnings.append(Warning_(code="pdf_page_without_text", message=f"{described(numbers)}; {e}"))
        return done(pages)
    except Exception as e:  # pdfium cannot render the file, or the engine fails on it
        if whole:
            raise IngestError("pdf_no_text_layer",
                              f"{whole}; OCR failed: {type(e).__name__}: {e}") from None
        warnings.append(Warning_(code="pdf_page_without_text",
                                 message=f"{described(numbers)}; OCR failed: {type(e).__name__}: {e}"))
        return done(pages)
    pages = list(pages)
    used = []
    for page in read:
        if page.number in overlaid and not _reads_more(page.text, pages[page.number - 1]):
            continue  # a picture with its own caption or title: its text layer stands
        pages[page.number - 1] = page.text.translate(_RADICALS)
        used.append(page)
    if any(p.text for p in used):
        warnings.append(ocr.warning(used, whole is not None, any(p.number in overlaid for p in used)))
    blank = [str(p.number) for p in used if not p.text]
    if blank:
        warnings.append(Warning_(code="pdf_page_without_text",
                                 message=f"page(s) {', '.join(blank)} have no text layer and OCR found no "
                                         "text on them (blank pages or pictures?)"))
    return done(pages)


def _reads_more(ocr_text: str, layer: str) -> bool:
    """Whether OCR read clearly more than a page's text layer (a scan under page numbers),
    not just the same few words (a cover picture under its title)."""
    from extraction.ocr import OVERLAY_CHARS

    return _visible(ocr_text) >= _visible(layer) + OVERLAY_CHARS


def _visible(text: str) -> int:
    """Characters of ``text``, blanks not counted."""
    return len(re.sub(r"\s", "", text))


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5, 7, 8 → "1-3, 5, 7-8"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _pdf_pages(data: bytes) -> tuple[list[str], list[int], list[int]]:
    """The text of every page, the numbers of the pages that could not be read, and those
    of the scanned pages with a small text overlay (:func:`_overlaid_scan`)."""
    import io

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings on every damaged glyph
    pages: list[str] = []
    unreadable: list[int] = []
    overlaid: list[int] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            try:
                text = _pdf_page(page)
            except Exception:  # one damaged page (bad stream, bad font) must not lose the others
                unreadable.append(number)
                text = ""
            pages.append(text)
            try:
                if text.strip() and _overlaid_scan(page, text):
                    overlaid.append(number)
            except Exception:  # odd image records: the page keeps its text layer
                pass
            page.close()
    return pages, unreadable, overlaid


def _overlaid_scan(page, text: str) -> bool:
    """Whether a page is a scan whose text layer is only a small overlay (a page number
    "- 1 -", a stamp's caption): fewer than ``ocr.OVERLAY_CHARS`` characters of text and
    images covering at least ``ocr.SCAN_COVER`` of the page."""
    from extraction.ocr import OVERLAY_CHARS, SCAN_COVER

    if _visible(text) >= OVERLAY_CHARS:
        return False
    x0, top, x1, bottom = (float(v) for v in page.bbox)
    area = max((x1 - x0) * (bottom - top), 1.0)
    covered = sum(max(0.0, min(x1, float(im["x1"])) - max(x0, float(im["x0"])))
                  * max(0.0, min(bottom, float(im["bottom"])) - max(top, float(im["top"])))
                  for im in page.images)
    return covered / area >= SCAN_COVER


_PDF_OBJECT = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_PDF_CATALOG = re.compile(rb"(\d+)\s+(\d+)\s+obj\s*<<(?:(?!endobj).){0,2000}?/Type\s*/Catalog", re.DOTALL)


def _pdf_with_trailer(data: bytes) -> bytes | None:
    """A PDF cut short, ended after its last whole object with a trailer naming its catalog."""
    end = data.rfind(b"endobj")
    catalog = _PDF_CATALOG.search(data)
    if end < 0 or catalog is None:
        return None
    size = max(int(m.group(1)) for m in _PDF_OBJECT.finditer(data)) + 1
    return (data[: end + len(b"endobj")]
            + b"\ntrailer\n<< /Root %s %s R /Size %d >>\n%%%%EOF\n" % (catalog.group(1), catalog.group(2), size))


def _invisible(obj: dict) -> bool:
    """A filled, unstroked white shape: text-line backgrounds that must not count as table rules."""
    if obj["object_type"] not in ("rect", "curve") or obj.get("stroke"):
        return False
    color = obj.get("non_stroking_color")
    if color is None:
        return True
    if not isinstance(color, (tuple, list)):
        color = (color,)
    if len(color) == 4:  # CMYK white
        return all(isinstance(v, (int, float)) and v <= 0.05 for v in color)
    return all(isinstance(v, (int, float)) and v >= 0.95 for v in color)


def _pdf_page(page) -> str:
    drawn = page.filter(lambda o: not _invisible(o))
    # a table cut by a page break has no rule under its last row: close it where its verticals end
    verticals = [e for e in drawn.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 5]
    settings = {"explicit_horizontal_lines": [min(e["top"] for e in verticals),
                                              max(e["bottom"] for e in verticals)]} if verticals else {}
    tables = [t for t in drawn.find_tables(settings)
              if max((len(r.cells) for r in t.rows), default=0) >= 2]  # one column: a frame round prose
    tables.sort(key=lambda t: t.bbox[1])
    cells = [(t.bbox, t.cells) for t in tables]

    def outside_tables(obj: dict) -> bool:
        """True unless the object's middle is in a table cell (text in no cell is kept as prose)."""
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom and
                       any(a <= x <= c and b <= y <= d for a, b, c, d in boxes)
                       for (x0, top, x1, bottom), boxes in cells)

    parts: list[str] = []
    y = float(page.bbox[1])
    for table in tables:
        _, top, _, bottom = table.bbox
        parts.append(_pdf_strip(page, y, top, outside_tables))
        parts.extend("\t".join(row) for row in _pdf_grid(table) if any(row))
        y = bottom
    parts.append(_pdf_strip(page, y, float(page.bbox[3]) + 1, outside_tables))
    return "\n".join(p for p in parts if p)


def _pdf_strip(page, top: float, bottom: float, keep) -> str:
    """Text of the objects whose middle lies in [top, bottom) and outside every table."""
    strip = page.filter(lambda o: "top" in o and top <= (o["top"] + o["bottom"]) / 2 < bottom
                        and keep(o))
    return (strip.extract_text() or "").strip("\n")


def _pdf_grid(table) -> list[list[str]]:
    """Rows of a pdfplumber table; a position a merged cell covers repeats that cell's text."""
    texts = table.extract()
    by_box = {box: _one_line(text or "") for row, trow in zip(table.rows, texts)
              for box, text in zip(row.cells, trow) if box is not None}
    # the grid lines: pdfplumber indexes a row's cells by the distinct left edges of all cells
    xs = sorted({box[0] for box in by_box}) + [table.bbox[2]]
    ys = sorted({box[1] for box in by_box}) + [table.bbox[3]]
    grid = []
    for r, (row, trow) in enumerate(zip(table.rows, texts)):
        y = (ys[r] + ys[r + 1]) / 2
        out = []
        for c, box in enumerate(row.cells):
            if box is None:
                x = (xs[c] + xs[c + 1]) / 2
                out.append(next((t for (x0, top, x1, bottom), t in by_box.items()
                                 if x0 < x < x1 and top < y < bottom), ""))
            else:
                out.append(by_box[box])
        grid.append(out)
    return grid
