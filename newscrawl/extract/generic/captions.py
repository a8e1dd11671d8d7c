"""Image captions of the article region (:func:`captions`), and the keys of every caption-like text
on the page, to keep them out of the body (:func:`caption_keys`)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from newscrawl.extract.generic.dom import CAPTION_CLASS, all_text, class_and_id, clean_element_text, in_boilerplate, norm_key
from newscrawl.model.text import clean_text


_PAGE_BOX_TAGS = ("aside", "nav", "footer", "form")


# Boxes around images that are not the article's own pictures.
_BOX_CLASS = re.compile(
    r"related|newsletter|promo|advert|\bad\b|ads\b|sponsor|recommend|more-?stories|read-?more|share|"
    r"social|comment|author|avatar|logo|icon|profile",
    re.IGNORECASE,
)


def _img_url(el, base_url: str) -> str | None:
    for img in el.iter("img", "source", "amp-img"):
        for attr in ("src", "data-src", "data-original", "data-lazy-src", "data-srcset", "srcset"):
            value = img.get(attr)
            if not value:
                continue
            value = value.strip().split(",")[0].strip().split(" ")[0]
            if not value or value.startswith("data:"):
                continue
            return urljoin(base_url, value)
    return None


_CREDIT_CLASS = re.compile(r"credit|copyright|source|author|photographer|pictsrc|quelle|fotograf|byline", re.IGNORECASE)


_CREDIT_ONLY = re.compile(
    r"^\(?\s*(?:foto|fotos|photo|photos|bild|image|images|quelle|source|credit|crédit|ảnh|kilde|foto:|zdjęcie)\b\s*:?|"
    r"©|\b(?:getty|shutterstock|imago|reuters|afp|dpa|keystone|picture alliance|istock|adobe stock|stock\.adobe)\b|"
    r"\w/\w|^\(.*\)$",
    re.IGNORECASE,
)


def _credit_only(text: str) -> bool:
    """A photo credit with no caption ("F. Kern/IMAGO", "(The Independent)", "Foto: dpa")."""
    return len(text.split()) <= 8 and bool(_CREDIT_ONLY.search(text))


def _caption_elements(el) -> list:
    caps = [c for c in el.iter() if isinstance(c.tag, str) and c is not el
            and CAPTION_CLASS.search(class_and_id(c)) and not _CREDIT_CLASS.search(class_and_id(c))]
    return [c for c in caps if not any(a in caps for a in c.iterancestors())]


# Elements that only wrap an image, not a level of layout: not counted in the climb from an image
# to its figure. lxml's HTML parser does not know ``<source>`` is void, so a ``<picture>`` with five
# sources nests its ``<img>`` five levels deep.
_IMAGE_WRAPPER_TAGS = frozenset({"source", "picture", "a", "noscript"})


def _caption_wrapper(img, scope):
    """(element holding an image and its caption, caption elements), or (None, []).

    The image's ``<figure>`` when it has text (its figcaption or caption-class
    elements, else its whole text); else the nearest small ancestor of the image
    (or of its textless figure) holding a figcaption or caption-class element.
    """
    start = img
    depth = 0
    for anc in img.iterancestors():
        if anc is scope or depth >= 6:
            break
        if anc.tag not in _IMAGE_WRAPPER_TAGS:
            depth += 1
        if anc.tag == "figure":
            if all_text(anc).strip():
                caps = list(anc.iter("figcaption")) or _caption_elements(anc)
                return anc, caps or [anc]
            start = anc
            break
    depth = 0
    for anc in start.iterancestors():
        if anc is scope or depth >= 3 or anc.tag in ("article", "section", "main", "body", "html"):
            break
        depth += 1
        caps = list(anc.iter("figcaption")) or _caption_elements(anc)
        if caps:
            if len(all_text(anc)) > 1000:
                break
            return anc, caps
    return None, []


def captions(doc, scope=None) -> list[dict]:
    """``[{"text", "image_url", "credit"}]`` for the images of the article region, in page order.

    An image's caption is the figcaption / caption-class element of its figure
    (or the figure's text), else a figcaption / caption-class element in a small
    block around it. Images in related / promo boxes and captions that are only
    a photo credit are left out. The caption text keeps its credit (also given
    apart as ``credit`` when an element's class says so).
    """
    out: list[dict] = []
    if scope is None:
        return out
    seen: set[str] = set()
    done: set = set()
    base = doc.url or ""
    for img in scope.iter("img", "amp-img"):
        if in_boilerplate(img, scope, _PAGE_BOX_TAGS, _BOX_CLASS):
            continue
        wrapper, caps = _caption_wrapper(img, scope)
        if wrapper is None or wrapper in done:
            continue
        done.add(wrapper)
        text = clean_text(" ".join(clean_element_text(c) for c in caps)) if caps else None
        if not text or len(text) < 3:
            continue
        credit = None
        for sub in wrapper.iter():
            if isinstance(sub.tag, str) and sub is not wrapper and _CREDIT_CLASS.search(class_and_id(sub)):
                credit = clean_element_text(sub) or None
                if credit:
                    break
        without = text.replace(credit, "").strip(" |/-–—:") if credit else text
        if not without or _credit_only(without):
            continue
        key = norm_key(text)
        if not key or key in seen:
            continue
        seen.add(key)
        src = None
        for attr in ("src", "data-src", "data-original", "data-lazy-src", "data-srcset", "srcset"):
            value = (img.get(attr) or "").strip().split(",")[0].strip().split(" ")[0]
            if value and not value.startswith("data:"):
                src = urljoin(base, value)
                break
        out.append({"text": text, "image_url": src or _img_url(wrapper, base), "credit": credit})
    return out


def caption_keys(doc) -> set[str]:
    """Keys of every caption-like text on the page (to keep them out of the body)."""
    keys = set()
    for el in doc.root.iter("figcaption"):
        text = clean_element_text(el)
        if text:
            keys.add(norm_key(text))
            for sub in el.iter():
                if isinstance(sub.tag, str) and sub is not el:
                    t = clean_element_text(sub)
                    if t and len(t) > 15:
                        keys.add(norm_key(t))
    for el in doc.root.iter("figure"):
        for sub in el.iter():
            if isinstance(sub.tag, str) and CAPTION_CLASS.search(class_and_id(sub)):
                t = clean_element_text(sub)
                if t:
                    keys.add(norm_key(t))
    keys.discard("")
    return keys
