"""Everything that runs inside a Scrapy crawl: spiders, middlewares, pipelines, extensions, commands."""
