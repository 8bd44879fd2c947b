"""Query-time data and the protocols of the swappable parts (see README, Architecture).

`Answer.to_contract()` is the JSON of eval/FORMAT.md: the one shape that `ask()`, the CLI, the
HTTP API and the evaluation harness all exchange.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from index.models import Clause, Document


class WarningKind(str, Enum):
    DAMAGED_SOURCE = "damaged_source"     # a cited span has characters lost in the source
    OCR_SOURCE = "ocr_source"             # a cited clause was read from a scan by OCR: it may hold misread characters
    LLM_FALLBACK = "llm_fallback"         # the LLM answer was not used; the extractive one was


class DeclineReason(str, Enum):
    INJECTION = "injection"               # the question tries to change the assistant's rules
    FOREIGN_PLACE = "foreign_place"       # it asks about a place the corpus has no document for
    NO_EVIDENCE = "no_evidence"           # no retrieved clause is about it
    OFF_TOPIC = "off_topic"               # not a policy question (e.g. which brand to buy)
    NOT_STATED = "not_stated"             # the clauses on the topic do not state the value asked for
    OUT_OF_SCOPE = "out_of_scope"         # a period or part of a document the corpus does not hold


class Kind(str, Enum):
    """What the question asks for; decides how the extractive answerer composes its reply."""

    WHO_LEADS = "who_leads"
    TARGET = "target"
    SUPPORT = "support"
    DUTY = "duty"
    COMPARE = "compare"
    LOOKUP = "lookup"
    DOCUMENT = "document"       # about a document itself: 文号, issue date, issuer, period, the library


class Ask(str, Enum):
    """The specific value a question asks for, when it asks for one (checked against the clauses:
    when none of them holds such a value, the documents do not state it)."""

    AMOUNT = "amount"       # 多少钱, 奖金, 补贴标准
    MONTH = "month"         # 几月份
    DATE = "date"           # 哪天印发
    PERSON = "person"       # 院长是谁, 联系电话
    FREQUENCY = "frequency"  # 多久一次, 每年几次
    PROCEDURE = "procedure"  # 怎么办理, 去哪里申请, 要什么材料
    FEE = "fee"             # 收费多少, 要交多少钱
    PENALTY = "penalty"     # 罚款多少, 怎么处罚
    DEADLINE = "deadline"   # 截止到哪天, 申报期限
    SHARE = "share"         # 缴纳比例, 补贴比例是多少, 百分之几


class Role(str, Enum):
    """What a duty question asks of its unit."""

    LEAD = "lead"           # leads it: 牵头, or listed first among the units in charge
    ANY = "any"             # takes any part in it


@dataclass
class Filters:
    """Metadata restrictions, from the question or given explicitly. Empty = whole corpus."""

    cities: list[str] = field(default_factory=list)     # short names as in Document.city; "全国" = national
    doc_ids: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.cities or self.doc_ids)


@dataclass
class Query:
    raw: str                        # what the user typed
    text: str                       # normalised (NFKC, simplified); a follow-up carries the previous turn
    search: str = ""                # what retrieval searches: the ask without framing, context, expansions
    kind: Kind = Kind.LOOKUP
    filters: Filters = field(default_factory=Filters)
    context: str = ""               # what the speaker says of themselves ("我们是中山一家…企业")
    ask: str = ""                   # what they ask
    focus: str = ""                 # the ask without framing words (a follow-up: with the previous question)
    english: bool = False           # typed in English: answer with an English lead
    asks_for: Ask | None = None     # the specific value asked for, if any
    years: list[int] = field(default_factory=list)   # years or plan periods named (十四五 -> 2021..2025)
    parts: list[str] = field(default_factory=list)   # document parts named by number (第三部分 -> 三)
    articles: list[str] = field(default_factory=list)  # clauses named by number (第三十条 -> 三十: the clause (三十))
    quoted: list[str] = field(default_factory=list)  # phrases the question quotes
    codes: list[str] = field(default_factory=list)   # standard or product codes named (ISO 9001, GB/T 19001)
    previous_answer: str = ""       # the assistant's previous turn, for a follow-up (not repeated)
    expansions: list[str] = field(default_factory=list)  # corpus terms for the ask's wording (lexicon, English)
    alternatives: list[list[str]] = field(default_factory=list)  # the lexicon's expansions, one group of alternatives per wording
    places: list[str] = field(default_factory=list)  # covered cities (or NATIONAL) named, in order
    place_words: list[str] = field(default_factory=list)  # the words that name them (纲要, 汕头市): no topic
    unit: str | None = None         # the unit a duty question is about, e.g. "市场监管局"
    role: Role = Role.ANY           # what a duty question asks of the unit
    topic: str = ""                 # a terse duty question's topic besides its unit ("考核" in 汕头市场监管局 考核 牵头)
    terse: list[str] = field(default_factory=list)  # a terse topical query's topic words (中山 合规管理 -> 合规, 管理)
    foreign_places: list[str] = field(default_factory=list)  # places named that the corpus lacks
    refuse_reason: DeclineReason | None = None  # set when the question must be declined before retrieval
    rewritten_from: str | None = None  # the follow-up as typed, when it leans on the previous turn
    terms: dict[str, float] | None = field(default=None, repr=False, compare=False)  # ask_terms(), once made
    vector: Any = field(default=None, repr=False, compare=False)   # its embedding, once made (DenseRetriever.vector)
    vector_of: str = field(default="", repr=False, compare=False)  # the text that vector embeds
    more_cities: int = 0            # compare: further cities that also match, beyond those retrieved (set by the strategy)
    pinned: list[tuple[str, str]] = field(default_factory=list)  # clauses a follow-up points at (第二条, 最后那项)
    resolved: str = ""              # how a pointing follow-up was read ("按上一条回答的第 2 项理解: …")
    pinned_chapter: bool = False    # the follow-up asks for the chapter of the clause pinned (那一章下面有几条)
    named: list[tuple[str, str]] = field(default_factory=list)   # clauses whose heading the question writes out (set by the strategy)
    section: list[tuple[str, str]] = field(default_factory=list)  # a section question's sub-clauses, in order (set by the strategy)
    section_title: str = ""         # the section's heading path, e.g. "七、健全质量基础设施"
    document_fields: list[str] = field(default_factory=list)  # doc_number, date, issuer, title, period; or library

    @property
    def about(self) -> list[tuple[str, str]]:
        """The clauses the question is about by construction (pointed at, or named by heading)."""
        return self.pinned or self.named

    @property
    def search_text(self) -> str:
        return self.search or self.text


@dataclass
class Hit:
    """One retrieved clause, with the document it belongs to."""

    clause: Clause
    doc: Document
    score: float
    chunk_text: str = ""            # the piece that matched, when a long clause was split

    @property
    def key(self) -> tuple[str, str]:
        return (self.clause.doc_id, self.clause.clause_id)

    def to_contract(self) -> dict[str, Any]:
        return {
            "doc_id": self.clause.doc_id,
            "clause": self.clause.clause_id,
            "title": self.doc.title,
            "city": self.doc.place,
            "text": self.clause.text,
            "score": float(self.score),
        }


@dataclass
class Citation:
    marker: int                     # the [n] in the answer text
    clause: Clause
    doc: Document
    quote: str                      # verbatim span of clause.text

    def to_contract(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "doc_id": self.clause.doc_id,
            "title": self.doc.title,
            "city": self.doc.place,
            "date": self.doc.date,
            "clause": self.clause.clause_id,
            "quote": self.quote,
            "text": self.clause.text,
            "damaged_spans": [[s.start, s.end] for s in self.clause.lost_spans()],
        }


@dataclass
class AnswerWarning:
    kind: WarningKind
    detail: str

    def to_contract(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "detail": self.detail}


def damage_warnings(citations: Sequence[Citation]) -> list[AnswerWarning]:
    """The warnings about the source text of the cited clauses, for every answerer: one
    damaged_source warning per cited clause with lost characters (where they are, and that nothing
    was guessed), then the ocr_source warnings (ocr_warnings)."""
    return _lost_warnings(citations) + ocr_warnings(citations)


def ocr_warnings(citations: Sequence[Citation]) -> list[AnswerWarning]:
    """One ocr_source warning per document whose cited clauses were read from a scan by OCR
    (Clause.ocr): the quoted words may hold characters the recognition got wrong."""
    out: list[AnswerWarning] = []
    by_doc: dict[str, list[str]] = {}
    for c in citations:
        if c.clause.ocr and c.clause.clause_id not in by_doc.setdefault(c.doc.doc_id, []):
            by_doc[c.doc.doc_id].append(c.clause.clause_id)
    for c in citations:
        clauses = by_doc.pop(c.doc.doc_id, [])
        if clauses:
            out.append(AnswerWarning(WarningKind.OCR_SOURCE,
                                     f"{c.doc.place}《{c.doc.title}》{'、'.join(clauses)} 由扫描件经文字识别(OCR)得到,"
                                     "引文可能有识别错误,请以原件为准。"))
    return out


def _lost_warnings(citations: Sequence[Citation]) -> list[AnswerWarning]:
    seen: set[tuple[str, str]] = set()
    out: list[AnswerWarning] = []
    for c in citations:
        lost = c.clause.lost_spans()
        key = (c.clause.doc_id, c.clause.clause_id)
        if not lost or key in seen:
            continue
        seen.add(key)
        where = "、".join(f"…{c.clause.text[max(0, s.start - 6): s.end + 6]}…" for s in lost[:3])
        out.append(AnswerWarning(WarningKind.DAMAGED_SOURCE,
                                 f"{c.doc.place} {c.clause.clause_id} 原文有 {len(lost)} 处字符缺损({where}),缺失处未作推测。"))
    return out


@dataclass
class Answer:
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    warnings: list[AnswerWarning] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)   # answerer, kind, filters, timings…

    def to_contract(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "answerable": self.answerable,
            "citations": [c.to_contract() for c in self.citations],
            "warnings": [w.to_contract() for w in self.warnings],
            "retrieved": [h.to_contract() for h in self.retrieved],
            "meta": self.meta,
        }


TokenCallback = Callable[[str], None]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors. `name` is recorded in the index it builds."""

    name: str

    def embed(self, texts: Sequence[str]) -> Any:  # np.ndarray (n, dim), float32
        ...


class Retriever(Protocol):
    """Ranks clauses for a query (lexical, dense or fused). `vector` is the query's embedding when
    the caller has it already; retrievers that do not use one ignore it."""

    def retrieve(self, query: Query, k: int, vector: Any = None) -> list[Hit]:
        ...


class Answerer(Protocol):
    """Composes the reply from the retrieved clauses. `on_token` receives streamed text."""

    name: str

    def answer(self, query: Query, hits: list[Hit], on_token: TokenCallback | None = None) -> Answer:
        ...


class RetrievalStrategy(Protocol):
    """Decides which searches a question needs and returns the ranked clauses, best first."""

    def retrieve(self, query: Query) -> list[Hit]:
        ...


@dataclass
class Decision:
    """Answer (reason None) or decline, with what the decision rested on."""

    reason: DeclineReason | None
    signals: dict[str, Any] = field(default_factory=dict)
    detail: str = ""                                   # e.g. what the corpus holds instead
    related: list[Hit] = field(default_factory=list)   # clauses to offer as related reading only
    missing: list[str] = field(default_factory=list)   # topic words the corpus never uses (a decline names them)


class DeclineDecision(Protocol):
    """Whether to decline a question given what was retrieved."""

    def judge(self, query: Query, hits: list[Hit]) -> Decision:
        ...
