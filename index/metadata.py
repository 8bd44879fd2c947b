"""Document metadata derived from the document's own text.

* title: the last title-like line (or two or three lines wrapped from one title) before the
  body — the plan itself, not its cover notice; `X印发《Y》` gives Y. A closing parenthesis of up
  to 16 characters belongs to the title: (试行), (2021-2025年). Without any title-like line, the
  first short line of the text; only a text without one is named by its file.
* issuer: a signature block (organ lines, then a date line) wherever it stands — under the cover
  notice or after the last chapter; else the organ that 印发 the title or whose title says
  "X关于…"; else a red header ("XX市人民政府办公室文件"); else a header field such as `机构:`,
  believed only when it agrees with the place the title names (a city's plan is not issued by
  the State Council); else the place the title names.
* 文号: a `X〔YYYY〕N号` line (brackets 〔〕 [] 【】 () （）) above the title, in it, right under it, or a
  `文号:` field; in its standard form. A number the text cites after another document's title
  《…》(文号) belongs to that document, not to this one — but the cover notice quoting the
  document's own title with its own number names the document's.
* city / region / level: from the gazetteer, via the title's place, the issuer's, the red
  header's; else from the body: "结合XX实际", "落户XX", "XX市人民政府" …, else the city the text
  names most (at least twice, twice as often as any other).
* date: the signature date; else a date line under the title or the notice; else a header
  field (发布时间 / 成文日期 …); else the year of the 文号; else the first year in the title.
  Dates in every usual form (index/dates.py).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index import issuing
from index.clean import CleanLine
from index.dates import parse_date
from index.gazetteer import Place, find_places, place_mentions, province_of
from index.issuing import DOC_NUMBER, ORGAN, RED_HEADER, flat, normal_doc_number
from index.models import Level
from index.text import normalise

_DOC_TYPES = ("方案|计划|纲要|意见|办法|通知|规划|决定|措施|细则|规定|条例|行动|要点|标准|指南|指引|通告|公告|"
              "批复|报告|清单|政策|章程|制度|决议|通报|纪要")
_TITLE_END = re.compile(rf"(?:{_DOC_TYPES})(?:[((][^()()。,,;;]{{1,16}}[))])?$")
_ISSUED = re.compile(r"^(.{2,30}?)(?:关于)?印发《([^《》]+)》")
_ISSUED_PLAIN = re.compile(r"^(.{2,30}?)关于印发(.{4,60}?)的通知$")
_ABOUT = re.compile(rf"^(国务院办公厅|国务院|中共中央办公厅|中共中央|.{{2,30}}?(?:{issuing.ORGAN_WORDS}))关于")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NOT_TITLE = re.compile(r"[::。,,;;]")
_OWN_PLACE = re.compile(r"结合(?:我|本)?(.{2,12}?)(?:实际|市情|县情|区情|特点|发展)|落户(.{2,10}?)的"
                        r"|(?:中共)?(.{2,10}?)(?:市委|县委|区委|市人民政府|县人民政府|区人民政府)")
MAX_TITLE_LINES = 3


@dataclass
class Metadata:
    title: str = ""
    title_line: int = -1            # index of the (last) title line among the cleaned lines
    title_start: int = -1           # index of its first line (a title can wrap over lines)
    issuer: str | None = None
    city: str | None = None
    region: str | None = None
    level: Level = Level.CITY
    date: str | None = None
    doc_number: str | None = None
    notes: list[str] = field(default_factory=list)
    issuing: list[int] = field(default_factory=list)   # lines after the title holding issuing information


def _flat(text: str) -> str:
    return flat(text)


# ------------------------------------------------------------------------------------------ title
def _title_of(flat_text: str, source: str) -> str | None:
    """The title a text is, or names (X印发《Y》 -> Y), or None."""
    if len(flat_text) > 80 or _NOT_TITLE.search(flat_text) or flat_text.startswith("-"):
        return None
    issued = _ISSUED.match(flat_text)
    if issued and _TITLE_END.search(issued.group(2)):
        return _source_slice(source, issued.group(2))
    if _TITLE_END.search(flat_text) and issuing.kind(source) is None:
        return re.sub(r"\s+", "", source)
    return None


def find_title(lines: list[CleanLine], body_start: int) -> tuple[str, int, int]:
    """The last title before the body: (title in source script, first line, last line)."""
    best = ("", -1, -1)
    for end in range(body_start):
        single = _title_of(_flat(lines[end].text), lines[end].text)
        if single is not None:
            best = _wrapped(lines, end) or (single, end, end)
            continue
        for start in range(end - 1, max(end - MAX_TITLE_LINES, -1), -1):
            if not _fragment(lines[start].text):
                break
            joined = "".join(line.text.strip() for line in lines[start:end + 1])
            found = _title_of(_flat(joined), joined)
            if found is not None:
                best = (found, start, end)
                break
    return best


def _wrapped(lines: list[CleanLine], end: int) -> tuple[str, int, int] | None:
    """A title line that completes the line above it ("佛山市…关于印发佛山市质量强市建设" /
    "三年行动方案的通知"): the line above opens a title (names a place, or says 关于 / 印发)."""
    start = end - 1
    if start < 0 or not _fragment(lines[start].text) or not _opens_title(lines[start].text):
        return None
    joined = "".join(line.text.strip() for line in lines[start:end + 1])
    found = _title_of(_flat(joined), joined)
    return (found, start, end) if found is not None else None


def _opens_title(text: str) -> bool:
    probe = _flat(text)
    return "关于" in probe or "印发" in probe or any(probe.startswith(n) for p in find_places(probe)[:1] for n in p.names())


def _fragment(text: str) -> bool:
    """A line that can be the first part of a title wrapped over lines."""
    probe = _flat(text)
    return 2 <= len(probe) <= 40 and not _NOT_TITLE.search(probe) and issuing.kind(text) is None \
        and not _TITLE_END.search(probe)


def fallback_title(lines: list[CleanLine], body_start: int) -> tuple[str, int]:
    """Without a title-like line: the first short line before the body that is not issuing information."""
    for i, line in enumerate(lines[:body_start]):
        probe = _flat(line.text)
        if 4 <= len(probe) <= 60 and not _NOT_TITLE.search(probe) and issuing.kind(line.text) is None:
            return re.sub(r"\s+", "", line.text), i
    return "", -1


def _source_slice(source: str, simplified: str) -> str:
    """The part of `source` that normalises to `simplified` (same length under t2s)."""
    flat_src = re.sub(r"\s+", "", source)
    at = _flat(source).find(simplified)
    return flat_src[at: at + len(simplified)] if at >= 0 else simplified


# --------------------------------------------------------------------------------------- issuer
@dataclass
class Signature:
    issuer: str | None = None
    date: str | None = None
    damaged: bool = False


def find_signature(lines: list[CleanLine], candidates: list[int]) -> Signature:
    """Organ lines followed by a date line, among the lines `candidates` (header and issuing lines)."""
    wanted = set(candidates)
    for i in candidates:
        if not ORGAN.match(_flat(lines[i].text)) or i + 1 >= len(lines) or (i - 1 in wanted and ORGAN.match(_flat(lines[i - 1].text))):
            continue
        organs = [i]
        while organs[-1] + 1 in wanted and ORGAN.match(_flat(lines[organs[-1] + 1].text)) and len(organs) < 3:
            organs.append(organs[-1] + 1)
        nxt = lines[organs[-1] + 1] if organs[-1] + 1 < len(lines) else None
        if nxt is None:
            continue
        issuer = "、".join(lines[j].text.strip() for j in organs)
        if (date := parse_date(_flat(nxt.text))) is not None and issuing.kind(nxt.text) == "date":
            return Signature(issuer, date)
        year = _YEAR.match(_flat(nxt.text))
        if year and nxt.spans:                       # a date line with lost characters
            return Signature(issuer, year.group(0), True)
    return Signature()


def red_header(lines: list[CleanLine], end: int) -> str | None:
    """The organ of a red header ("XX市人民政府办公室文件") above the title."""
    for line in lines[:end]:
        m = RED_HEADER.match(_flat(line.text))
        if m:
            return m.group(1)
    return None


# ------------------------------------------------------------------------------------------ 文号
def cited_numbers(all_text: str, title: str) -> set[str]:
    """Numbers the text gives after the title of a document 《…》 other than this one."""
    own = re.sub(r"\s+", "", normalise(title))
    out = set()
    for m in re.finditer(r"《([^《》]*)》[((]([^()()]{0,30}?[〔\[【(（]\d{4}[〕\]】)）]\d{1,5}号)", _flat(all_text)):
        if own and own in re.sub(r"[\s〈〉<>]", "", m.group(1)):
            continue
        number = DOC_NUMBER.search(m.group(2))
        if number:
            out.add(normal_doc_number(number))
    return out


def find_doc_number(lines: list[CleanLine], where: list[int], all_text: str, title: str) -> tuple[str | None, list[str]]:
    notes = []
    cited = cited_numbers(all_text, title)
    for i in where:
        for m in DOC_NUMBER.finditer(_flat(lines[i].text)):
            number = normal_doc_number(m)
            if number in cited:
                notes.append(f"文号 {number} in the header is the number of a document the text cites; not used")
                continue
            return number, notes
    return None, notes


def header_fields(lines: list[CleanLine], body_start: int) -> dict[str, str]:
    out = {}
    for line in lines[:body_start]:
        m = issuing.FIELD.match(_flat(line.text))
        if m:
            out[m.group(1)] = m.group(2)
    return out


# ------------------------------------------------------------------------------------------ place
def place_of(text: str) -> Place | None:
    found = find_places(_flat(text))
    return found[0] if found else None


def _local(p: Place) -> bool:
    return not p.is_province


def body_place(text: str) -> Place | None:
    """The city a text is about when its title and issuer name none: "结合XX实际", "落户XX的",
    "XX市人民政府", else the city it names most (at least twice, twice as often as the next)."""
    probe = _flat(text)
    for m in _OWN_PLACE.finditer(probe):
        found = [p for p in find_places(next(g for g in m.groups() if g)) if _local(p)]
        if found:
            return found[-1]
    counts = Counter({p: n for p, n in place_mentions(probe).items() if _local(p)})
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        return ranked[0][0]
    return None


def _set_place(meta: Metadata, place: Place | None, issuer: str | None) -> None:
    if place is None:
        national = issuer and re.search(r"国务院|中共中央|国家|部$|总局", normalise(issuer))
        meta.level = Level.NATIONAL if national or "强国" in meta.title else Level.CITY
        return
    if place.is_province:
        meta.level, meta.region = Level.PROVINCIAL, place.name
        return
    meta.city = place.short
    province = province_of(place)
    meta.region = province.name if province else None
    meta.level = Level.CITY


def _check_header_issuer(issuer: str | None, place: Place | None, fields: dict[str, str], notes: list[str]) -> str | None:
    claimed = fields.get("机构") or fields.get("发文机关") or fields.get("发布机构") or fields.get("发文单位")
    if issuer or not claimed:
        return issuer
    claimed_place = place_of(claimed)
    national = re.search(r"国务院|中共中央", claimed)
    if place is not None and (national or (claimed_place and claimed_place != place)):
        notes.append(f"header names the issuer {claimed!r}, but the document is {place.name}'s own plan; issuer taken from the document")
        return place.name
    return claimed


# ------------------------------------------------------------------------------------------- date
def field_date(lines: list[CleanLine], where: list[int], furniture: list[str]) -> str | None:
    """A date from a header field (成文日期 first, then 发布时间 …), or from a dropped furniture line."""
    found: dict[str, str] = {}
    for i in where:
        m = issuing.DATE_FIELD.match(_flat(lines[i].text))
        if m and (date := parse_date(normalise(lines[i].text))):    # with its spaces: "2023-09-12 10:20"
            found.setdefault(m.group(1), date)
    for name in ("成文日期", "印发日期", "发文日期", "发布日期", "发布时间", "公布日期", "日期", "时间"):
        if name in found:
            return found[name]
    for line in furniture:
        m = re.search(r"(?:发布)?(?:时间|日期)\s*[::]\s*(.{6,20})", _flat(line))
        if m and (date := parse_date(m.group(1))):
            return date
    return None


def date_line(lines: list[CleanLine], where: list[int]) -> str | None:
    """The first line among `where` that is only a date (under a title or a notice)."""
    for i in where:
        if issuing.kind(lines[i].text) == "date":
            return parse_date(_flat(lines[i].text))
    return None


def printed_date(lines: list[CleanLine], where: list[int]) -> str | None:
    """The date of a 版记 line ("XX办公室 2023年9月12日印发"): when the document was printed."""
    for i in where:
        if issuing.kind(lines[i].text) == "printed" and (date := parse_date(normalise(lines[i].text))):
            return date
    return None


def _date_fallback(doc_number: str | None, title: str) -> str | None:
    if doc_number and (m := re.search(r"〔(\d{4})〕", doc_number)):
        return m.group(1)
    m = _YEAR.search(title)
    return m.group(0) if m else None


# ---------------------------------------------------------------------------------------- extract
def extract(lines: list[CleanLine], body_start: int, all_text: str, *, issuing_lines: list[int] | None = None,
            furniture: list[str] | None = None) -> Metadata:
    """The metadata of a document from its cleaned lines. `issuing_lines`: lines after the title
    that hold issuing information (index/issuing.py); found here when not given."""
    meta = Metadata()
    meta.title, meta.title_start, meta.title_line = find_title(lines, body_start)
    if meta.title_line < 0:
        meta.title, meta.title_line = fallback_title(lines, body_start)
        meta.title_start = meta.title_line
    header_end = meta.title_start if meta.title_start >= 0 else body_start
    if issuing_lines is None:
        after = meta.title_line if meta.title_line >= 0 else body_start - 1
        issuing_lines = issuing.after_title(lines, after, body_start) + issuing.in_body(lines, body_start)
    meta.issuing = [i for i in issuing_lines if i > meta.title_line]
    header = list(range(header_end))
    where = header + [i for i in issuing_lines if i not in header]
    title_lines = list(range(meta.title_start, meta.title_line + 1)) if meta.title_line >= 0 else []
    meta.doc_number, meta.notes = find_doc_number(lines, header + title_lines + issuing_lines, all_text, meta.title)
    sign = find_signature(lines, where)
    issuer = sign.issuer or _issuer_from_title(lines, meta) or red_header(lines, header_end)
    place = place_of(meta.title) or (place_of(issuer) if issuer else None)
    issuer = _check_header_issuer(issuer, place, header_fields(lines, body_start), meta.notes)
    place = place or (place_of(issuer) if issuer else None)
    national = issuer is not None and re.search(r"国务院|中共中央", normalise(issuer))
    if place is None and not national and "强国" not in meta.title:
        place = body_place(all_text)
    if issuer is None and place is not None and place_of(meta.title) is not None:
        issuer = place.name
    _set_place(meta, place, issuer)
    meta.issuer = issuer
    meta.date = sign.date or date_line(lines, where) or field_date(lines, where, furniture or []) \
        or printed_date(lines, where) or _date_fallback(meta.doc_number, meta.title)
    if sign.damaged:
        meta.notes.append("the signature date is damaged in the source; only the year is kept")
    return meta


def _issuer_from_title(lines: list[CleanLine], meta: Metadata) -> str | None:
    """The organ that 印发 the title (X印发《Y》), or whose title reads "X关于…"; else the organ
    of a cover notice's title above it ("X关于印发Y的通知")."""
    if meta.title_line < 0:
        return None
    text = _flat("".join(line.text for line in lines[meta.title_start:meta.title_line + 1]))
    for pattern in (_ISSUED, _ISSUED_PLAIN, _ABOUT):
        if m := pattern.match(text):
            return m.group(1)
    for line in lines[:meta.title_start]:
        probe = _flat(line.text)
        for pattern in (_ISSUED, _ISSUED_PLAIN):
            if (m := pattern.match(probe)) and not _NOT_TITLE.search(probe):
                return m.group(1)
    return None
