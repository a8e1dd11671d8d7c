"""Site files -> :mod:`newscrawl.sites.model`, checked as they are read.

A malformed file raises :class:`SiteConfigError` naming the file and the key to fix. The format
is documented in docs/site-files.md (the ``[render]`` table for JavaScript pages in docs/scaling.md).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from newscrawl.model.item import DEFAULT_TIMEZONE
from newscrawl.sites.model import (
    FIELD_NAMES, JSONLD_PREFIX, TRAILING, XPATH_PREFIX, Layout, Listing, Render, Section, Site, SiteConfigError,
)

_RENDER_KEYS = {"listing", "article", "wait_for_listing", "wait_for_article", "timeout_ms"}
_LISTING_KEYS = {"article_links", "article_url_pattern", "next_page", "page_url", "item", "item_link", "item_date"}
_LAYOUT_KEYS = {
    "name", "detect", "body", "body_all", "paragraphs", "exclude", "remove", "captions", "caption_text",
    "caption_credit", "caption_image", "byline", "lead_prefixes", "boilerplate", "boilerplate_patterns",
    "tags_separator",
}
_CSS = HTMLTranslator()


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


def read_site(text: str, where: str) -> Site:
    """A site file's text -> :class:`Site`; ``where`` names the file in every error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{where}: not valid TOML: {exc}") from None
    return parse_site(data, where)


def load_site_file(path: str | Path) -> Site:
    return read_site(Path(path).read_text(encoding="utf-8"), str(path))
