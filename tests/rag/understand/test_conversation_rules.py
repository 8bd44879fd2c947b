"""The rules of a conversation read back from its text (rag/understand/conversation.py), how a
message with several asks is split (split.py), which questions are about a document itself
(documents.py) and pinyin read as Chinese (pinyin.py) — one table per rule, on text written here."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.understand.conversation import chinese_number, goes_back, pointer, points
from rag.understand.documents import document_fields
from rag.understand.pinyin import PinyinBridge
from rag.understand.split import split_asks


def case(id_: str, *values):
    return pytest.param(*values, id=id_)


@pytest.mark.parametrize("text,n", [("2", 2), ("二", 2), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20),
                                    ("三十一", 31), ("", None), ("二百", None), ("x", None)])
def test_chinese_number(text, n):
    assert chinese_number(text) == n


class Clauses:
    """A stand-in for the snapshot's clause lookup: key -> text (norm and heading)."""

    def __init__(self, texts: dict[tuple[str, str], str]) -> None:
        self.texts = texts

    def clause(self, doc_id: str, clause_id: str):
        text = self.texts.get((doc_id, clause_id))
        return None if text is None else SimpleNamespace(norm=text, heading=text[:6])


A, B, C = ("d", "一、(一)"), ("d", "一、(二)"), ("d", "二、(一)")
SNAP = Clauses({A: "完善计量体系建设", B: "打造区域品牌和产业集群", C: "推行首席质量官制度"})

POINTERS = [
    case("an ordinal in Chinese", "第二条具体怎么说?", [[A, B, C]], [B]),
    case("an ordinal in digits after 上面", "上面第3项谁负责?", [[A, B, C]], [C]),
    case("the last one", "最后那项呢?", [[A, B, C]], [C]),
    case("these", "这几点分别由谁负责?", [[A, B, C]], [A, B, C]),
    case("named by a word the previous answer listed", "前面说的计量那条谁牵头?", [[A, B, C]], [A]),
    case("X那条 by topic", "品牌那条怎么写的?", [[A, B, C]], [B]),
    case("an ordinal beyond the list points nowhere", "第五条呢?", [[A, B, C]], None),
    case("a word after the ordinal picks the item that holds it", "第一条区域品牌怎么申报?", [[A, B, C]], [B]),
    case("a position counts in the last list long enough to hold it", "第二项呢?", [[C], [A, B]], [B]),
    case("no pointer", "东莞呢?", [[A, B, C]], None),
]


@pytest.mark.parametrize("ask,lists,expected", POINTERS)
def test_pointer(ask, lists, expected):
    found = pointer(ask, lists, SNAP)
    assert (found.items if found else None) == expected


def test_this_points_at_the_one_clause_just_shown_not_at_a_list():
    assert pointer("这条由谁负责?", [[A, B]], SNAP, recent=[C]).items == [C]
    assert pointer("这条由谁负责?", [[A, B]], SNAP, recent=[A, B]) is None          # several: no guess
    assert pointer("旅游那条怎么写?", [[A, B]], SNAP, recent=[A]) is None          # 那条 after a word is a topic


def test_these_with_a_topic_of_its_own_searches_inside_them():
    inside = pointer("这几点里有没有讲检验检测机构资质审批改革?", [[A, B, C]], SNAP)
    assert inside.within and inside.items == [A, B, C]
    assert not pointer("这几点分别由谁负责?", [[A, B, C]], SNAP).within


def test_the_chapter_of_the_clause_shown():
    found = pointer("那一章下面一共有几条?", [], SNAP, recent=[C])
    assert found.chapter and found.items == [C]


@pytest.mark.parametrize("ask,expected", [("第二条呢?", True), ("最后那项谁负责?", True), ("这几条呢", True),
                                          ("东莞的首席质量官谁负责?", False)])
def test_points(ask, expected):
    assert points(ask) is expected


@pytest.mark.parametrize("ask,expected", [("回到认证那个问题", True), ("说回首席质量官", True), ("那东莞呢?", False)])
def test_goes_back(ask, expected):
    assert goes_back(ask) is expected


SPLITS = [
    case("two questions", "中山首席质量官谁负责?质量奖又是哪个部门管?", ["中山首席质量官谁负责?", "质量奖又是哪个部门管?"]),
    case("one question stays as typed", "中山市推行首席质量官制度由哪些部门负责?", ["中山市推行首席质量官制度由哪些部门负责?"]),
    case("a self-description goes with every ask",
         "我们是中山一家灯饰厂,想做绿色产品认证,另外员工培训有没有渠道?",
         ["我们是中山一家灯饰厂,想做绿色产品认证", "另外员工培训有没有渠道?"]),
    case("a statement after a question belongs to it", "研究院院长是谁?我们想跟他联系一下。", ["研究院院长是谁?我们想跟他联系一下。"]),
    case("an elliptical piece joins the question after it", "那文旅局呢?在这份方案里负责什么?", ["那文旅局呢?在这份方案里负责什么?"]),
    case("wants joined by 、", "想做品牌、要融资,有什么支持?", ["想做品牌", "要融资,有什么支持?"]),
    case("a list of words is no list of asks", "检验、检测、认证有哪些政策?", ["检验、检测、认证有哪些政策?"]),
    case("at most four asks", "甲是谁?乙是谁?丙是谁?丁是谁?戊是谁?", ["甲是谁?", "乙是谁?", "丙是谁?", "丁是谁?戊是谁?"]),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_split_asks(text, expected):
    assert split_asks(text) == expected


DOCUMENT_ASKS = [
    case("文号", "东莞的方案文号是什么", [], ["doc_number"]),
    case("who issued it", "中山那份是哪个单位发的?", ["中山"], ["issuer"]),
    case("two fields", "怀仁那份的文号和印发日期呢?", ["怀仁"], ["doc_number", "date"]),
    case("a follow-up's pronoun", "它是哪一年印发的?", [], ["date"]),
    case("the library", "你们这里收了哪些地方的质量强市文件?", [], ["library"]),
    case("a document the plan cites is not one of the library's", "中山的方案依据的省里文件文号是多少?", ["中山"], []),
    case("a standard's year", "ISO 9001最新一版是哪一年发布的?", [], []),
    case("a task, not the document", "哪个部门制定团体标准?", [], []),
    case("a measure's document named in a plan", "质量奖管理办法什么时候出台?", [], []),
    case("the period", "汕头计划的实施期是哪几年?", ["汕头"], ["period"]),
]


@pytest.mark.parametrize("ask,places,expected", DOCUMENT_ASKS)
def test_document_fields(ask, places, expected):
    assert document_fields(ask, places) == expected


BRIDGE = PinyinBridge({"产品": 9, "医院": 5, "标准化": 7, "怀仁": 3, "东莞": 4, "产品医院": 1, "意愿": 1})

PINYIN = [
    case("words read one by one or as a phrase", "huairen chanpin yiyuan", "怀仁产品医院"),
    case("one word of several keys", "dongguan biaozhunhua", "东莞标准化"),
    case("English stays English", "Dongguan smart manufacturing", None),
    case("no Latin words", "东莞 标准化", None),
]


@pytest.mark.parametrize("text,expected", PINYIN)
def test_pinyin(text, expected):
    out = BRIDGE.to_hanzi(text)
    assert (out.replace(" ", "") if out else None) == expected


def test_pinyin_prefers_the_more_frequent_word_of_a_key():
    assert BRIDGE.table["yiyuan"] == "医院"
