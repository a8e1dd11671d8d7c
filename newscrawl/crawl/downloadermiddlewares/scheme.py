"""SchemeFilterMiddleware (10 in DOWNLOADER_MIDDLEWARES): only http(s) is downloaded.

Only ``NEWSCRAWL_ALLOWED_SCHEMES`` (default ``["http", "https"]``) are downloaded; a
``file:``, ``ftp:``, ``data:`` or ``s3:`` request is dropped and recorded (reason ``scheme``).
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from newscrawl.crawl import defaults
from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service


class SchemeFilterMiddleware:
    """Download only http(s) (``NEWSCRAWL_ALLOWED_SCHEMES``); anything else is dropped and recorded."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.schemes = frozenset(s.lower() for s in defaults.getlist(crawler.settings, "NEWSCRAWL_ALLOWED_SCHEMES"))
        self.failures = service(crawler, FailureLog)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        scheme = urlparse_cached(request).scheme.lower()
        if scheme in self.schemes:
            return None
        self.crawler.stats.inc_value("newscrawl/scheme_filtered")
        self.failures.record(request, "scheme", f"{scheme}: is not downloaded (allowed: {sorted(self.schemes)})")
        raise IgnoreRequest(f"URL scheme {scheme!r} is not allowed: {request.url[:200]}")
