"""ContentFilterMiddleware (530 in DOWNLOADER_MIDDLEWARES): only pages reach the spider.

Drops and records 2xx responses that are not pages, feeds or sitemaps: a declared
``Content-Type`` starting with one of ``NEWSCRAWL_BLOCKED_CONTENT_TYPES`` (PDF, images,
audio, video, fonts, office files, archives other than gzip), bytes that are a PDF, image,
zip archive, office file or video whatever the header says (reason ``not_html``), and
empty bodies (reason ``empty``). HTML, XML (RSS, Atom, sitemaps, also gzipped), JSON and
text pass. Requests of Scrapy's own machinery (robots.txt: ``NO_CALLBACK``) and requests
with ``meta["newscrawl_any_content"]`` pass.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK

from newscrawl.crawl import defaults
from newscrawl.crawl.failures import FailureLog
from newscrawl.crawl.services import service

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
        self.blocked = tuple(t.lower() for t in defaults.getlist(crawler.settings, "NEWSCRAWL_BLOCKED_CONTENT_TYPES"))
        self.failures = service(crawler, FailureLog)

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
