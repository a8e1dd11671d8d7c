"""`scrapy runspider FILE`: Scrapy's command, and then, as `scrapy crawl` does (newscrawl/crawl/commands/crawl.py),
the run's record in last-run.json and its status as the exit status.

Scrapy's own run() makes its crawler where a command cannot reach it afterwards, so this one loads the
spider file and makes the crawler itself, the same way; anything unusual (no file, no spider in it) is
left to Scrapy's run() and its usage errors."""
from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path

from scrapy.commands.runspider import Command as ScrapyRunSpiderCommand
from scrapy.utils.spider import iter_spider_classes

from newscrawl.crawl.commands.crawl import run_crawler


def spider_class(filename: str):
    """The last spider class the Python file defines, imported as Scrapy imports it (its folder first on
    sys.path), or None: not a Python file, not importable (Scrapy's run() then says why), no spider."""
    path = Path(filename).resolve()
    if path.suffix not in (".py", ".pyw") or not path.is_file():
        return None
    sys.path.insert(0, str(path.parent))
    try:
        module = import_module(path.stem)
    except ImportError:
        return None
    finally:
        sys.path.pop(0)
    classes = list(iter_spider_classes(module))
    return classes[-1] if classes else None


class Command(ScrapyRunSpiderCommand):
    def run(self, args, opts) -> None:
        spidercls = spider_class(args[0]) if len(args) == 1 else None
        if spidercls is None:
            return super().run(args, opts)  # Scrapy's usage errors
        run_crawler(self, self.crawler_process.create_crawler(spidercls), opts.spargs, "runspider")
