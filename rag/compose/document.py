"""Answers about a document itself — its 文号, issue date, issuer, title, the years it covers — and
about the library. The value comes from the document's own text, cited to the clause that states
it (the 发文 part: header, 文号 line, signature, date; for the years, the sentence that names them),
so the answer quotes what the document says rather than the metadata the index derived from it.
A document that does not state the field says so.
"""
from __future__ import annotations

import re

from index.catalog import IndexSnapshot
from index.document import FRONT
from index.models import Clause, Document
from index.text import normalise
from rag.compose.evidence import VALUES, clause_sentences
from rag.compose.reply import Reply, doc_label
from rag.types import Ask, Hit, Query

LIBRARY = "library"
FIELD_WORDS = {"doc_number": "文号", "date": "印发日期", "issuer": "发文单位", "period": "实施期(覆盖年份)",
               "title": "标题", LIBRARY: "收录的文件"}
MAX_DOCS = 8              # documents one answer lists (a larger library is summed up by count)
_RANGE = re.compile(r"(20\d\d)\s*(?:年)?\s*[-—–~至到]\s*(20\d\d)")
_BY_YEAR = re.compile(r"(?:到|至)\s*(20\d\d)\s*年")
_MADE = re.compile(r"制定本|特制定|现印发|印发给你们")


def front_matter(doc: Document) -> Clause | None:
    return next((c for c in doc.clauses if c.clause_id == FRONT), None)


def field_quote(doc: Document, field: str) -> tuple[Clause, str] | None:
    """The clause and the verbatim text in it that state the field, or None when the document's
    text does not state it."""
    front = front_matter(doc)
    if field == "period":
        return _period(doc)
    if field == "title":
        return _in(front, f"《{doc.title}》") or _in(front, doc.title) if front else None
    if front is None:
        return None
    if field == "doc_number":
        return _in(front, doc.doc_number) if doc.doc_number else None
    if field == "issuer":
        return _last(front, doc.issuer) if doc.issuer else None
    if field == "date":
        found = list(VALUES[Ask.DATE].finditer(front.text))
        return (front, found[-1].group(0).strip()) if found else None      # the signature's date: the last
    return None


def _in(clause: Clause | None, value: str | None) -> tuple[Clause, str] | None:
    if clause is None or not value:
        return None
    return (clause, value) if value in clause.text else None


def _last(clause: Clause, value: str) -> tuple[Clause, str] | None:
    """The value as the clause writes it (the signature line: the last occurrence)."""
    return (clause, value) if value in clause.text else None


def _period(doc: Document) -> tuple[Clause, str] | None:
    """The sentence that names the document's years: the range its title names, else the year its
    targets run to (到2025年)."""
    title = _RANGE.search(normalise(doc.title))
    wanted = re.compile(rf"{title.group(1)}\s*年?\s*[-—–~至到]\s*{title.group(2)}") if title else _BY_YEAR
    for clause in doc.clauses:
        for s in clause_sentences(clause):
            if wanted.search(normalise(s.text)):
                return clause, s.text
    return None


def made_by(doc: Document) -> tuple[Clause, str] | None:
    """For a document without a signature: the sentence in which it says it was made (制定本…)."""
    for clause in doc.clauses[:3]:
        for s in clause_sentences(clause):
            if _MADE.search(s.text):
                return clause, s.text
    return None


def scope_docs(snap: IndexSnapshot, query: Query) -> list[Document]:
    """The documents a document question is about: its filter's, else the whole library."""
    f = query.filters
    ids = snap.allowed_docs(f.cities, f.doc_ids) if not f.is_empty() else [d.doc_id for d in snap.national_first]
    return [snap.documents[d] for d in ids]


def stated_anywhere(snap: IndexSnapshot, query: Query) -> bool:
    """Whether a document in scope states a field asked for (the library always answers)."""
    docs = scope_docs(snap, query)
    return any(field in (LIBRARY, "title") or any(field_quote(d, field) or (field == "issuer" and made_by(d)) for d in docs)
               for field in query.document_fields)


def compose(reply: Reply, snap: IndexSnapshot, query: Query) -> None:
    """Per field asked, one line per document in scope: the field as the document writes it, cited;
    or that the document does not state it."""
    docs = scope_docs(snap, query)
    if LIBRARY in query.document_fields:
        _library(reply, snap, docs)
        return
    for field in query.document_fields:
        _field(reply, docs, field, bool(query.filters.cities))
    if len(docs) > MAX_DOCS:
        reply.lines.append(f"(另有 {len(docs) - MAX_DOCS} 份文件未列出;可按城市筛选后再问。)")


def _field(reply: Reply, docs: list[Document], field: str, narrowed: bool) -> None:
    word = FIELD_WORDS.get(field, field)
    for doc in docs[:MAX_DOCS]:
        found = field_quote(doc, field)
        if found is not None:
            clause, quote = found
            reply.lines.append(f"{doc_label(doc)}的{word}:{quote}{reply.cite(Hit(clause=clause, doc=doc, score=1.0), quote)}")
        elif field == "issuer" and (made := made_by(doc)) is not None:
            clause, sentence = made
            reply.lines.append(f"{doc_label(doc)}没有落款的发文单位;文件写明:{sentence}"
                               f"{reply.cite(Hit(clause=clause, doc=doc, score=1.0), sentence)}")
        elif len(docs) == 1 or narrowed:
            reply.lines.append(f"{doc_label(doc)}没有写明{word}。")


def _library(reply: Reply, snap: IndexSnapshot, docs: list[Document]) -> None:
    """The library by place: each document's title, cited where its text names it (else its first sentence)."""
    places = list(dict.fromkeys(d.place for d in docs))
    reply.lines.append(f"本库收录 {len(docs)} 份文件,涉及 {len(places)} 个地方({'、'.join(places[:MAX_DOCS])}"
                       f"{'等' if len(places) > MAX_DOCS else ''}):")
    for doc in docs[:MAX_DOCS]:
        found = field_quote(doc, "title")
        first = next((s for c in doc.clauses for s in clause_sentences(c)[:1]), None) if found is None else None
        if found is not None:
            clause, quote = found
        elif first is not None:
            clause, quote = next(c for c in doc.clauses if first.text in c.text), first.text
        else:
            reply.lines.append(f"- {doc_label(doc)}")
            continue
        issued = f"({doc.date[:4]}年)" if doc.date else ""
        reply.lines.append(f"- {doc_label(doc)}{issued}{reply.cite(Hit(clause=clause, doc=doc, score=1.0), quote)}")
