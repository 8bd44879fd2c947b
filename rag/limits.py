"""Budgets of one request, and the one check that enforces them.

    checked_request(question, history, filters) -> AskRequest     (raises RequestRejected)
    checked_profile(text=…, city=…, …) -> ProfileRequest         policy matching (rag.tools)
    checked_unit(unit, place) / checked_doc_id(doc_id)            duty tables

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


def _values(value: Any, field: str, limit: int, chars: int = MAX_FILTER_VALUE_CHARS) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise RequestRejected(f"{field} must be a list of strings, got {type(value).__name__}", field=field)
    if len(value) > limit:
        raise RequestRejected(f"{field} has {len(value)} entries; the limit is {limit}", field=field)
    out = [_text(v, f"{field}[{i}]", chars) for i, v in enumerate(value)]
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


# ------------------------------------------------------------------------------ the tools' requests
MAX_PROFILE_CHARS = 2_000         # a profile's free text ("我们是东莞的一家家具厂,80人,…")
MAX_PROFILE_FIELD_CHARS = 100     # city, trade, size of the form
MAX_PROFILE_ITEMS = 20            # entries of has / wants
MAX_PROFILE_ITEM_CHARS = 50       # one entry
MAX_EMPLOYEES = 10_000_000
MAX_REVENUE_WAN = 1e9             # 万元: ten trillion yuan
MAX_UNIT_CHARS = 100              # a unit name of a duty table
TOOL_DEADLINE_S = 5.0             # a match or duty table stops listing after this long (and says so)


@dataclass(frozen=True)
class ProfileRequest:
    text: str
    city: str | None
    trade: str | None
    size: str | None
    above_scale: bool | None
    employees: int | None
    revenue_wan: float | None
    has: list[str]
    wants: list[str]


def _optional(value: Any, field: str, limit: int) -> str | None:
    return None if value is None else (_text(value, field, limit) or None)


def _number(value: Any, field: str, most: float, kind: type) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not float(value).is_integer()):
        raise RequestRejected(f"{field} must be a {'whole ' if kind is int else ''}number, got {type(value).__name__}",
                              field=field)
    if not 0 <= value <= most:
        raise RequestRejected(f"{field} must be between 0 and {most:g}", field=field)
    return kind(value)


def checked_profile(*, text: Any = "", city: Any = None, trade: Any = None, size: Any = None, above_scale: Any = None,
                    employees: Any = None, revenue_wan: Any = None, has: Any = (), wants: Any = ()) -> ProfileRequest:
    """A policy-matching profile within its budgets, its text cleaned; RequestRejected otherwise.
    At least the free text or one field must say something."""
    if above_scale is not None and not isinstance(above_scale, bool):
        raise RequestRejected(f"above_scale must be true, false or null, got {type(above_scale).__name__}",
                              field="above_scale")
    request = ProfileRequest(
        text=_text(text or "", "text", MAX_PROFILE_CHARS), city=_optional(city, "city", MAX_PROFILE_FIELD_CHARS),
        trade=_optional(trade, "trade", MAX_PROFILE_FIELD_CHARS), size=_optional(size, "size", MAX_PROFILE_FIELD_CHARS),
        above_scale=above_scale, employees=_number(employees, "employees", MAX_EMPLOYEES, int),
        revenue_wan=_number(revenue_wan, "revenue_wan", MAX_REVENUE_WAN, float),
        has=_values(list(has or []), "has", MAX_PROFILE_ITEMS, MAX_PROFILE_ITEM_CHARS),
        wants=_values(list(wants or []), "wants", MAX_PROFILE_ITEMS, MAX_PROFILE_ITEM_CHARS))
    if not (request.text or request.city or request.trade or request.size or request.has or request.wants
            or request.employees is not None or request.revenue_wan is not None or request.above_scale is not None):
        raise RequestRejected("the profile is empty; describe the enterprise, e.g. "
                              "我们是东莞的一家家具厂,80人,出口为主,想做品牌", field="text")
    return request


def checked_unit(unit: Any, place: Any = None) -> tuple[str, str | None]:
    """A duty table's unit (required) and place (optional), cleaned and within their budgets."""
    name = _text(unit, "unit", MAX_UNIT_CHARS, required=True)
    return name, _optional(place, "place", MAX_FILTER_VALUE_CHARS)


def checked_doc_id(doc_id: Any) -> str:
    return _text(doc_id, "doc_id", MAX_FILTER_VALUE_CHARS, required=True)
