"""Scrapy settings for newscrawl. Every NEWSCRAWL_* setting is documented in README.md#settings.

newscrawl's own settings (NEWSCRAWL_*) are declared once, with their defaults, in
newscrawl/crawl/defaults.py; this module takes them from there, as Scrapy reads settings from it.

Defaults are polite to real sites: robots.txt obeyed, AutoThrottle on, a few
requests per domain at a time, an honest User-Agent with a contact URL.
"""
import copy

from newscrawl.crawl import defaults as _defaults  # lower case: Scrapy takes only upper-case names

# Every NEWSCRAWL_* setting and its default; copies, so that no crawl changes the declarations.
globals().update(copy.deepcopy(_defaults.DEFAULTS))

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.crawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.crawl.spiders"
SPIDER_LOADER_CLASS = "newscrawl.crawl.spiderloader.SiteSpiderLoader"
COMMANDS_MODULE = "newscrawl.crawl.commands"  # `scrapy crawl` checks -a and -s first: a bad one exits 2 with one line

# --- politeness
USER_AGENT = f"newscrawl/0.1 (+{_defaults.DEFAULTS['NEWSCRAWL_CONTACT_URL']})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
# Scrapy starts CONCURRENT_ITEMS (default 100) tasks for the output of every response,
# however few objects it holds; our pipelines are synchronous, so more than a few buys
# nothing and the task churn cost ~10% of a crawl's CPU (benchmarks/crawl_throughput.py).
CONCURRENT_ITEMS = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the failure log says it in one WARNING line (newscrawl/crawl/failures.py)
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Response headers are bounded as bodies are (newscrawl/crawl/downloader.py, NEWSCRAWL_MAX_HEADER_BYTES and _HEADERS).
# In the _BASE dict so that a site's [render] table can still put playwright's handler in DOWNLOAD_HANDLERS.
DOWNLOAD_HANDLERS_BASE = {
    "data": "scrapy.core.downloader.handlers.datauri.DataURIDownloadHandler",
    "file": "scrapy.core.downloader.handlers.file.FileDownloadHandler",
    "http": "newscrawl.crawl.downloader.BoundedHTTP11DownloadHandler",
    "https": "newscrawl.crawl.downloader.BoundedHTTP11DownloadHandler",
    "s3": "scrapy.core.downloader.handlers.s3.S3DownloadHandler",
    "ftp": "scrapy.core.downloader.handlers.ftp.FTPDownloadHandler",
}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- robustness (newscrawl/crawl/downloadermiddlewares/, spidermiddlewares/; docs in README#robustness)
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.crawl.downloadermiddlewares.scheme.SchemeFilterMiddleware": 10,  # only http(s)
    "newscrawl.crawl.downloadermiddlewares.origin.OriginFilterMiddleware": 20,  # only the spider's origins (scheme, host, port), every request
    "newscrawl.crawl.downloadermiddlewares.contentfilter.ContentFilterMiddleware": 530,  # PDFs, images, empty 200s never reach extraction
    "newscrawl.crawl.downloadermiddlewares.failurelog.FailureLogMiddleware": 540,  # failures.jsonl after the retries
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.crawl.downloadermiddlewares.retry.BackoffRetryMiddleware": 550,  # exponential backoff, honours Retry-After
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.crawl.downloadermiddlewares.redirect.RedirectMiddleware": 600,  # no offsite or non-http redirects, loops detected
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.crawl.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,  # decompression bombs recorded, not dropped silently
}
SPIDER_MIDDLEWARES = {
    "newscrawl.crawl.spidermiddlewares.crawltrap.CrawlTrapMiddleware": 950,  # calendar traps, link floods
    "newscrawl.crawl.urlstate.UrlStateMiddleware": 600,  # records each URL before it is requested (after the drops above it)
}

# --- output
FEED_EXPORT_ENCODING = "utf-8"  # JSONL holds Vietnamese text, not \u escapes
SCHEDULER_DISK_QUEUE = "newscrawl.crawl.outputs.GuardedPickleLifoDiskQueue"  # a full disk under JOBDIR stops the crawl, no hang
FEED_STORAGES = {"file": "newscrawl.crawl.feeds.AtomicFileFeedStorage", "": "newscrawl.crawl.feeds.AtomicFileFeedStorage"}

# The settings a crawl derives from others: output folder, distributed frontier (newscrawl/crawl/addon.py)
ADDONS = {"newscrawl.crawl.addon.NewscrawlAddon": 0}

EXTENSIONS = {
    # the objects the crawl's components share, one per crawler (newscrawl/crawl/services.py)
    "newscrawl.crawl.outputs.OutputGuard": 100,  # an output that cannot be written stops the crawl
    "newscrawl.crawl.failures.FailureLog": 110,  # failures.jsonl, failure stats, the url_failed signal
    "newscrawl.crawl.services.StoreService": 120,  # the one ArticleStore
    "newscrawl.crawl.services.ExtractorService": 130,  # the one extraction worker pool
    "newscrawl.crawl.pipelines.outcomes.UnchangedArticles": 140,  # unchanged articles let through to the feed
    "newscrawl.crawl.urlstate.UrlState": 400,  # the durable URL state (newscrawl/crawl/urlstate.py)
    "newscrawl.crawl.summary.RunSummary": 500,
    "newscrawl.crawl.progress.Progress": 510,  # only with NEWSCRAWL_PROGRESS
}

ITEM_PIPELINES = {
    "newscrawl.crawl.pipelines.clean.CleanPipeline": 100,
    "newscrawl.crawl.pipelines.validate.ValidatePipeline": 200,
    "newscrawl.crawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.crawl.pipelines.store.DatabaseStorePipeline": 400,
}

# `scrapy check`: @fixture contracts, one per fixture page of a site file (newscrawl/crawl/contracts.py)
SPIDER_CONTRACTS = {"newscrawl.crawl.contracts.FixtureContract": 10}

LOG_FORMATTER = "newscrawl.crawl.logformatter.NewsLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"  # the dropping pipeline logs its own line at the level it deserves
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
