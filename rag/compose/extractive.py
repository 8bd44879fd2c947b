"""The extractive answerer (offline default, deterministic): the reply is composed from the
parsed clause fields and verbatim sentences, every statement with a citation marker.

Composition by kind (headings are context, never the quoted content):
    who_leads   the units in charge, per document when several documents answer and no city
                narrows; a 责任单位 list names its first unit as 排在首位的责任单位
    duty        every clause the unit leads (or takes part in), grouped by document, with headings
    compare     per place: its best clause's units or sentences
    target      the sentence holding the asked indicator and its figure
    support / lookup   a one-line lead, then the substantive sentences of up to three clauses
An English question gets an English lead line; the quotes stay in Chinese with their clause ids.
"""
from __future__ import annotations

import re

from index.catalog import IndexSnapshot
from index.models import NATIONAL
from index.text import compact, normalise
from rag.compose import document, listing
from rag.compose.evidence import (
    Sentence,
    ask_terms,
    clause_sentences,
    coverage,
    measure_of,
    trigrams,
    units_quote,
)
from rag.compose.reply import Reply, doc_label, label, units_text
from rag.retrieve.sections import wants_list
from rag.retrieve.strategy import in_charge, leading_units
from rag.types import Answer, Citation, Hit, Kind, Query, Role, TokenCallback, damage_warnings
from rag.understand.units import Reform, canonical, names_of, reform_between, remit, successors, unit_matches

MAX_CLAUSES = 3          # clauses a support / look-up answer draws on
MAX_LISTED = 6           # … when the question asks for a list (有哪些措施) and no section is named
MAX_SENTENCES = 5        # sentences quoted from the best clause (3 from the others)
MAX_DOCS = 4             # documents a who-leads answer lists when no city narrows it
PER_DOC_SHARE = 0.75     # a document is listed when its best clause covers this share of the top one's


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, *, snapshot: IndexSnapshot) -> None:
        self.snap = snapshot            # read-only: one answerer serves concurrent questions

    def answer(self, query: Query, hits: list[Hit], on_token: TokenCallback | None = None) -> Answer:
        terms = ask_terms(query, self.snap)
        comp = Reply(phrase=query.focus or query.ask, said=compact(query.previous_answer) if query.previous_answer else "")
        if query.resolved:
            comp.lines.append(f"({query.resolved})")
        about = set(query.about)
        if about and query.kind in (Kind.WHO_LEADS, Kind.TARGET):     # the clauses named or pointed at, nothing else
            hits = [h for h in hits if h.key in about] or hits
            if query.kind == Kind.TARGET and measure_of(query.ask) == "年":   # 这些是到哪一年的目标?: the lead clause says
                hits = hits + parents(self.snap, hits)
        whole = about and (query.kind in (Kind.LOOKUP, Kind.SUPPORT) or (query.kind == Kind.TARGET and not asks_figure(query.ask)))
        if query.kind == Kind.DOCUMENT:
            document.compose(comp, self.snap, query)
        elif query.section:                  # X方面有哪些措施: every clause of the section
            listing.section(comp, query, hits)
        elif whole:                      # 怀仁的主要目标, 第二条具体怎么说: the clause itself
            listing.whole(comp, query, hits)
        else:
            compose = {Kind.WHO_LEADS: self._who, Kind.DUTY: self._duty, Kind.COMPARE: self._compare,
                       Kind.TARGET: self._target}
            compose.get(query.kind, self._passages)(query, hits, terms, comp)
        if query.english and comp.lines:
            comp.lines.insert(0, english_lead(query, comp.citations))
        text = "\n".join(comp.lines)
        if on_token:
            on_token(text)
        return Answer(answer=text, answerable=bool(comp.citations), citations=comp.citations,
                      warnings=damage_warnings(comp.citations), retrieved=hits,
                      meta={"answerer": self.name, "kind": query.kind.value})

    # -- kinds ------------------------------------------------------------------------------
    def _passages(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: Reply) -> None:
        """Support and look-up: a lead line, then the substantive sentences of up to three clauses."""
        most, share = (MAX_LISTED, 0.45) if wants_list(query.ask) else (MAX_CLAUSES, 0.6)    # 计量方面有哪些安排: more of them
        scored = [(h, comp.ranked(h, terms, query.kind, value=query.asks_for)) for h in hits[:most + 2]]
        scored = [(h, r) for h, r in scored if r]
        if not scored:
            return
        top = max(r[0].score for _, r in scored)
        chosen = [(h, r) for h, r in scored if r[0].score >= share * top and r[0].score > 0][:most] or scored[:1]
        chosen.sort(key=lambda hr: -hr[1][0].score)
        docs = {h.doc.doc_id for h, _ in chosen}
        where = doc_label(chosen[0][0].doc) if len(docs) == 1 else "已收录的文件"
        comp.lines.append(f"{where}中与此相关的规定有 {len(chosen)} 条:")
        for i, (hit, ranked) in enumerate(chosen):
            share, most = (0.25, MAX_SENTENCES) if i == 0 else (0.5, 3)
            keep = [s for s in ranked[:most] if s.score >= share * ranked[0].score]
            if i == 0 and query.terse:        # 中山 合规管理: what the clause says on it, not one sentence
                kept = {k.text for k in keep}
                keep += [s for s in clause_sentences(hit.clause) if s.text not in kept][:most - len(keep)]
            keep.sort(key=lambda s: s.start)
            quoted = "".join(f"{s.text}{comp.cite(hit, s.text)}" for s in keep)
            comp.lines.append(f"- {label(hit)}「{hit.clause.heading}」:{quoted}")
            comp.note_damage(hit, keep)

    def _target(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: Reply) -> None:
        """The sentence holding the asked indicator and its figure, among the top five clauses."""
        picked = comp.best(hits, terms, Kind.TARGET, measure_of(query.ask or query.text), depth=5)
        if not picked:
            return
        hit, sentence = picked
        when = _target_year(hit, sentence)
        if when is not None:                      # "到2025年,…" opens the list the figure belongs to
            comp.quote(hit, when)
        comp.quote(hit, sentence)
        asks = len(re.findall(r"多少|几[个家项大类种年]|哪一?年|比例|比重|how many|how much", query.ask or "", re.I))
        if asks > 1:                              # several figures asked: the clause's other matching ones
            others = [s for s in comp.ranked(hit, terms, Kind.TARGET, measure_of(query.ask))
                      if s.text != sentence.text and (when is None or s.text != when.text)
                      and s.score >= 0.5 * sentence.score and re.search(r"\d", s.text)]
            for s in others[:asks - 1]:
                comp.quote(hit, s)

    def _who(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: Reply) -> None:
        """The units in charge: of the best clause, or of each document's best clause when several
        documents answer and no city narrows the question."""
        for hit in self._answering_clauses(query, hits, terms):
            units, quote = units_text(hit), units_quote(hit.clause)
            ranked = comp.ranked(hit, terms, Kind.WHO_LEADS)
            if units and quote:
                comp.lines.append(f"{label(hit)}「{hit.clause.heading}」:{units} {comp.cite(hit, quote)}")
                if ranked:
                    comp.lines.append(f"  相关条文:{ranked[0].text} {comp.cite(hit, ranked[0].text)}")
                    comp.note_damage(hit, [ranked[0]])
                comp.lines += renamed_notes(hit)
            elif ranked:
                comp.quote(hit, ranked[0])
                comp.lines.append("(该条文未单列责任单位,以上为原文表述。)")

    def _answering_clauses(self, query: Query, hits: list[Hit], terms: dict[str, float]) -> list[Hit]:
        """Each document's answering clause: the first of its two best-ranked clauses that names
        its units (else its best). One document when a city narrows the question; otherwise every
        document whose clause covers PER_DOC_SHARE of what the best one covers."""
        by_doc: dict[str, list[Hit]] = {}
        for hit in hits[:10]:
            by_doc.setdefault(hit.doc.doc_id, []).append(hit)
        chosen = [next((h for h in group[:2] if not h.clause.units.is_empty()), group[0]) for group in by_doc.values()]
        if not chosen:
            return []
        if query.filters.cities or query.places:
            return chosen[:1]
        cover = [coverage(h.clause.norm + " ".join(h.clause.heading_path), terms) for h in chosen]
        return [h for h, c in zip(chosen, cover) if c >= PER_DOC_SHARE * cover[0]][:MAX_DOCS]

    def _duty(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: Reply) -> None:
        duties = on_topic([h for h in hits if in_charge(h.clause, query)], query.topic, self.snap)
        if not duties:
            self._who(query, hits, terms, comp)
            return
        role = "牵头或排在首位" if query.role is Role.LEAD else "负责或参与"
        about = f"与“{query.topic}”有关" if query.topic and len(duties) < sum(in_charge(h.clause, query) for h in hits) else ""
        # a unit that leads a clause answers for all of it: show what the clause opens with; a unit
        # that is one of several: show the sentence that concerns its remit
        remit = remit_terms(self.snap, query.unit or "") if query.role is Role.ANY else set()
        comp.lines.append(f"{query.unit}{role}的{about}工作共 {len(duties)} 项:")
        by_doc: dict[str, list[Hit]] = {}
        for hit in duties:
            by_doc.setdefault(hit.doc.doc_id, []).append(hit)
        for group in by_doc.values():
            comp.lines.append(f"{doc_label(group[0].doc)}:")
            comp.lines += reform_notes(query.unit or "", group)
            for hit in group:
                first = unit_sentence(hit, remit | reformed_remit(query.unit or "", hit) if remit else remit,
                                      terms if query.topic else None)
                units = comp.cite(hit, units_quote(hit.clause) or hit.clause.heading)
                said = f"{first.text}{comp.cite(hit, first.text)}" if first else ""
                comp.lines.append(f"- {hit.clause.clause_id}「{hit.clause.heading}」{duty_tag(hit, query)}{units}:{said}")
                if first:
                    comp.note_damage(hit, [first])

    def _compare(self, query: Query, hits: list[Hit], terms: dict[str, float], comp: Reply) -> None:
        """Per place: its best clause's units (a who question) or its best sentences."""
        who = bool(re.search(r"负责|牵头|部门|单位|谁|机构", query.ask))
        places = list(query.filters.cities) or list(dict.fromkeys(h.doc.place for h in hits))
        by_place: dict[str, list[Hit]] = {}
        for hit in hits:
            by_place.setdefault(hit.doc.place, []).append(hit)
        found = []
        for place in places:
            chosen = _best_clause(by_place.get(place, []), terms)
            ranked = comp.ranked(chosen, terms, Kind.WHO_LEADS if who else Kind.LOOKUP) if chosen else []
            if chosen and ranked and ranked[0].score > 0:
                found.append((place, chosen, ranked[0]))
        top = max((s.score for _, _, s in found), default=0.0)
        quoted: list[str] = []            # a place's sentence that repeats another's is not a difference
        for _place, hit, best in found:
            if best.score < 0.4 * top and not query.filters.cities:
                continue
            units, quote = units_text(hit), units_quote(hit.clause)
            if who and units and quote:
                comp.lines.append(f"- {label(hit)}「{hit.clause.heading}」:{units} {comp.cite(hit, quote)}")
            else:
                ranked = [x for x in comp.ranked(hit, terms, Kind.LOOKUP) if not _echoes(x.text, quoted)] or [best]
                top = ranked[0].score
                keep = sorted([x for x in ranked[:3] if x.score >= 0.5 * top], key=lambda x: x.start)
                quoted += [x.text for x in keep]
                comp.lines.append(f"- {label(hit)}「{hit.clause.heading}」:"
                                  + "".join(f"{x.text}{comp.cite(hit, x.text)}" for x in keep))
                comp.note_damage(hit, keep)
        missing = [p for p in query.filters.cities if p not in {f[0] for f in found}]
        if missing:
            comp.lines.append(f"({'、'.join(missing)}的文件中没有找到相关条款。)")
        if query.more_cities > 0:
            comp.lines.append(f"另有 {query.more_cities} 个城市的文件也提到相关内容。")


def _echoes(text: str, others: list[str], share: float = 0.6) -> bool:
    """Whether a sentence mostly repeats one already quoted (shared character trigrams)."""
    mine = trigrams(text)
    return bool(mine) and any(len(mine & trigrams(o)) >= share * len(mine) for o in others)


def _best_clause(hits: list[Hit], terms: dict[str, float], depth: int = 3) -> Hit | None:
    """A place's answering clause: coverage of the ask by the whole clause and its headings,
    each lower rank discounted (the clause, not one sentence that happens to repeat a word)."""
    scored = [(coverage(h.clause.norm + " ".join(h.clause.heading_path), terms) * (1 - 0.1 * rank), -rank, h)
              for rank, h in enumerate(hits[:depth])]
    return max(scored, key=lambda t: (t[0], t[1]))[2] if scored else None


_FIGURE_ASK = re.compile(r"多少|几[个家项大类种年成]|哪一?年|比例|比重|[达到]?多少|how many|how much|which year|what percentage", re.I)


def asks_figure(ask: str) -> bool:
    """The ask wants a figure (多少, 几家, 哪一年), not the targets as a whole (主要目标)."""
    return bool(_FIGURE_ASK.search(ask))


_BY_YEAR = re.compile(r"^(到|至)?\s*[\d?]{4}\s*年")


def parents(snap: IndexSnapshot, hits: list[Hit]) -> list[Hit]:
    """The clauses that head these ones (一、(二) over its items 1.–5.), for what the lead text
    says of all of them (到2020年)."""
    out: list[Hit] = []
    for hit in hits:
        path = hit.clause.heading_path[:-1]
        lead = next((c for c in snap.documents[hit.doc.doc_id].clauses if path and c.heading_path == path), None)
        if lead is not None and lead is not hit.clause and all(h.clause is not lead for h in hits + out):
            out.append(Hit(clause=lead, doc=hit.doc, score=hit.score))
    return out


def _target_year(hit: Hit, sentence: Sentence) -> Sentence | None:
    """The clause's sentence that says by when ("到2025年,…"), when the figure's own sentence
    names no year and comes after it."""
    if re.search(r"[\d?]{4}\s*年", sentence.text):
        return None
    for s in clause_sentences(hit.clause):
        if s.start < sentence.start and _BY_YEAR.search(s.text):
            return s
    return None


def remit_terms(snap: IndexSnapshot, unit: str) -> set[str]:
    """Words that say what the unit deals with: its remit (rag/understand/data/remits.tsv) and
    the words of its names (住房城乡建设局 -> 住房, 城乡, 建设)."""
    words = {t for name in names_of(unit) for t in snap.tokenizer.tokenize(name)}
    return set(remit(unit)) | {w for w in words if len(w) >= 2 and not w.endswith(("局", "委", "办", "部门"))}


def reformed_remit(unit: str, hit: Hit) -> set[str]:
    """The remit of the bodies a clause names that stand for the unit through a reform (a
    predecessor's duties are what the clause asked of it: 检验检疫局 -> 口岸, 报检)."""
    return {w for name in hit.clause.units.all() if reform_between(unit, name) is not None for w in remit(name)}


def unit_sentence(hit: Hit, remit: set[str], terms: dict[str, float] | None = None) -> Sentence | None:
    """The clause's sentence that concerns the unit most (its remit's words; with `terms`, a duty
    question's topic first), else its first."""
    sentences = clause_sentences(hit.clause)
    if not sentences:
        return None
    return max(sentences, key=lambda s: (coverage(normalise(s.text), terms) if terms else 0.0,
                                         sum(1 for w in remit if w in normalise(s.text)), -s.start))


def on_topic(duties: list[Hit], topic: str, snap: IndexSnapshot) -> list[Hit]:
    """A duty question's clauses about its topic (汕头市场监管局 考核 牵头 -> the 考核 clauses), when
    any is; all of them otherwise (the topic may be a word the clauses do not use)."""
    if not topic:
        return duties
    words = [t for t in snap.tokenizer.tokenize(topic) if len(t) >= 2] or [topic]
    about = [h for h in duties if any(w in h.clause.norm or w in "".join(h.clause.heading_path) for w in words)]
    return about or duties


def renamed_notes(hit: Hit) -> list[str]:
    """For a who-leads answer: the leading bodies the document names whose duties a later reform
    gave to another body ("市质监局" in a 2018 plan), said once, so an official knows whom to ask
    today. The quote keeps the document's name."""
    issued = (hit.doc.date or "")[:4]
    year = int(issued) if issued.isdigit() else None
    notes = []
    for name in dict.fromkeys(leading_units(hit.clause)):
        moves = [r for r in successors(name) if r.carries and r.old == canonical(name) and (year is None or year <= r.year + 1)]
        if moves:
            went = "、".join(f"{r.what}职责已于{r.year}年机构改革划入{r.new}" for r in moves)
            notes.append(f"  注:文件写的“{name}”,其{went}。")
    return notes


def reform_notes(unit: str, hits: list[Hit]) -> list[str]:
    """The bodies a document names for the unit asked about through a reform, said once per
    document: which names the document uses, and where their duties went (or came from). The
    quotes below stay as written."""
    found: dict[str, Reform] = {}
    for hit in hits:
        for name in hit.clause.units.all():
            reform = reform_between(unit, name)
            if reform is not None:
                found.setdefault(name, reform)
    if not found:
        return []
    doc = hits[0].doc
    year = f"({doc.date[:4]}年印发)" if doc.date else ""
    names = "、".join(f"“{n}”" for n in found)
    today = canonical(unit)
    if all(r.new == today for r in found.values()):       # asked by today's name; the plan names predecessors
        moved = "、".join(dict.fromkeys(r.what for r in found.values()))
        rest = [f"{r.what}职责划入{r.new}" for n, f in found.items() for r in successors(n) if r.old == f.old and r.new != today]
        return [f"注:文件{year}写的是{names};{found[next(iter(found))].year}年机构改革后,{moved}职责已划入{unit}"
                + (f"(另有{'、'.join(dict.fromkeys(rest))})" if rest else "") + "。引文保留原文名称。"]
    moved = "、".join(dict.fromkeys(f"{r.what}职责于{r.year}年机构改革划入{r.new}" for r in found.values()))
    return [f"注:{unit}的{moved};文件{year}写的是{names}。"]


def duty_tag(hit: Hit, query: Query) -> str:
    """How the unit stands in the clause: 牵头, 排在首位的责任单位, or one of the units."""
    units = hit.clause.units
    if query.role is Role.LEAD and units.lead and in_charge(hit.clause, query):
        others = [u for u in units.lead if not unit_matches(query.unit or "", u)]
        return f"(与{'、'.join(others)}共同牵头)" if others else "(牵头)"
    if query.role is Role.LEAD and not units.lead:
        return "(排在首位的责任单位)"
    return ""


def english_lead(query: Query, citations: list[Citation]) -> str:
    """One English sentence saying where the answer comes from; the quotes below stay Chinese."""
    docs = list(dict.fromkeys(f"{'national' if c.doc.place == NATIONAL else c.doc.place} — 《{c.doc.title}》"
                              for c in citations))
    what = {Kind.WHO_LEADS: "The units in charge", Kind.DUTY: "The tasks of this unit",
            Kind.TARGET: "The target", Kind.COMPARE: "What each document says"}.get(query.kind, "What the documents say")
    return f"{what}, quoted from {'; '.join(docs)} (Chinese original, with clause numbers):"
