"""Fallback extraction for pages (or fields) no site file covers.

``extract_fallback(doc)`` combines the structured layer
(:mod:`newscrawl.extract.structured`: JSON-LD, microdata, OpenGraph/meta) with
the generic layer (:mod:`newscrawl.extract.generic`: what the visible page
shows) and returns ``(fields, sources)``; ``sources[field]`` is the layer the
value came from: ``"jsonld"``, ``"microdata"``, ``"meta"`` or ``"generic"``.

How each field is chosen (general rules, nothing per publisher):

title
    Candidates: the JSON-LD/microdata headline, og:title (twitter:title when
    there is none) and ``<title>`` with the site name (and dates) stripped, and
    the visible headline: an ``<h1>`` outside navigation (breadcrumbs, teaser
    lists), else an ``<h2>`` a structured title confirms, else a breadcrumb h1.
    The visible headline confirmed by og:title or JSON-LD wins (its kicker
    kept or dropped as they give it); else what most of og:title, JSON-LD and
    ``<title>`` say (og:title first on ties); without og:title and JSON-LD,
    the h1, else ``<title>``. Spelling (quotes, dashes) follows the agreeing
    sources' majority. The rules in full: :func:`choose_title`.
published / modified
    JSON-LD datePublished > microdata > ``article:published_time`` and other
    meta > itemprop > ``<time datetime>`` > date-looking visible text. A value
    without a UTC offset borrows one from another candidate of the same local
    time, else is read in ``tz``; a date alone gives way to a candidate of the
    same day with a time.
authors
    JSON-LD author (Person names, ``@id`` references resolved, every JSON-LD
    description of the article) > microdata > byline in the article region
    (links to author pages, author/byline classes, "By/Von/Par..." lines, a
    name alone as the last paragraph) > meta author / article:author. Strings
    go through :func:`newscrawl.extract.authors.parse_byline`, then a
    multilingual split ("und", "y", "et", "og"...), all parts names or none.
    Authors are people: an Organization author is never one (an agency it
    names becomes ``source``), nor is the outlet's own name.
body
    trafilatura's main text (balanced mode: measured better than
    favor_precision/recall) without captions, credits, bylines, "read also"
    links, link lists, sub-headings and the title / lead repeated; then the
    page layout: paragraphs outside the article region (the element holding
    the headline and the body) are dropped, and paragraphs styled like the body
    ones (same tag, class and parent class) that trafilatura missed are added.
lead
    A standfirst: a lead/intro/summary element placed before the body in the
    article region, or the structured description when the region shows it and
    it is not the first paragraph cut short; moved out of the body when the
    body starts with it. Never a caption, never the headline.
captions
    For each image of the article region: its figcaption / caption element, or
    the text of the small block around it; photo-credit-only texts left out.
language
    ``<html lang>``, else JSON-LD inLanguage / og:locale.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Iterable

from newscrawl.extract import generic as g
from newscrawl.extract.structured import StructuredData
from newscrawl.model.item import DEFAULT_TIMEZONE
from newscrawl.model.text import clean_text

logger = logging.getLogger(__name__)

__all__ = ["extract_fallback", "ALL_FIELDS"]

ALL_FIELDS = (
    "title", "lead", "published", "modified", "authors", "source", "section", "tags",
    "images", "captions", "body", "canonical_url", "language",
)
_PAREN_SUFFIX = re.compile(r"\s*\((?:[^()]{1,8})\)\s*$")


# --------------------------------------------------------------------------- helpers


def _parse_date(text: str | None, tz, *, fallback: bool = False):
    """ParsedDate or None; never raises."""
    if not text:
        return None
    try:
        from newscrawl.extract.dates import parse_datetime_ex

        return parse_datetime_ex(str(text), tz=tz, fallback=fallback)
    except Exception:
        return None


def _iso(value: datetime) -> str:
    return value.isoformat()


# --------------------------------------------------------------------------- title


def _headings(elements) -> list[tuple[object, str, str, list[str]]]:
    out = []
    for el in elements:
        full, headline, parts = g.heading_texts(el)
        if full and len(full) >= 3:
            out.append((el, full, headline, parts))
    return out


_LABEL_WORDS = 8  # at most this many words before the headline make a label (kicker)


def _visible_headline(doc, known_keys: set[str], scope) -> tuple[str | None, str | None]:
    """The headline the page shows, and the structured title key it matches (None when unconfirmed).

    Tiers: the h1s outside navigation, then (only when one matches a structured
    title) the h2s outside navigation, then the h1s in navigation (breadcrumbs,
    teaser lists). In a tier, the first heading whose whole text, text without
    kicker or one child's text matches a structured title wins; failing that,
    the first whose text without kicker ends a structured title after a short
    label ("Label: headline"). Unconfirmed: the first h1 outside navigation in
    ``scope``, else the first outside navigation, else the first.
    """
    try:
        h1s = _headings(doc.root.iter("h1"))
    except Exception:
        return None, None
    main = [h for h in h1s if not g.in_navigation(h[0])]
    nav = [h for h in h1s if not any(h is m for m in main)]

    def match(entries):
        for _el, full, headline, parts in entries:
            for candidate in (full, headline, *parts):
                key = g.norm_key(candidate)
                if key and key in known_keys:
                    return candidate, key
        # A structured title giving another label before the heading without its kicker.
        for _el, full, headline, _parts in entries:
            if headline == full:
                continue
            hkey = g.norm_key(headline)
            for key in known_keys:
                if hkey and key.endswith(" " + hkey) and len(key[: -len(hkey)].split()) <= _LABEL_WORDS:
                    return headline, key
        return None

    if known_keys:
        found = match(main)
        if found is None:
            try:
                h2s = _headings(h for h in doc.root.iter("h2") if not g.in_navigation(h))
            except Exception:
                h2s = []
            found = match(h2s) or match(nav)
        if found is not None:
            return found
    if scope is not None:
        for el, _full, headline, _parts in main:
            if any(anc is scope for anc in el.iterancestors()):
                return headline, None
    if main:
        return main[0][2], None
    if nav:
        return nav[0][2], None
    return None, None


def _itemprop_heading_keys(doc) -> set[str]:
    """Keys of the h1/h2 elements that carry itemprop=headline themselves."""
    try:
        return {
            g.norm_key(g.element_text(el))
            for tag in ("h1", "h2")
            for el in doc.root.iter(tag)
            if "headline" in (el.get("itemprop") or "").split()
        }
    except Exception:
        return set()


_EDGE_SEPARATORS = re.compile(r"^[\s\-–—|:·•]+|[\s\-–—|:·•]+$")


def choose_title(doc, data: StructuredData, scope=None) -> tuple[str | None, str | None]:
    """The headline and the layer it came from.

    Candidates: the JSON-LD/microdata headline, og:title (twitter:title when
    none), ``<title>`` (site name and dates stripped) and the visible headline
    (:func:`_visible_headline`). General rules, in order:

    1. A heading inside navigation (a nav, list item, link or breadcrumb-marked
       element holding at most one paragraph) is a breadcrumb or a teaser: the
       headings outside navigation are tried first.
    2. When no h1 outside navigation matches a structured title, an h2 outside
       navigation that one matches is the visible headline (the headline shown
       in an h2, the h1 being a breadcrumb or a teaser).
    3. The visible headline confirmed by og:title or JSON-LD wins; a heading's
       own ``itemprop="headline"`` is the heading itself, not a confirmation.
    4. A kicker (an overline child marked by class, id or a data attribute)
       stays when og:title / JSON-LD give the heading with it, goes when they
       give it without; when they give another label before the headline
       ("Label: headline"), the part they share, the heading without its
       kicker, wins.
    5. Else what most of og:title, JSON-LD and ``<title>`` say (og:title, then
       JSON-LD first on ties); without og:title and JSON-LD, the visible
       headline, else ``<title>``.
    6. Spelling (quotes, dashes) follows the agreeing sources' majority,
       og:title first on ties.

    A ``<meta>`` cut short by an unescaped quote is never read
    (:attr:`StructuredData.meta`), so a broken og:title takes no part.
    """
    structured = data.titles()
    ld, ld_layer = next(((t, layer) for t, layer in structured if layer in ("jsonld", "microdata")), (None, None))
    og = data.meta_first("og:title") or data.meta_first("twitter:title")
    site_keys = g.site_name_keys(doc, data.publisher_names())
    h1_all = g.h1_texts(doc)
    og_clean = g.strip_site_name(og, site_keys, [t for t in (ld, *h1_all) if t]) if og else None
    if og_clean and g._is_site_segment(og_clean, site_keys):
        og_clean = None  # og:title is just the site's name
    tag = g.title_tag(doc)
    tag_clean = g.strip_site_name(tag, site_keys, [t for t in (ld, og, *h1_all) if t]) if tag else None
    if ld:
        ld = g.strip_site_name(ld, site_keys)

    known = {g.norm_key(t) for t in (og_clean, tag_clean) if t}
    if ld and not (ld_layer == "microdata" and g.norm_key(ld) in _itemprop_heading_keys(doc)):
        known.add(g.norm_key(ld))  # a heading's own itemprop=headline is no second source
    h1, h1_match = _visible_headline(doc, known, scope)
    if h1:
        h1 = _EDGE_SEPARATORS.sub("", h1) or h1

    cands = {"og": og_clean, "ld": ld, "title": tag_clean, "h1": h1}
    layers = {"og": "meta", "ld": ld_layer or "jsonld", "title": "generic", "h1": "generic"}
    keys = {name: g.norm_key(text) for name, text in cands.items() if text}
    if not keys:
        return None, None

    chosen = None
    # The visible headline confirmed by og:title or JSON-LD.
    if "h1" in keys and h1_match:
        for name in ("og", "ld"):
            if keys.get(name) == h1_match:
                if keys["h1"] != h1_match:
                    # og:title / JSON-LD give another label before the headline: what they share wins.
                    return clean_text(h1), "generic"
                chosen = name
                break
    # Else what most of og:title, JSON-LD and <title> say (og:title first on ties), else the h1.
    if chosen is None and ("og" in keys or "ld" in keys):
        votes: dict[str, list[str]] = {}
        for name in ("og", "ld", "title"):
            if name in keys:
                votes.setdefault(keys[name], []).append(name)
        chosen = max(votes.values(), key=len)[0]
    if chosen is None:
        chosen = "h1" if "h1" in keys else "title"
    # Spelling (quotes, dashes): the one most agreeing sources use; og:title first on ties.
    same = [cands[name] for name in ("og", "ld", "title", "h1") if name in keys and keys[name] == keys[chosen]]
    counts: dict[str, int] = {}
    for text in same:
        counts[text] = counts.get(text, 0) + 1
    best = max(counts.values())
    text = next(t for t in same if counts[t] == best)
    return clean_text(text), layers[chosen]


# --------------------------------------------------------------------------- dates


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
    values = g.time_values(doc, scope, anchor)
    values += [(t, "text") for t in g.date_texts(doc, scope, anchor)]
    return values


# --------------------------------------------------------------------------- authors


_CONJUNCTIONS = re.compile(
    r"\s*(?:[,;&/]|\s(?:and|und|y|et|e|og|och|en|i|và|и|ve|dan|ja|és|oraz|ir|un|és)\s)\s*",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def _parse_byline(text: str):
    try:
        from newscrawl.extract.authors import parse_byline

        return parse_byline(text)
    except Exception:
        return None


_NAME_PARTICLES = {
    "von", "van", "der", "den", "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "bin", "binti",
    "al", "el", "ibn", "ter", "ten", "zu", "y", "e", "af", "av", "st", "mc", "o",
}


def _plausible_name(text: str, any_case: bool = False) -> bool:
    """A person's name: 1-5 words, no digits/domains/colons, each word capitalised (or a particle)."""
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 60:
        return False
    if any(ch.isdigit() for ch in text) or "@" in text or ":" in text or _SLUG.match(text) or _DOMAIN.match(text):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if any_case:
        return True
    for word in words:
        first = next((ch for ch in word if ch.isalpha()), "")
        if not first:
            continue
        if not first.isupper() and word.lower().strip(".'’") not in _NAME_PARTICLES:
            return False
    return True


def person_names(text: str, declared_person: bool = False) -> tuple[list[str], str | None, bool]:
    """(names, agency source, parsed) for one byline / author string.

    :func:`newscrawl.extract.authors.parse_byline` first; when it rejects the
    string, a multilingual split on commas and conjunctions ("und", "y", "et",
    "og"...), keeping the parts that are names. ``declared_person``: the string
    is a schema.org Person's name, so a plausible name is accepted as it is.
    """
    text = clean_text(text) or ""
    if not text:
        return [], None, False
    byline = _parse_byline(text)
    if byline is not None and (byline.authors or byline.source):
        names = [n for n in (_clean_person(x) for x in byline.authors) if n]
        return names, byline.source, True
    names: list[str] = []
    source = None
    parts = [p for p in _CONJUNCTIONS.split(text) if p and p.strip()]
    if len(parts) == 1 and not declared_person:
        return [], None, False
    for part in parts:
        part = _clean_person(part)
        if not part:
            continue
        sub = _parse_byline(part) if len(parts) > 1 else None
        if sub is not None and sub.authors:
            names.extend(n for n in (_clean_person(x) for x in sub.authors) if n)
        elif sub is not None and sub.source:
            source = source or sub.source
        elif _plausible_name(part, any_case=declared_person and (len(parts) == 1 or text.islower() or text.isupper())):
            names.append(part)
        elif not declared_person:
            return [], None, False  # a byline is all names or it is not a byline
    return names, source, bool(names or source)


def _clean_person(name: str) -> str | None:
    name = clean_text(name)
    if not name:
        return None
    name = _PAREN_SUFFIX.sub("", name).strip(" ,;:")
    return name or None


def article_h1(doc, title: str | None, container=None):
    """The h1 showing the title (else the first h1 outside the body container)."""
    try:
        h1s = list(doc.root.iter("h1"))
    except Exception:
        return None
    title_key = g.norm_key(title)
    if title_key:
        for h1 in h1s:
            key = g.norm_key(g.element_text(h1))
            if key and (key == title_key or title_key in key or (len(key) > 15 and key in title_key)):
                return h1
    inside = set(container.iter("h1")) if container is not None else set()
    return next((h for h in h1s if h not in inside), None)


def article_region(doc, container, title: str | None = None):
    """The smallest element holding both the article's h1 and its body container.

    The article's h1 is the one showing the title (else the first h1 outside the
    container). Falls back to the enclosing ``<article>``/``<main>``.
    """
    if container is None:
        return None
    chosen = article_h1(doc, title, container)
    if chosen is not None:
        chain = {container, *container.iterancestors()}  # elements, not id()s: lxml proxies are transient
        for anc in chosen.iterancestors():
            if anc in chain:
                if anc.tag not in ("body", "html"):
                    return anc
                break
    return g.article_scope(container)


def choose_authors(doc, data: StructuredData, scope=None, extra_bylines: Iterable[str] = (),
                   dom: bool = True) -> tuple[list[str], list[str], str | None, str | None]:
    """(authors, authors_raw, source, layer); see the module docstring for the order.

    ``dom=False`` leaves out the byline search in the page (for a known layout, whose own
    byline selector has already looked there): structured data, then meta tags."""
    publisher_keys = g.site_name_keys(doc, data.publisher_names())

    def is_outlet(name: str) -> bool:
        return g._is_site_segment(name, publisher_keys)

    source = None
    candidates = data.author_candidates()
    structured = [(entries, layer) for entries, layer in candidates if layer != "meta"]
    meta = [(entries, layer) for entries, layer in candidates if layer == "meta"]

    def take(entries, declared: bool) -> tuple[list[str], list[str]]:
        """Persons of one candidate list; agencies become the source. ``declared``:
        structured data's author, where an agency stands even on its own site
        (an AP story on apnews.com); a meta tag naming the outlet says nothing."""
        nonlocal source
        persons, raw = [], []
        for name, kind in entries:
            if kind == "org":
                # An organisation is never an author; an agency it names is the source.
                byline = _parse_byline(name) if declared or not is_outlet(name) else None
                if byline is not None and byline.source and not byline.authors:
                    source = source or byline.source
                continue
            names, src, _ = person_names(name, declared_person=(kind == "person"))
            if src and (declared or not is_outlet(src)) and not source:
                source = src
            for n in names:
                if not is_outlet(n):  # the outlet's own name is not an author
                    persons.append(n)
            if names:
                raw.append(name)
        return persons, raw

    for entries, layer in structured:
        persons, raw = take(entries, True)
        if persons:
            return list(dict.fromkeys(persons)), raw, source, layer
    for text in [*g.byline_texts(doc, scope), *extra_bylines] if dom else ():
        names, src, _ = person_names(text)
        if src and not is_outlet(src) and not source:
            source = src
        names = [n for n in names if not is_outlet(n)]
        if names:
            return list(dict.fromkeys(names)), [text], source, "generic"
    for entries, layer in meta:
        persons, raw = take(entries, False)
        if persons:
            return list(dict.fromkeys(persons)), raw, source, layer
    return [], [], source, None


def tail_byline(body: list[str]) -> tuple[str | None, list[str]]:
    """A name alone as the body's last paragraph (a common signature style): (byline, body without it)."""
    if not body:
        return None, body
    last = body[-1]
    if len(last) > 60:
        return None, body
    byline = _parse_byline(last)
    if byline is not None and (byline.authors or byline.source):
        return last, body[:-1]
    return None, body


# --------------------------------------------------------------------------- lead


_CREDIT_MARK = re.compile(r"©|\((?:image|photo|foto|bild|picture|credit)s?\s*:|\b(?:foto|photo|bild|image)\s*:\s", re.IGNORECASE)


def choose_lead(doc, data: StructuredData, body: list[str], region, first_el=None, *,
                title: str | None = None, caption_keys: set[str] = frozenset()) -> tuple[str | None, str | None, list[str]]:
    """(lead, layer, body without the lead).

    1. a standfirst candidate (lead-class element or structured description)
       printed as one of the body's first paragraphs is moved out of the body;
    2. a lead-class element of the article region placed before the body;
    3. the structured description, when the article region shows it and it is
       not just the first paragraph cut short.
    """
    first_keys = [g.norm_key(p) for p in body[:3]]
    body_keys = [g.norm_key(p) for p in body]
    dom = [(text, "generic") for text in g.lead_candidates(doc, region, first_el)]
    described = list(data.descriptions())

    title_key = g.norm_key(title)

    def usable(text: str) -> bool:
        key = g.norm_key(text)
        if len(key) < 20 or (len(key.split()) < 6 and len(text) < 40):
            return False
        if key in caption_keys or _CREDIT_MARK.search(text):
            return False  # an image caption
        if title_key and title_key in key and len(key) < len(title_key) + 30:
            return False  # the headline with a label
        return not any(len(bk) > 30 and bk in key and bk != key for bk in body_keys)  # holds body text

    for text, layer in [*dom, *described]:
        if not usable(text):
            continue
        key = g.norm_key(text)
        for i, fk in enumerate(first_keys):
            if fk == key:
                return body[i], layer, body[:i] + body[i + 1:]
    for text, layer in dom:
        if usable(text):
            return text, layer, body
    region_key = None
    for text, layer in described:
        if not usable(text):
            continue
        key = g.norm_key(text)
        stem = key.rsplit(" ", 1)[0] if text.rstrip().endswith(("…", "...")) else key
        if body_keys and body_keys[0].startswith(stem):
            continue  # a teaser: the first paragraph cut short
        if region_key is None:
            region_key = g.norm_key(g.element_text(region)) if region is not None else ""
        if key and key in region_key:
            return text, layer, body
    return None, None, body


# --------------------------------------------------------------------------- main


def extract_fallback(doc, wanted: Iterable[str] | None = None, tz=None,
                     structured_only: Iterable[str] = ()) -> tuple[dict, dict]:
    """Extract article fields from ``doc`` with the structured and generic layers.

    ``wanted`` limits the work to those fields (default: all). ``structured_only``:
    fields to take from structured data alone, never from a scan of the page (the
    caller trusts its own visible value over the generic layer's guess; for now
    this spares the date scan). ``tz`` reads dates that carry no offset (default
    Asia/Ho_Chi_Minh). Never raises.
    """
    wanted_set = set(wanted) if wanted is not None else set(ALL_FIELDS)
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}
    tz = tz or DEFAULT_TIMEZONE
    try:
        _extract(doc, wanted_set, tz, fields, sources, frozenset(structured_only))
    except Exception:  # a broken page gives what was extracted so far; a bug must still show
        logger.warning("generic extraction stopped early on %s", doc.url, exc_info=True)
    return fields, sources


def _put(fields, sources, name, value, layer):
    if value in (None, "", [], {}):
        return
    fields[name] = value
    sources[name] = layer or "generic"


def _extract(doc, wanted: set[str], tz, fields: dict, sources: dict, structured_only=frozenset()) -> None:
    data = StructuredData(doc)
    # The body (trafilatura, the costly part) also locates the article region on
    # the page, which the lead, captions and byline search use.
    need_body = bool(wanted & {"body", "lead", "captions"})

    body: list[str] = []
    removed_bylines: list[str] = []
    scope = None
    first_el = None
    container = None
    hits: list = []
    caps_keys: set[str] = set()
    if need_body:
        blocks = g.trafilatura_blocks(doc)  # balanced: measured better than favor_precision/recall
        caps_keys = g.caption_keys(doc)
        body = g.clean_body(blocks, captions=caps_keys, removed_bylines=removed_bylines)
        hits = g.locate_paragraphs(doc, body)
        container = g.container_of(hits)

    title, title_layer = (None, None)
    if wanted & {"title", "body", "lead"}:
        title, title_layer = choose_title(doc, data, g.article_scope(container) if need_body else None)
        if "title" in wanted:
            _put(fields, sources, "title", title, title_layer)
    if need_body:
        scope = article_region(doc, container, title)
        body_elements: list = []
        body = g.refine_body(doc, body, hits, scope, body_elements)
        first_el = next((el for el in body_elements if el is not None), None)

    signature, body = tail_byline(body)
    if not signature and need_body and removed_bylines:
        signature = removed_bylines[-1]
    if wanted & {"body", "lead"}:
        lead, lead_layer, body = choose_lead(doc, data, body, scope, first_el, title=title, caption_keys=caps_keys)
        if title:
            tkey = g.norm_key(title)
            body = [p for p in body if g.norm_key(p) != tkey]
        if lead:
            lkey = g.norm_key(lead)
            body = [p for p in body if g.norm_key(p) != lkey]
        if "lead" in wanted:
            _put(fields, sources, "lead", lead, lead_layer)
        if "body" in wanted:
            _put(fields, sources, "body", body, "generic")

    if wanted & {"published"}:
        dom = None if "published" in structured_only else (
            lambda: dom_date_values(doc, scope, article_h1(doc, title, container)))
        value, layer = choose_date(data.published_candidates(), tz, dom)
        _put(fields, sources, "published", value, layer)
    if "modified" in wanted:
        value, layer = choose_date(data.modified_candidates(), tz)
        _put(fields, sources, "modified", value, layer)

    if wanted & {"authors", "source"}:
        authors, raw, source, layer = choose_authors(doc, data, scope, [signature] if signature else (),
                                                     dom=not {"authors", "source"} <= structured_only)
        if "authors" in wanted:
            _put(fields, sources, "authors", authors, layer)
            if authors:
                fields["authors_raw"] = raw
        if "source" in wanted and source:
            _put(fields, sources, "source", source, "generic")

    if "captions" in wanted:
        caps = g.captions(doc, scope)
        _put(fields, sources, "captions", caps, "generic")

    if "section" in wanted:
        pair = data.section()
        if pair:
            _put(fields, sources, "section", pair[0], pair[1])
    if "tags" in wanted:
        pair = data.tags()
        if pair:
            _put(fields, sources, "tags", pair[0], pair[1])
    if "images" in wanted:
        pair = data.images()
        if pair:
            _put(fields, sources, "images", pair[0], pair[1])
    if "canonical_url" in wanted:
        pair = data.canonical()
        if pair:
            _put(fields, sources, "canonical_url", pair[0], pair[1])
    if "language" in wanted:
        lang = g.language(doc)
        if lang:
            _put(fields, sources, "language", lang, "generic")
        else:
            pair = data.language()
            if pair:
                _put(fields, sources, "language", g.normalise_language(pair[0]), pair[1])
