"""Policy matching (rag/tools/match.py) on a small made-up index: which sentences apply to which
profile, what is listed apart and why, ranking, the chat answer's citations."""
from __future__ import annotations

import time

from index.catalog import IndexSnapshot
from index.models import Clause, Document, Level, Units
from index.support import classify
from rag.tools.match import MatchResult, SupportIndex, judge, match
from rag.tools.profile import Profile

CLAUSES = {
    "一、(一)": ("加大品牌扶持", "加大资金政策扶持力度,鼓励企业加强品牌建设。", Units(responsible=["市市场监管局", "市商务局"])),
    "一、(二)": ("推进质量攻关", "针对纺织服装、家居产品等传统支柱产业,支持企业开展质量攻关。", Units(lead=["市科技局"])),
    "一、(三)": ("小微企业帮扶", "为小微企业提供检测认证、标准研制等服务。", Units(responsible=["市市场监管局"])),
    "一、(四)": ("出口应对", "主动为出口企业提供技术性贸易措施预警信息。", Units(responsible=["市商务局"])),
    "一、(五)": ("加强监管", "严厉打击制售假冒伪劣商品违法行为,依法查处侵权行为。", Units(responsible=["市公安局"])),
}


def doc(doc_id: str, city: str | None, clauses: dict, classified: bool = True) -> Document:
    items = []
    for order, (cid, (heading, text, units)) in enumerate(clauses.items()):
        c = Clause(doc_id=doc_id, clause_id=cid, heading_path=["一、主要任务", f"(x){heading}"], heading=heading,
                   text=text, norm=text, units=units, order=order)
        c.support = classify(c) if classified else None
        items.append(c)
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", sha256="0", title=f"{city or '国家'}质量方案", issuer=None,
                    city=city, region=None, level=Level.CITY if city else Level.NATIONAL, date="2023", doc_number=None,
                    script="simplified", clauses=items)


def snapshot(classified: bool = True) -> IndexSnapshot:
    national = {"八、(一)": ("金融扶持", "加大对中小微企业质量创新的金融扶持力度。", Units())}
    docs = [doc("a", "甲市", CLAUSES, classified), doc("n", None, national, classified), doc("b", "乙市", CLAUSES, classified)]
    return IndexSnapshot(build_id="t", embedder="fake", documents={d.doc_id: d for d in docs}, chunks=[], tokens=[])


def listed(result: MatchResult) -> list[str]:
    return [f"{m.doc.doc_id} {m.clause.clause_id}" for m in result.measures]


def apart(result: MatchResult) -> dict[str, list[str]]:
    return {f"{m.doc.doc_id} {m.clause.clause_id}": m.lacks for m in result.apart}


def test_a_small_furniture_maker_gets_its_trade_s_and_its_size_s_measures():
    result = match(snapshot(), Profile(city="甲市", trades=["家具"], size="小型", wants=["品牌"]))
    assert set(listed(result)) == {"a 一、(一)", "a 一、(二)", "a 一、(三)", "n 八、(一)"}
    assert listed(result)[0] == "a 一、(一)"                                   # the wanted kind first
    assert apart(result) == {"a 一、(四)": ["需为出口企业(您的描述中没有)"]}
    assert all(m.doc.place in ("甲市", "全国") for m in [*result.measures, *result.apart])


def test_another_trade_does_not_get_a_sector_s_measure_and_a_large_one_gets_the_small_ones_apart():
    result = match(snapshot(), Profile(city="甲市", trades=["软件信息服务"], size="大型", has=["出口企业"]))
    assert "a 一、(二)" not in listed(result) and "a 一、(二)" not in apart(result)
    assert set(listed(result)) == {"a 一、(一)", "a 一、(四)"}
    assert apart(result)["a 一、(三)"] == ["需为小微企业(您是大型企业)"]
    assert apart(result)["n 八、(一)"] == ["需为中小微企业(您是大型企业)"]


def test_what_the_profile_does_not_say_is_asked_for_not_assumed():
    result = match(snapshot(), Profile(city="甲市"))
    assert set(listed(result)) == {"a 一、(一)"}
    lacks = apart(result)
    assert lacks["a 一、(二)"][0].startswith("面向纺织服装、家具") and "未说明行业" in lacks["a 一、(二)"][0]
    assert "未说明规模" in lacks["a 一、(三)"][0]
    assert any("未说明行业" in n for n in result.notes) and any("未说明规模" in n for n in result.notes)


def test_why_it_matched_names_the_trade_family_size_and_wants():
    result = match(snapshot(), Profile(city="甲市", trades=["陶瓷"], size="微型", wants=["技术创新"]))
    sector = next(m for m in result.measures if m.clause.clause_id == "一、(二)")
    assert sector.why[0] == "地区:甲市" and "行业类别:传统产业(含陶瓷)" in sector.why
    assert "符合需求:技术创新" in sector.why and sector.kind == "技术创新"
    small = next(m for m in result.measures if m.clause.clause_id == "一、(三)")
    assert "对象:小微企业" in small.why and small.units == "责任单位:市市场监管局"


def test_a_size_unknown_is_said_as_such_even_for_an_enterprise_above_scale():
    result = match(snapshot(), Profile(city="甲市", trades=["家具"], above_scale=True))
    assert apart(result)["a 一、(三)"] == ["需为小微企业(您未说明人数或营业收入)"]


def test_regulation_is_never_a_measure():
    result = match(snapshot(), Profile(city="甲市", trades=["家具"], size="小型", has=["出口企业"]))
    assert "a 一、(五)" not in listed(result) + list(apart(result))


def test_without_a_city_only_the_national_plan_and_a_note():
    result = match(snapshot(), Profile(trades=["家具"], size="小型"))
    assert listed(result) == ["n 八、(一)"] and any("国家层面" in n for n in result.notes)


def test_a_catalog_built_before_classification_is_classified_when_read():
    old, new = snapshot(classified=False), snapshot()
    profile = Profile(city="甲市", trades=["家具"], size="小型")
    assert listed(match(old, profile)) == listed(match(new, profile))


def test_limits_and_deadline_bound_the_work():
    snap = snapshot()
    result = match(snap, Profile(city="甲市", trades=["家具"], size="小型"), SupportIndex(snap), limit=2)
    assert len(result.measures) == 2 and result.truncated == 2
    late = match(snap, Profile(city="甲市", trades=["家具"], size="小型"), deadline=time.monotonic() - 1)
    assert late.measures == [] and any("时限" in n for n in late.notes)


def test_the_chat_answer_cites_verbatim_quotes_of_every_measure_shown():
    result = match(snapshot(), Profile(city="甲市", trades=["家具"], size="小型", wants=["品牌"]))
    answer = result.to_answer(limit=3)
    assert answer.answerable and answer.answer.startswith("按您的情况(甲市 · 家具 · 小型")
    assert "【品牌】" in answer.answer and "另有 1 项需要您尚未具备" in answer.answer and "其余 1 项" in answer.answer
    assert len(answer.citations) == 4 and all(c.quote in c.clause.text for c in answer.citations)
    assert answer.meta["kind"] == "match" and answer.to_contract()["citations"][0]["clause"] == "一、(一)"


def test_judging_one_sentence():
    offer = classify(doc("a", "甲市", CLAUSES).clauses[1]).offers[0]
    assert judge(offer, Profile(trades=["软件信息服务"])) is None
    assert judge(offer, Profile(trades=["家具"])).why == ["行业:家具"]
