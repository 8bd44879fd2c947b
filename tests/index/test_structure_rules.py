"""The structure rules of index/structure.py, one table per rule, on short document texts written here.

The parser is fed what index/document.py feeds it: the cleaned lines after the document's title.
Rows marked xfail(strict=True) are cases where the rule gives a wrong answer today.
"""
from __future__ import annotations

import pytest

from index.clean import CleanReport, clean_lines
from index.document import parse_document
from index.loaders import RawDocument
from index.models import Clause
from index.structure import StructureParser, body_start, join_lines


def fw(text: str) -> str:
    """The text with full-width parentheses, colons, commas and dots, as many source files write them
    (written as escapes here, so no editor or formatter can turn them back into ASCII)."""
    return text.translate(str.maketrans("():,.", "\uff08\uff09\uff1a\uff0c\uff0e"))


def parse(text: str) -> tuple[list[Clause], StructureParser]:
    parser = StructureParser("doc")
    return parser.parse(clean_lines(text, CleanReport())), parser


def ids(text: str) -> list[str]:
    return [c.clause_id for c in parse(text)[0]]


def by_id(text: str, clause_id: str) -> Clause:
    found = [c for c in parse(text)[0] if c.clause_id == clause_id]
    assert len(found) == 1, f"{clause_id!r} not in {ids(text)}"
    return found[0]


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


# ------------------------------------------------------------------------ which clauses, which ids
CLAUSE_IDS = [
    case("chapters with a sentence of their own",
         "一、总体要求\n到2025年,质量水平显著提升。\n二、主要目标\n质量稳步提高。", ["一、", "二、"]),
    case("lines indented with ideographic spaces",
         "\u3000\u3000一、总体要求\n\u3000\u3000(一)指导思想。全面贯彻。\n\u3000\u30001.第一项。", ["一、(一)", "一、(一)1."]),
    case("a chapter whose heading line carries its own sentence",
         "一、总体要求。到2025年,质量水平显著提升。\n二、主要目标\n质量稳步提高。", ["一、", "二、"]),
    case("a chapter that is only a heading is no clause; its clauses are",
         "一、总体要求\n(一)指导思想。全面贯彻。\n(二)基本原则。坚持质量第一。", ["一、(一)", "一、(二)"]),
    case("clauses in full-width parentheses",
         fw("三、重点任务\n(一)强化主体责任。企业落实。\n(二)完善标准。加快制定。"), ["三、(一)", "三、(二)"]),
    case("clauses in half-width parentheses get the same ids",
         "三、重点任务\n(一)强化主体责任。企业落实。\n(二)完善标准。加快制定。", ["三、(一)", "三、(二)"]),
    case("half- and full-width mixed in one document",
         "三、重点任务\n(一)强化主体责任。企业落实。\n" + fw("(二)完善标准。加快制定。"), ["三、(一)", "三、(二)"]),
    case("a full-width repeat of a half-width clause number is the same number",
         "三、重点任务\n(一)强化主体责任。企业落实。\n" + fw("(一)完善标准。加快制定。"), ["三、(一)", "三、(一)#2"]),
    case("multi-character numerals 十一、 and (二十)",
         "十一、加强组织实施\n(二十)加强党的领导。坚持党的全面领导。\n(二十一)强化督查。开展督查。",
         ["十一、(二十)", "十一、(二十一)"]),
    case("numbered items 1. under a (一)-style sub-heading; the bare sub-heading is no clause",
         "二、主要任务\n(一)深入推进优质制造工程\n1.开展质量比对。内容。\n2.推进品牌建设。内容。",
         ["二、(一)1.", "二、(一)2."]),
    case("item numbers with 、 and with a full-width dot",
         "二、主要任务\n(一)优质制造\n1、开展质量比对。\n" + fw("2.推进品牌建设。"), ["二、(一)1.", "二、(一)2."]),
    case("item 23. under clause (六) of chapter 二、",
         "二、主要任务\n(六)加强监管\n23.加强进口商品质量安全监管。(责任单位:东莞海关)", ["二、(六)23."]),
    case("items directly under a chapter",
         "二、主要目标\n1.质量总体水平提升。\n2.品牌建设成效显著。", ["二、1.", "二、2."]),
    case("a new chapter resets the sub-heading: its items are not under the old (一)",
         "二、主要任务\n(一)优质制造\n1.比对提升。\n三、保障措施\n1.加强组织领导。", ["二、(一)1.", "三、1."]),
    case("a clause with a sentence keeps its own text when items follow",
         "二、主要任务\n(一)优质制造。推进优质制造工程。\n1.比对提升。", ["二、(一)", "二、(一)1."]),
    case("a preamble before the first chapter is the clause 前言",
         "为全面提升质量,制定本方案。\n一、总体要求\n到2025年,质量水平提升。", ["前言", "一、"]),
    case("numbered lines before any chapter are preamble, not items",
         "1.第一项说明。\n2.第二项说明。\n一、总体要求\n到2025年提升。", ["前言", "一、"]),
    case("a decimal number at a line start is no item number",
         "一、目标\n(一)指标。主要指标如下。\n1.5倍的增长目标。", ["一、(一)"]),
    case("a clause number with an Arabic numeral is no clause",
         "一、目标\n(一)指标。主要指标如下。\n(2)其他指标。", ["一、(一)"]),
    case("a units line in parentheses is no clause",
         "一、目标\n(一)指标。主要指标如下。\n(市市场监管局牵头)", ["一、(一)"]),
]


MEASURES = ("第一章 总则\n第一条 为了推动质量发展,制定本办法。\n第二条 本办法适用于本市行政区域内的企业。\n"
            "第二章 评审\n第三条 申报企业应当具备下列条件:\n(一)在本市依法登记;\n(二)近三年无重大质量事故。\n"
            "第四条 评审每两年进行一次。")
PLAN_ARABIC = ("1.总体目标\n到2025年质量水平显著提升。\n(1)产品质量。制造业产品质量合格率达到95%。\n①抽检合格率稳步提高。\n"
               "②品牌建设取得成效。\n(2)工程质量。工程质量水平稳步提升。\n2.保障措施\n加强组织领导。")

LAYOUTS = [
    case("articles of a 管理办法: one clause each, chapters their path", MEASURES, ["第一条", "第二条", "第三条", "第四条"]),
    case("a plan numbered 1. / (1) / ① only", PLAN_ARABIC,
         ["1.", "1.(1)", "1.(1)①", "1.(1)②", "1.(2)", "2."]),
    case("(1) / ① under items of chapters", "二、任务\n(一)提升质量\n1.比对提升。内容。\n(1)甲项。内容。\n(2)乙项。内容。\n2.品牌。内容。",
         ["二、(一)1.", "二、(一)1.(1)", "二、(一)1.(2)", "二、(一)2."]),
    case("a (3) out of sequence is text, not a number", "二、任务\n(一)提升质量。内容。\n(1)甲项。内容。\n(3)丙项。内容。",
         ["二、(一)", "二、(一)(1)"]),
    case("parts 第一部分 prefix the chapters they hold",
         "第一部分 总体要求\n一、指导思想\n坚持质量第一。\n第二部分 重点任务\n一、提升产品质量\n开展比对。",
         ["第一部分一、", "第二部分一、"]),
    case("一是/二是 points with units of their own are clauses of their own",
         "三、任务\n(一)加强品牌建设。一是培育品牌。(市市场监管局牵头);二是推广品牌。(市商务局负责)",
         ["三、(一)", "三、(一)一是", "三、(一)二是"]),
    case("一是/二是 points without units of their own stay one clause",
         "三、任务\n(一)加强品牌建设。一是培育品牌;二是推广品牌。(市市场监管局牵头)", ["三、(一)"]),
    case("a task table after 附件: one clause a row",
         "一、总体要求\n(一)目标。提升质量。\n附件\n重点任务分工表\n序号\t重点任务\t牵头单位\t配合单位\n"
         "1\t推行首席质量官\t市市场监管局\t市工信局\n2\t培育品牌\t市商务局\t", ["一、(一)", "附件第1项", "附件第2项"]),
    case("a task table in a chapter, rows given with |",
         "四、任务分工\n| 序号 | 重点任务 | 责任单位 | 完成时限 |\n|---|---|---|---|\n| 1 | 推行首席质量官 | 市市场监管局 | 2025年 |",
         ["四、第1项"]),
    case("a table given one cell a line, as scraped pages give it",
         "附件\n序号\n重点任务\n牵头单位\n配合单位\n完成时限\n1\n推行首席质量官\n市市场监管局\n市工信局\n2025年底\n"
         "2\n培育品牌\n市商务局\n2024年底", ["附件第1项", "附件第2项"]),
    case("a category row inside a table is no clause",
         "附件\n序号\t重点任务\t牵头单位\n一、提升产品质量\n1\t推行首席质量官\t市市场监管局\n二、打造品牌\n2\t培育品牌\t市商务局",
         ["附件第1项", "附件第2项"]),
    case("the chapter after a table is a chapter again",
         "四、分工\n序号\t重点任务\t牵头单位\n1\t推行首席质量官\t市市场监管局\n五、保障措施\n加强组织领导。",
         ["四、第1项", "五、"]),
    case("a chapter after a table in an attachment is the attachment's",
         "附件\n序号\t重点任务\t牵头单位\n1\t推行首席质量官\t市市场监管局\n一、说明\n本表由市市场监管局汇总。",
         ["附件第1项", "附件一、"]),
]


@pytest.mark.parametrize("text,expected", CLAUSE_IDS + LAYOUTS)
def test_clause_ids(text, expected):
    assert ids(text) == expected


def test_an_article_keeps_its_own_list():
    c = by_id(MEASURES, "第三条")
    assert c.text == "第三条 申报企业应当具备下列条件:\n(一)在本市依法登记;\n(二)近三年无重大质量事故。"
    assert c.heading_path == ["第二章 评审", "第三条 申报企业应当具备下列条件:"]


def test_enumerated_points_carry_their_own_units():
    text = "三、任务\n(一)加强品牌建设。一是培育品牌。(市市场监管局牵头);二是推广品牌。(市商务局负责)"
    assert by_id(text, "三、(一)一是").units.lead == ["市市场监管局"]
    assert by_id(text, "三、(一)二是").units.responsible == ["市商务局"]
    assert by_id(text, "三、(一)").text == "(一)加强品牌建设。"


@pytest.mark.parametrize("text,clause_id,lead,co,resp,deadline", [
    pytest.param("附件\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n1\t推行首席质量官\t市市场监管局\t市工信局、市人社局\t2025年底",
                 "附件第1项", ["市市场监管局"], ["市工信局", "市人社局"], [], "2025年底", id="tabs"),
    pytest.param("附件\n序号\n重点任务\n牵头单位\n配合单位\n完成时限\n1\n推行首席质量官\n市市场监管局\n2025年底",
                 "附件第1项", ["市市场监管局"], [], [], "2025年底", id="one cell a line, the empty cell left out"),
    pytest.param("附件\n| 序号 | 主要任务 | 责任单位 |\n| --- | --- | --- |\n| 1 | 培育品牌 | 市商务局、各区人民政府 |",
                 "附件第1项", [], [], ["市商务局", "各区人民政府"], "", id="pipes"),
])
def test_table_rows_give_units_and_deadlines(text, clause_id, lead, co, resp, deadline):
    u = by_id(text, clause_id).units
    assert (u.lead, u.co, u.responsible, u.deadline) == (lead, co, resp, deadline)


# ------------------------------------------------------------------- heading and heading path
HEADINGS = [
    case("chapter: heading is the words after 一、",
         "三、完善质量治理体系\n健全质量法规。", "三、", "完善质量治理体系", ["三、完善质量治理体系"]),
    case("clause: heading cut at the first sentence, path of chapter and clause heading",
         "三、完善质量治理体系\n(一)强化市场主体责任。企业要落实质量责任。",
         "三、(一)", "强化市场主体责任", ["三、完善质量治理体系", "(一)强化市场主体责任"]),
    case("clause in full-width parentheses: the path keeps the line as written",
         fw("三、完善质量治理体系\n(一)强化市场主体责任。企业要落实质量责任。"),
         "三、(一)", "强化市场主体责任", ["三、完善质量治理体系", fw("(一)强化市场主体责任")]),
    case("clause of a traditional-script text: heading normalised, path as written",
         "一、加強標準化工作\n(一)建立健全標準體系。重點在電動汽車。",
         "一、(一)", "建立健全标准体系", ["一、加強標準化工作", "(一)建立健全標準體系"]),
    case("a clause heading longer than 40 characters is cut at 40",
         "一、任务\n(一)" + "甲" * 50 + "。内容。", "一、(一)", "甲" * 40, ["一、任务", "(一)" + "甲" * 50]),
    case("item 1、: path of chapter, sub-heading and item line",
         "二、主要任务\n(六)加强监管\n23、加强进口商品质量安全监管。内容。",
         "二、(六)23.", "加强进口商品质量安全监管", ["二、主要任务", "(六)加强监管", "23、加强进口商品质量安全监管"]),
    case("item 1.: the path ends with the item's heading, not its bare number",
         "二、主要任务\n(六)加强监管\n23.加强进口商品质量安全监管。内容。",
         "二、(六)23.", "加强进口商品质量安全监管", ["二、主要任务", "(六)加强监管", "23.加强进口商品质量安全监管"]),
    case("preamble", "为全面提升质量,制定本方案。\n一、总体要求\n提升。", "前言", "前言", []),
]


@pytest.mark.parametrize("text,clause_id,heading,path", HEADINGS)
def test_heading_and_path(text, clause_id, heading, path):
    c = by_id(text, clause_id)
    assert (c.heading, c.heading_path) == (heading, path)


# ------------------------------------------------------------------------ what text each clause holds
TEXTS = [
    case("a continuation line without a number stays in its clause",
         "五、保障措施\n(一)加强药品监管。严格监督实施药品\n生产质量管理规范。(责任单位:市卫体局)\n(二)强化督查。",
         "五、(一)", "(一)加强药品监管。严格监督实施药品\n生产质量管理规范。(责任单位:市卫体局)"),
    case("a continuation line stays in its item",
         "二、任务\n(一)优质制造\n2、第二项内容\n续行文字。\n3、第三项。", "二、(一)2.", "2、第二项内容\n续行文字。"),
    case("a continuation line with a colon stays in its clause",
         "三、保障措施\n(一)加强组织领导。内容一。\n续行:补充说明。", "三、(一)", "(一)加强组织领导。内容一。\n续行:补充说明。"),
    case("a chapter's sentence lines stay in the chapter, heading line included",
         "一、总体要求\n到2025年,质量水平提升。\n品牌影响力增强。\n二、任务\n内容。",
         "一、", "一、总体要求\n到2025年,质量水平提升。\n品牌影响力增强。"),
    case("a units line after the clause's sentence stays in the clause",
         "一、目标\n(一)指标。主要指标如下。\n(市市场监管局牵头)", "一、(一)", "(一)指标。主要指标如下。\n(市市场监管局牵头)"),
    case("the preamble holds every line before the first chapter",
         "为全面提升质量,\n制定本方案。\n一、总体要求\n提升。", "前言", "为全面提升质量,\n制定本方案。"),
    case("page furniture between clauses is not clause text",
         "一、目标\n(一)指标。主要指标如下。\n浏览量: 120\n本文链接:http://x.cn/1.html\n(二)其他。",
         "一、(一)", "(一)指标。主要指标如下。"),
]


@pytest.mark.parametrize("text,clause_id,expected", TEXTS)
def test_clause_text(text, clause_id, expected):
    c = by_id(text, clause_id)
    assert c.text == expected


# ----------------------------------------------------------------------- units at a clause's end
UNITS = [
    case("lead units before 牵头",
         "二、任务\n(三)推行首席质量官制度。引导企业设立。(市市场监管局牵头)", "二、(三)", (["市市场监管局"], [], [])),
    case("lead 牵头 and co-units after 会, traditional script kept as written",
         "一、加強標準化工作\n(一)建立健全標準體系。重點推動。(市質監局牽頭會市發改局、經信局等單位負責)",
         "一、(一)", (["市質監局"], ["市發改局", "經信局"], [])),
    case("责任单位 in full-width parentheses with a full-width colon",
         fw("二、任务\n(六)加强监管\n23、加强进口商品质量安全监管。(责任单位:市质监局、东莞海关)"),
         "二、(六)23.", ([], [], ["市质监局", "东莞海关"])),
    case("责任单位 of an item",
         "二、任务\n(六)加强监管\n23.加强进口商品质量安全监管。(责任单位:市质监局、东莞海关)",
         "二、(六)23.", ([], [], ["市质监局", "东莞海关"])),
    case("units parenthesis on a continuation line",
         "五、保障\n(一)加强药品监管。严格监督。\n(责任单位:市卫体局、市场监管局)",
         "五、(一)", ([], [], ["市卫体局", "市场监管局"])),
    case("按职责分工负责 followed by a full stop",
         "三、任务\n(一)推行首席质量官制度。(市市场监管局、市商务局按职责分工负责)。",
         "三、(一)", ([], [], ["市市场监管局", "市商务局"])),
    case("a parenthesis that names no unit", "三、任务\n(一)治理重点产品。汽车配件(含铅蓄电池)",
         "三、(一)", ([], [], [])),
    case("a units parenthesis in the middle of a clause is not its units",
         "三、任务\n(一)推行制度。(市市场监管局牵头)此后继续推进。", "三、(一)", ([], [], [])),
]


@pytest.mark.parametrize("text,clause_id,units", UNITS)
def test_units_at_clause_end(text, clause_id, units):
    u = by_id(text, clause_id).units
    assert (u.lead, u.co, u.responsible) == units


# --------------------------------------------------------------------------- repeats stored once
PLAN = "一、总体要求\n(一)建立标准体系。内容甲。\n(二)推动联盟标准。内容乙。\n二、保障措施\n(一)加强领导。内容丙。"

REPEATS = [
    case("a whole plan pasted twice is stored once", PLAN + "\n" + PLAN,
         ["一、(一)", "一、(二)", "二、(一)"], 3),
    case("a plan pasted twice with a different line layout is stored once",
         PLAN + "\n" + PLAN.replace("内容甲。", "内容 甲。"), ["一、(一)", "一、(二)", "二、(一)"], 3),
    case("a plan pasted twice, once with full-width punctuation, is stored once",
         PLAN + "\n" + fw(PLAN), ["一、(一)", "一、(二)", "二、(一)"], 3),
    case("a plan pasted twice with its preamble",
         "为提升质量,制定本计划。\n" + PLAN + "\n" + PLAN, ["前言", "一、(一)", "一、(二)", "二、(一)"], 3),
    case("same number, different text: both kept, the second as #2",
         "一、总体要求\n(一)甲。\n(一)乙。", ["一、(一)", "一、(一)#2"], 0),
    case("a third clause with the same number: #3",
         "一、总体要求\n(一)甲。\n(一)乙。\n(一)丙。", ["一、(一)", "一、(一)#2", "一、(一)#3"], 0),
    case("the same words under another number are two clauses",
         "一、总体要求\n(一)建立标准体系。\n(二)建立标准体系。", ["一、(一)", "一、(二)"], 0),
]


@pytest.mark.parametrize("text,expected,dropped", REPEATS)
def test_repeats_stored_once(text, expected, dropped):
    clauses, parser = parse(text)
    assert [c.clause_id for c in clauses] == expected
    assert parser.duplicates == dropped
    assert [c.order for c in clauses] == list(range(len(clauses)))


# ----------------------------------------------------------------- damage moved to clause offsets
def test_lost_span_offsets_are_clause_offsets():
    c = by_id("二、目标\n(一)认证。到2025年,\n全市认证的企?000家以上。", "二、(一)")
    assert c.text == "(一)认证。到2025年,\n全市认证的企?000家以上。"
    [span] = c.lost_spans()
    assert c.text[span.start:span.end] == "?" and span.start == c.text.index("企?") + 1
    assert c.is_damaged


def test_join_lines_shifts_spans_by_line_and_newline():
    lines = clean_lines("甲乙\n丙?丁\n戊?", CleanReport())
    text, spans = join_lines(lines)
    assert text == "甲乙\n丙?丁\n戊?"
    assert [(s.start, s.end) for s in spans] == [(4, 5), (8, 9)]


# ------------------------------------------------------------------------------ body start
@pytest.mark.parametrize("text,start", [
    pytest.param("标题方案\n为提升质量,制定本方案。\n一、总体要求", 2, id="first chapter"),
    pytest.param("标题方案\n(一)指导思想。", 1, id="a clause before any chapter"),
    pytest.param("标题方案\n1.第一项。\n一、总体要求", 2, id="an item does not start the body"),
    pytest.param("标题方案\n正文一。\n正文二。", 3, id="no numbering: len(lines)"),
])
def test_body_start(text, start):
    assert body_start(clean_lines(text, CleanReport())) == start


# ------------------------------------------------------------------- through parse_document
def document(text: str):
    return parse_document(RawDocument(doc_id="doc", source="doc.txt", text=text, sha256="0"))


def test_lines_above_the_title_are_the_front_matter_clause():
    d = document("各有关单位:\n现将方案印发给你们。\n东莞市人民政府\n2018年7月31日\n东莞市质量提升行动实施方案\n"
                 "为全面提升质量,制定本方案。\n一、总体要求\n(一)指导思想。全面贯彻。")
    assert [c.clause_id for c in d.clauses] == ["发文", "前言", "一、(一)"]
    assert d.clauses[0].text.endswith("2018年7月31日") and "东莞市质量提升行动实施方案" not in d.clauses[0].text
    assert d.clauses[1].text == "为全面提升质量,制定本方案。" and d.clauses[0].units.is_empty()


def test_a_key_value_header_is_no_front_matter():
    d = document("基本介绍\n- 文号:国发〔2012〕9号\n- 机构:国务院\n东莞市质量提升行动实施方案\n"
                 "为全面提升质量,制定本方案。\n一、总体要求\n(一)指导思想。全面贯彻。")
    assert [c.clause_id for c in d.clauses] == ["前言", "一、(一)"]


def test_issuing_lines_anywhere_join_the_front_matter_clause():
    """A 文号 line and a 发布时间 line under the title, and a signature after the last chapter, are
    cited from 发文 (an answer about the document's number or date quotes them), not from clauses."""
    d = document("佛山市质量强市建设实施方案\n佛府办〔2023〕12号\n发布时间:2023-09-12\n为提升质量,制定本方案。\n"
                 "一、总体要求\n(一)指导思想。全面贯彻。(市市场监管局牵头)\n佛山市人民政府办公室\n2023年9月10日")
    assert [c.clause_id for c in d.clauses] == ["发文", "前言", "一、(一)"]
    assert d.clauses[0].text == "佛府办〔2023〕12号\n发布时间:2023-09-12\n佛山市人民政府办公室\n2023年9月10日"
    assert d.clauses[-1].units.lead == ["市市场监管局"] and d.clauses[1].text == "为提升质量,制定本方案。"
    assert (d.doc_number, d.date, d.issuer, d.city) == ("佛府办〔2023〕12号", "2023-09-10", "佛山市人民政府办公室", "佛山")


def test_a_plan_without_a_title_line_is_never_named_by_its_file():
    d = document("佛山市质量提升十大工程\n为提升质量,制定本方案。\n一、总体要求\n(一)指导思想。全面贯彻。")
    assert d.title == "佛山市质量提升十大工程" and d.city == "佛山"


def test_repeated_plan_is_noted():
    d = document("东莞市质量提升行动实施方案\n" + PLAN + "\n" + PLAN)
    assert len(d.clauses) == 3
    assert any("dropped 3 clauses repeated word for word" in n for n in d.notes)


def test_text_without_numbering_becomes_paragraphs():
    d = document("东莞市质量提升行动实施方案\n第一段内容。\n第二段内容。")
    assert [(c.clause_id, c.text) for c in d.clauses] == [("第1段", "第一段内容。"), ("第2段", "第二段内容。")]


SIGNED_AT_END = ("东莞市人民政府关于推进质量强市建设的意见\n一、总体要求\n(一)指导思想。全面贯彻。\n"
                 "(二)基本原则。坚持质量第一。(市市场监管局牵头)\n东莞市人民政府\n2018年7月31日")


def test_a_signature_block_after_the_last_clause_is_not_clause_text():
    last = document(SIGNED_AT_END).clauses[-1]
    assert last.clause_id == "一、(二)"
    assert last.text == "(二)基本原则。坚持质量第一。(市市场监管局牵头)"
    assert last.units.lead == ["市市场监管局"]


def test_part_of_a_document_is_noted():
    d = document("中共中央 国务院印发《质量强国建设纲要》(下)\n八、增强企业能力\n(十九)加快质量技术创新。内容。")
    assert [c.clause_id for c in d.clauses] == ["发文", "八、(十九)"]       # the title line says who issued it
    assert d.clauses[0].text == "中共中央 国务院印发《质量强国建设纲要》(下)"
    assert any("only part of the document" in n for n in d.notes)
