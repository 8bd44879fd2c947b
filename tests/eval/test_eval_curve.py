"""The decline trade-off replayed on hand-made records (no assistant)."""
from __future__ import annotations

from typing import Any

from eval_helpers import make_gold

from eval.curve import DEFAULTS, cases, curve_section, decline_curve, declined_at, dominating, mismatches, sweep_table
from eval.runner import Record
from eval.scoring import QuestionScore
from rag.decide.gate import MIN_COVERAGE, MIN_DENSE, MIN_MASS


def rec(id: str, *, refuse: bool = False, declined: str | None = None, retrieved: bool = True,
        signals: dict[str, Any] | None = None, no_meta: bool = False) -> Record:
    gold = make_gold(id=id, type="refuse" if refuse else "lookup", expect="refuse" if refuse else None)
    answer: dict[str, Any] = {"answer": "", "answerable": declined is None, "citations": [], "warnings": [],
                              "retrieved": [{"doc_id": "d", "clause": "c", "text": "t", "score": 1.0}] if retrieved else []}
    if not no_meta:
        meta: dict[str, Any] = {"signals": {"coverage": 0.0, "mass": 0.0, "dense": 0.0, "unknown": 0.0,
                                            "duty_match": False, "scope": None, "not_stated": False,
                                            **(signals or {})}}
        if declined:
            meta["declined"] = declined
        answer["meta"] = meta
    return Record(gold, QuestionScore(answer_correct=True, refused=declined is not None, false_refusal=False), answer)


# answered, strong evidence: coverage 0.5, mass 6
STRONG = dict(coverage=0.5, mass=6.0, dense=0.3)
# answered on weak evidence: coverage 0.25 passes the default 0.20, not 0.30
WEAK = dict(coverage=0.25, mass=4.0, dense=0.3)


def records() -> list[Record]:
    return [
        rec("strong", signals=STRONG),
        rec("weak", signals=WEAK),
        rec("refuse-weak", refuse=True, signals=dict(coverage=0.25, mass=3.5, dense=0.2)),
        rec("refuse-low", refuse=True, declined="no_evidence", signals=dict(coverage=0.1, mass=1.0, dense=0.2)),
        rec("injection", refuse=True, declined="injection", retrieved=False),
        rec("scope", refuse=True, declined="out_of_scope", signals=dict(scope="2030 年", **STRONG)),
        rec("nohits", refuse=True, declined="no_evidence", retrieved=False),
        rec("duty", signals=dict(duty_match=True)),
        rec("naive", no_meta=True),
    ]


def at(points, value):
    return next(p for p in points if abs(p.value - value) < 1e-9)


def test_answers_without_signals_are_skipped_and_named():
    kept, skipped = cases(records())
    assert skipped == ["naive"] and len(kept) == 8
    lines, _ = curve_section(records(), "hybrid")
    assert any("naive" in line and "without `meta.signals`" in line for line in lines)


def test_fixed_declines_stay_declined_at_any_threshold():
    kept = {c.id: c for c in cases(records())[0]}
    for t in [(0.0, 0.0, -1.0), DEFAULTS, (1.0, 100.0, 1.0)]:
        assert declined_at(kept["injection"], *t) and declined_at(kept["scope"], *t)
        assert declined_at(kept["nohits"], *t)
        assert not declined_at(kept["duty"], *t)          # a duty match answers whatever the thresholds


def test_not_stated_declines_only_when_relevant_is_not_the_reason():
    c = cases([rec("ns", declined="not_stated", signals=dict(not_stated=True, **STRONG))])[0][0]
    assert declined_at(c, *DEFAULTS)
    assert declined_at(c, 0.0, 0.0, 0.0)                 # relevant, but the value is not stated


def test_coverage_sweep_counts_both_errors():
    pts = decline_curve(records(), "min_coverage", [0.0, 0.2, 0.3, 0.6])
    # at 0: coverage test passes for everyone with mass >= 3 -> refuse-weak answered; refuse-low has mass 1
    assert (at(pts, 0.0).false_refusals, at(pts, 0.0).false_answers) == (0, 1)
    assert (at(pts, 0.2).false_refusals, at(pts, 0.2).false_answers) == (0, 1)
    # at 0.3 the weak answerable question is declined, the weak refusal too
    assert (at(pts, 0.3).false_refusals, at(pts, 0.3).false_answers) == (1, 0)
    assert (at(pts, 0.6).false_refusals, at(pts, 0.6).false_answers) == (2, 0)
    assert at(pts, 0.2).is_default and not at(pts, 0.3).is_default
    assert [p.min_mass for p in pts] == [MIN_MASS] * 4 and [p.min_dense for p in pts] == [MIN_DENSE] * 4


def test_scale_sweep_moves_all_three_thresholds():
    pts = decline_curve(records(), "scale", [0.0, 1.0, 2.0])
    one = at(pts, 1.0)
    assert (one.min_coverage, one.min_mass, one.min_dense) == (MIN_COVERAGE, MIN_MASS, MIN_DENSE) and one.is_default
    assert at(pts, 0.0).false_answers == 2               # refuse-low is answered too once nothing is required
    # at 2x: coverage 0.4 and mass 6 -> the weak one declined, the strong one (0.5, 6.0) just passes
    assert at(pts, 2.0).false_refusals == 1 and at(pts, 2.0).false_answers == 0


def test_replay_at_defaults_agrees_with_the_recorded_decisions():
    assert mismatches(records()) == []
    wrong = rec("wrong", declined="no_evidence", signals=STRONG)   # recorded a decline the replay would not make
    assert mismatches([wrong]) == ["wrong"]


def test_dominating_points_and_table_mark_the_default():
    pts = decline_curve(records(), "min_coverage", [0.1, 0.2, 0.3])
    assert dominating(pts) == []                          # 0.3 trades one error for the other
    better = decline_curve([rec("refuse-weak", refuse=True, signals=dict(coverage=0.25, mass=3.5))],
                           "min_coverage", [0.2, 0.3])
    assert [p.value for p in dominating(better)] == [0.3]
    table = sweep_table(pts, n=8, n_refuse=5)
    assert table[0].startswith("| min_coverage |") and "of 3" in table[0] and "of 5" in table[0]
    assert sum("← default" in line for line in table) == 1
    assert table[3] == "| 0.20 | 3.00 | 0.50 | 0 | 1 | 4 | ← default |"
    scaled = sweep_table(decline_curve(records(), "scale", [1.0]), n=8, n_refuse=5)
    assert scaled[0].startswith("| s | min_coverage |") and scaled[2].startswith("| 1 | 0.20 |")


def test_unknown_sweep_is_an_error():
    import pytest

    with pytest.raises(ValueError):
        decline_curve(records(), "mass")


def test_report_draws_the_curve_for_runs_with_signals(tmp_path):
    from eval.report import DECLINE_PNG, write_report
    from eval.runner import ConfigRun

    paths = write_report(tmp_path, [ConfigRun("naive", records()[-1:]), ConfigRun("hybrid", records())], "g.jsonl")
    assert DECLINE_PNG in {p.name for p in paths}
    assert (tmp_path / DECLINE_PNG).read_bytes()[:4] == b"\x89PNG"
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Decline trade-off" in md and "8 answers of hybrid" in md and "← default" in md
    assert "Declined at the defaults: injection (fixed) 1, no_evidence 1, no_evidence (fixed) 1, out_of_scope (fixed) 1." in md
