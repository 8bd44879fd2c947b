"""Rank fusion: pure functions over rankings (lists of keys, best first)."""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)


def rrf(rankings: Sequence[Sequence[K]], *, k: int = 60, weights: Sequence[float] | None = None) -> dict[K, float]:
    """Reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1."""
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[K, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, 1):
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    return scores


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[int]:
    """Indices of the k largest positive scores (ties by index), optionally within a mask."""
    s = np.where(mask, scores, -np.inf) if mask is not None else scores.astype(float)
    k = min(k, int(np.sum(s > 0)))
    if k <= 0:
        return []
    kth = -np.partition(-s, k - 1)[k - 1]          # the k-th largest score
    above = np.flatnonzero(s > kth)
    idx = np.concatenate([above, np.flatnonzero(s == kth)[: k - len(above)]])   # ties at the cut: lowest index
    return sorted(idx.tolist(), key=lambda i: (-s[i], i))


def exact_top(matrix: np.ndarray, vector: np.ndarray, k: int, *, unit_rows: bool = False) -> list[tuple[int, float]]:
    """(row, cosine similarity) of the k rows of `matrix` nearest to `vector`, best first, ties
    by row: the exact search a vector store approximates. `unit_rows`: the rows are already of
    length 1 (a cached, normalised matrix), so only the vector is normalised. The cost is one
    matrix-vector product and a partition, not a sort of every row."""
    if not len(matrix) or k <= 0:
        return []
    v = np.asarray(vector, dtype=np.float64)
    if unit_rows:
        sims = np.asarray(matrix @ v.astype(matrix.dtype), dtype=np.float64) / max(float(np.linalg.norm(v)), 1e-12)
    else:
        m = np.asarray(matrix, dtype=np.float64)
        sims = (m @ v) / np.maximum(np.linalg.norm(m, axis=1) * np.linalg.norm(v), 1e-12)
    k = min(k, len(sims))
    kth = -np.partition(-sims, k - 1)[k - 1]               # the k-th largest similarity
    candidates = np.flatnonzero(sims >= kth)                # more than k only with ties at the cut
    order = sorted(candidates.tolist(), key=lambda i: (-sims[i], i))[:k]
    return [(i, float(sims[i])) for i in order]


def best_per_key(pairs: Sequence[tuple[K, float]]) -> list[tuple[K, float]]:
    """Collapse (key, score) pairs to the best score per key, best first (chunks -> clauses)."""
    best: dict[K, float] = {}
    for key, score in pairs:
        if key not in best or score > best[key]:
            best[key] = score
    return sorted(best.items(), key=lambda kv: -kv[1])
