"""The decline decision: is any retrieved clause about the question?

One decision over explicit signals, so it can be measured and tuned in one place:
    a duty question whose unit is in charge of the top clause   -> answer
    coverage of the question's weighted terms by the best clause >= MIN_COVERAGE -> answer
    else the best dense similarity >= MIN_DENSE (other language, other words)    -> answer
    else decline (no_evidence)
A decision is one of the swappable parts (rag.types.DeclineDecision); tests use a fake.
"""
from __future__ import annotations

from index.catalog import IndexSnapshot
from rag.evidence import coverage, query_terms
from rag.retrieve import DenseRetriever
from rag.strategy import in_charge
from rag.types import DeclineReason, Hit, Kind, Query

MIN_COVERAGE = 0.34     # share of the question's weighted terms a clause must contain
MIN_DENSE = 0.45        # cosine a clause must reach when the words do not match (other language)


class CoverageGate:
    def __init__(self, *, snapshot: IndexSnapshot, dense: DenseRetriever | None,
                 min_coverage: float = MIN_COVERAGE, min_dense: float = MIN_DENSE) -> None:
        if not 0 <= min_coverage <= 1 or not -1 <= min_dense <= 1:
            raise ValueError(f"min_coverage must be in [0, 1] and min_dense in [-1, 1], got {min_coverage!r}, {min_dense!r}")
        self.snap, self.dense = snapshot, dense
        self.min_coverage, self.min_dense = min_coverage, min_dense

    def decide(self, query: Query, hits: list[Hit]) -> DeclineReason | None:
        if query.refuse_reason:
            return query.refuse_reason
        if not hits:
            return DeclineReason.NO_EVIDENCE
        if query.kind == Kind.DUTY and in_charge(hits[0].clause, query):
            return None
        terms = query_terms(query, self.snap, query.filters.cities)
        best = max(coverage(h.clause.norm + " ".join(h.clause.heading_path), terms) for h in hits)
        if best >= self.min_coverage:
            return None
        ranked = self.dense.ranked(query, 1) if self.dense is not None else []
        return None if ranked and ranked[0][1] >= self.min_dense else DeclineReason.NO_EVIDENCE
