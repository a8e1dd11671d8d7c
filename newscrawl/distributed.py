"""Distributed crawls: N worker processes (on one machine or many) share one frontier in Redis.

One setting switches it on: ``NEWSCRAWL_REDIS_URL`` (``newscrawl crawl SITE --redis URL`` or
``scrapy crawl SITE -s NEWSCRAWL_REDIS_URL=redis://host:6379/0``). :func:`configure_distributed`,
called from ``NewsSpider.update_settings``, then puts scrapy-redis's scheduler and dupefilter in
place of Scrapy's (through :class:`DistributedScheduler`), so every worker takes requests from
the same queue and a URL is fetched once across all of them.

Redis keys (``P`` = NEWSCRAWL_REDIS_PREFIX, default "newscrawl"; ``SITE`` = the spider name)::

    P:SITE:requests           sorted set: the shared queue (scrapy-redis PriorityQueue:
                              member = a serialised request, score = -priority)
    P:SITE:dupefilter         set: fingerprints of every request scheduled in this crawl
    P:SITE:workers            set: ids of the workers that joined (host-pid-random)
    P:SITE:alive:WORKER       heartbeat, expires after NEWSCRAWL_REDIS_HEARTBEAT_SECONDS
    P:SITE:inflight:WORKER    hash: the requests WORKER took from the queue and has not settled
    P:SITE:seq                counter naming in-flight entries

Start: ``newscrawl seed SITE --redis URL`` pushes the sites' first listing pages (real
requests built by the spider, with their callbacks) into the queue; workers yield no start
requests of their own. Seeding when no worker is alive starts a new crawl: the site's
dupefilter is emptied, so pages fetched by an earlier crawl can be fetched again (the
database's incremental rules decide what is worth it).

No request is lost when a worker dies. scrapy-redis pops with no acknowledgement, so the pop
here is a Lua script that moves the request from the queue into the worker's in-flight hash in
one step. An entry is settled (deleted) only once the request is completely handled (the
engine is done with it: downloaded or failed, callback run, its items through the pipelines,
requests it produced in the queue) *and* what it staged in the database store is written (the
store's batch was flushed since). A live worker checks every second for workers whose
heartbeat expired and pushes their in-flight requests back to the queue (bypassing the
dupefilter), in one Lua script, so two live workers never both recover them. Delivery is at
least once: a request a dead worker had finished but not settled is fetched again, and the
store's upserts keep the database at one row per article (an unchanged copy is dropped by the
dedupe pipeline).

Sharing: a worker takes at most 2 x CONCURRENT_REQUESTS_PER_DOMAIN requests ahead (Scrapy alone
would take CONCURRENT_REQUESTS, most of them waiting for the site's per-domain slot while another
worker finds the queue empty), looks at the queue every POLL_SECONDS when it has nothing to do, and
NewsSpider gives listing pages a higher priority in distributed mode (the sorted set pops equal
priorities in byte order, which would leave pagination for last and the queue short of work).

Stop: :class:`FrontierIdleClose` keeps an idle worker open (``DontCloseSpider``) while the
queue holds requests or any worker has requests in flight (they may add more), and lets it
close once that has been so for NEWSCRAWL_REDIS_IDLE_SECONDS.

Items across workers: the dedupe and store pipelines keep their state in the shared database
(PostgreSQL for several hosts; a SQLite file in WAL mode works for workers on one machine).
Article writes are ``INSERT ... ON CONFLICT`` upserts decided by the database, so two workers
writing one article give one row. Near-duplicates: each worker's MinHash index is loaded
from the ``minhash_signatures`` table at open and, after each batch it writes, picks up the
signatures other workers wrote since (by row id). Two copies of a story crawled by two
workers within one batch window of each other are not matched to each other (both are kept
as originals); the window is NEWSCRAWL_DB_BATCH_SIZE items.
"""
from __future__ import annotations

from pathlib import Path

import importlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

logger = logging.getLogger(__name__)

QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
TICK_SECONDS = 1.0  # heartbeat, settling, recovery of dead workers' requests
POLL_SECONDS = 0.2  # how often a worker with nothing to do looks at the shared queue
_CRAWLER_ATTR = "_newscrawl_frontier"

# Take the first request of the queue into this worker's in-flight hash, in one step.
# KEYS: queue, inflight hash, sequence counter. Returns {field, request} or nil.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local field = redis.call('INCR', KEYS[3]) .. ':' .. item[2]
redis.call('HSET', KEYS[2], field, item[1])
return {field, item[1]}
"""

# Push back the in-flight requests of every worker whose heartbeat expired, and forget the worker.
# KEYS: workers set, queue. ARGV: key base "P:SITE". Returns how many requests went back.
# Mark a request seen and queue it in one step. Two commands (scrapy-redis's SADD, then ZADD) leave a
# window where a worker killed between them has marked a request seen that is in no queue: lost for good.
_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

_RECOVER = """
local base = ARGV[1]
local recovered = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', base .. ':alive:' .. worker) == 0 then
    local inflight = base .. ':inflight:' .. worker
    local entries = redis.call('HGETALL', inflight)
    for i = 1, #entries, 2 do
      local score = string.match(entries[i], ':(.*)$')
      redis.call('ZADD', KEYS[2], score, entries[i + 1])
      recovered = recovered + 1
    end
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[1], worker)
  end
end
return recovered
"""

# The shared frontier's state, from one worker's point of view.
# KEYS: queue, workers set. ARGV: key base, this worker. Returns {queued, others' in-flight, live workers}.
_STATE = """
local base = ARGV[1]
local others, live = 0, 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', base .. ':alive:' .. worker) == 1 then live = live + 1 end
  if worker ~= ARGV[2] then others = others + redis.call('HLEN', base .. ':inflight:' .. worker) end
end
return {redis.call('ZCARD', KEYS[1]), others, live}
"""

# Put entries of this worker's in-flight hash back in the queue (a worker closing with work undone).
# KEYS: inflight hash, queue. ARGV: fields.
_REQUEUE = """
local n = 0
for _, field in ipairs(ARGV) do
  local request = redis.call('HGET', KEYS[1], field)
  if request then
    redis.call('ZADD', KEYS[2], string.match(field, ':(.*)$'), request)
    redis.call('HDEL', KEYS[1], field)
    n = n + 1
  end
end
return n
"""


@dataclass(frozen=True)
class FrontierKeys:
    prefix: str
    site: str
    queue_key: str | None = None  # SCHEDULER_QUEUE_KEY, when set to something else than P:SITE:requests

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.site}"

    @property
    def queue(self) -> str:
        return self.queue_key or f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def seq(self) -> str:
        return f"{self.base}:seq"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"

    def all_keys(self, server) -> list[str]:
        return [k.decode() if isinstance(k, bytes) else k for k in server.scan_iter(match=f"{self.base}:*")]


def redis_prefix(settings) -> str:
    prefix = str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl").strip()
    if not prefix or any(c in prefix for c in " %{}"):
        from newscrawl.crawl.config import ConfigError

        raise ConfigError(f"NEWSCRAWL_REDIS_PREFIX={prefix!r}: expected a non-empty key prefix without spaces, % or braces")
    return prefix


def check_redis_url(url: str) -> str:
    from newscrawl.crawl.config import ConfigError

    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"NEWSCRAWL_REDIS_URL={url!r}: expected a Redis URL such as redis://127.0.0.1:6379/0")
    return url


def redis_unreachable(url: str) -> str | None:
    """``None`` when Redis answers at ``url``, else why not (one line)."""
    import redis

    try:
        client = redis.Redis.from_url(check_redis_url(url), socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except redis.exceptions.RedisError as exc:
        return f"Redis at {url} does not answer: {exc}"
    return None


def configure_distributed(settings) -> bool:
    """With NEWSCRAWL_REDIS_URL set, use the shared Redis frontier (scheduler, dupefilter, idle stop).

    Called from ``NewsSpider.update_settings``; settings given explicitly (``-s SCHEDULER=...``) win.
    """
    url = settings.get("NEWSCRAWL_REDIS_URL")
    if not url:
        return False
    check_redis_url(url)
    prefix = redis_prefix(settings)
    spider = SETTINGS_PRIORITIES["spider"]
    for name, value in {
        "SCHEDULER": "newscrawl.distributed.DistributedScheduler",
        "DUPEFILTER_CLASS": DUPEFILTER_CLASS,
        "SCHEDULER_QUEUE_CLASS": QUEUE_CLASS,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "SCHEDULER_PERSIST": True,  # the frontier outlives each worker: the others still use it
        "REDIS_URL": url,
    }.items():
        settings.set(name, value, spider)
    # Workers started in the same second would share a run id (one row of the runs table): name the worker.
    run_id = settings.get("NEWSCRAWL_RUN_ID") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    settings.set("NEWSCRAWL_RUN_ID", f"{run_id}-{socket.gethostname()}-{os.getpid()}",
                 max(settings.getpriority("NEWSCRAWL_RUN_ID") or 0, spider))
    extensions = settings.getdict("EXTENSIONS")
    if not any(load_object(k) is FrontierIdleClose for k in extensions):
        extensions[FrontierIdleClose] = 0
    # At spider priority at least: CrawlerProcess.crawl(crawler) merges the project's EXTENSIONS
    # into the crawler's again, and would drop an addition made at project priority.
    settings.set("EXTENSIONS", extensions, max(settings.getpriority("EXTENSIONS") or 0, spider))
    return True


def redis_from_settings(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


def _serializer(settings):
    name = settings.get("SCHEDULER_SERIALIZER")
    return importlib.import_module(name) if isinstance(name, str) else name


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Frontier:
    """One worker's share of the Redis frontier: in-flight records, heartbeat, recovery, settling."""

    def __init__(self, crawler, server, keys: FrontierKeys):
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.worker = worker_id()
        self.heartbeat_ttl = max(1.0, crawler.settings.getfloat("NEWSCRAWL_REDIS_HEARTBEAT_SECONDS", 30))
        self.idle_seconds = max(0.0, crawler.settings.getfloat("NEWSCRAWL_REDIS_IDLE_SECONDS", 10))
        self._pop = server.register_script(_POP)
        self._recover = server.register_script(_RECOVER)
        self._state = server.register_script(_STATE)
        self._requeue = server.register_script(_REQUEUE)
        self._local: dict[str, object] = {}           # in-flight field -> the Request object being handled
        self._awaiting: list[tuple[int, str]] = []    # (store batches written when done, field): handled, not yet durable
        self._loop = None
        self._poll = None
        self.starved = False                          # the last pop found the queue empty
        # Take no more than this many requests ahead: Scrapy would take CONCURRENT_REQUESTS of them,
        # though it fetches only CONCURRENT_REQUESTS_PER_DOMAIN at a time from one site; the rest
        # would wait here while another worker finds the queue empty.
        settings = crawler.settings
        per_domain = settings.getint("CONCURRENT_REQUESTS_PER_IP") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        self.prefetch = max(1, min(settings.getint("CONCURRENT_REQUESTS", 16), 2 * per_domain))
        self.empty_since: float | None = None

    @property
    def stats(self):
        return self.crawler.stats

    # -- membership
    def join(self) -> None:
        self.beat()
        self._loop = _looping_call(self.tick)
        self._loop.start(min(TICK_SECONDS, self.heartbeat_ttl / 3), now=False)
        self._poll = _looping_call(self.poll)
        self._poll.start(POLL_SECONDS, now=False)
        logger.info("distributed: worker %s joined the frontier %s (heartbeat %.0fs, idle stop %.0fs)",
                    self.worker, self.keys.queue, self.heartbeat_ttl, self.idle_seconds)

    def beat(self) -> None:
        pipe = self.server.pipeline()
        pipe.set(self.keys.alive(self.worker), str(time.time()), px=int(self.heartbeat_ttl * 1000))
        pipe.sadd(self.keys.workers, self.worker)
        pipe.execute()

    def leave(self, requeue_all: bool) -> None:
        for loop in (self._loop, self._poll):
            if loop is not None and loop.running:
                loop.stop()
        fields = list(self._local) + [f for _, f in self._awaiting]
        if requeue_all and fields:
            n = sum(self._requeue(keys=[self.keys.inflight(self.worker), self.keys.queue], args=fields[i:i + 500])
                    for i in range(0, len(fields), 500))
            self.stats.inc_value("newscrawl/distributed/requeued_at_close", n)
            logger.warning("distributed: worker %s put %d unsettled requests back in the queue", self.worker, n)
        else:
            self._ack(fields)
        self._local.clear()
        self._awaiting.clear()
        pipe = self.server.pipeline()
        pipe.delete(self.keys.inflight(self.worker))
        pipe.delete(self.keys.alive(self.worker))
        pipe.srem(self.keys.workers, self.worker)
        pipe.execute()

    # -- the queue
    def pop(self):
        """The next request of the shared queue, recorded in this worker's in-flight hash (or None)."""
        try:
            result = self._pop(keys=[self.keys.queue, self.keys.inflight(self.worker), self.keys.seq])
        except redis_errors() as exc:  # Redis away for a moment: look again at the next tick
            logger.warning("distributed: could not take a request from the queue: %s", exc)
            result = None
        if not result:
            self.starved = True
            return None
        self.starved = False
        field, data = _text(result[0]), result[1]
        return field, data

    def busy(self) -> bool:
        """True when this worker already holds as many unfinished requests as it should take ahead."""
        if len(self._local) < self.prefetch:
            return False
        inprogress = self._inprogress()
        if inprogress is None:
            return False
        return sum(1 for request in self._local.values() if request in inprogress) >= self.prefetch

    def track(self, field: str, request) -> None:
        self._local[field] = request
        self.stats.inc_value("newscrawl/distributed/popped")

    # -- settling
    def _inprogress(self):
        """The requests the engine is still handling (download, callback, item pipelines), or None if unknown."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        return getattr(slot, "inprogress", None)

    def _store(self):
        from newscrawl.storage import get_store

        try:
            return get_store(self.crawler)
        except Exception:  # noqa: BLE001 - no store configured: nothing is staged
            return None

    def _batches(self) -> int:
        return int(self.stats.get_value("newscrawl/db/batches", 0) or 0)

    def settle(self, flush: bool = False) -> int:
        """Acknowledge the requests that are handled and whose database writes are written; return how many."""
        inprogress = self._inprogress()
        if inprogress is None:
            return 0  # cannot tell: everything is settled when the worker leaves
        done = [field for field, request in self._local.items() if request not in inprogress]
        if done:
            batches = self._batches()
            for field in done:
                del self._local[field]
                self._awaiting.append((batches, field))
        if not self._awaiting:
            return 0
        store = self._store()
        if flush and store is not None and store.is_open and store.pending:
            try:
                store.flush()
            except Exception:  # noqa: BLE001 - the store logs it; the requests stay unsettled
                logger.warning("distributed: could not write the store's batch; requests stay in flight", exc_info=True)
        if store is None or store.pending == 0:
            ready, self._awaiting = [f for _, f in self._awaiting], []
        else:
            now = self._batches()
            ready = [f for b, f in self._awaiting if b < now]
            self._awaiting = [(b, f) for b, f in self._awaiting if b >= now]
        self._ack(ready)
        return len(ready)

    def _ack(self, fields) -> None:
        fields = list(fields)
        for start in range(0, len(fields), 500):
            self.server.hdel(self.keys.inflight(self.worker), *fields[start:start + 500])
        if fields:
            self.stats.inc_value("newscrawl/distributed/settled", len(fields))

    # -- every second
    def tick(self) -> None:
        try:
            self.beat()
            self.settle()
            recovered = self._recover(keys=[self.keys.workers, self.keys.queue], args=[self.keys.base])
            if recovered:
                self.stats.inc_value("newscrawl/distributed/recovered", recovered)
                logger.warning("distributed: put %d requests of dead workers back in the queue", recovered)
            if recovered:
                self.wake()
        except Exception:  # noqa: BLE001 - Redis away for a moment: try again next tick
            logger.warning("distributed: frontier upkeep failed", exc_info=True)

    def poll(self) -> None:
        if self.starved:
            self.wake()

    def wake(self) -> None:
        """Ask the engine to look at the queue now (it would on its own every 5 s when idle)."""
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def state(self) -> tuple[int, int, int]:
        queued, others, live = self._state(keys=[self.keys.queue, self.keys.workers], args=[self.keys.base, self.worker])
        return int(queued), int(others), int(live)


def redis_errors():
    import redis

    return redis.exceptions.RedisError


def _looping_call(fn):
    from twisted.internet import task

    return task.LoopingCall(fn)


def frontier_of(crawler) -> Frontier | None:
    return getattr(crawler, _CRAWLER_ATTR, None)


class DistributedScheduler(RedisScheduler):
    """scrapy-redis's scheduler, with an in-flight record per worker so a dead worker loses nothing."""

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        return instance

    def open(self, spider):
        super().open(spider)
        prefix = redis_prefix(self.crawler.settings)
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError(f"SCHEDULER_QUEUE_CLASS={self.queue_cls!r}: distributed crawls need {QUEUE_CLASS}")
        self._enqueue = self.server.register_script(_ENQUEUE)
        self.frontier = Frontier(self.crawler, self.server, FrontierKeys(prefix, spider.name, self.queue.key))
        setattr(self.crawler, _CRAWLER_ATTR, self.frontier)
        self.frontier.join()

    def enqueue_request(self, request):
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        if not self._enqueue(keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data]):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.frontier.busy():
            return None  # asked again when one of ours finishes
        popped = self.frontier.pop()
        if popped is None:
            return None
        field, data = popped
        request = self.queue._decode_request(data)
        self.frontier.track(field, request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason):
        # The engine has finished every request it took and the pipelines are closed (store flushed):
        # settle everything, unless the store could not write its last batch.
        lost = self.stats.get_value("newscrawl/db/lost", 0) if self.stats else 0
        self.frontier.leave(requeue_all=bool(lost))


class FrontierIdleClose:
    """Keep an idle worker open while the shared frontier has work; close it once it has had none
    for NEWSCRAWL_REDIS_IDLE_SECONDS (no queued request, no request in flight at any worker)."""

    def __init__(self, crawler):
        if not crawler.settings.get("NEWSCRAWL_REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_idle(self, spider):
        frontier = frontier_of(self.crawler)
        if frontier is None:
            return
        frontier.settle(flush=True)
        queued, others, _live = frontier.state()
        if queued or others:
            frontier.empty_since = None
            if queued:
                frontier.wake()
            raise DontCloseSpider
        now = time.monotonic()
        if frontier.empty_since is None:
            frontier.empty_since = now
            logger.info("distributed: the shared frontier is empty; stopping in %.0fs unless work arrives",
                        frontier.idle_seconds)
        if now - frontier.empty_since < frontier.idle_seconds:
            raise DontCloseSpider


# --------------------------------------------------------------------------- seeding


def seed_sites(site_names, redis_url: str, overrides: dict | None = None, spider_kwargs: dict | None = None) -> dict[str, int]:
    """Push each site's start requests (its sections' first listing pages) into the shared queue.

    Requests are built by the site's spider (callbacks, render meta) and pushed with
    scrapy-redis's queue class, serialised as the workers' scheduler reads them. When no
    worker of a site is alive this starts a new crawl: the site's dupefilter is emptied.
    Returns the number of requests pushed per site.
    """
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader

    from newscrawl.ops.crawling import newscrawl_settings

    settings = newscrawl_settings({**(overrides or {}), "NEWSCRAWL_REDIS_URL": check_redis_url(redis_url)})
    loader = get_spider_loader(settings)
    spiders = []
    for name in site_names:  # build every request before pushing any: a bad argument pushes nothing
        spidercls = loader.load(name)
        crawler = Crawler(spidercls, settings)
        spider = spidercls.from_crawler(crawler, **(spider_kwargs or {}))
        spiders.append((crawler, spider, _unfinished_requests(crawler, spider) + spider.listing_requests()))
    pushed = {}
    for crawler, spider, requests in spiders:
        server = redis_from_settings(crawler.settings)
        server.ping()
        keys = FrontierKeys(redis_prefix(crawler.settings), spider.name,
                            crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name})
        live = [w for w in server.smembers(keys.workers) if server.exists(keys.alive(_text(w)))]
        if not live:
            server.delete(keys.dupefilter)
        queue = load_object(crawler.settings.get("SCHEDULER_QUEUE_CLASS") or QUEUE_CLASS)(
            server=server, spider=spider, key=keys.queue, serializer=_serializer(crawler.settings))
        for request in requests:
            queue.push(request)
        pushed[spider.name] = len(requests)
    return pushed


def _unfinished_requests(crawler, spider) -> list:
    """What earlier runs of the site discovered and did not finish (newscrawl/crawl/urlstate.py), admitted
    as a worker's UrlStateMiddleware admits what it records, so the worker that fetches each one
    records its outcome. Nothing when the database does not exist yet."""
    from newscrawl.storage import get_store
    from newscrawl.crawl.urlstate import UrlState

    db_url = crawler.settings.get("NEWSCRAWL_DB_URL")
    if not db_url or (db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists()):
        return []
    store = get_store(crawler).open()
    try:
        spider.url_state = UrlState.from_crawler(crawler)
        return spider.url_state.discover(spider.unfinished_requests())
    finally:
        store.close()


def clear_frontier(server, prefix: str, site: str) -> int:
    """Delete every key of a site's frontier (tests, a crawl abandoned for good); returns how many."""
    keys = FrontierKeys(prefix, site).all_keys(server)
    return server.delete(*keys) if keys else 0
