"""HttpCompressionMiddleware (590 in DOWNLOADER_MIDDLEWARES, replaces Scrapy's HttpCompressionMiddleware).

Scrapy's decompression, with what it drops recorded: a body that decompresses past
``DOWNLOAD_MAXSIZE`` (``decompression_bomb``), corrupt compressed data or an encoding that
cannot be decoded (``undecodable``; dropped, not handed to the spider as bytes).
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware as _ScrapyHttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK

from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service


class HttpCompressionMiddleware(_ScrapyHttpCompressionMiddleware):
    """Scrapy's decompression (gzip, deflate, br, zstd, and several of them), with every response it
    drops recorded: a body that decompresses past ``DOWNLOAD_MAXSIZE`` (a decompression bomb; Scrapy
    only logs a warning and drops it) is ``decompression_bomb``; a body that cannot be decoded
    (corrupt data, an encoding Scrapy does not know) is ``undecodable``, and is dropped rather than
    handed to the spider as bytes."""

    @classmethod
    def from_crawler(cls, crawler):
        o = super().from_crawler(crawler)
        o.failures = service(crawler, FailureLog)
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
