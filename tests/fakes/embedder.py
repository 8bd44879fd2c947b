"""A deterministic embedder for tests, behind the same protocol as the real ones."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class HashEmbedder:
    """Bag of character bigrams hashed into `dim` buckets: similar texts get similar vectors."""

    def __init__(self, *, dim: int = 64, name: str = "fake-hash") -> None:
        self.dim, self.name = dim, name
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                out[row, int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
