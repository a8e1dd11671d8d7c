"""Article extraction: pure functions on HTML, no Scrapy.

``extract_article(html, url, site=None)`` runs the layers per field, in order of
trust, and normalises the result once (:mod:`newscrawl.extract.normalize`):

1. the site file's selectors (``newscrawl/sites/<site>.toml``), when a site file
   owns the URL's host or is named;
2. the page's structured data (JSON-LD, microdata, OpenGraph/meta);
3. the generic fallback (trafilatura for the body, own rules for the rest).

Layers 2 and 3 live in :mod:`newscrawl.extract.fallback` and run only for the
fields layer 1 did not give. Disagreements are settled by the rules in
:func:`_choose_published` and :func:`_drop_teaser_lead`, documented in
docs/architecture.md.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from urllib.parse import urlsplit

from newscrawl.extract.dates import parse_datetime_ex
from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback
from newscrawl.extract.sitelayer import extract_site_fields
from newscrawl.model.item import (
    ARTICLE_FIELDS, DATE_FIELDS, DEFAULT_TIMEZONE, ITEM_SCHEMA_VERSION, LIST_FIELDS, TEXT_FIELDS,
)
from newscrawl.extract.normalize import ArticleLoader, finish_article
from newscrawl.sites import Site, SiteRegistry
from newscrawl.model.text import clean_text
from newscrawl.extract.pagekind import OTHER, page_kind
from newscrawl.model.urls import canonical_url, same_site

__all__ = ["extract_article", "content_hash", "page_url", "REQUIRED_FIELDS"]

REQUIRED_FIELDS = ("title", "published", "body")
# Fields only the generic layer (trafilatura and the article-region rules) can find.
GENERIC_TEXT_FIELDS = ("body", "blocks", "lead", "captions")
# Fields every article has a value for (possibly empty); the fallback is asked only for those the site layer lacks.
WANTED_FIELDS = (
    "title", "published", "modified", "section", "lead", "authors", "source", "captions", "body", "blocks",
    "tags", "images", "language", "canonical_url",
)


def content_hash(title: str | None, body: list[str] | None) -> str:
    """sha256 of the normalised title and body: equal for the same text whatever its markup or spelling."""
    return _hash_of_clean(clean_text(title), [clean_text(p) for p in body or ()])


def _hash_of_clean(title: str | None, body: list) -> str:
    # content_hash of values clean_text already normalised (it is idempotent): extract_article's own.
    text = "\n".join([title or "", *[p or "" for p in body]])
    return hashlib.sha256(text.casefold().encode("utf-8")).hexdigest()


def page_url(html: bytes | str, content_type: str | None = None) -> str | None:
    """The URL a saved page names for itself: its rel=canonical, else og:url, else its JSON-LD ``url``.

    Only an absolute http(s) URL counts: a relative one has nothing to be resolved against once the
    page is a file on disk.
    """
    found = Document(html, "", content_type=content_type).structured.canonical()
    url = found[0].strip() if found else ""
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _resolve_site(site, url: str) -> Site | None:
    if isinstance(site, Site):
        return site
    if isinstance(site, str) and site:  # a name or none: the shipped site files (a caller with others passes the Site)
        return SiteRegistry.from_dirs().site(site)
    return SiteRegistry.from_dirs().for_url(url)


def _has_offset(value, tz: str, now=None) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is not None
    parsed = parse_datetime_ex(str(value), tz=tz, now=now)
    return bool(parsed and parsed.has_offset)


def _choose_published(site_value, fallback_value, tz: str, now=None):
    """Pick the publish time when the site's visible date and structured data both give one.

    - A visible date with a time and an explicit offset wins (it is what readers see).
    - A structured date with an explicit offset beats a visible date without one,
      and a visible date with no time at all.
    - Otherwise the visible date wins.
    Returns (value, from_site).
    """
    if site_value is None:
        return fallback_value, False
    if fallback_value is None:
        return site_value, True
    site_parsed = parse_datetime_ex(str(site_value), tz=tz, now=now)
    if site_parsed is None:
        return fallback_value, False
    # The visible date as parsed here: the loader only formats it (parsed once).
    if site_parsed.has_time and site_parsed.has_offset:
        return site_parsed.value, True
    if _has_offset(fallback_value, tz, now) or not site_parsed.has_time:
        return fallback_value, False
    return site_parsed.value, True


def _declared_fields(site: Site, layout_name: str | None) -> set[str]:
    """The fields a matched layout of the site file has selectors for."""
    for layout in site.layouts:
        if layout.name == layout_name:
            declared = set(layout.fields)
            if layout.body:
                declared.update({"body", "blocks"})
            if layout.captions:
                declared.add("captions")
            if layout.byline or "authors" in declared:
                declared.update({"authors", "source"})
            return declared
    return set()


def _drop_teaser_lead(lead: str | None, body: list[str]) -> str | None:
    """A meta description is often the first paragraph cut short: that is not a lead."""
    if not lead or not body:
        return lead
    stem = lead.rstrip(" .…").casefold()
    first = body[0].casefold()
    if first.startswith(stem) or stem.startswith(first):
        return None
    return lead


def extract_article(html: bytes | str, url: str, site: str | Site | None = None, *,
                    content_type: str | None = None, now: datetime | None = None, strict: bool = False,
                    site_layer: bool = True) -> dict:
    """Extract one article page into the item schema (JSON-ready values).

    ``site`` is the site file (a :class:`Site` or a shipped one's name); None: the site file that owns the
    URL's host, if any. ``site_layer=False`` skips the site file whatever owns the host: the structured and
    generic layers alone, as for a site without one (`newscrawl scaffold` drafts a site file from them).

    Never raises on bad input: a page that is empty, binary or not an article gives
    an item whose ``missing`` lists the required fields it lacks. A field whose
    extractor fails is left to the next layer; the failure is logged and kept in the
    item's ``errors`` ({field: "ValueError: ..."}). ``strict`` raises it instead (tests).
    """
    doc = Document(html, url, content_type=content_type, strict=strict)
    site_obj = _resolve_site(site, url) if site_layer else None
    # No site file: no zone is known, and the fallback infers one from the page (its notes go to `date_zones`).
    tz = site_obj.timezone if site_obj else None

    fields, sources = {}, {}
    declared: set[str] = set()
    if site_obj is not None:
        site_fields, layout_name = extract_site_fields(doc, site_obj)
        fields.update(site_fields)
        sources.update({name: "site" for name in site_fields if name != "authors_raw"})
        # A field whose selectors failed is not the layout's answer: the next layers are asked for it.
        declared = _declared_fields(site_obj, layout_name) - set(doc.errors.errors)

    wanted = [f for f in WANTED_FIELDS if not fields.get(f)]
    if "body" in declared:
        # A matched layout is the authority on the page's text: a lead or caption it does not find is not
        # there, and asking the generic layer (trafilatura) would cost more than the whole site layer.
        wanted = [f for f in wanted if f not in GENERIC_TEXT_FIELDS]
    if "published" in fields:
        wanted.append("published")  # structured dates may beat a visible one without offset
    # Where the layout has a selector, the generic layer's guess is never used (below): don't compute it.
    fallback, fallback_sources = extract_fallback(doc, wanted=wanted, tz=tz, structured_only=declared) if wanted else ({}, {})

    for name in wanted:
        if name == "published":
            continue
        value = fallback.get(name)
        # A field the page's known layout has a selector for and did not find is missing on the page:
        # structured data may still give it, but the generic layer's guess would be page furniture.
        if name in declared and fallback_sources.get(name, "generic") == "generic":
            continue
        if value and not fields.get(name):
            # The fallback's dates are ISO strings it made from the datetimes it parsed: read back, not parsed again.
            fields[name] = datetime.fromisoformat(value) if name in DATE_FIELDS else value
            sources[name] = fallback_sources.get(name, "generic")
    fallback_published = fallback.get("published")
    fallback_published = datetime.fromisoformat(fallback_published) if fallback_published else None
    if "published" in declared and fallback_sources.get("published", "generic") == "generic":
        fallback_published = None  # the generic layer's date on a known layout is a guess (a banner, a sidebar)
    published, from_site = None, False
    with doc.errors.guard("published"):
        published, from_site = _choose_published(fields.get("published"), fallback_published, tz or DEFAULT_TIMEZONE, now)
    if published is not None:
        fields["published"] = published
        sources["published"] = "site" if from_site else fallback_sources.get("published", "generic")

    body = fields.get("body") or []
    if sources.get("lead") != "site":
        fields["lead"] = _drop_teaser_lead(fields.get("lead"), body)
        if not fields["lead"]:
            sources.pop("lead", None)

    canonical = fields.get("canonical_url")
    owner_ok = canonical and (same_site(canonical, url) or (site_obj is not None and site_obj.owns(canonical)))
    fields["canonical_url"] = canonical_url(canonical if owner_ok else url)
    sources.pop("canonical_url", None)

    if site_obj is not None and not fields.get("language"):
        fields["language"] = site_obj.language
    images = [c.get("image_url") for c in fields.get("captions") or () if c.get("image_url")]
    fields["images"] = images + list(fields.get("images") or [])

    loader = ArticleLoader(timezone=tz or DEFAULT_TIMEZONE, base_url=url, now=now)
    for name, value in fields.items():
        if value not in (None, "", []):
            with doc.errors.guard(name):
                loader.add_value(name, value)
    item = loader.load_item()

    item["url"] = url
    item["site"] = site_obj.name if site_obj else (doc.url.split("/")[2].lower() if "://" in doc.url else "unknown")
    for name in (*TEXT_FIELDS, *DATE_FIELDS):
        item.setdefault(name, None)
    for name in LIST_FIELDS:
        item.setdefault(name, [])
    finish_article(item, site_obj.boilerplate if site_obj else frozenset())
    item["extraction"] = {name: layer for name, layer in sources.items() if item.get(name) not in (None, [], "")}
    # Where the offset of a date that had none came from, when no site file named the zone (fallback.py).
    zones = {name: fallback_sources[f"{name}_zone"] for name in DATE_FIELDS
             if item.get(name) and sources.get(name) != "site" and fallback_sources.get(f"{name}_zone")}
    if zones:
        item["date_zones"] = zones
    with doc.errors.guard("page_kind"):
        # What the page is (newscrawl/extract/pagekind.py): a crawl by URL alone stores only articles, and
        # `newscrawl extract` says a home or listing page is one.
        item["page_kind"] = page_kind(doc, title=item.get("title"), published=item.get("published"),
                                      body=item.get("body"))
    item.setdefault("page_kind", OTHER)
    item["missing"] = [name for name in REQUIRED_FIELDS if not item.get(name)]
    item["crawled_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    item["content_hash"] = _hash_of_clean(item.get("title"), item.get("body"))
    item["duplicate_of"] = None
    item["version"] = 1
    item["schema_version"] = ITEM_SCHEMA_VERSION
    if doc.errors.errors:
        item["errors"] = dict(doc.errors.errors)
    return {key: item[key] for key in sorted(item, key=_field_order)}


def _field_order(name: str) -> int:
    return ARTICLE_FIELDS.index(name) if name in ARTICLE_FIELDS else len(ARTICLE_FIELDS)
