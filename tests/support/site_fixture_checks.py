"""Checks shared by tests/test_site_<site>.py.

Each site has fixture pages under fixtures/sites/<site>/, written for newscrawl in
that site's markup, and an expected.json beside them holding the fields a reader
sees on each page (written from the pages, not from the extractor's output):

  articles[]:  file, url, layout (the site-file layout it must be read with),
               expected {field: value}, from_site [fields the site file must give],
               not_in_body [strings that must not end up in the body]
  listings[]:  file, url, article_urls (in page order, each once), next_page
  url_patterns {articles: [...], not_articles: [...]}: the listing's article URL rule
  pagination[]: section_url, page, url (listing.page_url)
"""
from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

import parsel
import pytest

from newscrawl import extract_article
from newscrawl.extract.document import Document
from newscrawl.extract.sitelayer import extract_site_fields
from newscrawl.sites import SiteRegistry
from newscrawl.crawl.spiders.news import NewsSpider

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "sites"
CAPTION_KEYS = ("text", "credit", "image_url")


@lru_cache(maxsize=None)
def ws(text):
    """Text with its whitespace runs collapsed to single spaces."""
    return " ".join((text or "").split())


def real_page(file: str) -> tuple[dict, dict]:
    """(manifest entry, extracted item) of a saved real page in ../shared/realpages (skips when absent)."""
    from conftest import shared_path

    root = shared_path("realpages")
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["file"] == file)
    return entry, extract_article(gzip.decompress((root / file).read_bytes()), entry["url"])


def load_expected(site: str) -> dict:
    return json.loads((FIXTURES / site / "expected.json").read_text(encoding="utf-8"))


def page_bytes(site: str, file: str) -> bytes:
    return (FIXTURES / site / file).read_bytes()


@lru_cache(maxsize=None)
def _extracted(site: str, file: str, url: str) -> str:
    return json.dumps(extract_article(page_bytes(site, file), url))


def extracted(site: str, case: dict) -> dict:
    """The item extract_article gives for a fixture page (found through the URL's host, as the spider does)."""
    return json.loads(_extracted(site, case["file"], case["url"]))


def article_field_params(site: str) -> list:
    return [pytest.param(case, name, id=f"{case['file']}:{name}")
            for case in load_expected(site)["articles"] for name in case["expected"]]


def article_params(site: str) -> list:
    return [pytest.param(case, id=case["file"]) for case in load_expected(site)["articles"]]


def listing_params(site: str) -> list:
    return [pytest.param(case, id=case["file"]) for case in load_expected(site)["listings"]]


def check_article_field(site: str, case: dict, name: str) -> None:
    item = extracted(site, case)
    want = case["expected"][name]
    got = item.get(name)
    if name == "captions":
        got = [{key: c.get(key) for key in CAPTION_KEYS if key in w} for c, w in zip(got, want)] + got[len(want):]
    assert got == want, f"{case['file']}: {name}"
    if name in case.get("from_site", ()):
        assert item["extraction"].get(name) == "site", f"{case['file']}: {name} must come from the site file"


def check_article_page(site: str, case: dict) -> None:
    """The right layout reads the page; no required field is missing; nothing listed leaks into the body."""
    doc = Document(page_bytes(site, case["file"]), case["url"])
    _, layout = extract_site_fields(doc, SiteRegistry.from_dirs().site(site))
    assert layout == case["layout"]
    item = extracted(site, case)
    assert item["site"] == site
    assert item["missing"] == []
    body = "\n".join(item["body"])
    for text in case.get("not_in_body", ()):
        assert text not in body, f"{text!r} leaked into the body"
    for caption in item["captions"]:
        assert caption["text"] not in item["body"]


def listing_article_urls(site_name: str, html: bytes | str, url: str) -> list[str]:
    """Article URLs a listing page gives, as the spider takes them: every article_links selector,
    NewsSpider.article_url (pattern, no query or fragment), only the site's own hosts, each once."""
    site = SiteRegistry.from_dirs().site(site_name)
    spider = NewsSpider(site=site_name)
    sel = parsel.Selector(text=Document(html, url).text, base_url=url)
    found = []
    for selector in site.listing.article_links:
        for href in sel.css(selector).getall():
            article = spider.article_url(href, url)
            if article and site.owns(article):
                found.append(article)
    return list(dict.fromkeys(found))


def next_page_url(site_name: str, html: bytes | str, url: str) -> str | None:
    site = SiteRegistry.from_dirs().site(site_name)
    sel = parsel.Selector(text=Document(html, url).text, base_url=url)
    for selector in site.listing.next_page:
        href = sel.css(selector).get()
        if href:
            return urljoin(url, href.strip())
    return None


def check_listing(site: str, case: dict) -> None:
    html = page_bytes(site, case["file"])
    assert listing_article_urls(site, html, case["url"]) == case["article_urls"]
    assert next_page_url(site, html, case["url"]) == case["next_page"]


def check_url_patterns(site_name: str) -> None:
    expected = load_expected(site_name)["url_patterns"]
    spider = NewsSpider(site=site_name)
    site = SiteRegistry.from_dirs().site(site_name)
    for url in expected["articles"]:
        assert spider.article_url(url, site.base_url) == url, url
    for url in expected["not_articles"]:
        assert spider.article_url(url, site.base_url) is None, url


def check_pagination(site_name: str) -> None:
    listing = SiteRegistry.from_dirs().site(site_name).listing
    for case in load_expected(site_name)["pagination"]:
        assert listing.page_url_for(case["section_url"], case["page"]) == case["url"]
        assert listing.page_url_for(case["section_url"], 1) == case["section_url"]


def check_layouts_covered(site_name: str) -> None:
    """Every layout of the site file has a fixture page read with it."""
    used = {case["layout"] for case in load_expected(site_name)["articles"]}
    assert {layout.name for layout in SiteRegistry.from_dirs().site(site_name).layouts} <= used


def check_sections(site_name: str) -> None:
    """Section listing URLs are on the site and are not article URLs."""
    site = SiteRegistry.from_dirs().site(site_name)
    spider = NewsSpider(site=site_name)
    assert site.sections
    for section in site.sections:
        url = site.url(section.url)
        assert site.owns(url)
        assert spider.article_url(url, site.base_url) is None, url
        if site.listing.page_url:
            assert spider.article_url(site.listing.page_url_for(url, 2), site.base_url) is None
