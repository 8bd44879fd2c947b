"""The decline rules of rag/decide/gate.py and the stated-value rules of rag/compose/evidence.py, one table per
rule, on hand-made signals and small documents written here (not the shipped corpus).
Rows marked xfail(strict=True) are cases where the rule gives a wrong answer today.
"""
from __future__ import annotations

import pytest

from index.catalog import IndexSnapshot
from index.models import Clause, Document
from rag.compose.evidence import VALUES, states
from rag.decide.gate import CoverageGate, Signals, _has_part, _holds_year
from rag.types import Ask, DeclineReason, Filters, Query
from tests.fakes.corpus import make_doc


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


def clause(text: str, clause_id: str = "二、(一)", heading: str = "", doc_id: str = "000_zs") -> Clause:
    return Clause(doc_id=doc_id, clause_id=clause_id, heading_path=[], heading=heading, text=text, norm=text)


def doc(*texts: str, title: str = "关于加快推进质量强市建设的实施方案", date: str | None = None,
        ids: list[str] | None = None, doc_id: str = "000_zs", city: str | None = "中山") -> Document:
    d = make_doc(doc_id=doc_id, city=city, title=title, date=date)
    d.clauses = [clause(t, (ids or [f"二、({i})" for i in range(len(texts))])[i], doc_id=doc_id)
                 for i, t in enumerate(texts)]
    return d


# ----------------------------------------------------------------------------- Signals.relevant
RELEVANT = [
    case("coverage and mass both enough", Signals(coverage=0.3, mass=4.0), True),
    case("exactly at both thresholds", Signals(coverage=0.2, mass=3.0), True),
    case("coverage without mass, some words unknown to the corpus", Signals(coverage=0.9, mass=2.0, unknown=0.3), False),
    case("a short ask wholly in the corpus's words passes on its share (怀仁的主要目标)", Signals(coverage=0.9, mass=2.0), True),
    case("wholly known but under the whole-ask share", Signals(coverage=0.7, mass=2.0), False),
    case("wholly known, but one generic word is not a topic", Signals(coverage=1.0, mass=0.8), False),
    case("a clause named or pointed at is relevant by construction", Signals(about=True), True),
    case("an unknown code declines even a named clause", Signals(about=True, unknown_code=True), False),
    case("mass without coverage", Signals(coverage=0.1, mass=10.0), False),
    case("dense alone is enough", Signals(coverage=0.0, mass=0.0, dense=0.6), True),
    case("dense just under", Signals(coverage=0.1, mass=1.0, dense=0.49), False),
    case("nothing", Signals(), False),
    case("off-topic: unknown words, low mass, low coverage, even with a high dense",
         Signals(coverage=0.5, mass=4.0, dense=0.9, unknown=0.8), False),
    case("off-topic needs unknown >= 0.8", Signals(coverage=0.5, mass=4.0, unknown=0.79, dense=0.3), True),
    case("off-topic needs low mass: mass 8 is a topic", Signals(coverage=0.3, mass=8.0, unknown=0.9, dense=0.3), True),
    case("high coverage overrides the off-topic rule", Signals(coverage=0.7, mass=4.0, unknown=1.0, dense=0.3), True),
    case("half unknown, like no clause in meaning: a stranger (高考志愿怎么填报)",
         Signals(coverage=1.0, mass=4.7, unknown=0.67, dense=0.11), False),
    case("… unless it follows a turn", Signals(coverage=1.0, mass=4.7, unknown=0.67, dense=0.11, follows=True), True),
    case("… or some clause resembles it", Signals(coverage=1.0, mass=4.7, unknown=0.67, dense=0.2), True),
    case("a follow-up's dense similarity alone is the last topic's (东莞呢? after 汕头's 工程质量)",
         Signals(coverage=0.15, mass=1.9, dense=0.55, follows=True), False),
    case("… with coverage of its own it counts", Signals(coverage=0.2, mass=1.9, dense=0.55, follows=True), True),
    case("high coverage overrides, then dense still counts", Signals(coverage=0.7, mass=1.0, dense=0.6, unknown=1.0), True),
    case("high coverage overrides, but mass still needed", Signals(coverage=0.7, mass=1.0, unknown=1.0), False),
    case("a terse topic whose specific word is unknown, however well its generic words match (预制菜 质量标准)",
         Signals(coverage=1.0, mass=3.4, dense=0.6, unknown=0.4, strange_topic=True), False),
    case("… unless a clause is named by construction", Signals(about=True, strange_topic=True), True),
]


@pytest.mark.parametrize("signals,expected", RELEVANT)
def test_relevant(signals, expected):
    assert signals.relevant() is expected


THRESHOLDS = [
    case("a stricter coverage threshold", Signals(coverage=0.3, mass=4.0), {"min_coverage": 0.5}, False),
    case("a looser mass threshold", Signals(coverage=0.3, mass=1.0), {"min_mass": 0.5}, True),
    case("a looser dense threshold", Signals(dense=0.3), {"min_dense": 0.25}, True),
]


@pytest.mark.parametrize("signals,kwargs,expected", THRESHOLDS)
def test_relevant_thresholds_are_parameters(signals, kwargs, expected):
    assert signals.relevant(**kwargs) is expected


# ------------------------------------------------------------------------ CoverageGate.reason
GOOD = {"coverage": 0.5, "mass": 5.0}


def query(refuse: DeclineReason | None = None) -> Query:
    out = Query(raw="问题", text="问题")
    out.refuse_reason = refuse
    return out


REASONS = [
    case("the understanding's refuse reason wins over everything",
         query(DeclineReason.INJECTION), Signals(**GOOD, duty_match=True, scope="x"), True, DeclineReason.INJECTION),
    case("a foreign place is declined before retrieval counts",
         query(DeclineReason.FOREIGN_PLACE), Signals(**GOOD), True, DeclineReason.FOREIGN_PLACE),
    case("scope -> out_of_scope, even for a duty match",
         query(), Signals(**GOOD, duty_match=True, scope="没有涉及2030年的内容"), True, DeclineReason.OUT_OF_SCOPE),
    case("scope -> out_of_scope, even with no hits", query(), Signals(scope="x"), False, DeclineReason.OUT_OF_SCOPE),
    case("no hits -> no_evidence", query(), Signals(**GOOD), False, DeclineReason.NO_EVIDENCE),
    case("no hits -> no_evidence, even for a duty match", query(), Signals(duty_match=True), False,
         DeclineReason.NO_EVIDENCE),
    case("a duty match answers, however low the relevance", query(), Signals(duty_match=True), True, None),
    case("a duty match answers, even if not_stated", query(), Signals(duty_match=True, not_stated=True), True, None),
    case("irrelevant -> no_evidence", query(), Signals(coverage=0.1, mass=1.0), True, DeclineReason.NO_EVIDENCE),
    case("irrelevant beats not_stated", query(), Signals(coverage=0.1, not_stated=True), True,
         DeclineReason.NO_EVIDENCE),
    case("relevant but the value is not stated -> not_stated", query(), Signals(**GOOD, not_stated=True), True,
         DeclineReason.NOT_STATED),
    case("relevant by dense, not stated -> not_stated", query(), Signals(dense=0.8, not_stated=True), True,
         DeclineReason.NOT_STATED),
    case("relevant -> answer", query(), Signals(**GOOD), True, None),
]


@pytest.mark.parametrize("q,signals,any_hits,reason", REASONS)
def test_reason(q, signals, any_hits, reason):
    gate = CoverageGate(snapshot=None, dense=None)
    assert gate.reason(q, signals, any_hits) == reason


@pytest.mark.parametrize("kwargs", [{"min_coverage": 1.5}, {"min_coverage": -0.1}, {"min_mass": -1.0},
                                    {"min_dense": 1.2}], ids=["coverage>1", "coverage<0", "mass<0", "dense>1"])
def test_gate_thresholds_are_checked(kwargs):
    with pytest.raises(ValueError, match="min_coverage"):
        CoverageGate(snapshot=None, dense=None, **kwargs)


# ---------------------------------------------------------------------------- scope: _holds_year
ST_TITLE = "汕头市质量强市2014—2015年行动计划"
HOLDS = [
    case("title range: first year", doc("到2020年。", title=ST_TITLE), 2014, True),
    case("title range: last year", doc(title=ST_TITLE), 2015, True),
    case("title range bounds the period: after", doc("到2020年,品牌数量翻番。", title=ST_TITLE), 2020, False),
    case("title range bounds the period: before", doc(title=ST_TITLE), 2013, False),
    case("title with ASCII hyphen", doc(title="质量发展规划(2021-2025年)"), 2023, True),
    case("single-year title", doc("到2025年。", title="2021年质量工作要点"), 2025, False),
    case("no title years: a year in the text", doc("到2025年,全市质量水平显著提升。"), 2025, True),
    case("no title years: a year not in the text", doc("到2025年,全市质量水平显著提升。"), 2030, False),
    case("a year inside a cited 《…(2011-2020年)》 does not count",
         doc("贯彻《质量发展纲要(2011-2020年)》,到2025年全面提升。"), 2020, False),
    case("the cited title's start year does not count either",
         doc("贯彻《质量发展纲要(2011-2020年)》,到2025年全面提升。"), 2011, False),
    case("the same year outside the citation counts",
         doc("贯彻《质量发展纲要(2011-2020年)》,到2020年全面完成。"), 2020, True),
    case("a damaged ?025 matches 2025", doc("到?025年,规上企业全覆盖。"), 2025, True),
    case("a damaged 20?5 matches 2025", doc("到20?5年,规上企业全覆盖。"), 2025, True),
    case("a damaged ?025 does not match 2024", doc("到?025年,规上企业全覆盖。"), 2024, False),
    case("the document's date counts", doc("全面提升质量。", date="2021-03-01"), 2021, True),
    case("a longer number holding the digits is not the year",
         doc("全市工业产值达12020亿元。"), 2020, False),
]


@pytest.mark.parametrize("d,year,expected", HOLDS)
def test_holds_year(d, year, expected):
    assert _holds_year(d, year) is expected


# ------------------------------------------------------------------------------ scope: _has_part
PART_DOC = doc("甲。", "乙。", "丙。", ids=["一、(一)", "三、(二)", "十三、"])
PARTS = [
    case("a part with clauses", PART_DOC, "一", True),
    case("a part with a nested clause", PART_DOC, "三", True),
    case("a part the document lacks", PART_DOC, "二", False),
    case("十 is not held because 十三 is", PART_DOC, "十", False),
    case("十三 exists", PART_DOC, "十三", True),
    case("a document without chapter ids", doc("甲。", ids=["1."]), "一", False),
]


@pytest.mark.parametrize("d,part,expected", PARTS)
def test_has_part(d, part, expected):
    assert _has_part(d, part) is expected


def scope_of(docs: list[Document], years=(), parts=(), cities=()) -> str | None:
    snap = IndexSnapshot(build_id="scope", embedder="fake", documents={d.doc_id: d for d in docs}, chunks=[], tokens=[])
    q = Query(raw="问题", text="问题", years=list(years), parts=list(parts), filters=Filters(cities=list(cities)))
    return CoverageGate(snapshot=snap, dense=None).scope(q)


def test_scope_names_what_the_documents_hold():
    st = doc("到2015年,建设100家。", title=ST_TITLE, doc_id="001_st", city="汕头", date="2014")
    said = scope_of([st], years=[2020], cities=["汕头"])
    assert said and ST_TITLE in said and "2020 年" in said
    assert scope_of([st], years=[2015], cities=["汕头"]) is None


SCOPES = [
    case("a year no document in scope holds", {"years": [2030]}, True),
    case("a year one document holds", {"years": [2025]}, False),
    case("a range partly held", {"years": [2024, 2025, 2026]}, False),
    case("a part missing, with a city", {"parts": ["五"], "cities": ["中山"]}, True),
    case("a part missing, without a city, is not judged", {"parts": ["五"]}, False),
    case("a part held", {"parts": ["二"], "cities": ["中山"]}, False),
    case("the city filter narrows the documents", {"years": [2025], "cities": ["东莞"]}, True),
]


@pytest.mark.parametrize("kwargs,out", SCOPES)
def test_scope(kwargs, out):
    zs = doc("到2025年,全覆盖。", ids=["二、(一)"])
    dg = doc("到2020年,200个。", doc_id="002_dg", city="东莞", ids=["一、(一)"])
    assert (scope_of([zs, dg], **kwargs) is not None) is out


# ------------------------------------------------------------------------ stated values per Ask
STATED = [
    case("amount in 万元", Ask.AMOUNT, "给予一次性奖励50万元。", True),
    case("amount in 亿元 with a decimal", Ask.AMOUNT, "设立1.5亿元专项资金。", True),
    case("amount in Chinese numerals", Ask.AMOUNT, "给予五十万元奖励。", True),
    case("amount with a damaged digit", Ask.AMOUNT, "奖励?0万元。", True),
    case("amount all damaged but the unit", Ask.AMOUNT, "奖励??万元。", True),
    case("amount in 万美元", Ask.AMOUNT, "资助100万美元。", True),
    case("a figure without 元 is no amount", Ask.AMOUNT, "营业收入超过10亿。", False),
    case("a count is no amount", Ask.AMOUNT, "培育100家示范企业。", False),
    case("support without a figure", Ask.AMOUNT, "给予资金扶持。", False),
    case("month in digits", Ask.MONTH, "每年3月底前申报。", True),
    case("month damaged", Ask.MONTH, "?月底前完成。", True),
    case("month in Chinese numerals", Ask.MONTH, "十二月完成评审。", True),
    case("month 月份", Ask.MONTH, "12月份组织评审。", True),
    case("3个月 is a duration", Ask.MONTH, "3个月内完成整改。", False),
    case("市场份额 is no month", Ask.MONTH, "提高市场份额。", False),
    case("full date", Ask.DATE, "2021年2月3日印发。", True),
    case("year and month", Ask.DATE, "2021年?月起施行。", True),
    case("damaged 2021?2?3?", Ask.DATE, "2021?2?3?印发。", True),
    case("ISO date", Ask.DATE, "2021-02-03", True),
    case("damaged year in a date", Ask.DATE, "20?1年3月5日", True),
    case("a year alone is no date", Ask.DATE, "到2021年全面完成。", False),
    case("a person 同志", Ask.PERSON, "联系人:张同志。", True),
    case("a landline", Ask.PERSON, "电话:0769-12345678。", True),
    case("a mobile", Ask.PERSON, "手机13812345678。", True),
    case("an e-mail", Ask.PERSON, "邮箱zl@dg.gov.cn。", True),
    case("先生", Ask.PERSON, "王先生负责。", True),
    case("a title without a name", Ask.PERSON, "由市长任组长。", False),
    case("a unit is no person", Ask.PERSON, "(市质监局牵头)", False),
    case("a percentage", Ask.SHARE, "按不低于30%的比例给予补助。", True),
    case("a full-width percent", Ask.SHARE, "补助标准为项目投资的20%。", True),
    case("百分之", Ask.SHARE, "按百分之五十给予奖励。", True),
    case("three tenths", Ask.SHARE, "财政承担三成。", True),
    case("a share words only, no figure", Ask.SHARE, "健全质量保证金制度。", False),
    case("成 inside words is no tenth", Ask.SHARE, "一成不变的机制,形成合力。", False),
]


@pytest.mark.parametrize("ask,text,expected", STATED)
def test_values(ask, text, expected):
    assert bool(VALUES[ask].search(text)) is expected


STATES = [
    case("the value in the clause text", Ask.DATE, clause("2021年2月3日起施行。"), True),
    case("a value only in the heading does not count", Ask.DATE,
         clause("全面提升质量。", heading="2021年3月5日工作安排"), False),
    case("an amount only in the heading does not count", Ask.AMOUNT,
         clause("给予资金扶持。", heading="奖励50万元"), False),
]


@pytest.mark.parametrize("ask,c,expected", STATES)
def test_states(ask, c, expected):
    assert states(c, ask) is expected


# -------------------------------------------------------------------------- strange_topic (terse)
def topic_snapshot() -> IndexSnapshot:
    """Clauses where 质量标准 is common (a generic word) and 锂电池 rare; 预制菜 and 锂离子 absent."""
    d = doc("推动质量标准体系建设,提升质量标准水平。", "加强质量管理,完善质量标准。", "支持锂电池企业开展质量认证。",
            "推进质量标准工作。", "落实质量标准。", "完善质量标准体系。")
    tokens = [["质量标准", "质量", "标准"]] * 5 + [["锂电池", "电池", "质量", "认证"]]
    return IndexSnapshot(build_id="topic", embedder="fake", documents={d.doc_id: d}, chunks=[], tokens=tokens)


def terse_query(words: list[str], **kw) -> Query:
    out = Query(raw=" ".join(words), text=" ".join(words), **kw)
    out.terse = words
    return out


STRANGE = [
    case("the specific word unknown, the rest generic", ["预制菜", "质量标准"], {}, True),
    case("every word known", ["质量标准"], {}, False),
    case("an unknown word beside a rare known one: the known one can be the topic", ["锂离子", "锂电池"], {}, False),
    case("not terse: no topic words", [], {}, False),
    case("English: the bridge's terms decide", ["预制菜", "质量标准"], {"english": True}, False),
    case("the lexicon found corpus words for it", ["预制菜", "质量标准"], {"expansions": ["食品"]}, False),
]


@pytest.mark.parametrize("words,kw,expected", STRANGE)
def test_strange_topic(words, kw, expected):
    from rag.decide.gate import strange_topic
    snap = topic_snapshot()
    assert strange_topic(terse_query(words, **kw), snap) is expected
