"""The LLM answerer: a chat model on any OpenAI-compatible endpoint, checked before it is trusted.

    build_messages (pure) -> chat model (network, streamed) -> parse_llm_output (pure)
                          -> rag.compose.verify.check_answer (pure) -> Answer, or the fallback's Answer

The output format is defined in prompts/system.txt: the answer with [n] markers, a line `---`,
then one line `[n] "verbatim quote"` per cited clause; or `NOT_IN_SOURCES` to decline.
Anything that goes wrong (HTTP error, timeout, unreachable endpoint, an answer that fails the
citation check) gives the fallback answerer's answer with an llm_fallback warning.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

import prompts
from index.errors import ZhiceError
from index.models import Clause
from rag.compose.breaker import CircuitBreaker
from rag.compose.verify import ParsedAnswer, check_answer, markers_in, verified_quotes
from rag.sanitize import inert_markup
from rag.types import Answer, Answerer, AnswerWarning, Citation, Hit, Kind, Query, TokenCallback, WarningKind, damage_warnings

log = logging.getLogger(__name__)

DECLINE_TOKEN = "NOT_IN_SOURCES"
SEPARATOR = "---"
DECLINE_TEXT = "已收录的政策文件中没有能回答这个问题的条款。"
DAMAGE_NOTE = "注意：所引条款{markers}的原文有缺损，缺失的字符无法确认，答案未作补全。"
_SEPARATOR_LINE = re.compile(r"-{3,}")
_QUOTE_LINE = re.compile(r"\s*[\[［【]\s*(\d{1,3})\s*[\]］】]\s*[:：]?\s*(.*?)\s*")
_SOURCES_HEADING = re.compile(r"\s*(?:引用|来源|出处|sources?|quotes?)\s*[:：]?\s*", re.IGNORECASE)
_OPEN_QUOTES, _CLOSE_QUOTES = "\"“「『", "\"”」』"
_DAMAGE_WORDS = ("缺损", "损坏", "缺失", "damaged")


class LLMError(ZhiceError):
    """Base of the LLM answerer's errors."""


class LLMConfigError(LLMError, ValueError):
    """The settings cannot make an LLM answerer; the message names the setting to change."""


class LLMUnavailableError(LLMError):
    """The endpoint failed (HTTP error, timeout, unreachable); the message says what to check."""


# ---------------------------------------------------------------- parsing the model's output
def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in _OPEN_QUOTES and text[-1] in _CLOSE_QUOTES:
        return text[1:-1]
    return text


def parse_quote_line(line: str) -> tuple[int, str] | None:
    """`[2] "原文"` -> (2, "原文"); None for a line that is not a quote line."""
    m = _QUOTE_LINE.fullmatch(line)
    if not m or not m.group(2):
        return None
    return int(m.group(1)), _unquote(m.group(2))


def _split_sections(lines: list[str]) -> tuple[list[str], list[str]]:
    """(answer lines, source lines): at the last `---` line, else at the trailing quote lines."""
    for i in range(len(lines) - 1, -1, -1):
        if _SEPARATOR_LINE.fullmatch(lines[i].strip()):
            return lines[:i], lines[i + 1:]
    cut = len(lines)
    while cut > 0 and (not lines[cut - 1].strip() or parse_quote_line(lines[cut - 1])):
        cut -= 1
    if cut > 0 and _SOURCES_HEADING.fullmatch(lines[cut - 1]):
        cut -= 1
    return lines[:cut], lines[cut:]


def _decline_reason(text: str) -> str:
    rest = text.replace(DECLINE_TOKEN, " ", 1).strip(" \n`*:：-—")
    return rest[:200]


def parse_llm_output(raw: str) -> ParsedAnswer:
    """The model's raw reply -> its answer text, its quotes, or its decline."""
    text = raw.strip()
    first = text.split("\n", 1)[0].strip(" `*")
    if first.startswith(DECLINE_TOKEN) or (DECLINE_TOKEN in text and not markers_in(text)):
        return ParsedAnswer(text="", declined=True, reason=_decline_reason(text))
    body, sources = _split_sections(text.split("\n"))
    quotes = [q for q in (parse_quote_line(line) for line in sources) if q]
    return ParsedAnswer(text="\n".join(body).strip(), quotes=quotes)


def streamable_prefix(raw: str) -> str:
    """The part of a partial reply that is surely answer text: stops before the `---` line, holds
    back a last line that may still become one, and holds back a reply that may be a decline."""
    head = raw.lstrip()
    if head.startswith(DECLINE_TOKEN) or (head and DECLINE_TOKEN.startswith(head)):
        return ""
    pos = 0
    for line in raw.splitlines(keepends=True):
        stripped = line.strip()
        complete = line.endswith("\n")
        if (complete and _SEPARATOR_LINE.fullmatch(stripped)) or (not complete and set(stripped) <= {"-"}):
            break
        pos += len(line)
    return raw[:pos]


# ---------------------------------------------------------------- building the prompt
def _fence(text: str, tag: str) -> str:
    """Text placed inside <tag>…</tag> cannot close the tag."""
    return text.replace(f"</{tag}", f"< /{tag}").replace(f"<{tag}", f"< {tag}")


def _damage_lines(clause: Clause) -> list[str]:
    lines = []
    for span in clause.lost_spans():
        left = clause.text[max(0, span.start - 8): span.start]
        lost = clause.text[span.start: span.end]
        right = clause.text[span.end: span.end + 8]
        lines.append(f'DAMAGED: in "{left}{lost}{right}" the characters "{lost}" are lost; never fill them in.')
    return lines


def format_clause(n: int, hit: Hit) -> str:
    doc, clause = hit.doc, hit.clause
    when = f"，{doc.date}" if doc.date else ""
    head = f"[{n}] 《{doc.title}》（{doc.place}{when}）第 {clause.clause_id} 条"
    path = " > ".join(clause.heading_path)
    return "\n".join([head, *([path] if path else []), clause.text, *_damage_lines(clause)])


def format_clauses(hits: Sequence[Hit]) -> str:
    return _fence("\n\n".join(format_clause(i, h) for i, h in enumerate(hits, 1)), "clauses")


def build_messages(query: Query, hits: Sequence[Hit]) -> list[tuple[str, str]]:
    """(role, content) pairs: the system rules, then the clauses and the question."""
    note = ""
    if query.rewritten_from:
        note = f"(This is a follow-up question; with the earlier conversation it asks: {_fence(query.text, 'question')})\n"
    if query.resolved:
        note += f"(It points into the previous answer; read as: {_fence(query.resolved, 'question')}. The first clause is the one meant.)\n"
    system = prompts.render("system", decline_token=DECLINE_TOKEN, separator=SEPARATOR)
    user = prompts.render(
        "answer", clauses=format_clauses(hits), question=_fence(query.raw, "question"), resolved_note=note
    )
    return [("system", system), ("human", user)]


# ---------------------------------------------------------------- errors, without secrets
def endpoint_label(base_url: str | None) -> str:
    """scheme://host:port/path of the endpoint, without any user:password part."""
    if not base_url:
        return "(no endpoint)"
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def describe_error(exc: BaseException, *, base_url: str | None, timeout_s: float) -> str:
    """What went wrong and what to do, from the exception's type and status only."""
    import openai

    where = endpoint_label(base_url)
    if isinstance(exc, (openai.APITimeoutError, TimeoutError)):
        return f"the LLM at {where} did not answer within {timeout_s:g} s; raise ZHICE_LLM_TIMEOUT_S or check the server"
    if isinstance(exc, openai.AuthenticationError):
        return f"the LLM at {where} refused the API key (HTTP 401); check ZHICE_LLM_API_KEY"
    if isinstance(exc, openai.APIStatusError):
        return f"the LLM at {where} answered HTTP {exc.status_code}; check ZHICE_LLM_MODEL and the server's log"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not reach the LLM at {where}; is it running? check ZHICE_LLM_BASE_URL"
    return f"the LLM call to {where} failed ({type(exc).__name__}); see the server log"


# ---------------------------------------------------------------- the answerer
@dataclass(frozen=True)
class LLMConfig:
    """What the LLM answerer needs to know of its endpoint (from ZHICE_LLM_* settings)."""

    base_url: str | None
    model: str
    api_key: SecretStr = SecretStr("")
    timeout_s: float = 30.0         # for the whole answer, not per read (see LLMAnswerer._complete)
    temperature: float = 0.0
    breaker_failures: int = 3       # consecutive endpoint failures that pause the LLM …
    breaker_cooldown_s: float = 30.0  # … for this long, then one trial call


def _validate(config: LLMConfig, fallback: Answerer) -> None:
    if not config.base_url:
        raise LLMConfigError(
            "The LLM answerer needs an OpenAI-compatible endpoint: set ZHICE_LLM_BASE_URL, "
            "e.g. http://127.0.0.1:8000/v1 or https://api.deepseek.com/v1."
        )
    if not re.match(r"https?://[^/\s]+", config.base_url):
        raise LLMConfigError(f"ZHICE_LLM_BASE_URL must be an http(s) URL, got {endpoint_label(config.base_url)!r}.")
    if config.timeout_s <= 0:
        raise LLMConfigError(f"ZHICE_LLM_TIMEOUT_S must be > 0, got {config.timeout_s!r}.")
    if not config.model.strip():
        raise LLMConfigError("ZHICE_LLM_MODEL is empty; set it to the model name the endpoint serves, e.g. deepseek-chat.")
    if not callable(getattr(fallback, "answer", None)):
        raise TypeError(f"fallback must be an Answerer with .answer(query, hits, on_token); got {type(fallback).__name__}.")


class LLMAnswerer:
    """Answers with a chat model; falls back to `fallback` whenever the LLM cannot be trusted."""

    def __init__(self, *, config: LLMConfig, fallback: Answerer) -> None:
        _validate(config, fallback)
        self._config = config
        self._fallback = fallback
        self._model: Any = None
        self._lock = threading.Lock()
        self.breaker = CircuitBreaker(failures=config.breaker_failures, cooldown_s=config.breaker_cooldown_s)
        self.name = f"llm:{config.model}"

    def __repr__(self) -> str:
        return f"LLMAnswerer(model={self._config.model!r}, endpoint={endpoint_label(self._config.base_url)!r})"

    def _get_model(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._make_model()
            return self._model

    def _make_model(self) -> Any:
        from langchain_openai import ChatOpenAI

        c = self._config
        key = c.api_key if c.api_key.get_secret_value() else SecretStr("not-needed")
        return ChatOpenAI(
            model=c.model, base_url=c.base_url, api_key=key, timeout=c.timeout_s,
            max_retries=0, temperature=c.temperature, use_responses_api=False, stream_usage=False,
            http_client=deadline_http_client(c.timeout_s),
        )

    def answer(self, query: Query, hits: list[Hit], on_token: TokenCallback | None = None) -> Answer:
        if query.kind in (Kind.DOCUMENT, Kind.DUTY) or query.section:
            # a document's front matter, every clause of a duty list or a section (with the reform notes):
            # complete lists and quoted metadata are what the extractive answerer composes
            answer = self._fallback.answer(query, hits, on_token)
            answer.meta["answerer"] = "extractive"
            return answer
        if query.refuse_reason or not hits:
            return self._declined(hits, query.refuse_reason.value if query.refuse_reason else "")
        if not self.breaker.allow():
            return self._fall_back(query, hits, self._paused_message())
        try:
            raw = self._complete(build_messages(query, hits), on_token)
        except LLMUnavailableError as exc:
            self.breaker.failure()
            return self._fall_back(query, hits, str(exc))
        except BaseException:
            self.breaker.release()     # not the endpoint's fault (e.g. a failing on_token)
            raise
        self.breaker.success()
        parsed = parse_llm_output(raw)
        if parsed.declined:
            return self._declined(hits, parsed.reason)
        problems = check_answer(parsed, hits, query.raw + "\n" + query.text)
        if problems:
            return self._fall_back(query, hits, "the LLM answer failed the citation check: " + "; ".join(problems[:3]))
        return self._compose(parsed, hits)

    def _paused_message(self) -> str:
        c = self._config
        return (f"the LLM at {endpoint_label(c.base_url)} is paused after {c.breaker_failures} consecutive failures; "
                f"answers are extractive until it is tried again in {self.breaker.retry_in():.0f} s")

    # -- the network call
    def _complete(self, messages: list[tuple[str, str]], on_token: TokenCallback | None) -> str:
        """The whole reply within timeout_s (a deadline for the answer, not per read)."""
        deadline = time.monotonic() + self._config.timeout_s
        deltas = _until(self._deltas, messages, on_token is not None, deadline, self._timeout_message())
        if on_token is None:
            return "".join(deltas)
        raw, sent = "", 0
        for delta in deltas:
            raw += delta
            ready = streamable_prefix(raw)
            if len(ready) > sent:
                on_token(ready[sent:])   # outside _deltas: a failing callback is not an LLM failure
                sent = len(ready)
        return raw

    def _timeout_message(self) -> str:
        c = self._config
        return (f"the LLM at {endpoint_label(c.base_url)} did not answer within {c.timeout_s:g} s "
                "(the whole answer); raise ZHICE_LLM_TIMEOUT_S or check the server")

    def _deltas(self, messages: list[tuple[str, str]], stream: bool, stop: threading.Event) -> Iterator[str]:
        c = self._config
        try:
            model = self._get_model()
            if not stream:
                yield str(model.invoke(messages).text)
                return
            chunks = model.stream(messages)
            try:
                for chunk in chunks:
                    if stop.is_set():
                        return
                    if chunk.text:
                        yield str(chunk.text)
            finally:
                chunks.close()      # closes the HTTP response
        except Exception as exc:
            raise LLMUnavailableError(describe_error(exc, base_url=c.base_url, timeout_s=c.timeout_s)) from exc

    # -- building the Answer
    def _meta(self, answerer: str, **extra: Any) -> dict[str, Any]:
        return {"answerer": answerer, "llm_model": self._config.model, **extra}

    def _declined(self, hits: list[Hit], reason: str) -> Answer:
        text = DECLINE_TEXT + (f"（{reason}）" if reason else "")
        return Answer(answer=text, answerable=False, retrieved=list(hits), meta=self._meta("llm", declined=True))

    def _compose(self, parsed: ParsedAnswer, hits: list[Hit]) -> Answer:
        citations = [
            Citation(marker=m, clause=hits[m - 1].clause, doc=hits[m - 1].doc, quote=q)
            for m, q in verified_quotes(parsed, hits)
        ]
        damaged = sorted({c.marker for c in citations if c.clause.lost_spans()})
        text = inert_markup(parsed.text)     # no remote images or HTML from a model that was led astray
        if damaged and not any(w in text for w in _DAMAGE_WORDS):
            text += "\n\n" + DAMAGE_NOTE.format(markers="".join(f"[{m}]" for m in damaged))
        return Answer(
            answer=text, answerable=True, citations=citations, warnings=damage_warnings(citations),
            retrieved=list(hits), meta=self._meta("llm"),
        )

    def _fall_back(self, query: Query, hits: list[Hit], why: str) -> Answer:
        log.warning("LLM answer not used, falling back to %s: %s", getattr(self._fallback, "name", "fallback"), why)
        ans = self._fallback.answer(query, hits, on_token=None)
        ans.warnings.append(AnswerWarning(WarningKind.LLM_FALLBACK, why))
        ans.retrieved = ans.retrieved or list(hits)
        ans.meta = {**ans.meta, **self._meta("extractive (LLM fallback)", llm_error=why)}
        return ans


# ---------------------------------------------------------------- the deadline
_END = object()
_call = threading.local()      # .deadline: the monotonic deadline of the LLM call on this thread


def deadline_http_client(timeout_s: float) -> Any:
    """An httpx client whose response bodies stop at the calling thread's deadline (set by
    `_until`'s worker): a trickling endpoint cannot keep an abandoned worker thread reading for
    long after its answer has fallen back."""
    import httpx

    class DeadlineStream(httpx.SyncByteStream):
        def __init__(self, inner: Any, deadline: float) -> None:
            self.inner, self.deadline = inner, deadline

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.inner:
                if time.monotonic() > self.deadline:
                    raise httpx.ReadTimeout("the answer's deadline passed")
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class DeadlineTransport(httpx.HTTPTransport):
        def handle_request(self, request: Any) -> Any:
            response = super().handle_request(request)
            deadline = getattr(_call, "deadline", None)
            if deadline is not None:
                response.stream = DeadlineStream(response.stream, deadline)
            return response

    return httpx.Client(transport=DeadlineTransport(), timeout=timeout_s, trust_env=True)


def _until(produce: Any, messages: list[tuple[str, str]], stream: bool, deadline: float,
           timeout_message: str) -> Iterator[str]:
    """The deltas of `produce(messages, stream, stop)`, read in a worker thread, until the
    monotonic `deadline`: a trickling or hanging endpoint raises LLMUnavailableError at the
    deadline instead of holding the answer for a read timeout per chunk. The abandoned worker is
    told to stop and ends at its next chunk or read timeout; nothing waits for it."""
    items: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        _call.deadline = deadline
        try:
            for delta in produce(messages, stream, stop):
                items.put(delta)
                if stop.is_set():
                    break
            items.put(_END)
        except BaseException as exc:
            items.put(exc)

    threading.Thread(target=work, name="zhice-llm", daemon=True).start()
    try:
        while True:
            try:
                item = items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMUnavailableError(timeout_message) from None
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
