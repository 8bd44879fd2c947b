"""Every module-level pattern of the ingestion rules runs on uploaded documents: each is run on
adversarial 100 KB inputs and must finish (a generous 2 s safety cap, as tests/hostile/test_regex_linear.py)."""
from __future__ import annotations

import re

import pytest

from index import clean, dates, issuing, layout, metadata, ocr, structure, tables, units
from tests.hostile.regex_cases import SAFETY_CAP_S, module_patterns, worst_seconds

PATTERNS: dict[str, re.Pattern[str]] = {}
for _m in (clean, dates, issuing, layout, metadata, ocr, structure, tables, units):
    PATTERNS.update(module_patterns(_m))
PATTERNS.update({f"tables.COLUMNS.{k}": p for k, p in tables.COLUMNS.items()})
N = 100_000
INPUTS = {
    "one_char": "质" * N,
    "open_quotes": "《" * N,
    "open_brackets": "(" * N,
    "year_brackets": "府〔2023" * (N // 7),
    "digits": "2023年" * (N // 5),
    "cn_numerals": "二〇二三年" * (N // 5),
    "organ_bait": ("市人民政府" + "质" * 5) * (N // 10),
    "place_bait": ("结合" + "质" * 10) * (N // 12),
    "tabs": "\t" * N,
    "spaces": " " * N + "|",
    "pipes": "|" * N,
    "dashes": "—" * N,
    "articles": "第一" * (N // 2),
    "annex": "附件" * (N // 2),
}


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_pattern_is_linear_on_adversarial_input(pattern):
    worst = worst_seconds(PATTERNS[pattern], INPUTS)
    assert worst < SAFETY_CAP_S, f"{pattern}: {worst:.2f} s on 100 KB"
