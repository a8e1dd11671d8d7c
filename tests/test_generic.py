"""Unit tests for the generic layer and extract_fallback on small hand-written pages."""
from __future__ import annotations

import gzip
import os
from datetime import datetime

import pytest
from lxml import etree

from newscrawl.extract.document import Document
from newscrawl.extract.fallback import ALL_FIELDS, extract_fallback
from newscrawl.extract.generic.body import trafilatura_blocks
from newscrawl.extract.generic.bylines import person_names
from newscrawl.extract.generic.dates import choose_date
from newscrawl.extract.generic.dom import in_navigation
from newscrawl.extract.generic.title import heading_texts, site_name_keys, strip_site_name

URL = "https://www.dailyexample.com/news/2024/03/13/river-bridge-opens"

PARAGRAPHS = [
    "The new bridge over the river opened to traffic on Wednesday morning after four years of construction work.",
    "City officials said the crossing would cut the commute between the two districts by about twenty minutes.",
    "Residents gathered on both banks to watch the first buses cross, many of them carrying flags and banners.",
    "The project cost more than the original estimate because of flooding that delayed the foundations twice.",
    "Engineers said the structure was designed to withstand storms far stronger than any recorded in the region.",
    "Shops near the old ferry landing expect fewer customers, and the council has promised them support.",
]


def article_page(extra_head: str = "", byline: str = "By Jane Doe and John Smith", jsonld_author: str | None = None) -> str:
    author = jsonld_author or '{"@type": "Organization", "name": "Daily Example"}'
    paragraphs = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    more = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return f"""<!doctype html>
<html lang="en-GB"><head>
<title>River bridge opens after four years | Daily Example</title>
<meta property="og:title" content="River bridge opens after four years | Daily Example">
<meta property="og:site_name" content="Daily Example">
<meta property="og:description" content="Commuters cheer as the long-delayed crossing finally carries traffic.">
<meta property="article:published_time" content="2024-03-13T14:31:00+00:00">
<link rel="canonical" href="https://www.dailyexample.com/news/river-bridge-opens">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "River bridge opens after four years", "datePublished": "2024-03-13T14:31:00Z",
 "author": {author}, "publisher": {{"@type": "Organization", "name": "Daily Example"}}}}</script>
{extra_head}
</head><body>
<header class="site-header"><a href="/">Daily Example</a><nav><a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main>
<article>
  <h1 class="headline"><span class="kicker">Transport</span> River bridge opens after four years</h1>
  <p class="standfirst">Commuters cheer as the long-delayed crossing finally carries traffic.</p>
  <div class="byline">{byline}</div>
  <figure><img src="/img/bridge.jpg" alt=""><figcaption>The bridge at dawn on opening day. Photo: City Council</figcaption></figure>
  <div class="article-body">
  {paragraphs}
  <p>Read more: <a href="/news/ferry-history">The long history of the river ferry</a></p>
  <h2>What comes next</h2>
  {more}
  </div>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Another story about roads and bridges in other places</a></li></ul></aside>
</main>
<footer>Copyright Daily Example. All rights reserved. Contact us. Privacy policy.</footer>
</body></html>"""


def test_article_page_fields_and_sources():
    fields, sources = extract_fallback(Document(article_page(), URL))
    assert fields["title"] == "River bridge opens after four years"
    assert fields["published"] == "2024-03-13T14:31:00+00:00"
    assert sources["published"] == "jsonld"
    # The JSON-LD author is the outlet; the visible byline names two people.
    assert fields["authors"] == ["Jane Doe", "John Smith"]
    assert sources["authors"] == "generic"
    assert fields["lead"] == "Commuters cheer as the long-delayed crossing finally carries traffic."
    assert fields["body"] == PARAGRAPHS
    assert fields["language"] == "en"
    assert fields["canonical_url"] == "https://www.dailyexample.com/news/river-bridge-opens"
    assert fields["captions"] == [{
        "text": "The bridge at dawn on opening day. Photo: City Council",
        "image_url": "https://www.dailyexample.com/img/bridge.jpg",
        "credit": None,
    }]
    assert set(sources) == set(fields) - {"authors_raw"}
    assert set(sources.values()) <= {"jsonld", "microdata", "meta", "generic"}


def test_body_has_no_caption_byline_read_more_or_related():
    fields, _ = extract_fallback(Document(article_page(), URL))
    text = "\n".join(fields["body"])
    for unwanted in ("Photo: City Council", "Jane Doe", "Read more", "Another story", "Copyright", "What comes next"):
        assert unwanted not in text


def test_json_ld_person_beats_byline_and_organisations_are_not_authors():
    person = '{"@type": "Person", "name": "Maria Garcia"}'
    fields, sources = extract_fallback(Document(article_page(jsonld_author=person), URL))
    assert fields["authors"] == ["Maria Garcia"]
    assert sources["authors"] == "jsonld"
    # nobody named: the outlet credited as author is no author (nor a source)
    fields, _ = extract_fallback(Document(article_page(byline=""), URL))
    assert not fields.get("authors") and not fields.get("source")
    # the outlet's name given as a Person is not an author either
    outlet = '{"@type": "Person", "name": "Daily Example"}'
    fields, _ = extract_fallback(Document(article_page(jsonld_author=outlet, byline=""), URL))
    assert not fields.get("authors")


def test_agency_author_goes_to_source():
    agency = '{"@type": "Organization", "name": "Reuters"}'
    fields, _ = extract_fallback(Document(article_page(jsonld_author=agency, byline=""), URL))
    assert fields.get("authors") in (None, [])
    assert fields["source"] == "Reuters"


def test_wanted_limits_the_work():
    fields, sources = extract_fallback(Document(article_page(), URL), wanted=["title", "published"])
    assert set(fields) == {"title", "published"}
    assert set(sources) == {"title", "published"}


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\x01\x02\x03\xff\xfe\xfd" * 200,
    os.urandom(4096),
    gzip.compress(b"<html><body><p>compressed</p></body></html>"),
    b"<html><head><title>Truncated page | Site</title></head><body><h1>Truncated head",
    "<html><body><div><p>Only one short paragraph.</p></div></body></html>",
])
def test_bad_input_never_raises(raw):
    fields, sources = extract_fallback(Document(raw, URL))
    assert isinstance(fields, dict) and isinstance(sources, dict)
    for name in fields:
        assert name in ALL_FIELDS or name == "authors_raw"


def test_body_inside_a_page_wide_form_is_read():
    # ASP.NET pages wrap the whole page in one <form>: it is page content, not a widget.
    page = article_page().replace("<main>", '<form id="aspnetForm" method="post"><main>').replace(
        "</main>", "</main></form>")
    fields, _ = extract_fallback(Document(page, URL))
    assert fields["body"][:3] == PARAGRAPHS[:3]


def test_known_layout_authors_skip_the_page_byline_search():
    # A site file's byline selector has looked at the page already: only structured data
    # and meta tags may still name the author, never a guess from the page's text.
    page = article_page(jsonld_author='{"@type": "Organization", "name": "Daily Example"}',
                        extra_head='<meta name="author" content="John Smith">')
    fields, sources = extract_fallback(Document(page, URL), structured_only={"authors", "source"})
    assert fields["authors"] == ["John Smith"] and sources["authors"] == "meta"
    fields, sources = extract_fallback(Document(page, URL))
    assert fields["authors"] == ["Jane Doe", "John Smith"] and sources["authors"] == "generic"


def test_page_without_article():
    links = "".join(f'<li><a href="/story/{i}">Story number {i} about something</a></li>' for i in range(40))
    home = f"""<html lang="vi"><head><title>Trang chủ | Báo Ví Dụ</title></head>
    <body><nav><ul>{links}</ul></nav><footer>Liên hệ</footer></body></html>"""
    fields, _ = extract_fallback(Document(home, "https://baovidu.vn/"))
    assert fields.get("language") == "vi"
    assert not fields.get("authors")
    assert not fields.get("published")
    assert len("".join(fields.get("body") or [])) < 200



def test_trafilatura_blocks_leaves_the_page_as_it_was():
    # The head, scripts, styles and SVGs are detached while trafilatura runs; all must
    # come back in place, and a script's tail text (page text) must still be read.
    page = article_page(extra_head="<style>p{color:red}</style>").replace(
        "<main>",
        '<main><script>var a = 1;</script>\n<svg><path d="M0 0"/></svg>'
        "<noscript><img src=/x.jpg></noscript>",
    ).replace(
        PARAGRAPHS[4],
        f"<script>track()</script>{PARAGRAPHS[4]}",
    )
    doc = Document(page, URL)
    before = etree.tostring(doc.root, encoding="unicode")
    blocks = trafilatura_blocks(doc)
    assert etree.tostring(doc.root, encoding="unicode") == before
    texts = [text for _, text, _ in blocks]
    assert PARAGRAPHS[0] in texts and PARAGRAPHS[4] in texts
    assert not any("track()" in t or "var a" in t or "color:red" in t for t in texts)
    # the head is still there for the layers that read it
    assert doc.root.find("head/title") is not None

def test_title_site_name_stripping():
    keys = site_name_keys(Document("<html></html>", "https://www.theexample.co.uk/a"), ["The Example"])
    assert strip_site_name("Budget day: what changes | The Example", keys) == "Budget day: what changes"
    assert strip_site_name("Budget day - Politics - theexample.co.uk", keys) == "Budget day - Politics"
    assert strip_site_name("Ukraine talks – DW – 13.06.2023", {"dw"}) == "Ukraine talks"
    # a headline that itself contains a separator keeps it when another source confirms it
    assert strip_site_name("Storms - what we know | The Example", keys, ["Storms - what we know"]) == "Storms - what we know"


def test_date_without_offset_borrows_a_sibling_offset():
    value, layer = choose_date([("2024-04-25T14:07:00", "jsonld"), ("2024-04-25T14:07:00+02:00", "meta")], "UTC")
    assert value == "2024-04-25T14:07:00+02:00"
    assert layer == "jsonld"
    value, _ = choose_date([("2024-04-25T14:07:00", "jsonld")], "Asia/Ho_Chi_Minh")
    assert datetime.fromisoformat(value).utcoffset().total_seconds() == 7 * 3600
    # a bare date gives way to a time of the same day
    value, layer = choose_date([("2024-04-25", "jsonld"), ("2024-04-25T09:30:00+02:00", "meta")], "UTC")
    assert value == "2024-04-25T09:30:00+02:00" and layer == "meta"


def test_time_element_when_no_structured_date():
    html = """<html><body><article><h1>Quiet day in the valley for everyone</h1>
    <time datetime="2023-11-05T06:45:00+01:00">5 Nov</time>
    """ + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>"
    # a URL without a date: htmldate, asked first, would take a date in the URL (/2024/03/13/) over the <time>
    fields, sources = extract_fallback(Document(html, "https://www.dailyexample.com/news/river-bridge-opens"))
    assert fields["published"] == "2023-11-05T06:45:00+01:00"
    assert sources["published"] == "generic"


def test_multilingual_byline_split():
    assert person_names("Monika Bolliger und Anna Trechsel")[0] == ["Monika Bolliger", "Anna Trechsel"]
    assert person_names("Chus del Pino y Martí Abad")[0] == ["Chus del Pino", "Martí Abad"]
    # not all parts are names: not a byline
    assert person_names("Politik und Gesellschaft im Wandel der Zeit, Teil 3")[0] == []
    # a declared Person keeps its name, a description after it is dropped
    names, _, _ = person_names("Povilas Aleksandravičius, universiteto profesorius", declared_person=True)
    assert names == ["Povilas Aleksandravičius"]


# --------------------------------------------------------------------------- title rules (choose_title)


def title_page(body: str, og: str | None = None, headline: str | None = None, tag: str = "Site page") -> str:
    head = f"<title>{tag} | Daily Example</title>"
    if og:
        head += f'<meta property="og:title" content="{og}">'
    if headline:
        head += ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
                 f'"headline": "{headline}"}}</script>')
    return f"<html><head>{head}</head><body>{body}</body></html>"


def title_of(html: str) -> str | None:
    return extract_fallback(Document(html, URL), wanted=["title"])[0].get("title")


def test_title_breadcrumb_h1_loses_to_the_article_h2():
    # the h1 is the breadcrumb's last item (an SEO title also in og:title and <title>); the article shows its
    # headline in an h2 that JSON-LD confirms
    body = """<nav><ol><li><a href="/">Home</a></li><li><h1>Harbour tunnel: works start in May</h1></li></ol></nav>
    <article><h2>Harbour tunnel will close the east bank for two years</h2><p>Text.</p><p>More text.</p></article>"""
    html = title_page(body, og="Harbour tunnel: works start in May", tag="Harbour tunnel: works start in May",
                      headline="Harbour tunnel will close the east bank for two years")
    assert title_of(html) == "Harbour tunnel will close the east bank for two years"


def test_title_h2_with_kicker_confirmed_by_og():
    body = """<div class="crumbs breadcrumb"><a href="/">Home</a> <h1>Payments: Europe tries its own system</h1></div>
    <article><h2><span class="title__kicker">Payments initiative</span>
    <span class="title__headline">Can Europe beat the card giants?</span></h2><p>Text.</p><p>More.</p></article>"""
    html = title_page(body, og="Can Europe beat the card giants?", headline="Payments: Europe tries its own system",
                      tag="Payments: Europe tries its own system")
    assert title_of(html) == "Can Europe beat the card giants?"


def test_title_unconfirmed_h2_is_not_the_headline():
    body = """<article><h2>Related stories</h2><p>Text.</p></article>"""
    assert title_of(title_page(body, og="Rivers rise after a week of rain")) == "Rivers rise after a week of rain"


def test_title_kicker_kept_when_structured_data_gives_it():
    body = """<article><h1><span class="kicker">Budget 2024</span> <span>What changes for families</span></h1>
    <p>Text.</p></article>"""
    html = title_page(body, og="Budget 2024: What changes for families", headline="Budget 2024: What changes for families")
    assert title_of(html) == "Budget 2024: What changes for families"


def test_title_kicker_dropped_when_structured_data_gives_another_label():
    # data-attribute kicker; og:title puts a different label before the same headline: the shared part wins
    body = """<article><h1><span data-role="kicker">Storm season</span><span class="h-offscreen" aria-hidden="true"> - </span>
    <span>Rivers burst their banks in the north</span></h1><p>Text.</p></article>"""
    html = title_page(body, og="Flood alert: Rivers burst their banks in the north",
                      tag="Flood alert: Rivers burst their banks in the north")
    assert title_of(html) == "Rivers burst their banks in the north"


def test_title_own_itemprop_headline_does_not_confirm_the_heading():
    # the microdata headline is the h1 itself (kicker included): og:title, which drops the kicker, decides
    body = """<article itemscope itemtype="https://schema.org/NewsArticle">
    <h1 itemprop="headline"><span class="article-title__overline">Minority rights</span>
    <span class="article-title__text">Villagers ask for a say in the new council</span></h1><p>Text.</p></article>"""
    html = title_page(body, og="Villagers ask for a say in the new council",
                      tag="Villagers ask for a say in the new council")
    assert title_of(html) == "Villagers ask for a say in the new council"


def test_title_og_cut_by_an_unescaped_quote_is_ignored():
    body = """<nav><ul><li><h1>Marathon: clear winner and "royal visit"</h1></li></ul></nav><article><p>Text.</p></article>"""
    html = title_page(body, og='Marathon: clear winner and "royal visit"', tag='Marathon: clear winner and "royal visit"',
                      headline="Children's race: parents asked to stay back")
    # og:title broken by its quotes: JSON-LD and <title> are left, JSON-LD first on the tie
    assert title_of(html) == "Children's race: parents asked to stay back"


def test_in_navigation():
    doc = Document("""<html><body><nav><ul><li><h1 id="a">Teaser</h1></li></ul></nav>
    <ul><li><article><h1 id="b">Story</h1><p>One.</p><p>Two.</p></article></li></ul>
    <div class="breadcrumb"><h1 id="c">Crumb</h1></div><main><h1 id="d">Main</h1></main></body></html>""", URL)
    found = {h.get("id"): in_navigation(h) for h in doc.root.iter("h1")}
    assert found == {"a": True, "b": False, "c": True, "d": False}


def test_heading_texts_drops_kicker_and_hidden_children():
    doc = Document("""<html><body><h1><span data-cy="kicker"><em>Tech in class</em></span>
    <span class="sr-only">:</span> <span>AI at school</span></h1></body></html>""", URL)
    full, headline, parts = heading_texts(next(doc.root.iter("h1")))
    assert full.startswith("Tech in class") and full.endswith("AI at school")
    assert headline == "AI at school"
    assert parts == ["AI at school"]
