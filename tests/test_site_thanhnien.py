"""Thanh Niên site file (newscrawl/sites/thanhnien.toml) on fixture pages in Thanh Niên's markup."""
import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, extracted, listing_params, load_expected,
)

SITE = "thanhnien"


@pytest.mark.parametrize("case,name", article_field_params(SITE))
def test_article_field(case, name):
    check_article_field(SITE, case, name)


@pytest.mark.parametrize("case", article_params(SITE))
def test_article_page(case):
    check_article_page(SITE, case)


@pytest.mark.parametrize("case", listing_params(SITE))
def test_listing_links_and_next_page(case):
    check_listing(SITE, case)


def test_article_url_pattern():
    check_url_patterns(SITE)


def test_pagination_template():
    check_pagination(SITE)


def test_sections_are_listings():
    check_sections(SITE)


def test_every_layout_has_a_fixture_page():
    check_layouts_covered(SITE)


def test_photo_credit_block_is_the_credit_not_part_of_the_caption():
    caption = extracted(SITE, load_expected(SITE)["articles"][0])["captions"][0]
    assert "ẢNH" not in caption["text"]
    assert caption["credit"] == "CÔNG AN HUYỆN ĐỒNG VĂN"


def test_json_ld_organisation_and_headline_suffix_are_not_used():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["authors"] == ["Quang Huy"]
    assert not item["title"].endswith("Báo Thanh Niên")
