"""Serve the API over a data dir given on the command line, without warming up first (the fault
test mounts that dir read-only); prints the URL when serving."""
from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import uvicorn

from api.app import create_api
from api.guard import Access
from rag.pipeline import build_assistant
from rag.settings import Settings


def main() -> None:
    settings = Settings(data_dir=Path(sys.argv[1]))
    app = create_api(build_assistant(settings), access=Access())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    import threading

    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
