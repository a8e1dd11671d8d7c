"""The scoring rules, one field at a time, on plain values (no pages, no extractors).

* title: equal after whitespace collapse and NFC (invisible characters such as
  soft hyphens and zero-width spaces are dropped before comparing, everywhere);
* published: the same instant to the minute; when the expected value has no
  offset, the same wall-clock minute, and when it is midnight without an offset
  (a date with no time), the same day; a bare day (``2019-04-19``) is compared
  by day, the extracted time's calendar day in its own offset (so a local time
  converted to UTC can land on the neighbouring day and fail, as it should);
* authors: the same set, case- and whitespace-insensitive; the outlet's own
  name (the page's publisher / host) is not an author in newscrawl's schema and
  is left out on both sides, and an agency the extractor files under
  ``source`` counts as one of the names (see :func:`authors_match`);
* body: precision / recall / F1 over 4-token shingles of ``\\w+`` tokens
  (:func:`prf`), averaged over pages;
* captions: F1 of matched captions (:func:`captions_f1`);
* snippets: :func:`snippet_scores`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from newscrawl.model.text import INVISIBLE  # soft hyphen, zero-width characters, BOM: part of no word

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_BARE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def norm_text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", INVISIBLE.sub("", str(value))).strip())


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def text_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return "" if value is None else str(value)


def tokens(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", INVISIBLE.sub("", text)))


def shingles(toks: list[str], n: int = 4) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def prf(expected: str, extracted: str) -> tuple[float, float, float]:
    exp = shingles(tokens(expected))
    got = shingles(tokens(extracted))
    if not exp and not got:
        return 1.0, 1.0, 1.0
    if not exp or not got:
        return 0.0, 0.0, 0.0
    overlap = sum((exp & got).values())
    precision = overlap / sum(got.values())
    recall = overlap / sum(exp.values())
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return precision, recall, f1


def parse_when(value: Any) -> dt.datetime | dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if _BARE_DAY.fullmatch(text):
        # a calendar day alone: compared by day, never read as a midnight in some zone
        return dt.date.fromisoformat(text)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


def published_match(expected: Any, got: Any, day_only: bool = False) -> bool:
    """True when ``got`` is the expected publish time (see the module docstring).

    ``day_only`` scores a tool that only gives a date (trafilatura): the same
    calendar day as the expected value in its own offset.
    """
    exp = parse_when(expected)
    if exp is None:
        return parse_when(got) is None
    res = parse_when(got)
    if res is None:
        return False
    if not isinstance(exp, dt.datetime):
        # a bare expected day: the extracted day, in the extracted value's own offset
        return (res.date() if isinstance(res, dt.datetime) else res) == exp
    if day_only or not isinstance(res, dt.datetime):
        res_day = res.date() if isinstance(res, dt.datetime) else res
        return res_day == exp.date()
    if exp.tzinfo is None:
        if exp.time() == dt.time(0, 0):
            # A date without a time: the same day, wherever the extractor put it.
            return res.date() == exp.date()
        return _minute(res.replace(tzinfo=None)) == _minute(exp)
    if res.tzinfo is None:
        return False
    return _minute(res.astimezone(dt.timezone.utc)) == _minute(exp.astimezone(dt.timezone.utc))


def offset_match(expected: Any, got: Any) -> bool:
    """Stricter than :func:`published_match`: also the same UTC offset (when expected has one)."""
    if not published_match(expected, got):
        return False
    exp, res = parse_when(expected), parse_when(got)
    if not isinstance(exp, dt.datetime) or exp.tzinfo is None or not isinstance(res, dt.datetime):
        return True
    return exp.utcoffset() == res.utcoffset()


def author_key(name: str) -> str:
    return norm_text(name).casefold()


def _squash(text: str) -> str:
    """Letters and digits only, casefolded, without diacritics ("Habertürk" -> "haberturk")."""
    folded = unicodedata.normalize("NFKD", norm_text(text).casefold())
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def outlet_keys(expected: dict) -> set[str]:
    """Squashed names of the outlet a page belongs to: its publisher and its host's labels."""
    keys = set()
    publisher = expected.get("publisher")
    if isinstance(publisher, str):
        keys.add(_squash(publisher))
    host = (urlsplit(expected.get("url") or "").hostname or "").lower()
    labels = [label for label in host.split(".") if label not in ("www", "com", "co", "net", "org")]
    keys.update(_squash(label) for label in labels[:-1] or labels)
    if host:
        keys.add(_squash(host[4:] if host.startswith("www.") else host))
    return {k for k in keys if len(k) >= 3}


def is_outlet(name: str, outlets: set[str]) -> bool:
    key = _squash(name)
    if not key:
        return False
    return any(key == o or ((o in key or key in o) and len(key) <= len(o) + 10) for o in outlets)


def authors_match(expected: Any, got: Any, source: Any = None, outlets: set[str] = frozenset()) -> bool:
    """Same set of names, case- and whitespace-insensitive, with two schema rules:

    * newscrawl's authors are people: the outlet's own name ("Der Spiegel" on
      spiegel.de), which the expected lists sometimes give as author, is left
      out on both sides;
    * an agency is filed under ``source``, never as an author, while the
      expected lists sometimes name it as author: the agency then counts as
      one of the names.
    """
    exp = {author_key(a) for a in as_list(expected) if norm_text(a) and not is_outlet(a, outlets)}
    res = {author_key(a) for a in as_list(got) if norm_text(a) and not is_outlet(a, outlets)}
    if exp == res:
        return True
    src = norm_text(source) if isinstance(source, str) else ""
    return bool(src) and not is_outlet(src, outlets) and exp == res | {author_key(src)}


def _caption_same(a: str, b: str) -> bool:
    na, nb = norm_text(a).casefold(), norm_text(b).casefold()
    if not na or not nb:
        return False
    if na == nb or na in nb or nb in na:
        return True
    ta, tb = set(tokens(na)), set(tokens(nb))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.6


def captions_f1(expected: list, got: list) -> float:
    exp = [norm_text(text_of(c)) for c in expected if norm_text(text_of(c))]
    res = [norm_text(text_of(c)) for c in got if norm_text(text_of(c))]
    if not exp and not res:
        return 1.0
    if not exp or not res:
        return 0.0
    used: set[int] = set()
    hits = 0
    for e in exp:
        for i, r in enumerate(res):
            if i not in used and _caption_same(e, r):
                used.add(i)
                hits += 1
                break
    if not hits:
        return 0.0
    precision, recall = hits / len(res), hits / len(exp)
    return 2 * precision * recall / (precision + recall)




def snippet_scores(must_contain: Any, must_not_contain: Any, text: str) -> dict | None:
    """Scores of one page's snippets against ``text``, or None for a page without snippets.

    A ``must_contain`` snippet is satisfied when it occurs in ``text``, a
    ``must_not_contain`` one when it does not; both sides after NFC and
    whitespace collapse, case kept. ``snippets`` is the share satisfied,
    ``snippets_all`` whether all are; the hit counts are pooled by the summary.
    """
    must = [norm_text(x) for x in as_list(must_contain) if norm_text(x)]
    must_not = [norm_text(x) for x in as_list(must_not_contain) if norm_text(x)]
    if not must and not must_not:
        return None
    haystack = norm_text(text)
    found = sum(1 for x in must if x in haystack)
    avoided = sum(1 for x in must_not if x not in haystack)
    total = len(must) + len(must_not)
    return {
        "snippets": (found + avoided) / total,
        "snippets_all": found + avoided == total,
        "must_contain_hit": found, "must_contain_n": len(must),
        "must_not_contain_hit": avoided, "must_not_contain_n": len(must_not),
    }
