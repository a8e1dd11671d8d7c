"""The local HTTP server of `newscrawl demo`, `newscrawl serve-fixtures` and `scrapy check`.

The demo sites ship in the package (``newscrawl/ops/demo/<site>/site/``, package data), so the demo
runs from an installed wheel; `scrapy check` serves the repository's ``fixtures/`` too (a source
checkout only) for its ``@fixture`` contracts. A request path P is served from ``P.html``,
``P/index.html`` or ``P`` under the first root that has it; query strings are ignored, as a real
CMS ignores tracking parameters. Each request can be logged in one line, as development servers do.
Tests serve other fixture sites and record requests through tests/support/fixtures.py.
"""
from __future__ import annotations

import mimetypes
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newscrawl.model.errors import ConfigError

DEMO_DIR = Path(__file__).resolve().parent / "demo"  # package data: <site>/site/ per demo site
FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures"  # the repository's; not in a wheel


def demo_sites() -> list[str]:
    return sorted(p.name for p in DEMO_DIR.iterdir() if (p / "site").is_dir())


def demo_site_dir(site: str) -> Path:
    """The pages of a demo site shipped in the package; ConfigError naming the ones there are otherwise."""
    root = DEMO_DIR / site / "site"
    if not root.is_dir():
        raise ConfigError(f"--site {site!r}: no such demo site; the package has {', '.join(demo_sites())}")
    return root


class FixtureServer:
    """Serve folders of static pages on 127.0.0.1 in a background thread.

    >>> with FixtureServer(demo_site_dir("tuyengiao")) as server:
    ...     server.url  # http://127.0.0.1:<free port>
    """

    def __init__(self, *roots: Path | str, port: int = 0, host: str = "127.0.0.1", log=None):
        self.roots = [Path(root).resolve() for root in roots]
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
        for root in self.roots:
            base = (root / clean).resolve()
            if root != base and root not in base.parents:
                continue  # no escaping the served folder with ../
            for candidate in (base.with_name(base.name + ".html") if clean else None, base / "index.html", base):
                if candidate is not None and candidate.is_file():
                    return candidate
        return None

    def _serve(self, handler: BaseHTTPRequestHandler, head: bool) -> int:
        """Answer one request; returns the status sent."""
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
        if self._log:
            self._log(f"{handler.command} {handler.path} {status}")
        return status

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


def serve_forever(site: str, port: int = 0):
    """`newscrawl serve-fixtures`: a demo site until Ctrl-C, a line per request on stdout."""
    server = FixtureServer(demo_site_dir(site), port=port, log=lambda line: print(line, flush=True))
    print(f"serving demo site {site!r} at {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr, flush=True)
    finally:
        server.httpd.server_close()
