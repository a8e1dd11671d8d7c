"""Text normalisation shared by extraction, loaders and pipelines.

Every text field newscrawl emits goes through :func:`clean_text`, so that
deduplication, hashing and search see one spelling of each string: Vietnamese
diacritics arrive both precomposed (NFC) and decomposed (NFD) on real sites.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Zero-width and bidi control characters (embeddings, overrides and the isolates
# U+2066..U+2069), soft hyphen, BOM, word joiner: invisible in a browser, but they
# split words for search and change hashes.
_INVISIBLE_CHARS = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# Control characters other than tab/newline (which collapse to spaces below).
_CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# Lone surrogates (from JSON escapes like "\ud800", or bytes decoded with "surrogateescape"):
# no encoder writes them, so neither SQLite, PostgreSQL nor a UTF-8 file accepts a string
# holding one. Like NUL (which PostgreSQL refuses in text and JSON), they are removed.
_SURROGATE_CHARS = "\ud800-\udfff"
_UNSTORABLE = re.compile(f"[{_SURROGATE_CHARS}\x00]")
# What a stored value may not hold: surrogates and the C0 controls except tab, newline
# and carriage return (text fields that keep line breaks keep them), and DEL.
_STORABLE_FIX = re.compile(f"[{_SURROGATE_CHARS}{_CONTROL_CHARS}]")
# One scan finds the rare text that needs the substitutions above (or an entity).
_NEEDS_FIXING = re.compile(f"[{_INVISIBLE_CHARS}{_CONTROL_CHARS}{_SURROGATE_CHARS}&]")
# An entity left in text after parsing means the page double-encoded it.
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_MAX_ENTITY_PASSES = 8


def clean_text(value: str | None) -> str | None:
    """Return ``value`` as NFC text with entities decoded, invisible characters
    removed and whitespace collapsed; ``None`` or empty input gives ``None``."""
    if value is None:
        return None
    # Every text field of every item passes here, several times: the common case
    # (nothing to fix, ASCII or already NFC) must cost one scan and a split.
    if _NEEDS_FIXING.search(value):
        # Until no entity is left (bounded): text encoded twice or three times is common in JSON-LD and
        # meta tags, and one call must do what several did, so that cleaning clean text changes nothing.
        for _ in range(_MAX_ENTITY_PASSES):
            if not _ENTITY.search(value):
                break
            value = html.unescape(value)
        value = INVISIBLE.sub("", value)
        value = _STORABLE_FIX.sub(_removed_or_space, value)
    # str.split() splits on exactly the characters re's \s matches (str.isspace).
    value = " ".join(value.split())
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return value or None


def _removed_or_space(match: re.Match) -> str:
    # A control character stood between words (a space to be); a surrogate stood for a character that is lost.
    return "" if "\ud800" <= match.group() <= "\udfff" else " "


def storable(value):
    """``value`` with lone surrogates and control characters other than tab, newline and carriage return
    removed from every string in it (nested lists and dicts included, new containers; other values as they are).

    For values that are not prose (URLs, identifiers), which :func:`clean_text` would change otherwise.
    """
    if isinstance(value, str):
        return _STORABLE_FIX.sub("", value) if _STORABLE_FIX.search(value) else value
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(storable(v) for v in value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def unstorable(value) -> bool:
    """True when a string in ``value`` (nested lists and dicts included) holds a character some
    database refuses: a lone surrogate (none can encode it) or NUL (PostgreSQL)."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, (list, tuple)):
        return any(unstorable(v) for v in value)
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    return False


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
