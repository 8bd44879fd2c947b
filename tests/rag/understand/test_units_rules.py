"""The unit-name rules of rag/understand/units.py (bare / canonical / same_unit / names_of) and the alias
file's loader, one table per rule, on names written here.
Rows marked xfail(strict=True) are cases where the rule gives a wrong answer today.
"""
from __future__ import annotations

import pytest

from rag.understand.units import alias_table, bare, canonical, names_of, same_unit


def case(id_: str, *values, xfail: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(*values, id=id_, marks=marks)


# ------------------------------------------------------------------------------------------ bare
BARE = [
    case("city + 市 stripped", "汕头市质监局", "质监局"),
    case("city without 市 stripped", "汕头质监局", "质监局"),
    case("市 level stripped", "市质监局", "质监局"),
    case("省 level stripped", "省质监局", "质监局"),
    case("县 level stripped", "县住建局", "住建局"),
    case("市 of 市场监管局 is kept (a known name is never cut)", "市场监管局", "市场监管局"),
    case("市市场监管局 loses one 市", "市市场监管局", "市场监管局"),
    case("city then 市场监督管理局", "东莞市市场监督管理局", "市场监督管理局"),
    case("traditional script is simplified", "市質監局", "质监局"),
    case("city before 海关", "东莞海关", "海关"),
    case("sub-office keeps its place in the middle", "朔州市生态环境局怀仁分局", "生态环境局怀仁分局"),
    case("a two-character name is not cut to one", "市委", "市委"),
]


@pytest.mark.parametrize("name,expected", BARE)
def test_bare(name, expected):
    assert bare(name) == expected


# ------------------------------------------------------------------------------------- canonical
CANONICAL = [
    case("short name", "质监局", "质监局"),
    case("full name with city", "汕头市质量技术监督局", "质监局"),
    case("traditional abbreviation", "市質監局", "质监局"),
    case("traditional full name", "汕頭市質量技術監督局", "质监局"),
    case("住房城乡建设局", "市住房城乡建设局", "住建局"),
    case("住房和城乡建设局", "东莞市住房和城乡建设局", "住建局"),
    case("市场监督管理局", "中山市市场监督管理局", "市场监管局"),
    case("发改委 merged with 发改局", "国家发展改革委", "发改局"),
    case("人力资源和社会保障局", "汕头市人力资源和社会保障局", "人社局"),
    case("English name", "market regulation", "市场监管局"),
    case("unknown name stays as its bare form", "市政府质量奖评审委员会", "政府质量奖评审委员会"),
]


@pytest.mark.parametrize("name,expected", CANONICAL)
def test_canonical(name, expected):
    assert canonical(name) == expected


# ------------------------------------------------------------------------------------- same_unit
SAME = [
    case("质监局 = 汕头市质量技术监督局", "质监局", "汕头市质量技术监督局", True),
    case("质监局 = 市質監局 (traditional)", "质监局", "市質監局", True),
    case("市質監局 asked, 质监局 listed", "市質監局", "质监局", True),
    case("住建局 = 市住房城乡建设局", "住建局", "市住房城乡建设局", True),
    case("市场监管局 = 市市场监管局", "市场监管局", "市市场监管局", True),
    case("renamed bodies are not merged: 市场监管局 ≠ 质监局", "市场监管局", "市质监局", False),
    case("renamed bodies are not merged: 质监局 ≠ 市场监管局", "质监局", "市市场监管局", False),
    case("工信局 ≠ 经信局", "工信局", "市经信局", False),
    case("海关 = 东莞海关", "海关", "东莞海关", True),
    case("东莞海关 = 海关", "东莞海关", "海关", True),
    case("生态环境局 covers its 怀仁分局", "生态环境局", "朔州市生态环境局怀仁分局", True),
    case("the 分局 asked is not the whole 生态环境局", "朔州市生态环境局怀仁分局", "生态环境局", False),
    case("a lone 局 matches nothing", "局", "市质监局", False),
    case("人民银行 = its city's 中心支行", "人民银行", "中国人民银行东莞中心支行", True),
    case("人行 = 人行东莞支行", "人行", "人行东莞支行", True),
    case("海关 = 中山港海关", "海关", "中山港海关", True),
    case("a two-character name inside another word is no match (民政 in 人民政府)", "民政局", "各镇街人民政府", False),
    case("a group of bodies is no one body", "市场监管局", "市质量强市工作领导小组各成员单位", False),
]


@pytest.mark.parametrize("asked,listed,expected", SAME)
def test_same_unit(asked, listed, expected):
    assert same_unit(asked, listed) is expected


# -------------------------------------------------------------------------------------- names_of
NAMES = [
    case("canonical first, Chinese names only", "市质监局", "质监局", {"质量技术监督局", "质监部门"}),
    case("from a full name", "市住房城乡建设局", "住建局", {"住房和城乡建设局", "建设局"}),
    case("unknown unit gives its bare name", "朔州市生态环境局怀仁分局", "生态环境局怀仁分局", set()),
    case("海关 has no other Chinese name", "东莞海关", "海关", set()),
]


@pytest.mark.parametrize("unit,first,some", NAMES)
def test_names_of(unit, first, some):
    names = names_of(unit)
    assert names[0] == first and some <= set(names)
    assert not any(n.isascii() for n in names)


# ------------------------------------------------------------------------------ the alias file
def test_shipped_alias_file_loads_and_every_canonical_maps_to_itself():
    table = alias_table()
    canon = set(table.values())
    assert len(canon) >= 30 and all(table[c.lower()] == c for c in canon)


def write(tmp_path, text):
    path = tmp_path / "aliases.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_alias_table_is_cached_per_path_and_uncached_reads_a_given_file(tmp_path):
    assert alias_table.__wrapped__(write(tmp_path, "甲局\t甲管理局|jia\n")) == {"甲局": "甲局", "甲管理局": "甲局", "jia": "甲局"}
    assert alias_table() is alias_table()          # the shipped file, read once


BAD_LINES = [
    case("one column", "# header\n甲局 甲管理局\n", 2),
    case("three columns", "甲局\t甲管理局\t乙\n", 1),
    case("empty canonical", "\t甲管理局\n", 1),
    case("the bad line is numbered among blank and comment lines", "\n# c\n甲局\t甲管理局\n乙局\n", 4),
]


@pytest.mark.parametrize("text,line", BAD_LINES)
def test_malformed_alias_line_names_file_and_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"{path.name}:{line}:"):
        alias_table.__wrapped__(path)


def test_malformed_file_through_the_cache(tmp_path):
    """A broken file fails loudly through the cached function too, and leaves no entry behind."""
    path = write(tmp_path, "甲局\n")
    try:
        with pytest.raises(ValueError, match=r"aliases\.tsv:1:"):
            alias_table(path)
    finally:
        alias_table.cache_clear()
    assert alias_table() and canonical("市质监局") == "质监局"


# --------------------------------------------------------------------------------- reforms
from rag.understand.units import (  # noqa: E402
    Share,
    predecessors,
    reform_between,
    reforms,
    remit,
    remit_table,
    successors,
    unit_matches,
)

REFORMED = [
    case("today's name asked, the plan names the predecessor", "市场监管局", "市质监局", "质监局"),
    case("by its full name", "东莞市市场监督管理局", "市食药监局", "食药监局"),
    case("traditional predecessor", "市场监管局", "市質監局", "质监局"),
    case("检验检疫 went mainly to 海关", "海关", "汕頭出入境檢驗檢疫局", "检验检疫局"),
    case("old name asked, the plan names today's body", "质监局", "市市场监管局", "质监局"),
    case("经信局 -> 工信局", "工业和信息化局", "市經信局", "经信局"),
    case("卫计局 -> 卫健局", "卫生健康局", "衛計局", "卫计局"),
    case("法制局 -> 司法局", "司法局", "法制局", "法制局"),
    case("a chain: 卫生局 -> 卫计局 -> 卫健局", "卫健局", "市卫生局", "卫生局"),
    case("银保监分局 -> 金融监管分局 (2023)", "金融监管分局", "中山银保监分局", "银保监分局"),
]


@pytest.mark.parametrize("asked,listed,old", REFORMED)
def test_reform_between(asked, listed, old):
    reform = reform_between(asked, listed)
    assert reform is not None and reform.old == old and unit_matches(asked, listed)


NOT_REFORMED = [
    case("the same body is no reform", "市场监管局", "市市场监管局"),
    case("a part of a split does not carry: 市场监管局 is not 检验检疫局's successor for duties", "市场监管局", "汕頭出入境檢驗檢疫局"),
    case("unrelated bodies", "公安局", "市质监局"),
    case("a successor's other predecessor is not the asked one's", "质监局", "市工商局"),
    case("an unknown body", "质量奖评审委员会", "市质监局"),
]


@pytest.mark.parametrize("asked,listed", NOT_REFORMED)
def test_no_reform_between(asked, listed):
    assert reform_between(asked, listed) is None


def test_reform_chains_and_splits():
    assert [r.new for r in successors("检验检疫局")] == ["海关", "市场监管局"]
    assert {r.share for r in successors("检验检疫局")} == {Share.MAIN, Share.PART}
    assert {r.old for r in predecessors("卫健局")} == {"卫计局", "卫生局", "人口计生局"}
    assert {r.old for r in predecessors("市场监管局")} >= {"质监局", "工商局", "食药监局", "检验检疫局"}


def test_every_reform_names_bodies_the_alias_table_knows():
    known = set(alias_table().values())
    assert len(reforms()) >= 25 and all(r.old in known and r.new in known and r.old != r.new for r in reforms())


BAD_REFORMS = [
    case("four columns", "质监局\t市场监管局\tall\t2018\n", "expected"),
    case("a share that is none of all/main/part", "质监局\t市场监管局\tmost\t2018\t质量\n", "expected"),
    case("a year that is no number", "质监局\t市场监管局\tall\t二〇一八\t质量\n", "expected"),
    case("a body the alias table does not know", "质监局\t质量发展局\tall\t2018\t质量\n", "not a body"),
    case("a body mapped to itself", "质监局\t质量技术监督局\tall\t2018\t质量\n", "not a body"),
]


@pytest.mark.parametrize("text,says", BAD_REFORMS)
def test_malformed_reform_line_names_file_and_line(tmp_path, text, says):
    path = tmp_path / "reforms.tsv"
    path.write_text("# header\n" + text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"reforms\.tsv:2: .*{says}"):
        reforms.__wrapped__(path)


def test_remits_load_and_describe_the_bodies_of_the_reforms():
    table = remit_table()
    assert "口岸" in remit("东莞海关") and "食源性" in remit("市卫计局") and remit("不存在局") == frozenset()
    assert [n for r in reforms() for n in (r.old, r.new) if n not in table] == []


def test_malformed_remit_line(tmp_path):
    path = tmp_path / "remits.tsv"
    path.write_text("质监局\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"remits\.tsv:1:"):
        remit_table.__wrapped__(path)
