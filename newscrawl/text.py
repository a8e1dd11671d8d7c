"""Text normalisation shared by extraction, loaders and pipelines.

Every text field newscrawl emits goes through :func:`clean_text`, so that
deduplication, hashing and search see one spelling of each string: Vietnamese
diacritics arrive both precomposed (NFC) and decomposed (NFD) on real sites.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Zero-width and bidi control characters, soft hyphen, BOM, word joiner: invisible
# in a browser, but they split words for search and change hashes.
_INVISIBLE_CHARS = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Control characters other than tab/newline (which collapse to spaces below).
_CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# One scan finds the rare text that needs the substitutions above (or an entity).
_NEEDS_FIXING = re.compile(f"[{_INVISIBLE_CHARS}{_CONTROL_CHARS}&]")
# An entity left in text after parsing means the page double-encoded it.
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def clean_text(value: str | None) -> str | None:
    """Return ``value`` as NFC text with entities decoded, invisible characters
    removed and whitespace collapsed; ``None`` or empty input gives ``None``."""
    if value is None:
        return None
    # Every text field of every item passes here, several times: the common case
    # (nothing to fix, ASCII or already NFC) must cost one scan and a split.
    if _NEEDS_FIXING.search(value):
        if _ENTITY.search(value):
            value = html.unescape(value)
        value = INVISIBLE.sub("", value)
        value = _CONTROL.sub(" ", value)
    # str.split() splits on exactly the characters re's \s matches (str.isspace).
    value = " ".join(value.split())
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value or None


def clean_lines(values) -> list[str]:
    """Clean each string and drop the ones that end up empty."""
    out = []
    for value in values or ():
        cleaned = clean_text(value)
        if cleaned:
            out.append(cleaned)
    return out


def unique(values) -> list:
    """Keep the first of each equal value, in order."""
    seen = set()
    out = []
    for value in values:
        key = value if not isinstance(value, dict) else tuple(sorted((k, str(v)) for k, v in value.items()))
        if key in seen:
            continue
        seen.add(key)
        out.append(value)
    return out
