"""What earlier runs settled for a site, for an incremental run (newscrawl/crawl/incremental.py):
stored articles, URLs recorded as duplicates, pages rejected lately."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect, or_, select
from sqlalchemy.engine import Connection

from newscrawl.storage.rejects import rejected_since
from newscrawl.storage.schema import articles, duplicates


def settled_urls(conn: Connection, site: str, hosts, rejects_since: datetime) -> tuple[list, list[str]]:
    """``([(url, canonical_url, published)] of the site's articles, [URLs settled without an article])``:
    the latter are duplicates on one of ``hosts`` and pages rejected at or after ``rejects_since``.
    A table that does not exist yet (a new database) holds nothing."""
    tables = set(inspect(conn).get_table_names())
    stored = []
    if "articles" in tables:
        stored = conn.execute(
            select(articles.c.url, articles.c.canonical_url, articles.c.published).where(articles.c.site == site)
        ).all()
    others: list[str] = []
    if "duplicates" in tables and hosts:
        host_filters = [duplicates.c.url.like(f"%://{h}/%") for h in hosts]
        others += [url for (url,) in conn.execute(select(duplicates.c.url).where(or_(*host_filters)))]
    if "rejects" in tables:
        others += rejected_since(conn, site, rejects_since)
    return stored, others
