"""A circuit breaker for a slow or failing dependency (the LLM endpoint).

    closed    calls go through; `failures` consecutive failures open it
    open      calls are refused for `cooldown_s` (answers fall back at once)
    half-open after the cool-down one trial call goes through: success closes it, failure opens
              it again for another cool-down; other callers are still refused meanwhile

Thread-safe; the clock is injectable for tests.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, *, failures: int = 3, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or cooldown_s < 0:
            raise ValueError(f"failures must be >= 1 and cooldown_s >= 0, got {failures!r}, {cooldown_s!r}")
        self.threshold, self.cooldown_s, self._clock = failures, cooldown_s, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._trial or self._clock() - self._opened_at >= self.cooldown_s:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the first caller gets True (the trial)."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._trial:
                self._trial = True
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.threshold:
                self._opened_at, self._trial = self._clock(), False

    def release(self) -> None:
        """The allowed call ended without telling (neither success nor failure): a trial slot
        is given back so the next caller may try."""
        with self._lock:
            self._trial = False

    def retry_in(self) -> float:
        """Seconds until the next trial call (0 when closed or half-open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
