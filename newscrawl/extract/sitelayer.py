"""The site-file layer: a site's own selectors, the most precise source of each field.

``extract_site_fields(doc, site)`` picks the first layout of the site file whose
``detect`` selector matches the page and reads every field the layout has
selectors for. The selector syntax and the layout keys are documented in
:mod:`newscrawl.sites`.
"""
from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urljoin

from lxml import etree

from newscrawl.extract.authors import looks_like_byline, parse_byline, split_photo_credit
from newscrawl.extract.document import Document
from newscrawl.extract.jsonld import ARTICLE_TYPES, node_types
from newscrawl.sites import JSONLD_PREFIX, LIST_FIELDS, XPATH_PREFIX, Layout, Site
from newscrawl.model.text import clean_text

__all__ = ["raw_element_text", "choose_layout", "extract_site_fields", "lead_prefix_pattern"]

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button", "form", "select"})
_BREAK_TAGS = frozenset({"br", "hr"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "td", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption",
                         "blockquote", "section", "article", "ul", "ol", "table", "figure", "header", "footer"})
_MAX_TRAILING_BYLINES = 2
_MAX_RIGHT_ALIGNED_WORDS = 8
# A credit that is not a sentence: one to four capitalised words of letters (initials with dots allowed).
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[.\-'’][^\W\d_]+)*\.?")


def _short_name(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 4 and text[0].isupper() and all(_NAME_WORD.fullmatch(w) for w in words)


def raw_element_text(el, skip=frozenset()) -> str:
    """The visible text of an element, not yet cleaned: text nodes joined as a browser shows them.

    Inline tags add no space (``<b>Th</b>u`` is "Thu"); ``<br>`` and block
    boundaries do; scripts, styles, comments and the elements in ``skip`` are
    left out (a skipped element's tail text is kept).
    """
    parts: list[str] = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None:  # comment or processing instruction: skip it, keep its tail
            return
        tag = tag.lower()
        if tag in _SKIP_TAGS or node in skip:
            return
        if tag in _BREAK_TAGS:
            parts.append(" ")
        if tag in _BLOCK_TAGS:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            parts.append(" ")

    walk(el)
    return "".join(parts)


def _select(scope, selector: str):
    if selector.startswith(XPATH_PREFIX):
        return scope.xpath(selector[len(XPATH_PREFIX):])
    return scope.css(selector)


def _elements(scope, selectors) -> list:
    """lxml elements of the first selector (of ``selectors``) that selects any."""
    for selector in selectors:
        found = [s.root for s in _select(scope, selector) if isinstance(s.root, etree._Element)]
        if found:
            return found
    return []


def _all_elements(scope, selectors) -> list:
    """lxml elements every selector selects (unordered across selectors, duplicates removed)."""
    out, seen = [], set()
    for selector in selectors:
        for s in _select(scope, selector):
            root = s.root
            if isinstance(root, etree._Element) and root not in seen:
                seen.add(root)
                out.append(root)
    return out


def _inside(el, nodes, stop=None) -> bool:
    """Is ``el`` (or one of its ancestors below ``stop``) in ``nodes``?"""
    if not nodes:
        return False
    for node in (el, *el.iterancestors()):
        if node is stop:
            return False
        if node in nodes:
            return True
    return False


# --------------------------------------------------------------------------- JSON-LD values

def _ld_strings(value, resolve) -> list[str]:
    value = resolve(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        return [s for item in value for s in _ld_strings(item, resolve)]
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            if key in value:
                return _ld_strings(value[key], resolve)
    return []


def _ld_walk(value, parts: list[str], resolve) -> list[str]:
    if not parts:
        return _ld_strings(value, resolve)
    value = resolve(value)
    if isinstance(value, list):
        return [s for item in value for s in _ld_walk(item, parts, resolve)]
    if isinstance(value, dict) and parts[0] in value:
        return _ld_walk(value[parts[0]], parts[1:], resolve)
    return []


# --------------------------------------------------------------------------- one extraction


class _Page:
    """One page seen through one layout: the removed elements, the JSON-LD, document order."""

    def __init__(self, doc: Document, site: Site, layout: Layout):
        self.doc, self.site, self.layout = doc, site, layout
        self.skip = frozenset(_all_elements(doc.sel, layout.remove))

    @property
    def jsonld(self):
        return self.doc.structured.jsonld  # parsed once per page, shared with the structured layer

    @cached_property
    def order(self) -> dict:
        return {el: i for i, el in enumerate(self.doc.root.iter())}

    def jsonld_values(self, path: str) -> list[str]:
        parts = path.strip().split(".")
        nodes = self.jsonld.nodes
        if parts[0][:1].isupper():
            wanted = parts[0].lower()
            nodes = [n for n in nodes if wanted in node_types(n)]
            parts = parts[1:]
        else:
            nodes = [n for n in nodes if node_types(n) & ARTICLE_TYPES]
        for node in nodes:
            texts = [t for t in (clean_text(v) for v in _ld_walk(node, parts, self.jsonld.resolve)) if t]
            if texts:
                return texts
        return []

    def texts(self, scope, selectors, skip=frozenset()) -> list[str]:
        """Texts of everything the first matching selector selects (elements as visible text,
        ``::text`` / ``::attr`` as they are, ``jsonld:`` values); removed elements are left out."""
        skip = self.skip | skip
        for selector in selectors:
            if selector.startswith(JSONLD_PREFIX):
                texts = self.jsonld_values(selector[len(JSONLD_PREFIX):])
                if texts:
                    return texts
                continue
            texts = []
            for item in _select(scope, selector):
                root = item.root
                if isinstance(root, etree._Element):
                    if _inside(root, skip):
                        continue
                    text = raw_element_text(root, skip)
                else:
                    text = str(root)
                text = clean_text(text)
                if text:
                    texts.append(text)
            if texts:
                return texts
        return []


def choose_layout(doc: Document, site: Site) -> Layout | None:
    for layout in site.layouts:
        if any(_select(doc.sel, selector) for selector in layout.detect):
            return layout
    return None


def _image_url(page: _Page, block, base_url: str) -> str | None:
    if page.layout.caption_image:
        for src in page.texts(block, page.layout.caption_image):
            if src and not src.startswith("data:"):
                return urljoin(base_url, src.split()[0])
        return None
    for attr in ("data-src", "data-original", "src"):
        for src in block.xpath(f".//img/@{attr}").getall():
            src = src.strip()
            if src and not src.startswith("data:"):
                return urljoin(base_url, src)
    return None


def _captions(page: _Page) -> tuple[list[dict], set]:
    layout, doc = page.layout, page.doc
    blocks = [b for b in _all_elements(doc.sel, layout.captions) if not _inside(b, page.skip)]
    if len(layout.captions) > 1:
        blocks.sort(key=lambda b: page.order.get(b, 0))
    block_set = set(blocks)
    captions = []
    for root in blocks:
        if any(a in block_set for a in root.iterancestors()):
            continue  # a block inside another caption block is part of that caption
        block = _selector_for(doc, root)
        credit_nodes = frozenset(_elements(block, layout.caption_credit)) if layout.caption_credit else frozenset()
        texts = page.texts(block, layout.caption_text, skip=credit_nodes)
        if not texts:
            continue
        text = " ".join(texts)
        caption = {"text": text, "image_url": _image_url(page, block, doc.url)}
        credit = None
        if credit_nodes:
            credit = clean_text(" ".join(raw_element_text(n, page.skip) for n in credit_nodes))
            credit = credit and (split_photo_credit(credit)[1] or credit)
        elif text.endswith(")."):
            # "... (Ảnh: Mạnh Quân)." - the sentence's full stop after the credit's bracket.
            credit = split_photo_credit(text[:-1])[1]
        if credit:
            caption["credit"] = credit
        captions.append(caption)
    return captions, block_set


def _selector_for(doc: Document, root):
    """A parsel Selector for an lxml element of ``doc`` (to run selectors inside it)."""
    from parsel import Selector

    return Selector(root=root, type="html", base_url=doc.url)


def _is_right_aligned(el) -> bool:
    for node in (el, *el.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if "text-align:right" in style or (node.get("align") or "").lower() == "right":
            return True
        if node.tag in ("div", "article", "section", "td"):
            break
    return False


def _containers(page: _Page) -> list:
    for selector in page.layout.body:
        found = [s.root for s in _select(page.doc.sel, selector)
                 if isinstance(s.root, etree._Element) and not _inside(s.root, page.skip)]
        if found:
            if not page.layout.body_all:
                return found[:1]
            found_set = set(found)  # a container inside another one is already part of it
            return [c for c in found if not any(a in found_set for a in c.iterancestors())]
    return []


#: A selected element's tag -> its block type (``blocks``); any other tag is a paragraph. The site's
#: selectors put sub-headings in ``body`` (as since 1.0): their blocks say ``heading`` all the same.
_BLOCK_TYPE_OF_TAG = {
    "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
    "li": "list_item", "blockquote": "quote", "pre": "code", "tr": "table_row",
}


def block_type(el) -> str:
    return _BLOCK_TYPE_OF_TAG.get(el.tag if isinstance(el.tag, str) else "", "paragraph")


def _body(page: _Page, caption_blocks: set) -> tuple[list[tuple[str, str]], list[str]]:
    """Body paragraphs in order as ``(block type, text)``, and the bylines found in the body."""
    layout, site = page.layout, page.site
    paragraphs: list[tuple[object, str]] = []
    bylines: list[str] = []
    boilerplate = {t.casefold() for t in site.boilerplate | layout.boilerplate}
    patterns = site.boilerplate_patterns + layout.boilerplate_patterns
    for root in _containers(page):
        container = _selector_for(page.doc, root)
        excluded = set(caption_blocks) | set(page.skip)
        excluded.update(_all_elements(container, layout.exclude))
        byline_nodes = set(_all_elements(container, layout.byline_selectors))
        for node in sorted(byline_nodes, key=lambda n: page.order.get(n, 0)) if len(byline_nodes) > 1 else byline_nodes:
            if _inside(node, excluded, stop=root):
                continue
            text = clean_text(raw_element_text(node, page.skip))
            if text:
                bylines.append(text)
        skip = frozenset(excluded | byline_nodes)
        selected = [s.root for s in _select(container, layout.paragraphs) if isinstance(s.root, etree._Element)]
        selected_set = set(selected)
        for el in selected:
            if el in skip or any(node is not root and (node in skip or node in selected_set)
                                 for node in _ancestors_below(el, root)):
                continue  # excluded, a byline, or nested in a paragraph already taken
            text = clean_text(raw_element_text(el, skip))
            if not text or text.casefold() in boilerplate or any(p.search(text) for p in patterns):
                continue
            paragraphs.append((el, text))

    if layout.trailing_byline:
        trailing = []
        while paragraphs and len(trailing) < _MAX_TRAILING_BYLINES:
            el, text = paragraphs[-1]
            right_short = _is_right_aligned(el) and len(text.split()) <= _MAX_RIGHT_ALIGNED_WORDS
            if not (right_short or looks_like_byline(text)):
                break
            paragraphs.pop()
            trailing.insert(0, text)
        bylines.extend(trailing)
    return [(block_type(el), text) for el, text in paragraphs], bylines


def _ancestors_below(el, stop):
    for node in el.iterancestors():
        if node is stop:
            return
        yield node


_DASHES = "-–—"


def lead_prefix_pattern(prefix: str) -> re.Pattern:
    """A prefix such as ``"TT - "`` as a loose regex: any spacing, any of - – — for a dash."""
    out = [r"^\s*"]
    for char in prefix:
        if char.isspace():
            if out[-1] != r"\s*":
                out.append(r"\s*")
        elif char in _DASHES:
            out.append(f"[{_DASHES}]")
        else:
            out.append(re.escape(char))
    if out[-1] != r"\s*":
        out.append(r"\s*")
    return re.compile("".join(out), re.IGNORECASE)


def _strip_lead_prefix(lead: str, prefixes) -> str:
    for prefix in prefixes:
        match = lead_prefix_pattern(prefix).match(lead)
        if match and match.end() < len(lead):
            return lead[match.end():]
    return lead


def extract_site_fields(doc: Document, site: Site) -> tuple[dict, str | None]:
    """Fields the site file's selectors find, and the name of the layout used (None: no layout matched)."""
    layout = None
    with doc.errors.guard("layout"):  # no layout: every field is left to the structured and generic layers
        layout = choose_layout(doc, site)
    if layout is None:
        return {}, None
    page = _Page(doc, site, layout)
    guard = doc.errors.guard  # a field whose selectors fail is left to the next layer
    fields: dict = {}
    for name, selectors in layout.fields.items():
        with guard(name):
            texts = page.texts(doc.sel, selectors)
            if not texts:
                continue
            if name == "tags" and layout.tags_separator:
                texts = [t for text in texts for t in (clean_text(p) for p in text.split(layout.tags_separator)) if t]
            fields[name] = texts if name in LIST_FIELDS else texts[0]
    captions, caption_blocks = [], set()
    with guard("captions"):
        captions, caption_blocks = _captions(page)
    if captions:
        fields["captions"] = captions
    body, bylines = [], []
    with guard("body"):
        body, bylines = _body(page, caption_blocks)
    if body:
        fields["body"] = [text for _, text in body]
        fields["blocks"] = [{"type": kind, "text": text} for kind, text in body]

    raw_bylines = fields.pop("authors", [])
    with guard("authors"):
        authors, authors_raw, source = _people(raw_bylines, bylines, fields.get("source"))
        if raw_bylines or bylines:
            fields["authors"] = authors
            fields["authors_raw"] = authors_raw
        if source:
            fields["source"] = source

    lead = fields.get("lead")
    if lead and layout.lead_prefixes:
        fields["lead"] = _strip_lead_prefix(lead, layout.lead_prefixes)
    return fields, layout.name


def _people(raw_bylines: list[str], bylines: list[str], source: str | None) -> tuple[list[str], list[str], str | None]:
    """Bylines (from the authors selectors, else from the body) split into people and agency credits:
    (authors, authors_raw, source)."""
    authors, authors_raw = [], []
    for candidates, selected in ((raw_bylines, True), (bylines, False)):
        for raw in candidates:
            byline = parse_byline(raw)
            if selected and not (byline.authors or byline.source) and _short_name(raw):
                # The site file points at the author element: a short credit the byline parser
                # does not take for a name (initials such as "TP") is the author all the same.
                authors.append(raw)
                authors_raw.append(raw)
                continue
            authors.extend(byline.authors)
            authors_raw.extend(byline.authors_raw)
            source = source or byline.source
        if authors or source:
            break
    return authors, authors_raw, source
