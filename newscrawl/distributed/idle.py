"""Stopping a worker: only once the whole shared frontier has had no work for a while."""
from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from newscrawl.distributed.frontier import frontier_of

logger = logging.getLogger(__name__)


class FrontierIdleClose:
    """Keep an idle worker open while the shared frontier has work; close it once it has had none
    for NEWSCRAWL_REDIS_IDLE_SECONDS (no queued request, no request in flight at any worker)."""

    def __init__(self, crawler):
        if not crawler.settings.get("NEWSCRAWL_REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_idle(self, spider):
        frontier = frontier_of(self.crawler)
        if frontier is None:
            return
        frontier.engine_idle()
        queued, others, _live = frontier.state()
        if queued or others:
            frontier.empty_since = None
            if queued:
                frontier.wake()
            raise DontCloseSpider
        now = time.monotonic()
        if frontier.empty_since is None:
            frontier.empty_since = now
            logger.info("distributed: the shared frontier is empty; stopping in %.0fs unless work arrives",
                        frontier.idle_seconds)
        if now - frontier.empty_since < frontier.idle_seconds:
            raise DontCloseSpider
