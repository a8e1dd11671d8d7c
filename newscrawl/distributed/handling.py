"""Which of the requests this worker took from the shared queue its engine is still handling.

A request's in-flight entry may be settled only once the engine is completely done with it:
downloaded or failed, its callback run, its items through the pipelines, the requests it produced
in the queue. Scrapy keeps that knowledge in a private set (``ExecutionEngine._slot.inprogress``);
:class:`Handling` keeps its own, from public hooks only:

- at the pop, the request's in-flight field goes into its ``meta`` (copied by Scrapy into a retry or
  a redirect of it, and into its response);
- the download ends in one of three ways:
  * a new request (a retry, a redirect) that the engine schedules: ``request_scheduled`` with the field
    in its meta (our scheduler then puts it in the shared queue) -> done;
  * an exception no downloader middleware turned into something else: :class:`HandlingDownloaderMiddleware`,
    the outermost one, sees it in ``process_exception`` -> done (NewsSpider sets no errback; an errback's
    output, which Scrapy passes through no spider middleware, would not be waited for);
  * a response, handed to the spider: :class:`HandlingSpiderMiddleware`, the outermost spider middleware,
    counts what the callback yields and sees the end of it; each item ends with ``item_scraped``,
    ``item_dropped`` or ``item_error`` (their ``response`` names the request), each request with
    ``request_scheduled``; a callback that fails ends with ``spider_error`` -> done once nothing is left.

The one case no public hook reports (an inner downloader middleware raising in ``process_response``, a
bug the engine logs) leaves an entry open until the engine is idle (``spider_idle``: nothing is being
handled at all, see :meth:`finish_all`) or the worker leaves.
"""
from __future__ import annotations

from dataclasses import dataclass

from scrapy import Request, signals

META_KEY = "newscrawl_inflight"  # the in-flight field of the popped request this one continues


@dataclass
class _Entry:
    request: Request
    yielded_all: bool = False  # the callback's output ended (or the callback failed)
    pending: int = 0           # yielded items and requests the engine has not finished with


def field_of(obj) -> str | None:
    """The in-flight field a request or response belongs to (a Failure, or a response with no request: None)."""
    try:
        return obj.meta.get(META_KEY)
    except AttributeError:
        return None


class Handling:
    def __init__(self, crawler):
        self._open: dict[str, _Entry] = {}
        self._finished: list[str] = []
        self._parents: dict[Request, str] = {}  # a request a callback yielded -> the field of its parent
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    def __len__(self) -> int:
        """How many popped requests the engine is still handling."""
        return len(self._open)

    def start(self, field: str, request: Request) -> None:
        request.meta[META_KEY] = field
        self._open[field] = _Entry(request)

    def open_fields(self) -> list[str]:
        return list(self._open)

    def take_finished(self) -> list[str]:
        """The fields whose requests were finished since the last call."""
        finished, self._finished = self._finished, []
        return finished

    def finish_all(self) -> int:
        """The engine is idle (it handles nothing): every open entry is finished; returns how many were open."""
        n = len(self._open)
        for field in list(self._open):
            self._finish(field)
        self._parents.clear()
        return n

    def _finish(self, field: str) -> None:
        if self._open.pop(field, None) is not None:
            self._finished.append(field)

    def _settle_if_done(self, field: str) -> None:
        entry = self._open.get(field)
        if entry is not None and entry.yielded_all and entry.pending <= 0:
            self._finish(field)

    # -- what the middlewares see
    def yielded(self, field: str | None, output) -> None:
        entry = self._open.get(field)
        if entry is None or output is None:  # the scraper ignores None
            return
        entry.pending += 1
        if isinstance(output, Request):
            self._parents[output] = field

    def yielded_all(self, field: str | None) -> None:
        entry = self._open.get(field)
        if entry is not None:
            entry.yielded_all = True
            self._settle_if_done(field)

    def failed(self, request: Request) -> None:
        field = field_of(request)
        entry = self._open.get(field)
        if entry is not None and entry.request is request:
            self._finish(field)

    # -- signals
    def request_scheduled(self, request, spider=None) -> None:
        parent = self._parents.pop(request, None)
        if parent is not None:  # a request a callback yielded: the engine now puts it in the shared queue
            entry = self._open.get(parent)
            if entry is not None:
                entry.pending -= 1
                self._settle_if_done(parent)
            return
        field = field_of(request)
        if field in self._open:  # a retry or a redirect of a popped request: it goes to the shared queue
            self._finish(field)

    def item_done(self, response=None, spider=None) -> None:
        field = field_of(response)
        entry = self._open.get(field)
        if entry is not None:
            entry.pending -= 1
            self._settle_if_done(field)

    def spider_error(self, response=None, spider=None) -> None:
        self.yielded_all(field_of(response))  # the callback failed: it yields nothing more


def _handling(crawler) -> Handling | None:
    from newscrawl.distributed.frontier import frontier_of

    frontier = frontier_of(crawler)
    return frontier.handling if frontier is not None else None


class HandlingDownloaderMiddleware:
    """Outermost downloader middleware: tells :class:`Handling` of a popped request whose download failed."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception):
        # Called last (the innermost middlewares first): no middleware turned the exception into a retry
        # or a response, so the engine gives it to the spider and is then done with the request.
        handling = _handling(self.crawler)
        if handling is not None:
            handling.failed(request)
        return None


class HandlingSpiderMiddleware:
    """Outermost spider middleware: counts what a popped request's callback yields, and sees it end."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result):
        handling, field = _handling(self.crawler), field_of(response)
        try:
            for output in result:
                if handling is not None:
                    handling.yielded(field, output)
                yield output
        finally:  # exhausted, or the callback raised
            if handling is not None:
                handling.yielded_all(field)

    async def process_spider_output_async(self, response, result):
        handling, field = _handling(self.crawler), field_of(response)
        try:
            async for output in result:
                if handling is not None:
                    handling.yielded(field, output)
                yield output
        finally:
            if handling is not None:
                handling.yielded_all(field)
