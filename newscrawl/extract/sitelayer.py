"""The site-file layer: a site's own selectors, the most precise source of each field."""
from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from newscrawl.extract.authors import looks_like_byline, parse_byline
from newscrawl.extract.document import Document
from newscrawl.sites import Layout, Site
from newscrawl.text import clean_text

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "button", "form", "select"})
_BREAK_TAGS = frozenset({"br", "hr"})


def element_text(el) -> str:
    """The visible text of an element: text nodes joined as a browser shows them.

    Inline tags add no space (``<b>Th</b>u`` is "Thu"); ``<br>`` and block
    boundaries do; scripts, styles and comments are left out.
    """
    parts: list[str] = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None:  # comment or processing instruction: skip it, keep its tail
            return
        tag = tag.lower()
        if tag in _SKIP_TAGS:
            return
        if tag in _BREAK_TAGS:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in ("p", "div", "li", "td", "tr", "h1", "h2", "h3", "h4", "figcaption"):
            parts.append(" ")

    walk(el)
    return "".join(parts)


def _select(scope, selector: str):
    if selector.startswith("xpath:"):
        return scope.xpath(selector[6:])
    return scope.css(selector)


def _texts(scope, selectors) -> list[str]:
    """Texts of everything the first matching selector selects (elements as visible text, ::text/::attr as is)."""
    for selector in selectors:
        found = _select(scope, selector)
        texts = []
        for item in found:
            root = item.root
            text = element_text(root) if isinstance(root, etree._Element) else str(root)
            text = clean_text(text)
            if text:
                texts.append(text)
        if texts:
            return texts
    return []


def choose_layout(doc: Document, site: Site) -> Layout | None:
    for layout in site.layouts:
        if _select(doc.sel, layout.detect):
            return layout
    return None


def _image_url(block, base_url: str) -> str | None:
    for attr in ("data-src", "data-original", "src"):
        srcs = block.xpath(f".//img/@{attr}").getall()
        for src in srcs:
            src = src.strip()
            if src and not src.startswith("data:"):
                return urljoin(base_url, src)
    return None


def _captions(doc: Document, layout: Layout) -> tuple[list[dict], set]:
    captions, blocks = [], set()
    for selector in layout.captions:
        for block in _select(doc.sel, selector):
            blocks.add(block.root)
            texts = _texts(block, layout.caption_text)
            if texts:
                captions.append({"text": " ".join(texts), "image_url": _image_url(block, doc.url)})
    return captions, blocks


def _is_right_aligned(el) -> bool:
    for node in (el, *el.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if "text-align:right" in style or (node.get("align") or "").lower() == "right":
            return True
        if node.tag in ("div", "article", "section", "td"):
            break
    return False


def _body(doc: Document, layout: Layout, site: Site, caption_blocks: set) -> tuple[list[str], list[str]]:
    """Body paragraphs in order, and the bylines found at the body's end."""
    containers = _select(doc.sel, layout.body) if layout.body else []
    if not containers:
        return [], []
    container = containers[0]
    excluded = set(caption_blocks)
    for selector in layout.exclude:
        excluded.update(s.root for s in _select(container, selector))
    byline_nodes = set()
    if layout.byline and layout.byline != "trailing":
        byline_nodes.update(s.root for s in _select(container, layout.byline))
    selected = [s.root for s in _select(container, layout.paragraphs)]
    selected_set = set(selected)
    container_root = container.root

    paragraphs: list[tuple[object, str]] = []
    bylines: list[str] = []
    for el in selected:
        skip = False
        for node in (el, *el.iterancestors()):
            if node is container_root:
                break
            if node in excluded or (node is not el and node in selected_set):
                skip = True  # inside a caption/excluded block, or nested in a paragraph already taken
                break
            if node in byline_nodes:
                text = clean_text(element_text(el))
                if text:
                    bylines.append(text)
                skip = True
                break
        if skip:
            continue
        text = clean_text(element_text(el))
        if not text or text in site.boilerplate:
            continue
        paragraphs.append((el, text))

    if layout.byline == "trailing" and paragraphs:
        el, text = paragraphs[-1]
        if looks_like_byline(text) or (_is_right_aligned(el) and len(text.split()) <= 8):
            paragraphs.pop()
            bylines.append(text)
    return [text for _, text in paragraphs], bylines


def extract_site_fields(doc: Document, site: Site) -> tuple[dict, str | None]:
    """Fields the site file's selectors find, and the name of the layout used (None: no layout matched)."""
    layout = choose_layout(doc, site)
    if layout is None:
        return {}, None
    fields: dict = {}
    for name, selectors in layout.fields.items():
        texts = _texts(doc.sel, selectors)
        if not texts:
            continue
        if name in ("authors", "tags"):
            fields[name] = texts
        else:
            fields[name] = texts[0]
    captions, caption_blocks = _captions(doc, layout)
    if captions:
        fields["captions"] = captions
    body, bylines = _body(doc, layout, site, caption_blocks)
    if body:
        fields["body"] = body

    # Bylines (from selectors or the body's last line) split into people and agency credits.
    raw_bylines = fields.pop("authors", []) or bylines
    authors, authors_raw, source = [], [], fields.get("source")
    for raw in raw_bylines:
        byline = parse_byline(raw)
        authors.extend(byline.authors)
        authors_raw.extend(byline.authors_raw)
        source = source or byline.source
    if raw_bylines:
        fields["authors"] = authors
        fields["authors_raw"] = authors_raw
    if source:
        fields["source"] = source

    lead = fields.get("lead")
    if lead:
        for prefix in layout.lead_prefixes:
            if lead.startswith(prefix):
                fields["lead"] = lead[len(prefix):].lstrip()
                break
    return fields, layout.name
