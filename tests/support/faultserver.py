"""A fault-injecting news site on 127.0.0.1 for crawl tests: the tuyengiao markup, misbehaving on purpose.

The content is a small site from ``benchmarks/sitegen.py`` (article pages, section listings with
pagination, robots.txt), so every article's expected title and paragraphs are known exactly.
Chosen article URLs misbehave, one fault each (``FAULTS``: name -> what the server does and what
a correct crawler ends up with). Listing pages can carry traps (``traps=True``): a calendar that
links thousands of junk article-like URLs and pages on forever, and a pagination loop.

Every request is recorded (``server.log``: time, method, path, Host header, status, fault), so a
test can count fetches per URL, measure the gaps between retries and see what was never asked for.
A FaultServer can listen on another loopback address (``host="127.0.0.3"``) and stand for another
site, or the live host of a mirror; links, redirects and extra pages name other servers through
``server.names`` (``"{other}/thoi-su/trang-2"``).

    with FaultServer() as server:
        server.url                  # http://127.0.0.1:<free port>
        server.fault_path("timeout")
        server.requests_for(path)   # the RequestRecords of one path
"""
from __future__ import annotations

import asyncio
import re
import socket
import struct
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from benchmarks.crawl_throughput import parse_stats  # the stats Scrapy dumps at the end of its log
from benchmarks.sitegen import Article, GeneratedSite, esc

# name -> (what the server does, the outcome a correct crawl gives: "item", "partial", "failure:<reason>", "reject")
FAULTS = {
    "slow":                  ("answers after 0.8 s (under the test's DOWNLOAD_TIMEOUT)", "item"),
    "timeout":               ("never answers", "failure:timeout"),
    "slow-body":             ("sends headers, then the body a few bytes a second", "failure:timeout"),
    "503-then-ok":           ("503 twice, then the page", "item"),
    "500-always":            ("500 every time", "failure:http_500"),
    "429-retry-after":       ("429 with Retry-After: 1 once, then the page", "item"),
    "429-retry-after-huge":  ("429 with Retry-After: 3600 every time", "failure:http_429"),
    "503-retry-after-date":  ("503 with an HTTP-date Retry-After 1 s ahead once, then the page", "item"),
    "reset-once":            ("resets the connection (RST) once, then the page", "item"),
    "reset-always":          ("resets the connection every time", "failure:connection"),
    "truncated-length":      ("declares Content-Length, sends a third, closes", "failure:data_loss"),
    "truncated-html":        ("a complete response whose HTML stops in the middle of a paragraph", "partial"),
    "cp1258-header-utf8":    ("windows-1258 bytes; header says utf-8, meta says windows-1258", "item"),
    "cp1258-all-utf8":       ("windows-1258 bytes; header and meta both say utf-8", "item"),
    "utf8-labelled-1258":    ("UTF-8 bytes; header and meta say windows-1258", "item"),
    "utf8-bom":              ("UTF-8 with a BOM, no charset anywhere", "item"),
    "utf8-bom-header-1258":  ("UTF-8 with a BOM, header says windows-1258", "item"),
    "nfd":                   ("the text in Unicode NFD", "item"),
    "too-large-declared":    ("Content-Length above DOWNLOAD_MAXSIZE", "failure:too_large"),
    "too-large-streamed":    ("no Content-Length, streams more than DOWNLOAD_MAXSIZE", "failure:too_large"),
    "redirect-ok":           ("301 to the article's new address on the site", "item"),
    "redirect-loop":         ("302 to a second URL that 302s back", "failure:redirect_loop"),
    "redirect-chain":        ("302 to a new URL each time, forever", "failure:too_many_redirects"),
    "redirect-offsite":      ("302 to another host (localhost)", "failure:redirect_offsite"),
    "redirect-scheme":       ("302 to file:///etc/passwd", "failure:redirect_refused"),
    "pdf":                   ("a PDF (application/pdf)", "failure:not_html"),
    "image":                 ("a JPEG (image/jpeg)", "failure:not_html"),
    "pdf-as-html":           ("PDF bytes labelled text/html", "failure:not_html"),
    "empty-200":             ("200 with an empty body", "failure:empty"),
    "malformed-markup":      ("unclosed tags, script/style/comments inside the body, stray end tags", "item"),
    "malformed-date":        ("a date line that is no date (32/13/2024 25:61)", "reject"),
    "endless-headers":       ("sends response header lines without end (up to header_flood_bytes)", "failure:headers_too_large"),
}
OFFSITE_HOST = "localhost"  # resolves to 127.0.0.1 but is not an allowed domain of the crawl


@dataclass(frozen=True)
class RequestRecord:
    at: float          # time.monotonic() when the request head arrived
    method: str
    path: str
    host: str          # the Host header
    status: int        # 0 = no HTTP response (reset, timeout, not HTTP)
    fault: str | None


def encode_cp1258(text: str) -> bytes:
    """Vietnamese text in windows-1258: a precomposed letter the code page lacks is written as a
    base letter it has (â, ơ, ư ...) plus combining tone marks, as Windows does."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        for i, mark in enumerate(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                del marks[i]
                break
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + b"\x08" * 64 + b"\xff\xd9"


class FaultServer:
    """Serve the fault site on 127.0.0.1 (free port) from an asyncio loop in a background thread."""

    def __init__(self, articles_good: int = 20, seed: int = 11, per_page: int = 8, traps: bool = False,
                 faults: tuple[str, ...] | None = None, junk_links: int = 3000, extra_listing_links: tuple = (),
                 listing_redirects: dict | None = None, extra_articles: dict | None = None,
                 large_size: int = 20 * 1024 * 1024, host: str = "127.0.0.1", listing_next: dict | None = None,
                 aliases: dict | None = None, extra_pages: dict | None = None,
                 header_flood_bytes: int = 600 * 1024 * 1024):
        self.faults = tuple(faults if faults is not None else FAULTS)
        unknown = set(self.faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}")
        self.site = GeneratedSite(articles=articles_good + len(self.faults), seed=seed, per_page=per_page)
        # Fault k misbehaves at article index 1 + k (both sections); the others are good.
        self.fault_index = {name: 1 + k for k, name in enumerate(self.faults)}
        self.index_fault = {i: name for name, i in self.fault_index.items()}
        self.traps = traps
        self.junk_links = junk_links
        self.extra_listing_links = tuple(extra_listing_links)  # hrefs added to the first listing page of each section
        self.listing_redirects = dict(listing_redirects or {})  # path (any) -> Location ("{base}"/"{offsite}" filled in)
        self.listing_next = dict(listing_next or {})  # listing path -> href of its "next" link
        self.aliases = dict(aliases or {})  # path -> the path whose page is served there
        self.extra_pages = dict(extra_pages or {})  # path -> (Content-Type, text): feeds, sitemaps ...
        self.header_flood_bytes = header_flood_bytes  # where endless-headers gives up (a crawler without a bound)
        self.host = host
        self.names: dict[str, str] = {}  # more "{name}" placeholders for hrefs, Locations and extra pages
        self.extra_articles = dict(extra_articles or {})  # path -> (title, paragraphs): extra good articles
        self.large_size = large_size  # bytes the too-large faults send (or declare): above DOWNLOAD_MAXSIZE
        self.log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- what the site holds
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fill(self, text: str) -> str:
        """``text`` with its placeholders filled in: {base}, {offsite}, {port} and ``self.names``."""
        return text.format(base=self.url, offsite=self.offsite_url, port=self.port, **self.names)

    @property
    def offsite_url(self) -> str:
        return f"http://{OFFSITE_HOST}:{self.port}"

    def article(self, i: int) -> Article:
        return self.site.article(i)

    def fault_path(self, name: str) -> str:
        return self.site.path(self.fault_index[name])

    def fault_article(self, name: str) -> Article:
        return self.site.article(self.fault_index[name])

    def good_indexes(self) -> list[int]:
        return [i for i in range(self.site.articles) if i not in self.index_fault]

    def expected_items(self) -> dict[str, Article]:
        """Final URL path -> article, for every page a correct crawl turns into an item."""
        out = {}
        for i in range(self.site.articles):
            fault = self.index_fault.get(i)
            if fault is None or FAULTS[fault][1] in ("item", "partial"):
                path = self.site.path(i)
                if fault == "redirect-ok":
                    path = self.moved_path(path)
                out[path] = self.site.article(i)
        return out

    @staticmethod
    def moved_path(path: str) -> str:
        section, slug = path.strip("/").split("/")
        stem, _, aid = slug.rpartition("-")
        return f"/{section}/{stem}-moi-{aid}"

    # -- the request log
    def requests_for(self, path: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.log if r.path.split("?")[0] == path]

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.log]

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self.log)

    def _record(self, method, path, host, status, fault):
        with self._lock:
            self.log.append(RequestRecord(time.monotonic(), method, path, host, status, fault))

    def _attempt(self, key: str) -> int:
        with self._lock:
            self._attempts[key] = self._attempts.get(key, 0) + 1
            return self._attempts[key]

    # -- life cycle
    def start(self) -> "FaultServer":
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, self.host, 0, backlog=256))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fault-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self):
        async def shutdown():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, _ = lines[0].split(" ", 2)
                except ValueError:
                    self._record("?", lines[0][:200], "", 0, "not-http")
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                keep = await self._respond(method, target, headers.get("host", ""), writer)
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            if not writer.is_closing():
                writer.close()

    async def _send(self, writer, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                    extra: dict | None = None, length: int | None = None, close: bool = False):
        reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
                  500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Status")
        head = [f"HTTP/1.1 {status} {reason}"]
        if ctype is not None:
            head.append(f"Content-Type: {ctype}")
        if length is not False:
            head.append(f"Content-Length: {len(body) if length is None else length}")
        for k, v in (extra or {}).items():
            head.append(f"{k}: {v}")
        head.append("Connection: close" if close else "Connection: keep-alive")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()

    def _reset(self, writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def _respond(self, method: str, target: str, host: str, writer) -> bool:
        """Answer one request; False when the connection must end."""
        path = target.split("?", 1)[0].split("#", 1)[0]
        record = lambda status, fault=None: self._record(method, target, host, status, fault)  # noqa: E731
        # listing redirects (e.g. offsite) come first
        if path in self.listing_redirects:
            location = self.fill(self.listing_redirects[path])
            record(302, "listing-redirect")
            await self._send(writer, 302, b"", extra={"Location": location})
            return True
        if path in self.extra_pages:
            ctype, text = self.extra_pages[path]
            record(200, "extra-page")
            await self._send(writer, 200, self.fill(text).encode("utf-8"), ctype)
            return True
        path = self.aliases.get(path, path)
        # a moved article and the redirect helpers
        if "-moi-" in path:
            original = path.replace("-moi-", "-")
            a = self.site.article_by_path(original)
            if a is not None and self.index_fault.get(a.index) == "redirect-ok":
                record(200, "redirect-ok")
                await self._send(writer, 200, self.site.article_html(a).encode("utf-8"))
                return True
        if path.startswith("/chuyen-huong/"):
            return await self._redirect_helper(path, record, writer)
        if path in self.extra_articles:
            title, paragraphs = self.extra_articles[path]
            record(200, "extra")
            await self._send(writer, 200, self.extra_article_html(path, title, paragraphs).encode("utf-8"))
            return True
        a = self.site.article_by_path(path)
        if a is not None and a.index in self.index_fault:
            return await self._fault(self.index_fault[a.index], a, method, target, record, writer)
        if self.traps:
            trap = self._trap_page(path)
            if trap is not None:
                record(200, "trap")
                await self._send(writer, 200, trap.encode("utf-8"))
                return True
        kind = self.site.kind(path)
        if kind == "listing":
            body = self._listing(path)
            record(200)
            await self._send(writer, 200, body.encode("utf-8"))
            return True
        status, ctype, body = self.site.render(path)
        record(status, None if status == 200 else "not-found")
        await self._send(writer, status, b"" if method == "HEAD" else body, ctype, length=len(body))
        return True

    async def _redirect_helper(self, path, record, writer) -> bool:
        # /chuyen-huong/vong/<aid>/a <-> /chuyen-huong/vong/<aid>/b ; /chuyen-huong/chuoi/<aid>/<n> -> n+1
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[1] == "vong":
            other = "b" if parts[3] == "a" else "a"
            record(302, "redirect-loop")
            await self._send(writer, 302, b"", extra={"Location": f"/chuyen-huong/vong/{parts[2]}/{other}"})
            return True
        if len(parts) == 4 and parts[1] == "chuoi" and parts[3].isdigit():
            record(302, "redirect-chain")
            await self._send(writer, 302, b"", extra={"Location": f"/chuyen-huong/chuoi/{parts[2]}/{int(parts[3]) + 1}"})
            return True
        record(404, "not-found")
        await self._send(writer, 404, b"<html><body>404</body></html>")
        return True

    async def _fault(self, fault: str, a: Article, method: str, target: str, record, writer) -> bool:
        n = self._attempt(target)
        page = self.site.article_html(a)
        if fault == "slow":
            await asyncio.sleep(0.8)
            record(200, fault)
            await self._send(writer, 200, page.encode("utf-8"))
            return True
        if fault == "timeout":
            record(0, fault)
            await asyncio.sleep(3600)
            return False
        if fault == "slow-body":
            record(200, fault)
            body = page.encode("utf-8")
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            for k in range(0, len(body), 16):
                writer.write(body[k:k + 16])
                await writer.drain()
                await asyncio.sleep(0.25)
            return False
        if fault == "503-then-ok" and n <= 2:
            record(503, fault)
            await self._send(writer, 503, b"<html><body>Service Unavailable</body></html>")
            return True
        if fault == "500-always":
            record(500, fault)
            await self._send(writer, 500, b"<html><body>Internal Server Error</body></html>")
            return True
        if fault == "429-retry-after" and n == 1:
            record(429, fault)
            await self._send(writer, 429, b"<html><body>Too Many Requests</body></html>", extra={"Retry-After": "1"})
            return True
        if fault == "429-retry-after-huge":
            record(429, fault)
            await self._send(writer, 429, b"<html><body>Too Many Requests</body></html>", extra={"Retry-After": "3600"})
            return True
        if fault == "503-retry-after-date" and n == 1:
            record(503, fault)
            await self._send(writer, 503, b"<html><body>Busy</body></html>",
                             extra={"Retry-After": formatdate(time.time() + 2, usegmt=True)})
            return True
        if fault == "reset-once" and n == 1 or fault == "reset-always":
            record(0, fault)
            self._reset(writer)
            return False
        if fault == "truncated-length":
            record(200, fault)
            body = page.encode("utf-8")
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body[: len(body) // 3])
            await writer.drain()
            writer.close()
            return False
        if fault == "truncated-html":
            record(200, fault)
            await self._send(writer, 200, self.truncated_html(a).encode("utf-8"))
            return True
        if fault == "cp1258-header-utf8":
            record(200, fault)
            body = encode_cp1258(page.replace('<meta charset="utf-8"/>', '<meta charset="windows-1258"/>'))
            await self._send(writer, 200, body, "text/html; charset=utf-8")
            return True
        if fault == "cp1258-all-utf8":
            record(200, fault)
            await self._send(writer, 200, encode_cp1258(page), "text/html; charset=utf-8")
            return True
        if fault == "utf8-labelled-1258":
            record(200, fault)
            body = page.replace('<meta charset="utf-8"/>', '<meta charset="windows-1258"/>').encode("utf-8")
            await self._send(writer, 200, body, "text/html; charset=windows-1258")
            return True
        if fault == "utf8-bom":
            record(200, fault)
            body = b"\xef\xbb\xbf" + page.replace('<meta charset="utf-8"/>\n', "").encode("utf-8")
            await self._send(writer, 200, body, "text/html")
            return True
        if fault == "utf8-bom-header-1258":
            record(200, fault)
            body = b"\xef\xbb\xbf" + page.replace('<meta charset="utf-8"/>\n', "").encode("utf-8")
            await self._send(writer, 200, body, "text/html; charset=windows-1258")
            return True
        if fault == "nfd":
            record(200, fault)
            await self._send(writer, 200, unicodedata.normalize("NFD", page).encode("utf-8"))
            return True
        if fault == "too-large-declared":
            record(200, fault)
            chunk = page.encode("utf-8")
            try:
                await self._send(writer, 200, chunk, length=self.large_size)
                while True:  # until the client hangs up
                    writer.write(chunk * 40)
                    await writer.drain()
            except ConnectionError:
                pass
            return False
        if fault == "too-large-streamed":
            record(200, fault)
            chunk = page.encode("utf-8") * 40
            try:
                await self._send(writer, 200, b"", length=False, close=True)
                sent = 0
                while sent < self.large_size:
                    writer.write(chunk)
                    sent += len(chunk)
                    await writer.drain()
            except ConnectionError:
                pass
            writer.close()
            return False
        if fault == "endless-headers":
            record(200, fault)
            line = b"X-Padding-%d: " + b"x" * 4000 + b"\r\n"
            try:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n")
                sent, k = 0, 0
                while sent < self.header_flood_bytes:  # until the client hangs up, or gives no sign of ever doing so
                    chunk = b"".join(line % (k + j) for j in range(16))
                    writer.write(chunk)
                    sent, k = sent + len(chunk), k + 16
                    await writer.drain()
            except ConnectionError:
                pass
            writer.close()
            return False
        if fault == "redirect-ok":
            record(301, fault)
            await self._send(writer, 301, b"", extra={"Location": self.moved_path(a.path)})
            return True
        if fault == "redirect-loop":
            record(302, fault)
            await self._send(writer, 302, b"", extra={"Location": f"/chuyen-huong/vong/{a.id}/a"})
            return True
        if fault == "redirect-chain":
            record(302, fault)
            await self._send(writer, 302, b"", extra={"Location": f"/chuyen-huong/chuoi/{a.id}/1"})
            return True
        if fault == "redirect-offsite":
            record(302, fault)
            await self._send(writer, 302, b"", extra={"Location": f"{self.offsite_url}{a.path}"})
            return True
        if fault == "redirect-scheme":
            record(302, fault)
            await self._send(writer, 302, b"", extra={"Location": "file:///etc/passwd"})
            return True
        if fault == "pdf":
            record(200, fault)
            await self._send(writer, 200, PDF_BYTES, "application/pdf")
            return True
        if fault == "image":
            record(200, fault)
            await self._send(writer, 200, JPEG_BYTES, "image/jpeg")
            return True
        if fault == "pdf-as-html":
            record(200, fault)
            await self._send(writer, 200, PDF_BYTES, "text/html; charset=utf-8")
            return True
        if fault == "empty-200":
            record(200, fault)
            await self._send(writer, 200, b"")
            return True
        if fault == "malformed-markup":
            record(200, fault)
            await self._send(writer, 200, self.malformed_html(a).encode("utf-8"))
            return True
        if fault == "malformed-date":
            record(200, fault)
            bad = page.replace(self.site.date_line(a), "Thứ Ba, 32/13/2024 25:61&#x27;(GMT+7)")
            await self._send(writer, 200, bad.encode("utf-8"))
            return True
        # faults that only misbehave on early attempts end here
        record(200, fault)
        await self._send(writer, 200, page.encode("utf-8"))
        return True

    # -- fault pages
    def truncated_paragraphs(self, a: Article) -> int:
        """How many whole paragraphs the truncated page keeps (the next one is cut mid-sentence)."""
        return min(3, len(a.paragraphs) - 1)

    def truncated_html(self, a: Article) -> str:
        page = self.site.article_html(a)
        keep = self.truncated_paragraphs(a)
        marker = f'<p style="text-align: justify;">{esc(a.paragraphs[keep])}'
        at = page.index(marker) + len('<p style="text-align: justify;">') + len(esc(a.paragraphs[keep])) // 2
        cut = page[:at]
        # never cut inside an entity: the test compares whole paragraphs only
        return cut[: cut.rfind("&")] if cut.rfind("&") > cut.rfind(";") else cut

    def malformed_html(self, a: Article) -> str:
        page = self.site.article_html(a)
        paras = a.paragraphs
        first = f'<p style="text-align: justify;">{esc(paras[0])}</p>\n'
        second = f'<p style="text-align: justify;">{esc(paras[1])}</p>\n'
        page = page.replace(first, (
            '<script>document.write("<p>quảng cáo chèn vào</p>"); var x = "<b>script text</b>";</script>\n'
            "<style>.detail-content p { color: red } /* style text */</style>\n"
            f'<p style="text-align: justify;">{esc(paras[0])}\n'  # no </p>
            "<!-- <p>bình luận ẩn trong trang</p> -->\n"))
        page = page.replace(second, f'<p style="text-align: justify;">{esc(paras[1])}</span></p></font>\n')
        return page.replace('<h1 class="title">', '<h1 class="title"><!-- tiêu đề -->', 1)

    def extra_article_html(self, path: str, title: str, paragraphs: list[str]) -> str:
        base = self.site.article(0)
        fake = Article(base.index, base.id, path.strip("/").split("/")[0], base.section_name, title,
                       path.rsplit("/", 1)[1], base.published, tuple(paragraphs), (), base.author)
        return self.site.article_html(fake).replace(base.path, path)

    # -- listings and traps
    def _listing(self, path: str) -> str:
        m = self.site._LISTING.match(path)
        section, n = m.group(1), int(m.group(2) or 1)
        page = self.site.listing_html(section, n)
        extra = ""
        if n == 1 and self.extra_listing_links:
            hrefs = [self.fill(h) for h in self.extra_listing_links]
            extra = "".join(f'      <div class="item"><h3><a href="{esc(href)}">Tin liên quan</a></h3><span class="date">1/6/2025</span></div>\n'
                            for href in hrefs)
        if n == 1 and self.extra_articles:
            extra += "".join(f'      <div class="item"><h3><a href="{esc(p)}">{esc(t)}</a></h3><span class="date">1/6/2025</span></div>\n'
                             for p, (t, _) in self.extra_articles.items() if p.startswith(f"/{section}/"))
        if extra:
            page = page.replace('    <div class="list-news">\n', '    <div class="list-news">\n' + extra, 1)
        if path in self.listing_next:
            page = re.sub(r'<a class="next" href="[^"]*"', f'<a class="next" href="{esc(self.fill(self.listing_next[path]))}"',
                          page, count=1)
        if self.traps and n == self.site.pages(section):
            nxt = f"/{section}/trang-{n + 1}" if section == "thoi-su" else f"/{section}"  # calendar / loop to page 1
            page = page.replace('    <div class="paging">', f'    <div class="paging"><a class="next" href="{nxt}">Trang sau</a> ', 1)
        return page

    def junk_path(self, k: int) -> str:
        day = k % 28 + 1
        month = k // 28 % 12 + 1
        return f"/thoi-su/lich-su-kien-ngay-{day}-thang-{month}-{10000 + k}"

    def _trap_page(self, path: str) -> str | None:
        """The calendar: /thoi-su/trang-N beyond the last real page, forever, each linking the same junk days."""
        m = self.site._LISTING.match(path)
        if not m or m.group(1) != "thoi-su" or not m.group(2):
            return None
        n = int(m.group(2))
        if n <= self.site.pages("thoi-su"):
            return None
        items = "".join(f'      <div class="item"><h3><a href="{self.junk_path(k)}">Lịch sự kiện</a></h3>'
                        f'<span class="date">{k % 28 + 1}/{k // 28 % 12 + 1}/2025</span></div>\n'
                        for k in range(self.junk_links))
        return (self.site._head("Lịch sự kiện", "Lịch", path, "website") + self.site._header(self.site.article(0).published, "/thoi-su")
                + '<div id="content" class="container">\n  <div class="col-main">\n    <div class="list-news">\n' + items
                + f'    </div>\n    <div class="paging"><a class="next" href="/thoi-su/trang-{n + 1}">Trang sau</a></div>\n  </div>\n</div>\n'
                + self.site.FOOTER)

    def is_junk(self, path: str) -> bool:
        return path.startswith("/thoi-su/lich-su-kien-ngay-")


# ---------------------------------------------------------------------------
# crawling the fault site through the real `scrapy crawl`
# ---------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]

def project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    return settings


@dataclass
class CrawlResult:
    returncode: int
    log: str
    out: Path
    seconds: float
    max_rss: int | None = None

    def _jsonl(self, name: str) -> list[dict]:
        import json

        path = self.out / name
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    @property
    def items(self) -> list[dict]:
        return self._jsonl("articles.jsonl")

    @property
    def rejects(self) -> list[dict]:
        return self._jsonl("rejects.jsonl")

    @property
    def failures(self) -> list[dict]:
        return self._jsonl("failures.jsonl")

    @property
    def db(self) -> Path:
        return self.out / "db.sqlite"

    @property
    def stats(self) -> dict:
        return parse_stats(self.log)


def run_crawl(server: FaultServer, out: Path, settings: dict | None = None, timeout: float = 180,
              args: tuple = (), spider: str = "tuyengiao", measure: bool = False) -> CrawlResult:
    """`scrapy crawl <spider> -a base_url=<server>` with outputs under ``out``; with ``measure``, the crawl
    process's peak RSS in bytes is ``result.max_rss``."""
    import subprocess

    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(Path(sys.executable).parent / "scrapy"), "crawl", spider, "-a", f"base_url={server.url}",
           "-O", str(out / "articles.jsonl"),
           "-s", f"NEWSCRAWL_DB_URL=sqlite:///{out / 'db.sqlite'}",
           "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}",
           "-s", f"NEWSCRAWL_FAILURES_PATH={out / 'failures.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", *args]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    start = time.monotonic()
    if not measure:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        return CrawlResult(proc.returncode, proc.stderr + proc.stdout, out, time.monotonic() - start)
    import os

    # The peak is the crawl process's VmHWM (/proc/<pid>/status), read until it exits: the rusage of
    # os.wait4 would not do, as Linux carries a forked child's pre-exec high-water mark (this test
    # process's own size, hundreds of MB late in a full test run) across exec into ru_maxrss.
    peak_kb = 0
    with open(out / "crawl.log", "w+", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while True:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read()
    result = CrawlResult(proc.returncode, text, out, time.monotonic() - start)
    result.max_rss = peak_kb * 1024
    return result


def _vm_hwm_kb(pid: int) -> int:
    """The peak resident set of a live process, in kB (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass  # it exited between two polls: the last reading stands
    return 0
