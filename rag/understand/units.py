"""Matching the name of a government body as a user writes it to the names in the clauses.

`canonical("汕头市质量技术监督局") == canonical("市质监局") == "质监局"`: the level and place
prefix is stripped (市, 省, a city's name), then the alias table (rag/understand/data/unit_aliases.tsv)
maps the remaining name to one canonical short name. Renamed bodies are not merged:
`reform_between(asked, listed)` says when a clause's body is the predecessor (or successor) of the
one asked about, from the institutional reforms in rag/understand/data/reforms.tsv.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from index.support import tsv_lines
from index.text import normalise

ALIASES = Path(__file__).with_name("data") / "unit_aliases.tsv"
_LEVEL = ("市", "省", "县", "区", "国家")


@lru_cache(maxsize=1)
def alias_table(path: Path = ALIASES) -> dict[str, str]:
    """Every known name (normalised, lower-case) -> its canonical short name."""
    table: dict[str, str] = {}
    for number, raw, cols in tsv_lines(path):
        if len(cols) != 2 or not cols[0]:
            raise ValueError(f"{path}:{number}: expected 'CANONICAL<TAB>alias|alias', got {raw!r}")
        canon = normalise(cols[0])
        table[canon.lower()] = canon
        for alias in cols[1].split("|"):
            if alias.strip():
                table[normalise(alias.strip()).lower()] = canon
    return table


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    from index.gazetteer import places

    return frozenset(n for p in places() for n in (p.name, p.short) if len(n) >= 2)


# The name functions are pure over the shipped alias table and called for every unit of every
# clause a duty question looks at: cached, bounded (names are short; questions are capped).
@lru_cache(maxsize=8192)
def bare(name: str) -> str:
    """The name without its place and level prefix: 汕头市质监局 -> 质监局, 市市场监管局 -> 市场监管局,
    市场监管局 stays (a known name is never cut)."""
    text = normalise(name).strip()
    known = alias_table()
    if text.lower() in known:                       # 公安部门 is no 公安 (a county) + 部门
        return text
    for size in (4, 3, 2):                          # a place name: 汕头市, 汕头, 朔州市
        if len(text) >= size + 2 and text[:size] in _place_names():
            text = text[size:]
            break
    for level in _LEVEL:
        rest = text[len(level):]
        if text.startswith(level) and text.lower() not in known and len(rest) >= 2:
            return rest
    return text


@lru_cache(maxsize=8192)
def canonical(name: str) -> str:
    key = bare(name).lower()
    return alias_table().get(key, key)


@lru_cache(maxsize=65536)
def same_unit(asked: str, listed: str) -> bool:
    """Whether a clause's unit `listed` is the body the user means by `asked`: the same canonical
    name, or one of the asked body's names inside the listed one (人行 in 人行东莞支行)."""
    a, b = canonical(asked), canonical(listed)
    if a == b:
        return True
    if is_collective(listed):                       # 各镇街人民政府 is no one body (民政 is inside it)
        return False
    inside = bare(listed)
    return any(_contains(inside, n) for n in names_of(asked) if len(n) >= 2 and (len(n) >= 3 or n in alias_table()))


def _contains(name: str, part: str) -> bool:
    """A longer name holds the body's name: anywhere for three or more characters (人民银行 in
    中国人民银行东莞中心支行), at its start or end for two (人行东莞支行, 中山港海关)."""
    return part in name if len(part) >= 3 else name.startswith(part) or name.endswith(part)


@lru_cache(maxsize=1)
def known_units() -> frozenset[str]:
    """Canonical names of every body the alias table knows."""
    return frozenset(alias_table().values())


@lru_cache(maxsize=4096)
def names_of(unit: str) -> tuple[str, ...]:
    """Every Chinese name the alias table knows for the unit (its canonical name first)."""
    canon = canonical(unit)
    names = [canon] + [a for a, c in alias_table().items() if c == canon and a != canon]
    return tuple(n for n in names if not n.isascii()) or (bare(unit),)


# ------------------------------------------------------------------------------ reforms
REFORMS = Path(__file__).with_name("data") / "reforms.tsv"


class Share(str, Enum):
    ALL = "all"       # the whole body's duties
    MAIN = "main"     # its main duties (the rest went elsewhere: another line, PART)
    PART = "part"     # a part of them


@dataclass(frozen=True)
class Reform:
    """One transfer of duties in an institutional reform: `old`'s `what` passed to `new`."""

    old: str          # canonical name of the predecessor
    new: str          # canonical name of the successor
    share: Share
    year: int
    what: str         # the duties that moved, as a phrase (质量技术监督)

    @property
    def carries(self) -> bool:
        """Whether a duty of `old` counts as one of `new` (and back): the whole body or its main part."""
        return self.share is not Share.PART


@lru_cache(maxsize=1)
def reforms(path: Path = REFORMS) -> tuple[Reform, ...]:
    """The transfers of reforms.tsv; a line naming a body the alias table does not know, or with a
    bad share or year, fails with file:line."""
    known = known_units()
    out = []
    for number, raw, cols in tsv_lines(path):
        try:
            old, new, share, year, what = cols
            reform = Reform(canonical(old), canonical(new), Share(share), int(year), what)
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'PREDECESSOR<TAB>SUCCESSOR<TAB>all|main|part<TAB>YEAR"
                             f"<TAB>WHAT', got {raw!r}") from None
        unknown = [n for n in (reform.old, reform.new) if n not in known]
        if unknown or reform.old == reform.new:
            raise ValueError(f"{path}:{number}: {'、'.join(unknown) or old} is not a body of unit_aliases.tsv "
                             "(or the line maps a body to itself); add it there first")
        out.append(reform)
    return tuple(out)


@lru_cache(maxsize=4096)
def successors(unit: str) -> tuple[Reform, ...]:
    """The transfers out of the unit's body, then out of the bodies those went to (卫生局 -> 卫计局 -> 卫健局)."""
    return _chain(canonical(unit), forward=True)


@lru_cache(maxsize=4096)
def predecessors(unit: str) -> tuple[Reform, ...]:
    """The transfers into the unit's body, and into the bodies those came from."""
    return _chain(canonical(unit), forward=False)


def _chain(start: str, forward: bool, most: int = 4) -> tuple[Reform, ...]:
    out: list[Reform] = []
    frontier, seen = [start], {start}
    for _ in range(most):
        step = [r for r in reforms() for name in frontier if (r.old if forward else r.new) == name]
        out += [r for r in step if r not in out]
        frontier = [r.new if forward else r.old for r in step if (r.new if forward else r.old) not in seen]
        seen.update(frontier)
        if not frontier:
            break
    return tuple(out)


@lru_cache(maxsize=65536)
def reform_between(asked: str, listed: str) -> Reform | None:
    """The transfer by which a clause's unit `listed` stands for the body asked about: the listed
    body is a predecessor whose duties (all or the main part) passed to the asked one (asked by
    today's name, 市场监管局, the plan names 质监局), or a successor that took them over (asked by
    the old name). None when the two are the same body or unrelated."""
    if same_unit(asked, listed):
        return None
    for r in predecessors(asked):                   # same_unit: a branch (怀仁分局) stands for its body
        if r.carries and same_unit(r.old, listed):
            return r
    for r in successors(asked):
        if r.carries and same_unit(r.new, listed):
            return r
    return None


def unit_matches(asked: str, listed: str) -> bool:
    """The same body, or one whose duties passed to (or came from) it in a reform."""
    return same_unit(asked, listed) or reform_between(asked, listed) is not None


# ------------------------------------------------------------------------------ remits
REMITS = Path(__file__).with_name("data") / "remits.tsv"


@lru_cache(maxsize=1)
def remit_table(path: Path = REMITS) -> dict[str, frozenset[str]]:
    """Canonical body -> the words of its remit (remits.tsv); a bad line fails with file:line."""
    known = known_units()
    table: dict[str, frozenset[str]] = {}
    for number, raw, cols in tsv_lines(path):
        words = frozenset(normalise(w.strip()) for w in cols[-1].split("|") if w.strip()) if len(cols) == 2 else frozenset()
        if not words or canonical(cols[0]) not in known:
            raise ValueError(f"{path}:{number}: expected 'BODY<TAB>word|word' with a body of unit_aliases.tsv, got {raw!r}")
        table[canonical(cols[0])] = words
    return table


def remit(unit: str) -> frozenset[str]:
    """The words of the unit's remit (empty for a body remits.tsv does not describe)."""
    return remit_table().get(canonical(unit), frozenset())


_COLLECTIVE = re.compile(r"^各|成员单位|相关部门|有关部门|有关单位|各部门|各镇街")


def is_collective(name: str) -> bool:
    """A name for a group of bodies (各镇街, 领导小组各成员单位, 各相关部门), not one body."""
    return bool(_COLLECTIVE.search(normalise(name)))
