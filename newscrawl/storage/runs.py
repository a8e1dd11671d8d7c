"""Run records (table ``runs``): one row per spider run, written when it starts and again when it ends,
and read back for the next run's monitors and for the report."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from newscrawl.storage.articles import utcnow
from newscrawl.storage.engine import connected, ensure_sqlite_parent
from newscrawl.storage.schema import dialect_insert, init_schema, runs


def _jsonable(value):
    """Scrapy stats hold datetimes and other objects: make them JSON values."""

    def default(obj):
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        return str(obj)

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def _upsert_statement(dialect: str):
    stmt = dialect_insert(dialect, runs)
    ex = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[runs.c.run_id],
        set_={
            "sites": ex.sites,
            "finished_at": func.coalesce(ex.finished_at, runs.c.finished_at),
            "stats": func.coalesce(ex.stats, runs.c.stats),
            "status": ex.status,
        },
    )


def record_run(
    db: str | Engine,
    run_id: str,
    sites=(),
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    stats: Mapping | None = None,
    status: str = "running",
) -> None:
    """Insert or update the ``runs`` row of ``run_id``; creates the tables if needed.

    ``db``: the crawl's engine, or a database URL (an engine for this call only). Call it with
    ``status="running"`` when a run starts and again with ``finished_at``, ``stats`` (e.g.
    ``crawler.stats.get_stats()``) and a final status ("finished", "failed", ...) when it ends;
    values left ``None`` keep what is stored. Opens no near-duplicate index, so it is cheap on a
    large database.
    """
    if isinstance(db, str):
        ensure_sqlite_parent(db)
    params = {
        "run_id": run_id,
        "sites": [sites] if isinstance(sites, str) else list(sites or ()),
        "started_at": started_at or utcnow(),
        "finished_at": finished_at,
        "stats": _jsonable(stats) if stats is not None else None,
        "status": status,
    }
    with connected(db) as engine:
        init_schema(engine)
        with engine.begin() as conn:
            conn.execute(_upsert_statement(engine.dialect.name), params)


def _stats(value) -> dict | None:
    return json.loads(value) if isinstance(value, str) else value


def recent_run_stats(db: str | Engine, limit: int) -> list[dict | None]:
    """The stats (run summaries) of the ``limit`` latest runs, newest first. ``db``: an engine or a URL."""
    query = select(runs.c.stats).order_by(runs.c.started_at.desc()).limit(limit)
    with connected(db) as engine, engine.connect() as conn:
        return [_stats(stats) for (stats,) in conn.execute(query)]


def recent_runs(conn: Connection, limit: int) -> list[tuple]:
    """``(run_id, started_at, status, stats)`` of the ``limit`` latest runs, newest first."""
    query = (select(runs.c.run_id, runs.c.started_at, runs.c.status, runs.c.stats)
             .order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit))
    return [(run_id, started, status, _stats(stats)) for run_id, started, status, stats in conn.execute(query)]
