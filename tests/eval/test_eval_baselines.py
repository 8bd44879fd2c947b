from __future__ import annotations

import zlib

import numpy as np
import pytest

from eval.baselines import NaiveBaseline, chunk_text
from eval.contract import parse_contract
from eval.embedders import RandomUnitEmbedder
from eval.scoring import quote_problem


@pytest.mark.parametrize("length", [0, 1, 99, 100, 101, 499, 500, 501, 899, 900, 901, 1234, 5000])
def test_chunks_cover_text_with_exact_overlap(length):
    text = "".join(chr(0x4E00 + (i * 7) % 2000) for i in range(length))
    chunks = chunk_text(text, 500, 100)
    assert all(len(c) <= 500 for c in chunks)
    assert all(len(c) == 500 for c in chunks[:-1])
    assert all(a[-100:] == b[:100] for a, b in zip(chunks, chunks[1:]))
    rebuilt = chunks[0] + "".join(c[100:] for c in chunks[1:]) if chunks else ""
    assert rebuilt == text


def test_chunk_counts():
    assert chunk_text("", 500, 100) == []
    assert len(chunk_text("x" * 500)) == 1
    assert len(chunk_text("x" * 501)) == 2
    assert chunk_text("abcdefg", 3, 1) == ["abc", "cde", "efg"]
    assert chunk_text("abcdefgh", 3, 0) == ["abc", "def", "gh"]


@pytest.mark.parametrize("size,overlap", [(0, 0), (10, 10), (10, -1)])
def test_bad_window_is_refused(size, overlap):
    with pytest.raises(ValueError, match="must"):
        chunk_text("abc", size, overlap)


class CharHistogram:
    """A deterministic fake embedder: texts sharing characters get close vectors."""

    name = "char-histogram"

    def embed(self, texts):
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, zlib.crc32(ch.encode()) % 256] += 1
        return out


def test_naive_baseline_answers_with_best_window(tmp_path):
    (tmp_path / "a.txt").write_text("甲乙丙丁" * 200, encoding="utf-8")
    (tmp_path / "b.txt").write_text("首席质量官制度" * 100, encoding="utf-8")
    (tmp_path / "README.md").write_text("首席质量官" * 50, encoding="utf-8")
    naive = NaiveBaseline(tmp_path, embedder=CharHistogram())
    contract = parse_contract(naive.ask("首席质量官制度由谁负责?"))
    assert contract.answerable is True
    assert [r.doc_id for r in contract.retrieved][:1] == ["b"] and len(contract.retrieved) == 3
    cited = contract.citations[0]
    assert cited.clause.startswith("chunk-") and cited.quote == cited.text
    assert cited.text in contract.answer
    assert quote_problem(cited, naive.clause_text) is None
    assert naive.clause_text("b", "chunk-999") is None


def test_random_embedder_is_deterministic_and_unit_length():
    e = RandomUnitEmbedder(dim=16)
    a, b = e.embed(["x", "y"]), e.embed(["x"])
    assert np.allclose(a[0], b[0]) and not np.allclose(a[0], a[1])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
