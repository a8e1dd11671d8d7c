"""The spider arguments (``scrapy crawl SITE -a name=value``, ``newscrawl crawl --name``), checked in one place.

:func:`check_spider_arguments` is called before any crawl starts, by ``newscrawl crawl``,
by the project's ``scrapy crawl`` command (newscrawl/crawl/commands/crawl.py) and by
``newscrawl seed``; NewsSpider's constructor calls it too, for callers that build spiders
themselves. A bad value raises :class:`SpiderArgumentError`, whose one-line message names
the argument and says what to fix, so the caller can print it once and exit 2 instead of
letting it surface inside Scrapy's engine as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from newscrawl.extract.dates import parse_datetime
from newscrawl.model.errors import ConfigError
from newscrawl.sites import Section, Site, SiteRegistry

# name -> what it takes (the "known" list of the unknown-argument message, and the README's table)
SPIDER_ARGUMENTS = {
    "base_url": "an http(s) URL of a mirror of the site",
    "sections": "comma-separated section slugs",
    "max_pages": "listing pages per section, 0 = to the end",
    "since": "YYYY-MM-DD",
}
# The generic "news" spider is told its site, or the URL of a site without a site file (crawled by
# general rules, newscrawl/crawl/spiders/generic.py, whose link depth `depth` bounds); a site's own spider knows it.
GENERIC_SPIDER_ARGUMENTS = {"site": "a site file name", "url": "the http(s) URL of a site to crawl without a site file",
                            "depth": "links followed from the start page to listing pages (crawl by url)",
                            **SPIDER_ARGUMENTS}
# The spellings of `newscrawl crawl`, so its messages name the option the user typed.
CLI_OPTIONS = {"base_url": "--base-url", "sections": "--sections", "max_pages": "--max-pages", "since": "--since",
               "depth": "--depth", "url": "SITE"}


class SpiderArgumentError(ConfigError):
    """A spider argument that cannot be used. ``argument`` is its name, ``problem`` what is wrong with it."""

    def __init__(self, argument: str, value, problem: str):
        self.argument, self.value, self.problem = argument, value, problem
        super().__init__(self.describe())

    def describe(self, cli: bool = False) -> str:
        """One line: `-a name='value': problem`, or with the `newscrawl crawl` option's spelling."""
        if self.value is None:
            name = CLI_OPTIONS.get(self.argument, self.argument) if cli else f"-a {self.argument}"
            return f"{name}: {self.problem}"
        if cli and self.argument in CLI_OPTIONS:
            return f"{CLI_OPTIONS[self.argument]} {self.value!r}: {self.problem}"
        return f"-a {self.argument}={self.value!r}: {self.problem}"


@dataclass(frozen=True)
class SpiderArguments:
    site: Site
    base_url: str | None
    sections: tuple[Section, ...]
    max_pages: int | None  # None: not given, the setting NEWSCRAWL_MAX_PAGES decides; 0 = to the end
    since: datetime | None
    passed_through: dict  # Scrapy's and Scrapyd's own arguments (`_job`), kept as spider attributes
    start_url: str | None = None  # -a url=: the site is crawled by general rules from this page (no site file)
    depth: int | None = None      # -a depth=: how many links away from the start page listings are walked


def check_spider_arguments(site_name: str | None, arguments: dict, sites: SiteRegistry | None = None) -> SpiderArguments:
    """Check the arguments of the spider of ``site_name`` (None: the generic "news" spider, which
    takes ``site``), a site of ``sites`` (default: the shipped site files). Empty values count as
    not given, as Scrapy passes ``-a sections=``."""
    arguments = dict(arguments)
    # Names starting with "_" are Scrapyd's (`_job`, `_version`): not ours to judge, kept as they are.
    passed_through = {k: arguments.pop(k) for k in list(arguments) if k.startswith("_")}
    known = GENERIC_SPIDER_ARGUMENTS if site_name is None else SPIDER_ARGUMENTS
    unknown = sorted(set(arguments) - set(known))
    if unknown:
        raise SpiderArgumentError(unknown[0], arguments[unknown[0]],
                                  f"unknown spider argument; known: {', '.join(known)}")
    given = {k: v for k, v in arguments.items() if v not in (None, "")}
    start_url = depth = None
    registry = sites or SiteRegistry.from_dirs()
    if site_name is None:
        if "url" in given and "site" in given:
            raise SpiderArgumentError("url", given["url"], "give -a site=NAME or -a url=URL, not both")
        if "url" in given:
            start_url = _start_url(given["url"])
            known = registry.for_url(start_url)
            if known is not None:  # a site file is the exact way to crawl a site: use it when there is one
                site_name, start_url = known.name, None
        elif "site" not in given:
            raise SpiderArgumentError("site", None, "the generic 'news' spider needs -a site=NAME or -a url=URL "
                                                    "(or run `scrapy crawl <site>`)")
        else:
            site_name = given["site"]
    if "depth" in given:
        if start_url is None:
            raise SpiderArgumentError("depth", given["depth"], "only a crawl by -a url= takes a depth")
        depth = _whole_number("depth", given["depth"], "expected a whole number >= 0 (links from the start page)")
    if start_url is not None:
        from newscrawl.crawl.discovery import site_for_url

        site = site_for_url(start_url)
        if "sections" in given:
            raise SpiderArgumentError("sections", given["sections"], "a crawl by -a url= has no sections")
    else:
        site = registry.site(site_name)
    return SpiderArguments(
        site=site,
        base_url=_base_url(given["base_url"]) if "base_url" in given else None,
        sections=_sections(site, given["sections"]) if "sections" in given else site.sections,
        max_pages=_max_pages(given["max_pages"]) if "max_pages" in given else None,
        since=_since(site, given["since"]) if "since" in given else None,
        passed_through=passed_through,
        start_url=start_url,
        depth=depth,
    )


def _base_url(value) -> str:
    problem = "expected an http(s) URL such as http://127.0.0.1:8000"
    try:
        parts = urlsplit(str(value).strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is no port (":99999", ":abc")
    except ValueError:
        raise SpiderArgumentError("base_url", value, problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SpiderArgumentError("base_url", value, problem)
    return str(value).strip().rstrip("/")


def _start_url(value) -> str:
    """The start URL of a crawl by URL: an http(s) URL with a host (its fragment dropped)."""
    problem = "expected the http(s) URL of a site, such as https://example.vn/"
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is no port
    except ValueError:
        raise SpiderArgumentError("url", value, problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpiderArgumentError("url", value, problem)
    return text.split("#", 1)[0] if parts.path else text.split("#", 1)[0] + "/"


def _whole_number(argument: str, value, problem: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise SpiderArgumentError(argument, value, problem)
    return number


def _sections(site: Site, value) -> tuple[Section, ...]:
    known = {s.slug: s for s in site.sections}
    wanted = [s.strip() for s in str(value).split(",") if s.strip()]
    unknown = [s for s in wanted if s not in known]
    if unknown or not wanted:
        what = f"unknown section(s) {unknown}" if unknown else "no section named"
        raise SpiderArgumentError("sections", value, f"{what} for site {site.name!r}; known: {', '.join(sorted(known))}")
    return tuple(known[s] for s in dict.fromkeys(wanted))  # each section once, in the order given


def _max_pages(value) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise SpiderArgumentError("max_pages", value, "expected a whole number >= 0 (0 = follow pagination to its end)")
    return number


def _since(site: Site, value) -> datetime:
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise SpiderArgumentError("since", value, "expected a date as YYYY-MM-DD") from None
    return parse_datetime(day.isoformat(), tz=site.timezone)
