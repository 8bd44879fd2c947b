"""The tools on the seed index: the issue's furniture maker, verbatim quotes, the dev profiles'
figures, the exports of real tables, the service's entry points."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from eval.match import load_match_gold, run_match
from rag.limits import RequestRejected
from rag.service import AssistantService, NotFound
from rag.tools.duties import duties, tasks
from rag.tools.export import duty_sheets, match_sheets, task_sheets, to_xlsx
from rag.tools.match import match
from rag.tools.profile import parse_profile

pytestmark = pytest.mark.model
FURNITURE = "我们是东莞的一家家具厂,80人,出口为主,想做品牌、参与标准制定"


def test_the_furniture_maker_gets_its_inspection_centre_standards_money_and_finance(snapshot):
    result = match(snapshot, parse_profile(FURNITURE, snapshot.places))
    got = {(m.doc.place, m.clause.clause_id) for m in result.measures}
    assert {("东莞", "二、(五)17."), ("东莞", "二、(二)6."), ("东莞", "二、(二)8."), ("东莞", "三、(二)"),
            ("东莞", "二、(四)12."), ("全国", "十、(二十六)")} <= got
    centre = next(m for m in result.measures if m.clause.clause_id == "二、(五)17.")
    assert any("生态家居" in q for q in centre.quotes) and "行业:家具" in centre.why
    assert [k for k, _ in result.groups()][:2] == ["品牌", "标准"]


def test_every_quote_of_every_dev_profile_is_verbatim_and_every_measure_is_in_its_place(snapshot):
    for gold in load_match_gold("eval/match_dev.jsonl"):
        profile = parse_profile(gold.profile, snapshot.places)
        result = match(snapshot, profile)
        for m in [*result.measures, *result.apart]:
            assert m.quotes and all(q in m.clause.text for q in m.quotes), (gold.id, m.clause.clause_id)
            assert m.doc.place in (profile.city, "全国")
            assert all(c in m.clause.text or c == m.clause.heading for c in m.conditions)


def test_the_dev_profiles_meet_the_targets(snapshot):
    for path in ("eval/match_dev.jsonl", "eval/match_probe.jsonl"):
        recall, precision = run_match(load_match_gold(path), snapshot).micro()
        assert recall >= 0.9 and precision >= 0.8, (path, recall, precision)


def test_real_tables_export_with_a_sheet_per_document_and_leading_units_bold(snapshot):
    table = duties(snapshot, "市场监管局")
    book = load_workbook(io.BytesIO(to_xlsx(duty_sheets(table))))
    assert len(book.sheetnames) == len(table.by_document()) == 4
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "C2" and sheet["E1"].value == "牵头或排首位单位"
        assert all(sheet.cell(row=r, column=5).font.b for r in range(2, sheet.max_row + 1))
    matrix = load_workbook(io.BytesIO(to_xlsx(task_sheets(tasks(snapshot, "001_60802fcc10cd7ba8")))))["矩阵"]
    lead = [c for row in matrix.iter_rows(min_row=2) for c in row if c.value == "牵头"]
    assert lead and all(c.font.b for c in lead)
    result = match(snapshot, parse_profile(FURNITURE, snapshot.places))
    listed = load_workbook(io.BytesIO(to_xlsx(match_sheets(result))))["适用措施"]
    assert listed.max_row == len(result.measures) + 1 and listed["F2"].value.split("\n")[0] in result.measures[0].clause.text


def test_the_service_checks_budgets_and_names_a_missing_document(assistant):
    service = AssistantService(assistant)
    assert service.match(text=FURNITURE).measures
    with pytest.raises(RequestRejected, match="text has 2001 characters"):
        service.match(text="质" * 2001)
    with pytest.raises(RequestRejected, match="has has 21 entries"):
        service.match(text=FURNITURE, has=["出口"] * 21)
    with pytest.raises(RequestRejected, match="unit is empty"):
        service.duties("  ")
    with pytest.raises(NotFound):
        service.tasks("no-such-document")
    assert service.toolbox() is service.toolbox()                    # one per snapshot
