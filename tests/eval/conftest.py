"""Helpers shared by the harness tests: hand-made gold questions and answers."""
from __future__ import annotations

from typing import Any

import pytest

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


CLAUSES = {
    ("001", "二、(一)"): "完善市政府質量獎評審管理辦法,進一步提升獎項的權威性。(市質監局牽頭)",
    ("000", "三、(一)"): "推行企业首席质量官制度。(市市场监管局、市商务局按职责分工负责)",
}


@pytest.fixture
def clause_text():
    return lambda doc_id, clause: CLAUSES.get((doc_id, clause))
