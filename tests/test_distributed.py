"""Distributed crawls over Redis: worker processes share one frontier (newscrawl/distributed/).

Real processes, a real Redis, a real database (a fresh PostgreSQL database per test; a shared
SQLite file when PostgreSQL is absent), the bundled tuyengiao fixture site served locally.
Each test uses its own Redis key prefix and deletes its keys afterwards.
"""
from __future__ import annotations

import json
import os
import pickle
import secrets
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import BIN, REPO, read_jsonl
from sqlalchemy import create_engine, text

from tests.support.fixtures import FixtureServer, fixture_site_dir
from tests.support.databases import postgres_unavailable, temporary_postgres_database

REDIS_URL = os.environ.get("NEWSCRAWL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SITE = "tuyengiao"

pytestmark = pytest.mark.redis


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}): distributed crawls need it")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    name = f"nctest{secrets.token_hex(4)}"
    yield name
    keys = list(redis_client.scan_iter(match=f"{name}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture
def shared_db(tmp_path):
    """The database all workers write to: a fresh PostgreSQL database, else one SQLite file (WAL)."""
    if postgres_unavailable() is None:
        with temporary_postgres_database() as url:
            yield url
    else:
        from newscrawl.storage import ArticleStore

        url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
        ArticleStore(url).open().close()  # created once: two processes creating one SQLite schema at once collide
        yield url


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A single-process crawl of the fixture site: what the workers together must give."""
    out = tmp_path_factory.mktemp("reference")
    with FixtureServer(fixture_site_dir(SITE)) as server:
        result = subprocess.run(crawl_cmd(out, server.url), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    items = jsonl_items(out)
    assert len(items) > 30
    return {"pairs": pairs(items), "canonicals": {i["canonical_url"] for i in items}}


# --------------------------------------------------------------------------- helpers


def crawl_cmd(out: Path, base_url: str, *extra: str) -> list[str]:
    return [str(BIN / "newscrawl"), "crawl", SITE, "--out", str(out), "--base-url", base_url,
            "-s", "AUTOTHROTTLE_ENABLED=False", *extra]


def worker_cmd(out: Path, base_url: str, db_url: str, prefix: str, *extra: str) -> list[str]:
    return crawl_cmd(out, base_url, "--redis", REDIS_URL, "--db", db_url, "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}", *extra)


def seed(base_url: str, prefix: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "newscrawl"), "seed", SITE, "--redis", REDIS_URL, "--base-url", base_url,
                             "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def jsonl_items(out: Path, include_parts: bool = False) -> list[dict]:
    """The articles a crawl wrote to OUT/articles/; with include_parts, also the complete lines a
    killed writer left in its hidden .part file (the next run on OUT merges them in)."""
    folder = out / "articles"
    files = sorted(folder.glob("*.jsonl"))
    if include_parts:
        files += sorted(folder.glob(".*.part"))
    items = []
    for path in files:
        with path.open(encoding="utf-8") as f:
            items += [json.loads(line) for line in f if line.endswith("\n") and line.strip()]
    return items


def pairs(items) -> set[tuple[str, str]]:
    return {(i["canonical_url"], i["content_hash"]) for i in items}


def db_articles(db_url: str) -> list[tuple[str, int]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT canonical_url, version FROM articles")).all()]
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def live_workers(client, prefix: str) -> list[str]:
    members = [m.decode() for m in client.smembers(f"{prefix}:{SITE}:workers")]
    return [m for m in members if client.exists(f"{prefix}:{SITE}:alive:{m}")]


def article_paths(expected: dict) -> list[str]:
    return [a["path"] for a in expected["articles"] + expected["broken"]]


def fetched_articles(server, expected: dict) -> Counter:
    wanted = set(article_paths(expected))
    return Counter(p for p in (urlsplit(x).path for x in server.paths()) if p in wanted)


def stop(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


# --------------------------------------------------------------------------- tests


def test_seed_pushes_each_sections_first_listing_page_once(redis_client, prefix):
    from scrapy.utils.request import request_from_dict

    from newscrawl.distributed.seed import seed_sites
    from newscrawl.sites import SiteRegistry

    queue = f"{prefix}:{SITE}:requests"
    dupefilter = f"{prefix}:{SITE}:dupefilter"
    redis_client.sadd(dupefilter, "fingerprint-of-an-earlier-crawl")
    overrides = {"NEWSCRAWL_REDIS_PREFIX": prefix}
    site = SiteRegistry.from_dirs().site(SITE)
    # The site file names robots.txt as its sitemap source: the seed (no engine, so no robots middleware to
    # share the file with) queues that one request besides the listings.
    assert site.sitemaps == ("/robots.txt",) and not site.feeds
    listings = sorted(f"http://127.0.0.1:8123{s.url}" for s in site.sections)
    expected = sorted(listings + ["http://127.0.0.1:8123/robots.txt"])
    for _ in range(2):  # seeding again before any worker took them adds nothing
        pushed = seed_sites([SITE], REDIS_URL, overrides=overrides, spider_kwargs={"base_url": "http://127.0.0.1:8123"})
        assert pushed == {SITE: len(expected)}
    assert redis_client.zcard(queue) == len(expected)
    assert not redis_client.exists(dupefilter)  # no live worker: a new crawl starts with an empty dupefilter

    from newscrawl.crawl.spiderloader import spider_class_for

    spider = spider_class_for(SITE)(base_url="http://127.0.0.1:8123")
    requests = [request_from_dict(pickle.loads(data), spider=spider) for data in redis_client.zrange(queue, 0, -1)]
    assert sorted(r.url for r in requests) == expected
    listing_requests = [r for r in requests if r.url in listings]
    assert all(r.callback == spider.parse_listing and r.dont_filter for r in listing_requests)
    assert sorted(r.cb_kwargs["section"] for r in listing_requests) == sorted(s.slug for s in site.sections)


def test_two_workers_share_the_crawl_each_article_fetched_once(tmp_path, redis_client, prefix, shared_db, reference,
                                                               tuyengiao_expected):
    outs = [tmp_path / "worker0", tmp_path / "worker1"]
    with FixtureServer(fixture_site_dir(SITE), delay=0.1) as server:
        logs = [(tmp_path / f"worker{i}.log").open("w") for i in range(2)]
        procs = [
            # one worker through `newscrawl crawl --redis`, the other through plain `scrapy crawl -s NEWSCRAWL_REDIS_URL`
            subprocess.Popen(worker_cmd(outs[0], server.url, shared_db, prefix, "-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=10"),
                             cwd=REPO, stdout=logs[0], stderr=subprocess.STDOUT),
            subprocess.Popen([str(BIN / "scrapy"), "crawl", SITE, "-a", f"base_url={server.url}",
                              "-s", f"NEWSCRAWL_REDIS_URL={REDIS_URL}", "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}",
                              "-s", f"NEWSCRAWL_OUT_DIR={outs[1]}", "-s", f"NEWSCRAWL_DB_URL={shared_db}",
                              "-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=10", "-s", "AUTOTHROTTLE_ENABLED=False"],
                             cwd=REPO, stdout=logs[1], stderr=subprocess.STDOUT),
        ]
        try:
            wait_for(lambda: len(live_workers(redis_client, prefix)) == 2, timeout=120, what="both workers to join")
            seed(server.url, prefix)
            codes = [proc.wait(timeout=300) for proc in procs]  # they stop by themselves once the frontier is empty
        finally:
            stop(procs)
        fetched = fetched_articles(server, tuyengiao_expected)
    log_text = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], [t[-3000:] for t in log_text]

    assert sorted(fetched) == sorted(article_paths(tuyengiao_expected))
    assert [p for p, n in fetched.items() if n != 1] == []  # each article fetched once across the two workers

    outputs = [jsonl_items(out) for out in outs]
    assert all(outputs), "each worker did part of the work"
    assert not pairs(outputs[0]) & pairs(outputs[1])
    assert pairs(outputs[0]) | pairs(outputs[1]) == reference["pairs"]

    stored = db_articles(shared_db)
    assert {c for c, _ in stored} == reference["canonicals"]
    assert len(stored) == len(reference["canonicals"]) and {v for _, v in stored} == {1}

    assert redis_client.zcard(f"{prefix}:{SITE}:requests") == 0
    assert not list(redis_client.scan_iter(match=f"{prefix}:{SITE}:inflight:*"))
    assert redis_client.scard(f"{prefix}:{SITE}:workers") == 0


def test_a_killed_workers_requests_are_recovered_by_the_other(tmp_path, redis_client, prefix, shared_db, reference,
                                                              tuyengiao_expected):
    outs = [tmp_path / "victim", tmp_path / "survivor"]
    options = ("-s", "NEWSCRAWL_REDIS_HEARTBEAT_SECONDS=3", "-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=10")
    with FixtureServer(fixture_site_dir(SITE), delay=0.4) as server:  # slow: the kill lands mid-crawl
        logs = [(tmp_path / f"{out.name}.log").open("w") for out in outs]
        procs = [subprocess.Popen(worker_cmd(out, server.url, shared_db, prefix, *options), cwd=REPO,
                                  stdout=log, stderr=subprocess.STDOUT) for out, log in zip(outs, logs)]
        victim, survivor = procs
        try:
            wait_for(lambda: len(live_workers(redis_client, prefix)) == 2, timeout=120, what="both workers to join")
            victim_id = next(w for w in live_workers(redis_client, prefix) if f"-{victim.pid}-" in w)
            inflight_key = f"{prefix}:{SITE}:inflight:{victim_id}"
            seed(server.url, prefix)
            wait_for(lambda: sum(fetched_articles(server, tuyengiao_expected).values()) >= 8
                     and redis_client.hlen(inflight_key) >= 2, timeout=120, what="the victim to hold requests in flight")
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            held = {urlsplit(pickle.loads(data)["url"]).path for data in redis_client.hvals(inflight_key)}
            assert held, "the victim died holding requests"
            code = survivor.wait(timeout=300)
        finally:
            stop(procs)
        fetched = fetched_articles(server, tuyengiao_expected)
    survivor_log = (tmp_path / "survivor.log").read_text()
    assert code == 0, survivor_log[-3000:]
    assert "requests of dead workers back in the queue" in survivor_log

    # Nothing lost: every article fetched; only what the victim held was fetched again.
    assert sorted(fetched) == sorted(article_paths(tuyengiao_expected))
    assert {p for p, n in fetched.items() if n > 1} <= held

    # Each article once in the database, and in the union of the workers' JSONL.
    stored = db_articles(shared_db)
    assert {c for c, _ in stored} == reference["canonicals"]
    assert len(stored) == len(reference["canonicals"]) and {v for _, v in stored} == {1}
    union = pairs(jsonl_items(outs[0], include_parts=True)) | pairs(jsonl_items(outs[1]))
    assert union == reference["pairs"]

    assert not redis_client.exists(inflight_key)
    assert victim_id not in {m.decode() for m in redis_client.smembers(f"{prefix}:{SITE}:workers")}
    assert redis_client.zcard(f"{prefix}:{SITE}:requests") == 0


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is absent: rendering needs it")
def test_rendered_requests_go_through_the_shared_queue(tmp_path, redis_client, prefix):
    """Requests of a JavaScript site keep their browser instructions (page methods) through Redis."""
    jsnews = REPO / "fixtures" / "jsnews"
    expected = json.loads((jsnews / "expected.json").read_text(encoding="utf-8"))
    site_dirs = f"NEWSCRAWL_SITE_DIRS={jsnews}"
    out = tmp_path / "out"
    with FixtureServer(jsnews / "site") as server:
        seeded = subprocess.run([str(BIN / "newscrawl"), "seed", "jsnews", "--redis", REDIS_URL, "--base-url", server.url,
                                 "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}", "-s", site_dirs],
                                cwd=REPO, capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        worker = subprocess.run([str(BIN / "newscrawl"), "crawl", "jsnews", "--redis", REDIS_URL, "--base-url", server.url,
                                 "--out", str(out), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}",
                                 "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}", "-s", site_dirs,
                                 "-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=2", "-s", "AUTOTHROTTLE_ENABLED=False"],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr[-3000:]
    items = {urlsplit(i["url"]).path: i for i in jsonl_items(out)}
    assert sorted(items) == sorted(a["path"] for a in expected["articles"])
    assert all(items[a["path"]]["body"] == a["body"] for a in expected["articles"])


# --------------------------------------------------------------------------- one worker's bookkeeping, in process


def frontier_for(redis_client, prefix):
    """A Frontier on the test's keys, with one request taken from its queue: (frontier, field, request)."""
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from newscrawl.distributed.frontier import _CRAWLER_ATTR, Frontier
    from newscrawl.distributed.keys import FrontierKeys

    crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": REDIS_URL})
    frontier = Frontier(crawler, redis_client, FrontierKeys(prefix, SITE))
    setattr(crawler, _CRAWLER_ATTR, frontier)  # as DistributedScheduler.open does: the middlewares find it there
    redis_client.zadd(frontier.keys.queue, {b"serialised request": 0})
    field, _data = frontier.pop()
    request = Request("http://127.0.0.1/listing")
    frontier.track(field, request)
    return frontier, field, request


class StagedStore:
    """The store seen by the frontier: writes staged (pending), none written until the store says so."""
    is_open = True
    pending = 3

    def flush(self):
        raise AssertionError("settling between ticks does not flush")


def test_a_request_is_settled_once_handled_and_once_its_batch_is_committed(redis_client, prefix, monkeypatch):
    from newscrawl.crawl import services
    from scrapy import signals
    from scrapy.http import HtmlResponse

    from newscrawl.crawl import signals as newscrawl_signals
    from newscrawl.distributed.handling import HandlingSpiderMiddleware

    monkeypatch.setattr(services, "store", lambda crawler: StagedStore())
    frontier, field, request = frontier_for(redis_client, prefix)
    crawler, inflight = frontier.crawler, frontier.keys.inflight(frontier.worker)
    send = crawler.signals.send_catch_log
    spider_mw = HandlingSpiderMiddleware(crawler)

    # The callback yields an item and a request; the engine is done once both are.
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    child = request.replace(url="http://127.0.0.1/article")
    child.meta.clear()
    assert list(spider_mw.process_spider_output(response, iter([{"title": "t"}, child]))) == [{"title": "t"}, child]
    assert frontier.busy() is False and len(frontier.handling) == 1
    send(signals.item_scraped, item={"title": "t"}, response=response, spider=None)
    assert len(frontier.handling) == 1  # the request it yielded is not in the queue yet
    send(signals.request_scheduled, request=child, spider=None)
    assert len(frontier.handling) == 0

    # Handled, but its item is only staged: it stays in flight until the store commits a batch.
    assert frontier.settle() == 0 and redis_client.hlen(inflight) == 1
    send(newscrawl_signals.batch_committed, count=3)
    assert frontier.settle() == 1 and redis_client.hlen(inflight) == 0


def test_a_worker_whose_store_lost_writes_puts_its_requests_back(redis_client, prefix, monkeypatch):
    from newscrawl.crawl import services

    from newscrawl.crawl import signals as newscrawl_signals

    monkeypatch.setattr(services, "store", lambda crawler: StagedStore())
    from scrapy.exceptions import IgnoreRequest

    from newscrawl.distributed.handling import HandlingDownloaderMiddleware

    frontier, field, request = frontier_for(redis_client, prefix)
    HandlingDownloaderMiddleware(frontier.crawler).process_exception(request, IgnoreRequest())  # handled: it failed
    assert len(frontier.handling) == 0
    frontier.settle()
    frontier.crawler.signals.send_catch_log(newscrawl_signals.batch_lost, count=3, reason="database away")
    frontier.leave()
    assert redis_client.zrange(frontier.keys.queue, 0, -1) == [b"serialised request"]
    assert not redis_client.exists(frontier.keys.inflight(frontier.worker))


def test_a_retry_or_redirect_of_a_popped_request_finishes_it(redis_client, prefix):
    from scrapy import signals

    frontier, field, request = frontier_for(redis_client, prefix)
    redirected = request.replace(url="http://127.0.0.1/listing/")  # Scrapy copies the meta, and the field with it
    frontier.crawler.signals.send_catch_log(signals.request_scheduled, request=redirected, spider=None)
    assert frontier.handling.take_finished() == [field]


def test_the_store_tells_when_a_batch_is_committed(tmp_path):
    """The frontier learns durability from the store's signals: sent when a batch commits."""
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl import signals as newscrawl_signals
    from newscrawl.crawl import services
    from tests.support.databases import make_item, vietnamese_text

    crawler = get_crawler(settings_dict={"NEWSCRAWL_DB_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    committed = []

    def batch_committed(count):
        committed.append(count)

    crawler.signals.connect(batch_committed, signal=newscrawl_signals.batch_committed)
    store = services.store(crawler).open()
    try:
        store.add_article(make_item("https://example.vn/tin-1.htm", "Bản tin số 1", vietnamese_text(1, words=150)))
        assert committed == [] and store.pending
        store.flush()
        assert committed == [1]
    finally:
        store.close()
