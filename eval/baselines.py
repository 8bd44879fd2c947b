"""The naive baseline: what most RAG stacks ship, to show what the product's structure buys.

Fixed ~500-character windows with ~100 characters of overlap over each corpus file's raw text
(no cleaning, no clauses), dense retrieval only with the product's embedder
(index.embedders.make_embedder; cosine over an in-memory numpy matrix), top 3, and the best window
returned as the answer. It never declines,
ignores the conversation history and the filters, and cites windows by ids like `chunk-7`.
Its quotes are checked against its own windows (`clause_text`), the store it cites from.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.embedders import unit_rows
from rag.types import Embedder


def check_window(size: int, overlap: int) -> None:
    if size < 1:
        raise ValueError(f"chunk size must be at least 1 character, got {size}")
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be within 0..{size - 1} (below the chunk size), got {overlap}")


def chunk_text(text: str, size: int = 500, overlap: int = 100) -> list[str]:
    """Windows of `size` characters, each starting `size - overlap` after the previous one; the
    last window ends at the end of the text, so together they cover every character."""
    check_window(size, overlap)
    step = size - overlap
    return [text[start:start + size] for start in range(0, max(len(text) - overlap, 1), step) if text]


@dataclass(frozen=True)
class Window:
    doc_id: str
    clause: str          # "chunk-<n>", numbered within its document
    text: str

    def to_contract(self, score: float | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"doc_id": self.doc_id, "clause": self.clause, "title": self.doc_id, "text": self.text}
        if score is not None:
            d["score"] = score
        return d


def read_windows(corpus_dir: Path, size: int, overlap: int) -> list[Window]:
    from index.loaders import decode, list_files

    windows: list[Window] = []
    for path in list_files(corpus_dir):
        text = decode(path.read_bytes(), path.name)
        windows += [Window(path.stem, f"chunk-{i}", t) for i, t in enumerate(chunk_text(text, size, overlap))]
    return windows


class NaiveBaseline:
    name = "naive"

    def __init__(self, corpus_dir: Path, *, embedder: Embedder,
                 size: int = 500, overlap: int = 100, top_k: int = 3) -> None:
        check_window(size, overlap)
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        self.corpus_dir, self.size, self.overlap, self.top_k = Path(corpus_dir), size, overlap, top_k
        self.embedder = embedder
        self._windows: list[Window] = []
        self._matrix: np.ndarray | None = None
        self._by_id: dict[tuple[str, str], str] = {}

    def build(self) -> int:
        """Read, window and embed the corpus; returns the number of windows."""
        self._windows = read_windows(self.corpus_dir, self.size, self.overlap)
        self._matrix = unit_rows(self.embedder.embed([w.text for w in self._windows]))
        self._by_id = {(w.doc_id, w.clause): w.text for w in self._windows}
        return len(self._windows)

    def prepare(self) -> None:
        if self._matrix is None:
            self.build()

    def clause_text(self, doc_id: str, clause: str) -> str | None:
        self.prepare()
        return self._by_id.get((doc_id, clause))

    def search(self, question: str) -> list[tuple[Window, float]]:
        self.prepare()
        assert self._matrix is not None
        sims = self._matrix @ unit_rows(self.embedder.embed([question]))[0]
        best = np.argsort(-sims, kind="stable")[: self.top_k]
        return [(self._windows[i], float(sims[i])) for i in best]

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            filters: dict[str, Any] | None = None) -> dict[str, Any]:
        hits = self.search(question)
        top = hits[0][0] if hits else None
        return {
            "answer": f"{top.text} [1]" if top else "",
            "answerable": True,
            "citations": [{**top.to_contract(), "marker": 1, "city": "", "quote": top.text}] if top else [],
            "warnings": [],
            "retrieved": [w.to_contract(s) for w, s in hits],
        }
