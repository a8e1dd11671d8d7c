"""VnExpress site file (newscrawl/sites/vnexpress.toml) on fixture pages in VnExpress's markup."""
from tests.support.site_fixture_checks import extracted, load_expected

SITE = "vnexpress"


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
