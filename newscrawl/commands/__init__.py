"""The project's own Scrapy commands (setting COMMANDS_MODULE): `scrapy crawl` checks its arguments first."""
