"""What kind of page a page is: ``article``, ``listing`` (a home page, a section, a tag or search page,
one page of a paginated list) or ``other`` (contact, login, an error page...). Pure functions on the page.

A crawl by URL alone (no site file: newscrawl/crawl/spiders/news.py with ``-a url=``) fetches links it
cannot tell apart beforehand; it stores the pages this says are articles and walks those it says are
listings. ``newscrawl extract`` reports the kind too, so a home page is not taken for an article.

The evidence, strongest first (each rule says why):

1. The site's root path is a home page: a listing, whatever its markup claims (home pages often carry
   the og:type or JSON-LD of their top story).
2. What the page says of itself: a JSON-LD article type (NewsArticle, BlogPosting, ...) describing the page
   (not an item of a list it carries), or ``og:type=article``, is an article when the page has some body
   text (a page missing its title is still an article, one whose item says what it misses); a JSON-LD CollectionPage / ItemList / SearchResultsPage at the top level is a listing.
3. What the page shows: a publish date and a body of article length is an article; so is a dated page
   under a URL of an article's shape with a short body (a brief), or with none and few article links (a
   photo story), before its related links count.
4. What the page links to: many links to pages whose URL looks like an article's (an id, a date, a long
   slug: :func:`article_url_shape`) and little text of its own is a listing; so is a page whose own URL
   is a listing's (:func:`listing_url_shape`: a section's short path, a page number) that links any.
5. Otherwise the URL's shape decides between article (with a body) and other.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newscrawl.extract.jsonld import ARTICLE_TYPES, node_types
from newscrawl.model.item import PAGE_KINDS

ARTICLE, LISTING, OTHER = PAGE_KINDS

#: schema.org types of a page that lists others.
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage"}
#: A body this long (characters of text) is an article's, not a teaser's or a caption's.
ARTICLE_BODY_CHARS = 400
#: A page with a dated body this short may still be an article when it says so (a brief, a photo story).
MIN_BODY_CHARS = 80
#: Links to this many distinct article-shaped URLs make a page a listing when its own text is not an article's.
LISTING_LINKS = 5

# A numeric id of 5+ digits in the last segment (most CMSes: "-4812345.html", "/140412", "?id=12345").
_ID = re.compile(r"(?:^|[^0-9])[0-9]{5,}(?:[^0-9]|$)")
# A date in the path: /2024/12/24/, /2024-12-24/, /20241224/.
_DATE = re.compile(r"/(?:19|20)[0-9]{2}[/-]?(?:0[1-9]|1[0-2])(?:[/-]?(?:0[1-9]|[12][0-9]|3[01]))?(?:/|[^0-9]|$)")
# Paths of listings whatever their shape: pagination, tags, categories, authors, search.
_LISTING_PATH = re.compile(r"/(?:page|trang|seite|pagina|p)[/-]?[0-9]+/?$|/(?:tag|tags|topic|topics|category|"
                           r"categories|chuyen-muc|tim-kiem|search|author|authors|tac-gia)(?:/|$)", re.I)
# Not news pages at all: feeds, files, accounts.
_NOT_PAGE = re.compile(r"\.(?:xml|rss|atom|json|pdf|jpe?g|png|gif|webp|svg|mp[34]|zip|css|js)$|"
                       r"/(?:feed|rss|login|logout|register|dang-nhap|dang-ky|cart|wp-admin|wp-login\.php)(?:/|$)", re.I)


def article_url_shape(url: str) -> bool:
    """Whether a URL looks like an article's on a news site: its path has a numeric id, a date, or a long
    slug in its last segment. Listing paths (pagination, tags, search) never do."""
    path = urlsplit(url).path
    if not path or path == "/" or _LISTING_PATH.search(path) or _NOT_PAGE.search(path):
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", last, flags=re.I)
    if _ID.search(last) or _DATE.search(path):
        return True
    # A long slug: four words below a section (/the-thao/doi-nha-thang-lon), six at the top level, where
    # sections' own names run to four words (/khoa-hoc-cong-nghe, /tuyen-giao-cac-cap).
    words = len([w for w in re.split(r"[-_]+", last) if w])
    return words >= (4 if path.strip("/").count("/") else 6)


def listing_url_shape(url: str) -> bool:
    """Whether a URL looks like a listing's: the root, a page number, a tag/category/search path, or a short
    path (one or two segments, no id, no date, a slug of at most three words) such as a section's."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if _NOT_PAGE.search(path):
        return False
    if path == "/" or _LISTING_PATH.search(path) or re.search(r"(?:^|&)(?:page|p|trang)=[0-9]+", parts.query):
        return True
    segments = [s for s in path.split("/") if s]
    return len(segments) <= 2 and not article_url_shape(url)


def article_links(doc, url: str | None = None) -> list[str]:
    """The distinct same-host URLs with an article's shape that the page links to, in page order."""
    base = url or doc.url
    host = (urlsplit(base).netloc or "").lower()
    seen = {}
    for href in doc.root.xpath("//a/@href"):
        target = urljoin(base, str(href).strip()).split("#", 1)[0]
        if urlsplit(target).netloc.lower() == host and target.rstrip("/") != base.rstrip("/") and article_url_shape(target):
            seen.setdefault(target, None)
    return list(seen)


def _says_article(doc) -> bool:
    structured = doc.structured
    if any(node_types(n) & ARTICLE_TYPES - {"creativework"} for n in structured.article_nodes()):
        return True
    return (structured.meta_first("og:type") or "").strip().lower() == "article"


def _says_listing(doc) -> bool:
    jsonld = doc.structured.jsonld
    return any(jsonld.depth.get(id(n), 0) == 0 and id(n) not in jsonld.in_list for n in jsonld.of_type(LISTING_TYPES))


def page_kind(doc, *, title: str | None, published, body: list[str]) -> str:
    """The kind of ``doc`` (a newscrawl.extract.document.Document) given what extraction found on it."""
    parts = urlsplit(doc.url or "")
    if (parts.path or "/") == "/" and not parts.query:
        return LISTING  # rule 1: the home page
    body_chars = sum(len(p) for p in body or ())
    article_url = article_url_shape(doc.url or "")
    if _says_article(doc) and (body_chars >= MIN_BODY_CHARS or (title and published and article_url)):
        return ARTICLE  # rule 2 (a dated one with no body text is a photo or video story)
    if _says_listing(doc):
        return LISTING
    if published and body_chars >= ARTICLE_BODY_CHARS:
        return ARTICLE  # rule 3
    links = article_links(doc)
    if published and article_url and (body_chars >= MIN_BODY_CHARS or (title and len(links) < LISTING_LINKS)):
        return ARTICLE  # rule 3, a short article (a brief, a photo story) whose URL is an article's
    if len(links) >= LISTING_LINKS and body_chars < ARTICLE_BODY_CHARS * 2:
        return LISTING  # rule 4
    if listing_url_shape(doc.url or "") and links:
        return LISTING  # a section's short path that lists articles (a small section lists a few)
    if title and body_chars >= ARTICLE_BODY_CHARS and article_url:
        return ARTICLE  # rule 5
    return OTHER
