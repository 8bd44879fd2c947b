"""From cleaned lines to a Document: metadata and the chapter / clause / item structure.

Numbering recognised: chapters `一、`, clauses `(一)` (full or half width), items `1.` / `1、`.
An unnumbered line continues the clause before it. Lines before the document's own title
(cover letter, web-page header) give metadata only; lines between the title and the first
chapter form the clause `前言`. A clause that repeats an earlier one word for word (a document
pasted twice) is stored once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.clean import CleanLine
from index.models import Clause, Span, Units
from index.text import compact, normalise
from index.units import parse_units

CN = "一二三四五六七八九十百零〇"
_CHAPTER = re.compile(rf"^([{CN}]+)、\s*(.*)$")
_CLAUSE = re.compile(rf"^[((]([{CN}]+)[))]\s*(.*)$")
_ITEM = re.compile(r"^(\d{1,3})[.．、](?!\d)\s*(.*)$")
PREAMBLE = "前言"


@dataclass
class _Builder:
    clause_id: str
    heading_path: list[str]
    heading: str
    lines: list[CleanLine] = field(default_factory=list)
    marker_only: bool = False      # the first line is a bare heading without a sentence

    def has_body(self) -> bool:
        return len(self.lines) > 1 or not self.marker_only


def _heading_of(rest: str) -> tuple[str, bool]:
    """The heading of a numbered line and whether the line is only a heading."""
    rest = rest.strip()
    first = re.split(r"[。.]", rest, maxsplit=1)[0]
    marker_only = "。" not in rest and len(rest) <= 40
    return (first if len(first) <= 40 else first[:40]), marker_only


class StructureParser:
    """Parses the body lines of one document into clauses."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.chapter: tuple[str, str] | None = None   # (id "三、", heading line)
        self.section: tuple[str, str] | None = None   # (id "(一)", heading line)
        self.current: _Builder | None = None
        self.clauses: list[Clause] = []
        self.seen: dict[str, str] = {}                # clause id -> compact text
        self.duplicates = 0

    def parse(self, lines: list[CleanLine]) -> list[Clause]:
        for line in lines:
            self._feed(line)
        self._close()
        return self.clauses

    def _feed(self, line: CleanLine) -> None:
        probe = normalise(line.text)
        if m := _CHAPTER.match(probe):
            self._open_chapter(m.group(1), line)
        elif m := _CLAUSE.match(probe):
            self._open_section(m.group(1), m.group(2), line)
        elif (m := _ITEM.match(probe)) and self.chapter is not None:
            self._open_item(m.group(1), m.group(2), line)
        elif self.current is None:
            self.current = _Builder(PREAMBLE, [], PREAMBLE, [line])
        else:
            self.current.lines.append(line)

    def _open_chapter(self, num: str, line: CleanLine) -> None:
        self._close()
        self.chapter = (f"{num}、", line.text)
        self.section = None
        m = _CHAPTER.match(normalise(line.text))
        heading, _ = _heading_of(m.group(2) if m else line.text)
        self.current = _Builder(f"{num}、", [line.text], heading, [line], marker_only=True)

    def _open_section(self, num: str, rest: str, line: CleanLine) -> None:
        self._close()
        cid = f"{self.chapter[0] if self.chapter else ''}({num})"
        self.section = (f"({num})", line.text)
        heading, marker_only = _heading_of(rest)
        path = [self.chapter[1]] if self.chapter else []
        self.current = _Builder(cid, path + [_short(line.text)], heading, [line], marker_only)

    def _open_item(self, num: str, rest: str, line: CleanLine) -> None:
        self._close()
        chapter = self.chapter or ("", "")
        cid = f"{chapter[0]}{self.section[0] if self.section else ''}{num}."
        heading, marker_only = _heading_of(rest)
        path = ([chapter[1]] if chapter[1] else []) + ([_short(self.section[1])] if self.section else [])
        self.current = _Builder(cid, path + [_short(line.text)], heading, [line], marker_only)

    def _close(self) -> None:
        b, self.current = self.current, None
        if b is None or not b.has_body():
            return
        text, spans = join_lines(b.lines)
        key = compact(text)
        cid = b.clause_id
        if self.seen.get(cid) == key:
            self.duplicates += 1
            return
        if cid in self.seen:                         # same number, different text: keep both
            n = 2
            while f"{cid}#{n}" in self.seen:
                n += 1
            cid = f"{cid}#{n}"
        self.seen[cid] = key
        self.clauses.append(Clause(
            doc_id=self.doc_id, clause_id=cid, heading_path=b.heading_path, heading=b.heading,
            text=text, norm=normalise(text), units=parse_units(text), damaged=spans,
            order=len(self.clauses),
        ))


def _short(heading_line: str) -> str:
    """A heading line cut at its first sentence: "(一)强化市场主体责任"."""
    return re.split(r"[。.]", heading_line, maxsplit=1)[0][:60]


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
    """Index of the first chapter or clause line; len(lines) when the text has no numbering."""
    for i, line in enumerate(lines):
        probe = normalise(line.text)
        if _CHAPTER.match(probe) or _CLAUSE.match(probe):
            return i
    return len(lines)


def paragraphs_as_clauses(doc_id: str, lines: list[CleanLine]) -> list[Clause]:
    """Fallback for a document without numbering: each paragraph becomes a clause `第N段`."""
    out = []
    for i, line in enumerate(lines, 1):
        out.append(Clause(
            doc_id=doc_id, clause_id=f"第{i}段", heading_path=[], heading="", text=line.text,
            norm=normalise(line.text), units=Units(), damaged=list(line.spans), order=i - 1,
        ))
    return out
