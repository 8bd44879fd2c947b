"""Loading and validating a gold set (one JSON object a line, eval/FORMAT.md).

Every error names the file, the line and the field, and says what the field must look like,
so a hand-edited gold file can be fixed without reading this code.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

QuestionType = Literal["who_leads", "target", "support", "lookup", "duty", "compare", "damaged", "refuse"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
EXPECT_VALUES = ("refuse",)
REQUIRED = ("id", "question", "type", "evidence", "answer_keys")
OPTIONAL = ("history", "city", "expect", "warnings")


class GoldFormatError(ValueError):
    """A gold file is malformed; the message names the line and the field."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    type: str
    evidence: list[list[str]]
    answer_keys: list[list[str]]
    history: list[tuple[str, str]] = field(default_factory=list)
    city: str = ""
    expect: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def should_refuse(self) -> bool:
        return self.expect == "refuse"


def _is_str_list(v: Any, allow_empty: bool = True) -> bool:
    return isinstance(v, list) and (allow_empty or bool(v)) and all(isinstance(s, str) and s.strip() for s in v)


def _check_items(v: Any, name: str) -> list[list[str]]:
    if not isinstance(v, list) or not all(_is_str_list(item, allow_empty=False) for item in v):
        raise GoldFormatError(
            f"field {name!r} must be a list of items, each a non-empty list of non-empty strings "
            f'(alternatives), e.g. [["市市场监管局"], ["100%", "百分之百"]]; got {v!r:.120}'
        )
    return v


def _check_history(v: Any) -> list[tuple[str, str]]:
    ok = isinstance(v, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in v
    )
    if not ok:
        raise GoldFormatError(f"field 'history' must be a list of [user, assistant] string pairs; got {v!r:.120}")
    return [(u, a) for u, a in v]


def _check_str(obj: dict[str, Any], name: str, choices: tuple[str, ...] = ()) -> str:
    v = obj[name]
    if not isinstance(v, str) or (name in ("id", "question") and not v.strip()):
        raise GoldFormatError(f"field {name!r} must be a non-empty string; got {v!r:.120}")
    if choices and v not in choices:
        raise GoldFormatError(f"field {name!r} is {v!r}; it must be one of: {', '.join(choices)}")
    return v


def question_from_dict(obj: Any) -> GoldQuestion:
    """Validate one parsed line; raises GoldFormatError naming the field."""
    if not isinstance(obj, dict):
        raise GoldFormatError(f"expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise GoldFormatError(f"missing field(s) {', '.join(missing)}; every line needs {', '.join(REQUIRED)}")
    warnings = obj.get("warnings", [])
    if not _is_str_list(warnings):
        raise GoldFormatError(f"field 'warnings' must be a list of warning kinds (strings); got {warnings!r:.120}")
    return GoldQuestion(
        id=_check_str(obj, "id"),
        question=_check_str(obj, "question"),
        type=_check_str(obj, "type", QUESTION_TYPES),
        evidence=_check_items(obj["evidence"], "evidence"),
        answer_keys=_check_items(obj["answer_keys"], "answer_keys"),
        history=_check_history(obj.get("history", [])),
        city=_check_str(obj, "city") if "city" in obj else "",
        expect=_check_str(obj, "expect", EXPECT_VALUES) if obj.get("expect") is not None else None,
        warnings=list(warnings),
    )


def parse_gold(lines: list[str], source: str = "<gold>") -> list[GoldQuestion]:
    """Parse JSONL text lines; blank lines are skipped, ids must be unique."""
    out: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            q = question_from_dict(obj)
        except json.JSONDecodeError as e:
            raise GoldFormatError(f"{source}, line {lineno}: not valid JSON ({e.msg} at column {e.colno})") from None
        except GoldFormatError as e:
            raise GoldFormatError(f"{source}, line {lineno}: {e}") from None
        if q.id in seen:
            raise GoldFormatError(f"{source}, line {lineno}: field 'id' {q.id!r} repeats line {seen[q.id]}; ids must be unique")
        seen[q.id] = lineno
        _note_unknown(obj, source, lineno)
        out.append(q)
    if not out:
        raise GoldFormatError(f"{source}: no questions found; expected one JSON object a line")
    return out


def _note_unknown(obj: dict[str, Any], source: str, lineno: int) -> None:
    unknown = sorted(set(obj) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        print(f"note: {source}, line {lineno}: ignoring unknown field(s) {', '.join(unknown)}", file=sys.stderr)


def load_gold(path: str | Path) -> list[GoldQuestion]:
    p = Path(path)
    if not p.is_file():
        raise GoldFormatError(f"gold file {p} not found; pass --gold with a JSONL file such as eval/gold_dev.jsonl")
    return parse_gold(p.read_text(encoding="utf-8").splitlines(), source=str(p))
