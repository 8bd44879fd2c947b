from __future__ import annotations

import pytest
from eval_helpers import make_answer, make_gold

from eval.contract import Cited
from eval.scoring import (
    answer_verdict,
    error_score,
    quote_problem,
    recall_at_k,
    reciprocal_rank,
    score_question,
)
from eval.text import normalise, normalise_all


def test_normalise_folds_script_width_and_space():
    assert normalise("質監局") == "质监局"
    assert normalise("\uff08一\uff09") == "(一)"
    assert normalise(" 市 质\t监\n局 ") == "市质监局"
    assert normalise("\uff21\uff22\uff23\uff11\uff10\uff10\uff05") == "ABC100%"


# ---- answer accuracy -------------------------------------------------------------------------

def test_all_key_items_with_alternatives():
    gold = make_gold(answer_keys=[["市市场监管局", "市场监督管理局"], ["市商务局"]])
    assert answer_verdict(gold, make_answer("由市场监督管理局和市商务局负责"))[0] is True


def test_one_key_item_missing_scores_zero():
    gold = make_gold(answer_keys=[["市市场监管局"], ["市商务局"]])
    ok, why = answer_verdict(gold, make_answer("由市市场监管局负责"))
    assert ok is False
    assert "市商务局" in why[0]


def test_traditional_answer_matches_simplified_key():
    gold = make_gold(answer_keys=[["质监局"], ["人社局"]])
    assert answer_verdict(gold, make_answer("由市質監局牽頭,市人社局配合"))[0] is True


def test_fullwidth_and_halfwidth_parentheses_compare_equal():
    gold = make_gold(answer_keys=[["(一)"]])
    assert answer_verdict(gold, make_answer("见第三条\uff08一\uff09项"))[0] is True
    assert answer_verdict(gold, make_answer("见第三条一项"))[0] is False


def test_right_text_but_declined_scores_zero():
    gold = make_gold(answer_keys=[["100%"]])
    ok, why = answer_verdict(gold, make_answer("100%", answerable=False))
    assert ok is False and "false refusal" in why[0]


def test_refusal_declined_scores_one():
    gold = make_gold(type="refuse", expect="refuse")
    assert answer_verdict(gold, make_answer("资料中没有深圳的规定", answerable=False)) == (True, [])


def test_refusal_answered_scores_zero():
    gold = make_gold(type="refuse", expect="refuse")
    ok, why = answer_verdict(gold, make_answer("奖励100万元", answerable=True))
    assert ok is False and "should have declined" in why[0]


def test_false_refusal_is_flagged_only_on_answerable_questions():
    answerable = score_question(make_gold(answer_keys=[["x"]]), make_answer("", answerable=False), lambda *_: None)
    refusal = score_question(make_gold(expect="refuse", type="refuse"), make_answer("", answerable=False), lambda *_: None)
    assert answerable.false_refusal is True
    assert refusal.false_refusal is False and refusal.passed is True


# ---- retrieval -------------------------------------------------------------------------------

RANKED = normalise_all(["无关"] * 5 + ["推行企业首席质量官制度"] + ["无关"] * 4)


@pytest.mark.parametrize("k,expected", [(1, 0.0), (3, 0.0), (5, 0.0), (10, 1.0)])
def test_evidence_at_rank_six_counts_for_k10_only(k, expected):
    assert recall_at_k([["推行企业首席质量官制度"]], RANKED, k) == expected


def test_recall_is_share_of_items():
    ranked = normalise_all(["甲乙", "丙"])
    assert recall_at_k([["甲"], ["丁", "丙"], ["戊"], ["己"]], ranked, 3) == 0.5


def test_recall_is_none_without_evidence():
    assert recall_at_k([], RANKED, 5) is None


def test_recall_matches_traditional_clause_with_simplified_evidence():
    assert recall_at_k([["质量奖评审管理办法"]], normalise_all(["完善市政府質量獎評審管理辦法"]), 1) == 1.0


def test_reciprocal_rank():
    assert reciprocal_rank(["推行企业首席质量官制度"], RANKED) == pytest.approx(1 / 6)
    assert reciprocal_rank(["无关"], RANKED) == 1.0
    assert reciprocal_rank(["不存在"], RANKED) == 0.0


def test_mrr_uses_only_the_first_evidence_item():
    gold = make_gold(evidence=[["乙"], ["甲"]], answer_keys=[])
    s = score_question(gold, make_answer("x", retrieved=["甲", "乙"]), lambda *_: None)
    assert s.reciprocal_rank == 0.5
    assert s.recall_at == {1: 0.5, 3: 1.0, 5: 1.0, 10: 1.0}


def test_citation_recall_reads_cited_text_not_retrieved():
    gold = make_gold(evidence=[["甲"], ["乙"]])
    ans = make_answer("x", retrieved=["甲", "乙"], citations=[{"doc_id": "d", "clause": "c", "quote": "乙", "text": "乙"}])
    assert score_question(gold, ans, lambda *_: "乙").citation_recall == 0.5


# ---- quotes ----------------------------------------------------------------------------------

def cite(doc_id: str, clause: str, quote: str) -> Cited:
    return Cited(doc_id=doc_id, clause=clause, quote=quote, text="")


def test_verbatim_quote_is_valid(clause_text):
    assert quote_problem(cite("001", "二、(一)", "完善市政府質量獎評審管理辦法"), clause_text) is None


def test_simplified_quote_of_traditional_clause_is_invalid(clause_text):
    problem = quote_problem(cite("001", "二、(一)", "完善市政府质量奖评审管理办法"), clause_text)
    assert problem and "not verbatim" in problem


def test_quote_from_another_clause_is_invalid(clause_text):
    assert quote_problem(cite("000", "三、(一)", "完善市政府質量獎"), clause_text)


def test_citation_to_missing_clause_is_invalid(clause_text):
    problem = quote_problem(cite("000", "九、(九)", "推行企业首席质量官制度"), clause_text)
    assert problem and "does not exist" in problem


def test_empty_quote_is_invalid(clause_text):
    assert quote_problem(cite("000", "三、(一)", ""), clause_text)


def test_invalid_quote_fails_question_but_not_answer_accuracy(clause_text):
    gold = make_gold(answer_keys=[["市商务局"]])
    bad = {"doc_id": "000", "clause": "三、(一)", "quote": "推行企业首席质量官制度,", "text": ""}
    s = score_question(gold, make_answer("市商务局", citations=[bad]), clause_text)
    assert s.answer_correct is True
    assert (s.quotes_valid, s.quotes_total) == (0, 1)
    assert s.passed is False


# ---- warnings and errors ---------------------------------------------------------------------

def test_missing_warning_fails(clause_text):
    gold = make_gold(answer_keys=[["000家"]], warnings=["damaged_source"])
    s = score_question(gold, make_answer("?000家", warnings=["llm_fallback"]), clause_text)
    assert s.answer_correct is True and s.warnings_ok is False and s.passed is False
    assert any("damaged_source" in r for r in s.reasons)


def test_carried_warning_passes(clause_text):
    gold = make_gold(answer_keys=[["000家"]], warnings=["damaged_source"])
    s = score_question(gold, make_answer("?000家", warnings=["damaged_source"]), clause_text)
    assert s.warnings_ok is True and s.passed is True


def test_error_scores_zero_even_for_refusals():
    s = error_score(make_gold(expect="refuse", type="refuse"), "timeout")
    assert s.answer_correct is False and s.passed is False
    s = error_score(make_gold(evidence=[["甲"]], warnings=["damaged_source"]), "boom")
    assert s.recall_at == {1: 0.0, 3: 0.0, 5: 0.0, 10: 0.0} and s.warnings_ok is False
