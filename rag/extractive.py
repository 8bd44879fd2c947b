"""The extractive answerer (offline default, deterministic): the reply is composed from the
parsed clause fields and verbatim sentences, every statement with a citation marker."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.catalog import IndexSnapshot
from index.models import Clause
from rag.evidence import Sentence, lost_in, measure_of, query_terms, score_sentences, units_quote
from rag.strategy import in_charge
from rag.types import Answer, Citation, Hit, Kind, Query, TokenCallback, damage_warnings

MAX_DUTIES = 8


@dataclass
class _Composer:
    """Collects answer lines and the citations their markers point to."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def cite(self, hit: Hit, quote: str) -> str:
        for c in self.citations:
            if c.clause is hit.clause and c.quote == quote:
                return f"[{c.marker}]"
        marker = len(self.citations) + 1
        self.citations.append(Citation(marker=marker, clause=hit.clause, doc=hit.doc, quote=quote))
        return f"[{marker}]"


def label(hit: Hit) -> str:
    return f"{hit.doc.place}《{hit.doc.title}》{hit.clause.clause_id}"


def _units_text(hit: Hit) -> str:
    u = hit.clause.units
    parts = []
    if u.lead:
        parts.append("牵头单位:" + "、".join(u.lead))
    if u.co:
        parts.append("会同:" + "、".join(u.co))
    if u.responsible:
        parts.append("责任单位:" + "、".join(u.responsible))
    return ";".join(parts)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, *, snapshot: IndexSnapshot) -> None:
        self.snap = snapshot

    def answer(self, query: Query, hits: list[Hit], on_token: TokenCallback | None = None) -> Answer:
        terms = query_terms(query, self.snap, [c for c in query.filters.cities])
        comp = _Composer()
        compose = {Kind.WHO_LEADS: self._who, Kind.DUTY: self._duty, Kind.COMPARE: self._compare}
        compose.get(query.kind, self._sentences)(query, hits, terms, comp)
        text = "\n".join(comp.lines)
        if on_token:
            on_token(text)
        return Answer(answer=text, answerable=True, citations=comp.citations,
                      warnings=damage_warnings(comp.citations), retrieved=hits,
                      meta={"answerer": self.name, "kind": query.kind.value})

    def _best_sentence(self, hit: Hit, terms: dict[str, float], kind: Kind, measure: str | None = None):
        ranked = score_sentences(hit.clause, terms, kind, measure)
        return ranked[0] if ranked else None

    def _pick(self, query: Query, hits: list[Hit], terms: dict[str, float], kind: Kind):
        """The (hit, sentence) that best answers, among the top three clauses; rank breaks ties."""
        measure = measure_of(query.text)
        candidates = []
        for rank, hit in enumerate(hits[:3]):
            best = self._best_sentence(hit, terms, kind, measure)
            if best:
                candidates.append((best.score * (1.0 - 0.15 * rank), -rank, hit, best))
        if not candidates:
            return None, None
        _, _, hit, best = max(candidates, key=lambda c: (c[0], c[1]))
        return hit, best

    def _who(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: _Composer) -> None:
        hit, best = self._pick(query, hits, terms, query.kind)
        if hit is None:
            return
        units, quote = _units_text(hit), units_quote(hit.clause)
        if units and quote:
            comp.lines.append(f"{label(hit)}「{hit.clause.heading}」:{units} {comp.cite(hit, quote)}")
            if best:
                comp.lines.append(f"相关条文:{best.text} {comp.cite(hit, best.text)}")
        elif best:
            comp.lines.append(f"{label(hit)}:{best.text} {comp.cite(hit, best.text)}")
            comp.lines.append("(该条文未单列责任单位,以上为原文表述。)")

    def _sentences(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: _Composer) -> None:
        """Target, support and look-up questions: the best sentence among the top clauses."""
        hit, best = self._pick(query, hits, terms, query.kind)
        if hit is None:
            return
        comp.lines.append(f"{label(hit)}:{best.text} {comp.cite(hit, best.text)}")
        if lost_in(hit.clause, best.start, best.start + len(best.text)):
            comp.lines.append("注意:这句原文有字符缺损(以“?”显示),缺失的文字和数字无法确定,请以正式文本为准。")

    def _duty(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: _Composer) -> None:
        duties = [h for h in hits if in_charge(h.clause, query)]
        if not duties:
            self._who(query, hits, terms, comp)
            return
        role = "牵头" if "牵头" in query.text else "负责或参与"
        comp.lines.append(f"{query.unit}{role}的工作({len(duties)} 项):")
        for hit in duties[:MAX_DUTIES]:
            comp.lines.append(f"- {label(hit)}「{hit.clause.heading}」{comp.cite(hit, units_quote(hit.clause) or hit.clause.heading)}")
        if len(duties) > MAX_DUTIES:
            comp.lines.append(f"另有 {len(duties) - MAX_DUTIES} 项,见检索结果。")

    def _compare(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: _Composer) -> None:
        sub = Kind.WHO_LEADS if any(w in query.text for w in ("负责", "牵头", "部门", "单位")) else Kind.LOOKUP
        best_by_city: dict[str, tuple[Hit, Sentence]] = {}
        for hit in hits:
            city = hit.doc.place
            s = self._best_sentence(hit, terms, sub)
            if s and (city not in best_by_city or s.score > best_by_city[city][1].score):
                best_by_city[city] = (hit, s)
        top = max((s.score for _, s in best_by_city.values()), default=0.0)
        for hit, best in best_by_city.values():
            if best.score < 0.5 * top:
                continue
            units, quote = _units_text(hit), units_quote(hit.clause)
            if sub == Kind.WHO_LEADS and units and quote:
                comp.lines.append(f"- {label(hit)}「{hit.clause.heading}」:{units} {comp.cite(hit, quote)}")
            else:
                comp.lines.append(f"- {label(hit)}:{best.text} {comp.cite(hit, best.text)}")
        if query.more_cities > 0: comp.lines.append(f"另有 {query.more_cities} 个城市的文件也提到相关内容。")
