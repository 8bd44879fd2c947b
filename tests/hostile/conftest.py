"""The live server the hostile suite attacks: the real assistant on the corpus built under a
temporary directory (tests/conftest.py `built`), with the UI mounted, on 127.0.0.1."""
from __future__ import annotations

import time

import httpx
import pytest

from tests.fakes.serving import serve

NORMAL = "中山市推行首席质量官制度由哪些部门负责?"


@pytest.fixture(scope="session")
def real_service(built):
    from rag.pipeline import build_assistant
    from rag.service import AssistantService

    service = AssistantService(build_assistant(built[0]))
    service.start()
    return service


@pytest.fixture(scope="session")
def live(real_service):
    """Base URL of app.create_app over the real assistant (guards from a default Access)."""
    from api.app import create_api
    from api.guard import Access
    from ui import chat as ui_chat

    fastapi_app = create_api(real_service, access=Access())
    import gradio as gr

    fastapi_app = gr.mount_gradio_app(fastapi_app, ui_chat.build_ui(real_service), path="/", ssr_mode=False,
                                      mcp_server=False, footer_links=[], run_history=False)
    with serve(fastapi_app) as url:
        yield url


def http(url: str, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=timeout, trust_env=False)


def assert_healthy(url: str) -> None:
    """/readyz is 200 and a normal question gets a cited answer."""
    with http(url) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["build"]
        started = time.perf_counter()
        data = c.post("/api/ask", json={"question": NORMAL}).json()
        assert data["answerable"] is True and data["citations"], data
        assert time.perf_counter() - started < 10
