"""`Assistant.ask()`: understand -> retrieve (strategy) -> decide (gate) -> answer.

The one answering entry point of the CLI, the service (HTTP API and UI) and the evaluation
harness. The parts come typed from rag.components; this module only sequences them.
"""
from __future__ import annotations

import logging
import threading
import time

from index.build import Progress, build_index
from index.catalog import IndexSnapshot, current_build
from index.text import normalise
from rag.components import Components, build_components, retrieval_mode
from rag.compose.document import FIELD_WORDS, scope_docs
from rag.compose.evidence import ASK_WORDS, ask_terms, score_sentences
from rag.compose.merge import merge
from rag.compose.reply import doc_label
from rag.limits import checked_request
from rag.reload import BuildWatcher, forget_embedded_chroma
from rag.retrieve.sections import wants_list
from rag.settings import AnswererKind, Settings, get_settings
from rag.tools.match import match
from rag.tools.profile import asks_for_measures, parse_profile
from rag.types import Answer, Decision, DeclineReason, Embedder, Filters, Hit, Kind, Query, TokenCallback
from rag.understand.split import split_asks

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions over the current index. `__init__` is cheap and validates; `warm_up()`
    reads the index and loads the models (the server calls it at start; the CLI and the harness
    get it on their first question)."""

    def __init__(self, *, settings: Settings, retrieval: str = "hybrid", answerer: AnswererKind | None = None,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.retrieval = retrieval_mode(retrieval)
        self.answerer_kind = AnswererKind(answerer or settings.answerer)
        self._lock = threading.Lock()
        self._components: Components | None = None
        self._watcher = BuildWatcher(settings.index_dir)

    # -- set-up -----------------------------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None) -> None:
        """Build the index when there is none (the first run)."""
        if current_build(self.settings.index_dir) is None:
            build_index(self.settings, embedder=self.embedder, progress=progress)

    def warm_up(self, progress: Progress | None = None) -> Components:
        """Build the index if missing, wire the parts and load everything they need."""
        with self._lock:
            if self._components is None:
                self.ensure_index(progress)
                components = self._build()
                self._components = components
                self._watcher.seen(components.snapshot.build_id)
            return self._components

    def reload(self) -> Components:
        """Wire and warm the parts on the current index now (after a build in this process, e.g. an
        uploaded document), then swap them in; the loaded embedding model is reused."""
        with self._lock:
            components = self._build()
            self._components = components
            self._watcher.seen(components.snapshot.build_id)
        return components

    def _build(self) -> Components:
        served = self._components.dense if self._components is not None else None
        embedder = self.embedder or (served.embedder if served is not None else None)
        components = build_components(self.settings, retrieval=self.retrieval, answerer=self.answerer_kind,
                                      embedder=embedder)
        components.warm_up()
        return components

    @property
    def components(self) -> Components:
        """The parts over the current build. When CURRENT names a newer build (checked at most
        once a second), the new parts are built and warmed off to the side, then swapped in; asks
        already running finish on the parts they took. A failed reload keeps the old parts."""
        current = self._components or self.warm_up()
        if self._watcher.changed(current.snapshot.build_id) and self._lock.acquire(blocking=False):
            threading.Thread(target=self._reload, args=(current,), name="zhice-reload", daemon=True).start()
        return current

    def _reload(self, current: Components) -> None:
        """Runs in its own thread with self._lock held (taken by the caller), so no user waits for
        it and two reloads never run at once. A build that fails to load leaves the old parts."""
        try:
            if not self.settings.chroma_url:
                forget_embedded_chroma(self.settings.chroma_dir)   # see vectors another process added
            fresh = self._build()
            self._components = fresh
            self._watcher.seen(fresh.snapshot.build_id)
            log.info("index build %s loaded (was %s)", fresh.snapshot.build_id, current.snapshot.build_id)
        except Exception:
            log.exception("could not load the new index build; still answering from %s", current.snapshot.build_id)
            self._watcher.seen(current.snapshot.build_id, failed=True)
        finally:
            self._lock.release()

    def probe(self) -> str | None:
        """None when a real read of both stores works (a BM25 search and a Chroma query), else
        the reason; what /readyz reports."""
        c = self.components
        c.snapshot.bm25.scores(c.snapshot.tokenizer.tokenize("质量"))
        if c.dense is not None:
            c.dense.warm_up()
        return None

    @property
    def build_id(self) -> str | None:
        """The index build the next ask will use (None before warm-up)."""
        return self._components.snapshot.build_id if self._components else None

    def cities(self) -> list[str]:
        return self.components.snapshot.cities()

    @property
    def answerer_name(self) -> str:
        if self.answerer_kind is AnswererKind.LLM:
            return f"llm:{self.settings.llm_model}"
        return "extractive"

    # -- answering --------------------------------------------------------------------------
    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            filters: Filters | None = None, on_token: TokenCallback | None = None) -> Answer:
        """The answer to a question. Two or more asks in one message (中山首席质量官谁负责?质量奖又
        归谁管?) are answered in turn, each a follow-up of the ones before it, and joined."""
        started = time.perf_counter()
        request = checked_request(question, history, filters)   # types, budgets, cleaned text
        c = self.components                                     # one set of parts for this whole answer
        asks = split_asks(request.question)
        if asks_for_measures(request.question, c.snapshot.places):      # 我们是东莞的一家家具厂,…有哪些政策?
            answer = self._match(c, request.question, on_token)
        elif len(asks) == 1:
            answer = self._answer(c, request.question, request.history, request.filters, on_token)
        else:
            parts: list[tuple[str, Answer]] = []
            turns = list(request.history)
            setting = request.filters
            for n, ask in enumerate(asks, 1):
                if on_token:
                    on_token(f"{chr(10) * 2 if n > 1 else ''}【{n}】{ask}\n")
                names = c.understander.cities.find(normalise(ask))
                part = self._answer(c, ask, turns, request.filters if names or n == 1 else setting, on_token)
                if n == 1 and not setting.cities:     # the later asks keep the first one's place (…?到2025年呢?)
                    setting = Filters(cities=list(part.meta.get("cities") or []), doc_ids=list(setting.doc_ids))
                parts.append((ask, part))
                turns.append((ask, part.answer))
            answer = merge(parts)
            answer.meta.update({"kind": "multi", "cities": request.filters.cities,
                                "retrieval": self.retrieval.value, "answerer": parts[0][1].meta.get("answerer")})
            if not answer.answerable:
                answer.meta["declined"] = parts[0][1].meta.get("declined")
        answer.meta["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        answer.meta.setdefault("answerer", self.answerer_name)
        return answer

    def _match(self, c: Components, question: str, on_token: TokenCallback | None) -> Answer:
        """An enterprise describing itself and asking which measures apply: every applicable measure
        of its city's documents and the national plan (rag/tools/match.py), each cited."""
        profile = parse_profile(question, c.snapshot.places)
        answer = match(c.snapshot, profile, c.support, deadline=time.monotonic() + MATCH_SECONDS).to_answer()
        if on_token:
            on_token(answer.answer)
        answer.meta.update({"kind": "match", "profile": profile.to_contract(), "listed": listed_items(answer),
                            "cities": [profile.city] if profile.city else [], "retrieval": self.retrieval.value})
        return answer

    def _answer(self, c: Components, question: str, history: list[tuple[str, str]], filters: Filters,
                on_token: TokenCallback | None) -> Answer:
        """One ask: understand, retrieve, decide, then compose or decline."""
        query = c.understander.understand(question, history, filters)
        hits = c.strategy.retrieve(query)
        decision = c.gate.judge(query, hits)
        if decision.reason:
            answer = decline(c.snapshot, query, decision, hits)
            if on_token:
                on_token(answer.answer)
        else:
            named = len(query.section) + len(query.about)        # a section's every clause reaches the answerer
            lists = query.kind == Kind.DUTY or wants_list(query.ask)           # every duty; a longer list of measures
            given = hits if lists else hits[: c.top_k + named]
            answer = c.answerer.answer(query, given, on_token)
            answer.retrieved = hits
        answer.meta.update({"kind": query.kind.value, "query": query.text, "cities": query.filters.cities,
                            "signals": decision.signals, "retrieval": self.retrieval.value,
                            "more_cities": query.more_cities, "listed": listed_items(answer)})
        if query.resolved:
            answer.meta["resolved"] = query.resolved
        return answer


def listed_items(answer: Answer) -> list[dict[str, object]]:
    """What the answer lists, in order (the conversation state a follow-up may point into): each
    cited clause once, with its document, place, heading and units."""
    seen: dict[tuple[str, str], dict[str, object]] = {}
    for c in answer.citations:
        key = (c.clause.doc_id, c.clause.clause_id)
        if key not in seen:
            seen[key] = {"doc_id": key[0], "clause": key[1], "place": c.doc.place, "heading": c.clause.heading,
                         "units": c.clause.units.all()}
    return list(seen.values())


MATCH_SECONDS = 5.0  # a policy match in the chat stops listing after this long, and says so
SUMMARY_DOCS = 8     # documents a decline names; a larger corpus is summed up by count


def coverage_summary(snap: IndexSnapshot, most: int = SUMMARY_DOCS) -> str:
    """What the library holds, for a decline: national documents first, then by city; beyond
    `most` documents, the count of the rest and of the places they cover."""
    docs = snap.national_first[:most + 1]
    named = ";".join(f"{d.place}《{d.title}》" for d in docs[:most])
    if len(snap.documents) <= most:
        return named
    return f"{named}等 {len(snap.documents)} 份文件(覆盖 {len(snap.places)} 个地方;可按城市筛选后提问)"


def decline(snap: IndexSnapshot, query: Query, decision: Decision, hits: list[Hit]) -> Answer:
    """The reply that declines: what is missing, said plainly; related clauses only as reading."""
    reason = decision.reason
    assert reason is not None
    if reason is DeclineReason.NOT_STATED and query.kind is Kind.DOCUMENT:
        docs = "、".join(doc_label(d) for d in scope_docs(snap, query)[:SUMMARY_DOCS])
        text = f"抱歉,{docs}的正文没有写明{'、'.join(FIELD_WORDS.get(f, f) for f in query.document_fields)}。"
    elif reason is DeclineReason.NOT_STATED and query.asks_for is not None:
        text = f"现有文件没有写明{ASK_WORDS[query.asks_for]}。" + related_reading(snap, query, decision.related)
    elif reason is DeclineReason.NO_EVIDENCE and decision.missing:      # a terse topic the corpus never names
        words = "、".join(f"“{w}”" for w in decision.missing)
        text = (f"抱歉,现有文件没有提到{words}。本库收录的文件有:{coverage_summary(snap)}。"
                "可以换用文件中的说法再问,或问这些文件中的牵头单位、目标数字、支持政策等。")
    elif reason is DeclineReason.OUT_OF_SCOPE:
        text = f"抱歉,{decision.detail}。" + related_reading(snap, query, decision.related)
    else:
        why = {
            DeclineReason.INJECTION: "这个请求要求改变助手的规则或透露系统信息,与质量政策无关,无法执行",
            DeclineReason.FOREIGN_PLACE: f"现有文件中没有{'、'.join(query.foreign_places)}的政策文件",
            DeclineReason.OFF_TOPIC: "这不是质量政策文件能回答的问题(例如选购哪个品牌、型号)",
        }.get(reason, "现有文件中没有能回答这个问题的条款")
        text = f"抱歉,{why}。本库收录的文件有:{coverage_summary(snap)}。可以问这些文件中的牵头单位、目标数字、支持政策等。"
    keep = reason in (DeclineReason.NO_EVIDENCE, DeclineReason.NOT_STATED, DeclineReason.OUT_OF_SCOPE)
    return Answer(answer=text, answerable=False, retrieved=hits if keep else [],
                  meta={"declined": reason.value, "answerer": "extractive"})


def related_reading(snap: IndexSnapshot, query: Query, related: list[Hit]) -> str:
    """One related sentence, verbatim with its clause, offered as reading, not as the answer."""
    terms = ask_terms(query, snap)
    for hit in related:
        ranked = score_sentences(hit.clause, terms, Kind.LOOKUP)
        if ranked and ranked[0].score > 0:
            return (f"相关条款只写到(仅供参考,并非对所问的回答):{hit.doc.place}《{hit.doc.title}》"
                    f"{hit.clause.clause_id}:“{ranked[0].text}”")
    return ""


def build_assistant(settings: Settings | None = None, *, retrieval: str = "hybrid",
                    answerer: str | None = None, embedder: Embedder | None = None) -> Assistant:
    return Assistant(settings=settings or get_settings(), retrieval=retrieval,
                     answerer=AnswererKind(answerer) if answerer else None, embedder=embedder)
