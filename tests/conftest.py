"""Shared fixtures: the corpus beside the repository, and the sample reports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extraction.paths import CORPUS_DIR, SAMPLES_DIR

REPORTS_DIR = CORPUS_DIR / "reports"
GOLD_DIR = CORPUS_DIR / "gold"


def corpus_reports() -> list[Path]:
    """Every report file of ../shared/corpus/reports (empty when the corpus is absent)."""
    return sorted(REPORTS_DIR.glob("*")) if REPORTS_DIR.is_dir() else []


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not REPORTS_DIR.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR
