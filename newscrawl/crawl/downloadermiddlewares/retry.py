"""BackoffRetryMiddleware (550 in DOWNLOADER_MIDDLEWARES, replaces Scrapy's RetryMiddleware).

Scrapy's retry rules (``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``) with a
wait before each retry: exponential backoff, ``NEWSCRAWL_RETRY_BACKOFF_BASE`` (1.0 s) times
2^(retry - 1), at most ``NEWSCRAWL_RETRY_BACKOFF_MAX`` (60 s), plus up to
``NEWSCRAWL_RETRY_JITTER`` (0.1 = 10 %) at random; a 429 or 503 with ``Retry-After``
(seconds or an HTTP date) waits what the server asks, at most ``NEWSCRAWL_RETRY_AFTER_MAX``
(120 s). A 200 with an empty body is retried too (``NEWSCRAWL_RETRY_EMPTY``, True).
The wait is an ``asyncio.sleep`` (a Twisted timer under other reactors): the request
keeps its place in ``CONCURRENT_REQUESTS`` while it waits, so a site answering 429
to everything slows the whole crawl down, as it asks.
"""
from __future__ import annotations

import asyncio
import random
import time
from datetime import timezone
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.response import response_status_message

from newscrawl.crawl import defaults


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or invalid."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


async def _sleep(seconds: float) -> None:
    if seconds <= 0:
        return
    from scrapy.utils.asyncio import is_asyncio_available

    if is_asyncio_available():
        await asyncio.sleep(seconds)
        return
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    from scrapy.utils.defer import maybe_deferred_to_future

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware with exponential backoff and Retry-After (see the module docstring)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = max(0.0, defaults.getfloat(settings, "NEWSCRAWL_RETRY_BACKOFF_BASE"))
        self.backoff_max = max(0.0, defaults.getfloat(settings, "NEWSCRAWL_RETRY_BACKOFF_MAX"))
        self.retry_after_max = max(0.0, defaults.getfloat(settings, "NEWSCRAWL_RETRY_AFTER_MAX"))
        self.jitter = max(0.0, defaults.getfloat(settings, "NEWSCRAWL_RETRY_JITTER"))
        self.retry_empty = defaults.getbool(settings, "NEWSCRAWL_RETRY_EMPTY")
        self._random = random.Random()

    @classmethod
    def from_crawler(cls, crawler):
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def delay(self, retry_request: Request, response=None) -> float:
        """Seconds to wait before ``retry_request`` (its meta ``retry_times`` is the retry's number)."""
        if response is not None and response.status in (429, 503):
            asked = parse_retry_after(response.headers.get("Retry-After"))
            if asked is not None:
                self.crawler.stats.inc_value("newscrawl/retry/retry_after")
                if asked > self.retry_after_max:
                    self.crawler.stats.inc_value("newscrawl/retry/retry_after_capped")
                return min(asked, self.retry_after_max)
        n = max(1, retry_request.meta.get("retry_times", 1))
        wait = min(self.backoff_max, self.backoff_base * 2 ** (n - 1))
        return wait * (1.0 + self._random.uniform(0.0, self.jitter)) if self.jitter else wait

    async def _wait_and_return(self, retry: Request, response=None) -> Request:
        wait = self.delay(retry, response)
        self.crawler.stats.inc_value("newscrawl/retry/wait_seconds", round(wait, 3))
        retry.meta["newscrawl_retry_wait"] = wait
        await _sleep(wait)
        return retry

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            retry = self._retry(request, response_status_message(response.status))
            return response if retry is None else await self._wait_and_return(retry, response)
        if (self.retry_empty and response.status == 200 and not response.body and request.method == "GET"
                and request.callback is not NO_CALLBACK):
            retry = self._retry(request, "empty response")
            return response if retry is None else await self._wait_and_return(retry)
        return response

    async def process_exception(self, request, exception):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            retry = self._retry(request, exception)
            if retry is not None:
                return await self._wait_and_return(retry)
        return None
