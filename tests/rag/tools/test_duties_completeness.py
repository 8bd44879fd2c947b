"""The duty table checked by construction over the whole seed index: for every unit name and place
the clauses list, asked by each name of its body — full, short, nickname, or a predecessor's or
successor's name — the table lists exactly the clauses at that place whose unit lists name that
body or one whose duties passed to (or came from) it, each with the role its parenthesis gives it.
The table's equivalent of tests/rag/test_unit_names.py; the expectation is a scan of every clause
with the name primitive (`same_unit`: the same canonical body, or a name of it inside the listed
one, 人行 in 人行汕头支行) and reforms.tsv read here, not the table's own lookup."""
from __future__ import annotations

import pytest

from rag.tools.duties import DutyIndex, DutyRole, duties, tasks
from rag.understand.units import alias_table, canonical, is_collective, known_units, predecessors, same_unit, successors
from tests.fakes.corpus import units_listed

pytestmark = pytest.mark.model        # the session's index, built with the offline default embedder


def body_of(name: str) -> str:
    canon = canonical(name)
    return canon if canon in known_units() else next(b for b in sorted(known_units()) if same_unit(b, name))


def related(body: str) -> set[str]:
    """The body and those whose duties (all or the main part) passed to or from it."""
    return ({body} | {r.old for r in predecessors(body) if r.carries} | {r.new for r in successors(body) if r.carries})


def forms(body: str) -> list[str]:
    """Every Chinese name the alias table gives the body and the bodies related to it by a reform."""
    return sorted({n for n, c in alias_table().items() if c in related(body) and not n.isascii()})


def expected(snapshot, place: str | None, asked: str) -> set[tuple[str, str]]:
    """Clauses (at `place`) whose unit lists name the body asked or one related to it by a reform."""
    wanted = {asked} | related(canonical(asked))
    return {(d.doc_id, c.clause_id) for d in snapshot.documents.values() if place in (None, d.place)
            for c in d.clauses if any(not is_collective(n) and any(same_unit(b, n) for b in wanted) for n in c.units.all())}


def keys(table) -> set[tuple[str, str]]:
    return {(r.doc.doc_id, r.clause.clause_id) for r in table.rows}


@pytest.fixture(scope="module")
def index(snapshot):
    return DutyIndex(snapshot)


def test_every_unit_and_place_lists_exactly_its_clauses_by_every_name(snapshot, index):
    wrong = []
    listed = units_listed(snapshot)
    pairs = [(place, name) for place, name in sorted(listed) if not is_collective(name)]
    assert len(pairs) > 100                                   # the seed index's 111 unit names, each checked
    for place, name in pairs:
        body = body_of(name)
        for form in forms(body):
            got = keys(duties(snapshot, form, place, index))
            want = expected(snapshot, place, form)
            if got != want or not listed[(place, name)] <= got:
                wrong.append(f"{place} {name} asked as {form}: missing {sorted(want - got)[:3]}, extra {sorted(got - want)[:3]}")
    assert wrong == [], "\n".join(wrong[:20])


def test_without_a_place_every_place_is_listed(snapshot, index):
    for body in sorted({body_of(n) for _, n in units_listed(snapshot) if not is_collective(n)}):
        assert keys(duties(snapshot, body, None, index)) == expected(snapshot, None, body), body


def test_a_unit_typed_with_its_city_is_that_city_s(snapshot, index):
    for place in (p for p in snapshot.places if p != "全国"):
        table = duties(snapshot, f"{place}市市场监管局", None, index)
        assert table.place == place and keys(table) == expected(snapshot, place, "市场监管局")


def test_each_row_s_role_is_the_one_its_parenthesis_gives(snapshot, index):
    for body in sorted({body_of(n) for _, n in units_listed(snapshot) if not is_collective(n)}):
        for row in duties(snapshot, body, None, index).rows:
            u = row.clause.units
            where = {DutyRole.LEAD: u.lead, DutyRole.CO: u.co, DutyRole.FIRST: u.responsible[:1],
                     DutyRole.RESPONSIBLE: u.responsible}[row.role]
            assert row.named_as in where, (body, row.clause.clause_id, row.role)
            assert row.role is not DutyRole.FIRST or not u.lead
            assert row.task and row.task in row.clause.text          # the task text is verbatim


def test_every_document_s_matrix_has_every_clause_and_unit(snapshot):
    for doc in snapshot.documents.values():
        matrix = tasks(snapshot, doc.doc_id)
        with_units = [c.clause_id for c in doc.clauses if not c.units.is_empty()]
        assert [c.clause_id for c, _ in matrix.rows] == with_units
        for clause, roles in matrix.rows:
            named = {f for i in roles for f in matrix.columns[i].forms}
            assert set(clause.units.all()) <= named, clause.clause_id
            for name in clause.units.lead:
                col = next(i for i, c in enumerate(matrix.columns) if name in c.forms)
                assert roles[col] is DutyRole.LEAD
        assert all(len({canonical(f) for f in c.forms}) == 1 for c in matrix.columns)   # one body a column
