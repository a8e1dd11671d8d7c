"""Scrapy settings for newscrawl. Every NEWSCRAWL_* setting is documented in README.md#settings.

Defaults are polite to real sites: robots.txt obeyed, AutoThrottle on, a few
requests per domain at a time, an honest User-Agent with a contact URL.
"""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.crawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.crawl.spiders"
SPIDER_LOADER_CLASS = "newscrawl.crawl.spiderloader.SiteSpiderLoader"
COMMANDS_MODULE = "newscrawl.crawl.commands"  # `scrapy crawl` checks -a and -s first: a bad one exits 2 with one line

# --- politeness
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT_URL})"
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
# Response headers are bounded as bodies are (newscrawl/crawl/downloader.py); past a bound: failures.jsonl "headers_too_large".
NEWSCRAWL_MAX_HEADER_BYTES = 256 * 1024  # the whole header section (Chromium's limit); 0 = no limit
NEWSCRAWL_MAX_HEADERS = 500  # header fields in one response; 0 = no limit
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
# scrapy crawl's default outputs go to one folder, .scrapy/newscrawl/ (git-ignored, where Scrapy keeps its
# own data such as HTTPCACHE_DIR), not the project root; explicit settings and NEWSCRAWL_OUT_DIR still win.
default_dir = ".scrapy/newscrawl"  # lower case: not a setting, -s cannot move the three defaults below
NEWSCRAWL_FAILURES_PATH = f"{default_dir}/failures.jsonl"  # one JSON line per URL that could not be had
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

# --- what to crawl
NEWSCRAWL_MAX_PAGES = 0  # listing pages per section; 0 = follow pagination to its end

# --- incremental runs
NEWSCRAWL_INCREMENTAL = True  # don't request article URLs the database already holds
NEWSCRAWL_RECHECK_HOURS = -1  # re-request stored articles published this recently; -1 = the site file's recheck_hours
NEWSCRAWL_KNOWN_PAGES_STOP = 1  # stop paging a section after this many listing pages of only known articles (0 = never)
NEWSCRAWL_REJECT_RETRY_HOURS = 24  # a page validation rejected is fetched again after this long
NEWSCRAWL_URL_RETRY_MINUTES = 30  # a URL whose download failed is requested again by a run this much later, doubling
NEWSCRAWL_URL_MAX_ATTEMPTS = 5  # failed downloads of one URL (over runs) before it is given up

# --- output
NEWSCRAWL_OUT_DIR = None  # lay out all outputs in one folder (see newscrawl/crawl/outputs.py)
NEWSCRAWL_JSONL_PARTITION = "crawl_date"  # with NEWSCRAWL_OUT_DIR: articles/<date>.jsonl, or "none": articles.jsonl
NEWSCRAWL_RECORD_RUNS = True  # write the runs row, run summaries and URL state; scrapy parse/shell/check set it off
NEWSCRAWL_FEED_ITEMS = "auto"  # JSONL: "changed" (new, updated), "all" (unchanged too); auto: all for -O/-o (newscrawl/crawl/feeds.py)
NEWSCRAWL_RUNS_DIR = None  # where run summaries go (runs/<run id>.json, last-run.json); set by NEWSCRAWL_OUT_DIR
FEED_EXPORT_ENCODING = "utf-8"  # JSONL holds Vietnamese text, not \u escapes
SCHEDULER_DISK_QUEUE = "newscrawl.crawl.outputs.GuardedPickleLifoDiskQueue"  # a full disk under JOBDIR stops the crawl, no hang
FEED_STORAGES = {"file": "newscrawl.crawl.feeds.AtomicFileFeedStorage", "": "newscrawl.crawl.feeds.AtomicFileFeedStorage"}
NEWSCRAWL_DB_URL = f"sqlite:///{default_dir}/newscrawl.sqlite"  # SQLAlchemy URL; postgresql+psycopg://... for PostgreSQL
NEWSCRAWL_DB_BATCH_SIZE = 100  # articles written per transaction
NEWSCRAWL_DB_RETRIES = 5  # retries of a write or read whose connection was lost
NEWSCRAWL_DB_RETRY_BACKOFF = 0.5  # seconds before the first retry, doubling
NEWSCRAWL_DB_OUTAGE_MAX_SECONDS = 120  # a crawl waits this long for a database that went away, then gives up
NEWSCRAWL_MINHASH_PERMUTATIONS = 128  # MinHash signature size for near-duplicate detection
NEWSCRAWL_NEARDUP_THRESHOLD = 0.8  # estimated Jaccard similarity at which two articles are near-duplicates
NEWSCRAWL_NEARDUP_WINDOW_DAYS = 30  # compare with articles first seen this recently (0 = all)
NEWSCRAWL_EMIT_NEAR_DUPLICATES = True  # near-duplicates are stored (with duplicate_of); also emit them to the feed?
NEWSCRAWL_REJECTS_PATH = f"{default_dir}/rejects.jsonl"  # invalid items, one JSON line each with the reasons
NEWSCRAWL_MIN_BODY_CHARS = 200  # shorter bodies are rejected
NEWSCRAWL_FUTURE_TOLERANCE_HOURS = 24  # a publish time further in the future is rejected
NEWSCRAWL_MAX_URL_LENGTH = 2083  # an item whose url or canonical_url is longer is rejected (url_too_long)
NEWSCRAWL_EXTRACT_WORKERS = 0  # extract article pages in N worker processes (0: in the crawl process)

# --- more sites, distributed crawls, JavaScript pages (docs/scaling.md)
NEWSCRAWL_SITE_DIRS = []  # extra folders of <name>.toml site files (private sites, no fork needed)
NEWSCRAWL_REDIS_URL = None  # redis://host:6379/0: workers share one frontier (scrapy-redis scheduler + dupefilter)
NEWSCRAWL_REDIS_PREFIX = "newscrawl"  # Redis keys <prefix>:<site>:requests, :dupefilter, :inflight:<worker>, ...
NEWSCRAWL_REDIS_IDLE_SECONDS = 10  # a worker stops once the shared frontier has been empty this long
NEWSCRAWL_REDIS_HEARTBEAT_SECONDS = 30  # a worker silent this long is dead; its in-flight requests are requeued
NEWSCRAWL_RENDER = "auto"  # "auto": render what a site file's [render] table names; "off": never render
NEWSCRAWL_CHROMIUM_PATH = "/usr/bin/chromium"  # the browser rendered pages go through (Debian's chromium)

# --- progress (newscrawl/crawl/progress.py): a live bar on a terminal, else a plain line per interval
NEWSCRAWL_PROGRESS = False  # `newscrawl crawl` turns it on; `scrapy crawl` keeps Scrapy's per-minute stats line
NEWSCRAWL_PROGRESS_INTERVAL = 5.0  # seconds between progress reports

# --- monitors (newscrawl/crawl/monitors.py, a Spidermon suite)
NEWSCRAWL_MONITOR_MIN_FILL = {"title": 0.95, "published": 0.90, "body": 0.95}  # floors per field
NEWSCRAWL_MONITOR_MAX_DROP = 0.25  # flag a field whose fill rate fell this much below its recent runs' median
NEWSCRAWL_MONITOR_HISTORY = 5  # recent runs compared
NEWSCRAWL_MONITOR_MIN_ITEMS = 20  # runs with fewer articles are not judged: a handful is no sample
NEWSCRAWL_MAX_ERROR_RATE = 0.2  # a run whose failed requests exceed this share failed

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
