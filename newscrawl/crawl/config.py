"""Checks of settings and database URLs, made before anything starts.

A setting given on the command line (`-s NAME=VALUE` of `newscrawl crawl` or `scrapy crawl`)
or a database URL (`--db`) that cannot work raises :class:`ConfigError` with one line that
names it and says what to fix; the commands print that line and exit 2 (README, exit
status) instead of crashing later inside Scrapy's engine with a traceback.

What a setting takes comes from its declaration (newscrawl/crawl/defaults.py) for newscrawl's own
settings, and from the type of the default (Scrapy's defaults) for the others. An
unknown ``NEWSCRAWL_*`` name is an error (a typo would otherwise be ignored silently); other
unknown names are left alone, as Scrapy plugins read settings of their own.
"""
from __future__ import annotations

import difflib
import json
import re

from newscrawl.model.errors import ConfigError
from newscrawl.crawl.defaults import SETTINGS, check_bool, check_text, db_url_problem, number_check

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# last-run.json's status for a run that did not start because of a bad argument or setting (exit status 2)
STATUS_CONFIG_ERROR = "config_error"


# What each setting takes comes from its declaration (newscrawl/crawl/defaults.py); these are Scrapy's
# or the tests', whose values their own code checks only once the crawl runs.
OTHER_KINDS = {
    "NEWSCRAWL_TEST_PG_URL": check_text,  # the tests' PostgreSQL admin URL (an environment variable: storage/testing.py)
    "LOG_LEVEL": lambda value: None if str(value).upper() in LOG_LEVELS or isinstance(value, int)
    else f"expected one of {', '.join(LOG_LEVELS)}",
}
SETTING_KINDS = {**{name: setting.check for name, setting in SETTINGS.items()}, **OTHER_KINDS}


def _kind_of_default(default):
    """A check for a setting without an entry in SETTING_KINDS, from the type of its default value."""
    from scrapy.settings import BaseSettings

    if isinstance(default, bool):
        return check_bool
    if isinstance(default, (int, float)):
        # Scrapy reads some settings with an int default as floats (DOWNLOAD_DELAY, DOWNLOAD_TIMEOUT).
        return number_check()
    if isinstance(default, (dict, BaseSettings)):
        def json_object(value):
            if not isinstance(value, str):
                return None
            try:
                return None if isinstance(json.loads(value), dict) else "expected a JSON object"
            except ValueError:
                return "expected a JSON object"
        return json_object
    return check_text


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
