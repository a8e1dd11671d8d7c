"""CrawlTrapMiddleware (950 in SPIDER_MIDDLEWARES): bounds what one page can add to the crawl.

A request whose callback is the page's own
callback is *pagination*; every other request is a *child*. At most
``NEWSCRAWL_MAX_LINKS_PER_PAGE`` (500) children per page are kept (``link_flood``);
pagination to a page already requested in this run is a loop and dropped; pagination
stops after ``NEWSCRAWL_STALE_PAGES_STOP`` (3) pages in a row whose children were all
seen before (a calendar or an endless "next" that repeats itself; ``crawl_trap``).
0 disables a rule.
"""
from __future__ import annotations

from scrapy import Request

from newscrawl.crawl import defaults
from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service


class CrawlTrapMiddleware:
    """Bound what one page adds to the crawl (see the module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.max_links = max(0, defaults.getint(settings, "NEWSCRAWL_MAX_LINKS_PER_PAGE"))
        self.stale_stop = max(0, defaults.getint(settings, "NEWSCRAWL_STALE_PAGES_STOP"))
        self.failures = service(crawler, FailureLog)
        self._seen_children: set[int] = set()
        self._seen_pages: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        async for obj in start:
            if isinstance(obj, Request):
                self._seen_pages.add(hash(obj.url))
            yield obj

    def process_spider_output(self, response, result):
        state = self._State(self, response)
        for obj in result:
            out = state.take(obj)
            if out is not None:
                yield out
        yield from state.finish()

    async def process_spider_output_async(self, response, result):
        state = self._State(self, response)
        async for obj in result:
            out = state.take(obj)
            if out is not None:
                yield out
        for obj in state.finish():
            yield obj

    class _State:
        """What one response's output has added so far."""

        def __init__(self, mw: "CrawlTrapMiddleware", response):
            self.mw = mw
            self.response = response
            self.request = getattr(response, "request", None)
            self.callback = self.request.callback if self.request is not None else None
            self.children = 0
            self.new_children = 0
            self.dropped = 0
            self.pages: list[Request] = []

        def take(self, obj):
            if not isinstance(obj, Request) or self.request is None:
                return obj
            if obj.callback == self.callback and obj.callback is not None:
                self.pages.append(obj)  # pagination: decided when the page's output is complete
                return None
            self.children += 1
            key = hash(obj.url)
            if key not in self.mw._seen_children:
                self.new_children += 1
                self.mw._seen_children.add(key)
            if self.mw.max_links and self.children > self.mw.max_links:
                self.dropped += 1
                return None
            return obj

        def finish(self):
            mw, request = self.mw, self.request
            if self.dropped:
                mw.crawler.stats.inc_value("newscrawl/trap/links_dropped", self.dropped)
                mw.failures.record(request, "link_flood",
                                   f"kept {mw.max_links} of {self.children} links (NEWSCRAWL_MAX_LINKS_PER_PAGE)")
            if not self.pages:
                return
            stale = request.meta.get("newscrawl_stale_pages", 0)
            if self.children:
                stale = stale + 1 if self.new_children == 0 else 0
            for page in self.pages:
                key = hash(page.url)
                if key in mw._seen_pages:
                    mw.crawler.stats.inc_value("newscrawl/trap/pagination_loop")
                    mw.failures.record(page, "crawl_trap", f"pagination back to a page of this run, from {request.url[:200]}")
                    continue
                if mw.stale_stop and stale >= mw.stale_stop:
                    mw.crawler.stats.inc_value("newscrawl/trap/stale_pages")
                    mw.failures.record(page, "crawl_trap",
                                       f"{stale} pages in a row added no new links (NEWSCRAWL_STALE_PAGES_STOP)")
                    continue
                mw._seen_pages.add(key)
                page.meta["newscrawl_stale_pages"] = stale
                yield page
