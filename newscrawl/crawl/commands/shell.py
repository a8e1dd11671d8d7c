"""`scrapy shell`: Scrapy's command; what it fetches is a look at a page, not a run (see newscrawl/crawl/commands)."""
from scrapy.commands.shell import Command as ScrapyShellCommand

from newscrawl.crawl.commands import not_a_run


class Command(ScrapyShellCommand):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        not_a_run(self.settings)
