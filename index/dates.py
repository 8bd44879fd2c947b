"""Dates as official documents write them, to ISO form.

    2023年6月22日 · 2023 年 06 月 22 日 · 2023-06-22 · 2023-6-22 · 2023/06/22 · 2023.06.22
    二〇二三年六月二十二日 (〇, ○, O or 零 for zero) · 2023年6月 (-> 2023-06)

Every pattern is linear (no nested repetition); a date must be a real calendar date.
"""
from __future__ import annotations

import datetime as dt
import re

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "O": 0, "零": 0, "Ｏ": 0, "0": 0}
_CN_YEAR = "〇○O零Ｏ一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
ARABIC = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|([-/.])\s*(\d{1,2})\s*\4\s*(\d{1,2})(?!\d))")
CHINESE = re.compile(rf"([{_CN_YEAR}]{{4}})\s*年\s*([{_CN_SMALL}]{{1,2}})\s*月(?:\s*([{_CN_SMALL}]{{1,3}})\s*日)?")
# a line that is only a date: in brackets or not, perhaps followed by 印发 / 发布 / 成文 / 起施行
DATE_LINE = re.compile(
    rf"^[(\uff08\[]?\s*(?:(?:19|20)\d{{2}}\s*(?:年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}})"
    rf"|[{_CN_YEAR}]{{4}}\s*年\s*[{_CN_SMALL}]{{1,2}}\s*月\s*[{_CN_SMALL}]{{1,3}}\s*日)"
    r"\s*(?:印发|发布|成文|制定|起施行|施行)?\s*[)\uff09\]]?$")


def _small(num: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十二 -> 22, 三十一 -> 31."""
    if "十" not in num:
        return _CN_DIGIT.get(num, 0)
    tens, _, ones = num.partition("十")
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)


def _iso(year: int, month: int, day: int | None) -> str | None:
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year}-{month:02d}-{day:02d}" if day else f"{year}-{month:02d}"


def parse_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD (or YYYY-MM when no day is given), else None."""
    found: list[tuple[int, str]] = []
    if (m := ARABIC.search(text)) is not None:
        month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(5), m.group(6))
        iso = _iso(int(m.group(1)), int(month), int(day) if day else None)
        if iso:
            found.append((m.start(), iso))
    if (m := CHINESE.search(text)) is not None:
        year = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
        iso = _iso(year, _small(m.group(2)), _small(m.group(3)) if m.group(3) else None)
        if iso:
            found.append((m.start(), iso))
    return min(found)[1] if found else None


def is_date_line(text: str) -> bool:
    """The line is a date and nothing else (a signature date, a date under a title)."""
    return bool(DATE_LINE.match(re.sub(r"\s+", "", text)))
