"""An Assistant with the methods of rag.pipeline's, answering from a script."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.types import Answer, AnswerWarning, Citation, Filters, TokenCallback, WarningKind
from tests.fakes.corpus import ZS_TEXT, damaged_hit, make_hit

ANSWER = "由市市场监管局、市工业和信息化局等按职责分工负责[1]。"
QUOTE = "市市场监管局、市工业和信息化局"


def fixed_answer(text: str = ANSWER, damaged: bool = False) -> Answer:
    hit = damaged_hit() if damaged else make_hit()
    quote = "企?000家以上" if damaged else QUOTE
    warnings = [AnswerWarning(WarningKind.DAMAGED_SOURCE, "原文有缺损")] if damaged else []
    return Answer(answer=text, answerable=True, citations=[Citation(1, hit.clause, hit.doc, quote)],
                  warnings=warnings, retrieved=[hit, make_hit(score=0.5, clause_id="三、(二)")],
                  meta={"answerer": "extractive"})


class FakeAssistant:
    """`tokens` are streamed to on_token before `answer` is returned; `fail` is raised instead."""

    answerer_name = "extractive"

    def __init__(self, answer: Answer | None = None, tokens: Sequence[str] | None = None,
                 fail: BaseException | None = None) -> None:
        self.answer = answer or fixed_answer()
        self.tokens = list(tokens) if tokens is not None else [self.answer.answer[:5], self.answer.answer[5:]]
        self.fail = fail
        self.calls: list[dict] = []
        self.index_builds = 0
        self.reloads = 0
        self.embedder = None            # what an upload's index build uses (None = the configured one)

    def warm_up(self, progress: Callable[[float, str], None] | None = None) -> None:
        self.index_builds += 1
        if progress:
            progress(0.5, "正在建立索引")
            progress(1.0, "索引已就绪")

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None, filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer:
        self.calls.append({"question": question, "history": list(history or []), "filters": filters})
        if self.fail:
            raise self.fail
        for t in self.tokens if on_token else []:
            on_token(t)
        return self.answer

    def reload(self) -> None:
        self.reloads += 1

    def cities(self) -> list[str]:
        return ["中山", "汕头", "东莞", "怀仁", "全国"]


assert QUOTE in ZS_TEXT
