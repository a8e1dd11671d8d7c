"""Security rules of a crawl, checked on real crawls of a hostile fixture site (tests/support/faultserver.py)
and on the components that enforce them:

- only http(s) URLs are requested (links and redirects to file:, ftp:, javascript:, data: are not);
- offsite links and offsite redirects are not followed (an article's or a listing's);
- every request goes to an allowed origin (scheme, host and port): pagination, feeds, sitemaps, robots.txt
  and redirects too; a mirror's redirects to the live host are fetched from the mirror, never live;
- response size (DOWNLOAD_MAXSIZE), response header (NEWSCRAWL_MAX_HEADER_BYTES, NEWSCRAWL_MAX_HEADERS)
  and URL length (URLLENGTH_LIMIT) limits hold;
- SQL goes through bound parameters: a title like ``'); DROP TABLE articles;--`` is stored verbatim;
- output files stay inside the output folder (NEWSCRAWL_OUT_DIR);
- database and Redis URLs with passwords never appear in logs, summaries or output files.

"""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import BIN, REPO

from tests.support.faultserver import FaultServer, project_settings, run_crawl

SETTINGS = project_settings()
MAXSIZE = 2_000_000
INJECTION_TITLE = "'); DROP TABLE articles;--"
INJECTION_PATH = "/thoi-su/tieu-de-la-100999"
INJECTION_BODY = [
    "Robert'); DROP TABLE articles;-- là một cái tên mà người quản trị cơ sở dữ liệu nào cũng nhớ, "
    "vì câu lệnh SQL ghép chuỗi sẽ xóa mất bảng bài viết.",
    "Một đoạn văn khác có dấu nháy đơn ' và nháy kép \" cùng dấu chấm phẩy; 1=1 OR ''='' -- để thử "
    "xem dữ liệu có được lưu nguyên văn qua tham số ràng buộc hay không.",
]
LONG_SLUG = "tin-" + "a" * 2100 + "-123456"
HOSTILE_LINKS = (
    "file:///thoi-su/tep-noi-bo-123456",
    "ftp://127.0.0.1:{port}/thoi-su/tep-ftp-123457",
    "javascript:alert('thoi-su-123458')",
    "data:text/html,<h1>thoi-su-123459</h1>",
    "{offsite}/thoi-su/bai-ngoai-trang-123460",
    "//localhost:{port}/thoi-su/bai-ngoai-trang-khong-giao-thuc-123461",
    f"/thoi-su/{LONG_SLUG}",
)



@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    with FaultServer(
        faults=("redirect-offsite", "redirect-scheme", "too-large-declared", "too-large-streamed"),
        articles_good=20,
        extra_listing_links=HOSTILE_LINKS,
        listing_redirects={"/thoi-su/trang-2": "{offsite}/thoi-su/trang-2"},
        extra_articles={INJECTION_PATH: (INJECTION_TITLE, INJECTION_BODY)},
        large_size=3 * MAXSIZE // 2,
    ) as server:
        server.result = run_crawl(server, tmp_path_factory.mktemp("hostile"),
                                  {"DOWNLOAD_MAXSIZE": MAXSIZE, "DOWNLOAD_TIMEOUT": 5, "CLOSESPIDER_TIMEOUT": 120})
        yield server


def paths_requested(server) -> list[str]:
    return [r.path for r in server.records()]


# --------------------------------------------------------------------------- schemes
def test_only_http_urls_are_requested(hostile):
    result = hostile.result
    assert result.returncode == 0, result.log[-3000:]
    records = hostile.records()
    assert not [r for r in records if r.fault == "not-http"]  # nothing spoke FTP (or anything else) to the server
    assert not [r for r in records if "tep-" in r.path or "passwd" in r.path or "123458" in r.path or "123459" in r.path]
    stats = result.stats
    assert not [k for k in stats if "UnsupportedURLScheme" in k or "NotSupported" in k], stats


def test_scheme_filter_drops_non_http_requests():
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest
    from scrapy.utils.test import get_crawler

    from newscrawl.crawl.downloadermiddlewares.scheme import SchemeFilterMiddleware

    crawler = get_crawler(settings_dict={"NEWSCRAWL_FAILURES_PATH": ""})
    mw = SchemeFilterMiddleware.from_crawler(crawler)
    for url in ("file:///etc/passwd", "ftp://example.com/x", "s3://bucket/key", "data:text/html,<p>x</p>"):
        with pytest.raises(IgnoreRequest):
            mw.process_request(Request(url))
    for url in ("http://example.com/a", "https://example.com/b"):
        assert mw.process_request(Request(url)) is None
    assert crawler.stats.get_value("newscrawl/failures/scheme") == 4


def test_redirect_to_a_file_url_is_not_followed(hostile):
    path = hostile.fault_path("redirect-scheme")
    assert len(hostile.requests_for(path)) == 1
    assert path not in {urlsplit(i["url"]).path for i in hostile.result.items}


# --------------------------------------------------------------------------- offsite
def test_offsite_links_and_article_redirects_are_not_followed(hostile):
    offsite = [r for r in hostile.records() if r.host.split(":")[0] == "localhost"]
    article_redirect = hostile.fault_path("redirect-offsite")
    assert len(hostile.requests_for(article_redirect)) == 1
    assert not [r for r in offsite if "bai-ngoai-trang" in r.path or r.path == article_redirect], offsite
    for item in hostile.result.items:
        assert urlsplit(item["url"]).hostname == "127.0.0.1", item["url"]


def test_offsite_redirect_of_a_listing_page_is_not_followed(hostile):
    """Listing requests are dont_filter (re-read on resume), which Scrapy's offsite filter lets through."""
    assert [r.status for r in hostile.requests_for("/thoi-su/trang-2")] == [302]
    offsite = [r for r in hostile.records() if r.host.split(":")[0] == "localhost"]
    assert offsite == []


# --------------------------------------------------------------------------- sizes
def test_download_maxsize_is_set():
    assert 0 < SETTINGS.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert 0 < SETTINGS.getint("DOWNLOAD_WARNSIZE") <= SETTINGS.getint("DOWNLOAD_MAXSIZE")
    assert 0 < SETTINGS.getint("URLLENGTH_LIMIT") <= 8192


def test_responses_over_the_size_limit_are_cancelled(hostile):
    items = {urlsplit(i["url"]).path for i in hostile.result.items}
    for name in ("too-large-declared", "too-large-streamed"):
        path = hostile.fault_path(name)
        assert len(hostile.requests_for(path)) == 1, name  # cancelled, not retried
        assert path not in items, name
    assert hostile.result.stats.get("downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError") == 2


def test_responses_over_the_size_limit_are_recorded(hostile):
    failures = {urlsplit(f["url"]).path: f for f in hostile.result.failures}
    for name in ("too-large-declared", "too-large-streamed"):
        assert failures[hostile.fault_path(name)]["reason"] == "too_large", name


def test_overlong_urls_are_not_requested(hostile):
    assert not [p for p in paths_requested(hostile) if LONG_SLUG[:50] in p]
    assert hostile.result.stats.get("urllength/request_ignored_count") == 2  # linked from both sections


# --------------------------------------------------------------------------- SQL
def test_sql_in_a_title_is_stored_verbatim(hostile):
    items = {urlsplit(i["url"]).path: i for i in hostile.result.items}
    item = items[INJECTION_PATH]
    assert item["title"] == INJECTION_TITLE
    assert item["body"] == INJECTION_BODY
    with sqlite3.connect(hostile.result.db) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "articles" in tables
        (title,) = db.execute("SELECT title FROM articles WHERE url LIKE ?", (f"%{INJECTION_PATH}",)).fetchone()
        count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert title == INJECTION_TITLE
    assert count == len(hostile.result.items)


# --------------------------------------------------------------------------- output paths
def test_output_dir_paths_cannot_escape():
    from newscrawl.crawl.outputs import resolve_out_path

    base = Path("/tmp/newscrawl-out")
    assert resolve_out_path(base, "articles/2025-01-01.jsonl") == base.resolve() / "articles/2025-01-01.jsonl"
    for bad in ("../escape.jsonl", "articles/../../escape.jsonl", "/etc/cron.d/x"):
        with pytest.raises(ValueError):
            resolve_out_path(base, bad)


def test_failures_path_is_confined_to_the_output_dir(tmp_path):
    from scrapy.settings import Settings

    from newscrawl.crawl.failures import failures_path

    out = tmp_path / "out"
    settings = Settings({"NEWSCRAWL_OUT_DIR": str(out)})
    assert failures_path(settings) == out.resolve() / "failures.jsonl"
    settings.set("NEWSCRAWL_FAILURES_PATH", "logs/failures.jsonl", priority="cmdline")
    assert failures_path(settings) == out.resolve() / "logs/failures.jsonl"
    for bad in ("../failures.jsonl", str(tmp_path / "elsewhere.jsonl")):
        settings.set("NEWSCRAWL_FAILURES_PATH", bad, priority="cmdline")
        with pytest.raises(ValueError, match="outside NEWSCRAWL_OUT_DIR"):
            failures_path(settings)


def test_explicit_output_paths_outside_the_output_dir_are_refused(tmp_path):
    from tests.support.fixtures import FixtureServer, fixture_site_dir

    out = tmp_path / "out"
    escape = tmp_path / "escape.jsonl"
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        proc = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "tuyengiao", "-a", f"base_url={server.url}",
             "-s", f"NEWSCRAWL_OUT_DIR={out}", "-s", "NEWSCRAWL_REJECTS_PATH=../escape.jsonl",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "NEWSCRAWL_REJECTS_PATH" in proc.stderr
    assert not escape.exists()


# --------------------------------------------------------------------------- secrets
DB_PASSWORD = "Hunter2-db-SECRET-7731"
REDIS_PASSWORD = "Redis-SECRET-4410"


def _no_secret_in(text: str, where: str):
    for secret in (DB_PASSWORD, REDIS_PASSWORD):
        assert secret not in text, f"{secret} printed in {where}"


def test_database_and_redis_passwords_never_printed(tmp_path):
    """A crawl whose database and Redis refuse the connection: the errors are logged, the passwords are not."""
    from tests.support.fixtures import FixtureServer, fixture_site_dir

    db_url = f"postgresql+psycopg://newscrawl:{DB_PASSWORD}@127.0.0.1:1/newscrawl"
    redis_url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0"
    runs = tmp_path / "runs"
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        scrapy_run = subprocess.run(
            [str(BIN / "scrapy"), "crawl", "tuyengiao", "-a", f"base_url={server.url}",
             "-O", str(tmp_path / "a.jsonl"),
             "-s", f"NEWSCRAWL_DB_URL={db_url}", "-s", "NEWSCRAWL_DB_RETRIES=1", "-s", "NEWSCRAWL_DB_RETRY_BACKOFF=0.1",
             "-s", f"REDIS_URL={redis_url}", "-s", f"NEWSCRAWL_RUNS_DIR={runs}",
             "-s", f"NEWSCRAWL_REJECTS_PATH={tmp_path / 'rejects.jsonl'}",
             "-s", f"NEWSCRAWL_FAILURES_PATH={tmp_path / 'failures.jsonl'}",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=DEBUG"],
            cwd=REPO, capture_output=True, text=True, timeout=120)
        cli_run = subprocess.run(
            [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--base-url", server.url, "--out", str(tmp_path / "cli"),
             "--db", db_url, "-s", "NEWSCRAWL_DB_RETRIES=1", "-s", "NEWSCRAWL_DB_RETRY_BACKOFF=0.1",
             "-s", f"REDIS_URL={redis_url}",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "newscrawl:***@127.0.0.1:1" in scrapy_run.stderr  # the failure is reported, the URL masked
    assert "Connection refused" in scrapy_run.stderr
    for name, proc in (("scrapy crawl", scrapy_run), ("newscrawl crawl", cli_run)):
        _no_secret_in(proc.stdout, f"{name} stdout")
        _no_secret_in(proc.stderr, f"{name} stderr")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            _no_secret_in(path.read_text(encoding="utf-8", errors="replace"), str(path))


def test_safe_url_masks_passwords():
    from newscrawl.storage import safe_url

    assert DB_PASSWORD not in safe_url(f"postgresql+psycopg://u:{DB_PASSWORD}@db:5432/news")
    assert REDIS_PASSWORD not in safe_url(f"redis://:{REDIS_PASSWORD}@cache:6379/0")
    assert json.dumps(safe_url("sqlite:///newscrawl.sqlite")) == '"sqlite:///newscrawl.sqlite"'


# --------------------------------------------------------------------------- origins: scheme, host and port
# A site file like tuyengiao's whose live host is another loopback address (127.0.0.2), so that a crawl of a
# mirror (127.0.0.1) that wrongly went live would reach a server of the test, never the internet.
LIVE_SITE = "tuyengiaolive"
OTHER_PORT_LINK = "{otherport}/thoi-su/bai-cong-khac-123470"
FEED_ENTRIES = ("{otherport}/thoi-su/bai-rss-cong-khac-123471", "{other}/thoi-su/bai-rss-dia-chi-khac-123472")
SITEMAP_ENTRIES = ("{otherport}/thoi-su/bai-sitemap-cong-khac-123473", "{other}/thoi-su/bai-sitemap-dia-chi-khac-123474")


def live_site_file(folder: Path, live_url: str) -> Path:
    text = (REPO / "newscrawl" / "sites" / "tuyengiao.toml").read_text(encoding="utf-8")
    host = urlsplit(live_url).hostname
    text = text.replace('name = "tuyengiao"', f'name = "{LIVE_SITE}"', 1)
    text = re.sub(r"^(?:feeds|sitemaps) = .*\n", "", text, flags=re.M)  # the test's own feed and sitemap instead
    text = text.replace('hosts = ["tuyengiao.vn", "www.tuyengiao.vn"]', f'hosts = ["{host}"]', 1)
    text = text.replace('base_url = "https://tuyengiao.vn"',
                        f'base_url = "{live_url}"\nfeeds = ["/rss/moi-nhat.rss"]\nsitemaps = ["/sitemap.xml"]', 1)
    assert LIVE_SITE in text and live_url in text
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LIVE_SITE}.toml"
    path.write_text(text, encoding="utf-8")
    return folder


def rss(links) -> str:
    items = "".join(f"<item><title>Tin</title><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin</title>{items}</channel></rss>'


def urlset(locs) -> str:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sitemap_index(locs) -> str:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>')


@pytest.fixture(scope="module")
def escapes(tmp_path_factory):
    """A crawl of a mirror whose pages try every way off it: pagination to another address and to another
    port of the mirror's host, a link to that port, redirects (an article's, robots.txt's) to the live host,
    feed and sitemap entries on another port and another address. Three more servers record what reaches them."""
    from tests.support.faultserver import GeneratedSite

    probe = GeneratedSite(articles=24, seed=11, per_page=8)
    first_page = [probe.path(i) for i in probe._by_section["thoi-su"][:8]]
    second_page = [probe.path(i) for i in probe._by_section["thoi-su"][8:]]
    moved = FaultServer.moved_path(first_page[1])
    with FaultServer(host="127.0.0.2") as live, FaultServer(host="127.0.0.3") as other, FaultServer() as otherport:
        with FaultServer(
            faults=(), articles_good=24,
            listing_next={"/thoi-su": "{other}/thoi-su/trang-2",
                          "/tuyen-giao-cac-cap": "{otherport}/tuyen-giao-cac-cap/trang-2"},
            extra_listing_links=(OTHER_PORT_LINK,),
            listing_redirects={first_page[1]: "{live}" + moved, "/robots.txt": "{live}/robots-moi.txt"},
            aliases={moved: first_page[1], "/robots-moi.txt": "/robots.txt"},
            extra_pages={
                "/rss/moi-nhat.rss": ("application/rss+xml", rss(
                    ["{base}" + second_page[0], "{live}" + second_page[1], *FEED_ENTRIES])),
                "/sitemap.xml": ("application/xml", sitemap_index(["{base}/sitemap-1.xml", "{otherport}/sitemap-2.xml"])),
                "/sitemap-1.xml": ("application/xml", urlset(["{base}" + second_page[2], *SITEMAP_ENTRIES])),
            },
        ) as mirror:
            mirror.names = {"live": live.url, "other": other.url, "otherport": otherport.url}
            sites = live_site_file(tmp_path_factory.mktemp("sites"), live.url)
            mirror.result = run_crawl(mirror, tmp_path_factory.mktemp("escapes"), {
                "NEWSCRAWL_SITE_DIRS": str(sites), "DOWNLOAD_TIMEOUT": 5, "CLOSESPIDER_TIMEOUT": 120,
            }, spider=LIVE_SITE)
            mirror.others = {"live": live.records(), "other address": other.records(), "other port": otherport.records()}
            mirror.first_page, mirror.second_page, mirror.moved = first_page, second_page, moved
            yield mirror


def test_no_request_leaves_the_mirror(escapes):
    assert "Spider closed (finished)" in escapes.result.log, escapes.result.log[-3000:]
    for name, records in escapes.others.items():
        assert records == [], f"the {name} server was asked for {[r.path for r in records]}"


def test_each_refused_request_is_recorded(escapes):
    failures = {f["url"]: f for f in escapes.result.failures}
    refused = ["{other}/thoi-su/trang-2", "{otherport}/tuyen-giao-cac-cap/trang-2", OTHER_PORT_LINK,
               FEED_ENTRIES[0], "{otherport}/sitemap-2.xml", SITEMAP_ENTRIES[0]]
    for url in map(escapes.fill, refused):
        assert url in failures, (url, sorted(failures))
        assert failures[url]["reason"] == "offsite", failures[url]
    assert escapes.result.stats.get("newscrawl/origin/refused") == len(refused)
    # Entries on hosts that are not the site's are no article of it: dropped as a listing's offsite links are.
    for url in map(escapes.fill, (FEED_ENTRIES[1], SITEMAP_ENTRIES[1])):
        assert url not in failures


def test_redirects_to_the_live_host_are_followed_on_the_mirror(escapes):
    items = {i["url"] for i in escapes.result.items}
    assert escapes.url + escapes.moved in items  # the article's redirect, mapped onto the mirror
    assert [r.status for r in escapes.requests_for("/robots-moi.txt")] == [200]  # robots.txt's redirect, too
    assert escapes.result.stats.get("newscrawl/origin/mapped") == 2
    # what the mirror does hold arrives: the listing's first pages, the feed's and the sitemap's entries on it
    expected = {escapes.url + p for p in escapes.first_page if p != escapes.first_page[1]}
    expected |= {escapes.url + p for p in escapes.second_page[:3]}
    assert expected <= items, sorted(expected - items)
    assert all(urlsplit(u).netloc == urlsplit(escapes.url).netloc for u in items)


def test_origin_policy():
    from newscrawl.crawl.downloadermiddlewares.origin import ALLOW, MAP, REFUSE, OriginPolicy, origin_of, site_origins

    assert origin_of("HTTP://Example.COM./a") == "http://example.com:80"
    assert origin_of("https://example.com:443/a") == "https://example.com:443"
    assert origin_of("http://example.com:99999/") is None
    assert origin_of("ftp://example.com/") is None
    live = OriginPolicy(site_origins(["tuyengiao.vn", "www.tuyengiao.vn"], "https://tuyengiao.vn"))
    assert live.decide("http://www.tuyengiao.vn/a")[0] == ALLOW
    assert live.decide("https://tuyengiao.vn:8443/a")[0] == REFUSE
    assert live.decide("http://169.254.169.254/latest/meta-data/")[0] == REFUSE
    mirror = OriginPolicy(["http://127.0.0.1:8000"], mirrored_hosts=["tuyengiao.vn"])
    assert mirror.decide("https://tuyengiao.vn/thoi-su?p=2") == (MAP, "http://127.0.0.1:8000/thoi-su?p=2")
    assert mirror.decide("http://127.0.0.1:8001/thoi-su")[0] == REFUSE
    assert mirror.decide("https://127.0.0.1:8000/thoi-su")[0] == REFUSE
    assert OriginPolicy(["https://mirror.example"], ["tuyengiao.vn"]).decide("http://tuyengiao.vn/x") == (
        MAP, "https://mirror.example/x")


# --------------------------------------------------------------------------- response headers
def test_endless_response_headers_are_cut_off(tmp_path):
    """A server that sends header lines without end: the crawl drops that response after
    NEWSCRAWL_MAX_HEADER_BYTES, records it, does not retry it, and the other articles arrive."""
    with FaultServer(faults=("endless-headers",), articles_good=10) as server:
        result = run_crawl(server, tmp_path, {"DOWNLOAD_TIMEOUT": 20, "CLOSESPIDER_TIMEOUT": 120}, measure=True)
        path = server.fault_path("endless-headers")
        asked = server.requests_for(path)
        expected = set(server.expected_items())
    assert result.max_rss < 300 * 1024 * 1024, f"peak RSS {result.max_rss / 2**20:.0f} MB"
    assert "Spider closed (finished)" in result.log, result.log[-3000:]
    failures = {urlsplit(f["url"]).path: f for f in result.failures}
    assert failures[path]["reason"] == "headers_too_large", failures[path]
    assert "NEWSCRAWL_MAX_HEADER_BYTES" in failures[path]["detail"]
    assert len(asked) == 1  # not retried: the next answer would be as big
    assert {urlsplit(i["url"]).path for i in result.items} == expected


def test_header_count_is_bounded_too(tmp_path):
    """Many small header fields: NEWSCRAWL_MAX_HEADERS ends the response before the byte bound does."""
    with FaultServer(faults=("endless-headers",), articles_good=4, header_flood_bytes=2_000_000) as server:
        result = run_crawl(server, tmp_path, {"NEWSCRAWL_MAX_HEADERS": 20, "NEWSCRAWL_MAX_HEADER_BYTES": 10_000_000,
                                              "DOWNLOAD_TIMEOUT": 20})
        path = server.fault_path("endless-headers")
        expected = set(server.expected_items())
    failures = {urlsplit(f["url"]).path: f for f in result.failures}
    assert failures[path]["reason"] == "headers_too_large", failures.get(path)
    assert "NEWSCRAWL_MAX_HEADERS" in failures[path]["detail"]
    assert {urlsplit(i["url"]).path for i in result.items} == expected
