"""The site-file engine (newscrawl/sites/__init__.py, newscrawl/extract/sitelayer.py) on small pages.

Each test builds a site file from a dict, as the TOML would give it, so that one
feature is checked at a time; the site files' own tests use real site structures.
"""
from __future__ import annotations

import pytest

from newscrawl import extract_article
from newscrawl.extract.document import Document
from newscrawl.extract.sitelayer import extract_site_fields, lead_prefix_pattern
from newscrawl.sites import SiteConfigError, parse_site

URL = "https://example.vn/bai-viet-123456.htm"


def make_site(layout: dict | list[dict], **top) -> object:
    layouts = layout if isinstance(layout, list) else [layout]
    data = {"name": "example", "hosts": ["example.vn"], "base_url": "https://example.vn", "layouts": layouts, **top}
    return parse_site(data, "example.toml")


def fields(html: str, site, url: str = URL) -> tuple[dict, str | None]:
    return extract_site_fields(Document(html, url), site)


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


# --------------------------------------------------------------------------- selectors


def test_selectors_are_tried_in_order_until_one_finds_something():
    site = make_site({"detect": "article", "title": ["h1.missing", "h1.title", "h1"]})
    got, _ = fields(page("<article><h1>Trang</h1><h1 class='title'>Tiêu đề đúng</h1></article>"), site)
    assert got["title"] == "Tiêu đề đúng"


def test_css_attribute_xpath_and_jsonld_selectors():
    head = ('<meta name="pubdate" content="2024-07-15T09:12:47+07:00">'
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
            '{"@type":"WebPage","name":"Trang"},'
            '{"@type":"NewsArticle","headline":"Tin","dateModified":"2024-07-16T08:00:00+07:00",'
            '"author":[{"@type":"Person","name":"Minh Anh"},{"@type":"Person","name":"Quốc Bảo"}]},'
            '{"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","name":"Thời sự"}]}]}</script>')
    site = make_site({
        "detect": "article",
        "published": "meta[name=pubdate]::attr(content)",
        "modified": "jsonld:dateModified",
        "authors": "jsonld:author.name",
        "section": "jsonld:BreadcrumbList.itemListElement.name",
        "title": "xpath://article/h1",
    })
    got, _ = fields(page("<article><h1>Tiêu đề</h1><p>Một.</p></article>", head), site)
    assert got["published"] == "2024-07-15T09:12:47+07:00"
    assert got["modified"] == "2024-07-16T08:00:00+07:00"
    assert got["authors"] == ["Minh Anh", "Quốc Bảo"]
    assert got["section"] == "Thời sự"
    assert got["title"] == "Tiêu đề"


def test_first_layout_whose_detect_matches_is_used():
    site = make_site([
        {"name": "moi", "detect": ["div.new-body", "div.newer-body"], "title": "h1.new"},
        {"name": "cu", "detect": "div.old-body", "title": "h1.old"},
    ])
    assert fields(page("<h1 class='old'>Cũ</h1><div class='old-body'></div>"), site) == ({"title": "Cũ"}, "cu")
    assert fields(page("<h1 class='new'>Mới</h1><div class='newer-body'></div>"), site) == ({"title": "Mới"}, "moi")
    assert fields(page("<h1>Không</h1>"), site) == ({}, None)


# --------------------------------------------------------------------------- body


BODY = """
<div class="content">
  <p>Đoạn một.</p>
  <div class="related"><p>Tin liên quan không phải thân bài.</p></div>
  <figure><img src="/a.jpg"><figcaption>Chú thích ảnh. Ảnh: Minh Đức</figcaption></figure>
  <p>Xem thêm: bài khác</p>
  <p>Đoạn <b>hai</b> có <span class="ad">QUẢNG CÁO</span>chữ đậm.</p>
  <blockquote><p>Trích dẫn.</p></blockquote>
  <p style="text-align:right"><strong>Thu Hà</strong></p>
</div>
"""


def test_body_leaves_out_excluded_blocks_captions_boilerplate_and_the_trailing_byline():
    site = make_site({
        "detect": "div.content", "body": "div.content", "exclude": ["div.related", "span.ad"],
        "captions": "div.content figure", "byline": "trailing",
        "boilerplate_patterns": ["^Xem thêm:"],
    })
    got, _ = fields(page(BODY), site)
    assert got["body"] == ["Đoạn một.", "Đoạn hai có chữ đậm.", "Trích dẫn."]
    assert got["captions"] == [{"text": "Chú thích ảnh. Ảnh: Minh Đức", "image_url": "https://example.vn/a.jpg"}]
    assert got["authors"] == ["Thu Hà"]


def test_byline_selector_inside_the_body():
    site = make_site({"detect": "div.c", "body": "div.c", "byline": "p.author"})
    got, _ = fields(page("<div class='c'><p>Nội dung bài.</p><p class='author'>Bài: Lan Anh</p></div>"), site)
    assert got["body"] == ["Nội dung bài."]
    assert got["authors"] == ["Lan Anh"]


def test_body_all_joins_a_body_split_in_two_containers():
    html = page("<div class='part'><p>Phần đầu.</p></div><div class='ad'></div><div class='part'><p>Phần sau.</p></div>")
    assert fields(html, make_site({"detect": "div.part", "body": "div.part"}))[0]["body"] == ["Phần đầu."]
    site = make_site({"detect": "div.part", "body": "div.part", "body_all": True})
    assert fields(html, site)[0]["body"] == ["Phần đầu.", "Phần sau."]


def test_paragraphs_as_a_list_keep_page_order():
    site = make_site({"detect": "div.c", "body": "div.c", "paragraphs": ["p.Normal", "h2"]})
    got, _ = fields(page("<div class='c'><p class='Normal'>Một.</p><h2>Mục</h2><p>Bỏ.</p><p class='Normal'>Hai.</p></div>"), site)
    assert got["body"] == ["Một.", "Mục", "Hai."]


def test_remove_applies_to_every_field():
    site = make_site({"detect": "p.lead", "lead": "p.lead", "remove": "span.stamp"})
    got, _ = fields(page("<p class='lead'><span class='stamp'>HÀ NỘI</span>Sáng nay, trời mưa.</p>"), site)
    assert got["lead"] == "Sáng nay, trời mưa."


# --------------------------------------------------------------------------- captions, lead, tags, authors


def test_caption_credit_block_and_caption_image_selector():
    html = page("""<div class="c"><p>Thân.</p>
      <figure type="Photo"><img src="/thumb.jpg" data-original="/full.jpg">
        <figcaption><p>Đường bị ngập</p><div class="credit"><p>ẢNH: NGỌC THẮNG</p></div></figcaption></figure>
      <div type="VideoStream"><div class="vcap"><p>Video hiện trường</p></div></div>
      <figure type="Photo"><img src="/b.jpg"><figcaption><p>Ảnh thứ hai</p></figcaption></figure></div>""")
    site = make_site({
        "detect": "div.c", "body": "div.c",
        "captions": ["div.c [type=Photo]", "div.c [type=VideoStream]"],  # two selectors: still page order
        "caption_text": ["figcaption", "div.vcap"], "caption_credit": "div.credit",
        "caption_image": ["img::attr(data-original)", "img::attr(src)"],
    })
    got, _ = fields(html, site)
    assert got["captions"] == [
        {"text": "Đường bị ngập", "image_url": "https://example.vn/full.jpg", "credit": "NGỌC THẮNG"},
        {"text": "Video hiện trường", "image_url": None},
        {"text": "Ảnh thứ hai", "image_url": "https://example.vn/b.jpg"},
    ]
    assert got["body"] == ["Thân."]


@pytest.mark.parametrize("lead", [
    "(Dân trí) - Hà Nội mưa to.", "(Dân trí) – Hà Nội mưa to.", "(Dân trí)-Hà Nội mưa to.", "  (Dân trí) —  Hà Nội mưa to.",
])
def test_lead_prefix_is_matched_loosely(lead):
    site = make_site({"detect": "h2", "lead": "h2", "lead_prefixes": ["(Dân trí) - "]})
    assert fields(page(f"<h2>{lead}</h2>"), site)[0]["lead"] == "Hà Nội mưa to."


def test_lead_prefix_needs_the_marker_itself():
    assert not lead_prefix_pattern("TT - ").match("TTXVN - Hà Nội")
    site = make_site({"detect": "h2", "lead": "h2", "lead_prefixes": ["TT - "]})
    assert fields(page("<h2>TTXVN đưa tin.</h2>"), site)[0]["lead"] == "TTXVN đưa tin."


def test_tags_separator_splits_a_joined_tag_string():
    site = make_site({"detect": "meta", "tags": "meta[property='article:tag']::attr(content)", "tags_separator": ","})
    html = page("", "<meta property='article:tag' content='Nắng nóng,Nghệ An, cháy rừng'>")
    assert fields(html, site)[0]["tags"] == ["Nắng nóng", "Nghệ An", "cháy rừng"]


def test_author_element_with_initials_is_kept_but_a_sentence_is_not():
    site = make_site({"detect": "div.a", "authors": "div.a"})
    assert fields(page("<div class='a'>TP</div>"), site)[0]["authors"] == ["TP"]
    assert fields(page("<div class='a'>Theo dõi chúng tôi trên mạng xã hội</div>"), site)[0]["authors"] == []


def test_agency_in_a_byline_is_the_source():
    site = make_site({"detect": "div.a", "authors": "div.a"})
    got, _ = fields(page("<div class='a'>Hải Minh (TTXVN)</div>"), site)
    assert (got["authors"], got["source"]) == (["Hải Minh"], "TTXVN")


def test_site_layer_fields_are_marked_site_in_the_item():
    site = make_site({"detect": "div.c", "title": "h1", "body": "div.c"})
    item = extract_article(page("<h1>Tiêu đề</h1><div class='c'><p>Nội dung đầy đủ của bài.</p></div>"), URL, site)
    assert item["title"] == "Tiêu đề" and item["body"] == ["Nội dung đầy đủ của bài."]
    assert item["extraction"]["title"] == item["extraction"]["body"] == "site"


# --------------------------------------------------------------------------- listing rules


def test_listing_patterns_and_page_url_template():
    site = make_site({"detect": "x"}, listing={
        "article_url_pattern": [r"^/[a-z-]+-\d{7}\.html$", r"^/tin/\d{8}/[a-z-]+/\d+\.html$"],
        "page_url": "{path}/trang-{page}{ext}",
    })
    pattern = site.listing.article_url_pattern
    assert pattern.search("/bai-viet-1234567.html") and pattern.search("/tin/20150323/bai/724115.html")
    assert not pattern.search("/thoi-su.htm")
    assert site.listing.page_url_for("/xa-hoi.htm", 2) == "/xa-hoi/trang-2.htm"
    assert site.listing.page_url_for("https://example.vn/xa-hoi", 3) == "https://example.vn/xa-hoi/trang-3"
    assert site.listing.page_url_for("/xa-hoi.htm", 1) == "/xa-hoi.htm"


# --------------------------------------------------------------------------- configuration errors


@pytest.mark.parametrize("layout,listing,message", [
    ({"detect": "div[["}, {}, "not a valid CSS selector"),
    ({"detect": "xpath://div[", "title": "h1"}, {}, "not a valid XPath"),
    ({"detect": "jsonld:headline"}, {}, "only for field values"),
    ({"detect": "div", "title": "jsonld:"}, {}, "expected jsonld:<key>"),
    ({"detect": "div", "titel": "h1"}, {}, "unknown keys ['titel']"),
    ({"detect": "div", "body_all": "yes"}, {}, "expected true or false"),
    ({"detect": "div", "boilerplate_patterns": ["("]}, {}, "not a valid regex"),
    ({"detect": "div"}, {"page_url": "{path}-p"}, "{page}"),
    ({"detect": "div"}, {"page_url": "{section}-p{page}"}, "only {path}, {ext} and {page}"),
    ({"detect": "div"}, {"article_url_pattern": ["ok", "(["]}, "not a valid regex"),
    ({"detect": "div"}, {"nxet_page": "a.next"}, "unknown keys ['nxet_page']"),
])
def test_bad_site_files_fail_fast_naming_the_key(layout, listing, message):
    with pytest.raises(SiteConfigError) as err:
        make_site(layout, listing=listing)
    assert message in str(err.value)
    assert "example.toml" in str(err.value)
