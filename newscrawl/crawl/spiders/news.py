"""NewsSpider: walks a site's section listings (with pagination) down to its article pages.

It only decides what to fetch and hands each article response to
``newscrawl.extract.extract_article``; cleaning, validation, deduplication and
storage are the pipelines' job.

Spider arguments (``-a name=value``):
  base_url   crawl a mirror of the site (staging copy, archive, the fixture server) instead of the live host
  sections   comma-separated section slugs to crawl (default: all in the site file)
  max_pages  listing pages to follow per section (default: setting NEWSCRAWL_MAX_PAGES)
  since      YYYY-MM-DD: skip older articles and stop paging a section once its listing reaches them
  url        (the generic "news" spider) a site without a site file: crawled by general rules from this
             page (newscrawl/crawl/spiders/generic.py); ``depth`` bounds how far its links are followed

Feeds and sitemaps (the site file's ``feeds`` and ``sitemaps``) are read every run besides the listings; a
``sitemaps`` entry "/robots.txt" stands for the sitemaps its ``Sitemap:`` lines name, read from the robots.txt
Scrapy's RobotsTxtMiddleware fetches for its rules (one fetch). Each section's listing pages count the article
links their selectors found (``newscrawl/listing/<section>/...``): none is a layout change, which
ListingYieldMonitor (newscrawl/crawl/monitors.py) turns into a degraded run.

Incremental runs (setting NEWSCRAWL_INCREMENTAL, on by default): article URLs already in the
database are not requested again, except those published within the re-check window
(NEWSCRAWL_RECHECK_HOURS) whose text may still change; a section's pagination stops after
NEWSCRAWL_KNOWN_PAGES_STOP listing pages in a row that hold only finished articles.

Nothing discovered is left behind (newscrawl/crawl/urlstate.py): the article and pagination requests
it makes carry ``track``, so the URL state records them before they are requested; a run first
requests what earlier runs discovered and did not finish.

JavaScript pages: the page kinds a site file's ``[render]`` table names are fetched
through headless Chromium (newscrawl/crawl/rendering.py). Distributed crawls: with
NEWSCRAWL_REDIS_URL set, workers share a Redis frontier and take their start requests
from it (``newscrawl seed``) instead of yielding them (newscrawl/distributed/).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.sitemap import sitemap_urls_from_robots

from newscrawl.crawl import defaults
from newscrawl.crawl import services
from newscrawl.extract.dates import parse_datetime
from newscrawl.crawl.incremental import KnownArticles, load_known_articles, url_path
from newscrawl.model.item import ArticleItem
from newscrawl.crawl.downloadermiddlewares.origin import site_origins
from newscrawl.crawl.rendering import configure_rendering, render_meta, site_renders
from newscrawl.sites import SiteRegistry
from newscrawl.crawl.spiders.arguments import check_spider_arguments
from newscrawl.crawl.urlstate import META_KEY as URL_STATE_META
from newscrawl.crawl.urlstate import UrlState
from newscrawl.model.urls import is_http_url, strip_tracking

#: A URL whose HTTP errors are an answer, not a failure: a guessed path (a usual feed or sitemap path), a robots.txt.
PROBE_META = {"handle_httpstatus_all": True}
ROBOTS_PATH = "/robots.txt"


class NewsSpider(scrapy.Spider):
    name = "news"
    site_name: str | None = None  # set on the per-site subclasses
    sites: SiteRegistry | None = None  # the spider loader's site files (None: the shipped ones)
    render_enabled = False  # fetch the site file's [render] page kinds through the browser (set from settings)
    distributed = False  # NEWSCRAWL_REDIS_URL: start requests come from the shared frontier

    def __init__(self, *args, **kwargs):
        # One check for every way a spider is made (newscrawl/crawl/spiders/arguments.py); `scrapy crawl` and
        # `newscrawl crawl` run it before the crawl starts, so a bad value never gets this far from them.
        checked = check_spider_arguments(self.site_name, kwargs, self.sites)
        super().__init__(*args, **checked.passed_through)
        self.site = checked.site
        self.base_url = checked.base_url
        self.max_pages_arg = checked.max_pages
        self.sections = checked.sections
        self.since = checked.since
        self.start_url = checked.start_url  # -a url=: a site without a site file (GenericSpider walks it)
        self.depth_arg = checked.depth
        hosts = set(self.site.hosts)
        if self.base_url:
            hosts.add(urlsplit(self.base_url).hostname)
        self.allowed_domains = sorted(hosts)
        # What OriginFilterMiddleware lets through, for every request (scheme, host and port; newscrawl/crawl/downloadermiddlewares/origin.py):
        # the live site's origins, or while crawling a mirror only the mirror's, the live hosts mapped onto it.
        if self.base_url:
            self.allowed_origins = [self.base_url]
            self.mirrored_hosts = self.site.hosts
        else:
            self.allowed_origins = site_origins(self.site.hosts, self.site.base_url)
            self.mirrored_hosts = ()
        self.crawl_date = datetime.now(timezone.utc).date().isoformat()  # feed URI parameter %(crawl_date)s
        self.known = KnownArticles({})
        self.url_state: UrlState | None = None  # the crawler's, from start() on (None when switched off)
        self.robots_awaited: set[str] = set()  # robots.txt URLs whose Sitemap: lines are read from Scrapy's own fetch
        # Per section: the listing pages whose selectors found no article link (ListingYieldMonitor's examples).
        self.listings_without_links: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if cls.site_name is None and kwargs.get("url") and not getattr(cls, "by_url", False):
            # `scrapy crawl news -a url=...` of a site without a site file: the spider that walks by general
            # rules (newscrawl/crawl/spiders/generic.py); a URL of a site file's host stays with this one.
            if check_spider_arguments(None, kwargs, cls.sites).start_url:
                from newscrawl.crawl.spiders.generic import GenericSpider

                generic = type("GenericSpider", (GenericSpider,), {"sites": cls.sites, "__module__": cls.__module__})
                return generic.from_crawler(crawler, *args, **kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        setting = defaults.getint(crawler.settings, "NEWSCRAWL_MAX_PAGES")
        spider.max_pages = setting if spider.max_pages_arg is None else spider.max_pages_arg  # 0 = to the end
        settings = crawler.settings
        spider.incremental = defaults.getbool(settings, "NEWSCRAWL_INCREMENTAL")
        spider.known_pages_stop = defaults.getint(settings, "NEWSCRAWL_KNOWN_PAGES_STOP")
        recheck = defaults.getfloat(settings, "NEWSCRAWL_RECHECK_HOURS")
        if recheck < 0:
            recheck = getattr(spider.site, "recheck_hours", 0)
        spider.recheck_window = timedelta(hours=recheck)
        spider.render_enabled = site_renders(spider.site, settings)
        spider.distributed = bool(settings.get("NEWSCRAWL_REDIS_URL"))
        crawler.signals.connect(spider.robots_received, signal=signals.response_received)
        return spider

    @classmethod
    def site_registry(cls) -> SiteRegistry:
        return cls.sites or SiteRegistry.from_dirs()

    @classmethod
    def handles_request(cls, request) -> bool:
        """The site file's hosts: `scrapy parse URL` and `scrapy shell URL` pick the site's spider by them
        (Scrapy's default compares the spider's name with the host, and the spider's domains come from
        the site file only once it is built)."""
        if not cls.site_name:
            return False
        return (urlsplit(request.url).hostname or "").lower() in cls.site_registry().site(cls.site_name).hosts

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # Only what depends on the site file stays here: its [render] table decides whether the crawl
        # needs the browser's download handlers, and only the spider class knows its site. The output
        # folder and the distributed frontier depend on the crawl's settings alone: the add-on sets them
        # (newscrawl/crawl/addon.py).
        if cls.site_name:
            configure_rendering(settings, cls.site_registry().site(cls.site_name))

    # -- URLs
    def rebase(self, url: str) -> str:
        """Map a live-site URL onto the mirror given by base_url (links on mirrored pages may be absolute)."""
        if not self.base_url:
            return url
        parts = urlsplit(url)
        if (parts.hostname or "").lower() in self.site.hosts:
            mirror = urlsplit(self.base_url)
            return urlunsplit((mirror.scheme, mirror.netloc, parts.path, parts.query, parts.fragment))
        return url

    def article_url(self, href: str, page_url: str) -> str | None:
        """The one URL an article is fetched under: absolute, on the site, no fragment, no query."""
        url = self.rebase(urljoin(page_url, href.strip()))
        if not is_http_url(url):
            return None
        parts = urlsplit(url)
        # Only the site's own hosts (or the mirror): Scrapy's offsite filter would let sub-sites through
        # (video.<site>, a partner's subdomain), whose pages are not in this site's layouts.
        if (parts.hostname or "").lower() not in self.allowed_domains:
            return None
        path = parts.path
        pattern = self.site.listing.article_url_pattern
        if pattern is not None and not pattern.search(path):
            return None
        # Article pages are identified by their path on news sites: any query is tracking or paging noise.
        return strip_tracking(url, keep_query=False)

    # -- crawling
    def is_known(self, url: str) -> bool:
        """Finished by an earlier run (newscrawl/crawl/urlstate.py: a duplicate, rejected lately, given up, or
        failed and not yet due), or stored and not recent enough to be re-checked for edits."""
        if self.url_state is not None and self.url_state.settled(url):
            return True
        path = url_path(url)
        if path not in self.known:
            return False
        if self.recheck_window and self.known.recent(path, datetime.now(timezone.utc) - self.recheck_window):
            self.crawler.stats.inc_value("newscrawl/incremental/rechecked")
            return False
        return True

    def make_request(self, url: str, kind: str, callback, track: dict | None = None, **kwargs) -> scrapy.Request:
        """A request for a ``kind`` page ("listing" or "article"): through the browser when the site file
        renders that kind (``[render]``), else plain. With ``track`` (``{"section", "page"}``) the URL
        state records it before it is requested and follows it to its outcome (newscrawl/crawl/urlstate.py)."""
        meta = {**render_meta(self.site, kind, self.render_enabled), **kwargs.pop("meta", {})}
        if track is not None:
            meta[URL_STATE_META] = {"kind": kind, **track}
        if kind == "listing" and self.distributed:
            # The shared queue pops equal priorities in byte order, not LIFO: listings first keeps the
            # pagination going, so the frontier never runs dry while the workers wait for the next page.
            kwargs.setdefault("priority", 10)
        return scrapy.Request(url, callback=callback, meta=meta, **kwargs)

    def listing_requests(self) -> list[scrapy.Request]:
        """The first listing page of each section: where a crawl starts (`newscrawl seed` pushes these)."""
        requests = []
        for section in self.sections:
            url = self.rebase(self.site.url(section.url, self.base_url))
            # Listing pages change between runs and must be read again when a run resumes (JOBDIR): never filtered.
            requests.append(self.make_request(url, "listing", self.parse_listing, dont_filter=True,
                                              cb_kwargs={"section": section.slug, "page": 1, "known_streak": 0}))
        # Feeds and sitemaps name new articles too (often before a listing shows them); read them every run.
        for feed in self.site.feeds:
            requests.append(scrapy.Request(self.rebase(self.site.url(feed, self.base_url)), callback=self.parse_feed,
                                           dont_filter=True))
        for sitemap in self.site.sitemaps:
            url = self.rebase(self.site.url(sitemap, self.base_url))
            if urlsplit(url).path == ROBOTS_PATH:  # the sitemaps its Sitemap: lines name
                requests += self.robots_requests(url)
            else:
                requests.append(scrapy.Request(url, callback=self.parse_sitemap, dont_filter=True))
        return requests

    # -- robots.txt as a sitemap source
    def robots_requests(self, url: str) -> list[scrapy.Request]:
        """What reads the Sitemap: lines of the robots.txt at ``url``: nothing when Scrapy's RobotsTxtMiddleware
        fetches that file anyway for its rules (ROBOTSTXT_OBEY; its response is read as it arrives, see
        :meth:`robots_received`), so that a crawl asks for robots.txt once; else a request of our own."""
        if self.robots_fetched_by_scrapy():
            self.robots_awaited.add(url)
            return []
        return [scrapy.Request(url, callback=self.parse_robots, dont_filter=True, meta=dict(PROBE_META))]

    def robots_fetched_by_scrapy(self) -> bool:
        try:
            return self.crawler.get_downloader_middleware(RobotsTxtMiddleware) is not None
        except RuntimeError:  # no engine (`newscrawl seed` builds the start requests without crawling)
            return False

    def robots_received(self, response, request, spider=None):
        """The response_received signal: RobotsTxtMiddleware's robots.txt fetch (``dont_obey_robotstxt``, no
        callback; it reaches no spider callback) of a robots.txt this run reads sitemaps from."""
        if request.callback is not NO_CALLBACK or not request.meta.get("dont_obey_robotstxt"):
            return
        parts = urlsplit(request.url)
        url = next((u for u in self.robots_awaited if urlsplit(u)[:3] == parts[:3]), None)
        if url is None:
            return
        self.robots_awaited.discard(url)
        for sitemap_request in self.parse_robots(response):
            self.crawler.engine.crawl(sitemap_request)

    def closed(self, reason):
        for url in sorted(self.robots_awaited):  # Scrapy's middleware never fetched it (a redirect, an error): said
            self.logger.warning("robots.txt %s was not read: Scrapy's robots.txt fetch of it never answered", url)

    def parse_robots(self, response):
        """The sitemaps a robots.txt names (Scrapy's parser, as SitemapSpider reads them), on the site."""
        self.crawler.stats.inc_value("newscrawl/robots_sitemaps/read")
        if response.status != 200:
            self.logger.warning("robots.txt %s: HTTP %d, no sitemaps read from it", response.url, response.status)
            return
        for url in self.robots_sitemap_urls(response):
            yield scrapy.Request(url, callback=self.parse_sitemap, dont_filter=True)

    def robots_sitemap_urls(self, response) -> list[str]:
        """The Sitemap: lines of a robots.txt response, rebased onto the mirror and kept to the site's hosts."""
        urls = []
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            url = self.rebase(url)
            if is_http_url(url) and (urlsplit(url).hostname or "").lower() in self.allowed_domains:
                urls.append(url)
            else:
                self.logger.info("robots.txt %s names a sitemap off the site: %s (not read)", response.url, url)
        return urls

    async def start(self):
        self.url_state = self.crawler.get_extension(UrlState)
        if self.incremental:
            db_url = defaults.database_url(self.crawler.settings)
            retry = timedelta(hours=defaults.getfloat(self.crawler.settings, "NEWSCRAWL_REJECT_RETRY_HOURS"))
            self.known = (load_known_articles(services.engine(self.crawler), self.site.name, self.site.hosts, retry) if db_url
                          else KnownArticles({}))
            self.logger.info("incremental: %d articles of %s already stored", len(self.known), self.site.name)
        unfinished = self.unfinished_requests()  # reads the URL state (what is settled) in any case
        if self.distributed:
            # Every worker would push the (unfiltered) listings again: `newscrawl seed` pushes them once,
            # with what earlier runs left unfinished.
            self.logger.info("distributed: taking requests from the shared frontier (seed it with `newscrawl seed %s`)",
                             self.site.name)
            return
        for request in unfinished:
            yield request
        for request in self.listing_requests():
            yield request

    def unfinished_requests(self) -> list[scrapy.Request]:
        """What earlier runs discovered and did not finish (killed, failed and due again), first:
        whatever the paging heuristics say this time, nothing discovered is left behind."""
        if self.url_state is None:
            return []
        sections = {s.slug for s in self.sections}
        requests = []
        for row in self.url_state.load(self.site.name):
            url = self.site.url(row.url_key, self.base_url)  # keys are host-free: the mirror of this run
            track = {"section": row.section or "", "page": row.page}
            if row.kind == "listing":
                if row.section not in sections or (self.max_pages and (row.page or 1) > self.max_pages):
                    continue  # not asked for this time; it stays pending
                requests.append(self.make_request(url, "listing", self.parse_listing, track=track, dont_filter=True,
                                                  cb_kwargs={"section": row.section, "page": row.page or 2,
                                                             "known_streak": 0}))
            else:
                requests.append(self.make_request(url, "article", self.parse_article, track=track, dont_filter=True,
                                                  cb_kwargs={"section": row.section or ""}))
        return requests

    # Defaults for `scrapy parse -c parse_listing URL` (and shell, contracts), which give no cb_kwargs.
    def parse_listing(self, response, section: str = "", page: int = 1, known_streak: int = 0):
        stats = self.crawler.stats
        stats.inc_value("newscrawl/listing_pages")
        dates = self._listing_dates(response)
        links, older_seen, found = [], False, 0
        for selector in self.site.listing.article_links:
            for href in response.css(selector).getall():
                url = self.article_url(href, response.url)
                if not url:
                    continue
                found += 1
                published = dates.get(url)
                if self.since and published and published < self.since:
                    older_seen = True
                    continue
                links.append(url)
        # What each section's listing selectors found (ListingYieldMonitor): a layout change that leaves them
        # finding nothing shows in the run's status, even while the feeds and sitemaps still bring the articles.
        stats.inc_value(f"newscrawl/listing/{section}/pages")
        stats.inc_value(f"newscrawl/listing/{section}/article_links", found)
        if not found:
            self.logger.warning("section %s: listing page %s yielded no article links (selectors: %s)",
                                section, response.url, ", ".join(self.site.listing.article_links))
            examples = self.listings_without_links.setdefault(section, [])
            if len(examples) < 5:
                examples.append(response.url)
        unknown = 0
        for url in dict.fromkeys(links):  # a listing may link one article twice
            if self.is_known(url):
                self.crawler.stats.inc_value("newscrawl/incremental/skipped_known")
                continue
            unknown += 1
            yield self.make_request(url, "article", self.parse_article, track={"section": section},
                                    cb_kwargs={"section": section})
        known_streak = known_streak + 1 if links and not unknown else 0
        next_url = self._next_page_url(response)
        if self.incremental and self.known_pages_stop and known_streak >= self.known_pages_stop:
            # Pages of finished articles say that what lies beyond was walked before, unless no run ever
            # reached the next page (a killed run, one bounded by max_pages): then page on.
            if next_url is None or self.url_state is None or self.url_state.reached(next_url):
                self.logger.info("section %s: %d listing page(s) in a row hold only known articles; not paging further",
                                 section, known_streak)
                return
            self.crawler.stats.inc_value("newscrawl/incremental/paged_past_known")

        if older_seen:
            self.logger.info("section %s: listing page %d reaches articles older than %s; not paging further",
                             section, page, self.since.date())
            return
        if self.max_pages and page >= self.max_pages:
            return
        if next_url:
            # Unfiltered so a resumed run reads it again; in a distributed crawl the shared dupefilter
            # keeps a page that a recovered listing links again from being walked twice.
            yield self.make_request(next_url, "listing", self.parse_listing, dont_filter=not self.distributed,
                                    track={"section": section, "page": page + 1},
                                    cb_kwargs={"section": section, "page": page + 1, "known_streak": known_streak})

    def _next_page_url(self, response) -> str | None:
        """The listing's next page (the first next-page selector that matches), or None."""
        for selector in self.site.listing.next_page:
            href = response.css(selector).get()
            if href:
                next_url = self.rebase(urljoin(response.url, href.strip()))
                return next_url if is_http_url(next_url) else None
        return None

    def _discovered(self, entries, source: str):
        """Requests for the article URLs a feed or sitemap names: on the site, new (or re-checkable), after since."""
        for href, when_text in entries:
            url = self.article_url(href, self.base_url or self.site.base_url) if href else None
            if not url:
                continue
            when = parse_datetime(when_text, tz=self.site.timezone) if when_text else None
            if self.since and when and when < self.since:
                continue
            if self.is_known(url):
                self.crawler.stats.inc_value("newscrawl/incremental/skipped_known")
                continue
            self.crawler.stats.inc_value(f"newscrawl/discovered/{source}")
            yield self.make_request(url, "article", self.parse_article, track={"section": ""}, cb_kwargs={"section": ""})

    def parse_feed(self, response):
        """RSS 2.0 and Atom: each entry's link and date."""
        self.crawler.stats.inc_value("newscrawl/feed_pages")
        sel = scrapy.Selector(text=response.text, type="xml")
        sel.remove_namespaces()
        entries = []
        for item in sel.xpath("//item"):
            entries.append((item.xpath("link/text()").get("").strip(),
                            item.xpath("pubDate/text() | date/text()").get()))
        for entry in sel.xpath("//entry"):
            entries.append((entry.xpath("link[not(@rel) or @rel='alternate']/@href").get("").strip(),
                            entry.xpath("published/text() | updated/text()").get()))
        yield from self._discovered(entries, "feed")

    def parse_sitemap(self, response):
        """Sitemaps and sitemap indexes (news sitemaps' publication dates included)."""
        from scrapy.utils.sitemap import Sitemap

        self.crawler.stats.inc_value("newscrawl/sitemap_pages")
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # not XML: log it, the crawl goes on
            self.logger.warning("sitemap %s could not be read: %s", response.url, exc.__class__.__name__)
            return
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                lastmod = parse_datetime(entry.get("lastmod", ""), tz=self.site.timezone) if entry.get("lastmod") else None
                if self.since and lastmod and lastmod < self.since:
                    continue
                url = self.rebase(urljoin(response.url, entry["loc"].strip()))  # a relative loc is read as a browser would
                if is_http_url(url) and (urlsplit(url).hostname or "").lower() in self.allowed_domains:
                    yield scrapy.Request(url, callback=self.parse_sitemap, dont_filter=True)
            return
        entries = []
        for entry in sitemap:
            news = entry.get("news") or {}
            when = news.get("publication_date") if isinstance(news, dict) else None
            entries.append((entry.get("loc", ""), when or entry.get("lastmod")))
        yield from self._discovered(entries, "sitemap")

    def _listing_dates(self, response) -> dict[str, datetime]:
        """Publish dates printed beside each listing entry, by article URL (used by ``since``)."""
        listing = self.site.listing
        if not (self.since and listing.item and listing.item_link and listing.item_date):
            return {}
        dates = {}
        for entry in response.css(listing.item):
            href, text = entry.css(listing.item_link).get(), entry.css(listing.item_date).get()
            url = self.article_url(href, response.url) if href else None
            parsed = parse_datetime(text, tz=self.site.timezone) if text else None
            if url and parsed:
                dates[url] = parsed
        return dates

    async def parse_article(self, response, section: str = ""):  # "" = not known: `scrapy parse` gives none
        self.crawler.stats.inc_value("newscrawl/article_pages")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        # In-process, or in a worker process with NEWSCRAWL_EXTRACT_WORKERS (newscrawl/extract/workers.py): the
        # crawl's one pool, shared with DedupePipeline, fetched here since Scrapy builds the spider before the
        # extensions (not a property: Scrapy's request serialisation reads every attribute of the spider).
        fields = await services.extractor(self.crawler).extract(response.body, response.url, self.site,
                                                                content_type=content_type)
        for field in fields.get("errors") or ():  # a failed extractor, logged where it ran (maybe a worker): counted here
            self.crawler.stats.inc_value(f"newscrawl/extract/errors/{field}")
        # Recorded, not acted on: the site file's article links say this is an article (a crawl by URL, which
        # has no such links, stores only what the classifier says is one: newscrawl/crawl/spiders/generic.py).
        self.crawler.stats.inc_value(f"newscrawl/page_kind/{fields.get('page_kind')}")
        yield ArticleItem(**fields)

