"""Pages of positioned lines -> the document's text: running headers, footers and page numbers
removed, lines re-joined into paragraphs within and across pages.

Shared by the PDF text layer (index/pdf.py) and OCR (index/ocr.py): both give, per page, lines
with their horizontal extent and vertical position. The rules are about page layout, not about
one document:

* page furniture: a line at the top or bottom of a page that is a page number ("— 3 —", "- 3 -",
  "第3页", "3/12", "第 3 页 共 12 页", a bare 3), or whose text (digits aside) repeats at the top
  or bottom of at least half of the pages (a running header or footer: "XX市人民政府公报");
* paragraphs: a line that runs to the right edge of the text block continues on the next line
  unless that line is indented (first-line indent, 首行缩进) or centred; a page break does not end
  a paragraph that the last line of the page leaves open.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–−－─_~·•一\s]*\d{1,4}[-—–−－─_~·•一\s]*"            # — 3 —  - 3 -  3  (OCR reads — as 一)
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"       # 第3页  第 3 页 共 12 页
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.I)
_DIGITS = re.compile(r"\d+")
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
# a line opening a numbered part starts a paragraph even after a full line
_OPENS_PART = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(\uff08][一二三四五六七八九十]+[)\uff09]"
                         r"|第[一二三四五六七八九十百零〇]+[章节条])")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")
_FIRST_WORD = re.compile(r"^[!-~]{2,}")
EDGE_LINES = 2           # lines at the top and at the bottom of a page that may be furniture
MIN_REPEAT_PAGES = 2     # a running header must repeat on at least this many pages…
REPEAT_SHARE = 0.5       # …and on at least this share of them
OCR_FOOTER_CHARS = 6     # a line this short, alone at the foot of a scanned page, is its page number


@dataclass(frozen=True)
class Line:
    """One line of a page: text, left and right edge, top (downwards from the page's top), height."""

    text: str
    x0: float
    x1: float
    top: float
    height: float


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]
    width: float
    ocr: bool = False             # read from an image: a page number may come out as any few characters


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def _pitch(pages: list[Page]) -> float:
    """The median distance between the tops of consecutive lines: the line spacing of the body."""
    gaps = [b.top - a.top for p in pages for a, b in zip(p.lines, p.lines[1:]) if b.top > a.top]
    return statistics.median(gaps) if gaps else 0.0


def _edges(page: Page, pitch: float) -> list[int]:
    """The lines set apart from the body at the top and the bottom of a page: up to EDGE_LINES at
    each end, ending where a gap wider than the body's line spacing divides them from the rest."""
    lines, out = page.lines, []
    for k in range(min(EDGE_LINES, len(lines) - 1)):
        if lines[k + 1].top - lines[k].top > 1.3 * pitch:
            out = list(range(k + 1))
            break
    n = len(lines)
    for k in range(min(EDGE_LINES, n - 1)):
        if lines[n - 1 - k].top - lines[n - 2 - k].top > 1.3 * pitch:
            out += list(range(n - 1 - k, n))
            break
    return sorted(set(out))


def running_keys(pages: list[Page], pitch: float) -> set[str]:
    """Texts (digits as #) set apart at a page's top or bottom on at least half of the pages."""
    if len(pages) < MIN_REPEAT_PAGES:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(page.lines[i].text) for i in _edges(page, pitch)})
    need = max(MIN_REPEAT_PAGES, int(len(pages) * REPEAT_SHARE + 0.999))
    return {k for k, n in seen.items() if n >= need and k}


def _furniture(page: Page, i: int, edges: set[int], running: set[str]) -> bool:
    line, last = page.lines[i], len(page.lines) - 1
    if i in (0, last) and is_page_number(line.text):
        return True
    if page.ocr and i == last and i in edges and len("".join(line.text.split())) <= OCR_FOOTER_CHARS:
        return True
    return i in edges and _key(line.text) in running


def strip_furniture(pages: list[Page]) -> tuple[list[list[Line]], int]:
    """Each page's lines without its page numbers and running headers/footers; how many were cut.
    A page number counts at the first or last line of a page (on a page read by OCR, any line of
    at most OCR_FOOTER_CHARS characters set apart at the bottom: OCR reads "— 3 —" as "一号一"); a
    running header or footer where it is set apart from the body."""
    pitch = _pitch(pages)
    running = running_keys(pages, pitch)
    out, cut = [], 0
    for page in pages:
        edges = set(_edges(page, pitch))
        kept = [ln for i, ln in enumerate(page.lines) if not _furniture(page, i, edges, running)]
        cut += len(page.lines) - len(kept)
        out.append(kept)
    return out, cut


@dataclass(frozen=True)
class Block:
    """The text block of the document: left and right edge, and a typical character width."""

    left: float
    right: float
    char: float


def text_block(lines: list[Line]) -> Block | None:
    if not lines:
        return None
    char = statistics.median(ln.height for ln in lines) or 1.0
    rights = Counter(round(ln.x1 / char) for ln in lines)
    lefts = Counter(round(ln.x0 / char) for ln in lines)
    # the right edge most lines reach (long paragraphs fill it), the left edge most lines start at
    right = max(k for k, n in rights.items() if n >= max(rights.values()) * 0.5) * char
    left = min(k for k, n in lefts.items() if n >= max(lefts.values()) * 0.5) * char
    return Block(left, right, char)


def continues(line: Line, nxt: Line, block: Block) -> bool:
    """Whether `nxt` carries on the paragraph of `line`: `line` fills the block to its right edge
    (what room is left could not hold the first word of `nxt`: a Latin word or a number moves to
    the next line whole), and `nxt` starts at the left edge (neither indented nor centred)."""
    flush = nxt.x0 <= block.left + 0.6 * block.char
    first = _FIRST_WORD.match(nxt.text)
    word = max(1.0, 0.55 * len(first.group(0))) if first else 1.0      # Latin glyphs: about half an em
    room = block.right - line.x1
    return room < (word + 0.2) * block.char and flush and not _OPENS_PART.match(nxt.text)



def _join(a: str, b: str) -> str:
    space = " " if _LATIN_END.search(a) and _LATIN_START.search(b) else ""
    return a + space + b


def paragraphs(pages: list[list[Line]], ocr_pages: frozenset[int] = frozenset()) -> tuple[list[str], set[int]]:
    """The lines of all pages joined into paragraphs (a paragraph may cross a page break), and the
    numbers of the paragraphs with a line from one of `ocr_pages`."""
    block = text_block([ln for page in pages for ln in page])
    out: list[str] = []
    ocr: set[int] = set()
    prev: Line | None = None
    for number, page in enumerate(pages):
        for line in page:
            text = line.text.strip()
            if not text:
                continue
            if prev is not None and block is not None and out and continues(prev, line, block):
                out[-1] = _join(out[-1], text)
            else:
                out.append(text)
            if number in ocr_pages:
                ocr.add(len(out) - 1)
            prev = line
    return out, ocr


@dataclass(frozen=True)
class Assembled:
    text: str                      # one paragraph a line
    furniture: int                 # lines cut as page numbers, running headers or footers
    ocr_lines: frozenset[int]      # numbers of the text's lines that hold OCR'd text


def assemble(pages: list[Page], ocr_pages: frozenset[int] = frozenset()) -> Assembled:
    """The document's text from its pages."""
    kept, cut = strip_furniture(pages)
    paras, ocr = paragraphs(kept, ocr_pages)
    return Assembled("\n".join(paras), cut, frozenset(ocr))
