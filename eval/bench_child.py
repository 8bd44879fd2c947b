"""One measured phase of the benchmark, run in its own process so that its peak memory (RSS
high-water mark) is its own: `python -m eval.bench_child '<json spec>'` prints one JSON line.

The spec (see `Phase`): which data and corpus directories, whether to build (cold or with
nothing changed), which embedder ("default" = the configured one, "random" = seeded random unit
vectors), and how many gold questions to ask afterwards in the same, warmed-up process.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from eval.embedders import RandomUnitEmbedder


@dataclass
class Phase:
    data_dir: str
    docs_dir: str
    build: Literal["none", "cold", "nochange"] = "none"
    embedder: Literal["default", "random"] = "default"
    gold: str = ""
    questions: int = 0             # how many gold questions to time (0 = none)
    retrieval: str = "hybrid"
    chroma_url: str = ""           # a Chroma server (`chroma run`); empty = embedded Chroma in data_dir
    collection: str = ""           # collection name on that server (one per run, so each build is cold)

    def __post_init__(self) -> None:
        for name, good in (("build", ("none", "cold", "nochange")), ("embedder", ("default", "random"))):
            if getattr(self, name) not in good:
                raise ValueError(f"phase {name} is {getattr(self, name)!r}; it must be one of: {', '.join(good)}")
        if self.questions and not self.gold:
            raise ValueError("phase asks questions but names no gold file; set 'gold'")


@dataclass
class PhaseResult:
    build_s: float | None = None
    embed_s: float = 0.0           # of build_s, the time spent in the embedder
    counts: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    maxrss_mb: float = 0.0


class TimedEmbedder:
    """Delegates to an embedder and adds up the time it takes and the texts it embeds."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.seconds, self.texts = 0.0, 0

    def embed(self, texts: Sequence[str]) -> Any:
        start = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        return out


def _settings(phase: Phase) -> Any:
    from rag.settings import Settings

    store: dict[str, Any] = {"chroma_url": phase.chroma_url or None}
    if phase.collection:
        store["chroma_collection"] = phase.collection
    if phase.embedder == "default":
        return Settings(data_dir=Path(phase.data_dir), corpus_dir=Path(phase.docs_dir), **store)
    random_name = RandomUnitEmbedder().name

    class RandomSettings(Settings):
        def embedder_id(self) -> str:  # the index built with random vectors is the expected one
            return random_name

    return RandomSettings(data_dir=Path(phase.data_dir), corpus_dir=Path(phase.docs_dir), **store)


def _embedder(phase: Phase, settings: Any) -> Any:
    from index.embedders import make_embedder

    return RandomUnitEmbedder() if phase.embedder == "random" else make_embedder(settings)


def run_build(phase: Phase, settings: Any, result: PhaseResult) -> None:
    from index.build import build_index

    timed = TimedEmbedder(_embedder(phase, settings))
    start = time.perf_counter()
    report = build_index(settings, docs_dir=Path(phase.docs_dir), rebuild=False, embedder=timed)
    result.build_s = time.perf_counter() - start
    result.embed_s = timed.seconds
    result.counts = {"documents": report.documents, "clauses": report.clauses, "chunks": report.chunks,
                     "embedded": report.embedded, "unchanged": int(report.unchanged)}


def run_asks(phase: Phase, settings: Any, result: PhaseResult) -> None:
    """A warm-up ask, then the first `questions` gold questions, each timed."""
    import rag.pipeline
    from eval.gold import load_gold

    embedder = RandomUnitEmbedder() if phase.embedder == "random" else None
    assistant = rag.pipeline.build_assistant(settings, retrieval=phase.retrieval, embedder=embedder)
    questions = load_gold(phase.gold)[: phase.questions]
    assistant.ask(questions[0].question)
    for q in questions:
        start = time.perf_counter()
        assistant.ask(q.question, history=list(q.history) or None)
        result.latencies_ms.append((time.perf_counter() - start) * 1000)


def run_phase(phase: Phase) -> PhaseResult:
    result = PhaseResult()
    settings = _settings(phase)
    if phase.build != "none":
        run_build(phase, settings, result)
    if phase.questions:
        run_asks(phase, settings, result)
    result.maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m eval.bench_child '<json Phase spec>'", file=sys.stderr)
        return 2
    result = run_phase(Phase(**json.loads(argv[0])))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
