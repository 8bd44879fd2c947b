"""Pure rules: raw string -> expected value."""
from __future__ import annotations

import numpy as np
import pytest

from index.chunking import count_tokens, split_to_budget
from index.clean import CleanReport, is_furniture, repair_line, unshift
from index.errors import IngestError
from index.loaders import decode, html_to_text
from index.text import normalise, sentences
from index.units import parse_units
from rag.retrieve.fusion import best_per_key, rrf, top_k


@pytest.mark.parametrize("raw,fixed", [("桇", "案"), ("庛", "府"), ("、", "。"), ("(", ")"), ("(", ")")])
def test_unshift(raw, fixed):
    assert unshift(raw) == fixed


def test_repair_line_marks_lost_and_repaired():
    line = repair_line("全市认证的企?000家以上,实施方桇/p>", CleanReport())
    assert line.text == "全市认证的企?000家以上,实施方案"
    assert [(s.start, s.kind) for s in line.spans] == [(6, "lost"), (17, "repaired")]
    quoted = repair_line("建设精品中?rdquo;提供", CleanReport())
    assert quoted.text == "建设精品中?”提供" and quoted.spans[0].kind == "lost"
    assert repair_line("日期2021?2?3?/p>", CleanReport()).text == "日期2021?2?3?"
    assert repair_line("What? No.", CleanReport()).spans == []          # an English question mark


@pytest.mark.parametrize("line,furniture", [
    ("浏览量:   时间:2018-12-22 21:39:40", True), ("本文链接://x.html", True), ("我来说两句", True),
    ("免責聲明:本站不負責", True), ("(一)建立健全标准体系。", False), ("扫描二维码 关注我们", True),
])
def test_furniture(line, furniture):
    assert is_furniture(line) is furniture


@pytest.mark.parametrize("text,lead,co,resp", [
    ("(市質監局牽頭會市發改局、經信局等單位負責)", ["市質監局"], ["市發改局", "經信局"], []),
    ("(责任单位:市质监局、东莞海关)。", [], [], ["市质监局", "东莞海关"]),
    ("(责任部门:各相关部门)", [], [], ["各相关部门"]),
    ("(市市场监管局、市金融局,中山银保监分局按职责分工负责)", [], [], ["市市场监管局", "市金融局", "中山银保监分局"]),
    ("(市市场监管局牵头)", ["市市场监管局"], [], []),
    ("汽车配件(含铅蓄电池)", [], [], []),
])
def test_units(text, lead, co, resp):
    u = parse_units(text)
    assert (u.lead, u.co, u.responsible) == (lead, co, resp)


def test_decode_gbk_and_refuse_binary():
    assert decode("质量强市".encode("gb18030"), "x") == "质量强市"
    with pytest.raises(IngestError, match="UTF-8"):
        decode(b"\xff\xfe\xfd" * 10, "bad.txt")
    with pytest.raises(IngestError, match="binary"):
        decode(b"a\x00b", "bin.txt")


def test_html_to_text_keeps_blocks_drops_scripts():
    assert html_to_text("<p>一、总则</p><script>x()</script><div>(一)条款。</div>") == "一、总则\n(一)条款。"


def test_normalise_and_sentences():
    assert normalise("(質監局)") == "(质监局)"
    text = "一。二;三?000家\n四\uff1f五"
    assert "".join(sentences(text)) == text and sentences(text)[2:] == ["三?000家\n", "四\uff1f", "五"]


def test_split_to_budget_respects_sentences():
    text = "甲乙丙丁。" * 40
    pieces = split_to_budget(text, 30)
    assert "".join(pieces) == text and all(p.endswith("。") for p in pieces)
    assert all(count_tokens(p) <= 30 for p in pieces)


def test_rrf_against_brute_force():
    a, b = ["x", "y", "z"], ["z", "x"]
    got = rrf([a, b], k=10, weights=[1.0, 0.5])
    assert got["x"] == pytest.approx(1 / 11 + 0.5 / 12) and got["z"] == pytest.approx(1 / 13 + 0.5 / 11)


def test_top_k_and_best_per_key():
    s = np.array([0.1, 0.9, 0.0, 0.5, 0.9])
    assert top_k(s, 3) == [1, 4, 3]
    assert top_k(s, 3, mask=np.array([1, 0, 1, 1, 0], bool)) == [3, 0]
    assert best_per_key([("a", 1.0), ("b", 2.0), ("a", 3.0)]) == [("a", 3.0), ("b", 2.0)]


def test_units_in_full_width_parentheses():
    u = parse_units("条文。\uff08\u8d23\u4efb\u5355\u4f4d\uff1a市质监局\u3001东莞海关\uff09\u3002")
    assert u.responsible == ["市质监局", "东莞海关"]
