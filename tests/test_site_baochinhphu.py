"""Báo Chính phủ site file (newscrawl/sites/baochinhphu.toml) on fixture pages in the structure it expects."""
from tests.support.site_fixture_checks import extracted, load_expected

SITE = "baochinhphu"


def test_chinhphu_marker_is_removed_from_the_lead_whatever_the_dash():
    for case in load_expected(SITE)["articles"]:
        lead = extracted(SITE, case)["lead"]
        assert "Chinhphu.vn" not in lead and not lead.startswith(("-", "–")), case["file"]


def test_agency_on_the_last_line_is_the_source_not_an_author():
    case = next(c for c in load_expected(SITE)["articles"] if c["file"].endswith("agency.html"))
    item = extracted(SITE, case)
    assert item["source"] == "TTXVN"
    assert "TTXVN" not in item["authors"]
