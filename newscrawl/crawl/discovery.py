"""A site known by its URL alone: the :class:`Site` a crawl without a site file walks with.

``scrapy crawl news -a url=https://example.vn/`` and ``newscrawl crawl https://example.vn/`` crawl a site
nobody wrote a site file for (newscrawl/crawl/spiders/generic.py). The spider machinery (incremental runs,
URL state, the origin filter, the run summary) asks a :class:`Site` for the site's name, hosts and base
URL; this is that Site, with no sections, selectors or layouts: links, pagination and page kinds come
from the general rules of newscrawl/extract/discovery.py and newscrawl/extract/pagekind.py, fields from
the generic extraction layers.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from newscrawl.model.item import DEFAULT_TIMEZONE
from newscrawl.sites import Site
from newscrawl.sites.model import Listing


def site_name_for_url(url: str) -> str:
    """The ``site`` of a site without a site file: the URL's host (with its port when it has one), as
    extraction names it (newscrawl.extract.extract_article)."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def site_for_url(url: str) -> Site:
    """The Site of the start URL ``url``: its host (and the www./bare twin of a domain name, which news
    sites redirect between), the URL's origin as base URL, the default zone for `since` and feed dates
    without offset (the articles' own dates are read by extraction, which infers the zone from the page)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    hosts = [host]
    if not host.replace(".", "").isdigit() and "." in host and ":" not in host:
        hosts.append(host[4:] if host.startswith("www.") else f"www.{host}")
    return Site(
        name=site_name_for_url(url), title=site_name_for_url(url), hosts=tuple(hosts),
        base_url=f"{parts.scheme.lower()}://{parts.netloc.lower()}", timezone=DEFAULT_TIMEZONE, language="",
        sections=(), listing=Listing(article_links=(), article_url_pattern=None, next_page=()),
        layouts=(), boilerplate=frozenset(),
    )
