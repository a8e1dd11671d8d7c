"""What a run is, to the commands that start one and to whoever reads its record afterwards: its id, its
status and exit status, and its record, ``{run_id, status, exit_code, sites: {site: summary}}``, kept
as ``<dir>/runs/<run id>.json`` and ``<dir>/last-run.json``.

The summary of each site is made by the RunSummary extension (newscrawl/crawl/summary.py); the command
that started the crawl (`newscrawl crawl`: newscrawl/ops/cli.py; `scrapy crawl`:
newscrawl/crawl/commands/crawl.py) reads it with ``crawler.get_extension(RunSummary)`` and writes the
record with :func:`write_run_record`.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path

from newscrawl.crawl.atomic import write_json_atomic

STATUS_OK, STATUS_FAILED, STATUS_DEGRADED = "ok", "failed", "degraded"
# Exit statuses of `newscrawl crawl` (documented in README#exit-status).
EXIT_OK, EXIT_CONFIG, EXIT_LOCKED, EXIT_FAILED, EXIT_DEGRADED = 0, 2, 3, 4, 5
EXIT_BY_STATUS = {STATUS_OK: EXIT_OK, STATUS_FAILED: EXIT_FAILED, STATUS_DEGRADED: EXIT_DEGRADED}


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by start time and never collides: ``20250106T031255.123456Z-3f9a``.

    Microseconds and 16 random bits: two crawls started in the same second (or microsecond,
    on two machines writing one database) get two ``runs`` rows."""
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%S.%f')}Z-{secrets.token_hex(2)}"


def run_record(run_id: str, summaries: dict[str, dict]) -> dict:
    """What last-run.json and runs/<run id>.json hold, however the crawl was started (`newscrawl crawl`,
    `scrapy crawl -s NEWSCRAWL_OUT_DIR=...`, Scrapyd): ``{run_id, status, exit_code, sites: {site: summary}}``,
    the worst site's status and the exit status it maps to."""
    severity = {STATUS_OK: 0, STATUS_DEGRADED: 1, STATUS_FAILED: 2}
    status = max((s["status"] for s in summaries.values()), key=severity.__getitem__, default=STATUS_FAILED)
    return {"run_id": run_id, "status": status, "exit_code": EXIT_BY_STATUS[status], "sites": summaries}


def write_run_record(out_dir, record: dict) -> None:
    """Write a run's record (:func:`run_record`, or a run that did not start) as ``runs/<run id>.json``
    and ``last-run.json`` in ``out_dir``, each replaced whole. OSError (a full or read-only disk) is the
    caller's to report."""
    base = Path(out_dir)
    write_json_atomic(base / "runs" / f"{record['run_id']}.json", record)
    write_json_atomic(base / "last-run.json", record)
