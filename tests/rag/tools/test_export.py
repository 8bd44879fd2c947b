"""CSV and XLSX downloads (rag/tools/export.py), read back with csv and openpyxl."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from rag.tools.export import Sheet, to_csv, to_xlsx


def sheets() -> list[Sheet]:
    return [Sheet("东莞·方案", ["条款", "单位"], [["二、(一)1.", "市质监局"], ["二、(一)2.", "市商务局"]], bold={(1, 1)},
                  frozen_columns=1, widths={1: 20}),
            Sheet("中山·方案", ["条款", "单位"], [["三、(一)", "市市场监管局"]])]


def test_xlsx_has_a_sheet_each_a_frozen_bold_header_and_the_bold_cells():
    book = load_workbook(io.BytesIO(to_xlsx(sheets())))
    assert book.sheetnames == ["东莞·方案", "中山·方案"]
    first = book["东莞·方案"]
    assert [c.value for c in first[1]] == ["条款", "单位"] and all(c.font.b for c in first[1])
    assert first.freeze_panes == "B2" and book["中山·方案"].freeze_panes == "A2"
    assert first["B3"].value == "市商务局" and first["B3"].font.b and not first["B2"].font.b
    assert first.column_dimensions["B"].width == 20


def test_sheet_names_follow_excel_s_rules():
    long = Sheet("很" * 40 + "[]:*?/\\", ["a"], [["1"]])
    names = load_workbook(io.BytesIO(to_xlsx([long, long]))).sheetnames
    assert names == ["很" * 31, "很" * 28 + "(2)"]
    assert load_workbook(io.BytesIO(to_xlsx([]))).sheetnames == ["空"]


def test_csv_is_utf8_with_a_bom_and_names_the_sheet_when_there_are_several():
    data = to_csv(sheets())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["表", "条款", "单位"] and rows[3] == ["中山·方案", "三、(一)", "市市场监管局"]
    one = list(csv.reader(io.StringIO(to_csv(sheets()[:1]).decode("utf-8-sig"))))
    assert one[0] == ["条款", "单位"] and len(one) == 3


def test_csv_keeps_only_the_sheets_of_the_first_shape_and_quotes_survive():
    quoted = Sheet("a", ["原文"], [["“首席质量官”,含逗号\n和换行"]])
    other = Sheet("b", ["x", "y"], [["1", "2"]])
    rows = list(csv.reader(io.StringIO(to_csv([quoted, other]).decode("utf-8-sig"))))
    assert rows == [["原文"], ["“首席质量官”,含逗号\n和换行"]]
