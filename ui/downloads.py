"""Files the tool tabs offer for download: bytes written under one temporary directory of this
process (Gradio serves them from there), each in a folder of its own so names never clash; files
older than an hour are removed when a new one is written, so the directory stays small."""
from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(tempfile.gettempdir()) / "zhice-downloads"
KEEP_S = 3600
_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


def save(data: bytes, name: str) -> str:
    """Write `data` as `name` (made safe for a file system) and return the path to hand to gr.File."""
    prune()
    folder = ROOT / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (_UNSAFE.sub("_", name).strip("._") or "download")
    path.write_bytes(data)
    return str(path)


def prune(now: float | None = None) -> None:
    """Remove the download folders older than KEEP_S."""
    if not ROOT.exists():
        return
    limit = (now or time.time()) - KEEP_S
    for folder in ROOT.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
