"""`python -m eval bench`: what building and answering cost, against the project's targets.

Every measured phase runs in a fresh subprocess (eval/bench_child.py), so its peak RSS is its
own and no warm cache carries over between builds. Figures are medians with min–max over the
repeats. Growth sizes are multiples of the corpus (eval/synth.py); sizes up to --real-max use
the configured embedder, larger ones seeded random unit vectors (the stores' own cost), each
compared with a 1x build of the same embedder. Speed is only measured here, never in tests.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from eval.bench_child import Phase, PhaseResult
from eval.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "gold_dev.jsonl"


class BenchError(RuntimeError):
    pass


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median with min and max; None everywhere for no values."""
    vals = [float(v) for v in values]
    return {"median": percentile(vals, 50), "min": min(vals, default=None), "max": max(vals, default=None),
            "n": len(vals)}


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise ValueError(f"--sizes must be comma-separated whole numbers such as 1,10,100; got {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise ValueError(f"--sizes must be at least 1 each; got {text!r}")
    return sizes


def run_child(phase: Phase, timeout_s: float) -> PhaseResult:
    cmd = [sys.executable, "-m", "eval.bench_child", json.dumps(asdict(phase))]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BenchError(f"phase {phase} took longer than {timeout_s:.0f} s; raise --timeout or use smaller --sizes")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise BenchError(f"phase {phase} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return PhaseResult(**json.loads(lines[-1]))


@dataclass
class Run:
    """One cold build in a fresh data directory, the timed asks, and optionally a rebuild."""

    result: PhaseResult
    nochange_s: float | None = None

    @property
    def p50(self) -> float | None:
        return percentile(self.result.latencies_ms, 50)

    @property
    def p95(self) -> float | None:
        return percentile(self.result.latencies_ms, 95)


def measure(docs: Path, embedder: str, questions: int, rebuild: bool, timeout_s: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="zhice-bench-") as data:
        first = run_child(Phase(data, str(docs), "cold", embedder, str(GOLD), questions), timeout_s)
        again = run_child(Phase(data, str(docs), "nochange", embedder), timeout_s) if rebuild else None
    return Run(first, again.build_s if again else None)


def summarise(runs: list[Run]) -> dict[str, Any]:
    def of(values: Sequence[float | None]) -> dict[str, Any]:
        return spread([v for v in values if v is not None])

    return {
        "counts": runs[0].result.counts,
        "build_s": of([r.result.build_s for r in runs]),
        "embed_s": of([r.result.embed_s for r in runs]),
        "nochange_s": of([r.nochange_s for r in runs]),
        "ask_p50_ms": of([r.p50 for r in runs]),
        "ask_p95_ms": of([r.p95 for r in runs]),
        "peak_rss_mib": of([r.result.maxrss_mb for r in runs]),
    }


def bench_size(size: int, embedder: str, repeats: int, work: Path, opts: argparse.Namespace) -> dict[str, Any]:
    """Build a corpus `size` times the real one `repeats` times, each followed by timed asks."""
    from eval.synth import make_synthetic_corpus

    docs = ROOT / "corpus"
    if size > 1:
        docs = make_synthetic_corpus(docs, work / f"corpus-x{size}", size, seed=size).directory
    print(f"bench: {size}x corpus, {embedder} embedder, {repeats} run(s)…", file=sys.stderr)
    try:
        runs = [measure(docs, embedder, opts.questions, size == 1, opts.timeout) for _ in range(repeats)]
    finally:
        if size > 1:
            shutil.rmtree(docs, ignore_errors=True)
    return {"size": size, "embedder": embedder, "runs": repeats, **summarise(runs)}


def plan(sizes: list[int], real_max: int) -> list[tuple[int, str]]:
    """(size, embedder) pairs: the configured embedder up to real_max, random vectors above it,
    plus a 1x random build to compare the random sizes with."""
    pairs = [(s, "default" if s <= real_max else "random") for s in sizes]
    if any(e == "random" for _, e in pairs) and (1, "random") not in pairs:
        pairs.insert(1 if (1, "default") in pairs else 0, (1, "random"))
    if (1, "default") not in pairs:
        pairs.insert(0, (1, "default"))     # the headline figures and the targets need it
    return pairs


def ratio_100x(growth: list[dict[str, Any]]) -> float | None:
    """ask p50 at 100x over ask p50 at 1x built with the same embedder."""
    by_key = {(g["size"], g["embedder"]): g["ask_p50_ms"]["median"] for g in growth}
    for (size, embedder), p50 in by_key.items():
        base = by_key.get((1, embedder))
        if size == 100 and p50 is not None and base:
            return p50 / base
    return None


def targets(core: dict[str, Any], growth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        ("ask p50 (hybrid, warm)", "ms", 200.0, core["ask_p50_ms"]["median"]),
        ("ask p95 (hybrid, warm)", "ms", 500.0, core["ask_p95_ms"]["median"]),
        ("cold build", "s", 60.0, core["build_s"]["median"]),
        ("no-change rebuild", "s", 5.0, core["nochange_s"]["median"]),
        ("peak memory, build + answer (worst run)", "MiB", 2048.0, core["peak_rss_mib"]["max"]),
        ("ask p50 at 100x / at 1x", "x", 2.0, ratio_100x(growth)),
    ]
    return [{"name": n, "unit": u, "limit": lim, "value": v, "pass": v is not None and v <= lim}
            for n, u, lim, v in rows]


def fmt_spread(s: dict[str, Any], digits: int = 1) -> str:
    if s["median"] is None:
        return "—"
    text = f"{s['median']:.{digits}f}"
    return text + (f" [{s['min']:.{digits}f}–{s['max']:.{digits}f}]" if s["n"] > 1 else "")


def format_growth(growth: list[dict[str, Any]], embed_s_per_chunk: float | None) -> list[str]:
    head = f"{'size':>6} {'embedder':>8} {'docs':>6} {'clauses':>8} {'chunks':>8} {'build s':>20} " \
           f"{'ask p50 ms':>20} {'ask p95 ms':>20} {'peak MiB':>14}"
    lines = ["Growth: cold build, then the dev questions asked in the same warm process", head]
    for g in growth:
        c = g["counts"]
        lines.append(f"{str(g['size']) + 'x':>6} {('real' if g['embedder'] == 'default' else 'random'):>8} "
                     f"{c.get('documents', 0):>6} {c.get('clauses', 0):>8} {c.get('chunks', 0):>8} "
                     f"{fmt_spread(g['build_s']):>20} {fmt_spread(g['ask_p50_ms']):>20} "
                     f"{fmt_spread(g['ask_p95_ms']):>20} {fmt_spread(g['peak_rss_mib'], 0):>14}")
        if g["embedder"] == "random" and embed_s_per_chunk and g["build_s"]["median"] is not None:
            projected = g["build_s"]["median"] + c.get("chunks", 0) * embed_s_per_chunk
            lines.append(f"{'':>6} with the real embedder this build would take about {projected:.0f} s "
                         f"({embed_s_per_chunk * 1000:.0f} ms a chunk, measured at 1x)")
    return lines


def format_targets(core: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    c = core["counts"]
    lines = [f"Targets (1x corpus: {c.get('documents')} documents, {c.get('clauses')} clauses; "
             f"median [min–max] of {core['runs']} runs)"]
    figures = [core["ask_p50_ms"], core["ask_p95_ms"], core["build_s"], core["nochange_s"], core["peak_rss_mib"]]
    for row, fig in zip(rows, [*figures, None]):
        value = fmt_spread(fig, 0 if row["unit"] == "MiB" else 1) if fig else \
            ("—" if row["value"] is None else f"{row['value']:.2f}")
        value += f" {row['unit']}" if value != "—" else ""
        verdict = "pass" if row["pass"] else ("not measured" if row["value"] is None else "MISS")
        target = f"target <= {row['limit']:g} {row['unit']}"
        lines.append(f"  {row['name']:<42} {value:>24}   {target:<20} {verdict}")
    return lines


def run_bench(opts: argparse.Namespace) -> dict[str, Any]:
    sizes = parse_sizes(opts.sizes)
    growth: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="zhice-synth-") as work:
        for size, embedder in plan(sizes, opts.real_max):
            repeats = opts.repeats if size == 1 else opts.growth_repeats
            growth.append(bench_size(size, embedder, repeats, Path(work), opts))
    core = next(g for g in growth if g["size"] == 1 and g["embedder"] == "default")
    return {"core": core, "growth": growth, "targets": targets(core, growth)}


def main(opts: argparse.Namespace) -> int:
    try:
        results = run_bench(opts)
    except (BenchError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if opts.out:
        Path(opts.out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if opts.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    core = results["core"]
    per_chunk = core["embed_s"]["median"] / core["counts"]["embedded"] if core["counts"].get("embedded") else None
    print("\n".join(format_growth(results["growth"], per_chunk) + [""] + format_targets(core, results["targets"])))
    return 0
