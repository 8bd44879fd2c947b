"""`python -m index build [--rebuild] [--docs DIR] [--prune] [--allow-empty] [--max-file-mb N]`
and `python -m index show [--json]`."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from index.build import MAX_REMOVED_SHARE, build_index, skip_line
from index.catalog import load_index
from index.errors import BuildRefusedError, IndexLayerError
from index.loaders import MAX_BINARY_BYTES, MAX_FILE_BYTES
from index.models import Clause
from index.settings import IndexSettings


def _print_skipped(skipped: list[dict[str, str]]) -> None:
    for item in skipped:
        print(f"SKIPPED {skip_line(item)}", file=sys.stderr)


def _print_documents(per_document: dict[str, dict]) -> None:
    """One line per document: how it was read (format, pages, OCR) and how long reading took."""
    for doc_id, d in per_document.items():
        pages = f", {d['pages']} pages" if d.get("pages") else ""
        ocr = ", OCR" if d.get("ocr") else ""
        took = f", read in {d['read_s']:.2f} s" if "read_s" in d else ""
        print(f"  {doc_id}: {d.get('format', 'text')}{pages}{ocr}{took}; {d.get('clauses', 0)} clauses")


def _megabytes(value: str) -> float:
    try:
        mb = float(value)
    except ValueError:
        mb = 0.0
    if not mb > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of megabytes, e.g. 5 (got {value!r})")
    return mb


def _build(args: argparse.Namespace) -> int:
    limit = int(args.max_file_mb * 1024 * 1024) if args.max_file_mb is not None else None
    try:
        report = build_index(IndexSettings(), docs_dir=args.docs, rebuild=args.rebuild, prune=args.prune,
                             allow_empty=args.allow_empty, max_file_bytes=limit)
    except BuildRefusedError as e:
        _print_skipped(e.skipped)
        raise
    _print_skipped(report.skipped)
    if report.unchanged:
        print(f"unchanged {report.build_id}: {report.documents} documents, {report.clauses} clauses, "
              f"{report.chunks} chunks; every file and setting as built, nothing written; {report.seconds:.2f} s")
    else:
        print(f"built {report.build_id}: {report.documents} documents, {report.clauses} clauses, "
              f"{report.chunks} chunks; embedded {report.embedded}, removed {report.removed}; "
              f"{report.seconds:.1f} s ({report.chunks_per_s:.0f} chunks/s; embedding "
              f"{report.embedded_per_s:.1f} chunks/s)")
    _print_documents(report.per_document)
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
        read = f"{d.format}" + (f", {d.pages} pages" if d.pages else "") + (", OCR" if d.ocr else "")
        print(f"{d.doc_id}  {d.title}  [{d.place} · {d.level.value} · {d.issuer} · {d.date} · {d.doc_number} · {read}]")
        print(f"    {len(d.clauses)} clauses; " + "; ".join(d.notes))
        offering = [c for c in d.clauses if c.support is not None and c.support.offers]
        if offering:
            print(f"    {len(offering)} clauses offer enterprises support (kinds | for whom | conditions as written):")
        for c in offering:
            print("      " + support_line(c))
    return 0


def support_line(clause: Clause) -> str:
    """One clause's support classification in a line: kinds, for whom (sizes, standings, trades),
    conditions as written."""
    offers = clause.support.offers if clause.support is not None else []
    who = [x for o in offers for x in (*o.sizes, *o.titles, *o.trades, *o.families)]
    conditions = [x for o in offers for x in o.conditions]
    return (f"{clause.clause_id} {clause.heading}: {'、'.join(clause.support.kinds() if clause.support else [])}"
            f" | {'、'.join(dict.fromkeys(who)) or '不限'}"
            + (f" | {'；'.join(dict.fromkeys(conditions))}" if conditions else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build or inspect the policy index.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build or update the index from the corpus directory")
    b.add_argument("--rebuild", action="store_true", help="embed every chunk again")
    b.add_argument("--docs", type=Path, default=None, help="corpus directory (default: ZHICE_CORPUS_DIR or ./corpus)")
    b.add_argument("--json", action="store_true", help="also print the build report as JSON")
    b.add_argument("--prune", action="store_true",
                   help=f"allow removing more than {MAX_REMOVED_SHARE:.0%} of the current index's documents")
    b.add_argument("--allow-empty", action="store_true", help="allow a build that leaves the index with no documents")
    b.add_argument("--max-file-mb", type=_megabytes, default=None,
                   help=f"skip files larger than this (default: {MAX_FILE_BYTES / 1024 / 1024:g} MB for text, "
                        f"{MAX_BINARY_BYTES / 1024 / 1024:g} MB for PDF, Word and images)")
    s = sub.add_parser("show", help="print the documents and clauses of the current index")
    s.add_argument("--json", action="store_true", help="every document with metadata and every clause")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("index.build").setLevel(logging.ERROR)   # skipped files: printed as SKIPPED below
    try:
        return _build(args) if args.command == "build" else _show(args)
    except IndexLayerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
