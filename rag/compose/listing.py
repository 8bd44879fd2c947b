"""Answers about clauses the question names by construction: every measure of a section
("X方面有哪些措施"), and the whole of a clause a question writes out by heading or a follow-up
points at ("第二条具体怎么说?"). Quotes are verbatim; headings are context, never the quote.
"""
from __future__ import annotations

from index.text import normalise
from rag.compose.evidence import Sentence, clause_sentences, units_quote
from rag.compose.reply import Reply, doc_label, label
from rag.types import Hit, Query

SECTION_SENTENCES = 2      # sentences quoted per measure of a section
SECTION_CHARS = 160        # … or fewer, when the first is long
WHOLE_SENTENCES = 12       # sentences quoted from a clause asked about as a whole (clauses are short)


def opening(hit: Hit, most: int = SECTION_SENTENCES, chars: int = SECTION_CHARS) -> list[Sentence]:
    """The clause's first content sentences, up to `most` and about `chars` characters."""
    out: list[Sentence] = []
    for s in clause_sentences(hit.clause):
        if out and (len(out) >= most or sum(len(x.text) for x in out) + len(s.text) > chars):
            break
        out.append(s)
    return out


def section(reply: Reply, query: Query, hits: list[Hit]) -> None:
    """Every clause of the section, in document order: heading, opening sentences, units."""
    members = [h for h in hits if h.key in set(query.section)]
    if not members:
        return
    doc = members[0].doc
    reply.lines.append(f"{doc_label(doc)}「{query.section_title}」下共有 {len(members)} 条:")
    for hit in members:
        said = opening(hit)
        quoted = "".join(f"{s.text}{reply.cite(hit, s.text)}" for s in said)
        units = units_quote(hit.clause)
        owner = f" 责任单位见{reply.cite(hit, units)}" if units else ""
        reply.lines.append(f"- {hit.clause.clause_id}「{hit.clause.heading}」:{quoted}{owner}")
        reply.note_damage(hit, said)


def whole(reply: Reply, query: Query, hits: list[Hit]) -> None:
    """The clauses asked about, each quoted as a whole (up to WHOLE_SENTENCES sentences), then their
    units; a follow-up's reading of what it points at comes first."""
    about = [h for h in hits if h.key in set(query.about)]
    for hit in about:
        said = clause_sentences(hit.clause)[:WHOLE_SENTENCES]
        quoted = "".join(f"{s.text}{reply.cite(hit, s.text)}" for s in said)
        reply.lines.append(f"{label(hit)}「{hit.clause.heading}」:{quoted}")
        reply.note_damage(hit, said)
        units = units_quote(hit.clause)
        if units:
            said_so = any(w in normalise(units) for w in ("责任单位", "负责"))   # the parenthesis says what it is
            reply.lines.append(f"  {'' if said_so else '责任单位:'}{units}{reply.cite(hit, units)}")
