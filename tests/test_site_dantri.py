"""Dân trí site file (newscrawl/sites/dantri.toml): today's data-slot layout and the 2021-2024 singular layout, on fixture pages."""
from tests.support.site_fixture_checks import extracted, load_expected

SITE = "dantri"


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
    from tests.support.site_fixture_checks import page_bytes

    case = next(c for c in load_expected(SITE)["articles"] if c["layout"] == "data-slot")
    html = page_bytes(SITE, case["file"]).decode("utf-8")
    html, removed = re.subn(r'<script type="application/ld\+json">\{[^<]*"NewsArticle".*?</script>', "", html, flags=re.S)
    assert removed == 1
    item = extract_article(html, case["url"])
    assert item["published"] == case["expected"]["published"]
    assert item["extraction"]["published"] == "site"
