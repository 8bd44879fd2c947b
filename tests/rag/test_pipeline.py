"""Assistant.ask() sequences its parts: understand -> strategy -> decision -> answerer. Driven here
by fakes behind the same protocols (no model, no Chroma), so the sequencing itself is tested."""
from __future__ import annotations

import pytest

from rag.components import Components
from rag.pipeline import Assistant
from rag.retrieve.retrievers import RetrievalMode
from rag.settings import Settings
from rag.tools.match import SupportIndex
from rag.types import DeclineReason
from rag.understand.query import Understander
from tests.fakes.corpus import FixedAnswerer, FixedDecision, FixedStrategy, damaged_hit, make_hit, tiny_snapshot


def assistant_with(reason: DeclineReason | None = None, detail: str = "",
                   missing: list[str] | None = None) -> tuple[Assistant, FixedStrategy, FixedAnswerer]:
    hits = [make_hit(), damaged_hit()]
    snap = tiny_snapshot(hits)
    strategy, answerer = FixedStrategy(hits), FixedAnswerer()
    components = Components(snapshot=snap, understander=Understander(snapshot=snap), strategy=strategy,
                            gate=FixedDecision(reason, detail, missing), answerer=answerer, dense=None, top_k=5,
                            retrieval=RetrievalMode.LEXICAL, support=SupportIndex(snap))
    assistant = Assistant(settings=Settings(_env_file=None))
    assistant._components = components           # the parts, already warm
    return assistant, strategy, answerer


def test_answer_path_goes_through_every_part():
    assistant, strategy, answerer = assistant_with()
    answer = assistant.ask("中山市推行首席质量官制度由哪些部门负责?")
    assert answerer.calls == 1 and answer.answerable and answer.answer == FixedAnswerer.ANSWER
    assert strategy.queries[0].kind.value == "who_leads" and strategy.queries[0].filters.cities == ["中山"]
    assert answer.meta["signals"] == {"fake": True} and len(answer.retrieved) == 2


@pytest.mark.parametrize("reason, says", [
    (DeclineReason.NO_EVIDENCE, "没有能回答这个问题的条款"),
    (DeclineReason.INJECTION, "改变助手的规则"),
    (DeclineReason.OFF_TOPIC, "不是质量政策文件能回答的问题"),
    (DeclineReason.OUT_OF_SCOPE, "库中没有这一年"),
])
def test_a_decline_never_reaches_the_answerer(reason, says):
    assistant, _, answerer = assistant_with(reason, detail="库中没有这一年")
    answer = assistant.ask("中山市推行首席质量官制度由哪些部门负责?")
    assert not answer.answerable and answerer.calls == 0 and says in answer.answer
    assert answer.meta["declined"] == reason.value and answer.citations == []


def test_a_topic_the_corpus_never_names_is_named_in_the_decline():
    assistant, _, answerer = assistant_with(DeclineReason.NO_EVIDENCE, missing=["预制菜"])
    answer = assistant.ask("中山 预制菜")
    assert not answer.answerable and answerer.calls == 0 and "没有提到“预制菜”" in answer.answer


def test_not_stated_says_what_is_missing_and_offers_reading_only():
    assistant, _, answerer = assistant_with(DeclineReason.NOT_STATED)
    answer = assistant.ask("中山对首席质量官每家奖励多少钱?")
    assert not answer.answerable and answerer.calls == 0
    assert answer.answer.startswith("现有文件没有写明具体金额") and "仅供参考" in answer.answer
    assert answer.citations == [] and answer.retrieved


def test_streaming_callback_gets_the_decline_text():
    assistant, _, _ = assistant_with(DeclineReason.NO_EVIDENCE)
    got: list[str] = []
    answer = assistant.ask("今天天气怎么样?", on_token=got.append)
    assert "".join(got) == answer.answer


def test_decline_names_a_few_documents_and_counts_the_rest():
    """A decline says what the library holds; in a large library it names the first few
    (national first, then by city) and counts the rest instead of listing thousands."""
    from index.catalog import IndexSnapshot
    from rag.pipeline import coverage_summary
    from tests.fakes.corpus import make_doc

    docs = [make_doc(f"d{i:02d}", city=f"城{i:02d}") for i in range(12)] + [make_doc("nat", city=None)]
    snap = IndexSnapshot(build_id="b", embedder="fake", documents={d.doc_id: d for d in docs}, chunks=[], tokens=[])
    text = coverage_summary(snap, most=3)
    assert text.startswith("全国《") and text.count("《") == 3 and "等 13 份文件" in text and "13 个地方" in text
    small = IndexSnapshot(build_id="b", embedder="fake", documents={d.doc_id: d for d in docs[:2]}, chunks=[], tokens=[])
    assert coverage_summary(small, most=3).count("《") == 2 and "份文件" not in coverage_summary(small, most=3)
