"""Outputs that fail loudly and recover whole, every dropped download recorded, unique run ids.

Each test runs `newscrawl crawl` as cron does (a subprocess) against a server on 127.0.0.1:

- a full disk under --out (a small tmpfs; needs root, else skipped saying why) stops the run
  within seconds with exit 4 and a one-line problem, and once space is freed the next runs store
  every article, each once, in the database and in a JSONL with no cut line;
- a JSONL that ends in a cut line, or holds a cut line merged into the next, is repaired by whole
  lines at the next merge;
- decompression bombs (gzip, deflate, br, zstd, gzip in gzip) are in failures.jsonl, and a site
  whose every article is one ends non-zero;
- a JSONL path that is a directory ends non-zero; a read-only --out is refused before the crawl
  with one line (exit 2); neither prints a traceback;
- two crawls started in the same second get two `runs` rows.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import time
import zlib
from pathlib import Path

import brotli
import pytest
from backports import zstd
from conftest import BIN, REPO, read_jsonl

from tests.support.fixtures import FixtureServer, RequestRecord, fixture_site_dir
from newscrawl.crawl.runs import EXIT_CONFIG, EXIT_FAILED, EXIT_OK

ARTICLES = 47  # the fixture site's articles (fixtures/tuyengiao/expected.json)
ARTICLE_PATH = re.compile(r"-\d{4,}$")


def crawl_cmd(out: Path, base_url: str, *extra: str) -> list[str]:
    return [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--base-url", base_url,
            "-s", "AUTOTHROTTLE_ENABLED=False", *extra]


def run(cmd, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def jsonl_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), f"{path} ends in a cut line: {data[-200:]!r}"
    return data.splitlines()


def assert_whole_lines(path: Path) -> list[dict]:
    """Every line of ``path`` is one whole JSON object; returns them."""
    records = []
    for number, line in enumerate(jsonl_lines(path), 1):
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"{path}:{number} is a cut or merged line: {line[:120]!r}...{line[-120:]!r}")
        assert isinstance(record, dict), f"{path}:{number}"
        records.append(record)
    return records


def sqlite_count(db: Path, sql: str):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


# ---------------------------------------------------------------------------
# mounts (root only)
# ---------------------------------------------------------------------------
def mount_tmpfs(where: Path, options: str) -> None:
    """Mount a tmpfs at ``where``; skips the test, saying why, when this process may not."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a full or read-only disk)")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs refused: {done.stderr.strip()}")


@pytest.fixture
def mounts():
    mounted: list[Path] = []
    yield mounted
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


# ---------------------------------------------------------------------------
# a full disk
# ---------------------------------------------------------------------------
def test_full_disk_stops_the_run_at_once_and_the_next_runs_recover_every_article(tmp_path, mounts, tuyengiao_server):
    out = tmp_path / "out"
    # 200 KiB: the database, the JSONL part file and the job queue fill it about a third of the way
    # through the fixture site (the whole crawl needs about 460 KiB).
    mount_tmpfs(out, "size=200k")
    mounts.append(out)
    started = time.monotonic()
    full = run(crawl_cmd(out, tuyengiao_server.url), timeout=90)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the run on a full disk took {elapsed:.0f} s"
    assert full.returncode == EXIT_FAILED, full.stderr[-3000:]
    line = next(x for x in full.stdout.splitlines() if x.startswith("tuyengiao: "))
    assert "failed" in line and "No space left on device" in line, line

    subprocess.run(["mount", "-o", "remount,size=20m", str(out)], check=True)  # space is freed
    # The first run after may meet the job queue (JOBDIR) the full disk corrupted and fetch nothing:
    # it must then fail, never end "ok" with articles missing; the run after it starts afresh.
    statuses = []
    for attempt in (1, 2, 3):
        after = run(crawl_cmd(out, tuyengiao_server.url))
        statuses.append(after.returncode)
        stored = sqlite_count(out / "newscrawl.sqlite", "SELECT COUNT(*) FROM articles")
        assert after.returncode in (EXIT_OK, EXIT_FAILED), after.stdout + after.stderr[-3000:]
        if after.returncode == EXIT_OK:
            break
    assert after.returncode == EXIT_OK, f"no clean run after freeing space: {statuses}"
    assert stored == ARTICLES, f"ok with {stored} of {ARTICLES} articles after runs {statuses}"
    jsonl = next((out / "articles").glob("*.jsonl"))
    records = assert_whole_lines(jsonl)
    urls = [r["canonical_url"] for r in records]
    assert len(urls) == len(set(urls)) == ARTICLES
    leftovers = [p.name for p in (out / "articles").iterdir() if p.suffix in (".part", ".merge")]
    assert not leftovers, leftovers


def test_cut_and_merged_lines_in_the_jsonl_are_repaired_by_whole_lines(tmp_path, tuyengiao_server):
    out = tmp_path / "out"
    cmd = crawl_cmd(out, tuyengiao_server.url, "-s", "NEWSCRAWL_JSONL_PARTITION=none")
    assert run(cmd).returncode == EXIT_OK
    jsonl = out / "articles.jsonl"
    lines = jsonl_lines(jsonl)
    assert len(lines) == ARTICLES
    # What a full disk or a plain appender leaves: line 5 cut and line 6 appended to it, line 7
    # cut at the end of the file with no newline. Line 6 is made a version of its own, so only
    # the repair (not the crawl below, which fetches every article again) can keep it.
    kept = json.loads(lines[5])
    kept["content_hash"] = "salvaged-from-a-merged-line"
    merged = lines[4][: len(lines[4]) // 2] + json.dumps(kept, ensure_ascii=False).encode()
    jsonl.write_bytes(b"\n".join(lines[:4] + [merged] + lines[7:]) + b"\n" + lines[6][:300])
    (out / "newscrawl.sqlite").unlink()  # the next crawl stores and emits every article again

    again = run(cmd)
    assert again.returncode == EXIT_OK, again.stderr[-3000:]
    records = assert_whole_lines(jsonl)
    keys = [(r["canonical_url"], r["content_hash"]) for r in records]
    assert len(keys) == len(set(keys)) == ARTICLES + 1
    assert ("salvaged-from-a-merged-line" in {r["content_hash"] for r in records})
    assert len({r["canonical_url"] for r in records}) == ARTICLES


# ---------------------------------------------------------------------------
# decompression bombs
# ---------------------------------------------------------------------------
BOMB_SIZE = 3 * 1024 * 1024  # decompressed; the crawls below set DOWNLOAD_MAXSIZE to 1 MiB
ENCODINGS = {
    "gzip": lambda data: gzip.compress(data),
    "deflate": lambda data: zlib.compress(data, 9),
    "br": lambda data: brotli.compress(data),
    "zstd": lambda data: zstd.compress(data),
    "gzip, gzip": lambda data: gzip.compress(gzip.compress(data)),  # a bomb inside a bomb
}


class BombServer(FixtureServer):
    """The fixture site, with article pages answered by decompression bombs (one encoding each, in turn)."""

    def __init__(self, root, bombs_every: int = 1):
        super().__init__(root)
        html = b"<html><body>" + b"<p>" + b" " * BOMB_SIZE + b"</p></body></html>"
        self.bombs = {name: encode(html) for name, encode in ENCODINGS.items()}
        self.bombs_every = bombs_every
        self.served: dict[str, str] = {}  # article path -> encoding of the bomb it got

    def _serve(self, handler, head):
        path = handler.path.split("?")[0]
        if not ARTICLE_PATH.search(path):
            return super()._serve(handler, head)
        with self._lock:
            encoding = self.served.get(path)
            if encoding is None:
                names = list(self.bombs)
                encoding = self.served[path] = names[len(self.served) % len(names)]
        body = self.bombs[encoding]
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", encoding)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)
        with self._lock:
            self.requests.append(RequestRecord(handler.command, handler.path, 200))


def test_decompression_bombs_are_recorded_and_a_site_of_bombs_fails(tmp_path):
    out = tmp_path / "out"
    with BombServer(fixture_site_dir("tuyengiao")) as server:
        # The error-rate rule off: the run must fail because no article arrived, not only because most
        # requests failed.
        done = run(crawl_cmd(out, server.url, "-s", "DOWNLOAD_MAXSIZE=1048576", "-s", "NEWSCRAWL_MAX_ERROR_RATE=1.0"))
    assert all(len(body) < 20_000 for body in server.bombs.values())  # small bodies, 3 MiB each decompressed
    assert done.returncode == EXIT_FAILED, done.stdout + done.stderr[-3000:]
    failures = read_jsonl(out / "failures.jsonl")
    by_url = {f["url"].removeprefix(server.url): f for f in failures}
    assert set(server.served) == {p for p in by_url if ARTICLE_PATH.search(p)}, "every bomb is in failures.jsonl"
    assert {f["reason"] for p, f in by_url.items() if ARTICLE_PATH.search(p)} == {"decompression_bomb"}
    recorded = {server.served[p] for p in by_url if p in server.served}
    assert recorded == set(ENCODINGS), recorded
    assert all("DOWNLOAD_MAXSIZE" in by_url[p]["detail"] for p in server.served)
    summary = json.loads((out / "last-run.json").read_text())["sites"]["tuyengiao"]
    assert summary["status"] == "failed" and summary["failures"]["decompression_bomb"] == len(server.served)
    assert any("no article extracted" in p for p in summary["problems"]), summary["problems"]


# ---------------------------------------------------------------------------
# outputs that cannot be written
# ---------------------------------------------------------------------------
def test_a_jsonl_path_that_is_a_directory_fails_the_run_in_one_line(tmp_path, tuyengiao_server):
    out = tmp_path / "out"
    (out / "articles.jsonl").mkdir(parents=True)
    done = run(crawl_cmd(out, tuyengiao_server.url, "-s", "NEWSCRAWL_JSONL_PARTITION=none"))
    assert done.returncode == EXIT_FAILED, done.stdout + done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    summary = json.loads((out / "last-run.json").read_text())["sites"]["tuyengiao"]
    assert summary["problems"] == [f"articles could not be written to {out / 'articles.jsonl'}: Is a directory"]
    assert summary["finish_reason"] == "output_error"
    assert summary["pages_fetched"] < 30, "the crawl stops when its output fails, not at the end"


def test_a_read_only_out_is_refused_before_the_crawl_in_one_line(tmp_path, mounts, tuyengiao_server):
    out = tmp_path / "out"
    mount_tmpfs(out, "ro,size=1m")
    mounts.append(out)
    done = run(crawl_cmd(out, tuyengiao_server.url))
    assert done.returncode == EXIT_CONFIG, done.stdout + done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Read-only file system" in lines[0] and str(out) in lines[0], lines
    assert not tuyengiao_server.paths(), "nothing is fetched for a crawl that could not be kept"


# ---------------------------------------------------------------------------
# run ids
# ---------------------------------------------------------------------------
def test_two_crawls_started_in_the_same_second_get_two_runs_rows(tmp_path, pg_url, tuyengiao_server):
    from sqlalchemy import create_engine, text

    from tests.support.databases import reset_database

    for attempt in range(4):  # the starts must fall in one second; rarely they straddle one
        reset_database(pg_url)
        outs = [tmp_path / f"try{attempt}" / name for name in ("a", "b")]
        time.sleep(1.05 - time.time() % 1)  # just after a second boundary: both start within it
        procs = [subprocess.Popen(crawl_cmd(o, tuyengiao_server.url, "--db", pg_url, "--max-pages", "1"), cwd=REPO,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for o in outs]
        results = [p.communicate(timeout=180) for p in procs]
        for p, (stdout, stderr) in zip(procs, results):
            assert p.returncode == EXIT_OK, stdout + stderr[-3000:]
        ids = [json.loads((o / "last-run.json").read_text())["run_id"] for o in outs]
        if ids[0][:15] == ids[1][:15]:  # 20250106T031255: the same second
            break
    else:
        pytest.skip(f"the two crawls never started in the same second: {ids}")
    assert ids[0] != ids[1]
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            rows = sorted(r[0] for r in conn.execute(text("SELECT run_id FROM runs")))
    finally:
        engine.dispose()
    assert rows == sorted(f"{i}-tuyengiao" for i in ids)
