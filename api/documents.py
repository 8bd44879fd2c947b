"""Document upload over HTTP (off unless ZHICE_ADMIN_TOKEN is set; every call needs the token):

    POST   /api/documents            multipart field "file" -> 202, indexed in the background
    GET    /api/documents            every document with its state, and the build's progress
    GET    /api/documents/{doc_id}   one document and the build's progress
    DELETE /api/documents/{doc_id}   an uploaded document -> 202, removed from the index in the background

The checks, storage and background build are in rag/uploads.py; this module only speaks HTTP.
"""
from __future__ import annotations

import hmac
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from api.openai_compat import APIError
from index.build import build_index
from rag.service import AssistantService
from rag.uploads import Library, UploadError, check_parses, check_upload

FORM_OVERHEAD = 64 * 1024       # multipart headers and boundaries around the file


def _api_error(e: UploadError) -> APIError:
    kind = "permission_error" if e.status == 403 else "invalid_request_error"
    return APIError(e.status, e.message, "file" if e.status in (400, 413, 415, 422) else "doc_id", e.code, kind)


def served_embedder(assistant: Any) -> Any:
    """The embedder of the served index, already loaded (None: let the build make the configured one)."""
    own = getattr(assistant, "embedder", None)
    if own is not None:
        return own
    dense = getattr(getattr(assistant, "components", None), "dense", None)
    return getattr(dense, "embedder", None)


def make_library(service: AssistantService, settings: Any) -> Library:
    def build(progress: Any) -> Any:
        return build_index(settings, embedder=served_embedder(service.assistant), progress=progress)

    return Library(corpus_dir=settings.corpus_dir, index_settings=settings, build=build, on_built=service.reload)


def install_document_routes(app: FastAPI, service: AssistantService, settings: Any) -> None:
    token = settings.admin_token.get_secret_value()
    library = make_library(service, settings) if token else None
    app.state.library = library

    def admin(request: Request) -> Library:
        if library is None:
            raise APIError(403, "Document upload over HTTP is disabled. To enable it, set ZHICE_ADMIN_TOKEN on the "
                           "server and send it as 'Authorization: Bearer <token>'.", None, "uploads_disabled",
                           "permission_error")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise APIError(401, "Send the admin token (ZHICE_ADMIN_TOKEN) as 'Authorization: Bearer <token>'.",
                           None, "invalid_admin_token", "authentication_error", {"WWW-Authenticate": "Bearer"})
        return library

    # the body limit also bounds a chunked upload that declares no length (the form is spooled)
    @app.post("/api/documents", status_code=202, max_body_size=settings.upload_max_bytes + FORM_OVERHEAD)
    async def upload(request: Request) -> JSONResponse:
        lib = admin(request)
        limit = settings.upload_max_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
            raise APIError(413, f"the request has {declared} bytes; documents are limited to {limit} bytes "
                           "(ZHICE_UPLOAD_MAX_BYTES)", "file", "file_too_large")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise APIError(400, "send the document as multipart/form-data in a field named 'file', e.g. "
                           "curl -F file=@plan.txt", "file", "invalid_value")
        form = await request.form(max_files=1, max_fields=4)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise APIError(400, "no file in the field 'file'; e.g. curl -F file=@plan.txt", "file", "invalid_value")
        data = await part.read(limit + 1)
        try:
            checked = check_upload(part.filename or "", data, limit)
            parsed = await run_in_threadpool(check_parses, checked)
            document = await run_in_threadpool(lib.add, checked)
        except UploadError as e:
            raise _api_error(e) from None
        body = {"document": {**document, **parsed.to_json(), "encoding": checked.encoding},
                "index": lib.status.to_json(), "status_url": f"/api/documents/{checked.doc_id}"}
        return JSONResponse(body, status_code=202)

    @app.get("/api/documents")
    def documents(request: Request) -> dict[str, Any]:
        lib = admin(request)
        return {"documents": lib.documents(), "index": lib.status.to_json()}

    @app.get("/api/documents/{doc_id}")
    def document(doc_id: str, request: Request) -> dict[str, Any]:
        lib = admin(request)
        try:
            return {"document": lib.document(doc_id), "index": lib.status.to_json()}
        except UploadError as e:
            raise _api_error(e) from None

    @app.delete("/api/documents/{doc_id}", status_code=202)
    def remove(doc_id: str, request: Request) -> JSONResponse:
        lib = admin(request)
        try:
            gone = lib.remove(doc_id)
        except UploadError as e:
            raise _api_error(e) from None
        return JSONResponse({"document": gone, "index": lib.status.to_json()}, status_code=202)
