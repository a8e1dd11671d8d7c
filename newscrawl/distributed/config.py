"""Switching a crawl to the shared Redis frontier: settings, their checks, the Redis connection."""
from __future__ import annotations

import importlib
import os
import socket
from datetime import datetime, timezone

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object

from newscrawl.distributed.handling import HandlingDownloaderMiddleware, HandlingSpiderMiddleware
from newscrawl.distributed.idle import FrontierIdleClose
from newscrawl.distributed.keys import FrontierKeys

QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
DUPEFILTER_CLASS = "newscrawl.distributed.dupefilter.CrawlSeenFilter"
SERIALIZER = "newscrawl.distributed.serializer"


def redis_prefix(settings) -> str:
    prefix = str(settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl").strip()
    if not prefix or any(c in prefix for c in " %{}"):
        from newscrawl.model.errors import ConfigError

        raise ConfigError(f"NEWSCRAWL_REDIS_PREFIX={prefix!r}: expected a non-empty key prefix without spaces, % or braces")
    return prefix


def check_redis_url(url: str) -> str:
    from newscrawl.model.errors import ConfigError

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

    Called from the add-on (newscrawl/crawl/addon.py); settings given explicitly (``-s SCHEDULER=...``) win.
    """
    url = settings.get("NEWSCRAWL_REDIS_URL")
    if not url:
        return False
    check_redis_url(url)
    keys = FrontierKeys(redis_prefix(settings), "%(spider)s")  # scrapy-redis puts the spider's name in
    spider = SETTINGS_PRIORITIES["spider"]
    for name, value in {
        "SCHEDULER": "newscrawl.distributed.scheduler.DistributedScheduler",
        "DUPEFILTER_CLASS": DUPEFILTER_CLASS,
        "SCHEDULER_QUEUE_CLASS": QUEUE_CLASS,
        "SCHEDULER_SERIALIZER": SERIALIZER,
        "SCHEDULER_QUEUE_KEY": keys.queue,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "SCHEDULER_PERSIST": True,  # the frontier outlives each worker: the others still use it
        "REDIS_URL": url,
    }.items():
        settings.set(name, value, spider)
    # Workers started in the same second would share a run id (one row of the runs table): name the worker.
    run_id = settings.get("NEWSCRAWL_RUN_ID") or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    settings.set("NEWSCRAWL_RUN_ID", f"{run_id}-{socket.gethostname()}-{os.getpid()}",
                 max(settings.getpriority("NEWSCRAWL_RUN_ID") or 0, spider))
    _add_component(settings, "EXTENSIONS", FrontierIdleClose, 0)
    # Outermost (0: before every other one), so that they see how the engine is done with a request.
    _add_component(settings, "DOWNLOADER_MIDDLEWARES", HandlingDownloaderMiddleware, 0)
    _add_component(settings, "SPIDER_MIDDLEWARES", HandlingSpiderMiddleware, 0)
    return True


def _add_component(settings, name: str, cls, order: int) -> None:
    components = settings.getdict(name)
    if not any(load_object(k) is cls for k in components):
        components[cls] = order
    # At spider priority at least: CrawlerProcess.crawl(crawler) merges the project's EXTENSIONS
    # (and middlewares) into the crawler's again, and would drop an addition made at project priority.
    settings.set(name, components, max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"]))


def redis_from_settings(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


def serializer(settings):
    name = settings.get("SCHEDULER_SERIALIZER")
    return importlib.import_module(name) if isinstance(name, str) else name
