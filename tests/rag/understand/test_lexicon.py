"""The domain lexicon: the data file validates, colloquial wording expands to corpus terms that
the index really holds, and split_context separates the speaker's situation from the ask."""
from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import pytest

from index.document import parse_document
from index.loaders import load
from rag.understand.lexicon import DEFAULT_PATH, Lexicon, split_context

ROOT = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon.load()


@lru_cache(maxsize=1)
def corpus_text() -> str:
    norms = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        if path.name.lower() == "readme.txt":
            continue
        norms += [c.norm for c in parse_document(load(path)).clauses]
    return "\n".join(norms)


def test_the_data_file_loads_and_is_broad() -> None:
    lex = lexicon()
    assert lex.source == str(DEFAULT_PATH)
    assert lex.size >= 300
    assert len(lex.terms()) >= 500


def test_every_target_term_occurs_in_the_corpus() -> None:
    text = corpus_text()
    missing = [t for t in lexicon().terms() if t not in text]
    assert not missing, f"lexicon terms the corpus never writes: {missing}"


@pytest.mark.parametrize("content, message", [
    ("只有一列\n", "expected 2 tab-separated columns"),
    ("a\tb\tc\n", "found 3"),
    ("# ok\n\n用电\t\n", "empty term"),
    ("用电||耗电\t能源计量\n", "empty trigger"),
    ("a~b~c\t能源计量\n", "more than one '~'"),
    ("用电\t能源 计量\n", "white space"),
    ("# only comments\n", "no entries"),
])
def test_a_malformed_file_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        Lexicon.load(bad)
    assert message in str(err.value)
    assert str(bad) in str(err.value)


def test_the_error_points_at_the_right_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("# header\n用电\t能源计量\n\n坏行没有制表符\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:4:"):
        Lexicon.load(bad)


# Everyday wording -> a term the documents use. Written for this test, not taken from any gold set.
@pytest.mark.parametrize("text, expected", [
    ("我们车间一个月电费好几十万,政府管不管", "能源计量"),
    ("厂里的秤老是不准,找谁校一下", "计量检定校准"),
    ("我家孩子玩滑板车摔伤了,是车子的问题", "产品伤害监测"),
    ("网上买的东西是假的,去哪儿投诉", "消费者权益保护"),
    ("我们的外观设计被隔壁厂抄袭了", "知识产权保护"),
    ("公司想弄个ISO9001", "质量管理体系认证"),
    ("跟供应商扯皮,货到底合不合格谁说了算", "质量争议仲裁"),
    ("银行不肯给我们放款,说缺抵押", "融资授信"),
    ("想给产品买个保险,万一出事能赔", "质量安全责任保险"),
    ("我们老板想评个政府奖", "政府质量奖"),
    ("车间里有个品管圈,效果不错", "QC小组"),
    ("货卖到欧洲被退回来了", "退运"),
    ("欧盟那边的新规把我们卡住了", "技术性贸易措施"),
    ("我家小区新楼裂缝很多,开发商不管", "建设单位工程质量首要责任"),
    ("想在淘宝开网店卖自家小米", "电商平台"),
    ("给老人找个靠谱的养老院", "养老服务"),
    ("请个月嫂不放心", "家政服务"),
    ("菜里农残超标怎么办", "农兽药残留超标"),
    ("招标的时候是不是最低价中标", "优质优价"),
    ("我们是个体户,规模很小", "小微企业"),
    ("缺懂质量的工程师,招人太难", "质量人才培养"),
    ("想申请个评职称", "质量专业技术职称"),
    ("电梯老出故障", "特种设备"),
    ("景区服务太差", "旅游"),
    ("我们的商标被人抢注了", "商标"),
    ("买到的电动车电池起火了", "电动自行车"),
    ("我們廠用電量很大", "能源计量"),                 # traditional input is normalised
    ("我们生产的产品经常被抽到", "监督抽查"),
])
def test_expansion(text: str, expected: str) -> None:
    terms = lexicon().expand(text)
    assert expected in terms, f"{text!r} -> {terms}"


def test_expansion_is_deduplicated_ordered_and_empty_for_plain_text() -> None:
    lex = lexicon()
    terms = lex.expand("耗电太多,电费也高,再说一次耗电")
    assert len(terms) == len(set(terms))
    assert lex.expand("今天天气不错") == []
    # order follows the position of the trigger in the text
    both = lex.expand("先说投诉,再说电费")
    assert both.index("消费者权益保护") < both.index("能源计量")


def test_gap_pattern_respects_the_distance() -> None:
    lex = lexicon()
    assert "知识产权保护" in lex.expand("专利老是被人仿")
    far = "专利" + "的" * 30 + "仿"
    assert "知识产权保护" not in lex.expand(far)


def test_expansion_is_fast_on_long_text() -> None:
    lex = lexicon()
    text = "我们厂用电量很大,产品被仿,想投诉。" * 110          # ~2,000 characters
    start = time.perf_counter()
    for _ in range(20):
        lex.expand(text)
    assert (time.perf_counter() - start) / 20 < 0.05


@pytest.mark.parametrize("text, context, ask", [
    ("我们是一家做五金的企业,想问下出口有什么便利?", "我们是一家做五金的企业,", "想问下出口有什么便利?"),
    ("我在区里管安全生产,电梯检测归谁管?", "我在区里管安全生产,", "电梯检测归谁管?"),
    ("听说市里有质量奖,我们能报吗?", "听说市里有质量奖,", "我们能报吗?"),
    ("本厂规模不大,工人二十几个,市里对小厂有扶持吗", "本厂规模不大,工人二十几个,", "市里对小厂有扶持吗"),
    ("我们想做个团体标准,支不支持?", "", "我们想做个团体标准,支不支持?"),
    ("質量獎誰負責?", "", "质量奖谁负责?"),
    ("我们是做家具的,去年被抽检不合格,今年怎么办", "我们是做家具的,去年被抽检不合格,", "今年怎么办"),
    ("我们公司做了好几个项目,这些项目能申请资金吗?", "我们公司做了好几个项目,", "这些项目能申请资金吗?"),
])
def test_split_context(text: str, context: str, ask: str) -> None:
    assert split_context(text) == (context, ask)


def test_split_context_keeps_all_text() -> None:
    text = "我刚到新单位,情况不熟,听说要搞质量月活动,具体怎么安排?谁牵头?"
    context, ask = split_context(text)
    assert context + ask == text
    assert ask.startswith("具体怎么安排")
