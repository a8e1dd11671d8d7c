"""`scrapy crawl` with the checks of `newscrawl crawl`: a bad `-a` or `-s` exits 2 with one line.

Scrapy's own command builds the spider inside the engine, so a bad spider argument surfaced
as an asyncio "Task exception was never retrieved" traceback, printed twice, with exit 1.
This command checks the settings given with `-s` and the spider arguments with the same
functions `newscrawl crawl` uses (newscrawl/crawl/config.py, newscrawl/crawl/spiders/arguments.py),
before the crawler process exists, and otherwise is Scrapy's crawl command unchanged.
"""
from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.crawl.config import ConfigError, check_settings
from newscrawl.crawl.runs import EXIT_CONFIG
from newscrawl.sites import SiteConfigError


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        """Scrapy's run, and then the run summary's status as the exit status (as `newscrawl crawl`
        maps it: 4 failed, 5 degraded), with one line saying why: Scrapy's own exits 0 whatever happened."""
        if len(args) != 1:
            return super().run(args, opts)  # Scrapy's usage errors
        from newscrawl.crawl.runs import EXIT_BY_STATUS, RunSummary

        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        ext = crawler.get_extension(RunSummary)
        summary = getattr(ext, "summary", None)
        if not summary:  # RunSummary switched off in EXTENSIONS: nothing to judge by, Scrapy's status stands
            return
        self.exitcode = EXIT_BY_STATUS[summary["status"]]
        if summary["status"] != "ok":
            why = "; ".join(summary["problems"]) or "fill-rate alerts: " + ", ".join(
                a["field"] for a in summary.get("alerts", []))
            print(f"scrapy crawl: {summary['site']}: {summary['status']}: {why}", file=sys.stderr)

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)  # parses -a and -s (a malformed pair is Scrapy's usage error)
        if len(args) != 1:
            return  # Scrapy's run() says what is wrong
        try:
            self._check(args[0], opts.spargs)
        except (ConfigError, SiteConfigError) as exc:
            print(f"scrapy crawl: {exc}", file=sys.stderr)
            raise SystemExit(EXIT_CONFIG) from None

    def _check(self, spider_name: str, spider_arguments: dict) -> None:
        from scrapy.spiderloader import get_spider_loader

        from newscrawl.ops.crawling import newscrawl_settings
        from newscrawl.crawl.spiders.arguments import check_spider_arguments
        from newscrawl.crawl.spiders.news import NewsSpider

        cmdline = SETTINGS_PRIORITIES["cmdline"]
        # What the user gave with -s (and Scrapy's own options such as -L, --logfile, -O, which set the same priority).
        given = {name: value for name, value in self.settings.items() if self.settings.getpriority(name) == cmdline}
        check_settings(given, defaults=newscrawl_settings())
        loader = get_spider_loader(self.settings)  # reads NEWSCRAWL_SITE_DIRS: a bad folder is a ConfigError
        try:
            spidercls = loader.load(spider_name)
        except KeyError:
            raise ConfigError(f"no spider {spider_name!r}; `scrapy list` names them") from None
        if issubclass(spidercls, NewsSpider):
            check_spider_arguments(spidercls.site_name, spider_arguments, spidercls.sites)
