"""Is a decoded text plausibly Chinese or English prose, or garbage that merely decodes?

Random bytes very often decode as GB18030 (it maps almost every byte pair to a character), and
such text used to be indexed as a policy document. Real prose, in either script, is made of
common characters, Latin letters, digits, punctuation and white space; random decodes are heavy in
control characters, private-use and symbol code points, and rare CJK characters (GB18030's
two-byte range is mostly characters outside everyday use).

"Common" CJK characters are the ones that carry COMMON_MASS of the character frequency in
jieba's dictionary (about 6,400 characters); a traditional character counts as common when its
simplified form is. Thresholds were set on the corpus (rare share ≤ 0.2 % with t2s) against
random GB18030 text (rare share ≈ 60 %, control characters ≈ 14 %). Common characters strung at
random pass those tests, so last the share of adjacent CJK pairs that are dictionary words is
checked (the corpus: over 50 %; random common characters: about 1 %).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

COMMON_MASS = 0.999            # share of jieba's character frequency the common set covers
MAX_RARE_CJK_SHARE = 0.15      # of CJK characters
MAX_CONTROL_SHARE = 0.005      # of all non-space characters
MIN_PLAUSIBLE_SHARE = 0.85     # common CJK + Latin letters + digits + punctuation, of non-space characters
MAX_UNBROKEN_SHARE = 0.5       # Latin/digit runs of 40+ characters without a space (base64, hex dumps)
MIN_CJK_FOR_RARE_TEST = 30     # too few CJK characters say nothing about their rarity
MIN_WORD_PAIR_SHARE = 0.12     # adjacent CJK pairs that are dictionary words (the corpus: 0.52-0.55)
MIN_PAIRS_FOR_WORD_TEST = 200
WORD_PAIR_SAMPLE = 50_000      # characters from the start of the text

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_UNBROKEN = re.compile(r"[A-Za-z0-9+/=_\-]{40,}")
_ALLOWED_CONTROLS = "\t\n\r\f\v"
_ENTRY = re.compile(r"^(\S+) (\d+)", re.M)          # a line of jieba's dict.txt: word, frequency, tag


@dataclass(frozen=True)
class ProseStats:
    chars: int          # non-space characters
    cjk: int
    rare_cjk: int
    control: int
    plausible: int      # common CJK, Latin letters, digits, punctuation
    unbroken: int       # characters in long unbroken Latin/digit runs

    def problem(self) -> str | None:
        """Why the text is not plausibly prose, or None when it is."""
        if self.chars == 0:
            return None
        if self.control / self.chars > MAX_CONTROL_SHARE:
            return f"{self.control / self.chars:.0%} control characters"
        if self.cjk >= MIN_CJK_FOR_RARE_TEST and self.rare_cjk / self.cjk > MAX_RARE_CJK_SHARE:
            return f"{self.rare_cjk / self.cjk:.0%} of its Chinese characters are rare ones (random bytes decode so)"
        if self.plausible / self.chars < MIN_PLAUSIBLE_SHARE:
            return (f"only {self.plausible / self.chars:.0%} of its characters are common Chinese, "
                    "Latin letters, digits or punctuation")
        if self.unbroken / self.chars > MAX_UNBROKEN_SHARE:
            return f"{self.unbroken / self.chars:.0%} of it is long unbroken letter/digit runs (encoded data?)"
        return None


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


@lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """(common CJK characters, two-character words), both from jieba's dictionary."""
    import jieba

    with jieba.get_dict_file() as f:
        entries = _ENTRY.findall(f.read().decode("utf-8"))
    freq: dict[str, int] = {}
    for word, count in entries:
        n = int(count)
        for ch in word:
            freq[ch] = freq.get(ch, 0) + n
    cjk = sorted(((n, ch) for ch, n in freq.items() if is_cjk(ch)), reverse=True)
    total, covered, common = sum(n for n, _ in cjk), 0, set()
    for n, ch in cjk:
        if covered >= COMMON_MASS * total:
            break
        common.add(ch)
        covered += n
    return frozenset(common), frozenset(w for w, _ in entries if len(w) == 2)


def common_cjk() -> frozenset[str]:
    """The CJK characters that carry COMMON_MASS of the frequency in jieba's dictionary."""
    return _dictionary()[0]


def word_pair_share(text: str) -> tuple[int, float]:
    """(pairs looked at, share of them that are dictionary words) over adjacent CJK characters
    of a sample of the text, in simplified script. Common characters strung at random seldom
    form words; prose is full of them."""
    from index.text import to_simplified

    sample = to_simplified(text[:WORD_PAIR_SAMPLE])
    words = _dictionary()[1]
    pairs = [a + b for a, b in zip(sample, sample[1:]) if is_cjk(a) and is_cjk(b)]
    if not pairs:
        return 0, 0.0
    return len(pairs), sum(p in words for p in pairs) / len(pairs)


def _is_common(ch: str, common: frozenset[str]) -> bool:
    if ch in common:
        return True
    from index.text import to_simplified  # only for the few characters not common as written

    return to_simplified(ch) in common


def _is_punctuation_or_latin(ch: str) -> bool:
    cat, code = unicodedata.category(ch), ord(ch)
    if cat[0] == "P" or cat in ("Nd", "Sm", "Sc", "No"):
        return True
    if cat == "So" and 0x2000 <= code <= 0x2BFF:     # bullets, arrows, shapes: ■ ● → ★
        return True
    # Latin letters (with accents), and the full-width forms Chinese text writes them in
    return cat[0] == "L" and (code < 0x250 or 0xFF00 <= code <= 0xFFEF)


def stats(text: str) -> ProseStats:
    counts = Counter(text)
    common = common_cjk()
    chars = cjk = rare = control = plausible = 0
    for ch, n in counts.items():
        if ch.isspace():
            continue
        chars += n
        if is_cjk(ch):
            cjk += n
            if _is_common(ch, common):
                plausible += n
            else:
                rare += n
        elif unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS:
            control += n
        elif _is_punctuation_or_latin(ch):
            plausible += n
    unbroken = sum(len(m) for m in _UNBROKEN.findall(text))
    return ProseStats(chars, cjk, rare, control, plausible, unbroken)


def prose_problem(text: str) -> str | None:
    """None when `text` is plausibly Chinese or English prose, else what is wrong with it."""
    problem = stats(text).problem()
    if problem is not None:
        return problem
    looked_at, share = word_pair_share(text)
    if looked_at >= MIN_PAIRS_FOR_WORD_TEST and share < MIN_WORD_PAIR_SHARE:
        return f"only {share:.0%} of its adjacent Chinese characters form words (random characters?)"
    return None
