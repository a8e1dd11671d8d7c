"""RedirectMiddleware (600 in DOWNLOADER_MIDDLEWARES, replaces Scrapy's RedirectMiddleware).

Scrapy's redirects, plus: a redirect to an origin the spider may not crawl is refused even
for ``dont_filter`` requests (reason ``redirect_offsite``; a redirect to a mirrored live host
is followed on the mirror), a redirect back to a URL of
the same chain is a loop (``redirect_loop``), and too many redirects are recorded
(``too_many_redirects``) instead of vanishing silently.
"""
from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as _ScrapyRedirectMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawl.crawl.downloadermiddlewares.origin import ALLOW, MAP, OriginFilterMiddleware
from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service


class RedirectMiddleware(_ScrapyRedirectMiddleware):
    """Scrapy's redirects; offsite targets refused (even for dont_filter requests), loops and overflows recorded."""

    @classmethod
    def from_crawler(cls, crawler):
        o = super().from_crawler(crawler)
        o.failures = service(crawler, FailureLog)
        return o

    def _target(self, request: Request) -> Request | None:
        """The redirect's target as it will be fetched (mapped onto the mirror), or None when it is off the site."""
        origins = self.crawler.get_downloader_middleware(OriginFilterMiddleware)
        policy = origins.policy() if origins is not None else None
        if policy is not None:
            verdict, value = policy.decide(request.url)
            if verdict == MAP:
                self.crawler.stats.inc_value("newscrawl/origin/mapped")
                return request.replace(url=value)
            return request if verdict == ALLOW else None
        # A spider without allowed_origins: Scrapy's offsite rules (host only), also for dont_filter requests.
        if request.meta.get("allow_offsite"):
            return request
        offsite = self.crawler.get_downloader_middleware(OffsiteMiddleware)
        spider = self.crawler.spider
        if offsite is None or spider is None:
            return request
        return request if offsite.should_follow(request, spider) else None

    def process_response(self, request, response):
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            chain = request.meta.get("redirect_urls", []) + [request.url]
            self.failures.record(request, "too_many_redirects", f"{exc} after {len(chain)} URLs", response.status)
            raise
        if isinstance(result, Request):
            chain = request.meta.get("redirect_urls", []) + [request.url]
            target = self._target(result)
            if target is None:
                self.crawler.stats.inc_value("newscrawl/redirect/offsite")
                self.failures.record(request, "redirect_offsite", f"{response.status} to {result.url[:200]}",
                                     response.status)
                raise IgnoreRequest(f"offsite redirect to {result.url[:200]}")
            result = target
            if result.url in chain:
                self.crawler.stats.inc_value("newscrawl/redirect/loop")
                self.failures.record(request, "redirect_loop", f"{response.status} back to {result.url[:200]}",
                                     response.status)
                raise IgnoreRequest(f"redirect loop at {result.url[:200]}")
        return result
