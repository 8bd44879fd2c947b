"""From cleaned lines to a Document: metadata and the chapter / clause / item structure.

Numbering recognised (each a kind of layout, not one document's):
* parts `第一章` / `第一部分` / `第一篇` (an id prefix of what they hold) and articles `第一条`: a
  document written in articles (a 管理办法) is cited by article, so an article is one clause and
  the `(一)` / `1.` lists inside it are its text;
* chapters `一、`, clauses `(一)` (full or half width), items `1.` / `1、`, sub-items `(1)` and
  `①` (taken as numbering only in sequence: `(1)`, or the number after the previous one);
* a document numbered only `1.` / `(1)` / `①` has its items as clauses;
* "一是……;二是……" inside one clause: when the points carry units of their own, each point is a
  clause of its own (`三、(三)二是`), so each unit is in charge of its own point;
* task-division tables (index/tables.py): one clause per row, `附件第3项` (or `三、第3项`).
An unnumbered line continues the clause before it. Lines before the document's own title
(cover letter, web-page header) give metadata only; lines between the title and the first
numbered part form the clause `前言`. A clause that repeats an earlier one word for word (a
document pasted twice) is stored once.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from index.clean import CleanLine
from index.models import Clause, Span, Units
from index.tables import Columns, category_row, fold_vertical, header, is_rule, row_of, split_cells
from index.text import chinese_number, compact, normalise
from index.units import parse_units

CN = "一二三四五六七八九十百零〇"
_PART = re.compile(rf"^第([{CN}\d]{{1,4}})(章|部分|篇)\s*(.*)$")
_ARTICLE = re.compile(rf"^第([{CN}\d]{{1,4}})条(?![件款例])\s*(.*)$")
_CHAPTER = re.compile(rf"^([{CN}]+)、\s*(.*)$")
_CLAUSE = re.compile(rf"^[((]([{CN}]+)[))]\s*(.*)$")
_ITEM = re.compile(r"^(\d{1,3}) ?[.．、](?!\d)\s*(.*)$")
_SUB = re.compile(r"^[((](\d{1,2})[))]\s*(.*)$")
_CIRCLED = re.compile(r"^([\u2460-\u2473])\s*(.*)$")           # ① … ⑳
_ANNEX = re.compile(r"^附\s*件\s*(\d{0,2})\s*[::]?\s*(.*)$")
_ENUM = re.compile(r"([一二三四五六七八九十]{1,2})是")
_ENUM_BEFORE = "。;；,，:：\n"
_ITEM_MARK = re.compile(r"^\s*\d{1,3}[.．、]")
_GARBLED = re.compile(r"^([^()\s]{1,4})\)(.*)$")            # an OCR'd "(二十二)" that lost its "(": "全十二)"
PREAMBLE = "前言"


def cn_value(num: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零三 -> 103; digits as they are."""
    if num.isdigit():
        return int(num)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    total, current = 0, 0
    for ch in num:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


@dataclass(frozen=True)
class Scheme:
    """Which numbering a document's body uses, decided once from all its lines."""

    articles: bool = False        # 第一条, 第二条 …
    parts: bool = False           # 第一章 / 第一部分 …
    items_top: bool = False       # no chapters or clauses: 1. is the top level


def _in_sequence(values: list[int]) -> bool:
    return 1 in values and 2 in values


def scheme_of(lines: list[CleanLine]) -> Scheme:
    probes = [normalise(line.text) for line in lines]
    articles = [cn_value(m.group(1)) for p in probes if (m := _ARTICLE.match(p))]
    parts = [cn_value(m.group(1)) for p in probes if (m := _PART.match(p))]
    higher = any(_CHAPTER.match(p) or _CLAUSE.match(p) for p in probes)
    items = [int(m.group(1)) for p in probes if (m := _ITEM.match(p))]
    return Scheme(articles=_in_sequence(articles), parts=_in_sequence(parts),
                  items_top=not higher and not _in_sequence(articles) and not _in_sequence(parts) and _in_sequence(items))


@dataclass
class _Builder:
    clause_id: str
    heading_path: list[str]
    heading: str
    lines: list[CleanLine] = field(default_factory=list)
    marker_only: bool = False      # the first line is a bare heading without a sentence
    units: Units | None = None     # set for a table row (else parsed from the text)

    def has_body(self) -> bool:
        return len(self.lines) > 1 or not self.marker_only


def _heading_of(rest: str) -> tuple[str, bool]:
    """The heading of a numbered line and whether the line is only a heading."""
    rest = rest.strip()
    first = re.split(r"[。.]", rest, maxsplit=1)[0]
    marker_only = "。" not in rest and len(rest) <= 40
    return (first if len(first) <= 40 else first[:40]), marker_only


@dataclass
class _Table:
    columns: Columns
    scope: str                     # the id prefix of its rows: "附件", "三、", ""
    path: list[str]
    carried: dict[str, str] = field(default_factory=dict)
    rows: int = 0


class StructureParser:
    """Parses the body lines of one document into clauses."""

    def __init__(self, doc_id: str, scheme: Scheme | None = None) -> None:
        self.doc_id = doc_id
        self.scheme = scheme
        self.part: tuple[str, str] | None = None      # (id "第二章", heading line)
        self.chapter: tuple[str, str] | None = None   # (id "三、", heading line)
        self.section: tuple[str, str] | None = None   # (id "(一)", heading line)
        self.item: tuple[str, str] | None = None      # (id "1.", heading line)
        self.sub: tuple[int, str] | None = None       # (number, id "(1)")
        self.clause_value = 0                         # the number of the last (N) clause, any chapter
        self.circled: int = 0                         # the last ① number under the open item
        self.annex: tuple[str, str] | None = None     # (id "附件2", heading line)
        self.table: _Table | None = None
        self.current: _Builder | None = None
        self.clauses: list[Clause] = []
        self.seen: dict[str, str] = {}                # clause id -> compact text
        self.duplicates = 0

    def parse(self, lines: list[CleanLine]) -> list[Clause]:
        lines = fold_vertical_lines(lines)
        if self.scheme is None:
            self.scheme = scheme_of(lines)
        for i, line in enumerate(lines):
            self._feed(line, lines[i + 1:i + 3])
        self._close()
        return self.clauses

    # -- dispatch -------------------------------------------------------------------------------
    def _feed(self, line: CleanLine, ahead: list[CleanLine]) -> None:
        if self._table_line(line, ahead):
            return
        probe = normalise(line.text)
        if line.ocr and (fixed := self._ocr_marker(probe)) is not None:
            probe = fixed
            if not line.spans:
                line = CleanLine(fixed, [], True)
        if self._numbered(probe, line):
            return
        if (m := _ANNEX.match(probe)) and self._is_annex(m):
            self._open_annex(m.group(1), line)
        elif self.current is None:
            self.current = _Builder(PREAMBLE, [], PREAMBLE, [line])
        else:
            self.current.lines.append(line)

    def _numbered(self, probe: str, line: CleanLine) -> bool:
        scheme = self.scheme or Scheme()
        if (m := _PART.match(probe)) and scheme.parts:
            self._open_part(m.group(1), m.group(2), line)
        elif (m := _ARTICLE.match(probe)) and scheme.articles:
            self._open_article(m.group(1), m.group(2), line)
        elif self._in_article():
            return False                                   # an article's own lists are its text
        elif m := _CHAPTER.match(probe):
            self._open_chapter(m.group(1), m.group(2), line)
        elif m := _CLAUSE.match(probe):
            self._open_section(m.group(1), m.group(2), line)
        elif (m := _ITEM.match(probe)) and (self.chapter or self.section or self.part or self.annex or scheme.items_top):
            self._open_item(m.group(1), m.group(2), line)
        elif (m := _SUB.match(probe)) and self._next_sub(int(m.group(1))):
            self._open_sub(int(m.group(1)), m.group(2), line)
        elif (m := _CIRCLED.match(line.text.strip())) and self._next_circled(m.group(1)):   # NFKC makes ① a 1
            self._open_circled(m.group(1), m.group(2), line)
        else:
            return False
        return True

    def _ocr_marker(self, probe: str) -> str | None:
        """An OCR'd clause number whose opening bracket ran into its first numeral ("全十二)" for
        "(二十二)", "伍)" or "人三)" for "(三)"), restored when it is the number the sequence
        expects next (after the last clause of this chapter, or of the whole text)."""
        seen = cn_value(self.section[0].strip("()")) if self.section else 0
        expected = [chinese_number(v) for v in dict.fromkeys((seen + 1, self.clause_value + 1))]
        for numeral in expected:                 # "(八加大…": the closing bracket lost
            if probe.startswith(f"({numeral}") and probe[len(numeral) + 1:len(numeral) + 2] not in (")", *CN):
                return f"({numeral}){probe[len(numeral) + 1:]}"
            head = f"({numeral[:-1]}"                # "(十生提升…": the last numeral ran into its bracket
            if len(numeral) >= 2 and probe.startswith(head) and probe[len(head):len(head) + 1] not in ("", ")", *CN):
                return f"({numeral}){probe[len(head) + 1:]}"
        m = _GARBLED.match(probe)
        if m is None or "(" in m.group(1):
            return None
        for numeral in expected:
            got = m.group(1)
            if got == numeral or (len(got) in (len(numeral), len(numeral) + 1) and got[1:] == numeral[len(numeral) + 1 - len(got):]
                                  and got[0] not in CN):
                return f"({numeral}){m.group(2)}"
        return None

    def _in_article(self) -> bool:
        return self.current is not None and self.current.clause_id.startswith("第") and \
            self.current.clause_id.endswith("条")

    # -- levels ---------------------------------------------------------------------------------
    def _prefix(self) -> str:
        return self.annex[0] if self.annex else (self.part[0] if self.part else "")

    def _path(self, *levels: tuple[object, str] | None) -> list[str]:
        """Heading lines of the open levels: parts, attachments and chapters as written, clauses
        and items cut at their first sentence."""
        whole = [lv for lv in (self.part, self.annex, self.chapter) if lv is not None]
        out = []
        for lv in levels:
            if lv is not None and lv[1]:
                out.append(lv[1] if any(lv is w for w in whole) else _short(lv[1]))
        return out

    def _open(self, cid: str, path: list[str], rest: str, line: CleanLine) -> None:
        self._close()
        heading, marker_only = _heading_of(rest)
        self.current = _Builder(cid, path, heading, [line], marker_only)

    def _open_part(self, num: str, kind: str, line: CleanLine) -> None:
        self.part = (f"第{num}{kind}", line.text)
        self.chapter = self.section = self.item = self.sub = self.annex = None
        self.table = None
        m = _PART.match(normalise(line.text))
        self._open(self.part[0], [line.text], m.group(3) if m else line.text, line)

    def _open_article(self, num: str, rest: str, line: CleanLine) -> None:
        self._open(f"第{num}条", self._path(self.part) + [_short(line.text)], rest, line)

    def _open_chapter(self, num: str, rest: str, line: CleanLine) -> None:
        self.chapter = (f"{self._prefix()}{num}、", line.text)
        self.section = self.item = self.sub = None
        self.table = None
        self._open(self.chapter[0], self._path(self.part, self.annex) + [line.text], rest, line)

    def _open_section(self, num: str, rest: str, line: CleanLine) -> None:
        self.section = (f"({num})", line.text)
        self.clause_value = cn_value(num)
        self.item = self.sub = None
        base = self.chapter[0] if self.chapter else self._prefix()
        self._open(f"{base}({num})", self._path(self.part, self.annex, self.chapter) + [_short(line.text)], rest, line)

    def _open_item(self, num: str, rest: str, line: CleanLine) -> None:
        base = (self.chapter[0] if self.chapter else self._prefix()) + (self.section[0] if self.section else "")
        self.item = (f"{num}.", line.text)
        self.sub, self.circled = None, 0
        path = self._path(self.part, self.annex, self.chapter, self.section) + [_short(line.text)]
        self._open(f"{base}{num}.", path, rest, line)

    def _base(self) -> str:
        chapter = self.chapter[0] if self.chapter else self._prefix()
        return chapter + "".join(lv[0] for lv in (self.section, self.item) if lv is not None)

    def _next_sub(self, n: int) -> bool:
        return n == 1 or (self.sub is not None and self.sub[0] == n - 1)

    def _open_sub(self, n: int, rest: str, line: CleanLine) -> None:
        self.sub, self.circled = (n, f"({n})"), 0
        path = self._path(self.part, self.annex, self.chapter, self.section, self.item) + [_short(line.text)]
        self._open(f"{self._base()}({n})", path, rest, line)

    def _next_circled(self, mark: str) -> bool:
        n = ord(mark) - 0x2460 + 1
        return n == 1 or self.circled == n - 1

    def _open_circled(self, mark: str, rest: str, line: CleanLine) -> None:
        self.circled = ord(mark) - 0x2460 + 1
        sub = self.sub[1] if self.sub else ""
        path = self._path(self.part, self.annex, self.chapter, self.section, self.item) + [_short(line.text)]
        self._open(f"{self._base()}{sub}{mark}", path, rest, line)

    # -- attachments and tables -----------------------------------------------------------------
    def _is_annex(self, m: re.Match[str]) -> bool:
        return len(m.group(2)) <= 60 and "。" not in m.group(2)

    def _open_annex(self, num: str, line: CleanLine) -> None:
        self._close()
        self.annex = (f"附件{num}", line.text)
        self.part = self.chapter = self.section = self.item = self.sub = None
        self.table = None
        heading, _ = _heading_of(_ANNEX.sub(r"\2", normalise(line.text)) or line.text)
        self.current = _Builder(self.annex[0], [line.text], heading, [line], marker_only=True)

    def _table_line(self, line: CleanLine, ahead: list[CleanLine]) -> bool:
        """Handle a line as part of a task table (its header, a row, a category); False if it is none."""
        cells = split_cells(line.text)
        if cells is not None and is_rule(line.text):
            return self.table is not None
        columns = header(cells) if cells is not None else None
        if columns is not None:
            self._open_table(columns, line)
            return True
        if self.table is None:
            return False
        if cells is not None and sum(1 for c in cells if c) >= 2:
            self._table_row(cells, line)
            return True
        if category_row(line.text) and any(split_cells(a.text) for a in ahead):
            self.table.path = self.table.path[:1] + [line.text.strip()]
            self.table.carried.pop("category", None)
            return True
        self.table = None                     # the table has ended: the line is read as usual
        return False

    def _open_table(self, columns: Columns, line: CleanLine) -> None:
        caption = self.annex[1] if self.annex else (self.chapter[1] if self.chapter else "")
        b = self.current
        if self.annex and b is not None and b.clause_id == self.annex[0] and not any("。" in ln.text for ln in b.lines):
            caption, self.current = b.lines[-1].text, None      # "附件" + the table's caption: headings only
        self._close()
        scope = self.annex[0] if self.annex else (self.chapter[0] if self.chapter else self._prefix())
        self.table = _Table(columns, scope, [_short(caption)] if caption else [])

    def _table_row(self, cells: list[str], line: CleanLine) -> None:
        table = self.table
        assert table is not None
        row = row_of(cells, table.columns, table.carried)
        if row is None:
            return
        self._close()
        table.rows += 1
        number = re.sub(r"\D", "", row.number) or str(table.rows)
        text = row.text()
        path = table.path + ([row.category] if row.category and row.category not in table.path else [])
        heading, _ = _heading_of(row.task)
        built = CleanLine(text, [], line.ocr)
        self.current = _Builder(f"{table.scope}第{number}项", path, heading, [built], units=parse_units(text))

    # -- closing a clause -----------------------------------------------------------------------
    def _close(self) -> None:
        b, self.current = self.current, None
        if b is None or not b.has_body():
            return
        text, spans = join_lines(b.lines)
        points = enumerated_points(text) if b.units is None else []
        if points:
            self._add_points(b, text, spans, points)
            return
        self._add(b.clause_id, b.heading_path, b.heading, text, spans, any(ln.ocr for ln in b.lines), b.units)

    def _add_points(self, b: _Builder, text: str, spans: list[Span], points: list[tuple[str, int, int]]) -> None:
        ocr = any(ln.ocr for ln in b.lines)
        lead_end = points[0][1]
        self._add(b.clause_id, b.heading_path, b.heading, text[:lead_end].rstrip(), _within(spans, 0, lead_end), ocr)
        for mark, start, end in points:
            piece = text[start:end].rstrip()
            heading, _ = _heading_of(re.split(r"[,，;；]", piece, maxsplit=1)[0])
            self._add(f"{b.clause_id}{mark}", b.heading_path + [b.heading], heading, piece,
                      _within(spans, start, end), ocr)

    def _add(self, cid: str, path: list[str], heading: str, text: str, spans: list[Span], ocr: bool,
             units: Units | None = None) -> None:
        key = compact(text)
        if self.seen.get(cid) == key or (ocr and cid in self.seen and _same_reading(self.seen[cid], key)):
            self.duplicates += 1
            return
        if cid in self.seen:                         # same number, different text: keep both
            n = 2
            while f"{cid}#{n}" in self.seen:
                n += 1
            cid = f"{cid}#{n}"
        self.seen[cid] = key
        self.clauses.append(Clause(
            doc_id=self.doc_id, clause_id=cid, heading_path=path, heading=heading,
            text=text, norm=normalise(text), units=units if units is not None else parse_units(text),
            damaged=spans, order=len(self.clauses), ocr=ocr,
        ))


OCR_SAME = 0.9            # two OCR readings of one printed text agree on at least this share of characters


def _same_reading(a: str, b: str) -> bool:
    """Whether two OCR'd texts are readings of the same words (a document printed twice is read
    with different errors each time): nearly the same length, and nearly the same characters."""
    if min(len(a), len(b)) < OCR_SAME * max(len(a), len(b)):
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= OCR_SAME


def enumerated_points(text: str) -> list[tuple[str, int, int]]:
    """The points of a "一是……;二是……" enumeration as (marker, start, end), when there are two or
    more in sequence and each carries units of its own; [] otherwise (the clause stays whole)."""
    marks: list[tuple[str, int]] = []
    for m in _ENUM.finditer(text):
        if m.start() > 0 and text[m.start() - 1] not in _ENUM_BEFORE:
            continue
        if cn_value(m.group(1)) == len(marks) + 1:
            marks.append((m.group(0), m.start()))
    if len(marks) < 2:
        return []
    bounds = [start for _, start in marks] + [len(text)]
    points = [(mark, start, bounds[i + 1]) for i, (mark, start) in enumerate(marks)]
    if not all(not parse_units(text[s:e].rstrip().rstrip("。;；,，")).is_empty() for _, s, e in points):
        return []
    return points


def _within(spans: list[Span], start: int, end: int) -> list[Span]:
    return [Span(s.start - start, s.end - start, s.kind, s.note) for s in spans if start <= s.start and s.end <= end]


def fold_vertical_lines(lines: list[CleanLine]) -> list[CleanLine]:
    """index.tables.fold_vertical on cleaned lines (a folded row keeps the OCR mark of its cells)."""
    texts = [line.text for line in lines]
    folded = fold_vertical(texts)
    if folded == texts:
        return lines
    ocr = any(line.ocr for line in lines)
    by_text = {line.text: line for line in lines}
    return [by_text.get(t) or CleanLine(t, [], ocr) for t in folded]


def _short(heading_line: str) -> str:
    """A heading line cut at its first sentence: "(一)强化市场主体责任", "23.加强进口商品质量安全监管"
    (the dot of an item's own number is no sentence end)."""
    mark = _ITEM_MARK.match(heading_line)
    at = mark.end() if mark else 0
    return (heading_line[:at] + re.split(r"[。.]", heading_line[at:], maxsplit=1)[0])[:60]


def join_lines(lines: list[CleanLine]) -> tuple[str, list[Span]]:
    """Join a clause's lines with newlines, moving each line's spans to clause offsets."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for line in lines:
        spans.extend(Span(s.start + offset, s.end + offset, s.kind, s.note) for s in line.spans)
        parts.append(line.text)
        offset += len(line.text) + 1
    return "\n".join(parts), spans


def body_start(lines: list[CleanLine]) -> int:
    """Index of the first line of the body's top numbering level (part, article, chapter,
    clause, or item when items are the top level); len(lines) when the text has no numbering."""
    scheme = scheme_of(lines)
    for i, line in enumerate(lines):
        probe = normalise(line.text)
        if (scheme.parts and _PART.match(probe)) or (scheme.articles and _ARTICLE.match(probe)) \
                or _CHAPTER.match(probe) or _CLAUSE.match(probe) or (scheme.items_top and _ITEM.match(probe)):
            return i
        cells = split_cells(line.text)
        if cells is not None and header(cells) is not None:
            return i
    return len(lines)


def paragraphs_as_clauses(doc_id: str, lines: list[CleanLine]) -> list[Clause]:
    """Fallback for a document without numbering: each paragraph becomes a clause `第N段`."""
    out = []
    for i, line in enumerate(lines, 1):
        out.append(Clause(
            doc_id=doc_id, clause_id=f"第{i}段", heading_path=[], heading="", text=line.text,
            norm=normalise(line.text), units=Units(), damaged=list(line.spans), order=i - 1, ocr=line.ocr,
        ))
    return out
