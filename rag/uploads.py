"""Documents added and removed while the service runs: checks, storage, background re-indexing.

    check_upload(filename, data, max_bytes) -> Checked        (pure: type, size, content, encoding, text)
    check_parses(checked) -> Parsed                            (what the document yields, or why not)
    Library(settings, build=…, on_built=service.reload)       add / remove / documents / status

A file is stored in the corpus directory under a name made from its content
(`upload_<sha256[:16]><ext>`, so its doc_id is that stem): nothing of the client's file name but
the checked extension reaches the disk. Every change schedules one incremental build
(index.build.build_index) on a single worker thread; changes made during a build are picked up
by the next one. After a build the service reloads its components, so answers come from the
new index. Only uploaded documents can be removed over HTTP; the shipped corpus stays.
No web framework here.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.catalog import current_build, load_index
from index.errors import IngestError, ZhiceError
from index.loaders import (
    SUFFIXES,
    RawDocument,
    content_problem,
    decode,
    html_to_text,
    list_files,
    load_bytes,
    markdown_to_text,
    sniff,
)

log = logging.getLogger(__name__)
PREFIX = "upload_"
__all__ = ["SUFFIXES", "Checked", "Library", "Parsed", "UploadError", "check_parses", "check_upload"]
Progress = Callable[[float, str], None]


class UploadError(ZhiceError):
    """A document refused or not found; `status` is the HTTP status a front end should use."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass(frozen=True)
class Checked:
    data: bytes
    suffix: str
    encoding: str                   # utf-8 / gb18030; "binary" for PDF, Word and images
    text: str                       # the plain text of a text file; "" for the other formats
    sha256: str

    @property
    def doc_id(self) -> str:
        return f"{PREFIX}{self.sha256[:16]}"

    @property
    def file_name(self) -> str:
        return f"{self.doc_id}{self.suffix}"


def _encoding_of(data: bytes) -> str:
    try:
        data.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def check_upload(filename: str, data: bytes, max_bytes: int) -> Checked:
    """Accept a document in one of the formats the index reads (index.loaders.SUFFIXES), up to
    `max_bytes`, whose content is what its name says; text must be UTF-8 or GB18030 and hold text.
    Raise UploadError (413 / 415 / 400) saying what is wrong otherwise."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(415, f"only {', '.join(SUFFIXES)} files are accepted (text, Markdown, HTML, PDF, Word, "
                          f"WPS, scanned images); got {suffix[:16] or 'no extension'!r}", "unsupported_file_type")
    if len(data) > max_bytes:
        raise UploadError(413, f"the file has {len(data)} bytes; the limit is {max_bytes} (ZHICE_UPLOAD_MAX_BYTES)",
                          "file_too_large")
    if not data.strip():
        raise UploadError(400, "the file is empty", "empty_file")
    problem = content_problem(data, suffix)
    if problem is not None:
        raise UploadError(415, f"the file is {problem}; save it in the format its name says, or give it the right "
                          "extension", "wrong_content")
    if sniff(data, suffix) != "text":
        return Checked(data, suffix, "binary", "", hashlib.sha256(data).hexdigest())
    try:
        text = decode(data, "the file")
    except IngestError as e:
        raise UploadError(415, str(e), "not_text") from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if controls:
        raise UploadError(415, f"the file holds {controls} control characters: it is not a text document", "not_text")
    plain = html_to_text(text) if suffix in (".html", ".htm") else markdown_to_text(text) if suffix == ".md" else text
    if not plain.strip():
        raise UploadError(400, "the file has no text in it", "empty_file")
    return Checked(data, suffix, _encoding_of(data), plain, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Parsed:
    """What an upload yields before it is indexed: its clauses (None when reading is left to the
    background build: scans to OCR, .doc/.wps to convert), format, pages and whether OCR reads it."""

    clauses: int | None
    format: str
    pages: int | None = None
    ocr: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"clauses_found": self.clauses, "format": self.format, "pages": self.pages, "ocr": self.ocr}


def check_parses(checked: Checked) -> Parsed:
    """Read the document as the build will; UploadError(422) when it cannot be indexed: no
    clauses, unreadable, or it needs a reader this server lacks (Tesseract for a scan, LibreOffice
    for .doc/.wps). Reading that takes long (OCR, LibreOffice) is only checked to be possible here
    and done by the background build, whose listing then shows the document indexed or failed."""
    from index.document import parse_document

    if checked.encoding != "binary":
        raw = RawDocument(checked.doc_id, checked.file_name, checked.text, checked.sha256)
    else:
        deferred = _deferred(checked)
        if deferred is not None:
            return deferred
        try:
            raw = load_bytes(checked.data, checked.file_name, checked.doc_id)
        except IngestError as e:
            raise UploadError(422, str(e), "unreadable") from None
    try:
        doc = parse_document(raw)
    except IngestError:
        doc = None
    if doc is None or not doc.clauses:
        raise UploadError(422, "no clauses were found in the document (numbered items such as 一、 (一) 1.); "
                          "it would never be cited", "no_clauses")
    return Parsed(len(doc.clauses), doc.format, doc.pages, doc.ocr)


def _deferred(checked: Checked) -> Parsed | None:
    """For a scan (an image, or a PDF whose pages have no text) or a .doc/.wps: a Parsed without
    clauses when this server can read it, UploadError(422) when it cannot; None for the rest."""
    from index import ocr, office

    kind = sniff(checked.data, checked.suffix)
    if kind == "office":
        if office.soffice() is None:
            raise UploadError(422, f"{checked.suffix} files are read through LibreOffice, which is not installed on "
                              "this server; upload the document as .docx or PDF", "reader_missing")
        return Parsed(None, checked.suffix.lstrip("."))
    pages, scans = _scanned_pages(checked) if kind == "pdf" else (None, 1 if kind == "image" else 0)
    if not scans:
        return None
    if ocr.engine() is None:
        raise UploadError(422, "the document is a scan and needs OCR, but Tesseract (with chi_sim) is not installed "
                          "on this server; upload a PDF with a text layer, or a Word file", "reader_missing")
    return Parsed(None, "pdf" if kind == "pdf" else "image", pages, True)


def _scanned_pages(checked: Checked) -> tuple[int, int]:
    """(pages, pages without a text layer) of a PDF; UploadError(422) when it cannot be opened."""
    from index.pdf import MIN_TEXT_CHARS, open_pdf, text_layer

    try:
        doc = open_pdf(checked.data, "the file")
    except IngestError as e:
        raise UploadError(422, str(e), "unreadable") from None
    try:
        scans = sum(1 for i in range(len(doc)) if sum(len(ln.text) for ln in text_layer(doc[i]).lines) < MIN_TEXT_CHARS)
        return len(doc), scans
    finally:
        doc.close()


@dataclass
class BuildStatus:
    state: str = "idle"              # idle | queued | building | failed
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    builds: int = 0
    last_build_s: float | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "progress": round(self.progress, 3), "message": self.message,
                "error": self.error, "builds": self.builds, "last_build_s": self.last_build_s,
                "skipped": list(self.skipped)}


class Library:
    """The corpus directory as a service sees it: add and remove documents, rebuild in the
    background (one build at a time), report progress. `build(progress)` runs the index build
    and `on_built()` reloads the service; both are given by the caller."""

    def __init__(self, *, corpus_dir: Path, index_settings: Any, build: Callable[[Progress], Any],
                 on_built: Callable[[], None]) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.settings = index_settings
        self._build, self._on_built = build, on_built
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending = False
        self._worker: threading.Thread | None = None
        self.status = BuildStatus()
        self._indexed: dict[str, dict[str, Any]] | None = None

    # -- changes ------------------------------------------------------------------------------
    def add(self, checked: Checked) -> dict[str, Any]:
        path = self.corpus_dir / checked.file_name
        if path.exists():
            raise UploadError(409, f"this document is already in the corpus as {checked.doc_id}", "duplicate")
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.corpus_dir / f".{checked.file_name}.part"     # not listed by the loader (no such suffix)
        tmp.write_bytes(checked.data)
        os.replace(tmp, path)
        self.schedule()
        return self.document(checked.doc_id)

    def remove(self, doc_id: str) -> dict[str, Any]:
        path = self._uploaded_path(doc_id)
        if path is None:
            shipped = any(p.stem == doc_id for p in self._files())
            raise UploadError(403 if shipped else 404,
                              f"{doc_id[:80]} is part of the shipped corpus; only uploaded documents ({PREFIX}…) "
                              "can be removed over HTTP" if shipped else f"no document {doc_id[:80]!r}; "
                              "GET /api/documents lists them", "not_removable" if shipped else "not_found")
        path.unlink()
        self.schedule()
        return {"doc_id": doc_id, "state": "removing"}

    def schedule(self) -> None:
        with self._lock:
            self._pending = True
            if self.status.state != "building":
                self.status.state, self.status.message = "queued", "a build is queued"
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="zhice-index-build", daemon=True)
                self._worker.start()
            self._wake.notify_all()

    def wait(self, timeout: float = 120.0) -> BuildStatus:
        """Block until no build is queued or running (tests, scripts)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self.status.state == "building":
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the index build did not finish within {timeout:.0f} s")
                self._wake.wait(left)
            return self.status

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    return
                self._pending = False
                self.status.state, self.status.progress, self.status.error = "building", 0.0, None
            started = time.perf_counter()
            try:
                report = self._build(self._progress)
                self._on_built()
                skipped = list(getattr(report, "skipped", []) or [])
                failed, error = False, None
            except Exception as exc:
                log.exception("background index build failed")
                skipped, failed, error = [], True, str(exc) if isinstance(exc, ZhiceError) else f"{type(exc).__name__}: see the server log"
            with self._lock:
                self._indexed = None
                self.status.builds += 1
                self.status.last_build_s = round(time.perf_counter() - started, 2)
                self.status.skipped, self.status.error = skipped, error
                self.status.state = "queued" if self._pending else ("failed" if failed else "idle")
                self.status.progress = 1.0 if not failed else self.status.progress
                self.status.message = "build failed; the previous index is still served" if failed else "index ready"
                self._wake.notify_all()

    def _progress(self, fraction: float, message: str) -> None:
        with self._lock:
            self.status.progress, self.status.message = float(fraction), str(message)

    # -- views --------------------------------------------------------------------------------
    def _files(self) -> list[Path]:
        try:
            return list_files(self.corpus_dir)
        except IngestError:
            return []

    def _uploaded_path(self, doc_id: str) -> Path | None:
        return next((p for p in self._files() if p.stem == doc_id and p.stem.startswith(PREFIX)), None)

    def _indexed_docs(self) -> dict[str, dict[str, Any]]:
        if self._indexed is None:
            docs: dict[str, dict[str, Any]] = {}
            if current_build(self.settings.index_dir) is not None:
                try:
                    for d in load_index(self.settings).documents.values():
                        docs[d.doc_id] = {"title": d.title, "city": d.place, "date": d.date, "clauses": len(d.clauses),
                                          "format": d.format, "pages": d.pages, "ocr": d.ocr}
                except (ZhiceError, ValueError, KeyError) as e:
                    log.warning("cannot read the index for the document list: %s", e)
            self._indexed = docs
        return self._indexed

    def documents(self) -> list[dict[str, Any]]:
        with self._lock:
            busy = self._pending or self.status.state in ("queued", "building")
            skipped = {s.get("file"): s.get("error") for s in self.status.skipped}
        indexed = self._indexed_docs()
        out = []
        for path in self._files():
            doc_id = path.stem
            entry = {"doc_id": doc_id, "file": path.name, "bytes": path.stat().st_size,
                     "uploaded": doc_id.startswith(PREFIX), **indexed.get(doc_id, {})}
            if doc_id in indexed:
                entry["state"] = "indexed"
            elif path.name in skipped and not busy:
                entry["state"], entry["error"] = "failed", skipped[path.name]
            else:
                entry["state"] = "indexing" if busy else "not_indexed"
            out.append(entry)
        present = {p.stem for p in self._files()}
        out += [{"doc_id": d, "uploaded": d.startswith(PREFIX), **meta, "state": "removing" if busy else "removed"}
                for d, meta in indexed.items() if d not in present]
        return out

    def document(self, doc_id: str) -> dict[str, Any]:
        found = next((d for d in self.documents() if d["doc_id"] == doc_id), None)
        if found is None:
            raise UploadError(404, f"no document {doc_id[:80]!r}; GET /api/documents lists them", "not_found")
        return found
