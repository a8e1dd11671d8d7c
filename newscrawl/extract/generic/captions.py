"""Image captions of the article region (:func:`captions`), and the keys of every caption-like
text on the page, to keep them out of the body (:meth:`PageCaptions.keys`).

For each image of the article region, the caption is looked for from the image outwards, through
the few elements that hold it (at most :data:`_CLIMB` levels of layout, ``<picture>``/``<source>``/
``<a>`` wrappers not counted; never past the region, an ``<article>``/``<section>``/``<main>``, or a
block of more than 1000 characters), taking at each level the first of:

1. the level itself when it is a ``<figcaption>`` or caption-classed and holds no heading (the
   image inside its caption);
2. ``<figcaption>`` elements inside it, else caption-classed ones: a class naming a caption, or,
   in the :data:`_NEAR` levels closest to the image, a description / image-info class;
3. a ``<figcaption>`` or caption-classed element right after (else before) the image or one of
   its wrappers (pages that put the caption after the ``<picture>``, outside any figure);
4. the image's own ``<figure>`` text, when no caption element is found within two levels above it
   (a gallery button inside the figure is no caption when the figcaption stands beside it);
5. a bare caption: the first block around the image that has text, when it holds only this image
   and at most three short texts (250 characters in all) outside links, buttons and lists, one of
   them the photo's credit ("Foto: ...", a credit class, an agency): without a class to say so, the
   credit is what tells a caption from a player label, a paywall note or a teaser.

The images looked at are those of the region, and of the enclosing ``<article>``/``<main>``
before the region (the lead picture above the headline or the body). With no text near it, a
textless figure's ``data-caption`` (the image's or the figure's), else its
image's ``title`` when it is a sentence, is the caption. Left out: images in page boxes (related,
promo, share, author...), teaser cards (the image and its text inside one link, a link to the
picture itself aside), bylines under an author's portrait ("Von Jana Beispiel"), captions that are
only a photo credit (a short caption followed by a labelled credit is kept), the body's paragraphs,
the title and the lead, and a caption given twice (the same text, or one that starts with another:
the caption once alone, once with its credit).
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

from newscrawl.extract.authors import split_photo_credit
from newscrawl.extract.generic.dom import (
    CAPTION_CLASS, NON_CONTENT_TAGS, all_text, article_scope, class_and_id, clean_element_text, norm_key,
)
from newscrawl.model.text import clean_text


_PAGE_BOX_TAGS = ("aside", "nav", "footer", "form")


class _CachedSearch:
    """A pattern whose ``search`` remembers its answer per string (truthy or not), for
    :func:`in_boilerplate`, which asks it about every ancestor of every image: a page repeats its
    class strings, and the pattern is slow on long ones."""

    def __init__(self, pattern: re.Pattern):
        self.search = lru_cache(maxsize=8192)(lambda text: pattern.search(text) is not None)


# Boxes around images that are not the article's own pictures.
_BOX_CLASS = _CachedSearch(re.compile(
    r"related|newsletter|promo|advert|\bad\b|ads\b|sponsor|recommend|more-?stories|read-?more|share|"
    r"social|comment|author|autor|avatar|logo|icon|profile",
    re.IGNORECASE,
))

# Levels of layout climbed from an image to its caption (a figure can wrap its image in five
# styling divs); the description / info classes count as a caption only in the nearest ones.
_CLIMB = 6
_NEAR = 4

# Elements that only wrap an image, not a level of layout: not counted in the climb from an image
# to its figure. lxml's HTML parser does not know ``<source>`` is void, so a ``<picture>`` with five
# sources nests its ``<img>`` five levels deep.
_IMAGE_WRAPPER_TAGS = frozenset({"source", "picture", "a", "noscript"})

# Where the climb stops: the article's own sections, not one picture's block.
_STOP_TAGS = frozenset({"article", "section", "main", "body", "html"})

# Close to an image (in the small block that holds it), these classes name its caption too:
# "description", "image info" are the image's text there, not the article's.
_NEAR_CAPTION_CLASS = re.compile(
    r"caption|legend|bildunterschrift|bildtext|image-?text|img-?text|photo-?text|"
    r"descr|(?:img|image|photo|picture|bild|foto)-?info|unterzeile|beschriftung|"
    r"leyenda|didascalia|legende|bijschrift|onderschrift|bildetekst|kuvateksti|podpis",
    re.IGNORECASE,
)

# A substring of every match of _NEAR_CAPTION_CLASS: the cheap test first.
_NEAR_WORDS = ("capt", "legend", "bild", "text", "tekst", "descr", "info", "unterzeile", "beschriftung", "leyenda",
               "didascalia", "bijschrift", "onderschrift", "podpis")

_CREDIT_CLASS = re.compile(r"credit|copyright|source|author|photographer|pictsrc|quelle|fotograf|byline", re.IGNORECASE)


_CREDIT_ONLY = re.compile(
    r"^\(?\s*(?:foto|fotos|photo|photos|bild|image|images|quelle|source|credit|crédit|ảnh|kilde|foto:|zdjęcie)\b\s*:?|"
    r"^(?:illustration|photograph|photography|graphic|grafik|zeichnung|montage)\s*(?:by|von|par|:)\s|"
    r"©|\b(?:getty|shutterstock|imago|reuters|afp|dpa|keystone|picture alliance|istock|adobe stock|stock\.adobe)\b|"
    r"\ball rights reserved\b|\btous droits réservés\b|\balle rechte vorbehalten\b|\bcopyright\b|"
    r"\w/\w|^\(.*\)$",
    re.IGNORECASE,
)


def _credit_only(text: str) -> bool:
    """A photo credit with no caption ("F. Kern/IMAGO", "(The Independent)", "Foto: dpa",
    "Tous droits réservés Agence"). A labelled credit at the end is split off first, so a short
    caption followed by its credit ("Samsung in court. (Bild: A. Name/Agency)") is no credit."""
    before, credit = split_photo_credit(text)
    if credit is not None and before != text:
        return not before or _credit_only(before)
    copyright_at = text.find("©")
    if copyright_at > 0:  # "The mayor at the hearing. — © Agency": what comes before the mark is the caption
        before = text[:copyright_at].strip(" \t-–—|:/")
        return not before or _credit_only(before)
    return len(text.split()) <= 8 and bool(_CREDIT_ONLY.search(text))


def _is_image(el) -> bool:
    """An ``<img>``, ``<amp-img>``, or a custom element rendering one (``<lazy-image>``, ``<x-img>``)."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    return tag in ("img", "amp-img") or ("-" in tag and ("img" in tag or "image" in tag))


def _image_src(img, base_url: str) -> str | None:
    for attr in ("src", "data-src", "data-original", "data-lazy-src", "data-srcset", "srcset"):
        value = (img.get(attr) or "").strip().split(",")[0].strip().split(" ")[0]
        if value and not value.startswith("data:"):
            return urljoin(base_url, value)
    return None


def _img_url(el, base_url: str) -> str | None:
    for img in el.iter():
        if _is_image(img) or img.tag == "source":
            src = _image_src(img, base_url)
            if src:
                return src
    return None


# A class that says the block has no caption ("no_caption", "without-caption").
_NO_CAPTION = re.compile(r"(?:no|without)[-_]?caption", re.IGNORECASE)

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@lru_cache(maxsize=8192)
def _has_near_word(value: str) -> bool:
    low = value.lower()
    return any(word in low for word in _NEAR_WORDS)


@lru_cache(maxsize=8192)
def _class_kind(ci: str) -> tuple[bool, bool]:
    """(a caption class anywhere, a caption class near an image) for a class-and-id string; cached:
    a page repeats a few class strings on thousands of elements, and the patterns are long."""
    # The near pattern holds every caption word of CAPTION_CLASS but "credit": most strings match
    # neither, and are done with a few substring tests (the patterns are slow on long class lists).
    if not _has_near_word(ci):
        return False, False
    near_kind = bool(_NEAR_CAPTION_CLASS.search(ci))
    if not near_kind or _CREDIT_CLASS.search(ci) or _NO_CAPTION.search(ci):
        return False, False
    return bool(CAPTION_CLASS.search(ci)), True


def _caption_class(el, near: bool = False) -> bool:
    """Classed as a caption (``near``: in the small block around an image), not as a credit alone."""
    far_kind, near_kind = _class_kind(class_and_id(el))
    return near_kind if near else far_kind


def _outermost(caps: list) -> list:
    return [c for c in caps if not any(a in caps for a in c.iterancestors())]


class _CaptionIndex:
    """The figcaptions and caption-classed elements of a page, listed under each of their nearest
    ancestors: one pass over the page instead of one search of every block around every image."""

    _UP = _CLIMB + 6  # ancestors an element is listed under (wrappers such as <source> included)

    def __init__(self, root):
        self.figcaptions: dict = {}
        self.classed: dict = {}  # ancestor -> [(element, caption class anywhere)] near-caption-classed
        self.images: list = []  # in page order
        # One walk over the page, kept lean: it is most of the captions' cost on a large page.
        for el in root.iter():
            tag = el.tag
            if tag.__class__ is not str or tag in NON_CONTENT_TAGS:
                continue  # comments, processing instructions; scripts, forms...
            if tag == "img" or tag == "amp-img" or ("-" in tag and _is_image(el)):
                self.images.append(el)
            elif tag == "figcaption":
                self._add(self.figcaptions, el, el)
            cls, ident = el.get("class"), el.get("id")
            if (cls is not None and _has_near_word(cls)) or (ident is not None and _has_near_word(ident)):
                far_kind, near_kind = _class_kind(class_and_id(el))
                if near_kind or far_kind:
                    self._add(self.classed, el, (el, far_kind))

    def _add(self, table: dict, el, value) -> None:
        for i, anc in enumerate(el.iterancestors()):
            if i >= self._UP:
                break
            table.setdefault(anc, []).append(value)

    def caption_elements(self, anc, near: bool) -> list:
        """The outermost caption-classed elements under ``anc`` (``near``: the image's own block)."""
        caps = [el for el, far_kind in self.classed.get(anc, ()) if near or far_kind]
        if len(caps) > 1:
            inside = set(caps)
            caps = [c for c in caps if not any(a in inside for a in c.iterancestors())]
        return caps


def _beside(el) -> list:
    """A figcaption / caption-classed element (without an image) right after ``el``, else right before it."""
    out = []
    for sibs in (el.itersiblings(), el.itersiblings(preceding=True)):
        sib = next((x for x in sibs if isinstance(x.tag, str)), None)
        if sib is not None and (sib.tag == "figcaption" or _caption_class(sib)):
            if not any(_is_image(x) for x in sib.iter()):
                out.append(sib)
    return out


def _bare_texts(block) -> list | None:
    """The text elements of a small block that holds one image and short text outside links,
    or None when the block is anything else (a teaser, a paragraph, a gallery)."""
    images = 0
    for x in block.iter():
        tag = x.tag
        # _is_image, inlined: this runs on every element of the block around every image
        if (tag == "img" or tag == "amp-img" or (tag.__class__ is str and "-" in tag and _is_image(x))) \
                and not any(a.tag == "noscript" for a in x.iterancestors()):
            images += 1
            if images > 1:
                return None
    if images != 1:
        return None
    text = clean_element_text(block)
    if not text or len(text) > 250:
        return None  # a caption is short; a paragraph of the article beside an image is not one
    texts: dict = {}  # element -> its clean text, each computed once (the rules below ask several times)

    def text_of(el) -> str:
        value = texts.get(el)
        if value is None:
            value = texts[el] = clean_element_text(el)
        return value

    leaves = []
    for el in block.iter():
        if not isinstance(el.tag, str) or el.tag in NON_CONTENT_TAGS:
            continue
        if el.tag in ("a", "button", "ul", "ol", "li", "input", "label"):
            if text_of(el):
                return None  # links, buttons, lists: a teaser or a widget, not a caption
            continue
        if any(_is_image(x) for x in el.iter()):
            if (el.text or "").strip():
                return None  # text mixed with the image's wrapper: not one caption element
            continue
        if text_of(el) and not any(a in leaves for a in el.iterancestors()):
            leaves.append(el)
    if not leaves or len(leaves) > 3:
        return None
    # Without a class to say so, a text is an image's caption when it carries the photo's credit
    # (a credit-classed element, a credit alone, or a labelled "Foto: ..." credit): player labels,
    # paywall notes and teaser texts beside an image carry none.
    parts = [el for el in block.iter() if isinstance(el.tag, str) and el.tag not in NON_CONTENT_TAGS and el is not block]
    credited = any(_CREDIT_CLASS.search(class_and_id(el)) or _credit_only(text_of(el))
                   for el in parts if text_of(el)) or split_photo_credit(text)[1] is not None
    if not credited or all(_credit_only(text_of(el)) for el in leaves):
        return None
    return leaves


# A byline under an author's portrait ("Von Jana Beispiel, Redakteurin"): "by" in the languages of
# the pages, then a capitalised name.
_BYLINE_START = re.compile(r"^(?:by|von|par|por|di|door|av|af|napisał[a]?|autor(?:ka)?:?)\s+[A-ZÀ-ÖØ-ÞĀ-Ž]", re.IGNORECASE)


def _is_byline(text: str) -> bool:
    return len(text.split()) <= 12 and bool(_BYLINE_START.match(text)) and not text[:1].islower()


def _lead_images(scope) -> tuple:
    """(the enclosing ``<article>`` / ``<main>``, its images before the region): the article's lead
    picture, above the headline or the body, which the region (the element holding both) does
    not always reach. ``(None, ())`` when the region is that element itself."""
    outer = article_scope(scope)
    if outer is None or outer is scope:
        return None, ()
    before = set()
    for el in outer.iter():
        if el is scope:
            break
        if _is_image(el):
            before.add(el)
    return outer, before


def _in_page_box(img, scope) -> bool:
    """Inside an aside/nav/footer/form or a related/promo/share/author... box below ``scope``.

    As :func:`in_boilerplate`, but the image's own wrappers (``<a>``, ``<picture>``...) are not
    judged by class: they carry the classes of the picture's widget (a lightbox link classed
    "icon maximize"), not of a box around it; nor is the first element that holds them."""
    first = True
    for anc in img.iterancestors():
        if anc is scope:
            return False
        if anc.tag in _PAGE_BOX_TAGS:
            return True
        if anc.tag in _IMAGE_WRAPPER_TAGS:
            continue
        if not first and _BOX_CLASS.search(class_and_id(anc)):
            return True
        first = False
    return False


def _in_link_with(img, caps, stop) -> bool:
    """The image and its caption inside one link (a teaser card), a link to the image itself aside."""
    for anc in img.iterancestors():
        if anc is stop:
            break
        if anc.tag == "a" and anc.get("href") is not None:
            href = anc.get("href").split("?")[0].lower()
            if href.startswith("#") or re.search(r"\.(?:jpe?g|png|webp|gif|avif)$", href):
                continue
            if any(c is anc or anc in c.iterancestors() for c in caps):
                return True  # the caption is the link or inside it (a link inside a caption is no teaser)
    return False


def _caption_wrapper(img, scope, index: _CaptionIndex):
    """(element holding an image and its caption, caption elements), or (None, []).

    The rules, in order, are those of the module's docstring.
    """
    figure, figure_depth = None, 0
    depth = 0
    bare_tried = False
    chain = [img]  # the image and the wrappers climbed so far
    looked = 0  # the wrappers of ``chain`` already looked beside

    def beside():
        nonlocal looked
        for el in chain[looked:]:
            found = _beside(el)
            if found:
                return found[0]
        looked = len(chain)
        return None

    for anc in img.iterancestors():
        if anc is scope or anc.tag in _STOP_TAGS:
            found = beside()
            if found is not None:
                return found.getparent(), [found]
            break
        if anc.tag not in _IMAGE_WRAPPER_TAGS:
            depth += 1
        if depth > _CLIMB or (figure is not None and depth > figure_depth + 2):
            break
        around = all_text(anc)
        if len(around) > 1000:
            break
        near = depth <= _NEAR
        if anc.tag == "figcaption" or _caption_class(anc, near):
            # an image inside its caption; a block with a heading is a teaser or a list item instead
            if clean_element_text(anc) and not any(True for _ in anc.iter(*_HEADINGS)):
                return anc, [anc]
        caps = index.figcaptions.get(anc) or index.caption_elements(anc, near)
        caps = [c for c in caps if (c.tag == "figcaption" or not any(_is_image(x) for x in c.iter()))
                and clean_element_text(c)]
        if caps:
            return anc, caps
        found = beside()
        if found is not None:
            return anc, [found]
        if anc.tag == "figure":
            if figure is None:
                figure, figure_depth = anc, depth
        elif figure is None and not bare_tried and anc.tag not in _IMAGE_WRAPPER_TAGS and around.strip():
            bare_tried = True  # only the first text around the image can be a bare caption
            leaves = _bare_texts(anc)
            if leaves is not None:
                return anc, leaves
        chain.append(anc)
    if figure is not None and clean_element_text(figure):
        return figure, [figure]
    return None, []


def _attribute_caption(img) -> str | None:
    """A figure's caption given only as an attribute: ``data-caption`` (the image's or its
    figure's), else the image's ``title`` when it is a sentence, not a name or a file name."""
    figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
    if figure is None or clean_element_text(figure):
        return None
    for el in (img, figure):
        value = clean_text(el.get("data-caption"))
        if value:
            return value
    title = clean_text(img.get("title"))
    if title and len(title.split()) >= 4 and not re.search(r"\.(?:jpe?g|png|webp|gif)$", title, re.IGNORECASE):
        return title
    return None


class PageCaptions:
    """One search of a page's captions, for both uses: :meth:`keys` of every caption-like text
    (to keep them out of the body, before the article region is known), then :func:`captions` of
    the article region. Each image's caption is looked for when the object is made."""

    def __init__(self, doc):
        self.doc = doc
        self.index = _CaptionIndex(doc.root)
        self.found = [(img, *_caption_wrapper(img, None, self.index)) for img in self.index.images]

    def keys(self) -> set[str]:
        """Keys of figcaptions, caption-classed elements of figures, and of every caption the rules
        find beside any image of the page (with its parts: the text and the credit apart)."""
        keys: set[str] = set()
        for el in self.doc.root.iter("figcaption"):
            _keys_of(el, keys)
        for el in self.doc.root.iter("figure"):
            for sub in el.iter():
                if isinstance(sub.tag, str) and CAPTION_CLASS.search(class_and_id(sub)):
                    t = clean_element_text(sub)
                    if t:
                        keys.add(norm_key(t))
        seen: set = set()
        for _img, _wrapper, caps in self.found:
            for cap in caps:
                if cap not in seen and cap.tag != "figure":
                    seen.add(cap)
                    _keys_of(cap, keys)
        keys.discard("")
        return keys


def captions(page: PageCaptions | None, scope, exclude=()) -> list[dict]:
    """``[{"text", "image_url", "credit"}]`` for the images of the article region ``scope`` of the
    page searched by ``page``, in page order, by the rules of the module's docstring.

    ``exclude``: texts that are not captions whatever their place (the body's paragraphs, the
    title, the lead). The caption text keeps its credit (also given apart as ``credit`` when an
    element's class says so).
    """
    out: list[dict] = []
    if page is None or scope is None:
        return out
    skip = {norm_key(t) for t in exclude if t}
    keys: list[str] = []
    done: set = set()  # caption elements already given to an image
    base = page.doc.url or ""
    outer, lead = _lead_images(scope)
    for img, wrapper, caps in page.found:
        region = scope if scope in img.iterancestors() else (outer if img in lead else None)
        if region is None or _in_page_box(img, region):
            continue
        if wrapper is not None and (wrapper is scope or scope not in wrapper.iterancestors()):
            # found above the region's top: look again, stopping there
            wrapper, caps = _caption_wrapper(img, scope, page.index)
        if any(c in done for c in caps):
            continue
        if wrapper is None:
            text = _attribute_caption(img)
            if not text:
                continue
        else:
            done.update(caps)
            if _in_link_with(img, caps, scope):
                continue
            text = clean_text(" ".join(clean_element_text(c) for c in caps))
        if not text or len(text) < 3:
            continue
        credit = None
        for sub in (wrapper.iter() if wrapper is not None else ()):
            if isinstance(sub.tag, str) and sub is not wrapper and _CREDIT_CLASS.search(class_and_id(sub)):
                credit = clean_element_text(sub) or None
                if credit:
                    break
        without = text.replace(credit, "").strip(" |/-–—:") if credit else text
        if not without or _credit_only(without) or _is_byline(without):
            continue
        key = norm_key(text)
        if not key or key in skip or norm_key(without) in skip or norm_key(split_photo_credit(without)[0]) in skip:
            continue
        if any(key.startswith(k) or k.startswith(key) for k in keys):
            continue  # given twice (alt text and caption, a repeated photo, once with its credit)
        keys.append(key)
        src = _image_src(img, base)
        out.append({"text": text, "image_url": src or (_img_url(wrapper, base) if wrapper is not None else None),
                    "credit": credit})
    return out


def _keys_of(el, keys: set) -> None:
    text = clean_element_text(el)
    if text:
        keys.add(norm_key(text))
        for sub in el.iter():
            if isinstance(sub.tag, str) and sub is not el:
                t = clean_element_text(sub)
                if t and len(t) > 15:
                    keys.add(norm_key(t))
