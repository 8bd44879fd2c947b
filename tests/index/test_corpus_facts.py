"""Golden facts of the real corpus after ingestion."""
from __future__ import annotations

import pytest

# Every test here reads the corpus built by the `built` fixture with the default embedder (USE).
pytestmark = pytest.mark.model


def doc(snapshot, prefix: str):
    return next(d for d in snapshot.documents.values() if d.doc_id.startswith(prefix))


def clause(snapshot, prefix: str, clause_id: str):
    found = snapshot.clause(doc(snapshot, prefix).doc_id, clause_id)
    assert found is not None, f"{prefix} has no clause {clause_id}"
    return found


def test_metadata_of_all_five(snapshot):
    got = {d.doc_id[:3]: (d.city, d.level, d.date, d.doc_number) for d in snapshot.documents.values()}
    assert got == {
        "000": ("中山", "city", "2021", None),
        "001": ("汕头", "city", "2014", None),
        "002": ("东莞", "city", "2018-07-31", "东府办〔2018〕71号"),
        "003": ("怀仁", "city", "2023-06-22", "怀政发〔2023〕29号"),
        "004": (None, "national", None, None),
    }
    assert doc(snapshot, "003").region == "山西省" and doc(snapshot, "000").region == "广东省"
    assert doc(snapshot, "002").title == "东莞市开展产品质量提升行动实施方案"
    assert doc(snapshot, "004").title == "质量强国建设纲要"


def test_001_issuer_is_shantou_not_state_council(snapshot):
    d = doc(snapshot, "001")
    assert d.issuer == "汕头市" and d.script == "traditional"
    assert d.doc_number is None          # 国发〔2012〕9号 belongs to the outline the plan cites
    assert any("国务院" in n for n in d.notes)


def test_001_is_deduplicated(snapshot):
    d = doc(snapshot, "001")
    numbered = [c for c in d.clauses if c.clause_id != "前言"]
    assert len(numbered) == 29
    assert len({c.clause_id for c in d.clauses}) == len(d.clauses)


def test_001_clause_15_leads(snapshot):
    c = clause(snapshot, "001", "六、(十五)")
    assert c.units.lead == ["市質監局", "住建局"]
    assert "市經信局" in c.units.co and c.units.responsible == []


def test_002_item_23_responsible_units(snapshot):
    c = clause(snapshot, "002", "二、(六)23.")
    assert c.units.responsible == ["市质监局", "市工商局", "市食药监局", "市商务局", "东莞海关"]
    assert c.units.raw.startswith("责任单位")


def test_000_clause_13_led_by_market_regulation(snapshot):
    c = clause(snapshot, "000", "五、(十三)")
    assert c.units.lead == ["市市场监管局"]
    assert c.text.endswith("(市市场监管局牵头)")


def test_000_damage_repaired_or_marked(snapshot):
    d = doc(snapshot, "000")
    assert d.title == "关于加快推进质量强市建设的实施方案"        # 实施方桇/p> repaired
    assert d.issuer == "中山市人民政府"                          # 政庛/p> repaired
    targets = clause(snapshot, "000", "二、")
    assert targets.is_damaged
    at = targets.text.index("认证的企?000家")
    assert any(s.start == at + 4 and s.kind == "lost" for s in targets.damaged)
    assert "/p>" not in "".join(c.text for c in d.clauses)
    assert not clause(snapshot, "000", "三、(一)").is_damaged


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_no_page_furniture(snapshot, prefix):
    text = "".join(c.text for c in doc(snapshot, prefix).clauses)
    for word in ("浏览量", "微信公众号", "扫描二维码", "本文链接", "本文关键词", "免责声明", "我来说两句"):
        assert word not in text


def test_continuation_lines_stay_in_their_clause(snapshot):
    c = clause(snapshot, "003", "五、(一)")
    assert "严格监督实施药品" in c.text and c.units.responsible[-1] == "市卫体局"


def test_002_structure_has_items_under_subheadings(snapshot):
    ids = [c.clause_id for c in doc(snapshot, "002").clauses]
    assert ids[ids.index("二、(一)1."):][:5] == ["二、(一)1.", "二、(一)2.", "二、(一)3.", "二、(一)4.", "二、(一)5."]
    assert "一、(二)5." in ids and "三、(三)" in ids


def test_build_counts(built):
    _, report = built
    assert report.documents == 5 and report.skipped == []
    # 145 numbered clauses and preambles, plus the front matter (发文) of 000, 002, 003 and 004 (its
    # title line says who issued it); 001's header is a web page's key: value summary
    assert report.clauses == 149 and report.chunks >= report.clauses


def test_front_matter_is_a_clause_with_its_damage(snapshot):
    front = {d.doc_id[:3]: d.clauses[0] for d in snapshot.documents.values() if d.clauses[0].clause_id == "发文"}
    assert sorted(front) == ["000", "002", "003", "004"]
    assert front["004"].text.startswith("中共中央国务院印发《质量强国建设纲要》")
    assert "东府办〔2018〕71号" in front["002"].text and "2023年6月22日" in front["003"].text
    assert "2021?2?3?" in front["000"].text and front["000"].is_damaged
