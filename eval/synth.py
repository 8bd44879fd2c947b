"""Synthetic corpora for the growth benchmark, made from the real documents.

Copy k of the corpus (k >= 1) renames every city document to another real Chinese city from
the gazetteer of the cpca package (`cpca/resources/adcodes.csv`: adcode,name,...) — in the
document's own script, so 汕頭 becomes the traditional spelling of the new name — and shuffles
the units in charge (the closing parentheses such as `(责任单位:市质监局、东莞海关)`) between
the document's clauses. A document that names no city (the national outline) gets a line
saying which city re-issued it, so no two copies are the same text. Copy 0 is the corpus as is.
"""
from __future__ import annotations

import csv
import importlib.util
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from index.text import converter

UNITS = re.compile(
    r"[((][^()()\n]*(?:牵头|牽頭|责任单位|責任單位|责任部门|責任部門|负责|負責)[^()()\n]*[))]"
)


def adcodes_path() -> Path:
    """The gazetteer file of the installed cpca package, found without importing cpca."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the cpca package is not installed; it ships the city gazetteer (adcodes.csv)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall cpca")
    return path


def place_names(rows: list[dict[str, str]], suffixes: str = "市") -> list[str]:
    """Short names of the places whose `name` ends in one of `suffixes` (阳江市 -> 阳江),
    first seen first."""
    seen: dict[str, None] = {}
    for row in rows:
        name = row.get("name", "").strip()
        if len(name) >= 3 and name[-1] in suffixes:
            seen.setdefault(name[:-1], None)
    return list(seen)


def load_places(suffixes: str = "市", path: Path | None = None) -> list[str]:
    with open(path or adcodes_path(), encoding="utf-8", newline="") as f:
        return place_names(list(csv.DictReader(f)), suffixes)


def detect_city(text: str, places: list[str], min_count: int = 2) -> str | None:
    """The place a document is about: among places written at least once with 市 or 县 after
    them, the one named most often in the simplified text (the gazetteer may still list a city
    as a county: 怀仁县)."""
    simplified = converter("t2s").convert(text)
    named = [p for p in places if p + "市" in simplified or p + "县" in simplified]
    counts = Counter({p: simplified.count(p) for p in named})
    best, n = counts.most_common(1)[0] if counts else ("", 0)
    return best if n >= min_count else None


def rename_city(text: str, old: str, new: str) -> str:
    """Replace the city name in simplified and in traditional spelling, keeping each script."""
    s2t = converter("s2t").convert
    text = text.replace(old, new)
    return text.replace(s2t(old), s2t(new)) if s2t(old) != old else text


def shuffle_units(text: str, rng: random.Random) -> str:
    """The same text with its units-in-charge parentheses permuted among themselves."""
    spans = [m.span() for m in UNITS.finditer(text)]
    units = [text[a:b] for a, b in spans]
    rng.shuffle(units)
    out, pos = [], 0
    for (a, b), unit in zip(spans, units):
        out += [text[pos:a], unit]
        pos = b
    return "".join(out) + text[pos:]


def synth_copy(text: str, old_city: str | None, new_city: str, rng: random.Random) -> str:
    """One synthetic copy of a document."""
    if old_city:
        text = rename_city(text, old_city, new_city)
    else:
        text = f"{new_city}市人民政府转发\n{text}"
    return shuffle_units(text, rng)


@dataclass
class SynthReport:
    directory: Path
    files: int
    copies: int
    cities_used: int


def make_synthetic_corpus(src_dir: Path, out_dir: Path, factor: int, seed: int = 0) -> SynthReport:
    """Write `factor` copies of the corpus in src_dir into out_dir (copy 0 = the originals)."""
    from index.loaders import decode, list_files

    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    sources = [(p, decode(p.read_bytes(), p.name)) for p in list_files(src_dir)]
    found = {p: detect_city(t, load_places("市县")) for p, t in sources}
    pool = [c for c in load_places("市") if c not in set(found.values())]
    random.Random(seed).shuffle(pool)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng, used, n = random.Random(seed), set(), 0
    for k in range(factor):
        for j, (path, text) in enumerate(sources):
            name = path.name if k == 0 else f"{path.stem}_x{k:04d}{path.suffix}"
            if k:
                city = pool[((k - 1) * len(sources) + j) % len(pool)]
                used.add(city)
                text = synth_copy(text, found[path], city, rng)
            (out_dir / name).write_text(text, encoding="utf-8")
            n += 1
    return SynthReport(out_dir, n, factor, len(used))
