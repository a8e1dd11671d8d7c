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


# Separators left at a title's edges. A leading en or em dash before words is kept: it is the
# quotation dash of the Nordic and Slavic dialogue convention ("– Magisk, sier han"), part of the
# headline, not a separator left from a stripped name. Trailing dashes go.
_EDGE_SEPARATORS = re.compile(r"^(?:[\s\-|:·•/]|[–—](?![ \u00a0]*[\w\"'«»„“‘’]))+|[\s\-–—|:·•/]+$")


# Pipe-like separators, spaced or not: "|" and its look-alikes (the Hangul letter "ㅣ" Korean sites
# use, the box-drawing "│", the click letter "ǀ", "¦").
_PIPES = "|ㅣ│ǀ¦"


_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|•|::|»|«|›|‹|/|\\)\s+|\s*[" + _PIPES + r"]\s*")


# Separators that set off a site name or a date only: a spaced colon ("Headline : 06.11.2023, 11.41 Uhr",
# "Headline : Site"). French puts a space before every colon, so a spaced colon inside a headline is
# common: it is never used to pick a part another source confirms, only to strip a site or a date.
_TAIL_SEPARATORS = re.compile(r"\s+:\s+")


# A dash between two letters: "Headline-Site", also "Covid-19", "Baden-Württemberg". What follows it
# is stripped only when it is the site's name itself (:func:`_is_strict_site_segment`) or another
# source gives the title without it (:func:`strip_site_name`).
_UNSPACED_DASH = re.compile(r"(?<=[\w!?.)»“”\"'])[-–—](?=\w)")


# The site's name as a label: "Site: Headline" (only the site's name itself is stripped there).
_HEAD_COLON = re.compile(r"^([^:]{2,40}?)\s*:\s+")


# A trailing parenthesis: "Headline (Site)", "Headline (site.example)".
_TRAILING_PAREN = re.compile(r"\s*\(([^()]{2,60})\)\s*$")


_DATE_ONLY = re.compile(r"^[\d\s./:-]+$")


# A date or time segment: digits with date punctuation, optionally a clock word ("06.11.2023, 11.41 Uhr").
_DATE_SEGMENT = re.compile(r"^\s*\d[\d\s./:,-]*(?:\s*(?:uhr|h|am|pm|gmt|utc|ce?s?t))?\s*$", re.IGNORECASE)


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
        node = next(doc.root.iter("title"), None)  # the first anywhere, as //title: no XPath to compile
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
    """A title segment that is no part of the headline: empty, a date or time, or the site's name."""
    if not norm_key(segment):
        return True
    if _DATE_ONLY.match(segment.strip()) or _DATE_SEGMENT.match(segment):
        return True
    return _names_site(segment, site_keys)


def _names_site(segment: str, site_keys: set[str]) -> bool:
    """The segment is one of the site's names, or one with a few letters more or less."""
    key = norm_key(segment)
    squashed = _ascii_fold(key.replace(" ", ""))
    for site in site_keys:
        s = _ascii_fold(site.replace(" ", ""))
        if not s:
            continue
        if squashed == s or (len(s) >= 3 and (s in squashed or squashed in s) and len(squashed) <= len(s) + 12):
            return True
    return False


def _is_strict_site_segment(segment: str, site_keys: set[str], exact: bool = False) -> bool:
    """The segment is the site's name (or contains it whole, as "site.example" does; with ``exact``,
    is it), not merely a piece of it: what an unspaced dash or a colon sets off must be this sure
    ("Covid-19" on a site named "covid19news" keeps its "19", "Berlin: ..." on "Berliner Zeitung"
    its "Berlin")."""
    squashed = _ascii_fold(norm_key(segment).replace(" ", ""))
    if len(squashed) < 3:
        return False
    return any(len(s) >= 3 and (squashed == s or (not exact and s in squashed))
               for s in (_ascii_fold(k.replace(" ", "")) for k in site_keys))


def strip_site_name(title: str | None, site_keys: set[str], others: Iterable[str] = (),
                    sections: Iterable[str] = ()) -> str | None:
    """Remove site-name (and date) segments around a ``<title>`` / og:title.

    1. When one of ``others`` (headline candidates from elsewhere) equals a prefix or suffix of the
       title at a separator, that is the answer; an unspaced dash counts as a separator here too
       ("Headline-Site" where the h1 says "Headline").
    2. Else site-looking and date segments are stripped from the right, then from the left, at
       spaced separators, pipes (spaced or not), a spaced colon, a trailing parenthesis
       ("Headline (Site)"), an unspaced dash when what follows it is the site's name itself
       ("Headline-Site"; hyphenated words such as "Covid-19" stay), and a colon after the site's
       name itself ("Site: Headline"). A last segment that is exactly the article's section
       (``sections``: article:section, JSON-LD articleSection) goes as a site name does, at a
       separator or an unspaced dash ("Headline - Politics", "Headline-Politics").
    """
    title = clean_text(title)
    if title:
        title = _EDGE_SEPARATORS.sub("", title)
    if not title:
        return None
    separated = any(rx.search(title) for rx in (_TITLE_SEPARATORS, _TAIL_SEPARATORS, _TRAILING_PAREN, _UNSPACED_DASH, _HEAD_COLON))
    if not separated and is_site_segment(title, site_keys):
        return None  # nothing but the site's name
    other_keys = {norm_key(o): o for o in others if o}
    section_keys = {norm_key(x) for x in sections if x and norm_key(x)}
    # 1. a candidate from elsewhere found at a separator (at an unspaced dash, only the part before it:
    #    "Covid-19 ..." never turns into "19 ...")
    splits = [(m, True) for m in _TITLE_SEPARATORS.finditer(title)] + [(m, False) for m in _UNSPACED_DASH.finditer(title)]
    for m, both in splits:
        left, right = title[: m.start()].strip(), title[m.end():].strip()
        for part in (left, right) if both else (left,):
            if norm_key(part) in other_keys and len(norm_key(part)) > 10:
                return part
    # 2. strip site-looking segments from the right, then from the left
    segments_text = title
    changed = True
    while changed:
        changed = False
        paren = _TRAILING_PAREN.search(segments_text)
        if paren and paren.start() > 0 and _names_site(paren.group(1), site_keys):  # not "(3-3)", a score
            segments_text = segments_text[: paren.start()].strip()
            changed = True
            continue
        ms = list(_TITLE_SEPARATORS.finditer(segments_text))
        tails = ms + list(_TAIL_SEPARATORS.finditer(segments_text))
        if tails:
            last = max(tails, key=lambda m: m.start())
            tail = segments_text[last.end():]
            if (is_site_segment(tail, site_keys) or norm_key(tail) in section_keys) and segments_text[: last.start()].strip():
                segments_text = segments_text[: last.start()].strip()
                changed = True
                continue
        dashes = list(_UNSPACED_DASH.finditer(segments_text))
        if dashes:
            last = dashes[-1]
            tail = segments_text[last.end():]
            if ((_is_strict_site_segment(tail, site_keys) or norm_key(tail) in section_keys)
                    and len(segments_text[: last.start()].split()) >= 2):
                segments_text = segments_text[: last.start()].strip()
                changed = True
                continue
        colon = _HEAD_COLON.match(segments_text)
        if colon and _is_strict_site_segment(colon.group(1), site_keys, exact=True):
            segments_text = segments_text[colon.end():].strip()
            changed = True
            continue
        if not ms:
            break
        first = ms[0]
        head = segments_text[: first.start()]
        if is_site_segment(head, site_keys):
            segments_text = segments_text[first.end():].strip()
            changed = True
    segments_text = _EDGE_SEPARATORS.sub("", segments_text)
    if separated and is_site_segment(segments_text, site_keys):
        return None  # nothing but the site's name, in several segments
    return segments_text or title


def _headings(elements) -> list[tuple[object, str, str, list[str]]]:
    out = []
    for el in elements:
        full, headline, parts = heading_texts(el)
        if full and len(full) >= 3:
            out.append((el, full, headline, parts))
    return out


_LABEL_WORDS = 8  # at most this many words before the headline make a label (kicker)


# What sets a label off before a headline: a colon, a spaced dash or pipe ("Flood alert: Rivers ...",
# "Flood alert – Rivers ...", "Flood alert | Rivers ...").
_LABEL_SEPARATOR = re.compile(r"\s*:\s+|\s+[-–—|]\s+")


def _is_label_of(title: str, hkey: str) -> bool:
    """``title`` is a short label, a label separator, then the headline whose key is ``hkey``. A title
    that merely ends with the heading's words ("Police say the man was arrested" for the heading "The
    man was arrested") gives no label: the rule must not fire on it."""
    for m in _LABEL_SEPARATOR.finditer(title):
        label, rest = title[: m.start()], title[m.end():]
        if norm_key(rest) == hkey and 0 < len(label.split()) <= _LABEL_WORDS:
            return True
    return False


def _visible_headline(doc, known_keys: dict[str, str], scope) -> tuple[str | None, str | None, bool]:
    """The headline the page shows, the structured title key it matches (None when unconfirmed), and
    whether it was found outside navigation.

    Tiers: the h1s outside navigation, then (only when one matches a structured
    title) the h2s outside navigation, then the h1s in navigation (breadcrumbs,
    teaser lists). In a tier, the first heading whose whole text, text without
    kicker or one child's text matches a structured title wins; failing that,
    the first whose text without kicker ends a structured title after a short
    label and a label separator ("Label: headline"; ``known_keys`` maps each
    structured title's key to its text, to see the separator). Unconfirmed:
    the first h1 outside navigation in ``scope``, else the first outside
    navigation, else the first.
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
                if hkey and key.endswith(" " + hkey) and _is_label_of(known_keys[key], hkey):
                    return headline, key
        return None

    if known_keys:
        found, outside = match(main), True
        if found is None:
            h2s = _headings(h for h in doc.root.iter("h2") if not in_navigation(h))
            found = match(h2s)
            if found is None:
                found, outside = match(nav), False
        if found is not None:
            return found[0], found[1], outside
    if scope is not None:
        for el, _full, headline, _parts in main:
            if any(anc is scope for anc in el.iterancestors()):
                return headline, None, True
    if main:
        return main[0][2], None, True
    if nav:
        return nav[0][2], None, False
    return None, None, False


def _itemprop_heading_keys(doc) -> set[str]:
    """Keys of the h1/h2 elements that carry itemprop=headline themselves."""
    return {
        norm_key(clean_element_text(el))
        for tag in ("h1", "h2")
        for el in doc.root.iter(tag)
        if "headline" in (el.get("itemprop") or "").split()
    }


# As _EDGE_SEPARATORS (a leading quotation dash kept), without "/".
_HEADLINE_EDGES = re.compile(r"^(?:[\s\-|:·•]|[–—](?![ \u00a0]*[\w\"'«»„“‘’]))+|[\s\-–—|:·•]+$")


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
    6. Without a JSON-LD / microdata headline, the visible headline wins over
       og:title and ``<title>`` (search and sharing texts) when it is a
       headline at all (:func:`_shown_headline_wins`).
    7. Spelling (quotes, dashes) follows the agreeing sources' majority,
       og:title first on ties; a typographic dash, double quote or ellipsis
       beats its ASCII stand-in (:data:`_TYPOGRAPHIC`).

    A ``<meta>`` cut short by an unescaped quote is never read
    (:attr:`StructuredData.meta`), so a broken og:title takes no part.
    """
    structured = data.titles()
    ld, ld_layer = next(((t, layer) for t, layer in structured if layer in ("jsonld", "microdata")), (None, None))
    og = data.meta_first("og:title") or data.meta_first("twitter:title")
    site_keys = site_name_keys(doc, data.publisher_names())
    h1_all = h1_texts(doc)
    section = data.section()
    sections = [section[0]] if section else []
    og_clean = strip_site_name(og, site_keys, [t for t in (ld, *h1_all) if t], sections) if og else None
    if og_clean and is_site_segment(og_clean, site_keys):
        og_clean = None  # og:title is just the site's name
    tag = title_tag(doc)
    tag_clean = strip_site_name(tag, site_keys, [t for t in (ld, og, *h1_all) if t], sections) if tag else None
    if ld:
        ld = strip_site_name(ld, site_keys, (), sections)

    known = {norm_key(t): t for t in (tag_clean, og_clean) if t}
    if ld and not (ld_layer == "microdata" and norm_key(ld) in _itemprop_heading_keys(doc)):
        known[norm_key(ld)] = ld  # a heading's own itemprop=headline is no second source
    h1, h1_match, h1_outside_nav = _visible_headline(doc, known, scope)
    h1_shown = h1  # as the page shows it, a label's colon included
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
    # Without a JSON-LD / microdata headline, og:title and <title> are the page's search and sharing
    # texts (usually one SEO field, written for search engines: "Heat pumps in old houses - when it
    # pays"), not a second opinion on the headline: the headline the page shows wins over them.
    if chosen in ("og", "title") and "ld" not in keys and _shown_headline_wins(
            h1_shown, h1_outside_nav, cands[chosen], [cands[n] for n in ("og", "title") if n in keys], site_keys):
        chosen = "h1"
    # Spelling (quotes, dashes): the one most agreeing sources use; og:title first on ties.
    same = [cands[name] for name in ("og", "ld", "title", "h1") if name in keys and keys[name] == keys[chosen]]
    counts: dict[str, int] = {}
    for text in same:
        counts[text] = counts.get(text, 0) + 1
    best = max(counts.values())
    text = next(t for t in same if counts[t] == best)
    text = next((t for t in same if t != text and _ascii_typography(t) == text), text)
    return clean_text(text), layers[chosen]


# Typographic dashes, double quotes and the ellipsis, and the ASCII a CMS writes in their place.
# Single quotes and apostrophes are left out on purpose: measured on the open corpora, a curly
# apostrophe in the heading against a straight one in the metadata was the expected spelling as
# often as not (renderers curl apostrophes; editors type them straight), while a typographic dash or
# double quote in the heading was expected every time its metadata had the ASCII stand-in.
_TYPOGRAPHIC = str.maketrans({"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‟": '"', "…": "..."})


def _ascii_typography(text: str) -> str:
    """``text`` with its typographic dashes, double quotes and ellipsis written in ASCII."""
    return text.translate(_TYPOGRAPHIC)


_CONTENT_WORD = re.compile(r"\w{4,}")


def _shown_headline_wins(h1: str | None, outside_nav: bool, other: str | None, texts: list[str],
                         site_keys: set[str]) -> bool:
    """The visible heading is a headline to prefer over ``other`` (og:title or ``<title>``, the one
    chosen): found outside navigation, not the site's name, two words or more, neither a bare label
    ending in a colon nor the label ``other`` puts before its headline, and on the subject of one of
    ``texts`` (og:title, ``<title>``: a word of four letters or more in common), so that a logo, a
    section name or a teaser's heading never replaces the page's title."""
    if not h1 or not outside_nav or not other or norm_key(h1) == norm_key(other):
        return False
    if is_site_segment(h1, site_keys) or len(norm_key(h1).split()) < 2 or h1.rstrip().endswith(":"):
        return False
    hkey = norm_key(h1)
    if any(norm_key(other[: m.start()]) == hkey for m in _LABEL_SEPARATOR.finditer(other)):
        return False  # the heading is only the label of the other title ("Label: headline"): that one is whole
    words = {w.casefold() for w in _CONTENT_WORD.findall(h1)}
    return any(w.casefold() in words for text in texts for w in _CONTENT_WORD.findall(text))
