"""Why a pipeline dropped an item, as exception types: the URL state (newscrawl/urlstate.py)
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
