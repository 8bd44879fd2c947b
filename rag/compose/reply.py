"""One reply being composed: its lines, the citations their [n] markers point to, and the
sentence picking every kind of answer shares. Made per question (never shared between threads)."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.models import Clause, Document
from index.text import compact
from rag.compose.evidence import Sentence, lost_in, score_sentences
from rag.types import Ask, Citation, Hit, Kind

DAMAGE_NOTE = "注意:这句原文有字符缺损(以“?”显示),缺失的文字和数字无法确定,请以正式文本为准。"


@dataclass
class Reply:
    """Collects answer lines and the citations their markers point to. `phrase` is what the
    question says (its trigrams count in sentence scores); `said` the previous answer of a
    follow-up, whose sentences go last (具体还有哪些措施? asks for the rest)."""

    phrase: str = ""
    said: str = ""
    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def cite(self, hit: Hit, quote: str) -> str:
        for c in self.citations:
            if c.clause is hit.clause and c.quote == quote:
                return f"[{c.marker}]"
        marker = len(self.citations) + 1
        self.citations.append(Citation(marker=marker, clause=hit.clause, doc=hit.doc, quote=quote))
        return f"[{marker}]"

    def ranked(self, hit: Hit, terms: dict[str, float], kind: Kind, measure: str | None = None,
                value: Ask | None = None) -> list[Sentence]:
        """Sentences best first; for a follow-up, those the previous answer already gave come last
        (具体还有哪些措施? asks for the rest)."""
        ranked = score_sentences(hit.clause, terms, kind, measure, value, phrase=self.phrase)
        if not self.said:
            return ranked
        return sorted(ranked, key=lambda s: (compact(s.text) in self.said, -s.score))

    def best(self, hits: list[Hit], terms: dict[str, float], kind: Kind, measure: str | None = None,
              depth: int = 3, discount: float = 0.1) -> tuple[Hit, Sentence] | None:
        """The (hit, sentence) that best answers among the top clauses, each lower rank discounted."""
        candidates = []
        for rank, hit in enumerate(hits[:depth]):
            ranked = self.ranked(hit, terms, kind, measure)
            if ranked:
                candidates.append((ranked[0].score * (1.0 - discount * rank), -rank, hit, ranked[0]))
        if not candidates:
            return None
        _, _, hit, best = max(candidates, key=lambda c: (c[0], c[1]))
        return hit, best

    def quote(self, hit: Hit, sentence: Sentence, prefix: str = "") -> None:
        self.lines.append(f"{prefix}{label(hit)}:{sentence.text} {self.cite(hit, sentence.text)}")
        self.note_damage(hit, [sentence])

    def note_damage(self, hit: Hit, sentences: list[Sentence]) -> None:
        """Say so next to any quoted sentence that has lost characters (once per answer)."""
        if any(lost_in(hit.clause, s.start, s.start + len(s.text)) for s in sentences) and DAMAGE_NOTE not in self.lines:
            self.lines.append(DAMAGE_NOTE)


def label(hit: Hit) -> str:
    return f"{hit.doc.place}《{hit.doc.title}》{hit.clause.clause_id}"


def doc_label(doc: Document) -> str:
    return f"{doc.place}《{doc.title}》"


def units_text(hit: Hit) -> str:
    """The units of a clause in words; the first of a 责任单位 list is named as such."""
    return units_words(hit.clause, lead="牵头单位", name_first=True)


def units_words(clause: Clause, lead: str = "牵头", name_first: bool = False) -> str:
    """The clause's units by role (lead / 会同 / 责任单位), '' when it lists none; with `name_first`
    the first of a 责任单位 list without a lead is named as such."""
    u = clause.units
    parts = []
    if u.lead:
        parts.append(f"{lead}:" + "、".join(u.lead))
    if u.co:
        parts.append("会同:" + "、".join(u.co))
    if u.responsible:
        listed = "责任单位:" + "、".join(u.responsible)
        if name_first and not u.lead and len(u.responsible) > 1:
            listed += f"(排在首位的责任单位:{u.responsible[0]})"
        parts.append(listed)
    return ";".join(parts)
