"""The metadata rules of index/metadata.py, one table per rule, on a few lines of document text each.

Every input goes through what index/document.py does before extract(): clean_lines, then
body_start. The inputs are written here, not taken from the shipped corpus, so a row tests a rule
and not a file. Rows marked xfail(strict=True) are cases where the rule gives a wrong answer today;
each reason says why, and the mark must go once the rule is fixed (strict: an XPASS fails).
"""
from __future__ import annotations

import pytest

from index.clean import CleanReport, clean_lines
from index.metadata import Metadata, extract
from index.models import Level
from index.structure import body_start

BODY = "一、总体要求\n(一)指导思想。全面贯彻落实。"


def fw(text: str) -> str:
    """The text with full-width parentheses, colons and commas, as many source files write them
    (written as escapes here, so no editor or formatter can turn them back into ASCII)."""
    return text.translate(str.maketrans("():,", "\uff08\uff09\uff1a\uff0c"))


def meta_of(text: str) -> Metadata:
    lines = clean_lines(text, CleanReport())
    return extract(lines, body_start(lines), text)


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


# ---------------------------------------------------------------------------------------- title
TITLES = [
    case("plain title line before the first chapter",
         "东莞市开展产品质量提升行动实施方案\n" + BODY, "东莞市开展产品质量提升行动实施方案"),
    case("the plan, not its cover notice (last title-like line wins)",
         "东莞市人民政府办公室关于印发东莞市开展产品质量提升行动实施方案的通知\n"
         "各镇人民政府,市府直属各单位:\n东莞市开展产品质量提升行动实施方案\n" + BODY,
         "东莞市开展产品质量提升行动实施方案"),
    case("X印发《Y》 gives Y",
         "中共中央 国务院印发《质量强国建设纲要》\n" + BODY, "质量强国建设纲要"),
    case("X关于印发《Y》的通知 gives Y",
         "东莞市人民政府办公室关于印发《东莞市开展产品质量提升行动实施方案》的通知\n" + BODY,
         "东莞市开展产品质量提升行动实施方案"),
    case("印发《Y》 in traditional script gives Y as written",
         "汕頭市人民政府關於印發《汕頭市質量強市2014—2015年行動計畫》的通知\n" + BODY,
         "汕頭市質量強市2014—2015年行動計畫"),
    case("a part marker (下) after 《Y》 is not part of the title",
         "中共中央 国务院印发《质量强国建设纲要》(下)\n" + BODY, "质量强国建设纲要"),
    case("a short parenthesis such as (试行) stays in the title",
         "东莞市政府质量奖管理办法(试行)\n" + BODY, "东莞市政府质量奖管理办法(试行)"),
    case("a full-width (试行) stays in the title as written",
         fw("东莞市政府质量奖管理办法(试行)\n") + BODY, fw("东莞市政府质量奖管理办法(试行)")),
    case("spaces inside a title line are dropped",
         "全面推进质量强市建设 实施方案\n" + BODY, "全面推进质量强市建设实施方案"),
    case("a line with a colon is a header field, not a title",
         "- 中文名:东莞市质量提升方案\n" + BODY, ""),
    case("a line with a full-width colon is a header field, not a title",
         fw("- 中文名:东莞市质量提升方案\n") + BODY, ""),
    case("a sentence ending in 。 is not a title",
         "为全面提升产品质量,制定本方案。\n" + BODY, ""),
    case("a line that ends in no document type is not a title",
         "东莞市人民政府\n" + BODY, ""),
    case("a line longer than 80 characters is not a title",
         "关于" + "质量" * 40 + "的实施方案\n" + BODY, ""),
    case("a year-range parenthesis (2021-2025年) ends many plan titles",
         "中山市质量强市建设规划(2021-2025年)\n" + BODY, "中山市质量强市建设规划(2021-2025年)"),
    case("a full-width year range with a dash ends the title",
         fw("佛山市质量强市建设三年行动方案(2023—2025年)\n") + BODY, fw("佛山市质量强市建设三年行动方案(2023—2025年)")),
    case("a title wrapped over two lines (a PDF's centred title)",
         "佛山市人民政府办公室关于印发佛山市质量强市建设\n三年行动方案的通知\n" + BODY,
         "佛山市人民政府办公室关于印发佛山市质量强市建设三年行动方案的通知"),
    case("the plan's own title after a wrapped notice title",
         "佛山市人民政府办公室关于印发佛山市质量强市\n建设实施方案的通知\n各区人民政府:\n佛山市质量强市建设实施方案\n" + BODY,
         "佛山市质量强市建设实施方案"),
    case("a title ending in no usual document type: the first short line, never the file name",
         "佛山市质量提升十大工程\n为提升质量,制定本方案。\n" + BODY, "佛山市质量提升十大工程"),
    case("a red header is no title", "佛山市人民政府办公室文件\n佛府办〔2023〕12号\n佛山市质量强市建设实施方案\n" + BODY,
         "佛山市质量强市建设实施方案"),
]


@pytest.mark.parametrize("text,title", TITLES)
def test_title(text, title):
    assert meta_of(text).title == title


def test_title_line_indexes_the_cleaned_lines():
    text = "浏览量: 12\n东莞市人民政府\n2018年7月31日\n东莞市开展产品质量提升行动实施方案\n为提升质量,制定本方案。\n" + BODY
    lines = clean_lines(text, CleanReport())
    m = extract(lines, body_start(lines), text)
    assert m.title_line == 2 and lines[m.title_line].text == "东莞市开展产品质量提升行动实施方案"


# --------------------------------------------------------------------------------------- issuer
ISSUERS = [
    case("signature block: organ line, then a date line",
         "东莞市人民政府办公室\n2018年7月31日\n东莞市开展产品质量提升行动实施方案\n" + BODY,
         "东莞市人民政府办公室"),
    case("signature of a county-level city government",
         "怀仁市人民政府\n2023年6月22日\n全面推进质量强市建设实施方案\n" + BODY, "怀仁市人民政府"),
    case("signature whose date line has lost characters still names the issuer",
         "中山市人民政府\n2021?2?3?\n关于加快推进质量强市建设的实施方案\n" + BODY, "中山市人民政府"),
    case("signature with the organ line damaged and repaired (政庛/p> -> 政府)",
         "中山市人民政庛/p>\n2021年12月3日\n关于加快推进质量强市建设的实施方案\n" + BODY, "中山市人民政府"),
    case("an organ line without a date line after it is no signature: the title's place is the issuer",
         "东莞市人民政府\n东莞市开展产品质量提升行动实施方案\n" + BODY, "东莞市"),
    case("no signature: the organ that 印发 the title",
         "东莞市人民政府办公室关于印发《东莞市开展产品质量提升行动实施方案》的通知\n" + BODY,
         "东莞市人民政府办公室"),
    case("no signature: 中共中央 国务院印发", "中共中央 国务院印发《质量强国建设纲要》\n" + BODY, "中共中央国务院"),
    case("the signature wins over the organ that 印发",
         "东莞市人民政府办公室关于印发《东莞市开展产品质量提升行动实施方案》的通知\n"
         "东莞市人民政府\n2018年7月31日\n东莞市开展产品质量提升行动实施方案\n" + BODY, "东莞市人民政府"),
    case("header 机构 believed when it agrees with the title's place",
         "机构:东莞市人民政府\n东莞市开展产品质量提升行动实施方案\n" + BODY, "东莞市人民政府"),
    case("header 机构 with a full-width colon",
         fw("机构:东莞市人民政府\n") + "东莞市开展产品质量提升行动实施方案\n" + BODY, "东莞市人民政府"),
    case("header 发文机关 believed when the title names no place",
         "发文机关:怀仁市人民政府\n全面推进质量强市建设实施方案\n" + BODY, "怀仁市人民政府"),
    case("header 机构:国务院 on a city's plan is not believed; the city is the issuer",
         "- 機構:國務院\n汕頭市質量強市2014—2015年行動計畫\n" + BODY, "汕头市"),
    case("header naming another place's organ is not believed",
         "机构:广东省人民政府\n东莞市质量强市工作方案\n" + BODY, "东莞市"),
    case("no signature, no 印发, no header: the place the title names",
         "汕头市质量强市2014—2015年行动计划\n" + BODY, "汕头市"),
    case("a signature block at the end, after the body",
         "东莞市质量强市建设实施方案\n" + BODY + "\n东莞市人民政府\n2018年7月31日", "东莞市人民政府"),
    case("a signature by 国务院 alone",
         "国务院\n2012年2月6日\n国务院关于加强质量认证体系建设促进全面质量管理的意见\n" + BODY, "国务院"),
    case("a red header names the issuing office",
         "佛山市人民政府办公室文件\n佛府办〔2023〕12号\n佛山市质量强市建设实施方案\n" + BODY, "佛山市人民政府办公室"),
    case("a title X关于… names its issuer",
         "珠海市人民政府关于推进质量强市建设的意见\n" + BODY, "珠海市人民政府"),
    case("a joint signature of two organs",
         "中共珠海市委\n珠海市人民政府\n2023年9月12日\n珠海市质量强市建设纲要\n" + BODY, "中共珠海市委、珠海市人民政府"),
    case("a cover notice's title names the issuer of the plan under it",
         "佛山市人民政府办公室关于印发佛山市质量强市建设实施方案的通知\n各区人民政府:\n佛山市质量强市建设实施方案\n" + BODY,
         "佛山市人民政府办公室"),
    case("a department's signature (a bureau)",
         "佛山市市场监督管理局\n2023年3月1日\n佛山市质量提升行动方案\n" + BODY, "佛山市市场监督管理局"),
]


@pytest.mark.parametrize("text,issuer", ISSUERS)
def test_issuer(text, issuer):
    assert meta_of(text).issuer == issuer


def test_rejected_header_issuer_is_noted():
    notes = meta_of("- 機構:國務院\n汕頭市質量強市2014—2015年行動計畫\n" + BODY).notes
    assert any("国务院" in n and "汕头市" in n for n in notes)


# ------------------------------------------------------------------------------------------ 文号
DOC_NUMBERS = [
    case("a 文号 line of its own in the header",
         "东府办〔2018〕71号\n东莞市开展产品质量提升行动实施方案\n" + BODY, "东府办〔2018〕71号"),
    case("a 文号 line after a cover-notice title, before the plan's title",
         "怀仁市人民政府关于印发全面推进质量强市建设实施方案的通知\n怀政发〔2023〕29号\n"
         "怀仁市人民政府\n2023年6月22日\n全面推进质量强市建设实施方案\n" + BODY, "怀政发〔2023〕29号"),
    case("a 文号 of a provincial government",
         "粤府〔2020〕10号\n关于加快推进质量强省建设的实施方案\n" + BODY, "粤府〔2020〕10号"),
    case("a 文号 in front of the title on the same line",
         "东府办〔2018〕71号《东莞市人民政府办公室关于印发〈东莞市开展产品质量提升行动实施方案〉的通知》\n"
         "东莞市开展产品质量提升行动实施方案\n" + BODY, "东府办〔2018〕71号"),
    case("a header field 文号: …", "文号:怀政发〔2023〕29号\n全面推进质量强市建设实施方案\n" + BODY,
         "怀政发〔2023〕29号"),
    case("a header field with a full-width colon", fw("文号:怀政发〔2023〕29号\n") + "全面推进质量强市建设实施方案\n" + BODY,
         "怀政发〔2023〕29号"),
    case("a header field in traditional script is normalised",
         "- 文號:汕府〔2014〕5號\n汕頭市質量強市2014—2015年行動計畫\n" + BODY, "汕府〔2014〕5号"),
    case("the header's number is the one the body cites for another document: not the document's",
         "- 文號:國發〔2012〕9號\n汕頭市質量強市2014—2015年行動計畫\n"
         "為深入貫徹落實《國務院關於印發質量發展綱要(2011-2020年)的通知》(國發〔2012〕9號),制定本行動計畫。\n"
         + BODY, None),
    case("a cited number in full-width parentheses is recognised as cited",
         "国发〔2012〕9号\n汕头市质量强市行动计划\n" + fw("为贯彻《质量发展纲要》(国发〔2012〕9号),制定本计划。\n") + BODY,
         None),
    case("the body cites another document's number, the header has the document's own",
         "汕府〔2014〕5号\n汕头市质量强市2014—2015年行动计划\n"
         "为贯彻《国务院关于印发质量发展纲要的通知》(国发〔2012〕9号),制定本计划。\n" + BODY, "汕府〔2014〕5号"),
    case("a number cited in the preamble after the title is never the document's",
         "东莞市质量强市工作方案\n根据《关于建设质量强省的决定》(粤府〔2013〕96号)精神,制定本方案。\n" + BODY,
         None),
    case("a number the chapters cite is never the document's",
         "东莞市质量强市工作方案\n一、总体要求\n(一)落实粤府〔2013〕96号文件要求。", None),
    case("no number anywhere", "东莞市质量强市工作方案\n" + BODY, None),
    case("the cover notice quotes the document's own title with its own number",
         "东府办〔2018〕71号\n东莞市人民政府办公室\n2018年7月31日\n"
         "现将《东莞市开展产品质量提升行动实施方案》(东府办〔2018〕71号)印发给你们。\n"
         "东莞市开展产品质量提升行动实施方案\n" + BODY, "东府办〔2018〕71号"),
    case("a 文号 line of its own directly under the title (the gov.cn layout)",
         "国务院关于印发质量发展纲要的通知\n国发〔2012〕9号\n" + BODY, "国发〔2012〕9号"),
    case("square brackets, as many web pages write them", "佛府办[2023]12号\n佛山市质量强市建设实施方案\n" + BODY,
         "佛府办〔2023〕12号"),
    case("black lenticular brackets", "佛府办【2023】12号\n佛山市质量强市建设实施方案\n" + BODY, "佛府办〔2023〕12号"),
    case("full-width parentheses", fw("佛府办(2023)12号\n") + "佛山市质量强市建设实施方案\n" + BODY, "佛府办〔2023〕12号"),
    case("under a red header", "佛山市人民政府办公室文件\n佛府办〔2023〕12号\n佛山市质量强市建设实施方案\n" + BODY,
         "佛府办〔2023〕12号"),
    case("a 文号 with its 签发人 on one line", "佛府〔2023〕5号  签发人:张三\n佛山市质量强市建设实施方案\n" + BODY,
         "佛府〔2023〕5号"),
    case("a portal's 发文字号 field under the title",
         "佛山市质量强市建设实施方案\n发文字号:佛府办〔2023〕12号\n" + BODY, "佛府办〔2023〕12号"),
    case("a 文号 line under the cover notice, after the signature",
         "佛山市人民政府关于印发质量强市实施方案的通知\n佛山市人民政府\n2023年5月6日\n佛府〔2023〕7号\n佛山市质量强市实施方案\n"
         + BODY, "佛府〔2023〕7号"),
]


@pytest.mark.parametrize("text,number", DOC_NUMBERS)
def test_doc_number(text, number):
    assert meta_of(text).doc_number == number


def test_cited_number_rejection_is_noted():
    m = meta_of("国发〔2012〕9号\n汕头市质量强市行动计划\n为贯彻《质量发展纲要》(国发〔2012〕9号),制定本计划。\n" + BODY)
    assert m.doc_number is None
    assert any("国发〔2012〕9号" in n and "cites" in n for n in m.notes)


# ----------------------------------------------------------------------------------------- date
DATES = [
    case("signature date 年月日, zero-padded",
         "东莞市人民政府办公室\n2018年7月31日\n东莞市开展产品质量提升行动实施方案\n" + BODY, "2018-07-31"),
    case("signature date with two-digit month and day",
         "怀仁市人民政府\n2023年06月22日\n全面推进质量强市建设实施方案\n" + BODY, "2023-06-22"),
    case("signature date with spaces between the parts",
         "怀仁市人民政府\n2023 年 6 月 22 日\n全面推进质量强市建设实施方案\n" + BODY, "2023-06-22"),
    case("signature date with lost characters: only the year",
         "中山市人民政府\n2021?2?3?\n关于加快推进质量强市建设的实施方案\n" + BODY, "2021"),
    case("signature date with lost characters and a broken tag: only the year",
         "中山市人民政府\n2021?2?3?/p>\n关于加快推进质量强市建设的实施方案\n" + BODY, "2021"),
    case("signature date with a lost month: only the year",
         "中山市人民政府\n2021年?月3日\n中山市质量强市工作方案\n" + BODY, "2021"),
    case("no signature: the year of the 文号",
         "怀政发〔2023〕29号\n怀仁市全面推进质量强市建设实施方案\n" + BODY, "2023"),
    case("the 文号 year wins over a year in the title",
         "汕府〔2013〕5号\n汕头市质量强市2014—2015年行动计划\n" + BODY, "2013"),
    case("no signature, no 文号: the first year in the title",
         "汕头市质量强市2014—2015年行动计划\n" + BODY, "2014"),
    case("the signature date wins over the 文号 year",
         "东府办〔2017〕9号\n东莞市人民政府\n2018年1月2日\n东莞市质量强市工作方案\n" + BODY, "2018-01-02"),
    case("a cited document's number gives no year",
         "东莞市质量强市工作方案\n根据《关于建设质量强省的决定》(粤府〔2013〕96号)精神,制定本方案。\n" + BODY, None),
    case("a year-like number in the body is no date", "东莞市质量强市工作方案\n一、总体要求\n(一)到2025年完成。", None),
    case("a signature date at the end, after the body",
         "东莞市质量强市建设实施方案\n" + BODY + "\n东莞市人民政府\n2018年7月31日", "2018-07-31"),
    case("signature date written 2023-06-22",
         "怀仁市人民政府\n2023-06-22\n全面推进质量强市建设实施方案\n" + BODY, "2023-06-22"),
    case("signature date in Chinese numerals (二〇二三年六月二十二日)",
         "怀仁市人民政府\n二〇二三年六月二十二日\n全面推进质量强市建设实施方案\n" + BODY, "2023-06-22"),
    case("a portal's 发布时间 under the notice title",
         "佛山市人民政府关于印发质量强市实施方案的通知\n发布时间: 2023-09-12\n各区人民政府:\n佛山市质量强市实施方案\n" + BODY,
         "2023-09-12"),
    case("发布时间 with a time of day, directly under the title",
         "佛山市质量强市实施方案\n发布时间:2023-09-12 10:20:30\n" + BODY, "2023-09-12"),
    case("a bare date line under the notice title",
         "佛山市人民政府关于印发质量强市实施方案的通知\n2023年9月12日\n各区人民政府:\n佛山市质量强市实施方案\n" + BODY,
         "2023-09-12"),
    case("a bracketed date under the title", "佛山市质量强市建设纲要\n(2023年9月12日)\n" + BODY, "2023-09-12"),
    case("a date written with dots", "佛山市人民政府\n2023.9.12\n佛山市质量强市实施方案\n" + BODY, "2023-09-12"),
    case("a date written with slashes", "佛山市人民政府\n2023/09/12\n佛山市质量强市实施方案\n" + BODY, "2023-09-12"),
    case("Chinese numerals with ○ for zero", "佛山市人民政府\n二○二三年九月十二日\n佛山市质量强市实施方案\n" + BODY,
         "2023-09-12"),
    case("成文日期 wins over 发布日期", "佛山市质量强市实施方案\n发布日期:2023-10-01\n成文日期:2023-09-12\n" + BODY,
         "2023-09-12"),
    case("the signature date wins over 发布时间",
         "佛山市人民政府\n2023年9月1日\n发布时间:2023-09-12\n佛山市质量强市实施方案\n" + BODY, "2023-09-01"),
    case("a 版记 印发 line at the end", "佛山市质量强市实施方案\n" + BODY + "\n抄送:市委办公室。\n佛山市人民政府办公室 2023年9月12日印发",
         "2023-09-12"),
    case("an impossible date is no date", "佛山市人民政府\n2023-13-45\n佛山市质量强市实施方案\n" + BODY, None),
]


@pytest.mark.parametrize("text,date", DATES)
def test_date(text, date):
    assert meta_of(text).date == date


@pytest.mark.parametrize("text,damaged", [
    pytest.param("中山市人民政府\n2021?2?3?\n中山市质量强市工作方案\n" + BODY, True, id="lost characters"),
    pytest.param("中山市人民政府\n2021年12月3日\n中山市质量强市工作方案\n" + BODY, False, id="intact"),
])
def test_damaged_signature_date_is_noted(text, damaged):
    notes = meta_of(text).notes
    assert any("damaged" in n and "year" in n for n in notes) is damaged


def test_a_bare_year_without_damage_is_no_signature_date():
    """Only a date line with lost characters may fall back to its year: `2021年` alone is not a date,
    so there is no signature (the issuer is the title's place, the last fallback)."""
    m = meta_of("中山市人民政府\n2021年\n中山市质量强市工作方案\n" + BODY)
    assert m.date is None and m.issuer == "中山市"


# ------------------------------------------------------------------------ city / region / level
PLACES = [
    case("a prefecture-level city plan, place in the title",
         "东莞市开展产品质量提升行动实施方案\n" + BODY, ("东莞", "广东省", Level.CITY)),
    case("a city named by its short name in the title",
         "中山质量强市建设实施方案\n" + BODY, ("中山", "广东省", Level.CITY)),
    case("a traditional-script title",
         "汕頭市質量強市2014—2015年行動計畫\n" + BODY, ("汕头", "广东省", Level.CITY)),
    case("a county-level city (怀仁 in 山西), place from the issuer's signature",
         "怀仁市人民政府\n2023年6月22日\n全面推进质量强市建设实施方案\n" + BODY, ("怀仁", "山西省", Level.CITY)),
    case("a county-level city named in the title",
         "怀仁市全面推进质量强市建设实施方案\n" + BODY, ("怀仁", "山西省", Level.CITY)),
    case("a county-level city from the organ that 印发",
         "怀仁市人民政府关于印发《全面推进质量强市建设实施方案》的通知\n" + BODY, ("怀仁", "山西省", Level.CITY)),
    case("the title's place wins over the issuer's",
         "广东省人民政府\n2021年1月1日\n中山市质量强市建设实施方案\n" + BODY, ("中山", "广东省", Level.CITY)),
    case("a province's plan",
         "广东省人民政府关于建设质量强省的决定\n" + BODY, (None, "广东省", Level.PROVINCIAL)),
    case("a national document by 中共中央 国务院",
         "中共中央 国务院印发《质量强国建设纲要》(下)\n" + BODY, (None, None, Level.NATIONAL)),
    case("a national document by its 质量强国 title alone",
         "质量强国建设纲要\n" + BODY, (None, None, Level.NATIONAL)),
    case("a national document by a 国务院办公厅 signature",
         "国务院办公厅\n2021年1月1日\n关于加强质量工作的意见\n" + BODY, (None, None, Level.NATIONAL)),
    case("a city's plan whose header claims 国务院 stays a city plan",
         "- 機構:國務院\n汕頭市質量強市2014—2015年行動計畫\n" + BODY, ("汕头", "广东省", Level.CITY)),
    case("the header's issuer places a plan whose title names no place",
         "机构:怀仁市人民政府\n全面推进质量强市建设实施方案\n" + BODY, ("怀仁", "山西省", Level.CITY)),
    case("a 国务院 signature makes a document national",
         "国务院\n2012年2月6日\n国务院关于加强质量认证体系建设促进全面质量管理的意见\n" + BODY,
         (None, None, Level.NATIONAL)),
    case("the city only in the body: 结合XX实际",
         "全面推进质量强市建设实施方案\n为贯彻落实《质量强国建设纲要》,结合佛山实际,制定本方案。\n" + BODY,
         ("佛山", "广东省", Level.CITY)),
    case("the city only in the body: 落户XX的",
         "质量提升行动方案\n为支持落户珠海的企业提升质量,制定本方案。\n" + BODY, ("珠海", "广东省", Level.CITY)),
    case("the city only in the body: XX市人民政府",
         "质量提升行动方案\n经惠州市人民政府同意,制定本方案。\n" + BODY, ("惠州", "广东省", Level.CITY)),
    case("the city the body names most",
         "质量提升行动方案\n一、总体要求\n(一)指导思想。推动江门制造提质。\n(二)目标。江门品牌走向全国,学习深圳经验。江门企业质量提升。",
         ("江门", "广东省", Level.CITY)),
    case("a red header places the document", "佛山市人民政府办公室文件\n质量提升行动方案\n" + BODY,
         ("佛山", "广东省", Level.CITY)),
    case("a national document naming a city in its body stays national",
         "国务院关于加强质量工作的意见\n为推广深圳经验,制定本意见。\n" + BODY, (None, None, Level.NATIONAL)),
]


@pytest.mark.parametrize("text,expected", PLACES)
def test_city_region_level(text, expected):
    m = meta_of(text)
    assert (m.city, m.region, m.level) == expected
