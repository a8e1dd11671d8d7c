"""CleanPipeline: NFC, whitespace and invisible characters, boilerplate, captions and bylines out of the body.

For items of any producer. An item that ``extract_article`` made is clean already: its
normalisation is the same :func:`newscrawl.extract.normalize.clean_article`, and it says so by
carrying ``extraction`` (which layer gave each field). Such an item passes through untouched
rather than being cleaned twice; the pipeline decides from the item, whichever spider yields it.
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

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        if adapter.get("extraction"):
            return item
        # In place through the adapter: a copy (asdict) of every item costs more than the cleaning.
        before = adapter.get("content_hash")
        clean_article(adapter, self.boilerplate.get(adapter.get("site"), frozenset()))
        adapter["content_hash"] = content_hash(adapter.get("title"), adapter.get("body"))
        if before and before != adapter["content_hash"]:
            self.stats.inc_value("newscrawl/clean/changed")
        return item
