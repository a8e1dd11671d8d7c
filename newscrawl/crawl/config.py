"""Checks of settings and database URLs, made before anything starts.

A setting given on the command line (`-s NAME=VALUE` of `newscrawl crawl` or `scrapy crawl`)
or a database URL (`--db`) that cannot work raises :class:`ConfigError` with one line that
names it and says what to fix; the commands print that line and exit 2 (README, exit
status) instead of crashing later inside Scrapy's engine with a traceback.

What a setting takes comes from :data:`SETTING_KINDS` for newscrawl's own settings, and from
the type of the default (newscrawl/settings.py, then Scrapy's defaults) for the others. An
unknown ``NEWSCRAWL_*`` name is an error (a typo would otherwise be ignored silently); other
unknown names are left alone, as Scrapy plugins read settings of their own.
"""
from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

SUPPORTED_DATABASES = "sqlite:///PATH or postgresql+psycopg://USER@HOST:5432/DB"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# last-run.json's status for a run that did not start because of a bad argument or setting (exit status 2)
STATUS_CONFIG_ERROR = "config_error"


class ConfigError(ValueError):
    """A setting or argument that cannot be used; the message is one line saying what to fix."""


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


def _bool(value) -> str | None:
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
    return db_url_problem(value)


def _redis_url(value) -> str | None:
    if str(value).startswith(("redis://", "rediss://", "unix://")):
        return None
    return "expected a Redis URL such as redis://127.0.0.1:6379/0"


def _text(value) -> None:
    return None


def _whole(minimum=0):
    return lambda value: _number(value, whole=True, minimum=minimum)


def _num(**bounds):
    return lambda value: _number(value, **bounds)


# newscrawl's settings and what each takes (README#settings says what they mean).
SETTING_KINDS = {
    "NEWSCRAWL_CONTACT_URL": _text,
    "NEWSCRAWL_FAILURES_PATH": _text,
    "NEWSCRAWL_MAX_PAGES": _whole(0),
    "NEWSCRAWL_INCREMENTAL": _bool,
    "NEWSCRAWL_RECHECK_HOURS": _num(minimum=-1),
    "NEWSCRAWL_KNOWN_PAGES_STOP": _whole(0),
    "NEWSCRAWL_REJECT_RETRY_HOURS": _num(minimum=0),
    "NEWSCRAWL_OUT_DIR": _text,
    "NEWSCRAWL_JSONL_PARTITION": _choice("crawl_date", "none"),
    "NEWSCRAWL_FEED_ITEMS": _choice("auto", "changed", "all"),
    "NEWSCRAWL_RUNS_DIR": _text,
    "NEWSCRAWL_RECORD_RUNS": _bool,
    "NEWSCRAWL_DB_URL": _db_url,
    "NEWSCRAWL_DB_BATCH_SIZE": _whole(1),
    "NEWSCRAWL_DB_RETRIES": _whole(0),
    "NEWSCRAWL_DB_RETRY_BACKOFF": _num(minimum=0),
    "NEWSCRAWL_MINHASH_PERMUTATIONS": _whole(1),
    "NEWSCRAWL_NEARDUP_THRESHOLD": _num(above=0, maximum=1),
    "NEWSCRAWL_NEARDUP_WINDOW_DAYS": _num(minimum=0),
    "NEWSCRAWL_EMIT_NEAR_DUPLICATES": _bool,
    "NEWSCRAWL_REJECTS_PATH": _text,
    "NEWSCRAWL_MIN_BODY_CHARS": _whole(0),
    "NEWSCRAWL_FUTURE_TOLERANCE_HOURS": _num(minimum=0),
    "NEWSCRAWL_EXTRACT_WORKERS": _whole(0),
    "NEWSCRAWL_SITE_DIRS": _text,  # the folders are checked when the sites are loaded (use_site_dirs)
    "NEWSCRAWL_REDIS_URL": _redis_url,
    "NEWSCRAWL_REDIS_PREFIX": _text,
    "NEWSCRAWL_REDIS_IDLE_SECONDS": _num(above=0),
    "NEWSCRAWL_REDIS_HEARTBEAT_SECONDS": _num(above=0),
    "NEWSCRAWL_RENDER": _choice("auto", "off"),
    "NEWSCRAWL_CHROMIUM_PATH": _text,
    "NEWSCRAWL_PROGRESS": _bool,
    "NEWSCRAWL_PROGRESS_INTERVAL": _num(above=0),
    "NEWSCRAWL_MONITOR_MIN_FILL": _fill_floors,
    "NEWSCRAWL_MONITOR_MAX_DROP": _num(minimum=0, maximum=1),
    "NEWSCRAWL_MONITOR_HISTORY": _whole(0),
    "NEWSCRAWL_MONITOR_MIN_ITEMS": _whole(0),
    "NEWSCRAWL_MAX_ERROR_RATE": _num(minimum=0, maximum=1),
    # read with a default in newscrawl/crawl/downloadermiddlewares/ and spidermiddlewares/
    "NEWSCRAWL_RETRY_BACKOFF_BASE": _num(minimum=0),
    "NEWSCRAWL_RETRY_BACKOFF_MAX": _num(minimum=0),
    "NEWSCRAWL_RETRY_AFTER_MAX": _num(minimum=0),
    "NEWSCRAWL_RETRY_JITTER": _num(minimum=0),
    "NEWSCRAWL_RETRY_EMPTY": _bool,
    "NEWSCRAWL_ALLOWED_SCHEMES": _text,
    "NEWSCRAWL_BLOCKED_CONTENT_TYPES": _text,
    "NEWSCRAWL_MAX_LINKS_PER_PAGE": _whole(0),
    "NEWSCRAWL_STALE_PAGES_STOP": _whole(0),
    # set by `newscrawl crawl` and the tests
    "NEWSCRAWL_RUN_ID": _text,
    "NEWSCRAWL_TEST_PG_URL": _text,
    # Scrapy's, whose values its own code checks only once the crawl runs
    "LOG_LEVEL": lambda value: None if str(value).upper() in LOG_LEVELS or isinstance(value, int)
    else f"expected one of {', '.join(LOG_LEVELS)}",
}


def _kind_of_default(default):
    """A check for a setting without an entry in SETTING_KINDS, from the type of its default value."""
    from scrapy.settings import BaseSettings

    if isinstance(default, bool):
        return _bool
    if isinstance(default, (int, float)):
        # Scrapy reads some settings with an int default as floats (DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT).
        return _num()
    if isinstance(default, (dict, BaseSettings)):
        def json_object(value):
            if not isinstance(value, str):
                return None
            try:
                return None if isinstance(json.loads(value), dict) else "expected a JSON object"
            except ValueError:
                return "expected a JSON object"
        return json_object
    return _text


def check_settings(given: dict, defaults=None) -> None:
    """Raise ConfigError for the first setting of ``given`` (name -> value, as the user gave it)
    whose value cannot work. ``defaults``: the Settings the values override (newscrawl's)."""
    if defaults is None:
        from newscrawl.ops.crawling import newscrawl_settings

        defaults = newscrawl_settings()
    known_newscrawl = set(SETTING_KINDS) | {name for name, _ in defaults.items() if name.startswith("NEWSCRAWL_")}
    for name, value in given.items():
        check = SETTING_KINDS.get(name)
        if check is None and name.startswith("NEWSCRAWL_") and name not in known_newscrawl:
            close = difflib.get_close_matches(name, sorted(known_newscrawl), n=1)
            hint = f"did you mean {close[0]}?" if close else "see the settings tables in README.md"
            raise ConfigError(f"-s {name}: unknown newscrawl setting; {hint}")
        if check is None:
            check = _kind_of_default(defaults.get(name))
        problem = check(value)
        if problem:
            raise ConfigError(f"-s {name}={_masked(value)!r}: {problem}")


def _masked(value):
    """The value with the password of a URL in it hidden (database and Redis URLs hold them)."""
    return re.sub(r"(://[^/:@\s]*:)[^/@\s]*@", r"\1***@", value) if isinstance(value, str) else value


def check_db_url(value, name: str = "--db", *, must_exist: bool = False) -> str:
    """``value`` if it is a URL of a database newscrawl supports whose driver is installed, else
    ConfigError `NAME URL: what is wrong` (see :func:`db_url_problem`)."""
    problem = db_url_problem(value, must_exist=must_exist)
    if problem:
        raise ConfigError(f"{name} {_masked(str(value))!r}: {problem}")
    return str(value).strip()


def db_url_problem(value, *, must_exist: bool = False) -> str | None:
    """None when ``value`` is a URL of a database newscrawl supports whose driver is installed, else why not.

    ``must_exist``: the SQLite file must be there (export and report read it; SQLite would
    create an empty file). A crawl's store creates the file and its folder. Nothing is
    connected to: a server that is down is the crawl's to wait for, not a configuration error."""
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
