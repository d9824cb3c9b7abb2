"""Meta: agency, year, sector (and template through detect_template) of every corpus report."""
from __future__ import annotations

import json
from functools import lru_cache

import pytest

from extraction.ingest import read_document
from extraction.meta import detect_meta
from extraction.paths import CORPUS_DIR
from extraction.sections import find_sections

REPORTS = CORPUS_DIR / "reports"
GOLD = CORPUS_DIR / "gold" / "narrative.jsonl"

# file -> (agency, year, sector, template), read from the reports (the 11 gold ones agree with gold)
EXPECTED = {
    "hongze-gov-2023.pdf": ("淮安市洪泽区人民政府", 2023, "other", "2021"),
    "huaian-gov-2024.pdf": ("淮安市人民政府", 2024, "other", "2021"),
    **{f"pingtan-{y}.txt": ("平潭综合实验区", y, "other", "pre2019") for y in range(2011, 2019)},
    "pingtan-2014.txt": ("平潭综合实验区管委会", 2014, "other", "pre2019"),  # the title says 管委会
    "pingtan-2019.txt": ("平潭综合实验区", 2019, "other", "2019"),
    "pingtan-2021.txt": ("平潭综合实验区", 2021, "other", "2021"),
    "pingtan-2023.txt": ("平潭综合实验区", 2023, "other", "2021"),
    **{f"pingtan-county-{y}.txt": ("平潭县人民政府", y, "other", "pre2019") for y in (2011, 2012, 2013)},
    "pingtan-tax-2013.txt": ("平潭综合实验区地方税务局", 2013, "other", "pre2019"),
    "seed-quxian-ybj-2022.txt": ("渠县医疗保障局", 2022, "medical_security", "2021"),
    "seed-xiangshan-ybj-2019.txt": ("相山区医疗保障局", 2019, "medical_security", "2019"),
    "seed-yanchi-wjj-2019.txt": ("盐池县卫生健康局", 2019, "health", "2019"),
    "seed-yanchi-ybj-2019.txt": ("盐池县医疗保障局", 2019, "medical_security", "2019"),
    "seed-zhongwei-ybj-2023.txt": ("中卫市医疗保障局", 2023, "medical_security", "2021"),
    "shuyang-fgj-2023.html": ("沭阳县发展和改革局", 2023, "other", "2021"),
    "shuyang-gov-2025.md": ("沐阳县人民政府", 2025, "other", "2021"),  # 沭 read as 沐, as written
}


@lru_cache(maxsize=None)
def _meta(name: str):
    path = REPORTS / name
    if not path.exists():
        pytest.skip("corpus absent")
    text = read_document(path).text
    return detect_meta(text, find_sections(text)[0])


def test_every_corpus_report_is_listed():
    if not REPORTS.is_dir():
        pytest.skip("corpus absent")
    assert sorted(p.name for p in REPORTS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_agency_year_sector(name: str):
    meta = _meta(name)
    agency, year, sector, _ = EXPECTED[name]
    assert (meta.agency, meta.year, meta.sector) == (agency, year, sector)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_template(name: str):
    assert _meta(name).template == EXPECTED[name][3]


def test_narrative_gold_meta_matches():
    if not GOLD.exists():
        pytest.skip("corpus absent")
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(gold) >= 11
    for g in gold:
        name = next(n for n in EXPECTED if n.rsplit(".", 1)[0] == g["doc_id"])
        meta = _meta(name)
        assert (meta.agency, meta.year) == (g["meta"]["agency"], g["meta"]["year"]), g["doc_id"]


def _detect(text: str):
    return detect_meta(text, find_sections(text)[0])


def test_year_is_the_reported_year_not_the_publication_date():
    text = ("发布时间: 2021-01-20\n某县卫生健康委员会\n政府信息公开工作年度报告\n"
            "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。\n一、总体情况\n2021年我委将继续……\n"
            "2021年1月20日")
    meta = _detect(text)
    assert meta.year == 2020
    assert meta.sector == "health"


def test_only_we_no_agency():
    text = "一、总体情况\n2022年，我局认真贯彻《条例》，本机关全年公开信息12条。\n二、主动公开政府信息情况\n"
    meta = _detect(text)
    assert meta.agency is None and meta.year == 2022 and meta.sector == "other"


def test_title_in_prose_after_the_year():
    text = "根据《条例》规定，向社会公布2021年某市医疗保障局政府信息公开工作年度报告。\n一、总体情况\n"
    meta = _detect(text)
    assert (meta.agency, meta.year, meta.sector) == ("某市医疗保障局", 2021, "medical_security")


def test_fullest_name_takes_the_city_prefix_but_not_words():
    text = ("洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室编制。"
            "我们认为洪泽区人民政府工作扎实。\n一、总体情况\n")
    assert _detect(text).agency == "淮安市洪泽区人民政府"
    text = "洪泽区人民政府\n2023年政府信息公开工作年度报告\n我们认为洪泽区人民政府工作扎实。\n"
    assert _detect(text).agency == "洪泽区人民政府"


def test_markdown_title_with_spaces():
    meta = _detect("# 某县人民政府 2024 年 政府信息公开工作年度报告\n\n## 一、总体情况\n")
    assert (meta.agency, meta.year) == ("某县人民政府", 2024)


def test_not_a_report():
    meta = _detect("红烧肉的做法：五花肉切块，冷水下锅焯水。")
    assert (meta.agency, meta.year, meta.sector) == (None, None, "other")
