"""The HTTP API over real HTTP (uvicorn on 127.0.0.1) with a fake assistant, its pure helpers, and
end-to-end runs with the real assistant on an index built under a temporary directory (a build that
fails fails these tests)."""
from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from api.app import create_api
from api.openai_compat import ChatMessage
from api.replies import CORRECTION, closing_delta, contract_of, question_and_history, reply_text, sources_text
from rag.service import AssistantService
from tests.fakes.assistant import ANSWER, QUOTE, FakeAssistant, fixed_answer
from tests.fakes.serving import http_client, serve

CONTRACT_KEYS = {"answer", "answerable", "citations", "warnings", "retrieved"}


client = http_client



def sse_payloads(text: str) -> list[Any]:
    out = []
    for line in text.splitlines():
        if line.startswith("data: "):
            data = line.removeprefix("data: ")
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


# ------------------------------------------------------------------ /healthz and /api/ask
def test_healthz(api_url):
    r = client(api_url).get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["answerer"] == "extractive"


def test_ask_returns_the_contract(api_url, fake):
    body = {"question": " 中山市首席质量官由谁负责? ", "history": [["上一问", "上一答"]], "filters": {"cities": ["中山"]}}
    r = client(api_url).post("/api/ask", json=body)
    assert r.status_code == 200
    data = r.json()
    assert data.keys() >= CONTRACT_KEYS and data["answer"] == ANSWER
    assert data["citations"][0]["quote"] == QUOTE and data["citations"][0]["city"] == "中山"
    assert [h["clause"] for h in data["retrieved"]] == ["三、(一)", "三、(二)"]
    [call] = fake.calls
    assert call["question"] == "中山市首席质量官由谁负责?"
    assert call["history"] == [("上一问", "上一答")] and call["filters"].cities == ["中山"]
    assert fake.index_builds == 1


def test_ask_accepts_what_the_eval_harness_sends(api_url):
    r = client(api_url).post("/api/ask", json={"question": "问题", "history": [], "filters": {}})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "body, says",
    [
        ({}, "question: Field required"),
        ({"question": "   "}, "the question is empty"),
        ({"question": "问", "history": [["only one"]]}, "history[0]"),
        ({"question": "问", "filters": {"city": ["中山"]}}, "filters.city"),
        ({"question": 5}, "question"),
    ],
)
def test_ask_rejects_bad_bodies_saying_what_is_wrong(api_url, body, says):
    r = client(api_url).post("/api/ask", json=body)
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert says in message and "Expected a JSON body like" in message


def test_ask_over_a_budget_is_a_400_naming_the_limit(api_url):
    r = client(api_url).post("/api/ask", json={"question": "x" * 3000})
    error = r.json()["error"]
    assert r.status_code == 400 and "question" in error["message"] and "limit is 2000" in error["message"]
    assert "xxxx" not in r.text and error["request_id"] == r.headers["x-request-id"]


def test_ask_rejects_non_json(api_url):
    r = client(api_url).post("/api/ask", content=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]


def test_ask_failure_is_a_clear_error():
    from index.errors import IndexMissingError

    with serve(create_api(FakeAssistant(fail=IndexMissingError("/data/index")))) as url:
        r = client(url).post("/api/ask", json={"question": "问"})
    assert r.status_code == 503 and "python -m index build" in r.json()["error"]["message"]
    with serve(create_api(FakeAssistant(fail=RuntimeError("secret internals")))) as url:
        r = client(url).post("/api/ask", json={"question": "问"})
    assert r.status_code == 500 and "secret internals" not in r.text and "server log" in r.text


# ------------------------------------------------------------------ /v1/chat/completions
MESSAGES = [
    {"role": "system", "content": "be nice"},
    {"role": "user", "content": "第一问"},
    {"role": "assistant", "content": "第一答"},
    {"role": "user", "content": [{"type": "text", "text": "追问"}]},
]


def test_chat_completion_with_the_openai_client(api_url, fake):
    oa = openai.OpenAI(base_url=f"{api_url}/v1", api_key="unused", max_retries=0, http_client=client(api_url))
    resp = oa.chat.completions.create(model="zhice", messages=MESSAGES)
    content = resp.choices[0].message.content
    assert content.startswith(ANSWER) and "来源：" in content and QUOTE in content
    assert fake.calls[0]["question"] == "追问" and fake.calls[0]["history"] == [("第一问", "第一答")]
    raw = client(api_url).post("/v1/chat/completions", json={"model": "zhice", "messages": MESSAGES}).json()
    assert raw["zhice"].keys() >= CONTRACT_KEYS and raw["zhice"]["citations"][0]["quote"] == QUOTE


def test_chat_streamed_with_the_openai_client(api_url):
    oa = openai.OpenAI(base_url=f"{api_url}/v1", api_key="unused", max_retries=0, http_client=client(api_url))
    deltas = [c.choices[0].delta.content or "" for c in oa.chat.completions.create(
        model="zhice", messages=MESSAGES, stream=True) if c.choices]
    assert deltas[1:3] == [ANSWER[:5], ANSWER[5:]]          # the tokens, as streamed, in order
    assert "".join(deltas) == reply_text(contract_of(fixed_answer()))


def test_chat_stream_ends_with_contract_and_done(api_url):
    r = client(api_url).post("/v1/chat/completions", json={"messages": MESSAGES, "stream": True})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_payloads(r.text)
    assert events[-1] == "[DONE]"
    assert events[-2]["choices"][0]["finish_reason"] == "stop"
    assert events[-2]["zhice"]["answer"] == ANSWER


def test_chat_stream_corrects_a_replaced_answer():
    fake = FakeAssistant(tokens=["未核验的", "生成内容"])          # streamed text differs from the final answer
    with serve(create_api(fake)) as url:
        r = client(url).post("/v1/chat/completions", json={"messages": MESSAGES, "stream": True})
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in sse_payloads(r.text) if e != "[DONE]")
    assert text.startswith("未核验的生成内容" + CORRECTION + ANSWER)


def test_chat_stream_reports_a_failure_in_band():
    with serve(create_api(FakeAssistant(fail=RuntimeError("boom")))) as url:
        r = client(url).post("/v1/chat/completions", json={"messages": MESSAGES, "stream": True})
    events = sse_payloads(r.text)
    assert r.status_code == 200 and events[-1] == "[DONE]" and "internal error" in json.dumps(events, ensure_ascii=False)


@pytest.mark.parametrize(
    "body, says",
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]}, "last message"),
        ({"messages": [{"role": "robot", "content": "问"}]}, "role"),
        ({"messages": [{"role": "user", "content": " "}]}, "the question is empty"),
    ],
)
def test_chat_rejects_bad_bodies(api_url, body, says):
    r = client(api_url).post("/v1/chat/completions", json=body)
    assert r.status_code == 400 and says in r.json()["error"]["message"]


# ------------------------------------------------------------------ pure helpers
def test_question_and_history_pairs_turns():
    msgs = [ChatMessage(**m) for m in [
        {"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "B"},
        {"role": "system", "content": "s"}, {"role": "user", "content": "q "},
    ]]
    assert question_and_history(msgs) == ("q", [("a", ""), ("b", "B")])


def test_sources_text_and_closing_delta():
    contract = contract_of(fixed_answer(damaged=True))
    text = sources_text(contract)
    assert text.startswith("⚠ 原文有缺损") and "[1] 中山·《关于加快推进质量强市建设的实施方案》二、(二)：“企?000家以上”" in text
    assert closing_delta("答案", "答案[1]\n\n来源") == "[1]\n\n来源"
    assert closing_delta("答案\n", "答案\n\n来源") == "\n\n来源"
    assert closing_delta("", "全部") == "全部"
    assert closing_delta("别的", "答案") == CORRECTION + "答案"


# ------------------------------------------------------------------ end to end, the real assistant
@pytest.mark.model
def test_end_to_end_with_the_real_assistant(built):
    from rag.pipeline import build_assistant

    service = AssistantService(build_assistant(built[0]))
    service.start()                 # an index that cannot be built fails the test
    with serve(create_api(service)) as url:
        c = client(url)
        data = c.post("/api/ask", json={"question": "中山市推行首席质量官制度由哪些部门负责?"}).json()
        assert data["answerable"] is True and data["citations"] and data["retrieved"]
        for cite in data["citations"]:
            assert cite["quote"] in cite["text"]
        r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "深圳市对获得中国质量奖的企业奖励多少钱?"}],
                                                 "stream": True})
        events = sse_payloads(r.text)
        assert events[-1] == "[DONE]" and events[-2]["zhice"]["answerable"] is False


@pytest.mark.model
def test_end_to_end_with_the_llm_answerer_on_a_local_fake_endpoint(built):
    from rag.pipeline import build_assistant
    from tests.fakes.openai_server import FakeOpenAIServer, Reply, citing_responder

    with FakeOpenAIServer() as llm:
        settings = built[0].model_copy(update={"answerer": "llm", "llm_base_url": llm.base_url, "llm_model": "fake"})
        assistant = build_assistant(settings)
        assistant.warm_up()
        llm.script(citing_responder, Reply(content="编造[1][9]\n---\n[1] \"不存在的引文\""))
        with serve(create_api(assistant)) as url:
            c = client(url)
            assert c.get("/healthz").json()["answerer"] == "llm:fake"
            r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "中山市推行首席质量官制度由哪些部门负责?"}],
                                                     "stream": True})
            good = sse_payloads(r.text)[-2]["zhice"]
            bad = c.post("/api/ask", json={"question": "东莞市工业产品质量监督抽查合格率的目标是多少?"}).json()
    assert good["meta"]["answerer"] == "llm" and good["citations"][0]["quote"] in good["citations"][0]["text"]
    assert bad["meta"]["answerer"] == "extractive (LLM fallback)"
    assert "llm_fallback" in [w["kind"] for w in bad["warnings"]] and bad["answerable"] is True
