"""The report's figures, drawn with matplotlib's Agg backend (no display needed)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from eval.runner import ConfigRun
from eval.scoring import KS


def _pyplot():  # type: ignore[no-untyped-def]
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
