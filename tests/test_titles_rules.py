"""General title and tag rules (issue 14), each on a small page of our own."""
from __future__ import annotations

import pytest

from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback
from newscrawl.extract.generic.title import site_name_keys, strip_site_name

URL = "https://www.dailyexample.com/news/2024/05/harbour-story"


def page(body: str, *, title: str | None = None, og: str | None = None, site: str | None = None,
         headline: str | None = None, metas: str = "") -> str:
    head = f"<title>{title}</title>" if title else ""
    if og:
        head += f'<meta property="og:title" content="{og}">'
    if site:
        head += f'<meta property="og:site_name" content="{site}">'
    if headline:
        head += ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
                 f'"headline": "{headline}"}}</script>')
    return f"<html><head>{head}{metas}</head><body>{body}</body></html>"


def fields_of(html: str, url: str = URL, wanted=("title",)) -> dict:
    return extract_fallback(Document(html, url), wanted=list(wanted))[0]


def title_of(html: str, url: str = URL) -> str | None:
    return fields_of(html, url).get("title")


ARTICLE = "<article><p>The harbour works started on Monday morning after years of planning.</p></article>"


# --------------------------------------------------------------------------- unspaced separators


KEYS = site_name_keys(Document("<html></html>", URL), ["Daily Example"])


@pytest.mark.parametrize("raw, clean", [
    ("Harbour tunnel opens to traffic-Daily Example", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to traffic–dailyexample.com", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to traffic ㅣ Daily Example", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to traffic|DailyExample", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to trafficㅣDaily Example", "Harbour tunnel opens to traffic"),
    # hyphenated words are no separators
    ("Covid-19 cases rise in Baden-Württemberg", "Covid-19 cases rise in Baden-Württemberg"),
    ("Covid-19 cases rise in Baden-Württemberg-Daily Example", "Covid-19 cases rise in Baden-Württemberg"),
    # a site name in a trailing parenthesis, or after a "›"
    ("Harbour tunnel opens to traffic (dailyexample.com)", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to traffic › Daily Example", "Harbour tunnel opens to traffic"),
    # a date and time after a spaced colon
    ("Harbour tunnel opens to traffic : 06.11.2023, 11.41 Uhr", "Harbour tunnel opens to traffic"),
    # a parenthesis that is not the site's name stays, a score too; a spaced colon inside a headline too
    ("Harbour derby ends in a draw (3-3)", "Harbour derby ends in a draw (3-3)"),
    ("Harbour tunnel : what changes for drivers", "Harbour tunnel : what changes for drivers"),
])
def test_site_name_after_an_unspaced_or_unusual_separator(raw, clean):
    assert strip_site_name(raw, KEYS) == clean


def test_site_name_as_a_label_before_a_colon():
    assert strip_site_name("Daily Example: Harbour tunnel opens to traffic", KEYS) == "Harbour tunnel opens to traffic"
    assert strip_site_name("Daily Example: Harbour opens", KEYS) == "Harbour opens"  # short, still no site name
    # only the site's name itself: a place the site is named after stays
    keys = site_name_keys(Document("<html></html>", "https://www.berlinerexample.de/a"), ["Berliner Example"])
    assert strip_site_name("Berlin: Harbour tunnel opens to traffic", keys) == "Berlin: Harbour tunnel opens to traffic"


@pytest.mark.parametrize("raw, clean", [
    ("Harbour tunnel opens to traffic-Politics", "Harbour tunnel opens to traffic"),
    ("Harbour tunnel opens to traffic - Politics | Daily Example", "Harbour tunnel opens to traffic"),
    # the section's words inside the headline are no separated segment
    ("Harbour tunnel opens in Politics Street", "Harbour tunnel opens in Politics Street"),
])
def test_section_name_after_a_separator(raw, clean):
    assert strip_site_name(raw, KEYS, sections=["Politics"]) == clean
    metas = '<meta property="article:section" content="Politics">'
    html = page("<article><p>Text of the article.</p></article>", title=raw, og=raw, metas=metas)
    assert title_of(html) == clean


def test_suffix_the_heading_lacks_is_stripped_at_an_unspaced_dash():
    # the suffix names no known site, but the h1 gives the title without it
    html = page("<h1>Harbour tunnel opens to traffic</h1>" + ARTICLE,
                title="Harbour tunnel opens to traffic-Weekly", og="Harbour tunnel opens to traffic-Weekly")
    assert title_of(html) == "Harbour tunnel opens to traffic"


def test_hyphenated_title_is_kept_whole():
    html = page("<h1>Covid-19 rules end in Baden-Württemberg</h1>" + ARTICLE,
                title="Covid-19 rules end in Baden-Württemberg", og="Covid-19 rules end in Baden-Württemberg")
    assert title_of(html) == "Covid-19 rules end in Baden-Württemberg"


# --------------------------------------------------------------------------- the quotation dash


def test_leading_quotation_dash_is_kept():
    quote = "– Vi gir oss ikke, sier bonden"
    html = page(f"<h1>{quote}</h1>" + ARTICLE, title=f"{quote} – Daily Example", og=quote, headline=quote)
    assert title_of(html) == quote
    assert strip_site_name(f"{quote} | Daily Example", KEYS) == quote
    # a dash left alone at an edge is still no part of the headline
    assert strip_site_name("– Daily Example – Harbour news", KEYS) == "Harbour news"


# --------------------------------------------------------------------------- "Label: headline"


def test_label_rule_needs_a_label_separator():
    # the heading without its kicker is the end of og:title, but og:title has no label before it:
    # og:title is another headline, not "Label: headline"
    body = ('<article><h1><span class="kicker">Harbour</span> <span>the tunnel opens on Monday</span></h1>'
            '<p>Text of the article.</p></article>')
    html = page(body, og="Officials say the tunnel opens on Monday", title="Officials say the tunnel opens on Monday",
                headline="Officials say the tunnel opens on Monday")
    assert title_of(html) == "Officials say the tunnel opens on Monday"


def test_label_rule_still_fires_with_a_label():
    body = ('<article><h1><span class="kicker">Harbour</span> <span>The tunnel opens on Monday</span></h1>'
            '<p>Text of the article.</p></article>')
    html = page(body, og="Traffic: The tunnel opens on Monday", title="Traffic: The tunnel opens on Monday")
    assert title_of(html) == "The tunnel opens on Monday"


# --------------------------------------------------------------------------- typographic spelling


def test_typographic_dash_and_quotes_of_the_heading_win_over_their_ascii_copies():
    heading = "Harbour tunnel – „Finally open“ after four years"
    ascii_copy = 'Harbour tunnel - "Finally open" after four years'
    html = page(f"<h1>{heading}</h1>" + ARTICLE, title=f"{ascii_copy} | Daily Example", og=ascii_copy,
                headline=ascii_copy)
    assert title_of(html) == heading


def test_apostrophes_follow_the_majority():
    # curly apostrophes are no evidence either way: the majority's spelling stays
    html = page("<h1>Harbour’s tunnel opens</h1>" + ARTICLE, title="Harbour's tunnel opens | Daily Example",
                og="Harbour's tunnel opens", headline="Harbour's tunnel opens")
    assert title_of(html) == "Harbour's tunnel opens"


# --------------------------------------------------------------------------- the shown headline without JSON-LD


def test_without_jsonld_the_shown_headline_beats_the_seo_title():
    html = page("<h1>Is a heat pump worth it in an old house?</h1>" + ARTICLE,
                title="Heat pump in an old house - when it pays | Daily Example",
                og="Heat pump in an old house - when it pays")
    assert title_of(html) == "Is a heat pump worth it in an old house?"


def test_with_jsonld_agreeing_with_og_the_structured_title_stays():
    html = page("<h1>Is a heat pump worth it in an old house?</h1>" + ARTICLE,
                title="Heat pump in an old house - when it pays | Daily Example",
                og="Heat pump in an old house - when it pays", headline="Heat pump in an old house - when it pays")
    assert title_of(html) == "Heat pump in an old house - when it pays"


@pytest.mark.parametrize("heading", [
    "Daily Example",                       # the logo
    "Weather",                             # one word: a section name
    "Heat pumps:",                         # a bare label
    "Top stories from around the region",  # no word in common: a teaser block's heading
])
def test_a_heading_that_is_no_headline_does_not_beat_og_title(heading):
    html = page(f"<h1>{heading}</h1>" + ARTICLE, title="Heat pump in an old house - when it pays | Daily Example",
                og="Heat pump in an old house - when it pays", site="Daily Example")
    assert title_of(html) == "Heat pump in an old house - when it pays"


def test_shown_headline_beats_a_section_name_in_og_title():
    # og:title names the section; <title> gives the headline after the site's name
    html = page("<h1>Harbour tunnel opens to traffic on Monday</h1>" + ARTICLE, og="Press releases",
                title="Daily Example: Harbour tunnel opens to traffic on Monday", site="Daily Example")
    assert title_of(html) == "Harbour tunnel opens to traffic on Monday"


def test_the_label_heading_does_not_beat_the_whole_og_title():
    html = page("<h1>Heat pumps in old houses</h1>" + ARTICLE, og="Heat pumps in old houses: when they pay",
                title="Heat pumps in old houses: when they pay")
    assert title_of(html) == "Heat pumps in old houses: when they pay"


# --------------------------------------------------------------------------- tags


def test_comma_separated_article_tags_are_split_trimmed_and_kept_once():
    metas = ('<meta property="article:tag" content="harbour, tunnel ,traffic">'
             '<meta property="article:tag" content="Tunnel">'
             '<meta property="article:tag" content="city council">')
    html = page(ARTICLE, title="Harbour", metas=metas)
    assert fields_of(html, wanted=("tags",))["tags"] == ["harbour", "tunnel", "traffic", "city council"]


def test_keywords_lists_are_split_the_same_way():
    html = ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "NewsArticle", "headline": "Harbour", "keywords": ["harbour, tunnel", "traffic", "Harbour"]}'
            '</script></head><body>' + ARTICLE + '</body></html>')
    assert fields_of(html, wanted=("tags",))["tags"] == ["harbour", "tunnel", "traffic"]
    metas = '<meta name="news_keywords" content="harbour; tunnel, traffic,">'
    assert fields_of(page(ARTICLE, metas=metas), wanted=("tags",))["tags"] == ["harbour", "tunnel", "traffic"]
