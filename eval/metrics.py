"""Aggregating per-question scores into the figures of one configuration."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from eval.gold import GoldQuestion
from eval.scoring import KS, QuestionScore

METRIC_KEYS: tuple[str, ...] = (
    "answer_accuracy", *(f"recall@{k}" for k in KS), "mrr", "citation_recall", "quote_validity",
    "refusal_accuracy", "false_refusals", "warning_recall", "latency_p50_ms", "latency_p95_ms",
)


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean; None for no values (a metric with nothing to average is not 0)."""
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation, as numpy's default; None if empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Scored:
    gold: GoldQuestion
    score: QuestionScore


def aggregate(scored: Sequence[Scored], latencies_ms: Sequence[float]) -> dict[str, float | int | None]:
    """The FORMAT.md metrics, keyed as in METRIC_KEYS; None where nothing was measured."""
    with_evidence = [s.score for s in scored if s.gold.evidence]
    refusals = [s.score for s in scored if s.gold.should_refuse]
    with_warnings = [s.score for s in scored if s.gold.warnings]
    quotes_total = sum(s.score.quotes_total for s in scored)
    out: dict[str, float | int | None] = {
        "answer_accuracy": mean([float(s.score.answer_correct) for s in scored]),
    }
    for k in KS:
        out[f"recall@{k}"] = mean([s.recall_at[k] for s in with_evidence if s.recall_at is not None])
    out["mrr"] = mean([s.reciprocal_rank for s in with_evidence if s.reciprocal_rank is not None])
    out["citation_recall"] = mean([s.citation_recall for s in with_evidence if s.citation_recall is not None])
    out["quote_validity"] = _share(sum(s.score.quotes_valid for s in scored), quotes_total)
    out["refusal_accuracy"] = mean([float(s.answer_correct) for s in refusals])
    out["false_refusals"] = sum(s.score.false_refusal for s in scored)
    out["warning_recall"] = mean([float(bool(s.warnings_ok)) for s in with_warnings])
    out["latency_p50_ms"] = percentile(latencies_ms, 50)
    out["latency_p95_ms"] = percentile(latencies_ms, 95)
    return out
