"""Chinese place names from the administrative-division table shipped in the `cpca` package.

Used to find the city or province a document belongs to, and the places a question names.
Only cpca's data file is read (its own matcher needs more than we use).
"""
from __future__ import annotations

import csv
import importlib.util
import io
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "自治州", "自治县",
    "地区", "林区", "新区", "省", "市", "县", "区", "盟", "旗",
)


@dataclass(frozen=True)
class Place:
    adcode: str
    name: str          # full name, e.g. "东莞市"
    short: str         # e.g. "东莞"

    @property
    def is_province(self) -> bool:
        return self.adcode[2:] == "0" * (len(self.adcode) - 2)

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0" * (len(self.adcode) - 2)

    @property
    def is_prefecture(self) -> bool:
        return not self.is_province and self.adcode[4:] == "0" * (len(self.adcode) - 4)

    def names(self) -> tuple[str, ...]:
        """How a text may name it. A county's short name alone is too often a plain word
        (会同县 vs 会同有关部门), so it must carry an administrative suffix."""
        if self.is_province or self.is_prefecture:
            return (self.name, self.short)
        return (self.name, *(self.short + s for s in "市县区旗"))

    @property
    def pinyin(self) -> str:
        return "".join(lazy_pinyin(self.short))


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _table_path() -> Path:
    # find_spec locates the package without importing it (importing cpca loads its own matcher).
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The place table needs the `cpca` package: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def prefecture_pinyin() -> dict[str, tuple[Place, ...]]:
    """Prefecture-level cities by the pinyin of their short name (shenzhen -> 深圳市), made once."""
    out: dict[str, list[Place]] = {}
    for p in places():
        if p.is_prefecture:
            out.setdefault(p.pinyin, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    raw = _table_path().read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(raw))
    out = [Place(r["adcode"], r["name"], short_name(r["name"])) for r in rows if r["name"]]
    # Larger units first so that a province or city wins over a same-named district.
    return tuple(sorted(out, key=lambda p: (p.adcode[2:] != "0" * 10, p.adcode[4:] != "0" * 8)))


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Place]:
    return {p.adcode: p for p in places()}


def province_of(place: Place) -> Place | None:
    return _by_code().get(place.province_code)


@lru_cache(maxsize=1)
def _longest_first() -> tuple[Place, ...]:
    return tuple(sorted(places(), key=lambda p: -len(p.short)))


@lru_cache(maxsize=1)
def _names_longest_first() -> tuple[tuple[Place, tuple[str, ...]], ...]:
    """Every place with its names, made once: find_places ran names() ~3,500 times a question."""
    return tuple((p, p.names()) for p in _longest_first())


@lru_cache(maxsize=1)
def _name_automaton() -> Any:
    """Every place name in one Aho-Corasick automaton (made once): one pass over a text finds them all."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for _, names in _names_longest_first():
        for name in names:
            automaton.add_word(name, name)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _ranks_of_name() -> dict[str, tuple[int, ...]]:
    """name -> the ranks (positions in _names_longest_first) of the places that have it."""
    out: dict[str, list[int]] = {}
    for rank, (_, names) in enumerate(_names_longest_first()):
        for name in names:
            out.setdefault(name, []).append(rank)
    return {name: tuple(ranks) for name, ranks in out.items()}


def find_places(text: str) -> list[Place]:
    """Places named in `text` (full or short name), longest names first, without overlaps. The
    names present are found in one automaton pass; only the places having one of them are then
    visited, in the order a scan of every place would take them (~3,500 places, ~18,000 names:
    a scan of them all cost a few ms a question)."""
    first: dict[str, int] = {}
    for end, name in _name_automaton().iter(text):
        first.setdefault(name, end - len(name) + 1)
    if not first:
        return []
    table, ranks_of = _names_longest_first(), _ranks_of_name()
    found: list[tuple[int, Place]] = []
    taken: set[int] = set()
    for rank in sorted({r for name in first for r in ranks_of.get(name, ())}):
        p, names = table[rank]
        for name in names:
            at = first.get(name, -1)
            if at >= 0 and not taken.intersection(range(at, at + len(name))):
                taken.update(range(at, at + len(name)))
                found.append((at, p))
                break
    return [p for _, p in sorted(found, key=lambda t: t[0])]


def place_mentions(text: str) -> Counter[Place]:
    """How often each place is named in `text`: every occurrence of a name counts once (of
    overlapping names the longest wins), for the largest place of that name."""
    matches = sorted(((end - len(name) + 1, -len(name), name) for end, name in _name_automaton().iter(text)))
    table, ranks_of = _names_longest_first(), _ranks_of_name()
    out: Counter[Place] = Counter()
    covered = -1
    for start, neg_len, name in matches:
        if start <= covered:
            continue
        covered = start - neg_len - 1
        ranks = ranks_of.get(name)
        if ranks:
            out[min((table[r][0] for r in ranks), key=_size_rank)] += 1
    return out


def _size_rank(p: Place) -> tuple[bool, bool]:
    return (not p.is_province, not p.is_prefecture)


def lookup(short_or_full: str) -> Place | None:
    for p in places():
        if short_or_full in (p.name, p.short):
            return p
    return None
