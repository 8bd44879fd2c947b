"""`--report DIR`: report.md with every question of every configuration, the summary, the plots
and metrics.json. Pure text rendering apart from `write_report`, which touches the disk."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from eval.plots import plot_latency, plot_recall
from eval.runner import ConfigRun, Record
from eval.table import format_table, summary_line

RECALL_PNG, LATENCY_PNG = "recall_at_k.png", "latency.png"


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


def by_type(runs: Sequence[ConfigRun]) -> list[str]:
    """Answer accuracy per question type and configuration, as a Markdown table."""
    ran = [r for r in runs if not r.unavailable]
    types = sorted({rec.gold.type for r in ran for rec in r.records})
    lines = ["| type | " + " | ".join(r.name for r in ran) + " |", "|---" * (len(ran) + 1) + "|"]
    for t in types:
        cells = []
        for r in ran:
            recs = [rec for rec in r.records if rec.gold.type == t]
            cells.append(f"{sum(rec.score.answer_correct for rec in recs)}/{len(recs)}")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return lines


def render_report(runs: Sequence[ConfigRun], gold_source: str) -> str:
    n = max((len(r.records) for r in runs), default=0)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Evaluation report", "", f"Gold set `{gold_source}`, {n} questions; {stamp}.", "",
             "## Summary", "", "```", format_table(runs), "```", "", summary_line(runs), "",
             "Answers right, by question type:", "", *by_type(runs), "",
             f"![recall@k by configuration]({RECALL_PNG})", "", f"![answer latency]({LATENCY_PNG})", ""]
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
    """Write report.md, metrics.json and the two PNGs into out_dir; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "report.md"
    md.write_text(render_report(runs, gold_source), encoding="utf-8")
    metrics = out_dir / "metrics.json"
    metrics.write_text(json.dumps({r.name: r.metrics for r in runs}, ensure_ascii=False, indent=2), encoding="utf-8")
    return [md, metrics, plot_recall(runs, out_dir / RECALL_PNG), plot_latency(runs, out_dir / LATENCY_PNG)]
