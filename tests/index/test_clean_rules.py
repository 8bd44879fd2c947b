"""The cleaning rules of index/clean.py on short lines written here, beyond tests/index/test_rules.py.

Every span is checked against the text it indexes: a LOST span must cover a visible '?' (or a
damaged character that could not be restored, kept as written), a REPAIRED span the restored one. Rows marked xfail(strict=True) would be wrong answers (none today).
"""
from __future__ import annotations

import pytest

from index.clean import CleanReport, clean_lines, is_furniture, repair_line, unshift
from index.models import SpanKind

LOST, REPAIRED = SpanKind.LOST, SpanKind.REPAIRED


def fw(text: str) -> str:
    """Full-width colon and parentheses, written as escapes so no editor folds them to ASCII."""
    return text.translate(str.maketrans(":()", "\uff1a\uff08\uff09"))


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


# ------------------------------------------------------------------------------ one line
# (raw line, cleaned text, [(span start, kind)]); every span is one character long.
REPAIRS = [
    # the encoding shift: X/p> had its '<' eaten and X lowered by one in its last UTF-8 byte
    case("实施方桇/p> -> 实施方案", "实施方桇/p>", "实施方案", [(3, REPAIRED)]),
    case("政庛/p> -> 政府", "中山市人民政庛/p>", "中山市人民政府", [(6, REPAIRED)]),
    case("an ideographic comma shifted from a full stop", "请径向市市场监管局反映、/p>",
         "请径向市市场监管局反映。", [(11, REPAIRED)]),
    case("other closing tags: </div>", "实施方桇/div>", "实施方案", [(3, REPAIRED)]),
    case("other closing tags: </span>", "实施方桇/span>", "实施方案", [(3, REPAIRED)]),
    case("a character that cannot be unshifted stays, marked lost", "甲\u4e3f/p>", "甲\u4e3f", [(1, LOST)]),
    case("an ASCII '~' cannot be unshifted either", "a~/p>", "a~", [(1, LOST)]),
    case("?/p>: the character itself is gone", "方案?/p>", "方案?", [(2, LOST)]),
    case("?/p> after a space", "内容 ?/p>", "内容 ?", [(3, LOST)]),
    case("a word that is not a tag name after '/' is no shift", "和/或", "和/或", []),
    # a lost character before a mangled entity whose '&' was eaten
    case("?ldquo; and ?rdquo; around a phrase", "打造?ldquo;中山质量?rdquo;品牌",
         "打造?“中山质量?”品牌", [(2, LOST), (8, LOST)]),
    case("?ldquo; at the start of a line", "?ldquo;质量强市?rdquo;", "?“质量强市?”", [(0, LOST), (6, LOST)]),
    case("an unknown entity name after '?' is left alone", "x?abcdefg;y", "x?abcdefg;y", []),
    # bare '?'
    case("a lost digit of a target figure", "全市认证的企?000家以上", "全市认证的企?000家以上", [(6, LOST)]),
    case("a signature date with lost characters", "2021?2?3?", "2021?2?3?", [(4, LOST), (6, LOST), (8, LOST)]),
    case("a '?' at the end of CJK text", "质量?", "质量?", [(2, LOST)]),
    case("a '?' in an English sentence is a question mark", "What? No.", "What? No.", []),
    case("a '?' in a URL is a question mark", "http://x.cn/?id=1", "http://x.cn/?id=1", []),
    case("a full-width question mark is a question mark", "是否达标\uff1f", "是否达标\uff1f", []),
    # markup and entities, and that spans after them still index the cleaned text
    case("intact tags are removed", "<p>一、总则</p>", "一、总则", []),
    case("a tag with attributes before a lost character",
         '<span style="x">企?000家</span>实施方桇/p>', "企?000家实施方案", [(1, LOST), (9, REPAIRED)]),
    case("an entity before a lost character", "&ldquo;企?000家", "“企?000家", [(2, LOST)]),
    case("numeric entities", "&#8220;质量&#8221;", "“质量”", []),
    case("no damage, no spans", "(一)建立健全标准体系。", "(一)建立健全标准体系。", []),
]


@pytest.mark.parametrize("raw,text,spans", REPAIRS)
def test_repair_line(raw, text, spans):
    line = repair_line(raw, CleanReport())
    assert line.text == text
    assert [(s.start, s.kind) for s in line.spans] == spans
    for s in line.spans:
        assert s.end == s.start + 1
        if s.kind is LOST:       # a visible '?', or the damaged character before a lost '<' as written
            assert line.text[s.start] == "?" or raw.find(line.text[s.start] + "/") >= 0


def test_repaired_span_covers_the_restored_character():
    line = repair_line("关于加快推进质量强市建设的实施方桇/p>", CleanReport())
    [span] = line.spans
    assert line.text[span.start:span.end] == "案" and span.note == "桇→案"


@pytest.mark.parametrize("raw", ["实施方桇/p>", "中山市人民政庛/p>", "反映、/p>", "内容)/p>"])
def test_unshift_is_the_inverse_of_the_damage(raw):
    """The damage took one from the last UTF-8 byte; unshift adds it back: damage(unshift(x)) == x."""
    damaged = raw[raw.index("/") - 1]
    fixed = unshift(damaged)
    raw_bytes = bytearray(fixed.encode("utf-8"))
    raw_bytes[-1] -= 1
    assert raw_bytes.decode("utf-8") == damaged


def test_report_counts_repairs_and_losses():
    report = CleanReport()
    repair_line("企?000家,实施方桇/p>", report)
    repair_line("中山市人民政庛/p>", report)
    repair_line("打造?ldquo;品牌", report)
    assert report.repaired == ["桇→案", "庛→府"] and report.lost == 2


# ------------------------------------------------------------------------------ furniture
FURNITURE = [
    case("浏览次数", "浏览次数:3", True),
    case("点击量", "点击量:5", True),
    case("浏览量 with a full-width colon", fw("浏览量:12"), True),
    case("浏览量 in traditional script", "瀏覽量:12", True),
    # a page's date line is the document's date when nothing better gives one: kept (index/issuing.py
    # takes it out of the body and into the 发文 clause), no longer dropped as furniture
    case("发布时间 with a date is issuing information, not furniture", "发布时间:2018-12-22 21:39:40", False),
    case("时间 with a 年 date is issuing information, not furniture", "时间:2018年12月22日", False),
    case("浏览量 before a 时间 on one line is furniture", "浏览量:12   时间:2018-12-22 21:39:40", True),
    case("a line ending in 微信公众号", "东莞市人民政府微信公众号", True),
    case("长按识别二维码", "长按识别二维码", True),
    case("原文链接", "原文链接:http://x.cn/1.html", True),
    case("本文地址", "本文地址:http://x.cn/1.html", True),
    case("标签", "标签:质量", True),
    case("责任编辑", "责任编辑:张三", True),
    case("分享到", "分享到:", True),
    case("打印本页", "打印本页", True),
    case("上一篇", "上一篇:关于印发某方案的通知", True),
    case("返回顶部", "返回顶部", True),
    case("(此件公开发布)", "(此件公开发布)", True),
    case("(此件公开发布) in full-width parentheses", fw("(此件公开发布)"), True),
    case("a 时间节点 line of a plan is policy text", "时间节点:2025年底前完成", False),
    case("a sentence naming 微信公众号 is policy text", "充分利用电视、微信公众号等媒体加强宣传。", False),
    case("a sentence that quotes 关键词 is policy text", "突出质量关键词:标准、品牌。", False),
    case("a clause heading line ending in 微信公众号 is policy text", "(三)建设“质量中山”微信公众号", False),
    case("an item line ending in 微信公众号 is policy text", "3.开通官方微信公众号", False),
    case("a chapter line starting 免责声明-like words is policy text", "一、责任编辑与审核", False),
]


@pytest.mark.parametrize("line,furniture", FURNITURE)
def test_furniture(line, furniture):
    assert is_furniture(line) is furniture


# ------------------------------------------------------------------------------ whole text
def test_clean_lines_drops_furniture_and_blank_lines_and_reports_them():
    report = CleanReport()
    text = ("东莞市开展产品质量提升行动实施方案\n\n浏览量:   时间:2018-12-22 21:39:40\n  \n"
            "  一、总体要求  \n扫描二维码 关注我们\n(一)指导思想。全面贯彻。\n本文链接:http://x.cn/1.html\n")
    lines = clean_lines(text, report)
    assert [l.text for l in lines] == ["东莞市开展产品质量提升行动实施方案", "一、总体要求", "(一)指导思想。全面贯彻。"]
    assert report.furniture == ["浏览量:   时间:2018-12-22 21:39:40", "扫描二维码 关注我们", "本文链接:http://x.cn/1.html"]


def test_clean_lines_drops_lines_that_were_only_markup():
    assert [l.text for l in clean_lines("<p></p>\n<div><br/></div>\n正文。", CleanReport())] == ["正文。"]


def test_clean_lines_spans_index_each_stripped_line():
    lines = clean_lines("   全市认证的企?000家以上\n实施方桇/p>", CleanReport())
    assert [(l.text, [(s.start, s.kind) for s in l.spans]) for l in lines] == [
        ("全市认证的企?000家以上", [(6, LOST)]), ("实施方案", [(3, REPAIRED)])]
