"""Terse topical queries (typed like into a search box: a place and a few words of topic) on the
real corpus, with queries written for these tests: the clause the topic heads is quoted whole;
without one, the best clause is quoted beyond its one matching sentence; a topic whose specific
word the corpus never uses is declined; a share asked for that no clause states is "not stated";
a unit that leads with others is told who they are."""
from __future__ import annotations

import pytest

from index.text import compact

pytestmark = pytest.mark.model


def understood(assistant, question):
    return assistant.components.understander.understand(question, [])


@pytest.mark.parametrize("question,words", [
    ("汕头 诚信计量", ["诚信", "计量"]),
    ("東莞 質量攻關", ["质量", "攻关"]),
    ("纲要 中央质量督察", ["中央", "督察"]),          # 中 of 中央 is no filler word (nor 里 of 里程碑)
    ("Dongguan brand protection", None),          # the bridge's terms, whatever they are
])
def test_terse_topics_are_recognised(assistant, question, words):
    terse = understood(assistant, question).terse
    assert terse
    if words:
        assert all(any(w in t for t in terse) for w in words), terse


@pytest.mark.parametrize("question", [
    "汕头诚信计量有哪些要求?",          # a question word: asked, not typed as a topic
    "东莞质量攻关谁负责",               # who leads
    "汕头 诚信计量 补贴多少",            # a value asked
    "What does Dongguan do about brand protection?",
])
def test_questions_are_not_terse(assistant, question):
    assert understood(assistant, question).terse == []


@pytest.mark.parametrize("question,clause,heading", [
    ("汕头 诚信计量", "四、(十)", "全面推进诚信计量"),
    ("东莞 质量攻关", "二、(二)6.", "深入推进质量攻关"),
    ("Dongguan brand protection", "二、(四)16.", "加强品牌保护和推广"),
])
def test_the_clause_a_topic_heads_is_quoted_whole(assistant, question, clause, heading):
    a = assistant.ask(question, [], None)
    assert a.answerable and a.meta["signals"]["about"], a.answer
    cited = {(c.clause.clause_id, c.clause.heading) for c in a.citations}
    assert cited == {(clause, heading)}, cited
    c = a.citations[0].clause
    quoted = [x.quote for x in a.citations]
    assert all(q in c.text for q in quoted)
    # every content sentence of the clause is quoted (up to the cap), not only those with the words
    assert len(quoted) >= 3, a.answer


def test_without_a_heading_the_best_clause_is_quoted_beyond_its_matching_sentence(assistant):
    a = assistant.ask("东莞 卓越绩效", [], None)
    assert a.answerable
    first = a.citations[0].clause
    from_first = [c.quote for c in a.citations if c.clause is first]
    assert "卓越绩效" in compact(first.text) and len(from_first) >= 2, a.answer
    assert any("卓越绩效" not in q for q in from_first)


@pytest.mark.parametrize("question", ["东莞 螺蛳粉 质量", "汕头 元宇宙 标准", "中山 预制菜 质量标准"])
def test_a_topic_the_corpus_never_names_is_declined(assistant, question):
    a = assistant.ask(question, [], None)
    assert not a.answerable and a.meta["declined"] == "no_evidence", a.answer
    assert "没有提到“" in a.answer and "”" in a.answer       # it names the word it could not find


def test_the_decline_names_the_word_as_typed(assistant):
    assert "没有提到“预制菜”" in assistant.ask("中山 预制菜 质量标准", [], None).answer


def test_a_rare_known_word_keeps_the_topic(assistant):
    a = assistant.ask("东莞 锂电池 认证", [], None)     # 锂电池 unknown, but 认证 clauses exist
    assert a.meta["signals"]["strange_topic"] is False


@pytest.mark.parametrize("question", ["东莞 检验检测 补贴比例", "汕头质量奖 奖励比例是多少"])
def test_a_share_no_clause_states_is_not_stated(assistant, question):
    a = assistant.ask(question, [], None)
    assert not a.answerable and a.meta["declined"] == "not_stated", a.answer
    assert "比例" in a.answer


@pytest.mark.parametrize("question", ["怀仁工程质量验收合格率要达到百分之几?", "中山首席质量官的企业占比是多少?"])
def test_a_share_a_clause_states_is_answered(assistant, question):
    a = assistant.ask(question, [], None)
    assert a.answerable and "100%" in a.answer, a.answer


def test_a_joint_lead_names_the_other_leads(assistant):
    a = assistant.ask("汕头质监局牵头的工作", [], None)
    line = next(x for x in a.answer.splitlines() if "完善质量奖励制度" in x)
    assert "共同牵头" in line and "人社局" in line, line
    assert "人社局" in compact(next(c.quote for c in a.citations if c.clause.clause_id == "三、(七)" and "人社" in c.quote))
