"""Hundreds of hostile requests against the live server (real assistant, real index): each gets a
4xx or a normal answer within its budget, never a 5xx, a hang or its input echoed back; the
server is healthy afterwards."""
from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.hostile.cases import NORMAL, Case, http_cases
from tests.hostile.conftest import assert_healthy, http

CASE_BUDGET_S = 10.0          # generous: the worst seen is far below (see the summary line)
TIMINGS: dict[str, float] = {}

# cases that must get one particular status, or whose answer is checked further
STATUS = {
    "body_20mb": 413, "upload_20mb": 413, "question_500k_cjk": 413, "upload_small": 403,
    "evil_host": 400, "evil_host_v1": 400, "cities_100k": 413, "cities_51": 400, "doc_ids_10k": 400, "history_1000_turns": 400,
    "history_100k_spaces": 400, "v1_500_messages": 400, "v1_100_parts": 400, "v1_filters_100k": 413,
    "question_int": 400, "history_int_pair": 400, "filters_string": 400,
    "history_at_turn_limit": 200, "history_50_turns": 200, "filters_empty": 200,
    "api.question:cjk_over_limit": 400, "api.question:huge": 400, "api.question:nfkc_expansion": 400,
    "api.question:cjk_at_limit": 200, "api.question:spaces_backtrack": 200, "api.question:lone_high_surrogate": 400,
    "api.history.user:lone_high_surrogate": 200, "utf8_bom_body": 200, "nan_question": 400, "huge_exponent_question": 400,
    "surrogate_model": 400, "surrogate_user": 400, "model_100k": 400,
}


def send(c: httpx.Client, case: Case) -> httpx.Response:
    if case.raw is not None:
        return c.request(case.method, case.path, content=case.raw, headers=case.headers)
    if case.json_body is None:
        return c.request(case.method, case.path, headers=case.headers)
    data = json.dumps(case.json_body, ensure_ascii=True)      # lone surrogates travel as \ud800 escapes
    return c.request(case.method, case.path, content=data.encode("ascii"),
                     headers={"Content-Type": "application/json", **case.headers})


def check_answer(case: Case, r: httpx.Response) -> None:
    if case.path.startswith("/v1") and r.headers.get("content-type", "").startswith("text/event-stream"):
        assert "[DONE]" in r.text
        return
    data = r.json()
    contract = data.get("zhice", data)
    assert {"answer", "answerable", "citations"} <= contract.keys()
    shown = json.dumps(contract, ensure_ascii=False)
    assert "![" not in shown and "<img" not in shown and "<script" not in shown and "\x00" not in shown
    if "injection" in case.name and case.name.startswith(("api.question", "v1.last_user", "v1.content_part")):
        assert contract["answerable"] is False and contract["meta"].get("declined") == "injection", case.name


def check_rejection(case: Case, r: httpx.Response) -> None:
    sent = len(case.raw or b"") or len(json.dumps(case.json_body or ""))
    assert len(r.content) < 4000 or len(r.content) < sent // 10, "a rejection must not echo the input"
    if r.headers.get("content-type", "").startswith("application/json") and "error" in r.json():
        error = r.json()["error"]
        assert error["message"] and error["request_id"] == r.headers["x-request-id"]


@pytest.mark.parametrize("case", http_cases(), ids=repr)
def test_hostile_request(live, case: Case):
    with http(live) as c:
        started = time.perf_counter()
        r = send(c, case)
        elapsed = time.perf_counter() - started
    TIMINGS[case.name] = elapsed
    assert elapsed < CASE_BUDGET_S, f"{case.name} took {elapsed:.1f} s"
    assert r.status_code < 500, f"{case.name}: {r.status_code} {r.text[:300]}"
    expected = STATUS.get(case.name)
    if expected is not None:
        assert r.status_code == expected, f"{case.name}: {r.status_code} {r.text[:300]}"
    else:
        assert case.expect(r.status_code), f"{case.name}: {r.status_code}"
    if r.status_code == 200:
        check_answer(case, r)
    else:
        check_rejection(case, r)
    assert "x-request-id" in r.headers and len(r.headers["x-request-id"]) <= 64


def test_server_is_healthy_after_the_hostile_cases(live):
    assert_healthy(live)
    if TIMINGS:
        worst = max(TIMINGS, key=TIMINGS.get)
        print(f"\nhostile HTTP cases: {len(TIMINGS)}, max {TIMINGS[worst]:.2f} s ({worst}), "
              f"total {sum(TIMINGS.values()):.1f} s")


def test_normal_question_is_not_held_up_by_a_hostile_one(live):
    """While the largest request the budgets allow runs, a normal question still answers fast."""
    import threading

    heavy = {"question": "它的牵头单位是谁?" + "\U00020000" * 1900,
             "history": [["ignore" + " " * 7990 + "x", "\U00020000" * 7000]] * 10}
    stop, worst = threading.Event(), [0.0]

    def hammer() -> None:
        with http(live, timeout=60) as c:
            while not stop.is_set():
                c.post("/api/ask", json=heavy)

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        with http(live) as c:
            for _ in range(5):
                started = time.perf_counter()
                assert c.post("/api/ask", json={"question": NORMAL}).status_code == 200
                worst[0] = max(worst[0], time.perf_counter() - started)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    print(f"\nnormal question under hostile load: worst {worst[0] * 1000:.0f} ms")
    assert worst[0] < 5.0
