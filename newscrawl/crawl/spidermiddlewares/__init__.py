"""newscrawl's spider middlewares, one per module as Scrapy lays out its own (SPIDER_MIDDLEWARES in settings.py)."""
