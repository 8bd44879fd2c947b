"""Incremental, interruption-safe index build.

1. Read and parse every file; a bad file (unreadable, over the size limit, not plausibly prose)
   is reported and skipped, the rest go on.
   Then refuse, before anything is written, a build that would leave the index empty (unless
   allow_empty) or remove more than MAX_REMOVED_SHARE of the current index's documents (unless
   prune): an empty or mistyped --docs directory must not wipe the index.
2. Chunk; chunk ids are content-addressed (embedder + document + clause + text).
3. Embed only the chunks Chroma does not hold yet, and add them (the old ones stay).
4. Tokenise for BM25, reusing the tokens of unchanged chunks from the previous build.
5. Write the new catalog and switch CURRENT to it atomically.
6. Only then delete the chunks and build directories that the new index no longer uses. The
   chunks are compared against what the store actually holds, not against the previous catalog,
   so vectors an interrupted build added (and no catalog references) are collected too.
Stopping anywhere before 5 leaves the previous index whole; after 5 the new one is whole.
0. Before all that: when the files' sha256 and the settings and code that decide chunking and
   embedding equal the current build's (index/manifest.py), return at once, writing nothing.
"""
from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from index.catalog import IndexSnapshot, StrPool, current_build, load_index, new_build_id, write_snapshot
from index.chunking import chunk_document
from index.document import parse_document
from index.embedders import make_embedder
from index.errors import BuildRefusedError, IndexLayerError, IngestError
from index.lexical import Tokenizer, corpus_words
from index.loaders import SUFFIXES, list_files, load
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
BUILDING = "BUILDING"      # in index_dir while a build runs: the next one after a crash is a full one
MAX_REMOVED_SHARE = 0.5    # a build removing more of the current documents than this needs prune=True


@dataclass
class BuildReport:
    build_id: str = ""
    documents: int = 0
    clauses: int = 0
    chunks: int = 0
    embedded: int = 0              # chunks embedded in this build (0 when nothing changed)
    removed: int = 0               # chunks deleted from the dense store
    skipped: list[dict[str, str]] = field(default_factory=list)   # {"file": …, "error": …}
    per_document: dict[str, dict[str, Any]] = field(default_factory=dict)   # clauses, chunks, format, pages, ocr, read_s
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


def read_corpus(directory: Path, report: BuildReport, max_file_bytes: int | None = None) -> list[Document]:
    """Every file of the corpus directory parsed; a file that cannot be is reported and skipped.
    `max_file_bytes` overrides each format's own size limit (index.loaders.limit_for)."""
    docs = []
    for path in list_files(directory):
        started = time.perf_counter()
        try:
            doc = parse_document(load(path, max_file_bytes))
        except IngestError as e:
            log.warning("skipped %s", e)
            report.skipped.append({"file": path.name, "error": str(e)})
            continue
        docs.append(doc)
        report.per_document[doc.doc_id] = {"format": doc.format, "pages": doc.pages, "ocr": doc.ocr,
                                           "read_s": round(time.perf_counter() - started, 3)}
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
    tokenizer, pool = Tokenizer(words), StrPool()      # one str per distinct token: ~100 tokens a chunk
    return [old[c.chunk_id] if c.chunk_id in old else pool.tokens(tokenizer.tokenize(c.search_text)) for c in chunks]


def build_index(settings: IndexSettings, *, docs_dir: Path | None = None, rebuild: bool = False,
                embedder: Any | None = None, progress: Progress | None = None, prune: bool = False,
                allow_empty: bool = False, max_file_bytes: int | None = None) -> BuildReport:
    """Build or update the index. Raises BuildRefusedError, with nothing written, when the build
    would empty the index (allow_empty overrides) or remove more than MAX_REMOVED_SHARE of its
    documents (prune overrides)."""
    started = time.perf_counter()
    report = BuildReport(build_id=new_build_id())
    directory = Path(docs_dir or settings.corpus_dir)
    embedder = embedder or make_embedder(settings)      # cheap: models load on first embed()
    fp = fingerprint(settings, directory, f"{embedder.name}|max_file_bytes={max_file_bytes}")
    marker = settings.index_dir / BUILDING
    same = None if rebuild or marker.exists() else unchanged_build(settings, fp)
    if same is not None:                                # every file and setting as built: only hashed
        return _unchanged_report(same, time.perf_counter() - started)
    docs = {d.doc_id: d for d in read_corpus(directory, report, max_file_bytes)}
    current = _previous(settings)
    check_removal(current, docs, directory, report.skipped, prune=prune, allow_empty=allow_empty)
    chunks = [c for d in docs.values() for c in chunk_document(d, embedder.name, settings.chunk_max_tokens)]
    store = ChromaStore.from_settings(settings, embedder.name)
    previous = None if rebuild else current
    embed_started = time.perf_counter()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(report.build_id, encoding="utf-8")   # until the garbage is collected: an interrupted
    report.embedded = _embed_missing(store, embedder, docs, chunks, rebuild, progress)   # build is never "unchanged"
    report.embed_seconds = time.perf_counter() - embed_started
    snap = IndexSnapshot(build_id=report.build_id, embedder=embedder.name, documents=docs, chunks=chunks,
                         tokens=_tokens(docs, chunks, previous), created=time.time(), skipped=report.skipped)
    write_snapshot(settings.index_dir, snap)
    report.removed = _collect_garbage(settings, store, {c.chunk_id for c in chunks}, report.build_id)
    marker.unlink(missing_ok=True)
    _fill_counts(report, docs, chunks)
    write_manifest(settings, report.build_id, fp, {"documents": report.documents, "clauses": report.clauses,
                                                   "chunks": report.chunks, "skipped": report.skipped,
                                                   "per_document": report.per_document})
    report.seconds = time.perf_counter() - started
    return report


def check_removal(current: IndexSnapshot | None, docs: dict[str, Document], directory: Path,
                  skipped: list[dict[str, str]], *, prune: bool, allow_empty: bool) -> None:
    """Refuse a build that would leave no documents, or drop most of the current ones."""
    before = list(current.documents) if current is not None else []
    if not docs and not allow_empty:
        raise BuildRefusedError(_empty_message(directory, skipped, len(before)), skipped)
    removed = [d for d in before if d not in docs]
    if docs and removed and not prune and len(removed) / len(before) > MAX_REMOVED_SHARE:
        raise BuildRefusedError(_removal_message(directory, removed, len(before), skipped), skipped)


def _kept(n_current: int) -> str:
    if n_current:
        return f"The current index ({n_current} documents) is kept and still answers questions."
    return "Nothing was written."


def skip_line(item: dict[str, str]) -> str:
    """'file: why' (the errors of IngestError already start with the file's name)."""
    error = item["error"]
    return error if error.startswith(item["file"]) else f"{item['file']}: {error}"


def _rejections(skipped: list[dict[str, str]], limit: int = 5) -> str:
    lines = [f"\n  - {skip_line(s)}" for s in skipped[:limit]]
    if len(skipped) > limit:
        lines.append(f"\n  - and {len(skipped) - limit} more")
    return "".join(lines)


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def _empty_message(directory: Path, skipped: list[dict[str, str]], n_current: int) -> str:
    if skipped:
        what = (f"Refusing to build: all {_files(len(skipped))} in {directory} were rejected, so the index "
                f"would be left with no documents:{_rejections(skipped)}\n")
    else:
        what = (f"Refusing to build: {directory} holds no documents ({'/'.join(SUFFIXES)} files), so the "
                "index would be left with no documents. ")
    return (f"{what}{_kept(n_current)} Check the --docs directory (or ZHICE_CORPUS_DIR) and the files in it; "
            "to really build an empty index, pass --allow-empty.")


def _removal_message(directory: Path, removed: list[str], n_current: int, skipped: list[dict[str, str]]) -> str:
    names = ", ".join(removed[:5]) + (f" and {len(removed) - 5} more" if len(removed) > 5 else "")
    rejected = f"\n{_files(len(skipped))} rejected:{_rejections(skipped)}" if skipped else ""
    return (f"Refusing to build: it would remove {len(removed)} of the {n_current} documents of the current "
            f"index ({len(removed) / n_current:.0%}, over the limit of {MAX_REMOVED_SHARE:.0%}): {names}.{rejected}\n"
            f"{_kept(n_current)} Check that {directory} is the corpus directory you meant; if those documents "
            "were really withdrawn, pass --prune to remove them.")


def _collect_garbage(settings: IndexSettings, store: ChromaStore, keep: set[str], build_id: str) -> int:
    """Delete every vector the store holds that the new catalog does not reference (stale chunks
    of the previous index and orphans of interrupted builds alike), then old build directories."""
    stale = store.ids() - keep
    store.delete(sorted(stale))
    for old in (settings.index_dir / "builds").iterdir():
        if old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
    return len(stale)


def _unchanged_report(manifest: dict[str, Any], seconds: float) -> BuildReport:
    counts = manifest.get("counts", {})
    return BuildReport(build_id=manifest["build_id"], documents=counts.get("documents", 0),
                       clauses=counts.get("clauses", 0), chunks=counts.get("chunks", 0),
                       skipped=counts.get("skipped", []), per_document=counts.get("per_document", {}),
                       seconds=seconds, unchanged=True)


def _fill_counts(report: BuildReport, docs: dict[str, Document], chunks: list[Chunk]) -> None:
    report.documents = len(docs)
    report.clauses = sum(len(d.clauses) for d in docs.values())
    report.chunks = len(chunks)
    per_doc = Counter(c.doc_id for c in chunks)      # one pass: a scan per document is quadratic at 1000x
    for d in docs.values():
        report.per_document.setdefault(d.doc_id, {}).update(clauses=len(d.clauses), chunks=per_doc[d.doc_id])
