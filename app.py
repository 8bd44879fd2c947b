"""质策: the HTTP API (api/) and the Gradio chat UI (ui/) at /, served by uvicorn in one process.

    python app.py [--host 127.0.0.1] [--port 7860]

Wiring only: settings -> service -> API + UI -> uvicorn. Answers come from rag (the service every
front end shares); `python -m api serve --workers N` serves the API alone in several processes.
"""
from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from fastapi import FastAPI

import ui  # noqa: F401  (sets the telemetry switches before gradio is imported)
from api.app import create_api
from api.guard import Access, allowed_hosts
from rag.service import AssistantService, one_blas_thread
from rag.settings import get_settings
from rag.uploads import Library
from ui.admin import Admin
from ui.page import mount_ui


def create_app(assistant: Any = None, *, host: str | None = None) -> FastAPI:
    """The API at /api, /v1 and /healthz, and the UI at /. Takes an AssistantService or an
    assistant (the default one when None); call service.start() first to serve warm. `host` is
    the address the server binds, which the Host check accepts besides localhost."""
    if assistant is None:
        from rag.pipeline import build_assistant

        assistant = build_assistant()
    service = assistant if isinstance(assistant, AssistantService) else AssistantService(assistant)
    settings = get_settings()
    access = Access.from_settings(settings, bound_host=host)
    if access.admin_token:     # the admin section's file input needs Gradio's upload route
        access = dataclasses.replace(access, allow_uploads=True)
    app = create_api(service, access=access)
    library: Library | None = getattr(app.state, "library", None)
    admin = (Admin(library, access.admin_token, settings.upload_max_bytes, cities=service.cities, check=service.selfcheck)
             if library is not None else None)
    return mount_ui(app, service, admin, max_file_size=settings.upload_max_bytes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve 质策: the chat UI at / and the HTTP API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    args = parser.parse_args(argv)
    import uvicorn

    from rag.pipeline import build_assistant

    one_blas_thread()                          # concurrent requests are the parallelism (rag.service)
    service = AssistantService(build_assistant())
    print("质策: loading the index and the models (the first start builds the index)…", flush=True)
    service.start(progress=lambda fraction, message: print(f"  {fraction:4.0%} {message}", flush=True))
    app = create_app(service, host=args.host)
    print(f"质策 ready on http://{args.host}:{args.port}/  (API: /api/ask, /v1/chat/completions, /healthz)", flush=True)
    print(f"  answering to Host: {', '.join(allowed_hosts(get_settings().allowed_hosts, args.host))} "
          "(add names with ZHICE_ALLOWED_HOSTS)", flush=True)
    # Open event streams (a browser tab's or gradio_client's heartbeat) would hold a shutdown indefinitely.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", timeout_graceful_shutdown=3)


if __name__ == "__main__":
    main()
