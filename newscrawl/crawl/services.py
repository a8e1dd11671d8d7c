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

from newscrawl.crawl import defaults
from newscrawl.extract.workers import ArticleExtractor
from newscrawl.storage import ArticleStore, get_store

logger = logging.getLogger(__name__)

T = TypeVar("T")


def service(crawler, cls: type[T]) -> T:
    """The crawler's ``cls`` extension.

    One that is not in ``EXTENSIONS`` (a crawler made from bare settings, as
    ``scrapy.utils.test.get_crawler`` makes them, or a project that enabled only the pipelines)
    is built here at the first call and added to the crawler's extensions, so that every component
    of the crawl still gets the same one.
    """
    found = crawler.get_extension(cls)
    if found is None:
        logger.debug("%s is not in EXTENSIONS: started at its first use", cls.__name__)
        found = build_from_crawler(cls, crawler)
        crawler.extensions.middlewares = (*crawler.extensions.middlewares, found)
    return found


class StoreService:
    """The crawl's one ``ArticleStore`` (:func:`store`); made from the settings at first use."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def store(self) -> ArticleStore:
        if self._store is None:
            # Through storage's own crawler glue, which distributed.py calls as well: one store per crawl.
            self._store = get_store(self.crawler)
        return self._store


def store(crawler) -> ArticleStore | None:
    """The crawl's one store: the dedupe, store and validate pipelines and the URL state share its
    engine, its connection pool, the staged batch and the near-duplicate index. None when the crawl
    has no database (an empty NEWSCRAWL_DB_URL: ``defaults.database_url``)."""
    if defaults.database_url(crawler.settings) is None:
        return None
    try:
        return service(crawler, StoreService).store
    except RuntimeError:
        # Scrapy builds extensions when a crawl starts: a crawler built and not crawled (`newscrawl seed`
        # reads the URL state with one) has none. The store is still the crawler's one, from storage's glue.
        logger.debug("no extensions yet (a crawler that is not crawling): the store from storage's glue")
        return get_store(crawler)


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
            self._extractor = ArticleExtractor.from_crawler(self.crawler)
            self.crawler.signals.connect(self._extractor.close, signal=signals.spider_closed)
        return self._extractor


def extractor(crawler) -> ArticleExtractor:
    """The crawl's one extraction pool, shared by the spider (pages) and DedupePipeline (signatures)."""
    return service(crawler, ExtractorService).extractor
