"""Statement segmentation of the problems section (extraction.statements)."""
from extraction.statements import classifier_input, segment


def texts(text):
    return [(u.text, u.enumerated, u.zone) for u in segment(text)]


def test_enumerated_items_and_zones():
    text = ("一年来取得了一定成效，但还存在一些问题：一是政策解读不够丰富；二是队伍建设有待加强。"
            "下一步，我局将采取以下措施：一是丰富解读形式。二是加强培训，提升能力。")
    got = texts(text)
    assert ("政策解读不够丰富；", True, "P") in got
    assert ("队伍建设有待加强。", True, "P") in got
    assert ("下一步，我局将采取以下措施：", False, "P") in got  # the transition is cut off the item
    assert ("丰富解读形式。", True, "R") in got
    assert ("加强培训，提升能力。", True, "R") in got


def test_headings_split_off_and_sentences_without_enumeration():
    text = "（一）存在的主要问题：解读形式不够丰富。公开渠道有限。\n（二）改进措施：一是拓宽渠道。"
    got = [t for t, _, _ in texts(text)]
    assert got == ["存在的主要问题：", "解读形式不够丰富。", "公开渠道有限。", "改进措施：", "拓宽渠道。"]


def test_multi_sentence_item_and_pdf_line_breaks():
    text = ("针对存在问题，下一步，将切实抓好以下工作：一\n是扎实推进依申请公开工作，全面梳理和优化工\n作流程。"
            "二是继续加强业务指导培训。实行政府信息公开工作\n- 4 -\n人员跟班学习制度。")
    got = [t for t, _, _ in texts(text)]
    assert got == ["针对存在问题，下一步，将切实抓好以下工作：", "扎实推进依申请公开工作，全面梳理和优化工\n作流程。",
                   "继续加强业务指导培训。实行政府信息公开工作\n- 4 -\n人员跟班学习制度。"]


def test_classifier_input_carries_zone_and_enumeration():
    u = segment("存在问题：一是公开不及时。")[-1]
    assert classifier_input(u) == "PE 公开不及时。"


def test_attachments_and_table_rows_are_not_statements():
    text = ("一是加强培训。二○一二年二月二十日 附件1：统计表 指标名称 计量 单位 主动公开信息数 条 425 1516 "
            "其中：1.网站公开 条 418 1509 2.政府公报公开 条 7 7")
    assert [u.text for u in segment(text)] == ["加强培训。"]
    assert [u.text for u in segment("一是公开不及时。\n规章\t0\t0\t0\n")] == ["公开不及时。"]
