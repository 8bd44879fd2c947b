"""The policy-matching gold format and its scores (eval/match.py, eval/FORMAT_MATCH.md)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from eval.gold import GoldFormatError
from eval.match import MatchGold, ProfileScore, Resolver, Summary, load_match_gold, score


def write(tmp_path, *rows) -> str:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def test_a_profile_is_read_with_its_lists(tmp_path):
    [gold] = load_match_gold(write(tmp_path, {"id": "p", "profile": "东莞家具厂", "must": ["东莞 二、(二)6."],
                                              "may": ["全国 十、(二十八)"], "fields": {"employees": 80}}))
    assert gold == MatchGold(id="p", profile="东莞家具厂", fields={"employees": 80}, must=["东莞 二、(二)6."],
                             may=["全国 十、(二十八)"])


@pytest.mark.parametrize("row, message", [
    ({"id": "p", "profile": "x"}, "needs clauses in 'must' or 'must_not'"),
    ({"id": "p", "must": ["东莞 一、"]}, "give 'profile'"),
    ({"id": "p", "profile": "x", "must": ["东莞"]}, "clause references"),
    ({"id": "p", "profile": "x", "must": ["东莞 一、"], "expect": 1}, "unknown fields"),
    ({"id": "p", "profile": "x", "must": ["东莞 一、"], "fields": {"colour": "red"}}, "unknown profile fields"),
    ({"id": "", "profile": "x", "must": ["东莞 一、"]}, "'id'"),
])
def test_malformed_lines_name_the_line_and_the_field(tmp_path, row, message):
    with pytest.raises(GoldFormatError, match=message) as e:
        load_match_gold(write(tmp_path, row))
    assert ":1:" in str(e.value)


def test_duplicate_ids_and_empty_files_are_refused(tmp_path):
    row = {"id": "p", "profile": "x", "must": ["东莞 一、"]}
    with pytest.raises(GoldFormatError, match="duplicate id"):
        load_match_gold(write(tmp_path, row, row))
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="no profiles"):
        load_match_gold(str(tmp_path / "empty.jsonl"))


def fake_snapshot():
    docs = {d: SimpleNamespace(doc_id=d, place=p) for d, p in
            (("001_aa", "东莞"), ("002_bb", "中山"), ("003_cc", "中山"))}
    return SimpleNamespace(documents=docs, clause=lambda d, c: object() if c in ("一、", "二、") else None)


def test_references_by_place_doc_id_or_its_prefix():
    resolve = Resolver(fake_snapshot())
    assert resolve("东莞 一、") == resolve("001 一、") == resolve("001_aa 一、") == "001_aa 一、"
    with pytest.raises(GoldFormatError, match="names 2 documents"):
        resolve("中山 一、")
    with pytest.raises(GoldFormatError, match="no clause"):
        resolve("东莞 九、")


def test_recall_precision_leave_may_open_and_count_everything_else_listed():
    gold = MatchGold(id="p", profile="x", fields={}, must=["东莞 一、", "001 二、"], may=["002 一、"],
                     must_not=["002 二、"], apart=["003 一、"])
    s = score(gold, ["001_aa 一、", "002_bb 一、", "002_bb 二、"], ["003_cc 一、"], Resolver(fake_snapshot()))
    assert (s.recall, s.precision) == (0.5, 0.5)
    assert s.failures() == ["missed 001_aa 二、", "wrongly listed 002_bb 二、 (must_not)"]
    empty = ProfileScore("q", must=set(), listed=set(), may=set(), must_not=set(), apart_gold=set(), apart_listed=set())
    summary = Summary([s, empty])
    assert summary.micro() == (0.5, 0.5) and summary.macro() == (0.75, 0.75) and summary.apart_recall() == 1.0
    assert summary.listed_may() == (1, 3) and summary.to_json()["per_profile"][0]["failures"]
    assert summary.strict_precision() == 1 / 3
