"""Every site file against its fixture pages (fixtures/sites/<site>/, expected values in expected.json,
written from the pages): each field of each article page, listing links and next page, article URL
patterns, pagination template, sections, and a fixture page for every layout. Checks particular to one
site (its traps, its real page in ../shared/realpages) are in tests/test_site_<site>.py."""
from pathlib import Path

import pytest
from tests.support.site_fixture_checks import (
    article_field_params, article_params, check_article_field, check_article_page, check_layouts_covered,
    check_listing, check_pagination, check_sections, check_url_patterns, listing_params,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "sites"
SITES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))


def test_every_shipped_site_has_fixture_pages():
    from newscrawl.sites import SiteRegistry

    assert set(SiteRegistry.from_dirs()) - {"tuyengiao"} <= set(SITES)  # tuyengiao's fixture site is fixtures/tuyengiao


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


def test_the_registry_is_an_object_built_from_folders_and_keeps_no_state(tmp_path):
    """What the setting NEWSCRAWL_SITE_DIRS names is in the registry built from it, and in no other; a folder
    that is not there is a setting's error (ConfigError), not a site file's; an unknown name lists the known ones."""
    from newscrawl.model.errors import ConfigError
    from newscrawl.sites import SiteConfigError, SiteRegistry

    private = tmp_path / "sites"
    private.mkdir()
    toml = (REPO / "fixtures" / "jsnews" / "jsnews.toml").read_text(encoding="utf-8")
    (private / "mysite.toml").write_text(toml.replace('name = "jsnews"', 'name = "mysite"'), encoding="utf-8")
    with_private = SiteRegistry.from_dirs(str(private))
    assert "mysite" in with_private and "tuyengiao" in with_private
    assert with_private.for_url("http://jsnews.example.vn/a.html").name == "mysite"
    shipped = SiteRegistry.from_dirs()
    assert "mysite" not in shipped and shipped.for_url("http://jsnews.example.vn/a.html") is None
    with pytest.raises(ConfigError, match="is not a folder") as err:
        SiteRegistry.from_dirs(str(tmp_path / "nowhere"))
    assert not isinstance(err.value, SiteConfigError)
    with pytest.raises(ConfigError, match="unknown site 'nosuch'; known sites: .*tuyengiao"):
        shipped.site("nosuch")


def test_the_spider_loader_hands_its_registry_to_the_spiders_it_makes(tmp_path):
    from scrapy.settings import Settings

    from newscrawl.crawl.spiderloader import SiteSpiderLoader

    loader = SiteSpiderLoader(Settings({"SPIDER_MODULES": ["newscrawl.crawl.spiders"],
                                        "NEWSCRAWL_SITE_DIRS": str(REPO / "fixtures" / "jsnews")}))
    assert "jsnews" in loader.list()
    assert loader.load("jsnews").sites is loader.sites and loader.load("news").sites is loader.sites
    spider = loader.load("news")(site="jsnews")  # the generic spider knows the folder's sites too
    assert spider.site.name == "jsnews"
    assert "jsnews" not in SiteSpiderLoader(Settings({"SPIDER_MODULES": ["newscrawl.crawl.spiders"]})).list()
