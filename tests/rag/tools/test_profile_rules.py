"""Reading an enterprise's profile (rag/tools/profile.py): raw text or form -> Profile."""
from __future__ import annotations

import pytest

from rag.tools.profile import parse_profile, profile_from_fields, size_class, size_rule

PLACES = ["中山", "全国", "东莞", "怀仁", "汕头"]


def test_the_issue_s_furniture_maker():
    p = parse_profile("我们是东莞的一家家具厂,80人,出口为主,想做品牌、参与标准制定", PLACES)
    assert (p.city, p.trades, p.employees, p.size) == ("东莞", ["家具"], 80, "小型")
    assert p.has == ["出口企业"] and p.wants == ["品牌", "标准"] and p.above_scale is None


@pytest.mark.parametrize("text, trade", [
    ("做小家电的", "家电"), ("我们是灯饰厂", "照明灯饰"), ("一家毛织企业", "纺织服装"), ("红木家私", "家具"),
    ("做锂电池", "电池储能"), ("开饭店的", "住宿餐饮"), ("软件公司", "软件信息服务"), ("养羔羊", "畜牧养殖"),
    ("做跨境电商", "电子商务"), ("医疗器械生产", "医疗器械"),
])
def test_trades_from_common_words(text, trade):
    assert trade in parse_profile(text, PLACES).trades


@pytest.mark.parametrize("text, employees, revenue, size, above", [
    ("员工1500人,年营收6亿元", 1500, 60000.0, "大型", True),
    ("两百人", 200, None, "小型", None),
    ("十几个人", None, None, None, None),               # not a figure: never guessed
    ("三十来人,年产值8000万", 30, 8000.0, "小型", True),
    ("员工400人,年营收3000万", 400, 3000.0, "中型", True),
    ("15个人,营业额200万", 15, 200.0, "微型", False),
    ("规上企业", None, None, None, True),
    ("小微企业", None, None, "小型", None),
])
def test_size_from_headcount_revenue_or_words(text, employees, revenue, size, above):
    p = parse_profile(f"东莞一家家具厂,{text}", PLACES)
    assert (p.employees, p.revenue_wan, p.size, p.above_scale) == (employees, revenue, size, above)


def test_size_classes_follow_the_national_rules_by_trade_group():
    industry, retail = size_rule(["家具"]), size_rule(["批发零售"])
    assert [size_class(industry, n, None) for n in (19, 20, 299, 300, 999, 1000)] == ["微型", "小型", "小型", "中型", "中型", "大型"]
    assert size_class(retail, 60, None) == "中型" and size_class(industry, 60, None) == "小型"
    assert size_class(industry, 500, 1000) == "小型"        # 中型 needs both bounds: the smaller class
    assert size_class(industry, None, None) is None


@pytest.mark.parametrize("text, has", [
    ("出口为主", ["出口企业"]), ("不做出口", []), ("还没有出口", []), ("只做内销", []),
    ("是国家高新技术企业,专精特新小巨人", ["高新技术企业", "专精特新"]), ("行业龙头", ["龙头企业"]),
])
def test_standings_it_states_and_negations(text, has):
    assert parse_profile(f"东莞一家家具厂,{text}", PLACES).has == has


def test_wants_are_read_only_where_it_states_a_want():
    p = parse_profile("汕头的出口企业,已有自主品牌,想融资,希望申请专利", PLACES)
    assert p.wants == ["融资/保险", "知识产权"] and p.has == ["出口企业"]
    assert parse_profile("想出口", PLACES).has == []           # a want is no standing


def test_a_city_outside_the_index_is_named_in_the_notes():
    p = parse_profile("深圳一家软件公司", PLACES)
    assert p.city is None and any("深圳" in n for n in p.notes)


def test_a_district_or_county_stands_for_its_city():
    assert parse_profile("澄海区的玩具厂", PLACES).city == "汕头"
    assert parse_profile("深圳南山区的软件公司", PLACES).city is None


def test_form_fields_win_over_the_text_and_unknown_values_are_said():
    p = profile_from_fields(text="东莞一家家具厂,80人", city="中山", trade="灯饰", employees=20, has=["出口"],
                            wants=["融资", "品牌"], places=PLACES)
    assert (p.city, p.trades, p.employees, p.size) == ("中山", ["照明灯饰"], 20, "小型")
    assert p.has == ["出口企业"] and p.wants == ["融资/保险", "品牌"]
    odd = profile_from_fields(trade="炼丹", size="很大", places=PLACES)
    assert odd.trades == [] and any("炼丹" in n for n in odd.notes) and any("很大" in n for n in odd.notes)


@pytest.mark.parametrize("text, asks", [
    ("我们是东莞的一家家具厂,80人,出口为主,想做品牌,有哪些政策?", True),
    ("我司在中山做灯饰,小微企业,能享受什么扶持?", True),
    ("我们是汕头的玩具厂,适用哪些政策", True),
    ("中山市推行首席质量官制度由哪些部门负责?", False),          # no self-description
    ("我们是东莞的一家家具厂,首席质量官由谁负责?", False),       # asks something else
    ("我想问问有哪些政策", False),                                 # says nothing of the enterprise
])
def test_a_self_description_asking_for_measures_is_recognised(text, asks):
    from rag.tools.profile import asks_for_measures

    assert asks_for_measures(text, PLACES) is asks
