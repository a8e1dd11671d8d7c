"""JSON-LD: blocks parsed leniently (comments, trailing commas, CDATA, several objects in one block; a
block that does not parse at all is skipped), flattened through ``@graph``, lists and nested objects,
``{"@id": ...}`` references resolvable (:class:`JsonLd`); the schema.org types that matter here, and
readers of JSON-LD values (texts, names, authors)."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable
from urllib.parse import urlsplit

import jstyleson

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
# Works a page is about that are not articles but have an author of their own (a recipe, a
# how-to, a review): their author is the page's author when no article node names one.
WORK_TYPES = {"recipe", "howto", "review", "criticreview", "userreview"}
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
URL_LIKE = re.compile(r"^(https?:)?//|^www\.", re.IGNORECASE)


# --------------------------------------------------------------------------- JSON-LD parsing


def loads_lenient(text: str) -> list[Any]:
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


def url_key(url: Any) -> str:
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


def first_text(value: Any) -> str | None:
    """The first non-empty string in a JSON-LD value (string, list or {"@value"} / {"name"})."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        for item in value:
            text = first_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        for key in ("@value", "name", "text"):
            if key in value:
                return first_text(value[key])
    return None


def value_texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(value_texts(item))
        return out
    text = first_text(value)
    return [text] if text else []


# --------------------------------------------------------------------------- people and organisations


def name_of(node: dict) -> str | None:
    name = first_text(node.get("name"))
    if not name:
        given, family = first_text(node.get("givenName")), first_text(node.get("familyName"))
        name = clean_text(" ".join(p for p in (given, family) if p)) if (given or family) else None
    if not name:
        name = first_text(node.get("alternateName"))
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
            if text and not URL_LIKE.match(text):
                out.append((text, "text"))
        elif isinstance(item, dict):
            if "@list" in item:
                out.extend(author_entries(item["@list"], jsonld))
                continue
            name = name_of(item)
            if not name or URL_LIKE.match(name):
                continue
            types = node_types(item)
            kind = "org" if types & ORG_TYPES and not types & PERSON_TYPES else "person" if types & PERSON_TYPES else "text"
            out.append((name, kind))
        elif isinstance(item, list):
            out.extend(author_entries(item, jsonld))
    return out
