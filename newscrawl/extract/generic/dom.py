"""The page as the generic layer reads it: comparison keys, visible text, and where the article is.

Everything works on the document's one lxml tree (``doc.root``).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lxml import etree

from newscrawl.model.text import INVISIBLE, clean_text


# Parts of a page that are never the article's text.
NON_CONTENT_TAGS = {
    "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "textarea", "rt", "rp",
}


CAPTION_CLASS = re.compile(r"caption|legend|bildunterschrift|figcaption|image-?text|img-?text|photo-?text|credit", re.IGNORECASE)


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=16384)
def norm_key(text: str | None) -> str:
    """Comparison key: NFKC, casefolded, quotes unified, only letters/digits and single spaces.

    Cached: the same paragraphs and titles are compared many times per page."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", INVISIBLE.sub("", text)).casefold()
    return " ".join(_WORD.findall(text))


def all_text(el) -> str:
    """Every text node under ``el`` joined, as lxml's ``text_content()`` gives it, without
    the XPath evaluation ``text_content()`` makes per call (several times slower; the
    generic layer asks for thousands of elements' text per page)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "td", "th", "tr", "ul",
}


def _collect(el, parts: list) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in NON_CONTENT_TAGS or not tag:
        return
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\x00")
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\x00")


def join_blocks(text: str) -> str:
    """Block boundaries (marked \\x00) become spaces, except before punctuation."""
    pieces = text.split("\x00")
    out = [pieces[0]]
    for piece in pieces[1:]:
        stripped = piece.lstrip()
        if stripped[:1] in (":", ";", ",", ".", "!", "?"):
            out[-1] = out[-1].rstrip()
            out.append(stripped)
        else:
            out.append(" ")
            out.append(piece)
    return "".join(out)


def clean_element_text(el) -> str:
    """Visible text of an element: no script/style, blocks separated, whitespace collapsed."""
    parts: list[str] = []
    _collect(el, parts)
    text = "".join(parts)
    if "\x00" in text:
        text = join_blocks(text)
    return clean_text(text) or ""


def class_and_id(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def language(doc) -> str | None:
    root = doc.root
    lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        body = root.find("body")
        lang = body.get("lang") if body is not None else None
    return normalise_language(lang)


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("_", "-")
    primary = value.split("-")[0].lower()
    if re.fullmatch(r"[a-z]{2,3}", primary):
        return primary
    return None


_NAV_MARK = re.compile(r"breadcrumb|crumb", re.IGNORECASE)


def in_navigation(el) -> bool:
    """Inside navigation: a ``nav``, list item, link or breadcrumb-marked element holding at most one paragraph."""
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("body", "html"):
            return False
        if not isinstance(tag, str):
            continue
        marked = tag in ("nav", "li", "a")
        if not marked:
            for name, value in anc.attrib.items():
                if (name in ("class", "id", "role", "aria-label") or name.startswith("data-")) and _NAV_MARK.search(value):
                    marked = True
                    break
        if marked:
            return sum(1 for _ in anc.iter("p")) <= 1
    return False


_LOCATE_TAGS = ("p", "li", "blockquote", "h2", "h3", "h4", "div", "span", "td", "dd")


def _prefix_key(text: str) -> str:
    return norm_key(text[:200])[:80]


def locate_paragraphs(doc, paragraphs: list[str], root=None) -> list:
    """For each paragraph, the page element showing it (or None), matched on a text prefix."""
    wanted: dict[str, list[int]] = {}
    for i, p in enumerate(paragraphs):
        k = _prefix_key(p)
        if len(k) >= 20:
            wanted.setdefault(k, []).append(i)
    lengths = [len(p) for p in paragraphs]
    found: list = [None] * len(paragraphs)
    if not wanted:
        return found
    # Most elements match no paragraph: the key of their first few words rules them out
    # cheaply (a key of a text's start is a prefix of the key of the whole text).
    heads = {k[:8] for k in wanted}
    for el in (root if root is not None else doc.root).iter(*_LOCATE_TAGS):
        if el.tag in ("div", "span", "td", "dd") and len(el) > 3:
            continue
        text = all_text(el)
        if len(text) < 20:
            continue
        head = norm_key(text[:32])
        if len(head) >= 8 and head[:8] not in heads:
            continue
        k = _prefix_key(text)
        slots = wanted.get(k)
        if slots:
            if len(text) < 0.7 * lengths[slots[0]]:
                continue  # starts the same but holds only part of it
            i = slots.pop(0)
            found[i] = el
            if not slots:
                del wanted[k]
                if not wanted:
                    break
    return found


def container_of(hits: list):
    """The deepest element holding at least 70 % of the located paragraphs.

    With two located paragraphs, 70 % is one of them: the container was the parent of
    either, the deeper one, which could be a one-line banner (an archive's, a cookie
    notice's) instead of the article's long text. So when one paragraph is enough by
    count, the container must also hold 70 % of the located text's length. (With more
    paragraphs the count decides alone: long teasers beside a short article's many
    paragraphs would win by length.)"""
    hits = [h for h in hits if h is not None]
    if not hits:
        return None
    need = max(1, int(0.7 * len(hits) + 0.5))
    sizes = [len(all_text(el)) for el in hits] if need < 2 else [0] * len(hits)
    need_chars = 0.7 * sum(sizes)
    counts: dict = {}
    chars: dict = {}
    for el, size in zip(hits, sizes):
        for anc in el.iterancestors():
            counts[anc] = counts.get(anc, 0) + 1
            chars[anc] = chars.get(anc, 0) + size
    best, best_depth = None, -1
    for anc, n in counts.items():
        if n >= need and chars[anc] >= need_chars:
            d = sum(1 for _ in anc.iterancestors())
            if d > best_depth:
                best, best_depth = anc, d
    return best


_BOILERPLATE_CLASS = re.compile(
    r"related|teaser|newsletter|promo|advert|\bad\b|ads\b|sponsor|recommend|more-?stories|read-?more|share|"
    r"social|comment|footer|sidebar|aside|breadcrumb|caption|credit|author-?bio|subscribe|"
    # Boxes laid over or beside the text: fly-outs, pop-ups, modals, calls to action
    # (a donation or course appeal styled like the body's paragraphs).
    r"flyout|pop-?up|modal|\bcta\b|call-?to-?action",
    re.IGNORECASE,
)


_BOX_TAGS = ("figure", "figcaption", "aside", "nav", "footer", "form")


def in_boilerplate(el, stop, tags=_BOX_TAGS, pattern=None) -> bool:
    """Inside a figure/aside/nav or a related/promo/share... box (below ``stop``)?

    The element and its parent are not judged by class: they share their
    classes with paragraphs already accepted as the body.
    """
    parent = el.getparent()
    for anc in [el, *el.iterancestors()]:
        if anc is stop:
            return False
        if anc.tag in tags:
            return True
        if anc is not el and anc is not parent and (pattern or _BOILERPLATE_CLASS).search(class_and_id(anc)):
            return True
    return False


def article_scope(container):
    """Widen the container to the enclosing ``<article>`` / ``<main>`` when there is one."""
    if container is None:
        return None
    node = container
    for anc in [container, *container.iterancestors()]:
        if anc.tag in ("article", "main") or (anc.get("itemprop") or "").lower() in ("articlebody",):
            return anc
        if anc.tag == "body":
            break
    return node


def article_h1(doc, title: str | None, container=None):
    """The h1 showing the title (else the first h1 outside the body container)."""
    h1s = list(doc.root.iter("h1"))
    title_key = norm_key(title)
    if title_key:
        for h1 in h1s:
            key = norm_key(clean_element_text(h1))
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
    return article_scope(container)
