"""Running one configuration over a gold set: ask every question, time it, score it."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eval.adapters import Asker
from eval.contract import ContractError, parse_contract
from eval.gold import GoldQuestion
from eval.metrics import Scored, aggregate
from eval.scoring import ClauseText, QuestionScore, error_score, score_question


@dataclass
class Record:
    gold: GoldQuestion
    score: QuestionScore
    answer: dict[str, Any] | None = None      # the contract JSON as returned
    latency_ms: float | None = None
    error: str | None = None


@dataclass
class ConfigRun:
    name: str
    records: list[Record] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    unavailable: str | None = None             # why the configuration could not run at all

    @property
    def passed(self) -> int:
        return sum(r.score.passed for r in self.records)


def ask_and_score(asker: Asker, gold: GoldQuestion, clause_text: ClauseText) -> Record:
    """One question: a wall-clock-timed ask, then the scores; failures become scored errors."""
    start = time.perf_counter()
    try:
        answer = asker.ask(gold.question, history=gold.history or None, filters=None)
    except Exception as e:
        return Record(gold, error_score(gold, f"{type(e).__name__}: {e}"), error=f"{type(e).__name__}: {e}")
    latency_ms = (time.perf_counter() - start) * 1000
    try:
        contract = parse_contract(answer)
    except ContractError as e:
        return Record(gold, error_score(gold, str(e)), answer=answer, latency_ms=latency_ms, error=str(e))
    return Record(gold, score_question(gold, contract, clause_text), answer=answer, latency_ms=latency_ms)


def run_config(
    name: str,
    asker: Asker,
    questions: Sequence[GoldQuestion],
    clause_text: ClauseText,
    progress: Callable[[Sequence[GoldQuestion], str], Any] | None = None,
) -> ConfigRun:
    """Prepare the asker, warm it with one untimed ask, then ask and score every question."""
    try:
        asker.prepare()
        asker.ask(questions[0].question)
    except Exception as e:
        why = f"{type(e).__name__}: {e}"
        print(f"{name}: unavailable: {why}", file=sys.stderr)
        return ConfigRun(name, unavailable=why)
    wrapped = progress(questions, name) if progress else questions
    records = [ask_and_score(asker, q, clause_text) for q in wrapped]
    scored = [Scored(r.gold, r.score) for r in records]
    latencies = [r.latency_ms for r in records if r.latency_ms is not None]
    return ConfigRun(name, records, aggregate(scored, latencies))
