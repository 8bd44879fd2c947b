"""Matching the name of a government body as a user writes it to the names in the clauses.

`canonical("汕头市质量技术监督局") == canonical("市质监局") == "质监局"`: the level and place
prefix is stripped (市, 省, a city's name), then the alias table (rag/understand/data/unit_aliases.tsv)
maps the remaining name to one canonical short name. Renamed bodies are not merged.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from index.text import normalise

ALIASES = Path(__file__).with_name("data") / "unit_aliases.tsv"
_LEVEL = ("市", "省", "县", "区", "国家")


@lru_cache(maxsize=1)
def alias_table(path: Path = ALIASES) -> dict[str, str]:
    """Every known name (normalised, lower-case) -> its canonical short name."""
    table: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2 or not cols[0].strip():
            raise ValueError(f"{path}:{number}: expected 'CANONICAL<TAB>alias|alias', got {raw!r}")
        canon = normalise(cols[0].strip())
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
    for size in (4, 3, 2):                          # a place name: 汕头市, 汕头, 朔州市
        if len(text) >= size + 2 and text[:size] in _place_names():
            text = text[size:]
            break
    known = alias_table()
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
    inside = bare(listed)
    return any(n in inside for n in names_of(asked) if len(n) >= 2 and (len(n) >= 3 or n in alias_table()))


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
