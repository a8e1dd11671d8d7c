"""Authors and source: byline texts on the page (:func:`byline_texts`), names in them
(:func:`person_names`), and the order of the layers (:func:`choose_authors`)."""
from __future__ import annotations

import re
from typing import Iterable

from newscrawl.extract.authors import parse_byline as _parse_byline
from newscrawl.extract.generic.dom import NON_CONTENT_TAGS, class_and_id, clean_element_text
from newscrawl.extract.generic.title import is_site_segment, site_name_keys
from newscrawl.extract.structured import StructuredData
from newscrawl.model.text import clean_text


_BYLINE_CLASS = re.compile(
    r"author|by-?line|\bbyl\b|autor|auteur|writer|reporter|journalist|verfasser|firma|signature|contributor",
    re.IGNORECASE,
)


_BYLINE_EXCLUDE_CLASS = re.compile(
    r"bio|avatar|image|img|photo|picture|follow|social|share|related|teaser|card|description|about|thumb|icon|"
    r"comment|newsletter|more-?from|other|recommend",
    re.IGNORECASE,
)


_AUTHOR_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|auteur|auteurs|autore|autori|journalist|journalists|journalisten|reporter|"
    r"reporters|writer|writers|contributor|contributors|tac-gia|forfatter|av|redakteur|redakteure)(?:/|[-_.]|$)",
    re.IGNORECASE,
)


_BYLINE_LABEL = re.compile(
    r"^\s*(?:by|von|par|por|di|door|av|af|przez|oleh|bởi|text|texto|texte|testo|autor|autorin|author|written by|"
    r"reporting by|escrito por|redacción|tekst)\s*:?\s+\S",
    re.IGNORECASE,
)


def _block_ancestor(el):
    for anc in el.iterancestors():
        if anc.tag in ("p", "div", "li", "ul", "ol", "section", "header", "footer", "address", "span", "td"):
            return anc
    return None


def byline_texts(doc, scope=None) -> list[str]:
    """Texts that look like the article's byline, most specific first.

    Within ``scope`` (the article region) when given: links to author pages
    (``rel=author`` or an author-path href) grouped by their parent, elements
    whose class says author/byline, and short texts opening with a byline label
    ("By", "Von", "Par"...). Class-based elements are also looked for page-wide.
    """
    out: list[str] = []
    root = doc.root
    scopes = [scope] if scope is not None else []
    for sc in scopes:
        groups: dict = {}
        order = []
        for a in sc.iter("a"):
            rel = (a.get("rel") or "").lower().split()
            href = a.get("href") or ""
            if "author" not in rel and not _AUTHOR_HREF.search(href):
                continue
            if _BYLINE_EXCLUDE_CLASS.search(class_and_id(a)):
                continue
            text = clean_element_text(a)
            if not text or len(text) > 80:
                continue
            parent = _block_ancestor(a)
            if parent not in groups:
                groups[parent] = []
                order.append(parent)
            if text not in groups[parent]:
                groups[parent].append(text)
        for parent in order:
            out.append(", ".join(groups[parent]))
    for node in root.xpath("//*[@itemprop='author']"):
        if node.get("itemscope") is not None:
            names = node.xpath(".//*[@itemprop='name']")
            text = (names[0].get("content") or clean_element_text(names[0])) if names else clean_element_text(node)
        else:
            text = node.get("content") if node.tag in ("meta", "link") else clean_element_text(node)
        text = clean_text(text)
        if text and len(text) < 200 and not text.lower().startswith("http"):
            out.append(text)
    for sc in [*scopes, root]:
        found = []
        for el in sc.iter():
            if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS or el.tag in ("body", "html", "article", "main", "meta", "link", "img"):
                continue
            cls = class_and_id(el)
            if cls.strip() and _BYLINE_CLASS.search(cls) and not _BYLINE_EXCLUDE_CLASS.search(cls):
                text = clean_element_text(el)
                if text and 2 < len(text) < 200:
                    found.append((el, text))
            elif sc is not root and el.tag in ("p", "div", "span", "li", "em", "i", "b", "strong", "address"):
                own = (el.text or "").strip()
                if own and _BYLINE_LABEL.match(own):
                    text = clean_element_text(el)
                    if text and len(text) < 120:
                        found.append((el, text))
        els = {el for el, _ in found}
        for el, text in found:
            if len(text) > 80 and any(child in els for child in el.iterdescendants()):
                continue  # an outer wrapper whose inner parts are listed too
            out.append(text)
        if found:
            break
    return list(dict.fromkeys(out))

_PAREN_SUFFIX = re.compile(r"\s*\((?:[^()]{1,8})\)\s*$")


_CONJUNCTIONS = re.compile(
    r"\s*(?:[,;&/]|\s(?:and|und|y|et|e|og|och|en|i|và|и|ve|dan|ja|és|oraz|ir|un|és)\s)\s*",
    re.IGNORECASE,
)


_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")


_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


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


def choose_authors(doc, data: StructuredData, scope=None, extra_bylines: Iterable[str] = (),
                   dom: bool = True) -> tuple[list[str], list[str], str | None, str | None]:
    """(authors, authors_raw, source, layer); see the module docstring for the order.

    ``dom=False`` leaves out the byline search in the page (for a known layout, whose own
    byline selector has already looked there): structured data, then meta tags."""
    publisher_keys = site_name_keys(doc, data.publisher_names())

    def is_outlet(name: str) -> bool:
        return is_site_segment(name, publisher_keys)

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
    for text in [*byline_texts(doc, scope), *extra_bylines] if dom else ():
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
