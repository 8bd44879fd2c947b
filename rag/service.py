"""The service layer: the one assistant that the HTTP API, the UI and any other front end share.

It owns what every front end needs and none should write again — start-up (index build and
warm-up), concurrency, streaming, and the classification of errors into what a user is told.
No web framework is imported here.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence

from index.errors import IndexLayerError, ZhiceError
from rag.types import Answer, Filters, TokenCallback

Progress = Callable[[float, str], None]


class AssistantLike(Protocol):
    """What the service needs of rag.pipeline.Assistant (tests pass a fake with the same shape)."""

    @property
    def answerer_name(self) -> str: ...

    def warm_up(self, progress: Progress | None = None) -> Any: ...

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer: ...

    def cities(self) -> list[str]: ...


@dataclass(frozen=True)
class Failure:
    """An error as a front end reports it: an HTTP-like status and a message fit for the user."""

    status: int
    message: str
    kind: str       # "index_unavailable" | "answer_failed" | "internal"


def classify(exc: BaseException) -> Failure:
    """The one place errors are sorted: the product's own errors carry a message that says what to
    do; an index that cannot be used is 503 (try again after building); anything else is internal."""
    if isinstance(exc, IndexLayerError):
        return Failure(503, str(exc), "index_unavailable")
    if isinstance(exc, ZhiceError):
        return Failure(500, str(exc), "answer_failed")
    return Failure(500, f"internal error ({type(exc).__name__}); see the server log for details", "internal")


class AssistantService:
    """Starts the assistant once (index build if missing, then warm-up), asks one question at a
    time (the retrieval stack is not known to be thread-safe), and streams tokens through a queue."""

    def __init__(self, assistant: AssistantLike) -> None:
        missing = [m for m in ("ask", "warm_up", "cities") if not callable(getattr(assistant, m, None))]
        if missing:
            raise TypeError(f"{type(assistant).__name__} is not an Assistant: it lacks {', '.join(missing)}().")
        self.assistant = assistant
        self._ready = False
        self._ready_lock = threading.Lock()
        self._ask_lock = threading.Lock()

    @property
    def answerer_name(self) -> str:
        return str(getattr(self.assistant, "answerer_name", "unknown"))

    @property
    def is_ready(self) -> bool:
        return self._ready

    def start(self, progress: Progress | None = None) -> None:
        """Build the index if missing and load everything; idempotent. Call it before serving."""
        with self._ready_lock:
            if not self._ready:
                self.assistant.warm_up(progress=progress)
                self._ready = True

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
        self.start()
        with self._ask_lock:
            return self.assistant.ask(question, history=list(history), filters=filters or Filters(), on_token=on_token)

    def stream(self, question: str, history: Sequence[tuple[str, str]] = (),
               filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yields each streamed token (str) as it comes, then the final Answer; re-raises failures."""
        events: queue.Queue[tuple[str, Any]] = queue.Queue()

        def work() -> None:
            try:
                answer = self.ask(question, history, filters, on_token=lambda t: events.put(("token", t)))
                events.put(("answer", answer))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                events.put(("error", exc))

        threading.Thread(target=work, name="zhice-ask", daemon=True).start()
        while True:
            kind, value = events.get()
            if kind == "error":
                raise value
            yield value
            if kind == "answer":
                return
