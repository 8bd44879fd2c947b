"""The lexical index: BM25 (bm25s) over jieba tokens of the normalised text.

jieba gets a user dictionary of the domain's terms (index/domain_dict.txt) plus every unit name
the corpus itself lists as in charge, so 市市场监管局 or 东莞海关 stay one token.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DICT = Path(__file__).with_name("domain_dict.txt")
_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z0-9%]")
_STOP = frozenset("""
的 了 和 与 及 等 在 对 为 是 有 由 哪些 哪个 什么 多少 怎么 如何 吗 呢 要 将 把 被 以 于 并 或 之 其 中 各 个 这 那
可以 能 会 应 进一步 加强 推进 推动 开展 提升 完善 建立 健全
""".split())


def corpus_words(documents: Iterable[Any]) -> list[str]:
    """Words the corpus itself teaches the tokenizer: its cities and the units it puts in charge."""
    words: list[str] = []
    for doc in documents:
        if doc.city:
            words += [doc.city, doc.city + "市"]
        words += [u for c in doc.clauses for u in c.units.all()]
    return sorted({w for w in words if len(w) >= 2})


class Tokenizer:
    """Search-mode jieba segmentation with the domain dictionary and the corpus's own words.

    Each instance owns its `jieba.Tokenizer`, so the tokens of a build depend only on the words
    given here, never on what else the process loaded (jieba's module-level dictionary is not
    touched). Build time and query time make one from the same documents, so they agree.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.words = tuple(sorted(set(words)))
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._jieba.load_userdict(str(DICT))
        for w in self.words:
            self._jieba.add_word(w, freq=20000)

    @classmethod
    def for_documents(cls, documents: Iterable[Any]) -> Tokenizer:
        return cls(corpus_words(documents))

    def tokenize(self, text: str) -> list[str]:
        """Whole words and their parts, lower-cased, stop words and punctuation out."""
        return [t.lower() for t in self._jieba.cut_for_search(text) if _KEEP.search(t) and t not in _STOP]


SEARCH_COST = 24    # a binary search into a posting list costs about this many additions of one posting


class Bm25Index:
    def __init__(self, tokens: Sequence[Sequence[str]]) -> None:
        import bm25s
        self.size = len(tokens)
        self._bm25 = bm25s.BM25()
        self._doc_freq: dict[str, int] | None = None
        self._sorted: bool | None = None
        if tokens:
            self._bm25.index([list(t) or ["\x00"] for t in tokens], show_progress=False)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        vocab = self._bm25.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def scores_within(self, query_tokens: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """The BM25 scores of the documents at `positions` (sorted), equal to scores()[positions],
        at a cost of len(positions) x log(postings) per query token instead of every posting of the
        token (a common word's postings are the whole corpus): a city's ~35 chunks cost the same
        at any corpus size. Falls back to scores() when the matrix's columns are not sorted."""
        positions = np.asarray(positions, dtype=np.int64)
        if not self.size or not len(positions):
            return np.zeros(len(positions), dtype=np.float32)
        vocab, matrix = self._bm25.vocab_dict, self._bm25.scores
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        ids = [vocab[t] for t in query_tokens if t in vocab]
        postings = sum(int(indptr[t + 1] - indptr[t]) for t in ids)
        if not self._columns_sorted() or len(positions) * len(ids) * SEARCH_COST > postings:
            return self.scores(query_tokens)[positions]  # a wide filter: one pass over the postings is cheaper
        out = np.zeros(len(positions), dtype=np.float32)
        for token in query_tokens:                       # repeated tokens count again, as in bm25s
            t = vocab.get(token)
            if t is None:
                continue
            start, end = int(indptr[t]), int(indptr[t + 1])
            if start == end:
                continue
            column = indices[start:end]
            at = np.searchsorted(column, positions)
            safe = np.minimum(at, end - start - 1)
            hit = (at < end - start) & (column[safe] == positions)
            out[hit] += data[start + safe[hit]]
        return out

    def _columns_sorted(self) -> bool:
        """Whether each token's postings list its documents in increasing order (checked once)."""
        if self._sorted is None:
            indices, indptr = self._bm25.scores["indices"], self._bm25.scores["indptr"]
            steps = np.diff(indices.astype(np.int64))
            inside = np.ones(len(steps), dtype=bool)
            bounds = np.asarray(indptr[1:-1], dtype=np.int64)
            inside[bounds[(bounds > 0) & (bounds <= len(steps))] - 1] = False
            self._sorted = bool(np.all(steps[inside] > 0))
        return self._sorted

    @property
    def idf_ceiling(self) -> float:
        """The idf of a token that one chunk alone holds: the rarest a known token can be."""
        return float(np.log(1 + (self.size - 0.5) / 1.5)) if self.size else 0.0

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 for an unknown one)."""
        df = self.doc_freq().get(token, 0)
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5))) if df else 0.0

    def doc_freq(self) -> dict[str, int]:
        if self._doc_freq is None:
            vocab = self._bm25.vocab_dict
            counts = np.zeros(len(vocab), dtype=np.int64)
            indptr = self._bm25.scores["indptr"]
            counts[: len(indptr) - 1] = np.diff(indptr)
            self._doc_freq = {t: int(counts[i]) for t, i in vocab.items()}
        return self._doc_freq

    def __contains__(self, token: str) -> bool:
        return bool(self.size) and token in self._bm25.vocab_dict
