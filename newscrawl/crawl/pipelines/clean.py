"""CleanPipeline: NFC, whitespace and invisible characters, boilerplate, captions and bylines out of the body.

For items of any producer. A spider whose items are clean already says so with
``items_are_clean = True`` (NewsSpider: its items come from ``extract_article``,
which applies the same :func:`newscrawl.extract.cleaning.clean_article`); they pass
through untouched rather than being cleaned twice.
"""
from __future__ import annotations

from itemadapter import ItemAdapter

from newscrawl.extract.normalize import clean_article
from newscrawl.extract import content_hash
from newscrawl.sites import SiteRegistry


class CleanPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.stats, SiteRegistry.from_settings(crawler.settings))
        pipeline.crawler = crawler
        return pipeline

    def __init__(self, stats, sites: SiteRegistry | None = None):
        self.stats = stats
        self.boilerplate = {name: site.boilerplate for name, site in (sites or SiteRegistry.from_dirs()).items()}
        self.crawler = None
        self.pass_through = False

    def open_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        self.pass_through = bool(getattr(spider, "items_are_clean", False))

    def process_item(self, item, spider=None):
        if self.pass_through:
            return item
        # In place through the adapter: a copy (asdict) of every item costs more than the cleaning.
        adapter = ItemAdapter(item)
        before = adapter.get("content_hash")
        clean_article(adapter, self.boilerplate.get(adapter.get("site"), frozenset()))
        adapter["content_hash"] = content_hash(adapter.get("title"), adapter.get("body"))
        if before and before != adapter["content_hash"]:
            self.stats.inc_value("newscrawl/clean/changed")
        return item
