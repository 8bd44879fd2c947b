"""`python -m rag ask "question" [--city X] [--json]`; `python -m rag serve [--workers N]` (api/serve.py)."""
from __future__ import annotations

import argparse
import json
import sys

from index.errors import IndexLayerError
from rag.pipeline import build_assistant
from rag.types import Filters


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        from api.serve import main as serve

        return serve(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m rag", description="Ask the quality-policy assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the HTTP API (no UI) in several processes; see python -m rag serve -h")
    a = sub.add_parser("ask", help="answer one question")
    a.add_argument("question")
    a.add_argument("--city", action="append", default=[], help="restrict to a city (repeatable), e.g. 东莞 or 全国")
    a.add_argument("--retrieval", default="hybrid", help="lexical | dense | hybrid")
    a.add_argument("--json", action="store_true", help="print the answer contract (eval/FORMAT.md) as JSON")
    args = parser.parse_args(argv)
    try:
        assistant = build_assistant(retrieval=args.retrieval)
        assistant.ensure_index()
        answer = assistant.ask(args.question, filters=Filters(cities=args.city))
    except (IndexLayerError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_contract(), ensure_ascii=False, indent=2))
        return 0
    print(answer.answer)
    for c in answer.citations:
        print(f"  [{c.marker}] {c.doc.city or '全国'} {c.clause.clause_id}: {c.quote}")
    for w in answer.warnings:
        print(f"  ! {w.kind}: {w.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
