"""SQL of the durable URL state (table ``url_state``); the crawl-side logic is newscrawl/crawl/urlstate.py.

Rows are keyed by (site, url_key): the URL's path and query, without scheme and host, so a crawl
of a mirror (``-a base_url``) and of the live host share one state, as incremental runs do.
Every write is an idempotent upsert, so a batch written twice (a lost commit answer) adds nothing.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.engine import Connection

from newscrawl.storage.schema import dialect_insert, url_state

#: An article URL in one of these states needs no more work (a rejected one waits for the reject
#: retry window, newscrawl/crawl/urlstate.py); a ``discovered`` one was requested and not finished, a
#: ``failed`` one waits for its next attempt.
ARTICLE_STATES = ("discovered", "stored", "duplicate", "rejected", "failed", "given_up")
LISTING_STATES = ("discovered", "done")


def url_key(url: str) -> str:
    """The host-independent key of a URL: its path (no trailing slash) and query."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{path}?{parts.query}" if parts.query else path


def upsert_statement(dialect: str):
    """Insert a row, or replace everything but ``first_seen`` of the row already there."""
    stmt = dialect_insert(dialect, url_state)
    ex = stmt.excluded
    keep = {"site", "url_key", "first_seen"}
    return stmt.on_conflict_do_update(
        index_elements=[url_state.c.site, url_state.c.url_key],
        set_={c.name: ex[c.name] for c in url_state.columns if c.name not in keep},
    )


def write_rows(conn: Connection, rows: list[dict]) -> None:
    """Upsert ``rows`` (dicts with every column of ``url_state``), each key once."""
    if rows:
        conn.execute(upsert_statement(conn.dialect.name), rows)


def site_rows(conn: Connection, site: str) -> list:
    """Every row of ``site`` but the stored articles' (those are known from ``articles``), as Row objects."""
    query = select(url_state).where(
        url_state.c.site == site, or_(url_state.c.kind != "article", url_state.c.state != "stored")
    )
    return conn.execute(query).all()


def unfinished(conn: Connection, site: str) -> list:
    """Rows of ``site`` a run may have to request first: unfinished articles and listing pages, and
    failed ones (whether a failed one is due again is the retry policy's call, newscrawl/crawl/urlstate.py)."""
    query = select(url_state).where(
        url_state.c.site == site, url_state.c.state.in_(("discovered", "failed"))
    ).order_by(url_state.c.first_seen)
    return conn.execute(query).all()


def counts(conn: Connection) -> dict[tuple[str, str, str], int]:
    """``{(site, kind, state): rows}`` over the whole table (for the report); empty without the table
    (a database written before URL state existed)."""
    if not inspect(conn).has_table("url_state"):
        return {}
    query = select(url_state.c.site, url_state.c.kind, url_state.c.state, func.count()).group_by(
        url_state.c.site, url_state.c.kind, url_state.c.state
    )
    return {(site, kind, state): n for site, kind, state, n in conn.execute(query)}
