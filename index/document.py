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
    lines = clean_lines(raw.text, report, raw.ocr_lines)
    if not lines:
        raise IngestError(f"{raw.source}: nothing left after cleaning; is it a policy document?")
    start = body_start(lines)
    meta = extract(lines, start, raw.text, furniture=report.furniture)
    issuing = set(meta.issuing)
    body = [line for i, line in enumerate(lines) if i > meta.title_line and i not in issuing]
    parser = StructureParser(raw.doc_id)
    clauses = parser.parse(body) if start < len(lines) else paragraphs_as_clauses(raw.doc_id, body)
    if not clauses:
        raise IngestError(f"{raw.source}: no clauses found; check that it is a policy text.")
    title_lines = range(max(meta.title_start, 0), meta.title_line + 1)
    said = [i for i in title_lines if _ISSUED_TITLE.search(lines[i].text)]   # 中共中央国务院印发《质量强国建设纲要》
    header = lines[:max(meta.title_start, 0)] + [lines[i] for i in sorted(issuing | set(said))]
    front = front_matter(raw.doc_id, header, header_fields(lines, start))
    if front is not None:
        clauses = [front, *clauses]
        for order, clause in enumerate(clauses):
            clause.order = order
    for clause in clauses:
        clause.support = classify(clause)         # what it offers enterprises (policy matching)
    return Document(
        doc_id=raw.doc_id, source=raw.source, sha256=raw.sha256,
        title=meta.title or raw.doc_id, issuer=meta.issuer, city=meta.city, region=meta.region,
        level=meta.level, date=meta.date, doc_number=meta.doc_number,
        script="traditional" if is_traditional(raw.text) else "simplified",
        notes=list(raw.notes) + meta.notes + _report_notes(report, parser.duplicates, lines, meta.title_line),
        clauses=clauses, format=raw.format, pages=raw.pages, ocr=any(c.ocr for c in clauses),
    )


# A title line that says who issued the document (X印发《…》, 关于印发《…》的通知): cited as front matter too.
_ISSUED_TITLE = re.compile(r"(?:印发|发布|颁布|下发)\s*[《〈]")
FRONT = "发文"          # clause id of a document's front matter (notice, 文号, signature, date)


def front_matter(doc_id: str, header: list[CleanLine], fields: dict[str, str]) -> Clause | None:
    """The lines before the title and the issuing lines elsewhere (a 文号 or date line under the
    title, a signature block after the last chapter; index/issuing.py), as one citable clause:
    the issuing notice, its 文号, the issuer's signature and the date, with their damaged spans.
    None when there are none, or when
    the header is a web page's summary of "key: value" fields rather than the document's own
    front matter (its claims are not the document's; see metadata's notes)."""
    if not header or fields:
        return None
    text, spans = join_lines(header)
    return Clause(doc_id=doc_id, clause_id=FRONT, heading_path=["发文信息"], heading="发文信息", text=text,
                  norm=normalise(text), units=Units(), damaged=spans, ocr=any(line.ocr for line in header))


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
