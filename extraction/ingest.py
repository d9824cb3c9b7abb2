"""Read a report file (txt, md, html, docx, pdf) into one normalised text.

``read_document`` decides the format from the file's bytes first (PDF and ZIP magic,
HTML markup) and from its extension second, decodes or renders the file, and
normalises the text with :func:`extraction.normalize.normalize`. When nothing can be
read it raises :class:`IngestError` with one of the codes of ARCHITECTURE.md.
"""
from __future__ import annotations

import codecs
import hashlib
import re
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
# private-use code points and U+FFFD: what a wrong multi-byte guess or garbage produces
# what Chinese report text is made of: CJK, CJK and full-width punctuation, printable ASCII, blanks
_COMMON = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2010-\u2027\x20-\x7e\t\n\r]")
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
    if fmt in ("txt", "md"):
        raw = decode_text(data, warnings)
    else:
        raise IngestError("unsupported_format", f"{fmt} files are not read yet")
    normalized = normalize(raw)
    return Document(path=path, format=fmt, sha256=hashlib.sha256(data).hexdigest(),
                    text=normalized.text, normalized=normalized, warnings=warnings)


def _read_bytes(path: str, max_bytes: int) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise IngestError("unreadable", f"{path} is a directory, not a file")
        if size > max_bytes:
            raise IngestError("too_large", f"{size} bytes is more than the limit of {max_bytes} bytes")
        with open(p, "rb") as f:
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
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
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
            return _check_text(text, enc)
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
