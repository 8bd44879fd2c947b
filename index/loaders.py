"""Reading a corpus directory: which files count, how bytes become text.

UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312); a file that is
neither, or holds binary data, raises IngestError naming the file and what to do. So does a file
over the size limit (checked before it is read) and text that is not plausibly prose
(index/prose.py): random bytes often decode as GB18030.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from index.errors import IngestError
from index.prose import prose_problem

SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_FILE_BYTES = 5 * 1024 * 1024       # a policy document is tens of KB; `index build --max-file-mb`
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}
_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "iframe", "form"}


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source: str
    text: str
    sha256: str


def list_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise IngestError(f"Corpus directory {directory} does not exist; pass --docs DIR or set ZHICE_CORPUS_DIR.")
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                  and p.name.lower() != "readme.md")


def decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise IngestError(f"{name}: binary data (NUL bytes), not a text document; remove it from the corpus.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}: neither UTF-8 nor GB18030/GBK; re-save it as UTF-8 and build again.")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skip:
            self.skip -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return re.sub(r"[ \t\u3000]*\n\s*", "\n", "".join(parser.parts)).strip()


def markdown_to_text(text: str) -> str:
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    return re.sub(r"\*\*|__", "", text)


def read_limited(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refused before reading when it is over `max_bytes` (and never reading
    more than max_bytes + 1, should it grow meanwhile)."""
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
            size = max(size, len(data))
    except OSError as e:
        raise IngestError(f"{path.name}: cannot be read ({e.strerror}); check its permissions.") from e
    if size > max_bytes:
        raise IngestError(f"{path.name}: {_mb(size)} is over the size limit of {_mb(max_bytes)}; split it, "
                          "or raise the limit with `python -m index build --max-file-mb N` if it is a real document.")
    return data


def _mb(n: int) -> str:
    if n >= 100 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def load(path: Path, max_bytes: int = MAX_FILE_BYTES) -> RawDocument:
    data = read_limited(path, max_bytes)
    text = decode(data, path.name)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    elif path.suffix.lower() == ".md":
        text = markdown_to_text(text)
    if not text.strip():
        raise IngestError(f"{path.name}: no text in it; remove it or fill it.")
    problem = prose_problem(text)
    if problem is not None:
        raise IngestError(f"{path.name}: not plausibly Chinese or English prose ({problem}); "
                          "check that it is the document you meant (re-save it as UTF-8 text) or remove it.")
    return RawDocument(path.stem, path.name, text, hashlib.sha256(data).hexdigest())
