"""Retrieval strategy: which searches a question needs, given its kind and filters.

    compare without a city      one search with a larger pool, grouped by city: the best
                                `max_cities` cities (by their best clause), `per_city` clauses
                                each, interleaved; the count of further matching cities goes to
                                query.more_cities ("另有 N 个城市…")
    duty ("what does X lead")   every clause the unit is in charge of, then the ranked search
    anything else               the ranked search

No path runs one search per city: the cost of a question does not grow with the number of cities.

A strategy is one of the swappable parts (rag.types.RetrievalStrategy); tests use a fake.
"""
from __future__ import annotations

import re

import numpy as np

from index.catalog import MIN_HEADING, IndexSnapshot
from index.document import FRONT
from index.models import Clause
from index.text import compact, normalise
from rag.retrieve.retrievers import DenseRetriever, LexicalRetriever
from rag.retrieve.sections import find_section, wants_list
from rag.types import Filters, Hit, Kind, Query, Retriever, Role
from rag.understand.units import unit_matches

RETRIEVED = 10          # length of the `retrieved` list returned
PER_CITY = 3            # clauses per city in a compare question
MAX_CITIES = 5          # cities a compare question shows (components: the answerer's top_k)
POOL_PER_CITY = 4       # a compare search's pool: max_cities * per_city * this many clauses
MATCH_RATIO = 0.5       # a city matches when its best chunk has >= this share of the top BM25 score


def leading_units(clause: Clause) -> list[str]:
    """The units in charge first: those named 牵头, else the first-listed of a 责任单位 list."""
    units = clause.units
    if units.lead:
        return list(units.lead)
    return units.responsible[:1]


def in_charge(clause: Clause, query: Query) -> bool:
    """Whether the unit of a duty question leads the clause (asked to lead: 牵头 or listed first)
    or, otherwise, takes any part in it: by any of its names, or as the predecessor (or successor)
    that a reform gave its duties to (rag.understand.units.reform_between)."""
    if not query.unit:
        return False
    names = leading_units(clause) if query.role is Role.LEAD else clause.units.all()
    return any(unit_matches(query.unit, n) for n in names)


def duty_hits(snap: IndexSnapshot, query: Query, units: UnitClauses | None = None) -> list[Hit]:
    """Every clause (within the filters) where the unit of a duty question is in charge, by
    document (in filter order) and clause order. With `units` (the snapshot's table) only the
    clauses of the unit names that match are visited, not every clause of the corpus."""
    if not query.unit:
        return []
    f = query.filters
    docs = snap.allowed_docs(f.cities, f.doc_ids)
    if units is None:
        return [Hit(clause=c, doc=snap.documents[d], score=1.0) for d in docs
                for c in snap.documents[d].clauses if in_charge(c, query)]
    rank = snap.doc_rank if f.is_empty() else {d: i for i, d in enumerate(docs)}
    found = sorted({(rank[c.doc_id], n, c.clause_id): c for c, n in units.clauses(query.unit, query.role)
                    if c.doc_id in rank}.items())
    return [Hit(clause=c, doc=snap.documents[c.doc_id], score=1.0) for _, c in found]


class UnitClauses:
    """Per snapshot: each unit name as the clauses list it -> the clauses it leads (牵头, or first
    of a 责任单位 list) and the clauses it takes any part in. A duty question matches the asked
    unit against the distinct names (a few hundred, at any corpus size) instead of against every
    unit of every clause."""

    def __init__(self, snap: IndexSnapshot) -> None:
        self.lead: dict[str, list[tuple[Clause, int]]] = {}
        self.part: dict[str, list[tuple[Clause, int]]] = {}
        for d in snap.documents.values():
            for n, c in enumerate(d.clauses):
                for name in dict.fromkeys(leading_units(c)):
                    self.lead.setdefault(name, []).append((c, n))
                for name in dict.fromkeys(c.units.all()):
                    self.part.setdefault(name, []).append((c, n))

    def clauses(self, unit: str, role: Role) -> list[tuple[Clause, int]]:
        """(clause, its position in its document) where `unit` is in charge as in_charge() says."""
        table = self.lead if role is Role.LEAD else self.part
        return [hit for name, hits in table.items() if unit_matches(unit, name) for hit in hits]


def interleave(groups: list[list[Hit]]) -> list[Hit]:
    """Best of every group first, then the second of every group, …; each round by score."""
    out: list[Hit] = []
    for rank in range(max((len(g) for g in groups), default=0)):
        out.extend(sorted((g[rank] for g in groups if len(g) > rank), key=lambda h: -h.score))
    return out


def group_by_place(hits: list[Hit], max_places: int, per_place: int) -> tuple[list[list[Hit]], list[str]]:
    """Hits (best first) grouped by their document's place, places in the order of their best hit:
    the first `max_places` groups, each cut to `per_place` hits, and the further places, in order."""
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.doc.place, []).append(h)
    places = list(groups)
    return [groups[p][:per_place] for p in places[:max_places]], places[max_places:]


def matching_places(scores: np.ndarray, place_of: np.ndarray, places: list[str], ratio: float = MATCH_RATIO) -> set[str]:
    """Places with a chunk whose lexical score is positive and at least `ratio` of the best one."""
    if not len(scores) or float(np.max(scores)) <= 0:
        return set()
    limit = max(ratio * float(np.max(scores)), np.finfo(float).tiny)
    above = place_of[(scores >= limit) & (place_of >= 0)]        # vectorised: no per-chunk Python
    return {places[i] for i in np.unique(above)}



NAMED_HEADING = MIN_HEADING    # a clause heading of at least this many characters, written out in the question
NAMED_LONGEST = 40   # longest heading looked for
NAMED_SCAN = 300     # characters of the ask searched for headings


def named_clauses(query: Query, snap: IndexSnapshot) -> list[tuple[str, str]]:
    """The clauses whose heading the question writes out word for word (优化质量基础设施管理): the
    ones asked about. At most three count. With a filter, only its documents' headings are looked
    at; without one, the lookup stops at the fourth match (a heading every copy of a plan shares
    would otherwise gather thousands of keys a question)."""
    keys = named_keys(compact(query.ask or query.text)[:NAMED_SCAN], query.filters, snap)
    return [k for k in sorted(keys or ()) if snap.clause(*k) is not None] if keys and len(keys) <= 3 else []


def numbered_clauses(query: Query, snap: IndexSnapshot) -> list[tuple[str, str]]:
    """The clauses a question names by number (第三十条 -> (三十)) in its place's documents."""
    if not query.articles or not query.filters.cities:
        return []
    docs = snap.allowed_docs(query.filters.cities, query.filters.doc_ids)
    return [(d, c.clause_id) for d in docs for c in snap.documents[d].clauses
            for a in query.articles if f"({a})" in c.clause_id][:3]


_GOAL_WORDS = frozenset("目标 主要 总体 发展 指标 主要指标 质量 强市 质量强市 强国 质量强国 工作 任务 是 什么 哪些 有 的 要 达到 "
                        "提升 产品质量 提升行动".split())
_BY_YEAR = re.compile(r"(?:到|至)\s*20[\d?]{2}\s*年")
GOAL_CLAUSES = 2          # clauses quoted for a plan's goals when no heading says 目标


def goal_clauses(query: Query, snap: IndexSnapshot) -> list[tuple[str, str]]:
    """A question for a place's goals as such (汕头质量强市目标, 东莞产品质量提升目标: nothing asked
    besides 目标 and the words of the plan's own title): the clauses headed 目标 in its documents,
    else those stating most targets by year (到2015年…)."""
    if query.kind != Kind.TARGET or not query.filters.cities:
        return []
    docs = snap.allowed_docs(query.filters.cities, query.filters.doc_ids)
    titled = {t for d in docs for t in snap.tokenizer.tokenize(normalise(snap.documents[d].title))}   # the plan named
    words = [t for t in snap.tokenizer.tokenize(query.focus or query.ask) if t.strip() and t not in _GOAL_WORDS
             and t not in titled and t not in query.filters.cities and t.removesuffix("市") not in query.filters.cities]
    if words or "目标" not in (query.ask or ""):
        return []
    headed = [(d, c.clause_id) for d in docs for c in snap.documents[d].clauses if "目标" in c.heading]
    if headed:
        return headed[:3]
    counted = sorted(((len(_BY_YEAR.findall(c.norm)), -c.order, d, c.clause_id) for d in docs for c in snap.documents[d].clauses),
                     reverse=True)
    return [(d, cid) for n, _, d, cid in counted[:GOAL_CLAUSES] if n]


TOPIC_DEPTH = 10         # retrieved clauses a terse topic's heading is looked for in (no place named)
TOPIC_CLAUSES = 3        # more clauses headed by the topic than this: it is a theme, not a clause


def topic_clauses(query: Query, snap: IndexSnapshot, hits: list[Hit]) -> list[tuple[str, str]]:
    """The clauses headed by a terse query's topic (懷仁 質量多元共治 -> 八、(五)「打造质量多元共治格局」):
    every topic word in the heading. Looked for in the place's documents, else in the clauses
    retrieved; none when more than TOPIC_CLAUSES are so headed."""
    if not query.terse:
        return []
    if not query.filters.is_empty():
        pool = [(heading, d, cid) for d in snap.allowed_docs(query.filters.cities, query.filters.doc_ids)
                for heading, cid in snap.doc_headings.get(d, ())]
    else:
        pool = [(compact(h.clause.heading), *h.key) for h in hits[:TOPIC_DEPTH]]
    keys = list(dict.fromkeys((d, cid) for heading, d, cid in pool
                              if cid != FRONT and all(t in heading.lower() for t in query.terse)))
    return keys if len(keys) <= TOPIC_CLAUSES else []


def chapter_of(snap: IndexSnapshot, key: tuple[str, str]) -> tuple[str, list[tuple[str, str]]] | None:
    """(heading, clause keys) of the chapter a clause belongs to, when it has two or more clauses."""
    clause = snap.clause(*key)
    if clause is None or not clause.heading_path:
        return None
    head = clause.heading_path[0]
    members = [(c.doc_id, c.clause_id) for c in snap.documents[key[0]].clauses if c.heading_path[:1] == [head]]
    return (head, members) if len(members) >= 2 else None


def pinned_first(hits: list[Hit], keys: list[tuple[str, str]], snap: IndexSnapshot) -> list[Hit]:
    """The clauses `keys` first, in their order (fetched from the index when retrieval missed them),
    then the other hits."""
    pinned = [(snap.documents[d], c) for d, cid in keys if (c := snap.clause(d, cid)) is not None]
    found = {h.key: h for h in hits}
    first = [found.get((c.doc_id, c.clause_id)) or Hit(clause=c, doc=d, score=1.0) for d, c in pinned]
    return first + [h for h in hits if h.key not in set(keys)]


def named_keys(text: str, filters: Filters, snap: IndexSnapshot) -> set[tuple[str, str]] | None:
    """(doc id, clause id) of the headings (NAMED_HEADING..NAMED_LONGEST characters) written out in
    `text`, within the filters; None when there are more than three."""
    if not filters.is_empty():
        keys = {(d, cid) for d in snap.allowed_docs(filters.cities, filters.doc_ids)
                for heading, cid in snap.doc_headings.get(d, ()) if len(heading) <= NAMED_LONGEST and heading in text}
        return keys if len(keys) <= 3 else None
    found: set[tuple[str, str]] = set()
    for n in range(NAMED_HEADING, min(len(text), NAMED_LONGEST) + 1):
        for i in range(len(text) - n + 1):
            found.update(snap.headings.get(text[i:i + n], ()))
            if len(found) > 3:
                return None
    return found



class KindAwareStrategy:
    """The product's strategy: one grouped search for comparisons, the unit's own clauses first
    for duty questions, one ranked search otherwise."""

    def __init__(self, *, snapshot: IndexSnapshot, retriever: Retriever, dense: DenseRetriever | None,
                 lexical: LexicalRetriever | None = None, k: int = RETRIEVED, per_city: int = PER_CITY,
                 max_cities: int = MAX_CITIES) -> None:
        if k < 1 or per_city < 1 or max_cities < 1:
            raise ValueError(f"k, per_city and max_cities must be >= 1, got k={k!r}, per_city={per_city!r}, "
                             f"max_cities={max_cities!r}")
        self.snap, self.retriever, self.dense, self.lexical = snapshot, retriever, dense, lexical
        self.k, self.per_city, self.max_cities = k, per_city, max_cities
        self.units = UnitClauses(snapshot)

    def compare(self, query: Query) -> list[Hit]:
        """One search over the whole corpus, grouped by city. Sets query.more_cities: the cities
        beyond the ones returned that also match — in the pool, or lexically anywhere."""
        pool = self.retriever.retrieve(query, self.max_cities * self.per_city * POOL_PER_CITY)
        groups, further = group_by_place(pool, self.max_cities, self.per_city)
        if query.filters.cities:                  # the places named: each of them, nothing further
            return interleave(groups)
        others = set(further)
        if self.lexical is not None:
            others |= matching_places(self.lexical.scores(query), self.snap.chunk_place, self.snap.places)
        query.more_cities = len(others - {g[0].doc.place for g in groups})
        return interleave(groups)

    def retrieve(self, query: Query) -> list[Hit]:
        """The ranked clauses; sets query.named, query.section and query.more_cities on the way. A
        document's front matter (its 发文 part) answers questions about the document, not about
        a topic: it goes last for every other question."""
        hits = self._retrieve(query)
        if query.kind == Kind.DOCUMENT:
            return hits
        return [h for h in hits if h.clause.clause_id != FRONT] + [h for h in hits if h.clause.clause_id == FRONT]

    def _retrieve(self, query: Query) -> list[Hit]:
        if query.kind == Kind.COMPARE:
            return self.compare(query)
        hits = self.retriever.retrieve(query, self.k)
        if query.kind == Kind.DUTY:
            first = duty_hits(self.snap, query, self.units)
            keys = {h.key for h in first}
            return first + [h for h in hits if h.key not in keys]
        if query.pinned and query.pinned_chapter:   # 那一章下面一共有几条: the chapter of the clause shown
            chapter = chapter_of(self.snap, query.pinned[0])
            if chapter is not None:
                query.section_title, query.section = chapter
                return pinned_first(hits, query.section, self.snap)
        if query.pinned:                            # a follow-up that points into the last answer
            return pinned_first(hits, query.pinned, self.snap)
        query.named = named_clauses(query, self.snap) or numbered_clauses(query, self.snap) or \
            goal_clauses(query, self.snap) or topic_clauses(query, self.snap, hits)
        if query.named:
            return pinned_first(hits, query.named, self.snap)
        section = find_section(query, hits, self.snap) if wants_list(query.ask) else None
        if section is not None:
            query.section_title, query.section = section
            return pinned_first(hits, query.section, self.snap)
        return hits
