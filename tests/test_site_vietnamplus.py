"""VietnamPlus site file (newscrawl/sites/vietnamplus.toml): fixture pages written in vietnamplus.vn's markup
(fixtures/sites/vietnamplus/, expected values in expected.json, written from the pages), and the saved real
page in ../shared/realpages (ground truth from its MANIFEST.json; skipped when the shared data is absent)."""
from __future__ import annotations

import pytest
from tests.support.site_fixture_checks import extracted, load_expected, real_page, ws

SITE = "vietnamplus"
REAL_FILE = "vietnamplus/article_1125344_2026-07-21.excerpt.html.gz"


@pytest.fixture(scope="module")
def real():
    return real_page(REAL_FILE)


def test_sapo_repeated_as_first_paragraph_is_kept_once_as_the_lead():
    case = load_expected(SITE)["articles"][0]
    item = extracted(SITE, case)
    assert item["lead"] == case["expected"]["lead"]
    assert item["lead"] not in item["body"]


def test_agency_credit_is_source_not_author():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["authors"] == []
    assert item["source"] == "TTXVN/Vietnam+"
    assert not any("TTXVN" in p for p in item["body"])


@pytest.mark.shared
def test_real_page_matches_manifest(real):
    entry, item = real
    truth = entry["ground_truth"]
    assert item["site"] == SITE
    assert item["canonical_url"] == entry["url"]
    assert item["title"] == truth["title"]  # the h1, not the <title>/VideoObject headline
    assert item["published"] == truth["published"]
    assert item["authors"] == truth["authors"] == []
    # The manifest gives the credit as printed, "(TTXVN/Vietnam+)"; source is the agency credit itself,
    # as for every site ("TTXVN", "VOV"), without the brackets.
    assert item["source"] == truth["source"].strip("()")
    assert item["lead"] == truth["lead"]
    assert [ws(c["text"]) for c in item["captions"]] == [ws(c) for c in truth["captions"]] == []
    assert item["body"][-1] == truth["last_paragraph"]
    assert item["section"] == truth["section"]
    assert item["tags"] == truth["tags"]


@pytest.mark.shared
def test_real_page_sapo_repeated_as_first_paragraph_is_not_body(real):
    """The page's first body paragraph repeats the sapo word for word: it is kept once, as the lead."""
    entry, item = real
    truth = entry["ground_truth"]
    assert truth["first_paragraph"] == truth["lead"]  # what the manifest records
    assert item["lead"] == truth["first_paragraph"]
    assert truth["lead"] not in item["body"]
    assert len(item["body"]) == truth["body_paragraph_count_without_lead_repeat"] == truth["body_paragraph_count"] - 1
    assert item["body"][0].startswith("Tiến sỹ, bác sỹ Nguyễn Trung Nguyên")


@pytest.mark.shared
def test_real_page_body_holds_no_furniture(real):
    _, item = real
    body = "\n".join(item["body"])
    for furniture in ("TTXVN/Vietnam+", "Theo dõi VietnamPlus", "Lưu bài viết", "Copy link", "#bệnh viện bạch mai"):
        assert furniture not in body, furniture


@pytest.mark.shared
def test_real_page_fields_come_from_the_site_file(real):
    _, item = real
    for field in ("title", "published", "section", "lead", "source", "body", "tags"):
        assert item["extraction"][field] == "site", field
