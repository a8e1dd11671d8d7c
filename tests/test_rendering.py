"""JavaScript pages through headless Chromium (scrapy-playwright), opt-in per site and per page kind.

The fixture site fixtures/jsnews (built by its build.py) builds its listing links and its article
bodies with JavaScript; its site file fixtures/jsnews/jsnews.toml is not shipped in the package
and reaches the crawler through NEWSCRAWL_SITE_DIRS. Real `scrapy crawl` / `newscrawl crawl`
processes, Debian's chromium; skipped only when /usr/bin/chromium is absent.
"""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, assert_valid_items, read_jsonl, run_newscrawl, run_scrapy

from tests.support.fixtures import FixtureServer

JSNEWS = REPO / "fixtures" / "jsnews"
CHROMIUM = Path("/usr/bin/chromium")

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: rendering needs Debian's "
                                                                  "chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((JSNEWS / "expected.json").read_text(encoding="utf-8"))


def crawl(out: Path, site_dir: Path, *settings: str, returncode: int = 0) -> dict:
    """`scrapy crawl jsnews` against the fixture server; the items, rejects, requests and stats."""
    out.mkdir(parents=True, exist_ok=True)
    with FixtureServer(JSNEWS / "site") as server:
        result = run_scrapy([
            "crawl", "jsnews", "-a", f"base_url={server.url}", "-O", str(out / "articles.jsonl"),
            "-s", f"NEWSCRAWL_SITE_DIRS={site_dir}",
            "-s", f"NEWSCRAWL_DB_URL=sqlite:///{out / 'db.sqlite'}",
            "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}",
            "-s", "AUTOTHROTTLE_ENABLED=False", *sum((["-s", s] for s in settings), []),
        ])
        requested = [urlsplit(p).path for p in server.paths()]
    assert result.returncode == returncode, result.stderr[-3000:]
    rejects = out / "rejects.jsonl"
    return {
        "items": read_jsonl(out / "articles.jsonl"),
        "rejects": read_jsonl(rejects) if rejects.exists() else [],
        "requested": requested,
        "base": server.url,
        "log": result.stderr,
    }


def stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def site_variant(tmp_path: Path, **render) -> Path:
    """A copy of jsnews.toml with other [render] values, in a folder of its own."""
    folder = tmp_path / "sites"
    folder.mkdir()
    text = (JSNEWS / "jsnews.toml").read_text(encoding="utf-8")
    for key, value in render.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text)
        assert n == 1, key
    (folder / "jsnews.toml").write_text(text, encoding="utf-8")
    return folder


@needs_chromium
def test_rendered_listings_and_articles_give_every_article_and_field(tmp_path, expected, article_schema):
    result = crawl(tmp_path / "on", JSNEWS)
    items = {urlsplit(i["url"]).path: i for i in result["items"]}
    assert sorted(items) == sorted(a["path"] for a in expected["articles"])
    for exp in expected["articles"]:
        item = items[exp["path"]]
        for field in ("canonical_url", "section", "title", "published", "authors", "lead", "body"):
            assert item[field] == exp[field], (exp["path"], field)
        assert item["missing"] == [] and item["extraction"]["body"] == "site"
    assert_valid_items(result["items"], article_schema)
    assert result["rejects"] == []
    # The page's own script fetched the second listing page's links: the browser ran it.
    assert result["requested"].count(expected["js_data"][0]) == 1
    # Every listing and article page went through the browser, once; robots.txt did not.
    pages = [p for pages in expected["sections"].values() for p in pages] + [a["path"] for a in expected["articles"]]
    assert stat(result["log"], "playwright/page_count") == len(pages)
    assert Counter(result["requested"]) == Counter(pages + expected["js_data"] + ["/robots.txt"])


@needs_chromium
def test_without_rendering_the_javascript_content_is_not_there(tmp_path, expected):
    # The scripted listing yields no article link: the listing monitor degrades the run (exit 5), naming it.
    result = crawl(tmp_path / "off", JSNEWS, "NEWSCRAWL_RENDER=off", returncode=5)
    assert "degraded: monitor alerts: listing:thoi-su" in result["log"]
    assert result["items"] == []
    assert stat(result["log"], "playwright/page_count") == 0
    # The scripted listings give no links: none of their articles is fetched, nor page 2's JSON.
    scripted = [a["path"] for a in expected["articles"] if a["listing"].startswith("/thoi-su")]
    plain = [a["path"] for a in expected["articles"] if a["listing"] == "/van-hoa"]
    assert not set(scripted) & set(result["requested"])
    assert expected["js_data"][0] not in result["requested"]
    # The plain listing's articles are fetched, but their body is only the loading placeholder: rejected.
    assert sorted(urlsplit(r["url"]).path for r in result["rejects"]) == sorted(plain)
    for reject in result["rejects"]:
        assert reject["item"]["body"] in ([], [expected["placeholder"]])
        assert reject["item"]["title"]  # the static part of the page is there


@needs_chromium
def test_rendering_is_chosen_per_page_kind(tmp_path, expected):
    """listing = false: listings come through the plain downloader, so only the plain listing's
    articles are found; those are rendered, and complete."""
    result = crawl(tmp_path / "articles-only", site_variant(tmp_path, listing=False), returncode=5)
    assert "degraded: monitor alerts: listing:thoi-su" in result["log"]  # the scripted listing, read unrendered
    plain = {a["path"]: a for a in expected["articles"] if a["listing"] == "/van-hoa"}
    items = {urlsplit(i["url"]).path: i for i in result["items"]}
    assert sorted(items) == sorted(plain)
    assert all(items[p]["body"] == plain[p]["body"] for p in plain)
    assert stat(result["log"], "playwright/page_count") == len(plain)


@needs_chromium
def test_a_page_that_never_renders_is_retried_then_recorded_as_failed(tmp_path, expected):
    sites = site_variant(tmp_path, listing=False, wait_for_article="div.noi-dung p.khong-bao-gio-co", timeout_ms=1500)
    out = tmp_path / "out"
    plain = [a["path"] for a in expected["articles"] if a["listing"] == "/van-hoa"]
    with FixtureServer(JSNEWS / "site") as server:
        result = run_newscrawl(["crawl", "jsnews", "--out", str(out), "--base-url", server.url,
                                "-s", f"NEWSCRAWL_SITE_DIRS={sites}", "-s", "RETRY_TIMES=1",
                                "-s", "AUTOTHROTTLE_ENABLED=False"])
        requested = Counter(urlsplit(p).path for p in server.paths())
    assert result.returncode == 4, result.stderr[-3000:]  # failed: most requests failed, no article extracted
    assert {p: requested[p] for p in plain} == {p: 2 for p in plain}  # tried, retried once, given up
    summary = json.loads((out / "last-run.json").read_text())["sites"]["jsnews"]
    # Recorded like any failed download: the run summary counts the render time-outs (each attempt).
    assert sum(n for name, n in summary["download_exceptions"].items() if "TimeoutError" in name) == 2 * len(plain)
    assert any("requests failed" in problem for problem in summary["problems"])
    assert summary["article_pages"] == 0 and summary["articles"]["seen"] == 0
    assert not any(out.glob("articles/*.jsonl")) or all(not f.read_text() for f in out.glob("articles/*.jsonl"))


@needs_chromium
def test_the_browser_is_only_started_for_sites_that_render(tmp_path):
    """A site without [render] keeps Scrapy's plain download handlers: no browser settings at all."""
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader

    from newscrawl.ops.crawling import newscrawl_settings
    from newscrawl.crawl.rendering import PLAYWRIGHT_HANDLER

    settings = newscrawl_settings({"NEWSCRAWL_SITE_DIRS": str(JSNEWS)})
    loader = get_spider_loader(settings)
    plain = Crawler(loader.load("tuyengiao"), settings).settings
    rendered = Crawler(loader.load("jsnews"), settings).settings
    off = Crawler(loader.load("jsnews"), newscrawl_settings({"NEWSCRAWL_SITE_DIRS": str(JSNEWS),
                                                              "NEWSCRAWL_RENDER": "off"})).settings
    assert PLAYWRIGHT_HANDLER not in plain.getdict("DOWNLOAD_HANDLERS").values()
    assert PLAYWRIGHT_HANDLER not in off.getdict("DOWNLOAD_HANDLERS").values()
    assert rendered.getdict("DOWNLOAD_HANDLERS")["https"] == PLAYWRIGHT_HANDLER
    assert rendered.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == str(CHROMIUM)
    assert "playwright.async_api.TimeoutError" in rendered.getlist("RETRY_EXCEPTIONS")


def test_a_missing_browser_stops_the_crawl_at_once_saying_what_to_do(tmp_path):
    with FixtureServer(JSNEWS / "site") as server:
        result = run_newscrawl(["crawl", "jsnews", "--out", str(tmp_path / "out"), "--base-url", server.url,
                                "-s", f"NEWSCRAWL_SITE_DIRS={JSNEWS}", "-s", f"NEWSCRAWL_CHROMIUM_PATH={tmp_path / 'no-chromium'}"])
        assert server.paths() == []
    assert result.returncode == 2
    assert "NEWSCRAWL_CHROMIUM_PATH" in result.stderr and "NEWSCRAWL_RENDER=off" in result.stderr
    shutil.rmtree(tmp_path / "out", ignore_errors=True)


def test_render_table_mistakes_fail_fast_naming_the_key():
    from newscrawl.sites import SiteConfigError, parse_site

    import tomllib

    base = tomllib.loads((JSNEWS / "jsnews.toml").read_text(encoding="utf-8"))
    for render, key in [({"listing": "yes"}, "render.listing"), ({"articles": True}, "unknown keys"),
                        ({"wait_for_article": "xpath://p"}, "render.wait_for_article"),
                        ({"wait_for_listing": "a::attr(href)"}, "render.wait_for_listing"),
                        ({"wait_for_listing": "ul[["}, "render.wait_for_listing"), ({"timeout_ms": 0}, "render.timeout_ms")]:
        with pytest.raises(SiteConfigError, match=re.escape(key)):
            parse_site({**base, "render": render}, "jsnews.toml")
    site = parse_site({**base, "render": {"article": True}}, "jsnews.toml")
    assert (site.render.renders("article"), site.render.renders("listing"), site.render.timeout_ms) == (True, False, 30000)
    assert not parse_site({k: v for k, v in base.items() if k != "render"}, "x.toml").render.any


def test_site_dirs_add_site_files_and_refuse_a_name_used_twice(tmp_path):
    from newscrawl.sites import SiteConfigError, SiteRegistry

    sites = SiteRegistry.from_dirs([str(JSNEWS)])
    assert sites.site("jsnews").hosts == ("jsnews.example.vn",) and "tuyengiao" in sites
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "copy.toml").write_text((JSNEWS / "jsnews.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SiteConfigError, match="used twice"):
        SiteRegistry.from_dirs(f"{JSNEWS},{twin}")
    assert "jsnews" not in SiteRegistry.from_dirs()
