"""Several asks of one message answered in turn, made into one answer: each part under its own
heading, its [n] markers renumbered so they stay unique, citations, warnings and retrieved clauses
joined. The answer is answerable when any part is; a declined part says so in its place."""
from __future__ import annotations

import dataclasses
import re

from rag.types import Answer, AnswerWarning, Citation, Hit

RETRIEVED = 10           # retrieved clauses kept for the whole answer


def renumbered(text: str, markers: set[int], offset: int) -> str:
    """The text with each of its citation markers [n] (n in `markers`) moved up by `offset`."""
    if not offset:
        return text
    return re.sub(r"\[(\d{1,3})\]", lambda m: f"[{int(m.group(1)) + offset}]" if int(m.group(1)) in markers else m.group(0),
                  text)


def merge(parts: list[tuple[str, Answer]]) -> Answer:
    """One answer from (ask, its answer) pairs, in order."""
    lines: list[str] = []
    citations: list[Citation] = []
    warnings: list[AnswerWarning] = []
    retrieved: list[Hit] = []
    for n, (ask, answer) in enumerate(parts, 1):
        offset = len(citations)
        lines.append(f"【{n}】{ask}\n{renumbered(answer.answer, {c.marker for c in answer.citations}, offset)}")
        citations += [dataclasses.replace(c, marker=c.marker + offset) for c in answer.citations]
        warnings += [w for w in answer.warnings if (w.kind, w.detail) not in {(x.kind, x.detail) for x in warnings}]
        retrieved += [h for h in answer.retrieved if h.key not in {x.key for x in retrieved}]
    meta = {"parts": [{"ask": ask, "answerable": a.answerable, **{k: a.meta[k] for k in ("kind", "declined", "resolved")
                                                                if k in a.meta}} for ask, a in parts]}
    return Answer(answer="\n\n".join(lines), answerable=any(a.answerable for _, a in parts), citations=citations,
                  warnings=warnings, retrieved=retrieved[:RETRIEVED], meta=meta)
