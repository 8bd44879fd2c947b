"""The index on disk and in memory.

Layout under settings.index_dir:
    builds/<build id>/catalog.jsonl  JSON Lines: a header (build id, embedder, counts), then one line
                                     per document (with its clauses), then one per chunk (with its
                                     BM25 tokens)
    CURRENT                          the id of the build that queries use
A build writes a new directory and then replaces CURRENT atomically (os.replace), so a reader
sees the old index or the new one, never half of one. The dense vectors live in Chroma.

The catalog is written and read a line at a time, so neither side ever holds the whole file as
one string or one JSON tree (at 1000x the corpus that was ~1 GB of text and a second copy of every
object at once). Tokens are pooled on reading (one str object per distinct token, ~100 per chunk),
and a chunk's text shares its clause's str when they are equal. Builds of the older single-document
format (`catalog.json`, format 1) are still read.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import CatalogDamagedError, IndexMismatchError, IndexMissingError
from index.lexical import Bm25Index, Tokenizer
from index.models import Chunk, Clause, Document, Level
from index.settings import IndexSettings
from index.text import compact

FORMAT = 2          # 1: one JSON document (catalog.json); 2: JSON Lines (catalog.jsonl)
CATALOG = "catalog.jsonl"
LEGACY_CATALOG = "catalog.json"

MIN_HEADING = 4      # a heading a question may write out to name its clause (主要目标, 组织领导)


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
        """Clause headings (compact form, at least MIN_HEADING characters) -> (doc_id, clause_id): a heading
        written out in a question is found by lookups, not by a scan of every clause."""
        out: dict[str, list[tuple[str, str]]] = {}
        for d in self.documents.values():
            for c in d.clauses:
                key = compact(c.heading)
                if len(key) >= MIN_HEADING:
                    out.setdefault(key, []).append((d.doc_id, c.clause_id))
        return out

    @cached_property
    def doc_headings(self) -> dict[str, list[tuple[str, str]]]:
        """doc id -> (compact heading, clause id) of its clauses with headings of at least MIN_HEADING
        characters: the headings a filtered question can name, without the corpus-wide table."""
        out: dict[str, list[tuple[str, str]]] = {}
        for key, places in self.headings.items():
            for doc_id, clause_id in places:
                out.setdefault(doc_id, []).append((key, clause_id))
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
    def doc_rank(self) -> dict[str, int]:
        """doc id -> its position in `documents` (document order without a scan)."""
        return {d: i for i, d in enumerate(self.documents)}

    @cached_property
    def national_first(self) -> list[Document]:
        """The documents, national ones first, then by city: how a library is listed to a user."""
        return sorted(self.documents.values(), key=lambda d: (d.level is not Level.NATIONAL, d.city or "", d.doc_id))

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
        _ = (self.bm25, self.tokenizer, self._clauses, self.chunk_pos, self.headings, self.doc_headings,
             self.place_docs, self.doc_chunks, self.chunk_place, self.doc_rank, self.national_first)
        self.bm25.doc_freq()

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        return self._clauses.get((doc_id, clause_id))

    def clauses(self) -> list[Clause]:
        return list(self._clauses.values())

    def cities(self) -> list[str]:
        return list(self.places)

    def header(self) -> dict[str, Any]:
        return {"format": FORMAT, "build_id": self.build_id, "embedder": self.embedder, "created": self.created,
                "skipped": self.skipped, "documents": len(self.documents), "chunks": len(self.chunks)}

    def lines(self) -> Iterator[str]:
        """The catalog as JSON Lines, made one line at a time."""
        yield _dumps(self.header())
        for d in self.documents.values():
            yield _dumps(d.to_dict())
        for c, t in zip(self.chunks, self.tokens):
            row = c.to_dict()
            if row["search_text"] == row["embed_text"]:
                del row["search_text"]                  # the usual case: stored once
            yield _dumps(dict(row, tokens=t))

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> IndexSnapshot:
        """Read the catalog a line at a time (format 2), or the one-line format 1."""
        it = iter(lines)
        first = json.loads(next(it, "") or "{}")
        if first.get("format", 1) == 1:
            return cls.from_json(first)
        if first.get("format") != FORMAT or not isinstance(first.get("documents"), int):
            raise ValueError(f"unknown catalog format {first.get('format')!r}")
        pool = StrPool()
        docs = [Document.from_dict(json.loads(next(it))) for _ in range(first["documents"])]
        texts = {c.text: c.text for d in docs for c in d.clauses}     # a chunk's text is often its clause's
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        for _ in range(first["chunks"]):
            data = json.loads(next(it))
            tokens.append(pool.tokens(data.pop("tokens")))
            chunks.append(_chunk(data, texts, pool))
        return cls(build_id=first["build_id"], embedder=first["embedder"], created=first.get("created", 0.0),
                   documents={d.doc_id: d for d in docs}, chunks=chunks, tokens=tokens,
                   skipped=first.get("skipped", []))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexSnapshot:
        """Format 1: the whole catalog as one JSON document."""
        docs = [Document.from_dict(d) for d in data["documents"]]
        pool = StrPool()
        texts = {c.text: c.text for d in docs for c in d.clauses}
        chunks = [_chunk({k: v for k, v in c.items() if k != "tokens"}, texts, pool) for c in data["chunks"]]
        return cls(build_id=data["build_id"], embedder=data["embedder"], created=data.get("created", 0.0),
                   documents={d.doc_id: d for d in docs}, chunks=chunks,
                   tokens=[pool.tokens(c["tokens"]) for c in data["chunks"]], skipped=data.get("skipped", []))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class StrPool:
    """One str object per distinct value (tokens, ids): a catalog read from JSON otherwise holds a
    fresh copy of every occurrence."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        return self._seen.setdefault(value, value)

    def tokens(self, values: list[str]) -> list[str]:
        seen = self._seen
        return [seen.setdefault(t, t) for t in values]


def _chunk(data: dict[str, Any], texts: dict[str, str], pool: StrPool) -> Chunk:
    data["text"] = texts.get(data["text"], data["text"])
    data["doc_id"], data["clause_id"] = pool(data["doc_id"]), pool(data["clause_id"])
    data.setdefault("search_text", data["embed_text"])          # written once when they are equal
    if data["search_text"] == data["embed_text"]:
        data["search_text"] = data["embed_text"]
    return Chunk.from_dict(data)


def catalog_file(build: Path) -> Path | None:
    """The catalog of a build directory (the current format first), or None."""
    for name in (CATALOG, LEGACY_CATALOG):
        if (build / name).exists():
            return build / name
    return None


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    build = index_dir / "builds" / pointer.read_text(encoding="utf-8").strip()
    return build if catalog_file(build) is not None else None


def load_index(settings: IndexSettings, *, check_embedder: bool = False,
               embedder: str | None = None) -> IndexSnapshot:
    """The current build. With check_embedder, it must have been built by `embedder` (the name of
    the embedder that will embed the queries; the configured one when not given)."""
    build = current_build(settings.index_dir)
    if build is None:
        raise IndexMissingError(str(settings.index_dir))
    path = catalog_file(build)
    assert path is not None        # current_build checked it
    try:
        with open(path, encoding="utf-8") as f:
            snap = IndexSnapshot.from_lines(f)
    except (StopIteration, ValueError, KeyError, TypeError) as e:   # JSONDecodeError is a ValueError
        why = "it ends early" if isinstance(e, StopIteration) else f"{type(e).__name__}: {str(e)[:200]}"
        raise CatalogDamagedError(str(path), why) from e
    expected = embedder or settings.embedder_id()
    if check_embedder and snap.embedder != expected:
        raise IndexMismatchError(snap.embedder, expected)
    return snap


def write_snapshot(index_dir: Path, snap: IndexSnapshot) -> Path:
    """Write a build directory, then point CURRENT at it atomically."""
    build = index_dir / "builds" / snap.build_id
    build.mkdir(parents=True, exist_ok=True)
    tmp = build / (CATALOG + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for line in snap.lines():
            f.write(line)
            f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, build / CATALOG)
    pointer_tmp = index_dir / "CURRENT.tmp"
    pointer_tmp.write_text(snap.build_id, encoding="utf-8")
    os.replace(pointer_tmp, index_dir / "CURRENT")
    return build


def new_build_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
