"""Per-question scores of eval/FORMAT.md, as pure functions over a gold question and an answer.

Decisions the format leaves open, made here once:
- Questions without evidence (e.g. refusals) have no recall, MRR or citation recall (None);
  the averages are over questions with evidence only, as FORMAT says "for each question with
  evidence". A set with no evidence at all reports None, never a made-up 0 or 1.
- MRR looks at the whole `retrieved` list as returned (ranks start at 1); an evidence item
  that is not retrieved contributes 0.
- Quote validity is verbatim: the raw quote must be a non-empty substring of the raw text of the
  clause the citation names, as `clause_text(doc_id, clause)` returns it. No normalisation: a
  simplified quote of a traditional clause is not a quote. A clause that does not exist makes
  the citation invalid.
- A question passes when its answer is correct, it carries every expected warning and all its
  quotes are valid; retrieval misses are noted but do not by themselves fail it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eval.contract import Cited, Contract
from eval.gold import GoldQuestion
from eval.text import item_found, normalise, normalise_all

KS: tuple[int, ...] = (1, 3, 5, 10)
ClauseText = Callable[[str, str], "str | None"]
Evidence = Sequence[Sequence[str]]


@dataclass
class QuestionScore:
    answer_correct: bool
    refused: bool
    false_refusal: bool
    recall_at: dict[int, float] | None = None
    reciprocal_rank: float | None = None
    citation_recall: float | None = None
    quotes_valid: int = 0
    quotes_total: int = 0
    warnings_ok: bool | None = None       # None: the question expects no warning
    reasons: list[str] = field(default_factory=list)   # why it fails
    notes: list[str] = field(default_factory=list)     # observations that do not fail it

    @property
    def passed(self) -> bool:
        return self.answer_correct and self.warnings_ok is not False and self.quotes_valid == self.quotes_total


def evidence_share(evidence: Evidence, normalised_texts: Sequence[str]) -> float | None:
    """Share of evidence items found in the texts; None when there is no evidence."""
    if not evidence:
        return None
    return sum(item_found(item, normalised_texts) for item in evidence) / len(evidence)


def recall_at_k(evidence: Evidence, normalised_ranked: Sequence[str], k: int) -> float | None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return evidence_share(evidence, normalised_ranked[:k])


def reciprocal_rank(item: Sequence[str], normalised_ranked: Sequence[str]) -> float:
    """1/rank of the first text that contains the item, 0.0 when none does."""
    for rank, text in enumerate(normalised_ranked, start=1):
        if item_found(item, [text]):
            return 1.0 / rank
    return 0.0


def missing_keys(answer_keys: Evidence, answer: str) -> list[str]:
    """The answer-key items with no alternative in the normalised answer, as 'a | b' strings."""
    norm = [normalise(answer)]
    return [" | ".join(item) for item in answer_keys if not item_found(item, norm)]


def answer_verdict(gold: GoldQuestion, contract: Contract) -> tuple[bool, list[str]]:
    """Answer accuracy of one question and, when it is wrong, why."""
    if gold.should_refuse:
        if contract.answerable:
            return False, ["answered a question it should have declined"]
        return True, []
    if not contract.answerable:
        return False, ["declined an answerable question (false refusal)"]
    missing = missing_keys(gold.answer_keys, contract.answer)
    if missing:
        return False, [f"answer lacks key item(s): {'; '.join(missing)}"]
    return True, []


def quote_problem(cited: Cited, clause_text: ClauseText) -> str | None:
    """None when the quote is a verbatim span of the named clause, else what is wrong."""
    where = f"{cited.doc_id} {cited.clause}"
    if not cited.quote:
        return f"empty quote citing {where}"
    text = clause_text(cited.doc_id, cited.clause)
    if text is None:
        return f"cites a clause that does not exist: {where}"
    if cited.quote not in text:
        return f"quote is not verbatim in {where}: {cited.quote[:40]!r}"
    return None


def missing_warnings(required: Sequence[str], carried: Sequence[str]) -> list[str]:
    return [kind for kind in required if kind not in carried]


def _retrieval_scores(gold: GoldQuestion, contract: Contract, score: QuestionScore) -> None:
    if not gold.evidence:
        return
    ranked = normalise_all(r.text for r in contract.retrieved)
    cited = normalise_all(c.text for c in contract.citations)
    score.recall_at = {k: recall_at_k(gold.evidence, ranked, k) or 0.0 for k in KS}
    score.reciprocal_rank = reciprocal_rank(gold.evidence[0], ranked)
    score.citation_recall = evidence_share(gold.evidence, cited)
    for item in gold.evidence:
        if not item_found(item, ranked[: max(KS)]):
            score.notes.append(f"evidence not retrieved (top {max(KS)}): {' | '.join(item)[:60]}")


def score_question(gold: GoldQuestion, contract: Contract, clause_text: ClauseText) -> QuestionScore:
    """Every FORMAT.md score of one answered question."""
    correct, reasons = answer_verdict(gold, contract)
    score = QuestionScore(
        answer_correct=correct,
        refused=not contract.answerable,
        false_refusal=not gold.should_refuse and not contract.answerable,
        reasons=reasons,
    )
    _retrieval_scores(gold, contract, score)
    problems = [p for p in (quote_problem(c, clause_text) for c in contract.citations) if p]
    score.quotes_total = len(contract.citations)
    score.quotes_valid = score.quotes_total - len(problems)
    score.reasons += problems
    if gold.warnings:
        lacking = missing_warnings(gold.warnings, contract.warning_kinds)
        score.warnings_ok = not lacking
        score.reasons += [f"missing warning {kind!r}" for kind in lacking]
    return score


def error_score(gold: GoldQuestion, message: str) -> QuestionScore:
    """The score of a question whose answer could not be obtained or read: 0 everywhere."""
    score = QuestionScore(answer_correct=False, refused=False, false_refusal=False, reasons=[f"error: {message}"])
    if gold.evidence:
        score.recall_at = {k: 0.0 for k in KS}
        score.reciprocal_rank = 0.0
        score.citation_recall = 0.0
    if gold.warnings:
        score.warnings_ok = False
    return score
