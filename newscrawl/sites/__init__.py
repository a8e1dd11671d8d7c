"""Site files: what a news site is, as data.

Each ``newscrawl/sites/<name>.toml`` describes one site: hosts, time zone,
sections, listing and pagination rules, and one or more article layouts with
the selectors of each field. Adding a site adds a file; `scrapy list` and
`scrapy crawl <name>` pick it up through :mod:`newscrawl.spiderloader`.

The format is documented in docs/site-files.md. A malformed file raises
:class:`SiteConfigError` naming the file and the key to fix.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SITES_PACKAGE = "newscrawl.sites"

# Selectors are CSS (parsel, with ::text / ::attr()) unless prefixed "xpath:".
FIELD_NAMES = ("title", "published", "modified", "section", "lead", "authors", "tags", "source")


class SiteConfigError(ValueError):
    """A site file that cannot be used; the message says which file and what to fix."""


@dataclass(frozen=True)
class Section:
    slug: str
    name: str
    url: str  # path or absolute URL of the section's first listing page


@dataclass(frozen=True)
class Listing:
    article_links: tuple[str, ...]        # selectors giving article hrefs
    article_url_pattern: re.Pattern | None  # regex an article URL's path must match
    next_page: tuple[str, ...]            # selectors giving the next listing page's href
    item: str | None = None               # selector of one listing entry (for dates)
    item_link: str | None = None
    item_date: str | None = None


@dataclass(frozen=True)
class Layout:
    """One article-page layout. ``detect`` picks it; fields are selector lists tried in order."""

    name: str
    detect: str
    fields: dict[str, tuple[str, ...]]
    body: str | None                       # the container of the body paragraphs
    paragraphs: str                        # which blocks inside it are paragraphs
    exclude: tuple[str, ...]               # blocks inside the body that are not body text
    captions: tuple[str, ...]              # caption blocks (image + text), anywhere in the article
    caption_text: tuple[str, ...]          # inside a caption block: where its text is
    byline: str | None                     # selector of byline blocks inside the body ("trailing" = last short line)
    lead_prefixes: tuple[str, ...] = ()    # print-edition markers removed from the lead ("TT - ")


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    hosts: tuple[str, ...]
    base_url: str
    timezone: str
    language: str
    sections: tuple[Section, ...]
    listing: Listing
    layouts: tuple[Layout, ...]
    boilerplate: frozenset[str]
    feeds: tuple[str, ...] = ()
    path: str = ""

    def url(self, path: str, base_url: str | None = None) -> str:
        return urljoin((base_url or self.base_url).rstrip("/") + "/", path.lstrip("/") if not path.startswith("http") else path)

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts


def _as_tuple(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SiteConfigError(f"{where}: expected a string or a list of strings, got {value!r}")


def _require(table: dict, key: str, where: str):
    if key not in table:
        raise SiteConfigError(f"{where}: missing required key {key!r}")
    return table[key]


def parse_site(data: dict, path: str = "<site file>") -> Site:
    """Build a :class:`Site` from a parsed TOML table, checking it as it goes."""
    name = _require(data, "name", path)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise SiteConfigError(f"{path}: name {name!r} must be lowercase letters, digits or _ (it is the spider name)")
    tz = data.get("timezone", "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteConfigError(f"{path}: timezone {tz!r} is not an IANA zone name ({exc})") from None
    hosts = _as_tuple(_require(data, "hosts", path), f"{path}: hosts")
    if not hosts:
        raise SiteConfigError(f"{path}: hosts must name at least one host")
    base_url = _require(data, "base_url", path)
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise SiteConfigError(f"{path}: base_url {base_url!r} must be an http(s) URL")

    sections = []
    for i, sec in enumerate(data.get("sections", [])):
        where = f"{path}: sections[{i}]"
        sections.append(Section(slug=_require(sec, "slug", where), name=_require(sec, "name", where), url=_require(sec, "url", where)))

    lst = data.get("listing", {})
    pattern = lst.get("article_url_pattern")
    try:
        compiled = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise SiteConfigError(f"{path}: listing.article_url_pattern is not a valid regex: {exc}") from None
    listing = Listing(
        article_links=_as_tuple(lst.get("article_links", "a::attr(href)"), f"{path}: listing.article_links"),
        article_url_pattern=compiled,
        next_page=_as_tuple(lst.get("next_page"), f"{path}: listing.next_page"),
        item=lst.get("item"),
        item_link=lst.get("item_link"),
        item_date=lst.get("item_date"),
    )

    layouts = []
    raw_layouts = data.get("layouts", [])
    if not raw_layouts:
        raise SiteConfigError(f"{path}: at least one [[layouts]] table is required")
    for i, lay in enumerate(raw_layouts):
        where = f"{path}: layouts[{i}]"
        unknown = set(lay) - set(FIELD_NAMES) - {
            "name", "detect", "body", "paragraphs", "exclude", "captions", "caption_text", "byline", "lead_prefixes",
        }
        if unknown:
            raise SiteConfigError(f"{where}: unknown keys {sorted(unknown)}")
        layouts.append(
            Layout(
                name=lay.get("name", f"layout{i}"),
                detect=_require(lay, "detect", where),
                fields={f: _as_tuple(lay.get(f), f"{where}.{f}") for f in FIELD_NAMES if lay.get(f)},
                body=lay.get("body"),
                paragraphs=lay.get("paragraphs", "p, h2, h3, h4, blockquote, li"),
                exclude=_as_tuple(lay.get("exclude"), f"{where}.exclude"),
                captions=_as_tuple(lay.get("captions"), f"{where}.captions"),
                caption_text=_as_tuple(lay.get("caption_text", ["figcaption"]), f"{where}.caption_text"),
                byline=lay.get("byline"),
                lead_prefixes=_as_tuple(lay.get("lead_prefixes"), f"{where}.lead_prefixes"),
            )
        )
    return Site(
        name=name,
        title=data.get("title", name),
        hosts=tuple(h.lower() for h in hosts),
        base_url=base_url.rstrip("/"),
        timezone=tz,
        language=data.get("language", "vi"),
        sections=tuple(sections),
        listing=listing,
        layouts=tuple(layouts),
        boilerplate=frozenset(_as_tuple(data.get("boilerplate"), f"{path}: boilerplate")),
        feeds=_as_tuple(data.get("feeds"), f"{path}: feeds"),
        path=path,
    )


def load_site_file(path: str | Path) -> Site:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_site(data, str(path))


@lru_cache(maxsize=1)
def all_sites() -> dict[str, Site]:
    """Every site file shipped in the package (read as package data, so it works from an egg or wheel)."""
    sites = {}
    for entry in sorted(resources.files(SITES_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            site = parse_site(data, f"newscrawl/sites/{entry.name}")
            if site.name in sites:
                raise SiteConfigError(f"newscrawl/sites/{entry.name}: site name {site.name!r} is used twice")
            sites[site.name] = site
    return sites


def get_site(name: str) -> Site:
    sites = all_sites()
    if name not in sites:
        raise SiteConfigError(f"unknown site {name!r}; known sites: {', '.join(sorted(sites))}")
    return sites[name]


def site_for_url(url: str) -> Site | None:
    host = (urlsplit(url).hostname or "").lower()
    for site in all_sites().values():
        if host in site.hosts:
            return site
    return None
