"""One worker's share of the Redis frontier: membership (heartbeat), pops, settling, recovery of dead workers."""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time

from scrapy import Request

from newscrawl.crawl import defaults
from newscrawl.crawl import signals as newscrawl_signals
from newscrawl.distributed import lua
from newscrawl.distributed.dupefilter import seen_ttl_ms
from newscrawl.distributed.handling import Handling
from newscrawl.distributed.keys import FrontierKeys

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0  # heartbeat, settling, recovery of dead workers' requests
POLL_SECONDS = 0.2  # how often a worker with nothing to do looks at the shared queue
WAKE_META = "newscrawl_wake"  # marks the request Frontier.wake hands the engine; the scheduler swallows it
_CRAWLER_ATTR = "_newscrawl_frontier"


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Frontier:
    """One worker's share of the Redis frontier: in-flight records, heartbeat, recovery, settling."""

    def __init__(self, crawler, server, keys: FrontierKeys):
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.worker = worker_id()
        self.heartbeat_ttl = max(1.0, defaults.getfloat(crawler.settings, "NEWSCRAWL_REDIS_HEARTBEAT_SECONDS"))
        self.idle_seconds = max(0.0, defaults.getfloat(crawler.settings, "NEWSCRAWL_REDIS_IDLE_SECONDS"))
        self.seen_ttl_ms = seen_ttl_ms(crawler.settings)
        self._pop = server.register_script(lua.POP)
        self._recover = server.register_script(lua.RECOVER)
        self._state = server.register_script(lua.STATE)
        self._requeue = server.register_script(lua.REQUEUE)
        self._leave = server.register_script(lua.LEAVE)
        self.handling = Handling(crawler)             # the popped requests the engine is still handling
        self._awaiting: list[tuple[int, str]] = []    # (batches committed when done, field): handled, not yet durable
        # The store says when its writes are durable, or lost (newscrawl/crawl/signals.py).
        self.batches_committed = 0
        self.writes_lost = 0
        crawler.signals.connect(self.batch_committed, signal=newscrawl_signals.batch_committed)
        crawler.signals.connect(self.batch_lost, signal=newscrawl_signals.batch_lost)
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
        # The crawl's seen set and counter live while a worker does, and expire once none is left to push them
        # back (newscrawl/distributed/dupefilter.py); LEAVE deletes them when the crawl ends.
        pipe.pexpire(self.keys.dupefilter, self.seen_ttl_ms)
        pipe.pexpire(self.keys.seq, self.seen_ttl_ms)
        pipe.execute()

    def leave(self) -> None:
        """The engine is done with every request it took and the pipelines are closed: settle everything,
        unless the store lost writes (then put everything back in the queue for another try)."""
        for loop in (self._loop, self._poll):
            if loop is not None and loop.running:
                loop.stop()
        fields = self.handling.open_fields() + self.handling.take_finished() + [f for _, f in self._awaiting]
        if self.writes_lost and fields:
            n = sum(self._requeue(keys=[self.keys.inflight(self.worker), self.keys.queue], args=fields[i:i + 500])
                    for i in range(0, len(fields), 500))
            self.stats.inc_value("newscrawl/distributed/requeued_at_close", n)
            logger.warning("distributed: worker %s put %d unsettled requests back in the queue", self.worker, n)
        else:
            self._ack(fields)
        self.handling.finish_all()
        self.handling.take_finished()
        self._awaiting.clear()
        ended = self._leave(keys=[self.keys.workers, self.keys.queue, self.keys.dupefilter, self.keys.seq,
                                  self.keys.alive(self.worker), self.keys.inflight(self.worker)],
                            args=[self.keys.alive(""), self.keys.inflight(""), self.worker, self.seen_ttl_ms])
        if ended:
            logger.info("distributed: worker %s was the last to leave an empty frontier: the crawl's seen set is dropped",
                        self.worker)

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
        field, data = text(result[0]), result[1]
        return field, data

    def busy(self) -> bool:
        """True when this worker already holds as many unfinished requests as it should take ahead."""
        return len(self.handling) >= self.prefetch

    def track(self, field: str, request) -> None:
        self.handling.start(field, request)
        self.stats.inc_value("newscrawl/distributed/popped")

    # -- settling
    def batch_committed(self, count: int = 0) -> None:
        self.batches_committed += 1

    def batch_lost(self, count: int = 0, reason: str = "") -> None:
        self.writes_lost += count

    def _store(self):
        from newscrawl.crawl import services

        return services.store(self.crawler)  # None without a database: nothing is staged

    def settle(self, flush: bool = False) -> int:
        """Acknowledge the requests that are handled and whose database writes are written; return how many."""
        for field in self.handling.take_finished():
            self._awaiting.append((self.batches_committed, field))
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
        else:  # what was staged when a request finished is durable once a batch committed after that
            now = self.batches_committed
            ready = [f for b, f in self._awaiting if b < now]
            self._awaiting = [(b, f) for b, f in self._awaiting if b >= now]
        self._ack(ready)
        return len(ready)

    def engine_idle(self) -> None:
        """The engine handles nothing at all (spider_idle): every request it took is finished."""
        left = self.handling.finish_all()
        if left:  # a way out of the engine that Handling does not see (newscrawl/distributed/handling.py)
            self.stats.inc_value("newscrawl/distributed/finished_at_idle", left)
        self.settle(flush=True)

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
            recovered = self._recover(keys=[self.keys.workers, self.keys.queue],
                                      args=[self.keys.alive(""), self.keys.inflight("")])
            if recovered:
                self.stats.inc_value("newscrawl/distributed/recovered", recovered)
                logger.warning("distributed: put %d requests of dead workers back in the queue", recovered)
                self.wake()
        except Exception:  # noqa: BLE001 - Redis away for a moment: try again next tick
            logger.warning("distributed: frontier upkeep failed", exc_info=True)

    def poll(self) -> None:
        if self.starved:
            self.wake()

    def wake(self) -> None:
        """Ask the engine to look at the queue now (it would on its own every 5 s when idle).

        Scrapy has no public call for "ask the scheduler again"; ``engine.crawl()`` is the public way to
        hand the engine work, and it asks the scheduler for the next request right after. So the engine
        gets a request marked WAKE_META, which DistributedScheduler.enqueue_request swallows.
        """
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            engine.crawl(Request("data:,", meta={WAKE_META: True}, dont_filter=True))

    def state(self) -> tuple[int, int, int]:
        queued, others, live = self._state(keys=[self.keys.queue, self.keys.workers],
                                           args=[self.keys.alive(""), self.keys.inflight(""), self.worker])
        return int(queued), int(others), int(live)


def redis_errors():
    import redis

    return redis.exceptions.RedisError


def _looping_call(fn):
    from twisted.internet import task

    return task.LoopingCall(fn)


def frontier_of(crawler) -> Frontier | None:
    return getattr(crawler, _CRAWLER_ATTR, None)
