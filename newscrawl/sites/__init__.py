"""Site files: what a news site is, as data.

Each ``newscrawl/sites/<name>.toml`` describes one site: hosts, time zone,
sections, listing and pagination rules, and one or more article layouts with
the selectors of each field. Adding a site adds a file; `scrapy list` and
`scrapy crawl <name>` pick it up through :mod:`newscrawl.crawl.spiderloader`.
The format is documented in docs/site-files.md (the ``[render]`` table for
JavaScript pages in docs/scaling.md). Site files outside the package: the setting
NEWSCRAWL_SITE_DIRS, see :func:`use_site_dirs`.

A malformed file raises :class:`SiteConfigError` naming the file and the key to fix.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from newscrawl.model.item import DEFAULT_TIMEZONE

SITES_PACKAGE = "newscrawl.sites"

# Field selectors a layout may give (each a selector or a list of selectors tried in order).
FIELD_NAMES = ("title", "published", "modified", "section", "lead", "authors", "tags", "source")
# Fields that keep every text the first matching selector finds; the others keep the first text.
LIST_FIELDS = ("authors", "tags")
TRAILING = "trailing"
JSONLD_PREFIX = "jsonld:"
XPATH_PREFIX = "xpath:"

_RENDER_KEYS = {"listing", "article", "wait_for_listing", "wait_for_article", "timeout_ms"}
_LISTING_KEYS = {"article_links", "article_url_pattern", "next_page", "page_url", "item", "item_link", "item_date"}
_LAYOUT_KEYS = {
    "name", "detect", "body", "body_all", "paragraphs", "exclude", "remove", "captions", "caption_text",
    "caption_credit", "caption_image", "byline", "lead_prefixes", "boilerplate", "boilerplate_patterns",
    "tags_separator",
}
_CSS = HTMLTranslator()


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
    page_url: str | None = None           # template of listing page N ("{path}-p{page}")

    def page_url_for(self, section_url: str, page: int) -> str:
        """The URL of listing page ``page`` of the section whose first page is ``section_url``.

        Page 1 is the section URL itself; other pages need the ``page_url`` template.
        """
        if page <= 1:
            return section_url
        if not self.page_url:
            raise SiteConfigError("listing.page_url is not set: the site file does not say how listing pages are numbered")
        parts = urlsplit(section_url)
        path, ext = parts.path.rstrip("/"), ""
        match = re.search(r"\.html?$", path)
        if match:
            path, ext = path[: match.start()], match.group(0)
        built = self.page_url.format(path=path, ext=ext, page=page)
        return f"{parts.scheme}://{parts.netloc}{built}" if parts.scheme else built


@dataclass(frozen=True)
class Layout:
    """One article-page layout. ``detect`` picks it; fields are selector lists tried in order."""

    name: str
    detect: tuple[str, ...]                # any of these matching picks the layout
    fields: dict[str, tuple[str, ...]]
    body: tuple[str, ...]                  # the body container: selectors tried in order
    paragraphs: str                        # which blocks inside it are paragraphs
    exclude: tuple[str, ...]               # blocks inside the body that are not body text
    captions: tuple[str, ...]              # caption blocks (image + text), anywhere in the article
    caption_text: tuple[str, ...]          # inside a caption block: where its text is
    byline: tuple[str, ...]                # byline blocks inside the body; "trailing": the body's last short line
    lead_prefixes: tuple[str, ...] = ()    # print-edition markers removed from the lead ("TT - ")
    body_all: bool = False                 # join every container the matching body selector finds
    remove: tuple[str, ...] = ()           # elements ignored in every field
    caption_credit: tuple[str, ...] = ()   # inside a caption block: a separate credit element
    caption_image: tuple[str, ...] = ()    # inside a caption block: where the image URL is
    boilerplate: frozenset[str] = frozenset()
    boilerplate_patterns: tuple[re.Pattern, ...] = ()
    tags_separator: str | None = None      # tags given as one string ("a, b"): split on this

    @property
    def trailing_byline(self) -> bool:
        return TRAILING in self.byline

    @property
    def byline_selectors(self) -> tuple[str, ...]:
        return tuple(s for s in self.byline if s != TRAILING)


@dataclass(frozen=True)
class Render:
    """``[render]``: which kinds of page ("listing", "article") need a browser to show their content."""

    listing: bool = False
    article: bool = False
    wait_for_listing: str | None = None    # CSS selector the rendered listing must show
    wait_for_article: str | None = None    # CSS selector the rendered article must show
    timeout_ms: int = 30000

    @property
    def any(self) -> bool:
        return self.listing or self.article

    def renders(self, kind: str) -> bool:
        return bool(getattr(self, kind, False)) if kind in ("listing", "article") else False

    def wait_for(self, kind: str) -> str | None:
        return getattr(self, f"wait_for_{kind}", None) if kind in ("listing", "article") else None


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
    feeds: tuple[str, ...] = ()      # RSS/Atom feeds to discover articles from, besides the listings
    sitemaps: tuple[str, ...] = ()   # (news) sitemaps or sitemap indexes, likewise
    path: str = ""
    boilerplate_patterns: tuple[re.Pattern, ...] = ()
    render: Render = Render()  # [render]: pages fetched through headless Chromium

    def url(self, path: str, base_url: str | None = None) -> str:
        return urljoin((base_url or self.base_url).rstrip("/") + "/", path.lstrip("/") if not path.startswith("http") else path)

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.hosts


# --------------------------------------------------------------------------- checking


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


def _table(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise SiteConfigError(f"{where}: expected a table, got {value!r}")
    return value


def _check_unknown(table: dict, known: set[str], where: str) -> None:
    unknown = set(table) - known
    if unknown:
        raise SiteConfigError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(known)})")


def check_selector(selector: str, where: str, *, jsonld: bool = False) -> str:
    """Fail fast on a selector that cannot work: bad CSS, bad XPath, an empty JSON-LD path."""
    if not selector.strip():
        raise SiteConfigError(f"{where}: empty selector")
    if selector.startswith(JSONLD_PREFIX):
        if not jsonld:
            raise SiteConfigError(f"{where}: {selector!r}: jsonld: selectors are only for field values")
        path = selector[len(JSONLD_PREFIX):].strip()
        if not path or any(not part for part in path.split(".")):
            raise SiteConfigError(f"{where}: {selector!r}: expected jsonld:<key>[.<key>...]")
        return selector
    if selector.startswith(XPATH_PREFIX):
        try:
            etree.XPath(selector[len(XPATH_PREFIX):])
        except etree.XPathSyntaxError as exc:
            raise SiteConfigError(f"{where}: {selector!r} is not a valid XPath: {exc}") from None
        return selector
    try:
        _CSS.css_to_xpath(selector)
    except Exception as exc:  # cssselect raises SelectorSyntaxError / ExpressionError
        raise SiteConfigError(f"{where}: {selector!r} is not a valid CSS selector: {exc}") from None
    return selector


def _selectors(value, where: str, *, jsonld: bool = False) -> tuple[str, ...]:
    selectors = _as_tuple(value, where)
    for selector in selectors:
        check_selector(selector, where, jsonld=jsonld)
    return selectors


def _patterns(value, where: str) -> tuple[re.Pattern, ...]:
    compiled = []
    for pattern in _as_tuple(value, where):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SiteConfigError(f"{where}: {pattern!r} is not a valid regex: {exc}") from None
    return tuple(compiled)


def _url_pattern(value, where: str) -> re.Pattern | None:
    """One regex, or a list of them joined as alternatives."""
    patterns = _as_tuple(value, where)
    if not patterns:
        return None
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SiteConfigError(f"{where}: {pattern!r} is not a valid regex: {exc}") from None
    if len(patterns) == 1:
        return re.compile(patterns[0])
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _page_url(value, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "{page}" not in value:
        raise SiteConfigError(f"{where}: expected a template with {{page}}, such as \"{{path}}-p{{page}}\", got {value!r}")
    try:
        value.format(path="/x", ext=".htm", page=2)
    except (KeyError, IndexError, ValueError) as exc:
        raise SiteConfigError(f"{where}: {value!r}: only {{path}}, {{ext}} and {{page}} may be used ({exc})") from None
    return value


def _parse_listing(lst: dict, path: str) -> Listing:
    where = f"{path}: listing"
    _check_unknown(lst, _LISTING_KEYS, where)
    return Listing(
        article_links=_selectors(lst.get("article_links", "a::attr(href)"), f"{where}.article_links"),
        article_url_pattern=_url_pattern(lst.get("article_url_pattern"), f"{where}.article_url_pattern"),
        next_page=_selectors(lst.get("next_page"), f"{where}.next_page"),
        item=lst.get("item") and check_selector(lst["item"], f"{where}.item"),
        item_link=lst.get("item_link") and check_selector(lst["item_link"], f"{where}.item_link"),
        item_date=lst.get("item_date") and check_selector(lst["item_date"], f"{where}.item_date"),
        page_url=_page_url(lst.get("page_url"), f"{where}.page_url"),
    )


def _parse_render(value, path: str) -> Render:
    where = f"{path}: render"
    table = _table(value, where)
    _check_unknown(table, _RENDER_KEYS, where)
    flags, waits = {}, {}
    for kind in ("listing", "article"):
        flag = table.get(kind, False)
        if not isinstance(flag, bool):
            raise SiteConfigError(f"{where}.{kind}: expected true or false, got {flag!r}")
        flags[kind] = flag
        selector = table.get(f"wait_for_{kind}")
        if selector is not None:
            if not isinstance(selector, str) or selector.startswith((XPATH_PREFIX, JSONLD_PREFIX)) or "::" in selector:
                raise SiteConfigError(f"{where}.wait_for_{kind}: expected a CSS selector naming an element "
                                      f"(no xpath:, jsonld:, ::text or ::attr), got {selector!r}")
            check_selector(selector, f"{where}.wait_for_{kind}")
        waits[kind] = selector
    timeout = table.get("timeout_ms", 30000)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise SiteConfigError(f"{where}.timeout_ms: expected a whole number of milliseconds >= 1, got {timeout!r}")
    return Render(listing=flags["listing"], article=flags["article"], wait_for_listing=waits["listing"],
                  wait_for_article=waits["article"], timeout_ms=timeout)


def _parse_layout(lay: dict, i: int, path: str) -> Layout:
    where = f"{path}: layouts[{i}]"
    lay = _table(lay, where)
    _check_unknown(lay, _LAYOUT_KEYS | set(FIELD_NAMES), where)
    detect = _selectors(_require(lay, "detect", where), f"{where}.detect")
    if not detect:
        raise SiteConfigError(f"{where}.detect: give at least one selector")
    body_all = lay.get("body_all", False)
    if not isinstance(body_all, bool):
        raise SiteConfigError(f"{where}.body_all: expected true or false, got {body_all!r}")
    paragraphs = lay.get("paragraphs", "p, h2, h3, h4, blockquote, li")
    if isinstance(paragraphs, list):  # a list of selectors: every one of them, in page order
        for selector in paragraphs:
            check_selector(selector, f"{where}.paragraphs")
        if any(s.startswith(XPATH_PREFIX) for s in paragraphs):
            paragraphs = "xpath:" + " | ".join(s[len(XPATH_PREFIX):] if s.startswith(XPATH_PREFIX) else _CSS.css_to_xpath(s)
                                               for s in paragraphs)
        else:
            paragraphs = ", ".join(paragraphs)
    elif isinstance(paragraphs, str):
        check_selector(paragraphs, f"{where}.paragraphs")
    else:
        raise SiteConfigError(f"{where}.paragraphs: expected a selector or a list of selectors")
    byline = _as_tuple(lay.get("byline"), f"{where}.byline")
    for selector in byline:
        if selector != TRAILING:
            check_selector(selector, f"{where}.byline")
    return Layout(
        name=lay.get("name", f"layout{i}"),
        detect=detect,
        fields={f: _selectors(lay.get(f), f"{where}.{f}", jsonld=True) for f in FIELD_NAMES if lay.get(f)},
        body=_selectors(lay.get("body"), f"{where}.body"),
        paragraphs=paragraphs,
        exclude=_selectors(lay.get("exclude"), f"{where}.exclude"),
        captions=_selectors(lay.get("captions"), f"{where}.captions"),
        caption_text=_selectors(lay.get("caption_text", ["figcaption"]), f"{where}.caption_text"),
        byline=byline,
        lead_prefixes=_as_tuple(lay.get("lead_prefixes"), f"{where}.lead_prefixes"),
        body_all=body_all,
        remove=_selectors(lay.get("remove"), f"{where}.remove"),
        caption_credit=_selectors(lay.get("caption_credit"), f"{where}.caption_credit"),
        caption_image=_selectors(lay.get("caption_image"), f"{where}.caption_image"),
        boilerplate=frozenset(_as_tuple(lay.get("boilerplate"), f"{where}.boilerplate")),
        boilerplate_patterns=_patterns(lay.get("boilerplate_patterns"), f"{where}.boilerplate_patterns"),
        tags_separator=_separator(lay.get("tags_separator"), f"{where}.tags_separator"),
    )


def _separator(value, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SiteConfigError(f"{where}: expected a non-blank string such as \",\", got {value!r}")
    return value


def parse_site(data: dict, path: str = "<site file>") -> Site:
    """Build a :class:`Site` from a parsed TOML table, checking it as it goes.

    Unknown keys are errors inside ``[listing]`` and ``[[layouts]]`` (where a typo
    silently loses a field); top-level keys other tools may read are let through.
    """
    name = _require(data, "name", path)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise SiteConfigError(f"{path}: name {name!r} must be lowercase letters, digits or _ (it is the spider name)")
    tz = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise SiteConfigError(f"{path}: timezone {tz!r} is not an IANA zone name ({exc})") from None
    hosts = _as_tuple(_require(data, "hosts", path), f"{path}: hosts")
    if not hosts:
        raise SiteConfigError(f"{path}: hosts must name at least one host")
    base_url = _require(data, "base_url", path)
    if not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https"):
        raise SiteConfigError(f"{path}: base_url {base_url!r} must be an http(s) URL")

    sections = []
    for i, sec in enumerate(data.get("sections", [])):
        where = f"{path}: sections[{i}]"
        sec = _table(sec, where)
        sections.append(Section(slug=_require(sec, "slug", where), name=_require(sec, "name", where), url=_require(sec, "url", where)))

    listing = _parse_listing(_table(data.get("listing", {}), f"{path}: listing"), path)

    raw_layouts = data.get("layouts", [])
    if not raw_layouts:
        raise SiteConfigError(f"{path}: at least one [[layouts]] table is required")
    layouts = [_parse_layout(lay, i, path) for i, lay in enumerate(raw_layouts)]
    names = [layout.name for layout in layouts]
    if len(set(names)) != len(names):
        raise SiteConfigError(f"{path}: layout names must differ, got {names}")
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
        sitemaps=_as_tuple(data.get("sitemaps"), f"{path}: sitemaps"),
        path=path,
        boilerplate_patterns=_patterns(data.get("boilerplate_patterns"), f"{path}: boilerplate_patterns"),
        render=_parse_render(data.get("render", {}), path),
    )


def load_site_file(path: str | Path) -> Site:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_site(data, str(path))


_site_dirs: tuple[Path, ...] = ()  # extra folders of site files (setting NEWSCRAWL_SITE_DIRS)


def use_site_dirs(dirs) -> None:
    """Load the ``*.toml`` site files of these folders too, beside the shipped ones.

    ``dirs`` is the setting NEWSCRAWL_SITE_DIRS: a list of folders or one
    comma-separated string; relative folders are taken from the current
    directory; empty leaves the shipped sites only. The spider loader calls this
    with the crawl's settings, so `scrapy list`, `scrapy crawl`, `newscrawl crawl`
    and Scrapyd jobs see the same sites. A site name used twice is an error.
    """
    global _site_dirs
    if isinstance(dirs, str):
        dirs = dirs.split(",")
    resolved = tuple(Path(str(d).strip()).expanduser().resolve() for d in (dirs or ()) if str(d).strip())
    for folder in resolved:
        if not folder.is_dir():
            raise SiteConfigError(f"NEWSCRAWL_SITE_DIRS: {folder} is not a folder (give folders holding <name>.toml site files)")
    _site_dirs = resolved


def site_dirs() -> tuple[Path, ...]:
    """The extra site-file folders in use."""
    return _site_dirs


def all_sites() -> dict[str, Site]:
    """Every site file shipped in the package (read as package data, so it works from an egg or wheel),
    plus those of the folders given to :func:`use_site_dirs`."""
    return _load_sites(_site_dirs)


@lru_cache(maxsize=8)
def _load_sites(extra_dirs: tuple[Path, ...]) -> dict[str, Site]:
    entries = [(f"newscrawl/sites/{e.name}", e) for e in sorted(resources.files(SITES_PACKAGE).iterdir(), key=lambda e: e.name)
               if e.name.endswith(".toml")]
    for folder in extra_dirs:
        entries += [(str(path), path) for path in sorted(folder.glob("*.toml"))]
    sites = {}
    for where, entry in entries:
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SiteConfigError(f"{where}: not valid TOML: {exc}") from None
        site = parse_site(data, where)
        if site.name in sites:
            raise SiteConfigError(f"{where}: site name {site.name!r} is used twice (also in {sites[site.name].path})")
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
