"""Budgets of one request, and the one check that enforces them.

    checked_request(question, history, filters) -> AskRequest     (raises RequestRejected)

Every front end (HTTP /api/ask and /v1, the UI) calls it at the edge, and the service and
`Assistant.ask()` call it again, so the Python API is held to the same budgets. It checks types
(a clear error instead of an AttributeError deep inside), sizes (before any costly step), and
returns the text cleaned by rag.sanitize. Messages name the field and the limit, never echo the
value. Idempotent: a checked request passes the check again unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from index.errors import ZhiceError
from rag.sanitize import clean_text
from rag.types import Filters

MAX_QUESTION_CHARS = 2_000        # the question itself
MAX_TURN_CHARS = 8_000            # each side of each earlier [user, assistant] turn
MAX_TURNS = 50                    # earlier turns (only the last one is read; the rest is context)
MAX_FILTER_CITIES = 50            # the corpus covers a handful; Chroma's $in caps SQL variables
MAX_FILTER_DOC_IDS = 200
MAX_FILTER_VALUE_CHARS = 200      # one city or doc id
MAX_BODY_BYTES = 1_000_000        # one HTTP request body (checked before parsing)
MAX_CHAT_MESSAGES = 2 * MAX_TURNS + 10   # /v1: the turns plus system/developer messages
MAX_CONTENT_PARTS = 50            # /v1: parts of one message's content list


class RequestRejected(ZhiceError, ValueError):
    """The request breaks a budget or has the wrong shape; the message names the field and the
    limit. Shown as HTTP 400. (A ValueError too, so older callers catching that still do.)"""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AskRequest:
    question: str
    history: list[tuple[str, str]]
    filters: Filters


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise RequestRejected(f"{field} must be a string, got {type(value).__name__}", field=field)
    if len(value) > limit:
        raise RequestRejected(f"{field} has {len(value)} characters; the limit is {limit}", field=field)
    cleaned = clean_text(value)
    if len(cleaned) > limit:   # NFKC can lengthen text (one character may become many)
        raise RequestRejected(f"{field} has {len(cleaned)} characters once normalised; the limit is {limit}",
                              field=field)
    if required and not cleaned:
        raise RequestRejected(f"{field} is empty; send the text to ask, "
                              "e.g. 中山市推行首席质量官制度由哪些部门负责?", field=field)
    return cleaned


def check_question(value: Any) -> str:
    return _text(value, "question", MAX_QUESTION_CHARS, required=True)


def check_history(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise RequestRejected(f"history must be a list of [user, assistant] pairs, got {type(value).__name__}",
                              field="history")
    if len(value) > MAX_TURNS:
        raise RequestRejected(f"history has {len(value)} turns; the limit is {MAX_TURNS}", field="history")
    out = []
    for i, turn in enumerate(value):
        if isinstance(turn, (str, bytes)) or not isinstance(turn, Sequence) or len(turn) != 2:
            raise RequestRejected(f"history[{i}] must be a [user, assistant] pair of strings", field=f"history[{i}]")
        out.append((_text(turn[0], f"history[{i}][0]", MAX_TURN_CHARS),
                    _text(turn[1], f"history[{i}][1]", MAX_TURN_CHARS)))
    return out


def _values(value: Any, field: str, limit: int) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise RequestRejected(f"{field} must be a list of strings, got {type(value).__name__}", field=field)
    if len(value) > limit:
        raise RequestRejected(f"{field} has {len(value)} entries; the limit is {limit}", field=field)
    out = [_text(v, f"{field}[{i}]", MAX_FILTER_VALUE_CHARS) for i, v in enumerate(value)]
    return list(dict.fromkeys(v for v in out if v))


def check_filters(value: Any) -> Filters:
    if value is None:
        return Filters()
    if not isinstance(value, Filters):
        raise RequestRejected(f"filters must be a rag.types.Filters, e.g. Filters(cities=['中山']), "
                              f"got {type(value).__name__}", field="filters")
    return Filters(cities=_values(value.cities, "filters.cities", MAX_FILTER_CITIES),
                   doc_ids=_values(value.doc_ids, "filters.doc_ids", MAX_FILTER_DOC_IDS))


def checked_request(question: Any, history: Any = None, filters: Any = None) -> AskRequest:
    """The request within its budgets, its text cleaned; RequestRejected otherwise."""
    return AskRequest(question=check_question(question), history=check_history(history),
                      filters=check_filters(filters))
