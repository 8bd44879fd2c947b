"""A domain lexicon: how people say it -> how the quality-policy documents say it.

Users write "我们厂用电量很大" where the documents write 能源计量, or "专利老是被人仿" where
they write 知识产权保护. `Lexicon.expand()` returns the corpus terms a question triggers, so a
caller can add them to the search text. The data lives in `rag/understand/data/lexicon.tsv` (format in
its header); every target term occurs in the corpus (tests/rag/test_lexicon.py checks it).

Matching is one Aho-Corasick pass (pyahocorasick) over the normalised question, so it is linear
in the text plus the matches. A pattern "A~B" means A, then B starting at most `GAP` characters
after A ends; its two parts are matched by the same automaton and then paired by position.

`split_context()` separates what a speaker says about themselves ("我们是…企业", "听说…") from
what they ask, by clause structure: clauses split on punctuation, a clause with an
interrogative belongs to the ask, and self-descriptions before it to the context.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from index.text import normalise

DEFAULT_PATH = Path(__file__).with_name("data") / "lexicon.tsv"
GAP = 8                      # max characters between the two parts of an "A~B" pattern
_MAX_PART = 20               # a pattern part longer than this is a mistake, not a trigger
_BAD_CHARS = re.compile(r"[\s\t]")


@dataclass(frozen=True)
class _Entry:
    line: int
    patterns: tuple[tuple[str, ...], ...]   # each pattern: one part, or two parts (A~B)
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Colloquial triggers -> corpus terms. Build with `Lexicon.load()`; immutable after."""

    entries: tuple[_Entry, ...]
    source: str = ""
    _automaton: ahocorasick.Automaton = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> Lexicon:
        """Read and validate a lexicon file; a bad line raises ValueError naming file:line."""
        text = Path(path).read_text(encoding="utf-8")
        entries = tuple(e for n, raw in enumerate(text.splitlines(), 1)
                        if (e := _parse_line(raw, n, str(path))) is not None)
        if not entries:
            raise ValueError(f"{path}: no entries; expected lines 'TRIGGERS<TAB>TERMS'.")
        return cls(entries=entries, source=str(path), _automaton=_build_automaton(entries))

    @property
    def size(self) -> int:
        return len(self.entries)

    def terms(self) -> list[str]:
        """Every target term, deduplicated, in file order."""
        return list(dict.fromkeys(t for e in self.entries for t in e.terms))

    def expand(self, text: str) -> list[str]:
        """Corpus terms triggered by `text` (normalised here), deduplicated, in the order of the
        triggers' positions in the text."""
        norm = normalise(text).lower()
        positions: dict[str, list[int]] = {}                 # part -> sorted start offsets
        for end, part in self._automaton.iter(norm):
            positions.setdefault(part, []).append(end - len(part) + 1)
        hits: list[tuple[int, int, str]] = []                # (position, entry order, term)
        for order, entry in enumerate(self.entries):
            where = _first_match(entry, positions)
            if where is not None:
                hits += [(where, order, t) for t in entry.terms]
        return list(dict.fromkeys(t for _, _, t in sorted(hits)))

    def expand_groups(self, text: str) -> list[list[str]]:
        """The corpus terms triggered by `text`, one group per lexicon entry: alternatives for one
        wording (贷款 -> 融资授信 | 融资增信 | 金融机构 | 质押融资), which a clause covers with any one."""
        norm = normalise(text).lower()
        positions: dict[str, list[int]] = {}
        for end, part in self._automaton.iter(norm):
            positions.setdefault(part, []).append(end - len(part) + 1)
        return [list(entry.terms) for entry in self.entries if _first_match(entry, positions) is not None]


def _first_match(entry: _Entry, positions: dict[str, list[int]]) -> int | None:
    """The earliest start at which one of the entry's patterns matches, or None."""
    best: int | None = None
    for pattern in entry.patterns:
        starts = positions.get(pattern[0])
        if not starts:
            continue
        if len(pattern) == 1:
            at: int | None = starts[0]
        else:
            at = _paired(starts, len(pattern[0]), positions.get(pattern[1], []))
        if at is not None and (best is None or at < best):
            best = at
    return best


def _paired(starts_a: list[int], len_a: int, starts_b: list[int]) -> int | None:
    """First start of A with a B starting within GAP characters after A ends."""
    for a in starts_a:
        lo = a + len_a
        i = bisect.bisect_left(starts_b, lo)
        if i < len(starts_b) and starts_b[i] <= lo + GAP:
            return a
    return None


def _parse_line(raw: str, number: int, path: str) -> _Entry | None:
    line = raw.rstrip("\n\r")
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    where = f"{path}:{number}"
    cols = line.split("\t")
    if len(cols) != 2:
        raise ValueError(f"{where}: expected 2 tab-separated columns (TRIGGERS<TAB>TERMS), "
                         f"found {len(cols)}; separate the columns with one tab.")
    triggers, terms = (c.strip() for c in cols)
    patterns = tuple(_parse_pattern(p, where) for p in triggers.split("|"))
    term_list = tuple(t.strip() for t in terms.split("|"))
    if not term_list or any(not t for t in term_list):
        raise ValueError(f"{where}: empty term in {terms!r}; write terms as 'A|B' without empty parts.")
    bad = [t for t in term_list if _BAD_CHARS.search(t)]
    if bad:
        raise ValueError(f"{where}: term {bad[0]!r} contains white space; corpus terms are written without it.")
    return _Entry(line=number, patterns=patterns, terms=term_list)


def _parse_pattern(pattern: str, where: str) -> tuple[str, ...]:
    parts = tuple(normalise(p.strip()).lower() for p in pattern.split("~"))
    if len(parts) > 2:
        raise ValueError(f"{where}: pattern {pattern!r} has more than one '~'; use 'A~B'.")
    for part in parts:
        if not part:
            raise ValueError(f"{where}: empty trigger in {pattern!r}; remove the stray '|' or '~'.")
        if len(part) > _MAX_PART or _BAD_CHARS.search(part):
            raise ValueError(f"{where}: trigger part {part!r} is longer than {_MAX_PART} characters "
                             "or contains white space; triggers are short substrings.")
    return parts


def _build_automaton(entries: tuple[_Entry, ...]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for entry in entries:
        for pattern in entry.patterns:
            for part in pattern:
                automaton.add_word(part, part)
    automaton.make_automaton()
    return automaton


# ---- speaker context vs the ask ---------------------------------------------------------------

_CLAUSE = re.compile(r"[^,。?!;:,;!?:\n]+[,。?!;:,;!?:\n]*")
# Interrogatives: question words, A-not-A forms (支不支持, 有没有), sentence-final particles.
_QUESTION = re.compile(r"[??]|吗|呢|什么|啥|哪|谁|(?<![好这那十了])几[个项家年月天种条大]|多少|怎么|怎样|如何|是否|为何|"
                       r"(\w)[不没]\1|有没有|能否|可否|可不可以|行不行|会不会|要不要")
_FIRST_PERSON = re.compile(r"^(我们|我|咱们|咱|俺们|俺|本人|本公司|本厂|本单位|我司|我厂|我公司|我局|鄙司)")
_HEARSAY = re.compile(r"^(听说|据说|听人说|看到|看新闻|最近|目前|现在|之前|去年|今年|前段时间|这几年)")


def split_context(text: str) -> tuple[str, str]:
    """(context, ask) of a question, both normalised (NFKC, simplified).

    Clauses are split on ,。?!;: and line breaks. Before the first interrogative clause, a clause
    is context when it describes the speaker (first person: 我们是…, 我在…工作, 我刚调到…) or
    reports hearsay (听说…), and so is a clause that continues such a description; the context
    ends at the first clause that asks, states a want (想…, 希望…, 打算…) or starts otherwise.
    Everything from there on is the ask. With no interrogative clause, the last clause is the
    ask. context + ask is the whole normalised text.
    """
    norm = normalise(text).strip()
    clauses = _CLAUSE.findall(norm)
    if len(clauses) <= 1:
        return "", norm
    ask_at = next((i for i, c in enumerate(clauses) if _QUESTION.search(c)), len(clauses) - 1)
    cut = 0
    for i, clause in enumerate(clauses[:ask_at]):
        if not _is_context(clause.strip(), continues=cut == i and i > 0):
            break
        cut = i + 1
    return "".join(clauses[:cut]).strip(), "".join(clauses[cut:]).strip()


_WANT = re.compile(r"想|希望|打算|准备|需要|请问|请|麻烦|求助")
_HEARSAY_WANT = re.compile(_HEARSAY.pattern + r"(我们|我)?(也|还|就|都|正|一直)?(想|希望|打算|准备|需要)")
_FIRST_PERSON_WANT = re.compile(r"^(我们|我|咱们|咱|俺们|俺|本公司|我司)(也|还|就|都|正|一直)?(想|希望|打算|准备|需要|请问)")


def _is_context(clause: str, *, continues: bool) -> bool:
    """A self-description or hearsay clause (or the continuation of one) without a want."""
    if _FIRST_PERSON_WANT.search(clause) or _HEARSAY_WANT.search(clause):
        return False
    if _FIRST_PERSON.search(clause) or _HEARSAY.search(clause):
        return True
    return continues and not _WANT.search(clause)
