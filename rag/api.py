"""The HTTP API over the service (rag.service.AssistantService): `create_api(service) -> FastAPI`.

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
import time
import uuid
from typing import Any, Iterator, Literal, Sequence

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rag.service import AssistantLike, AssistantService, classify
from rag.types import Answer, Filters

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
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
        failure = classify(exc)
        return _error(failure.status, failure.message, "server_error")


def create_api(assistant: AssistantLike | AssistantService) -> FastAPI:
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
        yield sse(chunk_body({"content": f"\n\n⚠ {classify(exc).message}"}, model, cid, created, "stop"))
        yield sse("[DONE]")
        return
    yield sse(chunk_body({"content": closing_delta(streamed, reply_text(contract))}, model, cid, created))
    yield sse(chunk_body({}, model, cid, created, "stop", zhice=contract))
    yield sse("[DONE]")
