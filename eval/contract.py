"""Reading the answer contract (eval/FORMAT.md) that every configuration returns.

The scorer only trusts what it has checked here: a malformed answer is recorded as an error
for that question (it scores 0), never silently half-read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ContractError(ValueError):
    """An answer does not follow eval/FORMAT.md; the message names the field."""


@dataclass(frozen=True)
class Cited:
    doc_id: str
    clause: str
    quote: str
    text: str


@dataclass(frozen=True)
class Retrieved:
    doc_id: str
    clause: str
    text: str


@dataclass(frozen=True)
class Contract:
    answer: str
    answerable: bool
    citations: list[Cited] = field(default_factory=list)
    warning_kinds: list[str] = field(default_factory=list)
    retrieved: list[Retrieved] = field(default_factory=list)


def _field(obj: dict[str, Any], name: str, kind: type, where: str) -> Any:
    if name not in obj:
        raise ContractError(f"{where}: missing field {name!r} (see eval/FORMAT.md)")
    value = obj[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ContractError(
            f"{where}: field {name!r} must be {kind.__name__}, got {type(value).__name__} {value!r:.80}"
        )
    return value


def _items(obj: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = obj.get(name, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ContractError(f"answer: field {name!r} must be a list of objects, got {items!r:.80}")
    return items


def _cited(c: dict[str, Any], i: int) -> Cited:
    where = f"citations[{i}]"
    return Cited(*(_field(c, n, str, where) for n in ("doc_id", "clause", "quote", "text")))


def _retrieved(r: dict[str, Any], i: int) -> Retrieved:
    where = f"retrieved[{i}]"
    return Retrieved(*(_field(r, n, str, where) for n in ("doc_id", "clause", "text")))


def parse_contract(obj: Any) -> Contract:
    """Check and read one answer; raises ContractError naming the first bad field."""
    if not isinstance(obj, dict):
        raise ContractError(f"answer: expected a JSON object, got {type(obj).__name__}")
    warnings = _items(obj, "warnings")
    return Contract(
        answer=_field(obj, "answer", str, "answer"),
        answerable=_field(obj, "answerable", bool, "answer"),
        citations=[_cited(c, i) for i, c in enumerate(_items(obj, "citations"))],
        warning_kinds=[_field(w, "kind", str, f"warnings[{i}]") for i, w in enumerate(warnings)],
        retrieved=[_retrieved(r, i) for i, r in enumerate(_items(obj, "retrieved"))],
    )
