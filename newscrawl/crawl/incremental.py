"""What an incremental run already has: article paths stored (or settled) by earlier runs.

Articles are keyed by URL path, not by full URL, so a crawl of a mirror
(``-a base_url=...``: a staging copy, an archive, the fixture server on any
port) and a crawl of the live host agree on what is known. The state lives in
the database (articles, duplicates), not in files beside the code.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from newscrawl.storage.engine import connected
from newscrawl.storage.known import settled_urls

logger = logging.getLogger(__name__)


@dataclass
class KnownArticles:
    published: dict[str, datetime | None]  # path -> publish time of what is stored

    def __contains__(self, path: str) -> bool:
        return path in self.published

    def __len__(self) -> int:
        return len(self.published)

    def recent(self, path: str, since: datetime) -> bool:
        """True when the stored article at ``path`` was published at or after ``since``."""
        when = self.published.get(path)
        return when is not None and when >= since


def url_path(url: str) -> str:
    return urlsplit(url).path.rstrip("/") or "/"


def load_known_articles(db: str | Engine, site: str, hosts=(), reject_retry: timedelta = timedelta(hours=24)) -> KnownArticles:
    """Paths of the site's stored articles, of URLs settled as duplicates, and of pages rejected less than
    ``reject_retry`` ago. An empty or new database knows none. ``db``: the crawl's engine, or a database URL."""
    known: dict[str, datetime | None] = {}
    with connected(db) as engine, engine.connect() as conn:
        stored, others = settled_urls(conn, site, hosts, datetime.now(timezone.utc) - reject_retry)
    for url, canonical, published in stored:
        for u in (url, canonical):
            if u:
                known[url_path(u)] = published
    for url in others:
        known.setdefault(url_path(url), None)
    return KnownArticles(known)
