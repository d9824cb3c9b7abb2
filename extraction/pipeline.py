"""One file in, one record out. ``Extractor.extract_path`` never raises: whatever goes
wrong becomes an error or a warning in the record."""
from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from extraction.checks import run_checks
from extraction.ingest import Document, IngestError, read_document, sha256_file
from extraction.labels import load_labels
from extraction.meta import detect_meta
from extraction.record import Issue, Meta, Narrative, Record, SECTION_NAMES, Source, Warning_
from extraction.sections import find_sections
from extraction.tables import parse_tables

_REPORT_WORDS = re.compile("信息公开|政务公开|依申请公开|主动公开")
FORMATS = {"txt", "md", "html", "docx", "pdf"}
# the narrative model reads the sections named in labels.yaml (or the whole text when no
# section is found); more prose than this is no report and is not read
MAX_NARRATIVE_CHARS = 400_000
# the sections a full report has; a report missing one of these is partial
_CORE_SECTIONS = ("overview", "proactive", "requests", "review_litigation", "problems")


def sha256_of(path: str | Path) -> str:
    """sha256 of a file's bytes, or '' when it cannot be read (a failed record has no hash)."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


def _format_of(path: str | Path) -> Optional[str]:
    ext = Path(path).suffix.lower().lstrip(".")
    ext = {"htm": "html", "markdown": "md", "text": "txt"}.get(ext, ext)
    return ext if ext in FORMATS else None


@dataclass
class Extractor:
    """Reads reports into records. ``model_path``/``backend`` choose the narrative model;
    ``narrative=False`` runs the rules-only path (tables, sections, meta, checks)."""

    model_path: Optional[str] = None
    backend: str = "spacy"
    narrative: bool = True
    _model: object = field(default=None, init=False, repr=False)

    def _narrative_model(self):
        if self._model is None:
            from extraction.narrative import load_narrative_model

            self._model = load_narrative_model(self.model_path, backend=self.backend)
        return self._model

    def extract_path(self, path: str | Path) -> Record:
        """Read one file into a record; never raises."""
        path = str(path)
        if not os.path.exists(path):
            return _failed(path, "unreadable", "no such file (or a broken link)")
        if not os.path.isfile(path):
            return _failed(path, "unreadable", "not a regular file (a directory, pipe or device)")
        try:
            doc = read_document(path)
        except IngestError as e:
            return _failed(path, e.code, e.message)
        except Exception as e:  # a bug or a library failure on this file: one failed record
            return _failed(path, "internal_error", f"{type(e).__name__}: {e}")
        try:
            return self.extract_document(doc)
        except Exception as e:
            rec = _failed(path, "internal_error", f"{type(e).__name__}: {e}", sha256=doc.sha256,
                          fmt=doc.format, chars=len(doc.text))
            rec.errors[0].message += "\n" + traceback.format_exc(limit=3)
            return rec

    def extract_document(self, doc: Document) -> Record:
        """Build the record of a document that was read."""
        text = doc.text
        warnings: list[Warning_] = list(doc.warnings)
        sections, w = find_sections(text)
        warnings += w
        meta = detect_meta(text, sections)
        tables, w = parse_tables(text, sections, meta.template)
        warnings += w
        narrative = Narrative()
        if self.narrative:
            spans = [getattr(sections, n) for n in load_labels().narrative_sections]
            read = sum(s.end - s.start for s in spans if s) if any(spans) else len(text)
            if read > MAX_NARRATIVE_CHARS:
                warnings.append(Warning_(
                    code="narrative_skipped", where="narrative",
                    message=f"{read} characters of prose to read, more than {MAX_NARRATIVE_CHARS}: "
                            "this is not a report's length; the narrative model was not run"))
            else:
                narrative, w = self._narrative_model().extract(text, sections)
                warnings += w
        checks = run_checks(tables, meta.template, narrative if self.narrative else None)
        found = [name for name in SECTION_NAMES if getattr(sections, name) is not None]
        if not found and not _REPORT_WORDS.search(text):
            warnings.append(Warning_(code="not_a_report", where="document", message=(
                "no report section and no word of information disclosure (信息公开/政务公开) found: "
                "this does not look like an annual report on government information disclosure")))
        status = "ok" if all(name in found for name in _CORE_SECTIONS) else "partial"
        if not text.strip():
            status = "failed"
        return Record(
            source=Source(path=doc.path, sha256=doc.sha256, format=doc.format, chars=len(text)),
            status=status,
            errors=[Issue(code="no_text", message="the file holds no text")] if status == "failed" else [],
            warnings=warnings,
            meta=meta,
            sections=sections,
            narrative=narrative,
            tables=tables,
            checks=checks,
        )


def _failed(path: str, code: str, message: str, sha256: Optional[str] = None,
            fmt: Optional[str] = None, chars: int = 0) -> Record:
    return Record(
        source=Source(path=path, sha256=sha256 if sha256 is not None else sha256_of(path),
                      format=fmt or _format_of(path), chars=chars),
        status="failed",
        errors=[Issue(code=code, message=message)],
        meta=Meta(),
    )
