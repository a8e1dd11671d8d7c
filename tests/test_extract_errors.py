"""Per-field error accounting: a failing extractor costs its own field, is recorded in the item and logged once.

Strict mode (``extract_article(..., strict=True)``) raises instead; every fixture page, real page and
page of ../shared/extraction-open extracts in strict mode without one error.
"""
from __future__ import annotations

import gzip
import json
import logging

import pytest
from conftest import REPO, SHARED

from newscrawl.extract import extract_article, fallback, page_url, sitelayer
from tests.support.fixtures import fixture_site_dir

ARTICLE = """<!doctype html><html lang="en"><head><title>River bridge opens | Daily Example</title>
<meta property="og:title" content="River bridge opens">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "River bridge opens", "datePublished": "2024-03-13T09:30:00+01:00",
 "author": {"@type": "Person", "name": "Jane Doe"}}</script></head>
<body><article><h1>River bridge opens</h1>
<figure><img src="/img/bridge.jpg"><figcaption>The bridge on its first morning.</figcaption></figure>
<p>The new bridge over the river opened to traffic on Wednesday morning after four years of construction work.</p>
<p>City officials said the crossing would cut the commute between the two districts by about twenty minutes.</p>
<p>Residents gathered on both banks to watch the first buses cross, many of them carrying flags and banners.</p>
</article></body></html>"""
URL = "https://www.dailyexample.com/news/2024/03/13/river-bridge-opens"


def boom(*args, **kwargs):
    raise ValueError("boom")


def test_a_failing_generic_extractor_costs_its_field_only(monkeypatch, caplog, article_schema):
    monkeypatch.setattr(fallback, "captions", boom)
    with caplog.at_level(logging.WARNING, logger="newscrawl.extract.errors"):
        item = extract_article(ARTICLE, URL)
    assert item["title"] == "River bridge opens"
    assert item["published"] == "2024-03-13T09:30:00+01:00"
    assert item["authors"] == ["Jane Doe"]
    assert len(item["body"]) == 3
    assert item["captions"] == [] and "captions" not in item["extraction"]
    assert item["errors"] == {"captions": "ValueError: boom"}
    # `errors` came with the item schema's minor version 1.1: a reader can tell from the version that it may be there.
    major, minor = map(int, item["schema_version"].split("."))
    assert (major, minor) >= (1, 1)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and URL in warnings[0].getMessage() and "captions" in warnings[0].getMessage()
    assert not list(article_schema.iter_errors(item))


def test_strict_mode_raises_what_would_be_recorded(monkeypatch):
    monkeypatch.setattr(fallback, "captions", boom)
    with pytest.raises(ValueError, match="boom"):
        extract_article(ARTICLE, URL, strict=True)


def test_a_site_field_that_fails_is_left_to_the_next_layer(monkeypatch):
    expected = json.loads((REPO / "fixtures" / "tuyengiao" / "expected.json").read_text(encoding="utf-8"))
    article = expected["articles"][0]
    data = (fixture_site_dir("tuyengiao") / (article["path"].lstrip("/") + ".html")).read_bytes()
    url = article["canonical_url"]
    clean = extract_article(data, url)
    assert clean["extraction"]["body"] == "site" and "errors" not in clean
    monkeypatch.setattr(sitelayer, "_body", boom)
    item = extract_article(data, url)
    assert item["errors"] == {"body": "ValueError: boom"}
    assert item["extraction"]["title"] == "site" and item["title"] == clean["title"]
    assert item["body"] and item["extraction"]["body"] == "generic"


def pages():
    """(name, html, url) of every fixture page, real page and extraction-open page."""
    for path in sorted((REPO / "fixtures").rglob("*.html")):
        data = path.read_bytes()
        yield str(path.relative_to(REPO)), data, page_url(data) or f"https://fixtures.invalid/{path.name}"
    manifest = SHARED / "realpages" / "MANIFEST.json"
    if manifest.is_file():
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            data = gzip.decompress((SHARED / "realpages" / entry["file"]).read_bytes())
            yield entry["file"], data, entry.get("url") or page_url(data) or "https://realpages.invalid/"
    for path in sorted((SHARED / "extraction-open").rglob("*.html.gz")):
        meta = json.loads(path.with_name(path.name[: -len(".html.gz")] + ".json").read_text(encoding="utf-8"))
        yield str(path.relative_to(SHARED)), gzip.decompress(path.read_bytes()), meta["url"]


def test_every_known_page_extracts_in_strict_mode_without_an_error():
    seen = 0
    for name, data, url in pages():
        item = extract_article(data, url, strict=True)
        assert "errors" not in item, name
        seen += 1
    assert seen >= 118  # the fixture pages at least; ../shared adds the real pages when present


def test_the_spider_counts_extraction_errors_per_field(monkeypatch):
    import asyncio

    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl.spiders.news import NewsSpider

    monkeypatch.setattr(fallback, "captions", boom)
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider.from_crawler(crawler, site="tuyengiao")
    crawler.spider = spider
    crawler.stats.open_spider()
    response = HtmlResponse(URL, body=ARTICLE.encode("utf-8"), encoding="utf-8")

    async def items():
        return [item async for item in spider.parse_article(response)]

    (item,) = asyncio.run(items())
    assert item["errors"] == {"captions": "ValueError: boom"}
    assert crawler.stats.get_value("newscrawl/extract/errors/captions") == 1
