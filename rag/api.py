"""The HTTP API over the service (rag.service.AssistantService): `create_api(service) -> FastAPI`.

    POST /api/ask               {"question", "history"?, "filters"?} -> the eval/FORMAT.md contract
    GET  /v1/models, /v1/models/{id}, POST /v1/chat/completions   OpenAI-compatible (rag/api_openai.py)
    POST/GET/DELETE /api/documents   uploads (rag/api_documents.py; off unless ZHICE_ADMIN_TOKEN is set)
    GET  /livez                 the process is up
    GET  /readyz                a real read of both stores works (503 with the reason otherwise)
    GET  /healthz               /readyz in the older shape (kept for compatibility)

Every error body is OpenAI's shape, {"error": {"message", "type", "param", "code"}}; a malformed
body is 400 (not FastAPI's 422), so OpenAI SDKs raise BadRequestError. Every request gets an
X-Request-ID; budgets (rag.limits) are enforced before the assistant runs; errors are classified
once (rag.service.classify) and never echo the input. Access guards (API key, Host check, upload
gate, body budget) are in rag.guard.

No retrieval or answer logic here: requests are validated, handed to `assistant.ask`, and the
Answer is rendered. The pure helpers (question from messages, reply text, JSON bodies) are tested
on their own.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from rag import limits
from rag.guard import Access, error_body, install_guards
from rag.limits import RequestRejected, checked_request
from rag.openai_compat import APIError, ChatMessage
from rag.service import AssistantLike, AssistantService, classify
from rag.settings import Settings, get_settings
from rag.types import Answer, Filters

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = limits.MAX_QUESTION_CHARS
CORRECTION = "\n\n（以上生成内容未通过引用核验，已改用下面的答案）\n\n"
ASK_SHAPE = '{"question": str, "history": [[user, assistant], ...], "filters": {"cities": [...], "doc_ids": [...]}}'
CHAT_SHAPE = '{"model": "zhice", "messages": [{"role": "user", "content": str}], "stream": bool}'
MAX_ERROR_CHARS = 600


# ---------------------------------------------------------------- request bodies
class FiltersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cities: list[str] = Field(default_factory=list, description='short names, e.g. "中山"; "全国" = national')
    doc_ids: list[str] = Field(default_factory=list)

    def to_filters(self) -> Filters:
        return Filters(cities=list(self.cities), doc_ids=list(self.doc_ids))


def _question(value: str) -> str:
    """Shape only (an empty question is a bad body); budgets are checked by rag.limits."""
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


def _where(loc: Sequence[Any]) -> str:
    """('body', 'messages', 0, 'role') -> 'messages[0].role'."""
    out = ""
    for p in loc[1:] if loc and loc[0] == "body" else loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def validation_message(errors: Sequence[dict[str, Any]], most: int = 5) -> str:
    """FastAPI's error list as one sentence: 'question: Field required; …' (the first `most`).
    Never the input itself."""
    parts = []
    for e in errors[:most]:
        if e.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
        elif e.get("type") == "extra_forbidden":
            parts.append(f"Unrecognized request argument supplied: {_where(e.get('loc', ()))[:80]}")
        else:
            parts.append(f"{_where(e.get('loc', ()))[:80]}: {str(e.get('msg', 'invalid')).removeprefix('Value error, ')[:200]}")
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    return "; ".join(parts) + more


def validation_error(path: str, errors: Sequence[dict[str, Any]]) -> APIError:
    """A malformed body as a 400 in OpenAI's shape, naming the field and the expected shape."""
    shape = CHAT_SHAPE if path.startswith("/v1/") else ASK_SHAPE
    message = f"{validation_message(errors)[:MAX_ERROR_CHARS]}. Expected a JSON body like {shape}."
    first = errors[0] if errors else {}
    param = None if first.get("type") == "json_invalid" else _where(first.get("loc", ()))[:80]
    return APIError(400, message, param, "unknown_parameter" if first.get("type") == "extra_forbidden" else "invalid_value")


def contract_of(answer: Answer) -> dict[str, Any]:
    """The answer contract; to_contract() holds only JSON types (tests/rag/test_answers.py checks
    every kind), so no jsonable_encoder pass (~0.4 ms and ~5% of the GIL per request under load)."""
    return answer.to_contract()


# ---------------------------------------------------------------- the app
def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = validation_error(request.url.path, exc.errors())
        log.info("request %s: bad body: %s", _request_id(request), err.message[:200])
        return _error_response(request, err)

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError) -> JSONResponse:
        return _error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(exc.status_code)
        message = exc.detail if isinstance(exc.detail, str) else "the request could not be handled"
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the body is not valid JSON text in UTF-8 (or nests too deeply); expected " + ASK_SHAPE
        return _error_response(request, APIError(exc.status_code, message, code=code,
                                                 headers=getattr(exc, "headers", None)))

    @app.exception_handler(RequestRejected)
    async def _rejected(request: Request, exc: RequestRejected) -> JSONResponse:
        failure = classify(exc)
        log.info("request %s rejected (%s): %s", _request_id(request), failure.kind, failure.message)
        return _error_response(request, APIError(failure.status, failure.message, getattr(exc, "field", None),
                                                 failure.kind))

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> JSONResponse:
        status, body = _on_error(exc, _request_id(request))
        return JSONResponse(status_code=status, content=json.loads(body))


def _error_response(request: Request, err: APIError) -> JSONResponse:
    """An error in OpenAI's shape, with the request id in the body (the header is set by the guard)."""
    body = err.body()
    body["error"]["request_id"] = _request_id(request)
    return JSONResponse(status_code=err.status, content=body, headers=err.headers)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def _on_error(exc: BaseException, request_id: str) -> tuple[int, bytes]:
    """Any exception a route raised, classified once and logged once (with the request id)."""
    failure = classify(exc)
    if failure.status >= 500:
        log.error("request %s failed (%s): %s", request_id, failure.kind, failure.message, exc_info=exc)
    else:
        log.info("request %s rejected (%s): %s", request_id, failure.kind, failure.message)
    kind = "invalid_request_error" if failure.status < 500 else "server_error"
    return failure.status, error_body(failure.message, kind, failure.kind, request_id)


def _install_health_routes(app: FastAPI, service: AssistantService) -> None:
    @app.get("/livez")
    def livez() -> dict[str, Any]:
        return {"status": "alive", "pid": os.getpid()}     # which worker answered (python -m rag serve)

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


class ScopedCORS:
    """CORS for the API's paths only (/api/, /v1/, /healthz), so the UI mounted at / keeps its own."""

    PREFIXES = ("/api/", "/v1/", "/healthz")

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                                   allow_headers=["*"], expose_headers=["X-Zhice-Ignored-Options"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.PREFIXES):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_api(assistant: AssistantLike | AssistantService, settings: Settings | None = None, *,
               access: Access | None = None) -> FastAPI:
    """`settings` (default: the assistant's, else the environment's) gives CORS origins and the
    upload switch, limit and corpus directory; `access` (API key, allowed hosts, Gradio uploads)
    defaults to the settings too (ZHICE_API_KEY, ZHICE_ALLOWED_HOSTS, ZHICE_ALLOW_UPLOADS)."""
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    settings = settings or getattr(service.assistant, "settings", None) or get_settings()
    access = access or Access.from_settings(settings)
    app = FastAPI(title="质策 API", docs_url=None, redoc_url=None)   # the docs pages load assets from a CDN
    app.state.service = service
    _install_error_handlers(app)
    if settings.cors_origin_list:
        app.add_middleware(ScopedCORS, origins=settings.cors_origin_list)
    install_guards(app, access, on_error=_on_error)
    _install_health_routes(app, service)

    @app.post("/api/ask")
    def ask(body: AskBody) -> JSONResponse:
        request = checked_request(body.question, body.history, body.filters.to_filters())
        answer = service.ask(request.question, request.history, request.filters)
        return JSONResponse(contract_of(answer))

    from rag.api_documents import install_document_routes
    from rag.api_openai import install_openai_routes  # it imports this module's helpers

    install_openai_routes(app, service)
    install_document_routes(app, service, settings)
    return app
