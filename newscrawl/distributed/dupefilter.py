"""The crawl's seen-URL set: scrapy-redis's dupefilter, bounded to one crawl of one site.

scrapy-redis keeps every fingerprint ever added in one set that nothing empties. Here the set
(``P:SITE:dupefilter``) holds the requests of the current crawl only:

- each fingerprint is the 20 bytes of scrapy-redis's SHA-1 (same method, URL and body), not its
  40 hex digits: the same requests are told apart, in a smaller member;
- the set expires ``NEWSCRAWL_REDIS_SEEN_TTL_SECONDS`` after the last add or heartbeat of a worker
  (the enqueue script and every worker's tick push it back), so a crawl whose workers all vanished
  leaves nothing behind for ever;
- the last worker to leave an empty frontier (nothing queued, nothing in flight anywhere) deletes
  it at once (newscrawl/distributed/lua.py, LEAVE): the crawl is over;
- ``newscrawl seed`` with no live worker deletes it (a new crawl).

What a later crawl must not fetch again (stored, duplicate, rejected lately, given up) is known
from the database (the articles and the URL state, newscrawl/crawl/urlstate.py), which every
worker reads at start; the set only keeps workers of one crawl from fetching a URL twice.
No Bloom filter: it would drop requests it wrongly believes seen.
"""
from __future__ import annotations

from scrapy_redis.dupefilter import RFPDupeFilter

from newscrawl.crawl import defaults
from newscrawl.distributed import lua


def seen_ttl_ms(settings) -> int:
    """How long a crawl's seen set outlives its last add or worker heartbeat, in ms (at least a second)."""
    return max(1000, int(defaults.getfloat(settings, "NEWSCRAWL_REDIS_SEEN_TTL_SECONDS") * 1000))


class CrawlSeenFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter with byte fingerprints and a set that expires (see the module's docstring)."""

    ttl_ms = int(defaults.DEFAULTS["NEWSCRAWL_REDIS_SEEN_TTL_SECONDS"] * 1000)  # until from_settings/_spider set it
    _enqueue_script = None

    @classmethod
    def from_settings(cls, settings):
        return cls._bounded(super().from_settings(settings), settings)

    @classmethod
    def from_spider(cls, spider):
        return cls._bounded(super().from_spider(spider), spider.settings)

    @classmethod
    def _bounded(cls, df, settings):
        df.ttl_ms = seen_ttl_ms(settings)
        return df

    def request_fingerprint(self, request) -> bytes:
        # scrapy-redis's fingerprint (SHA-1 of method, canonical URL and body) as its 20 bytes, not 40 hex digits
        return bytes.fromhex(super().request_fingerprint(request))

    def enqueue(self, queue_key: str, request, data: bytes) -> bool:
        """Mark ``request`` seen (unless ``dont_filter``) and put ``data``, its serialised form, in the queue, in
        one step (lua.ENQUEUE); False when it was seen already."""
        if self._enqueue_script is None:
            self._enqueue_script = self.server.register_script(lua.ENQUEUE)
        fingerprint = b"" if request.dont_filter else self.request_fingerprint(request)
        return bool(self._enqueue_script(keys=[self.key, queue_key], args=[fingerprint, -request.priority, data, self.ttl_ms]))

    def request_seen(self, request) -> bool:
        pipe = self.server.pipeline()
        pipe.sadd(self.key, self.request_fingerprint(request))
        pipe.pexpire(self.key, self.ttl_ms)
        added, _ = pipe.execute()
        return added == 0
