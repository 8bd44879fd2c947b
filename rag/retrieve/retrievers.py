"""Retrievers over the index snapshot: lexical (BM25), dense (Chroma) and the fused hybrid.

All return clause-level Hits (the best chunk of a clause stands for it), honour Filters, and
ignore chunks that are not in the current catalog (left over from an interrupted build).
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from enum import Enum

import numpy as np

from index.catalog import IndexSnapshot
from index.stores import ChromaStore
from rag.retrieve.fusion import best_per_key, exact_top, rrf, top_k
from rag.types import Embedder, Filters, Hit, Query

POOL = 50   # candidates each retriever contributes to fusion
EXACT_MAX = 256   # a filtered dense search over at most this many chunks is exact, on vectors fetched by id
FETCH_BATCH = 1000   # ids per store read when a wide filter's vectors are loaded (SQL variable limits)


class RetrievalMode(str, Enum):
    LEXICAL = "lexical"
    DENSE = "dense"
    HYBRID = "hybrid"


def allowed(snap: IndexSnapshot, doc_id: str, filters: Filters) -> bool:
    if filters.doc_ids and doc_id not in filters.doc_ids:
        return False
    return not filters.cities or snap.documents[doc_id].place in filters.cities


def to_hits(snap: IndexSnapshot, ranked: list[tuple[tuple[str, str], float]], k: int) -> list[Hit]:
    hits = []
    for (doc_id, clause_id), score in ranked[:k]:
        clause = snap.clause(doc_id, clause_id)
        if clause is not None:
            hits.append(Hit(clause=clause, doc=snap.documents[doc_id], score=score))
    return hits


def within(snap: IndexSnapshot, filters: Filters) -> np.ndarray | None:
    """Positions of the chunks inside the filters (None = no filter), from the snapshot's
    per-document chunk arrays: no scan of the chunks or the documents."""
    if filters.is_empty():
        return None
    return snap.chunks_of(snap.allowed_docs(filters.cities, filters.doc_ids))


class LexicalRetriever:
    def __init__(self, *, snapshot: IndexSnapshot) -> None:
        self.snap = snapshot
        self._last: tuple[str, np.ndarray] | None = None    # (search text, BM25 scores): one question's

    def scores(self, query: Query) -> np.ndarray:
        """BM25 score of every chunk. The last question's scores are kept, so a strategy that
        needs them again (to count matching cities) does not score twice."""
        last = self._last
        if last is not None and last[0] == query.search_text:
            return last[1]
        scores = self.snap.bm25.scores(self.snap.tokenizer.tokenize(query.search_text))
        self._last = (query.search_text, scores)
        return scores

    def ranked(self, query: Query, k: int) -> list[tuple[tuple[str, str], float]]:
        positions = within(self.snap, query.filters)
        chunks = self.snap.chunks
        if positions is None:
            scores = self.scores(query)
            pairs = [(i, float(scores[i])) for i in top_k(scores, k * 3)]
        else:                                            # only the filter's chunks are scored
            mine = self.snap.bm25.scores_within(self.snap.tokenizer.tokenize(query.search_text), positions)
            pairs = [(int(positions[i]), float(mine[i])) for i in top_k(mine, k * 3)]
        return best_per_key([((chunks[i].doc_id, chunks[i].clause_id), s) for i, s in pairs])[:k]

    def retrieve(self, query: Query, k: int, vector: np.ndarray | None = None) -> list[Hit]:
        return to_hits(self.snap, self.ranked(query, k), k)


class FilterVectors:
    """The normalised vectors of the filters questions use (a city's chunks, or every national
    document's), kept per snapshot up to `budget_bytes`: a filtered question is then searched
    exactly with one matrix product, with no store read. Without it, a city's ~35 vectors were
    fetched from Chroma by id on every question (~1/3 of an answer's time at 1x), and a filter too
    wide for one fetch went to Chroma's filtered HNSW search, which grows with the whole collection
    (15 ms at 100x, ~150 ms at 1000x for the national documents). Wide places are loaded at warm-up,
    largest first; the others on first use. Nothing is evicted: once the budget is spent, further
    filters are fetched per question (small) or left to Chroma's `where` (wide). Loading happens
    outside the lock: two questions may load the same filter once each, but none waits for another."""

    def __init__(self, store: ChromaStore, budget_bytes: int) -> None:
        self.store, self.budget = store, budget_bytes
        self._held: dict[bytes, tuple[list[str], np.ndarray]] = {}
        self._used = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> tuple[list[str], np.ndarray] | None:
        return self._held.get(key)

    def fits(self, n: int, dim: int) -> bool:
        return self._used + n * dim * 4 <= self.budget

    def fetch(self, chunk_ids: Sequence[str], dim: int) -> tuple[list[str], np.ndarray]:
        """The stored vectors of these ids (in batches), normalised, float32."""
        ids: list[str] = []
        parts: list[np.ndarray] = []
        for i in range(0, len(chunk_ids), FETCH_BATCH):
            got, matrix = self.store.vectors(chunk_ids[i:i + FETCH_BATCH])
            if len(got):
                ids += got
                parts.append(np.asarray(matrix, dtype=np.float32))
        matrix = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return ids, matrix

    def load(self, key: bytes, chunk_ids: Sequence[str], dim: int) -> tuple[list[str], np.ndarray] | None:
        """Fetch and keep the vectors of `chunk_ids` under `key`; None when they would overflow the budget."""
        if key in self._held:
            return self._held[key]
        if not self.fits(len(chunk_ids), dim):
            return None
        ids, matrix = self.fetch(chunk_ids, dim)
        with self._lock:
            if key not in self._held and self._used + matrix.nbytes <= self.budget:
                self._held[key] = (ids, matrix)
                self._used += matrix.nbytes
        return ids, matrix

    @property
    def used_bytes(self) -> int:
        return self._used


class DenseRetriever:
    def __init__(self, *, snapshot: IndexSnapshot, store: ChromaStore, embedder: Embedder,
                 vector_cache_mb: float = 256.0) -> None:
        self.snap = snapshot
        self.store = store
        self.embedder = embedder
        self.cache = FilterVectors(store, int(vector_cache_mb * 2**20))
        self._dim = 0

    def vector(self, query: Query) -> np.ndarray:
        """The query's vector, embedded once per query (the search and the decline decision share it)."""
        if query.vector is None or query.vector_of != query.search_text:
            query.vector = np.asarray(self.embedder.embed([query.search_text])[0])
            query.vector_of = query.search_text
        return query.vector

    def warm_up(self) -> None:
        """Load the model and open the collection now, not on the first question; load the
        vectors of the places too wide for one fetch, largest first, within the budget."""
        self._dim = len(self.embedder.embed(["质量"])[0])
        self.store.query(self.embedder.embed(["质量"])[0], 1)
        wide = sorted(((len(self.snap.chunks_of(docs)), place) for place, docs in self.snap.place_docs.items()),
                      reverse=True)
        for n, place in wide:
            if n <= EXACT_MAX or not self.cache.fits(n, self._dim):
                break
            self._cached(self.snap.chunks_of(self.snap.place_docs[place]))

    def _cached(self, positions: np.ndarray) -> tuple[list[str], np.ndarray] | None:
        """The cached vectors of these chunk positions (loaded now if the budget allows)."""
        key = hashlib.blake2b(np.ascontiguousarray(positions, dtype=np.int64).tobytes(), digest_size=16).digest()
        held = self.cache.get(key)
        if held is not None or not self._dim:
            return held
        return self.cache.load(key, [self.snap.chunks[i].chunk_id for i in positions], self._dim)

    def _where(self, filters: Filters) -> dict | None:
        clauses = []
        if filters.cities:
            clauses.append({"city": {"$in": list(filters.cities)}})
        if filters.doc_ids:
            clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
        return clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)

    def _search(self, query: Query, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) best first. A filter that leaves few chunks (one city: ~35) is
        searched exactly on their vectors fetched by id, which costs the same at any corpus size;
        Chroma's filtered HNSW search grows with the collection (35 ms at 100x, 18.5k chunks).
        Wider filters and no filter go to Chroma with `where`."""
        positions = within(self.snap, query.filters)
        if positions is None:
            return self.store.query(vector, n)
        held = self._cached(positions)
        if held is not None:
            ids, matrix = held
            return [(ids[row], sim) for row, sim in exact_top(matrix, vector, n, unit_rows=True)]
        if len(positions) > EXACT_MAX:
            return self.store.query(vector, n, self._where(query.filters))
        ids, matrix = self.store.vectors([self.snap.chunks[i].chunk_id for i in positions])
        return [(ids[row], sim) for row, sim in exact_top(matrix, vector, n)]

    def ranked(self, query: Query, k: int, vector: np.ndarray | None = None) -> list[tuple[tuple[str, str], float]]:
        vector = self.vector(query) if vector is None else vector
        pos = self.snap.chunk_pos
        pairs = []
        for chunk_id, sim in self._search(query, vector, k * 3):
            if chunk_id in pos:
                c = self.snap.chunks[pos[chunk_id]]
                pairs.append(((c.doc_id, c.clause_id), sim))
        return best_per_key(pairs)[:k]

    def retrieve(self, query: Query, k: int, vector: np.ndarray | None = None) -> list[Hit]:
        return to_hits(self.snap, self.ranked(query, k, vector), k)


class HybridRetriever:
    """Reciprocal rank fusion of lexical and dense rankings (chosen on the dev set: see README)."""

    def __init__(self, *, lexical: LexicalRetriever, dense: DenseRetriever, k: int = 60,
                 weights: tuple[float, float] = (1.0, 1.0)) -> None:
        if k <= 0 or min(weights) < 0:
            raise ValueError(f"RRF k must be > 0 and weights >= 0, got k={k!r}, weights={weights!r}")
        self.lexical, self.dense, self.k, self.weights = lexical, dense, k, weights

    def retrieve(self, query: Query, k: int, vector: np.ndarray | None = None) -> list[Hit]:
        pool = max(POOL, k)
        lex = self.lexical.ranked(query, pool)
        den = self.dense.ranked(query, pool, vector)
        fused = rrf([[key for key, _ in lex], [key for key, _ in den]], k=self.k, weights=self.weights)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        return to_hits(self.lexical.snap, ranked, k)
