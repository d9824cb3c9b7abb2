"""Sections: the headings of every corpus report (read by hand from the files), and the traps."""
from __future__ import annotations

import pytest

from extraction.ingest import read_document
from extraction.paths import CORPUS_DIR
from extraction.record import SECTION_NAMES
from extraction.sections import find_sections

REPORTS = CORPUS_DIR / "reports"

STANDARD_2019 = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
OLD_FOUR_PARTS = {  # 2011–2013 pages: 概述 / 主动 / 依申请 / 问题, then a statistics table
    "overview": "一、 概述",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、政府信息依申请公开工作情况",
    "problems": "四、政府信息公开工作存在的主要问题及改进情况",
}
OLD_FEES_REVIEW = {  # 2015–2016 pages: 收费及减免 (→ other) and 复议诉讼 parts of their own
    "overview": "一、 概述",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、政府信息依申请公开工作情况",
    "other": "四、政府信息公开的收费及减免情况",
    "review_litigation": "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
    "problems": "六、主要问题和改进措施",
}
OLD_REVIEW = {  # 2017–2018 pages
    "overview": "一、概述",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、政府信息依申请公开工作情况",
    "review_litigation": "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
}

# file -> the heading of each section found in it (a missing key: the report has no such part)
EXPECTED: dict[str, dict[str, str]] = {
    "hongze-gov-2023.pdf": STANDARD_2019,
    "huaian-gov-2024.pdf": STANDARD_2019,
    "pingtan-2011.txt": OLD_FOUR_PARTS,
    "pingtan-2012.txt": {  # 二 重点领域 and 三 主动公开 are both proactive: one section
        "overview": "一、 概述",
        "proactive": "二、重点领域政府信息公开情况",
        "requests": "四、政府信息依申请公开工作情况",
        "problems": "五、政府信息公开工作存在的主要问题及改进情况",
    },
    "pingtan-2013.txt": OLD_FOUR_PARTS,
    "pingtan-2014.txt": {
        "overview": "一、 概述",
        "proactive": "二、主动公开政府信息情况",
        "requests": "三、政府信息依申请公开工作情况",
        "other": "四、政府信息公开的收费及减免情况",
        "problems": "五、主要问题和改进措施",
    },
    "pingtan-2015.txt": OLD_FEES_REVIEW,
    "pingtan-2016.txt": OLD_FEES_REVIEW,
    "pingtan-2017.txt": {**OLD_REVIEW, "problems": "五、存在的主要问题和改进措施"},
    "pingtan-2018.txt": {**OLD_REVIEW, "problems": "五、主要问题和改进措施"},
    "pingtan-2019.txt": STANDARD_2019,
    "pingtan-2021.txt": STANDARD_2019,
    "pingtan-2023.txt": STANDARD_2019,
    "pingtan-county-2011.txt": OLD_FOUR_PARTS,
    "pingtan-county-2012.txt": OLD_FOUR_PARTS,
    "pingtan-county-2013.txt": OLD_FOUR_PARTS,
    "pingtan-tax-2013.txt": {  # parts 四 审批事项 and 六 人员及支出 belong to none of the six
        "overview": "一、概述",
        "proactive": "二、主动公开政府信息情况",
        "requests": "三、依申请公开、不予公开及咨询政府信息情况",
        "review_litigation": "五、申请行政复议、提起行政诉讼和申诉的情况",
    },
    "seed-quxian-ybj-2022.txt": {**STANDARD_2019, "problems": "五、存在的主要问题及改进措施"},
    "seed-xiangshan-ybj-2019.txt": {  # seven parts: 五 依申请公开信息报告 is an extra part
        **{k: v for k, v in STANDARD_2019.items() if k not in ("problems", "other")},
        "problems": "六、存在的主要问题及改进情况",
        "other": "七、其他需要报告的事项",
    },
    "seed-yanchi-wjj-2019.txt": STANDARD_2019,
    "seed-yanchi-ybj-2019.txt": {  # 五 存在问题 + 六 下一步工作重点和整改措施 = problems
        **{k: v for k, v in STANDARD_2019.items() if k not in ("problems", "other")},
        "problems": "五、存在问题",
    },
    "seed-zhongwei-ybj-2023.txt": STANDARD_2019,
    "shuyang-fgj-2023.html": {**STANDARD_2019, "problems": "五、存在的主要问题及整改措施"},
    "shuyang-gov-2025.md": {**STANDARD_2019, "problems": "五、政府信息公开工作存在的主要问题及改进情况"},
}

# text that must lie in a section (file, section, snippet), and text that must not
INSIDE = [
    ("seed-yanchi-ybj-2019.txt", "problems", "六、下一步工作重点和整改措施"),
    ("seed-yanchi-ybj-2019.txt", "problems", "切实提高公开信息的质量和水平。"),
    ("seed-xiangshan-ybj-2019.txt", "requests", "四、结转下年度继续办理"),
    ("pingtan-2023.txt", "requests", "四、结转下年度继续办理0000000"),
    ("pingtan-2019.txt", "overview", "（一）基本情况"),
    ("pingtan-2012.txt", "proactive", "三、主动公开政府信息情况"),
    ("seed-quxian-ybj-2022.txt", "overview", "(二)依申请公开情况"),
    ("shuyang-gov-2025.md", "requests", "### 三、本年度办理结果"),
    ("pingtan-2021.txt", "other", "无收取信息处理费情况。"),
]
OUTSIDE = [
    ("pingtan-2021.txt", "附件下载"),
    ("seed-xiangshan-ybj-2019.txt", "五、依申请公开信息报告"),
    ("pingtan-tax-2013.txt", "四、审批事项及处理情况"),
    ("pingtan-tax-2013.txt", "六、工作人员及信息公开事务支出情况"),
    ("pingtan-2014.txt", "六、平潭综合实验区政府信息公开情况统计表"),
    ("pingtan-2017.txt", "六、政府信息公开情况统计表"),
    ("pingtan-2019.txt", "本报告包括总体情况"),
    ("huaian-gov-2024.pdf", "- 6 -"),
]

_docs: dict[str, object] = {}


def _doc(name: str):
    path = REPORTS / name
    if not path.exists():
        pytest.skip("corpus absent")
    if name not in _docs:
        _docs[name] = read_document(path)
    return _docs[name]


def test_every_corpus_report_is_listed():
    if not REPORTS.is_dir():
        pytest.skip("corpus absent")
    assert sorted(p.name for p in REPORTS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_headings(name: str):
    doc = _doc(name)
    sections, warnings = find_sections(doc.text)
    expected = EXPECTED[name]
    found = {k: getattr(sections, k).heading for k in SECTION_NAMES if getattr(sections, k)}
    assert found == expected
    assert sorted(w.where for w in warnings if w.code == "section_missing") == sorted(
        set(SECTION_NAMES) - set(expected))
    spans = sorted((s.start, s.end) for s in (getattr(sections, k) for k in expected))
    for name_, heading in expected.items():
        s = getattr(sections, name_)
        assert doc.text.startswith(heading, s.start)  # the span starts at the heading's first char
        assert s.start < s.end <= len(doc.text)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start  # spans do not overlap


@pytest.mark.parametrize("name, section, snippet", INSIDE)
def test_text_inside_a_section(name: str, section: str, snippet: str):
    doc = _doc(name)
    s = getattr(find_sections(doc.text)[0], section)
    assert snippet in doc.text[s.start:s.end]


@pytest.mark.parametrize("name, snippet", OUTSIDE)
def test_text_outside_every_section(name: str, snippet: str):
    doc = _doc(name)
    sections = find_sections(doc.text)[0]
    at = doc.text.index(snippet)
    for k in SECTION_NAMES:
        s = getattr(sections, k)
        assert s is None or not s.start <= at < s.end, k


def test_sections_end_where_the_next_starts():
    doc = _doc("seed-zhongwei-ybj-2023.txt")
    s = find_sections(doc.text)[0]
    assert s.overview.end <= s.proactive.start and doc.text[s.overview.end:s.proactive.start].strip() == ""
    assert s.other.end == len(doc.text.rstrip())


# --- synthetic traps -----------------------------------------------------------------

INTRO_AND_SUBHEADINGS = """某市卫生健康委员会2022年政府信息公开工作年度报告
本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。
一、总体情况
（一）主动公开方面。全年主动公开信息20条。
（二）依申请公开方面。收到申请3件。
二、主动公开政府信息情况
规章\t0\t0\t0
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3
三、本年度办理结果\t（一）予以公开\t3
四、结转下年度继续办理\t0
四、政府信息公开行政复议、行政诉讼情况
0\t0\t0\t0\t0
五、存在的主要问题及改进情况
一是公开不够及时。二是下一步加强培训。
六、其他需要报告的事项
无。
扫一扫在手机打开当前页
"""


def test_intro_subheadings_and_table_labels_are_not_headings():
    sections, warnings = find_sections(INTRO_AND_SUBHEADINGS)
    text = INTRO_AND_SUBHEADINGS
    assert warnings == []
    assert sections.overview.heading == "一、总体情况" and sections.overview.start == text.index("一、总体情况")
    assert sections.requests.end == text.index("四、政府信息公开行政复议")
    assert text[sections.other.start:sections.other.end] == "六、其他需要报告的事项\n无。"


def test_inline_headings_of_a_crawled_page():
    text = ("首页 > 政务公开 > 年报 本报告包括总体情况、主动公开政府信息情况等六个部分。如有疑问请与我们联系。"
            "一、总体情况2021年，我区统一、规范开展工作。二、主动公开政府信息情况 第二十条第（一）项信息内容"
            "规章000三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量1000001"
            "四、结转下年度继续办理0000000四、政府信息公开行政复议、行政诉讼情况000000000000000"
            "五、存在的不足和改进措施一是培训不够。六、其他需要报告的事项无。 附件下载 版权所有")
    sections, warnings = find_sections(text)
    assert warnings == []
    assert [getattr(sections, k).heading for k in SECTION_NAMES] == [
        *list(STANDARD_2019.values())[:4], "五、存在的不足和改进措施", "六、其他需要报告的事项"]
    assert text[sections.other.start:sections.other.end] == "六、其他需要报告的事项无。"
    assert sections.requests.end == text.index("四、政府信息公开行政复议")


def test_part_numbering_and_markdown():
    text = ("# 某局2020年政府信息公开工作年度报告\n\n## 第一部分 总体情况\n正文。\n\n"
            "## 第二部分 主动公开情况\n正文。\n## 第三部分 依申请公开情况\n正文。\n"
            "## 第四部分 存在的不足和改进措施\n正文。\n")
    sections, warnings = find_sections(text)
    assert sections.overview.heading == "第一部分 总体情况"
    assert sections.requests.heading == "第三部分 依申请公开情况"
    assert sections.problems.heading == "第四部分 存在的不足和改进措施"
    assert text[sections.overview.end:sections.proactive.start] == "## "  # markup stays out of sections
    assert sorted(w.where for w in warnings) == ["other", "review_litigation"]


def test_unnumbered_headings():
    text = ("某县2012年政府信息公开年度报告\n概述\n今年工作稳步推进。\n主动公开政府信息情况\n公开100条。\n"
            "依申请公开政府信息情况\n收到申请2件。\n存在的问题和改进措施\n一是人员不足。\n")
    sections, warnings = find_sections(text)
    assert sections.overview.heading == "概述"
    assert sections.proactive.end == text.index("依申请公开政府信息情况")
    assert sections.problems.heading == "存在的问题和改进措施"
    assert {w.where for w in warnings} == {"review_litigation", "other"}


def test_text_that_is_not_a_report():
    sections, warnings = find_sections("红烧肉的做法：一、五花肉切块。二、冷水下锅焯水。三、加糖炒色。\n")
    assert sections.model_dump() == {k: None for k in SECTION_NAMES}
    assert [w.code for w in warnings] == ["no_sections"]


def test_empty_text():
    assert [w.code for w in find_sections("")[1]] == ["no_sections"]
