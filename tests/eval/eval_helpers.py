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

