"""Generic layer: what the visible page shows, for pages without a site file.

Building blocks used by :mod:`newscrawl.extract.fallback`; each rule holds for
any news page, never for a particular publisher:

* body: trafilatura's main text as blocks (:func:`trafilatura_blocks`), cleaned
  of what a reader does not count as the article (:func:`clean_body`: captions,
  photo credits, bylines, "read also" links, sub-headings), then checked
  against the page layout (:func:`locate_paragraphs`, :func:`container_of`,
  :func:`refine_body`: paragraphs outside the article region dropped, missed
  paragraphs styled like the body ones added);
* title: the ``<h1>`` texts, headings split into kicker and headline
  (:func:`heading_texts`), headings in navigation (:func:`in_navigation`), and
  the ``<title>`` / og:title without the site name (:func:`strip_site_name`);
* dates: ``<time datetime>`` and date-looking elements (:func:`time_values`,
  :func:`date_texts`);
* authors: links to author pages, author/byline classes, itemprop=author and
  "By ..." lines (:func:`byline_texts`);
* lead: standfirst-classed elements before the body (:func:`lead_candidates`);
* captions: the article region's images and their captions (:func:`captions`);
* language: ``<html lang>`` (:func:`language`).

Everything works on the document's one lxml tree (``doc.root``) and never raises.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newscrawl.model.text import INVISIBLE, clean_text

# Parts of a page that are never the article's text.
_NON_CONTENT_TAGS = {
    "script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select", "textarea", "rt", "rp",
}
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
_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline|datum|fecha|data|zeit|meta|timestamp", re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption|legend|bildunterschrift|figcaption|image-?text|img-?text|photo-?text|credit", re.IGNORECASE)
_LEAD_CLASS = re.compile(
    r"(^|[\s_-])(lead|lede|intro|standfirst|sapo|summary|teaser|dek|deck|subtitle|sub-?headline|subhead|"
    r"excerpt|description|abstract|chapeau|kicker-?text|article-?lead|story-?lead|header-?text|strapline|"
    r"vorspann|entradilla|entradeta|ingress|ingr?ess|descricao|occhiello|sommario|standfirst)($|[\s_-])",
    re.IGNORECASE,
)
_EDGE_SEPARATORS = re.compile(r"^[\s\-–—|:·•/]+|[\s\-–—|:·•/]+$")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|•|::|»|«|/|\\)\s+|\s*\|\s*")
_DATE_ONLY = re.compile(r"^[\d\s./:-]+$")
_WORD = re.compile(r"\w+")
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
    if tag in _NON_CONTENT_TAGS or not tag:
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


def _join_blocks(text: str) -> str:
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


def element_text(el) -> str:
    """Visible text of an element: no script/style, blocks separated, whitespace collapsed."""
    try:
        parts: list[str] = []
        _collect(el, parts)
        text = "".join(parts)
        if "\x00" in text:
            text = _join_blocks(text)
        return clean_text(text) or ""
    except Exception:
        return ""


def _classes(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


# --------------------------------------------------------------------------- language


def language(doc) -> str | None:
    try:
        root = doc.root
        lang = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
        if not lang:
            body = root.find("body")
            lang = body.get("lang") if body is not None else None
    except Exception:
        lang = None
    return normalise_language(lang)


def normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("_", "-")
    primary = value.split("-")[0].lower()
    if re.fullmatch(r"[a-z]{2,3}", primary):
        return primary
    return None


# --------------------------------------------------------------------------- title


def h1_texts(doc) -> list[str]:
    """Texts of the page's ``<h1>`` elements, document order, empty ones dropped."""
    out = []
    try:
        for h1 in doc.root.iter("h1"):
            text = element_text(h1)
            if text and len(text) > 2:
                out.append(text)
    except Exception:
        pass
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
_NAV_MARK = re.compile(r"breadcrumb|crumb", re.IGNORECASE)
_HAS_WORD = re.compile(r"\w")


def is_kicker(el) -> bool:
    """A kicker / overline element: by class or id, or by a ``data-*`` attribute naming it
    (``data-kicker=...``, ``data-role="kicker"``)."""
    if _KICKER_CLASS.search(_classes(el)):
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
    full = element_text(el)
    parts: list[str] = []
    dropped = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if _is_hidden(child) or is_kicker(child):
            dropped.append(child)
            continue
        text = element_text(child)
        if text and _HAS_WORD.search(text):
            parts.append(text)
    headline = full
    if dropped:
        pieces = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and not any(child is d for d in dropped):
                pieces.append("\x00" + element_text(child) + "\x00")
            pieces.append(child.tail or "")
        kept = clean_text(_join_blocks("".join(pieces)))
        if kept and _HAS_WORD.search(kept):
            headline = kept
    return full, headline, parts


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


def title_tag(doc) -> str | None:
    try:
        head = doc.root.find("head")
        node = head.find("title") if head is not None else None
        if node is None:
            found = doc.root.xpath("//title")
            node = found[0] if found else None
        return element_text(node) if node is not None else None
    except Exception:
        return None


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


def _is_site_segment(segment: str, site_keys: set[str]) -> bool:
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
    if not title or _is_site_segment(title, site_keys):
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
        if _is_site_segment(tail, site_keys):
            segments_text = segments_text[: last.start()].strip()
            changed = True
            continue
        first = ms[0]
        head = segments_text[: first.start()]
        if _is_site_segment(head, site_keys):
            segments_text = segments_text[first.end():].strip()
            changed = True
    return segments_text or title


# --------------------------------------------------------------------------- article container


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
    try:
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
    except Exception:
        pass
    return found


def container_of(hits: list):
    """The deepest element holding at least 70 % of the located paragraphs."""
    hits = [h for h in hits if h is not None]
    if not hits:
        return None
    counts: dict = {}
    for el in hits:
        for anc in el.iterancestors():
            counts[anc] = counts.get(anc, 0) + 1
    need = max(1, int(0.7 * len(hits) + 0.5))
    best, best_depth = None, -1
    for anc, n in counts.items():
        if n >= need:
            d = sum(1 for _ in anc.iterancestors())
            if d > best_depth:
                best, best_depth = anc, d
    return best


_BOILERPLATE_CLASS = re.compile(
    r"related|teaser|newsletter|promo|advert|\bad\b|ads\b|sponsor|recommend|more-?stories|read-?more|share|"
    r"social|comment|footer|sidebar|aside|breadcrumb|caption|credit|author-?bio|subscribe",
    re.IGNORECASE,
)


_BOX_TAGS = ("figure", "figcaption", "aside", "nav", "footer", "form")
_PAGE_BOX_TAGS = ("aside", "nav", "footer", "form")


# Boxes around images that are not the article's own pictures.
_BOX_CLASS = re.compile(
    r"related|newsletter|promo|advert|\bad\b|ads\b|sponsor|recommend|more-?stories|read-?more|share|"
    r"social|comment|author|avatar|logo|icon|profile",
    re.IGNORECASE,
)


def _in_boilerplate(el, stop, tags=_BOX_TAGS, pattern=None) -> bool:
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
        if anc is not el and anc is not parent and (pattern or _BOILERPLATE_CLASS).search(_classes(anc)):
            return True
    return False


def _drop_link_lists(doc, items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Drop paragraphs made mostly of link texts: menus, teaser lists, and the
    whole-page text dump trafilatura falls back to on a page without an article."""
    out = []
    link_keys = None
    for text, el in items:
        if el is not None:
            total = len(all_text(el))
            links = sum(len(all_text(a)) for a in el.iter("a"))
            if total and links > 0.6 * total and len(text) < 400:
                continue
            out.append((text, el))
            continue
        # Not one element of the page: measure how much of it is link text.
        key = norm_key(text)
        if len(key) > 60:
            if link_keys is None:
                try:
                    link_keys = {k for k in (norm_key(all_text(a)) for a in doc.root.iter("a")) if len(k) >= 3}
                except Exception:
                    link_keys = set()
            covered = sum(len(k) for k in link_keys if k in key)
            if covered > 0.4 * len(key):
                continue
        out.append((text, el))
    return out


def refine_body(doc, body: list[str], hits: list, region, elements_out: list | None = None) -> list[str]:
    """Use the page layout to fix trafilatura's paragraph list.

    * paragraphs shown outside the article region are dropped (teasers of other
      articles, boxes elsewhere on the page);
    * ``<p>`` elements of the article region styled like the located body
      paragraphs (same tag, class and parent class) but missed are added, in
      page order (articles split into several blocks, paragraphs with a link).
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
    try:
        for el in region.iter():
            inside.add(el)
    except Exception:
        return body
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
            position = {el: i for i, el in enumerate(region.iter())}
            extra = []
            for el in region.iter("p"):
                if el in have or signature(el) != sig:
                    continue
                text = element_text(el)
                if len(text) < 60:
                    continue
                links = sum(len(all_text(a)) for a in el.iter("a"))
                if links > 0.3 * len(text) or _in_boilerplate(el, region):
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


# --------------------------------------------------------------------------- captions


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
            and _CAPTION_CLASS.search(_classes(c)) and not _CREDIT_CLASS.search(_classes(c))]
    return [c for c in caps if not any(a in caps for a in c.iterancestors())]


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
    try:
        for img in scope.iter("img", "amp-img"):
            if _in_boilerplate(img, scope, _PAGE_BOX_TAGS, _BOX_CLASS):
                continue
            wrapper, caps = _caption_wrapper(img, scope)
            if wrapper is None or wrapper in done:
                continue
            done.add(wrapper)
            text = clean_text(" ".join(element_text(c) for c in caps)) if caps else None
            if not text or len(text) < 3:
                continue
            credit = None
            for sub in wrapper.iter():
                if isinstance(sub.tag, str) and sub is not wrapper and _CREDIT_CLASS.search(_classes(sub)):
                    credit = element_text(sub) or None
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
    except Exception:
        pass
    return out


def caption_keys(doc) -> set[str]:
    """Keys of every caption-like text on the page (to keep them out of the body)."""
    keys = set()
    try:
        for el in doc.root.iter("figcaption"):
            text = element_text(el)
            if text:
                keys.add(norm_key(text))
                for sub in el.iter():
                    if isinstance(sub.tag, str) and sub is not el:
                        t = element_text(sub)
                        if t and len(t) > 15:
                            keys.add(norm_key(t))
        for el in doc.root.iter("figure"):
            for sub in el.iter():
                if isinstance(sub.tag, str) and _CAPTION_CLASS.search(_classes(sub)):
                    t = element_text(sub)
                    if t:
                        keys.add(norm_key(t))
    except Exception:
        pass
    keys.discard("")
    return keys


# --------------------------------------------------------------------------- bylines and dates in the DOM


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
    try:
        for sc in scopes:
            groups: dict = {}
            order = []
            for a in sc.iter("a"):
                rel = (a.get("rel") or "").lower().split()
                href = a.get("href") or ""
                if "author" not in rel and not _AUTHOR_HREF.search(href):
                    continue
                if _BYLINE_EXCLUDE_CLASS.search(_classes(a)):
                    continue
                text = element_text(a)
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
                text = (names[0].get("content") or element_text(names[0])) if names else element_text(node)
            else:
                text = node.get("content") if node.tag in ("meta", "link") else element_text(node)
            text = clean_text(text)
            if text and len(text) < 200 and not text.lower().startswith("http"):
                out.append(text)
    except Exception:
        pass
    for sc in [*scopes, root]:
        found = []
        try:
            for el in sc.iter():
                if not isinstance(el.tag, str) or el.tag in _NON_CONTENT_TAGS or el.tag in ("body", "html", "article", "main", "meta", "link", "img"):
                    continue
                cls = _classes(el)
                if cls.strip() and _BYLINE_CLASS.search(cls) and not _BYLINE_EXCLUDE_CLASS.search(cls):
                    text = element_text(el)
                    if text and 2 < len(text) < 200:
                        found.append((el, text))
                elif sc is not root and el.tag in ("p", "div", "span", "li", "em", "i", "b", "strong", "address"):
                    own = (el.text or "").strip()
                    if own and _BYLINE_LABEL.match(own):
                        text = element_text(el)
                        if text and len(text) < 120:
                            found.append((el, text))
        except Exception:
            pass
        els = {el for el, _ in found}
        for el, text in found:
            if len(text) > 80 and any(child in els for child in el.iterdescendants()):
                continue  # an outer wrapper whose inner parts are listed too
            out.append(text)
        if found:
            break
    return list(dict.fromkeys(out))


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
        text = element_text(el)
        return (text, "text") if text else None

    try:
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
    except Exception:
        pass
    return out


def date_texts(doc, scope=None, anchor=None, limit: int = 20) -> list[str]:
    """Short texts of date-looking elements (class says date/time/publish...):
    those of ``scope`` in page order, then the page's others nearest to
    ``anchor`` (the article's h1) first; never one inside a link (a teaser's)."""
    def looks_dated(el) -> str | None:
        if not isinstance(el.tag, str) or el.tag in _NON_CONTENT_TAGS:
            return None
        cls = _classes(el)
        if not cls.strip() or not _DATE_CLASS.search(cls):
            return None
        text = element_text(el)
        if text and 6 <= len(text) <= 120 and re.search(r"\d", text):
            return text
        return None

    out: list[str] = []
    try:
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
    except Exception:
        pass
    return list(dict.fromkeys(out))[:limit]


# --------------------------------------------------------------------------- lead


def lead_candidates(doc, region, first_el=None) -> list[str]:
    """Standfirst-looking texts (class says lead/intro/summary...) in the article
    region, before the body's first paragraph, outside figures and boxes."""
    out: list[str] = []
    if region is None:
        return out
    try:
        for el in region.iter():
            if el is first_el:
                break
            if not isinstance(el.tag, str) or el.tag in _NON_CONTENT_TAGS or el.tag in ("meta", "link", "img", "a"):
                continue
            cls = _classes(el)
            if not cls.strip() or not _LEAD_CLASS.search(cls):
                continue
            if _in_boilerplate(el, region) and not _LEAD_CLASS.search(el.get("class") or ""):
                continue
            if any(anc.tag in ("figure", "figcaption", "aside", "nav", "footer") for anc in el.iterancestors()):
                continue
            blocks = sum(1 for sub in el.iter("p", "div", "li", "h1", "h2", "h3", "figure", "ul") if sub is not el)
            if blocks > 3:
                continue
            text = element_text(el)
            if not text or not 30 <= len(text) <= 1000:
                continue
            links = sum(len(all_text(a)) for a in el.iter("a"))
            if links > 0.5 * len(text):
                continue
            out.append(text)
    except Exception:
        pass
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- body


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
    try:
        import trafilatura
    except ImportError:  # pragma: no cover
        return []
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
    except Exception:
        return []
    finally:
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


def clean_body(
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
    try:
        from newscrawl.extract.authors import looks_like_byline
    except ImportError:  # pragma: no cover - written in parallel
        looks_like_byline = None

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
        if len(text) < 100 and looks_like_byline is not None:
            try:
                if looks_like_byline(text):
                    if removed_bylines is not None:
                        removed_bylines.append(text)
                    continue
            except Exception:
                pass
        if key in seen and len(key) > 20:
            continue
        seen.add(key)
        out.append(text)
    return out
