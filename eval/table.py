"""The summary: one column per configuration, as text (stdout) or JSON (--json)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.metrics import METRIC_KEYS
from eval.runner import ConfigRun

MISSING = "—"


def format_value(key: str, value: Any) -> str:
    if value is None:
        return MISSING
    if key == "false_refusals":
        return str(int(value))
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.3f}"


def format_table(runs: Sequence[ConfigRun]) -> str:
    """Header row, then one row per metric; unavailable configurations show dashes."""
    width = max(len(k) for k in METRIC_KEYS) + 2
    cols = [max(8, len(r.name) + 2) for r in runs]
    lines = ["metric".ljust(width) + "".join(r.name.rjust(c) for r, c in zip(runs, cols))]
    for key in METRIC_KEYS:
        cells = [format_value(key, r.metrics.get(key)).rjust(c) for r, c in zip(runs, cols)]
        lines.append(key.ljust(width) + "".join(cells))
    return "\n".join(lines)


def summary_line(runs: Sequence[ConfigRun]) -> str:
    """What the table cannot show: questions passed, errors, configurations that did not run."""
    parts = []
    for r in runs:
        if r.unavailable:
            parts.append(f"{r.name} unavailable ({r.unavailable[:80]})")
        else:
            errors = sum(rec.error is not None for rec in r.records)
            parts.append(f"{r.name} {r.passed}/{len(r.records)}" + (f" ({errors} errors)" if errors else ""))
    return "passed (answer right, warnings carried, quotes valid): " + "; ".join(parts)


def metrics_json(runs: Sequence[ConfigRun]) -> dict[str, Any]:
    """One run: its metrics object; several: {config: metrics}."""
    by_name = {r.name: {k: r.metrics.get(k) for k in METRIC_KEYS} for r in runs}
    return next(iter(by_name.values())) if len(runs) == 1 else by_name
