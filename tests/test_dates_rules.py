"""The date rules for pages without a site file (issue 14): the page's own offset kept, a time without
offset read in the zone the page itself suggests (noted in `date_zones`), htmldate's search when no
structured date exists, and the local calendar day kept. Every page here is written for the test."""
from __future__ import annotations

from datetime import datetime

from newscrawl.extract import extract_article
from newscrawl.extract.dates import parse_datetime_ex
from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback
from newscrawl.extract.generic.dates import choose_date_noted, dateline_date, dom_date_values
from newscrawl.extract.generic.zones import country_zone, host_country, language_country, page_zone

BODY = "".join(
    f"<p>{text}</p>" for text in (
        "The council met on the hill above the river and talked about the bridge for most of the evening.",
        "Residents asked for a footpath on both sides, and the engineers promised drawings by the spring.",
        "A vote on the money is planned for the next session, after the consultation has ended.",
    )
)


def page(head: str = "", body_top: str = "", lang: str | None = None) -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (f"<html{lang_attr}><head><title>Bridge plans</title>{head}</head><body><article>"
            f"<h1>Council debates the new bridge over the river</h1>{body_top}{BODY}</article></body></html>")


def meta_published(value: str) -> str:
    return f'<meta property="article:published_time" content="{value}">'


def offset_hours(iso: str) -> float:
    return datetime.fromisoformat(iso).utcoffset().total_seconds() / 3600


# --------------------------------------------------------------------------- the zone of a page


def test_country_and_language_tables():
    assert country_zone("at") == "Europe/Vienna"
    assert country_zone("ca") == "America/Toronto"  # not zone.tab's first (Newfoundland)
    assert country_zone("zz") is None
    assert language_country("de") == "de" and language_country("vi") == "vn"
    assert host_country("https://news.example.at/a") == "at"
    assert host_country("https://news.example.co.uk/a") == "gb"
    assert host_country("https://news.example.tv/a") is None  # sold as a generic name
    assert host_country("https://news.example.com/a") is None


def test_page_zone_prefers_the_country_code_domain_then_the_language_tag_then_the_language():
    assert page_zone(Document(page(lang="en-US"), "https://www.example.de/a")) == ("Europe/Berlin", "country de")
    assert page_zone(Document(page(lang="de-AT"), "https://www.example.com/a")) == ("Europe/Vienna", "country at")
    assert page_zone(Document(page(lang="de"), "https://www.example.com/a")) == ("Europe/Berlin", "language de")
    locale = '<meta property="og:locale" content="fr_CH">'
    assert page_zone(Document(page(head=locale), "https://www.example.com/a")) == ("Europe/Zurich", "country ch")
    assert page_zone(Document(page(), "https://www.example.com/a")) is None


# --------------------------------------------------------------------------- a time without offset


def test_a_time_without_offset_is_read_in_the_zone_of_the_pages_country_and_noted():
    html = page(head=meta_published("2024-01-15T14:07:00"), lang="de")
    item = extract_article(html, "https://www.example.at/politik/bruecke")
    assert item["published"] == "2024-01-15T14:07:00+01:00"  # Vienna in winter
    assert item["extraction"]["published"] == "meta"
    assert item["date_zones"] == {"published": "country at"}
    summer = extract_article(page(head=meta_published("2024-07-15T14:07:00"), lang="de"),
                             "https://www.example.at/politik/bruecke")
    assert summer["published"] == "2024-07-15T14:07:00+02:00"  # the zone, not a fixed offset: summer time


def test_a_vietnamese_page_without_site_file_keeps_the_vietnamese_zone():
    item = extract_article(page(head=meta_published("2024-03-13T14:31:00"), lang="vi"), "https://tin.example.com/a")
    assert item["published"] == "2024-03-13T14:31:00+07:00"
    assert item["date_zones"] == {"published": "language vi"}


def test_a_time_without_offset_takes_the_offset_of_the_pages_other_dates():
    # the page's modified date says +05:30; nothing else says where the page is
    head = meta_published("2020-04-08T09:15:00") + '<meta property="article:modified_time" content="2020-04-09T10:00:00+05:30">'
    fields, sources = extract_fallback(Document(page(head=head), "https://www.example.com/a"))
    assert fields["published"] == "2020-04-08T09:15:00+05:30"
    assert sources["published_zone"] == "offset of another date on the page"


def test_the_pages_country_zone_is_kept_when_the_other_dates_agree_with_it():
    # +01:00 in January is Berlin's offset: Berlin's zone then reads a July date with summer time
    head = meta_published("2024-07-01T08:00:00") + '<meta property="article:modified_time" content="2024-01-02T10:00:00+01:00">'
    fields, sources = extract_fallback(Document(page(head=head, lang="de"), "https://www.example.com/a"))
    assert fields["published"] == "2024-07-01T08:00:00+02:00"
    assert sources["published_zone"] == "language de"


def test_nothing_known_is_utc_and_said_so():
    fields, sources = extract_fallback(Document(page(head=meta_published("2024-03-13T14:31:00")), "https://www.example.com/a"))
    assert fields["published"] == "2024-03-13T14:31:00+00:00"
    assert sources["published_zone"] == "zone unknown, read as UTC"


def test_the_pages_own_offset_is_kept_and_not_noted():
    item = extract_article(page(head=meta_published("2024-03-13T14:31:00-04:00"), lang="de"), "https://www.example.de/a")
    assert item["published"] == "2024-03-13T14:31:00-04:00"
    assert "date_zones" not in item


def test_a_bare_date_keeps_its_day_in_any_zone():
    for url, lang in (("https://www.example.com/a", "en"), ("https://www.example.nz/a", None), ("https://www.example.com/a", None)):
        fields, _ = extract_fallback(Document(page(head=meta_published("2019-04-19"), lang=lang), url))
        assert fields["published"].startswith("2019-04-19T00:00:00"), (url, fields["published"])


def test_a_site_files_zone_is_not_overridden_by_the_page():
    value, _layer, note = choose_date_noted(
        [("2024-03-13T14:31:00", "meta")], "Asia/Ho_Chi_Minh", others=[("2024-03-14T10:00:00+02:00", "meta")])
    assert offset_hours(value) == 7 and note is None


# --------------------------------------------------------------------------- the local day of a UTC date


def test_a_utc_date_whose_local_form_is_another_day_keeps_the_local_form():
    # 02:11 UTC on the 9th is 21:11 on the 8th where the page is published, and the page says so too
    head = meta_published("2023-11-09T02:11:03+00:00") + '<meta itemprop="datePublished" content="2023-11-08T21:11:03-05:00">'
    fields, _ = extract_fallback(Document(page(head=head), "https://www.example.com/a"))
    assert fields["published"] == "2023-11-08T21:11:03-05:00"


def test_a_utc_date_on_the_same_local_day_stays_as_written():
    head = meta_published("2023-11-09T12:11:03+00:00") + '<meta itemprop="datePublished" content="2023-11-09T07:11:03-05:00">'
    fields, _ = extract_fallback(Document(page(head=head), "https://www.example.com/a"))
    assert fields["published"] == "2023-11-09T12:11:03+00:00"


def test_a_wall_clock_copy_read_in_the_pages_zone_gives_the_local_day():
    # the second copy has no offset; read in New York's zone (language en) it is the same instant
    head = meta_published("2023-11-09T03:28:35+00:00") + '<meta name="sailthru.date" content="2023-11-08 22:28:35">'
    fields, _ = extract_fallback(Document(page(head=head, lang="en"), "https://www.example.com/a"))
    assert fields["published"] == "2023-11-08T22:28:35-05:00"


# --------------------------------------------------------------------------- no structured date


def test_a_page_without_structured_date_gets_htmldates_date():
    # a date only a text search finds: no <time>, no date class, a label in the page's language
    top = "<div class='info'><ul><li><b>Veröffentlicht</b> am 19. April 2019</li></ul></div>"
    fields, sources = extract_fallback(Document(page(body_top=top, lang="de"), "https://www.example.com/a"))
    assert fields["published"] == "2019-04-19T00:00:00+02:00"
    assert sources["published"] == "generic"


def test_htmldates_date_alone_gives_way_to_the_same_day_with_a_time_on_the_page():
    top = "<div class='byline' data-datetime='0'>Do 25.04.24 | 14:07 Uhr | Von Erika Muster</div>"
    html = page(body_top=top, lang="de")
    values = list(dom_date_values(Document(html, "https://www.example.de/kultur/2024/04/bruecke.html"), None))
    assert values[0] == ("2024-04-25", "htmldate")
    fields, _ = extract_fallback(Document(html, "https://www.example.de/kultur/2024/04/bruecke.html"))
    assert fields["published"] == "2024-04-25T14:07:00+02:00"


def test_two_digit_years_need_a_time():
    parsed = parse_datetime_ex("Do 25.04.24 | 14:07 Uhr", tz="Europe/Berlin", fallback=False)
    assert parsed.value.isoformat() == "2024-04-25T14:07:00+02:00" and parsed.rule == "dmy2"
    assert parse_datetime_ex("Version 3.11.12 ist da", tz="Europe/Berlin", fallback=False) is None


def test_the_seed_pages_traps_still_hold():
    # a visible date with its own offset is read as written; a banner's "today" is no publish date
    parsed = parse_datetime_ex("Thứ Tư, 13/3/2024 14:31 (GMT+7)", tz="UTC")
    assert parsed.value.isoformat() == "2024-03-13T14:31:00+07:00" and parsed.has_offset


def test_a_labelled_date_beats_htmldates_guess():
    # htmldate would take the teaser's date (the first date in the text); the label says which is the article's
    top = ("<div class='teaser'><h2>An older story</h2><span class='date'>24.04.2023</span></div>"
           "<ul class='facts'><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autor</strong> Erika Muster</li></ul>")
    fields, _ = extract_fallback(Document(page(body_top=top, lang="de"), "https://www.example.com/a"))
    assert fields["published"] == "2023-04-28T00:00:00+02:00"


def test_a_utc_date_is_shown_in_the_pages_zone_when_its_url_gives_the_local_day():
    # 01:09 UTC on the 9th; the URL says the 8th, which it is in the page's zone (en-US: New York)
    html = page(head=meta_published("2023-11-09T01:09:55+00:00"), lang="en-US")
    fields, sources = extract_fallback(Document(html, "https://www.example.com/2023/11/08/bridge-plans/"))
    assert fields["published"] == "2023-11-08T20:09:55-05:00"
    assert sources["published_zone"].startswith("country us: UTC time shown")
    # without the URL's day, the UTC time stays as written
    fields, _ = extract_fallback(Document(html, "https://www.example.com/bridge-plans/"))
    assert fields["published"] == "2023-11-09T01:09:55+00:00"


# --------------------------------------------------------------------------- second round (dates2)


def test_a_wall_clock_copy_hours_from_the_utc_time_gives_the_publishers_offset():
    # 06:35:29 UTC on the 9th, and a copy without offset at 22:35:29 on the 8th: the page writes in UTC-8,
    # although its language (en-US) suggests New York; the same instant in the page's own wall clock is kept
    head = meta_published("2023-11-09T06:35:29+00:00") + '<meta name="sailthru.date" content="2023-11-08 22:35:29">'
    fields, _ = extract_fallback(Document(page(head=head, lang="en-US"), "https://www.example.com/a"))
    assert fields["published"] == "2023-11-08T22:35:29-08:00"


def test_a_round_wall_clock_time_hours_apart_is_not_taken_as_the_same_instant():
    # 06:00:00 UTC and 22:00:00 the day before: round times may be two events, the UTC value stays
    head = meta_published("2023-11-09T06:00:00+00:00") + '<meta name="sailthru.date" content="2023-11-08 22:00:00">'
    fields, _ = extract_fallback(Document(page(head=head, lang="en-US"), "https://www.example.com/a"))
    assert fields["published"] == "2023-11-09T06:00:00+00:00"


def test_unpadded_seconds_keep_the_utc_designator():
    parsed = parse_datetime_ex("2020-12-05T23:15:0Z", tz="Europe/Rome", fallback=False)
    assert parsed.value.isoformat() == "2020-12-05T23:15:00+00:00" and parsed.has_offset


def test_a_time_range_is_no_offset():
    parsed = parse_datetime_ex("19.1.23, 10:00-11:30 Uhr", tz="Europe/Berlin", fallback=False)
    assert parsed.value.isoformat() == "2023-01-19T10:00:00+01:00" and not parsed.has_offset
    # offsets glued to an ISO time, or after seconds, stay offsets
    assert parse_datetime_ex("2023-11-08T21:11-05:00", tz="UTC").value.isoformat() == "2023-11-08T21:11:00-05:00"
    assert parse_datetime_ex("2023-04-28 14:01:37-04:00", tz="UTC").value.isoformat() == "2023-04-28T14:01:37-04:00"
    assert parse_datetime_ex("13/3/2024 14:31 +07:00", tz="UTC").value.isoformat() == "2024-03-13T14:31:00+07:00"


def test_a_day_first_date_with_spaces_is_read():
    parsed = parse_datetime_ex("Von Erika Muster 4. 2. 2022.", tz="Europe/Berlin", fallback=False)
    assert parsed.value.isoformat() == "2022-02-04T00:00:00+01:00" and parsed.rule == "dmy_spaced"


def test_the_pages_day_first_text_settles_htmldates_month_first_reading():
    # htmldate's value swaps day and month of the date the page shows; the page's own text says which is which
    dom = [("2022-04-02", "htmldate"), ("Von Erika Muster 4. 2. 2022.", "text")]
    value, _layer, _note = choose_date_noted([], "Europe/Berlin", dom, inferred="country de")
    assert value == "2022-02-04T00:00:00+01:00"
    # a date that is not the swapped one leaves htmldate's value alone
    dom = [("2022-04-02", "htmldate"), ("Von Erika Muster 5. 2. 2022.", "text")]
    value, _layer, _note = choose_date_noted([], "Europe/Berlin", dom, inferred="country de")
    assert value == "2022-04-02T00:00:00+02:00"


def test_a_utc_time_takes_the_local_day_another_structured_date_gives():
    # 23:15 UTC on the 5th is 00:15 on the 6th in Rome; the page's microdata gives the 6th, in Italian
    head = (meta_published("2020-12-05T23:15:00Z")
            + '<meta itemprop="datePublished" content="06 Dicembre 2020">')
    fields, sources = extract_fallback(Document(page(head=head, lang="it"), "https://www.example.it/a"))
    assert fields["published"] == "2020-12-06T00:15:00+01:00"
    assert "another structured date" in sources["published_zone"]
    # without it, the UTC time stays as written
    fields, _ = extract_fallback(Document(page(head=meta_published("2020-12-05T23:15:00Z"), lang="it"),
                                          "https://www.example.it/a"))
    assert fields["published"] == "2020-12-05T23:15:00+00:00"


def test_a_structured_date_long_after_the_urls_date_gives_way_to_it():
    # the URL was minted on 12 July 2017; a datePublished two years later is a re-save
    html = page(head=meta_published("2019-06-17T18:28:00+02:00"), lang="de")
    fields, sources = extract_fallback(Document(html, "https://www.example.de/home/2017/7/12/bruecke"))
    assert fields["published"] == "2017-07-12T00:00:00+02:00"
    assert sources["published_zone"].startswith("the URL's date")
    # a day apart is a zone's difference: the structured date stays
    fields, _ = extract_fallback(Document(html, "https://www.example.de/home/2019/06/16/bruecke"))
    assert fields["published"] == "2019-06-17T18:28:00+02:00"


# --------------------------------------------------------------------------- days stored as midnight, meta dates, day order


def published_of(head: str, body_top: str = "", lang: str | None = "de", url: str = "https://www.example.de/bericht"):
    """(published, sources) of the fallback extraction of a page of ours."""
    fields, sources = extract_fallback(Document(page(head=head, body_top=body_top, lang=lang), url))
    return fields.get("published"), sources


def test_a_utc_time_at_the_zones_midnight_is_the_zones_day():
    # 23:00 UTC on the 4th is midnight of the 5th in Berlin: a day picked in a CMS's calendar, stored in UTC
    value, sources = published_of(meta_published("2021-11-04T23:00Z"))
    assert value == "2021-11-05T00:00:00+01:00"
    assert "midnight" in sources["published_zone"]
    # a minute past it is a time of day: left in UTC as written
    assert published_of(meta_published("2021-11-04T23:01Z"))[0] == "2021-11-04T23:01:00+00:00"


def test_the_articles_time_element_wins_over_a_meta_date_of_another_day():
    meta = meta_published("2022-01-21T09:43+01:00")
    shown = '<p class="byline">By Erika Muster, <time datetime="2022-01-25T08:00:00+01:00">25.01.2022</time></p>'
    value, sources = published_of(meta, shown)
    assert value == "2022-01-25T08:00:00+01:00"
    assert sources["published"] == "generic"
    # the same day: the meta value (with its time) stays
    assert published_of(meta, '<p class="byline"><time datetime="2022-01-21">21.01.2022</time></p>')[0] == \
        "2022-01-21T09:43:00+01:00"
    # a JSON-LD description of the article is believed over the region's time element
    jsonld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Council debates the new '
              'bridge over the river", "datePublished": "2022-01-21T09:43:00+01:00"}</script>')
    assert published_of(jsonld, shown)[0] == "2022-01-21T09:43:00+01:00"
    # a relative time is read against the clock, never taken over a written date
    assert published_of(meta, '<p class="byline"><time>vor 3 Stunden</time></p>')[0] == "2022-01-21T09:43:00+01:00"
    # the page's modified date shown in the region is not its publication
    updated = '<meta property="article:modified_time" content="2022-01-25T08:00:00+01:00">'
    assert published_of(meta + updated, shown)[0] == "2022-01-21T09:43:00+01:00"


def test_the_pages_visible_date_says_a_numeric_meta_date_is_month_first():
    head = '<meta name="date" content="11/01/2023 12:43:42">'
    url = "https://www.example.ch/a"
    assert published_of(head, "<p>Erstellt am: 01.11.2023</p>", url=url)[0] == "2023-11-01T12:43:42+01:00"
    # without a visible date, day first as ever
    assert published_of(head, url=url)[0] == "2023-01-11T12:43:42+01:00"
    # a visible date that is another day altogether settles nothing
    assert published_of(head, "<p>Erstellt am: 02.11.2023</p>", url=url)[0] == "2023-01-11T12:43:42+01:00"


def test_the_offset_most_of_the_pages_descriptions_give_for_the_same_instant():
    # two JSON-LD blocks (two plugins) and the meta tag: the same instant, -04:00 once and UTC twice
    first = ('<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Council debates the new bridge '
             'over the river", "datePublished": "2023-04-28T14:01:37-04:00"}</script>')
    second = ('<script type="application/ld+json">{"@type": "Article", "headline": "Council debates the new bridge '
              'over the river", "datePublished": "2023-04-28T18:01:37+00:00"}</script>')
    utc = meta_published("2023-04-28T18:01:37+00:00")
    url = "https://www.example.com/a"
    assert published_of(first + second + utc, lang=None, url=url)[0] == "2023-04-28T18:01:37+00:00"
    # one description against one: the first keeps its own offset
    assert published_of(first + utc, lang=None, url=url)[0] == "2023-04-28T14:01:37-04:00"
    # one layer repeating an offset is one description: still a tie
    twice = utc + '<meta name="pubdate" content="2023-04-28T18:01:37Z">'
    assert published_of(first + twice, lang=None, url=url)[0] == "2023-04-28T14:01:37-04:00"


def test_a_dateline_opening_the_article_dates_a_page_without_structured_date():
    # a press release dates itself in its first paragraph; a teaser further down shows another day
    dateline = "<p>Karlsruhe, (12.11.2021). The council met on the hill and talked about the bridge all evening.</p>"
    teaser = '<aside><div class="date">13.11.2021</div></aside>'
    value, _sources = published_of("", dateline + teaser)
    assert value == "2021-11-12T00:00:00+01:00"
    assert dateline_date("Frankfurt am Main, 3. März 2022 – Der Rat tagte.") == "3. März 2022"
    # a sentence with a comma and a number is not a dateline, nor a day without its year
    assert dateline_date("Er sagte, 12.11.2021 sei ein guter Tag gewesen.") is None
    assert dateline_date("WASHINGTON (Aug. 13) -- The council met.") is None
