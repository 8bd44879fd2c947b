"""Document metadata derived from the document's own text.

* title: the last title-like line before the first chapter (the plan itself, not its cover
  notice); `X印发《Y》` gives Y.
* issuer: the signature block (an organ's name followed by a date); else the organ that 印发 the
  title; else the place the title names. A header field such as `机构:国务院` is believed only when
  it agrees with the place the title names: a city's plan is not issued by the State Council.
* 文号: a `X〔YYYY〕N号` line of its own or in the title; a number the body cites after another
  document's title 《…》(文号) belongs to that document, not to this one.
* city / region / level: from the gazetteer, via the title's place or the issuer's.
* date: the signature date; else the year of the 文号; else the first year in the title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.clean import CleanLine
from index.gazetteer import Place, find_places, province_of
from index.models import Level
from index.text import normalise

_DOC_TYPES = "方案|计划|纲要|意见|办法|通知|规划|决定|措施|细则|规定|条例|行动|要点"
_TITLE_END = re.compile(rf"(?:{_DOC_TYPES})(?:[((][^()()]{{1,6}}[))])?$")
_QUOTED = re.compile(r"《([^《》]+)》")
_ISSUED = re.compile(r"^(.{2,20}?)(?:关于)?印发《([^《》]+)》")
_ORGAN = re.compile(r"^(.{2,20}(?:人民政府办公室|人民政府办公厅|人民政府|办公厅|办公室|委员会|管委会|国务院|中共中央))$")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_DOCNO = re.compile(r"([\u4e00-\u9fff]{1,8}〔(\d{4})〕\d{1,4}号)")
_HEADER_FIELD = re.compile(r"^[-*•\s]*(机构|发文机关|发布机构|文号|发文字号)\s*[::]\s*(.+)$")


@dataclass
class Metadata:
    title: str = ""
    title_line: int = -1            # index of the title line among the cleaned lines
    issuer: str | None = None
    city: str | None = None
    region: str | None = None
    level: Level = Level.CITY
    date: str | None = None
    doc_number: str | None = None
    notes: list[str] = field(default_factory=list)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


def find_title(lines: list[CleanLine], body_start: int) -> tuple[str, int]:
    """The last title-like line before the body; (title in source script, line index)."""
    best = ("", -1)
    for i, line in enumerate(lines[:body_start]):
        flat = _flat(line.text)
        if len(flat) > 80 or re.search(r"[::。,,]", flat) or flat.startswith("-"):
            continue
        issued = _ISSUED.match(flat)
        if issued and _TITLE_END.search(issued.group(2)):
            best = (_source_slice(line.text, issued.group(2)), i)
        elif _TITLE_END.search(flat):
            best = (re.sub(r"\s+", "", line.text), i)
    return best


def _source_slice(source: str, simplified: str) -> str:
    """The part of `source` that normalises to `simplified` (same length under t2s)."""
    flat_src = re.sub(r"\s+", "", source)
    at = _flat(source).find(simplified)
    return flat_src[at: at + len(simplified)] if at >= 0 else simplified


def find_signature(lines: list[CleanLine], body_start: int) -> tuple[str | None, str | None, bool]:
    """(issuer, date, date_damaged) from an organ line followed by a date line."""
    for i, line in enumerate(lines[:body_start]):
        organ = _ORGAN.match(_flat(line.text))
        if not organ or i + 1 >= len(lines):
            continue
        nxt = lines[i + 1]
        m = _DATE.search(_flat(nxt.text))
        if m:
            return line.text.strip(), f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", False
        year = _YEAR.match(_flat(nxt.text))
        if year and nxt.spans:                       # a date line with lost characters
            return line.text.strip(), year.group(0), True
    return None, None, False


def find_doc_number(lines: list[CleanLine], body_start: int, all_text: str) -> tuple[str | None, list[str]]:
    notes = []
    cited = {m.group(1) for m in re.finditer(r"》\s*[((]\s*([^()()]*?〔\d{4}〕\d{1,4}号)", normalise(all_text))}
    for line in lines[:body_start]:
        flat = _flat(line.text)
        for m in _DOCNO.finditer(flat):
            number = re.sub(r"^(文号|发文字号)", "", m.group(1))
            if number in cited:
                notes.append(f"文号 {number} in the header is the number of a document the text cites; not used")
                continue
            return number, notes
    return None, notes


def header_fields(lines: list[CleanLine], body_start: int) -> dict[str, str]:
    out = {}
    for line in lines[:body_start]:
        m = _HEADER_FIELD.match(_flat(line.text))
        if m:
            out[m.group(1)] = m.group(2)
    return out


def place_of(text: str) -> Place | None:
    found = find_places(_flat(text))
    return found[0] if found else None


def extract(lines: list[CleanLine], body_start: int, all_text: str) -> Metadata:
    meta = Metadata()
    meta.title, meta.title_line = find_title(lines, body_start)
    issuer, date, damaged = find_signature(lines, body_start)
    header_end = meta.title_line + 1 if meta.title_line >= 0 else body_start
    meta.doc_number, meta.notes = find_doc_number(lines, header_end, all_text)
    title_flat = _flat(lines[meta.title_line].text) if meta.title_line >= 0 else ""
    issued = _ISSUED.match(title_flat)
    if issuer is None and issued:
        issuer = issued.group(1)
    place = place_of(meta.title) or (place_of(issuer) if issuer else None)
    issuer = _check_header_issuer(issuer, place, header_fields(lines, body_start), meta.notes)
    _set_place(meta, place, issuer)
    meta.issuer = issuer
    meta.date = date or _date_fallback(meta.doc_number, meta.title)
    if damaged:
        meta.notes.append("the signature date is damaged in the source; only the year is kept")
    return meta


def _check_header_issuer(issuer: str | None, place: Place | None, fields: dict[str, str], notes: list[str]) -> str | None:
    claimed = fields.get("机构") or fields.get("发文机关") or fields.get("发布机构")
    if issuer or not claimed:
        return issuer
    claimed_place = place_of(claimed)
    national = re.search(r"国务院|中共中央", claimed)
    if place is not None and (national or (claimed_place and claimed_place != place)):
        notes.append(f"header names the issuer {claimed!r}, but the document is {place.name}'s own plan; issuer taken from the document")
        return place.name
    return claimed


def _set_place(meta: Metadata, place: Place | None, issuer: str | None) -> None:
    if place is None:
        national = issuer and re.search(r"国务院|中共中央|国家", normalise(issuer))
        meta.level = Level.NATIONAL if national or "强国" in meta.title else Level.CITY
        return
    if place.is_province:
        meta.level, meta.region = Level.PROVINCIAL, place.name
        return
    meta.city = place.short
    province = province_of(place)
    meta.region = province.name if province else None
    meta.level = Level.CITY


def _date_fallback(doc_number: str | None, title: str) -> str | None:
    if doc_number and (m := re.search(r"〔(\d{4})〕", doc_number)):
        return m.group(1)
    m = _YEAR.search(title)
    return m.group(0) if m else None
