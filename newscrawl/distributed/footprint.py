"""What the shared frontier costs in Redis: bytes per queued request and per seen URL, measured.

``python -m newscrawl.distributed.footprint --redis redis://127.0.0.1:6379/0 -n 10000`` queues N
article requests of a site through the workers' own scheduler (DistributedScheduler: the same
serialisation, fingerprints and Lua as a crawl), reads ``MEMORY USAGE`` of the queue and of the
seen-set keys (every element counted: ``SAMPLES 0``), prints one line per figure, and deletes its keys.
"""
from __future__ import annotations

import argparse
import secrets

SITE = "tuyengiao"  # a shipped site file: the requests carry its real callbacks and meta


def article_requests(spider, n: int) -> list:
    """N distinct article requests as a listing callback yields them (tracked, with depth 1)."""
    base = spider.site.base_url.rstrip("/")
    slugs = ["hai-phong-tong-ket-cong-tac-tuyen-giao-nam", "tay-ninh-kien-toan-doi-ngu-bao-cao-vien-co-so",
             "gia-lai-nang-cao-hieu-qua-cong-tac-tuyen-truyen-mieng"]
    requests = []
    for i in range(n):
        request = spider.make_request(f"{base}/tuyen-giao-cac-cap/{slugs[i % len(slugs)]}-{100000 + i}", "article",
                                      spider.parse_article, track={"section": "tuyen-giao-cac-cap"},
                                      cb_kwargs={"section": "tuyen-giao-cac-cap"})
        request.meta["newscrawl_url"].update(attempts=0, admitted=True)  # as UrlState.discover admits it
        request.meta["depth"] = 1  # as Scrapy's DepthMiddleware sets it
        requests.append(request)
    return requests


def open_scheduler(redis_url: str, prefix: str, site: str = SITE):
    """A worker's scheduler for ``site`` on keys under ``prefix``, open (joined to the frontier); close it after."""
    from scrapy.utils.reactor import install_reactor, is_reactor_installed
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl.spiderloader import spider_class_for
    from newscrawl.distributed.scheduler import DistributedScheduler
    from newscrawl.ops.crawling import newscrawl_settings

    spidercls = spider_class_for(site)
    settings = newscrawl_settings({"NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_REDIS_PREFIX": prefix})
    if not is_reactor_installed():  # the crawler checks it; nothing here runs the reactor
        install_reactor(settings["TWISTED_REACTOR"])
    crawler = get_crawler(spidercls, settings_dict=settings.copy_to_dict())
    crawler.spider = spider = spidercls.from_crawler(crawler)
    scheduler = DistributedScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def measure(redis_url: str, n: int) -> dict[str, float]:
    prefix = f"footprint{secrets.token_hex(4)}"
    scheduler = open_scheduler(redis_url, prefix)
    server = scheduler.server
    try:
        requests = article_requests(scheduler.spider, n)
        for request in requests:
            scheduler.enqueue_request(request)
        queue_bytes = server.memory_usage(scheduler.queue.key, samples=0)
        seen_bytes = server.memory_usage(scheduler.df.key, samples=0)
        encoded = sum(len(scheduler.encode(r)) for r in requests)
        return {"requests": n, "queue_bytes_per_request": queue_bytes / n,
                "serialised_bytes_per_request": encoded / n, "seen_bytes_per_url": seen_bytes / n}
    finally:
        scheduler.close("finished")
        keys = list(server.scan_iter(match=f"{prefix}:*"))
        if keys:
            server.delete(*keys)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("-n", type=int, default=10_000, help="article requests to queue")
    args = parser.parse_args(argv)
    for name, value in measure(args.redis, args.n).items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
