"""Spiders. There is one spider class, NewsSpider; `scrapy crawl <site>` gets a subclass per
site file through newscrawl.crawl.spiderloader.SiteSpiderLoader."""
