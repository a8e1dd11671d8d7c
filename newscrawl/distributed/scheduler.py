"""scrapy-redis's scheduler, with an in-flight record per worker so that a dead worker loses nothing."""
from __future__ import annotations

from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from newscrawl.distributed.config import DUPEFILTER_CLASS, QUEUE_CLASS, redis_prefix
from newscrawl.distributed.dupefilter import CrawlSeenFilter
from newscrawl.distributed.frontier import _CRAWLER_ATTR, WAKE_META, Frontier
from newscrawl.distributed.keys import FrontierKeys


def encode_request(queue, request, spider) -> bytes:
    """A request as the shared queue holds it. The queue's own (de)serialisation is private
    (PriorityQueue._encode_request); it is made of public parts, used here and in decode:
    Request.to_dict / request_from_dict and the queue's serializer."""
    return queue.serializer.dumps(request.to_dict(spider=spider))


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
        self.frontier = Frontier(self.crawler, self.server, FrontierKeys(prefix, spider.name, self.queue.key, self.df.key))
        setattr(self.crawler, _CRAWLER_ATTR, self.frontier)
        self.frontier.join()

    def encode(self, request) -> bytes:
        return encode_request(self.queue, request, self.spider)

    def decode(self, data):
        return request_from_dict(self.queue.serializer.loads(data), spider=self.spider)

    def enqueue_request(self, request):
        if request.meta.get(WAKE_META):
            return True  # Frontier.wake's request: it only makes the engine ask next_request
        if not self.df.enqueue(self.queue.key, request, self.encode(request)):
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
