"""benchmarks/scale.py on a tiny generated site, untimed: it runs through, every article is fetched and
stored once, and each figure it prints is there and sensible (memory at both marks, Redis bytes per
queued request and per seen URL, start-up times, write rates, the plan). The timings themselves are
read from a real run (docs/scaling.md)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

from benchmarks.scale import key_group, redis_footprint
from benchmarks.sitegen import GeneratedSite
from tests.support.databases import postgres_unavailable

ARTICLES = 100
RATE_ARTICLES = 60
REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}): the benchmark needs it")
    return client


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    redis_client()
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("scale")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale", "--articles", str(ARTICLES), "--workers", "2",
         "--rate-articles", str(RATE_ARTICLES), "--rate-workers", "1,2", "--keep", str(workdir)],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    figures, lines = {}, {}
    for line in proc.stdout.splitlines():
        if line.startswith(("figure ", "plan ")):
            kind, name, value = line.split()[:3]
            figures[name] = float(value.rstrip("x"))
            lines[name] = line
    return proc, figures, lines


def test_runs_and_stores_every_article_once(run):
    proc, figures, lines = run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert figures["articles_stored"] == ARTICLES
    assert f"fetched {ARTICLES}," in lines["articles_stored"]
    listings = len(GeneratedSite(articles=ARTICLES).listing_paths())
    # every article and listing once, robots.txt once per worker that fetched anything (on a site this
    # small the second worker may find the queue empty: exit 4)
    assert ARTICLES + listings + 1 <= figures["pages"] <= ARTICLES + listings + 2


def test_memory_is_read_at_both_marks_for_each_worker(run):
    _proc, figures, _lines = run
    mark = ARTICLES // 5
    for worker in ("worker0", "worker1"):
        at_mark, at_end = figures[f"{worker}_peak_rss_mb@{mark}"], figures[f"{worker}_peak_rss_mb@end"]
        assert 50 < at_mark <= at_end < 4000  # a Python crawl process; the peak never goes down
    assert figures[f"server_peak_rss_mb@{mark}"] > 10
    assert figures[f"pg_size_mb@{mark}"] > 1
    assert figures[f"redis_bytes@{mark}"] > 0


def test_redis_and_postgresql_unit_costs(run):
    _proc, figures, _lines = run
    assert figures["queue_peak_entries"] >= 1
    # a queued request is a serialised Scrapy request (URL, callback, meta): hundreds of bytes, not megabytes
    assert 50 < figures["redis_bytes_per_queued"] < 20_000
    assert 0 < figures["redis_bytes_per_seen_url"] < 20_000 and figures["seen_peak_entries"] > 0
    assert figures["redis_bytes_left"] == 0  # the crawl ended: its frontier went with its last worker
    assert figures["pg_rows_per_article"] >= 1
    assert figures["pg_bytes_per_article"] > 1000
    assert figures["worker_cpu_ms_per_page"] > 0


def test_startup_and_write_rates(run):
    _proc, figures, lines = run
    assert 0 < figures["startup_empty_s"] < 300 and 0 < figures["startup_full_s"] < 300
    for workers in (1, 2):
        assert figures[f"stored_per_s_{workers}w"] > 0
        assert "each article fetched once, stored once" in lines[f"stored_per_s_{workers}w"]
    assert figures["startup_ratio"] > 0 and figures["worker_cores"] > 0 and figures["pg_gb_per_day"] > 0


def test_plan_from_an_earlier_output_gives_the_same_plan(run, tmp_path):
    proc, _figures, _lines = run
    saved = tmp_path / "scale.out"
    saved.write_text(proc.stdout, encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--plan-from", str(saved)],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    printed = [line for line in proc.stdout.splitlines() if line.startswith("plan ")]
    assert printed and again.stdout.splitlines() == printed


def test_key_groups_fold_worker_ids():
    assert key_group("ncscale1:tuyengiao:inflight:host-12-ab12cd", "ncscale1") == "tuyengiao:inflight:*"
    assert key_group("ncscale1:tuyengiao:requests", "ncscale1") == "tuyengiao:requests"


def test_redis_footprint_counts_queued_entries_and_bytes():
    client = redis_client()
    prefix = "ncscaletest"
    try:
        client.zadd(f"{prefix}:site:requests", {b"a" * 300: 0, b"b" * 300: 0})
        client.sadd(f"{prefix}:site:dupefilter", "f1", "f2", "f3")
        client.hset(f"{prefix}:site:inflight:w1", "1", "x")
        groups = redis_footprint(client, prefix)
        assert set(groups) == {"site:requests", "site:dupefilter", "site:inflight:*"}
        assert groups["site:requests"][:2] == [1, 2] and groups["site:requests"][2] > 600
        assert groups["site:dupefilter"][1] == 0 and groups["site:dupefilter"][2] > 0
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
