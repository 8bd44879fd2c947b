"""Every unit name of the seed index, checked by construction: the alias table knows its body (or
it names a group of bodies), and a duty question asking for it by any of its names — full, short,
nickname, or a predecessor's or successor's name — finds the clauses that list it."""
from __future__ import annotations

import pytest

from rag.retrieve.strategy import UnitClauses, duty_hits
from rag.understand.query import understand
from rag.understand.units import alias_table, canonical, is_collective, known_units, predecessors, same_unit, successors
from tests.fakes.corpus import units_listed

pytestmark = pytest.mark.model        # the session's index, built with the offline default embedder


def test_every_unit_name_is_a_known_body_or_a_group(snapshot):
    unknown = sorted({name for _, name in units_listed(snapshot)
                      if canonical(name) not in known_units() and not is_collective(name)
                      and not any(same_unit(body, name) for body in known_units())})
    assert unknown == [], f"unit names no alias reaches: {unknown}"


def forms(body: str) -> list[str]:
    """Every Chinese name of the body in the alias table, and of its predecessors and successors."""
    related = {body} | {r.old for r in predecessors(body) if r.carries} | {r.new for r in successors(body) if r.carries}
    return sorted({n for n, c in alias_table().items() if c in related and not n.isascii()})


def test_every_unit_name_is_reached_by_each_of_its_names(snapshot):
    units = UnitClauses(snapshot)
    missed = []
    for (place, name), clauses in sorted(units_listed(snapshot).items()):
        if is_collective(name):
            continue
        body = canonical(name) if canonical(name) in known_units() else next(b for b in known_units() if same_unit(b, name))
        for form in forms(body):
            query = understand(f"{place}{form}负责哪些工作?", None, snapshot)
            found = {h.key for h in duty_hits(snapshot, query, units)}
            if not clauses <= found:
                missed.append(f"{place} {name} asked as {form} (unit read: {query.unit}, kind {query.kind.value})")
    assert missed == [], "\n".join(missed)
