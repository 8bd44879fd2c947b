"""What a build was made from, so a rebuild with nothing changed can stop after hashing the files.

Each build directory gets a small `manifest.json` next to its catalog: the sha256 of every corpus
file, the settings and code that decide chunking and embedding, and the build's counts. When a
new build's fingerprint equals the current build's, nothing would change: the build returns
without parsing a document, listing the Chroma store, loading jieba or reading the catalog.
"""
from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from index import ocr, office
from index.catalog import FORMAT, catalog_file, current_build
from index.loaders import IMAGE_SUFFIXES, OFFICE_SUFFIXES, list_files
from index.settings import IndexSettings

MANIFEST = "manifest.json"
_CODE = Path(__file__).resolve().parent
_PACKAGES = ("jieba", "bm25s", "cpca", "opencc-python-reimplemented", "opencc", "tiktoken", "pypdfium2",
             "python-docx", "pillow")


def _code_hash() -> str:
    """The index package's own source (parsing, chunking, tokens), its data files (the support
    lexicons) and the versions of the packages it parses with: a change in any of them makes the
    next build a full one."""
    h = hashlib.sha256()
    for path in sorted([*_CODE.glob("*.py"), *_CODE.glob("*.txt"), *_CODE.glob("data/*.tsv")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _PACKAGES:
        try:  # noqa: SIM105 - a package not installed simply does not count
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


def file_hashes(docs_dir: Path) -> dict[str, str]:
    out = {}
    for path in list_files(docs_dir):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        out[path.name] = h.hexdigest()
    return out


def readers(files: dict[str, str]) -> dict[str, str | None]:
    """The outside programs that read some of these files (Tesseract for scans and images,
    LibreOffice for .doc/.wps): installing or removing one changes what a build makes of them."""
    suffixes = {Path(name).suffix.lower() for name in files}
    out: dict[str, str | None] = {}
    if suffixes & {".pdf", *IMAGE_SUFFIXES}:
        found = ocr.engine()
        out["ocr"] = found.languages if found is not None else None
    if suffixes & set(OFFICE_SUFFIXES):
        out["office"] = office.soffice()
    return out


def fingerprint(settings: IndexSettings, docs_dir: Path, embedder: str) -> dict[str, Any]:
    files = file_hashes(docs_dir)
    return {
        "files": files,
        "settings": {"embedder": embedder, "chunk_max_tokens": settings.chunk_max_tokens, "format": FORMAT,
                     "chroma": settings.chroma_url or str(Path(settings.chroma_dir).resolve()),
                     "collection": settings.chroma_collection, **readers(files)},
        "code": _code_hash(),
    }


def unchanged_build(settings: IndexSettings, fp: dict[str, Any]) -> dict[str, Any] | None:
    """The current build's manifest when it was made from exactly `fp`; None otherwise."""
    build = current_build(settings.index_dir)
    if build is None or not (build / MANIFEST).is_file():
        return None
    try:
        stored = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = all(stored.get(k) == fp[k] for k in ("files", "settings", "code"))
    return dict(stored, build_id=build.name) if same and stored.get("catalog_bytes") == _catalog_bytes(build) else None


def _catalog_bytes(build: Path) -> int | None:
    """The size of the build's catalog: a catalog truncated or edited since is not taken as built."""
    path = catalog_file(build)
    return path.stat().st_size if path is not None else None


def write_manifest(settings: IndexSettings, build_id: str, fp: dict[str, Any], counts: dict[str, Any]) -> None:
    """Written after the catalog; a build that stops before it only costs the next one its shortcut."""
    build = settings.index_dir / "builds" / build_id
    tmp = build / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(dict(fp, counts=counts, catalog_bytes=_catalog_bytes(build)), ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, build / MANIFEST)
