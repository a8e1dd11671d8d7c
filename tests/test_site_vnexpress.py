"""VnExpress site file (newscrawl/sites/vnexpress.toml) on fixture pages in VnExpress's markup."""
import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, extracted, listing_params, load_expected,
)

SITE = "vnexpress"


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


def test_right_aligned_byline_is_the_author_not_a_paragraph():
    case = load_expected(SITE)["articles"][0]
    item = extracted(SITE, case)
    assert item["authors"] == ["Võ Hải"]
    assert item["body"][-1].startswith("Năm 2025")
    # The JSON-LD names the organisation as author: it must not become a person.
    assert "VnExpress" not in item["authors"]


def test_location_stamp_is_not_glued_to_the_lead():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert not item["lead"].startswith("Hà Nội")
