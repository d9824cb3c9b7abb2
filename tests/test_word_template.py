"""Reports as most bodies make them: the national 2021 Word template filled in and exported
to PDF by LibreOffice (``benchmarks/word_template.py`` makes them and measures many).

``tests/data/word-template/`` holds one such report, written by that benchmark, as a Word
file, its LibreOffice PDF and the answer: both files must give exactly the answer's
tables (blank cells null, with a warning). Fresh reports from the generator are read from
their Word files (LibreOffice is not needed for those).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from extraction.pipeline import Extractor
from extraction.paths import CORPUS_DIR
from extraction.record import Tables
from training.report import table_cells
from training.synthetic_reports import word_report

FIXTURE = Path(__file__).parent / "data" / "word-template"
TEMPLATE = CORPUS_DIR / "reference" / "template-2021-blank.docx"


def _cells(tables) -> dict:
    return table_cells(json.loads(tables.model_dump_json()))


@pytest.fixture(scope="module")
def extractor():
    return Extractor(narrative=False)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_filled_template_gives_the_answer(extractor, fmt):
    answer = Tables.model_validate_json((FIXTURE / "filled-2021.tables.json").read_text(encoding="utf-8"))
    blanks = [k for k, v in _cells(answer).items() if v is None]
    assert blanks, "the fixture should have blank cells"
    rec = extractor.extract_path(FIXTURE / f"filled-2021.{fmt}")
    assert rec.source.format == fmt and rec.status == "ok" and rec.meta.template == "2021"
    assert rec.meta.year is not None and rec.errors == []
    assert _cells(rec.tables) == _cells(answer)
    empty = [w for w in rec.warnings if w.code == "cell_empty"]
    assert len(empty) == len(blanks)
    checks = {c.name: c.status for c in rec.checks}
    assert "fail" not in checks.values(), rec.checks


@pytest.mark.skipif(not TEMPLATE.is_file(), reason="corpus absent")
@pytest.mark.parametrize("seed", range(5))
def test_generated_word_reports_read_back(extractor, tmp_path: Path, seed: int):
    doc, truth = word_report(random.Random(seed), TEMPLATE, blank_rate=0.3)
    path = tmp_path / "report.docx"
    doc.save(str(path))
    rec = extractor.extract_path(path)
    assert rec.status == "ok" and rec.meta.template == "2021"
    assert _cells(rec.tables) == _cells(truth)
    blanks = [k for k, v in _cells(truth).items() if v is None]
    assert len([w for w in rec.warnings if w.code == "cell_empty"]) == len(blanks)


@pytest.mark.skipif(not TEMPLATE.is_file(), reason="corpus absent")
def test_generated_word_reports_have_blank_cells(tmp_path: Path):
    """The generator leaves zero cells blank (else the test above checks no blanks)."""
    blanks = []
    for seed in range(5):
        _, truth = word_report(random.Random(seed), TEMPLATE, blank_rate=0.3)
        blanks.append(sum(v is None for v in _cells(truth).values()))
    assert all(n > 0 for n in blanks), blanks
