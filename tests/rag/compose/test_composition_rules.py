"""The composition rules of rag/compose/extractive.py (and the sentence rules of rag/compose/evidence.py it rests
on), on a few clauses written here and an in-memory index built from them (no embedding model):
headings are context, never the quote; who-leads names 牵头单位 / 排在首位的责任单位; duty answers
group by document and tag the unit's standing; a target's "到2025年" sentence opens it; English
questions get an English lead; every quote is verbatim; damaged sentences are flagged.
Rows marked xfail(strict=True) are cases where the rule gives a wrong answer today.
"""
from __future__ import annotations

import pytest

from index.models import Clause, Document, Span
from index.text import normalise
from index.units import parse_units
from rag.compose.evidence import clause_sentences, is_heading
from rag.compose.extractive import ExtractiveAnswerer
from rag.compose.reply import DAMAGE_NOTE
from rag.types import Answer, Filters, Hit, Kind, Query, Role, WarningKind
from tests.fakes.corpus import make_doc, snapshot_of


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


def make_clause(doc: Document, clause_id: str, text: str, heading: str = "", path: list[str] | None = None,
                lost: str | None = None) -> Clause:
    """A clause with its units parsed from the text, as the index parses them; `lost` marks the
    first occurrence of that substring as characters lost in the source."""
    damaged = []
    if lost:
        at = text.index(lost)
        damaged = [Span(at, at + len(lost), "lost")]
    c = Clause(doc_id=doc.doc_id, clause_id=clause_id, heading_path=path or [], heading=heading, text=text,
               norm=normalise(text), units=parse_units(text), damaged=damaged, order=len(doc.clauses))
    doc.clauses.append(c)
    return c


# --------------------------------------------------------------------------- a small corpus
ZS = make_doc("000_zs", city="中山", title="中山市质量提升行动方案", date="2021")
ZS_CQO = make_clause(ZS, "二、(一)",
                     "(一)推行首席质量官制度。到2025年,全市质量水平显著提升。规上工业企业首席质量官制度覆盖率达100%。"
                     "(市质监局、市人社局按职责分工负责)",
                     heading="推行首席质量官制度", path=["二、主要任务", "(一)推行首席质量官制度"])
ZS_STD = make_clause(ZS, "二、(二)",
                     "(二)加强标准化建设。鼓励企业制定先进的企业标准,开展标准自我声明公开。(市人社局、市质监局按职责分工负责)",
                     heading="加强标准化建设", path=["二、主要任务", "(二)加强标准化建设"])
ZS_CERT = make_clause(ZS, "二、(三)",
                      "(三)推进质量认证。全市通过质量管理体系认证的企业达?000家以上,培育一批质量标杆企业。(市质监局牵头)",
                      heading="推进质量认证", path=["二、主要任务", "(三)推进质量认证"], lost="?")
ZS_HEAD = make_clause(ZS, "三、", "三、保障措施", heading="保障措施", path=["三、保障措施"])

ST = make_doc("001_st", city="汕头", title="汕头市质量强市2014—2015年行动计划", date="2014")
ST_BRAND = make_clause(ST, "二、(三)", "(三)實施品牌帶動戰略。打造汕頭知名品牌,培育品牌企業。(市質監局牽頭會市發改局等單位負責)",
                       heading="實施品牌帶動戰略", path=["二、工作任務", "(三)實施品牌帶動戰略"])
ST_METRO = make_clause(ST, "二、(四)", "(四)加強計量工作。建設誠信計量示範單位100家。(責任單位:市質監局、市經信局)",
                       heading="加強計量工作", path=["二、工作任務", "(四)加強計量工作"])

DOCS = [ZS, ST]


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(snapshot=snapshot_of(DOCS, "rules"))


def hit(c: Clause, score: float = 1.0) -> Hit:
    return Hit(clause=c, doc=ZS if c.doc_id == ZS.doc_id else ST, score=score)


def ask(answerer: ExtractiveAnswerer, kind: Kind, text: str, hits: list[Clause], *, english: bool = False,
        cities: list[str] | None = None, unit: str | None = None, role: Role = Role.ANY) -> Answer:
    norm = normalise(text)
    q = Query(raw=text, text=norm, search=norm, kind=kind, ask=norm, focus=norm, english=english,
              filters=Filters(cities=list(cities or [])), places=list(cities or []), unit=unit, role=role)
    a = answerer.answer(q, [hit(c, 1.0 - i / 10) for i, c in enumerate(hits)])
    assert_verbatim(a)
    return a


def assert_verbatim(a: Answer) -> None:
    """Every quote is a non-empty verbatim span of its clause, and every marker in the text has one."""
    assert all(c.quote and c.quote in c.clause.text for c in a.citations), [c.quote for c in a.citations]
    for c in a.citations:
        assert f"[{c.marker}]" in a.answer


# --------------------------------------------------------------------------- headings are context
IS_HEADING = [
    case("the clause heading itself", "推行首席质量官制度", ZS_CQO, True),
    case("the heading with its (一) numbering and a full stop", "(一)推行首席质量官制度。", ZS_CQO, True),
    case("the heading with full-width parentheses", "\uff08一\uff09推行首席质量官制度。", ZS_CQO, True),
    case("a chapter heading of the path", "二、主要任务", ZS_CQO, True),
    case("numbering alone", "(一)", ZS_CQO, True),
    case("traditional heading against its own clause", "(三)實施品牌帶動戰略。", ST_BRAND, True),
    case("a content sentence", "到2025年,全市质量水平显著提升。", ZS_CQO, False),
    case("a sentence that contains the heading is content", "推行首席质量官制度,覆盖全市。", ZS_CQO, False),
    case("another clause's heading is not this one's", "加强标准化建设", ZS_CQO, False),
]


@pytest.mark.parametrize("text,c,expected", IS_HEADING)
def test_is_heading(text, c, expected):
    assert is_heading(text, c) is expected


SENTENCES = [
    case("heading line and units parenthesis left out", ZS_CQO,
         ["到2025年,全市质量水平显著提升。", "规上工业企业首席质量官制度覆盖率达100%。"]),
    case("traditional clause: heading and units left out, script kept", ST_BRAND, ["打造汕頭知名品牌,培育品牌企業。"]),
    case("labelled 責任單位 parenthesis left out", ST_METRO, ["建設誠信計量示範單位100家。"]),
    case("a heading-only clause keeps its heading", ZS_HEAD, ["三、保障措施"]),
]


@pytest.mark.parametrize("c,expected", SENTENCES)
def test_clause_sentences(c, expected):
    got = clause_sentences(c)
    assert [s.text for s in got] == expected
    assert all(c.text[s.start:s.start + len(s.text)] == s.text for s in got)


@pytest.mark.parametrize("kind,text", [
    (Kind.LOOKUP, "推行首席质量官制度是什么"), (Kind.SUPPORT, "品牌企业有什么扶持"),
    (Kind.TARGET, "首席质量官制度覆盖率目标"), (Kind.WHO_LEADS, "标准化建设谁负责"),
], ids=["lookup", "support", "target", "who"])
def test_no_answer_quotes_a_heading(answerer, kind, text):
    a = ask(answerer, kind, text, [ZS_CQO, ZS_STD, ST_BRAND])
    assert a.citations
    for c in a.citations:
        assert not is_heading(c.quote, c.clause), c.quote


# ------------------------------------------------------------------------------- who leads
WHO = [
    case("a 责任单位 list names its first unit", [ZS_CQO], "首席质量官制度由哪些部门负责",
         ["责任单位:市质监局、市人社局", "排在首位的责任单位:市质监局"], ["牵头单位"]),
    case("the order of the list decides who is first", [ZS_STD], "标准自我声明公开谁负责",
         ["排在首位的责任单位:市人社局"], ["牵头单位"]),
    case("a 牵头 clause names its 牵头单位", [ST_BRAND], "品牌带动战略谁牵头",
         ["牵头单位:市質監局", "会同:市發改局"], ["排在首位"]),
    case("a lone 牵头 unit", [ZS_CERT], "质量认证谁牵头", ["牵头单位:市质监局"], ["排在首位", "责任单位"]),
    case("a labelled 責任單位 list in traditional script", [ST_METRO], "计量示范单位谁负责",
         ["责任单位:市質監局、市經信局", "排在首位的责任单位:市質監局"], []),
]


@pytest.mark.parametrize("clauses,question,must,must_not", WHO)
def test_who_leads(answerer, clauses, question, must, must_not):
    a = ask(answerer, Kind.WHO_LEADS, question, clauses, cities=["中山" if clauses[0].doc_id == ZS.doc_id else "汕头"])
    assert a.answerable
    assert all(m in a.answer for m in must), a.answer
    assert not any(m in a.answer for m in must_not), a.answer
    assert any(c.quote.startswith("(") and c.quote.endswith(")") for c in a.citations), "the units are quoted"


def test_who_leads_without_units_says_so(answerer):
    a = ask(answerer, Kind.WHO_LEADS, "保障措施谁负责", [ZS_HEAD], cities=["中山"])
    assert "未单列责任单位" in a.answer


# ------------------------------------------------------------------------------------- duty
def test_duty_lead_groups_by_document_and_tags_the_standing(answerer):
    a = ask(answerer, Kind.DUTY, "质监局牵头哪些工作", [ZS_CQO, ST_BRAND, ZS_STD, ZS_CERT, ST_METRO],
            unit="质监局", role=Role.LEAD)
    lines = a.answer.splitlines()
    assert lines[0].startswith("质监局牵头或排在首位的工作共 4 项"), lines[0]
    zs_at = lines.index("中山《中山市质量提升行动方案》:")
    st_at = lines.index("汕头《汕头市质量强市2014—2015年行动计划》:")
    assert zs_at < st_at, "one group per document, in the order the documents first come"
    zs_rows = [l for l in lines[zs_at + 1:st_at] if l.startswith("- ")]
    st_rows = [l for l in lines[st_at + 1:] if l.startswith("- ")]
    assert [r.split("[")[0] for r in zs_rows] == ["- 二、(一)「推行首席质量官制度」(排在首位的责任单位)",
                                                  "- 二、(三)「推进质量认证」(牵头)"], zs_rows
    assert [r.split("[")[0] for r in st_rows] == ["- 二、(三)「實施品牌帶動戰略」(牵头)",
                                                  "- 二、(四)「加強計量工作」(排在首位的责任单位)"], st_rows
    assert not any(ZS_STD.heading in l for l in lines), "质监局 is listed second there: not its lead"


def test_duty_any_role_includes_shared_clauses_without_tags(answerer):
    a = ask(answerer, Kind.DUTY, "质监局参与哪些工作", [ZS_CQO, ZS_STD, ZS_HEAD], unit="质监局", role=Role.ANY)
    lines = a.answer.splitlines()
    assert lines[0].startswith("质监局负责或参与的工作共 2 项")
    assert any(l.startswith("- 二、(二)「加强标准化建设」") for l in lines)
    assert "(牵头)" not in a.answer and "(排在首位的责任单位)" not in a.answer


def test_duty_quotes_a_content_sentence_not_the_heading(answerer):
    a = ask(answerer, Kind.DUTY, "质监局牵头哪些工作", [ZS_CQO, ST_BRAND], unit="质监局", role=Role.LEAD)
    said = [c for c in a.citations if not c.quote.startswith(("(", "\uff08"))]
    assert said and not any(is_heading(c.quote, c.clause) for c in said)


def test_duty_with_no_clause_of_the_unit_falls_back_to_who(answerer):
    a = ask(answerer, Kind.DUTY, "海关牵头哪些工作", [ZS_CQO], unit="海关", role=Role.LEAD, cities=["中山"])
    assert "工作共" not in a.answer and "责任单位" in a.answer


# ------------------------------------------------------------------------------------ target
def test_target_prepends_the_by_year_sentence(answerer):
    a = ask(answerer, Kind.TARGET, "首席质量官制度覆盖率目标是多少", [ZS_CQO], cities=["中山"])
    lines = a.answer.splitlines()
    assert "到2025年,全市质量水平显著提升。" in lines[0] and "100%" in lines[1], a.answer


def test_target_sentence_with_its_own_year_stands_alone(answerer):
    c = make_clause(make_doc("009_x"), "一、(一)", "(一)主要目标。质量持续提升。到2020年建设示范单位50家。",
                    heading="主要目标")
    a = ask(answerer, Kind.TARGET, "示范单位要建多少家", [c], cities=["中山"])
    assert a.answer.count("\n") == 0 and "50家" in a.answer


def test_target_without_a_by_year_sentence(answerer):
    a = ask(answerer, Kind.TARGET, "诚信计量示范单位多少家", [ST_METRO], cities=["汕头"])
    assert len(a.answer.splitlines()) == 1 and "100家" in a.answer


# ----------------------------------------------------------------------------------- English
ENGLISH = [
    case("who leads", Kind.WHO_LEADS, "Who is responsible for the chief quality officer system?", "The units in charge"),
    case("target", Kind.TARGET, "What is the coverage target?", "The target"),
    case("duty", Kind.DUTY, "What does the quality supervision bureau lead?", "The tasks of this unit"),
    case("look-up", Kind.LOOKUP, "What does the plan say on chief quality officers?", "What the documents say"),
]


@pytest.mark.parametrize("kind,question,lead", ENGLISH)
def test_english_question_gets_an_english_lead(answerer, kind, question, lead):
    unit = "质监局" if kind == Kind.DUTY else None
    a = ask(answerer, kind, question, [ZS_CQO], english=True, cities=["中山"], unit=unit, role=Role.LEAD)
    first = a.answer.splitlines()[0]
    assert first.startswith(lead) and first.isascii() is False and "中山市质量提升行动方案" in first
    assert a.answer.splitlines()[1:], "the Chinese quotes follow"


def test_chinese_question_gets_no_english_lead(answerer):
    a = ask(answerer, Kind.WHO_LEADS, "首席质量官制度谁负责", [ZS_CQO], cities=["中山"])
    assert not a.answer.startswith(("The ", "What "))


# ----------------------------------------------------------------------------------- damage
DAMAGED = [
    case("target", Kind.TARGET, "认证企业达到多少家", {}),
    case("look-up", Kind.LOOKUP, "质量认证有什么要求", {}),
    case("support", Kind.SUPPORT, "质量认证有什么支持", {}),
    case("compare", Kind.COMPARE, "各地质量认证有什么安排", {}),
    case("who leads: the related sentence", Kind.WHO_LEADS, "质量认证企业数量谁牵头", {}),
    case("duty: the clause's sentence", Kind.DUTY, "质监局牵头哪些工作", {"unit": "质监局", "role": Role.LEAD}),
]


@pytest.mark.parametrize("kind,question,extra", DAMAGED)
def test_damaged_sentence_carries_note_and_warning(answerer, kind, question, extra):
    a = ask(answerer, kind, question, [ZS_CERT], cities=[] if kind == Kind.COMPARE else ["中山"], **extra)
    assert "?000家" in a.answer and DAMAGE_NOTE in a.answer
    assert [w.kind for w in a.warnings] == [WarningKind.DAMAGED_SOURCE]
    assert "二、(三)" in a.warnings[0].detail and "1000家" not in a.answer


def test_undamaged_answer_has_no_note(answerer):
    a = ask(answerer, Kind.TARGET, "首席质量官制度覆盖率目标", [ZS_CQO], cities=["中山"])
    assert DAMAGE_NOTE not in a.answer and not a.warnings


def test_no_hits_no_answer(answerer):
    for kind in Kind:
        a = ask(answerer, kind, "首席质量官", [], unit="质监局")
        assert not a.answerable and not a.citations
