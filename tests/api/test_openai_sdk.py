"""The `openai` SDK against the live server (fake assistant): every documented call."""
from __future__ import annotations

import json

import openai
import pytest
from pydantic import BaseModel

from api.openai_compat import count_tokens
from tests.api.conftest import http
from tests.fakes.assistant import ANSWER, QUOTE

Q = [{"role": "user", "content": "中山市推行首席质量官制度由哪些部门负责?"}]


def sdk(url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, http_client=http(url))


def test_models_list_and_retrieve(api_url):
    oa = sdk(api_url)
    assert [m.id for m in oa.models.list()] == ["zhice"]
    assert oa.models.retrieve("zhice").owned_by == "zhice"
    with pytest.raises(openai.NotFoundError) as e:
        oa.models.retrieve("gpt-4o")
    err = e.value.body
    assert err["code"] == "model_not_found" and err["param"] == "model" and set(err) >= {"message", "type", "param", "code"}


def test_create_counts_usage_and_echoes_the_model(api_url):
    resp = sdk(api_url).chat.completions.create(model="my-alias", messages=Q, temperature=0.3, seed=7)
    content = resp.choices[0].message.content
    assert resp.model == "my-alias" and resp.choices[0].finish_reason == "stop"
    assert content.startswith(ANSWER) and QUOTE in content
    assert resp.usage.prompt_tokens == count_tokens(Q[0]["content"])
    assert resp.usage.completion_tokens == count_tokens(content)
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    assert resp.model_extra["zhice"]["citations"][0]["quote"] == QUOTE


def test_no_effect_options_are_named_in_a_header(api_url):
    raw = sdk(api_url).chat.completions.with_raw_response.create(model="zhice", messages=Q, temperature=0.3, user="u")
    assert raw.headers["x-zhice-ignored-options"] == "temperature,user"


def test_stream_with_include_usage(api_url):
    chunks = list(sdk(api_url).chat.completions.create(model="zhice", messages=Q, stream=True,
                                                       stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last, finish = chunks[-1], chunks[-2]
    assert last.choices == [] and last.usage.completion_tokens == count_tokens(text)
    assert last.usage.prompt_tokens == count_tokens(Q[0]["content"])
    assert finish.choices[0].finish_reason == "stop" and finish.model_extra["zhice"]["answer"] == ANSWER
    assert all(c.usage is None for c in chunks[:-1])


def test_max_tokens_cuts_with_finish_reason_length(api_url):
    oa = sdk(api_url)
    resp = oa.chat.completions.create(model="zhice", messages=Q, max_tokens=20)
    assert resp.choices[0].finish_reason == "length" and resp.usage.completion_tokens <= 20
    assert count_tokens(resp.choices[0].message.content) == resp.usage.completion_tokens
    chunks = list(oa.chat.completions.create(model="zhice", messages=Q, max_completion_tokens=20, stream=True,
                                             stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == resp.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage.completion_tokens <= 20


def test_stop_cuts_the_reply(api_url):
    oa = sdk(api_url)
    resp = oa.chat.completions.create(model="zhice", messages=Q, stop=["\n\n"])
    assert resp.choices[0].message.content == ANSWER and resp.choices[0].finish_reason == "stop"
    chunks = list(oa.chat.completions.create(model="zhice", messages=Q, stop="来源", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ANSWER + "\n\n"


class Cite(BaseModel):
    doc_id: str
    clause: str
    quote: str


class PolicyAnswer(BaseModel):
    answer: str
    answerable: bool
    citations: list[Cite]


def test_parse_with_a_pydantic_model(api_url):
    resp = sdk(api_url).chat.completions.parse(model="zhice", messages=Q, response_format=PolicyAnswer)
    parsed = resp.choices[0].message.parsed
    assert isinstance(parsed, PolicyAnswer) and parsed.answer == ANSWER and parsed.answerable
    assert parsed.citations[0].quote == QUOTE and parsed.citations[0].clause == "三、(一)"
    assert set(json.loads(resp.choices[0].message.content)) == {"answer", "answerable", "citations"}


def test_json_object_returns_the_contract(api_url):
    resp = sdk(api_url).chat.completions.create(model="zhice", messages=Q, response_format={"type": "json_object"})
    data = json.loads(resp.choices[0].message.content)
    assert data["answer"] == ANSWER and data["citations"][0]["quote"] == QUOTE
    chunks = list(sdk(api_url).chat.completions.create(model="zhice", messages=Q, stream=True,
                                                       response_format={"type": "json_object"}))
    assert json.loads("".join(c.choices[0].delta.content or "" for c in chunks if c.choices)) == data


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"n": 2}, "n"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}, "tools"),
        ({"logprobs": True}, "logprobs"),
        ({"response_format": {"type": "xml"}}, "response_format.type"),
        ({"extra_body": {"frobnicate": 1}}, "frobnicate"),
        ({"extra_body": {"filters": {"city": ["中山"]}}}, "filters.city"),
        ({"messages": [{"role": "robot", "content": "问"}]}, "messages[0].role"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "  "}]}, "messages[0].content"),
    ],
)
def test_bad_requests_raise_bad_request_error(api_url, fake, kwargs, param):
    kwargs = {"model": "zhice", "messages": Q, **kwargs}
    with pytest.raises(openai.BadRequestError) as e:
        sdk(api_url).chat.completions.create(**kwargs)
    assert e.value.status_code == 400 and e.value.body["param"] == param
    assert set(e.value.body) >= {"message", "type", "param", "code"}     # plus the request id
    assert fake.calls == []                 # refused before any work


def test_malformed_body_is_400_in_openai_shape(api_url):
    c = http(api_url)
    r = c.post("/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = c.post("/api/ask", json={"question": "问", "filters": {"cities": "中山"}})
    err = r.json()["error"]
    assert r.status_code == 400 and err["param"] == "filters.cities" and "Expected a JSON body like" in err["message"]
    assert c.get("/v1/nothing").json()["error"]["code"] == "not_found"


def test_filters_extension_reaches_the_assistant(api_url, fake):
    sdk(api_url).chat.completions.create(model="zhice", messages=Q, extra_body={"filters": {"cities": ["中山"]}})
    assert fake.calls[0]["filters"].cities == ["中山"]


def test_a_failure_mid_stream_raises_in_the_sdk():
    from api.app import create_api
    from index.errors import IndexMissingError
    from tests.fakes.assistant import FakeAssistant
    from tests.fakes.serving import serve

    with serve(create_api(FakeAssistant(fail=IndexMissingError("/data/index")))) as url:
        with pytest.raises(openai.APIError, match="python -m index build") as e:
            list(sdk(url).chat.completions.create(model="zhice", messages=Q, stream=True))
        assert e.value.body["code"] == "index_unavailable"
        with pytest.raises(openai.InternalServerError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, http_client=http(url)).chat.completions.create(
                model="zhice", messages=Q)
