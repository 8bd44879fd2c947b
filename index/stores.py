"""The dense store: a Chroma collection, embedded (persistent, on disk) or on a Chroma server.

The collection is named after the embedder that fills it, so two embedders never mix vectors.
Chunk ids are content-addressed, which makes adding idempotent and lets a build add first and
delete last: an interrupted build leaves every chunk of the previous index in place.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.errors import ConfigError
from index.settings import IndexSettings

BATCH = 1000


def collection_name(base: str, embedder: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder).strip("-._")
    return f"{base}__{slug}"[:500]


def make_client(*, path: Path, url: str | None) -> Any:
    """An embedded client on `path`, or a client of the Chroma server at `url` when given."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"ZHICE_CHROMA_URL must look like http://host:8000, got {url!r}")
    return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                               ssl=parsed.scheme == "https", settings=chroma_settings)


class ChromaStore:
    """The collection of one embedder's vectors. Cheap to make; connects on first use."""

    def __init__(self, *, embedder: str, collection: str, path: Path, url: str | None = None,
                 client: Any | None = None) -> None:
        if not embedder or not collection:
            raise ConfigError(f"ChromaStore needs an embedder id and a collection name, got {embedder!r}, {collection!r}")
        self.embedder = embedder
        self.path, self.url = path, url
        self.name = collection_name(collection, embedder)
        self._client = client
        self._collection: Any = None

    @classmethod
    def from_settings(cls, settings: IndexSettings, embedder: str) -> ChromaStore:
        return cls(embedder=embedder, collection=settings.chroma_collection, path=settings.chroma_dir,
                   url=settings.chroma_url)

    def _connect(self) -> Any:
        if self._client is None:
            self._client = make_client(path=self.path, url=self.url)
        return self._client

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._connect().get_or_create_collection(
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
        """(chunk id, cosine similarity) best first. Chroma returns fewer than k when it holds fewer
        (and nothing when empty), so no count() round trip per query."""
        got = self.collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                    where=where or None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    def vectors(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of these chunk ids (those the store holds), in the order given."""
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        row = {i: n for n, i in enumerate(got["ids"])}
        keep = [i for i in ids if i in row]
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        return keep, (matrix[[row[i] for i in keep]] if keep else np.zeros((0, 0), dtype=np.float32))

    def drop(self) -> None:
        try:  # noqa: SIM105
            self._connect().delete_collection(self.name)
        except Exception:
            pass
        self._collection = None
