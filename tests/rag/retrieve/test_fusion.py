"""rag/retrieve/fusion.py against brute force on random data, the way sentence-transformers tests its search
functions: many seeded random trials, each compared with the obvious slow computation."""
from __future__ import annotations

import numpy as np
import pytest

from rag.retrieve.fusion import best_per_key, rrf, top_k

TRIALS = range(200)


def random_rankings(rng: np.random.Generator) -> list[list[str]]:
    """1-5 rankings over a shared pool of keys; each ranks a random subset, no key twice, some empty."""
    pool = [f"c{i}" for i in range(int(rng.integers(1, 30)))]
    out = []
    for _ in range(int(rng.integers(1, 6))):
        size = int(rng.integers(0, len(pool) + 1))
        out.append([pool[i] for i in rng.permutation(len(pool))[:size]])
    return out


def brute_rrf(rankings, k, weights):
    scores = {}
    for ranking, w in zip(rankings, weights):
        for key in set(ranking):
            scores[key] = scores.get(key, 0.0) + w / (k + ranking.index(key) + 1)
    return scores


@pytest.mark.parametrize("seed", TRIALS)
def test_rrf_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    rankings = random_rankings(rng)
    k = int(rng.integers(0, 120))
    weights = [float(w) for w in rng.uniform(0.01, 3.0, len(rankings))]
    got = rrf(rankings, k=k, weights=weights)
    want = brute_rrf(rankings, k, weights)
    assert set(got) == set(want)
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-12), key


@pytest.mark.parametrize("seed", range(50))
def test_rrf_unweighted_is_weight_one_and_k_60(seed):
    rankings = random_rankings(np.random.default_rng(seed))
    got = rrf(rankings)
    want = brute_rrf(rankings, 60, [1.0] * len(rankings))
    assert set(got) == set(want) and all(got[key] == pytest.approx(v, rel=1e-12) for key, v in want.items())


def test_rrf_rejects_a_weight_count_that_does_not_match():
    with pytest.raises(ValueError, match="1 weights for 2 rankings"):
        rrf([["a"], ["b"]], weights=[1.0])


def test_rrf_of_nothing_is_empty():
    assert rrf([]) == {} and rrf([[], []]) == {}


# ---------------------------------------------------------------------------------- top_k
def random_scores(rng: np.random.Generator) -> np.ndarray:
    """Scores on a coarse grid, so ties, zeros and negatives are common."""
    n = int(rng.integers(0, 40))
    return rng.integers(-3, 8, n) / 4.0


def brute_top_k(scores: np.ndarray, k: int, mask: np.ndarray | None) -> list[int]:
    """As documented: the k largest positive scores, ties by index, within the mask if given.
    A stable argsort of -scores puts equal scores in index order."""
    order = np.argsort(-scores, kind="stable")
    keep = [int(i) for i in order if scores[i] > 0 and (mask is None or mask[i])]
    return keep[:max(k, 0)]


def check_top_k(scores: np.ndarray, k: int, mask: np.ndarray | None) -> None:
    got = top_k(scores, k, mask=mask)
    want = brute_top_k(scores, k, mask)
    # the same scores in the same order, ordered by (score desc, index), each index once
    assert [scores[i] for i in got] == [scores[i] for i in want]
    assert got == sorted(got, key=lambda i: (-scores[i], i)) and len(set(got)) == len(got)
    assert all(scores[i] > 0 and (mask is None or mask[i]) for i in got)
    # every index above the score at the cut is in, exactly as in the brute force
    if got:
        cut = scores[got[-1]]
        assert [i for i in got if scores[i] > cut] == [i for i in want if scores[i] > cut]


@pytest.mark.parametrize("seed", TRIALS)
def test_top_k_matches_argsort(seed):
    rng = np.random.default_rng(seed)
    scores = random_scores(rng)
    k = int(rng.integers(-1, len(scores) + 3))
    check_top_k(scores, k, None)


@pytest.mark.parametrize("seed", TRIALS)
def test_top_k_with_mask_matches_argsort(seed):
    rng = np.random.default_rng(seed)
    scores = random_scores(rng)
    mask = rng.random(len(scores)) < rng.random()
    k = int(rng.integers(-1, len(scores) + 3))
    check_top_k(scores, k, mask)


@pytest.mark.parametrize("scores,k,mask", [
    pytest.param([1.0, 1.0, 2.0, 2.0], 1, None, id="two tied best, k=1"),
    pytest.param([1.0, 1.0, 2.0, 2.0, 5.0], 1, [1, 1, 1, 1, 0], id="within a mask"),
])
def test_top_k_ties_at_the_cut_go_by_index(scores, k, mask):
    s = np.array(scores)
    m = None if mask is None else np.array(mask, dtype=bool)
    assert top_k(s, k, mask=m) == brute_top_k(s, k, m)


@pytest.mark.parametrize("seed", range(50))
def test_top_k_on_continuous_scores(seed):
    """Without ties, against a plain argsort of the whole array."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=int(rng.integers(1, 300)))
    k = int(rng.integers(1, 20))
    positive = int((scores > 0).sum())
    assert top_k(scores, k) == [int(i) for i in np.argsort(-scores)[:min(k, positive)]]


def test_top_k_integer_scores():
    assert top_k(np.array([0, 3, 1, 3]), 3) == [1, 3, 2]


# ---------------------------------------------------------------------------- best_per_key
@pytest.mark.parametrize("seed", TRIALS)
def test_best_per_key_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_keys = int(rng.integers(1, 12))
    pairs = [(f"k{int(rng.integers(0, n_keys))}", float(rng.integers(-4, 10)) / 2)
             for _ in range(int(rng.integers(0, 40)))]
    got = best_per_key(pairs)
    want = {key: max(s for k2, s in pairs if k2 == key) for key, _ in pairs}
    assert dict(got) == want
    assert len(got) == len(want)                                    # each key once
    assert [s for _, s in got] == sorted(want.values(), reverse=True)  # best first
