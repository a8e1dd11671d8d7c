"""The failure log: one JSON line, one stat and one WARNING line per URL that could not be had.

The downloader and spider middlewares record what they drop here; none of them knows about
NewsSpider. Failures (``FailureLog``) go, one JSON line per URL, to ``NEWSCRAWL_FAILURES_PATH``
(``failures.jsonl``; ``<NEWSCRAWL_OUT_DIR>/failures.jsonl`` when an output folder is set and the
path is not given; the file is created at the first failure) with
``url, final_url, reason, detail, status, attempts, referer, failed_at, spider``; each is
counted in the stats (``newscrawl/failures``, ``newscrawl/failures/<reason>``) and logged at
WARNING. Exceptions raised by spider callbacks are recorded too (``callback_error``).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.crawl import defaults
from newscrawl.crawl.outputs import JsonLinesAppender, OutputGuard, confined_path
from newscrawl.crawl.services import service
from newscrawl.crawl.signals import url_failed

logger = logging.getLogger(__name__)


def failures_path(settings) -> Path | None:
    """Where failures go (see the module docstring); None when NEWSCRAWL_FAILURES_PATH is empty."""
    out_dir = settings.get("NEWSCRAWL_OUT_DIR")
    priority = settings.getpriority("NEWSCRAWL_FAILURES_PATH")
    given = priority is not None and priority > SETTINGS_PRIORITIES["project"]
    path = defaults.get(settings, "NEWSCRAWL_FAILURES_PATH") if given or not out_dir else "failures.jsonl"
    if path in (None, "", False):
        return None
    return confined_path(str(path), out_dir, "NEWSCRAWL_FAILURES_PATH")


class FailureLog:
    """A JSONL line, a stat and a log line per failed URL. An extension, one per crawler, fetched with
    ``service(crawler, FailureLog)`` (newscrawl/crawl/services.py)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = failures_path(crawler.settings)
        self._writer = None
        if self.path is not None:
            self._writer = JsonLinesAppender(self.path, output="failures")  # its guard is fetched at the first failure
        self._recorded: set[str] = set()
        self.count = 0
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def record(self, request: Request, reason: str, detail: str = "", status: int | None = None) -> bool:
        """Record ``request`` as failed (once per URL); returns False when it already was."""
        urls = request.meta.get("redirect_urls") or []
        url = urls[0] if urls else request.url
        if url in self._recorded:
            return False
        self._recorded.add(url)
        self.count += 1
        spider = getattr(self.crawler, "spider", None)
        referer = request.headers.get("Referer")
        entry = {
            "url": url,
            "final_url": request.url if urls else None,
            "reason": reason,
            "detail": detail[:500],
            "status": status,
            "attempts": request.meta.get("retry_times", 0) + 1,
            "referer": referer.decode("latin-1") if referer else None,
            "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "spider": getattr(spider, "name", None),
        }
        self.stats.inc_value("newscrawl/failures")
        self.stats.inc_value(f"newscrawl/failures/{reason}")
        logger.warning("failed %s: %s%s", url, reason, f" ({detail[:200]})" if detail else "")
        if self._writer is not None:
            if self._writer.guard is None:  # a full disk stops the crawl
                self._writer.guard = service(self.crawler, OutputGuard)
            self._writer.write(entry)
        self.crawler.signals.send_catch_log(url_failed, request=request, reason=reason, detail=detail)
        return True

    def spider_error(self, failure, response, spider=None):
        request = getattr(response, "request", None)
        if request is not None:
            exc = failure.value
            self.record(request, "callback_error", f"{type(exc).__name__}: {exc}", getattr(response, "status", None))

    def close(self, spider=None, reason=None):
        if self._writer is not None:
            self._writer.close()
