from __future__ import annotations

import numpy as np
import pytest
from eval_helpers import make_answer, make_gold

from eval.metrics import METRIC_KEYS, Scored, aggregate, mean, percentile
from eval.scoring import score_question


@pytest.mark.parametrize("values", [[5.0], [1.0, 2.0], [3.0, 1.0, 10.0, 7.0, 2.5], list(range(30))])
@pytest.mark.parametrize("q", [0, 50, 95, 100])
def test_percentile_matches_numpy(values, q):
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_and_mean_of_nothing():
    assert percentile([], 50) is None and mean([]) is None
    with pytest.raises(ValueError, match="0..100"):
        percentile([1.0], 101)


def test_aggregate_hand_computed():
    none = lambda *_: None  # noqa: E731
    cases = [
        (make_gold(id="a", evidence=[["甲"]], answer_keys=[["甲"]]), make_answer("甲", retrieved=["乙", "甲"])),
        (make_gold(id="b", evidence=[["丙"]], answer_keys=[["丙"]]), make_answer("", answerable=False)),
        (make_gold(id="c", type="refuse", expect="refuse"), make_answer("no", answerable=False)),
        (make_gold(id="d", type="refuse", expect="refuse"), make_answer("yes", answerable=True)),
    ]
    scored = [Scored(g, score_question(g, a, none)) for g, a in cases]
    m = aggregate(scored, [10.0, 20.0, 30.0, 40.0])
    assert list(m) == list(METRIC_KEYS)
    assert m["answer_accuracy"] == 0.5          # a and c
    assert m["recall@1"] == 0.0 and m["recall@3"] == 0.5   # over a and b only
    assert m["mrr"] == 0.25
    assert m["refusal_accuracy"] == 0.5 and m["false_refusals"] == 1
    assert m["quote_validity"] is None and m["warning_recall"] is None   # nothing to measure
    assert m["latency_p50_ms"] == 25.0
