"""`ask()`: understand -> retrieve -> gate -> answer. The one entry point of the CLI, the app,
the HTTP API and the evaluation harness."""
from __future__ import annotations

import threading
from dataclasses import replace
import time
from typing import Any

from index.build import build_index
from index.catalog import IndexSnapshot, current_build, load_index
from index.embedders import make_embedder
from index.settings import AnswererKind, Settings, get_settings
from index.stores import ChromaStore
from rag.evidence import coverage, query_terms
from rag.extractive import ExtractiveAnswerer, duty_hits, in_charge
from rag.query import CityIndex, understand
from rag.retrieve import DenseRetriever, HybridRetriever, LexicalRetriever, RetrievalMode
from rag.types import Answer, Filters, Hit, Kind, Query, TokenCallback

RETRIEVED = 10          # length of the `retrieved` list returned
MIN_COVERAGE = 0.34     # share of the question's weighted terms a clause must contain
MIN_DENSE = 0.45        # cosine a clause must reach when the words do not match (other language)


class Assistant:
    def __init__(self, *, settings: Settings, retrieval: RetrievalMode = RetrievalMode.HYBRID,
                 answerer: AnswererKind | None = None) -> None:
        self.settings = settings
        self.retrieval = RetrievalMode(retrieval)
        self.answerer_kind = AnswererKind(answerer or settings.answerer)
        self._lock = threading.Lock()
        self._parts: dict[str, Any] | None = None

    # -- set-up -----------------------------------------------------------------------------
    def ensure_index(self, progress=None) -> None:
        if current_build(self.settings.index_dir) is None:
            build_index(self.settings, progress=progress)

    @property
    def parts(self) -> dict[str, Any]:
        with self._lock:
            if self._parts is None:
                self._parts = self._load()
            return self._parts

    def _load(self) -> dict[str, Any]:
        snap = load_index(self.settings, check_embedder=True)
        embedder = make_embedder(self.settings)
        lexical = LexicalRetriever(snapshot=snap)
        dense = DenseRetriever(snapshot=snap, store=ChromaStore(settings=self.settings, embedder=snap.embedder),
                               embedder=embedder)
        retriever = {RetrievalMode.LEXICAL: lexical, RetrievalMode.DENSE: dense,
                     RetrievalMode.HYBRID: HybridRetriever(
                         lexical=lexical, dense=dense, k=self.settings.fusion_k,
                         weights=(1.0, self.settings.dense_weight))}[self.retrieval]
        extractive = ExtractiveAnswerer(snapshot=snap)
        answerer = extractive
        if self.answerer_kind is AnswererKind.LLM:
            from rag.llm import LLMAnswerer
            answerer = LLMAnswerer(settings=self.settings, fallback=extractive)
        return {"snap": snap, "cities": CityIndex.from_snapshot(snap), "retriever": retriever,
                "dense": dense, "answerer": answerer}

    def reload(self) -> None:
        with self._lock:
            self._parts = None

    def cities(self) -> list[str]:
        return self.parts["snap"].cities()

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
        p = self.parts
        query = understand(question, history, p["snap"], filters, p["cities"])
        hits = self._retrieve(query)
        reason = query.refuse_reason or self._gate(query, hits)
        if reason:
            answer = decline(p["snap"], query, reason, hits)
            if on_token:
                on_token(answer.answer)
        else:
            given = hits if query.kind == Kind.DUTY else hits[: self.settings.top_k]
            answer = p["answerer"].answer(query, given, on_token)
            answer.retrieved = hits
        answer.meta.update({"kind": query.kind.value, "query": query.text, "cities": query.filters.cities,
                            "retrieval": self.retrieval.value, "latency_ms": round((time.perf_counter() - started) * 1000, 1)})
        answer.meta.setdefault("answerer", self.answerer_name)
        return answer

    def _retrieve(self, query: Query) -> list[Hit]:
        retriever = self.parts["retriever"]
        if query.kind == Kind.COMPARE and not query.filters.cities:
            return _interleave([retriever.retrieve(_with_city(query, c), 3) for c in self.cities()])
        hits = retriever.retrieve(query, RETRIEVED)
        if query.kind != Kind.DUTY:
            return hits
        first = duty_hits(self.parts["snap"], query)       # every clause the unit is in charge of
        keys = {h.key for h in first}
        return first + [h for h in hits if h.key not in keys]

    def _gate(self, query: Query, hits: list[Hit]) -> str | None:
        """Decline when no retrieved clause is about the question."""
        if not hits:
            return "no_evidence"
        if query.kind == Kind.DUTY and in_charge(hits[0].clause, query):
            return None
        terms = query_terms(query, self.parts["snap"], query.filters.cities)
        best = max(coverage(h.clause.norm + " ".join(h.clause.heading_path), terms) for h in hits)
        if best >= MIN_COVERAGE:
            return None
        dense = self.parts["dense"].ranked(query, 1)
        return None if dense and dense[0][1] >= MIN_DENSE else "no_evidence"


def _with_city(query: Query, city: str) -> Query:
    return replace(query, filters=Filters(cities=[city]))


def _interleave(groups: list[list[Hit]]) -> list[Hit]:
    """Best of every group first, then the second of every group, …; each round by score."""
    out: list[Hit] = []
    for rank in range(max((len(g) for g in groups), default=0)):
        out.extend(sorted((g[rank] for g in groups if len(g) > rank), key=lambda h: -h.score))
    return out


def coverage_summary(snap: IndexSnapshot) -> str:
    docs = sorted(snap.documents.values(), key=lambda d: (d.level != "national", d.city or ""))
    return ";".join(f"{d.city or '全国'}《{d.title}》" for d in docs)


def decline(snap: IndexSnapshot, query: Query, reason: str, hits: list[Hit]) -> Answer:
    why = {
        "injection": "这个请求要求改变助手的规则,与质量政策无关,无法执行",
        "foreign_place": f"现有文件中没有{'、'.join(query.foreign_places)}的政策文件",
        "no_evidence": "现有文件中没有能回答这个问题的条款",
    }.get(reason, "现有文件无法回答这个问题")
    text = f"抱歉,{why}。本库收录的文件有:{coverage_summary(snap)}。可以问这些文件中的牵头单位、目标数字、支持政策等。"
    return Answer(answer=text, answerable=False, retrieved=hits if reason == "no_evidence" else [],
                  meta={"declined": reason, "answerer": "extractive"})


_default: Assistant | None = None
_default_lock = threading.Lock()


def build_assistant(settings: Settings | None = None, *, retrieval: str = "hybrid",
                    answerer: str | None = None) -> Assistant:
    try:
        mode = RetrievalMode(retrieval)
    except ValueError:
        raise ValueError(f"retrieval must be one of {[m.value for m in RetrievalMode]}, got {retrieval!r}") from None
    return Assistant(settings=settings or get_settings(), retrieval=mode,
                     answerer=AnswererKind(answerer) if answerer else None)


def ask(question: str, history: list[tuple[str, str]] | None = None, filters: Filters | dict | None = None) -> dict:
    """The FORMAT.md contract as a dict, from a process-wide assistant on the default settings."""
    global _default
    with _default_lock:
        if _default is None:
            _default = build_assistant()
    if isinstance(filters, dict):
        filters = Filters(cities=list(filters.get("cities", [])), doc_ids=list(filters.get("doc_ids", [])))
    return _default.ask(question, history, filters).to_contract()
