"""The report's figures, drawn with matplotlib's Agg backend (no display needed)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.curve import CurvePoint
from eval.runner import ConfigRun
from eval.scoring import KS


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, ax, path: Path) -> Path:
    """Legend (when there is a series), layout, write the PNG, free the figure."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_recall(runs: Sequence[ConfigRun], path: Path) -> Path:
    """recall@k against k, one line per configuration."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in runs:
        values = [r.metrics.get(f"recall@{k}") for k in KS]
        if any(v is not None for v in values):
            ax.plot(KS, [v if v is not None else float("nan") for v in values], marker="o", label=r.name)
    ax.set(xlabel="k", ylabel="recall@k", ylim=(0, 1.05), xticks=KS, title="Retrieval recall@k by configuration")
    ax.grid(alpha=0.3)
    return _save(plt, fig, ax, path)


def plot_latency(runs: Sequence[ConfigRun], path: Path) -> Path:
    """Histogram of per-question latency, one series per configuration."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in runs:
        values = [rec.latency_ms for rec in r.records if rec.latency_ms is not None]
        if values:
            ax.hist(values, bins=20, alpha=0.5, label=r.name)
    ax.set(xlabel="latency of one answer (ms)", ylabel="questions", title="Answer latency (warm process)")
    return _save(plt, fig, ax, path)


def plot_decline(curves: Mapping[str, Sequence[CurvePoint]], path: Path, name: str) -> Path:
    """False refusals and false answers against the thresholds: one panel per sweep, the
    operating point (the gate's defaults) marked."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4), squeeze=False)
    labels = {"min_coverage": "min_coverage (min_mass, min_dense at defaults)",
              "scale": "factor s on all three thresholds (s × defaults)"}
    top = max((max(p.false_refusals, p.false_answers) for ps in curves.values() for p in ps), default=0)
    for ax, (sweep, points) in zip(axes[0], curves.items()):
        xs = [p.value for p in points]
        ax.plot(xs, [p.false_refusals for p in points], marker="o", ms=3, label="false refusals (answerable, declined)")
        ax.plot(xs, [p.false_answers for p in points], marker="s", ms=3, label="false answers (should decline, answered)")
        default = next((p for p in points if p.is_default), None)
        if default is not None:
            ax.axvline(default.value, color="grey", ls="--", lw=1)
            ax.plot([default.value] * 2, [default.false_refusals, default.false_answers], "k*", ms=12,
                    label=f"operating point ({default.false_refusals} / {default.false_answers})")
        ax.set(xlabel=labels.get(sweep, sweep), ylabel="questions", title=f"{sweep} swept")
        ax.set_ylim(-0.5, top + 1)              # a count of 0 stays visible above the axis
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Decline trade-off: {name}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
