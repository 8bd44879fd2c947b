"""Questions typed in pinyin ("huairen chanpin yiyuan", "dongguan biaozhunhua"): each word is read
as the corpus word whose toneless pinyin it is, so the question is asked in Chinese.

The table is the index's own vocabulary (words of two or more Chinese characters) keyed by their
toneless pinyin (pypinyin), the most frequent word winning a shared key; it is built once per index
snapshot. A word is read only when it is wholly such a key, or a run of them (chanpinyiyuan), and
a question is converted only when most of its Latin words are read, so an English question
("Dongguan smart manufacturing") stays English.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property

_WORD = re.compile(r"[A-Za-z]+")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
MIN_SHARE = 0.6          # share of a question's Latin words that must read as pinyin
LONGEST_KEY = 40         # letters of the longest key tried at a position
MAX_RUN = 4              # consecutive words read together as one phrase


class PinyinBridge:
    def __init__(self, doc_freq: Mapping[str, int]) -> None:
        self._df = doc_freq

    @cached_property
    def table(self) -> dict[str, str]:
        """Toneless pinyin (lower case, no spaces) -> the corpus word, the most frequent for a key."""
        from pypinyin import lazy_pinyin

        best: dict[str, tuple[int, str]] = {}
        for word, df in self._df.items():
            if _CJK_WORD.match(word):
                key = "".join(lazy_pinyin(word)).lower()
                if key.isascii() and key.isalpha() and (key not in best or (df, word) > best[key]):
                    best[key] = (df, word)
        return {k: w for k, (_, w) in best.items()}

    def read(self, word: str) -> str | None:
        """The Chinese of one Latin word: a key, or a run of keys covering it (longest first)."""
        key = word.lower()
        if key in self.table:
            return self.table[key]
        parts: list[str] = []
        at = 0
        while at < len(key):
            for end in range(min(len(key), at + LONGEST_KEY), at + 2, -1):      # keys of 3+ letters (ayi)
                if key[at:end] in self.table:
                    parts.append(self.table[key[at:end]])
                    at = end
                    break
            else:
                return None
        return "".join(parts)

    def to_hanzi(self, text: str) -> str | None:
        """The text with its pinyin in Chinese, or None when it is not (mostly) pinyin. Consecutive
        words are read together where they can be (chanpin yiyuan -> 产品医院, one phrase)."""
        spans = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        if not spans:
            return None
        out, at, read_words, i = [], 0, 0, 0
        while i < len(spans):
            for j in range(min(len(spans), i + MAX_RUN), i, -1):
                if all(text[spans[k][1]:spans[k + 1][0]].isspace() for k in range(i, j - 1)):
                    chinese = self.read("".join(w for _, _, w in spans[i:j]))
                    if chinese:
                        out += [text[at:spans[i][0]], chinese]
                        at, read_words, i = spans[j - 1][1], read_words + j - i, j
                        break
            else:
                i += 1
        if read_words < MIN_SHARE * len(spans):
            return None
        return "".join(out) + text[at:]
