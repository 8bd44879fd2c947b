"""Warnings about the source of cited clauses (rag.types.damage_warnings, ocr_warnings), and the
duty answer on clauses that came from a task-division table: the extractive answerer over a small
in-memory index, as in test_composition_rules.py."""
from __future__ import annotations

import pytest

from index.clean import CleanLine
from index.models import Clause, Document
from index.structure import StructureParser
from index.text import normalise
from index.units import parse_units
from rag.compose.extractive import ExtractiveAnswerer
from rag.types import Citation, Filters, Hit, Kind, Query, Role, WarningKind, damage_warnings, ocr_warnings
from tests.fakes.corpus import make_doc, snapshot_of

SCAN = make_doc("010_scan", city="佛山", title="佛山市质量强市建设实施方案", date="2023")
TEXT = "(一)推行首席质量官制度。引导规模以上企业设立首席质量官。(市市场监管局牵头)"
SCANNED = Clause(doc_id=SCAN.doc_id, clause_id="二、(一)", heading_path=["二、主要任务"], heading="推行首席质量官制度",
                 text=TEXT, norm=normalise(TEXT), units=parse_units(TEXT), order=0, ocr=True)
SCAN.clauses.append(SCANNED)

TABLE = make_doc("011_table", city="珠海", title="珠海市质量提升行动方案", date="2023")
ROWS = ["序号\t重点任务\t牵头单位\t配合单位\t完成时限",
        "1\t建立首席质量官制度\t市市场监管局\t市工业和信息化局、市人力资源社会保障局\t2024年底前",
        "2\t开展质量品牌提升行动\t市工业和信息化局\t市市场监管局\t2025年底前"]
TABLE.clauses.extend(StructureParser(TABLE.doc_id).parse([CleanLine("附件"), CleanLine("重点任务分工表"),
                                                           *[CleanLine(r) for r in ROWS]]))
DOCS = [SCAN, TABLE]


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(snapshot=snapshot_of(DOCS, "rules"))


def query(kind: Kind, text: str, city: str, **extra) -> Query:
    norm = normalise(text)
    return Query(raw=text, text=norm, search=norm, kind=kind, ask=norm, focus=norm, filters=Filters(cities=[city]),
                 places=[city], **extra)


def test_an_answer_citing_an_ocr_clause_carries_the_ocr_warning(answerer):
    a = answerer.answer(query(Kind.LOOKUP, "首席质量官制度有什么要求", "佛山"), [Hit(SCANNED, SCAN, 1.0)])
    assert a.citations and [w.kind for w in a.warnings] == [WarningKind.OCR_SOURCE]
    assert "佛山《佛山市质量强市建设实施方案》二、(一)" in a.warnings[0].detail and "OCR" in a.warnings[0].detail
    assert a.to_contract()["warnings"][0]["kind"] == "ocr_source"


def test_ocr_warnings_name_each_document_once_and_text_clauses_none():
    other = Clause(doc_id=SCAN.doc_id, clause_id="二、(二)", heading_path=[], heading="", text="(二)其他。",
                   norm="(二)其他。", ocr=True)
    cites = [Citation(1, SCANNED, SCAN, TEXT[:10]), Citation(2, other, SCAN, "(二)其他。"), Citation(3, SCANNED, SCAN, TEXT[:5])]
    [warning] = ocr_warnings(cites)
    assert warning.detail.count("二、(一)") == 1 and "二、(二)" in warning.detail
    plain = TABLE.clauses[0]
    assert damage_warnings([Citation(1, plain, TABLE, plain.text[:4])]) == []


def test_task_table_rows_are_clauses_with_units_and_deadlines():
    ids = [c.clause_id for c in TABLE.clauses]
    assert ids == ["附件第1项", "附件第2项"]
    first = TABLE.clauses[0]
    assert first.units.lead == ["市市场监管局"] and first.units.co == ["市工业和信息化局", "市人力资源社会保障局"]
    assert first.units.deadline == "2024年底前" and first.heading_path == ["重点任务分工表"]
    assert first.text.startswith("建立首席质量官制度(牵头单位:市市场监管局;配合单位:")


def test_duty_and_who_leads_answers_work_on_table_rows(answerer):
    duty = answerer.answer(query(Kind.DUTY, "市工业和信息化局牵头哪些任务", "珠海", unit="市工业和信息化局", role=Role.LEAD),
                           [Hit(c, TABLE, 1.0) for c in TABLE.clauses])
    assert "附件第2项" in duty.answer and "(牵头)" in duty.answer
    who = answerer.answer(query(Kind.WHO_LEADS, "首席质量官制度谁牵头", "珠海"), [Hit(TABLE.clauses[0], TABLE, 1.0)])
    assert "牵头单位:市市场监管局" in who.answer and "会同:市工业和信息化局" in who.answer
    assert any(c.quote.startswith("(牵头单位:市市场监管局;") for c in who.citations), [c.quote for c in who.citations]


def test_make_doc_documents_are_plain_documents():
    assert isinstance(SCAN, Document) and not SCAN.ocr
