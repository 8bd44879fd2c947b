"""`python -m eval run|curve|match|bench|load|selfcheck …`: argument parsing and wiring only."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.adapters import ConfigName, HttpAsker, IndexClauseText, ProductAsker, parse_configs
from eval.gold import GoldFormatError, GoldQuestion, load_gold
from eval.runner import ConfigRun, run_config
from eval.scoring import ClauseText
from eval.table import format_table, metrics_json, summary_line


def _progress(questions: Sequence[GoldQuestion], name: str) -> Any:
    from tqdm import tqdm

    return tqdm(questions, desc=name, file=sys.stderr, disable=None, leave=False)


def ensure_index(settings: Any) -> str | None:
    """Load the local index, building it when there is none; the error text when that fails."""
    try:
        from index.catalog import load_index
        from index.errors import IndexMissingError

        try:
            load_index(settings)
        except IndexMissingError:
            from index.build import build_index

            print(f"no index in {settings.data_dir}; building it (python -m index build)…", file=sys.stderr)
            build_index(settings)
        return None
    except Exception as e:
        return f"local index unavailable: {type(e).__name__}: {e}"


def _run_one(config: ConfigName, settings: Any, questions: list[GoldQuestion],
             index_text: ClauseText, index_error: str | None) -> ConfigRun:
    if config is ConfigName.NAIVE:
        from eval.baselines import NaiveBaseline
        from index.embedders import make_embedder

        naive = NaiveBaseline(settings.corpus_dir, embedder=make_embedder(settings))
        return run_config(config.value, naive, questions, naive.clause_text, _progress)
    if index_error:
        return ConfigRun(config.value, unavailable=index_error)
    return run_config(config.value, ProductAsker(config.value, settings), questions, index_text, _progress)


def run_all(args: argparse.Namespace) -> list[ConfigRun]:
    from rag.settings import Settings

    questions = load_gold(args.gold)
    settings = Settings()
    if args.url:
        error = ensure_index(settings)
        if error:
            raise SystemExit(f"--url needs the local index to check quotes: {error}")
        return [run_config("api", HttpAsker(args.url), questions, IndexClauseText(settings), _progress)]
    configs = parse_configs(args.config)
    product = [c for c in configs if c is not ConfigName.NAIVE]
    index_error = ensure_index(settings) if product else None
    index_text = IndexClauseText(settings)
    return [_run_one(c, settings, questions, index_text, index_error) for c in configs]


def cmd_run(args: argparse.Namespace) -> int:
    if args.url and args.config:
        print("error: --url scores the running app as it is configured; drop --config", file=sys.stderr)
        return 2
    try:
        runs = run_all(args)
    except (GoldFormatError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.report:
        from eval.report import write_report

        for path in write_report(Path(args.report), runs, str(args.gold)):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(metrics_json(runs), ensure_ascii=False))
    else:
        from eval.report import by_language, by_type

        if any(not r.unavailable for r in runs):   # before the metrics table: its last 15 lines stay the table
            print("\n".join(["answers right, by question type:", *by_type(runs), "",
                             "answers right, by language of the question:", *by_language(runs), ""]))
        print(summary_line(runs))
        print(format_table(runs))
    return 1 if all(r.unavailable for r in runs) else 0


def indexed_settings() -> Any | None:
    """The settings once the local index is there (built when missing); None, having said why, when
    it cannot be."""
    from rag.settings import Settings

    settings = Settings()
    error = ensure_index(settings)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return None
    return settings


def cmd_curve(args: argparse.Namespace) -> int:
    """The product (hybrid) once over the union of the gold sets, then the decline sweep."""
    from eval.curve import curve_section

    try:
        sets = [load_gold(path) for path in args.gold]
    except GoldFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    questions = [q for gold in sets for q in gold]
    settings = indexed_settings()
    if settings is None:
        return 1
    run = _run_one(ConfigName.HYBRID, settings, questions, IndexClauseText(settings), None)
    if run.unavailable:
        print(f"error: hybrid unavailable: {run.unavailable}", file=sys.stderr)
        return 1
    lines, curves = curve_section(run.records, "hybrid")
    print(f"decline trade-off over {' + '.join(args.gold)} ({len(questions)} questions)")
    print("\n".join(lines))
    if len(args.gold) > 1:
        print("\n".join(["", "per style (false refusals / false answers at each scale of the thresholds):",
                         *style_table(run.records, args.gold, [len(gold) for gold in sets])]))
    if args.report and curves:
        from eval.plots import plot_decline
        from eval.report import DECLINE_PNG

        out = Path(args.report)
        out.mkdir(parents=True, exist_ok=True)
        (out / "curve.md").write_text("\n".join(["# Decline trade-off", "", *lines]), encoding="utf-8")
        print(f"wrote {out / 'curve.md'}", file=sys.stderr)
        print(f"wrote {plot_decline(curves, out / DECLINE_PNG, 'hybrid, ' + str(len(questions)) + ' questions')}",
              file=sys.stderr)
    return 0


STYLE_SCALES = (0.0, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0)


def style_table(records: Sequence[Any], paths: Sequence[str], sizes: Sequence[int]) -> list[str]:
    """One row per gold set (a style of asking): false refusals / false answers when all three
    relevance thresholds are scaled, so an operating point can be seen to hold for every style."""
    from eval.curve import decline_curve

    rows = ["| set | " + " | ".join(f"{x:g}×" for x in STYLE_SCALES) + " |", "|---" * (len(STYLE_SCALES) + 1) + "|"]
    start = 0
    for path, size in zip(paths, sizes):
        points = decline_curve(records[start:start + size], "scale", STYLE_SCALES)
        rows.append(f"| {Path(path).stem} | " + " | ".join(f"{p.false_refusals}/{p.false_answers}" for p in points) + " |")
        start += size
    return rows


def cmd_match(args: argparse.Namespace) -> int:
    """Policy matching against a profile gold set (eval/FORMAT_MATCH.md), on the local index."""
    from eval.match import load_match_gold, run_match
    from index.catalog import load_index

    try:
        golds = load_match_gold(args.gold)
    except GoldFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    settings = indexed_settings()
    if settings is None:
        return 1
    try:
        summary = run_match(golds, load_index(settings))
    except GoldFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary.to_json(), ensure_ascii=False) if args.json else "\n".join(summary.lines()))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from eval.bench import main as bench_main

    return bench_main(args)


def cmd_load(args: argparse.Namespace) -> int:
    from eval.load import main as load_main

    return load_main(args)


def cmd_selfcheck(args: argparse.Namespace) -> int:
    """Questions generated from the index, asked through the real pipeline (rag/selfcheck.py)."""
    from rag import selfcheck
    from rag.pipeline import build_assistant

    settings = indexed_settings()
    if settings is None:
        return 2                   # 1 says a template is under the floor
    assistant = build_assistant(settings)
    report = selfcheck.run(assistant.components.snapshot, assistant.ask, limit=args.limit)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(format_selfcheck(report))
    rates = [p / n for p, n in report.by_template().values() if n]
    return 0 if all(r >= args.floor for r in rates) else 1


def format_selfcheck(report: Any) -> str:
    """The pass rate per template, then each failure with its reason."""
    lines = [f"{'template':16} {'passed':>7} {'asked':>6} {'rate':>6}"]
    for name, (passed, asked) in report.by_template().items():
        lines.append(f"{name:16} {passed:7d} {asked:6d} {passed / asked:6.2f}")
    failures = report.failures()
    if failures:
        lines.append(f"\nfailures ({len(failures)}):")
        lines += [f"  [{r.probe.template}] {r.probe.question} — {r.why}" for r in failures]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description="Score and benchmark 质策.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="score configurations against a gold set (eval/FORMAT.md)")
    run.add_argument("--gold", required=True, help="gold JSONL file, e.g. eval/gold_dev.jsonl")
    run.add_argument("--config", action="append", metavar="NAME",
                     help=f"repeatable; one of {', '.join(c.value for c in ConfigName)} (default: all)")
    run.add_argument("--url", help="score a running app through POST URL/api/ask instead of the Python API")
    run.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    run.add_argument("--report", metavar="DIR", help="write report.md, metrics.json and PNG plots into DIR")
    run.set_defaults(func=cmd_run)
    curve = sub.add_parser("curve", help="the decline trade-off of the product over one or more gold sets")
    curve.add_argument("--gold", action="append", required=True,
                       help="gold JSONL file; repeat to sweep over the union of several sets")
    curve.add_argument("--report", metavar="DIR", help="also write curve.md and the trade-off PNG into DIR")
    curve.set_defaults(func=cmd_curve)
    match = sub.add_parser("match", help="recall and precision of policy matching over profiles (eval/FORMAT_MATCH.md)")
    match.add_argument("--gold", required=True, help="profile gold JSONL, e.g. eval/match_dev.jsonl")
    match.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    match.set_defaults(func=cmd_match)
    bench = sub.add_parser("bench", help="measure build and query cost (see eval/bench.py)")
    bench.add_argument("--repeats", type=int, default=3, help="runs of the 1x measurements (default 3)")
    bench.add_argument("--growth-repeats", type=int, default=1, help="runs of each larger size (default 1)")
    bench.add_argument("--sizes", default="1,10,100",
                       help="corpus multiples for the growth test (default 1,10,100; 1,10,100,1000 is the "
                            "full growth run, see README Figures for how long it takes)")
    bench.add_argument("--real-max", type=int, default=10,
                       help="largest size built with the real embedder; larger sizes use seeded random "
                            "unit vectors to isolate the stores' own cost (default 10: embedding 100x with "
                            "USE alone takes ~10 min on 2 cores)")
    bench.add_argument("--store", default="embedded", choices=["embedded", "chroma-server"],
                       help="embedded Chroma (default) or a `chroma run` server started on 127.0.0.1 for the run")
    bench.add_argument("--questions", type=int, default=30, help="dev questions timed after each build")
    bench.add_argument("--timeout", type=float, default=3600, help="seconds one phase may take")
    bench.add_argument("--ocr-docs", type=int, default=2,
                       help="seed documents read by OCR in the ingest-per-format line (default 2; -1 skips the line)")
    bench.add_argument("--json", action="store_true", help="print the results as one JSON object")
    bench.add_argument("--out", metavar="FILE", help="also write the JSON results to FILE")
    bench.set_defaults(func=cmd_bench)
    load = sub.add_parser("load", help="a bounded load test of a running server on loopback (see eval/load.py)")
    load.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:7860 (loopback only)")
    load.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    load.add_argument("--questions", type=int, default=20, help="questions each client asks (default 20)")
    load.add_argument("--gold", default="eval/gold_dev.jsonl", help="questions to cycle through (default eval/gold_dev.jsonl)")
    load.add_argument("--timeout", type=float, default=60.0, help="seconds one request may take (default 60)")
    load.set_defaults(func=cmd_load)
    check = sub.add_parser("selfcheck", help="questions generated from the index, known answers, asked through the pipeline")
    check.add_argument("--json", action="store_true", help="print the rates per template and the failures as JSON")
    check.add_argument("--limit", type=int, default=None, help="questions per template (default: all)")
    check.add_argument("--floor", type=float, default=0.95, help="exit 1 when a template's pass rate is below (default 0.95)")
    check.set_defaults(func=cmd_selfcheck)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
