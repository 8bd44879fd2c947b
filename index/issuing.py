"""Lines that say who issued a document, under which number and when (发文信息), wherever they sit.

An official document carries them in a few usual places: a red header ("XX市人民政府办公室文件")
and its 文号 above the title; a 文号 line, a date line or a web page's "发布时间: 2023-09-12" right
under the title; a signature block (organ, then date) after the cover notice or after the last
chapter; "(此件公开发布)"; a 版记 at the very end (抄送…, "XX办公室 2023年6月22日印发"). Such lines are
not policy text: they are read for metadata (index/metadata.py) and gathered into the front
matter clause `发文`, so an answer about a document's number or date can quote them.
"""
from __future__ import annotations

import re

from index.clean import CleanLine
from index.dates import is_date_line
from index.text import normalise

ORGAN_WORDS = ("人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|管理委员会|委员会|管委会|领导小组|工作小组|"
               "监督管理局|管理局|局|厅|委|政府")
ORGAN = re.compile(rf"^(?:.{{2,30}}?(?:{ORGAN_WORDS})|国务院|中共中央|中共中央\s*国务院)$")
RED_HEADER = re.compile(rf"^(.{{2,40}}?(?:{ORGAN_WORDS}|国务院))\s*文\s*件$")
# 文号: agency abbreviation, year in brackets (〔〕 [] 【】 () （）), serial number, 号
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[【(（]\s*((?:19|20)\d{2})\s*[〕\]】)）]\s*(\d{1,5})\s*号")
DOC_NUMBER_LINE = re.compile(r"^(?:文号|发文字号|发文文号)?[::]?\s*[\u4e00-\u9fff]{1,10}\s*[〔\[【(（]\s*(?:19|20)\d{2}\s*"
                             r"[〕\]】)）]\s*\d{1,5}\s*号(?:\s*签发人[::]?.{0,12})?$")
DATE_FIELD = re.compile(r"^(发布时间|发布日期|成文日期|印发日期|发文日期|公布日期|生效日期|施行日期|时间|日期)\s*[::]\s*(.+)$")
FIELD = re.compile(r"^[-*•\s]*(机构|发文机关|发布机构|文号|发文字号)\s*[::]\s*(.+)$")
PORTAL_FIELD = re.compile(r"^(索引号|主题分类|发文单位|来源|成文机关|发布单位)\s*[::]\s*(.+)$")   # a government portal's summary
PUBLIC = re.compile(r"^[(（]\s*此件(?:公开发布|依申请公开|不予公开|不公开|主动公开)\s*[)）]$")
PRINTED = re.compile(rf"^(?:抄送|主送|报送|分送)[::]|^.{{2,40}}?(?:{ORGAN_WORDS})\s*"
                     r"(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇○一二三四五六七八九]{4}年.{1,3}月.{1,4}日)\s*印发$")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


def normal_doc_number(m: re.Match[str]) -> str:
    """A 文号 in its standard form: 东府办〔2018〕71号 (GB/T 9704 brackets, no spaces)."""
    agency = re.sub(r"^(?:文号|发文字号|发文文号)", "", m.group(1))
    return f"{agency}〔{m.group(2)}〕{int(m.group(3))}号"


def kind(text: str) -> str | None:
    """What issuing information a line is: "red_header", "doc_number", "date", "date_field",
    "field", "portal", "organ", "public", "printed"; None for any other line."""
    probe = flat(text)
    if not probe or len(probe) > 120:
        return None
    checks = (("red_header", RED_HEADER), ("doc_number", DOC_NUMBER_LINE), ("date_field", DATE_FIELD),
              ("field", FIELD), ("portal", PORTAL_FIELD), ("public", PUBLIC), ("printed", PRINTED), ("organ", ORGAN))
    for name, pattern in checks:
        if pattern.match(probe):
            return name
    return "date" if is_date_line(probe) else None


def after_title(lines: list[CleanLine], title_end: int, body: int) -> list[int]:
    """The run of issuing lines right under the title (文号, date, 发布时间 …), before the body."""
    out = []
    for i in range(title_end + 1, body):
        if kind(lines[i].text) not in ("doc_number", "date", "date_field", "field", "portal", "public"):
            break
        out.append(i)
    return out


def in_body(lines: list[CleanLine], body: int) -> list[int]:
    """Issuing lines after the body starts: signature blocks (organ lines, then a date line), a
    date line closing the text, (此件公开发布), 版记 lines."""
    out: set[int] = set()
    kinds = [kind(line.text) for line in lines]
    for i in range(body, len(lines)):
        k = kinds[i]
        if k in ("public", "printed"):
            out.add(i)
        elif k == "date" and (_signed(kinds, i, body) or _closing(kinds, i)):
            out.add(i)
            j = i - 1
            while j >= body and kinds[j] == "organ" and i - j <= 3:
                out.add(j)
                j -= 1
    return sorted(out)


def _signed(kinds: list[str | None], i: int, body: int) -> bool:
    return i - 1 >= body and kinds[i - 1] == "organ"


def _closing(kinds: list[str | None], i: int) -> bool:
    """A date line after which only issuing lines follow (or nothing)."""
    return all(k in ("public", "printed", "organ", "date") for k in kinds[i + 1:])
