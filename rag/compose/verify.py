"""Checks an LLM answer against the clauses it was given. Pure functions, no I/O.

An answer passes when every [n] marker names one of the clauses given, every cited marker has a
quote, every quote occurs verbatim in the clause it names, and every figure in the answer text
occurs in the sources. `locate_quote` forgives only differences the scorer forgives too
(white space, NFKC width, traditional vs simplified) and returns the exact span of the clause,
so what ends up in a Citation is always verbatim.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.types import Hit

_MARKER = re.compile(r"[\[［【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]］】]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*]\s*)?\(?\d{1,2}[.、)）](?!\d)\s*", re.MULTILINE)  # "1. ", "2、", "(3)"
_EDGE_PUNCT = "\"'“”‘’「」『』《》 \t\r\n。，,;；:：!！?？"
MIN_QUOTE_CHARS = 2


@dataclass
class ParsedAnswer:
    """What the LLM wrote, split into parts; produced by `rag.compose.llm.parse_llm_output`."""

    text: str                                   # the answer shown to the user, [n] markers kept
    declined: bool = False                      # the LLM said the clauses do not answer
    reason: str = ""                            # its one-line reason when it declined
    quotes: list[tuple[int, str]] = field(default_factory=list)  # (marker, quote) in order


def markers_in(text: str) -> list[int]:
    """The clause numbers cited in `text`, in order of first use: "甲[1]乙[2,1]" -> [1, 2]."""
    seen: list[int] = []
    for group in _MARKER.findall(text):
        for n in re.split(r"\s*[,，、]\s*", group.strip()):
            if int(n) not in seen:
                seen.append(int(n))
    return seen


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character in comparison form: NFKC, simplified, no white space (may be '' or 2+)."""
    folded = unicodedata.normalize("NFKC", ch)
    folded = "".join(c for c in folded if not c.isspace())
    return _t2s().convert(folded) if folded else ""


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` in comparison form, and for each folded character the index it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            out.append(c)
            where.append(i)
    return "".join(out), where


def locate_quote(quote: str, text: str) -> str | None:
    """The exact span of `text` that `quote` stands for, or None when it is not there."""
    quote = quote.strip(_EDGE_PUNCT)
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    if quote in text:
        return quote
    folded_quote, _ = _fold(quote)
    folded_text, where = _fold(text)
    if len(folded_quote) < MIN_QUOTE_CHARS:
        return None
    at = folded_text.find(folded_quote)
    if at < 0:
        return None
    return text[where[at]: where[at + len(folded_quote) - 1] + 1]


def check_citations(parsed: ParsedAnswer, hits: Sequence[Hit]) -> list[str]:
    """Problems with the markers and quotes of `parsed`; [] when every one is sound."""
    if parsed.declined:
        return []
    if not strip_markers(parsed.text).strip():
        return ["the answer is empty"]
    used = markers_in(parsed.text)
    if not used:
        return ["the answer cites no clause (no [n] marker)"]
    problems = [
        f"marker [{m}] does not match any of the {len(hits)} clauses given"
        for m in dict.fromkeys([*used, *(m for m, _ in parsed.quotes)])
        if not 1 <= m <= len(hits)
    ]
    quoted = {m for m, _ in parsed.quotes}
    problems += [f"marker [{m}] has no quote line" for m in used if m not in quoted and 1 <= m <= len(hits)]
    for m, quote in parsed.quotes:
        if 1 <= m <= len(hits) and locate_quote(quote, hits[m - 1].clause.text) is None:
            clause = hits[m - 1].clause
            problems.append(f"the quote for [{m}] is not verbatim in clause {clause.doc_id} {clause.clause_id}: {quote[:40]!r}")
    return problems


def check_figures(answer_text: str, sources: Sequence[str]) -> list[str]:
    """Figures (digit runs) of the answer that occur in none of `sources`: invented numbers."""
    haystack = "\n".join(_fold(s)[0] for s in sources)
    text = _LIST_ITEM.sub("", strip_markers(answer_text))
    figures = dict.fromkeys(_NUMBER.findall(_fold(text)[0]))
    return [f"the figure {f} is in none of the clauses given" for f in figures if f not in haystack]


def figure_sources(hits: Sequence[Hit], question: str) -> list[str]:
    """Every text a figure in the answer may legitimately come from."""
    texts = [question]
    for h in hits:
        texts += [h.clause.text, h.clause.clause_id, h.doc.title, h.doc.date or "", h.doc.doc_number or ""]
    return texts


def check_answer(parsed: ParsedAnswer, hits: Sequence[Hit], question: str) -> list[str]:
    """All problems of an LLM answer: citations first, then invented figures."""
    if parsed.declined:
        return []
    return check_citations(parsed, hits) + check_figures(parsed.text, figure_sources(hits, question))


def verified_quotes(parsed: ParsedAnswer, hits: Sequence[Hit]) -> list[tuple[int, str]]:
    """(marker, exact quote) for every quote that checks out, in order, without repeats."""
    out: list[tuple[int, str]] = []
    for m, quote in parsed.quotes:
        exact = locate_quote(quote, hits[m - 1].clause.text) if 1 <= m <= len(hits) else None
        if exact is not None and (m, exact) not in out:
            out.append((m, exact))
    return out
