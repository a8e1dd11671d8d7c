"""Tiền Phong site file (newscrawl/sites/tienphong.toml): fixture pages written in tienphong.vn's markup
(fixtures/sites/tienphong/, expected values in expected.json, written from the pages), and the saved real
page in ../shared/realpages (ground truth from its MANIFEST.json; skipped when the shared data is absent)."""
from __future__ import annotations

import pytest
from tests.support.site_fixture_checks import check_article_page, extracted, load_expected, real_page, ws

SITE = "tienphong"
REAL_FILE = "tienphong/article_1874068_2026-09-06.excerpt.html.gz"


@pytest.fixture(scope="module")
def real():
    return real_page(REAL_FILE)


def test_photo_story_has_its_text_in_captions_and_no_body():
    """check_article_page expects a body; a photo story has none: its text is in the figcaptions."""
    case = next(c for c in load_expected(SITE)["articles"] if c["file"] == "photo-story.html")
    item = extracted(SITE, case)
    assert item["body"] == []
    assert item["missing"] == ["body"]
    assert [c["text"] for c in item["captions"]] == [c["text"] for c in case["expected"]["captions"]]
    assert "Mùa nước đổ ở Y Tý" not in [c["text"] for c in item["captions"]]  # the related box's figure


def test_tpo_marker_is_removed_from_the_lead():
    for case in load_expected(SITE)["articles"]:
        assert not extracted(SITE, case)["lead"].startswith("TPO")


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
    # The manifest keeps the page's "TPO - " marker; the site file's lead_prefixes removes it.
    assert truth["lead"].startswith("TPO - ")
    assert item["lead"] == truth["lead"][len("TPO - "):]
    assert item["section"] == truth["section"]
    assert item["tags"] == truth["tags"]


@pytest.mark.shared
def test_real_page_photo_story_text_is_in_captions(real):
    """A photo story: the whole text is in the nine figcaptions, in order; no body paragraph."""
    entry, item = real
    truth = entry["ground_truth"]
    assert [ws(c["text"]) for c in item["captions"]] == [ws(c) for c in truth["captions"]]
    assert ws(item["captions"][0]["text"]) == ws(truth["first_caption"])
    assert ws(item["captions"][-1]["text"]) == ws(truth["last_caption"])
    assert len(item["body"]) == truth["body_paragraph_count"] == 0
    assert truth["first_paragraph"] is None and truth["last_paragraph"] is None
    for caption in item["captions"]:  # lazy-loaded photos: data-src, not the placeholder src
        assert caption["image_url"].startswith("https://cdn.tienphong.vn/images/")


@pytest.mark.shared
def test_real_page_related_boxes_are_neither_captions_nor_body(real):
    _, item = real
    text = "\n".join(item["body"] + [c["text"] for c in item["captions"]])
    for related in ("7 ngôi sao khiến nhà đầu tư mạnh tay xuống tiền", "Lee Byung Hun và vợ"):
        assert related not in text


@pytest.mark.shared
def test_real_page_fields_come_from_the_site_file(real):
    _, item = real
    for field in ("title", "published", "section", "lead", "authors", "captions", "tags"):
        assert item["extraction"][field] == "site", field
