"""The evaluation harness and the benchmark of 质策.

    python -m eval run --gold eval/gold_dev.jsonl                  # all configurations, side by side
    python -m eval run --gold FILE --config hybrid --config naive --json --report eval/reports/dev
    python -m eval run --gold FILE --url http://127.0.0.1:7860     # a running app, via POST /api/ask
    python -m eval bench [--repeats 3] [--sizes 1,10,100,1000] [--real-max 100] [--json] [--out FILE]

Configurations: `lexical`, `dense`, `hybrid` (the product, through rag.pipeline.build_assistant)
and `naive` (eval/baselines.py: 500-character windows, dense only, top 3). The scorer
(eval/scoring.py, eval/metrics.py) is a set of pure functions implementing eval/FORMAT.md, so
every figure the harness prints can be checked by hand; its open decisions are listed at the
top of eval/scoring.py. The benchmark (eval/bench.py) runs each measured phase in a fresh
subprocess (eval/bench_child.py) and grows the corpus with eval/synth.py.
"""
