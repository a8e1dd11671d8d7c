"""The durable URL state: every URL a crawl set out to fetch, and where it got to, in the crawl's database.

A crawl may be killed at any moment (``kill -9``, a reboot, a full disk), so no promise can rest
on what a process holds in memory or on Scrapy's job directory. Instead, as StormCrawler keeps a
status index, each article URL that a listing, feed or sitemap yields, and each listing page
that pagination reaches, is written to the ``url_state`` table *before* it is requested
(``UrlState.discover``), and moves on as the crawl learns its fate:

  article:  discovered -> stored | duplicate | rejected | failed -> (a later run) ... | given_up
  listing:  discovered -> done | failed -> ... | given_up

- ``stored`` (also an unchanged article seen again) and ``duplicate`` are written in the same
  transaction as the article rows (the store's batch), so a URL is never marked stored before its
  article is; ``rejected`` comes with the validation reasons.
- ``failed``: the download failed after Scrapy's retries (the failure log's reason). A later run
  requests it again once ``next_attempt`` has passed (``NEWSCRAWL_URL_RETRY_MINUTES``, doubling
  with each failed attempt); after ``NEWSCRAWL_URL_MAX_ATTEMPTS`` failed attempts it is
  ``given_up`` and left alone (the report lists such URLs).
- A run first requests what earlier runs discovered and did not finish (``load``), whatever the
  paging heuristics say, then walks the listings as usual.

Every URL tracked by a run that ends without an outcome (a request dropped somewhere, an item
whose pipeline failed, a write the store gave up on) stays ``discovered`` for the next run and
is counted in ``newscrawl/urls/pending``, which makes the run fail (newscrawl/crawl/summary.py).

The state lives in the store the item pipelines open (``services.store``); with no database
(``NEWSCRAWL_DB_URL`` empty) there is no URL state and a crawl behaves as plain Scrapy does.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import DropItem

from newscrawl.crawl import defaults
from newscrawl.crawl.pipelines.outcomes import ArticleRejected, ArticleSettled
from newscrawl.crawl.signals import url_failed
from newscrawl.crawl.services import store as crawl_store
from newscrawl.storage.urlstate import url_key

logger = logging.getLogger(__name__)

#: ``request.meta`` key of the requests whose fate the URL state follows: ``{"kind", "section", "page"}``
#: as the spider sets it, plus ``attempts`` and ``admitted`` once recorded (they travel with the
#: request, through redirects and through a distributed crawl's shared queue).
META_KEY = "newscrawl_url"


def request_key(request) -> str:
    """The key of the URL a request was made for (before redirects)."""
    urls = request.meta.get("redirect_urls") or []
    return url_key(urls[0] if urls else request.url)


class UrlState:
    """One per crawler (an extension: ``crawler.get_extension(UrlState)``)."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        # Not for `scrapy parse`/`shell`/`check` (NEWSCRAWL_RECORD_RUNS off): a look at a page discovers nothing to keep.
        self.enabled = defaults.database_url(settings) is not None and defaults.getbool(settings, "NEWSCRAWL_RECORD_RUNS")
        self.max_attempts = max(1, settings.getint("NEWSCRAWL_URL_MAX_ATTEMPTS"))
        self.retry_after = timedelta(minutes=settings.getfloat("NEWSCRAWL_URL_RETRY_MINUTES"))
        self.reject_retry = timedelta(hours=settings.getfloat("NEWSCRAWL_REJECT_RETRY_HOURS"))
        self.run_id = settings.get("NEWSCRAWL_RUN_ID")
        self.site: str | None = None
        self.earlier: dict[str, object] = {}  # url_key -> url_state row left by earlier runs (stored ones left out)
        self.tracked: dict[str, dict] = {}  # url_key -> meta[META_KEY] of the URLs this run recorded
        self.open: set[str] = set()  # tracked keys without an outcome yet
        self.settled_here: set[str] = set()  # keys whose outcome this process recorded

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.url_failed, signal=url_failed)
        return ext

    # ------------------------------------------------------------------ reading, at the start of a run

    def spider_opened(self, spider):
        site = getattr(spider, "site", None)
        self.site = getattr(site, "name", None) or spider.name
        store = self.store
        if store is not None:
            store.refused_listeners.append(self.article_refused)

    def article_refused(self, url, canonical, reason, row):
        """The database refused an article its batch held (the store recorded it as a reject): its URL is
        rejected, not stored (this row follows the batch's, so it wins)."""
        if self.site and url:
            now = datetime.now(timezone.utc)
            self.store.stage_url({"site": self.site, "url_key": url_key(url), "url": url, "kind": "article",
                                  "state": "rejected", "reason": reason, "attempts": 0, "section": None, "page": None,
                                  "first_seen": now, "updated_at": now, "next_attempt": None, "run_id": self.run_id})

    @property
    def store(self):
        """The crawl's store, while the pipelines hold it open; None without a database."""
        if not self.enabled:
            return None
        store = crawl_store(self.crawler)
        return store if store.is_open else None

    def load(self, site: str) -> list:
        """Read what earlier runs left for ``site``; return the rows to request first."""
        self.site = site
        store = self.store
        if store is None:
            return []
        now = datetime.now(timezone.utc)
        self.earlier = {row.url_key: row for row in store.url_rows(site)}
        due = [row for row in store.unfinished_urls(site) if row.state == "discovered" or self._due(row, now)]
        logger.info("URL state of %s: %d URLs to finish or retry from earlier runs", site, len(due))
        return due

    def settled(self, url: str) -> bool:
        """True when an earlier run finished ``url`` for now: a duplicate, given up, rejected within
        ``NEWSCRAWL_REJECT_RETRY_HOURS``, or failed and not yet due for another attempt."""
        row = self.earlier.get(url_key(url))
        if row is None:
            return False
        now = datetime.now(timezone.utc)
        if row.state in ("duplicate", "given_up", "done"):
            return True
        if row.state == "rejected":
            return row.updated_at is not None and row.updated_at >= now - self.reject_retry
        if row.state == "failed":
            return not self._due(row, now)
        return False

    def _due(self, row, now: datetime) -> bool:
        """A failed URL is due again ``NEWSCRAWL_URL_RETRY_MINUTES`` after its failure, doubling with each
        failed attempt (under this run's settings, so a changed setting applies at once)."""
        return row.updated_at is None or now >= row.updated_at + self._backoff(row.attempts)

    def _backoff(self, attempts: int) -> timedelta:
        return self.retry_after * (2 ** max(0, attempts - 1))

    def left_unfinished(self, url: str) -> bool:
        """True when an earlier run recorded ``url`` as discovered and never settled it (it was killed)."""
        row = self.earlier.get(url_key(url))
        return row is not None and row.state == "discovered"

    def reached(self, url: str) -> bool:
        """True when a run (an earlier one, or this one) has already recorded ``url`` (a listing page)."""
        key = url_key(url)
        return key in self.tracked or key in self.earlier

    # ------------------------------------------------------------------ recording, as the run goes

    def discover(self, requests: list) -> list:
        """Record the URLs of ``requests`` (each with ``meta[META_KEY]``) before they are requested;
        return the requests to make, without URLs this run already tracks. A returned request is
        *admitted*: its outcome is recorded, whichever worker fetches it."""
        fresh, rows, now = [], [], datetime.now(timezone.utc)
        for request in requests:
            key = request_key(request)
            if key in self.tracked:
                self.stats.inc_value("newscrawl/urls/already_tracked")
                continue
            info = request.meta[META_KEY]
            row = self.earlier.get(key)
            info["attempts"] = row.attempts if row is not None else 0
            info["admitted"] = True
            self.tracked[key] = info
            self.open.add(key)
            rows.append(self._row(request, "discovered", None, now, info["attempts"]))
            fresh.append(request)
            self.stats.inc_value(f"newscrawl/urls/discovered/{info['kind']}")
            if row is not None and row.state == "failed":
                self.stats.inc_value("newscrawl/urls/retried")
        store = self.store
        if store is not None and rows:
            try:
                store.record_urls(rows)
            except Exception as exc:  # the database is gone for longer than the store retries: the run must say so
                self.stats.inc_value("newscrawl/urls/unrecorded", len(rows))
                logger.error("URL state: could not record %d discovered URLs (e.g. %s): %s",
                             len(rows), rows[0]["url"], exc)
        self._count_open()
        return fresh

    def finish_listing(self, request) -> None:
        """A listing page's article links and next page are recorded: the page is done."""
        self._outcome(request, "done")

    def item_scraped(self, item, response, spider):
        self._outcome(getattr(response, "request", None), "stored")

    def item_dropped(self, item, response, exception, spider):
        request = getattr(response, "request", None)
        if isinstance(exception, ArticleRejected):
            self._outcome(request, "rejected", ", ".join(exception.reasons))
        elif isinstance(exception, ArticleSettled):
            self._outcome(request, exception.state)
        elif isinstance(exception, DropItem):
            self._outcome(request, "failed", f"dropped: {exception}")

    def item_error(self, item, response, spider, failure):
        # A pipeline failed (e.g. the database stayed down): the URL stays pending for the next run.
        self.stats.inc_value("newscrawl/urls/item_errors")
        logger.error("URL state: %s stays pending: its item failed in the pipelines (%s)",
                     ItemAdapter(item).get("url") or getattr(response, "url", None), failure.getErrorMessage())

    def url_failed(self, request, reason: str, **kwargs):
        info = request.meta.get(META_KEY) or {}
        attempts = info.get("attempts", 0) + 1
        self._outcome(request, "given_up" if attempts >= self.max_attempts else "failed", reason, attempts)

    # ------------------------------------------------------------------ plumbing

    def _outcome(self, request, state: str, reason: str | None = None, attempts: int | None = None) -> None:
        info = request.meta.get(META_KEY) if request is not None else None
        if not info or not info.get("admitted"):
            # Not a URL a run set out to fetch (robots.txt, a feed), or a second request for one that
            # another request is fetching (a pagination loop the trap rules dropped): not its outcome.
            return
        key = request_key(request)
        if key in self.settled_here:
            return  # already settled in this run (an item seen twice)
        self.settled_here.add(key)
        self.open.discard(key)
        if attempts is None:
            attempts = 0 if state in ("stored", "duplicate", "done") else info.get("attempts", 0)
        row = self._row(request, state, reason, datetime.now(timezone.utc), attempts)
        if state == "failed":
            row["next_attempt"] = row["updated_at"] + self._backoff(attempts)  # for people; _due decides
        self.stats.inc_value(f"newscrawl/urls/{state}")
        store = self.store
        if store is not None:
            store.stage_url(row)
        self._count_open()

    def _row(self, request, state: str, reason: str | None, now: datetime, attempts: int) -> dict:
        info = request.meta[META_KEY]
        urls = request.meta.get("redirect_urls") or []
        return {"site": self.site, "url_key": request_key(request), "url": urls[0] if urls else request.url,
                "kind": info["kind"], "state": state, "reason": reason, "attempts": attempts,
                "section": info.get("section"), "page": info.get("page"), "first_seen": now, "updated_at": now,
                "next_attempt": None, "run_id": self.run_id}

    def _count_open(self) -> None:
        self.stats.set_value("newscrawl/urls/pending", len(self.open))


class UrlStateMiddleware:
    """Spider middleware: records the URLs a callback yields (requests with ``meta[META_KEY]``)
    before they reach the scheduler, one transaction per callback, and marks a listing page done
    once its links are recorded.

    It sits after the middlewares that drop requests (CrawlTrapMiddleware's link-flood and
    pagination-loop rules, Scrapy's URL length and depth limits: order 600, below them), so only
    URLs the crawl will really request are recorded.
    """

    def __init__(self, crawler):
        self.url_state = crawler.get_extension(UrlState)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        tracked = []
        async for obj in start:
            if self._tracked(obj):
                tracked.append(obj)
            else:
                yield obj
        for request in self.url_state.discover(tracked) if tracked else ():
            yield request  # (no tracked requests without the UrlState extension: _tracked says so)

    def process_spider_output(self, response, result):
        tracked = []
        for obj in result:
            if self._tracked(obj):
                tracked.append(obj)
            else:
                yield obj
        yield from self._finish(response, tracked)

    async def process_spider_output_async(self, response, result):
        tracked = []
        async for obj in result:
            if self._tracked(obj):
                tracked.append(obj)
            else:
                yield obj
        for obj in self._finish(response, tracked):
            yield obj

    def _tracked(self, obj) -> bool:
        return self.url_state is not None and isinstance(obj, Request) and META_KEY in obj.meta

    def _finish(self, response, tracked: list):
        fresh = self.url_state.discover(tracked) if tracked else []
        request = getattr(response, "request", None)
        if self.url_state is not None and request is not None and (request.meta.get(META_KEY) or {}).get("kind") == "listing":
            self.url_state.finish_listing(request)
        return fresh
