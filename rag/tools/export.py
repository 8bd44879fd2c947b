"""CSV and XLSX downloads of the tools' tables, as bytes, for the HTTP API and the UI alike.

    match_sheets(result) / duty_sheets(table) / task_sheets(matrix) -> [Sheet…]
    to_csv(sheets) -> bytes       UTF-8 with a BOM (Excel opens it as UTF-8); several sheets get a
                                  first column naming the sheet
    to_xlsx(sheets) -> bytes      one worksheet per Sheet (openpyxl): a bold, frozen header row,
                                  wrapped text, the cells a sheet marks (lead units) in bold

Quotes are written as the documents give them; nothing is shortened.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.tools.duties import DutyRole, DutyTable, TaskMatrix, deadlines, figures, task_text
from rag.tools.match import MatchResult, Measure

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_LEADING = (DutyRole.LEAD, DutyRole.FIRST)


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list[str]]
    bold: set[tuple[int, int]] = field(default_factory=set)     # (row, column) of body cells, 0-based
    frozen_columns: int = 0                                      # columns kept in view besides the header
    widths: dict[int, int] = field(default_factory=dict)         # column -> width in characters


# ------------------------------------------------------------------------------ writers
def to_csv(sheets: Sequence[Sheet]) -> bytes:
    """The sheets that share the first one's header as one table (with a first column naming the
    sheet when there are several: the document of a duty table); a sheet of another shape (a task
    matrix beside its list) stays in the XLSX only."""
    out = io.StringIO()
    writer = csv.writer(out)
    same = [s for s in sheets if s.header == sheets[0].header] if sheets else []
    several = len(same) > 1
    writer.writerow((["表"] if several else []) + (same[0].header if same else []))
    for sheet in same:
        writer.writerows(([sheet.name] if several else []) + row for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    for sheet in sheets or [Sheet("空", ["说明"], [["没有内容"]])]:
        ws = book.create_sheet(_sheet_name(sheet.name, names))
        ws.append(sheet.header)
        for row in sheet.rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E8EEF7")
        for r, c in sheet.bold:
            ws.cell(row=r + 2, column=c + 1).font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=2, column=sheet.frozen_columns + 1)
        for col, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(col + 1)].width = width
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub("", name).strip()[:31] or "表"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


# ------------------------------------------------------------------------------ the tools' tables
MATCH_HEADER = ["类别", "城市", "文件", "条款", "标题", "原文摘录", "责任单位", "条件(原文)", "匹配理由或所缺条件"]


def _match_row(m: Measure, reasons: list[str]) -> list[str]:
    return [m.kind, m.doc.place, m.doc.title, m.clause.clause_id, m.clause.heading, "\n".join(m.quotes),
            m.units, "\n".join(m.conditions), ";".join(reasons)]


def match_sheets(result: MatchResult) -> list[Sheet]:
    widths = {0: 14, 2: 24, 4: 18, 5: 60, 6: 30, 7: 30, 8: 30}
    listed = [_match_row(m, m.why) for _, group in result.groups() for m in group]
    apart = [_match_row(m, m.lacks) for m in result.apart]
    return [Sheet("适用措施", MATCH_HEADER, listed, widths=widths),
            Sheet("需补充条件", MATCH_HEADER, apart, widths=widths)]


DUTY_HEADER = ["条款", "标题", "本单位角色", "文中名称", "牵头或排首位单位", "配合单位", "责任单位", "任务(原文)", "时限", "指标", "备注"]


def duty_sheets(table: DutyTable) -> list[Sheet]:
    """One sheet per document; the leading unit of each clause in bold, and the role cell too when
    the unit asked for leads."""
    sheets = []
    for doc, rows in table.by_document() or []:
        body, bold = [], set()
        for i, row in enumerate(rows):
            u = row.clause.units
            leading = u.lead or u.responsible[:1]
            body.append([row.clause.clause_id, row.clause.heading, row.role.value, row.named_as, "、".join(leading),
                         "、".join(u.co), "、".join(u.responsible), row.task, "、".join(deadlines(row.task)),
                         "、".join(figures(row.task)), row.reform])
            bold.add((i, 4))
            if row.role in _LEADING:
                bold.add((i, 2))
        sheets.append(Sheet(f"{doc.place}·{doc.title}", DUTY_HEADER, body, bold=bold, frozen_columns=2,
                            widths={1: 18, 4: 18, 5: 24, 6: 24, 7: 70, 8: 14, 9: 16, 10: 24}))
    return sheets or [Sheet(f"{table.unit}", DUTY_HEADER, [], frozen_columns=2)]


TASK_HEADER = ["条款", "标题", "牵头或排首位单位", "配合单位", "责任单位", "任务(原文)", "时限", "指标"]


def task_sheets(matrix: TaskMatrix) -> list[Sheet]:
    """The document's 分工表 (a row per clause, the leading units in bold) and its matrix
    (clauses × units, 牵头 / 首位 in bold)."""
    listing, bold = [], set()
    for i, (clause, _) in enumerate(matrix.rows):
        u, task = clause.units, task_text(clause)
        listing.append([clause.clause_id, clause.heading, "、".join(u.lead or u.responsible[:1]), "、".join(u.co),
                        "、".join(u.responsible), task, "、".join(deadlines(task)), "、".join(figures(task))])
        bold.add((i, 2))
    names = [c.name for c in matrix.columns]
    grid, marked = [], set()
    for i, (clause, roles) in enumerate(matrix.rows):
        grid.append([clause.clause_id, clause.heading] + [roles[j].value if j in roles else "" for j in range(len(names))])
        marked |= {(i, j + 2) for j, r in roles.items() if r in _LEADING}
    return [Sheet("分工表", TASK_HEADER, listing, bold=bold, frozen_columns=2,
                  widths={1: 18, 2: 18, 3: 24, 4: 24, 5: 70, 6: 14, 7: 16}),
            Sheet("矩阵", ["条款", "标题", *names], grid, bold=marked, frozen_columns=2, widths={1: 18})]
