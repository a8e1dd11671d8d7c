"""Middlewares that keep a crawl going through bad servers and bad pages, and say what failed.

None of them knows about NewsSpider: they work for any spider of the project.

Downloader middlewares (``DOWNLOADER_MIDDLEWARES``):

``SchemeFilterMiddleware`` (10)
    Only ``NEWSCRAWL_ALLOWED_SCHEMES`` (default ``["http", "https"]``) are downloaded; a
    ``file:``, ``ftp:``, ``data:`` or ``s3:`` request is dropped and recorded (reason ``scheme``).
``OriginFilterMiddleware`` (20, before robots.txt and Scrapy's OffsiteMiddleware)
    Every request (``dont_filter`` or not, robots.txt and redirects included) goes to one of the
    spider's ``allowed_origins`` (scheme, host and port; ``newscrawl/crawl/origins.py``). A URL of one of
    its ``mirrored_hosts`` is sent to the mirror instead; any other is refused and recorded
    (reason ``offsite``, or ``redirect_offsite`` for a redirect's target).
``BackoffRetryMiddleware`` (550, replaces Scrapy's RetryMiddleware)
    Scrapy's retry rules (``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``) with a
    wait before each retry: exponential backoff, ``NEWSCRAWL_RETRY_BACKOFF_BASE`` (1.0 s) times
    2^(retry - 1), at most ``NEWSCRAWL_RETRY_BACKOFF_MAX`` (60 s), plus up to
    ``NEWSCRAWL_RETRY_JITTER`` (0.1 = 10 %) at random; a 429 or 503 with ``Retry-After``
    (seconds or an HTTP date) waits what the server asks, at most ``NEWSCRAWL_RETRY_AFTER_MAX``
    (120 s). A 200 with an empty body is retried too (``NEWSCRAWL_RETRY_EMPTY``, True).
    The wait is an ``asyncio.sleep`` (a Twisted timer under other reactors): the request
    keeps its place in ``CONCURRENT_REQUESTS`` while it waits, so a site answering 429
    to everything slows the whole crawl down, as it asks.
``FailureLogMiddleware`` (540)
    Records each URL that finally failed: an exception left after the retries (timeout,
    connection reset, data loss, too large, DNS ...) or a final HTTP status >= 400 (or a 3xx
    that was not followed). See ``FailureLog``.
``ContentFilterMiddleware`` (530)
    Drops and records 2xx responses that are not pages, feeds or sitemaps: a declared
    ``Content-Type`` starting with one of ``NEWSCRAWL_BLOCKED_CONTENT_TYPES`` (PDF, images,
    audio, video, fonts, office files, archives other than gzip), bytes that are a PDF, image,
    zip archive, office file or video whatever the header says (reason ``not_html``), and
    empty bodies (reason ``empty``). HTML, XML (RSS, Atom, sitemaps, also gzipped), JSON and
    text pass. Requests of Scrapy's own machinery (robots.txt: ``NO_CALLBACK``) and requests
    with ``meta["newscrawl_any_content"]`` pass.
``HttpCompressionMiddleware`` (590, replaces Scrapy's HttpCompressionMiddleware)
    Scrapy's decompression, with what it drops recorded: a body that decompresses past
    ``DOWNLOAD_MAXSIZE`` (``decompression_bomb``), corrupt compressed data or an encoding that
    cannot be decoded (``undecodable``; dropped, not handed to the spider as bytes).
``RedirectMiddleware`` (600, replaces Scrapy's RedirectMiddleware)
    Scrapy's redirects, plus: a redirect to an origin the spider may not crawl is refused even
    for ``dont_filter`` requests (reason ``redirect_offsite``; a redirect to a mirrored live host
    is followed on the mirror), a redirect back to a URL of
    the same chain is a loop (``redirect_loop``), and too many redirects are recorded
    (``too_many_redirects``) instead of vanishing silently.

Spider middleware (``SPIDER_MIDDLEWARES``):

``CrawlTrapMiddleware`` (950)
    Bounds what one page can add to the crawl. A request whose callback is the page's own
    callback is *pagination*; every other request is a *child*. At most
    ``NEWSCRAWL_MAX_LINKS_PER_PAGE`` (500) children per page are kept (``link_flood``);
    pagination to a page already requested in this run is a loop and dropped; pagination
    stops after ``NEWSCRAWL_STALE_PAGES_STOP`` (3) pages in a row whose children were all
    seen before (a calendar or an endless "next" that repeats itself; ``crawl_trap``).
    0 disables a rule.

Failures (``FailureLog``) go, one JSON line per URL, to ``NEWSCRAWL_FAILURES_PATH``
(``failures.jsonl``; ``<NEWSCRAWL_OUT_DIR>/failures.jsonl`` when an output folder is set and the
path is not given; the file is created at the first failure) with
``url, final_url, reason, detail, status, attempts, referer, failed_at, spider``; each is
counted in the stats (``newscrawl/failures``, ``newscrawl/failures/<reason>``) and logged at
WARNING. Exceptions raised by spider callbacks are recorded too (``callback_error``).

As newscrawl/settings.py enables them::

    DOWNLOADER_MIDDLEWARES = {
        "newscrawl.crawl.middlewares.SchemeFilterMiddleware": 10,
        "newscrawl.crawl.middlewares.OriginFilterMiddleware": 20,
        "newscrawl.crawl.middlewares.ContentFilterMiddleware": 530,
        "newscrawl.crawl.middlewares.FailureLogMiddleware": 540,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "newscrawl.crawl.middlewares.BackoffRetryMiddleware": 550,
        "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
        "newscrawl.crawl.middlewares.RedirectMiddleware": 600,
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
        "newscrawl.crawl.middlewares.HttpCompressionMiddleware": 590,
    }
    SPIDER_MIDDLEWARES = {"newscrawl.crawl.middlewares.CrawlTrapMiddleware": 950}
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware as _ScrapyHttpCompressionMiddleware
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as _ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from newscrawl.crawl.origins import ALLOW, MAP, OriginPolicy
from newscrawl.crawl.outputs import JsonLinesAppender, confined_path, output_guard
from newscrawl.crawl.signals import url_failed

logger = logging.getLogger(__name__)

__all__ = [
    "FailureLog", "failure_log", "classify_exception", "parse_retry_after", "sniff_binary",
    "SchemeFilterMiddleware", "OriginFilterMiddleware", "BackoffRetryMiddleware", "FailureLogMiddleware",
    "ContentFilterMiddleware", "HttpCompressionMiddleware", "RedirectMiddleware", "CrawlTrapMiddleware",
]

DEFAULT_ALLOWED_SCHEMES = ("http", "https")
DEFAULT_BLOCKED_CONTENT_TYPES = (
    "application/pdf", "image/", "audio/", "video/", "font/", "application/zip", "application/msword",
    "application/vnd.", "application/postscript", "application/x-msdownload", "application/x-shockwave-flash",
)


# ---------------------------------------------------------------------------
# the failure log
# ---------------------------------------------------------------------------
def failures_path(settings) -> Path | None:
    """Where failures go (see the module docstring); None when NEWSCRAWL_FAILURES_PATH is empty."""
    out_dir = settings.get("NEWSCRAWL_OUT_DIR")
    priority = settings.getpriority("NEWSCRAWL_FAILURES_PATH")
    given = priority is not None and priority > SETTINGS_PRIORITIES["project"]
    path = settings.get("NEWSCRAWL_FAILURES_PATH", "failures.jsonl") if given or not out_dir else "failures.jsonl"
    if path in (None, "", False):
        return None
    return confined_path(str(path), out_dir, "NEWSCRAWL_FAILURES_PATH")


class FailureLog:
    """One per crawler (``failure_log(crawler)``): a JSONL line, a stat and a log line per failed URL."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = failures_path(crawler.settings)
        self._writer = None
        if self.path is not None:
            self._writer = JsonLinesAppender(self.path, guard=output_guard(crawler), output="failures")
        self._recorded: set[str] = set()
        self.count = 0
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.close, signal=signals.spider_closed)

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


_LOGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def failure_log(crawler) -> FailureLog:
    """The crawler's FailureLog (created at the first call)."""
    log = _LOGS.get(crawler)
    if log is None:
        log = _LOGS[crawler] = FailureLog(crawler)
    return log


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


# ---------------------------------------------------------------------------
# downloader middlewares
# ---------------------------------------------------------------------------
class SchemeFilterMiddleware:
    """Download only http(s) (``NEWSCRAWL_ALLOWED_SCHEMES``); anything else is dropped and recorded."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.schemes = frozenset(s.lower() for s in crawler.settings.getlist(
            "NEWSCRAWL_ALLOWED_SCHEMES", list(DEFAULT_ALLOWED_SCHEMES)))
        self.failures = failure_log(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        scheme = urlparse_cached(request).scheme.lower()
        if scheme in self.schemes:
            return None
        self.crawler.stats.inc_value("newscrawl/scheme_filtered")
        self.failures.record(request, "scheme", f"{scheme}: is not downloaded (allowed: {sorted(self.schemes)})")
        raise IgnoreRequest(f"URL scheme {scheme!r} is not allowed: {request.url[:200]}")


class OriginFilterMiddleware:
    """Every request goes to an allowed origin (scheme, host and port) of the spider, or nowhere.

    The one check of ``newscrawl/crawl/origins.py``, applied where every request passes, whatever made it:
    listings, pagination, articles, feeds, sitemaps, Scrapy's robots.txt requests, redirects;
    ``dont_filter`` or not (Scrapy's OffsiteMiddleware lets ``dont_filter`` requests through and
    ignores the port). A URL of a mirrored (live) host is sent to the mirror instead; anything else
    is refused and recorded, reason ``offsite`` (``redirect_offsite`` for a redirect's target).
    Spiders without ``allowed_origins`` are left to Scrapy's offsite rules.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.failures = failure_log(crawler)
        self._policies: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def policy(self) -> OriginPolicy | None:
        spider = self.crawler.spider
        if spider is None:
            return None
        if spider not in self._policies:
            self._policies[spider] = OriginPolicy.for_spider(spider)
        return self._policies[spider]

    def process_request(self, request):
        policy = self.policy()
        if policy is None:
            return None
        verdict, value = policy.decide(request.url)
        if verdict == ALLOW:
            return None
        if verdict == MAP:
            self.crawler.stats.inc_value("newscrawl/origin/mapped")
            return request.replace(url=value)
        redirected = bool(request.meta.get("redirect_urls"))
        reason = "redirect_offsite" if redirected else "offsite"
        self.crawler.stats.inc_value("newscrawl/origin/refused")
        self.failures.record(request, reason, value)
        raise IgnoreRequest(f"offsite request refused: {value}: {request.url[:200]}")


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
        self.backoff_base = max(0.0, settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 1.0))
        self.backoff_max = max(0.0, settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0))
        self.retry_after_max = max(0.0, settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 120.0))
        self.jitter = max(0.0, settings.getfloat("NEWSCRAWL_RETRY_JITTER", 0.1))
        self.retry_empty = settings.getbool("NEWSCRAWL_RETRY_EMPTY", True)
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


#: Download failures of the network, not of the crawler: each one WARNING line and a failures.jsonl line, no traceback.
NETWORK_REASONS = frozenset({"dns", "connection_refused", "timeout", "connection"})
#: failures.jsonl reason of a robots.txt that could not be downloaded (the crawl goes on without its rules).
ROBOTS_UNREACHABLE = "robots_txt_unreachable"


class FailureLogMiddleware:
    """Record final download failures: exceptions left after retries, final statuses >= 300 not followed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.failures = failure_log(crawler)

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
                # one WARNING line and a failures.jsonl line. Not counted as a failed page (newscrawl/crawl/runs.py).
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


class HttpCompressionMiddleware(_ScrapyHttpCompressionMiddleware):
    """Scrapy's decompression (gzip, deflate, br, zstd, and several of them), with every response it
    drops recorded: a body that decompresses past ``DOWNLOAD_MAXSIZE`` (a decompression bomb; Scrapy
    only logs a warning and drops it) is ``decompression_bomb``; a body that cannot be decoded
    (corrupt data, an encoding Scrapy does not know) is ``undecodable``, and is dropped rather than
    handed to the spider as bytes."""

    @classmethod
    def from_crawler(cls, crawler):
        o = super().from_crawler(crawler)
        o.failures = failure_log(crawler)
        o.crawler = crawler
        return o

    def process_response(self, request, response, spider=None):
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            self._record(request, "decompression_bomb", str(exc), response.status)
            raise
        except Exception as exc:  # zlib.error, brotli.error, OSError, EOFError: the data is corrupt
            detail = f"{response.headers.get('Content-Encoding', b'').decode('latin-1')}: {type(exc).__name__}: {exc}"
            self._record(request, "undecodable", detail, response.status)
            raise IgnoreRequest(f"undecodable body ({detail}): {request.url[:200]}") from exc
        left = result.headers.get("Content-Encoding") if request.method != "HEAD" else None
        if left and left.strip().lower() != b"identity" and not request.meta.get("newscrawl_any_content"):
            detail = f"Content-Encoding {left.decode('latin-1')[:100]} is not supported"
            self._record(request, "undecodable", detail, response.status)
            raise IgnoreRequest(f"undecodable body ({detail}): {request.url[:200]}")
        return result

    def _record(self, request, reason, detail, status):
        self.crawler.stats.inc_value(f"newscrawl/content_filtered/{reason}")
        if request.callback is not NO_CALLBACK:  # robots.txt has its own handling of a lost response
            self.failures.record(request, reason, detail, status)


_MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"), (b"GIF89a", "GIF image"), (b"PK\x03\x04", "ZIP archive"),
    (b"%!PS", "PostScript"), (b"\xd0\xcf\x11\xe0", "MS Office file"),
)


def sniff_binary(body: bytes) -> str | None:
    """What a body is when its first bytes say it is a document or media file, not a page, else None.

    gzip is not in the list: a gzipped sitemap is a page of links. UTF-16 text (NUL bytes) is text.
    """
    head = body[:64].lstrip()
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"AVI ", b"WAVE"):
        return "RIFF media"
    if head[4:8] == b"ftyp":
        return "MP4/ISO media"
    return None


class ContentFilterMiddleware:
    """Only pages reach the spider: documents, media and empty bodies are dropped and recorded."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.blocked = tuple(t.lower() for t in crawler.settings.getlist(
            "NEWSCRAWL_BLOCKED_CONTENT_TYPES", list(DEFAULT_BLOCKED_CONTENT_TYPES)))
        self.failures = failure_log(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if not 200 <= response.status < 300 or request.callback is NO_CALLBACK:
            return response
        if request.meta.get("newscrawl_any_content") or request.method == "HEAD":
            return response
        declared = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
        if not response.body:
            if response.status == 204:
                return response
            self._drop(request, "empty", f"{response.status} with an empty body", response.status)
        kind = sniff_binary(response.body)
        if kind:
            self._drop(request, "not_html", f"{kind} (declared {declared or 'no type'})", response.status)
        if declared and declared.startswith(self.blocked):
            self._drop(request, "not_html", f"Content-Type {declared}", response.status)
        return response

    def _drop(self, request, reason, detail, status):
        self.crawler.stats.inc_value(f"newscrawl/content_filtered/{reason}")
        self.failures.record(request, reason, detail, status)
        raise IgnoreRequest(f"{reason}: {detail}: {request.url[:200]}")


class RedirectMiddleware(_ScrapyRedirectMiddleware):
    """Scrapy's redirects; offsite targets refused (even for dont_filter requests), loops and overflows recorded."""

    @classmethod
    def from_crawler(cls, crawler):
        o = super().from_crawler(crawler)
        o.failures = failure_log(crawler)
        return o

    def _target(self, request: Request) -> Request | None:
        """The redirect's target as it will be fetched (mapped onto the mirror), or None when it is off the site."""
        origins = self.crawler.get_downloader_middleware(OriginFilterMiddleware)
        policy = origins.policy() if origins is not None else None
        if policy is not None:
            verdict, value = policy.decide(request.url)
            if verdict == MAP:
                self.crawler.stats.inc_value("newscrawl/origin/mapped")
                return request.replace(url=value)
            return request if verdict == ALLOW else None
        # A spider without allowed_origins: Scrapy's offsite rules (host only), also for dont_filter requests.
        if request.meta.get("allow_offsite"):
            return request
        offsite = self.crawler.get_downloader_middleware(OffsiteMiddleware)
        spider = self.crawler.spider
        if offsite is None or spider is None:
            return request
        return request if offsite.should_follow(request, spider) else None

    def process_response(self, request, response):
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            chain = request.meta.get("redirect_urls", []) + [request.url]
            self.failures.record(request, "too_many_redirects", f"{exc} after {len(chain)} URLs", response.status)
            raise
        if isinstance(result, Request):
            chain = request.meta.get("redirect_urls", []) + [request.url]
            target = self._target(result)
            if target is None:
                self.crawler.stats.inc_value("newscrawl/redirect/offsite")
                self.failures.record(request, "redirect_offsite", f"{response.status} to {result.url[:200]}",
                                     response.status)
                raise IgnoreRequest(f"offsite redirect to {result.url[:200]}")
            result = target
            if result.url in chain:
                self.crawler.stats.inc_value("newscrawl/redirect/loop")
                self.failures.record(request, "redirect_loop", f"{response.status} back to {result.url[:200]}",
                                     response.status)
                raise IgnoreRequest(f"redirect loop at {result.url[:200]}")
        return result


# ---------------------------------------------------------------------------
# spider middleware
# ---------------------------------------------------------------------------
class CrawlTrapMiddleware:
    """Bound what one page adds to the crawl (see the module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.max_links = max(0, settings.getint("NEWSCRAWL_MAX_LINKS_PER_PAGE", 500))
        self.stale_stop = max(0, settings.getint("NEWSCRAWL_STALE_PAGES_STOP", 3))
        self.failures = failure_log(crawler)
        self._seen_children: set[int] = set()
        self._seen_pages: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        async for obj in start:
            if isinstance(obj, Request):
                self._seen_pages.add(hash(obj.url))
            yield obj

    def process_spider_output(self, response, result):
        state = self._State(self, response)
        for obj in result:
            out = state.take(obj)
            if out is not None:
                yield out
        yield from state.finish()

    async def process_spider_output_async(self, response, result):
        state = self._State(self, response)
        async for obj in result:
            out = state.take(obj)
            if out is not None:
                yield out
        for obj in state.finish():
            yield obj

    class _State:
        """What one response's output has added so far."""

        def __init__(self, mw: "CrawlTrapMiddleware", response):
            self.mw = mw
            self.response = response
            self.request = getattr(response, "request", None)
            self.callback = self.request.callback if self.request is not None else None
            self.children = 0
            self.new_children = 0
            self.dropped = 0
            self.pages: list[Request] = []

        def take(self, obj):
            if not isinstance(obj, Request) or self.request is None:
                return obj
            if obj.callback == self.callback and obj.callback is not None:
                self.pages.append(obj)  # pagination: decided when the page's output is complete
                return None
            self.children += 1
            key = hash(obj.url)
            if key not in self.mw._seen_children:
                self.new_children += 1
                self.mw._seen_children.add(key)
            if self.mw.max_links and self.children > self.mw.max_links:
                self.dropped += 1
                return None
            return obj

        def finish(self):
            mw, request = self.mw, self.request
            if self.dropped:
                mw.crawler.stats.inc_value("newscrawl/trap/links_dropped", self.dropped)
                mw.failures.record(request, "link_flood",
                                   f"kept {mw.max_links} of {self.children} links (NEWSCRAWL_MAX_LINKS_PER_PAGE)")
            if not self.pages:
                return
            stale = request.meta.get("newscrawl_stale_pages", 0)
            if self.children:
                stale = stale + 1 if self.new_children == 0 else 0
            for page in self.pages:
                key = hash(page.url)
                if key in mw._seen_pages:
                    mw.crawler.stats.inc_value("newscrawl/trap/pagination_loop")
                    mw.failures.record(page, "crawl_trap", f"pagination back to a page of this run, from {request.url[:200]}")
                    continue
                if mw.stale_stop and stale >= mw.stale_stop:
                    mw.crawler.stats.inc_value("newscrawl/trap/stale_pages")
                    mw.failures.record(page, "crawl_trap",
                                       f"{stale} pages in a row added no new links (NEWSCRAWL_STALE_PAGES_STOP)")
                    continue
                mw._seen_pages.add(key)
                page.meta["newscrawl_stale_pages"] = stale
                yield page

