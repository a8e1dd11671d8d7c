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


def load_known_articles(db_url: str, site: str, hosts=(), reject_retry: timedelta = timedelta(hours=24)) -> KnownArticles:
    """Paths of the site's stored articles, of URLs settled as duplicates, and of pages rejected less than
    ``reject_retry`` ago. An empty or new database knows none."""
    from sqlalchemy import inspect, or_, select

    from newscrawl.storage.schema import articles, duplicates, rejects
    from newscrawl.storage.store import create_db_engine

    known: dict[str, datetime | None] = {}
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "articles" in tables:
                rows = conn.execute(
                    select(articles.c.url, articles.c.canonical_url, articles.c.published).where(articles.c.site == site)
                )
                for url, canonical, published in rows:
                    for u in (url, canonical):
                        if u:
                            known[url_path(u)] = published
            if "duplicates" in tables and hosts:
                host_filters = [duplicates.c.url.like(f"%://{h}/%") for h in hosts]
                for (url,) in conn.execute(select(duplicates.c.url).where(or_(*host_filters))):
                    known.setdefault(url_path(url), None)
            if "rejects" in tables:
                since = datetime.now(timezone.utc) - reject_retry
                query = select(rejects.c.url).where(rejects.c.site == site, rejects.c.last_rejected >= since)
                for (url,) in conn.execute(query):
                    known.setdefault(url_path(url), None)
    finally:
        engine.dispose()
    return KnownArticles(known)
