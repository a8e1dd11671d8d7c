"""The HTTP(S) download handler: Scrapy's HTTP/1.1 handler with bounded response headers.

``DOWNLOAD_MAXSIZE`` bounds a response's body, nothing bounds its headers: Twisted's HTTP client
(``twisted.web._newclient.HTTPParser``) keeps every header line it is sent, 16 KiB at most each,
as many as come. A server that sends header lines without end drives a crawl to gigabytes of memory
(and, being "data received", never trips ``DOWNLOAD_TIMEOUT`` before that on a fast link).

``BoundedHTTP11DownloadHandler`` (``DOWNLOAD_HANDLERS_BASE`` for http and https in settings.py)
gives up on a response whose header section passes ``NEWSCRAWL_MAX_HEADER_BYTES`` (256 KiB, as
Chromium) or ``NEWSCRAWL_MAX_HEADERS`` fields (500), or holds one line longer than Twisted's 16 KiB:
the connection is dropped at once and the request fails with ``ResponseHeadersTooLarge``, which is
not retried (the next attempt would be as big) and goes to failures.jsonl as ``headers_too_large``.

Why it reaches into Scrapy and Twisted internals: neither offers a hook for the response parser.
``HTTP11ClientProtocol.request`` builds its ``HTTPClientParser`` itself, and Scrapy installs its own
lenient parser the same way this module does (``_LenientHTTP11ClientProtocol`` swaps the parser's
class; ``HTTP11DownloadHandler`` sets its pool's ``_factory``). The bounded parser subclasses
Scrapy's, so its lenient header rules stay. Everything that depends on those internals is here;
``check_internals`` fails the crawl at start, naming what changed, if a Scrapy or Twisted upgrade
moves them, rather than letting headers go unbounded again silently.
"""
from __future__ import annotations

from scrapy.core.downloader.handlers import http11
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import DownloadFailedError
from twisted.web._newclient import HEADER, STATUS
from twisted.web.client import ResponseFailed

from newscrawl.crawl import defaults


class ResponseHeadersTooLarge(Exception):
    """The response's header section passed NEWSCRAWL_MAX_HEADER_BYTES / NEWSCRAWL_MAX_HEADERS."""


def check_internals() -> None:
    """Raise RuntimeError when the Scrapy/Twisted internals this module builds on are not there."""
    missing = [name for name in ("_LenientHTTPClientParser", "_LenientHTTP11ClientProtocol",
                                 "_LenientHTTP11ClientFactory") if not hasattr(http11, name)]
    if missing:
        raise RuntimeError(f"newscrawl.crawl.downloader: scrapy.core.downloader.handlers.http11 has no {', '.join(missing)} "
                           "any more; response headers cannot be bounded (see newscrawl/crawl/downloader.py)")


def bounded_factory(max_bytes: int, max_headers: int):
    """A connection-pool factory whose protocols parse responses with the header bounds given (0: no bound)."""
    check_internals()

    class BoundedHTTPClientParser(http11._LenientHTTPClientParser):
        # The class is swapped onto a parser HTTP11ClientProtocol.request() made (no __init__ of ours runs),
        # so the counters start from getattr; a parser serves one response.
        def lineReceived(self, line: bytes) -> None:
            if self.state in (STATUS, HEADER):
                size = getattr(self, "_newscrawl_header_bytes", 0) + len(line) + 1
                self._newscrawl_header_bytes = size
                if max_bytes and size > max_bytes:
                    raise ResponseHeadersTooLarge(
                        f"response headers passed {max_bytes} bytes (NEWSCRAWL_MAX_HEADER_BYTES)")
                if self.state == HEADER and line.strip() and line[:1] not in b" \t":
                    count = getattr(self, "_newscrawl_header_count", 0) + 1
                    self._newscrawl_header_count = count
                    if max_headers and count > max_headers:
                        raise ResponseHeadersTooLarge(
                            f"more than {max_headers} response header fields (NEWSCRAWL_MAX_HEADERS)")
            super().lineReceived(line)

        def lineLengthExceeded(self, line: bytes):
            # Twisted would close the connection quietly (a "connection" error, retried); say what it was.
            if self.state in (STATUS, HEADER):
                raise ResponseHeadersTooLarge(f"a response header line longer than {self.MAX_LENGTH} bytes")
            return super().lineLengthExceeded(line)

    class BoundedHTTP11ClientProtocol(http11._LenientHTTP11ClientProtocol):
        def request(self, request):
            d = super().request(request)
            self._parser.__class__ = BoundedHTTPClientParser
            return d

    class BoundedHTTP11ClientFactory(http11._LenientHTTP11ClientFactory):
        def buildProtocol(self, addr):
            return BoundedHTTP11ClientProtocol(self._quiescentCallback)

    return BoundedHTTP11ClientFactory


def headers_too_large(exc: BaseException) -> ResponseHeadersTooLarge | None:
    """The ResponseHeadersTooLarge inside a download error (Twisted wraps it in ResponseFailed, Scrapy in
    DownloadFailedError), or None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ResponseHeadersTooLarge):
            return exc
        if isinstance(exc, ResponseFailed):
            for reason in exc.reasons:
                if isinstance(getattr(reason, "value", None), ResponseHeadersTooLarge):
                    return reason.value
        exc = exc.__cause__ or exc.__context__
    return None


class BoundedHTTP11DownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; a response whose headers pass the bounds fails with ResponseHeadersTooLarge."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        max_bytes = max(0, defaults.getint(settings, "NEWSCRAWL_MAX_HEADER_BYTES"))
        max_headers = max(0, defaults.getint(settings, "NEWSCRAWL_MAX_HEADERS"))
        if not isinstance(getattr(self, "_pool", None), http11.HTTPConnectionPool):
            raise RuntimeError("newscrawl.crawl.downloader: HTTP11DownloadHandler has no connection pool `_pool` any more; "
                               "response headers cannot be bounded (see newscrawl/crawl/downloader.py)")
        self._pool._factory = bounded_factory(max_bytes, max_headers)

    async def download_request(self, request):
        try:
            return await super().download_request(request)
        except DownloadFailedError as exc:
            cause = headers_too_large(exc)
            if cause is not None:
                raise ResponseHeadersTooLarge(f"{cause}: {request.url[:200]}") from None
            raise
