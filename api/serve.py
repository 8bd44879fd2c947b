"""`python -m api serve` (or `python -m rag serve`) `[--host 127.0.0.1] [--port 7870] [--workers N]`: the HTTP API alone
(`/api/ask`, `/v1`, `/livez`, `/readyz`, `/healthz`; no UI) in N worker processes.

Why processes: an answer is ~10 ms of Python plus the query embedding, and Python runs one thread
of Python at a time, so one process answers at most ~60 questions a second whatever the cores
(`python app.py`: 50 clients x 20 questions queued to p95 ~1.3 s on 2 cores). Here uvicorn starts
N workers on one listening socket and the kernel spreads connections over them; each worker loads
its own copy of the index (memory x N: ~400 MiB each at 1x) and warms it before it accepts
requests, and each notices a new build (CURRENT) on its own. `python app.py` stays the server for
the UI (Gradio's sessions need one process).

Document upload (`/api/documents`) needs one process (one build at a time, one listing of its
progress), so with more than one worker it is off, and says to use `python app.py` for it.
"""
from __future__ import annotations

import argparse
import os

from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_api
from api.guard import Access, allowed_hosts
from rag.pipeline import build_assistant
from rag.service import AssistantService, one_blas_thread
from rag.settings import get_settings

HOST_ENV = "_ZHICE_SERVE_HOST"         # handed from the parent to the workers it spawns
WORKERS_ENV = "_ZHICE_SERVE_WORKERS"
DEFAULT_PORT = 7870


def create_worker_app() -> FastAPI:
    """One worker's app (a uvicorn factory): its own assistant, warmed before uvicorn serves."""
    one_blas_thread()
    settings = get_settings()
    workers = int(os.environ.get(WORKERS_ENV, "1"))
    if workers > 1 and settings.admin_token.get_secret_value():
        settings = settings.model_copy(update={"admin_token": SecretStr("")})    # see the module docstring
    service = AssistantService(build_assistant(settings))
    service.start()
    access = Access.from_settings(settings, bound_host=os.environ.get(HOST_ENV) or None)
    return create_api(service, settings=settings, access=access)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api serve",
                                     description="Serve the HTTP API (no UI) in several worker processes.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker processes (default: the number of cores, at most 8)")
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    import uvicorn

    settings = get_settings()
    print("质策 API: checking the index (the first start builds it)…", flush=True)
    build_assistant(settings).ensure_index(
        progress=lambda fraction, message: print(f"  {fraction:4.0%} {message}", flush=True))
    os.environ[HOST_ENV], os.environ[WORKERS_ENV] = args.host, str(args.workers)
    note = "; document upload is off with several workers (use python app.py)" \
        if args.workers > 1 and settings.admin_token.get_secret_value() else ""
    print(f"质策 API: {args.workers} worker(s) on http://{args.host}:{args.port}/ (/api/ask, /v1/chat/completions, "
          f"/readyz), each ready once it has loaded the index{note}", flush=True)
    print(f"  answering to Host: {', '.join(allowed_hosts(settings.allowed_hosts, args.host))}", flush=True)
    uvicorn.run("api.serve:create_worker_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning", timeout_graceful_shutdown=3)
    return 0
