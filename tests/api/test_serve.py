"""`python -m rag serve --workers 2`: the API in two worker processes on one port, each warmed
before it serves, answering concurrent questions; document upload refused with several workers;
every process gone after a stop."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.fakes.serving import wait_serving

TOKEN = "serve-admin-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve-data")
    corpus = data / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    port = _free_port()
    env = {**os.environ, "ZHICE_DATA_DIR": str(data), "ZHICE_CORPUS_DIR": str(corpus), "ZHICE_ADMIN_TOKEN": TOKEN,
           "PYTHONUNBUFFERED": "1"}
    log_path = data / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port), "--workers", "2"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_serving(proc, f"{url}/readyz", log_path, "rag serve")
        yield url, proc, log_path
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_two_workers_answer_concurrent_questions(served):
    url, proc, log_path = served
    assert len(_children(proc.pid)) >= 2, log_path.read_text(errors="replace")[-2000:]
    questions = ["中山市推行首席质量官制度由哪些部门负责?", "东莞市工业产品质量监督抽查合格率的目标是多少?",
                 "拉萨市推行首席质量官制度由哪些部门负责?"]

    def ask(i: int) -> dict:
        r = httpx.post(f"{url}/api/ask", json={"question": questions[i % 3]}, timeout=60, trust_env=False)
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(ask, range(36)))
    for i, a in enumerate(answers):
        if i % 3 == 2:
            assert a["answerable"] is False
        else:
            assert a["answerable"] and a["citations"] and all(c["quote"] for c in a["citations"])
    assert answers[0]["answer"] == answers[3]["answer"]          # every worker gives the same answer
    workers = set()
    for _ in range(40):                                         # fresh connections spread over the workers
        workers.add(httpx.get(f"{url}/livez", timeout=10, trust_env=False).json()["pid"])
    assert workers <= set(_children(proc.pid)) and workers


def test_document_upload_is_refused_with_several_workers(served):
    url, _, _ = served
    r = httpx.get(f"{url}/api/documents", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10, trust_env=False)
    assert r.status_code == 403 and "ZHICE_ADMIN_TOKEN" in r.json()["error"]["message"]


def test_stop_ends_every_worker(served):
    url, proc, _ = served
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    time.sleep(0.5)
    assert all(not Path(f"/proc/{w}").exists() or "zombie" in Path(f"/proc/{w}/status").read_text().lower()
               for w in workers)
