"""A policy text written out as governments publish it: Word .docx with real automatic numbering
and a task-division table, a text PDF, and an image-only PDF (a scan without a text layer).

Used by the round-trip tests (tests/index/test_formats_roundtrip.py: each seed document in each
format is read back and compared with its text version) and by `python -m eval bench` (ingest
speed per format). Nothing here comes from outside: the documents are made from the corpus text.

Layout of both PDFs: A4, the body in 16 pt (三号, as GB/T 9704 sets it for official documents) in
Noto Serif CJK (Debian: fonts-noto-cjk), 22 lines a page, every paragraph indented by two
characters, a running header on every page and the page number "— N —" in the footer, lines
wrapped at the width of the text block (so paragraphs run across lines and pages).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.structure import cn_value

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))
FONT_FILE = "NotoSerifCJK-Regular.ttc"
FACE = {"simplified": 2, "traditional": 3}          # faces of the collection: SC, TC
PAGE_W, PAGE_H = 595.28, 841.89                       # A4 in points
LEFT, TOP, TEXT_W = 79.0, 105.0, 442.0                # GB/T 9704: 28 mm, 37 mm, 156 mm
SIZE, PITCH, LINES_PER_PAGE = 16.0, 28.9, 22
HEADER = "质量强市政策文件汇编"
_CN = "一二三四五六七八九十百"
_CHAPTER = re.compile(rf"^([{_CN}]+)、\s*(.*)$")
_CLAUSE = re.compile(rf"^[(（]([{_CN}]+)[)）]\s*(.*)$")
_ITEM = re.compile(r"^(\d{1,3})[.．、](?!\d)\s*(.*)$")
_NO_LINE_START = "，。、；：？！）》」』”’,.;:?!)"


class FontMissing(RuntimeError):
    """The CJK font the PDFs are drawn with is not installed."""


@lru_cache(maxsize=1)
def font_path() -> Path:
    for folder in FONT_DIRS:
        if (folder / FONT_FILE).is_file():
            return folder / FONT_FILE
    raise FontMissing(f"{FONT_FILE} not found in {', '.join(map(str, FONT_DIRS))}; apt-get install fonts-noto-cjk")


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# ----------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class PlacedLine:
    text: str
    x: float            # left edge, points
    y: float            # baseline, points from the page's top


@dataclass
class Layout:
    pages: list[list[PlacedLine]] = field(default_factory=list)


def _pil_font(script: str, size_px: float) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path()), max(1, round(size_px)), index=FACE.get(script, 2))


_TOKEN = re.compile(r"[!-~]+|.", re.S)      # a run of Latin letters, digits and ASCII signs moves as a whole


def wrap(paragraph: str, measure: Any, first_width: float, width: float) -> list[str]:
    """Greedy line breaking as Word does it for Chinese: by character widths, a Latin word or a
    number never split, a closing punctuation mark never at the start of a line."""
    lines: list[str] = []
    current, limit = "", first_width
    for token in _TOKEN.findall(paragraph):
        if current and measure(current + token) > limit and token[0] not in _NO_LINE_START:
            lines.append(current)
            current, limit = "", width
        current += token
    if current:
        lines.append(current)
    return lines


def layout(text: str, script: str = "simplified") -> Layout:
    """The pages of a text: every paragraph indented two characters, wrapped to the text block."""
    font = _pil_font(script, SIZE)
    indent = 2 * SIZE
    placed: list[PlacedLine] = []
    for para in paragraphs(text):
        for i, line in enumerate(wrap(para, font.getlength, TEXT_W - indent, TEXT_W)):
            placed.append(PlacedLine(line, LEFT + (indent if i == 0 else 0.0), 0.0))
    out = Layout()
    for start in range(0, len(placed), LINES_PER_PAGE):
        page = placed[start:start + LINES_PER_PAGE]
        out.pages.append([PlacedLine(p.text, p.x, TOP + SIZE + k * PITCH) for k, p in enumerate(page)])
    return out


def _furniture(number: int) -> list[PlacedLine]:
    return [PlacedLine(HEADER, LEFT, TOP - 40.0), PlacedLine(f"— {number} —", PAGE_W / 2 - 24, PAGE_H - 60.0)]


# -------------------------------------------------------------------------------- text PDF
def write_text_pdf(text: str, path: Path, script: str = "simplified") -> int:
    """A PDF with a text layer (fpdf2, the font embedded as a subset); returns its page count."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(PAGE_W, PAGE_H))
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=str(font_path()), collection_font_number=FACE.get(script, 2))
    pages = layout(text, script).pages
    for number, page in enumerate(pages, 1):
        pdf.add_page()
        for line in [*page, *_furniture(number)]:
            pdf.set_font("cjk", size=SIZE if line.text != HEADER else 12)
            pdf.text(line.x, line.y, line.text)
    pdf.output(str(path))
    return len(pages)


# ------------------------------------------------------------------------------- image PDF
def page_images(text: str, script: str = "simplified", dpi: int = 200) -> Iterator[Any]:
    """Each page drawn as a greyscale image at `dpi`, as a scanner would give it."""
    from PIL import Image, ImageDraw

    scale = dpi / 72
    body, small = _pil_font(script, SIZE * scale), _pil_font(script, 12 * scale)
    for number, page in enumerate(layout(text, script).pages, 1):
        image = Image.new("L", (round(PAGE_W * scale), round(PAGE_H * scale)), 255)
        draw = ImageDraw.Draw(image)
        for line in [*page, *_furniture(number)]:
            font = small if line.text == HEADER else body
            draw.text((line.x * scale, line.y * scale), line.text, font=font, fill=0, anchor="ls")
        yield image


def write_image_pdf(text: str, path: Path, script: str = "simplified", dpi: int = 200) -> int:
    """An image-only PDF (no text layer at all); returns its page count."""
    images = list(page_images(text, script, dpi))
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return len(images)


# ------------------------------------------------------------------------------------ DOCX
@dataclass
class Numbered:
    level: int          # 0: 一、  1: (一)  2: 1.
    value: int
    rest: str


def numbered(line: str) -> Numbered | None:
    if m := _CHAPTER.match(line):
        return Numbered(0, cn_value(m.group(1)), m.group(2))
    if m := _CLAUSE.match(line):
        return Numbered(1, cn_value(m.group(1)), m.group(2))
    if m := _ITEM.match(line):
        return Numbered(2, int(m.group(1)), m.group(2))
    return None


LEVELS = (("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."))


class _Lists:
    """Word lists added to a document's numbering part: a new list whenever the text's numbers
    are not what the current list would count next (numbers that skip, or a text pasted twice),
    starting at the number the text has there; each level restarts after the level the text's
    own numbers restart after (w:lvlRestart), as Word counts."""

    def __init__(self, document: Any, restart: tuple[int, ...], starts: dict[int, int]) -> None:
        self.part = document.part.numbering_part.element
        self.restart = restart
        self.counters: dict[int, int] = {}
        self.starts: dict[int, int] = dict(starts)
        self.num_id = ""
        self.next_id = 100
        self.lists = 0

    def num_for(self, item: Numbered) -> str:
        expected = self.counters[item.level] + 1 if item.level in self.counters else self.starts.get(item.level, 1)
        if not self.num_id or expected != item.value:
            self.lists += 1
            self._new_list(item)
        self.counters[item.level] = item.value
        for deeper in range(item.level + 1, len(LEVELS)):
            if item.level < self.restart[deeper]:
                self.counters.pop(deeper, None)
        return self.num_id

    def _new_list(self, item: Numbered) -> None:
        from docx.oxml import parse_xml

        self.next_id += 1
        starts = {lvl: self.counters[lvl] + 1 if lvl in self.counters else self.starts.get(lvl, 1)
                  for lvl in range(len(LEVELS))}
        if self.num_id:
            starts[item.level] = item.value
        self.starts, self.counters = dict(starts), {}
        w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        levels = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="{starts[i]}"/><w:numFmt w:val="{fmt}"/>'
            + (f'<w:lvlRestart w:val="{self.restart[i]}"/>' if self.restart[i] != i else "")
            + f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/><w:lvlJc w:val="left"/></w:lvl>'
            for i, (fmt, text) in enumerate(LEVELS))
        abstract = parse_xml(f'<w:abstractNum {w} w:abstractNumId="{self.next_id}">{levels}</w:abstractNum>')
        first_num = self.part.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
        if first_num is not None:
            first_num.addprevious(abstract)            # abstractNum elements come before num elements
        else:
            self.part.append(abstract)
        self.part.append(parse_xml(f'<w:num {w} w:numId="{self.next_id}"><w:abstractNumId w:val="{self.next_id}"/></w:num>'))
        self.num_id = str(self.next_id)


def _misses(items: list[Numbered], level: int, restart: int) -> int:
    """How many of a level's numbers a list restarting after `restart` would not count."""
    misses, current = 0, 0
    for it in items:
        if it.level < level and it.level < restart:
            current = 0
        elif it.level == level:
            misses += it.value != current + 1
            current = it.value
    return misses


def restart_levels(items: list[Numbered]) -> tuple[int, ...]:
    """Per level, its w:lvlRestart: restart when a level shallower than this (0-based) is used;
    0 = never. Chosen as the text's numbers run (002: items run on across sub-headings but start
    again in each chapter)."""
    out = []
    for level in range(len(LEVELS)):
        choices = [level, *range(level), 0] if level else [0]
        out.append(min(choices, key=lambda r: _misses(items, level, r)))
    return tuple(out)


def _set_num(paragraph: Any, num_id: str, level: int) -> None:
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


@dataclass
class TaskRow:
    """One row of the task table: the clause it comes from and its units."""

    task: str
    lead: str = ""
    co: str = ""
    responsible: str = ""
    group: str = ""


def write_docx(text: str, path: Path, rows: list[TaskRow] | None = None, deadline: str = "2025年底前") -> None:
    """A .docx of the text: numbered lines as Word list paragraphs (the number not in the text),
    a running header and footer, and, when rows are given, an attachment with the task table
    (序号 · 重点任务 · 牵头单位 · 配合单位 · 责任单位 · 完成时限; a merged category row per group; a
    lead unit merged down over consecutive rows that share it)."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = "— 1 —"
    lines = paragraphs(text)
    items = [n for n in map(numbered, lines) if n is not None]
    first: dict[int, int] = {}
    for it in items:
        first.setdefault(it.level, it.value)      # a text may begin at chapter 八 and clause (十九)
    lists = _Lists(document, restart_levels(items), first)
    for line in lines:
        item = numbered(line)
        if item is None:
            document.add_paragraph(line)
            continue
        _set_num(document.add_paragraph(item.rest), lists.num_for(item), item.level)
    if rows:
        _task_table(document, rows, deadline)
    document.save(str(path))


HEADER_ROW = ("序号", "重点任务", "牵头单位", "配合单位", "责任单位", "完成时限")


def _task_table(document: Any, rows: list[TaskRow], deadline: str) -> None:
    document.add_paragraph("附件")
    document.add_paragraph("重点任务分工表")
    groups = list(dict.fromkeys(r.group for r in rows))
    table = document.add_table(rows=1, cols=len(HEADER_ROW))
    for cell, label in zip(table.rows[0].cells, HEADER_ROW):
        cell.text = label
    number, lead_from = 0, None
    for group in groups:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        merged.text = group
        lead_from = None
        for r in (x for x in rows if x.group == group):
            number += 1
            cells = table.add_row().cells
            for cell, value in zip(cells, (str(number), r.task, r.lead, r.co, r.responsible, deadline)):
                cell.text = value
            lead_from = _merge_lead(table, lead_from, r.lead)


def _merge_lead(table: Any, lead_from: tuple[int, str] | None, lead: str) -> tuple[int, str] | None:
    """Merge the lead cell of the last row into the one above when both name the same units."""
    last = len(table.rows) - 1
    if lead and lead_from is not None and lead_from[1] == lead:
        top = table.cell(lead_from[0], 2)
        _keep_first(top.merge(table.cell(last, 2)))
        return lead_from
    return (last, lead) if lead else None


def _keep_first(cell: Any) -> None:
    """A merged cell keeps the text of its first paragraph (python-docx joins the merged texts)."""
    for p in cell.paragraphs[1:]:
        p._p.getparent().remove(p._p)

