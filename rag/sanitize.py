"""User text made safe to process and to show, before anything else looks at it.

    clean_text(text) -> str

One pass, every step linear in the length of the text:
1. lone surrogates (from JSON escapes such as "\\ud800") are dropped: they cannot be encoded;
2. Unicode NFKC (full-width forms, compatibility characters);
3. zero-width and other format characters (category Cf: U+200B…, U+FEFF, bidi controls) are
   dropped, so "忽\\u200b略" reads as "忽略" to the injection check; control characters (Cc)
   become spaces, except the line break;
4. markdown images keep only their alt text and HTML tags are removed, so nothing a user typed
   makes a browser fetch a URL when the text is shown again;
5. runs of white space shrink to one space (line breaks to at most two).
"""
from __future__ import annotations

import re
import unicodedata

_SURROGATES = re.compile("[\ud800-\udfff]")
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\([^()\n]{0,2000}\)")
_MD_IMAGE_REF = re.compile(r"!\[([^\[\]\n]{0,300})\]\[[^\[\]\n]{0,300}\]")
_HTML_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,2000}>")
_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")
_KEEP_CONTROLS = frozenset("\n")


def _drop_invisible(text: str) -> str:
    """Format characters out, control characters (but the line break) to spaces."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        out.append(" " if cat == "Cc" and ch not in _KEEP_CONTROLS else ch)
    return "".join(out)


def inert_markup(text: str) -> str:
    """Markdown images to their alt text and HTML tags removed (repeated while any is left, so
    '<<b>img …>' cannot leave a tag behind)."""
    for _ in range(3):
        new = _HTML_TAG.sub("", _MD_IMAGE_REF.sub(r"\1", _MD_IMAGE.sub(r"\1", text)))
        if new == text:
            break
        text = new
    return text


def clean_text(text: str) -> str:
    """The text a user sent, as the assistant reads it (see the module docstring)."""
    text = _SURROGATES.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _drop_invisible(text)
    text = inert_markup(text)
    text = _BREAKS.sub("\n\n", _SPACES.sub(" ", text))
    return text.strip()
