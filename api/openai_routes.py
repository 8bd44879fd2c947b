"""The OpenAI-compatible routes: GET /v1/models, GET /v1/models/{id}, POST /v1/chat/completions.

Bodies are the `openai` package's own types (api.openai_compat); streams use FastAPI's SSE
response and wire format. Options are checked by api.openai_compat.check_request before any
work; the answer comes from the service, as for /api/ask.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, format_sse_event
from openai.types.chat.chat_completion_chunk import ChoiceDelta
from pydantic import BaseModel, ValidationError

from api.bodies import FiltersBody, question_text
from api.openai_compat import (
    MODEL_ID,
    APIError,
    ChatRequest,
    Limiter,
    check_request,
    chunk,
    completion,
    count_tokens,
    json_content,
    model_card,
    prompt_tokens,
    usage,
)
from api.replies import closing_delta, contract_of, question_and_history, reply_text
from rag import limits
from rag.limits import AskRequest, RequestRejected, checked_request
from rag.service import AssistantService, classify
from rag.types import Filters

log = logging.getLogger(__name__)
IGNORED_HEADER = "X-Zhice-Ignored-Options"


def _filters(raw: dict[str, Any] | None) -> Filters:
    try:
        return FiltersBody.model_validate(raw or {}).to_filters()
    except ValidationError as e:
        where = ".".join(str(p) for p in e.errors()[0]["loc"])
        raise APIError(400, f"filters.{where}: {e.errors()[0]['msg']}. Expected {{\"cities\": [str], "
                       "\"doc_ids\": [str]}", f"filters.{where}", "invalid_value") from None


def _checked_question(body: ChatRequest, filters: Filters) -> AskRequest:
    """The question, history and filters within the budgets of rag.limits (message and content-part
    counts first, then the text itself, cleaned)."""
    if len(body.messages) > limits.MAX_CHAT_MESSAGES:
        raise RequestRejected(f"messages has {len(body.messages)} entries; the limit is {limits.MAX_CHAT_MESSAGES}",
                              field="messages")
    for i, m in enumerate(body.messages):
        if isinstance(m.content, list) and len(m.content) > limits.MAX_CONTENT_PARTS:
            raise RequestRejected(f"messages[{i}].content has {len(m.content)} parts; the limit is "
                                  f"{limits.MAX_CONTENT_PARTS}", field=f"messages[{i}].content")
    question, history = question_and_history(body.messages)
    try:
        question_text(question)
    except ValueError as e:
        raise APIError(400, str(e), f"messages[{len(body.messages) - 1}].content", "invalid_value") from None
    return checked_request(question, history, filters)


def _sse(item: BaseModel | str) -> bytes:
    data = item if isinstance(item, str) else item.model_dump_json(exclude_unset=True)
    return format_sse_event(data_str=data)


def install_openai_routes(app: FastAPI, service: AssistantService) -> None:
    created = int(time.time())

    @app.get("/v1/models")
    def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card(created).model_dump(mode="json")]}

    @app.get("/v1/models/{model_id}")
    def get_model(model_id: str) -> dict[str, Any]:
        if model_id != MODEL_ID:
            raise APIError(404, f"The model '{model_id[:80]}' does not exist; GET /v1/models lists the models "
                           f"('{MODEL_ID}').", "model", "model_not_found")
        return model_card(created).model_dump(mode="json")

    @app.post("/v1/chat/completions", response_model=None)
    def chat(body: ChatRequest) -> Response:
        check_request(body)
        request = _checked_question(body, _filters(body.filters))
        question, history, filters = request.question, request.history, request.filters
        cid, now = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        ignored = body.no_effect_options()
        headers = {IGNORED_HEADER: ",".join(ignored)} if ignored else {}
        if body.stream:
            events = _events(service, body, question, history, filters, cid, now)
            return EventSourceResponse(events, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers})
        contract = contract_of(service.ask(question, history, filters))
        fmt = body.response_format
        text = json_content(contract, fmt) if fmt and fmt.type != "text" else reply_text(contract)
        content, finish = Limiter.apply(text, body.stops, body.token_limit)
        used = usage(prompt_tokens(body.messages), count_tokens(content))
        result = completion(cid, now, body.model, content, finish, used, contract)
        return JSONResponse(result.model_dump(mode="json", exclude_unset=True), headers=headers)


def _events(service: AssistantService, body: ChatRequest, question: str, history: list[tuple[str, str]],
            filters: Filters, cid: str, created: int) -> Iterator[bytes]:
    """role chunk, content chunks (cut by stop/max_tokens), the finish chunk with the contract
    under "zhice", the usage chunk when asked for, [DONE]. JSON formats send the JSON at the end."""
    model, fmt = body.model, body.response_format
    as_json = bool(fmt and fmt.type != "text")
    limiter = Limiter(body.stops, body.token_limit)
    yield _sse(chunk(cid, created, model, ChoiceDelta(role="assistant", content="")))
    streamed, contract = "", None
    try:
        for item in service.stream(question, history, filters):
            if isinstance(item, str):
                streamed += item
                out = "" if as_json else limiter.feed(item)
                if out:
                    yield _sse(chunk(cid, created, model, ChoiceDelta(content=out)))
            else:
                contract = contract_of(item)
    except Exception as exc:
        log.exception("streamed answer failed")
        failure = classify(exc)
        yield _sse(APIError(failure.status, failure.message, type="server_error", code=failure.kind).body_json())
        yield _sse("[DONE]")
        return
    assert contract is not None
    rest = json_content(contract, fmt) if as_json and fmt else closing_delta(streamed, reply_text(contract))
    out = limiter.feed(rest) + limiter.finish()
    if out:
        yield _sse(chunk(cid, created, model, ChoiceDelta(content=out)))
    yield _sse(chunk(cid, created, model, ChoiceDelta(), limiter.finish_reason, zhice=contract))
    if body.include_usage:
        yield _sse(chunk(cid, created, model, None, usage=usage(prompt_tokens(body.messages), count_tokens(limiter.sent))))
    yield _sse("[DONE]")
