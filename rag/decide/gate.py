"""The decline decision: answer, or decline and say why.

One decision over explicit signals, computed once per question (`Signals`), so the operating
point can be measured and chosen on the dev sets (`python -m eval run … --report` draws the
trade-off curve from the same signals):

    refuse reason from understanding (injection, a place with no document)  -> decline
    scope: a year / plan period or a numbered part of a document that the
           documents in scope do not hold                                    -> out_of_scope
    a duty question whose unit is in charge of some retrieved clause         -> answer
    relevance: the best clause's coverage of the ask's weighted terms, the
           idf mass it matches, and the dense similarity                     -> no_evidence when low
    "not stated": the ask wants an amount, a month, a date or a person and
           none of the clauses on the topic states one                       -> not_stated
A decision is one of the swappable parts (rag.types.DeclineDecision); tests use a fake.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.catalog import IndexSnapshot
from index.models import Document
from rag.compose.document import stated_anywhere
from rag.compose.evidence import ask_terms, coverage, matched_mass, states, unknown_share
from rag.retrieve.retrievers import DenseRetriever
from rag.retrieve.strategy import in_charge
from rag.types import Decision, DeclineReason, Hit, Kind, Query

MIN_COVERAGE = 0.20     # share of the ask's weighted terms the best clause must contain …
MIN_MASS = 3.0          # … and the idf mass it must match (a few generic words are not a topic)
MIN_DENSE = 0.50        # or the cosine the best clause must reach (other language, other words)
WHOLE_COVERAGE = 0.75   # or, for an ask wholly in the corpus's words (a short one: 怀仁的主要目标),
WHOLE_MASS = 1.0        # this share of it in one clause, with at least this idf mass
OFF_TOPIC_UNKNOWN = 0.8  # an ask mostly in words the corpus never uses …
OFF_TOPIC_MASS = 8.0     # … that matches little of it …
OFF_TOPIC_COVERAGE = 0.7  # … and covers little of the rest is about something else
STRANGER_UNKNOWN = 0.5   # an ask half in words the corpus never uses (高考志愿怎么填报) …
STRANGER_DENSE = 0.2     # … that no clause resembles in meaning is about something else, unless it follows a turn
SHOWN_PIECE = 6          # a space-separated piece of a terse query this short is shown whole in the decline
GENERIC_SHARE = 0.7      # a known word below this share of the highest idf is generic (质量标准), not a topic
TOPICAL = 3             # clauses checked for a stated value


@dataclass(frozen=True)
class Signals:
    """What the decision rests on; reported in Answer.meta and used by the eval curve."""

    coverage: float = 0.0          # best share of the ask's weighted terms in one clause (top 5)
    mass: float = 0.0              # idf mass of the ask's terms that clause matches
    dense: float = 0.0             # best cosine of the question to a clause
    unknown: float = 0.0           # share of the ask's tokens the corpus never uses
    duty_match: bool = False       # a duty question whose unit is in charge of a retrieved clause
    scope: str | None = None       # why the question is outside what the documents hold
    not_stated: bool = False       # the value asked for is stated by none of the topical clauses
    unknown_code: bool = False     # the question names a code (ISO 9001…) that no document mentions
    about: bool = False            # the question names its clauses (a heading written out, a section,
                                   # or a follow-up pointing into the last answer)
    follows: bool = False          # a follow-up: its own words may be few and its topic the last turn's
    strange_topic: bool = False    # a terse topic whose most specific word the corpus never uses (预制菜 质量标准)

    def relevant(self, min_coverage: float = MIN_COVERAGE, min_mass: float = MIN_MASS,
                 min_dense: float = MIN_DENSE) -> bool:
        """Whether the best clause is about the ask. The mass floor keeps a few generic words from
        passing for a topic; an ask wholly in the corpus's own words (none unknown) passes on its
        share alone, so a short question is not declined for being short."""
        if self.unknown_code:
            return False
        if self.about:
            return True
        if self.strange_topic:        # only its generic words (质量, 标准) can match: no clause is about it
            return False
        if self.unknown >= OFF_TOPIC_UNKNOWN and self.mass < OFF_TOPIC_MASS and self.coverage < OFF_TOPIC_COVERAGE:
            return False
        if self.unknown >= STRANGER_UNKNOWN and self.dense < STRANGER_DENSE and not self.follows:
            return False
        whole = self.unknown == 0 and self.coverage >= WHOLE_COVERAGE and self.mass >= WHOLE_MASS
        # a follow-up's embedding carries the previous answer's text, so its dense similarity is the
        # last topic's: alone it does not show that the new setting (东莞呢?) has a clause about it
        alike = self.dense >= min_dense and (not self.follows or self.coverage >= min_coverage)
        return (self.coverage >= min_coverage and self.mass >= min_mass) or alike or whole

    def as_dict(self) -> dict[str, object]:
        return {"coverage": round(self.coverage, 3), "mass": round(self.mass, 2), "dense": round(self.dense, 3),
                "unknown": round(self.unknown, 2), "duty_match": self.duty_match, "scope": self.scope,
                "not_stated": self.not_stated, "unknown_code": self.unknown_code, "about": self.about,
                "follows": self.follows, "strange_topic": self.strange_topic}


class CoverageGate:
    def __init__(self, *, snapshot: IndexSnapshot, dense: DenseRetriever | None,
                 min_coverage: float = MIN_COVERAGE, min_mass: float = MIN_MASS, min_dense: float = MIN_DENSE) -> None:
        if not 0 <= min_coverage <= 1 or not -1 <= min_dense <= 1 or min_mass < 0:
            raise ValueError(f"min_coverage must be in [0, 1], min_mass >= 0, min_dense in [-1, 1]; "
                             f"got {min_coverage!r}, {min_mass!r}, {min_dense!r}")
        self.snap, self.dense = snapshot, dense
        self.min_coverage, self.min_mass, self.min_dense = min_coverage, min_mass, min_dense

    def judge(self, query: Query, hits: list[Hit]) -> Decision:
        signals = self.signals(query, hits)
        missing = unknown_words(query, self.snap) if signals.strange_topic else []
        return Decision(self.reason(query, signals, bool(hits)), signals.as_dict(), signals.scope or "", hits[:TOPICAL],
                        missing)

    def reason(self, query: Query, signals: Signals, any_hits: bool) -> DeclineReason | None:
        """The decision itself, on the signals alone (the eval sweeps its thresholds)."""
        if query.refuse_reason:
            return query.refuse_reason
        if signals.scope:
            return DeclineReason.OUT_OF_SCOPE
        if not any_hits:
            return DeclineReason.NO_EVIDENCE
        if signals.duty_match:
            return None
        if not signals.relevant(self.min_coverage, self.min_mass, self.min_dense):
            return DeclineReason.NO_EVIDENCE
        if signals.not_stated:
            return DeclineReason.NOT_STATED
        return None

    def signals(self, query: Query, hits: list[Hit]) -> Signals:
        terms = ask_terms(query, self.snap)
        best_cov, best_mass = 0.0, 0.0
        for h in hits[:5]:
            text = (h.clause.norm + " ".join(h.clause.heading_path)).lower()
            cov = coverage(text, terms)
            if cov > best_cov:
                best_cov, best_mass = cov, matched_mass(text, terms)
        ranked = self.dense.ranked(query, 1) if self.dense is not None and hits else []
        about = set(query.about) | set(query.section)
        if query.kind == Kind.DOCUMENT:                # about the document itself: its text states it or not
            return Signals(about=True, not_stated=not stated_anywhere(self.snap, query), scope=self.scope(query))
        topical = [h for h in hits if h.key in about] if about else \
            sorted(hits[:5], key=lambda h: -coverage(h.clause.norm, terms))[:TOPICAL]
        return Signals(
            coverage=best_cov, mass=best_mass, dense=ranked[0][1] if ranked else 0.0,
            unknown=0.0 if query.english else unknown_share(query, self.snap),
            duty_match=query.kind == Kind.DUTY and any(in_charge(h.clause, query) for h in hits),
            scope=self.scope(query),
            not_stated=query.asks_for is not None and not any(states(h.clause, query.asks_for) for h in topical),
            unknown_code=any(not self._mentions(code) for code in query.codes),
            about=bool(about), follows=query.rewritten_from is not None,
            strange_topic=strange_topic(query, self.snap),
        )

    def _mentions(self, code: str) -> bool:
        """Whether any clause mentions the code (spacing and case aside)."""
        key = re.sub(r"\s+", "", code).lower()
        return any(key in re.sub(r"\s+", "", c.norm).lower() for d in self.snap.documents.values() for c in d.clauses)

    # -- scope: what the documents hold -----------------------------------------------------------
    def scope(self, query: Query) -> str | None:
        if not (query.years or ((query.parts or query.articles) and query.filters.cities)):
            return None                               # nothing to check: no pass over the documents
        f, snap = query.filters, self.snap
        docs = list(snap.documents.values()) if f.is_empty() else \
            [snap.documents[d] for d in sorted(set(snap.allowed_docs(f.cities, f.doc_ids)), key=snap.doc_rank.__getitem__)]
        if not docs:
            return None
        if query.years and not any(_holds_year(d, y) for d in docs for y in query.years):
            return "、".join(f"{d.place}的文件是《{d.title}》({_period(d)})" for d in docs) + \
                f",没有涉及{_years_text(query.years)}的内容"
        if query.parts and query.filters.cities:
            missing = [p for p in query.parts if not any(_has_part(d, p) for d in docs)]
            if missing:
                held = "、".join(f"《{d.title}》收录的部分为{_parts_held(d)}" for d in docs)
                return f"库中{held},没有第{'、'.join(missing)}部分"
        if query.articles and query.filters.cities:
            missing = [a for a in query.articles if not any(numbered(d, a) for d in docs)]
            if missing:
                held = "、".join(f"《{d.title}》收录的条款为{_articles_held(d)}" for d in docs)
                return f"库中{held},没有第{'、'.join(missing)}条"
        return None


def strange_topic(query: Query, snap: IndexSnapshot) -> bool:
    """A terse topical query (Query.terse, in Chinese) whose rarest topic word is one the corpus
    never uses, and that the lexicon had no corpus word for: the topic itself is absent."""
    if not query.terse or query.english or query.alternatives or query.expansions:
        return False
    words = [t for t in query.terse if len(t) >= 2]
    known = [snap.bm25.idf(t) for t in words if t in snap.bm25]
    if len(known) == len(words):
        return False
    return max(known, default=0.0) < snap.bm25.idf_ceiling * GENERIC_SHARE


def unknown_words(query: Query, snap: IndexSnapshot) -> list[str]:
    """The terse topic's words of two or more characters that the corpus never uses, longest
    first, none inside another (预制菜 rather than 预制)."""
    pieces = [p for p in (query.ask or "").split() if len(p) <= SHOWN_PIECE]
    unknown = [next((p for p in pieces if t in p), t) for t in query.terse if len(t) >= 2 and t not in snap.bm25]
    unknown = sorted(dict.fromkeys(unknown), key=len, reverse=True)   # as typed: 预制菜, not the segmenter's 预制
    return [t for i, t in enumerate(unknown) if not any(t in longer for longer in unknown[:i])]


def _year_pattern(year: int) -> re.Pattern[str]:
    """The year as written, any digit possibly lost ("?025" may be 2025), at least two digits kept."""
    digits = str(year)
    alternatives = [digits] + [digits[:i] + "?" + digits[i + 1:] for i in range(4)]
    return re.compile(r"(?<!\d)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\d)")


_CITED = re.compile(r"《[^》]{0,80}》")
_TITLE_YEARS = re.compile(r"(20\d\d)\s*(?:年)?\s*(?:[-—–~至到]\s*(20\d\d))?")


def _holds_year(doc: Document, year: int) -> bool:
    """Whether the document's own period covers the year: the range its title names (汕头
    2014—2015), else any year its text mentions outside the titles of documents it cites (so a
    cited 《…纲要(2011-2020年)》 does not make 2020 a year of this plan), lost digits allowed."""
    title = _TITLE_YEARS.search(doc.title)
    if title:
        first, last = int(title.group(1)), int(title.group(2) or title.group(1))
        return first <= year <= last
    pattern = _year_pattern(year)
    return bool(pattern.search(doc.date or "")
                or any(pattern.search(_CITED.sub("", c.text)) for c in doc.clauses))


def _years_in(doc: Document) -> list[int]:
    found = {int(y) for c in doc.clauses for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", c.text)}
    return sorted(found)


def _period(doc: Document) -> str:
    years = _years_in(doc)
    issued = (doc.date or "")[:4]
    span = f"文中年份为 {_years_text(years)}" if years else "文中未写年份"
    if any(re.search(r"[\d?]{4}年", c.text) and re.search(r"\?[\d?]{0,3}\d*年|\d\?[\d?]*年", c.text)
           for c in doc.clauses):
        span += "(部分年份数字原文缺损)"
    return (f"{issued} 年印发," if issued else "") + span


def _years_text(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]} 年" if years[-1] != years[0] else f"{years[0]} 年"


def _has_part(doc: Document, part: str) -> bool:
    return any(c.clause_id.startswith(f"{part}、") for c in doc.clauses)


def _parts_held(doc: Document) -> str:
    chapters = list(dict.fromkeys(c.clause_id.split("、")[0] for c in doc.clauses if "、" in c.clause_id))
    if not chapters:
        return "全文"
    return f"第{chapters[0]}至第{chapters[-1]}部分" if len(chapters) > 1 else f"第{chapters[0]}部分"


def numbered(doc: Document, number: str) -> list[str]:
    """Ids of the document's clauses numbered (number): 三十 -> 十一、(三十)."""
    return [c.clause_id for c in doc.clauses if f"({number})" in c.clause_id]


def _articles_held(doc: Document) -> str:
    ids = [m.group(1) for c in doc.clauses if (m := re.search(r"\(([一二三四五六七八九十]+)\)", c.clause_id))]
    ids = list(dict.fromkeys(ids))
    return f"({ids[0]})至({ids[-1]})" if len(ids) > 1 else (f"({ids[0]})" if ids else "不分条")
