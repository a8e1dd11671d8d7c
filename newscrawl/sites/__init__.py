"""Site files: what a news site is, as data.

Each ``newscrawl/sites/<name>.toml`` describes one site: hosts, time zone,
sections, listing and pagination rules, and one or more article layouts with
the selectors of each field. Adding a site adds a file; `scrapy list` and
`scrapy crawl <name>` pick it up through :mod:`newscrawl.crawl.spiderloader`.

- :mod:`newscrawl.sites.model`: the dataclasses (:class:`Site`, its layouts, listing, sections, ``[render]``);
- :mod:`newscrawl.sites.loading`: TOML -> model, checked; a malformed file raises :class:`SiteConfigError`
  naming the file and the key to fix (format: docs/site-files.md);
- :mod:`newscrawl.sites.registry`: :class:`SiteRegistry`, the sites a crawl knows (the shipped ones and
  those of the setting NEWSCRAWL_SITE_DIRS), asked by name or URL.
"""
from newscrawl.sites.loading import check_selector, load_site_file, parse_site, read_site
from newscrawl.sites.model import (
    FIELD_NAMES, JSONLD_PREFIX, LIST_FIELDS, TRAILING, XPATH_PREFIX, Layout, Listing, Render, Section, Site,
    SiteConfigError,
)
from newscrawl.sites.registry import SiteRegistry

__all__ = [
    "FIELD_NAMES", "JSONLD_PREFIX", "LIST_FIELDS", "TRAILING", "XPATH_PREFIX", "Layout", "Listing", "Render",
    "Section", "Site", "SiteConfigError", "SiteRegistry", "check_selector", "load_site_file", "parse_site", "read_site",
]
