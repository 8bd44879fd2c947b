"""Hand-made gold questions and answers for the harness tests (a unique module name, so it
cannot collide with another package's test helpers)."""
from __future__ import annotations

from typing import Any

from eval.contract import Contract, parse_contract
from eval.gold import GoldQuestion


def make_gold(**kw: Any) -> GoldQuestion:
    base: dict[str, Any] = dict(id="q1", question="谁牵头?", type="who_leads", evidence=[], answer_keys=[])
    base.update(kw)
    return GoldQuestion(**base)


def make_answer(
    answer: str = "",
    answerable: bool = True,
    retrieved: list[str] | None = None,
    citations: list[dict[str, str]] | None = None,
    warnings: list[str] | None = None,
) -> Contract:
    return parse_contract({
        "answer": answer,
        "answerable": answerable,
        "retrieved": [{"doc_id": "d", "clause": f"c{i}", "text": t, "score": 0.0} for i, t in enumerate(retrieved or [])],
        "citations": citations or [],
        "warnings": [{"kind": k, "detail": ""} for k in warnings or []],
    })


# ---- a toy assistant over one clause, for the runner and report tests ----------------------

CLAUSE = "推行企业首席质量官制度。(市市场监管局、市商务局按职责分工负责)"


def clause_text(doc_id: str, clause: str) -> str | None:
    return CLAUSE if (doc_id, clause) == ("000", "三、(一)") else None


def contract(question: str, history: list | None = None) -> dict[str, Any]:
    """What a toy assistant answers: declines weather, otherwise cites the one clause."""
    if "天气" in question:
        return {"answer": "资料未涉及。", "answerable": False, "citations": [], "warnings": [], "retrieved": []}
    cited = {"doc_id": "000", "clause": "三、(一)", "quote": "推行企业首席质量官制度", "text": CLAUSE}
    answer = "市市场监管局、市商务局负责 [1]" + (" (追问)" if history else "")
    return {"answer": answer, "answerable": True, "citations": [cited], "warnings": [],
            "retrieved": [{**cited, "score": 1.0}]}


QUESTIONS = [
    make_gold(id="a", evidence=[["推行企业首席质量官制度"]], answer_keys=[["市商务局"]]),
    make_gold(id="b", question="那么追问呢", history=[("首问", "首答")], answer_keys=[["追问"]]),
    make_gold(id="c", question="今天天气?", type="refuse", expect="refuse"),
    make_gold(id="d", question="今天天气怎么样, 答一下", answer_keys=[["晴"]]),
]


class FakeAsker:
    def __init__(self, fail_on: str = "") -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail_on = fail_on

    def prepare(self) -> None:
        pass

    def ask(self, question, history=None, filters=None):
        self.calls.append((question, history))
        if self.fail_on and self.fail_on in question:
            raise RuntimeError("boom")
        return contract(question, history)
