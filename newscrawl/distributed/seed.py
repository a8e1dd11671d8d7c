"""Starting a distributed crawl: the sites' first listing pages pushed into the shared queue."""
from __future__ import annotations

from pathlib import Path

from scrapy.utils.misc import load_object

from newscrawl.crawl import defaults
from newscrawl.distributed.config import QUEUE_CLASS, check_redis_url, redis_from_settings, redis_prefix, serializer
from newscrawl.distributed.frontier import text
from newscrawl.distributed.keys import FrontierKeys


def seed_sites(site_names, redis_url: str, overrides: dict | None = None, spider_kwargs: dict | None = None) -> dict[str, int]:
    """Push each site's start requests (its sections' first listing pages) into the shared queue.

    Requests are built by the site's spider (callbacks, render meta) and pushed with
    scrapy-redis's queue class, serialised as the workers' scheduler reads them. When no
    worker of a site is alive this starts a new crawl: the site's dupefilter is emptied.
    Returns the number of requests pushed per site.
    """
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader

    from newscrawl.crawl.addon import apply as apply_addon
    from newscrawl.ops.crawling import newscrawl_settings

    settings = newscrawl_settings({**(overrides or {}), "NEWSCRAWL_REDIS_URL": check_redis_url(redis_url)})
    loader = get_spider_loader(settings)
    spiders = []
    for name in site_names:  # build every request before pushing any: a bad argument pushes nothing
        spidercls = loader.load(name)
        crawler = Crawler(spidercls, settings)
        apply_addon(crawler.settings)  # Scrapy applies add-ons when crawling; the seed reads their settings now
        spider = spidercls.from_crawler(crawler, **(spider_kwargs or {}))
        spiders.append((crawler, spider, _unfinished_requests(crawler, spider) + spider.listing_requests()))
    pushed = {}
    for crawler, spider, requests in spiders:
        server = redis_from_settings(crawler.settings)
        server.ping()
        keys = FrontierKeys(redis_prefix(crawler.settings), spider.name,
                            crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name},
                            crawler.settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name})
        live = [w for w in server.smembers(keys.workers) if server.exists(keys.alive(text(w)))]
        if not live:
            server.delete(keys.dupefilter)
        queue = load_object(crawler.settings.get("SCHEDULER_QUEUE_CLASS") or QUEUE_CLASS)(
            server=server, spider=spider, key=keys.queue, serializer=serializer(crawler.settings))
        for request in requests:
            queue.push(request)
        pushed[spider.name] = len(requests)
    return pushed


def _unfinished_requests(crawler, spider) -> list:
    """What earlier runs of the site discovered and did not finish (newscrawl/crawl/urlstate.py), admitted
    as a worker's UrlStateMiddleware admits what it records, so the worker that fetches each one
    records its outcome. Nothing when the database does not exist yet."""
    from newscrawl.crawl import services
    from newscrawl.crawl.urlstate import UrlState

    db_url = defaults.database_url(crawler.settings)
    if not db_url or (db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists()):
        return []
    store = services.store(crawler).open()
    try:
        spider.url_state = UrlState.from_crawler(crawler)
        return spider.url_state.discover(spider.unfinished_requests())
    finally:
        store.close()
