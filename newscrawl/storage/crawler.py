"""The crawler glue of the store: the one Scrapy-aware part of newscrawl.storage (the rest imports no Scrapy)."""
from __future__ import annotations

from newscrawl.storage.store import ArticleStore

_CRAWLER_ATTR = "_newscrawl_store"


def get_store(crawler) -> ArticleStore:
    """The one :class:`ArticleStore` of a crawler (created from its settings on first use).

    The dedupe and store pipelines both call this, so they share one engine,
    one connection pool, the staged batch and the near-duplicate index.
    """
    store = getattr(crawler, _CRAWLER_ATTR, None)
    if store is None:
        store = ArticleStore.from_settings(crawler.settings, stats=getattr(crawler, "stats", None))
        # Its calls run on the reactor thread: never sleep there (see ArticleStore.run).
        store.wait_in_thread = False
        setattr(crawler, _CRAWLER_ATTR, store)
    return store
