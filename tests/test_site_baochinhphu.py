"""Báo Chính phủ site file (newscrawl/sites/baochinhphu.toml) on fixture pages in the structure it expects."""
import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, extracted, listing_params, load_expected,
)

SITE = "baochinhphu"


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


def test_chinhphu_marker_is_removed_from_the_lead_whatever_the_dash():
    for case in load_expected(SITE)["articles"]:
        lead = extracted(SITE, case)["lead"]
        assert "Chinhphu.vn" not in lead and not lead.startswith(("-", "–")), case["file"]


def test_agency_on_the_last_line_is_the_source_not_an_author():
    case = next(c for c in load_expected(SITE)["articles"] if c["file"].endswith("agency.html"))
    item = extracted(SITE, case)
    assert item["source"] == "TTXVN"
    assert "TTXVN" not in item["authors"]
