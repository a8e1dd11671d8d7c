"""VietNamNet site file (newscrawl/sites/vietnamnet.toml): fixture pages written in vietnamnet.vn's markup
(fixtures/sites/vietnamnet/, expected values in expected.json, written from the pages), and the saved real
page in ../shared/realpages (ground truth from its MANIFEST.json; skipped when the shared data is absent)."""
from __future__ import annotations

import pytest
from tests.support.site_fixture_checks import extracted, load_expected, real_page, ws

SITE = "vietnamnet"
REAL_FILE = "vietnamnet/article_2537078_2026-07-19.excerpt.html.gz"


@pytest.fixture(scope="module")
def real():
    return real_page(REAL_FILE)


def test_breadcrumb_drop_down_is_not_the_section():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["section"] == "Giao thông"


def test_trailing_byline_is_the_author_not_a_paragraph():
    case = next(c for c in load_expected(SITE)["articles"] if c["file"] == "article-trailing-byline.html")
    item = extracted(SITE, case)
    assert item["authors"] == ["Trần Phúc"]
    assert item["body"][-1].startswith("Giá hành tím tại ruộng")


@pytest.mark.shared
def test_real_page_matches_manifest(real):
    entry, item = real
    truth = entry["ground_truth"]
    assert item["site"] == SITE
    assert item["canonical_url"] == entry["url"]
    assert item["title"] == truth["title"]  # the h1, not the <title>/JSON-LD headline
    assert item["published"] == truth["published"]
    assert item["authors"] == truth["authors"]
    assert item["source"] == truth["source"]
    assert item["lead"] == truth["lead"]  # the visible sapo, not og:description
    assert [ws(c["text"]) for c in item["captions"]] == [ws(c) for c in truth["captions"]]
    assert item["body"][0] == truth["first_paragraph"]
    assert item["body"][-1] == truth["last_paragraph"]
    assert len(item["body"]) == truth["body_paragraph_count"]
    assert item["section"] == truth["section"]  # not a category of the breadcrumb's drop-down
    assert item["tags"] == truth["tags"]


@pytest.mark.shared
def test_real_page_body_holds_no_furniture(real):
    _, item = real
    body = "\n".join(item["body"])
    for furniture in ("Công an Vĩnh Long: Không thể từ sai phạm",       # ck-cms-insert-news embeds
                      "Cú 'quay xe' của điều tra viên", "Chờ đợi từng ngày",
                      "Khởi tố thêm cựu Trưởng công an",                 # the related-news list
                      "Ảnh: Linh An", "Xem các bài viết của tác giả", "Nhà báo", "Sự kiện"):
        assert furniture not in body, furniture


@pytest.mark.shared
def test_real_page_fields_come_from_the_site_file(real):
    _, item = real
    for field in ("title", "published", "section", "lead", "authors", "captions", "body", "tags"):
        assert item["extraction"][field] == "site", field
