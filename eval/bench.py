"""`python -m eval bench`: what building and answering cost, against the project's targets.

Every measured phase runs in a fresh subprocess (eval/bench_child.py), so its peak RSS is its
own and no warm cache carries over between builds. Figures are medians with min–max over the
repeats. Growth sizes are multiples of the corpus (eval/synth.py); sizes up to --real-max use
the configured embedder, larger ones seeded random unit vectors (the stores' own cost), each
compared with a 1x build of the same embedder. `--store chroma-server` runs the same growth
against a `chroma run` server started on 127.0.0.1 (free port, temporary path) and stopped at
the end; each run gets its own collection, dropped after it. Progress goes to stderr as it runs.
Speed is only measured here, never in tests.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from eval.bench_child import Phase, PhaseResult
from eval.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "gold_dev.jsonl"
P95_MAX_MS = 300.0          # ask p95 at every size
P50_GROWTH_MAX = 2.0        # ask p50 at every size over ask p50 at 1x (same embedder)
PEAK_MAX_MIB = 4096.0       # peak memory at the largest size (1000x)
NOCHANGE_MAX_S = 0.5        # rebuild with nothing changed, 1x
_T0 = time.monotonic()


def progress(text: str) -> None:
    """One line of progress on stderr, with the time since the bench started."""
    el = int(time.monotonic() - _T0)
    print(f"[{el // 60:3d}:{el % 60:02d}] {text}", file=sys.stderr, flush=True)


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
        raise BenchError(f"phase {phase} took longer than {timeout_s:.0f} s; raise --timeout or use smaller --sizes") from None
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


@dataclass
class Store:
    """Where the vectors go: embedded Chroma in each run's data directory, or a Chroma server."""

    url: str = ""
    pid: int | None = None

    def phase(self, phase: Phase, name: str) -> Phase:
        return replace(phase, chroma_url=self.url, collection=name) if self.url else phase

    def drop(self, name: str) -> None:
        """Drop a run's collection on the server (frees its memory and disk for the next size)."""
        if not self.url:
            return
        from index.stores import make_client

        client = make_client(path=Path("."), url=self.url)
        for c in client.list_collections():
            if (c if isinstance(c, str) else c.name).startswith(name):
                client.delete_collection(c if isinstance(c, str) else c.name)

    def server_rss_mib(self) -> dict[str, float] | None:
        """The server's resident memory now and its high-water mark (Linux /proc), in MiB."""
        if self.pid is None:
            return None
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        kib = lambda k: float(fields.get(k, "0 kB").split()[0])  # noqa: E731
        return {"rss": kib("VmRSS") / 1024, "hwm": kib("VmHWM") / 1024}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def chroma_server(path: Path, timeout_s: float = 90) -> Iterator[Store]:
    """`chroma run` on 127.0.0.1 at a free port with its data in `path`; stopped on exit."""
    import httpx

    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists() and not shutil.which(exe):
        raise BenchError("the `chroma` command is missing; it comes with the chromadb package")
    port = free_port()
    log = open(path.parent / "chroma-server.log", "w")  # noqa: SIM115 - the server writes to it until stopped
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"chroma run did not come up on {url} (see {log.name})")
            time.sleep(0.5)
        progress(f"chroma server up on {url} (pid {proc.pid})")
        yield Store(url=url, pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        progress("chroma server stopped")


def measure(docs: Path, embedder: EmbedderChoice, questions: int, rebuild: bool, timeout_s: float,
            store: Store | None = None, name: str = "bench") -> Run:
    store = store or Store()
    try:
        with tempfile.TemporaryDirectory(prefix="zhice-bench-") as data:
            first = run_child(store.phase(Phase(data, str(docs), "cold", embedder, str(GOLD), questions), name), timeout_s)
            again = run_child(store.phase(Phase(data, str(docs), "nochange", embedder), name), timeout_s) \
                if rebuild else None
    finally:
        store.drop(name)
    return Run(first, again.build_s if again else None)


def summarise(runs: list[Run]) -> dict[str, Any]:
    def of(values: Sequence[float | None]) -> dict[str, Any]:
        return spread([v for v in values if v is not None])

    return {
        "counts": runs[0].result.counts,
        "build_s": of([r.result.build_s for r in runs]),
        "chunks_per_s": of([r.result.counts.get("chunks", 0) / r.result.build_s for r in runs
                            if r.result.build_s]),
        "embed_s": of([r.result.embed_s for r in runs]),
        "nochange_s": of([r.nochange_s for r in runs]),
        "ask_p50_ms": of([r.p50 for r in runs]),
        "ask_p95_ms": of([r.p95 for r in runs]),
        "peak_rss_mib": of([r.result.maxrss_mb for r in runs]),
    }


def bench_size(size: int, embedder: EmbedderChoice, repeats: int, work: Path, opts: argparse.Namespace) -> dict[str, Any]:
    """Build a corpus `size` times the real one `repeats` times, each followed by timed asks."""
    from eval.synth import make_synthetic_corpus

    docs = ROOT / "corpus"
    if size > 1:
        docs = make_synthetic_corpus(docs, work / f"corpus-x{size}", size, seed=size).directory
    store = getattr(opts, "store_target", None) or Store()
    runs = []
    try:
        for i in range(repeats):
            progress(f"{size}x corpus, {embedder} embedder: run {i + 1}/{repeats} (build, then "
                     f"{opts.questions} questions{', then a no-change rebuild' if size == 1 else ''})…")
            run = measure(docs, embedder, opts.questions, size == 1, opts.timeout, store,
                          f"bench_{size}x_{embedder}_{i}_{os.getpid()}")
            runs.append(run)
            progress(f"  {run.result.counts.get('chunks')} chunks: build {run.result.build_s:.1f} s, ask p50 "
                     f"{run.p50:.1f} ms / p95 {run.p95:.1f} ms, peak {run.result.maxrss_mb:.0f} MiB"
                     + (f", no-change rebuild {run.nochange_s:.2f} s" if run.nochange_s is not None else ""))
    finally:
        if size > 1:
            shutil.rmtree(docs, ignore_errors=True)
    server = store.server_rss_mib()
    return {"size": size, "embedder": embedder, "runs": repeats, **summarise(runs),
            **({"server_mib": server} if server else {})}


EmbedderChoice = Literal["default", "random"]


def plan(sizes: list[int], real_max: int) -> list[tuple[int, EmbedderChoice]]:
    """(size, embedder) pairs: the configured embedder up to real_max, random vectors above it,
    plus a 1x random build to compare the random sizes with."""
    pairs: list[tuple[int, EmbedderChoice]] = [(s, "default" if s <= real_max else "random") for s in sizes]
    if any(e == "random" for _, e in pairs) and (1, "random") not in pairs:
        pairs.insert(1 if (1, "default") in pairs else 0, (1, "random"))
    if (1, "default") not in pairs:
        pairs.insert(0, (1, "default"))     # the headline figures and the targets need it
    return pairs


def ratio_to_1x(growth: list[dict[str, Any]], size: int, embedder: str) -> float | None:
    """ask p50 at `size` over ask p50 at 1x built with the same embedder."""
    by_key = {(g["size"], g["embedder"]): g["ask_p50_ms"]["median"] for g in growth}
    p50, base = by_key.get((size, embedder)), by_key.get((1, embedder))
    return p50 / base if p50 is not None and base else None


def targets(core: dict[str, Any], growth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        ("ask p50 (hybrid, warm)", "ms", 200.0, core["ask_p50_ms"]["median"]),
        ("ask p95 (hybrid, warm)", "ms", 500.0, core["ask_p95_ms"]["median"]),
        ("cold build", "s", 60.0, core["build_s"]["median"]),
        ("no-change rebuild", "s", NOCHANGE_MAX_S, core["nochange_s"]["median"]),
        ("peak memory, build + answer (worst run)", "MiB", 2048.0, core["peak_rss_mib"]["max"]),
    ]
    for g in growth:
        tag = f"{g['size']}x {'real' if g['embedder'] == 'default' else 'random'}"
        rows.append((f"ask p95 at {tag}", "ms", P95_MAX_MS, g["ask_p95_ms"]["median"]))
        if g["size"] > 1:
            rows.append((f"ask p50 at {tag} / at 1x", "x", P50_GROWTH_MAX, ratio_to_1x(growth, g["size"], g["embedder"])))
    largest = max(growth, key=lambda g: g["size"])
    rows.append((f"peak memory at {largest['size']}x" + ("" if largest["size"] >= 1000 else " (1000x not run)"),
                 "MiB", PEAK_MAX_MIB, largest["peak_rss_mib"]["max"] if largest["size"] >= 1000 else None))
    return [{"name": n, "unit": u, "limit": lim, "value": v, "pass": v is not None and v <= lim}
            for n, u, lim, v in rows]


def fmt_spread(s: dict[str, Any], digits: int = 1) -> str:
    if s["median"] is None:
        return "—"
    text = f"{s['median']:.{digits}f}"
    return text + (f" [{s['min']:.{digits}f}–{s['max']:.{digits}f}]" if s["n"] > 1 else "")


def format_growth(growth: list[dict[str, Any]], embed_s_per_chunk: float | None) -> list[str]:
    head = f"{'size':>6} {'embedder':>8} {'docs':>6} {'clauses':>8} {'chunks':>8} {'build s':>18} " \
           f"{'chunks/s':>9} {'ask p50 ms':>18} {'ask p95 ms':>18} {'p50 / 1x':>8} {'peak MiB':>14}"
    lines = ["Growth: cold build, then the dev questions asked in the same warm process", head]
    for g in growth:
        c = g["counts"]
        ratio = ratio_to_1x(growth, g["size"], g["embedder"])
        lines.append(f"{str(g['size']) + 'x':>6} {('real' if g['embedder'] == 'default' else 'random'):>8} "
                     f"{c.get('documents', 0):>6} {c.get('clauses', 0):>8} {c.get('chunks', 0):>8} "
                     f"{fmt_spread(g['build_s']):>18} {fmt_spread(g.get('chunks_per_s', spread([])), 0):>9} "
                     f"{fmt_spread(g['ask_p50_ms']):>18} {fmt_spread(g['ask_p95_ms']):>18} "
                     f"{('—' if ratio is None else f'{ratio:.2f}x'):>8} {fmt_spread(g['peak_rss_mib'], 0):>14}")
        if g.get("server_mib"):
            lines.append(f"{'':>6} chroma server after this size: RSS {g['server_mib']['rss']:.0f} MiB, "
                         f"high-water {g['server_mib']['hwm']:.0f} MiB (not in 'peak MiB', which is the client's)")
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
    for row, fig in zip(rows, [*figures, *[None] * (len(rows) - len(figures))]):
        value = fmt_spread(fig, 0 if row["unit"] == "MiB" else 1) if fig else \
            ("—" if row["value"] is None else f"{row['value']:.2f}")
        value += f" {row['unit']}" if value != "—" else ""
        verdict = "pass" if row["pass"] else ("not measured" if row["value"] is None else "MISS")
        target = f"target <= {row['limit']:g} {row['unit']}"
        lines.append(f"  {row['name']:<42} {value:>24}   {target:<22} {verdict}")
    return lines


def run_bench(opts: argparse.Namespace) -> dict[str, Any]:
    sizes = parse_sizes(opts.sizes)
    store_kind = getattr(opts, "store", "embedded")
    if store_kind not in ("embedded", "chroma-server"):
        raise ValueError(f"--store must be embedded or chroma-server, got {store_kind!r}")
    growth: list[dict[str, Any]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zhice-synth-") as work, contextlib.ExitStack() as stack:
        opts.store_target = stack.enter_context(chroma_server(Path(work) / "chroma")) \
            if store_kind == "chroma-server" else Store()
        for size, embedder in plan(sizes, opts.real_max):
            repeats = opts.repeats if size == 1 else opts.growth_repeats
            growth.append(bench_size(size, embedder, repeats, Path(work), opts))
        formats = ingest_formats(Path(work), opts)
    core = next(g for g in growth if g["size"] == 1 and g["embedder"] == "default")
    took = time.monotonic() - started
    progress(f"bench done in {took / 60:.1f} min")
    return {"store": store_kind, "core": core, "growth": growth, "targets": targets(core, growth),
            "formats": formats, "seconds": took, "load_avg": os.getloadavg()}


def ingest_formats(work: Path, opts: argparse.Namespace) -> list[dict[str, Any]]:
    """Ingest speed per format (eval/bench_formats.py); [] with --ocr-docs -1 (skipped)."""
    if getattr(opts, "ocr_docs", 2) < 0:
        return []
    from eval.bench_formats import measure_formats

    progress("ingest per format: text, .docx, text PDF, image PDF (OCR)")
    folder = work / "formats"
    folder.mkdir(exist_ok=True)
    return measure_formats(ROOT / "corpus", folder, opts.repeats, getattr(opts, "ocr_docs", 2))


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
    print(f"store: {results['store']}; took {results['seconds'] / 60:.1f} min; load average at the end "
          f"{' '.join(f'{x:.1f}' for x in results['load_avg'])} (2 cores, shared)")
    print("\n".join(format_growth(results["growth"], per_chunk) + [""] + format_targets(core, results["targets"])))
    if results["formats"]:
        from eval.bench_formats import format_rows

        print("\n".join(["", *format_rows(results["formats"])]))
    return 0
