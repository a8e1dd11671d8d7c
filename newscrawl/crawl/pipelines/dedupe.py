"""DedupePipeline: drop what is already stored, mark near-duplicates, number versions.

State lives in the database (``NEWSCRAWL_DB_URL``), so a second run knows what
the first stored. The rules are in :mod:`newscrawl.storage.dedupe`:

* same canonical URL, same content and ``modified`` -> dropped
  (``newscrawl/articles/unchanged``, ``newscrawl/dedupe/unchanged``), or, when the feeds hold
  everything scraped (NEWSCRAWL_FEED_ITEMS "all", newscrawl/crawl/feeds.py), passed on to the feed with
  no new version stored;
* same canonical URL, changed content or ``modified`` -> ``version`` + 1, kept
  (``newscrawl/articles/updated``);
* a new URL with a content hash already stored -> dropped, recorded in
  ``duplicates`` (``newscrawl/articles/duplicate_exact``, ``newscrawl/dedupe/exact``);
* a new URL whose text is a near-duplicate (MinHash LSH, any site) -> kept with
  ``duplicate_of`` set, recorded in ``duplicates``
  (``newscrawl/articles/duplicate_near``, ``newscrawl/dedupe/near``);
* otherwise new (``newscrawl/articles/new``).

With extraction workers (NEWSCRAWL_EXTRACT_WORKERS > 0) each item's MinHash
signature, the costly part of the check, is computed in one of them while the
crawl process goes on; the decision itself is taken in the crawl process, one
item at a time, against the one index.

When the spider closes, one INFO line per kind of article that is skipped or dropped (known to
earlier runs and not fetched, unchanged, exact duplicate) gives its count: never one per article.

Settings: NEWSCRAWL_MINHASH_PERMUTATIONS (128), NEWSCRAWL_NEARDUP_THRESHOLD (0.8)
and the store's settings (see :class:`newscrawl.storage.ArticleStore`).
"""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newscrawl.crawl import services
from newscrawl.crawl.pipelines.outcomes import ArticleSettled, UnchangedArticles
from newscrawl.storage.dedupe import (
    DUPLICATE_EXACT,
    DUPLICATE_NEAR,
    NEW,
    UNCHANGED,
    UPDATED,
    Deduplicator,
)
from newscrawl.storage.neardup import minhash_signature
from newscrawl.crawl.urlstate import UrlState

logger = logging.getLogger(__name__)

_ARTICLE_STATS = {
    NEW: "newscrawl/articles/new",
    UPDATED: "newscrawl/articles/updated",
    UNCHANGED: "newscrawl/articles/unchanged",
    DUPLICATE_EXACT: "newscrawl/articles/duplicate_exact",
    DUPLICATE_NEAR: "newscrawl/articles/duplicate_near",
}
_DEDUPE_STATS = {
    UNCHANGED: "newscrawl/dedupe/unchanged",
    DUPLICATE_EXACT: "newscrawl/dedupe/exact",
    DUPLICATE_NEAR: "newscrawl/dedupe/near",
}


def drop(message: str, log_level: str, settled: str | None = None) -> DropItem:
    """The exception that drops an item: ``settled`` ("stored" or "duplicate") when nothing more needs
    writing (the URL state records the URL as finished), else a plain DropItem (a failure)."""
    if settled:
        return ArticleSettled(message, settled, log_level=log_level)
    return DropItem(message, log_level=log_level)


class DedupePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = None
        self.dedupe = None
        self.workers = None  # the crawl's extraction workers, when it has any
        self.url_state = None  # the crawl's URL state (newscrawl/crawl/urlstate.py), when it has one
        self.feed_items = "changed"

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        store = services.store(self.crawler)
        if store is None:  # no database (an empty NEWSCRAWL_DB_URL): nothing to deduplicate against
            return None
        self.store = store
        self.dedupe = Deduplicator(self.store)
        extractor = services.extractor(self.crawler)
        self.workers = extractor if extractor.workers else None
        try:
            self.url_state = self.crawler.get_extension(UrlState)
        except RuntimeError:  # a crawler without extensions (pipelines driven directly): no URL state
            self.url_state = None
        from newscrawl.crawl.feeds import feed_items

        self.feed_items = feed_items(self.crawler.settings)  # FEEDS is final once the spider opens
        return self.store.open_when_ready()  # None, or an awaitable while the database is away

    def _log_skipped(self) -> None:
        stats = self.stats
        known = stats.get_value("newscrawl/incremental/skipped_known", 0)
        if known:
            logger.info("%d known articles skipped: stored, rejected lately or settled by earlier runs, not fetched "
                        "(newscrawl/incremental/skipped_known; NEWSCRAWL_INCREMENTAL=0 fetches the stored ones again)",
                        known)
        unchanged = stats.get_value("newscrawl/articles/unchanged", 0)
        if unchanged:
            where = ("in the feed, no new version stored" if self.feed_items == "all"
                     else "not in the feed (NEWSCRAWL_FEED_ITEMS=changed; \"all\" emits them)")
            logger.info("%d unchanged articles: stored already with the same content; %s", unchanged, where)
        exact = stats.get_value("newscrawl/articles/duplicate_exact", 0)
        if exact:
            logger.info("%d exact duplicates dropped: their content is stored under another URL (table duplicates)",
                        exact)

    def close_spider(self, spider=None):
        self._log_skipped()
        if self.store is not None:
            return self.store.close_when_written()  # None, or an awaitable while the database is away
        return None

    def process_item(self, item, spider=None):
        """The item, or an awaitable of it (Scrapy awaits either): with extraction workers, and while the
        database is unreachable (the lookup is tried again without blocking the reactor, for up to
        NEWSCRAWL_DB_OUTAGE_MAX_SECONDS; then the item fails with DatabaseOutage and is not stored)."""
        if self.store is None:
            return item
        adapter = ItemAdapter(item)
        if self.workers is not None:
            return self._process_with_worker_signature(adapter)
        return self.store.run(lambda: self._decide(adapter, None), f"article lookup of {adapter.get('url')}")

    async def _process_with_worker_signature(self, adapter):
        signature = await self.workers.run(adapter.get("url"), minhash_signature, adapter.get("title"),
                                           adapter.get("body"), self.store.neardup.num_perm)
        # Each try of the decision is synchronous: items are decided one at a time against the index.
        return await self.store.run_async(lambda: self._decide(adapter, signature),
                                          f"article lookup of {adapter.get('url')}")

    def _left_unfinished(self, adapter) -> bool:
        return self.url_state is not None and self.url_state.left_unfinished(adapter.get("url") or "")

    def _decide(self, adapter, signature):
        try:
            decision = self.dedupe.check(adapter, signature)
        except ValueError as error:
            raise drop(f"cannot deduplicate item: {error}", "WARNING") from error
        self.stats.inc_value(_ARTICLE_STATS[decision.kind])
        if decision.kind in _DEDUPE_STATS:
            self.stats.inc_value(_DEDUPE_STATS[decision.kind])
        if decision.kind == UNCHANGED and (self.feed_items == "all" or self._left_unfinished(adapter)):
            # On to the feed, the store writing nothing: the feeds hold everything scraped, or an earlier
            # run stored it and was killed before settling its URL, perhaps before its JSONL line was
            # written (the JSONL merge keeps one line per article).
            if self.feed_items != "all":
                self.stats.inc_value("newscrawl/articles/unchanged_resumed")
            adapter["version"] = decision.version
            if decision.duplicate_of:
                adapter["duplicate_of"] = decision.duplicate_of
            services.service(self.crawler, UnchangedArticles).mark(adapter.item)
            return adapter.item
        if decision.kind == UNCHANGED:
            raise drop(
                f"unchanged since version {decision.version}: {decision.canonical_url}", "DEBUG", settled="stored"
            )
        if decision.kind == DUPLICATE_EXACT:
            raise drop(
                f"exact duplicate of {decision.duplicate_of} (same content_hash): {decision.canonical_url}",
                "INFO",
                settled="duplicate",
            )
        if decision.kind == DUPLICATE_NEAR:
            logger.info(
                "near-duplicate (Jaccard %.2f) of %s: %s",
                decision.similarity,
                decision.duplicate_of,
                decision.canonical_url,
            )
        return adapter.item
