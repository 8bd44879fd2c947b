"""`--report DIR`: report.md with every question of every configuration, the summary, the plots
and metrics.json. Pure text rendering apart from `write_report`, which touches the disk."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.curve import cases, curve_section
from eval.plots import plot_decline, plot_latency, plot_recall
from eval.runner import ConfigRun, Record
from eval.table import format_table, summary_line

RECALL_PNG, LATENCY_PNG, DECLINE_PNG = "recall_at_k.png", "latency.png", "decline_tradeoff.png"


def _clip(text: str, n: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _expected(rec: Record) -> str:
    g = rec.gold
    if g.should_refuse:
        want = "decline (the corpus does not cover it)"
    else:
        want = "keys " + (" · ".join("/".join(f"`{a}`" for a in item) for item in g.answer_keys) or "(none)")
    return want + (f"; warnings: {', '.join(g.warnings)}" if g.warnings else "")


def _answer_lines(answer: dict[str, Any]) -> list[str]:
    lines = [f"- answerable: {answer.get('answerable')}; answer: {_clip(str(answer.get('answer', '')))}"]
    for c in answer.get("citations") or []:
        lines.append(f"  - cites {c.get('doc_id')} {c.get('clause')}: “{_clip(str(c.get('quote', '')), 80)}”")
    kinds = [w.get("kind") for w in answer.get("warnings") or [] if isinstance(w, dict)]
    if kinds:
        lines.append(f"  - warnings: {', '.join(map(str, kinds))}")
    top = [f"{r.get('doc_id')} {r.get('clause')}" for r in (answer.get("retrieved") or [])[:5]]
    if top:
        lines.append(f"  - top retrieved: {'; '.join(top)}")
    return lines


def render_record(rec: Record) -> list[str]:
    verdict = "PASS" if rec.score.passed else "FAIL"
    latency = f", {rec.latency_ms:.0f} ms" if rec.latency_ms is not None else ""
    lines = [f"#### {rec.gold.id} — {verdict}{latency}", "", f"- question: {rec.gold.question}"]
    lines += [f"- earlier turn: {_clip(u, 80)} → {_clip(a, 80)}" for u, a in rec.gold.history]
    lines.append(f"- expected: {_expected(rec)}")
    if rec.answer is not None:
        lines += _answer_lines(rec.answer)
    lines += [f"- why it fails: {r}" for r in rec.score.reasons]
    lines += [f"- note: {n}" for n in rec.score.notes]
    return lines + [""]


LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en")


def question_language(text: str) -> str:
    """`en` when mostly Latin letters, `zh-Hant` when written in traditional characters, else `zh-Hans`."""
    from index.text import is_traditional
    from rag.understand.english import is_english

    if is_english(text):
        return "en"
    return "zh-Hant" if is_traditional(text) else "zh-Hans"


def accuracy_by(runs: Sequence[ConfigRun], label: str, key: Callable[[Record], str],
                order: Sequence[str] = ()) -> list[str]:
    """Answers right / questions per group (rows) and configuration (columns), as a Markdown table.
    Groups listed in `order` come first, in that order, then any others sorted."""
    ran = [r for r in runs if not r.unavailable]
    present = {key(rec) for r in ran for rec in r.records}
    groups = [g for g in order if g in present] + sorted(present - set(order))
    lines = [f"| {label} | " + " | ".join(r.name for r in ran) + " |", "|---" * (len(ran) + 1) + "|"]
    for g in groups:
        cells = []
        for r in ran:
            recs = [rec for rec in r.records if key(rec) == g]
            cells.append(f"{sum(rec.score.answer_correct for rec in recs)}/{len(recs)}")
        lines.append(f"| {g} | " + " | ".join(cells) + " |")
    return lines


def by_type(runs: Sequence[ConfigRun]) -> list[str]:
    """Answer accuracy per question type and configuration, as a Markdown table."""
    return accuracy_by(runs, "type", lambda rec: rec.gold.type)


def by_language(runs: Sequence[ConfigRun]) -> list[str]:
    """Answer accuracy per language of the question (`question_language`) and configuration."""
    return accuracy_by(runs, "language", lambda rec: question_language(rec.gold.question), LANGUAGES)


def curve_run(runs: Sequence[ConfigRun]) -> ConfigRun | None:
    """The run the decline curve is drawn for: the product (hybrid) when it ran, else the first
    that ran; None when none did."""
    ran = [r for r in runs if not r.unavailable]
    return next((r for r in ran if r.name == "hybrid"), ran[0] if ran else None)


def decline_section(runs: Sequence[ConfigRun]) -> tuple[list[str], dict[str, Any], str]:
    """The report's decline trade-off: its Markdown, the curves to plot and the run's name."""
    run = curve_run(runs)
    if run is None:
        return [], {}, ""
    lines, curves = curve_section(run.records, run.name)
    head = ["## Decline trade-off", "",
            "The decline decision replayed on each answer's recorded signals (eval/curve.py) while "
            "the relevance thresholds move; the assistant is not asked again.", ""]
    if curves:
        head += [f"![decline trade-off]({DECLINE_PNG})", ""]
    kept, _ = cases(run.records)
    return head + lines, curves, f"{run.name}, {len(kept)} answers"


def render_report(runs: Sequence[ConfigRun], gold_source: str) -> str:
    n = max((len(r.records) for r in runs), default=0)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Evaluation report", "", f"Gold set `{gold_source}`, {n} questions; {stamp}.", "",
             "## Summary", "", "```", format_table(runs), "```", "", summary_line(runs), "",
             "Answers right, by question type:", "", *by_type(runs), "",
             "Answers right, by language of the question:", "", *by_language(runs), "",
             f"![recall@k by configuration]({RECALL_PNG})", "", f"![answer latency]({LATENCY_PNG})", "",
             *decline_section(runs)[0]]
    for r in runs:
        lines += [f"## {r.name}", ""]
        if r.unavailable:
            lines += [f"Unavailable: {r.unavailable}", ""]
            continue
        lines += [f"{r.passed}/{len(r.records)} passed.", ""]
        for rec in r.records:
            lines += render_record(rec)
    return "\n".join(lines)


def write_report(out_dir: Path, runs: Sequence[ConfigRun], gold_source: str) -> list[Path]:
    """Write report.md, metrics.json and the PNGs into out_dir (the decline trade-off only when
    the answers carry signals); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "report.md"
    md.write_text(render_report(runs, gold_source), encoding="utf-8")
    metrics = out_dir / "metrics.json"
    metrics.write_text(json.dumps({r.name: r.metrics for r in runs}, ensure_ascii=False, indent=2), encoding="utf-8")
    paths = [md, metrics, plot_recall(runs, out_dir / RECALL_PNG), plot_latency(runs, out_dir / LATENCY_PNG)]
    _, curves, name = decline_section(runs)
    if curves:
        paths.append(plot_decline(curves, out_dir / DECLINE_PNG, name))
    return paths
