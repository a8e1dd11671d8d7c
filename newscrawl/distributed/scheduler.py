"""scrapy-redis's scheduler, with an in-flight record per worker so that a dead worker loses nothing."""
from __future__ import annotations

from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from newscrawl.distributed import lua
from newscrawl.distributed.config import DUPEFILTER_CLASS, QUEUE_CLASS, redis_prefix
from newscrawl.distributed.dupefilter import CrawlSeenFilter
from newscrawl.distributed.frontier import _CRAWLER_ATTR, WAKE_META, Frontier
from newscrawl.distributed.keys import FrontierKeys


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
        if not isinstance(self.df, CrawlSeenFilter):
            raise ValueError(f"DUPEFILTER_CLASS={self.dupefilter_cls!r}: distributed crawls need {DUPEFILTER_CLASS}")
        self._enqueue = self.server.register_script(lua.ENQUEUE)
        self.frontier = Frontier(self.crawler, self.server, FrontierKeys(prefix, spider.name, self.queue.key, self.df.key))
        setattr(self.crawler, _CRAWLER_ATTR, self.frontier)
        self.frontier.join()

    # The queue's own (de)serialisation is private (PriorityQueue._encode_request); it is made of
    # public parts, used here: Request.to_dict / request_from_dict and the queue's serializer.
    def encode(self, request) -> bytes:
        return self.queue.serializer.dumps(request.to_dict(spider=self.spider))

    def decode(self, data):
        return request_from_dict(self.queue.serializer.loads(data), spider=self.spider)

    def enqueue_request(self, request):
        if request.meta.get(WAKE_META):
            return True  # Frontier.wake's request: it only makes the engine ask next_request
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self._enqueue(keys=[self.df.key, self.queue.key],
                             args=[fingerprint, -request.priority, self.encode(request), self.df.ttl_ms]):
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
        request = self.decode(data)
        self.frontier.track(field, request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason):
        self.frontier.leave()
