"""Where a site's pages lead, by general rules: feeds a page names, the links of a listing, its next page.

Pure functions on a parsed page (a ``parsel.Selector``, or anything with ``.css``/``.xpath``, such as a
Scrapy response) and its URL; the crawl by URL alone (newscrawl/crawl/spiders/generic.py) uses them where a
site file would give selectors. No rule names a publisher or a host.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newscrawl.model.text import clean_text

#: The paths where sites usually serve their feeds, tried when a home page names none
#: (WordPress's /feed, the common /rss and /rss.xml, Atom's /atom.xml, /feed.xml of static site generators).
USUAL_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")
#: Where a sitemap usually is when robots.txt names none (the sitemaps.org convention).
USUAL_SITEMAP_PATHS = ("/sitemap.xml",)

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")

# The text of a "next page" link, in the languages of our sites and the usual arrows: "Next", "Trang sau"
# (Vietnamese "next page"), "Trang tiếp", "Sau", "Tiếp", "Weiter"/"Nächste" (German), "Suivant" (French),
# "Siguiente" (Spanish), "Próxima"/"Seguinte" (Portuguese), "Older posts", "›", "»", "→", ">".
_NEXT_TEXT = re.compile(
    r"^(?:next(?: page)?|older(?: posts| entries)?|trang (?:sau|tiếp(?: theo)?|kế)|sau|tiếp(?: theo)?|weiter|"
    r"nächste(?: seite)?|suivant(?:e)?|siguiente|próxima|seguinte|successiva|›|»|→|>|›|>>)"
    r"\s*(?:›|»|→|>)?$", re.I)
# A page number in a URL: /page/2, /trang/2, /trang-2, -p2, ?page=2, &p=2, /2/ at the end.
_PAGE_IN_URL = re.compile(r"(?:(?:[/-](?:page|trang|p|seite|pagina)[/-]?)|(?:[?&](?:page|p|trang|pg|paged)=))([0-9]{1,4})"
                          r"(?=$|[/&.#?])", re.I)


def feed_links(sel, url: str) -> list[str]:
    """The feeds the page names (``<link rel="alternate" type="application/rss+xml" href=...>``), absolute."""
    found = []
    for link in sel.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            found.append(urljoin(url, link.attrib["href"].strip()))
    return list(dict.fromkeys(found))


def page_links(sel, url: str) -> list[str]:
    """Every link of the page to the same host and port, absolute, without fragment, each once, in page order."""
    netloc = urlsplit(url).netloc.lower()
    links = []
    for href in sel.xpath("//a/@href").getall():
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.netloc.lower() == netloc:
            links.append(target)
    return list(dict.fromkeys(links))


def page_number(url: str) -> int:
    """The page number a listing URL carries (1 when it carries none)."""
    matches = _PAGE_IN_URL.findall(url)
    return int(matches[-1]) if matches else 1


def next_page_url(sel, url: str) -> str | None:
    """The listing's next page, by general rules, first that gives one:

    1. ``rel="next"`` on a ``<link>`` or an ``<a>`` (HTML's own way to say it);
    2. a link whose whole text (or title / aria-label) says "next" (:data:`_NEXT_TEXT`), or whose class
       names "next" inside a pagination block;
    3. a link whose text is the number after this page's (page N+1, N read from the URL, 1 when absent)
       and whose URL carries that number.
    Only links to the same host and port, and never back to this page.
    """
    here = url.split("#", 1)[0]
    netloc = urlsplit(url).netloc.lower()

    def usable(href: str | None) -> str | None:
        if not href or href.strip().startswith(("#", "javascript:")):
            return None
        target = urljoin(url, href.strip()).split("#", 1)[0]
        return target if urlsplit(target).netloc.lower() == netloc and target != here else None

    for href in sel.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href "
                          "| //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").getall():
        if usable(href):
            return usable(href)
    for a in sel.xpath("//a[@href]"):
        text = clean_text(" ".join(a.xpath(".//text()").getall())) or ""
        labels = [text, a.attrib.get("title") or "", a.attrib.get("aria-label") or ""]
        if any(_NEXT_TEXT.match(label.strip()) for label in labels if label.strip()) and usable(a.attrib["href"]):
            return usable(a.attrib["href"])
    for a in sel.xpath("//*[contains(translate(@class, 'PAGINTO', 'paginto'), 'pagin')]//a[@href]"
                       "[contains(translate(@class, 'NEXT', 'next'), 'next')]"):
        if usable(a.attrib["href"]):
            return usable(a.attrib["href"])
    wanted = page_number(url) + 1
    for a in sel.xpath("//a[@href]"):
        text = clean_text(" ".join(a.xpath(".//text()").getall())) or ""
        target = usable(a.attrib["href"])
        if text == str(wanted) and target and page_number(target) == wanted:
            return target
    return None
