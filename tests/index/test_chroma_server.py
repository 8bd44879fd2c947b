"""The same build and query against a real `chroma run` server on loopback."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from index.build import build_index
from rag.pipeline import build_assistant
from rag.settings import Settings
from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("chroma run did not come up within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.model
def test_build_and_ask_against_chroma_server(tmp_path, chroma_server):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ROOT / "corpus" / "002_52e94fd8620b1e06.txt", docs)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=docs, chroma_url=chroma_server)
    report = build_index(settings)
    assert report.embedded == report.chunks and not (tmp_path / "data" / "chroma").exists()
    assert build_index(settings).embedded == 0
    answer = build_assistant(settings, retrieval="dense").ask("东莞发放科技创新券的措施由哪些单位负责?")
    assert answer.retrieved and answer.retrieved[0].doc.city == "东莞"
