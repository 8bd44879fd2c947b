"""Word .docx -> text (python-docx), with Word's automatic numbering restored and tables as rows.

A paragraph numbered by Word holds only its words: "一、" / "(一)" / "1." / "第一条" is drawn from
the numbering definitions (numbering.xml), not stored in the paragraph. It is computed here the
way Word counts: a counter per level of each abstract list, shared by the list instances (w:num)
that point to it, a level restarting when a higher level is used (w:lvlRestart), an instance's
w:startOverride restarting it, the label drawn from w:lvlText with each level in its w:numFmt
(chineseCounting 一二三, decimal, decimalEnclosedCircle ①, ideographTraditional 甲乙丙 …).
Numbering can come from the paragraph or from its style (Heading 1 …).

Tables are written one row a line, the cells separated by a tab, so the task-division table of a
plan (序号 · 重点任务 · 牵头单位 …) reaches the structure parser as rows (index/tables.py). A row whose
cells all say the same (a category row merged across the table) is written as that text alone.
Text boxes (a 红头 is often one) are read where they are anchored. Running headers and footers
(page furniture) are not part of the body and are not read.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from index.errors import IngestError
from index.text import CN_DIGITS, chinese_number

_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _letters(n: int, upper: bool) -> str:
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """A counter in one of Word's w:numFmt formats (unknown formats as decimal)."""
    simple = {
        "chineseCounting": lambda: chinese_number(n), "chineseCountingThousand": lambda: chinese_number(n),
        "japaneseCounting": lambda: chinese_number(n), "taiwaneseCounting": lambda: chinese_number(n),
        "taiwaneseCountingThousand": lambda: chinese_number(n), "koreanCounting": lambda: chinese_number(n),
        "chineseLegalSimplified": lambda: chinese_number(n, _CN_LEGAL, "拾佰仟"),
        "ideographLegalTraditional": lambda: chinese_number(n, _CN_LEGAL, "拾佰仟"),
        "ideographDigital": lambda: "".join(CN_DIGITS[int(d)] for d in str(n)),
        "ideographTraditional": lambda: _STEMS[(n - 1) % 10], "ideographZodiac": lambda: _BRANCHES[(n - 1) % 12],
        "decimalEnclosedCircle": lambda: _CIRCLED[n - 1] if 1 <= n <= 20 else f"({n})",
        "decimalEnclosedCircleChinese": lambda: _CIRCLED[n - 1] if 1 <= n <= 20 else f"({n})",
        "decimalEnclosedParen": lambda: f"({n})", "decimalEnclosedFullstop": lambda: f"{n}.",
        "decimalFullWidth": lambda: "".join(chr(0xFF10 + int(d)) for d in str(n)),
        "decimalZero": lambda: f"{n:02d}", "upperRoman": lambda: _roman(n), "lowerRoman": lambda: _roman(n).lower(),
        "upperLetter": lambda: _letters(n, True), "lowerLetter": lambda: _letters(n, False),
        "none": lambda: "", "bullet": lambda: "",
    }
    return simple.get(fmt, lambda: str(n))()


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None      # w:lvlRestart (1-based level after which it restarts; 0 = never)
    legal: bool = False             # w:isLgl: every level's number shown as decimal


@dataclass
class _List:
    levels: dict[int, _Level] = field(default_factory=dict)


def _val(el: Any, tag: str) -> str | None:
    found = el.find(qn(tag)) if el is not None else None
    return found.get(qn("w:val")) if found is not None else None


def _level(el: Any) -> _Level:
    start, restart = _val(el, "w:start"), _val(el, "w:lvlRestart")
    return _Level(start=int(start) if start and start.lstrip("-").isdigit() else 1,
                  fmt=_val(el, "w:numFmt") or "decimal", text=_val(el, "w:lvlText") or "",
                  restart=int(restart) if restart and restart.isdigit() else None,
                  legal=el.find(qn("w:isLgl")) is not None)


class Numbering:
    """Word's list counters, advanced paragraph by paragraph in document order."""

    def __init__(self, document: Any) -> None:
        self.abstract: dict[str, _List] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}   # numId -> (abstractNumId, {ilvl: startOverride})
        self.counters: dict[str, dict[int, int]] = {}
        self.overridden: set[tuple[str, int]] = set()
        self.styles = document.styles.element
        part = _numbering_part(document)
        if part is not None:
            self._read(part.element)

    def _read(self, root: Any) -> None:
        for a in root.findall(qn("w:abstractNum")):
            levels = {int(lv.get(qn("w:ilvl"), "0")): _level(lv) for lv in a.findall(qn("w:lvl"))}
            self.abstract[a.get(qn("w:abstractNumId"))] = _List(levels)
        for n in root.findall(qn("w:num")):
            overrides = {}
            for o in n.findall(qn("w:lvlOverride")):
                start = _val(o, "w:startOverride")
                if start is not None and start.isdigit():
                    overrides[int(o.get(qn("w:ilvl"), "0"))] = int(start)
            self.nums[n.get(qn("w:numId"))] = (_val(n, "w:abstractNumId") or "", overrides)

    def _num_pr(self, paragraph: Paragraph) -> tuple[str, int] | None:
        ppr = paragraph._p.pPr
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        ilvl = _val(num_pr, "w:ilvl")
        num_id = _val(num_pr, "w:numId")
        style_id = _val(ppr, "w:pStyle") if ppr is not None else None
        for _ in range(10):                       # the style chain, for numbering set on a style
            if num_id is not None or style_id is None:
                break
            style = self.styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
            if style is None:
                break
            sppr = style.find(qn("w:pPr"))
            snum = sppr.find(qn("w:numPr")) if sppr is not None else None
            num_id, ilvl = _val(snum, "w:numId"), ilvl or _val(snum, "w:ilvl")
            style_id = _val(style, "w:basedOn")
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0

    def label(self, paragraph: Paragraph) -> str:
        """The number Word draws before this paragraph ("" when it has none); advances the counters."""
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        abstract_id, overrides = self.nums[num_id]
        lst = self.abstract.get(abstract_id)
        if lst is None or ilvl not in lst.levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        level = lst.levels[ilvl]
        if ilvl in overrides and (num_id, ilvl) not in self.overridden:
            self.overridden.add((num_id, ilvl))
            counters[ilvl] = overrides[ilvl]
        else:
            counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper, lv in lst.levels.items():
            limit = deeper if lv.restart is None else lv.restart
            if deeper > ilvl and ilvl < limit:
                counters.pop(deeper, None)
        return self._render(lst, ilvl, counters)

    @staticmethod
    def _render(lst: _List, ilvl: int, counters: dict[int, int]) -> str:
        text = lst.levels[ilvl].text
        for k in range(9, 0, -1):
            if f"%{k}" not in text:
                continue
            lv = lst.levels.get(k - 1, _Level())
            n = counters.get(k - 1, lv.start)
            fmt = "decimal" if lst.levels[ilvl].legal and k - 1 != ilvl else lv.fmt
            text = text.replace(f"%{k}", format_number(n, fmt))
        return text


def _numbering_part(document: Any) -> Any:
    try:
        return document.part.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering")
    except KeyError:
        return None


def _textbox_lines(paragraph: Paragraph) -> list[str]:
    """Paragraphs of text boxes anchored in this paragraph (the Fallback copies skipped)."""
    out = []
    for box in paragraph._p.iter(qn("w:txbxContent")):
        if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
            continue
        for p in box.iter(qn("w:p")):
            text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
            if text:
                out.append(text)
    return out


def _cell_text(cell: Any) -> str:
    return " ".join(" ".join(p.text.split()) for p in cell.paragraphs if p.text.strip())


def table_lines(table: Table) -> list[str]:
    """One line per row, cells separated by tabs; a row of one merged text is that text alone."""
    out = []
    for row in table.rows:
        cells = [_cell_text(c) for c in row.cells]
        filled = [c for c in cells if c]
        if not filled:
            continue
        out.append(filled[0] if len(set(filled)) == 1 and len(filled) > 1 else "\t".join(cells))
    return out


def _blocks(document: Any, numbering: Numbering) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield from table_lines(block)
            continue
        yield from _textbox_lines(block)
        label = numbering.label(block)
        for i, part in enumerate(block.text.split("\n")):
            text = part.strip()
            if i == 0 and label:
                text = label + text
            if text:
                yield text


def read_docx(data: bytes, name: str) -> str:
    """The text of a .docx, one paragraph (or table row) a line, numbering restored."""
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = Numbering(document)
        return "\n".join(_blocks(document, numbering))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, SyntaxError) as e:   # lxml's parse errors are SyntaxErrors
        raise IngestError(f"{name}: not a readable Word .docx file ({type(e).__name__}: {str(e)[:120]}); "
                          "open it in Word or WPS and save it again as .docx") from e
