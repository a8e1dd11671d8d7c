"""Switching a crawl to the shared Redis frontier: settings, their checks, the Redis connection."""
from __future__ import annotations

import importlib
import os
import socket
from datetime import datetime, timezone

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object

from newscrawl.distributed.idle import FrontierIdleClose

QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"


def redis_prefix(settings) -> str:
    prefix = str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl").strip()
    if not prefix or any(c in prefix for c in " %{}"):
        from newscrawl.sites import SiteConfigError

        raise SiteConfigError(f"NEWSCRAWL_REDIS_PREFIX={prefix!r}: expected a non-empty key prefix without spaces, % or braces")
    return prefix


def check_redis_url(url: str) -> str:
    from newscrawl.sites import SiteConfigError

    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        raise SiteConfigError(f"NEWSCRAWL_REDIS_URL={url!r}: expected a Redis URL such as redis://127.0.0.1:6379/0")
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
        "SCHEDULER": "newscrawl.distributed.scheduler.DistributedScheduler",
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


def serializer(settings):
    name = settings.get("SCHEDULER_SERIALIZER")
    return importlib.import_module(name) if isinstance(name, str) else name
