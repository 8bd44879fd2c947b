"""Support classification at index time (index/support.py): raw sentence -> offer, by kinds of
wording; each rule on made-up sentences of the kind it stands for, not on the corpus's."""
from __future__ import annotations

import pytest

from index.models import Clause, Units
from index.support import Heading, Phrases, classify, offer_in, trade_phrases, trades


def sentence(text: str, heading: Heading | None = None):
    return offer_in(text, 0, len(text), heading)


def clause(text: str, heading: str = "某项工作", path: list[str] | None = None) -> Clause:
    return Clause(doc_id="d", clause_id="一、(一)", heading_path=path or ["一、主要任务", f"(一){heading}"],
                  heading=heading, text=text, norm=text, units=Units())


@pytest.mark.parametrize("text, kinds", [
    ("设立质量发展专项资金,对企业建设实验室给予补贴。", {"资金/奖励", "检验检测/计量/认证"}),
    ("鼓励金融机构为企业提供质押融资。", {"融资/保险"}),
    ("支持企业参与国际标准制修订。", {"标准"}),
    ("支持企业注册商标,培育自主品牌。", {"品牌"}),
    ("为小微企业免费开展质量管理培训,帮扶企业提升质量管理能力。", {"培训/人才", "质量管理"}),
])
def test_kinds_of_support_are_read_from_the_sentence(text, kinds):
    offer = sentence(text)
    assert offer is not None and kinds <= set(offer.kinds)


@pytest.mark.parametrize("text", [
    "严厉打击制售假冒伪劣商品违法行为,依法查处侵犯商标专用权行为。",   # control only
    "加大对电线电缆等产品的监督抽查力度,对不合格企业约谈整改。",          # more control than offer
    "到2025年,建成一批国家级检验检测公共技术服务平台。",                   # a target
    "支持行业协会开展团体标准研制。",                                       # helps an association only
    "加强基层公共就业服务平台建设,为城乡居民提供职业技能培训。",           # residents, not enterprises
    "全面加强党的领导。",                                                   # no kind of support
])
def test_sentences_that_offer_enterprises_nothing(text):
    assert sentence(text) is None


def test_a_facility_for_all_counts_without_naming_enterprises():
    offer = sentence("建设国家级质检中心和公共技术服务平台,开放共享检测设备。")
    assert offer is not None and "检验检测/计量/认证" in offer.kinds and not (offer.sizes or offer.titles or offer.trades)


def test_sizes_and_standings_are_who_may_benefit_with_the_phrase_as_written():
    offer = sentence("向中小型企业发放科技创新券,支持出口企业应对技术性贸易措施。")
    assert offer is not None and offer.sizes == ["中小微"] and offer.titles == ["出口企业"]
    assert offer.conditions == ["向中小型企业发放科技创新券", "支持出口企业应对技术性贸易措施"]
    assert not offer.open


def test_a_phrase_for_any_enterprise_opens_a_sentence_that_names_some():
    offer = sentence("完善对重点企业的直通车服务,引导企业制定实施品牌培育规划。")
    assert offer is not None and offer.titles == ["重点企业"] and offer.open


def test_a_scoping_phrase_keeps_the_sentence_for_those_it_names():
    offer = sentence("针对纺织服装、家居产品等传统支柱产业,支持企业开展质量攻关。")
    assert offer is not None and set(offer.trades) == {"纺织服装", "家具"} and "传统产业" in offer.families
    assert not offer.open


def test_trades_are_found_longest_first_and_phrases_naming_no_trade_win():
    found = {t.label for t in trade_phrases().find("推进国家电子商务示范城市建设,设立产品诊所,鼓励电商平台合作")}
    assert "trade:电子商务" in found and "trade:家电" not in found and "trade:医疗卫生" not in found
    assert "trade:化工" not in {t.label for t in trade_phrases().find("加强标准化工作")}
    assert "trade:金融" not in {t.label for t in trade_phrases().find("鼓励金融机构加大信贷投放")}   # a profile-only word


def test_every_trade_names_known_families_and_codes():
    table = trades()
    assert len(table) >= 40 and all(t.codes and t.families and (t.words or t.profile_words) for t in table.values())
    assert {"家具", "家电", "纺织服装", "食品"} <= set(table) and "家居" in table["家具"].words
    assert "小家电" in table["家电"].words and "轻工" in table["家具"].families


def test_headings_state_aims_or_organise_government_work_offer_nothing():
    text = "支持企业建设实验室,给予资金补贴。"
    assert classify(clause(text)).offers
    assert classify(clause(text, "主要目标", ["二、主要目标"])).offers == []
    assert classify(clause(text, "加强组织领导")).offers == []


def test_a_heading_naming_a_size_or_a_trade_holds_for_its_sentences():
    offers = classify(clause("开展质量管理培训,提供检测认证服务。", "实施小微企业质量精准帮扶")).offers
    assert offers and all(o.sizes == ["小微"] and not o.open for o in offers)
    offers = classify(clause("打造一批区域公共品牌,支持企业开展认证。", "农业产业走向高品质")).offers
    assert offers and all("农业" in o.families for o in offers)


def test_traditional_text_is_read_alike_and_conditions_stay_as_written():
    offer = sentence("加強對中小微企業經營者的質量管理培訓,每年為中小微企業提供免費培訓。")
    assert offer is not None and offer.sizes == ["中小微"]
    assert offer.conditions[0] == "加強對中小微企業經營者的質量管理培訓"


def test_phrases_reject_nothing_and_label_by_the_longest_word():
    phrases = Phrases([("出口企业", "title:出口"), ("出口龙头企业", "title:出口"), ("龙头企业", "title:龙头")])
    assert [t.word for t in phrases.find("培育出口龙头企业和龙头企业")] == ["出口龙头企业", "龙头企业"]
    assert Phrases([]).find("任何文字") == []
