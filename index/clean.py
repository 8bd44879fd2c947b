"""Cleaning by rules: page furniture, HTML remnants and encoding damage.

Each rule names a defect class, not a document, so the next file with the same defect is handled:

* Encoding round trip that ate the `<` of a closing tag (`实施方桇/p>` for `实施方案</p>`): the
  character before the tag lost one from its last UTF-8 byte. That is exactly reversible, so it
  is repaired and recorded as a REPAIRED span.
* A `?` standing for characters that are gone (`企?000家`, `?ldquo;`): kept visible, recorded as a
  LOST span, never guessed. A mangled entity after it (`ldquo;`) is restored to its character.
* Page furniture of scraped pages (浏览量, 扫描二维码, 本文链接, 免责声明 …): whole lines dropped,
  never a numbered line of the document's own. A page's "发布时间: 2023-09-12" is not dropped: it
  is the document's date when nothing better gives one (index/issuing.py, index/metadata.py).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5

from index.models import Span, SpanKind
from index.text import normalise

_TAGS = r"(?:p|div|span|li|td|tr|br|h[1-6]|strong|b|em|font)"
_TOKEN = re.compile(
    rf"(?P<shifted>[^<?\s])/{_TAGS}>"                # X/p>: '<' lost, X shifted by one
    rf"|(?P<lost_tag>\?)/{_TAGS}>"                    # ?/p>: character lost, then the tag
    r"|(?P<tag></?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>)"  # an intact tag: markup, not text
    r"|\?(?P<lost_entity>[a-zA-Z]{2,8});"             # ?ldquo;: character lost, '&' eaten
    r"|(?P<entity>&#?[a-zA-Z0-9]{2,8};)"              # &ldquo; &#8220;
    r"|(?P<qmark>\?)"                                 # a bare '?': lost if it sits in CJK text
)
_CJK_OR_DIGIT = re.compile(r"[\u3400-\u9fff0-9\u3000-\u303f\uff00-\uffef“”]")

FURNITURE = [re.compile(p) for p in (
    r"^(浏览量|浏览次数|阅读量|阅读数|点击量|访问量)\s*[::]",
    r"(微信公众号|官方公众号)$",
    r"^(扫描|扫码|长按)(二维码|识别)",
    r"^(本文链接|原文链接|本文地址|本文网址)\s*[::]",
    r"^(本文关键词|关键词|标签)\s*[::]",
    r"^免责声明\s*[::]",
    r"^(我来说两句|发表评论|网友评论|分享到|打印本页|关闭窗口|返回顶部|上一篇|下一篇|相关阅读|责任编辑)",
    r"^[((]此件公开发布[))]$",
)]


@dataclass
class CleanLine:
    text: str
    spans: list[Span] = field(default_factory=list)
    ocr: bool = False          # read from a page image by OCR: may hold recognition errors


@dataclass
class CleanReport:
    repaired: list[str] = field(default_factory=list)   # "桇→案" …
    lost: int = 0
    furniture: list[str] = field(default_factory=list)  # dropped lines


def unshift(ch: str) -> str | None:
    """Undo the round-trip shift: add one to the last UTF-8 byte; None when that is impossible."""
    raw = bytearray(ch.encode("utf-8"))
    limit = 0x7E if len(raw) == 1 else 0xBF   # an ASCII byte, or a UTF-8 continuation byte
    if raw[-1] >= limit:
        return None
    raw[-1] += 1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _lost_qmark(line: str, pos: int) -> bool:
    before = line[pos - 1] if pos > 0 else ""
    after = line[pos + 1] if pos + 1 < len(line) else ""
    return bool(_CJK_OR_DIGIT.match(before) or _CJK_OR_DIGIT.match(after))


def repair_line(line: str, report: CleanReport) -> CleanLine:
    """Apply the damage rules to one line; spans index the returned text."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _TOKEN.finditer(line):
        out.append(line[pos:m.start()])
        length += m.start() - pos
        piece, span = _replace(m, line, report)
        if span is not None:
            spans.append(Span(length + span[0], length + span[1], span[2], span[3]))
        out.append(piece)
        length += len(piece)
        pos = m.end()
    out.append(line[pos:])
    return CleanLine("".join(out), spans)


def _replace(m: re.Match[str], line: str, report: CleanReport) -> tuple[str, tuple[int, int, SpanKind, str] | None]:
    kind = m.lastgroup
    if kind == "shifted":
        ch = m.group("shifted")
        fixed = unshift(ch)
        if fixed is None:
            report.lost += 1
            return ch, (0, 1, SpanKind.LOST, "character damaged before a lost '<'")
        report.repaired.append(f"{ch}→{fixed}")
        return fixed, (0, 1, SpanKind.REPAIRED, f"{ch}→{fixed}")
    if kind == "lost_tag":
        report.lost += 1
        return "?", (0, 1, SpanKind.LOST, "character lost")
    if kind == "tag":
        return "", None
    if kind == "lost_entity":
        name = m.group("lost_entity") + ";"
        if name not in html5:
            return m.group(0), None
        report.lost += 1
        return "?" + html5[name], (0, 1, SpanKind.LOST, "character lost before a quotation mark")
    if kind == "entity":
        return html.unescape(m.group("entity")), None
    if _lost_qmark(line, m.start()):
        report.lost += 1
        return "?", (0, 1, SpanKind.LOST, "character lost")
    return "?", None


# a numbered line (一、 (三) 3. 第三条) is the document's own structure, whatever it ends with
_NUMBERED = re.compile(r"^(?:[(\uff08][一二三四五六七八九十\d]{1,4}[)\uff09]|[一二三四五六七八九十]{1,4}、|\d{1,3}[.、]"
                       r"|第[一二三四五六七八九十百\d]{1,4}[章条节])")


# how page furniture lines begin, for text read by OCR, which may misread one of their characters
FURNITURE_WORDS = ("浏览量", "浏览次数", "阅读次数", "免责声明", "本文链接", "原文链接", "本文地址", "本文关键词", "扫描二维码",
                   "我来说两句", "发表评论", "网友评论", "打印本页", "关闭窗口", "返回顶部", "相关阅读", "责任编辑")


def is_furniture(line: str, ocr: bool = False) -> bool:
    """Whether a line is page furniture; `ocr`: the line was read by OCR, so a furniture word
    with one character misread or missing at its start still counts."""
    probe = normalise(line).strip()
    if _NUMBERED.match(probe):
        return False
    return any(p.search(probe) for p in FURNITURE) or (ocr and _misread_furniture(probe))


def _misread_furniture(probe: str) -> bool:
    for word in FURNITURE_WORDS:
        head = probe[:len(word)]
        if len(head) == len(word) and sum(a != b for a, b in zip(head, word)) <= 1:
            return True
        if probe.startswith(word[1:]) and len(word) >= 4:
            return True
    return False


def strip_line(raw: str) -> str:
    """The line without white space at its ends; a table row (cells separated by tabs) keeps its
    tabs, so an empty first or last cell stays a cell."""
    stripped = raw.strip()
    return raw.strip(" \u3000\r\n\f\v\xa0") if "\t" in stripped else stripped


def clean_lines(text: str, report: CleanReport, ocr_lines: frozenset[int] = frozenset()) -> list[CleanLine]:
    """Split into lines, drop page furniture and blank lines, repair the rest; the lines whose
    numbers are in `ocr_lines` are marked as read by OCR."""
    lines: list[CleanLine] = []
    for number, raw in enumerate(text.splitlines()):
        if not raw.strip():
            continue
        if is_furniture(raw, number in ocr_lines):
            report.furniture.append(raw.strip())
            continue
        cleaned = repair_line(strip_line(raw), report)
        if cleaned.text.strip():
            cleaned.ocr = number in ocr_lines
            lines.append(cleaned)
    return lines
