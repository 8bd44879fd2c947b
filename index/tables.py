"""Task-division tables (重点任务分工表): a header row of known column names, then one task a row.

A plan's attachment often lists its tasks as a table — 序号 · 重点任务 · 牵头单位 · 配合单位 · 完成时限 —
instead of closing each clause with "(责任单位:…)". Each row becomes a clause whose text is the task,
closed by a units parenthesis built from the row's own cells and the header's own labels:

    1 | 建立首席质量官制度 | 市市场监管局 | 市工信局、市人社局 | 2025年底
    -> "建立首席质量官制度(牵头单位:市市场监管局;配合单位:市工信局、市人社局;完成时限:2025年底)"

so index/units.py reads the same lead / co-operating units and deadline from it as from a clause
written that way inline, and the duty lookup and who-leads answers work on it unchanged.

Rows reach here as lines whose cells are separated by tabs (how the Word, HTML and PDF readers
write a table row) or by "|" (a Markdown or pasted table), or — as scraped pages often give a
table — one cell a line after a header of one column name a line (fold_vertical).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.text import normalise
from index.units import split_units

# Column names by role, matched on the whole (normalised, space-free) header cell.
COLUMNS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"^(?:序号|编号|序列|项目编号)$"),
    "lead": re.compile(r"^(?:牵头(?:责任)?(?:单位|部门)|主责(?:单位|部门)|牵头)$"),
    "co": re.compile(r"^(?:配合|协同|协办|参与|协助|参加)(?:单位|部门)$|^配合$"),
    "responsible": re.compile(r"^(?:责任|负责|实施|主体|承办)(?:单位|部门|主体)$|^责任(?:单位|部门)及分工$"),
    "deadline": re.compile(r"^(?:完成|办结)(?:时限|时间|期限)$|^时间(?:节点|进度|安排)$|^(?:时限|进度安排|完成年限)$"),
    "task": re.compile(r"^(?:重点|主要|工作|具体|目标)?(?:任务|工作)(?:内容|措施|事项|名称)?$"
                       r"|^(?:主要|具体|工作)?(?:内容|措施|举措)$|^(?:任务|工作)(?:要求|目标)$|^(?:具体)?工作任务$"),
    "category": re.compile(r"^(?:类别|领域|重点领域|任务类别|工作类别|项目|专项|分类|板块)$"),
}
UNIT_ROLES = ("lead", "co", "responsible")
_BARE_NUMBER = re.compile(r"^\d{1,3}[.．、]?$")
_DEADLINE_SHAPE = re.compile(r"\d{4}\s*年|年底|年末|月底|季度|长期|持续|常态化|前完成")
_RULE = re.compile(r"^[\s|:：\-—–]+$")                # a Markdown table's |---|---| line


@dataclass(frozen=True)
class Columns:
    """What each column of a task table holds: role -> column index, and the header's own labels."""

    roles: dict[str, int]
    labels: tuple[str, ...]

    @property
    def width(self) -> int:
        return len(self.labels)

    def cell(self, cells: list[str], role: str) -> str:
        i = self.roles.get(role)
        return cells[i].strip() if i is not None and i < len(cells) else ""


def role_of(label: str) -> str | None:
    probe = re.sub(r"\s+", "", normalise(label))
    return next((role for role, pattern in COLUMNS.items() if pattern.match(probe)), None)


def split_cells(text: str) -> list[str] | None:
    """The cells of a table row (tab- or |-separated), or None when the line is no row."""
    if "\t" in text:
        return [c.strip() for c in text.split("\t")]
    if text.count("|") >= 2:
        return [c.strip() for c in text.strip().strip("|").split("|")]
    return None


def is_rule(text: str) -> bool:
    return "|" in text and bool(_RULE.match(text)) and "-" in text


def header(cells: list[str]) -> Columns | None:
    """Columns of a task-table header: every named cell a known column, a task column and a
    unit column among them; None for any other row."""
    roles: dict[str, int] = {}
    named = [c for c in cells if c.strip()]
    if len(named) < 2:
        return None
    for i, label in enumerate(cells):
        if not label.strip():
            continue
        role = role_of(label)
        if role is None:
            return None
        if role == "task" and "task" in roles:          # 重点任务 · 具体措施: the first names the group
            roles.setdefault("category", roles["task"])
        roles[role] = i
    if "task" not in roles or not any(r in roles for r in UNIT_ROLES):
        return None
    return Columns(roles, tuple(c.strip() for c in cells))


@dataclass
class Row:
    """One task of a table, its cells aligned to the header's columns."""

    number: str
    task: str
    category: str
    units: dict[str, str] = field(default_factory=dict)      # label as written -> cell text

    def text(self) -> str:
        """The task closed by its units parenthesis, as index/units.py reads it."""
        inner = ";".join(f"{label}:{value}" for label, value in self.units.items() if value)
        return f"{self.task}({inner})" if inner else self.task


def align(cells: list[str], columns: Columns) -> list[str]:
    """Cells fitted to the header: an extra empty cell at either end dropped, missing ones empty."""
    cells = list(cells)
    while len(cells) > columns.width and not cells[0]:
        cells.pop(0)
    while len(cells) > columns.width and not cells[-1]:
        cells.pop()
    return cells + [""] * (columns.width - len(cells))


def row_of(cells: list[str], columns: Columns, carried: dict[str, str]) -> Row | None:
    """The task of a row, or None for a row without a task. An empty category cell takes the
    category of the row above (a group merged down the table); an empty unit cell means no such
    unit (Word and HTML readers repeat a merged cell's text in every row it covers)."""
    cells = align(cells, columns)
    task = columns.cell(cells, "task")
    if not task:
        return None
    units = {}
    for role in (*UNIT_ROLES, "deadline"):
        if role in columns.roles:
            units[columns.labels[columns.roles[role]]] = columns.cell(cells, role)
    category = columns.cell(cells, "category") or carried.get("category", "")
    carried["category"] = category
    return Row(columns.cell(cells, "number"), task, category, units)


def category_row(text: str) -> bool:
    """A line inside a table that names a group of rows (a row merged across the table)."""
    flat = re.sub(r"\s+", "", text)
    return 0 < len(flat) <= 40 and not re.search(r"[。;；]", flat)


# ---------------------------------------------------------------- one cell a line (scraped pages)
def vertical_header(texts: list[str], start: int) -> Columns | None:
    """A header written one column name a line, from `start`: at least three names in a row."""
    labels = []
    for text in texts[start:start + 8]:
        if role_of(text) is None:
            break
        labels.append(text.strip())
    if len(labels) < 3:
        return None
    return header(labels)


def _fit(cells: list[str], columns: Columns) -> list[str]:
    """Cells of a row given one a line, fewer than the columns (empty cells left out by the
    page): the task first, then by shape — a deadline, unit lists, the rest in order."""
    out = [""] * columns.width
    if "number" in columns.roles and cells and _BARE_NUMBER.match(cells[0]):
        out[columns.roles["number"]] = cells.pop(0)
    if len(cells) == columns.width - ("number" in columns.roles):
        free = [i for i in range(columns.width) if i != columns.roles.get("number")]
        for i, c in zip(free, cells):
            out[i] = c
        return out
    rest = list(cells)
    if rest:
        out[columns.roles["task"]] = rest.pop(0)
    unit_cols = [columns.roles[r] for r in UNIT_ROLES if r in columns.roles]
    for c in rest:
        if "deadline" in columns.roles and _DEADLINE_SHAPE.search(c) and not out[columns.roles["deadline"]]:
            out[columns.roles["deadline"]] = c
        elif unit_cols and split_units(c):
            out[unit_cols.pop(0)] = c
    return out


def fold_vertical(texts: list[str]) -> list[str]:
    """Lines with one-cell-a-line tables rewritten as tab-separated rows (other lines unchanged)."""
    out: list[str] = []
    i = 0
    while i < len(texts):
        columns = vertical_header(texts, i)
        if columns is None or "number" not in columns.roles:
            out.append(texts[i])
            i += 1
            continue
        out.append("\t".join(columns.labels))
        i += columns.width
        i = _fold_rows(texts, i, columns, out)
    return out


def _fold_rows(texts: list[str], i: int, columns: Columns, out: list[str]) -> int:
    """Rows after a vertical header: each starts at its bare number (1, 2, …) and runs to the next."""
    expected = 1
    while i < len(texts) and _BARE_NUMBER.match(texts[i].strip()) and int(re.sub(r"\D", "", texts[i])) == expected:
        j = i + 1
        while j < len(texts) and not _is_next(texts[j], expected + 1) and j - i <= columns.width:
            j += 1
        cells = [t.strip() for t in texts[i:j]]
        extra = cells[columns.width:]
        out.append("\t".join(_fit(cells[:columns.width], columns)))
        out.extend(extra)                       # a category line after the row's cells
        expected += 1
        i = j
    return i


def _is_next(text: str, number: int) -> bool:
    return bool(_BARE_NUMBER.match(text.strip())) and int(re.sub(r"\D", "", text)) == number
