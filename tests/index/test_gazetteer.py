"""find_places through the automaton equals the scan of every place it replaced, on random texts."""
from __future__ import annotations

import random

import pytest

from index import gazetteer


def scan_every_place(text: str) -> list[gazetteer.Place]:
    found, taken = [], set()
    for p, names in gazetteer._names_longest_first():
        for name in names:
            at = text.find(name)
            if at >= 0 and not taken.intersection(range(at, at + len(name))):
                taken.update(range(at, at + len(name)))
                found.append((at, p))
                break
    return [p for _, p in sorted(found, key=lambda t: t[0])]


@pytest.mark.parametrize("seed", range(5))
def test_find_places_equals_the_scan(seed):
    names = [n for _, ns in gazetteer._names_longest_first() for n in ns]
    rng = random.Random(seed)
    for _ in range(100):
        text = "".join(rng.choice([*rng.sample(names, 20), "的", "质量", "和", "市", "县"]) for _ in range(rng.randint(0, 8)))
        assert gazetteer.find_places(text) == scan_every_place(text), text


def test_find_places_on_a_question():
    assert [p.short for p in gazetteer.find_places("深圳和广州对质量奖有什么奖励?")] == ["深圳", "广州"]
    assert gazetteer.find_places("首席质量官制度由哪些部门负责?") == []
