"""DatabaseStorePipeline: write every item that survived deduplication to the database.

Rows are staged and written in batches of NEWSCRAWL_DB_BATCH_SIZE (100) in one
transaction each, plus a last batch when the spider closes. The dedupe and
store pipelines share one :class:`newscrawl.storage.ArticleStore` per crawler.

A near-duplicate (``duplicate_of`` set by the dedupe pipeline) is stored like
any article; it goes on to the feed unless NEWSCRAWL_EMIT_NEAR_DUPLICATES is
False, in which case it is dropped after being stored.
"""
from __future__ import annotations

from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals

from newscrawl.crawl import defaults
from newscrawl.crawl.outputs import JsonLinesAppender
from newscrawl.crawl.pipelines.dedupe import drop
from newscrawl.crawl import services
from newscrawl.crawl.pipelines.outcomes import UnchangedArticles


class DatabaseStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.emit_near_duplicates = defaults.getbool(crawler.settings, "NEWSCRAWL_EMIT_NEAR_DUPLICATES")
        self.store = None
        self.rejects = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # Connected after the feed exports (an extension): a full batch is written once its last item
        # is in the JSONL, so a kill never leaves an article in the database and not in the JSONL
        # (the other way round, the next run fetches it again and the JSONL keeps it once).
        crawler.signals.connect(pipeline.item_done, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_done, signal=signals.item_dropped)
        return pipeline

    def open_spider(self, spider=None):
        store = services.store(self.crawler)
        if store is None:  # no database (an empty NEWSCRAWL_DB_URL): the feeds are the only output
            return None
        self.store = store
        self.store.flush_when_full = False
        rejects_path = self.crawler.settings.get("NEWSCRAWL_REJECTS_PATH")
        if rejects_path:
            self.rejects = JsonLinesAppender(rejects_path)
            self.store.refused_listeners.append(self._refused)
        return self.store.open_when_ready()  # None, or an awaitable while the database is away

    def item_done(self, *args, **kwargs):
        if self.store is not None and self.store.is_open:
            self.store.flush_if_full()

    def _refused(self, url, canonical, reason, row):
        """An article the database refused (the store recorded it in ``rejects``): one line in the rejects JSONL too."""
        self.stats.inc_value("newscrawl/rejected")
        self.stats.inc_value("newscrawl/rejected/db_refused")
        self.rejects.write({"url": url, "canonical_url": canonical, "reasons": [reason],
                            "rejected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "item": row})

    def close_spider(self, spider=None):
        closing = self.store.close_when_written() if self.store is not None else None
        if closing is None:
            self._close_rejects()
            return None
        return self._close_rejects_after(closing)

    async def _close_rejects_after(self, closing):
        try:
            await closing
        finally:
            self._close_rejects()

    def _close_rejects(self):
        if self.rejects is not None:
            self.rejects.close()

    def process_item(self, item, spider=None):
        if self.store is None:
            return item
        adapter = ItemAdapter(item)
        if services.service(self.crawler, UnchangedArticles).take(item):
            # Stored already, same content (NEWSCRAWL_FEED_ITEMS "all"): on to the feed, no new version.
            # Its URL is recorded as stored by the URL state on item_scraped.
            return item
        # Staged; written with its batch. A batch that cannot be written (after
        # the store's retries) stays staged for the next flush, so the item goes on.
        self.store.add_article(adapter)
        self.stats.inc_value("newscrawl/db/staged")
        if adapter.get("duplicate_of") and not self.emit_near_duplicates:
            raise drop(
                f"near-duplicate of {adapter['duplicate_of']} (stored, not emitted): {adapter['canonical_url']}",
                "INFO",
                settled="stored",
            )
        return item
