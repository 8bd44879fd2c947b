"""The benchmark's arithmetic and planning; no timing is asserted anywhere."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval.bench import fmt_spread, format_growth, format_targets, parse_sizes, plan, ratio_to_1x, spread, targets
from eval.bench_child import Phase, PhaseResult, TimedEmbedder, run_phase
from eval.embedders import RandomUnitEmbedder


def test_spread():
    assert spread([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3}
    assert spread([]) == {"median": None, "min": None, "max": None, "n": 0}
    assert fmt_spread(spread([3.0, 1.0, 2.0])) == "2.0 [1.0–3.0]"
    assert fmt_spread(spread([2.0])) == "2.0" and fmt_spread(spread([])) == "—"


def test_parse_sizes():
    assert parse_sizes("100, 1,10,10") == [1, 10, 100]
    for bad in ("", "0,10", "1,ten"):
        with pytest.raises(ValueError, match="--sizes"):
            parse_sizes(bad)


def test_plan_adds_the_baselines_it_compares_with():
    assert plan([1, 10], real_max=10) == [(1, "default"), (10, "default")]
    assert plan([1, 10, 100], real_max=10) == [(1, "default"), (1, "random"), (10, "default"), (100, "random")]
    assert plan([100], real_max=100) == [(1, "default"), (100, "default")]
    assert plan([1000], real_max=100) == [(1, "default"), (1, "random"), (1000, "random")]


def row(size: int, embedder: str, p50: float | None, p95: float | None = None, peak: float = 500.0) -> dict:
    return {"size": size, "embedder": embedder, "ask_p50_ms": spread([p50] if p50 is not None else []),
            "ask_p95_ms": spread([p95 if p95 is not None else (p50 or 0.0) * 1.5]), "peak_rss_mib": spread([peak]),
            "build_s": spread([10.0]), "chunks_per_s": spread([100.0]), "counts": {"chunks": 1000}}


def test_ratio_compares_same_embedder():
    growth = [row(1, "default", 50.0), row(1, "random", 20.0), row(100, "random", 50.0)]
    assert ratio_to_1x(growth, 100, "random") == 2.5
    assert ratio_to_1x(growth, 100, "default") is None
    assert ratio_to_1x([row(1, "default", 50.0), row(10, "default", 60.0)], 10, "default") == pytest.approx(1.2)


def test_targets_pass_and_miss():
    core = {k: spread([v]) for k, v in
            [("ask_p50_ms", 150.0), ("ask_p95_ms", 600.0), ("build_s", 20.0), ("nochange_s", 0.2), ("peak_rss_mib", 500.0)]}
    core["counts"], core["runs"] = {"documents": 5, "clauses": 100}, 1
    growth = [row(1, "default", 50.0), row(1, "random", 20.0), row(10, "default", 90.0, 200.0),
              row(1000, "random", 45.0, 400.0, peak=5000.0)]
    rows = {r["name"]: r for r in targets(core, growth)}
    assert rows["ask p50 (hybrid, warm)"]["pass"] is True
    assert rows["ask p95 (hybrid, warm)"]["pass"] is False
    assert rows["no-change rebuild"]["pass"] is True and rows["no-change rebuild"]["limit"] == 0.5
    assert rows["ask p50 at 10x real / at 1x"]["value"] == pytest.approx(1.8) and rows["ask p50 at 10x real / at 1x"]["pass"]
    assert rows["ask p50 at 1000x random / at 1x"]["value"] == pytest.approx(2.25)
    assert not rows["ask p50 at 1000x random / at 1x"]["pass"]
    assert rows["ask p95 at 10x real"]["pass"] and not rows["ask p95 at 1000x random"]["pass"]
    assert rows["peak memory at 1000x"]["value"] == 5000.0 and not rows["peak memory at 1000x"]["pass"]
    text = "\n".join(format_targets(core, targets(core, growth)) + format_growth(growth, 0.1))
    assert "MISS" in text and "2.25x" in text
    small = {r["name"]: r for r in targets(core, growth[:3])}
    assert small["peak memory at 10x (1000x not run)"]["value"] is None


def test_timed_embedder_counts():
    timed = TimedEmbedder(RandomUnitEmbedder(dim=8))
    out = timed.embed(["a", "b", "c"])
    assert out.shape == (3, 8) and timed.texts == 3 and timed.seconds >= 0
    assert timed.name == RandomUnitEmbedder(dim=8).name


def test_build_phase_takes_an_injected_embedder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    src = Path(__file__).resolve().parents[2] / "corpus" / "004_7576dc47cb756209.txt"
    (docs / src.name).write_bytes(src.read_bytes())
    result = run_phase(Phase(str(tmp_path / "data"), str(docs), "cold", "random"))
    assert isinstance(result, PhaseResult)
    assert result.counts["documents"] == 1 and result.counts["embedded"] == result.counts["chunks"] > 0
    again = run_phase(Phase(str(tmp_path / "data"), str(docs), "nochange", "random"))
    assert again.counts["embedded"] == 0
    assert np.isfinite(result.maxrss_mb) and result.maxrss_mb > 0


def test_phase_values_are_checked():
    with pytest.raises(ValueError, match="default, random"):
        Phase("d", "c", "cold", "fake")
    with pytest.raises(ValueError, match="none, cold, nochange"):
        Phase("d", "c", "warm")
    with pytest.raises(ValueError, match="gold"):
        Phase("d", "c", questions=3)
