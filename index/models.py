"""The structured form of a policy document: what ingestion produces and every later stage reads.

Plain dataclasses with `to_dict`/`from_dict` so the catalog can be stored as JSON and shown by
`python -m index show --json` without a second schema.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

NATIONAL = "全国"   # how the product names the national level wherever a city name would stand


class Level(str, Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"


class SpanKind(str, Enum):
    LOST = "lost"          # characters gone for good; shown as they are, never guessed
    REPAIRED = "repaired"  # restored exactly by a rule; kept for transparency


@dataclass(frozen=True, slots=True)
class Span:
    """A character range [start, end) in a clause's (cleaned, original-script) text."""

    start: int
    end: int
    kind: SpanKind
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SpanKind(self.kind))


@dataclass(slots=True)
class Units:
    """Who is in charge of a clause, parsed from its closing parenthesis."""

    lead: list[str] = field(default_factory=list)         # 牵头
    co: list[str] = field(default_factory=list)           # 会 / 会同 (co-operating)
    responsible: list[str] = field(default_factory=list)  # 责任单位 / 按职责分工负责 / …负责
    raw: str = ""                                         # the parenthesis as written
    deadline: str = ""                                    # 完成时限 (of a task table's row), as written

    def all(self) -> list[str]:
        return [*self.lead, *self.co, *self.responsible]

    def is_empty(self) -> bool:
        return not (self.lead or self.co or self.responsible)


@dataclass(slots=True)
class Offer:
    """One sentence of a clause that offers enterprises support (index/support.py), with who may
    benefit as the sentence (or its clause's heading) says."""

    start: int                     # the sentence: clause.text[start:end], verbatim
    end: int
    kinds: list[str]               # kinds of support (index/data/support_kinds.tsv), in that file's order
    sizes: list[str] = field(default_factory=list)      # size groups named: 中小微, 小微, 大中型, 规上
    titles: list[str] = field(default_factory=list)     # standings asked for: 出口企业, 龙头企业 …
    trades: list[str] = field(default_factory=list)     # trades named (index/data/trades.tsv)
    families: list[str] = field(default_factory=list)   # trade families named: 传统产业, 消费品 …
    conditions: list[str] = field(default_factory=list)  # the phrases that restrict it, verbatim
    open: bool = False             # another phrase helps any enterprise: sizes, titles, trades are no bar

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Offer:
        return cls(**d)


@dataclass(slots=True)
class Support:
    """What a clause offers enterprises: its offering sentences (none: it offers nothing)."""

    offers: list[Offer] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(k for o in self.offers for k in o.kinds))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Support:
        return cls(offers=[Offer.from_dict(o) for o in d.get("offers", [])])


@dataclass(slots=True)
class Clause:
    """One citable unit: a numbered clause, item, or chapter paragraph."""

    doc_id: str
    clause_id: str                 # the id a reader would cite: "三、(一)", "二、(六)23.", "二、"
    heading_path: list[str]        # e.g. ["三、完善质量治理体系", "(一)强化市场主体责任"]
    heading: str                   # the clause's own heading, e.g. "强化市场主体责任"
    text: str                      # cleaned text in the source script (what quotes come from)
    norm: str                      # NFKC + simplified: what is searched
    units: Units = field(default_factory=Units)
    damaged: list[Span] = field(default_factory=list)
    order: int = 0                 # position in the document
    ocr: bool = False              # its text was read from a page image by OCR (may hold recognition errors)
    support: Support | None = None  # what it offers enterprises; None: not classified (an older catalog)

    @property
    def is_damaged(self) -> bool:
        return any(s.kind is SpanKind.LOST for s in self.damaged)

    def lost_spans(self) -> list[Span]:
        return [s for s in self.damaged if s.kind is SpanKind.LOST]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["is_damaged"] = self.is_damaged
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Clause:
        d = {k: v for k, v in d.items() if k != "is_damaged"}
        d["units"] = Units(**d.get("units", {}))
        d["damaged"] = [Span(**s) for s in d.get("damaged", [])]
        if d.get("support") is not None:
            d["support"] = Support.from_dict(d["support"])
        return cls(**d)


@dataclass
class Document:
    doc_id: str                    # stable: the file name without its extension
    source: str                    # file name in the corpus directory
    sha256: str                    # of the raw bytes: decides whether a rebuild re-embeds it
    title: str
    issuer: str | None
    city: str | None               # short name, e.g. "中山"; None for national documents
    region: str | None             # province, e.g. "广东省"
    level: Level
    date: str | None               # ISO-like as far as the text gives it: "2018-07-31", "2021"
    doc_number: str | None         # 文号, e.g. "东府办〔2018〕71号"
    script: str                    # "traditional" or "simplified" (of the source text)
    notes: list[str] = field(default_factory=list)   # what cleaning repaired, removed or flagged
    clauses: list[Clause] = field(default_factory=list)
    format: str = "text"           # how the file was read: text, markdown, html, pdf, docx, doc, wps, image
    pages: int | None = None       # pages of a PDF or image file
    ocr: bool = False              # some of its text was read by OCR (its clauses say which)

    def __post_init__(self) -> None:
        self.level = Level(self.level)

    @property
    def place(self) -> str:
        """The city's short name, or NATIONAL for a national document."""
        return self.city or NATIONAL

    def to_dict(self, with_clauses: bool = True) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "clauses"}
        if with_clauses:
            d["clauses"] = [c.to_dict() for c in self.clauses]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        d["clauses"] = [Clause.from_dict(c) for c in d.get("clauses", [])]
        return cls(**d)

    @property
    def label(self) -> str:
        """How an answer names the document: city (or 全国) and title."""
        return f"{self.place}·{self.title}"


@dataclass(slots=True)
class Chunk:
    """What is embedded and searched: a clause, or a sentence-aligned piece of a long one."""

    chunk_id: str                  # content-addressed: same text + same embedder => same id
    doc_id: str
    clause_id: str
    part: int                      # 0 for the first (or only) piece
    text: str                      # the clause text (or piece) in the source script
    embed_text: str                # title + heading path + normalised text: what the embedder sees
    search_text: str               # normalised text with heading: what BM25 sees

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(**d)
