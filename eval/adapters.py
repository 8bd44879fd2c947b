"""How the harness gets answers: the product's Python API or its HTTP API (the naive baseline
in eval/baselines.py has the same shape).

Each is an `Asker`: `ask(question, history=None, filters=None) -> dict` (the FORMAT.md contract)
with a `prepare()` that does the slow setup (loading models and stores) outside the timings.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, Protocol

import httpx

History = Sequence[tuple[str, str]]


class ConfigName(str, Enum):
    LEXICAL = "lexical"
    DENSE = "dense"
    HYBRID = "hybrid"     # the default product
    NAIVE = "naive"       # eval/baselines.py


ALL_CONFIGS: tuple[ConfigName, ...] = tuple(ConfigName)


def parse_configs(names: Sequence[str] | None) -> list[ConfigName]:
    """Configuration names as given on the command line (default: all), in the order given."""
    if not names:
        return list(ALL_CONFIGS)
    good = ", ".join(c.value for c in ConfigName)
    out: list[ConfigName] = []
    for name in names:
        try:
            config = ConfigName(name.strip().lower())
        except ValueError:
            raise ValueError(f"unknown configuration {name!r}; choose from: {good}") from None
        if config not in out:
            out.append(config)
    return out


class Asker(Protocol):
    def prepare(self) -> None: ...

    def ask(self, question: str, history: History | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]: ...


class AskError(RuntimeError):
    """An answer could not be obtained; the message says from where and why."""


class ProductAsker:
    """The product through `rag.pipeline.build_assistant(retrieval=...)`."""

    def __init__(self, retrieval: str, settings: Any = None) -> None:
        self.retrieval, self.settings = retrieval, settings
        self._assistant: Any = None

    def prepare(self) -> None:
        if self._assistant is None:
            from rag.pipeline import build_assistant

            self._assistant = build_assistant(self.settings, retrieval=self.retrieval)

    def ask(self, question: str, history: History | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        self.prepare()
        answer = self._assistant.ask(question, history=list(history or []), filters=None)
        return answer.to_contract()


def request_body(question: str, history: History | None) -> dict[str, Any]:
    """The JSON that `POST /api/ask` takes."""
    return {"question": question, "history": [[u, a] for u, a in history or []], "filters": {}}


def read_response(status: int, body: str, url: str) -> dict[str, Any]:
    """The contract JSON of a response, or an AskError that shows the status and the body."""
    if not 200 <= status < 300:
        raise AskError(f"POST {url} answered HTTP {status}: {body[:200]!r}")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as e:
        raise AskError(f"POST {url} did not return JSON ({e.msg}): {body[:200]!r}") from None
    if not isinstance(data, dict):
        raise AskError(f"POST {url} returned {type(data).__name__}, expected the answer object of eval/FORMAT.md")
    return data


class HttpAsker:
    """A running app: POST {question, history, filters} to URL/api/ask."""

    def __init__(self, url: str, timeout_s: float = 120.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"--url must start with http:// or https://, got {url!r}")
        self.endpoint = url.rstrip("/") + "/api/ask"
        self.timeout_s = timeout_s
        self._client: httpx.Client | None = None

    def prepare(self) -> None:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout_s, trust_env=False)

    def ask(self, question: str, history: History | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        self.prepare()
        assert self._client is not None
        try:
            r = self._client.post(self.endpoint, json=request_body(question, history))
        except httpx.HTTPError as e:
            raise AskError(f"POST {self.endpoint} failed: {e}. Is the app running (python app.py)?") from e
        return read_response(r.status_code, r.text, self.endpoint)


class IndexClauseText:
    """clause_text(doc_id, clause_id) from the local index, loaded on first use."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._index: Any = None

    def __call__(self, doc_id: str, clause_id: str) -> str | None:
        if self._index is None:
            from index.catalog import load_index

            self._index = load_index(self.settings)
        clause = self._index.clause(doc_id, clause_id)
        return None if clause is None else clause.text
