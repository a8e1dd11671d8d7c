"""NEWSCRAWL_EXTRACT_WORKERS: article pages extracted in worker processes give the same items as
in-process extraction, a worker killed mid-crawl loses nothing, and a bad value fails fast."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, REPO, read_jsonl, run_scrapy

from tests.support.fixtures import FixtureServer, fixture_site_dir

from benchmarks.crawl_throughput import process_tree  # the benchmark's /proc walker

# Fields that differ between two crawls of the same pages whatever extracts them.
RUN_FIELDS = {"crawled_at"}


def crawl_args(server, out: Path, *extra: str) -> list[str]:
    return ["crawl", "tuyengiao", "-a", f"base_url={server.url}", "-O", str(out / "articles.jsonl"),
            "-s", f"NEWSCRAWL_DB_URL=sqlite:///{out / 'db.sqlite'}",
            "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}",
            "-s", "AUTOTHROTTLE_ENABLED=False", *extra]


def comparable(items: list[dict]) -> dict[str, dict]:
    return {item["url"]: {k: v for k, v in item.items() if k not in RUN_FIELDS} for item in items}


def test_workers_give_the_same_items_as_in_process(tmp_path, tuyengiao_expected):
    outs = {}
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        for workers in (0, 2):
            out = tmp_path / f"w{workers}"
            out.mkdir()
            result = run_scrapy(crawl_args(server, out, "-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}"))
            assert result.returncode == 0, result.stderr[-3000:]
            outs[workers] = comparable(read_jsonl(out / "articles.jsonl"))
    assert len(outs[0]) == len(tuyengiao_expected["articles"])
    assert outs[2] == outs[0]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker processes through /proc (Linux)")
def test_a_killed_worker_loses_nothing(tmp_path, tuyengiao_expected):
    out = tmp_path / "out"
    out.mkdir()
    # A slow site keeps pages in flight in the pool when its workers are killed.
    with FixtureServer(fixture_site_dir("tuyengiao"), delay=0.15) as server:
        proc = subprocess.Popen([str(BIN / "scrapy"), *crawl_args(server, out, "-s", "NEWSCRAWL_EXTRACT_WORKERS=2")],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        article_paths = {a["path"] for a in tuyengiao_expected["articles"]}
        killed = []
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline and proc.poll() is None:
            articles_served = sum(1 for p in server.paths() if p.split("?")[0] in article_paths)
            # the pool's workers are the grandchildren of the crawl (forked by the forkserver, its child)
            workers = [p for p, (depth, _cpu, _rss) in process_tree(proc.pid).items() if depth == 2]
            if workers and articles_served >= 10:
                for pid in workers:
                    os.kill(pid, signal.SIGKILL)
                killed = workers
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=120)
    assert killed, "the crawl ended before its extraction workers could be killed"
    assert proc.returncode == 0, stderr[-3000:]
    items = read_jsonl(out / "articles.jsonl")
    urls = [item["url"].removeprefix(server.url) for item in items]
    assert sorted(urls) == sorted(a["path"] for a in tuyengiao_expected["articles"])
    assert "an extraction worker died" in stderr
    assert "'newscrawl/extract_workers/restarted'" in stderr


def test_bad_worker_count_fails_fast(tmp_path):
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        result = run_scrapy(crawl_args(server, tmp_path, "-s", "NEWSCRAWL_EXTRACT_WORKERS=-1"))
    assert result.returncode == 2  # checked before the crawl starts (newscrawl/crawl/config.py): one line, no traceback
    assert result.stderr.strip() == "scrapy crawl: -s NEWSCRAWL_EXTRACT_WORKERS='-1': expected a whole number >= 0"
