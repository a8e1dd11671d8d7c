"""Structured-data layer: JSON-LD, microdata and OpenGraph / ``<meta>`` tags.

:class:`StructuredData` reads a :class:`~newscrawl.extract.document.Document`
once and keeps what publishers declare about the article:

* JSON-LD: every ``<script type="application/ld+json">`` block, read by
  :mod:`newscrawl.extract.jsonld` (leniently, flattened, ``@id`` references resolved);
* microdata: extruct's W3C microdata extractor, run only when the page has
  ``itemscope`` elements, plus loose ``itemprop`` values outside any item;
* ``<meta>`` tags by ``property`` / ``name`` / ``itemprop``, and ``<link rel>``.

Its methods give candidates for item fields with the layer each came from
(``"jsonld"``, ``"microdata"`` or ``"meta"``). Choosing between layers and
checking them against the visible page is :mod:`newscrawl.extract.fallback`'s job.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Iterable
from urllib.parse import urljoin

from extruct.w3cmicrodata import MicrodataExtractor
from lxml import etree

from newscrawl.extract.jsonld import (
    ARTICLE_TYPES, NEWS_TYPES, ORG_TYPES, PAGE_TYPES, URL_LIKE, WORK_TYPES, JsonLd, author_entries, first_text, loads_lenient,
    name_of, node_types, url_key, value_texts,
)
from newscrawl.model.text import clean_text



# --------------------------------------------------------------------------- the data


_META_ATTRS = {"content", "property", "name", "itemprop", "http-equiv", "charset", "lang", "id", "class", "scheme"}


def _cut_at_quote(meta) -> bool:
    """The tag's content was cut by an unescaped quote: stray valueless attributes follow it."""
    stray = [k for k in meta.attrib if k not in _META_ATTRS and not k.startswith(("data-", "xml", "{")) and not meta.get(k)]
    if not stray:
        return False
    return any('"' in k or "'" in k for k in stray) or (meta.get("content") or "")[-1:].isspace()


_TAG_SEPARATORS = re.compile(r"[,;，、]")


def split_tags(values: Iterable[str]) -> list[str]:
    """Tags from values that may each hold several, comma- or semicolon-separated ("a, b;c"; CJK
    pages use "，" and "、"): trimmed, empty ones dropped, each kept once (first spelling, compared
    case-insensitively)."""
    out: dict[str, str] = {}
    for value in values:
        for part in _TAG_SEPARATORS.split(value or ""):
            tag = " ".join(part.split())
            if tag:
                out.setdefault(tag.casefold(), tag)
    return list(out.values())


# Elements with ``itemprop`` or ``itemscope`` (a union is in document order), compiled once and
# reached through the attribute axis: the same elements as ``//*[@itemprop or @itemscope]`` in a
# fifth of the time (that one tests every element's attributes; measured on ../shared/extraction-open).
_ITEM_NODES = etree.XPath("//@itemprop/.. | //@itemscope/..")


class StructuredData:
    """What the page declares about itself. Parse once; every property is lazy."""

    def __init__(self, doc):
        self.doc = doc
        self.url = doc.url or ""

    # ---- raw layers
    # Each search below walks the whole page: tag searches go through lxml's iter() (cheaper than
    # an XPath), and the two microdata searches share one walk.

    @cached_property
    def _item_nodes(self) -> list:
        """Elements with ``itemprop`` or ``itemscope``, in page order."""
        return _ITEM_NODES(self.doc.root)

    @cached_property
    def jsonld(self) -> JsonLd:
        blocks = []
        scripts = [el for el in self.doc.root.iter("script") if "ld+json" in (el.get("type") or "").lower()]
        for script in scripts:
            text = script.text_content() if hasattr(script, "text_content") else (script.text or "")
            blocks.extend(loads_lenient(text or ""))
        return JsonLd(blocks)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` content by lowercased property / name / itemprop / http-equiv, in page order.

        A tag whose content an unescaped quote cut short (``content="a "b" c"``:
        the rest became stray attributes) is skipped."""
        out: dict[str, list[str]] = {}
        metas = [el for el in self.doc.root.iter("meta") if el.get("content") is not None]
        for meta in metas:
            if _cut_at_quote(meta):
                continue
            content = clean_text(meta.get("content"))
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = meta.get(attr)
                if key:
                    out.setdefault(key.strip().lower(), []).append(content)
        return out

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None

    def meta_all(self, *names: str) -> list[str]:
        out = []
        for name in names:
            out.extend(self.meta.get(name, ()))
        return out

    @cached_property
    def links(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        links = [el for el in self.doc.root.iter("link") if el.get("rel") is not None and el.get("href") is not None]
        for link in links:
            for rel in (link.get("rel") or "").lower().split():
                out.setdefault(rel, []).append(link.get("href").strip())
        return out

    @cached_property
    def microdata(self) -> list[dict]:
        """extruct microdata items (only when the page has ``itemscope``)."""
        if not any(el.get("itemscope") is not None for el in self._item_nodes):
            return []
        # extruct on markup nobody checked: a failure costs the microdata layer, recorded once for the page.
        with self.doc.errors.guard("microdata"):
            return MicrodataExtractor(nested=True).extract_items(self.doc.root, self.url) or []
        return []

    @cached_property
    def itemprops(self) -> dict[str, list[str]]:
        """Loose ``itemprop`` values anywhere in the page (content / datetime / text)."""
        out: dict[str, list[str]] = {}
        wanted = {"datePublished", "dateModified", "dateCreated", "headline", "author", "articleSection"}
        nodes = [n for n in self._item_nodes if n.get("itemprop") in wanted]
        for node in nodes:
            prop = node.get("itemprop")
            if node.get("itemscope") is not None:
                names = node.xpath(".//*[@itemprop='name']")
                value = (names[0].get("content") or names[0].text_content()) if names else None
            else:
                value = node.get("content") or node.get("datetime")
                if value is None and node.tag not in ("meta", "link"):
                    value = node.text_content()
            value = clean_text(value) if isinstance(value, str) else None
            if value:
                out.setdefault(prop, []).append(value)
        return out

    # ---- the article node

    @cached_property
    def canonical_candidates(self) -> list[str]:
        out = [urljoin(self.url, href) for href in self.links.get("canonical", [])]
        og = self.meta_first("og:url")
        if og:
            out.append(urljoin(self.url, og))
        return out

    @cached_property
    def article(self) -> dict | None:
        """The JSON-LD node that describes this page's article (or None)."""
        nodes = self.article_nodes()
        return nodes[0] if nodes else None

    def article_nodes(self) -> list[dict]:
        """JSON-LD nodes describing this page's article, best first (listed/related items left out)."""
        cached = self.__dict__.get("_article_nodes")
        if cached is not None:
            return cached
        nodes = self.jsonld.of_type(ARTICLE_TYPES)
        if not nodes:
            # A WebPage with a headline is the next best thing.
            nodes = [n for n in self.jsonld.of_type(PAGE_TYPES) if n.get("headline") or n.get("datePublished")]
        page_keys = {url_key(self.url), *(url_key(u) for u in self.canonical_candidates)} - {""}

        def score(node: dict) -> float:
            s = 0.0
            ids = []
            for key in ("url", "@id", "mainEntityOfPage"):
                value = node.get(key)
                if isinstance(value, dict):
                    value = value.get("@id") or value.get("url")
                if isinstance(value, str):
                    ids.append(url_key(urljoin(self.url, value)))
            if page_keys & set(ids):
                s += 4
            if node.get("headline"):
                s += 2
            if node.get("datePublished"):
                s += 2
            if node.get("author"):
                s += 1
            if node.get("articleBody"):
                s += 1
            if node_types(node) & NEWS_TYPES:
                s += 0.5
            if id(node) in self.jsonld.in_list:
                s -= 5
            s -= 0.5 * self.jsonld.depth.get(id(node), 0)
            return s

        ranked = sorted(nodes, key=score, reverse=True)  # stable: document order among equals
        ranked = [n for n in ranked if id(n) not in self.jsonld.in_list] or ranked[:1]
        self.__dict__["_article_nodes"] = ranked
        return ranked

    @cached_property
    def micro_article(self) -> dict | None:
        """The microdata item (its ``properties``) that describes the article."""
        best = None
        for item in self._micro_items(self.microdata):
            types = item.get("type")
            types = types if isinstance(types, list) else [types]
            names = {str(t).rsplit("/", 1)[-1].lower() for t in types if t}
            if names & ARTICLE_TYPES:
                props = item.get("properties") or {}
                if best is None or (props.get("headline") and not best.get("headline")):
                    best = props
        return best

    def _micro_items(self, items: list) -> Iterable[dict]:
        for item in items or ():
            if isinstance(item, dict):
                yield item
                for value in (item.get("properties") or {}).values():
                    values = value if isinstance(value, list) else [value]
                    yield from self._micro_items([v for v in values if isinstance(v, dict) and "type" in v])

    # ---- field candidates (each a list of (value, layer), best first)

    def titles(self) -> list[tuple[str, str]]:
        out = []
        art = self.article
        if art:
            for key in ("headline", "name", "alternativeHeadline"):
                text = first_text(art.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        micro = self.micro_article if not out else None
        if micro:
            text = first_text(micro.get("headline") or micro.get("name"))
            if text:
                out.append((text, "microdata"))
        for value in self.itemprops.get("headline", [])[:1]:
            out.append((value, "microdata"))
        for name in ("og:title", "twitter:title", "sailthru.title", "parsely-title", "dc.title", "title"):
            value = self.meta_first(name)
            if value:
                out.append((value, "meta"))
        return out

    def descriptions(self) -> list[tuple[str, str]]:
        out = []
        art = self.article
        if art:
            text = first_text(art.get("description"))
            if text:
                out.append((text, "jsonld"))
        for name in ("og:description", "description", "twitter:description"):
            value = self.meta_first(name)
            if value:
                out.append((value, "meta"))
        return out

    def published_candidates(self) -> list[tuple[str, str]]:
        out = []
        art = self.article
        if art:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                text = first_text(art.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        micro = self.micro_article if not out else None
        if micro:
            text = first_text(micro.get("datePublished") or micro.get("dateCreated"))
            if text:
                out.append((text, "microdata"))
        for name in (
            "article:published_time", "og:article:published_time", "og:published_time", "published_time",
            "article.published", "article:published", "datepublished", "pubdate", "publishdate", "publish-date",
            "publish_date", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
            "dc.date", "dcterms.date", "dcterms.created", "date", "cxenseparse:recs:publishtime",
        ):
            for value in self.meta.get(name, ())[:1]:
                out.append((value, "meta"))
        for value in self.itemprops.get("datePublished", [])[:1]:
            out.append((value, "microdata"))
        if not art:
            # Dates of other nodes (e.g. a WebPage without headline) as a last structured resort.
            for node in self.jsonld.nodes:
                if id(node) in self.jsonld.in_list:
                    continue
                text = first_text(node.get("datePublished"))
                if text:
                    out.append((text, "jsonld"))
                    break
        # Other JSON-LD descriptions of the same article (two blocks from two plugins), last: their
        # offsets count when the page states the same instant in several offsets (choose_date_noted).
        for node in self.article_nodes()[1:]:
            text = first_text(node.get("datePublished"))
            if text:
                out.append((text, "jsonld"))
        return out

    def modified_candidates(self) -> list[tuple[str, str]]:
        out = []
        art = self.article
        if art:
            text = first_text(art.get("dateModified"))
            if text:
                out.append((text, "jsonld"))
        micro = self.micro_article if not out else None
        if micro:
            text = first_text(micro.get("dateModified"))
            if text:
                out.append((text, "microdata"))
        for name in ("article:modified_time", "og:updated_time", "og:article:modified_time", "dcterms.modified",
                     "last-modified", "lastmod", "dc.date.modified", "parsely-updated"):
            for value in self.meta.get(name, ())[:1]:
                out.append((value, "meta"))
        for value in self.itemprops.get("dateModified", [])[:1]:
            out.append((value, "microdata"))
        return out

    def author_candidates(self) -> list[tuple[list[tuple[str, str]], str]]:
        """Author lists per layer: ``[([(name, kind)], layer)]``, best layer first."""
        out = []
        art = self.article
        if art and art.get("author"):
            entries = author_entries(art.get("author"), self.jsonld)
            if entries:
                out.append((entries, "jsonld"))
        if art and not art.get("author") and art.get("creator"):
            entries = author_entries(art.get("creator"), self.jsonld)
            if entries:
                out.append((entries, "jsonld"))
        # Other descriptions of the same article (several JSON-LD blocks for one page).
        for node in self.article_nodes()[1:]:
            if node.get("author"):
                entries = author_entries(node.get("author"), self.jsonld)
                if entries:
                    out.append((entries, "jsonld"))
        if not out and not self.article_nodes():
            # No article node: the top-level work the page is about (WORK_TYPES) names the author.
            for node in self.jsonld.of_type(WORK_TYPES):
                if self.jsonld.depth.get(id(node), 0) == 0 and node.get("author"):
                    entries = author_entries(node.get("author"), self.jsonld)
                    if entries:
                        out.append((entries, "jsonld"))
                        break
        micro = self.micro_article if not out else None
        if micro and micro.get("author"):
            entries = []
            values = micro["author"] if isinstance(micro["author"], list) else [micro["author"]]
            for value in values:
                if isinstance(value, dict):
                    props = value.get("properties") or {}
                    name = first_text(props.get("name"))
                    types = value.get("type")
                    types = types if isinstance(types, list) else [types]
                    is_org = any(str(t).rsplit("/", 1)[-1].lower() in ORG_TYPES for t in types if t)
                    if name:
                        entries.append((name, "org" if is_org else "person"))
                elif isinstance(value, str) and clean_text(value):
                    entries.append((clean_text(value), "text"))
            if entries:
                out.append((entries, "microdata"))
        loose = [v for v in self.itemprops.get("author", []) if not URL_LIKE.match(v)]
        if loose:
            out.append(([(v, "text") for v in dict.fromkeys(loose)], "microdata"))
        for names in (("author",), ("article:author",), ("parsely-author",), ("sailthru.author",),
                      ("dc.creator", "dcterms.creator"), ("byl",)):
            values = [v for v in self.meta_all(*names) if not URL_LIKE.match(v)]
            if values:
                out.append(([(v, "text") for v in dict.fromkeys(values)], "meta"))
        return out

    def publisher_names(self) -> set[str]:
        """Names the site goes by: the article's publisher, top-level organisations / websites,
        og:site_name (long strings are left out: some pages name a WebSite node after the headline)."""
        names = set()
        art = self.article
        if art and art.get("publisher"):
            for name, _kind in author_entries(art.get("publisher"), self.jsonld):
                names.add(name)
        for node in self.jsonld.of_type({"newsmediaorganization", "organization", "website"}):
            if self.jsonld.depth.get(id(node), 0) == 0:
                name = name_of(node)
                if name:
                    names.add(name)
        for name in ("og:site_name", "application-name", "publisher", "copyright"):
            value = self.meta_first(name)
            if value:
                names.add(value)
        return {n for n in names if len(n.split()) <= 6 and len(n) <= 60}

    def section(self) -> tuple[str, str] | None:
        art = self.article
        if art:
            text = first_text(art.get("articleSection"))
            if text:
                return text, "jsonld"
        micro = self.micro_article if art is None else None
        if micro:
            text = first_text(micro.get("articleSection"))
            if text:
                return text, "microdata"
        for value in self.itemprops.get("articleSection", [])[:1]:
            return value, "microdata"
        value = self.meta_first("article:section", "parsely-section", "section", "og:article:section")
        if value:
            return value, "meta"
        return None

    def tags(self) -> tuple[list[str], str] | None:
        """The article's tags: JSON-LD ``keywords``, else ``article:tag`` metas, else ``news_keywords`` /
        ``parsely-tags``. Every source is split the same way (:func:`split_tags`): publishers put
        one tag per ``article:tag`` or all of them, comma-separated, in one."""
        art = self.article
        if art and art.get("keywords"):
            values = split_tags(value_texts(art.get("keywords")))
            if values:
                return values, "jsonld"
        values = split_tags(self.meta_all("article:tag", "og:article:tag"))
        if values:
            return values, "meta"
        values = split_tags([self.meta_first("news_keywords", "parsely-tags") or ""])
        if values:
            return values, "meta"
        return None

    def images(self) -> tuple[list[str], str] | None:
        def urls_of(value) -> list[str]:
            out = []
            for item in value if isinstance(value, list) else [value]:
                item = self.jsonld.resolve(item)
                if isinstance(item, str):
                    out.append(item)
                elif isinstance(item, dict):
                    url = item.get("url") or item.get("contentUrl")
                    if isinstance(url, list):
                        url = url[0] if url else None
                    if isinstance(url, str):
                        out.append(url)
            return out

        art = self.article
        if art and art.get("image"):
            urls = [urljoin(self.url, u.strip()) for u in urls_of(art["image"]) if u.strip()]
            if urls:
                return list(dict.fromkeys(urls)), "jsonld"
        values = self.meta_all("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
        if values:
            return list(dict.fromkeys(urljoin(self.url, v) for v in values)), "meta"
        return None

    def language(self) -> tuple[str, str] | None:
        art = self.article
        if art:
            text = first_text(art.get("inLanguage"))
            if text:
                return text, "jsonld"
        value = self.meta_first("og:locale", "content-language", "language", "dc.language")
        if value:
            return value, "meta"
        return None

    def canonical(self) -> tuple[str, str] | None:
        for href in self.links.get("canonical", []):
            return urljoin(self.url, href), "meta"
        og = self.meta_first("og:url")
        if og:
            return urljoin(self.url, og), "meta"
        art = self.article
        if art:
            value = art.get("url") or art.get("mainEntityOfPage")
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            if isinstance(value, str) and value.strip():
                return urljoin(self.url, value.strip()), "jsonld"
        return None
