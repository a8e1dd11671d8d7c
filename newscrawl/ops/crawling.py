"""Run crawls in-process with newscrawl's settings (used by the CLI; `scrapy crawl` uses the same settings)."""
from __future__ import annotations

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader


def newscrawl_settings(overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawls(site_names: list[str], overrides: dict | None = None, spider_kwargs: dict | None = None) -> list:
    """Crawl each site in one Scrapy process; returns the crawlers (their .stats hold the results).

    A name that is an http(s) URL is a site without a site file, crawled by the generic "news" spider
    with ``url`` (newscrawl/crawl/spiders/generic.py); ``depth`` is that crawl's argument only."""
    from newscrawl.model.urls import is_http_url

    settings = newscrawl_settings(overrides)
    loader = get_spider_loader(settings)
    process = CrawlerProcess(settings)
    crawlers = []
    for name in site_names:
        kwargs = dict(spider_kwargs or {})
        if is_http_url(name):
            spidercls, kwargs["url"] = loader.load("news"), name
        else:
            spidercls = loader.load(name)
            kwargs.pop("depth", None)
        crawler = process.create_crawler(spidercls)
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    process.start()
    return crawlers
