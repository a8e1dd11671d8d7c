"""Every site file against its fixture pages (fixtures/sites/<site>/, expected values in expected.json,
written from the pages): each field of each article page, listing links and next page, article URL
patterns, pagination template, sections, and a fixture page for every layout. Checks particular to one
site (its traps, its real page in ../shared/realpages) are in tests/test_site_<site>.py."""
from pathlib import Path

import pytest
from site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, listing_params,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
SITES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))


def test_every_shipped_site_has_fixture_pages():
    from newscrawl.sites import all_sites

    assert set(all_sites()) - {"tuyengiao"} <= set(SITES)  # tuyengiao's fixture site is fixtures/tuyengiao


def _over_sites(make):
    return [pytest.param(site, *p.values, id=f"{site}-{p.id}", marks=p.marks) for site in SITES for p in make(site)]


@pytest.mark.parametrize("site,case,name", _over_sites(article_field_params))
def test_article_field(site, case, name):
    check_article_field(site, case, name)


# A photo story has no body paragraphs (its text is in its captions): its fields are checked one by one above.
@pytest.mark.parametrize("site,case", [p for p in _over_sites(article_params) if p.values[1]["expected"]["body"]])
def test_article_page(site, case):
    check_article_page(site, case)


@pytest.mark.parametrize("site,case", _over_sites(listing_params))
def test_listing_links_and_next_page(site, case):
    check_listing(site, case)


@pytest.mark.parametrize("site", SITES)
def test_article_url_pattern(site):
    check_url_patterns(site)


@pytest.mark.parametrize("site", SITES)
def test_pagination_template(site):
    check_pagination(site)


@pytest.mark.parametrize("site", SITES)
def test_sections_are_listings(site):
    check_sections(site)


@pytest.mark.parametrize("site", SITES)
def test_every_layout_has_a_fixture_page(site):
    check_layouts_covered(site)
