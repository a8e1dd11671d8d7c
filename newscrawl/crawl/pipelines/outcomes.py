"""Why a pipeline dropped an item, as exception types: the URL state (newscrawl/crawl/urlstate.py)
records a rejected page apart from one that needed no writing, and either apart from a failure."""
from __future__ import annotations

from scrapy.exceptions import DropItem


class ArticleRejected(DropItem):
    """Validation rejected the article (it is in the rejects file and table)."""

    def __init__(self, message: str, reasons, log_level: str | None = None):
        super().__init__(message, log_level=log_level)
        self.reasons = list(reasons)


class ArticleSettled(DropItem):
    """Nothing (more) to write: the article is stored already (unchanged), or is a duplicate of one
    that is (``state`` "stored" or "duplicate"), or was stored and is not emitted to the feed."""

    def __init__(self, message: str, state: str, log_level: str | None = None):
        super().__init__(message, log_level=log_level)
        self.state = state


class UnchangedArticles:
    """Unchanged articles the dedupe pipeline lets through to the feed (NEWSCRAWL_FEED_ITEMS "all"):
    the store pipeline stages no new version of them. An extension, one per crawler, fetched with
    ``service(crawler, UnchangedArticles)`` (newscrawl/crawl/services.py)."""

    def __init__(self):
        self._ids: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def mark(self, item) -> None:
        self._ids.add(id(item))

    def take(self, item) -> bool:
        """True (once) when ``item`` was marked: it is stored already."""
        if id(item) in self._ids:
            self._ids.discard(id(item))
            return True
        return False
