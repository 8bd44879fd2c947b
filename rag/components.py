"""The typed wiring of the assistant: one frozen `Components`, made by one factory.

    build_components(settings, retrieval=…, answerer=…) -> Components   (reads the index; cheap)
    components.warm_up()                                               (loads models, BM25, Chroma)

Each part takes its own parameters (never the Settings object); the factory is the one place
that maps settings to parts. The server calls warm_up() before it reports ready, so the first
answer is as fast as the rest.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.catalog import IndexSnapshot, load_index
from index.embedders import make_embedder
from index.stores import ChromaStore
from rag.compose.extractive import ExtractiveAnswerer
from rag.decide.gate import CoverageGate
from rag.retrieve.retrievers import DenseRetriever, HybridRetriever, LexicalRetriever, RetrievalMode
from rag.retrieve.strategy import KindAwareStrategy
from rag.settings import AnswererKind, Settings
from rag.tools.match import SupportIndex
from rag.types import Answerer, DeclineDecision, Embedder, Filters, Kind, Query, RetrievalStrategy, Retriever
from rag.understand.english import EnglishBridge
from rag.understand.lexicon import Lexicon
from rag.understand.pinyin import PinyinBridge
from rag.understand.query import CityIndex, Understander


@dataclass(frozen=True)
class Components:
    snapshot: IndexSnapshot
    understander: Understander
    strategy: RetrievalStrategy
    gate: DeclineDecision
    answerer: Answerer
    dense: DenseRetriever | None
    top_k: int
    retrieval: RetrievalMode
    support: SupportIndex               # the clauses that offer enterprises support, per place (policy matching)

    def warm_up(self) -> None:
        """Do every lazy load now: tokenizer and BM25, the embedding model, the Chroma collection,
        and one search through the strategy."""
        self.snapshot.warm_up()
        self.understander.warm_up()
        if self.dense is not None:
            self.dense.warm_up()
        self.strategy.retrieve(Query(raw="质量", text="质量", kind=Kind.LOOKUP, filters=Filters()))


def retrieval_mode(value: str | RetrievalMode) -> RetrievalMode:
    try:
        return RetrievalMode(value)
    except ValueError:
        raise ValueError(f"retrieval must be one of {[m.value for m in RetrievalMode]}, got {value!r}") from None


def make_answerer(settings: Settings, kind: AnswererKind, snapshot: IndexSnapshot) -> Answerer:
    extractive = ExtractiveAnswerer(snapshot=snapshot)
    if kind is AnswererKind.EXTRACTIVE:
        return extractive
    from rag.compose.llm import LLMAnswerer, LLMConfig  # imports langchain: only when asked for

    config = LLMConfig(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key,
                       timeout_s=settings.llm_timeout_s, temperature=settings.llm_temperature,
                       breaker_failures=settings.llm_breaker_failures, breaker_cooldown_s=settings.llm_breaker_cooldown_s)
    return LLMAnswerer(config=config, fallback=extractive)


def build_components(settings: Settings, *, retrieval: str | RetrievalMode = RetrievalMode.HYBRID,
                     answerer: AnswererKind | None = None, embedder: Embedder | None = None) -> Components:
    """Read the current index and wire the parts. `embedder` replaces the configured one (the
    benchmark's random vectors). Raises IndexMissingError / IndexMismatchError."""
    mode = retrieval_mode(retrieval)
    embedder = embedder or make_embedder(settings)
    snap = load_index(settings, check_embedder=True, embedder=embedder.name)
    lexical = LexicalRetriever(snapshot=snap)
    dense = DenseRetriever(snapshot=snap, store=ChromaStore.from_settings(settings, snap.embedder),
                           embedder=embedder, vector_cache_mb=settings.vector_cache_mb)
    retrievers: dict[RetrievalMode, Retriever] = {
        RetrievalMode.LEXICAL: lexical,
        RetrievalMode.DENSE: dense,
        RetrievalMode.HYBRID: HybridRetriever(lexical=lexical, dense=dense, k=settings.fusion_k,
                                              weights=(1.0, settings.dense_weight)),
    }
    retriever = retrievers[mode]
    return Components(
        snapshot=snap,
        understander=Understander(snapshot=snap, cities=CityIndex.from_snapshot(snap), lexicon=Lexicon.load(),
                                  bridge=EnglishBridge(vocabulary=snap.bm25.__contains__),
                                  pinyin=PinyinBridge(snap.bm25.doc_freq())),
        strategy=KindAwareStrategy(snapshot=snap, retriever=retriever, dense=dense, lexical=lexical,
                                   max_cities=settings.top_k),   # every city shown reaches the answerer
        gate=CoverageGate(snapshot=snap, dense=dense),
        answerer=make_answerer(settings, answerer or settings.answerer, snap),
        dense=dense, top_k=settings.top_k, retrieval=mode, support=SupportIndex(snap),
    )
