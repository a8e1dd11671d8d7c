"""Where a crawl runs :func:`newscrawl.extract.extract_article`: in the crawl's own process, or in a pool.

Scrapy runs a spider's callbacks on one thread, so a crawl whose pages arrive
faster than it can extract them is bound to one CPU core. With
``NEWSCRAWL_EXTRACT_WORKERS = N`` (N > 0) each article page is extracted in one
of N worker processes while the crawl process goes on fetching and storing; the
items are the same either way (extraction is a pure function of the page). It
pays off when pages arrive faster than one core extracts them: a fast site, a
crawl replayed from Scrapy's HTTP cache after a site file changed, a machine
with cores to spare. The default, 0, extracts in-process.

The crawl has one pool (``newscrawl.crawl.services.extractor``), shared by the spider, which
extracts pages in it, and DedupePipeline, which computes each article's MinHash
signature in it (the costliest step left in the crawl process, about 1.4 ms for
a 2,500-word article).

A worker that dies (killed, out of memory) breaks the pool: the task it held is
run in-process instead, the pool is started again, and the event is counted
(``newscrawl/extract_workers/restarted``) and logged; nothing is lost.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newscrawl.extract import extract_article

logger = logging.getLogger(__name__)


class ArticleExtractor:
    """``await extractor.extract(html, url, site, content_type)`` -> the item's fields."""

    def __init__(self, workers: int = 0, crawler=None):
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
            raise ValueError(f"NEWSCRAWL_EXTRACT_WORKERS must be a whole number >= 0 (0: extract in the crawl's "
                             f"own process), got {workers!r}")
        self.workers = workers
        self.crawler = crawler  # for its stats, which exist only once the crawl starts
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: workers start from a clean interpreter, not a fork of the running reactor.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))
        return self._pool

    async def extract(self, html: bytes, url: str, site, content_type: str | None = None) -> dict:
        return await self.run(url, extract_article, html, url, site, content_type=content_type)

    async def run(self, url: str, fn, /, *args, **kwargs):
        """``fn(*args, **kwargs)`` in a worker (in-process without workers); ``url`` names the task in logs.

        ``fn`` must be a module-level function of pure data in and out (it is pickled)."""
        if not self.workers:
            return fn(*args, **kwargs)
        pool = self._executor()
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args, **kwargs))
        except BrokenProcessPool:
            # Every task in flight in the broken pool lands here; the first one replaces the pool.
            if self._pool is pool:
                logger.warning("an extraction worker died (working on %s among others); the tasks it held are "
                               "run in-process and the pool is started again", url)
                if self.crawler is not None:
                    self.crawler.stats.inc_value("newscrawl/extract_workers/restarted")
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            return fn(*args, **kwargs)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
