"""Ingest speed per format, for `python -m eval bench`: the seed documents written as text, .docx,
text PDF and image-only PDF (eval/documents.py), each read and parsed (index.loaders.load +
index.document.parse_document) as a build does; median [min–max] of the repeats, per format:
seconds for the documents, documents/s, and pages/s for the PDFs. OCR reads only the first
`ocr_docs` documents (it takes ~0.7 s a page on this machine's two cores)."""
from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from eval import documents as writer

FORMATS = ("text", "docx", "pdf", "ocr")


def write_all(corpus: Path, work: Path, ocr_docs: int) -> dict[str, list[Path]]:
    """The corpus's documents written out per format (the text format: the corpus files themselves)."""
    from index.document import parse_document
    from index.loaders import list_files, load

    out: dict[str, list[Path]] = {f: [] for f in FORMATS}
    for i, path in enumerate(list_files(corpus)):
        raw = load(path)
        script = parse_document(raw).script
        out["text"].append(path)
        out["docx"].append(work / f"{path.stem}.docx")
        writer.write_docx(raw.text, out["docx"][-1])
        out["pdf"].append(work / f"{path.stem}.pdf")
        writer.write_text_pdf(raw.text, out["pdf"][-1], script)
        if i < ocr_docs:
            out["ocr"].append(work / f"{path.stem}.scan.pdf")
            writer.write_image_pdf(raw.text, out["ocr"][-1], script)
    return out


def _read(paths: list[Path]) -> tuple[float, int]:
    from index.document import parse_document
    from index.loaders import load

    started, pages = time.perf_counter(), 0
    for path in paths:
        doc = parse_document(load(path))
        pages += doc.pages or 0
    return time.perf_counter() - started, pages


def measure_formats(corpus: Path, work: Path, repeats: int, ocr_docs: int) -> list[dict[str, Any]]:
    files = write_all(corpus, work, ocr_docs)
    rows = []
    for fmt in FORMATS:
        if not files[fmt]:
            continue
        runs = [_read(files[fmt]) for _ in range(repeats)]
        seconds = [s for s, _ in runs]
        pages = runs[0][1]
        median = statistics.median(seconds)
        rows.append({"format": fmt, "documents": len(files[fmt]), "pages": pages, "seconds": median,
                     "min": min(seconds), "max": max(seconds), "docs_per_s": len(files[fmt]) / median if median else None,
                     "pages_per_s": pages / median if pages and median else None})
    return rows


def format_rows(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["Ingest per format (read + parse, median [min–max]):"]
    for r in rows:
        pages = f"{r['pages']} pages, {r['pages_per_s']:.1f} pages/s; " if r["pages_per_s"] else ""
        lines.append(f"  {r['format']:<5} {r['documents']} documents: {r['seconds']:.2f} s [{r['min']:.2f}–{r['max']:.2f}]; "
                     f"{pages}{r['docs_per_s']:.1f} documents/s")
    return lines
