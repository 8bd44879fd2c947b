"""Citation checking: pure functions, raw values -> expected problems."""
from __future__ import annotations

import pytest

from rag.compose.verify import (
    ParsedAnswer,
    check_answer,
    check_citations,
    check_figures,
    locate_quote,
    markers_in,
    strip_markers,
    verified_quotes,
)
from tests.fakes.corpus import ST_TEXT, ZS_TEXT, make_hit, traditional_hit

HITS = [make_hit(), traditional_hit()]


@pytest.mark.parametrize(
    "text, expected",
    [("甲[1]乙[2]丙[1]", [1, 2]), ("甲[2, 1]乙［3］丙【4】", [2, 1, 3, 4]), ("甲[1，2]", [1, 2]), ("没有标记", []),
     ("数组a[i]", [])],
)
def test_markers_in(text, expected):
    assert markers_in(text) == expected


def test_strip_markers():
    assert strip_markers("甲[1]乙[2,3]") == "甲乙"


@pytest.mark.parametrize(
    "quote, text, expected",
    [
        ("首席质量官", ZS_TEXT, "首席质量官"),
        ("“首席质量官制度”", ZS_TEXT, "首席质量官制度"),                      # quotes and edge punctuation dropped
        ("首席 质量官", ZS_TEXT, "首席质量官"),                                 # white space forgiven
        ("100％覆盖", ZS_TEXT, "100%覆盖"),                                    # NFKC width forgiven
        ("(市市场监管局", ZS_TEXT, "(市市场监管局"),                            # full-width paren in source
        ("市质监局牵头", ST_TEXT, "市質監局牽頭"),                              # simplified quote of traditional text
        ("首席质量官制度全覆盖", ZS_TEXT, None),                                # reworded
        ("推行企业……覆盖", ZS_TEXT, None),                                    # elided
        ("质", ZS_TEXT, None),                                                # too short to mean anything
        ("", ZS_TEXT, None),
    ],
)
def test_locate_quote(quote, text, expected):
    assert locate_quote(quote, text) == expected


def test_check_citations_accepts_a_sound_answer():
    parsed = ParsedAnswer(text="首席质量官[1]；品牌[2]", quotes=[(1, "首席质量官"), (2, "打造汕頭知名品牌")])
    assert check_citations(parsed, HITS) == []
    assert verified_quotes(parsed, HITS) == [(1, "首席质量官"), (2, "打造汕頭知名品牌")]


@pytest.mark.parametrize(
    "parsed, expected",
    [
        (ParsedAnswer(text="甲[3]", quotes=[(3, "首席质量官")]), ["marker [3] does not match any of the 2 clauses given"]),
        (ParsedAnswer(text="甲[1]", quotes=[(1, "首席质量官"), (0, "首席")]), ["marker [0] does not match any of the 2 clauses given"]),
        (ParsedAnswer(text="甲[1][2]", quotes=[(1, "首席质量官")]), ["marker [2] has no quote line"]),
        (ParsedAnswer(text="甲", quotes=[(1, "首席质量官")]), ["the answer cites no clause (no [n] marker)"]),
        (ParsedAnswer(text=" [1] "), ["the answer is empty"]),
        (ParsedAnswer(text="甲[2]", quotes=[(2, "首席质量官")]),
         ["the quote for [2] is not verbatim in clause 001_st 二、(三): '首席质量官'"]),
        (ParsedAnswer(text="", declined=True), []),
    ],
)
def test_check_citations_problems(parsed, expected):
    assert check_citations(parsed, HITS) == expected


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("到2025年100%覆盖[1]", []),
        ("到２０２５年[1]", []),                                  # full-width digits are the same figure
        ("1. 市市场监管局[1]\n2. 市商务局[1]", []),               # list numbering is not a figure
        ("覆盖90%[1]", ["the figure 90 is in none of the clauses given"]),
        ("到2030年[1]，2030年[1]", ["the figure 2030 is in none of the clauses given"]),
    ],
)
def test_check_figures(answer, expected):
    assert check_figures(answer, [ZS_TEXT]) == expected


def test_check_answer_allows_figures_from_question_and_metadata():
    parsed = ParsedAnswer(text="汕头2014—2015年计划中[2]", quotes=[(2, "打造汕頭知名品牌")])
    assert check_answer(parsed, HITS, "汕头计划") == []          # 2014, 2015 come from the title
    parsed = ParsedAnswer(text="第7项[1]", quotes=[(1, "首席质量官")])
    assert check_answer(parsed, HITS, "第7项是什么") == []
