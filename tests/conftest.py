"""Shared fixtures. Tests are offline by construction: outbound connections other than loopback
fail for every test not marked `integration`."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _block_network(request, monkeypatch):
    if request.node.get_closest_marker("integration"):
        yield
        return
    real = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network at {address!r}; mark it integration or fake it")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real corpus built once with the offline default embedder: (settings, build report)."""
    from index.build import build_index
    from rag.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=ROOT / "corpus")
    return settings, build_index(settings)


@pytest.fixture(scope="session")
def snapshot(built):
    from index.catalog import load_index
    return load_index(built[0])


@pytest.fixture(scope="session")
def assistant(built):
    from rag.pipeline import build_assistant
    return build_assistant(built[0])


@pytest.fixture
def fake():
    """The scripted assistant of tests/fakes/assistant.py."""
    from tests.fakes.assistant import FakeAssistant

    return FakeAssistant()


@pytest.fixture
def api_url(fake):
    """The HTTP API over the fake assistant, served by uvicorn on 127.0.0.1."""
    from api.app import create_api
    from tests.fakes.serving import serve

    with serve(create_api(fake)) as url:
        yield url
