"""The HTTP API over the service (rag.service.AssistantService): `create_api(service) -> FastAPI`.

    POST /api/ask               {"question", "history"?, "filters"?} -> the eval/FORMAT.md contract
    GET  /v1/models, /v1/models/{id}, POST /v1/chat/completions   OpenAI-compatible (api/openai_routes.py)
    POST/GET/DELETE /api/documents   uploads (api/documents.py; off unless ZHICE_ADMIN_TOKEN is set)
    POST /api/match, GET /api/duties, GET /api/documents/{doc_id}/tasks   the tools (api/tools.py)
    GET  /livez                 the process is up
    GET  /readyz                a real read of both stores works (503 with the reason otherwise)
    GET  /healthz               /readyz in the older shape (kept for compatibility)

Every error body is OpenAI's shape, {"error": {"message", "type", "param", "code"}}; a malformed
body is 400 (not FastAPI's 422), so OpenAI SDKs raise BadRequestError. Every request gets an
X-Request-ID; budgets (rag.limits) are enforced before the assistant runs; errors are classified
once (rag.service.classify) and never echo the input. Access guards (API key, Host check, upload
gate, body budget) are in api.guard.

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
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.bodies import ASK_SHAPE, AskBody, validation_error
from api.documents import install_document_routes
from api.guard import Access, error_body, install_guards
from api.openai_compat import APIError
from api.openai_routes import install_openai_routes
from api.replies import contract_of
from api.tools import install_tool_routes
from rag.limits import RequestRejected, checked_request
from rag.service import AssistantLike, AssistantService, classify
from rag.settings import Settings, get_settings

log = logging.getLogger(__name__)


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

    install_openai_routes(app, service)
    install_tool_routes(app, service)
    install_document_routes(app, service, settings)
    return app
