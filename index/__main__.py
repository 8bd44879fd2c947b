"""`python -m index build [--rebuild] [--docs DIR]` and `python -m index show [--json]`."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from index.build import build_index
from index.catalog import load_index
from index.errors import IndexLayerError
from index.settings import IndexSettings


def _build(args: argparse.Namespace) -> int:
    report = build_index(IndexSettings(), docs_dir=args.docs, rebuild=args.rebuild)
    for skipped in report.skipped:
        print(f"SKIPPED {skipped['file']}: {skipped['error']}", file=sys.stderr)
    if report.unchanged:
        print(f"unchanged {report.build_id}: {report.documents} documents, {report.clauses} clauses, "
              f"{report.chunks} chunks; every file and setting as built, nothing written; {report.seconds:.2f} s")
    else:
        print(f"built {report.build_id}: {report.documents} documents, {report.clauses} clauses, "
              f"{report.chunks} chunks; embedded {report.embedded}, removed {report.removed}; "
              f"{report.seconds:.1f} s ({report.chunks_per_s:.0f} chunks/s; embedding "
              f"{report.embedded_per_s:.1f} chunks/s)")
    if args.json:
        print(json.dumps(dict(asdict(report), chunks_per_s=report.chunks_per_s,
                              embedded_per_s=report.embedded_per_s), ensure_ascii=False, indent=2))
    return 0


def _show(args: argparse.Namespace) -> int:
    snap = load_index(IndexSettings())
    if args.json:
        data = {"build_id": snap.build_id, "embedder": snap.embedder, "skipped": snap.skipped,
                "documents": [d.to_dict() for d in snap.documents.values()]}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for d in snap.documents.values():
        print(f"{d.doc_id}  {d.title}  [{d.place} · {d.level.value} · {d.issuer} · {d.date} · {d.doc_number}]")
        print(f"    {len(d.clauses)} clauses; " + "; ".join(d.notes))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build or inspect the policy index.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build or update the index from the corpus directory")
    b.add_argument("--rebuild", action="store_true", help="embed every chunk again")
    b.add_argument("--docs", type=Path, default=None, help="corpus directory (default: ZHICE_CORPUS_DIR or ./corpus)")
    b.add_argument("--json", action="store_true", help="also print the build report as JSON")
    s = sub.add_parser("show", help="print the documents and clauses of the current index")
    s.add_argument("--json", action="store_true", help="every document with metadata and every clause")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return _build(args) if args.command == "build" else _show(args)
    except IndexLayerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
