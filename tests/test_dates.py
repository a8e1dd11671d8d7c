"""Unit tests for newscrawl.extract.dates (pure functions, no network)."""
from __future__ import annotations

import random
import time
import unicodedata
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newscrawl.extract import dates
from newscrawl.extract.dates import ParsedDate, find_dates, parse_datetime, parse_datetime_ex

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# A fixed "now" for relative forms: Monday 20 July 2026, 09:00 in Hanoi.
NOW = datetime(2026, 7, 20, 9, 0, tzinfo=HCM)


# (text, expected isoformat, has_time) - every form the crawler meets on Vietnamese sites.
FORMS = [
    ("Thứ Tư, 13/3/2024 14:31'(GMT+7)", "2024-03-13T14:31:00+07:00", True),
    ("Thứ Tư, 13/3/2024 14:31&#x27;(GMT+7)", "2024-03-13T14:31:00+07:00", True),
    ("Thứ tư, 22/10/2025, 19:25 (GMT+7)", "2025-10-22T19:25:00+07:00", True),
    ("Thứ Sáu, 26/12/2025 - 22:10", "2025-12-26T22:10:00+07:00", True),
    ("Thứ Ba, 22:35, 26/08/2025", "2025-08-26T22:35:00+07:00", True),
    ("23/03/2015 08:06 GMT+7", "2015-03-23T08:06:00+07:00", True),
    ("2015-03-23 08:06 +07:00", "2015-03-23T08:06:00+07:00", True),
    ("2026-07-19T14:30:00.000 +07:00", "2026-07-19T14:30:00+07:00", True),
    ("19/07/2026   14:30 (GMT+07:00)", "2026-07-19T14:30:00+07:00", True),
    ("ngày 20/07/2026 - 06:31", "2026-07-20T06:31:00+07:00", True),
    ("Chủ nhật, 19/7/2026, 22:35 (GMT+7)", "2026-07-19T22:35:00+07:00", True),
    ("Chủ Nhật, 19/07/2026 22:35", "2026-07-19T22:35:00+07:00", True),
    ("CN, 19/7/2026 22:35", "2026-07-19T22:35:00+07:00", True),
    ("T2, 20/7/2026 07:05", "2026-07-20T07:05:00+07:00", True),
    ("2026-07-21 00:00", "2026-07-21T00:00:00+07:00", True),
    # ISO 8601
    ("2024-03-13T07:31:00Z", "2024-03-13T07:31:00+00:00", True),
    ("2024-03-13T07:31:00.123Z", "2024-03-13T07:31:00.123000+00:00", True),
    ("2024-03-13T14:31:00+07:00", "2024-03-13T14:31:00+07:00", True),
    ("2024-03-13T14:31:00.123456+07:00", "2024-03-13T14:31:00.123456+07:00", True),
    ("2024-03-13T14:31:00+0700", "2024-03-13T14:31:00+07:00", True),
    ("2024-03-13T02:31:00-05:00", "2024-03-13T02:31:00-05:00", True),
    ("2024-03-13T14:31:00", "2024-03-13T14:31:00+07:00", True),
    ("2024-03-13 14:31:00+07:00", "2024-03-13T14:31:00+07:00", True),  # str(datetime)
    ("2024-03-13", "2024-03-13T00:00:00+07:00", False),
    # day/month with or without zero padding, date only
    ("13/03/2024", "2024-03-13T00:00:00+07:00", False),
    ("3/1/2024", "2024-01-03T00:00:00+07:00", False),
    ("03/01/2024 7:05", "2024-01-03T07:05:00+07:00", True),
    ("13-03-2024 14:31", "2024-03-13T14:31:00+07:00", True),
    ("13.03.2024 14:31", "2024-03-13T14:31:00+07:00", True),
    ("Cập nhật: 13/3/2024 14h31", "2024-03-13T14:31:00+07:00", True),
    ("13/3/2024 lúc 14:31", "2024-03-13T14:31:00+07:00", True),
    ("14 giờ 31 phút, ngày 13/3/2024", "2024-03-13T14:31:00+07:00", True),
    ("ngày 13 tháng 3 năm 2024", "2024-03-13T00:00:00+07:00", False),
    ("22:35 (GMT+7), 26/08/2025", "2025-08-26T22:35:00+07:00", True),
    ("08:06 GMT+7 | 23/03/2015", "2015-03-23T08:06:00+07:00", True),
    # stray SA/CH (AM/PM) after 24-hour times, and real 12-hour times
    ("13/3/2024 14:31 CH", "2024-03-13T14:31:00+07:00", True),
    ("13/3/2024 08:05 SA", "2024-03-13T08:05:00+07:00", True),
    ("13/3/2024 2:31 PM", "2024-03-13T14:31:00+07:00", True),
    ("13/3/2024 2:31 CH", "2024-03-13T14:31:00+07:00", True),
    ("13/3/2024 12:30 SA", "2024-03-13T00:30:00+07:00", True),
    ("13/3/2024 12:30 CH", "2024-03-13T12:30:00+07:00", True),
    ("13/3/2024 9:15 am", "2024-03-13T09:15:00+07:00", True),
    # English forms (rules, not dateparser)
    ("March 13, 2024 2:31 PM", "2024-03-13T14:31:00+07:00", True),
    ("Mar. 13, 2024", "2024-03-13T00:00:00+07:00", False),
    ("13 March 2024", "2024-03-13T00:00:00+07:00", False),
    ("Wednesday, the 13th of March 2024", "2024-03-13T00:00:00+07:00", False),
    ("Wed, 13 Mar 2024 07:31:00 GMT", "2024-03-13T07:31:00+00:00", True),
    ("Wed, 13 Mar 2024 07:31:00 +0000", "2024-03-13T07:31:00+00:00", True),
    ("Wed, 13 Mar 2024 02:31:00 EST", "2024-03-13T02:31:00-05:00", True),
]


@pytest.mark.parametrize(("text", "expected", "has_time"), FORMS)
def test_forms(text, expected, has_time):
    parsed = parse_datetime_ex(text, now=NOW)
    assert parsed is not None, text
    assert parsed.value.isoformat() == expected
    assert parsed.has_time is has_time
    # the fast rules, not the dateparser fallback, handle every form above
    assert parsed.rule != "dateparser"
    assert parse_datetime(text, now=NOW) == parsed.value


@pytest.mark.parametrize(("text", "expected", "has_time"), FORMS)
def test_forms_do_not_need_dateparser(monkeypatch, text, expected, has_time):
    def no_dateparser(*args, **kwargs):
        raise AssertionError("dateparser used on the rule path")

    monkeypatch.setattr(dates, "_dateparser", no_dateparser)
    assert parse_datetime(text, now=NOW).isoformat() == expected


def test_offset_in_text_is_a_fixed_offset():
    parsed = parse_datetime_ex("23/03/2015 08:06 GMT+7")
    assert parsed.has_offset
    assert isinstance(parsed.value.tzinfo, timezone)
    assert parsed.value.utcoffset() == timedelta(hours=7)


def test_no_offset_is_localised_with_zoneinfo():
    parsed = parse_datetime_ex("Thứ Sáu, 26/12/2025 - 22:10")
    assert not parsed.has_offset
    assert parsed.value.tzinfo == HCM
    assert parsed.value.isoformat().endswith("+07:00")


def test_other_time_zone_with_dst():
    summer = parse_datetime("13/07/2024 14:31", tz="Europe/Berlin")
    winter = parse_datetime("13/01/2024 14:31", tz="Europe/Berlin")
    assert summer.isoformat() == "2024-07-13T14:31:00+02:00"
    assert winter.isoformat() == "2024-01-13T14:31:00+01:00"


def test_explicit_offset_wins_over_tz_argument():
    assert parse_datetime("2024-03-13T14:31:00+07:00", tz="UTC").isoformat() == "2024-03-13T14:31:00+07:00"


def test_unknown_tz_name_is_an_error():
    with pytest.raises(ValueError):
        parse_datetime("13/03/2024", tz="Mars/Olympus_Mons")


def test_dayfirst_false_reads_month_first():
    assert parse_datetime("03/13/2024", dayfirst=False).date().isoformat() == "2024-03-13"
    assert parse_datetime("03/13/2024") is None  # day first: month 13 does not exist


def test_iso_stays_year_month_day_even_day_first():
    assert parse_datetime("2024-03-01").date().isoformat() == "2024-03-01"


def test_weekday_names_are_ignored_even_when_wrong():
    # 13 March 2024 was a Wednesday (Thứ Tư)
    assert parse_datetime("Thứ Hai, 13/3/2024 14:31").isoformat() == "2024-03-13T14:31:00+07:00"


@pytest.mark.parametrize(
    "text",
    [
        "Thứ Tư, 45/13/2024 99:99",
        "13/3/2024 99:99",
        "13/3/2024 25:00",
        "31/02/2024",
        "2024-13-01",
        "2024-02-30T10:00:00Z",
        "13/3/1800",
        "2024-03-13T14:31:00+25:00",
        "",
        "   ",
        "abc",
        "Không có ngày tháng",
        "10:15",  # a time without a day
        "GMT+7",
        "\x00\x01\ufeff",
        "9" * 500,
        "Thứ " * 300,
    ],
)
def test_not_a_date_gives_none(text):
    assert parse_datetime(text, now=NOW) is None
    assert parse_datetime_ex(text, now=NOW) is None


def test_non_string_input_gives_none():
    assert parse_datetime(None) is None  # type: ignore[arg-type]
    assert parse_datetime(20240313) is None  # type: ignore[arg-type]


def test_never_raises_on_random_strings():
    rng = random.Random(20240313)
    alphabet = "0123456789/:-.,+ TZhGMTUCSAPMthứ'()giờtrướcngàyhômquaMarchJan\u00a0\u0301"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        value = parse_datetime(text, now=NOW, fallback=False)
        assert value is None or value.utcoffset() is not None
        for found in find_dates(text, now=NOW):
            assert found.value.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("5 phút trước", "2026-07-20T08:55:00+07:00", True),
        ("2 giờ trước", "2026-07-20T07:00:00+07:00", True),
        ("30 giây trước", "2026-07-20T08:59:30+07:00", True),
        ("3 ngày trước", "2026-07-17T00:00:00+07:00", False),
        ("1 tuần trước", "2026-07-13T00:00:00+07:00", False),
        ("2 tháng trước", "2026-05-20T00:00:00+07:00", False),
        ("cách đây 10 phút", "2026-07-20T08:50:00+07:00", True),
        ("Hôm qua", "2026-07-19T00:00:00+07:00", False),
        ("hôm qua 10:15", "2026-07-19T10:15:00+07:00", True),
        ("Hôm qua lúc 10:15", "2026-07-19T10:15:00+07:00", True),
        ("10:15 hôm qua", "2026-07-19T10:15:00+07:00", True),
        ("Hôm nay 08:00", "2026-07-20T08:00:00+07:00", True),
        ("Hôm nay", "2026-07-20T00:00:00+07:00", False),
        ("Vừa xong", "2026-07-20T09:00:00+07:00", True),
        ("5 minutes ago", "2026-07-20T08:55:00+07:00", True),
        ("yesterday at 10:15", "2026-07-19T10:15:00+07:00", True),
    ],
)
def test_relative_forms(text, expected, has_time):
    parsed = parse_datetime_ex(text, now=NOW)
    assert parsed.value.isoformat() == expected
    assert parsed.has_time is has_time


def test_relative_now_naive_is_local_and_aware_is_converted():
    naive = datetime(2026, 7, 20, 9, 0)
    utc = datetime(2026, 7, 20, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hanoi
    for now in (naive, utc):
        assert parse_datetime("5 phút trước", now=now).isoformat() == "2026-07-20T08:55:00+07:00"
    # just after midnight in Hanoi is still the previous day in UTC
    late = datetime(2026, 7, 19, 17, 30, tzinfo=timezone.utc)  # 00:30 on 20 July in Hanoi
    assert parse_datetime("Hôm qua 10:15", now=late).isoformat() == "2026-07-19T10:15:00+07:00"


def test_relative_without_now_uses_the_clock():
    before = datetime.now(HCM)
    value = parse_datetime("5 phút trước")
    after = datetime.now(HCM)
    assert before - timedelta(minutes=5, seconds=1) <= value <= after - timedelta(minutes=5) + timedelta(seconds=1)


def test_decomposed_unicode_and_nbsp():
    text = unicodedata.normalize("NFD", "Thứ Tư,\u00a013/3/2024\u00a014:31")
    assert parse_datetime(text).isoformat() == "2024-03-13T14:31:00+07:00"
    assert parse_datetime(unicodedata.normalize("NFD", "Hôm qua 10:15"), now=NOW).day == 19
    assert parse_datetime("13/3/2024&nbsp;14:31").isoformat() == "2024-03-13T14:31:00+07:00"


def test_seconds_and_fraction():
    value = parse_datetime("2024-03-13T07:31:05.5Z")
    assert (value.second, value.microsecond) == (5, 500000)
    assert parse_datetime("13/3/2024 14:31:05").second == 5


@pytest.mark.parametrize(
    ("text", "offset_hours"),
    [
        ("13/3/2024 14:31 (GMT+7)", 7),
        ("13/3/2024 14:31 GMT+07:00", 7),
        ("13/3/2024 14:31 UTC+7", 7),
        ("13/3/2024 14:31 GMT", 0),
        ("13/3/2024 14:31 UTC", 0),
        ("13/3/2024 14:31 +05:30", 5.5),
        ("13/3/2024 14:31 GMT-5", -5),
        ("13/3/2024 14:31 ICT", 7),
    ],
)
def test_offsets(text, offset_hours):
    parsed = parse_datetime_ex(text)
    assert parsed.has_offset
    assert (parsed.value.hour, parsed.value.minute) == (14, 31)
    assert parsed.value.utcoffset() == timedelta(hours=offset_hours)


def test_first_date_wins_in_a_longer_string():
    text = "Đăng lúc 13/3/2024 14:31, cập nhật 14/3/2024 09:00"
    assert parse_datetime(text).isoformat() == "2024-03-13T14:31:00+07:00"


def test_find_dates_in_a_meta_line():
    text = "Thứ Tư, 13/3/2024 14:31 (GMT+7) | Cập nhật: 14/3/2024 09:00 - bài đăng gốc 2024-03-01"
    found = find_dates(text)
    assert [p.value.isoformat() for p in found] == [
        "2024-03-13T14:31:00+07:00",
        "2024-03-14T09:00:00+07:00",
        "2024-03-01T00:00:00+07:00",
    ]
    assert [p.has_time for p in found] == [True, True, False]
    assert all(isinstance(p, ParsedDate) for p in found)
    assert found[0].text == "13/3/2024 14:31 (GMT+7)"
    assert text[found[1].span[0]:found[1].span[1]] == found[1].text


def test_find_dates_skips_invalid_and_finds_relative():
    assert find_dates("99/99/2024 rồi 5 phút trước", now=NOW)[0].value.isoformat() == "2026-07-20T08:55:00+07:00"
    assert len(find_dates("99/99/2024 rồi 5 phút trước", now=NOW)) == 1
    assert find_dates("không có gì") == []
    assert find_dates("") == []


def test_dateparser_fallback_for_other_languages():
    parsed = parse_datetime_ex("13. März 2024 um 14:31", languages=("de",))
    assert parsed.rule == "dateparser"
    assert parsed.value.isoformat() == "2024-03-13T14:31:00+07:00"
    assert parsed.has_time
    french = parse_datetime("mercredi 13 mars 2024", languages=("fr",))
    assert french.isoformat() == "2024-03-13T00:00:00+07:00"
    vietnamese_words = parse_datetime("Thứ Tư, ngày 13 tháng ba năm 2024")
    assert vietnamese_words.isoformat() == "2024-03-13T00:00:00+07:00"


def test_fallback_can_be_disabled():
    assert parse_datetime("13. März 2024", languages=("de",), fallback=False) is None


def test_invalid_numeric_date_is_not_handed_to_dateparser(monkeypatch):
    monkeypatch.setattr(dates, "_dateparser", lambda *a, **k: pytest.fail("dateparser called"))
    assert parse_datetime("Thứ Tư, 45/13/2024 99:99") is None


def test_rule_path_is_fast():
    samples = [text for text, _, _ in FORMS] + ["5 phút trước", "Hôm qua 10:15"]
    for text in samples:  # warm up
        parse_datetime(text, now=NOW)
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for text in samples:
            parse_datetime(text, now=NOW)
    per_call = (time.perf_counter() - start) / (rounds * len(samples))
    # typically ~30-40 us; the bound is loose so a loaded CI machine does not fail it
    assert per_call < 0.0005, f"{per_call * 1e6:.0f} us per call"
