"""PDF -> text: the text layer through PDFium (pypdfium2), scanned pages through Tesseract.

Why PDFium and not pdfplumber (pdfminer.six), measured on PDFs written the way government
documents are (LibreOffice/Word exports, fpdf2 with Noto CJK; `scripts/compare_pdf_readers.py`,
figures in the README): pdfminer read nothing at all from a PDF whose CJK font is a CFF
(PostScript-outline) CID font, a valid and common kind of font, where PDFium read every character;
PDFium reads a page in ~1 ms against pdfminer's ~30 ms. PDFium's own text order does not follow
the page where a line mixes fonts (quotation marks and digits set in a Latin font came out at the
end of the line, with spaces around runs), so the characters are taken with their boxes and put
into lines by position here; generated characters (PDFium's guessed spaces and line breaks) are
dropped and spaces are put back only between Latin letters and digits.

A page whose text layer holds fewer than MIN_TEXT_CHARS characters is a scan: it is rendered and
read by OCR (index/ocr.py) when Tesseract is installed; otherwise the file is refused with that
reason (never indexed empty or half-read). Running headers, footers and page numbers are removed
and paragraphs re-joined across lines and pages by index/layout.py.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from index.errors import IngestError
from index.layout import Line, Page
from index.ocr import RENDER_DPI, require_engine

MIN_TEXT_CHARS = 10       # fewer non-space characters in a page's text layer: the page is a scan
MAX_PAGES = 500           # a policy document has tens of pages
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3134F))


@dataclass
class PdfText:
    pages: list[Page]
    ocr_pages: list[int] = field(default_factory=list)      # 0-based numbers of the pages read by OCR
    ocr_confidence: float | None = None                     # Tesseract's mean word confidence on them


@dataclass(frozen=True)
class _Char:
    ch: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def open_pdf(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        why = "it is encrypted (save it without a password)" if "password" in str(e).lower() else str(e)
        raise IngestError(f"{name}: not a readable PDF ({why})") from e
    if len(doc) > MAX_PAGES:
        pages = len(doc)
        doc.close()
        raise IngestError(f"{name}: {pages} pages, over the limit of {MAX_PAGES}; split it")
    return doc


def _chars(textpage: pdfium.PdfTextPage, page_height: float) -> list[_Char]:
    out = []
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage, i):
            continue
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
        if ch in "\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufffe\uffff":    # line breaks are made from positions
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        out.append(_Char(ch, left, right, page_height - top, page_height - bottom))
    return out


def _rows(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into text lines by their vertical middle, each line sorted left to right."""
    rows: list[list[_Char]] = []
    for c in sorted(chars, key=lambda c: c.middle):
        if rows:
            last = rows[-1]
            height = max(last[0].bottom - last[0].top, 1.0)
            if abs(c.middle - last[0].middle) <= 0.4 * height:
                last.append(c)
                continue
        rows.append([c])
    return [sorted(r, key=lambda c: c.x0) for r in rows]


def _row_text(row: list[_Char]) -> str:
    """A line's characters with spaces only where Latin words or numbers meet across a gap, and a
    tab where a wide gap separates two runs (the cells of a table row)."""
    height = max(row[0].bottom - row[0].top, 1.0)
    parts = [row[0].ch]
    for prev, c in zip(row, row[1:]):
        gap = c.x0 - prev.x1
        if gap > 2.5 * height:
            parts.append("\t")
        elif gap > 0.2 * height and not (_is_cjk(prev.ch) or _is_cjk(c.ch)) and not (prev.ch.isspace() or c.ch.isspace()):
            parts.append(" ")
        parts.append(c.ch)
    return "".join(parts)


def text_layer(page: pdfium.PdfPage) -> Page:
    """The page's text layer as positioned lines (in points, top down)."""
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        rows = _rows([c for c in _chars(textpage, height) if not c.ch.isspace() or c.ch == " "])
    finally:
        textpage.close()
    lines = []
    for row in rows:
        text = _row_text(row).strip()
        if text:
            lines.append(Line(text, row[0].x0, row[-1].x1, min(c.top for c in row),
                              max(c.bottom for c in row) - min(c.top for c in row)))
    return Page(tuple(lines), page.get_width())


def _visible_chars(page: Page) -> int:
    return sum(len("".join(ln.text.split())) for ln in page.lines)


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _renders(doc: pdfium.PdfDocument, numbers: list[int]) -> Iterator[tuple[Image.Image, float]]:
    """The pages rendered one at a time, as OCR asks for them (PDFium is not thread-safe)."""
    scale = RENDER_DPI / 72
    for n in numbers:
        yield doc[n].render(scale=scale, grayscale=True).to_pil(), 1 / scale


def read_pdf(data: bytes, name: str) -> PdfText:
    """Every page of the PDF as positioned lines; scanned pages through OCR."""
    doc = open_pdf(data, name)
    try:
        pages = [text_layer(doc[i]) for i in range(len(doc))]
        scans = [i for i, p in enumerate(pages) if _visible_chars(p) < MIN_TEXT_CHARS and _has_image(doc[i])]
        if not scans:
            return PdfText(pages)
        engine = require_engine(f"{name}: {len(scans)} of its {len(pages)} pages are scanned images, which")
        read, conf = engine.read_images(_renders(doc, scans))
    finally:
        doc.close()
    for i, page in zip(scans, read):
        pages[i] = page
    return PdfText(pages, scans, conf)
