"""Pages validation rejected (table ``rejects``): one row per URL, with its latest reasons, so that
incremental runs do not fetch them again within ``NEWSCRAWL_REJECT_RETRY_HOURS``."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from newscrawl.storage.articles import utcnow
from newscrawl.storage.schema import dialect_insert, rejects


def record_reject(conn: Connection, url: str, site: str, reasons) -> None:
    """Insert the reject of ``url``, or update its reasons and count."""
    now = utcnow()
    stmt = dialect_insert(conn.dialect.name, rejects)
    stmt = stmt.on_conflict_do_update(
        index_elements=[rejects.c.url],
        set_={"reasons": stmt.excluded.reasons, "last_rejected": stmt.excluded.last_rejected,
              "count": rejects.c.count + 1},
    )
    conn.execute(stmt, {"url": url, "site": site, "reasons": list(reasons), "first_rejected": now,
                        "last_rejected": now, "count": 1})


def rejected_since(conn: Connection, site: str, since: datetime) -> list[str]:
    """URLs of ``site`` rejected at or after ``since``."""
    query = select(rejects.c.url).where(rejects.c.site == site, rejects.c.last_rejected >= since)
    return [url for (url,) in conn.execute(query)]
