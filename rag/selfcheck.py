"""A self-check that proves the assistant on any index: questions generated from the index itself,
whose right answer is known by construction, asked through the real pipeline.

    heading          "<place> <heading>"        must be answered citing the clause so headed
    heading_bare     "<heading>"                must cite a clause so headed (a shared heading: any)
    topic            "<place> <topic>"          the heading without its opening verbs (加强|组织领导):
                     must cite a clause of the place whose heading holds it
    goals            "<place>的主要目标", "<place> 目标"   must be answered citing the place's documents
    unit_written     "<place><unit>负责哪些工作" (the name as the clause writes it)
    unit_short       … by the body's short name (市质监局 -> 质监局)
    unit_successor   … by today's name where a reform gave its duties on (质监局 -> 市场监管局)
                     each must list every clause whose units name it (or its predecessor or
                     successor), and nothing else
    no_document      the heading template with a place that has no document: must be declined
    off_topic        topics the corpus never mentions: must be declined

An operator who uploads a document sees at once which questions about it the assistant cannot yet
answer (`python -m eval selfcheck`, and the UI's 管理文件 section). `limit` bounds the questions
per template (a large library is sampled evenly, deterministically).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from index.catalog import IndexSnapshot
from index.document import FRONT
from index.gazetteer import places
from index.models import Document
from index.text import compact
from rag.types import Answer
from rag.understand.units import alias_table, canonical, is_collective, known_units, same_unit, successors, unit_matches

SKIP_HEADINGS = frozenset({"发文信息", "前言"})
MIN_HEADING = 4
_BY_YEAR = re.compile(r"(?:到|至)\s*20[\d?]{2}\s*年")
OFF_TOPIC = ("空气炸锅哪个牌子好", "明天的天气预报", "高考志愿怎么填报", "足球世界杯冠军", "房贷利率是多少", "演唱会门票")
Ask = Callable[[str], Answer]


@dataclass(frozen=True)
class Probe:
    """One generated question and what a right answer must do."""

    template: str
    question: str
    answerable: bool
    must: frozenset[tuple[str, str]] = frozenset()      # clauses the answer must cite (all of them)
    any_of: frozenset[tuple[str, str]] = frozenset()    # … or at least one of these
    only: bool = False                                   # and no other clause (front matter aside)


@dataclass
class Result:
    probe: Probe
    passed: bool
    why: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def by_template(self) -> dict[str, tuple[int, int]]:
        """template -> (passed, asked), in the order templates first appear."""
        out: dict[str, list[int]] = {}
        for r in self.results:
            counts = out.setdefault(r.probe.template, [0, 0])
            counts[0] += r.passed
            counts[1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def failures(self) -> list[Result]:
        return [r for r in self.results if not r.passed]

    def to_json(self) -> dict[str, Any]:
        return {"templates": {k: {"passed": p, "asked": n, "rate": round(p / n, 3) if n else None}
                              for k, (p, n) in self.by_template().items()},
                "failures": [{"template": r.probe.template, "question": r.probe.question, "why": r.why}
                             for r in self.failures()]}


def sample(items: list[Any], limit: int | None) -> list[Any]:
    """At most `limit` items, evenly spread over the list (all of them without a limit)."""
    if limit is None or len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def heading_probes(snap: IndexSnapshot) -> Iterable[Probe]:
    shared: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for doc in snap.documents.values():
        for c in doc.clauses:
            if len(compact(c.heading)) >= MIN_HEADING and c.heading not in SKIP_HEADINGS:
                shared[compact(c.heading)].add((doc.doc_id, c.clause_id))
    for doc in snap.national_first:
        for c in doc.clauses:
            key = compact(c.heading)
            if len(key) >= MIN_HEADING and c.heading not in SKIP_HEADINGS:
                yield Probe("heading", f"{doc.place} {c.heading}", True, any_of=frozenset({(doc.doc_id, c.clause_id)}))
                yield Probe("heading_bare", c.heading, True, any_of=frozenset(shared[key]))


# A heading's topic: the heading without the policy verbs it opens with (加强|推进…组织领导).
_LEADING_VERBS = re.compile(r"^(?:加强|加快|加大|推进|推动|推广|提升|提高|强化|完善|健全|开展|实施|建立|建设|打造|培育|深入|积极|"
                            r"大力|全面|优化|促进|支持|倡导|严格|落实|增强|保障|探索|构建|发挥|引导|鼓励|规范|坚持|深化|着力)+")
TOPIC_CHARS = (4, 8)     # topics of this many characters make terse queries (中山 组织领导)


def topic_probes(snap: IndexSnapshot) -> Iterable[Probe]:
    """A heading's topic typed tersely with its place: must cite a clause of that place so headed."""
    for doc in snap.national_first:
        headed = [(compact(c.heading), d, c.clause_id) for d in snap.place_docs.get(doc.place, (doc.doc_id,))
                  for c in snap.documents[d].clauses if c.heading not in SKIP_HEADINGS and c.clause_id != FRONT]
        for c in doc.clauses:
            heading = compact(c.heading)
            topic = _LEADING_VERBS.sub("", heading)
            if c.heading in SKIP_HEADINGS or topic == heading or not TOPIC_CHARS[0] <= len(topic) <= TOPIC_CHARS[1]:
                continue
            expected = frozenset((d, cid) for h, d, cid in headed if topic in h)
            yield Probe("topic", f"{doc.place} {topic}", True, any_of=expected)


def goal_probes(snap: IndexSnapshot) -> Iterable[Probe]:
    """A place whose documents state goals (a clause headed 目标, or targets by year: 到2025年)."""
    for place, doc_ids in snap.place_docs.items():
        clauses = frozenset((d, c.clause_id) for d in doc_ids for c in snap.documents[d].clauses
                            if "目标" in c.heading or _BY_YEAR.search(c.norm))
        if not clauses:
            continue
        for question in (f"{place}的主要目标", f"{place} 目标"):
            yield Probe("goals", question, True, any_of=clauses)


def _bodies(doc: Document) -> dict[str, set[str]]:
    """Canonical body -> the names the document lists it by (groups of bodies left out)."""
    out: dict[str, set[str]] = defaultdict(set)
    for c in doc.clauses:
        for name in c.units.all():
            if is_collective(name):
                continue
            body = canonical(name) if canonical(name) in known_units() else \
                next((b for b in sorted(known_units()) if same_unit(b, name)), canonical(name))
            out[body].add(name)
    return out


def _written_short_successor(body: str, written: set[str]) -> list[tuple[str, str]]:
    forms = [("unit_written", sorted(written, key=len)[0])]
    short = next((n for n, c in alias_table().items() if c == body and not n.isascii() and len(n) <= 6), body)
    forms.append(("unit_short", short))
    forms += [("unit_successor", r.new) for r in successors(body) if r.carries][:1]
    return forms


def unit_probes(snap: IndexSnapshot) -> Iterable[Probe]:
    for place, doc_ids in snap.place_docs.items():
        docs = [snap.documents[d] for d in doc_ids]
        bodies: dict[str, set[str]] = defaultdict(set)
        for doc in docs:
            for body, names in _bodies(doc).items():
                bodies[body] |= names
        for body in sorted(bodies):
            for template, form in _written_short_successor(body, bodies[body]):
                expected = frozenset((d.doc_id, c.clause_id) for d in docs for c in d.clauses
                                     if any(unit_matches(form, n) for n in c.units.all()))
                if expected:
                    yield Probe(template, f"{place}{form}负责哪些工作?", True, must=expected, only=True)


def negative_probes(snap: IndexSnapshot) -> Iterable[Probe]:
    covered = set(snap.places)
    absent = [p.short for p in places() if p.is_prefecture and p.short not in covered][:3]
    headings = [c.heading for d in snap.national_first for c in d.clauses
                if len(compact(c.heading)) >= MIN_HEADING and c.heading not in SKIP_HEADINGS][:3]
    for place, heading in zip(absent, headings):
        yield Probe("no_document", f"{place} {heading}", False)
    for topic in OFF_TOPIC:
        yield Probe("off_topic", topic, False)


def probes(snap: IndexSnapshot, limit: int | None = None) -> list[Probe]:
    """Every generated question, at most `limit` per template."""
    out: list[Probe] = []
    for generate in (heading_probes, topic_probes, goal_probes, unit_probes, negative_probes):
        by_template: dict[str, list[Probe]] = defaultdict(list)
        for p in generate(snap):
            by_template[p.template].append(p)
        for group in by_template.values():
            out += sample(group, limit)
    return out


def judge(probe: Probe, answer: Answer) -> Result:
    """Whether the answer does what the probe's construction requires, and why not."""
    if not probe.answerable:
        return Result(probe, not answer.answerable, "answered" if answer.answerable else "")
    if not answer.answerable:
        return Result(probe, False, f"declined ({answer.meta.get('declined')})")
    cited = {(c.clause.doc_id, c.clause.clause_id) for c in answer.citations if c.clause.clause_id != FRONT}
    missing = probe.must - cited
    if missing:
        return Result(probe, False, f"missing {len(missing)} of {len(probe.must)}: " + "、".join(sorted(c for _, c in missing))[:200])
    if probe.any_of and not cited & probe.any_of:
        return Result(probe, False, "cites none of the expected clauses")
    extra = cited - probe.must if probe.only else set()
    if extra:
        return Result(probe, False, f"{len(extra)} extra: " + "、".join(sorted(c for _, c in extra))[:200])
    return Result(probe, True)


def run(snap: IndexSnapshot, ask: Ask, limit: int | None = None) -> Report:
    """Ask every generated question through `ask` (the real pipeline) and judge the answers."""
    return Report([judge(p, ask(p.question)) for p in probes(snap, limit)])
