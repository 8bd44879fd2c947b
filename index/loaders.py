"""Reading a corpus directory: which files count, how bytes become text, per format.

| format | read by | needs |
| --- | --- | --- |
| .txt .md .html .htm | UTF-8 (with or without BOM), then GB18030 (a superset of GBK and GB2312) | — |
| .pdf | the text layer through PDFium (index/pdf.py); scanned pages through Tesseract | OCR: tesseract-ocr, tesseract-ocr-chi-sim |
| .docx | python-docx, automatic numbering restored, tables as rows (index/word.py) | — |
| .doc .wps | LibreOffice headless -> .docx (index/office.py) | libreoffice-writer-nogui |
| .png .jpg .jpeg .tif .tiff | Tesseract (index/ocr.py) | tesseract-ocr, tesseract-ocr-chi-sim |

The content decides, not the name alone: a ".doc" that is really a web page is read as HTML, a
".wps" that is really a .docx as .docx. Every problem raises IngestError naming the file and
what to do, and the build skips the file: a file over its size limit (checked before it is read),
one that cannot be read, a scan when Tesseract is missing, a .doc when LibreOffice is missing,
and text that is not plausibly prose (index/prose.py; random bytes often decode as GB18030, and
a failed OCR reads as noise). Nothing is ever indexed empty.
"""
from __future__ import annotations

import hashlib
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from index.errors import IngestError
from index.layout import Page, assemble
from index.prose import prose_problem

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
PDF_SUFFIXES = (".pdf",)
WORD_SUFFIXES = (".docx",)
OFFICE_SUFFIXES = (".doc", ".wps")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES + WORD_SUFFIXES + OFFICE_SUFFIXES + IMAGE_SUFFIXES
MAX_FILE_BYTES = 5 * 1024 * 1024       # a text policy document is tens of KB; `index build --max-file-mb`
MAX_BINARY_BYTES = 50 * 1024 * 1024    # PDF, Word and scans: a scanned plan of 30 pages is ~5-20 MB
MAX_IMAGE_PAGES = 200                  # frames of a multi-page TIFF
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}
_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "iframe", "form"}
_CELL = {"td", "th"}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source: str
    text: str
    sha256: str
    format: str = "text"                           # text, markdown, html, pdf, docx, doc, wps, image
    pages: int | None = None                       # of a PDF or an image file
    ocr_lines: frozenset[int] = frozenset()        # numbers of the text's lines that were read by OCR
    notes: tuple[str, ...] = ()                    # what reading did: pages OCR'd, furniture removed …
    seconds: float = 0.0                           # time spent reading the file

    @property
    def ocr(self) -> bool:
        return bool(self.ocr_lines)


@dataclass
class Extracted:
    """What a format's reader gives: the text, one paragraph a line, and facts about it."""

    text: str
    format: str
    pages: int | None = None
    ocr_lines: frozenset[int] = frozenset()
    notes: list[str] = field(default_factory=list)


def limit_for(suffix: str) -> int:
    """The default size limit of a file with this suffix."""
    return MAX_FILE_BYTES if suffix.lower() in TEXT_SUFFIXES else MAX_BINARY_BYTES


def list_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise IngestError(f"Corpus directory {directory} does not exist; pass --docs DIR or set ZHICE_CORPUS_DIR.")
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                  and p.name.lower() != "readme.md")


def decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise IngestError(f"{name}: binary data (NUL bytes), not a text document; remove it from the corpus.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}: neither UTF-8 nor GB18030/GBK; re-save it as UTF-8 and build again.")


class _TextExtractor(HTMLParser):
    """Text of a page, a line per block; a table row is one line with its cells separated by tabs
    (blocks inside a cell become spaces), as index/tables.py reads task-division tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.cell: list[str] | None = None       # the text of the open table cell
        self.row: list[str] | None = None        # the cells of the open table row
        self.span = (1, 1)                       # (rowspan, colspan) of the open cell
        self.below: dict[int, tuple[int, str]] = {}   # column -> (rows still covered, text) of a rowspan
        self._covered: dict[int, tuple[int, str]] = {}  # the same, made by the open row for the next ones

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in _CELL:
            self._end_cell()
            self.cell = []
            given = dict(attrs)
            self.span = (_span(given.get("rowspan")), _span(given.get("colspan")))
        elif tag in _BLOCK:
            self._out(" " if self.cell is not None else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip:
            self.skip -= 1
        elif tag in _CELL:
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
        elif tag in _BLOCK:
            self._out(" " if self.cell is not None else "\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._out(data)

    def _out(self, text: str) -> None:
        (self.cell if self.cell is not None else self.parts).append(text)

    def _fill_covered(self) -> None:
        """Cells of rows above that reach down into this one (rowspan) take their place here."""
        assert self.row is not None
        while len(self.row) in self.below:
            left, text = self.below.pop(len(self.row))
            self.row.append(text)
            if left > 1:
                self._covered[len(self.row) - 1] = (left - 1, text)

    def _end_cell(self) -> None:
        if self.cell is not None:
            text = " ".join("".join(self.cell).split())
            self.cell = None
            if self.row is None:
                self.parts.append(text)
                return
            self._fill_covered()
            rows, cols = self.span
            for _ in range(cols):              # a cell spanning columns is written in each
                if rows > 1:
                    self._covered[len(self.row)] = (rows - 1, text)
                self.row.append(text)

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            self._fill_covered()
            self.below, self._covered = {**self.below, **self._covered}, {}
            filled = [c for c in self.row if c]
            if filled:
                self.parts.append("\n" + (filled[0] if len(set(filled)) == 1 and len(filled) > 1 else "\t".join(self.row)) + "\n")
            self.row = None

    def close(self) -> None:
        super().close()
        self._end_row()


def _span(value: str | None) -> int:
    return min(int(value), 50) if value and value.isdigit() and int(value) > 0 else 1


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    # spaces around line breaks go, tabs stay (a row's first cell may be empty)
    return re.sub(r"[ \u3000\r]*\n[ \u3000\r\n]*", "\n", "".join(parser.parts)).strip(" \u3000\r\n")


def markdown_to_text(text: str) -> str:
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    return re.sub(r"\*\*|__", "", text)


def read_limited(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refused before reading when it is over `max_bytes` (and never reading
    more than max_bytes + 1, should it grow meanwhile)."""
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
            size = max(size, len(data))
    except OSError as e:
        raise IngestError(f"{path.name}: cannot be read ({e.strerror}); check its permissions.") from e
    if size > max_bytes:
        raise IngestError(f"{path.name}: {_mb(size)} is over the size limit of {_mb(max_bytes)}; split it, "
                          "or raise the limit with `python -m index build --max-file-mb N` if it is a real document.")
    return data


def _mb(n: int) -> str:
    if n >= 100 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def sniff(data: bytes, suffix: str) -> str:
    """The reader a file needs, from its first bytes (its suffix decides among text formats):
    "pdf", "docx", "office", "image" or "text"."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0") or data.startswith(b"{\\rtf"):
        return "office"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    return "text"


def _text_format(suffix: str, text: str) -> str:
    if suffix in (".html", ".htm") or (suffix not in TEXT_SUFFIXES and re.match(r"\s*<(?:!doctype|html|\?xml)", text, re.I)):
        return "html"
    return "markdown" if suffix == ".md" else "text"


def read_text(data: bytes, name: str, suffix: str) -> Extracted:
    text = decode(data, name)
    fmt = _text_format(suffix, text)
    if fmt == "html":
        text = html_to_text(text)
    elif fmt == "markdown":
        text = markdown_to_text(text)
    return Extracted(text, fmt)


def _paged(pages: list[Page], ocr: list[int], fmt: str, notes: list[str]) -> Extracted:
    done = assemble(pages, frozenset(ocr))
    if done.furniture:
        notes.append(f"removed {done.furniture} lines of page furniture (page numbers, running headers and footers)")
    return Extracted(done.text, fmt, len(pages), done.ocr_lines, notes)


def read_pdf_file(data: bytes, name: str, suffix: str) -> Extracted:
    from index.pdf import read_pdf

    got = read_pdf(data, name)
    notes = []
    if got.ocr_pages:
        notes.append(f"{len(got.ocr_pages)} of {len(got.pages)} pages are scanned images, read by OCR "
                     f"(Tesseract, mean word confidence {got.ocr_confidence or 0:.0f}/100); their text may hold recognition errors")
    return _paged(got.pages, got.ocr_pages, "pdf", notes)


def read_word(data: bytes, name: str, suffix: str) -> Extracted:
    from index.word import read_docx

    try:
        inner = zipfile.ZipFile(BytesIO(data)).namelist()
    except zipfile.BadZipFile as e:
        raise IngestError(f"{name}: a damaged .docx (not a readable zip archive); save it again in Word or WPS") from e
    if "word/document.xml" not in inner:
        raise IngestError(f"{name}: a zip archive but not a Word document (no word/document.xml); "
                          "save it as .docx, PDF or text")
    return Extracted(read_docx(data, name), "docx" if suffix == ".docx" else suffix.lstrip(".") or "docx")


def read_office(data: bytes, name: str, suffix: str) -> Extracted:
    from index.office import to_docx
    from index.word import read_docx

    fmt = suffix.lstrip(".") if suffix in OFFICE_SUFFIXES else "doc"
    return Extracted(read_docx(to_docx(data, suffix, name), name), fmt, notes=[f"converted from {fmt} by LibreOffice"])


def read_image(data: bytes, name: str, suffix: str) -> Extracted:
    from index.ocr import image_pages, require_engine

    engine = require_engine(f"{name}: an image, which")
    pages, conf = engine.read_images((image, 72 / float(image.info.get("dpi", (300, 300))[0] or 300))
                                     for image in image_pages(data, name, MAX_IMAGE_PAGES))
    notes = [f"read by OCR (Tesseract, mean word confidence {conf:.0f}/100); the text may hold recognition errors"]
    return _paged(pages, list(range(len(pages))), "image", notes)


# what each suffix's content may be (sniff): a .wps may be a .docx under that name, a .doc a web page
CONTENT = {**{s: ("text",) for s in TEXT_SUFFIXES}, **{s: ("pdf",) for s in PDF_SUFFIXES},
           **{s: ("docx",) for s in WORD_SUFFIXES}, **{s: ("office", "docx", "text") for s in OFFICE_SUFFIXES},
           **{s: ("image",) for s in IMAGE_SUFFIXES}}
KINDS = {"text": "text", "pdf": "a PDF", "docx": "a Word .docx file", "office": "a Word/WPS binary file",
         "image": "an image"}


def content_problem(data: bytes, suffix: str) -> str | None:
    """Why a file's content does not fit its name (binary data in a text file, text in a .pdf …), or None."""
    kind = sniff(data, suffix)
    if kind in CONTENT.get(suffix, (kind,)):
        return None
    binary = " binary data," if kind != "text" else ""
    return f"named {suffix} but its content is{binary} {KINDS[kind]}"


READERS: dict[str, Callable[[bytes, str, str], Extracted]] = {
    "text": read_text, "pdf": read_pdf_file, "docx": read_word, "office": read_office, "image": read_image,
}


def extract(data: bytes, name: str, suffix: str) -> Extracted:
    """The text of a file's bytes by its format; IngestError when it has none or is not prose."""
    suffix = suffix.lower()
    problem = content_problem(data, suffix)
    if problem is not None:
        raise IngestError(f"{name}: {problem}; save it in the format its name says, or rename it.")
    got = READERS[sniff(data, suffix)](data, name, suffix)
    if not got.text.strip():
        if got.format in ("pdf", "image"):
            raise IngestError(f"{name}: no text found on its {got.pages} pages (blank pages, or images too faint "
                              "to read); check the file, or scan it again")
        raise IngestError(f"{name}: no text in it; remove it or fill it.")
    problem = prose_problem(got.text)
    if problem is not None:
        raise IngestError(f"{name}: not plausibly Chinese or English prose ({problem}); "
                          "check that it is the document you meant (re-save it as UTF-8 text) or remove it.")
    return got


def load_bytes(data: bytes, name: str, doc_id: str) -> RawDocument:
    """A RawDocument from a file's bytes (name: the file name, whose suffix is a hint)."""
    started = time.perf_counter()
    got = extract(data, name, Path(name).suffix)
    return RawDocument(doc_id, name, got.text, hashlib.sha256(data).hexdigest(), got.format, got.pages,
                       got.ocr_lines, tuple(got.notes), time.perf_counter() - started)


def load(path: Path, max_bytes: int | None = None) -> RawDocument:
    """Read one corpus file; `max_bytes` overrides the limit of its format (limit_for)."""
    data = read_limited(path, max_bytes if max_bytes is not None else limit_for(path.suffix))
    return load_bytes(data, path.name, path.stem)
