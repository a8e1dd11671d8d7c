"""Structured-data layer: JSON-LD, microdata and OpenGraph / ``<meta>`` tags.

:class:`StructuredData` reads a :class:`~newscrawl.extract.document.Document`
once and keeps what publishers declare about the article:

* JSON-LD: every ``<script type="application/ld+json">`` block, parsed leniently
  (comments, trailing commas, CDATA, several objects in one block, a block that
  does not parse at all is skipped), flattened through ``@graph``, lists and
  nested objects, with ``{"@id": ...}`` references resolved;
* microdata: extruct's W3C microdata extractor, run only when the page has
  ``itemscope`` elements, plus loose ``itemprop`` values outside any item;
* ``<meta>`` tags by ``property`` / ``name`` / ``itemprop``, and ``<link rel>``.

Its methods give candidates for item fields with the layer each came from
(``"jsonld"``, ``"microdata"`` or ``"meta"``). Choosing between layers and
checking them against the visible page is :mod:`newscrawl.extract.fallback`'s job.
"""
from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import jstyleson
from extruct.w3cmicrodata import MicrodataExtractor

from newscrawl.model.text import clean_text

# schema.org types whose node describes the article itself.
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "satiricalarticle",
    "blogposting", "liveblogposting", "socialmediaposting", "discussionforumposting", "report",
    "techarticle", "scholarlyarticle", "medicalscholarlyarticle", "advertisercontentarticle",
    "creativework",
}
NEWS_TYPES = {t for t in ARTICLE_TYPES if "news" in t} | {"liveblogposting", "blogposting"}
PAGE_TYPES = {"webpage", "itempage", "collectionpage", "aboutpage", "medicalwebpage"}
PERSON_TYPES = {"person"}
ORG_TYPES = {
    "organization", "newsmediaorganization", "corporation", "educationalorganization",
    "governmentorganization", "ngo", "localbusiness", "website", "brand",
}

_HTML_COMMENT = re.compile(r"<!--.*?-->|<!--|-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_LINE_COMMENT = re.compile(r"^\s*//[^\n]*$", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_URL_LIKE = re.compile(r"^(https?:)?//|^www\.", re.IGNORECASE)


# --------------------------------------------------------------------------- JSON-LD parsing


def _loads_lenient(text: str) -> list[Any]:
    """Parse one JSON-LD block; return the values it holds (possibly several)."""
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text, strict=False)]
    except ValueError:
        pass
    repaired = _CDATA.sub("", _HTML_COMMENT.sub("", text))
    repaired = _BLOCK_COMMENT.sub("", _LINE_COMMENT.sub("", repaired))
    repaired = _TRAILING_COMMA.sub(r"\1", repaired).strip().rstrip(";")
    try:
        return [json.loads(repaired, strict=False)]
    except ValueError:
        pass
    # Several objects back to back, or garbage after the first one.
    decoder = json.JSONDecoder(strict=False)
    values, pos = [], 0
    while pos < len(repaired):
        while pos < len(repaired) and repaired[pos] in " \t\r\n,;":
            pos += 1
        if pos >= len(repaired):
            break
        try:
            value, end = decoder.raw_decode(repaired, pos)
        except ValueError:
            break
        values.append(value)
        pos = end
    if values:
        return values
    try:  # extruct's own fallback parser (jstyleson) copes with a few more oddities
        return [jstyleson.loads(repaired, strict=False)]
    except (ValueError, RecursionError):  # not JSON at all, or nested past Python's limit
        return []


def node_types(node: dict) -> set[str]:
    """The schema.org types of a JSON-LD node, lowercased, without a URL or "schema:" prefix."""
    value = node.get("@type")
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, list):
        values = [v for v in value if isinstance(v, str)]
    else:
        return set()
    return {v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower() for v in values}


def _url_key(url: Any) -> str:
    """Host + path, lowercased, without scheme, www, query, fragment or trailing slash."""
    if not isinstance(url, str) or not url.strip():
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return host + parts.path.rstrip("/").lower()


class JsonLd:
    """All JSON-LD nodes of a page, flattened, with ``@id`` references resolvable."""

    def __init__(self, blocks: Iterable[Any]):
        self.nodes: list[dict] = []  # every dict with an @type, document order
        self.depth: dict[int, int] = {}  # id(node) -> nesting depth (0 = top level or @graph member)
        self.in_list: set[int] = set()  # nodes found inside an ItemList / hasPart / relatedLink
        self.ids: dict[str, dict] = {}
        self.blocks = 0
        for block in blocks:
            self.blocks += 1
            self._walk(block, 0, False)

    def _walk(self, value: Any, depth: int, listed: bool) -> None:
        if isinstance(value, list):
            for item in value:
                self._walk(item, depth, listed)
            return
        if not isinstance(value, dict):
            return
        if "@graph" in value:
            self._walk(value["@graph"], depth, listed)
        types = node_types(value)
        if types:
            self.nodes.append(value)
            self.depth[id(value)] = depth
            if listed:
                self.in_list.add(id(value))
        node_id = value.get("@id")
        if isinstance(node_id, str) and len(value) > 1 and node_id not in self.ids:
            self.ids[node_id] = value
        listed_here = listed or bool(types & {"itemlist", "breadcrumblist"})
        for key, child in value.items():
            if key in ("@graph", "@context"):
                continue
            child_listed = listed_here or key in ("itemListElement", "hasPart", "relatedLink", "isPartOf", "citation")
            if isinstance(child, (dict, list)):
                self._walk(child, depth + 1, child_listed)

    def resolve(self, value: Any) -> Any:
        """Follow an ``{"@id": ...}`` reference to the full node when the page has it."""
        if isinstance(value, dict) and "@id" in value and len(value) <= 2 and not value.get("name"):
            target = self.ids.get(value["@id"])
            if target is not None:
                return target
        return value

    def of_type(self, names: set[str]) -> list[dict]:
        return [n for n in self.nodes if node_types(n) & names]


def _first_text(value: Any) -> str | None:
    """The first non-empty string in a JSON-LD value (string, list or {"@value"} / {"name"})."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        for item in value:
            text = _first_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("@value", "name", "text"):
            if key in value:
                return _first_text(value[key])
    return None


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(_texts(item))
        return out
    text = _first_text(value)
    return [text] if text else []


# --------------------------------------------------------------------------- people and organisations


def _name_of(node: dict) -> str | None:
    name = _first_text(node.get("name"))
    if not name:
        given, family = _first_text(node.get("givenName")), _first_text(node.get("familyName"))
        name = clean_text(" ".join(p for p in (given, family) if p)) if (given or family) else None
    if not name:
        name = _first_text(node.get("alternateName"))
    return name


def author_entries(value: Any, jsonld: JsonLd | None = None) -> list[tuple[str, str]]:
    """``[(name, kind)]`` from a schema.org ``author`` value; kind is "person", "org" or "text"."""
    out: list[tuple[str, str]] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if jsonld is not None:
            item = jsonld.resolve(item)
        if isinstance(item, str):
            text = clean_text(item)
            if text and not _URL_LIKE.match(text):
                out.append((text, "text"))
        elif isinstance(item, dict):
            if "@list" in item:
                out.extend(author_entries(item["@list"], jsonld))
                continue
            name = _name_of(item)
            if not name or _URL_LIKE.match(name):
                continue
            types = node_types(item)
            kind = "org" if types & ORG_TYPES and not types & PERSON_TYPES else "person" if types & PERSON_TYPES else "text"
            out.append((name, kind))
        elif isinstance(item, list):
            out.extend(author_entries(item, jsonld))
    return out


# --------------------------------------------------------------------------- the data


_META_ATTRS = {"content", "property", "name", "itemprop", "http-equiv", "charset", "lang", "id", "class", "scheme"}


def _cut_at_quote(meta) -> bool:
    """The tag's content was cut by an unescaped quote: stray valueless attributes follow it."""
    stray = [k for k in meta.attrib if k not in _META_ATTRS and not k.startswith(("data-", "xml", "{")) and not meta.get(k)]
    if not stray:
        return False
    return any('"' in k or "'" in k for k in stray) or (meta.get("content") or "")[-1:].isspace()


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
        return self.doc.root.xpath("//*[@itemprop or @itemscope]")

    @cached_property
    def jsonld(self) -> JsonLd:
        blocks = []
        scripts = [el for el in self.doc.root.iter("script") if "ld+json" in (el.get("type") or "").lower()]
        for script in scripts:
            text = script.text_content() if hasattr(script, "text_content") else (script.text or "")
            blocks.extend(_loads_lenient(text or ""))
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
        page_keys = {_url_key(self.url), *(_url_key(u) for u in self.canonical_candidates)} - {""}

        def score(node: dict) -> float:
            s = 0.0
            ids = []
            for key in ("url", "@id", "mainEntityOfPage"):
                value = node.get(key)
                if isinstance(value, dict):
                    value = value.get("@id") or value.get("url")
                if isinstance(value, str):
                    ids.append(_url_key(urljoin(self.url, value)))
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
                text = _first_text(art.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        micro = self.micro_article if not out else None
        if micro:
            text = _first_text(micro.get("headline") or micro.get("name"))
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
            text = _first_text(art.get("description"))
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
                text = _first_text(art.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        micro = self.micro_article if not out else None
        if micro:
            text = _first_text(micro.get("datePublished") or micro.get("dateCreated"))
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
                text = _first_text(node.get("datePublished"))
                if text:
                    out.append((text, "jsonld"))
                    break
        return out

    def modified_candidates(self) -> list[tuple[str, str]]:
        out = []
        art = self.article
        if art:
            text = _first_text(art.get("dateModified"))
            if text:
                out.append((text, "jsonld"))
        micro = self.micro_article if not out else None
        if micro:
            text = _first_text(micro.get("dateModified"))
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
        micro = self.micro_article if not out else None
        if micro and micro.get("author"):
            entries = []
            values = micro["author"] if isinstance(micro["author"], list) else [micro["author"]]
            for value in values:
                if isinstance(value, dict):
                    props = value.get("properties") or {}
                    name = _first_text(props.get("name"))
                    types = value.get("type")
                    types = types if isinstance(types, list) else [types]
                    is_org = any(str(t).rsplit("/", 1)[-1].lower() in ORG_TYPES for t in types if t)
                    if name:
                        entries.append((name, "org" if is_org else "person"))
                elif isinstance(value, str) and clean_text(value):
                    entries.append((clean_text(value), "text"))
            if entries:
                out.append((entries, "microdata"))
        loose = [v for v in self.itemprops.get("author", []) if not _URL_LIKE.match(v)]
        if loose:
            out.append(([(v, "text") for v in dict.fromkeys(loose)], "microdata"))
        for names in (("author",), ("article:author",), ("parsely-author",), ("sailthru.author",),
                      ("dc.creator", "dcterms.creator"), ("byl",)):
            values = [v for v in self.meta_all(*names) if not _URL_LIKE.match(v)]
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
                name = _name_of(node)
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
            text = _first_text(art.get("articleSection"))
            if text:
                return text, "jsonld"
        micro = self.micro_article if art is None else None
        if micro:
            text = _first_text(micro.get("articleSection"))
            if text:
                return text, "microdata"
        for value in self.itemprops.get("articleSection", [])[:1]:
            return value, "microdata"
        value = self.meta_first("article:section", "parsely-section", "section", "og:article:section")
        if value:
            return value, "meta"
        return None

    def tags(self) -> tuple[list[str], str] | None:
        art = self.article
        if art and art.get("keywords"):
            kw = art.get("keywords")
            values = _texts(kw)
            if isinstance(kw, str) or len(values) == 1:
                values = [v.strip() for v in re.split(r"[,;]", values[0] if values else "") if v.strip()]
            if values:
                return list(dict.fromkeys(values)), "jsonld"
        values = self.meta_all("article:tag", "og:article:tag")
        if values:
            return list(dict.fromkeys(values)), "meta"
        value = self.meta_first("news_keywords", "parsely-tags")
        if value:
            values = [v.strip() for v in value.split(",") if v.strip()]
            return list(dict.fromkeys(values)), "meta"
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
            text = _first_text(art.get("inLanguage"))
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
