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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexMismatchError, IndexMissingError
from index.lexical import Bm25Index, Tokenizer
from index.models import Chunk, Clause, Document
from index.settings import IndexSettings
from index.text import compact

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
    def headings(self) -> dict[str, list[tuple[str, str]]]:
        """Clause headings (compact form, at least 5 characters) -> (doc_id, clause_id): a heading
        written out in a question is found by lookups, not by a scan of every clause."""
        out: dict[str, list[tuple[str, str]]] = {}
        for d in self.documents.values():
            for c in d.clauses:
                key = compact(c.heading)
                if len(key) >= 5:
                    out.setdefault(key, []).append((d.doc_id, c.clause_id))
        return out

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer that made this snapshot's tokens: queries must be cut the same way."""
        return Tokenizer.for_documents(self.documents.values())

    @cached_property
    def places(self) -> list[str]:
        """Every place (city short name or 全国) with a document, sorted; index = place number."""
        return sorted({d.place for d in self.documents.values()})

    @cached_property
    def place_docs(self) -> dict[str, tuple[str, ...]]:
        """place -> its document ids, in document order."""
        out: dict[str, list[str]] = {}
        for d in self.documents.values():
            out.setdefault(d.place, []).append(d.doc_id)
        return {p: tuple(ids) for p, ids in out.items()}

    @cached_property
    def doc_chunks(self) -> dict[str, np.ndarray]:
        """doc id -> the positions of its chunks in `chunks` (sorted int64 array), made once."""
        out: dict[str, list[int]] = {d: [] for d in self.documents}
        for i, c in enumerate(self.chunks):
            out.setdefault(c.doc_id, []).append(i)
        return {d: np.asarray(ix, dtype=np.int64) for d, ix in out.items()}

    @cached_property
    def chunk_place(self) -> np.ndarray:
        """For every chunk, the number of its document's place in `places` (-1: unknown document)."""
        number = {p: i for i, p in enumerate(self.places)}
        return np.asarray([number[self.documents[c.doc_id].place] if c.doc_id in self.documents else -1
                           for c in self.chunks], dtype=np.int64)

    def allowed_docs(self, cities: Iterable[str] = (), doc_ids: Iterable[str] = ()) -> list[str]:
        """The documents within filters (cities and/or doc ids; both empty = every document),
        from the tables above: no scan of the documents."""
        cities, doc_ids = list(cities), list(doc_ids)
        if not cities:
            return [d for d in dict.fromkeys(doc_ids) if d in self.documents] if doc_ids else list(self.documents)
        docs = [d for c in dict.fromkeys(cities) for d in self.place_docs.get(c, ())]
        wanted = set(doc_ids)
        return [d for d in docs if d in wanted] if wanted else docs

    def chunks_of(self, doc_ids: Iterable[str]) -> np.ndarray:
        """Positions of the chunks of these documents (sorted), from the per-document arrays."""
        parts = [self.doc_chunks[d] for d in doc_ids if d in self.doc_chunks]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def warm_up(self) -> None:
        """Build the lazily made parts now (BM25, tokenizer, lookup tables), not on a first query."""
        _ = self.bm25, self.tokenizer, self._clauses, self.chunk_pos, self.headings, self.place_docs, self.doc_chunks, self.chunk_place
        self.bm25.doc_freq()

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        return self._clauses.get((doc_id, clause_id))

    def clauses(self) -> list[Clause]:
        return list(self._clauses.values())

    def cities(self) -> list[str]:
        return list(self.places)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "build_id": self.build_id, "embedder": self.embedder, "created": self.created,
            "skipped": self.skipped,
            "documents": [d.to_dict() for d in self.documents.values()],
            "chunks": [dict(c.to_dict(), tokens=t) for c, t in zip(self.chunks, self.tokens)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexSnapshot:
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
