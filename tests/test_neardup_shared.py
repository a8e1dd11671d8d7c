"""The near-duplicate index lives in the database, shared by every worker: real SQLite and real PostgreSQL,
real crawl processes through Scrapy's engine against a local HTTP server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import create_engine, select, text

from conftest import REPO
from newscrawl.storage import ArticleStore
from newscrawl.storage.dedupe import DUPLICATE_NEAR, NEW, Deduplicator
from newscrawl.storage.schema import articles
from tests.support.databases import make_item, vietnamese_text

PAIRS = 3


def story(n: int) -> tuple[str, list[str]]:
    return f"Tin thời sự số {n}: hội nghị tổng kết năm", vietnamese_text(900 + n, words=400)


def copy_of(n: int) -> tuple[str, list[str]]:
    """Story ``n`` republished: a prefix on the headline, a line added at the end (Jaccard about 0.95)."""
    title, body = story(n)
    return "Thời sự: " + title, body + ["(Theo Thông tấn xã)"]


def article_rows(db_url: str) -> dict[str, dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            query = select(articles.c.canonical_url, articles.c.duplicate_of, articles.c.first_seen)
            return {r.canonical_url: dict(r._mapping) for r in conn.execute(query)}
    finally:
        engine.dispose()


def near_duplicate_rows(db_url: str) -> list[tuple[str, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(
                text("SELECT canonical_url, duplicate_of FROM duplicates WHERE kind = 'near'")))
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- one process, two stores


def test_a_signature_is_seen_by_another_open_store_before_any_batch_is_written(db_url):
    ArticleStore(db_url).open().close()
    with ArticleStore(db_url) as first, ArticleStore(db_url) as second:  # both open before either checks
        title, body = story(1)
        assert Deduplicator(first).check(make_item("https://a.example.vn/1", title, body)).kind == NEW
        assert first.pending == 0  # nothing of the article is written yet, but its signature
        title, body = copy_of(1)
        decision = Deduplicator(second).check(make_item("https://b.example.vn/1", title, body))
        assert (decision.kind, decision.duplicate_of) == (DUPLICATE_NEAR, "https://a.example.vn/1")
        assert "https://a.example.vn/1" in second.neardup


# --------------------------------------------------------------------------- two crawl processes at once

WORKER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from tests.support.databases import make_item

    db_url, base_url, worker, pairs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    class PairSpider(scrapy.Spider):
        name = "pairs"

        async def start(self):
            for n in range(pairs):
                yield scrapy.Request(f"{base_url}/{worker}/{n}", dont_filter=True)

        def parse(self, response):
            data = json.loads(response.text)
            yield make_item(data["url"], data["title"], data["body"], site=data["site"])

    process = CrawlerProcess(settings={
        "NEWSCRAWL_DB_URL": db_url,
        "ITEM_PIPELINES": {
            "newscrawl.crawl.pipelines.dedupe.DedupePipeline": 300,
            "newscrawl.crawl.pipelines.store.DatabaseStorePipeline": 400,
        },
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    })
    crawler = process.create_crawler(PairSpider)
    process.crawl(crawler)
    process.start()
    print(json.dumps({k: v for k, v in crawler.stats.get_stats().items() if k.startswith("newscrawl/articles/")}))
    """
)


class PairServer:
    """Serves story n to worker "a" and its copy to worker "b", holding each response until both workers
    asked for their page of pair n (a barrier), so that the two arrive at the same moment."""

    def __init__(self):
        barriers = [threading.Barrier(2, timeout=60) for _ in range(PAIRS)]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                _, worker, n = self.path.split("/")
                title, body = story(int(n)) if worker == "a" else copy_of(int(n))
                barriers[int(n)].wait()
                data = json.dumps({"url": f"https://{worker}.example.vn/{n}", "title": title, "body": body,
                                   "site": worker}).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_two_workers_given_a_near_duplicate_pair_at_the_same_moment_mark_exactly_one(db_url, tmp_path):
    ArticleStore(db_url).open().close()  # the schema, once (two processes creating one SQLite schema collide)
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT, encoding="utf-8")
    with PairServer() as server:
        procs = [subprocess.Popen([sys.executable, str(script), db_url, server.url, worker, str(PAIRS)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
                 for worker in ("a", "b")]
        outputs = [proc.communicate(timeout=180) for proc in procs]
    for proc, (_, stderr) in zip(procs, outputs):
        assert proc.returncode == 0, stderr[-3000:]
    stats = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
    assert sum(s.get("newscrawl/articles/new", 0) for s in stats) == PAIRS
    assert sum(s.get("newscrawl/articles/duplicate_near", 0) for s in stats) == PAIRS

    stored = article_rows(db_url)
    assert len(stored) == 2 * PAIRS
    expected = []
    for n in range(PAIRS):
        a, b = stored[f"https://a.example.vn/{n}"], stored[f"https://b.example.vn/{n}"]
        # Both copies were decided within the same second (each is staged right after its check) ...
        assert abs(a["first_seen"] - b["first_seen"]) < timedelta(seconds=1), (a, b)
        # ... and exactly one of them is the other's near-duplicate, whichever worker came first.
        marked = sorted((row["canonical_url"], row["duplicate_of"]) for row in (a, b) if row["duplicate_of"])
        assert len(marked) == 1, (a, b)
        assert {marked[0][1], marked[0][0]} == {a["canonical_url"], b["canonical_url"]}
        expected += marked
    assert near_duplicate_rows(db_url) == sorted(expected)
