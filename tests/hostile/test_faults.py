"""Slow and failing dependencies, and operator mistakes: a trickling or hanging LLM endpoint
falls back within ZHICE_LLM_TIMEOUT_S + 1 s; the circuit breaker opens and half-opens; a new
index build is picked up without a restart; a read-only data dir makes /readyz say why."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.replies import contract_of, sources_text
from rag.compose.breaker import CircuitBreaker
from rag.compose.llm import LLMAnswerer, LLMConfig
from tests.fakes.corpus import FixedAnswerer, make_hit, make_query
from tests.fakes.openai_server import FakeOpenAIServer, Reply

GOOD = ('由市市场监管局、市工业和信息化局、市住房城乡建设局、市商务局按职责分工负责[1]。\n---\n'
        '[1] "市市场监管局、市工业和信息化局、市住房城乡建设局、市商务局按职责分工负责"')
ROOT = Path(__file__).resolve().parents[2]


def answerer(server: FakeOpenAIServer, timeout_s: float, failures: int = 3, cooldown_s: float = 30.0) -> LLMAnswerer:
    config = LLMConfig(base_url=server.base_url, model="fake-model", api_key=SecretStr("k"), timeout_s=timeout_s,
                       breaker_failures=failures, breaker_cooldown_s=cooldown_s)
    return LLMAnswerer(config=config, fallback=FixedAnswerer())


# ------------------------------------------------------------------ the whole-answer deadline
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("fault", ["trickle", "hang"])
def test_slow_endpoint_falls_back_within_the_timeout(fault, stream):
    timeout_s = 1.5
    reply = Reply(content=GOOD, trickle_s=0.4) if fault == "trickle" else Reply(content=GOOD, hang=True)
    with FakeOpenAIServer() as server:
        server.script(reply)
        llm, tokens = answerer(server, timeout_s), []
        started = time.monotonic()
        ans = llm.answer(make_query(), [make_hit()], on_token=tokens.append if stream else None)
        took = time.monotonic() - started
        if fault == "trickle":      # the endpoint still trickles: the worker must stop on its own
            assert _llm_workers_end(within_s=2.0), "the abandoned LLM worker kept reading the trickle"
    print(f"\n{fault} stream={stream}: fallback after {took:.2f} s (timeout {timeout_s} s)")
    assert took <= timeout_s + 1.0
    assert ans.meta["answerer"] == "extractive (LLM fallback)"
    [warning] = [w for w in ans.warnings if w.kind == "llm_fallback"]
    assert "did not answer within 1.5 s" in warning.detail
    assert "⚠ " + warning.detail in sources_text(contract_of(ans))     # shown in the OpenAI text too
    assert _llm_workers_end(within_s=3.0), "the abandoned LLM worker thread kept reading"


def _llm_workers_end(within_s: float) -> bool:
    import threading

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not any(t.name == "zhice-llm" and t.is_alive() for t in threading.enumerate()):
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ the circuit breaker
def test_breaker_states_with_a_fake_clock():
    now = [0.0]
    b = CircuitBreaker(failures=2, cooldown_s=10, clock=lambda: now[0])
    assert b.allow() and b.state == "closed"
    b.failure()
    assert b.allow() and b.state == "closed"
    b.failure()
    assert b.state == "open" and not b.allow() and b.retry_in() == 10
    now[0] = 10.0
    assert b.state == "half-open" and b.allow() and not b.allow()      # one trial only
    b.failure()
    assert b.state == "open" and not b.allow()                         # the trial failed: open again
    now[0] = 20.0
    assert b.allow()
    b.success()
    assert b.state == "closed" and b.allow() and b.allow()


def test_breaker_pauses_the_llm_then_tries_once_again():
    with FakeOpenAIServer() as server:
        server.script(Reply(status=500), Reply(status=500))
        llm = answerer(server, timeout_s=5, failures=2, cooldown_s=0.8)
        for _ in range(2):
            assert "HTTP 500" in llm.answer(make_query(), [make_hit()]).warnings[-1].detail
        started = time.monotonic()
        paused = llm.answer(make_query(), [make_hit()])
        assert time.monotonic() - started < 0.2 and len(server.requests) == 2     # no call made
        assert "paused after 2 consecutive failures" in paused.warnings[-1].detail
        assert llm.breaker.state == "open"
        time.sleep(0.9)
        server.script(Reply(status=500))
        assert "HTTP 500" in llm.answer(make_query(), [make_hit()]).warnings[-1].detail   # the half-open trial
        assert len(server.requests) == 3 and llm.breaker.state == "open"
        time.sleep(0.9)
        server.script(Reply(content=GOOD))
        good = llm.answer(make_query(), [make_hit()])
        assert good.meta["answerer"] == "llm" and llm.breaker.state == "closed"


# ------------------------------------------------------------------ a new build without restart
BUILD_ELSEWHERE = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from index.build import build_index
from rag.settings import Settings
from tests.fakes.embedder import HashEmbedder
build_index(Settings(data_dir=Path({data!r}), corpus_dir=Path({corpus!r})), embedder=HashEmbedder())
"""


def test_rebuilt_index_is_picked_up_without_restart(tmp_path):
    """`python -m index build` in another process while the server runs: the next asks move to
    the new build (catalog, BM25 and the new vectors), those already running stay on the old."""
    from index.build import build_index
    from rag.pipeline import build_assistant
    from rag.settings import Settings
    from rag.types import Filters, Query
    from tests.fakes.embedder import HashEmbedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "000_58fb13ce8b7c9571.txt", corpus)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    build_index(settings, embedder=HashEmbedder())
    assistant = build_assistant(settings, embedder=HashEmbedder())
    assistant.warm_up()
    first = assistant.components.snapshot.build_id
    assert assistant.cities() == ["中山"]
    in_flight = assistant.components                       # what an ask that is running holds
    shutil.copy(ROOT / "corpus" / "002_52e94fd8620b1e06.txt", corpus)
    script = BUILD_ELSEWHERE.format(root=str(ROOT), data=str(settings.data_dir), corpus=str(corpus))
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, cwd=ROOT)
    question = "东莞市工业产品质量监督抽查合格率的目标是多少?"
    deadline = time.monotonic() + 30
    while assistant.components.snapshot.build_id == first and time.monotonic() < deadline:
        assistant.ask(question)
        time.sleep(0.2)
    assert assistant.components.snapshot.build_id != first
    assert "东莞" in assistant.cities() and in_flight.snapshot.build_id == first
    answer = assistant.ask(question)
    assert answer.answerable and answer.citations[0].doc.city == "东莞"
    dense = assistant.components.dense.ranked(Query(raw=question, text=question, filters=Filters(cities=["东莞"])), 5)
    assert dense, "the new build's vectors (added by another process) are not found by the dense retriever"
    assert in_flight.dense.ranked(Query(raw=question, text=question), 5)       # the old parts still answer


# ------------------------------------------------------------------ a read-only data dir
def _can_mount_readonly() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount_readonly(), reason="needs unshare -m (root) to mount a read-only data dir")
def test_read_only_data_dir_is_reported_by_readyz_and_asks(built, tmp_path):
    import httpx

    data = tmp_path / "data"
    shutil.copytree(built[0].data_dir, data)
    script = ROOT / "tests" / "hostile" / "readonly_server.py"
    mount = f"mount --bind '{data}' '{data}' && mount -o remount,bind,ro '{data}' && exec '{sys.executable}' '{script}' '{data}'"
    proc = subprocess.Popen(["unshare", "-m", "sh", "-c", mount], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline().strip()          # the URL, once serving
        assert line.startswith("http://127.0.0.1:"), line
        with httpx.Client(base_url=line, timeout=60, trust_env=False) as c:
            assert c.get("/livez").status_code == 200
            ready = c.get("/readyz")
            assert ready.status_code == 503 and "read-only" in ready.json()["reason"]
            assert c.get("/healthz").status_code == 503
            r = c.post("/api/ask", json={"question": "中山市推行首席质量官制度由哪些部门负责?"})
            assert r.status_code == 503 and "read-only" in r.json()["error"]["message"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
