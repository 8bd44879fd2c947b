"""The reading rules of each format, on small inputs made here: dates (index/dates.py), page layout
(index/layout.py), Word numbering and tables (index/word.py), the loaders' refusals (a file that
cannot be read is skipped with its reason, never indexed empty), and the outside programs'
deadlines (Tesseract, LibreOffice)."""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from eval import documents as writer
from index import loaders, ocr, office, pdf
from index.build import build_index
from index.dates import is_date_line, parse_date
from index.document import parse_document
from index.errors import IngestError
from index.layout import Line, Page, assemble, is_page_number
from index.loaders import extract, load, load_bytes, sniff
from index.text import chinese_number
from index.word import format_number, read_docx
from rag.settings import Settings
from tests.conftest import ROOT
from tests.fakes.embedder import HashEmbedder

HR = ROOT / "corpus" / "003_7d53d9be34cd3e37.txt"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# ------------------------------------------------------------------------------------ dates
@pytest.mark.parametrize("text,iso", [
    ("2023年6月22日", "2023-06-22"), ("2023 年 06 月 22 日", "2023-06-22"), ("2023-06-22", "2023-06-22"),
    ("2023-6-2", "2023-06-02"), ("2023/06/22", "2023-06-22"), ("2023.6.22", "2023-06-22"),
    ("二〇二三年六月二十二日", "2023-06-22"), ("二○二三年十月一日", "2023-10-01"), ("二〇二三年十二月三十一日", "2023-12-31"),
    ("二零一八年七月三十一日", "2018-07-31"), ("2023年6月", "2023-06"), ("发布时间:2018-12-22 21:39:40", "2018-12-22"),
    ("到2025年", None), ("2021-2025年", None), ("2023年2月30日", None), ("二〇二三年十三月一日", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text,only_a_date", [
    ("2023年6月22日", True), ("(2023年6月22日)", True), ("二〇二三年六月二十二日", True), ("2023-06-22", True),
    ("2023年6月22日印发", True), ("到2023年6月22日完成", False), ("2023年6月", False),
])
def test_is_date_line(text, only_a_date):
    assert is_date_line(text) is only_a_date


@pytest.mark.parametrize("n,text", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (32, "三十二"), (105, "一百零五"),
                                    (110, "一百一十")])
def test_chinese_number(n, text):
    assert chinese_number(n) == text


@pytest.mark.parametrize("n,fmt,text", [
    (3, "chineseCounting", "三"), (13, "chineseCountingThousand", "十三"), (3, "decimal", "3"),
    (3, "decimalEnclosedCircle", "③"), (3, "decimalEnclosedParen", "(3)"), (3, "ideographTraditional", "丙"),
    (3, "chineseLegalSimplified", "叁"), (12, "decimalFullWidth", "１２"), (4, "lowerLetter", "d"), (4, "upperRoman", "IV"),
    (2, "decimalZero", "02"), (2, "bullet", ""), (5, "someNewFormat", "5"),
])
def test_format_number(n, fmt, text):
    assert format_number(n, fmt) == text


# ----------------------------------------------------------------------------------- layout
@pytest.mark.parametrize("text,number", [
    ("— 3 —", True), ("- 12 -", True), ("3", True), ("第3页", True), ("第 3 页 共 12 页", True), ("3/12", True),
    ("一3一", True), ("Page 3 of 12", True), ("2025", True), ("三、任务", False), ("到2025年", False),
])
def test_is_page_number(text, number):
    assert is_page_number(text) is number


def _page(lines: list[tuple[str, float, float]], ocr_page: bool = False) -> Page:
    """Lines as (text, left, right), 20 points apart, 16-point characters; a header (公报) set apart
    40 points above the body, a footer (starting with —) 40 points below it."""
    out, top = [], 100.0
    for t, x0, x1 in lines:
        gap = 40.0 if (out and (t.startswith("—") or out[-1].text.endswith("公报"))) else 20.0
        top = top + gap if out else top
        out.append(Line(t, x0, x1, top, 16))
    return Page(tuple(out), 595, ocr_page)


def test_paragraphs_join_across_lines_and_pages_and_furniture_goes():
    header = ("政府公报", 80, 144)
    p1 = _page([header, ("为全面提升质量,制定本", 112, 512), ("方案。", 80, 128),
                ("一、总体要求", 112, 208), ("到2025年,质量水平显著", 112, 512), ("— 1 —", 270, 320)])
    p2 = _page([header, ("提升,品牌影响力增强。", 80, 256), ("二、任务", 112, 176), ("— 2 —", 270, 320)])
    done = assemble([p1, p2])
    assert done.text.splitlines() == ["为全面提升质量,制定本方案。", "一、总体要求", "到2025年,质量水平显著提升,品牌影响力增强。", "二、任务"]
    assert done.furniture == 4 and not done.ocr_lines


def test_a_full_line_before_a_numbered_line_ends_its_paragraph():
    done = assemble([_page([("甲" * 20, 80, 512), ("(二)乙", 80, 160), ("丙" * 20, 80, 512), ("丁。", 80, 112)])])
    assert done.text.splitlines() == ["甲" * 20, "(二)乙", "丙" * 20 + "丁。"]


def test_a_latin_word_that_would_not_fit_moved_to_the_next_line():
    done = assemble([_page([("推行ISO 9001质量管理体系认证,开展", 112, 480), ("ISO9001:2015换版工作。", 80, 300),
                            ("新段落" * 8, 112, 512), ("结束。", 80, 128)])])
    assert done.text.splitlines()[0] == "推行ISO 9001质量管理体系认证,开展ISO9001:2015换版工作。"


def test_a_scanned_page_loses_an_unreadable_page_number_and_marks_its_lines():
    scanned = _page([("一、总体要求", 112, 208), ("为全面提升质量。", 112, 240), ("二、任务", 112, 176), ("— 号 —", 270, 320)],
                    ocr_page=True)
    done = assemble([scanned], frozenset({0}))
    assert done.text.splitlines() == ["一、总体要求", "为全面提升质量。", "二、任务"] and done.ocr_lines == frozenset({0, 1, 2})


# ------------------------------------------------------------------------------------- Word
def _numbered_docx(levels: list[tuple[str, str, str]], paragraphs: list[tuple[int, str]], *, overrides: str = "",
                   restart: dict[int, int] | None = None) -> bytes:
    """A .docx with one list of `levels` (numFmt, lvlText, start) and paragraphs (ilvl, text); -1 = no number."""
    d = docx.Document()
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
                   + (f'<w:lvlRestart w:val="{(restart or {})[i]}"/>' if i in (restart or {}) else "")
                   + f'<w:lvlText w:val="{text}"/></w:lvl>' for i, (fmt, text, start) in enumerate(levels))
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(f'<w:abstractNum {W} w:abstractNumId="90">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="91"><w:abstractNumId w:val="90"/>{overrides}</w:num>'))
    for ilvl, text in paragraphs:
        p = d.add_paragraph(text.split("|")[-1])
        if ilvl >= 0:
            num = "91" if text.startswith("override|") else "90"
            p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


CN_LEVELS = [("chineseCounting", "%1、", "1"), ("chineseCounting", "（%2）", "1"), ("decimal", "%3.", "1"),
             ("decimalEnclosedCircle", "%4", "1")]


def test_word_numbering_restarts_deeper_levels_and_renders_each_format():
    data = _numbered_docx(CN_LEVELS, [(0, "总体要求"), (1, "指导思想。"), (1, "目标。"), (2, "甲。"), (3, "子。"), (3, "丑。"),
                                      (0, "任务"), (1, "提升。"), (2, "乙。"), (-1, "说明文字。")])
    assert read_docx(data, "t.docx").splitlines() == [
        "一、总体要求", "（一）指导思想。", "（二）目标。", "1.甲。", "①子。", "②丑。", "二、任务", "（一）提升。", "1.乙。", "说明文字。"]


def test_word_numbering_that_runs_on_across_chapters_and_starts_late():
    levels = [("chineseCounting", "%1、", "8"), ("chineseCounting", "（%2）", "19"), ("decimal", "%3.", "1")]
    data = _numbered_docx(levels, [(0, "甲"), (1, "子。"), (1, "丑。"), (0, "乙"), (1, "寅。")], restart={1: 0})
    assert read_docx(data, "t.docx").splitlines() == ["八、甲", "（十九）子。", "（二十）丑。", "九、乙", "（二十一）寅。"]


def test_word_start_override_restarts_a_list_instance():
    over = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>'
    data = _numbered_docx(CN_LEVELS, [(0, "甲"), (0, "乙"), (0, "override|丙"), (0, "override|丁")], overrides=over)
    assert read_docx(data, "t.docx").splitlines() == ["一、甲", "二、乙", "五、丙", "六、丁"]


def test_word_numbering_from_a_paragraph_style_and_a_text_box():
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(f'<w:abstractNum {W} w:abstractNumId="80"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                                  '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="80"><w:abstractNumId w:val="80"/></w:num>'))
    style = d.styles["Heading 1"]
    style.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:numId w:val="80"/></w:numPr>'))
    box = d.add_paragraph()
    box._p.append(parse_xml(f'<w:r {W}><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
                            f'<w:txbxContent><w:p><w:r><w:t>佛山市人民政府办公室文件</w:t></w:r></w:p></w:txbxContent>'
                            '</v:textbox></v:shape></w:pict></w:r>'))
    d.add_paragraph("总体要求", style="Heading 1")
    d.add_paragraph("重点任务", style="Heading 1")
    buf = io.BytesIO()
    d.save(buf)
    assert read_docx(buf.getvalue(), "t.docx").splitlines() == ["佛山市人民政府办公室文件", "一、总体要求", "二、重点任务"]


def test_word_tables_are_rows_and_merged_rows_one_text():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    for cell, text in zip(t.rows[0].cells, ("序号", "重点任务", "牵头单位")):
        cell.text = text
    t.cell(1, 0).merge(t.cell(1, 2)).text = "一、提升产品质量"
    for cell, text in zip(t.rows[2].cells, ("1", "推行首席质量官", "市市场监管局")):
        cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    assert read_docx(buf.getvalue(), "t.docx").splitlines() == ["序号\t重点任务\t牵头单位", "一、提升产品质量",
                                                                "1\t推行首席质量官\t市市场监管局"]


# ---------------------------------------------------------------------------------- loaders
@pytest.mark.parametrize("data,suffix,kind", [
    (b"%PDF-1.7\n", ".pdf", "pdf"), (b"PK\x03\x04rest", ".docx", "docx"), (office.OLE_MAGIC + b"x", ".doc", "office"),
    (b"{\\rtf1 x}", ".doc", "office"), (b"\x89PNG\r\n\x1a\nrest", ".png", "image"), (b"\xff\xd8\xff\xe0", ".jpg", "image"),
    (b"II*\x00", ".tif", "image"), ("一、总则".encode(), ".txt", "text"), (b"<html><p>x</p></html>", ".doc", "text"),
])
def test_sniff(data, suffix, kind):
    assert sniff(data, suffix) == kind


def test_a_doc_that_is_a_web_page_is_read_as_html():
    got = extract("<html><body><p>一、总体要求</p><p>(一)推行首席质量官制度。(市市场监管局牵头)</p></body></html>".encode(),
                  "plan.doc", ".doc")
    assert got.format == "html" and got.text == "一、总体要求\n(一)推行首席质量官制度。(市市场监管局牵头)"


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    images = list(writer.page_images(HR.read_text(encoding="utf-8")))[:2]
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return path


def test_a_scan_without_tesseract_is_skipped_with_the_reason(scan, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "engine", lambda: None)
    with pytest.raises(IngestError, match=r"2 of its 2 pages are scanned images.*Tesseract.*tesseract-ocr-chi-sim"):
        load(scan)
    png = tmp_path / "page.png"
    next(writer.page_images("一、总体要求")).save(png)
    with pytest.raises(IngestError, match=r"page.png: an image, which needs OCR"):
        load(png)


def test_a_build_skips_the_scan_and_indexes_the_rest(scan, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "engine", lambda: None)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "scan.pdf").write_bytes(scan.read_bytes())
    (docs / HR.name).write_bytes(HR.read_bytes())
    report = build_index(Settings(data_dir=tmp_path / "data", corpus_dir=docs), embedder=HashEmbedder())
    assert report.documents == 1 and [s["file"] for s in report.skipped] == ["scan.pdf"]
    assert "Tesseract" in report.skipped[0]["error"] and report.per_document[HR.stem]["format"] == "text"


def _fake_program(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_tesseract_that_hangs_is_stopped_and_the_file_refused(scan, tmp_path, monkeypatch):
    slow = _fake_program(tmp_path, "tesseract", "sleep 30")
    monkeypatch.setattr(ocr, "engine", lambda: ocr.OcrEngine(slow, "chi_sim"))
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_S", 0.5)
    with pytest.raises(IngestError, match="OCR of a page took longer than 0 s"):
        load(scan)


def test_libreoffice_missing_or_hanging_refuses_the_file(tmp_path, monkeypatch):
    doc = tmp_path / "old.doc"
    doc.write_bytes(office.OLE_MAGIC + b"\x00" * 100)
    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(IngestError, match=r"old.doc: .doc files are read through LibreOffice, which is not installed"):
        load(doc)
    marker = tmp_path / "child-alive"
    slow = _fake_program(tmp_path, "soffice", f"(sleep 30; touch {marker}) & sleep 30")
    monkeypatch.setattr(office, "soffice", lambda: slow)
    monkeypatch.setattr(office, "CONVERT_TIMEOUT_S", 0.5)
    with pytest.raises(IngestError, match="LibreOffice did not convert it within 0 s"):
        load(doc)
    import time
    time.sleep(0.3)
    assert not marker.exists()          # the whole process group was ended, not only soffice itself


@pytest.mark.parametrize("name,data,says", [
    ("broken.pdf", b"%PDF-1.4\n1 0 obj garbage", "not a readable PDF"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 50, "damaged .docx"),
    ("other.docx", None, "not a Word document"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a readable image"),
    ("named.pdf", "一、总则".encode(), "named .pdf but its content is text"),
])
def test_unreadable_files_are_refused_with_the_reason(name, data, says, monkeypatch):
    monkeypatch.setattr(ocr, "engine", lambda: ocr.OcrEngine("tesseract", "chi_sim"))
    if data is None:
        buf = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("content.xml", "<x/>")
        data = buf.getvalue()
    with pytest.raises(IngestError, match=says):
        load_bytes(data, name, "x")


def test_an_encrypted_and_a_blank_pdf_are_refused(tmp_path):
    from fpdf import FPDF

    locked = FPDF()
    locked.set_encryption(owner_password="o", user_password="u")
    locked.add_page()
    with pytest.raises(IngestError, match="encrypted|password|not a readable PDF"):
        load_bytes(bytes(locked.output()), "locked.pdf", "x")
    blank = FPDF()
    blank.add_page()
    with pytest.raises(IngestError, match="no text found on its 1 pages"):
        load_bytes(bytes(blank.output()), "blank.pdf", "x")


def test_a_pdf_over_the_page_limit_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "plan.pdf"
    writer.write_text_pdf(HR.read_text(encoding="utf-8"), path)
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    with pytest.raises(IngestError, match=r"pages, over the limit of 3"):
        load(path)


def test_size_limits_are_per_format(tmp_path):
    assert loaders.limit_for(".txt") == loaders.MAX_FILE_BYTES and loaders.limit_for(".pdf") == loaders.MAX_BINARY_BYTES
    path = tmp_path / "big.pdf"
    with open(path, "wb") as f:
        f.truncate(loaders.MAX_BINARY_BYTES + 1)
    with pytest.raises(IngestError, match="over the size limit of 50.0 MB"):
        load(path)


@pytest.mark.skipif(office.soffice() is None, reason="LibreOffice is not installed (scripts/test.sh installs it)")
@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_doc_and_wps_through_libreoffice(suffix, tmp_path):
    """003 written as .docx, saved as Word 97 by LibreOffice, read back (a Kingsoft .wps is that
    format under another name). 003's numbering restarts per chapter, which LibreOffice keeps
    (it drops w:lvlRestart, so a document numbered across chapters would not survive its .doc)."""
    import subprocess

    text = HR.read_text(encoding="utf-8")
    source = tmp_path / "plan.docx"
    writer.write_docx(text, source)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([office.soffice() or "soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    path = tmp_path / f"plan{suffix}"
    os.replace(tmp_path / "plan.doc", path)
    got, want = parse_document(load(path)), parse_document(load(HR))
    assert got.format == suffix.lstrip(".") and any("LibreOffice" in n for n in got.notes)
    assert [c.clause_id for c in got.clauses] == [c.clause_id for c in want.clauses]
    assert (got.title, got.issuer, got.city, got.date, got.doc_number) == (want.title, want.issuer, want.city, want.date,
                                                                         want.doc_number)
