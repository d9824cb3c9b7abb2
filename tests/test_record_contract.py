"""The pydantic record matches ../shared/spec/record.md key for key."""
from __future__ import annotations

import json
import re

import pytest

from extraction.paths import SHARED_DIR
from extraction.record import (
    PROACTIVE_2019, PROACTIVE_2021, REQUEST_COLUMNS, REVIEW_FIELDS, REVIEW_GROUPS, SECTION_NAMES,
    Meta, Narrative, Record, Sections, Source, Summary, json_schema, request_rows,
)

SPEC = SHARED_DIR / "spec" / "record.md"


@pytest.fixture(scope="module")
def spec() -> str:
    if not SPEC.exists():
        pytest.skip("../shared/spec is not present")
    return SPEC.read_text(encoding="utf-8")


def _block(spec: str) -> str:
    return spec.split("```jsonc", 1)[1].split("```", 1)[0]


def _keys_at_indent(block: str, indent: int) -> list[str]:
    return re.findall(rf'^ {{{indent}}}"(\w+)":', block, flags=re.M)


def test_top_level_keys(spec):
    assert _keys_at_indent(_block(spec), 2) == list(Record.model_fields)


def test_source_meta_summary_keys(spec):
    block = _block(spec)
    source = re.search(r'"source": \{(.*?)\}', block).group(1)
    assert re.findall(r'"(\w+)":', source) == list(Source.model_fields)
    meta = block.split('"meta": {', 1)[1].split("},", 1)[0]
    assert re.findall(r'^\s+"(\w+)":', meta, flags=re.M) == list(Meta.model_fields)
    summary = block.split('"summary": {', 1)[1].split("}", 1)[0]
    assert re.findall(r'"(\w+)":', summary) == list(Summary.model_fields)
    narrative = block.split('"narrative": {', 1)[1].split('"tables"', 1)[0]
    assert re.findall(r'^ {4}"(\w+)":', narrative, flags=re.M) == list(Narrative.model_fields)


def test_sections_and_enums(spec):
    block = _block(spec)
    sections = block.split('"sections": {', 1)[1].split('"narrative"', 1)[0]
    assert re.findall(r'"(\w+)":\s+[{(]', sections) == list(SECTION_NAMES) == list(Sections.model_fields)
    schema = json.dumps(json_schema(), ensure_ascii=False)
    for word in ("ok", "partial", "failed", "2021", "2019", "pre2019", "unknown", "medical_security",
                 "health", "exact", "at_least", "approx", "at_most", "not_applicable"):
        assert f'"{word}"' in schema, word


def test_table_keys(spec):
    block = _block(spec)
    cols = re.search(r'"columns": \[(.*?)\]', block).group(1)
    assert re.findall(r'"(\w+)"', cols) == list(REQUEST_COLUMNS)
    rows = block.split('"rows": {', 1)[1].split("}", 1)[0]
    listed = re.findall(r'"(\w+)": \[\]', rows)
    assert set(request_rows("2021")) | set(request_rows("2019")) == set(listed) | {"other"}
    assert list(request_rows("2021")) == listed
    review = re.search(r'"review": \{(.*?)\}', block).group(1)
    assert re.findall(r'"(\w+)":', review) == list(REVIEW_FIELDS)
    for g in REVIEW_GROUPS:
        assert f'"{g}"' in block
    # section 二 keys as the spec's comments list them
    for template, table in (("2021", PROACTIVE_2021), ("2019", PROACTIVE_2019)):
        for row, fields in table.items():
            assert row in block
            for f in fields:
                assert f'"{f}"' in block, (template, row, f)


def test_checks_named_in_spec_exist(spec):
    from extraction.writers import CHECK_NAMES

    named = re.findall(r"^- `(\w+)`:", spec, flags=re.M)
    assert named and set(named) == set(CHECK_NAMES)
