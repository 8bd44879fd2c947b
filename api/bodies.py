"""Request bodies of the JSON API and what a malformed one is told: pydantic models with
`extra="forbid"`, and FastAPI's validation errors turned into one 400 in OpenAI's shape that names
the field and the expected body, never echoing the input. Pure: no routes here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.openai_compat import APIError
from rag.types import Filters

ASK_SHAPE = '{"question": str, "history": [[user, assistant], ...], "filters": {"cities": [...], "doc_ids": [...]}}'
CHAT_SHAPE = '{"model": "zhice", "messages": [{"role": "user", "content": str}], "stream": bool}'
MATCH_SHAPE = ('{"text": str, "city": str, "trade": str, "size": str, "above_scale": bool, "employees": int, '
               '"revenue_wan": number, "has": [str], "wants": [str]} (all optional, one at least), '
               'with ?format=json|csv|xlsx')
DUTIES_SHAPE = "a query like ?unit=市场监管局&place=东莞&format=json|csv|xlsx"
TASKS_SHAPE = "a query like ?format=json|csv|xlsx"
MAX_ERROR_CHARS = 600


class FiltersBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cities: list[str] = Field(default_factory=list, description='short names, e.g. "中山"; "全国" = national')
    doc_ids: list[str] = Field(default_factory=list)

    def to_filters(self) -> Filters:
        return Filters(cities=list(self.cities), doc_ids=list(self.doc_ids))


def question_text(value: str) -> str:
    """Shape only (an empty question is a bad body); budgets are checked by rag.limits."""
    value = value.strip()
    if not value:
        raise ValueError("the question is empty; send the text to ask, e.g. 中山市推行首席质量官制度由哪些部门负责?")
    return value


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list, description="earlier [user, assistant] turns")
    filters: FiltersBody = Field(default_factory=FiltersBody)

    _check_question = field_validator("question")(question_text)



def _where(loc: Sequence[Any]) -> str:
    """('body', 'messages', 0, 'role') -> 'messages[0].role'."""
    out = ""
    for p in loc[1:] if loc and loc[0] == "body" else loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def validation_message(errors: Sequence[dict[str, Any]], most: int = 5) -> str:
    """FastAPI's error list as one sentence: 'question: Field required; …' (the first `most`).
    Never the input itself."""
    parts = []
    for e in errors[:most]:
        if e.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
        elif e.get("type") == "extra_forbidden":
            parts.append(f"Unrecognized request argument supplied: {_where(e.get('loc', ()))[:80]}")
        else:
            parts.append(f"{_where(e.get('loc', ()))[:80]}: {str(e.get('msg', 'invalid')).removeprefix('Value error, ')[:200]}")
    more = f"; and {len(errors) - most} more" if len(errors) > most else ""
    return "; ".join(parts) + more


def shape_of(path: str) -> str:
    """The request shape a path expects, for error messages."""
    if path.startswith("/v1/"):
        return CHAT_SHAPE
    if path.rstrip("/") == "/api/match":
        return MATCH_SHAPE
    if path.rstrip("/") == "/api/duties":
        return DUTIES_SHAPE
    if path.startswith("/api/documents/") and path.rstrip("/").endswith("/tasks"):
        return TASKS_SHAPE
    return ASK_SHAPE


def validation_error(path: str, errors: Sequence[dict[str, Any]]) -> APIError:
    """A malformed body as a 400 in OpenAI's shape, naming the field and the expected shape."""
    shape = shape_of(path)
    expected = shape if shape.startswith("a query") else f"a JSON body like {shape}"
    message = f"{validation_message(errors)[:MAX_ERROR_CHARS]}. Expected {expected}."
    first = errors[0] if errors else {}
    param = None if first.get("type") == "json_invalid" else _where(first.get("loc", ()))[:80]
    return APIError(400, message, param, "unknown_parameter" if first.get("type") == "extra_forbidden" else "invalid_value")
