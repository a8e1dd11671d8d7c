"""Every newscrawl setting, declared once: its name, its default and the values it takes.

newscrawl/settings.py (the Scrapy settings module that scrapy.cfg names) takes the defaults from
here; newscrawl/crawl/config.py checks ``-s NAME=VALUE`` against the same declarations; and every
component reads a setting through :func:`get`, :func:`getint`, :func:`getfloat`, :func:`getbool`
or :func:`getlist`, which pass the declared default, so no read repeats one. A crawler made from
bare settings (``scrapy.utils.test.get_crawler``, a project of one's own) gets the same defaults.
README.md#settings says what each setting means.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

SUPPORTED_DATABASES = "sqlite:///PATH or postgresql+psycopg://USER@HOST:5432/DB"

# Where `scrapy crawl` puts its default outputs (git-ignored, where Scrapy keeps its own data such as
# HTTPCACHE_DIR), not the project root; explicit settings and NEWSCRAWL_OUT_DIR still win.
DEFAULT_DIR = ".scrapy/newscrawl"

def _number(value, *, whole: bool = False, minimum: float | None = None, maximum: float | None = None,
            above: float | None = None) -> str | None:
    """None when ``value`` is such a number, else what is expected."""
    expected = "a whole number" if whole else "a number"
    bounds = [f">= {minimum:g}" if minimum is not None else None, f"> {above:g}" if above is not None else None,
              f"<= {maximum:g}" if maximum is not None else None]
    expected = " ".join([expected, " and ".join(b for b in bounds if b)]).strip()
    try:
        number = int(str(value).strip()) if whole else float(str(value).strip())
    except ValueError:
        return f"expected {expected}"
    if number != number or (minimum is not None and number < minimum) or (maximum is not None and number > maximum) \
            or (above is not None and number <= above):
        return f"expected {expected}"
    return None


def check_bool(value) -> str | None:
    if isinstance(value, bool) or str(value).strip() in {"0", "1", "True", "False", "true", "false"}:
        return None
    return "expected True or False (or 1 or 0)"


def _choice(*choices):
    def check(value) -> str | None:
        return None if str(value) in choices else f"expected one of {', '.join(choices)}"
    return check


def _fill_floors(value) -> str | None:
    expected = 'expected a JSON object of field: fill rate from 0 to 1, e.g. {"title": 0.95}'
    try:
        floors = json.loads(value) if isinstance(value, str) else dict(value)
    except (ValueError, TypeError):
        return expected
    if not isinstance(floors, dict) or any(_number(v, minimum=0, maximum=1) for v in floors.values()):
        return expected
    return None


def _db_url(value) -> str | None:
    if value in (None, ""):
        return None  # no database (see NEWSCRAWL_DB_URL below)
    return db_url_problem(value)


def _redis_url(value) -> str | None:
    if str(value).startswith(("redis://", "rediss://", "unix://")):
        return None
    return "expected a Redis URL such as redis://127.0.0.1:6379/0"


def check_text(value) -> None:
    return None


def _whole(minimum=0):
    return lambda value: _number(value, whole=True, minimum=minimum)


def number_check(**bounds):
    return lambda value: _number(value, **bounds)


def db_url_problem(value, *, must_exist: bool = False) -> str | None:
    """None when ``value`` is a URL of a database newscrawl supports whose driver is installed, else why not.

    ``must_exist``: the SQLite file must be there (export and report read it; SQLite would
    create an empty file). A crawl's store creates the file and its folder. Nothing is
    connected to: a server that is down is the crawl's to wait for, not a configuration error.
    An empty value is no database (see NEWSCRAWL_DB_URL below)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(str(value).strip())
    except ArgumentError:
        return f"not a database URL; expected {SUPPORTED_DATABASES}"
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return f"{backend} is not supported; use {SUPPORTED_DATABASES}"
    try:
        dialect = url.get_dialect()
        dialect.import_dbapi()
    except (ImportError, NoSuchModuleError) as exc:
        return f"the driver {url.drivername!r} is not installed ({exc}); use {SUPPORTED_DATABASES}"
    if getattr(dialect, "is_async", False):
        return f"{url.drivername!r} is an asyncio driver; use {SUPPORTED_DATABASES}"
    if backend == "sqlite" and url.database not in (None, "", ":memory:") and "mode=memory" not in str(url):
        path = Path(url.database).expanduser()
        if path.is_dir():
            return f"{path} is a folder; give the path of a database file"
        if must_exist and not path.is_file():
            return f"no database file at {path.resolve()}"
    return None


@dataclass(frozen=True)
class Setting:
    """One newscrawl setting: its default and a check of a value given for it (None: fine, else what is expected)."""

    name: str
    default: Any
    check: Callable[[Any], str | None]
    doc: str


_BLOCKED_CONTENT_TYPES = [
    "application/pdf", "image/", "audio/", "video/", "font/", "application/zip", "application/msword",
    "application/vnd.", "application/postscript", "application/x-msdownload", "application/x-shockwave-flash",
]

DECLARED: tuple[Setting, ...] = (
    # --- politeness
    Setting("NEWSCRAWL_CONTACT_URL", "https://github.com/newscrawl/newscrawl", check_text, "the contact URL in the User-Agent"),
    # --- responses (newscrawl/crawl/downloader.py): past a bound, failures.jsonl "headers_too_large"
    Setting("NEWSCRAWL_MAX_HEADER_BYTES", 256 * 1024, number_check(), "the whole header section (Chromium's limit); 0 = no limit"),
    Setting("NEWSCRAWL_MAX_HEADERS", 500, number_check(), "header fields in one response; 0 = no limit"),
    # --- robustness (newscrawl/crawl/downloadermiddlewares/, spidermiddlewares/, failures.py; README#robustness)
    Setting("NEWSCRAWL_FAILURES_PATH", f"{DEFAULT_DIR}/failures.jsonl", check_text,
            "one JSON line per URL that could not be had; empty: none"),
    Setting("NEWSCRAWL_ALLOWED_SCHEMES", ["http", "https"], check_text, "URL schemes that are downloaded"),
    Setting("NEWSCRAWL_BLOCKED_CONTENT_TYPES", _BLOCKED_CONTENT_TYPES, check_text,
            "declared Content-Types (prefixes) never passed to the spider"),
    Setting("NEWSCRAWL_RETRY_BACKOFF_BASE", 1.0, number_check(minimum=0), "seconds before the first retry; doubles each retry"),
    Setting("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0, number_check(minimum=0), "longest backoff"),
    Setting("NEWSCRAWL_RETRY_AFTER_MAX", 120.0, number_check(minimum=0), "longest wait a Retry-After gets"),
    Setting("NEWSCRAWL_RETRY_JITTER", 0.1, number_check(minimum=0), "up to this share more, at random, on backoff waits"),
    Setting("NEWSCRAWL_RETRY_EMPTY", True, check_bool, "retry a 200 with an empty body"),
    Setting("NEWSCRAWL_MAX_LINKS_PER_PAGE", 500, _whole(0), "links one page may add (pagination not counted); 0: no limit"),
    Setting("NEWSCRAWL_STALE_PAGES_STOP", 3, _whole(0),
            "stop paging after this many pages in a row that add no new link; 0: never"),
    # --- what to crawl
    Setting("NEWSCRAWL_MAX_PAGES", 0, _whole(0), "listing pages per section; 0 = follow pagination to its end"),
    # --- incremental runs
    Setting("NEWSCRAWL_INCREMENTAL", True, check_bool, "don't request article URLs the database already holds"),
    Setting("NEWSCRAWL_RECHECK_HOURS", -1, number_check(minimum=-1),
            "re-request stored articles published this recently; -1 = the site file's recheck_hours"),
    Setting("NEWSCRAWL_KNOWN_PAGES_STOP", 1, _whole(0),
            "stop paging a section after this many listing pages of only known articles (0 = never)"),
    Setting("NEWSCRAWL_REJECT_RETRY_HOURS", 24, number_check(minimum=0), "a page validation rejected is fetched again after this long"),
    Setting("NEWSCRAWL_URL_RETRY_MINUTES", 30, number_check(),
            "a URL whose download failed is requested again by a run this much later, doubling"),
    Setting("NEWSCRAWL_URL_MAX_ATTEMPTS", 5, number_check(), "failed downloads of one URL (over runs) before it is given up"),
    # --- output
    Setting("NEWSCRAWL_OUT_DIR", None, check_text, "lay out all outputs in one folder (see newscrawl/crawl/outputs.py)"),
    Setting("NEWSCRAWL_JSONL_PARTITION", "crawl_date", _choice("crawl_date", "none"),
            'with NEWSCRAWL_OUT_DIR: articles/<date>.jsonl, or "none": articles.jsonl'),
    Setting("NEWSCRAWL_RECORD_RUNS", True, check_bool,
            "write the runs row, run summaries and URL state; scrapy parse/shell/check set it off"),
    Setting("NEWSCRAWL_FEED_ITEMS", "auto", _choice("auto", "changed", "all"),
            'JSONL: "changed" (new, updated), "all" (unchanged too); auto: all for -O/-o (newscrawl/crawl/feeds.py)'),
    Setting("NEWSCRAWL_RUNS_DIR", None, check_text,
            "where run summaries go (runs/<run id>.json, last-run.json); set by NEWSCRAWL_OUT_DIR"),
    # --- the database (docs/storage.md)
    Setting("NEWSCRAWL_DB_URL", f"sqlite:///{DEFAULT_DIR}/newscrawl.sqlite", _db_url,
            "SQLAlchemy URL; postgresql+psycopg://... for PostgreSQL. Empty: no database (nothing stored, "
            "no deduplication against earlier runs, no URL state, no incremental runs)"),
    Setting("NEWSCRAWL_DB_BATCH_SIZE", 100, _whole(1), "articles written per transaction"),
    Setting("NEWSCRAWL_DB_RETRIES", 5, _whole(0), "retries of a write or read whose connection was lost"),
    Setting("NEWSCRAWL_DB_RETRY_BACKOFF", 0.5, number_check(minimum=0), "seconds before the first retry, doubling"),
    Setting("NEWSCRAWL_DB_OUTAGE_MAX_SECONDS", 120, number_check(),
            "a crawl waits this long for a database that went away, then gives up"),
    Setting("NEWSCRAWL_MINHASH_PERMUTATIONS", 128, _whole(1), "MinHash signature size for near-duplicate detection"),
    Setting("NEWSCRAWL_NEARDUP_THRESHOLD", 0.8, number_check(above=0, maximum=1),
            "estimated Jaccard similarity at which two articles are near-duplicates"),
    Setting("NEWSCRAWL_NEARDUP_WINDOW_DAYS", 30, number_check(minimum=0), "compare with articles first seen this recently (0 = all)"),
    Setting("NEWSCRAWL_EMIT_NEAR_DUPLICATES", True, check_bool,
            "near-duplicates are stored (with duplicate_of); also emit them to the feed?"),
    # --- validation
    Setting("NEWSCRAWL_REJECTS_PATH", f"{DEFAULT_DIR}/rejects.jsonl", check_text, "invalid items, one JSON line each with the reasons"),
    Setting("NEWSCRAWL_MIN_BODY_CHARS", 200, _whole(0), "shorter bodies are rejected"),
    Setting("NEWSCRAWL_FUTURE_TOLERANCE_HOURS", 24, number_check(minimum=0), "a publish time further in the future is rejected"),
    Setting("NEWSCRAWL_MAX_URL_LENGTH", 2083, number_check(),
            "an item whose url or canonical_url is longer is rejected (url_too_long)"),
    Setting("NEWSCRAWL_EXTRACT_WORKERS", 0, _whole(0), "extract article pages in N worker processes (0: in the crawl process)"),
    # --- more sites, distributed crawls, JavaScript pages (docs/scaling.md)
    Setting("NEWSCRAWL_SITE_DIRS", [], check_text,  # the folders are checked when the sites are loaded (SiteRegistry.from_dirs)
            "extra folders of <name>.toml site files (private sites, no fork needed)"),
    Setting("NEWSCRAWL_REDIS_URL", None, _redis_url,
            "redis://host:6379/0: workers share one frontier (scrapy-redis scheduler + dupefilter)"),
    Setting("NEWSCRAWL_REDIS_PREFIX", "newscrawl", check_text,
            "Redis keys <prefix>:<site>:requests, :dupefilter, :inflight:<worker>, ..."),
    Setting("NEWSCRAWL_REDIS_IDLE_SECONDS", 10, number_check(above=0), "a worker stops once the shared frontier has been empty this long"),
    Setting("NEWSCRAWL_REDIS_HEARTBEAT_SECONDS", 30, number_check(above=0),
            "a worker silent this long is dead; its in-flight requests are requeued"),
    Setting("NEWSCRAWL_REDIS_SEEN_TTL_SECONDS", 86400, number_check(above=0),
            "a crawl's seen-URL set expires this long after its last worker vanished (deleted at once when a crawl ends)"),
    Setting("NEWSCRAWL_RENDER", "auto", _choice("auto", "off"),
            '"auto": render what a site file\'s [render] table names; "off": never render'),
    Setting("NEWSCRAWL_CHROMIUM_PATH", "/usr/bin/chromium", check_text, "the browser rendered pages go through (Debian's chromium)"),
    # --- progress (newscrawl/crawl/progress.py): a live bar on a terminal, else a plain line per interval
    Setting("NEWSCRAWL_PROGRESS", False, check_bool,
            "`newscrawl crawl` turns it on; `scrapy crawl` keeps Scrapy's per-minute stats line"),
    Setting("NEWSCRAWL_PROGRESS_INTERVAL", 5.0, number_check(above=0), "seconds between progress reports"),
    # --- monitors (newscrawl/crawl/monitors.py, a Spidermon suite)
    Setting("NEWSCRAWL_MONITOR_MIN_FILL", {"title": 0.95, "published": 0.90, "body": 0.95}, _fill_floors, "floors per field"),
    Setting("NEWSCRAWL_MONITOR_MAX_DROP", 0.25, number_check(minimum=0, maximum=1),
            "flag a field whose fill rate fell this much below its recent runs' median"),
    Setting("NEWSCRAWL_MONITOR_HISTORY", 5, _whole(0), "recent runs compared"),
    Setting("NEWSCRAWL_MONITOR_MIN_ITEMS", 20, _whole(0), "runs with fewer articles are not judged: a handful is no sample"),
    Setting("NEWSCRAWL_MAX_ERROR_RATE", 0.2, number_check(minimum=0, maximum=1), "a run whose failed requests exceed this share failed"),
    # --- set by `newscrawl crawl` for the crawls it runs, not by users
    Setting("NEWSCRAWL_RUN_ID", None, check_text, "the run's id (newscrawl crawl: one id for all its sites)"),
)

SETTINGS: dict[str, Setting] = {s.name: s for s in DECLARED}
#: name -> default, what newscrawl/settings.py takes
DEFAULTS: dict[str, Any] = {s.name: s.default for s in DECLARED}


# Reads: Scrapy's typed getters with the declared default (a name not declared above is a KeyError).
def get(settings, name: str):
    return settings.get(name, DEFAULTS[name])


def getint(settings, name: str) -> int:
    return settings.getint(name, DEFAULTS[name])


def getfloat(settings, name: str) -> float:
    return settings.getfloat(name, DEFAULTS[name])


def getbool(settings, name: str) -> bool:
    return settings.getbool(name, DEFAULTS[name])


def getlist(settings, name: str) -> list:
    return settings.getlist(name, DEFAULTS[name])


def database_url(settings) -> str | None:
    """NEWSCRAWL_DB_URL, or None when it is empty: no database. Then nothing is stored, deduplicated
    against earlier runs or recorded (no URL state, no runs row, no reject rows, no incremental skips):
    the crawl writes its feeds as plain Scrapy does. The one place that says what an empty URL means."""
    url = get(settings, "NEWSCRAWL_DB_URL")
    return str(url).strip() or None if url else None
