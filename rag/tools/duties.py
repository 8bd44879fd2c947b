"""Duty tables (职责清单 / 任务分工表) for officials.

    duties(snapshot, unit, place=None) -> DutyTable     every clause a unit leads or takes part in
    tasks(snapshot, doc_id) -> TaskMatrix               a document's task-division matrix (clauses × units)

A unit is asked by any of its names (full, short, nickname) or by a predecessor's or successor's
name through an institutional reform (rag.understand.units.unit_matches; the documents keep the
names of their year, and the table says which name each clause uses). Its role in a clause is read
from the clause's units parenthesis: 牵头, 配合 (会 / 会同), the first-named of a 责任单位 list, or one
of the other responsible units. Every row quotes the clause's task text verbatim and the deadlines
and figures the clause states (lost digits stay "?", never guessed).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from index.catalog import IndexSnapshot
from index.models import Clause, Document
from index.text import normalise
from index.units import units_span
from rag.compose.extractive import reform_notes
from rag.retrieve.strategy import UnitClauses
from rag.types import Hit, Role
from rag.understand.units import canonical, is_collective, reform_between, unit_matches

MAX_ROWS = 2000          # rows a table lists (a corpus of thousands of plans); the rest are counted


class DutyRole(str, Enum):
    LEAD = "牵头"
    CO = "配合"
    FIRST = "责任单位(首位)"
    RESPONSIBLE = "责任单位"


_DEADLINE = re.compile(r"(?:力争|争取)?(?:到|至|于|在)?\s{0,3}(?<![\d?])[\d?]{4}\s{0,3}年(?:底|前|内|上半年|下半年)?(?:前)?"
                       r"|每年|年内|年底前")
_FIGURE = re.compile(r"(?<![\d?.])[\d?]{1,12}(?:\.\d{1,6})?\s{0,3}(?:%|％|个百分点|个|家|项|人次|件|亿元|万元|元|倍|名|座|所|人|次|台|套)"
                     r"(?:以上|以下|左右)?|翻一番|全覆盖")


def task_text(clause: Clause) -> str:
    """The clause's text without its units parenthesis, verbatim."""
    span = units_span(clause.text)
    return (clause.text[:span[0] - 1] if span else clause.text).strip()


def _found(pattern: re.Pattern[str], text: str, skip: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Matches on the normalised text (so traditional 個 reads as 个), cut from `text` verbatim."""
    norm = normalise(text)
    source = text if len(norm) == len(text) else norm
    out = [source[m.start():m.end()].strip() for m in pattern.finditer(norm)
           if not any(a <= m.start() < b for a, b in skip)]
    return list(dict.fromkeys(out))


def deadlines(text: str) -> list[str]:
    """The dates and periods a clause states (到2015年, 每年), as written."""
    return _found(_DEADLINE, text)


def figures(text: str) -> list[str]:
    """The figures a clause states (100项以上, 94%), as written; years are deadlines, not figures."""
    return _found(_FIGURE, text, [m.span() for m in _DEADLINE.finditer(normalise(text))])


def names_unit(unit: str, listed: str) -> bool:
    """Whether a listed name is the unit (any name form, or through a reform). A group of bodies
    (各镇街人民政府, 各相关部门) names no one body: its clauses are counted apart, never matched
    (民政 is no part of 人民政府)."""
    return not is_collective(listed) and unit_matches(unit, listed)


def role_in(clause: Clause, unit: str) -> tuple[DutyRole, str] | None:
    """The unit's strongest role in the clause and the name the clause gives it."""
    u = clause.units
    for names, role in ((u.lead, DutyRole.LEAD), (u.co, DutyRole.CO)):
        hit = next((n for n in names if names_unit(unit, n)), None)
        if hit is not None:
            return role, hit
    for i, name in enumerate(u.responsible):
        if names_unit(unit, name):
            return (DutyRole.FIRST if i == 0 and not u.lead else DutyRole.RESPONSIBLE), name
    return None


@dataclass
class DutyRow:
    doc: Document
    clause: Clause
    role: DutyRole
    named_as: str                                # the unit as this clause writes it
    reform: str = ""                             # how that name stands for the unit asked, via a reform

    @property
    def task(self) -> str:
        return task_text(self.clause)

    def to_contract(self) -> dict[str, Any]:
        u = self.clause.units
        return {"doc_id": self.doc.doc_id, "title": self.doc.title, "city": self.doc.place, "date": self.doc.date,
                "clause": self.clause.clause_id, "heading": self.clause.heading, "role": self.role.value,
                "named_as": self.named_as, "reform": self.reform, "task": self.task, "deadlines": deadlines(self.task),
                "figures": figures(self.task), "lead": u.lead, "co": u.co, "responsible": u.responsible,
                "units_as_written": u.raw}


@dataclass
class DutyTable:
    unit: str
    place: str | None
    rows: list[DutyRow]
    notes: list[str] = field(default_factory=list)
    truncated: int = 0

    def by_document(self) -> list[tuple[Document, list[DutyRow]]]:
        groups: dict[str, list[DutyRow]] = {}
        for row in self.rows:
            groups.setdefault(row.doc.doc_id, []).append(row)
        return [(rows[0].doc, rows) for rows in groups.values()]

    def to_contract(self) -> dict[str, Any]:
        counts = {r.value: sum(row.role is r for row in self.rows) for r in DutyRole}
        return {"unit": self.unit, "place": self.place, "rows": [r.to_contract() for r in self.rows],
                "documents": [{"doc_id": d.doc_id, "title": d.title, "city": d.place, "rows": len(rows)}
                              for d, rows in self.by_document()],
                "counts": counts, "notes": self.notes, "not_listed": self.truncated}


class DutyIndex:
    """Per snapshot: the distinct unit names as listed (rag.retrieve.strategy.UnitClauses), so a
    lookup matches the asked unit against a few hundred names, not every unit of every clause."""

    def __init__(self, snap: IndexSnapshot, units: UnitClauses | None = None) -> None:
        self.snap = snap
        self.units = units or UnitClauses(snap)

    def names(self, place: str | None = None) -> list[str]:
        """Every unit name the clauses list (at `place`), each once, in the order first listed."""
        docs = set(self.snap.place_docs.get(place, ())) if place else None
        return [n for n, hits in self.units.part.items() if docs is None or any(c.doc_id in docs for c, _ in hits)]


def split_place(unit: str, places: list[str]) -> tuple[str, str | None]:
    """A unit typed with its city -> (the rest, the city): 东莞市场监管局 -> (市场监管局, 东莞),
    东莞市市场监管局 -> (市市场监管局, 东莞); the level prefix is the unit names' business."""
    text = unit.strip()
    for place in sorted(places, key=len, reverse=True):
        if text.startswith(place) and len(text) > len(place) + 1:
            return text[len(place):], place
    return text, None


def duties(snapshot: IndexSnapshot, unit: str, place: str | None = None, index: DutyIndex | None = None,
           limit: int = MAX_ROWS) -> DutyTable:
    """Every clause (at `place`, or anywhere) whose unit lists name the unit, by any name or through
    a reform, in document and clause order, with the unit's role in each. The work is one pass over
    the distinct unit names and then over the clauses found (bounded by `limit` rows listed)."""
    index = index or DutyIndex(snapshot)
    asked, typed_place = split_place(unit, [p for p in snapshot.places])
    place = place or typed_place
    docs = snapshot.allowed_docs([place] if place else [])
    rank = {d: i for i, d in enumerate(docs)}
    found = {(c.doc_id, c.clause_id): (rank[c.doc_id], n, c) for c, n in index.units.clauses(asked, Role.ANY)
             if c.doc_id in rank}
    rows = []
    for _, _, clause in sorted(found.values(), key=lambda t: (t[0], t[1])):
        role = role_in(clause, asked)
        if role is not None:
            rows.append(DutyRow(doc=snapshot.documents[clause.doc_id], clause=clause, role=role[0], named_as=role[1],
                                reform=reform_of(asked, role[1])))
    table = DutyTable(unit=asked, place=place, rows=rows[:max(0, limit)], truncated=max(0, len(rows) - max(0, limit)))
    table.notes = _notes(table, asked, snapshot, place, index)
    return table


def _notes(table: DutyTable, unit: str, snapshot: IndexSnapshot, place: str | None, index: DutyIndex) -> list[str]:
    notes = []
    for doc, rows in table.by_document():
        notes += [f"{doc.place}《{doc.title}》:{n.strip()}"
                  for n in reform_notes(unit, [Hit(clause=r.clause, doc=doc, score=1.0) for r in rows])]
    if place and place not in snapshot.place_docs:
        notes.append(f"索引中没有{place}的政策文件。")
    elif not table.rows:
        near = [n for n in index.names(place) if not is_collective(n)][:30]
        notes.append(f"没有找到列明“{unit}”的条款。" + (f"文件中列出的单位有:{'、'.join(near)}。" if near else ""))
    collective = _collective(snapshot, place, index)
    if collective:
        notes.append(f"另有 {collective} 条条款由集体单位(如“各相关部门”“领导小组各成员单位”)负责,未逐一列入。")
    return notes


def _collective(snapshot: IndexSnapshot, place: str | None, index: DutyIndex) -> int:
    docs = set(snapshot.allowed_docs([place] if place else []))
    return len({(c.doc_id, c.clause_id) for n, hits in index.units.part.items() if is_collective(n)
                for c, _ in hits if c.doc_id in docs})


# ------------------------------------------------------------------------------ a document's matrix
@dataclass
class Column:
    name: str                                   # the unit as the document first writes it
    forms: list[str]                            # every form the document uses for this body


@dataclass
class TaskMatrix:
    doc: Document
    columns: list[Column]
    rows: list[tuple[Clause, dict[int, DutyRole]]]   # clause -> column number -> role

    def to_contract(self) -> dict[str, Any]:
        return {"doc_id": self.doc.doc_id, "title": self.doc.title, "city": self.doc.place, "date": self.doc.date,
                "units": [{"name": c.name, "forms": c.forms} for c in self.columns],
                "rows": [{"clause": c.clause_id, "heading": c.heading, "task": task_text(c),
                          "deadlines": deadlines(task_text(c)), "figures": figures(task_text(c)),
                          "lead": c.units.lead, "co": c.units.co, "responsible": c.units.responsible,
                          "roles": {self.columns[i].name: r.value for i, r in roles.items()}}
                         for c, roles in self.rows]}


def tasks(snapshot: IndexSnapshot, doc_id: str) -> TaskMatrix | None:
    """The document's clauses that name units, × the units (one column per body, in the order
    first named), each cell the body's role; None for a document the index lacks."""
    doc = snapshot.documents.get(doc_id)
    if doc is None:
        return None
    columns: list[Column] = []
    rows = []
    for clause in doc.clauses:
        if clause.units.is_empty():
            continue
        roles: dict[int, DutyRole] = {}
        for name, role in listed_roles(clause):
            col = _column(columns, name)
            if col not in roles or _strength(role) < _strength(roles[col]):
                roles[col] = role
        rows.append((clause, roles))
    return TaskMatrix(doc=doc, columns=columns, rows=rows)


def listed_roles(clause: Clause) -> list[tuple[str, DutyRole]]:
    """Each name of the clause's units parenthesis, as written, with the role the parenthesis gives it."""
    u = clause.units
    out = [(n, DutyRole.LEAD) for n in u.lead] + [(n, DutyRole.CO) for n in u.co]
    return out + [(n, DutyRole.FIRST if i == 0 and not u.lead else DutyRole.RESPONSIBLE) for i, n in enumerate(u.responsible)]


def _column(columns: list[Column], name: str) -> int:
    """The column of the body `name` names (same body: the same canonical name), made when new."""
    for i, col in enumerate(columns):
        if canonical(col.name) == canonical(name):
            if name not in col.forms:
                col.forms.append(name)
            return i
    columns.append(Column(name=name, forms=[name]))
    return len(columns) - 1


def _strength(role: DutyRole) -> int:
    return list(DutyRole).index(role)


def reform_of(unit: str, listed: str) -> str:
    """A short note when a listed name stands for the unit through a reform."""
    r = reform_between(unit, listed)
    return f"{r.what}职责{r.year}年划入{r.new}" if r else ""
