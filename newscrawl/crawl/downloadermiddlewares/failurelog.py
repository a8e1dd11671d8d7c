"""FailureLogMiddleware (540 in DOWNLOADER_MIDDLEWARES): the URLs that finally failed go to the failure log.

Records each URL that finally failed: an exception left after the retries (timeout,
connection reset, data loss, too large, DNS ...) or a final HTTP status >= 400 (or a 3xx
that was not followed). See ``newscrawl.crawl.failures.FailureLog``.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service


def classify_exception(exc: BaseException) -> str:
    """A short, stable reason for a download exception (used in stats keys and the failures file)."""
    from twisted.internet import error as terr
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    from scrapy import exceptions as sx

    from newscrawl.crawl.downloader import ResponseHeadersTooLarge

    name = type(exc).__name__
    if isinstance(exc, ResponseHeadersTooLarge):
        return "headers_too_large"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots"
        if "offsite" in text.lower():
            return "offsite"
        return "ignored"
    if isinstance(exc, (sx.DownloadTimeoutError, terr.TimeoutError)) or name == "TimeoutError":
        return "timeout"
    if isinstance(exc, sx.DownloadCancelledError):
        # Scrapy cancels a download for DOWNLOAD_MAXSIZE only: with the size in the message when the
        # declared length is too big, with an empty message when the received bytes pass the limit.
        return "too_large" if "max size" in str(exc) or not str(exc) else "cancelled"
    if isinstance(exc, sx.ResponseDataLossError):
        return "data_loss"
    if isinstance(exc, (sx.DownloadConnectionRefusedError, terr.ConnectionRefusedError)):
        return "connection_refused"
    if isinstance(exc, (sx.CannotResolveHostError, terr.DNSLookupError)):
        return "dns"
    if isinstance(exc, sx.UnsupportedURLSchemeError):
        return "scheme"
    if isinstance(exc, (sx.DownloadFailedError, terr.ConnectionLost, terr.ConnectionDone, terr.ConnectError,
                        ResponseFailed, ResponseNeverReceived, ConnectionError)):
        if "PotentialDataLoss" in repr(getattr(exc, "reasons", "")) or "DataLoss" in str(exc):
            return "data_loss"
        return "connection"
    return f"error_{name}"


def _handles_status(request, spider, status: int) -> bool:
    """True when the request or spider takes this status as a normal response (HttpErrorMiddleware's rule)."""
    meta = request.meta
    if meta.get("handle_httpstatus_all"):
        return True
    if status in meta.get("handle_httpstatus_list", ()):
        return True
    return status in getattr(spider, "handle_httpstatus_list", ()) or getattr(spider, "handle_httpstatus_all", False)



#: Download failures of the network, not of the crawler: each one WARNING line and a failures.jsonl line, no traceback.
NETWORK_REASONS = frozenset({"dns", "connection_refused", "timeout", "connection"})
#: failures.jsonl reason of a robots.txt that could not be downloaded (the crawl goes on without its rules).
ROBOTS_UNREACHABLE = "robots_txt_unreachable"


class FailureLogMiddleware:
    """Record final download failures: exceptions left after retries, final statuses >= 300 not followed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.failures = service(crawler, FailureLog)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        status = response.status
        if status < 300 or request.callback is NO_CALLBACK:
            return response
        if _handles_status(request, self.crawler.spider, status):
            return response
        if status < 400:
            location = response.headers.get("Location")
            if location is None:
                return response  # 304 and friends: nothing was refused
            self.failures.record(request, "redirect_refused",
                                 f"{status} to {location.decode('latin-1')[:200]} (not an http(s) URL)", status)
        else:
            self.failures.record(request, f"http_{status}", response_status_message(status), status)
        return response

    def process_exception(self, request, exception):
        reason = classify_exception(exception)
        detail = f"{type(exception).__name__}: {exception}"
        if request.callback is NO_CALLBACK:
            if reason in NETWORK_REASONS and request.meta.get("dont_obey_robotstxt") \
                    and urlparse_cached(request).path == "/robots.txt":
                # Scrapy's robots.txt middleware logs any other error at ERROR with a traceback, and then
                # crawls without rules, as it does after an IgnoreRequest; a host that cannot be reached is
                # one WARNING line and a failures.jsonl line. Not counted as a failed page (newscrawl/crawl/monitors.py).
                self.failures.record(request, ROBOTS_UNREACHABLE, f"{reason}: {detail}")
                raise IgnoreRequest(f"robots.txt unreachable ({reason}): {request.url}") from exception
            return None
        if reason == "offsite" and not request.meta.get("redirect_urls"):
            return None  # a link to another site, filtered as configured: not a failure of the crawl
        self.failures.record(request, reason, detail)
        if reason in NETWORK_REASONS:
            # Expected on any crawl (no network, a host down): recorded above in one WARNING line; as an
            # IgnoreRequest Scrapy's scraper does not log it again at ERROR with a traceback.
            raise IgnoreRequest(f"{reason}: {request.url}") from exception
        return None
