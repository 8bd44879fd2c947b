"""The dense store: a Chroma collection, embedded (persistent, on disk) or on a Chroma server.

The collection is named after the embedder that fills it, so two embedders never mix vectors.
Chunk ids are content-addressed, which makes adding idempotent and lets a build add first and
delete last: an interrupted build leaves every chunk of the previous index in place.
"""
from __future__ import annotations

import re
from typing import Any, Sequence
from urllib.parse import urlparse

import numpy as np

from index.errors import ConfigError
from index.settings import Settings

BATCH = 1000


def collection_name(base: str, embedder: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder).strip("-._")
    return f"{base}__{slug}"[:500]


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"ZHICE_CHROMA_URL must look like http://host:8000, got {settings.chroma_url!r}")
    return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                               ssl=url.scheme == "https", settings=chroma_settings)


class ChromaStore:
    def __init__(self, *, settings: Settings, embedder: str, client: Any | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.name = collection_name(settings.chroma_collection, embedder)
        self._client = client
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            if self._client is None:
                self._client = make_client(self.settings)
            self._collection = self._client.get_or_create_collection(
                self.name, metadata={"hnsw:space": "cosine", "embedder": self.embedder})
        return self._collection

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=BATCH * 10, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < BATCH * 10:
                return out
            offset += BATCH * 10

    def add(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        for i in range(0, len(ids), BATCH):
            self.collection.upsert(ids=list(ids[i:i + BATCH]), embeddings=vectors[i:i + BATCH].tolist(),
                                   metadatas=list(metadatas[i:i + BATCH]))

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[i:i + BATCH])

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        count = self.collection.count()
        if count == 0:
            return []
        got = self.collection.query(query_embeddings=[vector.tolist()], n_results=min(k, count),
                                    where=where or None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    def drop(self) -> None:
        if self._client is None:
            self._client = make_client(self.settings)
        try:
            self._client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - absent already: nothing to drop
            pass
        self._collection = None
