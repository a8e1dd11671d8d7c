"""A shipped site whose listing markup changed is still crawled through the feed and the sitemaps its site file
names, and the run says which listing yielded no article links: real `newscrawl crawl nhandan` runs (Scrapy's
engine) against nhandan's fixture article pages (fixtures/sites/nhandan/) served on 127.0.0.1, with the site
file's feed (/rss/home.rss) and the news sitemap its robots.txt names (the site file's ``sitemaps =
["/robots.txt"]``), as the live site serves them: every URL in them on the live host.
"""
from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, read_jsonl, run_newscrawl
from newscrawl.sites import SiteRegistry
from tests.support.fixtures import FixtureServer
from tests.support.site_fixture_checks import load_expected

SITE = "nhandan"
SECTION = "xahoi"
CASES = load_expected(SITE)["articles"]  # three article pages, each with its live URL and expected fields
FEED_CASES, SITEMAP_CASES = CASES[:2], CASES[1:]  # one article in both: fetched once all the same


def listing_page(markup_changed: bool) -> str:
    """The section's listing in the site's markup (article.story > .story__heading a, the site file's
    selectors), or after a redesign: the same links in markup those selectors do not match."""
    if markup_changed:
        entries = "".join(f'<div class="box-news"><h3 class="box-news__title"><a href="{c["url"]}">'
                          f'{escape(c["expected"]["title"])}</a></h3></div>\n' for c in CASES)
        return f'<html><body><div class="col-main">\n{entries}</div></body></html>\n'
    entries = "".join(f'<article class="story"><h3 class="story__heading"><a class="cms-link" href="{c["url"]}">'
                      f'{escape(c["expected"]["title"])}</a></h3></article>\n' for c in CASES)
    return f'<html><body><div class="main-col content-col">\n{entries}</div></body></html>\n'


def serve_site(root: Path, markup_changed: bool) -> None:
    fixtures = REPO / "fixtures" / "sites" / SITE
    for case in CASES:
        shutil.copy(fixtures / case["file"], root / urlsplit(case["url"]).path.lstrip("/"))
    (root / SECTION).mkdir()
    (root / SECTION / "index.html").write_text(listing_page(markup_changed), encoding="utf-8")
    (root / "rss").mkdir()
    items = "".join(f'<item><title>{escape(c["expected"]["title"])}</title><link>{c["url"]}</link></item>\n'
                    for c in FEED_CASES)
    (root / "rss" / "home.rss").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Nhân Dân</title>\n{items}'
        "</channel></rss>\n", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: https://nhandan.vn/sitemaps/news.xml\n",
                                     encoding="utf-8")
    (root / "sitemaps").mkdir()
    urls = "".join(f'<url><loc>{c["url"]}</loc><news:news><news:publication_date>{c["expected"]["published"]}'
                   "</news:publication_date></news:news></url>\n" for c in SITEMAP_CASES)
    (root / "sitemaps" / "news.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{urls}</urlset>\n', encoding="utf-8")


def crawl(tmp_path: Path, markup_changed: bool):
    root = tmp_path / "site"
    root.mkdir()
    serve_site(root, markup_changed)
    out = tmp_path / "out"
    with FixtureServer(root) as server:
        result = run_newscrawl(["crawl", SITE, "--out", str(out), "--base-url", server.url, "--sections", SECTION,
                                "-s", "AUTOTHROTTLE_ENABLED=False"])
        requested = server.paths()
    items = [i for f in sorted((out / "articles").glob("*.jsonl")) for i in read_jsonl(f)]
    summary = json.loads((out / "last-run.json").read_text(encoding="utf-8"))
    return result, items, summary["sites"][SITE], requested


def test_the_shipped_site_file_names_the_feed_and_reads_sitemaps_from_robots_txt():
    site = SiteRegistry.from_dirs().site(SITE)
    assert site.feeds == ("/rss/home.rss",) and site.sitemaps == ("/robots.txt",)


@pytest.mark.parametrize("markup_changed", [True, False], ids=["listing-markup-changed", "listing-as-the-site-file-knows"])
def test_a_listing_markup_change_is_crawled_through_feed_and_sitemap_and_shows_in_the_run(tmp_path, markup_changed):
    result, items, summary, requested = crawl(tmp_path, markup_changed)

    # Every article once, each field right: the feed and the sitemap bring them when the listing does not.
    by_path = {urlsplit(i["url"]).path: i for i in items}
    assert len(items) == len(by_path) == len(CASES), [i["url"] for i in items]
    for case in CASES:
        item = by_path[urlsplit(case["url"]).path]
        for field in ("title", "published", "authors", "section", "lead"):
            assert item[field] == case["expected"][field], (case["file"], field)
    for path in ("/robots.txt", "/rss/home.rss", "/sitemaps/news.xml", f"/{SECTION}/"):
        assert path in requested, path
    assert requested.count("/robots.txt") == 1  # its rules and its sitemaps share one fetch
    assert sorted(p for p in requested if p.endswith(".html")) == sorted(urlsplit(c["url"]).path for c in CASES)

    if markup_changed:
        # ... and the layout change is no silence: the run is degraded (exit status 5), the summary and
        # stdout name the section whose listing yielded no article links, and the log says which page.
        assert result.returncode == 5, result.stderr[-3000:]
        assert summary["status"] == "degraded" and summary["problems"] == []
        [alert] = summary["alerts"]
        assert (alert["kind"], alert["section"], alert["listing_pages"]) == ("listing", SECTION, 1)
        assert [urlsplit(u).path for u in alert["examples"]] == [f"/{SECTION}/"]
        assert f"{SITE}: degraded" in result.stdout and f"listing:{SECTION}" in result.stdout
        assert f"section {SECTION}: listing page" in result.stderr and "yielded no article links" in result.stderr
    else:
        assert result.returncode == 0, result.stderr[-3000:]
        assert summary["status"] == "ok" and summary["alerts"] == []
        assert "yielded no article links" not in result.stderr
