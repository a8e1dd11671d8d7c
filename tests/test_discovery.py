"""Articles discovered from a site's RSS/Atom feeds and sitemaps, besides its section listings."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from conftest import REPO, read_jsonl, run_scrapy
from tests.support.sitecopy import SiteCopy

from tests.support.fixtures import FixtureServer

FEED_ONLY = [
    "/thoi-su/trao-hoc-bong-cho-sinh-vien-co-hoan-canh-kho-khan-140412",
    "/thoi-su/phuc-dung-le-mung-lua-moi-cua-dong-bao-xo-dang-139996",
]
SITEMAP_ONLY = ["/tuyen-giao-cac-cap/hai-phong-tong-ket-cong-tac-tuyen-giao-nam-2024-140203"]


def site_file_without_sections(folder: Path) -> None:
    """The tuyengiao site file, renamed, with no sections: only its feed and sitemap can find articles."""
    text = (REPO / "newscrawl" / "sites" / "tuyengiao.toml").read_text(encoding="utf-8")
    text = text.replace('name = "tuyengiao"', 'name = "tuyengiao_feeds"')
    text = re.sub(r"\[\[sections\]\]\n(?:[a-z]+ = .*\n)+", "", text)
    text = re.sub(r"^(?:feeds|sitemaps) = .*\n", "", text, flags=re.M)  # the test's own feeds and sitemap instead
    text = text.replace('[listing]', 'feeds = ["/rss/tin-moi.rss", "/rss/atom.xml"]\nsitemaps = ["/sitemap.xml"]\n\n[listing]', 1)
    (folder / "tuyengiao_feeds.toml").write_text(text, encoding="utf-8")


def test_feed_and_sitemap_articles_are_crawled(tmp_path):
    site = SiteCopy(tmp_path / "site")
    (site.root / "rss").mkdir()
    (site.root / "rss" / "tin-moi.rss").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tuyên giáo</title>'
        f'<item><title>Học bổng</title><link>https://tuyengiao.vn{FEED_ONLY[0]}?utm_source=rss</link>'
        '<pubDate>Tue, 24 Dec 2024 08:16:00 GMT</pubDate></item>'
        '<item><title>Ngoài trang</title><link>https://example.com/other-123456</link></item>'
        '</channel></rss>', encoding="utf-8")
    (site.root / "rss" / "atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Tuyên giáo</title>'
        f'<entry><title>Lễ mừng lúa mới</title><link rel="alternate" href="https://tuyengiao.vn{FEED_ONLY[1]}"/>'
        '<updated>2024-12-10T09:00:00+07:00</updated></entry></feed>', encoding="utf-8")
    (site.root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        '<sitemap><loc>https://tuyengiao.vn/sitemaps/news.xml</loc></sitemap></sitemapindex>', encoding="utf-8")
    (site.root / "sitemaps").mkdir()
    (site.root / "sitemaps" / "news.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<url><loc>https://tuyengiao.vn{SITEMAP_ONLY[0]}</loc><lastmod>2024-12-17T16:08:00+07:00</lastmod></url>'
        '<url><loc>https://tuyengiao.vn/thoi-su</loc></url></urlset>', encoding="utf-8")
    sites = tmp_path / "sites"
    sites.mkdir()
    site_file_without_sections(sites)
    out = tmp_path / "out.jsonl"
    with FixtureServer(site.root) as server:
        result = run_scrapy(["crawl", "tuyengiao_feeds", "-a", f"base_url={server.url}", "-O", str(out),
                             "-s", f"NEWSCRAWL_SITE_DIRS={sites}", "-s", f"NEWSCRAWL_DB_URL=sqlite:///{tmp_path / 'db.sqlite'}",
                             "-s", f"NEWSCRAWL_REJECTS_PATH={tmp_path / 'rejects.jsonl'}", "-s", "AUTOTHROTTLE_ENABLED=False"])
        requested = server.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    got = sorted(urlsplit(item["url"]).path for item in read_jsonl(out))
    assert got == sorted(FEED_ONLY + SITEMAP_ONLY)
    assert not any("utm_source" in path for path in requested)
    assert "'newscrawl/discovered/feed': 2" in result.stderr and "'newscrawl/discovered/sitemap': 1" in result.stderr
