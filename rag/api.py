"""The HTTP API over the service (rag.service.AssistantService): `create_api(service) -> FastAPI`.

    POST /api/ask               {"question", "history"?, "filters"?} -> the eval/FORMAT.md contract
    GET  /v1/models, /v1/models/{id}, POST /v1/chat/completions   OpenAI-compatible (rag/api_openai.py)
    GET  /healthz

Every error body is OpenAI's shape, {"error": {"message", "type", "param", "code"}}; a malformed
body is 400 (not FastAPI's 422), so OpenAI SDKs raise BadRequestError.

No retrieval or answer logic here: requests are validated, handed to `assistant.ask`, and the
Answer is rendered. The pure helpers (question from messages, reply text, JSON bodies) are tested
on their own.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.openai_compat import APIError, ChatMessage
from rag.service import AssistantLike, AssistantService, classify
from rag.settings import Settings, get_settings
from rag.types import Answer, Filters

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
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


def _where(loc: Sequence[Any]) -> str:
    """('body', 'messages', 0, 'role') -> 'messages[0].role'."""
    out = ""
    for p in loc[1:] if loc and loc[0] == "body" else loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    """FastAPI's error list as one sentence: 'question: Field required; …'. Never the input itself."""
    parts = []
    for e in errors:
        if e.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
        elif e.get("type") == "extra_forbidden":
            parts.append(f"Unrecognized request argument supplied: {_where(e.get('loc', ()))}")
        else:
            parts.append(f"{_where(e.get('loc', ()))}: {str(e.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def validation_error(path: str, errors: Sequence[dict[str, Any]]) -> APIError:
    """A malformed body as a 400 in OpenAI's shape, naming the field and the expected shape."""
    shape = CHAT_SHAPE if path.startswith("/v1/") else ASK_SHAPE
    message = f"{validation_message(errors)[:MAX_ERROR_CHARS]}. Expected a JSON body like {shape}."
    first = errors[0] if errors else {}
    param = None if first.get("type") == "json_invalid" else _where(first.get("loc", ()))
    return APIError(400, message, param, "unknown_parameter" if first.get("type") == "extra_forbidden" else "invalid_value")


def contract_of(answer: Answer) -> dict[str, Any]:
    return jsonable_encoder(answer.to_contract())


# ---------------------------------------------------------------- the app
def _error(status: int, message: str, kind: str = "invalid_request_error", code: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, headers=headers,
                        content=APIError(status, message, code=code, type=kind).body())


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = validation_error(request.url.path, exc.errors())
        return JSONResponse(status_code=err.status, content=err.body())

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.body(), headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(exc.status_code)
        return _error(exc.status_code, str(exc.detail), code=code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request to %s failed", request.url.path)
        failure = classify(exc)
        return _error(failure.status, failure.message, "server_error", failure.kind)


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


def create_api(assistant: AssistantLike | AssistantService, settings: Settings | None = None) -> FastAPI:
    """`settings` (default: the assistant's, else the environment's) gives CORS origins and the
    upload switch, limit and corpus directory."""
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    settings = settings or getattr(service.assistant, "settings", None) or get_settings()
    app = FastAPI(title="质策 API", docs_url=None, redoc_url=None)   # the docs pages load assets from a CDN
    app.state.service = service
    _install_error_handlers(app)
    if settings.cors_origin_list:
        app.add_middleware(ScopedCORS, origins=settings.cors_origin_list)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "answerer": service.answerer_name, "index_ready": service.is_ready}

    @app.post("/api/ask")
    def ask(body: AskBody) -> JSONResponse:
        answer = service.ask(body.question, body.history, body.filters.to_filters())
        return JSONResponse(contract_of(answer))

    from rag.api_documents import install_document_routes
    from rag.api_openai import install_openai_routes   # it imports this module's helpers

    install_openai_routes(app, service)
    install_document_routes(app, service, settings)
    return app
