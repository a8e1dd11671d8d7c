"""The durable URL state (newscrawl/crawl/urlstate.py) through real `newscrawl crawl` runs: whatever kills a
run, the next clean runs store every article once; failed URLs are retried by later runs with
backoff, then given up; a run that leaves discovered work unfinished says so with its exit status."""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import BIN, REPO, read_jsonl
from tests.support.faultserver import FaultServer

from tests.support.fixtures import FixtureServer, fixture_site_dir
from newscrawl.crawl.runs import EXIT_FAILED, EXIT_OK

KILLS_PER_SEED = 4
SEEDS = range(5)  # 5 seeds x 4 kills = 20 kills at random moments


def crawl_cmd(out: Path, base_url: str, *extra: str) -> list[str]:
    return [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--base-url", base_url,
            "-s", "AUTOTHROTTLE_ENABLED=False", *extra]


def run(cmd, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def db_rows(out: Path, sql: str, params=()):
    with sqlite3.connect(out / "newscrawl.sqlite") as db:
        return db.execute(sql, params).fetchall()


def jsonl_lines(out: Path) -> list[dict]:
    return [line for path in sorted((out / "articles").glob("*.jsonl")) for line in read_jsonl(path)]


def last_run(out: Path, site: str = "tuyengiao") -> dict:
    return json.loads((out / "last-run.json").read_text())["sites"][site]


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_at_random_moments_then_clean_runs_store_every_article_once(tmp_path, seed, tuyengiao_expected):
    rng = random.Random(seed)
    out = tmp_path / "out"
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    with FixtureServer(fixture_site_dir("tuyengiao"), delay=0.02) as server:
        for _ in range(KILLS_PER_SEED):
            # Small batches: a kill finds articles written, others fetched and not yet written, listing
            # pages not yet visited, and lines in the JSONL part file.
            proc = subprocess.Popen(crawl_cmd(out, server.url, "-s", "NEWSCRAWL_DB_BATCH_SIZE=5"),
                                    cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            served_before, target = len(server.paths()), rng.randint(1, 58)
            deadline = time.monotonic() + 60
            while proc.poll() is None and len(server.paths()) - served_before < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.random() * 0.3)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        results = [run(crawl_cmd(out, server.url)) for _ in range(2)]
    assert [r.returncode for r in results] == [EXIT_OK, EXIT_OK], results[-1].stderr[-3000:]
    stored = sorted(r[0] for r in db_rows(out, "SELECT canonical_url FROM articles"))
    assert stored == expected
    lines = jsonl_lines(out)
    assert sorted(line["canonical_url"] for line in lines) == expected  # each article once in the JSONL too
    assert db_rows(out, "SELECT COUNT(*) FROM url_state WHERE state = 'discovered'") == [(0,)]


def test_a_kill_after_the_first_listing_pages_loses_no_later_page(tmp_path, tuyengiao_expected):
    out = tmp_path / "out"
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    with FixtureServer(fixture_site_dir("tuyengiao"), delay=0.3) as slow:
        proc = subprocess.Popen(crawl_cmd(out, slow.url, "-s", "CONCURRENT_REQUESTS=1"),
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        # Killed as soon as a page-2 listing URL is recorded: its articles were never seen.
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "newscrawl.sqlite").exists():
                try:
                    if db_rows(out, "SELECT COUNT(*) FROM url_state WHERE kind = 'listing'")[0][0]:
                        break
                except sqlite3.OperationalError:
                    pass  # the table is being created
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    pending = db_rows(out, "SELECT url_key FROM url_state WHERE kind = 'listing' AND state = 'discovered'")
    assert pending, "the kill came too late to test anything"
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        resumed = run(crawl_cmd(out, server.url))
        fetched = set(server.paths())
    assert resumed.returncode == EXIT_OK, resumed.stderr[-3000:]
    assert all(any(p.startswith(key.split("?")[0]) for p in fetched) for (key,) in pending)
    assert sorted(r[0] for r in db_rows(out, "SELECT canonical_url FROM articles")) == expected


def test_a_failed_url_is_retried_by_later_runs_with_backoff_then_given_up(tmp_path):
    out = tmp_path / "out"
    retry = ("-s", "RETRY_TIMES=0", "-s", "NEWSCRAWL_URL_MAX_ATTEMPTS=3")
    with FaultServer(faults=("500-always",), articles_good=6) as server:
        path = server.fault_path("500-always")
        first = run(crawl_cmd(out, server.url, *retry))
        assert len(server.requests_for(path)) == 1
        state = db_rows(out, "SELECT state, attempts, reason FROM url_state WHERE url_key = ?", (path,))
        assert state == [("failed", 1, "http_500")]
        # The next run comes before the backoff has passed: the URL waits.
        waiting = run(crawl_cmd(out, server.url, *retry))
        assert len(server.requests_for(path)) == 1, waiting.stderr[-2000:]
        # Once it is due, later runs ask for it again, until the attempts run out.
        due = ("-s", "NEWSCRAWL_URL_RETRY_MINUTES=0")
        run(crawl_cmd(out, server.url, *retry, *due))
        assert len(server.requests_for(path)) == 2
        assert last_run(out)["urls"]["retried"] == 1
        run(crawl_cmd(out, server.url, *retry, *due))
        assert db_rows(out, "SELECT state, attempts FROM url_state WHERE url_key = ?", (path,)) == [("given_up", 3)]
        after = run(crawl_cmd(out, server.url, *retry, *due))
        assert len(server.requests_for(path)) == 3  # given up: never asked for again
    # (A retry run that fails again may fail the run on NEWSCRAWL_MAX_ERROR_RATE: 1 request of few.)
    for result in (first, waiting, after):
        assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert last_run(out)["urls"]["pending"] == 0


FAILING_PIPELINE = """
class FailOnce:
    # A pipeline that fails on one article, as a bug or an outage would: the article is not stored.
    def process_item(self, item, spider=None):
        if item["url"].endswith("{suffix}"):
            raise RuntimeError("a pipeline broke on this article")
        return item
"""


def test_an_article_lost_in_the_pipelines_fails_the_run_and_is_fetched_again(tmp_path, tuyengiao_expected):
    out = tmp_path / "out"
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    victim = expected[3]
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "failing_pipeline.py").write_text(FAILING_PIPELINE.replace("{suffix}", urlsplit(victim).path))
    pipelines = json.dumps({"newscrawl.crawl.pipelines.validate.ValidatePipeline": 200,
                            "failing_pipeline.FailOnce": 250,
                            "newscrawl.crawl.pipelines.dedupe.DedupePipeline": 300,
                            "newscrawl.crawl.pipelines.store.DatabaseStorePipeline": 400})
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        env_cmd = crawl_cmd(out, server.url, "-s", f"ITEM_PIPELINES={pipelines}")
        broken = subprocess.run(env_cmd, cwd=REPO, capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONPATH": str(plugin)})
        assert broken.returncode == EXIT_FAILED, broken.stderr[-2000:]
        summary = last_run(out)
        assert summary["urls"]["pending"] == 1
        assert any("stay pending" in p for p in summary["problems"]), summary["problems"]
        assert victim not in {r[0] for r in db_rows(out, "SELECT canonical_url FROM articles")}
        fixed = run(crawl_cmd(out, server.url))
    assert fixed.returncode == EXIT_OK, fixed.stderr[-2000:]
    assert sorted(r[0] for r in db_rows(out, "SELECT canonical_url FROM articles")) == expected


def test_an_article_stored_but_unsettled_when_killed_reaches_the_jsonl_on_the_next_run(tmp_path, tuyengiao_expected):
    """What a kill leaves when it falls between the database commit of an article's batch and the JSONL
    line of that article (items interleave: another item's batch commit can come first): the article
    stored, its URL still `discovered`, no JSONL line. The next run emits it again and writes nothing."""
    out = tmp_path / "out"
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    victim = expected[5]
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        assert run(crawl_cmd(out, server.url)).returncode == EXIT_OK
        (jsonl,) = (out / "articles").glob("*.jsonl")
        kept = [line for line in jsonl.read_text(encoding="utf-8").splitlines(True) if victim not in line]
        jsonl.write_text("".join(kept), encoding="utf-8")
        with sqlite3.connect(out / "newscrawl.sqlite") as db:
            db.execute("UPDATE url_state SET state = 'discovered' WHERE url_key = ?", (urlsplit(victim).path,))
        resumed = run(crawl_cmd(out, server.url))
    assert resumed.returncode == EXIT_OK, resumed.stderr[-2000:]
    assert sorted(line["canonical_url"] for line in jsonl_lines(out)) == expected
    assert db_rows(out, "SELECT version FROM articles WHERE canonical_url = ?", (victim,)) == [(1,)]
    assert db_rows(out, "SELECT COUNT(*) FROM article_versions WHERE canonical_url = ?", (victim,)) == [(1,)]
    assert db_rows(out, "SELECT state FROM url_state WHERE url_key = ?", (urlsplit(victim).path,)) == [("stored",)]
