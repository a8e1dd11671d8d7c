"""Tuổi Trẻ site file (newscrawl/sites/tuoitre.toml): today's and the 2015 layout, on fixture pages."""
import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, extracted, listing_params, load_expected,
)

SITE = "tuoitre"


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


def test_print_edition_markers_are_removed_from_the_lead():
    for case in load_expected(SITE)["articles"]:
        lead = extracted(SITE, case)["lead"]
        assert not lead.startswith(("TT", "TTO")), case["file"]


def test_2015_caption_image_is_the_full_size_original_not_the_saved_copy():
    case = next(c for c in load_expected(SITE)["articles"] if c["layout"] == "tin-2015")
    caption = extracted(SITE, case)["captions"][0]
    assert caption["image_url"].startswith("http://static.new.tuoitre.vn/")
