"""The shared frontier holds what a crawl needs and no more (newscrawl/distributed/dupefilter.py, lua.py LEAVE).

Real Redis, real worker processes and database, the tuyengiao fixture site served locally (a writable
copy, so a second run finds a new article). Each test uses its own Redis key prefix.
"""
from __future__ import annotations

import pickle
import subprocess
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import BIN, REPO
import test_distributed as distributed
from test_distributed import (REDIS_URL, SITE, article_paths, db_articles, fetched_articles, live_workers, seed, stop,
                              wait_for, worker_cmd)

from tests.support.fixtures import FixtureServer, fixture_site_dir
from tests.support.sitecopy import SiteCopy

pytestmark = pytest.mark.redis

redis_client, prefix, shared_db = distributed.redis_client, distributed.prefix, distributed.shared_db  # its fixtures

RECENT_ARTICLE = "/thoi-su/hoi-nghi-truc-tuyen-quan-triet-nhiem-vu-150001"
RECENT_BODY = [
    "Chiều nay, Ban Tuyên giáo tổ chức hội nghị trực tuyến với các địa phương để quán triệt nhiệm vụ trọng tâm "
    "của công tác tuyên giáo trong thời gian tới, bảo đảm thông tin kịp thời, chính xác.",
    "Các đại biểu thống nhất đẩy mạnh tuyên truyền trên nền tảng số, nhất là mạng xã hội và báo điện tử.",
]
NEW_ARTICLE = "/thoi-su/ra-mat-chuyen-trang-tuyen-truyen-150002"
NEW_BODY = [
    "Sáng nay, chuyên trang tuyên truyền trực tuyến chính thức ra mắt bạn đọc với giao diện thân thiện, "
    "cập nhật tin tức về các hoạt động văn hóa, giáo dục và khoa học ở cơ sở.",
    "Chuyên trang có các chuyên mục hỏi đáp pháp luật, gương người tốt việc tốt và tư liệu lịch sử địa phương.",
]


def keys_of(client, prefix: str) -> dict[str, int]:
    """Every key under the test's prefix -> its TTL in ms (-1: none)."""
    return {k.decode(): client.pttl(k) for k in client.scan_iter(match=f"{prefix}:*")}


def frontier(redis_client, prefix, ttl_seconds: float = 600):
    from scrapy.utils.test import get_crawler

    from newscrawl.distributed.frontier import Frontier
    from newscrawl.distributed.keys import FrontierKeys

    crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": REDIS_URL, "NEWSCRAWL_REDIS_SEEN_TTL_SECONDS": ttl_seconds})
    return Frontier(crawler, redis_client, FrontierKeys(prefix, SITE))


# --------------------------------------------------------------------------- in process


def test_the_seen_set_lives_while_a_worker_does_and_goes_with_the_last_one(redis_client, prefix):
    a, b = frontier(redis_client, prefix), frontier(redis_client, prefix)
    seen = a.keys.dupefilter
    a.beat(), b.beat()
    redis_client.sadd(seen, b"\x01" * 20)
    redis_client.persist(seen)
    a.tick()
    assert 0 < redis_client.pttl(seen) <= 600_000  # a live worker's tick gives it its TTL back
    a.leave()
    assert redis_client.exists(seen)  # b still crawls: it needs the set
    b.leave()
    assert keys_of(redis_client, prefix) == {}  # the crawl is over: nothing of it is left in Redis


def test_the_seen_set_stays_while_requests_are_queued_or_held_by_a_dead_worker(redis_client, prefix):
    seen_member = b"\x02" * 20
    # a request still queued when the last worker leaves: the crawl goes on later, with its seen set
    a = frontier(redis_client, prefix)
    a.beat()
    redis_client.sadd(a.keys.dupefilter, seen_member)
    redis_client.zadd(a.keys.queue, {b"queued request": 0})
    a.leave()
    left = keys_of(redis_client, prefix)
    assert set(left) == {a.keys.queue, a.keys.dupefilter}
    assert left[a.keys.queue] == -1 and 0 < left[a.keys.dupefilter] <= 600_000  # requests never expire; the set does

    # a dead worker's request in flight (to be recovered by the next worker): the same
    redis_client.delete(a.keys.queue)
    dead, b = frontier(redis_client, prefix), frontier(redis_client, prefix)
    dead.beat(), b.beat()
    redis_client.zadd(dead.keys.queue, {b"held request": 0})
    assert dead.pop() is not None
    redis_client.delete(dead.keys.alive(dead.worker))  # its heartbeat ran out; b's tick has not recovered it yet
    b.leave()
    assert redis_client.sismember(b.keys.dupefilter, seen_member)
    assert redis_client.hvals(dead.keys.inflight(dead.worker)) == [b"held request"]


def test_a_crawl_whose_workers_all_vanished_leaves_a_seen_set_that_expires(redis_client, prefix):
    import time

    a = frontier(redis_client, prefix, ttl_seconds=1)
    a.beat()
    a.tick()
    redis_client.sadd(a.keys.dupefilter, b"\x03" * 20)
    a.beat()  # its last heartbeat: then the worker is killed (no leave)
    wait_for(lambda: not redis_client.exists(a.keys.dupefilter), timeout=5, what="the seen set to expire")
    time.sleep(0.1)
    assert a.keys.dupefilter not in keys_of(redis_client, prefix)


def test_the_scheduler_queues_compact_requests_and_byte_fingerprints_with_a_ttl(redis_client, prefix):
    from scrapy.utils.request import request_from_dict

    from newscrawl.distributed.footprint import SITE as FOOTPRINT_SITE, article_requests, open_scheduler

    scheduler = open_scheduler(REDIS_URL, prefix, FOOTPRINT_SITE)
    try:
        requests = article_requests(scheduler.spider, 3)
        assert all(scheduler.enqueue_request(r) for r in requests)
        assert not scheduler.enqueue_request(requests[0].replace())  # seen: filtered
        members = redis_client.smembers(scheduler.df.key)
        assert len(members) == 3 and {len(m) for m in members} == {20}
        assert 0 < redis_client.pttl(scheduler.df.key) <= 86_400_000
        queued = redis_client.zrange(scheduler.queue.key, 0, -1)
        stored = [pickle.loads(data) for data in queued]
        assert all(set(d) == {"url", "callback", "meta", "cb_kwargs"} for d in stored)  # no field left at its default
        back = [request_from_dict(d, spider=scheduler.spider).to_dict(spider=scheduler.spider) for d in stored]
        assert sorted(back, key=str) == sorted((r.to_dict(spider=scheduler.spider) for r in requests), key=str)
    finally:
        scheduler.close("finished")


def test_compact_requests_keep_every_field_that_is_not_its_default():
    from scrapy import FormRequest, Request
    from scrapy.utils.request import request_from_dict

    from newscrawl.distributed import serializer

    requests = [
        Request("https://example.vn/a", method="POST", body=b"x=1", headers={"X-A": "b"}, cookies={"c": "d"},
                priority=-3, dont_filter=True, flags=["f"], encoding="latin-1", meta={"k": 0}, cb_kwargs={"p": 2}),
        Request("https://example.vn/b", priority=10),
        FormRequest("https://example.vn/c", formdata={"q": "tin"}),
    ]
    for request in requests:
        back = request_from_dict(serializer.loads(serializer.dumps(request.to_dict())))
        assert type(back) is type(request) and back.to_dict() == request.to_dict()
    assert serializer.compact(requests[1].to_dict()) == {"url": "https://example.vn/b", "priority": 10}


# --------------------------------------------------------------------------- whole crawls


def seed_from_db(base_url: str, prefix: str, db_url: str) -> None:
    """`newscrawl seed` reading the workers' database, so it queues what earlier runs left unfinished too."""
    result = subprocess.run([str(BIN / "newscrawl"), "seed", SITE, "--redis", REDIS_URL, "--base-url", base_url,
                             "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}", "-s", f"NEWSCRAWL_DB_URL={db_url}"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def run_workers(tmp_path, server, redis_client, prefix: str, db_url: str, names: list[str]) -> None:
    """Start one worker per name, seed once they all joined (the README's order), wait for them to stop by themselves."""
    options = ("-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=10", "-s", "NEWSCRAWL_RECHECK_HOURS=48")
    logs = {name: tmp_path / f"{name}.log" for name in names}
    procs = [subprocess.Popen(worker_cmd(tmp_path / name, server.url, db_url, prefix, *options), cwd=REPO,
                              stdout=logs[name].open("w"), stderr=subprocess.STDOUT) for name in names]
    try:
        wait_for(lambda: len(live_workers(redis_client, prefix)) == len(names), timeout=120, what="the workers to join")
        seed_from_db(server.url, prefix, db_url)
        codes = [proc.wait(timeout=300) for proc in procs]
    finally:
        stop(procs)
    assert codes == [0] * len(names), [path.read_text()[-3000:] for path in logs.values()]


def test_after_a_crawl_redis_holds_nothing_and_the_next_fetches_only_new_and_recent_articles(
        tmp_path, redis_client, prefix, shared_db, tuyengiao_expected):
    site = SiteCopy(tmp_path / "site")
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(second=0, microsecond=0)
    site.add_article(RECENT_ARTICLE, "Hội nghị trực tuyến quán triệt nhiệm vụ trọng tâm", now - timedelta(hours=3), RECENT_BODY)
    articles = set(article_paths(tuyengiao_expected)) | {RECENT_ARTICLE, NEW_ARTICLE}
    with FixtureServer(site.root, delay=0.05) as server:
        # First crawl: two workers, each article fetched once.
        run_workers(tmp_path, server, redis_client, prefix, shared_db, ["first0", "first1"])
        fetched = Counter(p for p in (urlsplit(x).path for x in server.paths()) if p in articles)
        assert sorted(fetched) == sorted(articles - {NEW_ARTICLE})
        assert [p for p, n in fetched.items() if n != 1] == []
        assert keys_of(redis_client, prefix) == {}  # the seen set went with the crawl: Redis holds nothing of it
        stored_first = len(db_articles(shared_db))

        # Second crawl, with a new article on the site: the database says what is stored. Fetched: the new
        # article, and the one recent enough to be checked for edits (NEWSCRAWL_RECHECK_HOURS), which the
        # first crawl's seen set, had it stayed, would have kept out.
        server.requests.clear()
        site.add_article(NEW_ARTICLE, "Ra mắt chuyên trang tuyên truyền trực tuyến", now - timedelta(hours=1), NEW_BODY)
        run_workers(tmp_path, server, redis_client, prefix, shared_db, ["second"])
        refetched = sorted(p for p in (urlsplit(x).path for x in server.paths()) if p in articles)
    assert refetched == sorted([RECENT_ARTICLE, NEW_ARTICLE])
    assert len(db_articles(shared_db)) == stored_first + 1
    assert keys_of(redis_client, prefix) == {}


def test_a_crawl_whose_workers_were_all_killed_resumes_fetching_each_article_once_more_at_most(
        tmp_path, redis_client, prefix, shared_db, tuyengiao_expected):
    """The queue, the dead workers' requests in flight and the seen set are the interrupted crawl's; the next seed
    resumes it: what the database says is unfinished is queued once, not again beside the queue's copies."""
    articles = set(article_paths(tuyengiao_expected))
    options = ("-s", "NEWSCRAWL_REDIS_HEARTBEAT_SECONDS=3", "-s", "NEWSCRAWL_REDIS_IDLE_SECONDS=10")
    with FixtureServer(fixture_site_dir(SITE), delay=0.4) as server:  # slow: the kill lands mid-crawl
        procs = [subprocess.Popen(worker_cmd(tmp_path / f"killed{i}", server.url, shared_db, prefix, *options), cwd=REPO,
                                  stdout=(tmp_path / f"killed{i}.log").open("w"), stderr=subprocess.STDOUT)
                 for i in range(2)]
        try:
            wait_for(lambda: len(live_workers(redis_client, prefix)) == 2, timeout=120, what="both workers to join")
            seed(server.url, prefix)
            wait_for(lambda: sum(fetched_articles(server, tuyengiao_expected).values()) >= 8
                     and redis_client.zcard(f"{prefix}:{SITE}:requests") >= 5, timeout=120, what="the crawl to be halfway")
        finally:
            stop(procs)
        held = {urlsplit(pickle.loads(data)["url"]).path for key in redis_client.scan_iter(match=f"{prefix}:{SITE}:inflight:*")
                for data in redis_client.hvals(key)}
        queued = {urlsplit(pickle.loads(data)["url"]).path for data in redis_client.zrange(f"{prefix}:{SITE}:requests", 0, -1)}
        assert queued & articles, "the workers died with articles still queued"
        wait_for(lambda: not live_workers(redis_client, prefix), timeout=30, what="the heartbeats to run out")

        run_workers(tmp_path, server, redis_client, prefix, shared_db, ["resumed"])
        fetched = fetched_articles(server, tuyengiao_expected)
    assert sorted(fetched) == sorted(articles)
    assert {p for p, n in fetched.items() if n > 1} <= held  # only what a dead worker held in flight is fetched again
    assert keys_of(redis_client, prefix) == {}
