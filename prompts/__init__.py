"""Prompt templates as text files, rendered by one function that fails loudly.

A template is `prompts/<name>.txt`; a placeholder is `{{name}}`. Values are inserted as they are
and never re-read as template text, so braces inside a clause or a question are harmless.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromptError(ValueError):
    """A template name or its variables are wrong; the message lists what is expected."""


def names() -> list[str]:
    """The names of the templates that exist, e.g. ["answer", "system"]."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.txt"))


@cache
def _load(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or not path.is_file():
        raise PromptError(f"Unknown prompt template {name!r}; the templates are: {', '.join(names())}.")
    return path.read_text(encoding="utf-8")


def variables(name: str) -> set[str]:
    """The placeholder names a template needs."""
    return set(_PLACEHOLDER.findall(_load(name)))


def render(name: str, **values: object) -> str:
    """Fill template `name` with `values`; every placeholder must be given, and nothing else."""
    needed = variables(name)
    missing = sorted(needed - values.keys())
    extra = sorted(values.keys() - needed)
    if missing:
        raise PromptError(
            f"Prompt {name!r} needs variable(s) {', '.join(missing)}; pass them to render(). "
            f"It takes: {', '.join(sorted(needed))}."
        )
    if extra:
        raise PromptError(
            f"Prompt {name!r} has no variable(s) {', '.join(extra)}; it takes: {', '.join(sorted(needed))}."
        )
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), _load(name))
