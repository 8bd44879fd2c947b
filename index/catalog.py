"""The index on disk and in memory.

Layout under settings.index_dir:
    builds/<build id>/catalog.json   documents (with clauses), chunks and their BM25 tokens, embedder
    CURRENT                          the id of the build that queries use
A build writes a new directory and then replaces CURRENT atomically (os.replace), so a reader
sees the old index or the new one, never half of one. The dense vectors live in Chroma.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from index.errors import IndexMismatchError, IndexMissingError
from index.lexical import Bm25Index, Tokenizer
from index.models import Chunk, Clause, Document
from index.settings import IndexSettings

FORMAT = 1


@dataclass
class IndexSnapshot:
    build_id: str
    embedder: str
    documents: dict[str, Document]
    chunks: list[Chunk]
    tokens: list[list[str]]                    # BM25 tokens, aligned with chunks
    created: float = 0.0
    skipped: list[dict[str, str]] = field(default_factory=list)

    @cached_property
    def _clauses(self) -> dict[tuple[str, str], Clause]:
        return {(c.doc_id, c.clause_id): c for d in self.documents.values() for c in d.clauses}

    @cached_property
    def chunk_pos(self) -> dict[str, int]:
        return {c.chunk_id: i for i, c in enumerate(self.chunks)}

    @cached_property
    def bm25(self) -> Bm25Index:
        return Bm25Index(self.tokens)

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer that made this snapshot's tokens: queries must be cut the same way."""
        return Tokenizer.for_documents(self.documents.values())

    def warm_up(self) -> None:
        """Build the lazily made parts now (BM25, tokenizer, lookup tables), not on a first query."""
        _ = self.bm25, self.tokenizer, self._clauses, self.chunk_pos
        self.bm25.doc_freq()

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        return self._clauses.get((doc_id, clause_id))

    def clauses(self) -> list[Clause]:
        return list(self._clauses.values())

    def cities(self) -> list[str]:
        return sorted({d.place for d in self.documents.values()})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "build_id": self.build_id, "embedder": self.embedder, "created": self.created,
            "skipped": self.skipped,
            "documents": [d.to_dict() for d in self.documents.values()],
            "chunks": [dict(c.to_dict(), tokens=t) for c, t in zip(self.chunks, self.tokens)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "IndexSnapshot":
        docs = [Document.from_dict(d) for d in data["documents"]]
        chunks = [Chunk.from_dict({k: v for k, v in c.items() if k != "tokens"}) for c in data["chunks"]]
        return cls(build_id=data["build_id"], embedder=data["embedder"], created=data.get("created", 0.0),
                   documents={d.doc_id: d for d in docs}, chunks=chunks,
                   tokens=[c["tokens"] for c in data["chunks"]], skipped=data.get("skipped", []))


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    build = index_dir / "builds" / pointer.read_text(encoding="utf-8").strip()
    return build if (build / "catalog.json").exists() else None


def load_index(settings: IndexSettings, *, check_embedder: bool = False,
               embedder: str | None = None) -> IndexSnapshot:
    """The current build. With check_embedder, it must have been built by `embedder` (the name of
    the embedder that will embed the queries; the configured one when not given)."""
    build = current_build(settings.index_dir)
    if build is None:
        raise IndexMissingError(str(settings.index_dir))
    with open(build / "catalog.json", encoding="utf-8") as f:
        snap = IndexSnapshot.from_json(json.load(f))
    expected = embedder or settings.embedder_id()
    if check_embedder and snap.embedder != expected:
        raise IndexMismatchError(snap.embedder, expected)
    return snap


def write_snapshot(index_dir: Path, snap: IndexSnapshot) -> Path:
    """Write a build directory, then point CURRENT at it atomically."""
    build = index_dir / "builds" / snap.build_id
    build.mkdir(parents=True, exist_ok=True)
    tmp = build / "catalog.json.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(snap.to_json(), f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, build / "catalog.json")
    pointer_tmp = index_dir / "CURRENT.tmp"
    pointer_tmp.write_text(snap.build_id, encoding="utf-8")
    os.replace(pointer_tmp, index_dir / "CURRENT")
    return build


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
