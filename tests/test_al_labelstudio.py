"""Label Studio wrapper without a server: offsets, regions, the labeling config, and the
errors of a connection that cannot be made (the server tests are in test_al_server.py)."""
from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.labelstudio import (
    ENV_TOKEN, ENV_URL, LabelStudioError, OffsetError, Region, Utf16Map, connect, from_results, labeling_config,
    span_labels, to_results,
)
from extraction.labels import load_labels
from extraction.paths import CONFIGS_DIR

# CJK, ASCII, full-width forms, CR/LF and characters outside the BMP (two UTF-16 units each)
ALPHABET = st.sampled_from(list("年报a1１，。 \r\n\t") + ["𠀀", "😀", "𝟙", "\U0010FFFF"])
TEXTS = st.text(alphabet=ALPHABET, min_size=1, max_size=40)


def units_before(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


@given(TEXTS)
def test_utf16_offsets_agree_with_the_encoding(text):
    m = Utf16Map(text)
    for i in range(len(text) + 1):
        u = m.to_utf16(i)
        assert u == units_before(text, i)
        assert m.from_utf16(u) == i


@given(TEXTS)
def test_an_offset_inside_a_surrogate_pair_is_an_error(text):
    m = Utf16Map(text)
    inside = [units_before(text, i) + 1 for i, c in enumerate(text) if ord(c) > 0xFFFF]
    for u in inside:
        with pytest.raises(OffsetError, match="splits"):
            m.from_utf16(u)
    with pytest.raises(OffsetError):
        m.from_utf16(units_before(text, len(text)) + 1)


@st.composite
def text_and_regions(draw):
    text = draw(TEXTS)
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda p: p[0] < p[1]),
                          max_size=5))
    labels = span_labels()
    regions = [Region(draw(st.sampled_from(labels)), s, e, text[s:e], draw(st.sampled_from([None, "approx"])))
               for s, e in spans]
    return text, regions


@settings(max_examples=200)
@given(text_and_regions())
def test_regions_survive_the_round_trip_through_label_studio_results(data):
    text, regions = data
    results = to_results(text, regions)
    units = text.encode("utf-16-le")
    for r in results:  # what Label Studio's editor sees: UTF-16 offsets that hold the text
        v = r["value"]
        assert units[2 * v["start"]:2 * v["end"]].decode("utf-16-le") == v["text"]
    back, errors = from_results(text, results)
    assert errors == []
    first = {}
    for r in regions:  # the same span with the same label twice is kept once
        first.setdefault((r.label, r.start, r.end), r)
    assert back == sorted(first.values(), key=lambda x: (x.start, x.end, x.label))


def test_a_region_whose_offsets_do_not_hold_its_text_is_refused_on_import():
    with pytest.raises(OffsetError):
        to_results("共发布信息𠀀12条", [Region("POSTS_TOTAL", 5, 8, "12条")])


def test_export_reports_mismatches_and_keeps_the_rest():
    text = "𠀀全年公开信息101条，热线567件。"
    s = text.index("101条")
    good = {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s + 1, "end": s + 5, "text": "101条", "labels": ["POSTS_TOTAL"]}}
    qual = {"id": "a", "from_name": "qualifier", "to_name": "text", "type": "choices",
            "value": {"start": s + 1, "end": s + 5, "text": "101条", "choices": ["at_least"]}}
    # code-point offsets where UTF-16 ones belong: off by the 𠀀 before them
    wrong = {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": s, "end": s + 4, "text": "101条", "labels": ["POSTS_TOTAL"]}}
    split = {"id": "c", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 1, "end": 3, "text": "全", "labels": ["POSTS_TOTAL"]}}
    regions, errors = from_results(text, [good, qual, wrong, good, split])
    assert regions == [Region("POSTS_TOTAL", s, s + 4, "101条", "at_least")]
    assert [e.item["id"] for e in errors] == ["b", "c"]
    assert "splits" in errors[1].reason


def test_labeling_config_is_generated_from_labels_yaml(tmp_path):
    root = ET.fromstring(labeling_config())
    labels = load_labels()
    assert [x.get("value") for x in root.find("Labels")] == list(labels.quantity) + ["PROBLEM", "REMEDY"]
    assert [x.get("value") for x in root.find("Choices")] == list(labels.qualifiers)
    assert root.find("Choices").get("perRegion") == "true"
    assert root.find("Text").get("value") == "$text"
    data = yaml.safe_load((CONFIGS_DIR / "labels.yaml").read_text(encoding="utf-8"))
    data["quantity_labels"].append({"name": "NEW_LABEL", "summary_key": "new_label", "description": "x"})
    path = tmp_path / "labels.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    changed = ET.fromstring(labeling_config(load_labels(path)))
    assert "NEW_LABEL" in [x.get("value") for x in changed.find("Labels")]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_down_server_is_a_clear_error(monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(LabelStudioError, match="cannot reach Label Studio at .*is the server running"):
        connect(url, "token")
    monkeypatch.setenv(ENV_URL, url)
    monkeypatch.setenv(ENV_TOKEN, "token")
    with pytest.raises(LabelStudioError, match=url):
        connect()


def test_missing_url_or_token_say_which_setting(monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_URL"):
        connect()
    with pytest.raises(LabelStudioError, match="LABEL_STUDIO_API_KEY"):
        connect("http://127.0.0.1:1")
