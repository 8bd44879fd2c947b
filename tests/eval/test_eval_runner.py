from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from eval_helpers import QUESTIONS, FakeAsker, clause_text, contract, make_gold

from eval.adapters import AskError, HttpAsker, parse_configs, read_response, request_body
from eval.runner import run_config


def test_run_config_scores_warms_up_and_passes_history():
    asker = FakeAsker()
    run = run_config("fake", asker, QUESTIONS, clause_text)
    assert len(asker.calls) == 5                       # one untimed warm-up + 4
    assert asker.calls[2] == ("那么追问呢", [("首问", "首答")])
    assert [r.score.passed for r in run.records] == [True, True, True, False]
    assert run.metrics["answer_accuracy"] == 0.75 and run.metrics["false_refusals"] == 1
    assert run.metrics["quote_validity"] == 1.0 and run.metrics["recall@1"] == 1.0
    assert all(r.latency_ms is not None and r.latency_ms >= 0 for r in run.records)


def test_a_failing_question_is_an_error_not_a_crash():
    run = run_config("fake", FakeAsker(fail_on="追问"), QUESTIONS, clause_text)
    rec = run.records[1]
    assert rec.error and "boom" in rec.error and not rec.score.passed
    assert run.metrics["answer_accuracy"] == 0.5


def test_malformed_answer_is_an_error():
    class Bad(FakeAsker):
        def ask(self, question, history=None, filters=None):
            return {"answer": "x"}

    run = run_config("bad", Bad(), QUESTIONS[:1], clause_text)
    assert "answerable" in (run.records[0].error or "")


def test_configuration_that_cannot_start_is_unavailable():
    class Broken(FakeAsker):
        def prepare(self):
            raise ImportError("No module named 'rag.pipeline'")

    run = run_config("hybrid", Broken(), QUESTIONS, clause_text)
    assert run.unavailable and "rag.pipeline" in run.unavailable and run.records == []


def test_config_names():
    assert [c.value for c in parse_configs(None)] == ["lexical", "dense", "hybrid", "naive"]
    assert [c.value for c in parse_configs(["naive", "Hybrid", "naive"])] == ["naive", "hybrid"]
    with pytest.raises(ValueError, match="lexical, dense, hybrid, naive"):
        parse_configs(["bm25"])


# ---- the --url path, against a real HTTP server on 127.0.0.1 -------------------------------

class Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.seen.append({"path": self.path, **body})
        status, payload = (200, contract(body["question"], body["history"])) if self.path == "/api/ask" else (404, {})
        if "500" in body["question"]:
            status, payload = 500, {"detail": "internal"}
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_url_mode_scores_the_served_answers(server_url):
    run = run_config("api", HttpAsker(server_url), QUESTIONS, clause_text)
    assert [r.score.passed for r in run.records] == [True, True, True, False]
    followup = Handler.seen[2]
    assert followup == {"path": "/api/ask", "question": "那么追问呢", "history": [["首问", "首答"]], "filters": {}}


def test_url_mode_http_error_becomes_question_error(server_url):
    run = run_config("api", HttpAsker(server_url), [QUESTIONS[0], make_gold(id="e", question="500 please")], clause_text)
    assert run.records[0].error is None
    assert "HTTP 500" in (run.records[1].error or "")


def test_url_mode_unreachable_server_is_unavailable():
    run = run_config("api", HttpAsker("http://127.0.0.1:9", timeout_s=2), QUESTIONS, clause_text)
    assert run.unavailable and "Is the app running" in run.unavailable


def test_http_helpers():
    assert request_body("问", [("u", "a")]) == {"question": "问", "history": [["u", "a"]], "filters": {}}
    assert read_response(200, '{"answer": "x"}', "u") == {"answer": "x"}
    for status, body, words in [(502, "bad gateway", "HTTP 502"), (200, "<html>", "did not return JSON"),
                                (200, "[1]", "expected the answer object")]:
        with pytest.raises(AskError, match=words):
            read_response(status, body, "u")
    with pytest.raises(ValueError, match="http://"):
        HttpAsker("localhost:7860")
