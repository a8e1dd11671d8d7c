"""CleanPipeline: NFC, whitespace and invisible characters, boilerplate, captions and bylines out of the body."""
from __future__ import annotations

from itemadapter import ItemAdapter

from newscrawl.cleaning import clean_article
from newscrawl.extract import content_hash
from newscrawl.sites import all_sites


class CleanPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def __init__(self, stats):
        self.stats = stats
        self.boilerplate = {name: site.boilerplate for name, site in all_sites().items()}

    def process_item(self, item, spider=None):
        # In place through the adapter: a copy (asdict) of every item costs more than the cleaning.
        adapter = ItemAdapter(item)
        before = adapter.get("content_hash")
        clean_article(adapter, self.boilerplate.get(adapter.get("site"), frozenset()))
        adapter["content_hash"] = content_hash(adapter.get("title"), adapter.get("body"))
        if before and before != adapter["content_hash"]:
            self.stats.inc_value("newscrawl/clean/changed")
        return item
