"""Publish and modified times: the structured candidates, ``<time>`` elements and date-looking texts of
the page, and the rule that chooses (:func:`choose_date`). Parsing is :mod:`newscrawl.extract.dates`'s."""
from __future__ import annotations

import re
from datetime import datetime

from newscrawl.extract.dates import parse_datetime_ex
from newscrawl.extract.generic.dom import NON_CONTENT_TAGS, class_and_id, clean_element_text


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|datum|fecha|data|zeit|meta|timestamp", re.IGNORECASE)


def _in_link(el) -> bool:
    return any(anc.tag == "a" for anc in el.iterancestors())


def _nearest_first(found: list[tuple[int, object]], anchor_pos: int | None) -> list:
    if anchor_pos is None:
        return [item for _, item in found]
    return [item for _, item in sorted(found, key=lambda pi: abs(pi[0] - anchor_pos))]


def time_values(doc, scope=None, anchor=None) -> list[tuple[str, str]]:
    """``[(datetime attribute or text, kind)]`` of ``<time>`` elements: those of
    ``scope`` in page order, then the page's others nearest to ``anchor`` (the article's h1)
    first; never one inside a link (a teaser's date)."""
    out: list[tuple[str, str]] = []
    seen = set()

    def value_of(el):
        value = el.get("datetime") or el.get("content")
        if value:
            return (value.strip(), "attr")
        text = clean_element_text(el)
        return (text, "text") if text else None

    if scope is not None:
        for el in scope.iter("time"):
            seen.add(el)
            item = value_of(el) if not _in_link(el) else None
            if item:
                out.append(item)
    found, anchor_pos = [], None
    for pos, el in enumerate(doc.root.iter()):
        if el is anchor:
            anchor_pos = pos
        if el.tag == "time" and el not in seen and not _in_link(el):
            item = value_of(el)
            if item:
                found.append((pos, item))
    out.extend(_nearest_first(found, anchor_pos))
    return out


def date_texts(doc, scope=None, anchor=None, limit: int = 20) -> list[str]:
    """Short texts of date-looking elements (class says date/time/publish...):
    those of ``scope`` in page order, then the page's others nearest to
    ``anchor`` (the article's h1) first; never one inside a link (a teaser's)."""
    def looks_dated(el) -> str | None:
        if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS:
            return None
        cls = class_and_id(el)
        if not cls.strip() or not _DATE_CLASS.search(cls):
            return None
        text = clean_element_text(el)
        if text and 6 <= len(text) <= 120 and re.search(r"\d", text):
            return text
        return None

    out: list[str] = []
    inside = set()
    if scope is not None:
        for el in scope.iter():
            inside.add(el)
            text = looks_dated(el)
            if text and not _in_link(el):
                out.append(text)
    found, anchor_pos = [], None
    for pos, el in enumerate(doc.root.iter()):
        if el is anchor:
            anchor_pos = pos
        if el in inside:
            continue
        text = looks_dated(el)
        if text and _in_link(el):
            continue  # a teaser's date
        if text:
            found.append((pos, text))
    out.extend(_nearest_first(found, anchor_pos))
    return list(dict.fromkeys(out))[:limit]


def _parse_date(text: str | None, tz, *, fallback: bool = False):
    """ParsedDate or None (no text, or no date in it)."""
    if not text:
        return None
    return parse_datetime_ex(str(text), tz=tz, fallback=fallback)


def _iso(value: datetime) -> str:
    return value.isoformat()


def choose_date(candidates: list[tuple[str, str]], tz, dom_values=None):
    """First candidate that parses, with an offset borrowed from a sibling when it has none.

    Returns (iso string, layer) or (None, None).
    """
    parsed = []
    for text, layer in candidates:
        result = _parse_date(text, tz)
        if result is not None:
            parsed.append((result, layer, text))
    if not parsed and dom_values is not None:
        for text, kind in (dom_values() if callable(dom_values) else dom_values):
            result = _parse_date(text, tz, fallback=(kind == "text"))
            if result is not None:
                parsed.append((result, "generic", text))
                break
    if not parsed:
        return None, None
    best, layer, _ = parsed[0]
    value = best.value
    if not best.has_offset:
        for other, _layer, _text in parsed[1:]:
            if other.has_offset and other.has_time and best.has_time:
                naive_best = best.value.replace(tzinfo=None)
                local_other = other.value.replace(tzinfo=None)
                if abs((naive_best - local_other).total_seconds()) < 60:
                    value = naive_best.replace(tzinfo=other.value.tzinfo)
                    break
    if not best.has_time:
        # A date alone: another candidate of the same day with a time is more precise.
        for other, other_layer, _text in parsed[1:]:
            if other.has_time and other.value.date() == best.value.date():
                return _iso(other.value), other_layer
    return _iso(value), layer


def dom_date_values(doc, scope, anchor=None) -> list[tuple[str, str]]:
    values = time_values(doc, scope, anchor)
    values += [(t, "text") for t in date_texts(doc, scope, anchor)]
    return values
