"""Crawling a site by its URL alone (newscrawl/crawl/spiders/generic.py): real crawls through Scrapy's engine
against the fixture site fixtures/nhipsong (its own markup, no site file) served on 127.0.0.1."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import read_jsonl, run_newscrawl, run_scrapy
from newscrawl.crawl.spiders.arguments import SpiderArgumentError, check_spider_arguments
from tests.support.fixtures import FixtureServer, fixture_site_dir

SITE = fixture_site_dir("nhipsong")
#: What every article of the fixture site is, as its page shows it: title, publish time with its offset, authors.
ARTICLES = {
    "/kinh-te/gia-lua-vu-dong-xuan-tang-manh-tai-dong-bang-10231.html":  # section page 1
        ("Giá lúa vụ đông xuân tăng mạnh tại đồng bằng", "2025-03-04T08:15:00+07:00", ["Trần Minh Khoa"]),
    "/kinh-te/doanh-nghiep-nho-vay-von-uu-dai-de-dang-hon-10232.html":  # the RSS feed only
        ("Doanh nghiệp nhỏ vay vốn ưu đãi dễ dàng hơn", "2025-03-03T16:40:00+07:00", ["Lê Thu Hà", "Phạm Quốc Bảo"]),
    "/kinh-te/cang-bien-mien-trung-don-tau-container-lon-10233.html":  # section page 2 ("Trang sau")
        ("Cảng biển miền Trung đón tàu container lớn", "2025-02-27T07:05:00+07:00", ["Nguyễn Hải Yến"]),
    "/the-thao/doi-tuyen-bong-chuyen-nu-gianh-ve-chung-ket-20417.html":  # home and section page 1
        ("Đội tuyển bóng chuyền nữ giành vé chung kết", "2025-03-05T21:30:00+07:00", ["Võ Thành Nam"]),
    "/the-thao/giai-chay-marathon-ven-song-thu-hut-nghin-van-dong-vien-20418.html":  # section page 2 (numbers)
        ("Giải chạy marathon ven sông thu hút nghìn vận động viên", "2025-02-25T06:00:00+07:00", ["Đặng Mỹ Linh"]),
    "/the-thao/vo-si-tre-mang-huy-chuong-vang-ve-que-nha-20419.html":  # the news sitemap only
        ("Võ sĩ trẻ mang huy chương vàng về quê nhà", "2025-03-01T10:20:00+07:00", ["Hoàng Gia Huy"]),
    "/doi-song/cho-phien-vung-cao-vao-mua-hoa-man-30551.html":  # home, feed and news sitemap
        ("Chợ phiên vùng cao vào mùa hoa mận", "2025-03-06T09:45:00+07:00", ["Bùi Khánh Vân"]),
}
FORBIDDEN = "/rieng-tu/bai-noi-bo-khong-duoc-lay-40001.html"  # robots.txt: Disallow /rieng-tu/
NOT_ARTICLES = ("/", "/kinh-te/", "/kinh-te/trang-2/", "/the-thao/", "/the-thao/trang-2/", "/gioi-thieu")
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False"]


def expected_bodies(root: Path = SITE) -> dict[str, list[str]]:
    """Each article page's paragraphs, read from the served page itself (a variant copy rewrites them)."""
    bodies = {}
    for path in ARTICLES:
        html = (root / path.lstrip("/")).read_text(encoding="utf-8")
        section = html[html.index('class="than-bai"'):]
        bodies[path] = [re.sub(r"\s+", " ", p).strip() for p in re.findall(r"<p>(.*?)</p>", section[:section.index("</div>")])]
    return bodies


def variant_site(dest: Path) -> Path:
    """A second site in the same markup with other words: every article paragraph's words reversed, so
    that the two sites share no article (the dedupe pipeline would drop copies across sites)."""
    shutil.copytree(SITE, dest)
    for path in ARTICLES:
        file = dest / path.lstrip("/")
        html = file.read_text(encoding="utf-8")
        file.write_text(re.sub(r"<p>(.*?)</p>", lambda m: "<p>" + " ".join(reversed(m.group(1).split())) + "</p>", html),
                        encoding="utf-8")
    return dest


def check_articles(items: list[dict], server_url: str, bodies: dict[str, list[str]]) -> None:
    by_path = {}
    for item in items:
        path = urlsplit(item["url"]).path
        assert path not in by_path, f"{path} stored twice"
        by_path[path] = item
    assert sorted(by_path) == sorted(ARTICLES)
    for path, (title, published, authors) in ARTICLES.items():
        item = by_path[path]
        assert item["site"] == urlsplit(server_url).netloc
        assert item["page_kind"] == "article"
        assert (item["title"], item["published"], item["authors"]) == (title, published, authors), path
        assert item["body"] == bodies[path], path
        assert item["url"] == server_url + path  # tracking parameters of the links dropped


def test_scrapy_crawl_news_by_url(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureServer(SITE) as server:
        result = run_scrapy(["crawl", "news", "-a", f"url={server.url}/", "-O", str(out),
                             "-s", f"NEWSCRAWL_OUT_DIR={tmp_path / 'run'}", *FAST])
        requested = server.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    check_articles(read_jsonl(out), server.url, expected_bodies())
    # Every discovery route was taken: robots.txt, the sitemap index and its sitemaps, the feed, the sections'
    # second pages by both pagination rules.
    for path in ("/robots.txt", "/sitemaps/index.xml", "/sitemaps/tin-tuc.xml", "/sitemaps/trang.xml",
                 "/feeds/tin-moi.xml", "/kinh-te/trang-2/", "/the-thao/trang-2/"):
        assert path in requested, path
    assert FORBIDDEN not in requested  # robots.txt obeyed
    # robots.txt asked for once: its rules (Scrapy's RobotsTxtMiddleware) and its sitemaps share the fetch.
    assert requested.count("/robots.txt") == 1, requested
    # Each article fetched once; nothing fetched off the site (the links to other hosts are never requested,
    # and every request this server saw is one of its own paths).
    article_fetches = [p for p in requested if urlsplit(p).path in ARTICLES]
    assert len(article_fetches) == len(set(article_fetches)) == len(ARTICLES)
    assert "example.org" not in result.stderr and "example.net" not in result.stderr.replace("DEBUG: Filtered", "")
    # The SQLite store holds the articles and nothing else; the run summary counts the page kinds.
    with sqlite3.connect(tmp_path / "run" / "newscrawl.sqlite") as db:
        rows = db.execute("SELECT url, site, page_kind, published_raw FROM articles").fetchall()
    assert sorted(urlsplit(u).path for u, *_ in rows) == sorted(ARTICLES)
    assert {(site, kind) for _, site, kind, _ in rows} == {(urlsplit(server.url).netloc, "article")}
    assert {urlsplit(u).path: p for u, _, _, p in rows} == {k: v[1] for k, v in ARTICLES.items()}
    summary = json.loads((tmp_path / "run" / "last-run.json").read_text(encoding="utf-8"))
    site = summary["sites"][urlsplit(server.url).netloc]
    assert site["status"] == "ok", site
    assert site["page_kinds"]["article"] == len(ARTICLES)
    assert site["page_kinds"]["listing"] >= 5 and site["page_kinds"]["other"] >= 1


def test_robots_txt_is_read_for_its_sitemaps_when_its_rules_are_not_obeyed(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureServer(SITE) as server:
        result = run_scrapy(["crawl", "news", "-a", f"url={server.url}/", "-O", str(out), "-s", "ROBOTSTXT_OBEY=False",
                             "-s", f"NEWSCRAWL_OUT_DIR={tmp_path / 'run'}", *FAST])
        requested = server.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    # No robots.txt fetch of Scrapy's to share: the spider's own, once, and the sitemaps it names are read.
    assert requested.count("/robots.txt") == 1 and "/sitemaps/index.xml" in requested, requested
    sitemap_only = "/the-thao/vo-si-tre-mang-huy-chuong-vang-ve-que-nha-20419.html"
    assert sitemap_only in {urlsplit(i["url"]).path for i in read_jsonl(out)}


def test_newscrawl_crawl_urls_file_keeps_sites_apart_and_is_incremental(tmp_path):
    other = variant_site(tmp_path / "other-site")
    with FixtureServer(SITE) as first, FixtureServer(other) as second:
        urls = tmp_path / "sites.txt"
        urls.write_text(f"# two sites\n{first.url}/\n\n{second.url}/\n", encoding="utf-8")
        out = tmp_path / "out"
        result = run_newscrawl(["crawl", "--urls", str(urls), "--out", str(out), *FAST])
        assert result.returncode == 0, result.stderr[-3000:]
        items = [json.loads(line) for f in sorted((out / "articles").glob("*.jsonl"))
                 for line in f.read_text(encoding="utf-8").splitlines()]
        for server, root in ((first, SITE), (second, other)):
            site = urlsplit(server.url).netloc
            check_articles([i for i in items if i["site"] == site], server.url, expected_bodies(root))
            assert f"{site}: ok" in result.stdout
        first_paths, second_paths = first.paths(), second.paths()
        assert len([p for p in first_paths if urlsplit(p).path in ARTICLES]) == len(ARTICLES)

        # A second run fetches no stored article again and stores nothing new.
        again = run_newscrawl(["crawl", "--urls", str(urls), "--out", str(out), *FAST])
        assert again.returncode == 0, again.stderr[-3000:]
        for server, before in ((first, first_paths), (second, second_paths)):
            later = server.paths()[len(before):]
            assert later and not [p for p in later if urlsplit(p).path in ARTICLES], later
            assert f"{urlsplit(server.url).netloc}: ok pages=" in again.stdout and " new=0 " in again.stdout
    with sqlite3.connect(out / "newscrawl.sqlite") as db:
        counts = dict(db.execute("SELECT site, count(*) FROM articles GROUP BY site").fetchall())
    assert counts == {urlsplit(first.url).netloc: len(ARTICLES), urlsplit(second.url).netloc: len(ARTICLES)}


def test_newscrawl_extract_says_a_home_page_is_no_article(tmp_path):
    result = run_newscrawl(["extract", str(SITE / "index.html"), "--url", "https://nhipsong.example.vn/"])
    assert result.returncode == 3
    assert json.loads(result.stdout)["page_kind"] == "listing"
    assert "a listing page, not an article (page_kind 'listing')" in result.stderr
    page = next(iter(ARTICLES))
    result = run_newscrawl(["extract", str(SITE / page.lstrip("/")), "--url", f"https://nhipsong.example.vn{page}"])
    assert result.returncode == 0 and json.loads(result.stdout)["page_kind"] == "article"


@pytest.mark.parametrize("arguments, problem", [
    ({"url": "ftp://x.example.vn/"}, "expected the http(s) URL of a site"),
    ({"url": "https://x.example.vn/", "site": "tuyengiao"}, "not both"),
    ({"site": "tuyengiao", "depth": "1"}, "only a crawl by -a url= takes a depth"),
    ({"url": "https://x.example.vn/", "depth": "-1"}, "expected a whole number"),
    ({"url": "https://x.example.vn/", "sections": "a"}, "has no sections"),
])
def test_bad_crawl_by_url_arguments(arguments, problem):
    with pytest.raises(SpiderArgumentError, match=re.escape(problem)):
        check_spider_arguments(None, arguments)


def test_a_url_of_a_site_file_host_is_crawled_by_its_site_file():
    checked = check_spider_arguments(None, {"url": "https://tuyengiao.vn/"})
    assert checked.site.name == "tuyengiao" and checked.start_url is None
    checked = check_spider_arguments(None, {"url": "http://127.0.0.1:8123/", "depth": "1"})
    assert (checked.site.name, checked.site.hosts, checked.start_url, checked.depth) == (
        "127.0.0.1:8123", ("127.0.0.1",), "http://127.0.0.1:8123/", 1)


def test_cli_rejects_a_bad_urls_file(tmp_path):
    urls = tmp_path / "sites.txt"
    urls.write_text("https://a.example.vn/\nnot a url\n", encoding="utf-8")
    result = run_newscrawl(["crawl", "--urls", str(urls), "--out", str(tmp_path / "out")])
    assert result.returncode == 2
    assert "sites.txt:2: 'not a url': expected one http(s) URL per line" in result.stderr


@pytest.mark.parametrize("arguments, expected", [
    # since: the older articles are neither stored nor (when a sitemap or feed dates them) fetched.
    (["-a", "since=2025-03-02"], [p for p, (_, published, _) in ARTICLES.items() if published >= "2025-03-02"]),
    # max_pages=1: the sections' second pages are not walked.
    (["-a", "max_pages=1"], [p for p in ARTICLES if p not in (
        "/kinh-te/cang-bien-mien-trung-don-tau-container-lon-10233.html",
        "/the-thao/giai-chay-marathon-ven-song-thu-hut-nghin-van-dong-vien-20418.html")]),
    # depth=0: the start page's articles, feeds and sitemaps, but no section.
    (["-a", "depth=0"], [
        "/the-thao/doi-tuyen-bong-chuyen-nu-gianh-ve-chung-ket-20417.html",
        "/kinh-te/doanh-nghiep-nho-vay-von-uu-dai-de-dang-hon-10232.html",
        "/the-thao/vo-si-tre-mang-huy-chuong-vang-ve-que-nha-20419.html",
        "/doi-song/cho-phien-vung-cao-vao-mua-hoa-man-30551.html"]),
])
def test_crawl_by_url_is_bounded(tmp_path, arguments, expected):
    out = tmp_path / "out.jsonl"
    with FixtureServer(SITE) as server:
        result = run_scrapy(["crawl", "news", "-a", f"url={server.url}/", *arguments, "-O", str(out),
                             "-s", f"NEWSCRAWL_OUT_DIR={tmp_path / 'run'}", *FAST])
        requested = server.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(urlsplit(i["url"]).path for i in read_jsonl(out)) == sorted(expected)
    if "depth=0" in arguments:
        assert "/kinh-te/" not in requested and "/the-thao/" not in requested
    if "max_pages=1" in arguments:
        assert "/kinh-te/trang-2/" not in requested and "/the-thao/trang-2/" not in requested


def test_a_crawl_by_url_is_not_distributed(tmp_path):
    result = run_newscrawl(["seed", "https://a.example.vn/", "--redis", "redis://127.0.0.1:6379/15"])
    assert result.returncode == 2 and "not a distributed crawl" in result.stderr
    result = run_newscrawl(["crawl", "https://a.example.vn/", "--redis", "redis://127.0.0.1:6379/15",
                            "--out", str(tmp_path / "out")])
    assert result.returncode == 2 and "not a distributed crawl" in result.stderr
