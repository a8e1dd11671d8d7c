"""The objects a crawl's components share, handed out in one place.

Each is an extension (``EXTENSIONS`` in newscrawl/settings.py), one per crawler, that a component
fetches with :func:`service` (Scrapy's ``crawler.get_extension(cls)``) when it first needs it:

``FailureLog`` (newscrawl/crawl/failures.py)
    failures.jsonl, the failure stats and the ``url_failed`` signal;
``OutputGuard`` (newscrawl/crawl/outputs.py)
    an output that cannot be written stops the crawl;
``UnchangedArticles`` (newscrawl/crawl/pipelines/outcomes.py)
    unchanged articles the dedupe pipeline lets through to the feed;
``StoreService`` (here; :func:`store`)
    the crawl's one ``ArticleStore``: engine, batch, near-duplicate index;
``ExtractorService`` (here; :func:`extractor`)
    the crawl's one extraction worker pool, shared by the spider and DedupePipeline.

Scrapy builds extensions before the engine, so downloader and spider middlewares, pipelines and
the scheduler's queues can fetch them in their ``from_crawler``; the spider is built before the
extensions and fetches what it needs at first use. An extension fetches another one only at
first use too, since ``crawler.get_extension`` cannot be called while the extensions are built.
"""
from __future__ import annotations

import logging
from typing import TypeVar

from scrapy import signals
from scrapy.utils.misc import build_from_crawler

from sqlalchemy.engine import Engine

from newscrawl.crawl import defaults
from newscrawl.crawl.signals import batch_committed, batch_lost
from newscrawl.extract.workers import ArticleExtractor
from newscrawl.storage import ArticleStore
from newscrawl.storage.engine import DEFAULT_DB_URL, create_db_engine, ensure_sqlite_parent

logger = logging.getLogger(__name__)

T = TypeVar("T")


def service(crawler, cls: type[T]) -> T:
    """The crawler's ``cls`` extension.

    One that is not in ``EXTENSIONS`` (a crawler made from bare settings, as
    ``scrapy.utils.test.get_crawler`` makes them, or a project that enabled only the pipelines)
    is built here at the first call and added to the crawler's extensions, so that every component
    of the crawl still gets the same one.
    """
    try:
        found = crawler.get_extension(cls)
    except RuntimeError:
        return _idle_service(crawler, cls)
    if found is None:
        logger.debug("%s is not in EXTENSIONS: started at its first use", cls.__name__)
        found = build_from_crawler(cls, crawler)
        crawler.extensions.middlewares = (*crawler.extensions.middlewares, found)
    return found


_IDLE_SERVICES = "newscrawl_services"


def _idle_service(crawler, cls: type[T]) -> T:
    """A service of a crawler that is built and not crawled: Scrapy builds extensions only when a
    crawl starts, so there is no extension to ask (`newscrawl seed` reads the URL state with such
    a crawler). Kept in the crawler's ``__dict__`` under one key, this module's only hand-set
    attribute, so that every caller still gets the same one."""
    services = crawler.__dict__.setdefault(_IDLE_SERVICES, {})
    if cls not in services:
        logger.debug("%s for a crawler that is not crawling (no extensions yet)", cls.__name__)
        services[cls] = build_from_crawler(cls, crawler)
    return services[cls]


class StoreService:
    """The crawl's one database engine and ``ArticleStore`` (:func:`engine`, :func:`store`), made from
    the settings at first use. The store, the incremental state, the run history and the run record
    share the engine: one connection pool per crawl."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._engine: Engine | None = None
        self._store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            db_url = defaults.database_url(self.crawler.settings) or DEFAULT_DB_URL
            ensure_sqlite_parent(db_url)
            self._engine = create_db_engine(db_url)
            # Its connections are closed when the crawl's engine stops.
            self.crawler.signals.connect(self._engine.dispose, signal=signals.engine_stopped, weak=False)
        return self._engine

    @property
    def store(self) -> ArticleStore:
        if self._store is None:
            settings = self.crawler.settings
            store = ArticleStore(
                defaults.database_url(settings) or DEFAULT_DB_URL,
                batch_size=defaults.getint(settings, "NEWSCRAWL_DB_BATCH_SIZE"),
                num_perm=defaults.getint(settings, "NEWSCRAWL_MINHASH_PERMUTATIONS"),
                threshold=defaults.getfloat(settings, "NEWSCRAWL_NEARDUP_THRESHOLD"),
                retries=defaults.getint(settings, "NEWSCRAWL_DB_RETRIES"),
                retry_backoff=defaults.getfloat(settings, "NEWSCRAWL_DB_RETRY_BACKOFF"),
                neardup_window_days=defaults.getfloat(settings, "NEWSCRAWL_NEARDUP_WINDOW_DAYS"),
                outage_max_seconds=defaults.getfloat(settings, "NEWSCRAWL_DB_OUTAGE_MAX_SECONDS"),
                stats=getattr(self.crawler, "stats", None), engine=self.engine, listener=self._batch_event)
            # Its calls run on the reactor thread: never sleep there (see ArticleStore.run).
            store.wait_in_thread = False
            self._store = store
        return self._store

    def _batch_event(self, event: str, count: int, reason: str | None) -> None:
        """The store's batch events as the crawler signals batch_committed / batch_lost (the distributed
        frontier acknowledges requests by them)."""
        if event == "committed":
            self.crawler.signals.send_catch_log(signal=batch_committed, count=count)
        else:
            self.crawler.signals.send_catch_log(signal=batch_lost, count=count, reason=reason)


def store(crawler) -> ArticleStore | None:
    """The crawl's one store: the dedupe, store and validate pipelines and the URL state share its
    engine, its connection pool, the staged batch and the near-duplicate index. None when the crawl
    has no database (an empty NEWSCRAWL_DB_URL: ``defaults.database_url``)."""
    if defaults.database_url(crawler.settings) is None:
        return None
    return service(crawler, StoreService).store


def engine(crawler) -> Engine:
    """The crawl's one database engine (``NEWSCRAWL_DB_URL``)."""
    return service(crawler, StoreService).engine


class ExtractorService:
    """The crawl's one :class:`ArticleExtractor` (:func:`extractor`); its pool is shut down when the
    spider closes, after the pipelines are done."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._extractor: ArticleExtractor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def extractor(self) -> ArticleExtractor:
        if self._extractor is None:
            raw = defaults.get(self.crawler.settings, "NEWSCRAWL_EXTRACT_WORKERS")
            try:
                workers = int(raw)
            except (TypeError, ValueError):
                workers = raw  # ArticleExtractor refuses it, naming the setting
            self._extractor = ArticleExtractor(workers, crawler=self.crawler)
            self.crawler.signals.connect(self._extractor.close, signal=signals.spider_closed)
        return self._extractor


def extractor(crawler) -> ArticleExtractor:
    """The crawl's one extraction pool, shared by the spider (pages) and DedupePipeline (signatures)."""
    return service(crawler, ExtractorService).extractor
