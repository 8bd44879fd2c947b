"""The decline decision's trade-off, recomputed from the signals each answer carries.

Every product answer's `meta` holds the gate's `signals` and, when it declined, `declined`
(rag/decide/gate.py, rag/pipeline.py). Sweeping the relevance thresholds over those recorded signals
shows, without asking the assistant again, how many answerable questions would be declined
(false refusals) and how many questions the gold expects declined would be answered (false
answers) at each threshold. Pure functions; the plot lives in eval/plots.py.

What the sweep can move: the relevance test (`Signals.relevant`) and, behind it, "not stated".
What it cannot: injection, a foreign place, out of scope, and a question with no retrieved
clause at all; those declines stay as they were. A duty question whose unit is in charge of a
retrieved clause is answered whatever the thresholds, as in the gate.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.decide.gate import MIN_COVERAGE, MIN_DENSE, MIN_MASS, Signals

FIXED_REASONS = frozenset({"injection", "foreign_place", "out_of_scope"})
DEFAULTS = (MIN_COVERAGE, MIN_MASS, MIN_DENSE)
COVERAGE_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(17))      # 0.00 .. 0.80
SCALE_GRID: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(21))          # 0.0 .. 2.0
_SIGNAL_FIELDS = {f.name for f in dataclasses.fields(Signals)}


@dataclass(frozen=True)
class Case:
    """One answer as the sweep sees it."""

    id: str
    should_refuse: bool
    declined: str | None          # the reason recorded, None when it answered
    signals: Signals
    any_retrieved: bool


@dataclass(frozen=True)
class CurvePoint:
    sweep: str                    # "min_coverage" or "scale"
    value: float                  # the swept threshold, or the factor applied to all three
    min_coverage: float
    min_mass: float
    min_dense: float
    false_refusals: int           # answerable gold, declined
    false_answers: int            # gold expects a decline, answered
    declined: int                 # all questions declined at this point

    @property
    def is_default(self) -> bool:
        return all(abs(a - b) < 1e-9 for a, b in zip((self.min_coverage, self.min_mass, self.min_dense), DEFAULTS))


def cases(records: Iterable[Any]) -> tuple[list[Case], list[str]]:
    """The answers that carry signals, and the ids of those skipped (no answer, no signals)."""
    kept: list[Case] = []
    skipped: list[str] = []
    for rec in records:
        gold, answer = rec.gold, rec.answer
        meta = (answer or {}).get("meta") if isinstance(answer, dict) else None
        signals = meta.get("signals") if isinstance(meta, dict) else None
        if not isinstance(signals, dict):
            skipped.append(gold.id)
            continue
        known = {k: v for k, v in signals.items() if k in _SIGNAL_FIELDS}
        kept.append(Case(gold.id, gold.should_refuse, (meta or {}).get("declined"), Signals(**known),
                         bool(answer.get("retrieved"))))
    return kept, skipped


def fixed(case: Case) -> bool:
    """A decline no threshold can undo: injection, a foreign place, out of scope, nothing retrieved."""
    return (case.declined in FIXED_REASONS or bool(case.signals.scope)
            or (case.declined == "no_evidence" and not case.any_retrieved))


def declined_at(case: Case, min_coverage: float, min_mass: float, min_dense: float) -> bool:
    """The gate's decision (rag.decide.gate.CoverageGate.reason) replayed on recorded signals."""
    if fixed(case):
        return True
    if case.signals.duty_match:
        return False
    if not case.signals.relevant(min_coverage, min_mass, min_dense):
        return True
    return case.signals.not_stated


def point(cs: Sequence[Case], sweep: str, value: float, thresholds: tuple[float, float, float]) -> CurvePoint:
    decisions = [(c, declined_at(c, *thresholds)) for c in cs]
    return CurvePoint(
        sweep, value, *thresholds,
        false_refusals=sum(d and not c.should_refuse for c, d in decisions),
        false_answers=sum(c.should_refuse and not d for c, d in decisions),
        declined=sum(d for _, d in decisions),
    )


def decline_curve(records: Sequence[Any], sweep: str = "min_coverage",
                  grid: Sequence[float] | None = None) -> list[CurvePoint]:
    """False refusals and false answers along a sweep of the relevance thresholds.

    sweep="min_coverage": min_coverage takes each grid value, min_mass and min_dense stay at
    their defaults. sweep="scale": all three are the defaults times each grid value. Records
    without signals are left out (see `cases` for which).
    """
    cs, _ = cases(records)
    if sweep == "min_coverage":
        grid = COVERAGE_GRID if grid is None else grid
        return [point(cs, sweep, x, (x, MIN_MASS, MIN_DENSE)) for x in grid]
    if sweep == "scale":
        grid = SCALE_GRID if grid is None else grid
        return [point(cs, sweep, s, (s * MIN_COVERAGE, s * MIN_MASS, s * MIN_DENSE)) for s in grid]
    raise ValueError(f"sweep must be 'min_coverage' or 'scale', got {sweep!r}")


def with_defaults(points: list[CurvePoint], records: Sequence[Any], sweep: str) -> list[CurvePoint]:
    """The points, with the defaults' own point added when the grid misses it."""
    if any(p.is_default for p in points):
        return points
    value = MIN_COVERAGE if sweep == "min_coverage" else 1.0
    extra = decline_curve(records, sweep, [value])
    return sorted(points + extra, key=lambda p: p.value)


def dominating(points: Sequence[CurvePoint]) -> list[CurvePoint]:
    """Points strictly better than the defaults on one count and no worse on the other."""
    default = next((p for p in points if p.is_default), None)
    if default is None:
        return []
    return [p for p in points if not p.is_default
            and p.false_refusals <= default.false_refusals and p.false_answers <= default.false_answers
            and (p.false_refusals, p.false_answers) != (default.false_refusals, default.false_answers)]


def mismatches(records: Sequence[Any]) -> list[str]:
    """Ids whose replayed decision at the defaults differs from the one recorded (rounding of
    the recorded signals, or a gate that changed without this replay)."""
    cs, _ = cases(records)
    return [c.id for c in cs if declined_at(c, *DEFAULTS) != (c.declined is not None)]


def sweep_table(points: Sequence[CurvePoint], n: int, n_refuse: int) -> list[str]:
    """Markdown table of one sweep (a factor column for the scale sweep); the defaults' row marked."""
    scale = bool(points) and points[0].sweep == "scale"
    lines = [("| s " if scale else "") + f"| min_coverage | min_mass | min_dense "
             f"| false refusals (of {n - n_refuse}) | false answers (of {n_refuse}) | declined | |",
             ("|---:" if scale else "") + "|---:|---:|---:|---:|---:|---:|---|"]
    for p in points:
        lines.append((f"| {p.value:g} " if scale else "")
                     + f"| {p.min_coverage:.2f} | {p.min_mass:.2f} | {p.min_dense:.2f} "
                     f"| {p.false_refusals} | {p.false_answers} | {p.declined} | {'← default' if p.is_default else ''} |")
    return lines


def reasons_line(cs: Sequence[Case]) -> str:
    """How the recorded declines split by reason, and which of them the sweep cannot move."""
    counts: dict[str, int] = {}
    for c in cs:
        if c.declined:
            key = c.declined + (" (fixed)" if fixed(c) else "")
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return "No answer was declined at the defaults."
    return "Declined at the defaults: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + \
        ". Fixed declines do not move with the thresholds; nor does the off-topic rule " \
        "(unknown ≥ OFF_TOPIC_UNKNOWN and mass < OFF_TOPIC_MASS), which the sweep keeps."


def curve_section(records: Sequence[Any], name: str) -> tuple[list[str], dict[str, list[CurvePoint]]]:
    """The report's Markdown for one configuration's records, and the points to plot."""
    cs, skipped = cases(records)
    lines: list[str] = []
    if skipped:
        lines += [f"Left out of the sweep: {len(skipped)} answer(s) of {name} without `meta.signals` "
                  f"(an error, the naive baseline or a server that does not report them): "
                  f"{', '.join(skipped[:10])}{' …' if len(skipped) > 10 else ''}.", ""]
    if not cs:
        return lines + [f"No answer of {name} carries signals; no decline curve."], {}
    n_refuse = sum(c.should_refuse for c in cs)
    curves = {s: with_defaults(decline_curve(records, s), records, s) for s in ("min_coverage", "scale")}
    lines += [f"{len(cs)} answers of {name}: {len(cs) - n_refuse} answerable, {n_refuse} to decline. "
              f"Defaults: min_coverage {MIN_COVERAGE}, min_mass {MIN_MASS}, min_dense {MIN_DENSE}.", "",
              reasons_line(cs), ""]
    for s, title in (("min_coverage", "min_coverage swept, the others at their defaults"),
                     ("scale", "all three thresholds times a factor")):
        lines += [f"{title}:", "", *sweep_table(curves[s], len(cs), n_refuse), ""]
        better = dominating(curves[s])
        if better:
            lines += ["Better than the defaults on one count and no worse on the other: "
                      + "; ".join(f"{s} {p.value:g} ({p.false_refusals} / {p.false_answers})" for p in better), ""]
    off = mismatches(records)
    if off:
        lines += [f"Replayed decision differs from the recorded one at the defaults for: {', '.join(off)} "
                  "(the recorded signals are rounded).", ""]
    return lines, curves
