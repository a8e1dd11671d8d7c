"""What a run's JSONL holds, and seeing it grow: through real `scrapy crawl`, `newscrawl crawl` and
`newscrawl demo` subprocesses against the fixture server on 127.0.0.1.

- `scrapy crawl -O` holds everything the crawl scraped: a rerun with NEWSCRAWL_INCREMENTAL=0 dumps
  every article again (unchanged ones included), and says once what it skipped or dropped;
- `-o` twice into one file appends: two fresh databases give twice the lines, no silent dedupe;
- `newscrawl crawl` keeps its daily files of new and updated articles (NEWSCRAWL_FEED_ITEMS "changed");
- the JSONL grows while the crawl runs (not only at its end), and `newscrawl crawl` shows progress,
  as plain lines when stderr is no terminal and as a live bar when it is one;
- `newscrawl demo` gives the same articles.jsonl and rejects.jsonl every time.
"""
from __future__ import annotations

import fcntl
import json
import re
import os
import pty
import sqlite3
import struct
import subprocess
import termios
import time
from pathlib import Path
from urllib.parse import urlsplit

from conftest import BIN, REPO, read_jsonl, run_newscrawl, run_scrapy

from tests.support.fixtures import FixtureServer, fixture_site_dir

ARTICLES = 47  # fixtures/tuyengiao/expected.json


def scrapy_crawl(base_url: str, db: Path, *extra: str):
    return run_scrapy(["crawl", "tuyengiao", "-a", f"base_url={base_url}", "-s", f"NEWSCRAWL_DB_URL=sqlite:///{db}",
                       "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"NEWSCRAWL_REJECTS_PATH={db.parent / 'rejects.jsonl'}",
                       "-s", f"NEWSCRAWL_FAILURES_PATH={db.parent / 'failures.jsonl'}", *extra])


def test_scrapy_crawl_O_again_dumps_every_article_and_says_once_what_it_skipped(tmp_path, tuyengiao_server):
    db, feed = tmp_path / "db.sqlite", tmp_path / "out.jsonl"
    first = scrapy_crawl(tuyengiao_server.url, db, "-O", str(feed))
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(read_jsonl(feed)) == ARTICLES

    # Incremental (the default): the stored articles are not fetched; the log says so, once.
    second = scrapy_crawl(tuyengiao_server.url, db, "-O", str(feed))
    assert second.returncode == 0, second.stderr[-3000:]
    assert read_jsonl(feed) == []
    known = [line for line in second.stderr.splitlines() if "known articles skipped" in line]
    assert len(known) == 1, second.stderr[-3000:]
    assert re.search(r"INFO: \d+ known articles skipped", known[0]), known

    # Incremental off: every article is fetched again and dumped, unchanged ones included; the
    # database keeps one version of each.
    third = scrapy_crawl(tuyengiao_server.url, db, "-O", str(feed), "-s", "NEWSCRAWL_INCREMENTAL=0")
    assert third.returncode == 0, third.stderr[-3000:]
    assert len(read_jsonl(feed)) == ARTICLES
    unchanged = [line for line in third.stderr.splitlines() if "unchanged articles:" in line]
    assert len(unchanged) == 1, third.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*), MAX(version) FROM articles").fetchone() == (ARTICLES, 1)
        assert conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == ARTICLES
        # the URL state still records each unchanged article's URL as stored
        assert conn.execute("SELECT COUNT(*) FROM url_state WHERE kind = 'article' AND state = 'stored'"
                            ).fetchone()[0] == ARTICLES
        assert conn.execute("SELECT COUNT(*) FROM url_state WHERE state = 'discovered'").fetchone()[0] == 0


def test_scrapy_crawl_o_twice_appends_every_line(tmp_path, tuyengiao_server):
    feed = tmp_path / "out.jsonl"
    for n in (1, 2):
        done = scrapy_crawl(tuyengiao_server.url, tmp_path / f"db{n}.sqlite", "-o", str(feed))
        assert done.returncode == 0, done.stderr[-3000:]
    assert len(read_jsonl(feed)) == 2 * ARTICLES


def test_newscrawl_crawl_keeps_daily_files_of_changed_articles(tmp_path, tuyengiao_server):
    out = tmp_path / "out"
    cmd = ["crawl", "tuyengiao", "--out", str(out), "--base-url", tuyengiao_server.url,
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_INCREMENTAL=0"]
    assert run_newscrawl(cmd).returncode == 0
    again = run_newscrawl(cmd)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"unchanged={ARTICLES}" in again.stdout, again.stdout
    lines = [r for path in (out / "articles").glob("*.jsonl") for r in read_jsonl(path)]
    assert len(lines) == ARTICLES  # the unchanged articles of the second run are not appended


def test_the_jsonl_grows_while_the_crawl_runs_and_progress_is_shown(tmp_path):
    out = tmp_path / "out"
    with FixtureServer(fixture_site_dir("tuyengiao"), delay=0.15) as slow:
        proc = subprocess.Popen(
            [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--base-url", slow.url,
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=2", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.5",
             "-s", "NEWSCRAWL_JSONL_PARTITION=none"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # A part of the articles, while the crawl is still fetching the rest (not the whole file at its end).
        partial = set()
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            jsonl = out / "articles.jsonl"
            if jsonl.exists():
                data = jsonl.read_bytes()
                assert not data or data.endswith(b"\n"), "a reader saw a cut line"
                if 0 < data.count(b"\n") < ARTICLES:
                    partial.add(data.count(b"\n"))
            if len(partial) >= 3:
                break
            time.sleep(0.1)
        stdout, stderr = proc.communicate(timeout=120)
    assert len(partial) >= 3, f"line counts seen while the crawl ran: {sorted(partial)}"
    assert proc.returncode == 0, stderr[-3000:]
    assert len(read_jsonl(out / "articles.jsonl")) == ARTICLES
    progress = [line for line in stderr.splitlines() if line.startswith("progress tuyengiao:")]
    assert len(progress) >= 3, stderr[-3000:]
    assert all(k in progress[-1] for k in ("pages=", "articles=", "/s", "pending=")), progress[-1]
    assert "\r" not in stderr  # no bar drawn into a file


def test_progress_is_a_live_bar_on_a_terminal(tmp_path):
    out = tmp_path / "out"
    with FixtureServer(fixture_site_dir("tuyengiao"), delay=0.05) as slow:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a 120-column terminal
        proc = subprocess.Popen(
            [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--base-url", slow.url,
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.3", "--log-level", "WARNING"],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
        os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, shown[-3000:]
    redraws = [part for part in shown.split("\r") if part.startswith("tuyengiao: ") and "pending=" in part]
    assert len(redraws) >= 3, shown[-3000:]  # one bar, redrawn in place
    assert "progress tuyengiao:" not in shown  # the bar, not the plain lines


def test_demo_gives_the_same_result_every_time(tmp_path):
    results = []
    for _ in range(3):
        demo = run_newscrawl(["demo", "--out", str(tmp_path)])
        assert demo.returncode == 0, demo.stderr[-3000:]
        articles = tmp_path / "articles.jsonl"
        rejects = tmp_path / "rejects.jsonl"
        assert f"articles written  {ARTICLES}" in demo.stdout, demo.stdout
        results.append((sorted(r["canonical_url"] for r in read_jsonl(articles)),
                        sorted(json.dumps(r["reasons"]) + urlsplit(r["url"]).path for r in read_jsonl(rejects))
                        if rejects.exists() else []))
        assert f"rejected          {len(results[-1][1])}  -> {rejects}" in demo.stdout, demo.stdout
    assert len(results[0][0]) == ARTICLES
    assert results[1] == results[0] and results[2] == results[0]


def test_a_repaired_feed_takes_the_umask_of_when_it_is_written_not_of_import_time(tmp_path):
    """A daemon may set its umask after importing newscrawl: the rewritten feed follows the umask then in force
    (and importing the module leaves the process umask alone)."""
    feed = tmp_path / "articles.jsonl"
    feed.write_bytes(b'{"canonical_url": "https://a.vn/1", "content_hash": "h1"}\n{"canonical_url": "https://a.v')
    code = f"""
import os
os.umask(0o022)
import newscrawl.crawl.feeds as feeds
assert os.umask(0o077) == 0o022, "importing feeds changed the umask"
storage = feeds.AtomicFileFeedStorage({str(feed.as_uri())!r}, feed_options={{"overwrite": False}})
storage.store(storage.open(None))
print(oct(os.stat({str(feed)!r}).st_mode & 0o777))
"""
    result = subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "0o600"  # 0o666 & ~0o077: the cut line repaired under the umask in force
