"""Section questions: "怀仁在质量基础设施方面有哪些措施?" asks for every measure under the section
whose heading it names (七、健全质量基础设施: (一)…(四)), not for the three clauses nearest in wording.

A section is a heading shared by two or more clauses of a document (a chapter, or a (一) heading
over numbered items). The ask names it when it holds most of the heading's content words (the
idf of its tokens, leaving out the verbs every heading starts with: 健全, 加强, 推进 …). Only the
documents in the question's scope are looked at (its filter, else those of the top hits), so the
cost does not grow with the library.
"""
from __future__ import annotations

import re

from index.catalog import IndexSnapshot
from index.models import Clause, Document
from index.text import compact, normalise
from rag.types import Hit, Query

MIN_MATCH = 0.75        # share of a section heading's weighted content words the ask must hold
MIN_WEIGHT = 2.0        # and their idf mass (a heading of only 质量 names no section)
SCOPE_HITS = 3          # without a filter: the documents of the top hits
_LIST_ASK = re.compile(
    r"(有哪些|有什么|包括哪些|包括什么|都有啥|都有什么|有啥|哪几|哪些)(个|项|条)?(具体)?(方面的?)?(措施|举措|任务|工作|内容|要求|规定|安排|政策|做法|部署|重点|方面|条)|"
    r"(措施|举措|任务|内容|要求|规定|安排|部署|重点工作)(有哪些|是什么|包括|都有)|方面(有|都有|的)?(哪些|什么|啥)|具体(有|包括)(哪些|什么)|"
    r"\bwhat (measures|actions|tasks|steps)\b", re.I)
_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、]?)")
_VERBS = frozenset("健全 加强 推进 提升 优化 强化 完善 加快 促进 推动 深化 实施 开展 建立 构建 打造 增强 提高 全面 大力 积极 深入 "
                   "着力 持续 不断 进一步 培育 发展 做好 抓好 落实 推行 建设 创新".split())


def wants_list(ask: str) -> bool:
    """The ask wants a list of measures (有哪些措施, X方面有哪些, 包括哪些)."""
    return bool(_LIST_ASK.search(ask))


def sections(doc: Document) -> dict[tuple[str, ...], list[Clause]]:
    """Heading path prefix -> its clauses in order (the clause the heading itself heads first), for
    every prefix two or more clauses share."""
    groups: dict[tuple[str, ...], list[Clause]] = {}
    for clause in doc.clauses:
        path = tuple(clause.heading_path)
        for size in range(1, len(path) + 1):
            groups.setdefault(path[:size], []).append(clause)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def heading_words(snap: IndexSnapshot, heading: str) -> dict[str, float]:
    """A section heading's content tokens with their idf (numbering and leading verbs left out)."""
    bare = _NUMBER.sub("", normalise(heading))
    return {t: snap.bm25.idf(t) for t in snap.tokenizer.tokenize(bare) if len(t) >= 2 and t not in _VERBS}


def match(snap: IndexSnapshot, ask: str, heading: str) -> float:
    """The idf-weighted share of the heading's content words the ask holds (0 when they weigh
    too little to name a section)."""
    words = heading_words(snap, heading)
    total = sum(words.values())
    if total < MIN_WEIGHT:
        return 0.0
    text = compact(normalise(ask))
    return sum(w for t, w in words.items() if t in text) / total


def find_section(query: Query, hits: list[Hit], snap: IndexSnapshot) -> tuple[str, list[tuple[str, str]]] | None:
    """(heading, the section's clause keys) of the section the ask names best, in the question's
    documents; None when none is named well enough."""
    f = query.filters
    docs = snap.allowed_docs(f.cities, f.doc_ids) if not f.is_empty() else \
        list(dict.fromkeys(h.doc.doc_id for h in hits[:SCOPE_HITS]))
    rank = {d: i for i, d in enumerate(docs)}
    best: tuple[float, int, int, tuple[str, ...], str] | None = None
    for doc_id in docs:
        for prefix in sections(snap.documents[doc_id]):
            score = match(snap, query.ask or query.text, prefix[-1])
            if score >= MIN_MATCH and (best is None or (score, -rank[doc_id], -len(prefix)) > best[:3]):
                best = (score, -rank[doc_id], -len(prefix), prefix, doc_id)
    if best is None:
        return None
    prefix, doc_id = best[3], best[4]
    members = sections(snap.documents[doc_id])[prefix]
    return " ".join(prefix), [(c.doc_id, c.clause_id) for c in members]
