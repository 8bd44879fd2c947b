"""Incremental, interruption-safe index build.

1. Read and parse every file; a bad file is reported and skipped, the rest go on.
2. Chunk; chunk ids are content-addressed (embedder + document + clause + text).
3. Embed only the chunks Chroma does not hold yet, and add them (the old ones stay).
4. Tokenise for BM25, reusing the tokens of unchanged chunks from the previous build.
5. Write the new catalog and switch CURRENT to it atomically.
6. Only then delete the chunks and build directories that the new index no longer uses.
Stopping anywhere before 5 leaves the previous index whole; after 5 the new one is whole.
0. Before all that: when the files' sha256 and the settings and code that decide chunking and
   embedding equal the current build's (index/manifest.py), return at once, writing nothing.
"""
from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from tqdm import tqdm

from index.catalog import IndexSnapshot, current_build, load_index, new_build_id, write_snapshot
from index.chunking import chunk_document
from index.document import parse_document
from index.embedders import make_embedder
from index.errors import IndexLayerError, IngestError
from index.lexical import Tokenizer, corpus_words
from index.loaders import list_files, load
from index.manifest import fingerprint, unchanged_build, write_manifest
from index.models import Chunk, Document
from index.settings import IndexSettings
from index.stores import ChromaStore

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
# Texts per embedder call (and per store upsert). Measured with USE v3 on this 2-core machine while
# other test runs shared it (load 6-10): chunks/s, median of 5 passes over 157-256 chunk texts,
# batch 16: 7.0, 32: 9.1, 64: 7.6, 128: 11.0 — the spreads overlap (USE encodes each text on its
# own, so the batch mostly saves call overhead); 128 has the best median and halves the store
# round trips (one HTTP upsert per batch against a Chroma server). Sorting texts by length did not help.
EMBED_BATCH = 128


@dataclass
class BuildReport:
    build_id: str = ""
    documents: int = 0
    clauses: int = 0
    chunks: int = 0
    embedded: int = 0              # chunks embedded in this build (0 when nothing changed)
    removed: int = 0               # chunks deleted from the dense store
    skipped: list[dict[str, str]] = field(default_factory=list)   # {"file": …, "error": …}
    per_document: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    embed_seconds: float = 0.0     # of `seconds`, the time in the embedder
    unchanged: bool = False        # nothing changed: the current build was kept, nothing written

    @property
    def chunks_per_s(self) -> float:
        """Build throughput: chunks of the corpus over the whole build time."""
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def embedded_per_s(self) -> float:
        """Embedding throughput: chunks embedded over the time in the embedder."""
        return self.embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0


def read_corpus(directory: Path, report: BuildReport) -> list[Document]:
    docs = []
    for path in list_files(directory):
        try:
            docs.append(parse_document(load(path)))
        except IngestError as e:
            log.warning("skipped %s", e)
            report.skipped.append({"file": path.name, "error": str(e)})
    return docs


def _previous(settings: IndexSettings) -> IndexSnapshot | None:
    if current_build(settings.index_dir) is None:
        return None
    try:
        return load_index(settings)
    except (IndexLayerError, ValueError, KeyError) as e:
        log.warning("previous index unreadable (%s); building from scratch", e)
        return None


def _metadata(doc: Document, chunk: Chunk) -> dict[str, Any]:
    clause = next(c for c in doc.clauses if c.clause_id == chunk.clause_id)
    return {"doc_id": doc.doc_id, "clause_id": chunk.clause_id, "city": doc.place,
            "level": doc.level.value, "lead": "、".join(clause.units.lead), "co": "、".join(clause.units.co),
            "responsible": "、".join(clause.units.responsible)}


def _embed_missing(store: ChromaStore, embedder: Any, docs: dict[str, Document], chunks: list[Chunk],
                   rebuild: bool, progress: Progress | None) -> int:
    have = set() if rebuild else store.ids()
    todo = [c for c in chunks if c.chunk_id not in have]
    bar = tqdm(total=len(todo), desc="embedding", unit="chunk", disable=not todo)
    for i in range(0, len(todo), EMBED_BATCH):
        batch = todo[i:i + EMBED_BATCH]
        vectors = embedder.embed([c.embed_text for c in batch])
        store.add([c.chunk_id for c in batch], vectors, [_metadata(docs[c.doc_id], c) for c in batch])
        bar.update(len(batch))
        if progress:
            progress((i + len(batch)) / len(todo), f"embedded {i + len(batch)}/{len(todo)} chunks")
    bar.close()
    return len(todo)


def _tokens(docs: dict[str, Document], chunks: list[Chunk], previous: IndexSnapshot | None) -> list[list[str]]:
    """BM25 tokens; an unchanged chunk keeps its old tokens when the tokenizer's words are the same."""
    words = corpus_words(docs.values())
    old: dict[str, list[str]] = {}
    if previous is not None and corpus_words(previous.documents.values()) == words:
        old = {c.chunk_id: t for c, t in zip(previous.chunks, previous.tokens)}
    if all(c.chunk_id in old for c in chunks):
        return [old[c.chunk_id] for c in chunks]
    tokenizer = Tokenizer(words)
    return [old[c.chunk_id] if c.chunk_id in old else tokenizer.tokenize(c.search_text) for c in chunks]


def build_index(settings: IndexSettings, *, docs_dir: Path | None = None, rebuild: bool = False,
                embedder: Any | None = None, progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport(build_id=new_build_id())
    embedder = embedder or make_embedder(settings)
    fp = fingerprint(settings, Path(docs_dir or settings.corpus_dir), embedder.name)
    same = None if rebuild else unchanged_build(settings, fp)
    if same is not None:
        return _unchanged_report(same, time.perf_counter() - started)
    docs = {d.doc_id: d for d in read_corpus(Path(docs_dir or settings.corpus_dir), report)}
    chunks = [c for d in docs.values() for c in chunk_document(d, embedder.name, settings.chunk_max_tokens)]
    store = ChromaStore.from_settings(settings, embedder.name)
    previous = None if rebuild else _previous(settings)
    embed_started = time.perf_counter()
    report.embedded = _embed_missing(store, embedder, docs, chunks, rebuild, progress)
    report.embed_seconds = time.perf_counter() - embed_started
    snap = IndexSnapshot(build_id=report.build_id, embedder=embedder.name, documents=docs, chunks=chunks,
                         tokens=_tokens(docs, chunks, previous), created=time.time(), skipped=report.skipped)
    write_snapshot(settings.index_dir, snap)
    report.removed = _collect_garbage(settings, store, {c.chunk_id for c in chunks}, report.build_id)
    _fill_counts(report, docs, chunks)
    write_manifest(settings, report.build_id, fp, {"documents": report.documents, "clauses": report.clauses,
                                                   "chunks": report.chunks, "skipped": report.skipped,
                                                   "per_document": report.per_document})
    report.seconds = time.perf_counter() - started
    return report


def _unchanged_report(manifest: dict[str, Any], seconds: float) -> BuildReport:
    counts = manifest.get("counts", {})
    return BuildReport(build_id=manifest["build_id"], documents=counts.get("documents", 0),
                       clauses=counts.get("clauses", 0), chunks=counts.get("chunks", 0),
                       skipped=counts.get("skipped", []), per_document=counts.get("per_document", {}),
                       seconds=seconds, unchanged=True)


def _collect_garbage(settings: IndexSettings, store: ChromaStore, keep: set[str], build_id: str) -> int:
    stale = store.ids() - keep
    store.delete(sorted(stale))
    for old in (settings.index_dir / "builds").iterdir():
        if old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
    return len(stale)


def _fill_counts(report: BuildReport, docs: dict[str, Document], chunks: list[Chunk]) -> None:
    report.documents = len(docs)
    report.clauses = sum(len(d.clauses) for d in docs.values())
    report.chunks = len(chunks)
    per_doc = Counter(c.doc_id for c in chunks)      # one pass: a scan per document is quadratic at 1000x
    for d in docs.values():
        report.per_document[d.doc_id] = {"clauses": len(d.clauses), "chunks": per_doc[d.doc_id]}
