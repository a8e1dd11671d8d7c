"""Tuổi Trẻ site file (newscrawl/sites/tuoitre.toml): today's and the 2015 layout, on fixture pages."""
from tests.support.site_fixture_checks import extracted, load_expected

SITE = "tuoitre"


def test_print_edition_markers_are_removed_from_the_lead():
    for case in load_expected(SITE)["articles"]:
        lead = extracted(SITE, case)["lead"]
        assert not lead.startswith(("TT", "TTO")), case["file"]


def test_2015_caption_image_is_the_full_size_original_not_the_saved_copy():
    case = next(c for c in load_expected(SITE)["articles"] if c["layout"] == "tin-2015")
    caption = extracted(SITE, case)["captions"][0]
    assert caption["image_url"].startswith("http://static.new.tuoitre.vn/")
