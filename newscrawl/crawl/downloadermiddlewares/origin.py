"""OriginFilterMiddleware (20 in DOWNLOADER_MIDDLEWARES, before robots.txt and Scrapy's OffsiteMiddleware).

Where a crawl may send requests: origins (scheme, host and port), and how a mirror stands in for the live site.

A spider says where it may go with two attributes (NewsSpider sets both from its site file and ``base_url``):

``allowed_origins``
    the ``scheme://host[:port]`` it may request. A host alone is not enough: ``http://127.0.0.1:8000``
    allows neither ``http://127.0.0.1:8001`` nor ``https://127.0.0.1:8000``.
``mirrored_hosts``
    hosts whose URLs are fetched from ``allowed_origins[0]`` instead (a mirror of the live site:
    the live hosts' URLs are mapped onto it, path and query kept, never fetched live).

``OriginPolicy.decide(url)`` is the one check: ``OriginFilterMiddleware`` applies it to every request
that reaches the downloader (links, pagination, feeds, sitemaps, robots.txt, redirects, ``dont_filter``
or not) and ``RedirectMiddleware`` to each redirect target.
"""
from __future__ import annotations

import weakref
from urllib.parse import urlsplit, urlunsplit

from scrapy.exceptions import IgnoreRequest

from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service

DEFAULT_PORTS = {"http": 80, "https": 443}

ALLOW, MAP, REFUSE = "allow", "map", "refuse"


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an http(s) URL, lower-cased, the port always written; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is no number, or out of range
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}"


def site_origins(hosts, base_url: str | None = None) -> list[str]:
    """A live site's origins: each host on http and https (default ports), and the site file's base URL."""
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("https", "http")]
    if base_url and origin_of(base_url) not in {origin_of(o) for o in origins}:
        parts = urlsplit(base_url)
        origins.insert(0, f"{parts.scheme.lower()}://{parts.netloc.lower()}")
    return origins


class OriginPolicy:
    """The allowed origins and mirrored hosts of one spider (see the module docstring)."""

    def __init__(self, allowed_origins, mirrored_hosts=()):
        self.origins = [o for o in (origin_of(str(u)) for u in allowed_origins) if o]
        if not self.origins:
            raise ValueError(f"allowed_origins {list(allowed_origins)!r} names no http(s) origin")
        self.allowed = frozenset(self.origins)
        self.mirrored = frozenset(h.lower().rstrip(".") for h in mirrored_hosts)
        self.mirror = urlsplit(self.origins[0])

    @classmethod
    def for_spider(cls, spider) -> "OriginPolicy | None":
        """The spider's policy, or None when it names no ``allowed_origins`` (then only Scrapy's offsite rules apply)."""
        origins = getattr(spider, "allowed_origins", None)
        if not origins:
            return None
        return cls(origins, getattr(spider, "mirrored_hosts", ()) or ())

    def decide(self, url: str) -> tuple[str, str]:
        """``(ALLOW, url)``, ``(MAP, url on the mirror)`` or ``(REFUSE, why)``."""
        origin = origin_of(url)
        if origin in self.allowed:
            return ALLOW, url
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if host and host in self.mirrored:
            mirror = self.mirror
            netloc = mirror.netloc  # origins are stored with their port; the default one is left out again
            if mirror.port == DEFAULT_PORTS[mirror.scheme]:
                netloc = netloc.rsplit(":", 1)[0]
            mapped = urlunsplit((mirror.scheme, netloc, parts.path, parts.query, parts.fragment))
            if origin_of(mapped) in self.allowed:
                return MAP, mapped
        return REFUSE, f"{origin or url[:100]} is not an allowed origin (allowed: {', '.join(self.origins[:6])})"


class OriginFilterMiddleware:
    """Every request goes to an allowed origin (scheme, host and port) of the spider, or nowhere.

    ``OriginPolicy.decide``, the one check, applied where every request passes, whatever made it:
    listings, pagination, articles, feeds, sitemaps, Scrapy's robots.txt requests, redirects;
    ``dont_filter`` or not (Scrapy's OffsiteMiddleware lets ``dont_filter`` requests through and
    ignores the port). A URL of a mirrored (live) host is sent to the mirror instead; anything else
    is refused and recorded, reason ``offsite`` (``redirect_offsite`` for a redirect's target).
    Spiders without ``allowed_origins`` are left to Scrapy's offsite rules.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.failures = service(crawler, FailureLog)
        self._policies: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def policy(self) -> OriginPolicy | None:
        spider = self.crawler.spider
        if spider is None:
            return None
        if spider not in self._policies:
            self._policies[spider] = OriginPolicy.for_spider(spider)
        return self._policies[spider]

    def process_request(self, request):
        policy = self.policy()
        if policy is None:
            return None
        verdict, value = policy.decide(request.url)
        if verdict == ALLOW:
            return None
        if verdict == MAP:
            self.crawler.stats.inc_value("newscrawl/origin/mapped")
            return request.replace(url=value)
        redirected = bool(request.meta.get("redirect_urls"))
        reason = "redirect_offsite" if redirected else "offsite"
        self.crawler.stats.inc_value("newscrawl/origin/refused")
        self.failures.record(request, reason, value)
        raise IgnoreRequest(f"offsite request refused: {value}: {request.url[:200]}")
