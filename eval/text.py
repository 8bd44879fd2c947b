"""The one normalisation of eval/FORMAT.md: NFKC, traditional -> simplified, no white space."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from index.text import to_simplified

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """`(`/`(` and `質監局`/`质监局` compare equal after this; white space is dropped."""
    return _SPACE.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


def normalise_all(texts: Iterable[str]) -> list[str]:
    return [normalise(t) for t in texts]


def item_found(item: Sequence[str], normalised_texts: Sequence[str]) -> bool:
    """True when one alternative of the item is contained in one of the (normalised) texts."""
    alternatives = [normalise(a) for a in item]
    return any(a and a in t for a in alternatives for t in normalised_texts)
