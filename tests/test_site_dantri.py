"""Dân trí site file (newscrawl/sites/dantri.toml): today's data-slot layout and the 2021-2024 singular layout, on fixture pages."""
import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, extracted, listing_params, load_expected,
)

SITE = "dantri"


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


def test_dan_tri_marker_is_removed_from_the_lead():
    for case in load_expected(SITE)["articles"]:
        assert not extracted(SITE, case)["lead"].startswith("(Dân trí)"), case["file"]


def test_author_linked_twice_is_one_author():
    case = next(c for c in load_expected(SITE)["articles"] if c["layout"] == "data-slot")
    assert extracted(SITE, case)["authors"] == ["Phạm Nguyệt"]


def test_visible_time_without_offset_is_read_as_vietnam_time():
    """Without the JSON-LD, <time datetime="2024-09-26 06:05"> alone gives the same instant (+07:00)."""
    import re

    from newscrawl import extract_article
    from site_fixture_checks import page_bytes

    case = next(c for c in load_expected(SITE)["articles"] if c["layout"] == "data-slot")
    html = page_bytes(SITE, case["file"]).decode("utf-8")
    html, removed = re.subn(r'<script type="application/ld\+json">\{[^<]*"NewsArticle".*?</script>', "", html, flags=re.S)
    assert removed == 1
    item = extract_article(html, case["url"])
    assert item["published"] == case["expected"]["published"]
    assert item["extraction"]["published"] == "site"
