"""The HTTP edge's guards, as plain ASGI middleware (they wrap the API and the mounted UI alike).

    install_guards(app, access)      in this order, outermost first:
      RequestContext   a request id (X-Request-ID in and out), the body-size budget (413 before
                       parsing: Content-Length checked, then the stream read up to the limit)
      TrustedHost      the Host header must name this server (no DNS rebinding)
      UploadGate       Gradio's upload route refused unless ZHICE_ALLOW_UPLOADS (app.create_app also
                       opens it when ZHICE_ADMIN_TOKEN is set: the UI's 管理文件 file input needs it)
      ApiKey           /api and /v1 need `Authorization: Bearer ZHICE_API_KEY` when one is set

Responses of the guards use OpenAI's error shape: {"error": {"message", "type", "code", "request_id"}}.
"""
from __future__ import annotations

import contextvars
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.middleware.trustedhost import TrustedHostMiddleware

from rag.limits import MAX_BODY_BYTES

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_PROTECTED = re.compile(r"^/+(?:api|v1)(?:/|$)")
_UPLOAD = re.compile(r"/gradio_api/+upload/*$")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("zhice_request_id", default="-")


@dataclass(frozen=True)
class Access:
    """Who may use the server: the API key (empty = none needed), the Host names it answers to,
    whether uploads are open, and the body budget."""

    api_key: str = ""
    admin_token: str = ""          # also opens /api/documents (which checks it itself)
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    allow_uploads: bool = False
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def from_settings(cls, settings: Any, bound_host: str | None = None) -> Access:
        admin = getattr(settings, "admin_token", None)
        return cls(api_key=settings.api_key.get_secret_value(),
                   admin_token=admin.get_secret_value() if admin is not None else "",
                   allowed_hosts=allowed_hosts(settings.allowed_hosts, bound_host),
                   allow_uploads=settings.allow_uploads)


def allowed_hosts(configured: str, bound_host: str | None = None) -> tuple[str, ...]:
    """localhost, 127.0.0.1 and [::1], the host the server is bound to (unless a wildcard
    address), and the comma-separated names of ZHICE_ALLOWED_HOSTS ("*" allows any)."""
    hosts = list(LOCAL_HOSTS)
    if bound_host and bound_host not in ("0.0.0.0", "::", ""):
        hosts.append(f"[{bound_host}]" if ":" in bound_host and not bound_host.startswith("[") else bound_host)
    hosts += [h.strip().lower() for h in configured.split(",") if h.strip()]
    return tuple(dict.fromkeys(hosts))


def error_body(message: str, kind: str, code: str, request_id: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": code,
                                 "request_id": request_id}}, ensure_ascii=False).encode("utf-8")


async def send_error(send: Send, status: int, message: str, kind: str, code: str, request_id: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = error_body(message, kind, code, request_id)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class _TooLarge(Exception):
    pass


OnError = Callable[[BaseException, str], tuple[int, bytes]]   # (exception, request id) -> (status, JSON body)


class RequestContext:
    """A request id for every HTTP request (the client's X-Request-ID when it is a sane token),
    returned as X-Request-ID and kept in `request_id_var` and scope["state"]; the body budget (a
    body over `max_body_bytes` gets 413 before anything parses it); and the last word on an
    exception no handler took: `on_error` classifies and logs it once, and its answer is sent
    (the exception is not re-raised, so it is not logged again by the server)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES,
                 unlimited: Callable[[str], bool] = lambda path: False, on_error: OnError | None = None) -> None:
        self.app, self.max_body_bytes, self.unlimited, self.on_error = app, max_body_bytes, unlimited, on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id") or ""
        rid = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        try:
            if scope.get("method") in _WITH_BODY and not self.unlimited(scope.get("path", "")):
                try:
                    receive = await self._buffered(scope, receive)
                except _TooLarge:
                    await send_error(send, 413, f"the request body is over the limit of {self.max_body_bytes} bytes",
                                     "invalid_request_error", "body_too_large", rid, [(b"connection", b"close")])
                    return

            started = False

            async def send_with_id(message: dict[str, Any]) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                    message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                if self.on_error is None or started:
                    raise
                status, body = self.on_error(exc, rid)
                await send({"type": "http.response.start", "status": status, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", rid.encode())]})
                await send({"type": "http.response.body", "body": body})
        finally:
            request_id_var.reset(token)

    async def _buffered(self, scope: Scope, receive: Receive) -> Receive:
        """The whole body, read up to the limit (Content-Length is checked first), replayed."""
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.max_body_bytes):
            raise _TooLarge
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                chunks, more = [], False
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


class ApiKey:
    """When a key is set, /api/* and /v1/* need `Authorization: Bearer KEY` (401 otherwise, in
    OpenAI's error shape). Health routes and the UI are not covered."""

    def __init__(self, app: ASGIApp, *, key: str, admin_token: str = "") -> None:
        self.app, self.key, self.admin = app, key.encode("utf-8"), admin_token.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.key or not _PROTECTED.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"authorization") or ""
        scheme, _, token = given.partition(" ")
        sent = token.strip().encode("utf-8", "replace")
        documents = scope.get("path", "").rstrip("/").startswith("/api/documents")
        if scheme.lower() == "bearer" and (hmac.compare_digest(sent, self.key)
                                           or (documents and self.admin and hmac.compare_digest(sent, self.admin))):
            await self.app(scope, receive, send)
            return
        rid = scope.get("state", {}).get("request_id", "-")
        await send_error(send, 401, "missing or wrong API key: send the header Authorization: Bearer <ZHICE_API_KEY>",
                         "invalid_request_error", "invalid_api_key", rid, [(b"www-authenticate", b"Bearer")])


class UploadGate:
    """Gradio mounts POST /gradio_api/upload (stores files, answers with their server paths);
    only the admin section's file input uses it, so the route is refused unless uploads are
    enabled (ZHICE_ALLOW_UPLOADS, or the admin token set: see app.create_app)."""

    def __init__(self, app: ASGIApp, *, allow: bool) -> None:
        self.app, self.allow = app, allow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allow and is_upload(scope.get("path", "")):
            rid = scope.get("state", {}).get("request_id", "-")
            await send_error(send, 403, "uploads are disabled on this server (set ZHICE_ALLOW_UPLOADS=true to open them)",
                             "invalid_request_error", "uploads_disabled", rid)
            return
        await self.app(scope, receive, send)


def is_upload(path: str) -> bool:
    return bool(_UPLOAD.search(path))


def is_document_upload(path: str) -> bool:
    """POST /api/documents: the route enforces its own limit (ZHICE_UPLOAD_MAX_BYTES) and token."""
    return path.rstrip("/") == "/api/documents"


def install_guards(app: Any, access: Access, on_error: OnError | None = None) -> None:
    """Add the guards to a Starlette/FastAPI app; the last added runs first."""
    app.add_middleware(ApiKey, key=access.api_key, admin_token=access.admin_token)
    app.add_middleware(UploadGate, allow=access.allow_uploads)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(access.allowed_hosts), www_redirect=False)
    app.add_middleware(RequestContext, max_body_bytes=access.max_body_bytes,
                       unlimited=lambda path: (access.allow_uploads and is_upload(path)) or is_document_upload(path),
                       on_error=on_error)
