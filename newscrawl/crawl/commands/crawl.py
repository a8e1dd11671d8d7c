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

from newscrawl.crawl.config import check_settings
from newscrawl.model.errors import ConfigError
from newscrawl.crawl.runs import EXIT_CONFIG
from newscrawl.sites import SiteConfigError


def run_crawler(command, crawler, spider_arguments: dict, name: str) -> None:
    """Run one crawler in the command's CrawlerProcess, then set the command's exit status from the run
    (:func:`finish_run`); 1 when the crawl could not start, as Scrapy's commands do."""
    command.crawler_process.crawl(crawler, **spider_arguments)
    command.crawler_process.start()
    if command.crawler_process.bootstrap_failed:
        command.exitcode = 1
        return
    exit_code = finish_run(crawler, name)
    if exit_code is not None:
        command.exitcode = exit_code


def finish_run(crawler, command: str) -> int | None:
    """After a one-spider command's crawl (`scrapy crawl`, `scrapy runspider`): the run's record from the
    crawler's RunSummary, written as runs/<run id>.json and last-run.json as `newscrawl crawl` writes them,
    one line on stderr when the run is not ok, and its exit status (None: no summary, as when RunSummary is
    switched off in EXTENSIONS or the crawl was not a run; Scrapy's status stands)."""
    from newscrawl.crawl.outputs import describe_os_error
    from newscrawl.crawl.runs import EXIT_FAILED, run_record, write_run_record
    from newscrawl.crawl.summary import RunSummary

    ext = crawler.get_extension(RunSummary)
    summary = ext.summary if ext else None
    if not summary:
        return None
    record = run_record(ext.base_run_id, {summary["site"]: summary})
    if summary["status"] != "ok":
        why = "; ".join(summary["problems"]) or "monitor alerts: " + ", ".join(
            a["field"] for a in summary.get("alerts", []))
        print(f"scrapy {command}: {summary['site']}: {summary['status']}: {why}", file=sys.stderr)
    if ext.runs_dir:
        try:
            write_run_record(ext.runs_dir, record)
        except OSError as exc:  # a full disk: one line, and never exit 0 without a summary
            print(f"scrapy {command}: the run summary could not be written to {ext.runs_dir}: "
                  f"{describe_os_error(exc)}", file=sys.stderr)
            return EXIT_FAILED
    return record["exit_code"]


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        """Scrapy's run, and then the run summary's status as the exit status (as `newscrawl crawl`
        maps it: 4 failed, 5 degraded), with one line saying why: Scrapy's own exits 0 whatever happened."""
        if len(args) != 1:
            return super().run(args, opts)  # Scrapy's usage errors
        run_crawler(self, self.crawler_process.create_crawler(args[0]), opts.spargs, "crawl")

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
            if getattr(spidercls, "by_url", False) and not spider_arguments.get("url"):
                raise ConfigError(f"spider {spider_name!r} crawls a site by its URL: give -a url=URL")
            check_spider_arguments(spidercls.site_name, spider_arguments, spidercls.sites)
