"""The Python API (Assistant.ask and the service) under the same hostile inputs: a clear
RequestRejected or a normal Answer, quickly; never AttributeError/TypeError from deep inside."""
from __future__ import annotations

import time

import pytest

from rag.limits import MAX_FILTER_CITIES, MAX_QUESTION_CHARS, MAX_TURNS, RequestRejected
from rag.service import classify
from rag.types import Answer, Filters
from tests.hostile.cases import NORMAL, STRINGS

BUDGET_S = 10.0

WRONG = [
    ("question_int", dict(question=123)),
    ("question_none", dict(question=None)),
    ("question_bytes", dict(question=NORMAL.encode())),
    ("question_list", dict(question=[NORMAL])),
    ("history_int_pair", dict(history=[(1, 2)])),
    ("history_string", dict(history="abc")),
    ("history_dict", dict(history={"a": "b"})),
    ("history_triple", dict(history=[("a", "b", "c")])),
    ("history_single", dict(history=[("a",)])),
    ("history_too_many", dict(history=[(NORMAL, "答")] * (MAX_TURNS + 1))),
    ("history_turn_too_long", dict(history=[("它" * 10_000, "")])),
    ("filters_dict", dict(filters={})),
    ("filters_list", dict(filters=["中山"])),
    ("filters_cities_string", dict(filters=Filters(cities="中山"))),  # type: ignore[arg-type]
    ("filters_cities_ints", dict(filters=Filters(cities=[1, 2]))),  # type: ignore[list-item]
    ("filters_too_many", dict(filters=Filters(cities=[f"城{i}" for i in range(MAX_FILTER_CITIES + 1)]))),
    ("question_1m", dict(question="质" * 1_000_000)),
    ("question_over", dict(question="质" * (MAX_QUESTION_CHARS + 1))),
    ("question_empty_after_cleaning", dict(question="\u200b\ud800 \x00")),
]


@pytest.mark.parametrize("name, kwargs", WRONG, ids=[w[0] for w in WRONG])
@pytest.mark.parametrize("surface", ["assistant", "service"])
def test_wrong_input_is_a_clear_rejection(assistant, real_service, surface, name, kwargs):
    ask = assistant.ask if surface == "assistant" else real_service.ask
    call = {"question": NORMAL, **kwargs}
    started = time.perf_counter()
    with pytest.raises(RequestRejected) as info:
        ask(call.pop("question"), **call)
    assert time.perf_counter() - started < 1.0
    assert classify(info.value).status == 400
    assert len(str(info.value)) < 300          # names the field and the limit, not the value


@pytest.mark.parametrize("name", list(STRINGS))
@pytest.mark.parametrize("where", ["question", "history_user", "history_assistant", "city"])
def test_hostile_strings_answer_or_reject(assistant, where, name):
    text = STRINGS[name]
    kwargs = {"question": NORMAL, "history": None, "filters": None}
    if where == "question":
        kwargs["question"] = text
    elif where == "history_user":
        kwargs.update(question="它的牵头单位是谁?", history=[(text, "")])
    elif where == "history_assistant":
        kwargs["history"] = [(NORMAL, text)]
    else:
        kwargs["filters"] = Filters(cities=[text])
    started = time.perf_counter()
    try:
        answer = assistant.ask(**kwargs)
    except RequestRejected:
        pass
    else:
        assert isinstance(answer, Answer)
        assert "![" not in answer.answer and "<img" not in answer.answer
        if where == "question" and "injection" in name:
            assert answer.meta.get("declined") == "injection"
    assert time.perf_counter() - started < BUDGET_S
