"""One raw document -> one structured Document: clean, find metadata, parse clauses."""
from __future__ import annotations

import re

from index.clean import CleanLine, CleanReport, clean_lines
from index.errors import IngestError
from index.loaders import RawDocument
from index.metadata import extract, header_fields
from index.models import Clause, Document, Units
from index.structure import StructureParser, body_start, join_lines, paragraphs_as_clauses
from index.support import classify
from index.text import is_traditional, normalise


def parse_document(raw: RawDocument) -> Document:
    report = CleanReport()
    lines = clean_lines(raw.text, report)
    if not lines:
        raise IngestError(f"{raw.source}: nothing left after cleaning; is it a policy document?")
    start = body_start(lines)
    meta = extract(lines, start, raw.text)
    parser = StructureParser(raw.doc_id)
    if start < len(lines):
        clauses = parser.parse(lines[meta.title_line + 1:])
    else:
        clauses = paragraphs_as_clauses(raw.doc_id, lines[meta.title_line + 1:])
    if not clauses:
        raise IngestError(f"{raw.source}: no clauses found; check that it is a policy text.")
    front = front_matter(raw.doc_id, lines[:max(meta.title_line, 0)], header_fields(lines, start))
    if front is not None:
        clauses = [front, *clauses]
        for order, clause in enumerate(clauses):
            clause.order = order
    for clause in clauses:
        clause.support = classify(clause)         # what it offers enterprises (policy matching)
    doc = Document(
        doc_id=raw.doc_id, source=raw.source, sha256=raw.sha256,
        title=meta.title or raw.doc_id, issuer=meta.issuer, city=meta.city, region=meta.region,
        level=meta.level, date=meta.date, doc_number=meta.doc_number,
        script="traditional" if is_traditional(raw.text) else "simplified",
        notes=meta.notes + _report_notes(report, parser.duplicates, lines, meta.title_line),
        clauses=clauses,
    )
    return doc


FRONT = "发文"          # clause id of a document's front matter (notice, 文号, signature, date)


def front_matter(doc_id: str, header: list[CleanLine], fields: dict[str, str]) -> Clause | None:
    """The lines before the title, as one citable clause: the issuing notice, its 文号, the
    issuer's signature and the date, with their damaged spans. None when there are none, or when
    the header is a web page's summary of "key: value" fields rather than the document's own
    front matter (its claims are not the document's; see metadata's notes)."""
    if not header or fields:
        return None
    text, spans = join_lines(header)
    return Clause(doc_id=doc_id, clause_id=FRONT, heading_path=["发文信息"], heading="发文信息", text=text,
                  norm=normalise(text), units=Units(), damaged=spans)


def _report_notes(report: CleanReport, duplicates: int, lines, title_line: int) -> list[str]:
    notes = []
    if report.repaired:
        notes.append(f"repaired {len(report.repaired)} characters shifted by an encoding round trip: "
                     + " ".join(report.repaired))
    if report.lost:
        notes.append(f"marked {report.lost} lost characters as damaged (shown as '?', never guessed)")
    if report.furniture:
        notes.append(f"removed {len(report.furniture)} lines of page furniture: "
                     + " | ".join(f[:20] for f in report.furniture))
    if duplicates:
        notes.append(f"dropped {duplicates} clauses repeated word for word (the text appears twice)")
    if title_line >= 0 and re.search(r"[((](上|下|中)[))]\s*$", normalise(lines[title_line].text)):
        notes.append("this file holds only part of the document: " + lines[title_line].text.strip())
    return notes
