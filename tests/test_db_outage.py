"""A database outage in the middle of a real crawl loses nothing and does not stop the fetching.

PostgreSQL sits behind a TCP proxy (tests/support/tcpproxy.py) that, once the crawl has stored some articles,
refuses connections and drops the open ones for 20 s, then forwards again. Before, the first item
whose dedupe lookup met the outage ran out of retries (time.sleep on the reactor thread, about 15 s in
all, during which nothing was fetched) and was dropped ("Error processing"); the run exited 0.
"""
from __future__ import annotations

import json
import threading
import time

import pytest
from conftest import read_jsonl, run_scrapy
from tests.support.faultserver import parse_stats
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from tests.support.tcpproxy import TcpProxy

from tests.support.fixtures import FixtureServer, fixture_site_dir
from newscrawl.storage.schema import article_versions, articles
from tests.support.databases import postgres_unavailable, temporary_postgres_database

OUTAGE_SECONDS = 20.0

pytestmark = pytest.mark.postgres


def count_rows(url: str, table) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    except Exception:  # noqa: BLE001 - no table yet
        return 0
    finally:
        engine.dispose()


def crawl_through_outage(tmp_path, extra=(), outage_after_requests: int = 12):
    """Crawl the fixture site into PostgreSQL behind a proxy that goes down once; return what happened."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    requests: list[tuple[float, str]] = []
    started = threading.Event()

    def log(line: str) -> None:
        requests.append((time.monotonic(), line))
        if len(requests) >= outage_after_requests:
            started.set()

    with temporary_postgres_database() as direct_url:
        target = make_url(direct_url)
        with TcpProxy(target.host, target.port or 5432) as proxy, \
                FixtureServer(fixture_site_dir("tuyengiao"), log=log) as site:
            via_proxy = target.set(port=proxy.port).render_as_string(hide_password=False)

            def outage():
                if started.wait(120):
                    proxy.outage(OUTAGE_SECONDS)

            thread = threading.Thread(target=outage, daemon=True)
            thread.start()
            out = tmp_path / "out"
            # One request at a time, a little apart: the crawl still fetches while the database is away.
            result = run_scrapy([
                "crawl", "tuyengiao", "-a", f"base_url={site.url}", "-O", str(out / "items.jsonl"),
                "-s", f"NEWSCRAWL_DB_URL={via_proxy}", "-s", "NEWSCRAWL_DB_BATCH_SIZE=4",
                "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}", "-s", f"NEWSCRAWL_RUNS_DIR={out}",
                "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.4", "-s", "AUTOTHROTTLE_ENABLED=False",
                *extra,
            ], timeout=400)
            thread.join(OUTAGE_SECONDS + 5)
        stored = count_rows(direct_url, articles)
        versions = count_rows(direct_url, article_versions)
    summary = json.loads((out / "last-run.json").read_text(encoding="utf-8"))["sites"]["tuyengiao"]
    return result, parse_stats(result.stderr), summary, proxy.down_intervals, requests, stored, versions, out


def test_twenty_seconds_without_postgres_lose_nothing_and_the_crawl_keeps_fetching(tmp_path, tuyengiao_expected):
    expected = len(tuyengiao_expected["articles"])
    result, stats, summary, down, requests, stored, versions, out = crawl_through_outage(tmp_path)

    assert len(down) == 1, "the outage did not happen"
    start, end = down[0]
    assert "Error processing" not in result.stderr, result.stderr[-4000:]
    assert result.returncode == 0, result.stderr[-3000:]
    assert summary["status"] == "ok", summary["problems"]
    assert stored == expected and versions == expected  # every article once, one version each
    assert len(read_jsonl(out / "items.jsonl")) == expected
    assert stats.get("newscrawl/db/retries", 0) >= 1  # the crawl did meet the outage
    # The reactor was not blocked: pages kept being fetched while the database was away.
    during = [line for when, line in requests if start + 2 <= when <= end - 2]
    assert len(during) >= 8, f"{len(during)} requests during the outage: the fetching stalled"
    assert requests[-1][0] > start  # (and the crawl was not over before the outage began)


def test_an_outage_longer_than_the_bound_fails_the_items_it_met_and_the_run(tmp_path, tuyengiao_expected):
    """NEWSCRAWL_DB_OUTAGE_MAX_SECONDS=5 against the same 20 s outage: the items that met the outage after
    5 s fail (not stored, never silently), the staged batch is still written once the database is back,
    and the run's status is "failed" with the reason."""
    expected = len(tuyengiao_expected["articles"])
    result, stats, summary, down, requests, stored, versions, out = crawl_through_outage(
        tmp_path, extra=("-s", "NEWSCRAWL_DB_OUTAGE_MAX_SECONDS=5"))

    assert len(down) == 1, "the outage did not happen"
    failed_items = result.stderr.count("Error processing")
    assert failed_items >= 1 and "DatabaseOutage" in result.stderr
    assert stored == versions == expected - failed_items  # the rest, the staged batch included, is stored
    assert not stats.get("newscrawl/db/lost")
    assert stats["newscrawl/db/outage_errors"] >= failed_items
    assert summary["status"] == "failed"
    assert any("NEWSCRAWL_DB_OUTAGE_MAX_SECONDS" in p for p in summary["problems"]), summary["problems"]
