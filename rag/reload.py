"""Noticing a new index build without a restart: a cheap look at the CURRENT pointer.

    watcher = BuildWatcher(index_dir)
    watcher.changed(loaded_build_id) -> bool    (reads CURRENT at most once per `interval_s`)
    watcher.seen(build_id)                      (after loading it, or failing to)

A build replaces CURRENT atomically (index.catalog.write_snapshot), so reading it is enough; its
modification time and size are checked first, so most calls cost one stat().
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

CHECK_INTERVAL_S = 1.0


class BuildWatcher:
    def __init__(self, index_dir: Path, *, interval_s: float = CHECK_INTERVAL_S) -> None:
        self.pointer = Path(index_dir) / "CURRENT"
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._stat: tuple[int, int] | None = None
        self._pointed: str | None = None
        self._failed: str | None = None

    def _read(self) -> str | None:
        try:
            st = os.stat(self.pointer)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        if key != self._stat:
            try:
                self._pointed = self.pointer.read_text(encoding="utf-8").strip() or None
            except OSError:
                return None
            self._stat = key
        return self._pointed

    def changed(self, loaded: str) -> bool:
        """True when CURRENT names a build other than `loaded` (and not one that failed to load)."""
        now = time.monotonic()
        with self._lock:
            if now < self._next_check:
                return False
            self._next_check = now + self.interval_s
            pointed = self._read()
        return pointed is not None and pointed != loaded and pointed != self._failed

    def seen(self, build_id: str, *, failed: bool = False) -> None:
        """Record the outcome of a load: a build that failed is not retried until CURRENT moves on."""
        with self._lock:
            if failed:
                self._failed = self._pointed
            self._next_check = time.monotonic() + self.interval_s


def forget_embedded_chroma(path: Path) -> None:
    """Make the next embedded Chroma client on `path` read the collection from disk again.

    Chroma keeps one System per path per process, with its vector index in memory: vectors that
    another process (`python -m index build`) added are counted but never returned by queries.
    Dropping the cached System before the new Components connect gives them a fresh one; the old
    one keeps serving the asks still running on the old Components. (chromadb 1.5.9 internals.)"""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:   # pragma: no cover - another Chroma layout: nothing cached to forget
        return
    SharedSystemClient._identifier_to_system.pop(str(path), None)
