"""Starting a distributed crawl: the sites' first listing pages pushed into the shared queue."""
from __future__ import annotations

from pathlib import Path

from scrapy.utils.misc import load_object

from newscrawl.crawl import defaults
from newscrawl.distributed import lua
from newscrawl.distributed.config import QUEUE_CLASS, check_redis_url, redis_from_settings, redis_prefix, serializer
from newscrawl.distributed.dupefilter import CrawlSeenFilter, seen_ttl_ms
from newscrawl.distributed.keys import FrontierKeys
from newscrawl.distributed.scheduler import encode_request


def seed_sites(site_names, redis_url: str, overrides: dict | None = None, spider_kwargs: dict | None = None) -> dict[str, int]:
    """Push each site's start requests (its sections' first listing pages) into the shared queue.

    Requests are built by the site's spider (callbacks, render meta) and pushed into
    scrapy-redis's queue, serialised as the workers' scheduler reads them. When the site's
    frontier is empty (no worker alive, nothing queued or in flight) this starts a new crawl:
    the site's seen set is emptied. Else it adds to the crawl going on, or resumes a killed one
    with its seen set. Returns the number of requests queued per site.
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
        # What earlier runs left unfinished goes through the seen set, as the workers' requests do: those a
        # killed crawl still holds (queued, or in flight at a dead worker) are not queued a second time, and a
        # worker's listing that links one again does not queue it again either. Listings stay unfiltered.
        unfinished = [request.replace(dont_filter=False) for request in _unfinished_requests(crawler, spider)]
        spiders.append((crawler, spider, unfinished + spider.listing_requests()))
    pushed = {}
    for crawler, spider, requests in spiders:
        server = redis_from_settings(crawler.settings)
        server.ping()
        keys = FrontierKeys(redis_prefix(crawler.settings), spider.name,
                            crawler.settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name},
                            crawler.settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name})
        queued, held, live = server.register_script(lua.STATE)(keys=[keys.queue, keys.workers],
                                                               args=[keys.alive(""), keys.inflight(""), ""])
        if not (queued or held or live):  # a new crawl; else the seen set is that of the crawl going on (or killed)
            server.delete(keys.dupefilter)
        queue = load_object(crawler.settings.get("SCHEDULER_QUEUE_CLASS") or QUEUE_CLASS)(
            server=server, spider=spider, key=keys.queue, serializer=serializer(crawler.settings))
        seen = CrawlSeenFilter(server, keys.dupefilter)
        seen.ttl_ms = seen_ttl_ms(crawler.settings)
        pushed[spider.name] = sum(seen.enqueue(keys.queue, request, encode_request(queue, request, spider))
                                  for request in requests)
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
    # A crawler that never crawls gets no stats from Scrapy (Crawler.stats raises until a crawl starts);
    # the store and the URL state count into them.
    crawler.stats = load_object(crawler.settings["STATS_CLASS"])(crawler)
    store = services.store(crawler).open()
    try:
        spider.url_state = UrlState.from_crawler(crawler)
        return spider.url_state.discover(spider.unfinished_requests())
    finally:
        store.close()
