"""Synthetic report prose with known labels.

``paragraphs`` writes overview-like paragraphs that mix quantity facts (many phrasings,
measure words, Arabic/Chinese numerals, 万, qualifiers) with the guideline's negative
cases (WeChat issues, category breakdowns, multi-year totals, items submitted or
adopted, newspaper coverage, other counted things, dates and percentages).
``problem_sections`` writes section-五-like text with problem and remedy items, framing
sentences and headings. Every phrasing here is written from the guideline and general
knowledge of these reports, not copied from gold.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import cn2an

AGENCIES = ["我局", "我委", "我办", "本机关", "我区", "我县", "我市", "区政府", "县政府", "市政府", "我中心", "本单位"]
NAMES = ["健康盐池", "平安某县", "某市发布", "医保之窗", "政务服务", "阳光政务", "某区发布", "惠民医保"]

# (phrase before the number, measure words, phrase after); {a} agency, {n} a name
FACTS: dict[str, list[tuple[str, str, str]]] = {
    "POSTS_TOTAL": [
        ("全年主动公开政府信息", "条件", ""), ("本年度主动公开信息", "条件", ""), ("共主动公开政府信息", "条件", ""),
        ("全年共公开各类政府信息", "条", ""), ("{a}主动公开政府信息共计", "条件", ""), ("全年对外公布各类信息", "条", ""),
        ("截至12月31日，{a}共公开政府信息", "条件", ""),
        ("通过网站、公众号等渠道公开信息", "条", ""), ("{a}全年累计主动公开政府信息", "条", ""),
        ("通过门户网站和“{n}”公众号发布{t}等信息", "条", ""), ("依托政府网站、政务微博、微信公众号等平台发布信息", "条", ""),
        ("主动公开", "条件", "政府信息"), ("公开政府信息", "条", ""), ("通过门户网站、新闻媒体等渠道公开信息", "条", ""),
    ],
    "POSTS_WEBSITE": [
        ("通过门户网站主动公开信息", "条件", ""), ("在信息公开网主动公开各类政府信息共计", "条", ""),
        ("{a}在政府网站发布信息", "条篇", ""), ("政务公开专栏更新信息", "条", ""),
        ("通过县政府门户网站公开政务信息", "条", ""), ("在政府信息公开平台发布", "条", "信息"),
        ("信息公开目录新增信息", "条", ""), ("在信用平台公示信息", "条", ""), ("部门网站发布动态信息", "条篇", ""),
        ("网站共发布信息", "条", ""), ("在公开专栏发布", "条", "各类信息"),
        ("通过“{n}”网站对外发布信息", "条", ""), ("在{a}官网公开政府信息", "条件", ""),
        ("依托政府网站主动公开政府信息", "条", ""), ("门户网站刊发政务信息", "条", ""),
        ("在{a}政府网站发布{t}等信息", "条", ""), ("在门户网站专栏公开{t}等内容", "条", ""),
        ("网站全年总访问量{k}万人次，发布信息", "条", ""),
        ("通过国家企业信用信息公示系统归集公示涉企信息", "条", ""), ("在“信用中国”网站公示", "条", "信用信息"),
        ("在{a}门户网站主动公开的", "条件", "政府信息中"), ("{a}官网全年发布的", "条", "信息中"),
    ],
    "POSTS_WECHAT": [
        ("微信公众号年内推送消息", "条篇", ""), ("通过“{n}”微信公众号发布信息", "条篇", ""), ("共推文", "篇条", ""),
        ("公众号全年推送文章", "篇", ""), ("微信公众号发布", "篇条", "文章"), ("“{n}”公众号推送", "篇", "图文"),
        ("官方微信发布", "条篇", "信息"), ("“{n}”公众号全年推送{t}等文章", "篇条", ""),
        ("依托“{n}”公众号及时推送工作动态、政策解读等内容，共推送各类信息", "条篇", ""),
    ],
    "POSTS_WEIBO": [
        ("官方微博发布信息", "条", ""), ("政务微博发布博文", "条篇", ""), ("通过“{n}”微博发布", "条", "信息"),
        ("微博账号全年发布", "条", "微博"),
    ],
    "POSTS_NEWMEDIA": [
        ("新媒体信息", "条", ""), ("通过政务新媒体发布信息", "条篇", ""), ("抖音号发布短视频", "条个", ""),
        ("微信和微博共发布信息", "条", ""), ("“两微一端”发布信息", "条", ""), ("视频号推送作品", "个条", ""),
        ("今日头条号发布", "篇条", "信息"), ("政务新媒体矩阵推送", "条", "信息"), ("客户端发布", "条", "资讯"),
        ("全区政务新媒体账号全年发布{t}等信息", "条", ""), ("通过微信和微博发布政务信息共", "条", ""),
        ("通过政务新媒体发布政策法规、政策解读等信息", "条", ""),
    ],
    "POLICY_INTERPRETATIONS": [
        ("政策解读信息", "条篇", ""), ("发布政策解读", "篇条", ""), ("制作图解", "篇个", ""),
        ("发布解读材料", "份篇", ""), ("其中政策解读", "条篇", ""), ("对", "项个", "新出台的文件作了解读"),
        ("发布图文解读", "篇", ""), ("开展政策解读", "次场", ""),
    ],
    "REQUESTS_RECEIVED": [
        ("共收到政府信息公开申请", "件", ""), ("全年受理政府信息公开申请", "件个", ""), ("本年度新收政府信息公开申请", "件", ""),
        ("共收到和处理政府信息公开申请", "件", ""), ("{a}共收到", "件", "申请"), ("收到公开申请合计", "件", ""),
        ("受理信息公开申请", "件", ""), ("共受理依申请公开", "件", ""), ("本年度受理依申请公开", "件", ""),
        ("新收依申请公开", "件", ""), ("{a}收到依申请公开事项", "件", ""),
    ],
    "HOTLINE_CASES": [
        ("办理12345热线", "件个", ""), ("办理书记信箱", "件", ""), ("回复网上问政", "个件条", ""), ("办理县长信箱来信", "件封", ""),
        ("答复网民留言", "条件", ""), ("受理政务咨询", "件个", ""), ("办理8890平台工单", "件", ""),
        ("通过热线电话答复群众", "通个", ""), ("办理市长信箱", "件", ""), ("回复民心网留言", "件条", ""),
        ("办理12345热线转办件", "件", ""), ("市民热线共受理来电", "件个", ""), ("在线答复企业和群众咨询", "件条", ""),
        ("门户网站收到网民留言", "条件", ""), ("网站留言板收到群众留言", "条件", ""), ("接听群众咨询电话", "个次", ""),
        ("12345便民服务平台受理群众咨询投诉", "件", ""), ("通过网上咨询答复群众", ["人次"], ""),
        ("热线电话解答群众咨询", ["人次", "个"], ""), ("通过书记信箱、县长信箱受理群众来信", "件封", ""),
        ("办理领导信箱来信", "件封", ""), ("答复群众网上留言", "条件", "，均按时办结"),
    ],
    "OPEN_DAY_EVENTS": [
        ("开展政府开放日活动", "场次", ""), ("举办政府开放日", "场次期", ""), ("组织“政府开放日”活动", "场次", ""),
        ("举办“{n}”开放日活动", "场", ""), ("组织污水处理厂等环保设施向公众开放活动", "次场", ""),
        ("开展“{n}”向公众开放活动", "场次", ""),
    ],
    "OPEN_DAY_PARTICIPANTS": [
        ("举办政府开放日活动，邀请", "名位", "群众代表参加"), ("在开放日活动中，共有", "名人", "市民参加"),
        ("开放日活动邀请", "名位", "服务对象代表、媒体代表"), ("政府开放日吸引", "人名", "参与"),
        ("开放日当天共接待参观群众", ["人", "名", "人次"], ""), ("共计", ["人", "人次"], "参加了政府开放日活动"),
        ("政府开放日活动中，", "名", "市民代表走进机关"), ("参加开放日的群众达", "人", ""),
        ("开放日期间，共吸引", ["人次"], "走进政府"),
        ("邀请人大代表、政协委员和群众代表", "名人", "参加“住建开放日”活动"),
        ("组织", "名人", "群众参加政府开放日活动"), ("环保设施向公众开放活动中，参与群众", ["人", "人次"], ""),
    ],
    "TRAINING_SESSIONS": [
        ("组织业务培训", "次场期", ""), ("举办政务公开专题培训", "次场期", ""), ("开展业务培训", "次", ""),
        ("组织专题学习", "次", ""), ("举办公开业务培训", "期次", ""), ("开展政务公开培训", "场次", ""),
    ],
    "FOLLOWERS": [
        ("累计关注人数上升至", "人", ""), ("粉丝数达", "人万", ""), ("关注用户达", "人", ""), ("订阅用户", "人户", ""),
        ("只有", "人", "关注"), ("现有关注者", "人", ""), ("客户端注册用户达", "人个", ""),
        ("粉丝量增至", "万人", ""), ("粉丝", "万", ""), ("关注人数突破", "万", ""),
    ],
}
# negative cases: no span (phrase before, measure words, phrase after)
DISTRACTORS: list[tuple[str, str, str]] = [
    ("微信公众号发布", "期", ""), ("其中工作动态", "条件", ""), ("通知公告", "条", ""), ("人事信息", "条", ""),
    ("向上级报送信息", "条篇", ""), ("被采用", "条篇", ""), ("被上级采用稿件", "篇条", ""), ("在《某某日报》刊发稿件", "篇", ""),
    ("电视台播出新闻", "条", ""), ("自2008年以来累计公开信息", "条", ""), ("历年累计发布", "条", "信息"),
    ("制发文件", "件", ""), ("行政处罚", "件", ""), ("办理人大代表建议", "件", ""), ("清理规范性文件", "件", ""),
    ("召开专题会议", "次", ""), ("听取工作汇报", "次", ""), ("开展监督检查", "次", ""), ("召开新闻发布会", "场", ""),
    ("开设政务新媒体账号", "个", ""), ("建立工作微信群", "个", ""), ("政策法规、政策解读", "条", ""),
    ("办事指南及政策解读", "条", ""), ("办结", "件", ""), ("自然人申请", "件", ""), ("予以公开", "件", ""),
    ("结转下年度", "件", ""), ("受理信访", "件", ""), ("开展直播", "场", ""), ("制作宣传片", "个", ""),
    ("培训干部", ["人次"], ""), ("政务服务事项", "项", ""), ("办件总量为", "件", ""), ("发放征求表", "份", ""),
    ("收集意见建议", "条", ""), ("聘请监督员", "名", ""), ("开展宣传活动", "次场", ""), ("推出节目", "期", ""),
    ("组织", "期", "《问政》节目"), ("受理信访事项", "起件", ""), ("抽检农产品", "批", "次"),
    ("注销政务新媒体", "个", ""), ("行政复议案件", "件", ""), ("涉及企业", "家", ""), ("公开财政预决算信息", "条", "，其中部门预算"),
    ("窗口现场咨询", ["人次"], ""), ("大厅接待办事群众", ["人次"], ""), ("年度报告", "条", ""), ("公开指南", "条", ""),
    ("公开制度", "条", ""), ("公开{t}等信息共", "条", ""), ("其中{t}类信息", "条件", ""),
    # applications for permits and services at a service hall are no disclosure requests
    ("政务服务大厅共受理申请", "件", ""), ("窗口受理行政许可申请", "件", ""), ("全年受理各类办事申请", "件", ""),
    ("网上办事平台受理申请", "件", ""), ("受理审批服务事项申请", "件", ""),
    # viewers of a live broadcast are not open-day participants
    ("同步开展网络直播，线上观看", ["人次"], ""), ("直播累计观看", ["人次"], ""),
    # readers, views and clicks are no posts and no followers
    ("政务微博阅读量达", "万", ""), ("公众号文章累计阅读", ["人次", "次", "万"], ""), ("网站全年访问量", ["人次", "万"], ""),
    ("短视频播放量", "万次", ""), ("信息点击量", "次万", ""),
    # rates and targets are no counts of the year
    ("要求各单位政务新媒体每周更新不少于", "条", ""),
    # a year's gain of followers is no follower count; targets are no counts of the year
    ("公众号全年新增关注", "人", ""), ("粉丝数较上年增加", "人", ""), ("力争明年关注人数突破", "人", ""),
    ("力争全年开展培训", "次", "以上"), ("确保全年开放活动不少于", "次", ""), ("网站日均更新信息", "条", ""), ("公众号每月推送", "篇", "以上"),
]
# content areas a channel's count may name before 等信息 (they do not make it a category count)
TOPICS = ["涉农补贴", "项目资金", "惠民政策", "招生入学", "学生资助", "土地征收", "规划许可", "税收政策", "纳税服务",
          "医保政策", "就业创业", "养老服务", "工作动态", "通知公告", "政策文件", "民生实事", "环境监测"]
HEADINGS = ["（一）主动公开情况。", "（二）依申请公开情况。", "（三）政府信息管理情况。", "（四）平台建设情况。",
            "（五）监督保障情况。", "一、总体情况", ""]
FILLERS = ["{a}始终重视政务公开", "严格落实信息发布审核制度", "坚持以公开为常态、不公开为例外",
           "于{m}月{d}日召开工作会议", "公开率达{p}%", "按照上级要求", "进一步规范信息发布流程",
           "{y}年{m}月，{a}开通“{n}”微信公众号", "本报告数据统计期限为{y}年1月1日至12月31日"]


@dataclass
class SynthDoc:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, label)
    statements: list[tuple[int, int, str]] = field(default_factory=list)


def _numeral(rng: random.Random, label: str | None, value: int | None = None) -> tuple[str, str, int]:
    """(leading word outside the span, numeral text inside it, value); ``value`` fixes it."""
    big = label in ("POSTS_TOTAL", "POSTS_WEBSITE", "POSTS_NEWMEDIA", "FOLLOWERS", "POSTS_WECHAT", "HOTLINE_CASES",
                    "OPEN_DAY_PARTICIPANTS")
    v = value if value is not None else rng.choice([rng.randint(0, 9), rng.randint(10, 99), rng.randint(100, 999),
                                                    rng.randint(1000, 20000) if big else rng.randint(10, 60)])
    lead = rng.choice(["", "", "", "共", "近", "约", "超过", "逾", "累计", "达", "共计"])
    style = rng.random()
    if style < 0.12 and 0 < v < 100:
        if v == 2 and rng.random() < 0.6:
            return lead, "两", v
        return lead, cn2an.an2cn(v).replace("一十", "十") if v < 20 else cn2an.an2cn(v), v
    if style < 0.16 and 1000 <= v < 10000 and value is None:  # 三千余人次, 两千
        k = v // 1000
        return lead, ("两" if k == 2 else cn2an.an2cn(k)) + "千", k * 1000
    if style < 0.2 and big and v >= 1000:
        w = round(v / 10000, 1)
        if w > 0:
            return lead, f"{w:g}万", int(round(w * 10000))
    sp = rng.choice(["", "", "", " "])
    return lead, f"{sp}{v}{sp}", v


_LEAD_END = re.compile(r"(?:共|共计|累计|达|超过|逾|近|约|为|至|突破)$")


def _mention(rng: random.Random, label: str | None, tpl: tuple[str, str, str],
             value: int | None = None) -> tuple[str, int, int]:
    """A clause with one number (``value`` if given); returns (clause, span start, span end) within it."""
    before, measures, after = tpl
    before = before.format(a=rng.choice(AGENCIES), n=rng.choice(NAMES), k=rng.randint(2, 40),
                           t="、".join(rng.sample(TOPICS, rng.randint(1, 3))))
    lead, num, v = _numeral(rng, label, value)
    mw = rng.choice(measures) if rng.random() > 0.04 else ""
    if not mw and not re.search(r"\d", num) or num in ("一", "两") and mw not in ("次", "场", "期"):
        num = str(v)  # as the candidate finder reads them: 七十四 needs its measure word, 两 one of 次场期
    tail = rng.choice(["", "", "", "余", "多"]) if not lead and mw and (
        num.strip().isdigit() and int(num) >= 10 or num.endswith(("千", "百"))) else ""
    if mw == "万":  # 粉丝数达1.2万, 粉丝120余万
        mw, tail = "", ""
        num = num if re.search(r"\d", num) else str(v)  # 三万 alone is no candidate (千万 is a word)
        big_n = not lead and num.strip().isdigit() and int(num) >= 10
        num = num if "万" in num else num.strip() + rng.choice(["万", "万", "余万"] if big_n else ["万"])
    after_q = rng.choice(["", "", "", "左右"]) if not tail and not lead else ""
    lead = "" if _LEAD_END.search(before) or (lead and lead[0] in before) else lead  # one leading word
    clause = before + lead
    s = len(clause)
    span = num + tail + mw
    clause += span
    e = len(clause.rstrip())
    s += len(span) - len(span.lstrip())
    clause += after_q + after
    return clause, s, e


def _append(rng: random.Random, text: str, spans: list[tuple[int, int, str]], label: str,
            tpl: tuple[str, str, str], value: int | None = None, span: bool = True) -> str:
    """``text`` followed by one mention (``_mention``); its span joins ``spans`` unless
    ``span`` is false."""
    clause, s, e = _mention(rng, label, tpl, value)
    if span:
        spans.append((len(text) + s, len(text) + e, label))
    return text + clause


# parts of a total that are not facts themselves (guideline: a breakdown, a share of a
# total, content categories)
UNITS = ["市直各部门", "各乡镇（街道）", "区直单位", "各县（市、区）", "本级机关", "下属单位", "各职能科室", "各街道"]
HOTLINE_KINDS = ["咨询类", "投诉类", "求助类", "建议类", "举报类"]
CATEGORIES = ["机构职能类", "政策法规类", "规划计划类", "财政资金类", "民生保障类", "人事任免类", "行政执法类", "工作动态类",
              "其他类", "其他方面"]


# a channel's accounts and what they published: "微博N个，发布信息M条" — N counts
# accounts (no fact), M is the channel's posts
ACCOUNT_CHANNELS = {
    "POSTS_WECHAT": ["微信公众号", "政务微信", "公众号"],
    "POSTS_WEIBO": ["微博", "政务微博", "微博账号"],
    "POSTS_NEWMEDIA": ["抖音号", "头条号", "视频号", "政务新媒体"],
}
POST_VERBS = ["发布信息", "共发布信息", "全年推送", "累计发布", "发布各类信息", "推送内容", "共推送"]
ACCOUNT_LEADS = ["共开设政务新媒体", "现有政务新媒体账号", "{a}所属政务新媒体共"]
# information made in the year and its proactive part (the pre-2019 outline): only the
# proactive part is POSTS_TOTAL
PRODUCED = ["全年共制作政府信息", "本年度新产生政府信息", "{a}新生成政府信息", "共梳理本年度政府信息"]
PROACTIVE_PART = ["主动公开政府信息", "主动公开", "属于主动公开的"]
OTHER_PARTS = ["依申请公开的", "不予公开信息", "不主动公开信息", "部分公开信息"]
# a total's parts by channel: each part is that channel's fact
CHANNEL_PARTS = {
    "POSTS_WEBSITE": ["政府网站发布", "门户网站公开", "在信息公开网发布", "网站公开", "门户网站", "政府网站"],
    "POSTS_WECHAT": ["微信公众号推送", "政务微信发布", "公众号发布", "微信公众号", "政务微信"],
    "POSTS_WEIBO": ["官方微博发布", "微博发布", "政务微博", "官方微博"],
    "POSTS_NEWMEDIA": ["政务新媒体发布", "抖音号发布", "新媒体平台发布", "抖音号", "政务新媒体"],
}


def _accounts(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """Accounts per channel with their posts; only the posts are spans."""
    labels = rng.sample(list(ACCOUNT_CHANNELS), rng.randint(1, 3))
    accounts = [rng.randint(1, 60) for _ in labels]
    text = ""
    if rng.random() < 0.5:
        text = rng.choice(ACCOUNT_LEADS).format(a=rng.choice(AGENCIES)) + f"{sum(accounts) + rng.randint(0, 20)}个，其中"
    spans = []
    for i, (label, n) in enumerate(zip(labels, accounts)):
        if i:
            text += rng.choice(["；", "，"])
        text += f"{rng.choice(ACCOUNT_CHANNELS[label])}{n}个，"
        text = _append(rng, text, spans, label, (rng.choice(POST_VERBS), "条篇", ""),
                       value=rng.randint(n, n * rng.choice([10, 50, 200])))
    return text, spans


def _produced(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """Information made in the year, then its proactive part (POSTS_TOTAL) and others."""
    made = rng.randint(200, 9000)
    text = rng.choice(PRODUCED).format(a=rng.choice(AGENCIES)) + f"{made}{rng.choice('条件')}"
    text += rng.choice(["，其中", "。其中，", "，其中："])
    spans: list[tuple[int, int, str]] = []
    text = _append(rng, text, spans, "POSTS_TOTAL", (rng.choice(PROACTIVE_PART), "条件", ""),
                   value=rng.randint(made // 5, made))
    for part in rng.sample(OTHER_PARTS, rng.randint(0, 2)):
        text += f"，{part}{rng.randint(0, 300)}{rng.choice('条件')}"
    return text, spans


def _channel_parts(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """A total (POSTS_TOTAL) and its parts by channel: every number is a span."""
    total = rng.randint(30, 12000)
    spans: list[tuple[int, int, str]] = []
    text = _append(rng, "", spans, "POSTS_TOTAL", rng.choice(FACTS["POSTS_TOTAL"]), value=total)
    text += rng.choice(["，其中", "。其中，", "，其中：", "，"])
    for i, label in enumerate(rng.sample(list(CHANNEL_PARTS), rng.randint(2, 3))):
        if i:
            text += rng.choice(["；", "，", "、", "、"])
        text = _append(rng, text, spans, label, (rng.choice(CHANNEL_PARTS[label]), "条篇", ""),
                       value=rng.randint(1, max(1, total // 2)))
    return text, spans


# a count given only by its kinds (labels.md: a channel's count only in parts, each part a
# span; interpretations wherever stated); with its total stated, the kinds are no spans
# (except interpretations)
INTERPRETATION_FORMS = ["文字解读", "图文解读", "图解", "动漫解读", "视频解读", "专家解读", "H5解读", "一图读懂",
                        "新闻发布会解读", "音频解读"]
REQUEST_WAYS = ["当面申请", "网络申请", "信函申请", "电子邮件申请", "传真申请", "网上申请", "现场申请"]


def _kinds(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """Interpretations by form (every one a span), or requests by the way they came
    (spans when no total is stated, else only the total)."""
    spans: list[tuple[int, int, str]] = []
    if rng.random() < 0.5:
        label, kinds, mws, total = "POLICY_INTERPRETATIONS", INTERPRETATION_FORMS, "篇个条期", None
        text = rng.choice(["全年发布", "{a}共制作", "推出", "围绕重要政策发布", ""]).format(a=rng.choice(AGENCIES))
    else:
        label, kinds, mws = "REQUESTS_RECEIVED", REQUEST_WAYS, "件"
        total = rng.random() < 0.5
        text = rng.choice(["全年收到", "{a}共受理", "本年度收到", "新收"]).format(a=rng.choice(AGENCIES))
        if total:
            text = _append(rng, text, spans, label, ("政府信息公开申请", "件", ""))
            text += rng.choice(["，其中", "。其中，", "，其中："])
    for i, kind in enumerate(rng.sample(kinds, rng.randint(2, 3))):
        if i:
            text += rng.choice(["、", "，", "；"])
        text = _append(rng, text, spans, label, (kind, mws, ""), value=rng.randint(0, 60), span=not total)
    return text, spans


OPEN_DAY_EVENT = ["举办政府开放日活动", "开展开放日主题活动", "组织开放日活动", "全年举办开放日"]
OPEN_DAY_PEOPLE = [("", ["人次"], "参与"), ("累计接待参观群众", ["人次", "人"], ""), ("吸引", ["人次", "人"], "走进机关"),
                   ("邀请群众代表", ["名", "人"], "参加"), ("共有", ["名", "人", "人次"], "市民参与")]


def _open_day(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """Open-day events and their participants in one sentence: both are spans."""
    spans: list[tuple[int, int, str]] = []
    text = _append(rng, "", spans, "OPEN_DAY_EVENTS", (rng.choice(OPEN_DAY_EVENT), "场次期", "")) + "，"
    return _append(rng, text, spans, "OPEN_DAY_PARTICIPANTS", rng.choice(OPEN_DAY_PEOPLE)), spans


def _breakdown(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """A total (``POSTS_TOTAL``, or a channel's count) followed by its parts by unit or
    by category, each perhaps with its share (占N%); only the total is a span."""
    label = rng.choice(["POSTS_TOTAL", "POSTS_TOTAL", "POSTS_WEBSITE", "HOTLINE_CASES"])
    spans: list[tuple[int, int, str]] = []
    clause = _append(rng, "", spans, label, rng.choice(FACTS[label]))
    clause += rng.choice(["。其中，", "，其中", "，其中：", "。按单位分，"] if label != "HOTLINE_CASES" else ["，其中", "。其中，"])
    by_unit = rng.random() < 0.5 and label != "HOTLINE_CASES"
    names = rng.sample(UNITS if by_unit else HOTLINE_KINDS if label == "HOTLINE_CASES" else CATEGORIES, rng.randint(2, 3))
    for i, name in enumerate(names):
        verb = (rng.choice(["主动公开政府信息", "公开信息", "发布", ""]) if by_unit else
                rng.choice(["", "诉求", "事项"]) if label == "HOTLINE_CASES" else rng.choice(["信息", "政府信息"]))
        clause += f"{name}{verb}{rng.randint(3, 3000)}{rng.choice('件个' if label == 'HOTLINE_CASES' else '条件')}"
        if rng.random() < 0.6:
            clause += f"，占{rng.randint(5, 80)}" + rng.choice(["%", ".5%", "％"])
        clause += "；" if i < len(names) - 1 else ""
    return clause, spans


def paragraphs(n: int, seed: int = 0) -> list[SynthDoc]:
    """``n`` overview-like paragraphs with their quantity spans."""
    rng = random.Random(seed)
    labels = list(FACTS)
    out = []
    for _ in range(n):
        text = rng.choice(HEADINGS)
        spans = []
        for _ in range(rng.randint(2, 7)):
            r = rng.random()
            if r < 0.45:
                label = rng.choice(labels)
                clause, s, e = _mention(rng, label, rng.choice(FACTS[label]))
            elif r < 0.75:
                label = None
                clause, s, e = _mention(rng, None, rng.choice(DISTRACTORS))
            elif r < 0.85:  # a total and its parts, accounts and their posts, made and published
                clause, parts = rng.choice([_breakdown, _breakdown, _accounts, _produced, _channel_parts, _kinds, _open_day])(rng)
                base = len(text)
                text += clause + rng.choice(["。", "；"])
                spans += [(base + a, base + b, lab) for a, b, lab in parts]
                continue
            else:
                label = None
                clause, s, e = rng.choice(FILLERS).format(a=rng.choice(AGENCIES), m=rng.randint(1, 12),
                                                          d=rng.randint(1, 28), p=rng.randint(50, 100),
                                                          y=rng.randint(2015, 2025), n=rng.choice(NAMES)), 0, 0
            base = len(text)
            text += clause + rng.choice(["，", "，", "；", "。", "、"])
            if label is not None:
                spans.append((base + s, base + e, label))
        text = text[:-1] + "。"
        out.append(SynthDoc(text, spans))
    return out


AREAS = ["政策解读", "信息公开", "政务新媒体", "依申请公开", "公开队伍建设", "栏目设置", "信息发布", "政务公开平台",
         "重点领域信息公开", "公开内容", "回应关切", "政务公开工作机制", "基层政务公开", "公开质量"]
PROBLEM_TAILS = ["还需进一步加强", "有待提高", "不够及时", "形式单一", "质量不高", "仍有差距", "不够规范", "意识不强",
                 "覆盖面不广", "内容不够丰富", "针对性不强", "存在薄弱环节", "力量不足", "仍需完善", "更新不够及时"]
PROBLEM_MORE = ["个别单位重视程度不够", "工作人员多为兼职，流动性较大", "主要还是文字解读，图解、视频等形式运用较少",
                "与群众期待相比还有一定差距", "部分栏目存在信息更新滞后的情况", "对政策文件的解读不够深入"]
REMEDY_VERBS = ["进一步加强", "持续深化", "加大", "不断完善", "着力提升", "切实做好", "健全", "拓宽", "丰富", "强化",
                "扎实推进", "全面提升", "继续优化", "认真落实"]
REMEDY_OBJS = ["工作力度", "工作机制", "质量和水平", "渠道", "形式", "培训力度", "审核把关", "监督考核"]
REMEDY_MORE = ["确保政府信息公开工作制度化、规范化", "让群众看得到、听得懂、能监督", "定期组织业务培训，提升工作人员能力",
               "将政务公开纳入年度绩效考核", "及时回应社会关切", "做到应公开尽公开"]
FRAMING_P = ["一年来，{a}政府信息公开工作取得了一定成效，但还存在一些问题：", "{y}年，{a}政务公开工作取得明显进展，但仍存在一些不足。",
             "对照上级要求，仍存在以下问题：", "存在的问题主要有以下几个方面：", "但仍存在一些薄弱环节："]
FRAMING_R = ["下一步，{a}将采取以下措施加以改进：", "针对上述问题，{a}将重点做好以下工作：", "{y}年，{a}将从以下方面加以改进：",
             "下一步，{a}将严格落实政务公开工作要求。", "针对存在的问题，{a}将着力抓好以下工作："]
HEAD_P = ["（一）存在的主要问题", "存在问题", "（一）存在问题。", "1.存在的问题："]
HEAD_R = ["（二）改进措施", "改进措施", "（二）改进情况。", "2.下一步工作打算：", "六、下一步工作重点和整改措施"]
MARKERS = [lambda i: cn2an.an2cn(i) + "是", lambda i: f"（{cn2an.an2cn(i)}）", lambda i: f"{i}.", lambda i: f"({cn2an.an2cn(i)})"]


def _problem(rng: random.Random) -> str:
    s = rng.choice(AREAS) + rng.choice(["方面", "工作", ""]) + rng.choice(PROBLEM_TAILS)
    if rng.random() < 0.5:
        s += rng.choice(["，", "。"]) + rng.choice(PROBLEM_MORE)
    return s + rng.choice(["。", "；", "。"])


def _remedy(rng: random.Random) -> str:
    s = rng.choice(REMEDY_VERBS) + rng.choice(AREAS) + rng.choice(REMEDY_OBJS)
    if rng.random() < 0.6:
        s += rng.choice(["，", "。"]) + rng.choice(REMEDY_MORE)
    return s + rng.choice(["。", "；", "。"])


def problem_sections(n: int, seed: int = 0) -> list[SynthDoc]:
    """``n`` problems-section texts with their PROBLEM/REMEDY statement spans."""
    rng = random.Random(seed + 1)
    out = []
    for _ in range(n):
        doc = SynthDoc("")
        fmt = dict(a=rng.choice(AGENCIES), y=rng.randint(2015, 2025))
        enum = rng.random() < 0.75
        headed = rng.random() < 0.4
        sep = rng.choice(["\n", "", "\n\n"])
        for kind, make, heads, framings in (("PROBLEM", _problem, HEAD_P, FRAMING_P),
                                            ("REMEDY", _remedy, HEAD_R, FRAMING_R)):
            if headed:
                doc.text += rng.choice(heads) + sep
            if rng.random() < 0.7:
                doc.text += rng.choice(framings).format(**fmt) + rng.choice([sep, ""])
            marker = rng.choice(MARKERS)
            for i in range(1, rng.randint(1, 4) + 1):
                item = make(rng)
                item = item if enum else item[:-1] + "。"
                if enum:
                    doc.text += marker(i) + rng.choice(["", "", " "])
                s = len(doc.text)
                doc.text += item
                doc.statements.append((s, len(doc.text), kind))
                doc.text += rng.choice([sep, "", "\n"]) if enum else rng.choice(["", sep])
            doc.text = doc.text.rstrip() + "\n"
        out.append(doc)
    return out
