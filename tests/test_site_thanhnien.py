"""Thanh Niên site file (newscrawl/sites/thanhnien.toml) on fixture pages in Thanh Niên's markup."""
from tests.support.site_fixture_checks import extracted, load_expected

SITE = "thanhnien"


def test_photo_credit_block_is_the_credit_not_part_of_the_caption():
    caption = extracted(SITE, load_expected(SITE)["articles"][0])["captions"][0]
    assert "ẢNH" not in caption["text"]
    assert caption["credit"] == "CÔNG AN HUYỆN ĐỒNG VĂN"


def test_json_ld_organisation_and_headline_suffix_are_not_used():
    item = extracted(SITE, load_expected(SITE)["articles"][0])
    assert item["authors"] == ["Quang Huy"]
    assert not item["title"].endswith("Báo Thanh Niên")
