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
    """Crawl each site in one Scrapy process; returns the crawlers (their .stats hold the results)."""
    settings = newscrawl_settings(overrides)
    loader = get_spider_loader(settings)
    process = CrawlerProcess(settings)
    crawlers = []
    for name in site_names:
        crawler = process.create_crawler(loader.load(name))
        crawlers.append(crawler)
        process.crawl(crawler, **(spider_kwargs or {}))
    process.start()
    return crawlers
