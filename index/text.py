"""Text normalisation shared by indexing and querying: NFKC, traditional -> simplified, sentences."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_CJK = re.compile(r"[\u3400-\u9fff]")
# Sentence ends, on raw text (so full-width forms are written as escapes): the ideographic full stop,
# semicolons, exclamation marks, the full-width question mark and line breaks.
_SENT_END = re.compile(r"(?<=[\u3002\uff1b;\uff01!\uff1f\n])")  # not ASCII "?": it marks lost characters


@lru_cache(maxsize=2)
def converter(config: str = "t2s") -> opencc.OpenCC:
    """The project's one OpenCC converter per direction ("t2s", "s2t"), made once per process."""
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def normalise(text: str) -> str:
    """What is searched and compared: Unicode NFKC, then traditional -> simplified (OpenCC t2s)."""
    return to_simplified(unicodedata.normalize("NFKC", text))


def compact(text: str) -> str:
    """normalise() without any white space: the comparison form of eval/FORMAT.md."""
    return re.sub(r"\s+", "", normalise(text))


def is_traditional(text: str, threshold: float = 0.03) -> bool:
    """True when a noticeable share of the CJK characters change under t2s."""
    cjk = _CJK.findall(text)
    if not cjk:
        return False
    simplified = to_simplified("".join(cjk))
    changed = sum(1 for a, b in zip(cjk, simplified) if a != b)
    return changed / len(cjk) >= threshold


def sentences(text: str) -> list[str]:
    """Split after sentence-final punctuation and line breaks; the pieces concatenate to `text`."""
    parts = [p for p in _SENT_END.split(text) if p]
    return parts


CN_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int, digits: str = CN_DIGITS, units: str = "十百千") -> str:
    """1 -> 一, 10 -> 十, 11 -> 十一, 20 -> 二十, 105 -> 一百零五 (up to 9999)."""
    if n <= 0 or n > 9999:
        return str(n)
    out: list[str] = []
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, power)
        if d:
            if zero and out:
                out.append("零")
            out.append(("" if (unit == units[0] and d == 1 and not out) else digits[d]) + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)
