"""What a clause offers enterprises, classified at index time from the data files in index/data/.

    classify(clause) -> Support          every sentence that offers support, with its kinds, who may
                                         benefit (sizes, standings, trades) and the phrases that say so

A sentence offers support when it shows a kind of support (support_kinds.tsv: 资金/奖励, 标准, 品牌 …),
uses more offering wording than controlling wording (support_words.tsv: 支持, 鼓励, 为…提供 against
抽查, 查处, 惩戒), and names an enterprise-like beneficiary or builds a facility everyone can use
(质检中心, 公共技术服务平台) — not when it only helps bodies that are not enterprises (行业协会,
消费者). Who may benefit is read from the same sentence: size groups and standings
(beneficiaries.tsv), trades and trade families (trades.tsv, trade_families.tsv; a sentence without
a trade takes the trades its clause's heading names). Everything is matched on the normalised
sentence (NFKC, simplified), so traditional text is read alike; conditions are cut from the source
text, verbatim. Rules are about kinds of wording; no rule names a document or a clause.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.models import Clause, Offer, Support
from index.text import normalise, sentences
from index.units import units_span

DATA = Path(__file__).with_name("data")
PROFILE_ONLY = "~"          # trades.tsv: a word read in profiles only, never in policy text
NO_TRADE = "-"              # trade_families.tsv: phrases that contain a trade word but name none
_SEGMENT = re.compile(r"[,，;；:：。]")


@dataclass(frozen=True)
class Term:
    start: int
    end: int
    word: str
    label: str


class Phrases:
    """A dictionary of words -> labels, found longest first without overlaps (so 电子商务 is no
    电子 and 国家电子商务 no 家电; 出口龙头企业 no 龙头). One Aho-Corasick pass per text."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        import ahocorasick

        self._labels: dict[str, str] = {}
        for word, label in pairs:
            key = normalise(word).lower()
            if key:
                self._labels.setdefault(key, label)
        self._automaton = ahocorasick.Automaton()
        for word in self._labels:
            self._automaton.add_word(word, word)
        if self._labels:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Term]:
        """Matches in `text` (already normalised), in text order: the longest words are taken first,
        then shorter ones where they do not overlap a word taken."""
        if not self._labels:
            return []
        found = sorted(((-len(w), end - len(w) + 1, w) for end, w in self._automaton.iter(text.lower())))
        taken = bytearray(len(text))
        out: list[Term] = []
        for negative, start, word in found:
            end = start - negative
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                out.append(Term(start, end, word, self._labels[word]))
        return sorted(out, key=lambda t: t.start)

    def labels(self, text: str) -> list[str]:
        return list(dict.fromkeys(t.label for t in self.find(text)))


def _rows(name: str, columns: int) -> list[list[str]]:
    return tsv_rows(DATA / name, columns)


def tsv_lines(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, the line as written, its tab-separated columns stripped) of each line of a data
    file that is neither blank nor a # comment: the one reader of the project's TSV data files,
    each of which checks its own columns and names file:line when one is wrong."""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, raw, [c.strip() for c in line.split("\t")]


def tsv_rows(path: Path, columns: int) -> list[list[str]]:
    """The lines of a data file as columns; a line without exactly `columns` non-empty columns
    fails with file:line."""
    rows = []
    for number, raw, cols in tsv_lines(path):
        if len(cols) != columns or not all(cols):
            raise ValueError(f"{path}:{number}: expected {columns} columns separated by tabs, got {raw!r}")
        rows.append(cols)
    return rows


@dataclass(frozen=True)
class Trade:
    name: str
    codes: tuple[str, ...]          # GB/T 4754-2017 divisions
    families: tuple[str, ...]
    words: tuple[str, ...]          # read in policy text and in profiles
    profile_words: tuple[str, ...]  # read in profiles only


@lru_cache(maxsize=1)
def trades() -> dict[str, Trade]:
    """trades.tsv, by name; a family not in trade_families.tsv fails with the trade's name."""
    known = {row[0] for row in _rows("trade_families.tsv", 2)} - {NO_TRADE}
    out: dict[str, Trade] = {}
    for name, codes, families, words in _rows("trades.tsv", 4):
        fams = tuple(f for f in families.split("|") if f)
        unknown = [f for f in fams if f not in known]
        if unknown:
            raise ValueError(f"{DATA / 'trades.tsv'}: trade {name}: families {unknown} are not in trade_families.tsv")
        all_words = [w for w in words.split("|") if w]
        out[name] = Trade(name, tuple(codes.split("|")), fams,
                          tuple(w for w in all_words if not w.startswith(PROFILE_ONLY)),
                          tuple(w[1:] for w in all_words if w.startswith(PROFILE_ONLY)))
    return out


@lru_cache(maxsize=1)
def trade_phrases() -> Phrases:
    """Trade and family words as policy text writes them: labels "trade:NAME" / "family:NAME"."""
    pairs = [(w, f"trade:{t.name}") for t in trades().values() for w in t.words]
    pairs += [(w, f"family:{fam}") for fam, words in _rows("trade_families.tsv", 2) for w in words.split("|")]
    return Phrases(pairs)


@lru_cache(maxsize=1)
def support_kinds() -> tuple[str, ...]:
    return tuple(row[0] for row in _rows("support_kinds.tsv", 2))


@lru_cache(maxsize=1)
def kind_phrases() -> Phrases:
    return Phrases((w, kind) for kind, words in _rows("support_kinds.tsv", 2) for w in words.split("|"))


WORD_CLASSES = ("offer", "control", "beneficiary", "facility", "not_for", "aims", "internal", "scope")


@lru_cache(maxsize=1)
def wording() -> dict[str, Phrases]:
    rows = _rows("support_words.tsv", 2)
    bad = [r[0] for r in rows if r[0] not in WORD_CLASSES]
    if bad:
        raise ValueError(f"{DATA / 'support_words.tsv'}: unknown classes {bad}; use {WORD_CLASSES}")
    return {cls: Phrases((w, cls) for c, words in rows if c == cls for w in words.split("|")) for cls in WORD_CLASSES}


@lru_cache(maxsize=1)
def beneficiary_phrases() -> Phrases:
    """Size groups and standings: labels "size:NAME" / "title:NAME"."""
    rows = _rows("beneficiaries.tsv", 3)
    bad = [r[0] for r in rows if r[0] not in ("size", "title")]
    if bad:
        raise ValueError(f"{DATA / 'beneficiaries.tsv'}: unknown classes {bad}; use size or title")
    return Phrases((w, f"{cls}:{name}") for cls, name, words in rows for w in words.split("|"))


# ------------------------------------------------------------------------------ classification
def classify(clause: Clause) -> Support:
    """The clause's offering sentences (none for a clause that only regulates, states aims or
    organises the government's own work)."""
    words = wording()
    if words["aims"].find(normalise(" ".join(clause.heading_path or [clause.heading]))) or \
            words["internal"].find(normalise(clause.heading)):
        return Support()
    path = normalise(" ".join([*clause.heading_path, clause.heading]))
    heading = Heading(clause.heading, _trade_terms(path), beneficiary_phrases().find(path))
    offers = [o for start, end in content_sentences(clause)
              if (o := offer_in(clause.text, start, end, heading)) is not None]
    return Support(offers=offers)


@dataclass(frozen=True)
class Heading:
    """What a clause's headings say of all its sentences: trades (for sentences naming none) and
    size groups or standings (for every sentence: 实施小微企业质量精准帮扶)."""

    text: str
    trades: list[Term]
    who: list[Term]


def content_sentences(clause: Clause) -> list[tuple[int, int]]:
    """(start, end) of the clause's sentences, without its heading line and units parenthesis."""
    cut = units_span(clause.text)
    out, pos = [], 0
    for piece in sentences(clause.text):
        start, end = pos + len(piece) - len(piece.lstrip()), pos + len(piece.rstrip())
        pos += len(piece)
        if cut is not None and start >= cut[0] - 1:
            break
        if end - start >= 6 and not _is_heading(clause.text[start:end], clause.heading):
            out.append((start, end if cut is None else min(end, cut[0] - 1)))
    return out


_MARKER = re.compile(r"^\s*(?:[((][一二三四五六七八九十]+[))]|\d{1,3}[.．、]|[一二三四五六七八九十]+、)\s*")


def _is_heading(sentence: str, heading: str) -> bool:
    body = normalise(_MARKER.sub("", sentence)).strip().rstrip("。.;；")
    return bool(heading) and body == normalise(heading).strip().rstrip("。.;；")


# A sentence that states a target ("到2025年,建成…", "力争到2020年,率先建成…") offers nothing itself.
_TARGET = re.compile(r"^(?:力争|争取)?(?:到|至)[\d?]{4}年")


def offer_in(text: str, start: int, end: int, heading: Heading | None = None) -> Offer | None:
    """The sentence text[start:end] as an Offer, or None when it offers enterprises nothing."""
    heading = heading or Heading("", [], [])
    norm = normalise(text[start:end])
    kinds = kind_phrases().labels(norm)
    own = _trade_terms(norm)
    terms = [*own, *heading.trades]            # a sector heading widens what its sentences name
    if _TARGET.match(norm) or not kinds or not _offers(
            norm, targeted=bool(_labels(terms, "trade") or _labels(terms, "family")), named=bool(heading.who)):
        return None
    who = beneficiary_phrases().find(norm)
    source = text[start:end] if len(norm) == end - start else norm
    order = {k: i for i, k in enumerate(support_kinds())}
    return Offer(start=start, end=end, kinds=sorted(kinds, key=order.__getitem__),
                 sizes=_labels([*heading.who, *who], "size"), titles=_labels([*heading.who, *who], "title"),
                 trades=_labels(terms, "trade"), families=_labels(terms, "family"),
                 conditions=([heading.text] if heading.who else []) + _phrases(source, [*who, *own]),
                 open=not heading.who and not heading.trades and _open(norm, [*who, *own]))


def _open(norm: str, named: list[Term]) -> bool:
    """Whether the sizes, standings and trades a sentence names are no bar: no phrase scopes the
    sentence (针对…, 重点围绕…, 在…领域) and another phrase helps enterprises without naming any
    ("完善对重点企业的直通车服务,引导企业制定实施品牌培育规划": the second phrase is for all)."""
    if not named or wording()["scope"].find(norm):
        return False
    covered = bytearray(len(norm))
    for t in named:
        covered[t.start:t.end] = b"\x01" * (t.end - t.start)
    free = [t for t in wording()["beneficiary"].find(norm) if not any(covered[t.start:t.end])]
    cuts = [0, *(m.end() for m in _SEGMENT.finditer(norm)), len(norm) + 1]
    for left, right in zip(cuts, cuts[1:]):
        if any(left <= t.start < right for t in free) and not any(left <= t.start < right for t in named):
            return True
    return False


def _offers(norm: str, targeted: bool, named: bool = False) -> bool:
    """More offering than controlling wording (as much, for a sentence about named trades), and an
    enterprise (named here or, `named`, by the heading: 实施小微企业质量精准帮扶), a facility for all
    or named trades helped — not only bodies that are no enterprise."""
    words = wording()
    offer, control = len(words["offer"].find(norm)), len(words["control"].find(norm))
    if offer < control or (offer == control and not targeted):
        return False
    if named or words["beneficiary"].find(norm):
        return True
    if words["not_for"].find(norm):
        return False
    return bool(words["facility"].find(norm)) or targeted


def _trade_terms(norm: str) -> list[Term]:
    return trade_phrases().find(norm)


def _labels(terms: list[Term], prefix: str) -> list[str]:
    names = (t.label.split(":", 1)[1] for t in terms if t.label.startswith(prefix + ":"))
    return list(dict.fromkeys(n for n in names if n != NO_TRADE))


def _phrases(source: str, terms: list[Term]) -> list[str]:
    """The comma-delimited phrase of the sentence around each term, verbatim, each once."""
    out: list[str] = []
    for t in sorted(terms, key=lambda t: t.start):
        left = max((m.end() for m in _SEGMENT.finditer(source, 0, t.start)), default=0)
        right = next((m.start() for m in _SEGMENT.finditer(source, t.end)), len(source))
        phrase = source[left:right].strip()
        if phrase and phrase not in out:
            out.append(phrase)
    return out
