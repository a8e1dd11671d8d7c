"""Page kinds (newscrawl/extract/pagekind.py) and the general discovery rules (newscrawl/extract/discovery.py),
each on a small page of our own."""
from __future__ import annotations

import json

import parsel
import pytest

from newscrawl.extract import extract_article
from newscrawl.extract.discovery import feed_links, next_page_url, page_links, page_number
from newscrawl.extract.pagekind import article_url_shape, listing_url_shape

BODY = "".join(f"<p>Đoạn văn thứ {n} kể lại chuyện ở làng, với đủ chữ để thành một bài báo thật sự dài dòng.</p>"
               for n in range(1, 9))
TEASERS = "".join(f'<li><a href="/xa-hoi/tin-so-{n}-ve-chuyen-o-lang-{10000 + n}.html">Tin số {n}</a></li>'
                  for n in range(1, 9))


def kind(html: str, url: str) -> str:
    return extract_article(html, url, strict=True)["page_kind"]


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>Một trang</title>{head}</head><body>{body}</body></html>"


def test_home_page_is_a_listing_whatever_its_markup_says():
    # Home pages often carry their top story's og:type: the root path decides.
    html = page('<meta property="og:type" content="article">', f"<h1>Tin nóng</h1>{BODY}<ul>{TEASERS}</ul>")
    assert kind(html, "https://bao.example.vn/") == "listing"


def test_jsonld_article_type_is_an_article():
    ld = json.dumps({"@type": "NewsArticle", "headline": "Chuyện ở làng", "datePublished": "2025-01-02T08:00:00+07:00"})
    html = page(f'<script type="application/ld+json">{ld}</script>',
                "<article><h1>Chuyện ở làng</h1><p>Một đoạn ngắn nhưng đủ để thành tin vắn của tờ báo hôm nay, kể chuyện mùa gặt ở làng ven sông.</p></article>")
    assert kind(html, "https://bao.example.vn/tin/chuyen-o-lang") == "article"


def test_collection_page_is_a_listing():
    ld = json.dumps({"@type": "CollectionPage", "name": "Xã hội"})
    html = page(f'<script type="application/ld+json">{ld}</script>', f"<h1>Xã hội</h1><ul>{TEASERS}</ul>")
    assert kind(html, "https://bao.example.vn/chuyen-muc/xa-hoi-va-doi-song-hom-nay-123456") == "listing"


def test_dated_page_with_an_article_body_is_an_article():
    html = page('<meta property="article:published_time" content="2025-01-02T08:00:00+07:00">',
                f"<article><h1>Chuyện ở làng</h1>{BODY}</article>")
    assert kind(html, "https://bao.example.vn/xa-hoi/chuyen-o-lang-10231.html") == "article"


def test_dated_photo_story_without_body_text_is_an_article():
    html = page('<meta property="article:published_time" content="2025-01-02T08:00:00+07:00">',
                '<article><h1>Mùa lúa chín</h1><figure><img src="/a.jpg"><figcaption>Ruộng bậc thang</figcaption>'
                "</figure></article>")
    assert kind(html, "https://bao.example.vn/anh/mua-lua-chin-tren-ruong-bac-thang-20001.html") == "article"


def test_section_page_of_teasers_is_a_listing():
    html = page("", f"<h1>Xã hội</h1><ul>{TEASERS}</ul>")
    assert kind(html, "https://bao.example.vn/xa-hoi/") == "listing"
    # A small section links few articles: its short path says what it is.
    assert kind(page("", '<a href="/xa-hoi/tin-so-1-ve-chuyen-o-lang-10001.html">Tin</a>'),
                "https://bao.example.vn/xa-hoi/") == "listing"


def test_about_page_is_other():
    html = page("", "<h1>Giới thiệu</h1><p>Toà soạn ở số 1 đường Bến Nghé.</p><a href='/'>Trang chủ</a>")
    assert kind(html, "https://bao.example.vn/gioi-thieu") == "other"


@pytest.mark.parametrize("url, article", [
    ("https://bao.example.vn/xa-hoi/chuyen-o-lang-10231.html", True),      # an id
    ("https://bao.example.vn/2025/01/02/chuyen-o-lang/", True),            # a date
    ("https://bao.example.vn/tin/mot-chuyen-rat-dai-o-lang-que", True),    # a long slug
    ("https://bao.example.vn/mot-chuyen-rat-dai-o-lang-que", True),        # a long slug at the top level
    ("https://bao.example.vn/khoa-hoc-cong-nghe", False),                  # a section's four words
    ("https://bao.example.vn/xa-hoi/", False),
    ("https://bao.example.vn/xa-hoi/trang-2/", False),                     # pagination
    ("https://bao.example.vn/tag/chuyen-o-lang-que-nha/", False),          # a tag page
    ("https://bao.example.vn/feeds/tin-moi-nhat-trong-ngay.xml", False),   # a feed
])
def test_article_url_shape(url, article):
    assert article_url_shape(url) is article


def test_listing_url_shape():
    assert listing_url_shape("https://bao.example.vn/")
    assert listing_url_shape("https://bao.example.vn/the-thao/bong-da")
    assert listing_url_shape("https://bao.example.vn/tin-moi?page=3")
    assert not listing_url_shape("https://bao.example.vn/the-thao/tran-dau-kich-tinh-20417.html")


def sel(body: str, head: str = "") -> parsel.Selector:
    return parsel.Selector(text=page(head, body))


def test_feed_links_named_by_link_alternate():
    s = sel("", '<link rel="alternate" type="application/rss+xml" href="/rss/tin-moi.xml">'
                '<link rel="alternate" type="application/atom+xml" href="https://bao.example.vn/atom.xml">'
                '<link rel="alternate" hreflang="en" href="/en/">')
    assert feed_links(s, "https://bao.example.vn/") == ["https://bao.example.vn/rss/tin-moi.xml",
                                                        "https://bao.example.vn/atom.xml"]


def test_page_links_stay_on_the_host_and_port():
    s = sel('<a href="/a-1">a</a><a href="/a-1#binh-luan">again</a><a href="http://bao.example.vn:8080/b">port</a>'
            '<a href="https://khac.example.org/c">off</a><a href="mailto:x@y">mail</a>')
    assert page_links(s, "http://bao.example.vn/") == ["http://bao.example.vn/a-1"]


@pytest.mark.parametrize("body, url, expected", [
    ('<a rel="next" href="/xa-hoi/p/2">2</a>', "https://bao.example.vn/xa-hoi/", "/xa-hoi/p/2"),           # rel=next
    ('<a href="/xa-hoi/">Trang trước</a><a href="/xa-hoi/trang-3">Trang sau</a>',
     "https://bao.example.vn/xa-hoi/trang-2", "/xa-hoi/trang-3"),                                         # "Trang sau"
    ('<div class="pager"><a href="?page=2">›</a></div>', "https://bao.example.vn/tin-moi", "/tin-moi?page=2"),  # an arrow
    ('<a href="/the-thao/">1</a> <b>2</b> <a href="/the-thao/trang-3/">3</a>',
     "https://bao.example.vn/the-thao/trang-2/", "/the-thao/trang-3/"),                                   # page numbers
    ('<ul class="pagination"><li class="next"><a class="next" href="/s/?p=5">Tới</a></li></ul>',
     "https://bao.example.vn/s/?p=4", "/s/?p=5"),                                                         # class next
    ('<a href="/xa-hoi/">1</a> <b>2</b>', "https://bao.example.vn/xa-hoi/trang-2/", None),              # the last page
    ('<a href="https://khac.example.org/xa-hoi/trang-2">Next</a>', "https://bao.example.vn/xa-hoi/", None),  # off site
])
def test_next_page_url(body, url, expected):
    got = next_page_url(sel(body), url)
    assert got == (None if expected is None else "https://bao.example.vn" + expected)


def test_page_number():
    assert page_number("https://bao.example.vn/xa-hoi/") == 1
    assert page_number("https://bao.example.vn/xa-hoi/trang-4/") == 4
    assert page_number("https://bao.example.vn/tin?page=12") == 12


def test_the_schema_names_the_page_kinds_of_the_item():
    from newscrawl.crawl.pipelines.validate import load_schema
    from newscrawl.model.item import PAGE_KINDS

    assert tuple(load_schema()["properties"]["page_kind"]["enum"]) == PAGE_KINDS


def test_dated_article_without_a_title_is_still_an_article():
    # Its item says what it lacks (missing: title); it is no listing for all the related links it carries.
    related = "".join(f'<a href="/tin/bai-lien-quan-so-{n}-{20000 + n}">Bài {n}</a>' for n in range(8))
    html = ('<html><head><meta property="article:published_time" content="2025-01-02T08:00:00+07:00"></head><body>'
            "<article><p>Hội nghị quán triệt chuyên đề học tập năm nay cho cán bộ chủ chốt của huyện đã diễn ra.</p>"
            f"<p>Hội nghị nghe giới thiệu nội dung chuyên đề và kế hoạch triển khai.</p></article>{related}</body></html>")
    assert kind(html, "https://bao.example.vn/tin/hoi-nghi-quan-triet-chuyen-de-133167") == "article"
