"""The headline: ``<h1>`` / ``<h2>`` headings (kicker split off), ``<title>`` and og:title without the
site name, and the rules that choose between them (:func:`choose_title`)."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable
from urllib.parse import urlsplit

from newscrawl.extract.generic.dom import class_and_id, clean_element_text, in_navigation, join_blocks, norm_key
from newscrawl.extract.structured import StructuredData
from newscrawl.model.text import clean_text


_EDGE_SEPARATORS = re.compile(r"^[\s\-–—|:·•/]+|[\s\-–—|:·•/]+$")


_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|•|::|»|«|/|\\)\s+|\s*\|\s*")


_DATE_ONLY = re.compile(r"^[\d\s./:-]+$")


def h1_texts(doc) -> list[str]:
    """Texts of the page's ``<h1>`` elements, document order, empty ones dropped."""
    out = []
    for h1 in doc.root.iter("h1"):
        text = clean_element_text(h1)
        if text and len(text) > 2:
            out.append(text)
    return out


# A kicker (overline) element inside a heading: by its class or id ...
_KICKER_CLASS = re.compile(
    r"kicker|overline|topline|dachzeile|eyebrow|rubric|supertitle|super-title|pretitle|pre-title|roofline|"
    r"catchline|flag|label|spitzmarke|tagline|category|section",
    re.IGNORECASE,
)


# ... or by a data-* attribute naming it, with the specific words only ("label", "section"... are too common there).
_KICKER_MARK = re.compile(
    r"kicker|overline|topline|dachzeile|eyebrow|supertitle|super-title|pretitle|pre-title|roofline|spitzmarke",
    re.IGNORECASE,
)


_HIDDEN_CLASS = re.compile(r"offscreen|sr-only|visually-?hidden|screen-?reader|a11y", re.IGNORECASE)


_HAS_WORD = re.compile(r"\w")


def is_kicker(el) -> bool:
    """A kicker / overline element: by class or id, or by a ``data-*`` attribute naming it
    (``data-kicker=...``, ``data-role="kicker"``)."""
    if _KICKER_CLASS.search(class_and_id(el)):
        return True
    for name, value in el.attrib.items():
        if not name.startswith("data-"):
            continue
        if _KICKER_MARK.search(name) or (len(value) < 40 and " " not in value and _KICKER_MARK.search(value)):
            return True
    return False


def _is_hidden(el) -> bool:
    return (el.get("aria-hidden") or "").lower() == "true" or bool(_HIDDEN_CLASS.search(el.get("class") or ""))


def heading_texts(el) -> tuple[str, str, list[str]]:
    """(full text, text without kicker / visually hidden children, texts of the other children) of a heading."""
    full = clean_element_text(el)
    parts: list[str] = []
    dropped = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if _is_hidden(child) or is_kicker(child):
            dropped.append(child)
            continue
        text = clean_element_text(child)
        if text and _HAS_WORD.search(text):
            parts.append(text)
    headline = full
    if dropped:
        pieces = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and not any(child is d for d in dropped):
                pieces.append("\x00" + clean_element_text(child) + "\x00")
            pieces.append(child.tail or "")
        kept = clean_text(join_blocks("".join(pieces)))
        if kept and _HAS_WORD.search(kept):
            headline = kept
    return full, headline, parts


def title_tag(doc) -> str | None:
    head = doc.root.find("head")
    node = head.find("title") if head is not None else None
    if node is None:
        found = doc.root.xpath("//title")
        node = found[0] if found else None
    return clean_element_text(node) if node is not None else None


def site_name_keys(doc, names: Iterable[str]) -> set[str]:
    """Comparison keys of the names the site goes by: declared names and the host's labels."""
    keys = {norm_key(n) for n in names if n}
    host = (urlsplit(doc.url or "").hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host:
        keys.add(norm_key(host))
        labels = host.split(".")
        if len(labels) >= 2:
            keys.add(norm_key(labels[-2] if len(labels[-2]) > 3 or len(labels) < 3 else labels[-3]))
            keys.add(norm_key(labels[0]))
    return {k for k in keys if k}


def _ascii_fold(key: str) -> str:
    """Letters without diacritics ("báo ví dụ" -> "bao vi du"), to compare names with host names."""
    folded = unicodedata.normalize("NFKD", key.replace("đ", "d").replace("ð", "d").replace("ø", "o").replace("ß", "ss"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def is_site_segment(segment: str, site_keys: set[str]) -> bool:
    key = norm_key(segment)
    if not key:
        return True
    if _DATE_ONLY.match(segment.strip()):
        return True
    squashed = _ascii_fold(key.replace(" ", ""))
    for site in site_keys:
        s = _ascii_fold(site.replace(" ", ""))
        if not s:
            continue
        if squashed == s or (len(s) >= 3 and (s in squashed or squashed in s) and len(squashed) <= len(s) + 12):
            return True
    return False


def strip_site_name(title: str | None, site_keys: set[str], others: Iterable[str] = ()) -> str | None:
    """Remove site-name (and date) segments around a ``<title>`` / og:title.

    When one of ``others`` (headline candidates from elsewhere) equals a prefix or
    suffix of the title at a separator, that is the answer.
    """
    title = clean_text(title)
    if title:
        title = _EDGE_SEPARATORS.sub("", title)
    if not title or is_site_segment(title, site_keys):
        return None  # nothing but the site's name
    other_keys = {norm_key(o): o for o in others if o}
    matches = list(_TITLE_SEPARATORS.finditer(title))
    # 1. a candidate from elsewhere found at a separator
    for m in matches:
        left, right = title[: m.start()].strip(), title[m.end():].strip()
        for part in (left, right):
            if norm_key(part) in other_keys and len(norm_key(part)) > 10:
                return part
    # 2. strip site-looking segments from the right, then from the left
    segments_text = title
    changed = True
    while changed:
        changed = False
        ms = list(_TITLE_SEPARATORS.finditer(segments_text))
        if not ms:
            break
        last = ms[-1]
        tail = segments_text[last.end():]
        if is_site_segment(tail, site_keys):
            segments_text = segments_text[: last.start()].strip()
            changed = True
            continue
        first = ms[0]
        head = segments_text[: first.start()]
        if is_site_segment(head, site_keys):
            segments_text = segments_text[first.end():].strip()
            changed = True
    return segments_text or title


def _headings(elements) -> list[tuple[object, str, str, list[str]]]:
    out = []
    for el in elements:
        full, headline, parts = heading_texts(el)
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
    h1s = _headings(doc.root.iter("h1"))
    main = [h for h in h1s if not in_navigation(h[0])]
    nav = [h for h in h1s if not any(h is m for m in main)]

    def match(entries):
        for _el, full, headline, parts in entries:
            for candidate in (full, headline, *parts):
                key = norm_key(candidate)
                if key and key in known_keys:
                    return candidate, key
        # A structured title giving another label before the heading without its kicker.
        for _el, full, headline, _parts in entries:
            if headline == full:
                continue
            hkey = norm_key(headline)
            for key in known_keys:
                if hkey and key.endswith(" " + hkey) and len(key[: -len(hkey)].split()) <= _LABEL_WORDS:
                    return headline, key
        return None

    if known_keys:
        found = match(main)
        if found is None:
            h2s = _headings(h for h in doc.root.iter("h2") if not in_navigation(h))
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
    return {
        norm_key(clean_element_text(el))
        for tag in ("h1", "h2")
        for el in doc.root.iter(tag)
        if "headline" in (el.get("itemprop") or "").split()
    }


_HEADLINE_EDGES = re.compile(r"^[\s\-–—|:·•]+|[\s\-–—|:·•]+$")


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
    site_keys = site_name_keys(doc, data.publisher_names())
    h1_all = h1_texts(doc)
    og_clean = strip_site_name(og, site_keys, [t for t in (ld, *h1_all) if t]) if og else None
    if og_clean and is_site_segment(og_clean, site_keys):
        og_clean = None  # og:title is just the site's name
    tag = title_tag(doc)
    tag_clean = strip_site_name(tag, site_keys, [t for t in (ld, og, *h1_all) if t]) if tag else None
    if ld:
        ld = strip_site_name(ld, site_keys)

    known = {norm_key(t) for t in (og_clean, tag_clean) if t}
    if ld and not (ld_layer == "microdata" and norm_key(ld) in _itemprop_heading_keys(doc)):
        known.add(norm_key(ld))  # a heading's own itemprop=headline is no second source
    h1, h1_match = _visible_headline(doc, known, scope)
    if h1:
        h1 = _HEADLINE_EDGES.sub("", h1) or h1

    cands = {"og": og_clean, "ld": ld, "title": tag_clean, "h1": h1}
    layers = {"og": "meta", "ld": ld_layer or "jsonld", "title": "generic", "h1": "generic"}
    keys = {name: norm_key(text) for name, text in cands.items() if text}
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
