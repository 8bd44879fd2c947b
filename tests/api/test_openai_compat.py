"""Pure helpers of the OpenAI surface: raw input -> expected output."""
from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from api.bodies import _where, validation_error
from api.openai_compat import (
    APIError,
    ChatMessage,
    ChatRequest,
    Limiter,
    ResponseFormat,
    check_request,
    count_tokens,
    json_content,
    project,
    prompt_tokens,
    schema_mismatch,
    truncate_tokens,
)

USER = [{"role": "user", "content": "问"}]


def req(**kw) -> ChatRequest:
    return ChatRequest(messages=kw.pop("messages", USER), **kw)


def test_count_and_truncate_tokens():
    assert count_tokens("") == 0 and count_tokens("hello world") == 2
    text = "由市市场监管局、市工业和信息化局等按职责分工负责。" * 3
    for limit in (1, 5, 20, 1000):
        cut = truncate_tokens(text, limit)
        assert text.startswith(cut) and count_tokens(cut) <= limit and "\ufffd" not in cut
    assert truncate_tokens(text, 1000) == text
    assert prompt_tokens([ChatMessage(role="system", content="be nice"), ChatMessage(role="user", content="hello world")]) == 4


@pytest.mark.parametrize(
    "text, stops, limit, out, reason",
    [
        ("答案[1]\n\n来源：x", [], None, "答案[1]\n\n来源：x", "stop"),
        ("答案[1]\n\n来源：x", ["\n\n"], None, "答案[1]", "stop"),
        ("答案[1]\n\n来源：x", ["来源", "[1]"], None, "答案", "stop"),
        ("答案[1]", ["不在"], None, "答案[1]", "stop"),
        ("hello world again", [], 2, "hello world", "length"),
        ("hello world again", [" again"], 2, "hello world", "stop"),     # the stop comes first
        ("hello world again", [" world"], 1, "hello", "stop"),
    ],
)
def test_limiter_apply(text, stops, limit, out, reason):
    assert Limiter.apply(text, stops, limit) == (out, reason)


def test_limiter_streamed_never_sends_a_stop_split_across_pieces():
    lim = Limiter(["STOP"])
    sent = [lim.feed(p) for p in ["abcST", "O", "Pxyz"]] + [lim.finish()]
    assert "".join(sent) == "abc" and lim.finish_reason == "stop"
    assert all("S" not in s for s in sent)


def test_limiter_streamed_token_limit():
    lim = Limiter(limit=3)
    sent = [lim.feed(p) for p in ["hello", " world", " again", " and more"]] + [lim.finish()]
    assert "".join(sent) == "hello world again" and lim.finish_reason == "length"
    assert count_tokens(lim.sent) <= 3


@pytest.mark.parametrize(
    "options, param",
    [
        ({"n": 2}, "n"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"tool_choice": "auto"}, "tool_choice"),
        ({"functions": [{"name": "f"}]}, "functions"),
        ({"function_call": "auto"}, "function_call"),
        ({"parallel_tool_calls": True}, "parallel_tool_calls"),
        ({"logprobs": True}, "logprobs"),
        ({"top_logprobs": 2}, "top_logprobs"),
        ({"logit_bias": {"1": 5}}, "logit_bias"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"audio": {"voice": "x"}}, "audio"),
        ({"reasoning_effort": "low"}, "reasoning_effort"),
        ({"store": True}, "store"),
        ({"metadata": {"a": "b"}}, "metadata"),
        ({"service_tier": "flex"}, "service_tier"),
        ({"web_search_options": {}}, "web_search_options"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"response_format": {"type": "xml"}}, "response_format.type"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {
            "type": "object", "properties": {"confidence": {"type": "number"}}}}}}, "response_format.json_schema"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
         "messages[0].content[0].type"),
    ],
)
def test_refused_options_name_their_param(options, param):
    with pytest.raises(APIError) as e:
        check_request(req(**options))
    assert e.value.status == 400 and e.value.param == param and e.value.body()["error"]["param"] == param


@pytest.mark.parametrize(
    "options",
    [
        {"n": 1}, {"temperature": 0.7, "top_p": 0.9, "seed": 1, "presence_penalty": 0.1, "frequency_penalty": 0.1},
        {"user": "u1", "safety_identifier": "s"}, {"tool_choice": "none"}, {"logprobs": False}, {"store": False},
        {"modalities": ["text"]}, {"service_tier": "auto"}, {"stream": True, "stream_options": {"include_usage": True}},
        {"response_format": {"type": "json_object"}}, {"response_format": {"type": "text"}},
        {"stop": ["a", "b"], "max_tokens": 5, "max_completion_tokens": 3},
    ],
)
def test_accepted_options(options):
    check_request(req(**options))


def test_request_model_limits():
    assert req(max_tokens=9, max_completion_tokens=4).token_limit == 4
    assert req(stop="x").stops == ["x"] and req().stops == []
    assert req(temperature=0.2, user="u").no_effect_options() == ["temperature", "user"]
    for bad in ({"n": 0}, {"max_tokens": 0}, {"temperature": 3}, {"stop": ["a"] * 5}, {"stop": ""},
                {"frobnicate": 1}, {"messages": [{"role": "assistant", "content": "x"}]}):
        with pytest.raises(ValidationError):
            req(**bad)


class Cite(BaseModel):
    doc_id: str
    clause: str
    quote: str


class Reply(BaseModel):
    answer: str
    answerable: bool
    citations: list[Cite]


CONTRACT = {"answer": "A[1]", "answerable": True, "meta": {"k": 1}, "warnings": [], "retrieved": [],
            "citations": [{"marker": 1, "doc_id": "d", "clause": "一、", "quote": "q", "text": "tq", "title": "T",
                           "city": "中山", "date": None, "damaged_spans": []}]}


def test_json_schema_projection_meets_a_strict_pydantic_schema():
    schema = Reply.model_json_schema()
    assert schema_mismatch(schema) is None
    value = project(CONTRACT, schema)
    assert value == {"answer": "A[1]", "answerable": True, "citations": [{"doc_id": "d", "clause": "一、", "quote": "q"}]}
    assert Reply.model_validate(value)
    fmt = ResponseFormat(type="json_schema", json_schema={"name": "Reply", "schema": schema, "strict": True})
    assert json.loads(json_content(CONTRACT, fmt)) == value
    assert json.loads(json_content(CONTRACT, ResponseFormat(type="json_object"))) == CONTRACT


def test_schema_mismatch_names_the_field():
    class Bad(BaseModel):
        citations: list[dict]
        confidence: float

    assert schema_mismatch(Bad.model_json_schema()) == "confidence"

    class BadCite(BaseModel):
        page: int

    class Outer(BaseModel):
        citations: list[BadCite]

    assert schema_mismatch(Outer.model_json_schema()) == "citations[].page"


def test_validation_error_is_openai_shaped_and_does_not_echo_input():
    err = validation_error("/v1/chat/completions", [
        {"type": "missing", "loc": ("body", "messages", 0, "role"), "msg": "Field required", "input": "SECRET"}])
    body = err.body()["error"]
    assert err.status == 400 and body["param"] == "messages[0].role" and "SECRET" not in body["message"]
    assert set(body) == {"message", "type", "param", "code"} and '"messages"' in body["message"]
    extra = validation_error("/v1/chat/completions", [{"type": "extra_forbidden", "loc": ("body", "foo"), "msg": "x"}])
    assert "Unrecognized request argument supplied: foo" in extra.message and extra.code == "unknown_parameter"
    assert _where(("body",)) == "body" and _where(("body", "history", 0, 1)) == "history[0][1]"
