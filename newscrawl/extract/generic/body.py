"""The body: trafilatura's main text as blocks (:func:`trafilatura_blocks`), the paragraphs a reader counts
as the article (:func:`paragraphs_from_blocks`: captions, credits, bylines, "read also" links and
sub-headings out), then checked against the page layout (:func:`refine_body`)."""
from __future__ import annotations

import re
from typing import Iterable

import trafilatura

from newscrawl.extract.authors import looks_like_byline
from newscrawl.extract.generic.dom import all_text, clean_element_text, in_boilerplate, norm_key
from newscrawl.model.text import clean_text


_CREDIT_LINE = re.compile(
    r"^\(?\s*(photo|foto|fotos|image|bild|picture|credit|crédit|quelle|source|ảnh|video|grafik|illustration|"
    r"karikatur|zdjęcie|fotografía|imagen)\s*[:©/]",
    re.IGNORECASE,
)


_READ_MORE = re.compile(
    r"^\s*(read (also|more)|see also|related|also read|more on this|lesen sie auch|auch interessant|mehr zum thema|"
    r"les også|les mer|läs också|læs også|lue myös|czytaj (też|także|więcej)|leia também|lea también|"
    r"lee también|leggi anche|lire aussi|à lire aussi|xem thêm|đọc thêm|zie ook|lees ook|"
    r"читайте также|ayrıca okuyun|baca juga)\b",
    re.IGNORECASE,
)


_PRUNE_XPATH = [
    "//figcaption",
    # The cheap substring test first: the class-token test is costly on every element of a page.
    "//*[contains(@class, 'caption')][contains(concat(' ', normalize-space(@class), ' '), ' caption ')]",
]


def _text_and_links(el) -> tuple[str, int]:
    link_chars = 0
    for ref in el.iter("ref"):
        link_chars += len("".join(ref.itertext()))
    text = clean_text("".join(el.itertext())) or ""
    return text, link_chars


def _walk_blocks(parent, blocks: list) -> None:
    for el in parent:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "list":
            for item in el:
                if item.tag != "item":
                    continue
                if any(sub.tag in ("list", "p") for sub in item):
                    _walk_blocks(item, blocks)
                    continue
                text, links = _text_and_links(item)
                if text:
                    blocks.append(("item", text, links / max(1, len(text))))
        elif tag in ("p", "head", "code") or (tag == "quote" and not any(sub.tag in ("p", "list", "quote") for sub in el)):
            text, links = _text_and_links(el)
            if text:
                blocks.append((tag if tag != "code" else "p", text, links / max(1, len(text))))
        elif tag == "table":
            for cell in el.iter("cell"):
                text, links = _text_and_links(cell)
                if text:
                    blocks.append(("cell", text, links / max(1, len(text))))
        elif tag in ("graphic", "lb", "ref", "hi", "del"):
            continue
        else:
            if len(el):
                _walk_blocks(el, blocks)
            text = clean_text(el.text or "")
            if text and not len(el):
                blocks.append(("p", text, 0.0))


# Parts of a page trafilatura never takes text from: the <head> (the structured
# layer reads it, not trafilatura) and, in the body, elements its cleaning
# deletes whole (its MANUALLY_CLEANED list) plus <template>, which is never
# rendered. Left out of it: <form> (trafilatura keeps a form that holds most of
# the page's text, as ASP.NET pages do), and <aside>, <figure>, <picture>, whose
# removal changed the body on pages of ../shared/extraction-open (its
# readability comparison reads the uncleaned tree).
_UNREAD_TAGS = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "video", "audio",
    "nav", "menu", "footer", "button", "select", "input", "link",
)


def _lend_without_unread_parts(root) -> list[tuple]:
    """Detach the parts of the page trafilatura does not read; return ``(parent, index, element)``
    to put back, in document order.

    trafilatura copies the tree it is given and runs its prune XPaths and the
    readability comparison over every element, so these parts cost it time for
    nothing: leaving them out cut the call by about a quarter (median 16.7 ->
    12.7 ms) on ../shared/extraction-open, with the same blocks on all 130
    pages. An element whose tail holds text stays (the tail goes with the
    element). Put back in document order, each goes to its old index.
    """
    found = []
    head = root.find("head")
    if head is not None:
        found.append(head)
    body = root.find("body")
    if body is not None:
        found.extend(el for el in body.iter(*_UNREAD_TAGS) if not (el.tail or "").strip())
    chosen = set(found)
    outer = [el for el in found if not any(anc in chosen for anc in el.iterancestors())]
    lent = [(el.getparent(), el.getparent().index(el), el) for el in outer]
    for parent, _index, element in reversed(lent):
        parent.remove(element)
    return lent


def trafilatura_blocks(doc, favor: str | None = None, fast: bool = False) -> list[tuple[str, str, float]]:
    """trafilatura's main text as ``[(kind, text, link_ratio)]``; kind in p/head/item/quote/cell."""
    root = doc.root
    if root is None or not len(root):
        return []
    lent = _lend_without_unread_parts(root)
    try:
        result = trafilatura.bare_extraction(
            root,
            url=None,  # with a URL trafilatura makes every link absolute; only the links' text is used here
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            include_links=True,
            include_images=False,
            fast=fast,
            favor_precision=(favor == "precision"),
            favor_recall=(favor == "recall"),
            prune_xpath=_PRUNE_XPATH,
        )
    finally:  # whatever trafilatura does (a failure is the body's, recorded by the caller), the page is whole again
        for parent, index, element in lent:
            parent.insert(index, element)
    if result is None:
        return []
    body = getattr(result, "body", None)
    if body is None:
        return []
    blocks: list[tuple[str, str, float]] = []
    _walk_blocks(body, blocks)
    return blocks


def paragraphs_from_blocks(
    blocks: list[tuple[str, str, float]],
    *,
    title: str | None = None,
    lead: str | None = None,
    captions: set[str] = frozenset(),
    bylines: Iterable[str] = (),
    keep_headings: bool = False,
    removed_bylines: list | None = None,
) -> list[str]:
    """Paragraphs a reader counts as the article, from trafilatura's blocks.

    Byline lines dropped from the body are appended to ``removed_bylines`` when given.
    """
    title_key = norm_key(title)
    lead_key = norm_key(lead)
    byline_keys = {norm_key(b) for b in bylines if b}
    out: list[str] = []
    seen = set()
    for kind, text, link_ratio in blocks:
        key = norm_key(text)
        if not key:
            continue
        if kind == "head" and not keep_headings:
            continue
        if key == title_key or (lead_key and key == lead_key):
            continue
        if key in captions:
            continue
        if key in byline_keys:
            continue
        if _CREDIT_LINE.match(text) and len(text) < 120:
            continue
        if link_ratio > 0.6 and len(text) < 250:
            continue
        if _READ_MORE.match(text) and (link_ratio > 0.2 or len(text) < 150):
            continue
        if len(text) < 100 and looks_like_byline(text):
            if removed_bylines is not None:
                removed_bylines.append(text)
            continue
        if key in seen and len(key) > 20:
            continue
        seen.add(key)
        out.append(text)
    return out


def _drop_link_lists(doc, items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Drop paragraphs made mostly of link texts: menus, teaser lists, and the
    whole-page text dump trafilatura falls back to on a page without an article.

    The share is measured on the paragraph's own text and links (:func:`_link_share`):
    blocks nested in its element are not the paragraph."""
    out = []
    link_keys = None
    for text, el in items:
        if el is not None:
            links, total = _link_share(text, el)
            if total and links > 0.6 * total and len(text) < 400:
                continue
            out.append((text, el))
            continue
        # Not one element of the page: measure how much of it is link text.
        key = norm_key(text)
        if len(key) > 60:
            if link_keys is None:
                link_keys = {k for k in (norm_key(all_text(a)) for a in doc.root.iter("a")) if len(k) >= 3}
            covered = sum(len(k) for k in link_keys if k in key)
            if covered > 0.4 * len(key):
                continue
        out.append((text, el))
    return out


# Elements that start a block of their own: a link inside one of them, nested in a
# <p> by the parser, is not part of the paragraph's text.
_NESTED_BLOCKS = ("section", "aside", "article", "div", "ul", "ol", "table", "figure", "nav", "header", "footer")


def _link_share(text: str, el) -> tuple[int, int]:
    """``(link characters, characters)`` of a located paragraph.

    The HTML parser leaves a box that a page puts inside an unclosed ``<p>``
    (a "Trending" section of links to other articles) inside the paragraph's
    element: its links are the box's, not the paragraph's, and counting them
    made a paragraph of plain text look like a link list. So when blocks are
    nested in the element, only the links outside them count, against the
    paragraph's own text. Only for a ``<p>``: in any other element a nested
    block is the page's own structure (a div holding a list of links is a
    link list).

    An element located for the paragraph that shows far more than it (twice
    its length: a text block whose first lines trafilatura took as the
    paragraph, followed by lists of links) does not measure the paragraph
    either: then the links counted are those whose text the paragraph shows."""
    if el.tag != "p" or next(el.iterdescendants(*_NESTED_BLOCKS), None) is None:
        total = len(all_text(el))
        if total > 2 * len(text):
            key = norm_key(text)
            links = sum(len(k) for k in (norm_key(all_text(a)) for a in el.iter("a")) if len(k) >= 3 and k in key)
            return links, len(key)
        return sum(len(all_text(a)) for a in el.iter("a")), total
    links = 0
    for a in el.iter("a"):
        anc = a.getparent()
        while anc is not None and anc is not el and anc.tag not in _NESTED_BLOCKS:
            anc = anc.getparent()
        if anc is el:
            links += len(all_text(a))
    return links, len(text)


def _linked_heading(el) -> bool:
    """``el`` holds a heading (h1-h4) that is mostly a link to another page: a post's or teaser's title."""
    for h in el.iter("h1", "h2", "h3", "h4"):
        text = len(all_text(h).strip())
        linked = sum(len(all_text(a).strip()) for a in h.iter("a") if not (a.get("href") or "#").startswith("#"))
        if text and linked >= 0.7 * text:
            return True
    return False


def _in_another_entry(el, body_chain: set) -> bool:
    """``el`` lies in another entry than the body's: the part of the page holding it and
    none of the body (the highest ancestor outside ``body_chain``) has a heading linking
    elsewhere, as each post of a blog's listing page or each teaser of a list has.

    An article split into several blocks has no such heading between its parts (its
    sub-headings are not links), so the completion by style still joins them."""
    unit = None
    for anc in [el, *el.iterancestors()]:
        if anc in body_chain:
            break
        unit = anc
    return unit is not None and _linked_heading(unit)


def refine_body(doc, body: list[str], hits: list, region, elements_out: list | None = None) -> list[str]:
    """Use the page layout to fix trafilatura's paragraph list.

    * paragraphs shown outside the article region are dropped (teasers of other
      articles, boxes elsewhere on the page);
    * ``<p>`` elements of the article region styled like the located body
      paragraphs (same tag, class and parent class) but missed are added, in
      page order (articles split into several blocks, paragraphs with a link),
      except those in a box (:func:`~.dom.in_boilerplate`) or in another entry
      of a listing (:func:`_in_another_entry`).
    """
    def done(items):
        if elements_out is not None:
            elements_out[:] = [el for _, el in items]
        return [text for text, _ in items]

    if not body:
        return body
    if region is None:
        return done(_drop_link_lists(doc, list(zip(body, hits))))
    inside = set()
    for el in region.iter():
        inside.add(el)
    kept: list[tuple[str, object]] = []
    for text, el in zip(body, hits):
        if el is not None and el not in inside:
            continue
        kept.append((text, el))
    kept = _drop_link_lists(doc, kept)
    # Completion by paragraph style.
    p_hits = [el for _, el in kept if el is not None and el.tag == "p"]
    if len(p_hits) >= 3:
        def signature(el):
            parent = el.getparent()
            return (el.get("class") or "", parent.tag if parent is not None else "", (parent.get("class") or "") if parent is not None else "")

        counts: dict = {}
        for el in p_hits:
            sig = signature(el)
            counts[sig] = counts.get(sig, 0) + 1
        sig, n = max(counts.items(), key=lambda kv: kv[1])
        if n >= 3 and n >= 0.5 * len(p_hits):
            have = {el for _, el in kept if el is not None}
            body_chain = {anc for el in have for anc in (el, *el.iterancestors())}
            position = {el: i for i, el in enumerate(region.iter())}
            extra = []
            for el in region.iter("p"):
                if el in have or signature(el) != sig:
                    continue
                text = clean_element_text(el)
                if len(text) < 60:
                    continue
                links = sum(len(all_text(a)) for a in el.iter("a"))
                if links > 0.3 * len(text) or in_boilerplate(el, region) or _in_another_entry(el, body_chain):
                    continue
                extra.append((text, el))
            if extra:
                keys = {norm_key(t) for t, _ in kept}
                extra = [(t, el) for t, el in extra if norm_key(t) not in keys]
                items = []
                last = -1.0
                for text, el in kept:
                    pos = position.get(el)
                    if pos is None:
                        pos = last + 0.001
                    last = pos
                    items.append((pos, text, el))
                items.extend((position[el], text, el) for text, el in extra)
                items.sort(key=lambda it: it[0])
                return done([(text, el) for _, text, el in items])
    return done(kept)
