"""What a site is, as data: the dataclasses a site file becomes (newscrawl/sites/loading.py builds them).

Frozen and picklable: extraction workers get the :class:`Site` itself, not its name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

# Field selectors a layout may give (each a selector or a list of selectors tried in order).
FIELD_NAMES = ("title", "published", "modified", "section", "lead", "authors", "tags", "source")
# Fields that keep every text the first matching selector finds; the others keep the first text.
LIST_FIELDS = ("authors", "tags")
TRAILING = "trailing"
JSONLD_PREFIX = "jsonld:"
XPATH_PREFIX = "xpath:"


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
