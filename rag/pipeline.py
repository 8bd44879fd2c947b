"""`Assistant.ask()`: understand -> retrieve (strategy) -> decide (gate) -> answer.

The one answering entry point of the CLI, the service (HTTP API and UI) and the evaluation
harness. The parts come typed from rag.components; this module only sequences them.
"""
from __future__ import annotations

import threading
import time

from index.build import Progress, build_index
from index.catalog import IndexSnapshot, current_build
from index.models import Level
from rag.components import Components, build_components, retrieval_mode
from rag.query import understand
from rag.settings import AnswererKind, Settings, get_settings
from rag.types import Answer, DeclineReason, Embedder, Filters, Hit, Kind, Query, TokenCallback


class Assistant:
    """Answers questions over the current index. `__init__` is cheap and validates; `warm_up()`
    reads the index and loads the models (the server calls it at start; the CLI and the harness
    get it on their first question)."""

    def __init__(self, *, settings: Settings, retrieval: str = "hybrid", answerer: AnswererKind | None = None,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.retrieval = retrieval_mode(retrieval)
        self.answerer_kind = AnswererKind(answerer or settings.answerer)
        self._lock = threading.Lock()
        self._components: Components | None = None

    # -- set-up -----------------------------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None) -> None:
        """Build the index when there is none (the first run)."""
        if current_build(self.settings.index_dir) is None:
            build_index(self.settings, embedder=self.embedder, progress=progress)

    def warm_up(self, progress: Progress | None = None) -> Components:
        """Build the index if missing, wire the parts and load everything they need."""
        with self._lock:
            if self._components is None:
                self.ensure_index(progress)
                components = build_components(self.settings, retrieval=self.retrieval, answerer=self.answerer_kind,
                                              embedder=self.embedder)
                components.warm_up()
                self._components = components
            return self._components

    @property
    def components(self) -> Components:
        return self._components or self.warm_up()

    def cities(self) -> list[str]:
        return self.components.snapshot.cities()

    @property
    def answerer_name(self) -> str:
        if self.answerer_kind is AnswererKind.LLM:
            return f"llm:{self.settings.llm_model}"
        return "extractive"

    # -- answering --------------------------------------------------------------------------
    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            filters: Filters | None = None, on_token: TokenCallback | None = None) -> Answer:
        started = time.perf_counter()
        if not question or not question.strip():
            raise ValueError("The question is empty: type a question about the quality-policy documents.")
        c = self.components
        query = understand(question, history, c.snapshot, filters, c.cities)
        hits = c.strategy.retrieve(query)
        reason = c.gate.decide(query, hits)
        if reason:
            answer = decline(c.snapshot, query, reason, hits)
            if on_token:
                on_token(answer.answer)
        else:
            given = hits if query.kind == Kind.DUTY else hits[: c.top_k]
            answer = c.answerer.answer(query, given, on_token)
            answer.retrieved = hits
        answer.meta.update({"kind": query.kind.value, "query": query.text, "cities": query.filters.cities,
                            "retrieval": self.retrieval.value, "more_cities": query.more_cities,
                            "latency_ms": round((time.perf_counter() - started) * 1000, 1)})
        answer.meta.setdefault("answerer", self.answerer_name)
        return answer


def coverage_summary(snap: IndexSnapshot) -> str:
    docs = sorted(snap.documents.values(), key=lambda d: (d.level is not Level.NATIONAL, d.city or ""))
    return ";".join(f"{d.place}《{d.title}》" for d in docs)


def decline(snap: IndexSnapshot, query: Query, reason: DeclineReason, hits: list[Hit]) -> Answer:
    why = {
        DeclineReason.INJECTION: "这个请求要求改变助手的规则,与质量政策无关,无法执行",
        DeclineReason.FOREIGN_PLACE: f"现有文件中没有{'、'.join(query.foreign_places)}的政策文件",
        DeclineReason.NO_EVIDENCE: "现有文件中没有能回答这个问题的条款",
    }[reason]
    text = f"抱歉,{why}。本库收录的文件有:{coverage_summary(snap)}。可以问这些文件中的牵头单位、目标数字、支持政策等。"
    return Answer(answer=text, answerable=False, retrieved=hits if reason is DeclineReason.NO_EVIDENCE else [],
                  meta={"declined": reason.value, "answerer": "extractive"})


def build_assistant(settings: Settings | None = None, *, retrieval: str = "hybrid",
                    answerer: str | None = None, embedder: Embedder | None = None) -> Assistant:
    return Assistant(settings=settings or get_settings(), retrieval=retrieval,
                     answerer=AnswererKind(answerer) if answerer else None, embedder=embedder)
