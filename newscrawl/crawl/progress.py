"""Progress of a crawl at a steady interval: pages fetched, articles scraped, the page rate, pending URLs.

On for `newscrawl crawl` (NEWSCRAWL_PROGRESS; `scrapy crawl` keeps Scrapy's per-minute LogStats),
every NEWSCRAWL_PROGRESS_INTERVAL seconds. When stderr is a terminal it is a live tqdm bar, redrawn
in place; otherwise (cron, a log file, a pipe) it is one plain line per interval:

    progress tuyengiao: pages=120 articles=85 rate=4.1 pages/s pending=12 elapsed=29s

``pending`` is the stat ``newscrawl/urls/pending``: URLs this run set out to fetch and has not
settled yet (newscrawl/crawl/urlstate.py).
"""
from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newscrawl.crawl import defaults


class Progress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.site = None
        self.started = None
        self.last = (0.0, 0)  # (time, pages) of the previous report: the rate is the interval's
        self.bar = None
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSCRAWL_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, defaults.getfloat(crawler.settings, "NEWSCRAWL_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.site = getattr(spider, "site_name", None) or spider.name
        self.started = time.monotonic()
        self.last = (self.started, 0)
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc=self.site, unit=" pages", file=sys.stderr, dynamic_ncols=True, leave=True,
                            mininterval=0)
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def _counts(self):
        return (self.stats.get_value("response_received_count", 0), self.stats.get_value("item_scraped_count", 0),
                self.stats.get_value("newscrawl/urls/pending", 0))

    def show(self):
        pages, articles, pending = self._counts()
        now = time.monotonic()
        if self.bar is not None:
            self.bar.update(pages - self.bar.n)  # tqdm computes the rate
            self.bar.set_postfix_str(f"articles={articles} pending={pending}")
            return
        then, pages_then = self.last
        rate = (pages - pages_then) / (now - then) if now > then else 0.0
        self.last = (now, pages)
        print(f"progress {self.site}: pages={pages} articles={articles} rate={rate:.1f} pages/s pending={pending} "
              f"elapsed={now - self.started:.0f}s", file=sys.stderr, flush=True)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()  # the final counts
        if self.bar is not None:
            self.bar.close()
