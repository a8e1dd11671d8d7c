"""Nhân Dân site file (newscrawl/sites/nhandan.toml): fixture pages written in nhandan.vn's markup
(fixtures/sites/nhandan/, expected values in expected.json, written from the pages), and the saved real
page in ../shared/realpages (ground truth from its MANIFEST.json; skipped when the shared data is absent)."""
from __future__ import annotations

import pytest
from tests.support.site_fixture_checks import extracted, load_expected, real_page, ws

SITE = "nhandan"
REAL_FILE = "nhandan/article_976641_2026-07-20.excerpt.html.gz"


@pytest.fixture(scope="module")
def real():
    return real_page(REAL_FILE)


def test_leading_notebox_is_not_body():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["body"][0].startswith("Theo Sở Văn hóa và Thể thao Hà Nội")
    assert not any("Thời gian hoạt động" in p or "Các tuyến phố mới" in p for p in item["body"])


def test_paper_named_in_json_ld_is_not_the_author():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["authors"] == ["Thu Hà"]
    assert item["source"] is None


@pytest.mark.shared
def test_real_page_matches_manifest(real):
    entry, item = real
    truth = entry["ground_truth"]
    assert item["site"] == SITE
    assert item["canonical_url"] == entry["url"]
    assert item["title"] == truth["title"]
    assert item["published"] == truth["published"]
    assert item["authors"] == truth["authors"]
    assert item["source"] == truth["source"]
    assert item["lead"] == truth["lead"]
    assert [ws(c["text"]) for c in item["captions"]] == [ws(c) for c in truth["captions"]]
    assert item["body"][0] == truth["first_paragraph"]
    assert item["body"][-1] == truth["last_paragraph"]
    assert len(item["body"]) == truth["body_paragraph_count"]
    assert item["section"] == truth["section"]
    assert item["tags"] == truth["tags"]


@pytest.mark.shared
def test_real_page_body_holds_no_furniture(real):
    _, item = real
    body = "\n".join(item["body"])
    for furniture in ("Bàn thắng", "Đội hình thi đấu", "Emi Martínez; Montiel",  # the leading notebox
                      "Tin liên quan", "Cổ động viên Argentina biến New York",   # the related-news box
                      "(Ảnh: FIFA)", "Prefer Nhan Dan on Google"):
        assert furniture not in body, furniture
    assert "TP" not in item["body"]  # the byline line


@pytest.mark.shared
def test_real_page_fields_come_from_the_site_file(real):
    _, item = real
    for field in ("title", "published", "section", "lead", "captions", "body", "tags"):
        assert item["extraction"][field] == "site", field


@pytest.mark.shared
def test_real_page_byline_comes_from_the_site_file(real):
    _, item = real
    assert item["extraction"]["authors"] == "site"
    assert item["authors_raw"] == ["TP"]
