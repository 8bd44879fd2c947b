"""The service layer: the one assistant that the HTTP API, the UI and any other front end share.

It owns what every front end needs and none should write again — start-up (index build and
warm-up), concurrency, streaming, and the classification of errors into what a user is told.
No web framework is imported here.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from index.errors import IndexLayerError, ZhiceError
from rag import selfcheck
from rag.limits import RequestRejected, checked_doc_id, checked_profile, checked_request, checked_unit
from rag.selfcheck import Report
from rag.tools.duties import DutyTable, TaskMatrix
from rag.tools.match import MatchResult
from rag.tools.toolbox import Toolbox
from rag.types import Answer, Filters, TokenCallback

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
SELFCHECK_LIMIT = 25               # questions per template when the admin section runs the self-check


class AssistantLike(Protocol):
    """What the service needs of rag.pipeline.Assistant (tests pass a fake with the same shape)."""

    @property
    def answerer_name(self) -> str: ...

    def warm_up(self, progress: Progress | None = None) -> Any: ...

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer: ...

    def cities(self) -> list[str]: ...


class NotReady(ZhiceError):
    """The assistant cannot answer now (its start-up or a store read failed); shown as 503 with
    the reason, which is also what /readyz reports."""


class NotFound(ZhiceError):
    """What a request names is not in the index (a document id); shown as 404."""


@dataclass(frozen=True)
class Failure:
    """An error as a front end reports it: an HTTP-like status and a message fit for the user."""

    status: int
    message: str
    kind: str       # "request_rejected" | "index_unavailable" | "answer_failed" | "internal"


def classify(exc: BaseException) -> Failure:
    """The one place errors are sorted: a request outside its budgets is 400 and says which; the
    product's own errors carry a message that says what to do; an index or store that cannot be
    used is 503 (try again after building or fixing it); anything else is internal."""
    if isinstance(exc, RequestRejected):
        return Failure(400, str(exc), "request_rejected")
    if isinstance(exc, NotFound):
        return Failure(404, str(exc), "not_found")
    if isinstance(exc, (IndexLayerError, NotReady)):
        return Failure(503, str(exc), "index_unavailable")
    if isinstance(exc, ZhiceError):
        return Failure(500, str(exc), "answer_failed")
    if store_failure(exc):
        return Failure(503, f"the index stores cannot be used: {store_failure(exc)}", "index_unavailable")
    return Failure(500, f"internal error ({type(exc).__name__}); see the server log for details", "internal")


_STORE_HINTS = (("readonly database", "the data directory is read-only; Chroma needs write access to it "
                 "(check the mount and the permissions of ZHICE_DATA_DIR)"),
                ("read-only file system", "the data directory is on a read-only file system (check ZHICE_DATA_DIR)"),
                ("permission denied", "the data directory cannot be read or written (check ZHICE_DATA_DIR)"),
                ("database is locked", "the Chroma database is locked by another process"),
                ("disk i/o error", "a disk I/O error in the index stores"))


def store_failure(exc: BaseException) -> str | None:
    """A short reason when `exc` (or its cause) is a storage failure a user can act on, else None."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        exc = current
        text = str(exc).lower()
        for needle, reason in _STORE_HINTS:
            if needle in text:
                return reason
        if isinstance(exc, PermissionError):
            return _STORE_HINTS[2][1]
        current, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def reason_of(exc: BaseException) -> str:
    """What /readyz says about a failed start or probe: the product's own message, a storage
    hint, or the exception's type (details stay in the server log)."""
    if isinstance(exc, ZhiceError):
        return str(exc)
    return store_failure(exc) or f"{type(exc).__name__} while reading the index; see the server log"


def one_blas_thread() -> None:
    """For a server process: every numpy call gets one BLAS thread, since a server's parallelism
    is its concurrent requests. OpenBLAS otherwise keeps a pool of one thread per core whose
    threads spin while they wait, and with many requests in flight those pools fight the requests
    for the cores. (The USE embedder sets its own limit on each encode: ZHICE_EMBEDDING_THREADS,
    also 1 by default; this covers the other matrix products, e.g. the exact filtered search.)"""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class AssistantService:
    """Starts the assistant once (index build if missing, then warm-up), lets several asks run at
    once (the index is read-only between builds; see README "Hostile input, budgets and health"), and streams tokens
    through a queue. Every request is checked against rag.limits before the assistant sees it."""

    def __init__(self, assistant: AssistantLike, *, probe_every_s: float = 1.0) -> None:
        missing = [m for m in ("ask", "warm_up", "cities") if not callable(getattr(assistant, m, None))]
        if missing:
            raise TypeError(f"{type(assistant).__name__} is not an Assistant: it lacks {', '.join(missing)}().")
        self.assistant = assistant
        self._ready = False
        self._ready_lock = threading.Lock()
        self._start_error: str | None = None
        self._failed_at = float("-inf")
        self._probe_every_s = probe_every_s
        self._probe_lock = threading.Lock()
        self._probed: tuple[float, str | None] = (float("-inf"), None)
        self._toolbox: Toolbox | None = None
        self._tools_lock = threading.Lock()

    @property
    def answerer_name(self) -> str:
        return str(getattr(self.assistant, "answerer_name", "unknown"))

    @property
    def is_ready(self) -> bool:
        return self._ready

    def start(self, progress: Progress | None = None) -> None:
        """Build the index if missing and load everything; idempotent. Call it before serving.
        A failure is raised as NotReady with the reason (and kept for /readyz); the next call
        tries again."""
        with self._ready_lock:
            if self._ready:
                return
            if self._start_error and time.monotonic() - self._failed_at < self._probe_every_s:
                raise NotReady(f"the assistant is not ready: {self._start_error}")   # no retry storm
            try:
                self.assistant.warm_up(progress=progress)
            except Exception as exc:
                self._start_error, self._failed_at = reason_of(exc), time.monotonic()
                log.error("the assistant could not start: %s", self._start_error, exc_info=True)
                raise NotReady(f"the assistant is not ready: {self._start_error}") from exc
            self._ready, self._start_error = True, None

    def readiness(self) -> str | None:
        """None when ready, else why not. Starts the assistant if needed, then does a real read of
        the stores (the assistant's probe(), when it has one), at most once per probe_every_s."""
        try:
            self.start()
        except NotReady:
            return self._start_error
        probe = getattr(self.assistant, "probe", None)
        if not callable(probe):
            return None
        with self._probe_lock:
            when, reason = self._probed
            if time.monotonic() - when < self._probe_every_s:
                return reason
            try:
                probe()
                reason = None
            except Exception as exc:
                reason = reason_of(exc)
                log.error("readiness probe failed: %s", reason, exc_info=True)
            self._probed = (time.monotonic(), reason)
            return reason

    def reload(self) -> None:
        """Re-read the index after a build (e.g. an upload): the assistant wires and warms new
        components, then swaps them in; questions already running finish on the old ones."""
        reload = getattr(self.assistant, "reload", None)
        if not callable(reload):
            raise TypeError(f"{type(self.assistant).__name__} cannot reload its index (it has no reload()).")
        reload()
        self._ready = True

    def cities(self) -> list[str]:
        self.start()
        return list(self.assistant.cities())

    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer:
        request = checked_request(question, history, filters)
        self.start()
        return self.assistant.ask(request.question, history=request.history, filters=request.filters,
                                  on_token=on_token)

    # -- the tools (rag/tools): policy matching and duty tables, over the index the answers use ----
    def toolbox(self) -> Toolbox:
        """The tools over the snapshot the assistant answers from, made again when a new build is
        loaded; the per-snapshot tables are built once (the duty lookup reuses the strategy's)."""
        self.start()
        components = getattr(self.assistant, "components", None)
        snapshot = getattr(components, "snapshot", None)
        if snapshot is None:
            raise NotReady("this assistant holds no index snapshot, which the tools read")
        with self._tools_lock:
            if self._toolbox is None or self._toolbox.snapshot is not snapshot:
                units = getattr(getattr(components, "strategy", None), "units", None)
                toolbox = Toolbox(snapshot, unit_table=units)
                toolbox.warm_up()
                self._toolbox = toolbox
            return self._toolbox

    def selfcheck(self, limit: int | None = SELFCHECK_LIMIT) -> Report:
        """The self-check (rag/selfcheck.py) over the index the assistant answers from: generated
        questions with known answers, at most `limit` per template, asked through the assistant."""
        snapshot = self.toolbox().snapshot
        return selfcheck.run(snapshot, lambda q: self.assistant.ask(q), limit=limit)

    def match(self, **profile: Any) -> MatchResult:
        """Policy matching for a profile (free `text` and/or form fields; rag.limits.checked_profile)."""
        request = checked_profile(**profile)
        return self.toolbox().match(request)

    def duties(self, unit: Any, place: Any = None) -> DutyTable:
        name, where = checked_unit(unit, place)
        return self.toolbox().duties(name, where)

    def tasks(self, doc_id: Any) -> TaskMatrix:
        matrix = self.toolbox().tasks(checked_doc_id(doc_id))
        if matrix is None:
            raise NotFound("no document with this id in the index; GET /api/documents lists the uploaded ones, "
                           "and the 部门职责 tab the others")
        return matrix

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yields each streamed token (str) as it comes, then the final Answer; re-raises failures."""
        events: queue.Queue[tuple[str, Any]] = queue.Queue()

        def work() -> None:
            try:
                answer = self.ask(question, history, filters, on_token=lambda t: events.put(("token", t)))
                events.put(("answer", answer))
            except BaseException as exc:
                events.put(("error", exc))

        threading.Thread(target=work, name="zhice-ask", daemon=True).start()
        while True:
            kind, value = events.get()
            if kind == "error":
                raise value
            yield value
            if kind == "answer":
                return
