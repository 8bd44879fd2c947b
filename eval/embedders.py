"""Deterministic random unit vectors: an embedder that lets the benchmark measure the stores
without the model's cost. Follows the `Embedder` protocol of rag/types.py (`name`, `embed`).
The real embedders live in index/embedders.py.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero), as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


class RandomUnitEmbedder:
    """A random unit vector per text, seeded by the text: the same text always gets the same
    vector, so an unchanged rebuild sees unchanged vectors. Costs microseconds, means nothing."""

    def __init__(self, dim: int = 512, seed: int = 0) -> None:
        if dim < 1:
            raise ValueError(f"dim must be at least 1, got {dim}")
        self.dim, self.seed = dim, seed
        self.name = f"random-unit-{dim}-seed{seed}"

    def _one(self, text: str) -> np.ndarray:
        rng = np.random.default_rng([self.seed, zlib.crc32(text.encode("utf-8"))])
        return rng.standard_normal(self.dim, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(np.stack([self._one(t) for t in texts]))
