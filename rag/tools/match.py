"""Policy matching (政策匹配): every support measure of a city's documents and the national plan
that could apply to an enterprise, grouped by kind, ranked, each with its verbatim quote, the units
that run it, its conditions as written and why it matched.

    match(snapshot, profile) -> MatchResult
    MatchResult.groups()        [(kind, [Measure…])…], wanted kinds first
    MatchResult.to_contract()   the JSON of POST /api/match
    MatchResult.to_answer()     an Answer with citations (verbatim quotes), for the chat

What a clause offers was classified at index time (index/support.py, `Clause.support`: sentences,
kinds, sizes, standings, trades). Here each offering sentence is judged against the profile:
  trades      a sentence naming trades (or trade families: 传统产业, 消费品) applies to those only;
              to an enterprise of another trade it does not apply at all
  sizes and   a sentence naming size groups or standings (中小微, 规上, 出口企业, 龙头企业) applies
  standings   when the profile holds any of them (or when another phrase of it helps any
              enterprise); when it holds none, or does not say, the measure is listed apart with
              what it needs, as the document writes it
A clause is listed when one of its sentences applies; its quotes are the sentences that apply.
Ranking: kinds the enterprise wants, then how specifically the measure names its trade, size or
standing, then the city's own documents before the national plan.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from index.catalog import IndexSnapshot
from index.models import NATIONAL, Clause, Document, Offer
from index.support import classify, support_kinds, trades
from rag.compose.reply import units_words
from rag.tools.profile import Profile
from rag.types import Answer, Citation, damage_warnings

MAX_MEASURES = 200        # measures a result lists (a corpus of thousands of plans); the rest are counted
MAX_QUOTES = 3            # sentences quoted per measure
ANSWER_MEASURES = 12      # measures the chat answer shows (the rest: the 政策匹配 tab / POST /api/match)
SMALL = {"中小微": ("微型", "小型", "中型"), "小微": ("微型", "小型"), "大中型": ("中型", "大型")}
SIZE_NAMES = {"中小微": "中小微企业", "小微": "小微企业", "大中型": "大中型(骨干)企业", "规上": "规模以上企业"}


@dataclass
class Measure:
    """One clause as a measure for the profile: listed (lacks empty) or listed apart."""

    doc: Document
    clause: Clause
    kind: str                                   # the group it is listed under
    kinds: list[str]
    quotes: list[str]                           # verbatim sentences of clause.text
    why: list[str]
    conditions: list[str] = field(default_factory=list)   # restricting phrases, as written
    lacks: list[str] = field(default_factory=list)        # what it needs that the profile lacks
    score: float = 0.0

    @property
    def units(self) -> str:
        return units_line(self.clause)

    def to_contract(self) -> dict[str, Any]:
        return {"doc_id": self.doc.doc_id, "title": self.doc.title, "city": self.doc.place, "date": self.doc.date,
                "clause": self.clause.clause_id, "heading": self.clause.heading, "kind": self.kind,
                "kinds": self.kinds, "quotes": self.quotes, "units": self.units, "conditions": self.conditions,
                "why": self.why, "lacks": self.lacks, "score": round(self.score, 2)}


@dataclass
class MatchResult:
    profile: Profile
    measures: list[Measure]                     # applicable, best first
    apart: list[Measure]                        # need something the profile lacks
    documents: list[Document]                   # the documents searched
    notes: list[str] = field(default_factory=list)
    truncated: int = 0                          # measures beyond MAX_MEASURES, not listed

    def groups(self) -> list[tuple[str, list[Measure]]]:
        """Measures by kind: the kinds the profile wants first (in its order), then by best score."""
        by_kind: dict[str, list[Measure]] = {}
        for m in self.measures:
            by_kind.setdefault(m.kind, []).append(m)
        wanted = [k for k in self.profile.wants if k in by_kind]
        rest = sorted((k for k in by_kind if k not in wanted), key=lambda k: -by_kind[k][0].score)
        return [(k, by_kind[k]) for k in [*wanted, *rest]]

    def to_contract(self) -> dict[str, Any]:
        return {"profile": self.profile.to_contract(), "summary": self.profile.summary(),
                "documents": [{"doc_id": d.doc_id, "title": d.title, "city": d.place, "date": d.date}
                              for d in self.documents],
                "groups": [{"kind": k, "measures": [m.to_contract() for m in ms]} for k, ms in self.groups()],
                "apart": [m.to_contract() for m in self.apart], "notes": self.notes,
                "counts": {"measures": len(self.measures), "apart": len(self.apart), "not_listed": self.truncated}}

    def to_answer(self, limit: int = ANSWER_MEASURES) -> Answer:
        return compose_answer(self, limit)


# ------------------------------------------------------------------------------ the per-snapshot table
class SupportIndex:
    """Per snapshot: each place -> its documents' clauses that offer support, with their offers
    (classified now for a catalog built before index/support.py existed)."""

    def __init__(self, snap: IndexSnapshot) -> None:
        self.snap = snap
        self.by_place: dict[str, list[tuple[Document, Clause, list[Offer]]]] = {}
        for doc in snap.documents.values():
            for clause in doc.clauses:
                support = clause.support if clause.support is not None else classify(clause)
                if support.offers:
                    self.by_place.setdefault(doc.place, []).append((doc, clause, support.offers))

    def places_for(self, profile: Profile) -> list[str]:
        """The profile's city (when the index has it) and the national level."""
        places = [profile.city] if profile.city and profile.city in self.snap.place_docs else []
        return places + ([NATIONAL] if NATIONAL in self.snap.place_docs else [])


# ------------------------------------------------------------------------------ judging one sentence
@dataclass
class Verdict:
    lacks: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    specific: float = 0.0


def judge(offer: Offer, profile: Profile) -> Verdict | None:
    """How an offering sentence stands for the profile: None when it is for other trades only."""
    verdict = Verdict()
    if not _trade_fits(offer, profile, verdict) and not offer.open:
        return None
    groups = [*offer.sizes, *offer.titles]
    if groups:
        held = [g for g in groups if holds(profile, g)]
        if held:
            verdict.why.append("对象:" + "、".join(SIZE_NAMES.get(g, g) for g in held))
            verdict.specific += 2
        elif not offer.open:
            verdict.lacks.append(_lack(groups, profile))
    return verdict


def _trade_fits(offer: Offer, profile: Profile, verdict: Verdict) -> bool:
    if not (offer.trades or offer.families):
        return True
    named = "、".join([*offer.trades, *offer.families])
    hit = [t for t in offer.trades if t in profile.trades]
    families = [f for f in offer.families if f in profile.families()]
    if hit:
        verdict.why.append(f"行业:{'、'.join(hit)}")
        verdict.specific += 4
    elif families:
        verdict.why.append(f"行业类别:{'、'.join(families)}(含{'、'.join(profile.trades)})")
        verdict.specific += 2
    elif offer.open:
        return False                         # named for other trades, open to all: no bar, no reason
    elif not profile.trades:
        verdict.lacks.append(f"面向{named}(您未说明行业)")
    else:
        return False
    return True


def holds(profile: Profile, group: str) -> bool:
    """Whether the profile is in a size group or holds a standing (unknown = no)."""
    if group in SMALL:
        return profile.size in SMALL[group] or (group == "大中型" and "龙头企业" in profile.has)
    if group == "规上":
        return bool(profile.above_scale)
    return group in profile.has


def _lack(groups: list[str], profile: Profile) -> str:
    """What a measure asks for that the profile does not show, and what the profile says instead."""
    names = "或".join(SIZE_NAMES.get(g, g) for g in groups)
    if not any(g in SMALL or g == "规上" for g in groups):
        return f"需为{names}(您的描述中没有)"
    if "规上" in groups and profile.above_scale is False:
        return f"需为{names}(您是规模以下企业)"
    if profile.size is not None:
        return f"需为{names}(您是{profile.size}企业)"
    if profile.above_scale:
        return f"需为{names}(您未说明人数或营业收入)"
    return f"需为{names}(您未说明规模)"


# ------------------------------------------------------------------------------ matching
def match(snapshot: IndexSnapshot, profile: Profile, index: SupportIndex | None = None,
          limit: int = MAX_MEASURES, deadline: float | None = None) -> MatchResult:
    """Every applicable measure for the profile, best first, and those it lacks something for.
    `deadline` (time.monotonic()) stops the listing early, with a note saying so."""
    index = index or SupportIndex(snapshot)
    places = index.places_for(profile)
    listed, apart = [], []
    late = False
    for doc, clause, offers in (row for place in places for row in index.by_place.get(place, [])):
        if deadline is not None and time.monotonic() > deadline:
            late = True
            break
        main, aside = measure(doc, clause, offers, profile)
        listed += [main] if main else []
        apart += [aside] if aside else []
    listed.sort(key=lambda m: (-m.score, _order(snapshot, m)))
    apart.sort(key=lambda m: (-m.score, _order(snapshot, m)))
    documents = [snapshot.documents[d] for p in places for d in snapshot.place_docs.get(p, ())]
    notes = list(profile.notes) + _profile_notes(profile) + (["列举超过时限,只列出了部分文件的措施"] if late else [])
    shown = max(0, limit)
    return MatchResult(profile=profile, measures=listed[:shown], apart=apart[:shown], documents=documents,
                       notes=notes, truncated=max(0, len(listed) - shown) + max(0, len(apart) - shown))


def _order(snap: IndexSnapshot, m: Measure) -> tuple[int, int]:
    return snap.doc_rank.get(m.doc.doc_id, 0), m.clause.order


def measure(doc: Document, clause: Clause, offers: list[Offer], profile: Profile) -> tuple[Measure | None, Measure | None]:
    """The clause as a listed measure (some sentence applies) or one listed apart (its sentences
    need something the profile lacks); (None, None) when it is for other trades only."""
    judged = [(o, v) for o in offers if (v := judge(o, profile)) is not None]
    fits = [(o, v) for o, v in judged if not v.lacks]
    chosen = fits or judged
    if not chosen:
        return None, None
    chosen.sort(key=lambda ov: (-_relevance(ov[0], ov[1], profile), ov[0].start))
    kinds = _kinds(o for o, _ in chosen)
    where = f"地区:{doc.place}" if doc.place != NATIONAL else "全国适用"
    why = [where, *dict.fromkeys(w for _, v in chosen for w in v.why)]
    wanted = [k for k in profile.wants if k in kinds]
    if wanted:
        why.append("符合需求:" + "、".join(wanted))
    if not any(v.why for _, v in chosen):
        why.append("对象:不限")
    item = Measure(doc=doc, clause=clause, kind=_primary(kinds, profile, chosen), kinds=kinds,
                   quotes=[clause.text[o.start:o.end] for o, _ in chosen[:MAX_QUOTES]], why=why,
                   conditions=list(dict.fromkeys(c for o, _ in chosen for c in o.conditions)),
                   lacks=[] if fits else list(dict.fromkeys(x for _, v in chosen for x in v.lacks)),
                   score=_score(chosen, profile, doc))
    return (item, None) if fits else (None, item)


def _kinds(offers: Iterable[Offer]) -> list[str]:
    order = {k: i for i, k in enumerate(support_kinds())}
    return sorted({k for o in offers for k in o.kinds}, key=order.__getitem__)


def _relevance(offer: Offer, verdict: Verdict, profile: Profile) -> float:
    return 3 * len(set(offer.kinds) & set(profile.wants)) + verdict.specific


def _primary(kinds: list[str], profile: Profile, chosen: list[tuple[Offer, Verdict]]) -> str:
    """The group a measure is listed under: the first kind the profile wants, else the kind most of
    its applying sentences show (the first in support_kinds.tsv order on a tie)."""
    wanted = [k for k in profile.wants if k in kinds]
    if wanted:
        return wanted[0]
    counts = {k: sum(k in o.kinds for o, _ in chosen) for k in kinds}
    return max(kinds, key=lambda k: (counts[k], -kinds.index(k)))


def _score(chosen: list[tuple[Offer, Verdict]], profile: Profile, doc: Document) -> float:
    """Kinds wanted first (the first named counts most), then how specifically the measure names
    the profile's trade, size or standing (trade 4, family or size 2), then how many of its
    sentences apply, then the city's own documents before the national plan."""
    kinds = {k for o, _ in chosen for k in o.kinds}
    wanted = sum(3.0 / (1 + i) for i, k in enumerate(profile.wants) if k in kinds)
    specific = max((v.specific for _, v in chosen), default=0.0)
    return 10 * wanted + specific + 0.5 * min(len(chosen), 4) + (1.0 if doc.place != NATIONAL else 0.0)


def _profile_notes(profile: Profile) -> list[str]:
    notes = []
    if not profile.city:
        notes.append("未说明所在城市(或索引中没有该城市的文件):只列出国家层面的措施")
    if not profile.trades:
        notes.append("未说明行业:限定行业的措施列在“需要补充的条件”中")
    if profile.size is None and profile.above_scale is None:
        notes.append("未说明规模(人数或营业收入):限定企业规模的措施列在“需要补充的条件”中")
    return notes


def units_line(clause: Clause) -> str:
    """Who runs a measure, as the clause writes it; the national plan lists none."""
    return units_words(clause) or "文件未列责任单位"


def trade_names() -> list[str]:
    """Every trade the lexicon knows (for forms)."""
    return list(trades())


# ------------------------------------------------------------------------------ the chat answer
def compose_answer(result: MatchResult, limit: int = ANSWER_MEASURES) -> Answer:
    """The match as an Answer: a lead line, the best `limit` measures by kind (each quoting its
    first sentence, with a citation), then those listed apart with what they need."""
    citations: list[Citation] = []

    def cite(m: Measure, quote: str) -> str:
        citations.append(Citation(marker=len(citations) + 1, clause=m.clause, doc=m.doc, quote=quote))
        return f"[{len(citations)}]"

    places = "、".join(dict.fromkeys(d.place for d in result.documents)) or "索引"
    lines = [f"按您的情况({result.profile.summary()}),{places}的文件中可能适用的措施共 {len(result.measures)} 项,"
             "按类别列出(每项引原文):"]
    shown = {id(m) for m in result.measures[:max(0, limit)]}
    for kind, items in result.groups():
        picked = [m for m in items if id(m) in shown]
        if picked:
            lines.append(f"【{kind}】")
            lines += [f"- {_label(m)}:{m.quotes[0]}{cite(m, m.quotes[0])}({m.units};{';'.join(m.why[1:])})"
                      for m in picked]
    if len(result.measures) > len(shown):
        lines.append(f"其余 {len(result.measures) - len(shown)} 项见“政策匹配”页(或 POST /api/match)。")
    if result.apart:
        lines.append(f"另有 {len(result.apart)} 项需要您尚未具备(或未说明)的条件:")
        lines += [f"- {_label(m)}:{';'.join(m.lacks)}{cite(m, m.quotes[0])}" for m in result.apart[:max(0, limit)]]
    lines += [f"注:{n}" for n in result.notes]
    if not result.measures and not result.apart:
        lines[0] = f"按您的情况({result.profile.summary()}),{places}的文件中没有找到适用的扶持措施。"
    return Answer(answer="\n".join(lines), answerable=bool(citations), citations=citations,
                  warnings=damage_warnings(citations), retrieved=[],
                  meta={"answerer": "match", "kind": "match", "profile": result.profile.to_contract()})


def _label(m: Measure) -> str:
    return f"{m.doc.place}《{m.doc.title}》{m.clause.clause_id}「{m.clause.heading}」"
