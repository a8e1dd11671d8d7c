"""`scrapy check`: Scrapy's command, with the fixture pages served on 127.0.0.1 for the ``@fixture``
contracts (newscrawl/crawl/contracts.py): every spider gets the server as ``base_url`` unless ``-a base_url`` is
given, so no contract goes to the network. Not a run: no `runs` row, no URL state (newscrawl/crawl/commands)."""
from scrapy.commands.check import Command as ScrapyCheckCommand

from newscrawl.crawl.commands import not_a_run


class Command(ScrapyCheckCommand):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        not_a_run(self.settings)

    def run(self, args, opts) -> None:
        from newscrawl.ops.fixtureserver import DEMO_DIR, FIXTURES_DIR, FixtureServer

        if opts.list or not FIXTURES_DIR.is_dir() or "base_url" in opts.spargs:
            return super().run(args, opts)
        with FixtureServer(FIXTURES_DIR, DEMO_DIR) as server:  # the demo sites' pages are package data
            opts.spargs["base_url"] = server.url
            super().run(args, opts)
