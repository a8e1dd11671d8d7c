"""The crawler glue of the store: the one Scrapy-aware part of newscrawl.storage (the rest imports no Scrapy).

One crawl, one engine: the store and the crawl's other readers and writers of the database (the
incremental state, the run history and run record) share :func:`get_engine`.
"""
from __future__ import annotations

from scrapy import signals
from sqlalchemy.engine import Engine

from newscrawl.crawl.signals import batch_committed, batch_lost
from newscrawl.storage.engine import DEFAULT_DB_URL, create_db_engine, ensure_sqlite_parent
from newscrawl.storage.store import ArticleStore

_CRAWLER_ATTR = "_newscrawl_store"
_ENGINE_ATTR = "_newscrawl_db_engine"


def get_engine(crawler) -> Engine:
    """The one engine of a crawler's database (``NEWSCRAWL_DB_URL``), created on first use; its
    connections are closed when the crawl's engine stops."""
    engine = getattr(crawler, _ENGINE_ATTR, None)
    if engine is None:
        db_url = crawler.settings.get("NEWSCRAWL_DB_URL") or DEFAULT_DB_URL
        ensure_sqlite_parent(db_url)
        engine = create_db_engine(db_url)
        crawler.signals.connect(engine.dispose, signal=signals.engine_stopped, weak=False)
        setattr(crawler, _ENGINE_ATTR, engine)
    return engine


def get_store(crawler) -> ArticleStore:
    """The one :class:`ArticleStore` of a crawler (created from its settings on first use).

    The dedupe and store pipelines both call this, so they share one engine,
    one connection pool, the staged batch and the near-duplicate index.
    """
    store = getattr(crawler, _CRAWLER_ATTR, None)
    if store is None:
        store = ArticleStore.from_settings(crawler.settings, stats=getattr(crawler, "stats", None),
                                           engine=get_engine(crawler), listener=_batch_signals(crawler))
        # Its calls run on the reactor thread: never sleep there (see ArticleStore.run).
        store.wait_in_thread = False
        setattr(crawler, _CRAWLER_ATTR, store)
    return store


def _batch_signals(crawler):
    """The store's batch listener: its events as the crawler signals batch_committed / batch_lost."""

    def send(event: str, count: int, reason: str | None) -> None:
        if event == "committed":
            crawler.signals.send_catch_log(signal=batch_committed, count=count)
        else:
            crawler.signals.send_catch_log(signal=batch_lost, count=count, reason=reason)

    return send
