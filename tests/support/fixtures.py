"""Fixture sites for tests: the package's fixture server (newscrawl/ops/fixtureserver.py), serving any
fixture site, recording every request and optionally slow.

A fixture site's pages are ``fixtures/<site>/site/``, or for a demo site (tuyengiao) the package's
``newscrawl/ops/demo/<site>/site/``, whose expected fields stay in ``fixtures/<site>/expected.json``.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from newscrawl.ops import fixtureserver
from newscrawl.ops.fixtureserver import DEMO_DIR, FIXTURES_DIR

__all__ = ["DEMO_DIR", "FIXTURES_DIR", "FixtureServer", "RequestRecord", "fixture_site_dir"]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int


def fixture_site_dir(site: str) -> Path:
    for root in (FIXTURES_DIR, DEMO_DIR):
        if (root / site / "site").is_dir():
            return root / site / "site"
    raise FileNotFoundError(f"no fixture site {site!r} in {FIXTURES_DIR} or {DEMO_DIR}")


class FixtureServer(fixtureserver.FixtureServer):
    """The package's server, with every request recorded (method, path with query, status) so tests can
    check what a crawl fetched, and ``delay`` seconds before each answer (a slow site, to interrupt crawls)."""

    def __init__(self, *roots: Path | str, port: int = 0, host: str = "127.0.0.1", log=None, delay: float = 0.0):
        super().__init__(*roots, port=port, host=host, log=log)
        self.delay = delay
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()

    def _serve(self, handler, head: bool) -> int:
        if self.delay:
            time.sleep(self.delay)
        status = super()._serve(handler, head)
        with self._lock:
            self.requests.append(RequestRecord(handler.command, handler.path, status))
        return status

    def paths(self, status: int | None = None) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if status is None or r.status == status]
