"""GenericSpider: crawls a news site nobody wrote a site file for, from its URL alone.

``scrapy crawl news -a url=https://example.vn/`` (or ``scrapy crawl generic -a url=...``, and
``newscrawl crawl https://example.vn/``) walks the site the way NewsSpider walks a site file's sections,
with general rules where the site file would give selectors:

- robots.txt's ``Sitemap:`` lines (Scrapy's ``sitemap_urls_from_robots``, read from the robots.txt Scrapy's
  RobotsTxtMiddleware fetches anyway; ``/sitemap.xml`` when it names
  none), sitemap indexes and news sitemaps (NewsSpider.parse_sitemap, on Scrapy's ``Sitemap``);
- the RSS/Atom feeds the start page names with ``<link rel="alternate">``, else those at the usual paths
  (newscrawl/extract/discovery.py: USUAL_FEED_PATHS), read by NewsSpider.parse_feed;
- the start page's links and those of the listing pages it leads to, up to ``depth`` links away
  (the ``depth`` argument, default :data:`DEFAULT_DEPTH`), each listing
  followed through its pagination (rel=next, "next"/"Trang sau"/"›", page numbers) up to ``max_pages``.

Which fetched page is an article is decided by the page itself (newscrawl/extract/pagekind.py, the item's
``page_kind``): articles are yielded and go through the pipelines as any article; listings are walked;
other pages are counted and dropped. ``site`` is the host (with its port), as extraction names it, and
nothing off the start URL's origin is fetched (OriginFilterMiddleware: the spider's ``allowed_origins``).
Guessed paths (feeds, sitemap) are probes: a 404 there is no failure of the run.
"""
from __future__ import annotations

import scrapy

from newscrawl.crawl import services
from newscrawl.crawl.spiders.arguments import check_spider_arguments
from newscrawl.crawl.spiders.news import PROBE_META, ROBOTS_PATH, NewsSpider
from newscrawl.crawl.urlstate import META_KEY as URL_STATE_META
from newscrawl.extract.discovery import (USUAL_FEED_PATHS, USUAL_SITEMAP_PATHS, feed_links, next_page_url,
                                         page_links)
from newscrawl.extract.pagekind import ARTICLE, LISTING, article_url_shape, listing_url_shape
from newscrawl.model.item import ArticleItem

#: Links followed from the start page to listing pages: 1 reaches the sections the home page links,
#: 2 their sub-sections. Articles linked from any walked listing are fetched whatever the depth.
DEFAULT_DEPTH = 2


class GenericSpider(NewsSpider):
    name = "generic"
    by_url = True  # NewsSpider.from_crawler: already the spider for -a url=

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.start_url:
            raise ValueError("GenericSpider crawls a site by its URL: give -a url=URL")
        self.name = self.site.name  # one spider per site, named as its items' `site` (run ids, logs, summary)
        self.depth = DEFAULT_DEPTH if self.depth_arg is None else self.depth_arg

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if not check_spider_arguments(None, kwargs, cls.sites).start_url:
            # `scrapy crawl generic -a url=` of a site file's host: the site file is the exact way to crawl it.
            plain = type("NewsSpider", (NewsSpider,), {"sites": cls.sites, "__module__": cls.__module__})
            return plain.from_crawler(crawler, *args, **kwargs)
        return super().from_crawler(crawler, *args, **kwargs)

    @classmethod
    def handles_request(cls, request) -> bool:
        return False  # `scrapy parse URL` picks a site file's spider; this one needs its start URL

    # -- where the crawl starts
    def listing_requests(self) -> list[scrapy.Request]:
        """The start page (read every run: it lists the newest articles) and robots.txt (its sitemaps; read from
        Scrapy's own robots.txt fetch when it obeys robots.txt, so the file is asked for once)."""
        self._claim(self.start_url)
        start = self.make_request(self.start_url, "listing", self.parse_start, dont_filter=True,
                                  cb_kwargs={"depth": 0, "page": 1, "start": True})
        return [start, *self.robots_requests(self.site.url(ROBOTS_PATH))]

    def _claim(self, url: str) -> bool:
        """True the first time this run asks for ``url``. Pages of unknown kind are reached in several
        ways (a section link, a sitemap entry): one request each, so that the URL state's record of an
        article candidate is never left behind by a duplicate filtered out in the scheduler."""
        claimed = self.__dict__.setdefault("_claimed", set())
        key = url.split("#", 1)[0].rstrip("/")
        if key in claimed:
            return False
        claimed.add(key)
        return True

    def _discovered(self, entries, source: str):
        for request in super()._discovered(entries, source):
            if self._claim(request.url):
                yield request

    def parse_robots(self, response):
        """The sitemaps robots.txt names (Scrapy's parser), else the usual sitemap path."""
        self.crawler.stats.inc_value("newscrawl/robots_sitemaps/read")
        named = self.robots_sitemap_urls(response) if response.status == 200 else []
        for url in named or [self.site.url(p) for p in USUAL_SITEMAP_PATHS]:
            yield scrapy.Request(url, callback=self.parse_sitemap, dont_filter=True,
                                 meta={} if named else dict(PROBE_META))

    def parse_sitemap(self, response):
        if response.status != 200:
            return  # a guessed path the site does not serve
        yield from super().parse_sitemap(response)

    def parse_feed(self, response):
        if response.status != 200 or b"<" not in response.body[:1024]:
            return  # a guessed path the site does not serve, or no XML there
        yield from super().parse_feed(response)

    # -- every page: an article, a listing, or neither (the page says which)
    async def parse_article(self, response, section: str = "", depth: int | None = None, page: int = 1):
        """An article candidate (a link of article shape, a feed or sitemap entry)."""
        async for result in self._parse(response, self.parse_article, depth, page, False):
            yield result

    async def parse_start(self, response, depth: int = 0, page: int = 1, start: bool = True):
        """The start page: a listing whatever it looks like, and where the feeds are named."""
        async for result in self._parse(response, self.parse_start, depth, page, True):
            yield result

    async def parse_page(self, response, depth: int = 0, page: int = 1):
        """A listing candidate: a section, or a listing's next page."""
        async for result in self._parse(response, self.parse_page, depth, page, False):
            yield result

    async def parse_linked_article(self, response, section: str = "", depth: int | None = None, page: int = 1):
        """An article candidate linked from a page that was itself fetched as one (see listing_links)."""
        async for result in self._parse(response, self.parse_linked_article, depth, page, False):
            yield result

    async def parse_subpage(self, response, depth: int = 0, page: int = 1):
        """A listing candidate linked from a listing candidate (a sub-section; see listing_links)."""
        async for result in self._parse(response, self.parse_subpage, depth, page, False):
            yield result

    async def _parse(self, response, callback, depth: int | None, page: int, start: bool):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        # No site file: extraction's generic layers, which name the site by the page's host and infer its zone.
        fields = await services.extractor(self.crawler).extract(response.body, response.url, None,
                                                                content_type=content_type)
        kind = fields.get("page_kind")
        self.crawler.stats.inc_value(f"newscrawl/page_kind/{kind}")
        if start:
            for request in self.feed_requests(response):
                yield request
        if kind == ARTICLE and not start:
            self.crawler.stats.inc_value("newscrawl/article_pages")
            for field in fields.get("errors") or ():
                self.crawler.stats.inc_value(f"newscrawl/extract/errors/{field}")
            published = fields.get("published")
            if self.since and published and published[:10] < self.since.date().isoformat():
                self.crawler.stats.inc_value("newscrawl/since/skipped")
                self._settle(response)
                return
            yield ArticleItem(**fields)
            return
        self._settle(response)  # fetched as an article candidate, it is none: done, not pending
        if kind != LISTING and not start:
            return
        self.crawler.stats.inc_value("newscrawl/listing_pages")
        for request in self.listing_links(response, callback, self.depth if depth is None else depth, page):
            yield request

    def _settle(self, response) -> None:
        """A page the URL state followed as an article that is none (a listing, a page about the site)."""
        request = getattr(response, "request", None)
        tracked = request is not None and (request.meta.get(URL_STATE_META) or {}).get("kind") == "article"
        if tracked and self.url_state is not None:
            self.url_state.finish_listing(request)  # "done": settled, as a listing page's record is

    def feed_requests(self, response) -> list[scrapy.Request]:
        """The feeds the start page names, else the usual feed paths (probes)."""
        named = feed_links(response, response.url)
        if named:
            return [scrapy.Request(self.rebase(u), callback=self.parse_feed) for u in named]
        return [scrapy.Request(self.site.url(p), callback=self.parse_feed, meta=dict(PROBE_META))
                for p in USUAL_FEED_PATHS]

    def listing_links(self, response, callback, depth: int, page: int):
        """A listing's links: article-shaped ones as article candidates, listing-shaped ones (sections)
        while within ``depth``, and its next page while within ``max_pages``.

        CrawlTrapMiddleware takes a request with the page's own callback for its pagination (loops and
        stale pages are cut there): the next page gets the page's callback, every other link another one
        (an alias of the same parsing). Only article candidates are ``parse_article``'s: the run summary
        counts those requests to tell a run that fetched no article."""
        next_url = next_page_url(response, response.url)
        article_callback = self.parse_linked_article if callback == self.parse_article else self.parse_article
        section_callback = self.parse_subpage if callback == self.parse_page else self.parse_page
        for url in page_links(response, response.url):
            if url == next_url:
                continue
            if article_url_shape(url):
                url = self.article_url(url, response.url)
                if not url:
                    continue
                if self.is_known(url):
                    self.crawler.stats.inc_value("newscrawl/incremental/skipped_known")
                    continue
                if self._claim(url):
                    yield self.make_request(url, "article", article_callback, track={"section": ""},
                                            cb_kwargs={"depth": depth + 1})
            elif depth < self.depth and listing_url_shape(url) and self._claim(url):
                # A section (or a sub-section): walked this run, read again the next (its newest articles change).
                yield self.make_request(url, "listing", section_callback, cb_kwargs={"depth": depth + 1, "page": 1})
        if next_url and (not self.max_pages or page < self.max_pages) and self._claim(next_url):
            yield self.make_request(next_url, "listing", callback, cb_kwargs={"depth": depth, "page": page + 1})
