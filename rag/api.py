"""The HTTP API over an Assistant (rag.pipeline.build_assistant): `create_api(assistant) -> FastAPI`.

    POST /api/ask               {"question", "history"?, "filters"?} -> the eval/FORMAT.md contract
    POST /v1/chat/completions   OpenAI-compatible, streamed (SSE + [DONE]) or not; the contract
                                rides along under the extra key "zhice"
    GET  /healthz

No retrieval or answer logic here: requests are validated, handed to `assistant.ask`, and the
Answer is rendered. The pure helpers (question from messages, reply text, JSON bodies) are tested
on their own.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from typing import Any, Callable, Iterator, Literal, Protocol, Sequence

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rag.types import Answer, Filters, TokenCallback

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
CORRECTION = "\n\n（以上生成内容未通过引用核验，已改用下面的答案）\n\n"
ASK_SHAPE = '{"question": str, "history": [[user, assistant], ...], "filters": {"cities": [...], "doc_ids": [...]}}'


class Assistant(Protocol):
    """What rag.pipeline.build_assistant() returns, as far as the API needs it."""

    answerer_name: str

    def ensure_index(self, progress: Callable[[float, str], None] | None = None) -> Any: ...

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None, filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer: ...

    def cities(self) -> list[str]: ...


Progress = Callable[[float, str], None]


class AssistantService:
    """The one assistant the API and the UI share: builds the index once, asks one at a time
    (the retrieval stack is not known to be thread-safe), and streams tokens through a queue."""

    def __init__(self, assistant: Assistant) -> None:
        missing = [m for m in ("ask", "ensure_index", "cities") if not callable(getattr(assistant, m, None))]
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

    def ensure_index(self, progress: Progress | None = None) -> None:
        with self._ready_lock:
            if not self._ready:
                self.assistant.ensure_index(progress=progress)
                self._ready = True

    def cities(self) -> list[str]:
        self.ensure_index()
        return list(self.assistant.cities())

    def ask(self, question: str, history: Sequence[tuple[str, str]] = (), filters: Filters | None = None,
            on_token: TokenCallback | None = None) -> Answer:
        self.ensure_index()
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

    @staticmethod
    def is_index_error(exc: BaseException) -> bool:
        from index.errors import IndexError_

        return isinstance(exc, IndexError_)

    @staticmethod
    def explain(exc: BaseException) -> str:
        """A message for the user: the error's own text when it says what to do, else a pointer to the log."""
        from rag.llm import LLMError

        if AssistantService.is_index_error(exc) or isinstance(exc, LLMError):
            return str(exc)
        return f"internal error ({type(exc).__name__}); see the server log for details"


# ---------------------------------------------------------------- request bodies
class FiltersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cities: list[str] = Field(default_factory=list, description='short names, e.g. "中山"; "全国" = national')
    doc_ids: list[str] = Field(default_factory=list)

    def to_filters(self) -> Filters:
        return Filters(cities=list(self.cities), doc_ids=list(self.doc_ids))


def _question(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the question is empty; send the text to ask, e.g. 中山市推行首席质量官制度由哪些部门负责?")
    if len(value) > MAX_QUESTION_CHARS:
        raise ValueError(f"the question has {len(value)} characters; keep it under {MAX_QUESTION_CHARS}")
    return value


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list, description="earlier [user, assistant] turns")
    filters: FiltersBody = Field(default_factory=FiltersBody)

    _check_question = field_validator("question")(_question)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type", "text") == "text")
        return self.content or ""


class ChatBody(BaseModel):
    model_config = ConfigDict(extra="allow")   # temperature, max_tokens, … are accepted and ignored
    model: str = "zhice"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    filters: FiltersBody = Field(default_factory=FiltersBody, description="extension: restrict the corpus")

    @model_validator(mode="after")
    def _last_is_question(self) -> "ChatBody":
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's question (role 'user')")
        _question(self.messages[-1].text())
        return self


# ---------------------------------------------------------------- pure helpers
def question_and_history(messages: Sequence[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message is the question; earlier user/assistant turns pair up as history."""
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for m in messages[:-1]:
        if m.role == "user":
            if pending is not None:
                history.append((pending, ""))
            pending = m.text()
        elif m.role == "assistant" and pending is not None:
            history.append((pending, m.text()))
            pending = None
    if pending is not None:
        history.append((pending, ""))
    return messages[-1].text().strip(), history


def sources_text(contract: dict[str, Any]) -> str:
    """The compact list under a chat reply: warnings, then one line per citation."""
    lines = [f"⚠ {w['detail']}" for w in contract.get("warnings", []) if w.get("kind") != "llm_fallback"]
    cites = contract.get("citations", [])
    if cites:
        lines.append("来源：")
        lines += [f"[{c['marker']}] {c['city']}·《{c['title']}》{c['clause']}：“{c['quote']}”" for c in cites]
    return "\n".join(lines)


def reply_text(contract: dict[str, Any]) -> str:
    """What a chat client shows: the answer, then the sources."""
    tail = sources_text(contract)
    return contract["answer"] + (f"\n\n{tail}" if tail else "")


def closing_delta(streamed: str, full: str) -> str:
    """What to send after the streamed tokens so the client ends up with `full`: the rest of it,
    or, when the streamed text was replaced (an LLM answer that failed the check), a correction."""
    sent = streamed.rstrip()
    if full.startswith(sent):
        return full[len(sent):]
    return CORRECTION + full


def completion_body(reply: str, contract: dict[str, Any], model: str, cid: str, created: int) -> dict[str, Any]:
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "zhice": contract,
    }


def chunk_body(delta: dict[str, Any], model: str, cid: str, created: int, finish: str | None = None,
               **extra: Any) -> dict[str, Any]:
    return {
        "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra,
    }


def sse(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    """FastAPI's error list as one sentence: 'body.question: Field required; …'."""
    parts = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()))
        parts.append(f"{where}: {str(e.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def contract_of(answer: Answer) -> dict[str, Any]:
    return jsonable_encoder(answer.to_contract())


# ---------------------------------------------------------------- the app
def _error(status: int, message: str, kind: str = "invalid_request_error", **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"message": message, "type": kind, **extra}})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        shape = ASK_SHAPE if request.url.path == "/api/ask" else '{"messages": [{"role": "user", "content": str}], "stream": bool}'
        message = f"{validation_message(exc.errors())}. Expected a JSON body like {shape}."
        return _error(422, message, details=jsonable_encoder(exc.errors()))

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request to %s failed", request.url.path)
        return _error(503 if AssistantService.is_index_error(exc) else 500, AssistantService.explain(exc), "server_error")


def create_api(assistant: Assistant | AssistantService) -> FastAPI:
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    app = FastAPI(title="质策 API", docs_url=None, redoc_url=None)   # the docs pages load assets from a CDN
    app.state.service = service
    _install_error_handlers(app)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "answerer": service.answerer_name, "index_ready": service.is_ready}

    @app.post("/api/ask")
    def ask(body: AskBody) -> JSONResponse:
        answer = service.ask(body.question, body.history, body.filters.to_filters())
        return JSONResponse(contract_of(answer))

    @app.post("/v1/chat/completions", response_model=None)
    def chat(body: ChatBody) -> JSONResponse | StreamingResponse:
        question, history = question_and_history(body.messages)
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if body.stream:
            events = _chat_events(service, question, history, body.filters.to_filters(), body.model, cid, created)
            return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        contract = contract_of(service.ask(question, history, body.filters.to_filters()))
        return JSONResponse(completion_body(reply_text(contract), contract, body.model, cid, created))

    return app


def _chat_events(service: AssistantService, question: str, history: list[tuple[str, str]], filters: Filters,
                 model: str, cid: str, created: int) -> Iterator[str]:
    yield sse(chunk_body({"role": "assistant", "content": ""}, model, cid, created))
    streamed = ""
    try:
        for item in service.stream(question, history, filters):
            if isinstance(item, str):
                streamed += item
                yield sse(chunk_body({"content": item}, model, cid, created))
            else:
                contract = contract_of(item)
    except Exception as exc:  # noqa: BLE001 - the headers are sent: report in the stream itself
        log.exception("streamed answer failed")
        yield sse(chunk_body({"content": f"\n\n⚠ {AssistantService.explain(exc)}"}, model, cid, created, "stop"))
        yield sse("[DONE]")
        return
    yield sse(chunk_body({"content": closing_delta(streamed, reply_text(contract))}, model, cid, created))
    yield sse(chunk_body({}, model, cid, created, "stop", zhice=contract))
    yield sse("[DONE]")
