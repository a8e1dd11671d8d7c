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
        adapter = ItemAdapter(item)
        data = adapter.asdict()
        before = data.get("content_hash")
        clean_article(data, self.boilerplate.get(data.get("site"), frozenset()))
        data["content_hash"] = content_hash(data.get("title"), data.get("body"))
        if before and before != data["content_hash"]:
            self.stats.inc_value("newscrawl/clean/changed")
        for key, value in data.items():
            adapter[key] = value
        return item
