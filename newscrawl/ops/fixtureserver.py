"""A local HTTP server for the bundled fixture sites (fixtures/<site>/site/).

Used by the tests, the demo and `newscrawl serve-fixtures`. A request path P is
served from ``P.html``, ``P/index.html`` or ``P`` under the site folder; query
strings are ignored, as a real CMS ignores tracking parameters. Every request
is recorded (method, path with query, status) so tests can check what a crawl
fetched, and optionally logged one line each, as development servers do.
"""
from __future__ import annotations

import mimetypes
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures"


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int


def fixture_site_dir(site: str, fixtures_dir: Path | None = None) -> Path:
    root = (fixtures_dir or FIXTURES_DIR) / site / "site"
    if not root.is_dir():
        raise FileNotFoundError(
            f"no fixture site at {root}: the fixtures ship with the source tree (git clone), not with the wheel"
        )
    return root


class FixtureServer:
    """Serve one fixture site on 127.0.0.1 in a background thread.

    >>> with FixtureServer(fixture_site_dir("tuyengiao")) as server:
    ...     server.url  # http://127.0.0.1:<free port>
    """

    def __init__(self, root: Path | str, port: int = 0, host: str = "127.0.0.1", log=None, delay: float = 0.0):
        self.root = Path(root).resolve()
        self.delay = delay  # seconds to wait before each response: a slow site, for tests that interrupt crawls
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._log = log
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server._serve(self, head=False)

            def do_HEAD(self):
                server._serve(self, head=True)

            def log_message(self, format, *args):  # our own one-line log replaces the stderr default
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def resolve(self, path: str) -> Path | None:
        clean = unquote(urlsplit(path).path).lstrip("/")
        base = (self.root / clean).resolve()
        if self.root != base and self.root not in base.parents:
            return None  # no escaping the fixture folder with ../
        for candidate in (base.with_name(base.name + ".html") if clean else None, base / "index.html", base):
            if candidate is not None and candidate.is_file():
                return candidate
        return None

    def _serve(self, handler: BaseHTTPRequestHandler, head: bool):
        if self.delay:
            time.sleep(self.delay)
        file = self.resolve(handler.path)
        if file is None:
            status, body, ctype = 404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8"
        else:
            status, body = 200, file.read_bytes()
            ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if ctype.startswith("text/"):
                ctype += "; charset=utf-8"
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)
        record = RequestRecord(handler.command, handler.path, status)
        with self._lock:
            self.requests.append(record)
        if self._log:
            self._log(f"{record.method} {record.path} {record.status}")

    def paths(self, status: int | None = None) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if status is None or r.status == status]

    def start(self) -> "FixtureServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def serve_forever(site: str, port: int = 0, fixtures_dir: Path | None = None):
    server = FixtureServer(fixture_site_dir(site, fixtures_dir), port=port, log=lambda line: print(line, flush=True))
    print(f"serving fixture site {site!r} at {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
