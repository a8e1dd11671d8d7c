"""newscrawl's downloader middlewares, one per module as Scrapy lays out its own (DOWNLOADER_MIDDLEWARES in settings.py)."""
