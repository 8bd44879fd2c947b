"""Retrieval strategy: which searches a question needs, given its kind and filters.

    compare without a city      one search per city of the corpus (one embedding), interleaved
    duty ("what does X lead")   every clause the unit is in charge of, then the ranked search
    anything else               the ranked search

A strategy is one of the swappable parts (rag.types.RetrievalStrategy); tests use a fake.
"""
from __future__ import annotations

from dataclasses import replace

from index.catalog import IndexSnapshot
from index.models import Clause
from rag.retrieve import DenseRetriever, allowed
from rag.types import Filters, Hit, Kind, Query, Retriever, Role
from rag.units import same_unit

RETRIEVED = 10          # length of the `retrieved` list returned
PER_CITY = 3            # clauses per city in a compare question


def leading_units(clause: Clause) -> list[str]:
    """The units in charge first: those named 牵头, else the first-listed of a 责任单位 list."""
    units = clause.units
    if units.lead:
        return list(units.lead)
    return units.responsible[:1]


def in_charge(clause: Clause, query: Query) -> bool:
    """Whether the unit of a duty question leads the clause (asked to lead: 牵头 or listed first)
    or, otherwise, takes any part in it."""
    if not query.unit:
        return False
    names = leading_units(clause) if query.role is Role.LEAD else clause.units.all()
    return any(same_unit(query.unit, n) for n in names)


def duty_hits(snap: IndexSnapshot, query: Query) -> list[Hit]:
    """Every clause (within the filters) where the unit of a duty question is in charge."""
    return [Hit(clause=c, doc=d, score=1.0) for d in snap.documents.values()
            if allowed(snap, d.doc_id, query.filters) for c in d.clauses if in_charge(c, query)]


def interleave(groups: list[list[Hit]]) -> list[Hit]:
    """Best of every group first, then the second of every group, …; each round by score."""
    out: list[Hit] = []
    for rank in range(max((len(g) for g in groups), default=0)):
        out.extend(sorted((g[rank] for g in groups if len(g) > rank), key=lambda h: -h.score))
    return out


class KindAwareStrategy:
    """The product's strategy: per-city searches for comparisons, the unit's own clauses first for
    duty questions, one ranked search otherwise."""

    def __init__(self, *, snapshot: IndexSnapshot, retriever: Retriever, dense: DenseRetriever | None,
                 k: int = RETRIEVED, per_city: int = PER_CITY) -> None:
        if k < 1 or per_city < 1:
            raise ValueError(f"k and per_city must be >= 1, got k={k!r}, per_city={per_city!r}")
        self.snap, self.retriever, self.dense, self.k, self.per_city = snapshot, retriever, dense, k, per_city

    def retrieve(self, query: Query) -> list[Hit]:
        if query.kind == Kind.COMPARE and not query.filters.cities:
            vector = self.dense.vector(query) if self.dense is not None else None
            return interleave([self.retriever.retrieve(replace(query, filters=Filters(cities=[c])), self.per_city, vector)
                               for c in self.snap.cities()])
        hits = self.retriever.retrieve(query, self.k)
        if query.kind != Kind.DUTY:
            return hits
        first = duty_hits(self.snap, query)
        keys = {h.key for h in first}
        return first + [h for h in hits if h.key not in keys]
