"""Small corpus objects and a fixed Answerer for tests."""
from __future__ import annotations

from collections.abc import Iterable

from index.catalog import IndexSnapshot
from index.chunking import chunk_document
from index.lexical import Tokenizer
from index.models import Clause, Document, Span
from rag.types import Answer, Citation, Decision, DeclineReason, Hit, Query, TokenCallback

ZS_TEXT = (
    "推行企业首席质量官制度，到2025年全市规上工业企业首席质量官制度100%覆盖。"
    "(市市场监管局、市工业和信息化局、市住房城乡建设局、市商务局按职责分工负责)"
)
DAMAGED_TEXT = "全市通过质量管理体系认证的企?000家以上，培育一批质量标杆企业。"
ST_TEXT = "實施品牌帶動戰略，打造汕頭知名品牌。(市質監局牽頭會市發改局等單位負責)"


def make_doc(doc_id: str = "000_zs", city: str | None = "中山", title: str = "关于加快推进质量强市建设的实施方案",
             date: str | None = "2021") -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", sha256="0" * 64, title=title, issuer=None, city=city,
                    region="广东省", level="city", date=date, doc_number=None, script="simplified")


def make_hit(text: str = ZS_TEXT, clause_id: str = "三、(一)", doc: Document | None = None,
             lost: list[tuple[int, int]] | None = None, score: float = 1.0) -> Hit:
    doc = doc or make_doc()
    clause = Clause(
        doc_id=doc.doc_id, clause_id=clause_id, heading_path=["三、完善质量治理体系"], heading="强化市场主体责任",
        text=text, norm=text, damaged=[Span(a, b, "lost") for a, b in (lost or [])],
    )
    return Hit(clause=clause, doc=doc, score=score)


def damaged_hit() -> Hit:
    at = DAMAGED_TEXT.index("?")
    return make_hit(DAMAGED_TEXT, clause_id="二、(二)", lost=[(at, at + 1)])


def traditional_hit() -> Hit:
    doc = make_doc("001_st", city="汕头", title="汕头市质量强市2014—2015年行动计划", date="2014")
    return make_hit(ST_TEXT, clause_id="二、(三)", doc=doc)


def make_query(text: str = "中山市推行首席质量官制度由哪些部门负责?") -> Query:
    return Query(raw=text, text=text)


class FixedAnswerer:
    """Always returns the same extractive-looking answer citing the first hit."""

    name = "extractive"
    ANSWER = "固定答案[1]"

    def __init__(self) -> None:
        self.calls = 0

    def answer(self, query: Query, hits: list[Hit], on_token: TokenCallback | None = None) -> Answer:
        self.calls += 1
        citations = [Citation(marker=1, clause=hits[0].clause, doc=hits[0].doc, quote=hits[0].clause.text[:10])] if hits else []
        if on_token:
            on_token(self.ANSWER)
        return Answer(answer=self.ANSWER, answerable=True, citations=citations, retrieved=list(hits),
                      meta={"answerer": "extractive"})


class FixedStrategy:
    """A RetrievalStrategy that returns the hits it was given, and records the queries."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.queries: list[Query] = []

    def retrieve(self, query: Query) -> list[Hit]:
        self.queries.append(query)
        return list(self.hits)


class FixedDecision:
    """A DeclineDecision that always decides the same way."""

    def __init__(self, reason: DeclineReason | None = None, detail: str = "", missing: list[str] | None = None) -> None:
        self.reason, self.detail, self.missing = reason, detail, list(missing or [])

    def judge(self, query: Query, hits: list[Hit]) -> Decision:
        return Decision(self.reason, {"fake": True}, self.detail, hits[:1], self.missing)


def snapshot_of(docs: Iterable[Document], build_id: str = "tiny") -> IndexSnapshot:
    """An in-memory index snapshot of the documents (BM25 over real tokens; no vectors). The
    tokenizer that cut them is the snapshot's own (one jieba instance, not two)."""
    by_id = {d.doc_id: d for d in docs}
    chunks = [c for d in by_id.values() for c in chunk_document(d, "fake", 512)]
    tokenizer = Tokenizer.for_documents(by_id.values())
    snap = IndexSnapshot(build_id=build_id, embedder="fake", documents=by_id, chunks=chunks,
                         tokens=[tokenizer.tokenize(c.search_text) for c in chunks])
    snap.__dict__["tokenizer"] = tokenizer        # the cached_property, set
    return snap


def units_listed(snapshot: IndexSnapshot) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(place, unit name as written) -> the (doc id, clause id) of every clause whose units list it."""
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for doc in snapshot.documents.values():
        for clause in doc.clauses:
            for name in clause.units.all():
                out.setdefault((doc.place, name), set()).add((doc.doc_id, clause.clause_id))
    return out


def tiny_snapshot(hits: list[Hit]) -> IndexSnapshot:
    """An in-memory index snapshot of the hits' documents."""
    docs: dict[str, Document] = {}
    for h in hits:
        docs.setdefault(h.doc.doc_id, h.doc).clauses.append(h.clause)
    return snapshot_of(docs.values())
