"""Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread, for real-HTTP tests."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Yields the base URL, e.g. http://127.0.0.1:54321; stops the server on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start; see the log above")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def http_client(url: str) -> httpx.Client:
    """A client of a test server: no proxies from the environment, a generous timeout."""
    return httpx.Client(base_url=url, timeout=30, trust_env=False)


def wait_serving(proc, url: str, log_path, what: str, timeout_s: float = 300) -> None:
    """Until `url` answers 200; fails the test with the log's tail if `proc` exits or time runs out."""
    import time

    import httpx
    import pytest

    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not serve within {timeout_s:.0f} s:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
