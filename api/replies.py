"""What a chat client is sent, made from the answer contract: the question and history of an
OpenAI message list, the reply text with its sources, the closing piece of a stream. Pure
helpers shared by the JSON API and the OpenAI routes."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.openai_compat import ChatMessage
from rag.types import Answer

CORRECTION = "\n\n（以上生成内容未通过引用核验，已改用下面的答案）\n\n"


def question_and_history(messages: Sequence[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant turns pair up as history."""
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for m in messages[:-1]:
        if m.role == "user":
            if pending is not None:
                history.append((pending, ""))
            pending = m.text()
        elif m.role == "assistant" and pending is not None:
            history.append((pending, m.text()))
            pending = None
    if pending is not None:
        history.append((pending, ""))
    return messages[-1].text().strip(), history


def sources_text(contract: dict[str, Any]) -> str:
    """The compact list under a chat reply: warnings, then one line per citation."""
    lines = [f"⚠ {w['detail']}" for w in contract.get("warnings", [])]   # llm_fallback too: say when the LLM was not used
    cites = contract.get("citations", [])
    if cites:
        lines.append("来源：")
        lines += [f"[{c['marker']}] {c['city']}·《{c['title']}》{c['clause']}：“{c['quote']}”" for c in cites]
    return "\n".join(lines)


def reply_text(contract: dict[str, Any]) -> str:
    """What a chat client shows: the answer, then the sources."""
    tail = sources_text(contract)
    return contract["answer"] + (f"\n\n{tail}" if tail else "")


def closing_delta(streamed: str, full: str) -> str:
    """What to send after the streamed tokens so the client ends up with `full`: the rest of it,
    or, when the streamed text was replaced (an LLM answer that failed the check), a correction."""
    sent = streamed.rstrip()
    if full.startswith(sent):
        return full[len(sent):]
    return CORRECTION + full


def contract_of(answer: Answer) -> dict[str, Any]:
    """The answer contract; to_contract() holds only JSON types (tests/rag/test_answers.py checks
    every kind), so no jsonable_encoder pass (~0.4 ms and ~5% of the GIL per request under load)."""
    return answer.to_contract()
