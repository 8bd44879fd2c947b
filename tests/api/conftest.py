"""Live servers for the client tests: uvicorn on 127.0.0.1 with the fake assistant."""
from __future__ import annotations

import httpx
import pytest

from rag.api import create_api
from tests.fakes.assistant import FakeAssistant
from tests.fakes.serving import serve


@pytest.fixture
def fake():
    return FakeAssistant()


@pytest.fixture
def api_url(fake):
    with serve(create_api(fake)) as url:
        yield url


def http(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, trust_env=False)
