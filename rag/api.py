"""The HTTP API over the service (rag.service.AssistantService): `create_api(service) -> FastAPI`.

    POST /api/ask               {"question", "history"?, "filters"?} -> the eval/FORMAT.md contract
    POST /v1/chat/completions   OpenAI-compatible, streamed (SSE + [DONE]) or not; the contract
                                rides along under the extra key "zhice"
    GET  /livez                 the process is up
    GET  /readyz                a real read of both stores works (503 with the reason otherwise)
    GET  /healthz               /readyz in the older shape (kept for compatibility)

Every request gets an X-Request-ID, budgets (rag.limits) are enforced before the assistant runs,
and errors come back once, classified (rag.service.classify), in OpenAI's error shape with the
request id and without echoing the input. Access guards (API key, Host check, upload gate) are
in rag.guard.

No retrieval or answer logic here: requests are validated, handed to `assistant.ask`, and the
Answer is rendered. The pure helpers (question from messages, reply text, JSON bodies) are tested
on their own.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Iterator, Literal, Sequence

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag import limits
from rag.guard import Access, error_body, install_guards
from rag.limits import AskRequest, RequestRejected, checked_request
from rag.service import AssistantLike, AssistantService, classify
from rag.types import Answer, Filters

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = limits.MAX_QUESTION_CHARS
CORRECTION = "\n\n（以上生成内容未通过引用核验，已改用下面的答案）\n\n"
ASK_SHAPE = '{"question": str, "history": [[user, assistant], ...], "filters": {"cities": [...], "doc_ids": [...]}}'


# ---------------------------------------------------------------- request bodies
class FiltersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cities: list[str] = Field(default_factory=list, description='short names, e.g. "中山"; "全国" = national')
    doc_ids: list[str] = Field(default_factory=list)

    def to_filters(self) -> Filters:
        return Filters(cities=list(self.cities), doc_ids=list(self.doc_ids))


def _question(value: str) -> str:
    """Shape only (an empty question is a bad body, 422); budgets are checked by rag.limits (400)."""
    value = value.strip()
    if not value:
        raise ValueError("the question is empty; send the text to ask, e.g. 中山市推行首席质量官制度由哪些部门负责?")
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
    lines = [f"⚠ {w['detail']}" for w in contract.get("warnings", [])]   # llm_fallback too: say when the LLM was not used
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


def validation_message(errors: Sequence[dict[str, Any]], most: int = 5) -> str:
    """FastAPI's error list as one sentence: 'body.question: Field required; …' (the first
    `most`; never the input values)."""
    parts = []
    for e in errors[:most]:
        where = ".".join(str(p)[:40] for p in e.get("loc", ())[:8])
        parts.append(f"{where}: {str(e.get('msg', 'invalid')).removeprefix('Value error, ')[:200]}")
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    return "; ".join(parts) + more


def error_details(errors: Sequence[dict[str, Any]], most: int = 5) -> list[dict[str, Any]]:
    """Where and what, for clients that read them: loc, msg and type, never the input."""
    return [{"loc": [str(p)[:40] for p in e.get("loc", ())[:8]], "msg": str(e.get("msg", ""))[:200],
             "type": str(e.get("type", ""))} for e in errors[:most]]


def chat_request(body: "ChatBody") -> AskRequest:
    """The /v1 body within the budgets of rag.limits: message and part counts, then the question,
    the history and the filters as for /api/ask."""
    if len(body.messages) > limits.MAX_CHAT_MESSAGES:
        raise RequestRejected(f"messages has {len(body.messages)} entries; the limit is {limits.MAX_CHAT_MESSAGES}",
                              field="messages")
    for i, m in enumerate(body.messages):
        if isinstance(m.content, list) and len(m.content) > limits.MAX_CONTENT_PARTS:
            raise RequestRejected(f"messages[{i}].content has {len(m.content)} parts; the limit is "
                                  f"{limits.MAX_CONTENT_PARTS}", field=f"messages[{i}].content")
    question, history = question_and_history(body.messages)
    return checked_request(question, history, body.filters.to_filters())


def contract_of(answer: Answer) -> dict[str, Any]:
    return jsonable_encoder(answer.to_contract())


# ---------------------------------------------------------------- the app
def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def _error(status: int, message: str, kind: str, code: str, request_id: str, **extra: Any) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code, "request_id": request_id, **extra}}
    return JSONResponse(status_code=status, content=body, headers={"X-Request-ID": request_id})


def _on_error(exc: BaseException, request_id: str) -> tuple[int, bytes]:
    """Any exception a route raised, classified once and logged once (with the request id)."""
    failure = classify(exc)
    if failure.status >= 500:
        log.error("request %s failed (%s): %s", request_id, failure.kind, failure.message, exc_info=exc)
    else:
        log.info("request %s rejected (%s): %s", request_id, failure.kind, failure.message)
    kind = "invalid_request_error" if failure.status < 500 else "server_error"
    return failure.status, error_body(failure.message, kind, failure.kind, request_id)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        shape = ASK_SHAPE if request.url.path == "/api/ask" else '{"messages": [{"role": "user", "content": str}], "stream": bool}'
        errors = exc.errors()
        message = f"{validation_message(errors)}. Expected a JSON body like {shape}."
        log.info("request %s: bad body: %s", _request_id(request), validation_message(errors))
        return _error(422, message, "invalid_request_error", "invalid_body", _request_id(request),
                      details=error_details(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "the request could not be handled"
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the body is not valid JSON text in UTF-8 (or nests too deeply); " + f"expected {ASK_SHAPE}"
        return _error(exc.status_code, message, "invalid_request_error", f"http_{exc.status_code}", _request_id(request))

    @app.exception_handler(RequestRejected)
    async def _rejected(request: Request, exc: RequestRejected) -> JSONResponse:
        status, body = _on_error(exc, _request_id(request))
        return JSONResponse(status_code=status, content=json.loads(body), headers={"X-Request-ID": _request_id(request)})


def _install_health_routes(app: FastAPI, service: AssistantService) -> None:
    @app.get("/livez")
    def livez() -> dict[str, Any]:
        return {"status": "alive"}

    @app.get("/readyz", response_model=None)
    def readyz() -> JSONResponse:
        reason = service.readiness()
        if reason:
            return JSONResponse(status_code=503, content={"status": "unavailable", "reason": reason})
        build = getattr(service.assistant, "build_id", None)
        return JSONResponse({"status": "ready", "answerer": service.answerer_name,
                             **({"build": build} if isinstance(build, str) else {})})

    @app.get("/healthz", response_model=None)
    def healthz() -> JSONResponse:
        reason = service.readiness()
        body = {"status": "unavailable" if reason else "ok", "answerer": service.answerer_name,
                "index_ready": service.is_ready and not reason, **({"reason": reason} if reason else {})}
        return JSONResponse(status_code=503 if reason else 200, content=body)


def create_api(assistant: AssistantLike | AssistantService, *, access: Access | None = None) -> FastAPI:
    """The API; `access` (API key, allowed hosts, uploads) defaults to the settings (ZHICE_API_KEY,
    ZHICE_ALLOWED_HOSTS, ZHICE_ALLOW_UPLOADS)."""
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    if access is None:
        from rag.settings import get_settings

        access = Access.from_settings(get_settings())
    app = FastAPI(title="质策 API", docs_url=None, redoc_url=None)   # the docs pages load assets from a CDN
    app.state.service = service
    _install_error_handlers(app)
    install_guards(app, access, on_error=_on_error)
    _install_health_routes(app, service)

    @app.post("/api/ask")
    def ask(body: AskBody) -> JSONResponse:
        request = checked_request(body.question, body.history, body.filters.to_filters())
        answer = service.ask(request.question, request.history, request.filters)
        return JSONResponse(contract_of(answer))

    @app.post("/v1/chat/completions", response_model=None)
    def chat(body: ChatBody) -> JSONResponse | StreamingResponse:
        request = chat_request(body)
        question, history, filters = request.question, request.history, request.filters
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if body.stream:
            events = _chat_events(service, question, history, filters, body.model, cid, created)
            return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        contract = contract_of(service.ask(question, history, filters))
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
        failure = classify(exc)
        log.error("streamed answer failed (%s): %s", failure.kind, failure.message, exc_info=failure.status >= 500)
        yield sse(chunk_body({"content": f"\n\n⚠ {classify(exc).message}"}, model, cid, created, "stop"))
        yield sse("[DONE]")
        return
    yield sse(chunk_body({"content": closing_delta(streamed, reply_text(contract))}, model, cid, created))
    yield sse(chunk_body({}, model, cid, created, "stop", zhice=contract))
    yield sse("[DONE]")
