"""Numerals, 万 and qualifiers in report prose (extraction.values)."""
import pytest

from extraction.normalize import normalize
from extraction.values import describe, find_quantities, parse_numeral, span_value


def one(text: str):
    qs = find_quantities(normalize(text).text)
    assert len(qs) == 1, qs
    return qs[0]


@pytest.mark.parametrize("text, span, value, qualifier", [
    ("全年主动公开政府信息101条", "101条", 101, "exact"),
    ("公开信息３５０条", "350条", 350, "exact"),             # full-width digits
    ("开展培训一百二十三次", "一百二十三次", 123, "exact"),
    ("粉丝达1.2万人", "1.2万人", 12000, "exact"),
    ("共发布信息100余条", "100余条", 100, "at_least"),
    ("但只有近4000人关注", "4000人", 4000, "approx"),
    ("但只有近 4000 人关注", "4000 人", 4000, "approx"),
    ("发布信息约50条", "50条", 50, "approx"),
    ("发布信息50条左右", "50条", 50, "approx"),
    ("推送超过300篇", "300篇", 300, "at_least"),
    ("关注不足200人", "200人", 200, "at_most"),
    ("受理申请0件", "0件", 0, "exact"),
    ("关注用户三万人", "三万人", 30000, "exact"),
    ("电话咨询3200人次", "3200人次", 3200, "exact"),       # 人次 is one measure word
    ("接待群众约 500 人次", "500 人次", 500, "approx"),
])
def test_span_value_and_qualifier(text, span, value, qualifier):
    q = one(text)
    assert (q.text, q.value, q.qualifier) == (span, value, qualifier)


def test_dates_percentages_money_and_words_are_not_counts():
    text = "2019年12月31日，公开率达98%，收费3.5万元，一是加强，第3条规定，进一步"
    assert find_quantities(text) == []


@pytest.mark.parametrize("text, spans", [
    ("组织专题学习两次，举办培训班一期", ["两次", "一期"]),  # a lone 一/两 with 次/场/期 is a count
    ("开展两场培训", ["两场"]),
    ("实行一次性告知，推进最多跑一次改革，做到一次办好，一个窗口", []),  # words and slogans
    ("每一期都按时推送，同一次会议", []),
    ("这一次培训，再一次部署，上一期节目，一期工程，一场场活动", []),
    ("组织学习两 次", ["两 次"]),  # a space inside the span, as PDFs print it
    ("局党组先后两次专题学习《条例》", ["两次"]),
    ("开展培训一两次，三五场宣讲", []),  # two small numerals together are a guess, not a count
    ("平均办理时限5.2个工作日，提高3个百分点，用时2个月", []),  # time and rates, not counts
    ("开设账号5个", ["5个"]),
])
def test_lone_one_two_and_units_of_time(text, spans):
    assert [q.text for q in find_quantities(text)] == spans


def test_issues_and_posts_are_two_candidates():
    qs = find_quantities("微信公众号发布132期448篇文章")
    assert [(q.text, q.measure) for q in qs] == [("132期", "期"), ("448篇", "篇")]


def test_parse_numeral_and_span_value():
    assert parse_numeral("一百二十三") == 123
    assert parse_numeral("两千") == 2000
    assert parse_numeral("1.5") == 1.5
    assert span_value("3万余人") == 30000
    assert describe("共有3万余人关注", 2, 6) == (30000, "at_least")
