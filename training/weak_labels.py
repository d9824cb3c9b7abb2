"""Weak labelling: labelling functions that turn report prose into silver labels.

Quantity LFs look at one candidate number (``extraction.values.find_quantities``) and
the words of its sentence; statement LFs look at one unit of
``extraction.statements.segment``. Each LF returns a label, ``"O"`` (not a fact /
OTHER) or ``None`` (abstain). The lexicons come from the guideline
(``../shared/spec/labels.md``) and general knowledge of these reports, never from
gold annotations.

Combining quantity LFs: a vetoing LF that fires makes the candidate ``O``; else the
label keyword nearest to the number wins, a channel named in the number's own clause
beating the generic "government information" words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from extraction.statements import Unit
from extraction.values import MEASURE, NUMERAL, Quantity

# --- lexicons (guideline wording and domain knowledge) ---------------------------------
CHANNEL_KEYWORDS: dict[str, str] = {
    "POSTS_WECHAT": r"微信公众号|公众号|微信|推文",
    "POSTS_WEIBO": r"微博",
    "POSTS_NEWMEDIA": r"政务新媒体|新媒体|抖音|视频号|头条号|今日头条|快手|客户端|短视频|两微|APP|App|app",
    "POSTS_WEBSITE": r"门户网站|政府网站|网站|信息公开网|公开平台|公开专栏|政务公开专栏|公开目录|信息公开系统|信用平台|公示系统|信用中国|网页|页面|专栏",
}
LABEL_KEYWORDS: dict[str, str] = {
    "POSTS_TOTAL": r"主动公开|政府信息|公开信息|公布信息|发布信息|公开各类|公开政务信息",
    "POLICY_INTERPRETATIONS": r"解读|图解",
    "REQUESTS_RECEIVED": r"申请",
    "HOTLINE_CASES": r"12345|热线|信箱|留言|网上问政|网络问政|政务咨询|8890|民心网|网络诉求|网上诉求|咨询",
    "OPEN_DAY_EVENTS": r"开放日|开放活动",  # 环保设施向公众开放活动 (not 场馆向公众开放: no event)
    "OPEN_DAY_PARTICIPANTS": r"开放日|开放活动",
    "TRAINING_SESSIONS": r"培训|专题学习|集中学习|业务学习|学习会|辅导",
    "FOLLOWERS": r"关注|粉丝|订阅|用户",
}
# nouns that name other things counted in these reports: nearer than a label word, they win
DISTRACTORS = (r"文件|事项|处罚|许可|强制|案件|会议|汇报|研究|检查|通报|工作群|群(?!众)|账号|征求表|意见|建议|提案|"
               r"办件|材料|批次|资金|项目|单位|部门|机构|企业|人员|干部|宣传片|直播|节目|视频|宣传活动|"
               r"自然人|法人|办结|答复|结转|予以公开|不予公开|无法提供|不予处理|其他处理|复议|诉讼|访|"
               r"动态|指南|法规|公告|公示|人事|预算|决算|规划|计划|采购|招标|标准|价格|名单|清单|目录条目|"
               r"清理|删除|撤销|制作|获取")
# the measure words each label takes: one character each, and 人次 (a word, not 人 + 次:
# a membership test on a string of them would let 人 through wherever 人次 is allowed)
MEASURES: dict[str, frozenset[str]] = {label: frozenset(chars) | frozenset(words) for label, (chars, words) in {
    "POSTS_TOTAL": ("条篇件个则", ()), "POSTS_WEBSITE": ("条篇件个则", ()), "POSTS_WECHAT": ("条篇件个则", ()),
    "POSTS_WEIBO": ("条篇件个则", ()), "POSTS_NEWMEDIA": ("条篇件个则", ()),
    "POLICY_INTERPRETATIONS": ("条篇件个项次期份", ()),
    "REQUESTS_RECEIVED": ("件个条份", ()),
    "HOTLINE_CASES": ("件个条次通起封", ("人次",)),
    "OPEN_DAY_EVENTS": ("场次期个", ()),
    "OPEN_DAY_PARTICIPANTS": ("人名位", ("人次",)),
    "TRAINING_SESSIONS": ("次场期批", ()),
    "FOLLOWERS": ("人个名户位", ()),
}.items()}
_SENT_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?\n]")
_HEADING_LINE = re.compile(r"\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.．、](?!\d)|第[一二三四五六七八九十]+)")
_PAGE_NUMBER = re.compile(r"\s*(?:[-—–]\s*)?\d{1,3}(?:\s*[-—–])?\s*|\s*第\s*\d+\s*页.*")
_STOPS = "。；;！？!?：:"


_HEADING_END = re.compile(r"(?:情况|概述|总述|问题|措施|打算|事项|计划|要点|说明|目标)[:：]?$")


def _heading(line: str) -> bool:
    """A heading: （二）依申请公开情况, 一、总体情况, or a short unnumbered one that ends like
    a heading (总体情况) — not （一）主动公开情况。2024年，… (the tail after the last
    sentence end counts)."""
    tail = re.split(r"[。；;！？!?]", line)[-1].strip()
    if not tail or re.search("[，,、]", tail):
        return False
    return (bool(_HEADING_LINE.match(tail)) and len(tail) <= 25) or (len(tail) <= 12 and bool(_HEADING_END.search(tail)))


def _unwrap(s: str) -> str:
    """``s`` with the line breaks inside sentences removed: PDF text layers wrap lines
    anywhere (政⏎府信息). A break after end punctuation, after a heading (``_heading``)
    or before a numbered one stays; page-number lines (- 3 -) are dropped."""
    lines = [x for x in s.split("\n") if not _PAGE_NUMBER.fullmatch(x)]
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        if (prev.strip() and line.strip() and prev.rstrip()[-1] not in _STOPS
                and not _heading(prev) and not _HEADING_LINE.match(line)):
            out[-1] = out[-1].rstrip() + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


# (被…转载: others reprinting the body's items; the body's own 转载 of others' items is posts)
_SUBMITTED = re.compile(r"报送|上报|被采用|采用|采纳|刊发|刊登|报道|播出|转发至|录用|被[^，,。；;]{0,10}(?:转载|登载|刊载)")
_OUTSIDE_MEDIA = re.compile(r"报纸|电视|电台|日报|时报|晚报|广播|新闻媒体|央视|媒体报道")
_MULTI_YEAR = re.compile(r"以来|历年|自\d{4}\s*年")
_BREAKDOWN = re.compile(r"其中|包括|包含|分别")
_MIXED_POLICY = re.compile(r"[、及和与][^，。；、]{0,6}(?:政策)?解读|解读[^，。；]{0,4}[、及和与]")
_REQUEST_VERB = re.compile(r"收到|受理|接收|新收|收悉|共计|共")
_REQUEST_TOPIC = re.compile(r"依申请|公开申请|申请公开")
_REQUEST_PART = re.compile(r"自然人|法人|其他组织|企业|办结|答复|予以|不予|结转")
_PUBLISH_VERB = re.compile(r"公开|公布|发布|推送|更新")
_CATEGORY = re.compile(r"(?<!各)类(?:政府)?信息|其他|其它")  # 各类政府信息 is all information
_ACCOUNTS = re.compile(r"开设|注销|关停|开通|新开|账号|数量|入驻")
_PART_OF = re.compile(r"^\s*[，,]?\s*占")
_COUNTED_AFTER = re.compile(r"^\s*(?:的)?(?:单位|部门|窗口|账号|栏目|专栏|家)")
_ACCOUNTS_AFTER = re.compile(r"^[^，,。；;、]{0,8}(?:账号|帐号|矩阵)")


@dataclass(frozen=True)
class QContext:
    """A candidate quantity and the text of its sentence around it."""

    q: Quantity
    left: str    # the sentence before the number (at most 80 chars)
    right: str   # the sentence after the span (at most 20 chars)
    clause: str  # the clause before the number (since the last comma)
    before: str  # the 150 chars before the number, across sentences
    next: str = ""  # the character right after the span, spaces skipped (right stops before a sentence end)

    @classmethod
    def of(cls, text: str, q: Quantity) -> "QContext":
        """The context of ``q``, read through line wraps (``_unwrap``) from the start of
        the line where it begins, so a heading is seen whole."""
        lo = max(0, q.start - 200)
        nl = text.rfind("\n", lo, max(lo, q.start - 150))
        seg = _unwrap(text[nl + 1 if nl >= 0 else lo:q.start] + "\x00")[:-1]  # \x00: a wrap right before the number
        before = seg[-150:]
        seg = seg[-80:]
        cut = [m.end() for m in _SENT_END.finditer(seg)]
        left = seg[cut[-1]:] if cut else seg
        cl = [m.end() for m in _CLAUSE_END.finditer(left)]
        right = _SENT_END.split(_unwrap("\x00" + text[q.end:q.end + 30])[1:], 1)[0][:20]
        nxt = text[q.end:q.end + 4].lstrip(" \t")[:1]
        return cls(q, left, right, left[cl[-1]:] if cl else left, before, nxt)

    @cached_property
    def own(self) -> str:
        """The words that name this number in its clause (``_own_phrase``), read once:
        several labelling functions ask."""
        return _own_phrase(self.clause)


def _nearest(pattern: str, s: str) -> int | None:
    """Distance from the end of ``s`` back to the end of the last match of ``pattern``."""
    last = None
    for m in re.finditer(pattern, s):
        last = m
    return None if last is None else len(s) - last.end()


# --- quantity labelling functions ------------------------------------------------------
QLF = Callable[[QContext], "str | None"]


# participants named before the event: N人参加…开放日, 45名群众代表参加开放日
_JOINING = r"\s*[^，,。；;、\d]{{0,8}}?(?:参加|参与|走进|观摩|体验)[^，,。；;]{{0,12}}(?:{})"


def _keyword_lf(label: str, pattern: str) -> QLF:
    def lf(c: QContext) -> str | None:
        mw = c.q.measure
        if mw is not None and mw not in MEASURES[label]:
            return None
        if mw is None and not re.match(r"[，,。；;、！？!?]", c.next or c.right) and (
                c.next or c.right or _SERVICE_NUMBER.fullmatch(c.q.text)):
            return None  # a bare number needs punctuation (or the end of the text) after it
        if label == "FOLLOWERS":
            return label if re.search(pattern, c.left[-12:] + c.right[:6]) else None
        if label == "REQUESTS_RECEIVED":
            near = re.search(pattern, c.clause) or re.match(r"\s*(?:的)?(?:政府信息公开)?申请", c.right)
            ok = near and _REQUEST_VERB.search(c.left + c.right[:4]) and _REQUEST_TOPIC.search(c.before + c.right[:8])
            return label if ok and not _REQUEST_PART.search(c.clause) else None
        if label == "OPEN_DAY_PARTICIPANTS" and re.match(_JOINING.format(pattern), c.right):
            return label  # 邀请群众代表35人参加“住建开放日”活动
        return label if re.search(pattern, c.left) else None
    lf.__name__ = f"kw_{label.lower()}"
    return lf


def neg_issue(c: QContext) -> str | None:
    """Issues (期) of a WeChat account or a programme are not posts."""
    return "O" if c.q.measure == "期" and not re.search(r"培训|开放日|解读", c.left) else None


def neg_submitted(c: QContext) -> str | None:
    """Items submitted to or adopted by higher offices, or carried by outside media."""
    if _SUBMITTED.search(c.clause):
        return "O"
    # outside media alone; with the body's own channels they make a count over several (网站、新闻媒体)
    own = c.own
    return "O" if _OUTSIDE_MEDIA.search(c.clause) and not re.search(CHANNEL_KEYWORDS["POSTS_WEBSITE"], own) else None


def neg_multi_year(c: QContext) -> str | None:
    """Totals over several years (自2003年以来, 历年) — followers excepted."""
    if _MULTI_YEAR.search(c.left) and not re.search(LABEL_KEYWORDS["FOLLOWERS"], c.left[-12:] + c.right[:6]):
        return "O"
    return None


def _count_of(measure: str) -> re.Pattern:
    """A number with one of the measure words of the pattern ``measure`` (120余条, 1.2万人)."""
    return re.compile(rf"{NUMERAL}\s*[余多]?\s*万?\s*(?:{measure})")


_COUNTED = _count_of(MEASURE)


def _own_phrase(clause: str) -> str:
    """The words that name this number in a list of counts (文字解读18篇、图解11个: 图解):
    the clause after the previous count, without the list's comma."""
    return _COUNTED.split(clause)[-1].lstrip("、，, ")


def _mixed_policy(own: str) -> bool:
    """Interpretations listed with another kind of content (政策法规、政策解读), not only
    with other interpretation forms (政策解读和图解)."""
    return bool(_MIXED_POLICY.search(own)) and any(
        not re.search(r"解读|图解|解答|问答", part) and not _channel_only(part) for part in re.split(r"[、及和与]", own))


def _channel_only(part: str) -> bool:
    """A list item that only names a channel (在网站和公众号发布政策解读: 在网站)."""
    rest = re.sub(rf"{_ANY_CHANNEL}|通过|在|利用|依托|等|的|“[^”]*”|\s", "", part)
    return bool(re.search(_ANY_CHANNEL, part)) and len(rest) <= 1


def neg_mixed_policy(c: QContext) -> str | None:
    """A count mixing interpretations with other kinds (政策法规、政策解读20条) is no
    interpretation count (it may still be a channel's: 公众号发布政策信息、政策解读100余条);
    not an item of a list of interpretation forms that each have their count (文字解读18篇、
    图解11个). ``label_quantity`` drops only the interpretation vote on it."""
    own = c.own
    return "O" if _mixed_policy(own) and re.search("解读", own) else None


_AUDIENCE = re.compile(r"(?:阅读|浏览|点击|访问|播放|观看|点赞)(?:量|数|率|次数|人次|总量)|累计(?:阅读|浏览|观看|播放)|"
                       r"(?:线上|在线|网上|直播)观看|总阅读|阅读超|浏览超")


def neg_audience(c: QContext) -> str | None:
    """Readers, views and clicks (阅读量达56万, 线上观看1.2万人次) are no posts, followers
    or participants: the words naming this number say so (a metric, not the verb alone:
    发布原创及转发信息320条 is posts)."""
    return "O" if _AUDIENCE.search(c.own) else None


def neg_part_or_counted_thing(c: QContext) -> str | None:
    """A share of a total (…条，占71%), or a count of units, windows, accounts (9个单位,
    12个政务新媒体账号)."""
    if _PART_OF.match(c.right) or _COUNTED_AFTER.match(c.right):
        return "O"
    return "O" if c.q.measure == "个" and (_ACCOUNTS.search(c.clause) or _ACCOUNTS_AFTER.match(c.right)) else None


def neg_zero_words(c: QContext) -> str | None:
    """A bare number with no measure word followed by more digits or a unit is no count."""
    return "O" if c.q.measure is None and re.match(r"[\d.]", c.right) else None


_RATE = re.compile(r"日均|周均|月均|年均|人均|平均|每周|每月|每日|每天|每季度?|每半年|每篇|每名|每人")


def neg_rate(c: QContext) -> str | None:
    """A rate or a target (日均更新3条, 每周原创2篇以上) is no count of the year."""
    return "O" if _RATE.search(_QUOTED.sub("", c.own)) else None  # not “每周一问”


# a target governing the number (力争…突破N, 目标为N); 确保/目标 elsewhere in a clause are everyday words
_TARGET = re.compile(r"(?:力争|争取|目标(?:为|是))[^，,。；;]{0,14}$")
_AT_LEAST_PLAN = re.compile(r"(?:不少于|至少|不低于)\s*$")
# a sentence about the future (not 将 alone, a preposition as often: 将政务公开纳入考核)
_PLAN = re.compile(r"下一步|今后|明年|来年|计划|拟|将于|将继续|将进一步")


def neg_target(c: QContext) -> str | None:
    """A target or a plan (力争关注人数突破1.5万人; 下一步…全年开放活动不少于30次) is no count
    of the year."""
    if _TARGET.search(_QUOTED.sub("", c.left)):
        return "O"
    return "O" if _AT_LEAST_PLAN.search(c.left) and _PLAN.search(c.left) else None


# a gain right before the number, of followers named just before it (新增关注N; 粉丝较上年增加N)
_GAIN = re.compile(r"(?:新增|净增|增加了?|增长了?|增粉|涨粉)(?:关注|粉丝|用户|订阅)?(?:人数|数量|者)?\s*$")


def neg_follower_gain(c: QContext) -> str | None:
    """A year's gain of followers (新增关注2,140人; 粉丝较上年增加3000人) is no follower count
    (labels.md: followers are a running total); 增长至/为/达 a figure is (the gain must end
    the clause before the number). ``label_quantity`` drops only the FOLLOWERS vote on it."""
    return "O" if _GAIN.search(c.clause) else None


KEYWORD_LFS: list[QLF] = [_keyword_lf(lab, pat) for lab, pat in {**CHANNEL_KEYWORDS, **LABEL_KEYWORDS}.items()]
VETO_LFS: list[QLF] = [neg_issue, neg_submitted, neg_multi_year, neg_part_or_counted_thing, neg_zero_words,
                       neg_audience, neg_rate, neg_target]
# labelling functions that take one label's vote away (the number may still be another label's)
VOTE_DROPS: dict[QLF, str] = {neg_mixed_policy: "POLICY_INTERPRETATIONS", neg_follower_gain: "FOLLOWERS"}
QUANTITY_LFS: list[QLF] = KEYWORD_LFS + VETO_LFS + list(VOTE_DROPS)
_FOLLOWERS_NEAR = 6  # followers win over a channel only when named just before the number (粉丝数达, 关注人数上升至)
_PATTERN = {**CHANNEL_KEYWORDS, **LABEL_KEYWORDS}
_POSTS_COUNT = _count_of("[条篇件则]")
_OTHER_CHANNELS = re.compile(r"新闻媒体|其他渠道|等渠道|多渠道|等载体|等平台|公开栏|显示屏|电子屏|报刊|广播|电视|电台|日报|报纸")
_WEBSITE = r"门户网站|政府网站|网站|信息公开网|公开平台"  # a website itself (not a 专栏, which a WeChat account has too)
_KIND = re.compile(r"(?<!各)类(?:信息|事项|诉求|问题|件)?$")
_RESTATED = re.compile(r"累计|合计|总计|共计|总共|全年共")
_QUOTED = re.compile(r"[“\"「《][^”\"」》]*[”\"」》]")
_ANY_CHANNEL = "|".join(CHANNEL_KEYWORDS.values())
_CREDIT_PLATFORM = re.compile(r"信用平台|公示系统|信用中国|信用信息")
_SERVICE_NUMBER = re.compile(r"12\d{3}|8890|96\d{3,4}")  # hotline numbers, not counts


def label_quantity(c: QContext) -> str:
    """The combined weak label of one candidate: a quantity label or ``"O"``."""
    if any(lf(c) == "O" for lf in VETO_LFS):
        return "O"
    votes = {lab for lf in KEYWORD_LFS if (lab := lf(c))}
    votes -= {lab for lf, lab in VOTE_DROPS.items() if lf(c)}
    if not votes:
        return "O"
    in_clause = {lab: d for lab in votes if (d := _nearest(_PATTERN[lab], c.clause)) is not None}
    # followers named right before the number beat the channel they follow (微博粉丝56万)
    f = in_clause.get("FOLLOWERS")
    if f is not None and f <= _FOLLOWERS_NEAR and all(d > f for lab, d in in_clause.items() if lab != "FOLLOWERS"):
        return "FOLLOWERS"
    # a channel (or 主动公开) named earlier in the sentence whose own count came since belongs to
    # that count (其中通过局网站公开180条，通过公开栏等形式公开36条: 36 is no website count)
    # (a clause that restates a total keeps them: 一季度发布120条，全年累计发布560条)
    if not _RESTATED.search(c.clause):
        votes -= {lab for lab in votes if lab.startswith("POSTS_") and lab not in in_clause
                  and _POSTS_COUNT.search(c.left[len(c.left) - (_nearest(_PATTERN[lab], c.left) or 0):])}
    if not votes:
        return "O"
    own = c.own
    channels = [lab for lab in votes if lab in CHANNEL_KEYWORDS]
    # a channel named in the clause beats the generic words of POSTS_TOTAL (微信公众号发布信息); the
    # nearest word wins (门户网站收到网民留言N条: a hotline count)
    pool = [lab for lab in in_clause if lab not in ("POSTS_TOTAL", "FOLLOWERS")] or list(in_clause) or channels or list(votes)
    dist = {lab: _nearest(_PATTERN[lab], c.left) for lab in pool}
    dist = {lab: (d if d is not None else 0) for lab, d in dist.items()}
    best = min(pool, key=lambda lab: (dist[lab], lab))
    if best == "REQUESTS_RECEIVED" and re.match(r"\s*(?:的)?(?:政府信息公开)?申请", c.right):
        return best
    # a breakdown (其中…) of a total: the label word must come after 其中
    b = _nearest(_BREAKDOWN.pattern, c.left)
    if b is not None and (dist[best] > b or best == "POSTS_TOTAL") and best != "FOLLOWERS":
        return "O"
    if b is not None and best != "POLICY_INTERPRETATIONS" and _KIND.search(own.rstrip()):
        return "O"  # a breakdown by kind (其中咨询类15.2万件、投诉类6.1万件)
    if best == "POSTS_TOTAL" and (_CATEGORY.search(c.clause) or not _PUBLISH_VERB.search(c.left)):
        return "O"  # a category (其他…信息, …类信息), or information made rather than published
    clause = c.clause
    if best == "POSTS_WEBSITE" and _CREDIT_PLATFORM.search(clause):
        clause = clause.replace("公示", "  ")  # what a credit platform publishes it 公示s (labels.md: 信用平台)
    d = _nearest(DISTRACTORS, clause)
    if d is not None and d < dist[best] and best not in ("FOLLOWERS", "OPEN_DAY_PARTICIPANTS"):
        # a distractor right after the label word names the channel (新媒体账号发布信息): no veto
        if not re.search(rf"(?:{_PATTERN[best]})账号$", c.left[:len(c.left) - d]):
            return "O"
    named = {lab for lab, pat in {**CHANNEL_KEYWORDS, "POSTS_WEBSITE": _WEBSITE}.items() if re.search(pat, own)}
    if (best.startswith("POSTS_") and (c.q.measure is None or c.q.measure in "条篇件则")
            and all(lab.startswith("POSTS_") for lab in in_clause)
            and (len(named) > 1 or named == {"POSTS_WEBSITE"} and _OTHER_CHANNELS.search(own))):
        # posts over several channels (labels.md): with a website all information, else new media
        return "POSTS_TOTAL" if "POSTS_WEBSITE" in named else "POSTS_NEWMEDIA"
    return best


# --- statement labelling functions -----------------------------------------------------
SLF = Callable[[Unit], "str | None"]
_PROBLEM_WORDS = re.compile(r"不够|不足|有待|仍需|还需|尚需|欠缺|较少|不高|不强|滞后|薄弱|单一|不到位|不规范|不及时|"
                            r"不精确|不完善|不全面|不平衡|偏少|较低|较弱|差距|短板|问题|难以|未能|少|不同步|脱节|不统一|不一致|缺乏|"
                            r"缺少|尚未|仍未")
# a commitment, after a time or a link word (2021年，我局将…; 同时，…)
_REMEDY_START = re.compile(r"^\s*(?:(?:\d{4}年度?|下一步|今后|同时|此外|明年|下一阶段|新的一年)[，,]\s*)?"
                           r"(?:[^，。]{0,6}将|年内|推行|实行|开设|增设|修订|加强|加大|进一步|持续|继续|完善|推进|强化|提升|提高|拓宽|拓展|丰富|健全|建立|"
                           r"深化|做好|严格|积极|全面|扎实|开展|优化|规范|增加|坚持|切实|围绕|针对|着力|狠抓|抓好|下一步|今后|"
                           r"努力|不断|落实|确保|注重|创新|加快)")
_HEADING = re.compile(r"^[^。，,]{0,16}(?:问题|不足|措施|改进|整改|打算|计划|情况|方向|思路|下一步|今后|举措)[^。，,]{0,6}[。：:]?$"
                      r"|^关于[^。，,；;]{2,24}[。：:]?$")  # a topic heading over sub-items: （一）关于政务新媒体
_FRAMING = re.compile(r"取得|成效|以下|如下|几个方面|主要有|(?:但|仍|还)(?:存在|有)[^。]{0,12}(?:问题|不足|差距|短板|环节|地方)[。：:]?$")


def s_heading(u: Unit) -> str | None:
    """Headings (存在问题, 改进措施) are OTHER."""
    return "OTHER" if _HEADING.match(u.text.strip()) else None


def s_table(u: Unit) -> str | None:
    """Table rows and statistics (many numbers, tabs, pipes) are OTHER."""
    return "OTHER" if len(re.findall(r"\d+", u.text)) >= 6 or "\t" in u.text or "|" in u.text else None


def s_framing(u: Unit) -> str | None:
    """Framing sentences that introduce a list are OTHER."""
    t = u.text.strip()
    return "OTHER" if not u.enumerated and (_FRAMING.search(t) or t.endswith(("：", ":"))) else None


def s_zone(u: Unit) -> str | None:
    """An enumerated item takes the part of the section it stands in."""
    if not u.enumerated:
        return None
    return {"P": "PROBLEM", "R": "REMEDY"}.get(u.zone)


def s_problem_words(u: Unit) -> str | None:
    """Words of shortcoming (不够, 有待, 仍需 …)."""
    return "PROBLEM" if _PROBLEM_WORDS.search(u.text) and not _REMEDY_START.match(u.text) else None


def s_remedy_words(u: Unit) -> str | None:
    """Starts like a commitment (加强, 进一步, 将 …)."""
    return "REMEDY" if _REMEDY_START.match(u.text) else None


STATEMENT_LFS: list[SLF] = [s_table, s_heading, s_framing, s_zone, s_problem_words, s_remedy_words]


def label_statement(u: Unit) -> str:
    """The combined weak label of one unit: PROBLEM, REMEDY or OTHER."""
    for lf in STATEMENT_LFS:
        if (lab := lf(u)) is not None:
            return lab
    return "OTHER"


def lf_votes(lfs: list, items: list) -> dict[str, list]:
    """Each LF's output on each item."""
    return {lf.__name__: [lf(x) for x in items] for lf in lfs}


def coverage_precision(votes: list, truth: list) -> tuple[float, float | None, int]:
    """(coverage, precision, firings) of one LF's votes against true labels."""
    fired = [(v, t) for v, t in zip(votes, truth) if v is not None]
    cov = len(fired) / len(votes) if votes else 0.0
    prec = sum(v == t for v, t in fired) / len(fired) if fired else None
    return cov, prec, len(fired)


# --- the report of `nianbao weak-report` ------------------------------------------------
@dataclass
class LFStats:
    name: str
    kind: str  # quantity | statement
    coverage: float
    precision: float | None
    fired: int


def lf_report(docs: list) -> list[LFStats]:
    """Coverage and precision of each LF (and of the combination) over the candidate
    numbers (those the model gets windows for) and the statement units of the gold
    documents' narrative sections; the truth of a candidate is its gold label or O."""
    from extraction.narrative import MEASURED_ONLY, is_candidate, regions
    from extraction.statements import segment
    from extraction.values import find_quantities
    from training.corpus import sections_of
    from training.evaluate import match_statements

    contexts, q_truth, units, s_truth = [], [], [], []
    for d in docs:
        if not d.text:
            continue
        gold = {(f.start, f.end): f.label for f in d.facts if f.start is not None}
        for name, s, e in regions(d.text, sections_of(d.text)):
            for q in find_quantities(d.text, s, e, measured_only=name in MEASURED_ONLY):
                if not is_candidate(q):
                    continue
                contexts.append(QContext.of(d.text, q))
                q_truth.append(gold.get((q.start, q.end), "O"))
            if name in (None, "problems"):
                us = segment(d.text, s, e)
                truth = ["OTHER"] * len(us)
                for lab in ("PROBLEM", "REMEDY"):
                    g = [("X", x.start, x.end) for x in d.statements if x.label == lab and x.start is not None]
                    for _, j in match_statements(g, [("X", u.start, u.end) for u in us]):
                        truth[j] = lab
                units += us
                s_truth += truth
    out = []
    for kind, lfs, items, truth, combined in (("quantity", QUANTITY_LFS, contexts, q_truth, label_quantity),
                                              ("statement", STATEMENT_LFS, units, s_truth, label_statement)):
        for name, votes in lf_votes(lfs, items).items():
            out.append(LFStats(name, kind, *coverage_precision(votes, truth)))
        out.append(LFStats("COMBINED", kind, *coverage_precision([combined(x) for x in items], truth)))
    return out


def format_report(stats: list[LFStats]) -> str:
    """A plain-text table of LF statistics."""
    rows = [f"{'kind':10s} {'labelling function':28s} {'coverage':>9s} {'precision':>9s} {'fired':>6s}"]
    for s in stats:
        p = "-" if s.precision is None else f"{s.precision:.3f}"
        rows.append(f"{s.kind:10s} {s.name:28s} {s.coverage:9.3f} {p:>9s} {s.fired:6d}")
    return "\n".join(rows)
