"""The general byline rules of the generic layer and the byline parser, each on a small page
(or line) of our own: where a byline may be found, how a name is cleaned, what is a source."""
from __future__ import annotations

import pytest

from newscrawl.extract.authors import parse_byline
from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback
from newscrawl.extract.generic.bylines import edge_bylines, outlet_credit, person_names

URL = "https://www.dailyexample.com/news/2024/03/13/harbour-wall-repaired"

PARAGRAPHS = [
    "Workers finished repairing the old harbour wall on Tuesday, two months after a winter storm tore a gap in it.",
    "The fishing fleet had moored in the river mouth since January, which cost the skippers a long detour each day.",
    "Engineers filled the breach with granite blocks taken from the quarry that supplied the original wall in 1880.",
    "The harbour master said boats could use the inner basin again from Thursday, weather permitting, at high tide.",
    "A survey of the outer breakwater is planned for the spring, and the council has set money aside for the work.",
    "Residents who walk along the wall in the evenings said they were glad to have their favourite path back again.",
]


def page(article: str = "", head: str = "", after: str = "", title: str = "Harbour wall repaired after storm",
         end: str = "") -> str:
    """An article page: ``article`` goes between the headline and the body, ``end`` at the end of
    the body, ``after`` after it."""
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS) + end
    return f"""<!doctype html>
<html lang="en"><head><title>{title} | Daily Example</title>
<meta property="og:site_name" content="Daily Example">
{head}
</head><body>
<header class="site-header"><a href="/">Daily Example</a></header>
<main><article>
<h1>{title}</h1>
{article}
<div class="article-body">
{body}
</div>
{after}
</article></main>
<footer class="site-footer"><p>Daily Example, 1 Harbour Road</p></footer>
</body></html>"""


def authors_and_source(html: str) -> tuple[list[str], str | None]:
    fields, _ = extract_fallback(Document(html, URL))
    return fields.get("authors") or [], fields.get("source")


# --------------------------------------------------------------------------- where a byline is not


@pytest.mark.parametrize("box", [
    # a photographer's credit in a figure is not the story's byline
    '<figure><img src="/a.jpg" alt=""><figcaption>The wall at low tide. '
    '<span class="author">Peter Lens</span></figcaption></figure>',
    # a related article's writer
    '<div class="related-articles"><h3>More on the coast</h3><ul><li><a href="/news/dunes">Dunes shift</a> '
    '<span class="byline">By Rita Coast</span></li></ul></div>',
    # a teaser card with an author-page link
    '<div class="teaser"><a href="/news/ferry">Ferry returns</a> <a href="/author/sam-tide">Sam Tide</a></div>',
    # a share bar's handles
    '<div class="share-tools"><span class="byline">By Mail Friend</span> <a href="/share/mail">Mail</a></div>',
    # an affiliate / commerce box
    '<div class="affiliate-box"><p class="byline">By Anchor Gear Shop</p><a href="https://shop.example/anchor">Buy</a></div>',
    # an aside with another article's author box
    '<aside><div class="author">Olga Other</div><p>Olga writes about <a href="/news/farm-prices">farm prices</a>.</p></aside>',
])
def test_bylines_inside_foreign_boxes_are_not_taken(box):
    # The box sits in the article, after the body; the page names no author elsewhere.
    authors, source = authors_and_source(page(after=box))
    assert authors == [] and source is None


def test_the_articles_own_byline_wins_over_a_related_box_before_it():
    related = ('<div class="related"><a href="/news/gulls">Gulls return</a> '
               '<a href="/author/rita-coast">Rita Coast</a></div>')
    authors, _ = authors_and_source(page(article=related + '<p class="byline">By Jane Doe</p>'))
    assert authors == ["Jane Doe"]


def test_a_label_alone_in_an_author_box_is_no_name():
    # "<div class=author-by>Von</div>" is the label of the byline beside it, never a name.
    box = '<div class="post-author-name"><div class="author-by">Von</div> <a href="/author/x">Erna Beispiel</a></div>'
    authors, _ = authors_and_source(page(article=box))
    assert authors == ["Erna Beispiel"]


# --------------------------------------------------------------------------- how a byline is found


def test_name_followed_by_a_bar_and_a_date():
    authors, _ = authors_and_source(page(article='<p class="byline">Jane Doe | 3 March 2024</p>'))
    assert authors == ["Jane Doe"]


def test_by_line_with_furniture_and_a_bullet_date():
    authors, _ = authors_and_source(page(article='<div class="meta"><span>// By Arun Example • Nov 11, 2020</span></div>'))
    assert authors == ["Arun Example"]


@pytest.mark.parametrize("byline, names", [
    ("Jane Doe, reporter", ["Jane Doe"]),
    ("Reporter Jane Doe", ["Jane Doe"]),
    ("By Jane Doe, Washington correspondent", ["Jane Doe"]),
    ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ("Von Eva Schmidt, Redakteurin", ["Eva Schmidt"]),
    ("Redakteur Hans Meier", ["Hans Meier"]),
    ("Thu Hằng, phóng viên", ["Thu Hằng"]),
    ("Phóng viên Thu Hằng", ["Thu Hằng"]),
])
def test_role_words_are_not_part_of_the_name(byline, names):
    authors, _ = authors_and_source(page(article=f'<div class="byline">{byline}</div>'))
    assert authors == names


def test_a_role_alone_is_still_a_credit():
    # "Phóng viên" / "Staff writer" alone stand for the writers (the parser's generic credits).
    assert parse_byline("Phóng viên").authors == ["Phóng viên"]
    assert parse_byline("Staff writer").authors == ["Staff writer"]


def test_agency_credit_alone_is_the_source():
    authors, source = authors_and_source(page(article='<div class="byline">AFP, MANILA</div>'))
    assert authors == [] and source == "AFP"


def test_label_element_before_the_name():
    block = '<ul class="facts"><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autorin/Autor</strong> Roman Beispiel</li></ul>'
    authors, _ = authors_and_source(page(after=block))
    assert authors == ["Roman Beispiel"]


def test_label_with_a_colon_then_linked_names():
    block = ('<ul class="infos"><li>Von: <span class="person-link"><a href="/bill-example">Bill EXAMPLE</a>, </span>'
             '<span class="person-link"><a href="/mara-example">Mara EXAMPLE</a></span></li></ul>')
    authors, _ = authors_and_source(page(article=block))
    assert authors == ["Bill EXAMPLE", "Mara EXAMPLE"]  # as printed: only a name in capitals alone is recased


def test_translation_credit_naming_an_agency_desk_is_the_source():
    block = ('<ul class="infos"><li>Von: <a href="/bill-example">Bill Example</a></li>'
             '<li>Übersetzung und Adaptierung: <a href="/afp-de">AFP Deutschland</a></li></ul>')
    authors, source = authors_and_source(page(article=block))
    assert authors == ["Bill Example"] and source == "AFP Deutschland"
    # a person translating is a credit, neither an author nor a source
    credit = parse_byline("Übersetzung: Jana Beispiel")
    assert credit.authors == [] and credit.source is None


def test_kicker_before_the_label_in_a_byline_box():
    box = ('<div class="autor-wrapper"><span class="type">Disko</span> <span class="label">Von</span> '
           '<span class="name"><a href="/people/erna">Erna Beispiel</a></span></div>')
    authors, _ = authors_and_source(page(article=box))
    assert authors == ["Erna Beispiel"]


def test_author_path_in_german():
    authors, _ = authors_and_source(page(article='<p><a href="/autorin/erna-beispiel">Erna Beispiel</a></p>'))
    assert authors == ["Erna Beispiel"]


def test_rel_author_declares_a_single_name():
    authors, _ = authors_and_source(page(article='<div class="meta"><a rel="author" href="/u/1">Paddy</a> · 19 April</div>'))
    assert authors == ["Paddy"]


def test_itemprop_author_person_with_a_single_name_beats_a_widget_byline():
    widget = '<div class="sidebar"><div class="book-author">by Akira Example</div></div>'
    post = ('<span class="post-author" itemprop="author" itemscope itemtype="http://schema.org/Person">'
            '<a rel="author" href="/profile/1"><span itemprop="name">Weingummi</span></a></span>')
    authors, _ = authors_and_source(page(article=post, after=widget))
    assert authors == ["Weingummi"]


def test_sign_off_before_a_signature():
    assert parse_byline("Deine Mady").authors == ["Mady"]
    assert parse_byline("Liebe Grüße, Anna Beispiel").authors == ["Anna Beispiel"]
    html = page(end="<p>Deine Mady</p>")
    authors, _ = authors_and_source(html)
    assert authors == ["Mady"]


@pytest.mark.parametrize("text, name", [
    ("Perry Example Jr.", "Perry Example Jr."),
    ("Nicolas Gutierrez C.", "Nicolas Gutierrez C."),
    ("Thu Hằng.", "Thu Hằng"),  # a full stop after a word is punctuation
])
def test_full_stop_of_an_initial_or_suffix_is_kept(text, name):
    assert parse_byline(text).authors == [name]


# --------------------------------------------------------------------------- what is a person


def test_account_and_section_names_are_no_person():
    person = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour wall repaired after storm", ' \
             '"author": {"@type": "Person", "name": "Nachrichten"}}'
    html = page(head=f'<script type="application/ld+json">{person}</script><meta name="author" content="admin">')
    authors, _ = authors_and_source(html)
    assert authors == []
    assert person_names("Unknown", declared_person=True)[0] == []
    # a desk credit stands for the writers, as the parser's generic credits do
    assert person_names("Redaktion", declared_person=True)[0] == ["Redaktion"]


def test_outlet_and_partner_credit_at_the_end_is_the_source():
    keys = {"daily example", "dailyexample"}
    assert outlet_credit("Daily Example / Última Hora", keys) == "Última Hora"
    assert outlet_credit("Jane Doe / John Smith", keys) is None
    authors, source = authors_and_source(page(end="<p>Daily Example / Última Hora</p>"))
    assert authors == [] and source == "Última Hora"


def test_recipe_author_when_there_is_no_article_node():
    recipe = '{"@context": "https://schema.org", "@type": "Recipe", "name": "Lemon cake", ' \
             '"author": {"@type": "Person", "name": "kathrin"}}'
    authors, _ = authors_and_source(page(head=f'<script type="application/ld+json">{recipe}</script>'))
    assert authors == ["kathrin"]


def test_meta_author_in_chinese_is_one_name():
    authors, _ = authors_and_source(page(head='<meta name="author" content="肖春芳">'))
    assert authors == ["肖春芳"]
    # a single Latin word in a meta author is believed too, an account word is not
    assert authors_and_source(page(head='<meta name="author" content="Paddy">'))[0] == ["Paddy"]


def test_structured_author_credited_as_editor_gives_way_to_the_byline():
    person = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour wall repaired after storm", ' \
             '"author": {"@type": "Person", "name": "Heri Editor"}}'
    html = page(head=f'<script type="application/ld+json">{person}</script>',
                article='<div class="author-2">Naufal Writer</div>',
                after='<div class="info-author">Editor : <a class="author" href="/author/9/heri">Heri Editor</a></div>')
    authors, _ = authors_and_source(html)
    assert authors == ["Naufal Writer"]
    # without the editor credit the structured author stands
    html = page(head=f'<script type="application/ld+json">{person}</script>',
                article='<div class="author-2">Naufal Writer</div>')
    assert authors_and_source(html)[0] == ["Heri Editor"]


# --------------------------------------------------------------------------- signatures


def test_a_name_like_line_between_paragraphs_is_not_a_signature():
    blocks = [("p", PARAGRAPHS[0], 0.0), ("p", "Store Consumer", 0.0), ("p", PARAGRAPHS[1], 0.0)]
    assert edge_bylines(blocks, ["Store Consumer"]) == []
    blocks = [("p", PARAGRAPHS[0], 0.0), ("p", PARAGRAPHS[1], 0.0), ("p", "Jane Doe", 0.0)]
    assert edge_bylines(blocks, ["Jane Doe"]) == ["Jane Doe"]


def test_meta_author_beats_a_bold_name_like_line_inside_the_body():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + "<p><b>Store Consumer</b></p>" + \
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    html = f"""<html lang="en"><head><title>Harbour wall</title><meta name="author" content="Arun Example"></head>
    <body><article><h1>Harbour wall repaired after storm</h1>{body}</article></body></html>"""
    fields, _ = extract_fallback(Document(html, URL))
    assert fields.get("authors") == ["Arun Example"]


def test_declared_acronym_is_a_source():
    authors, source = authors_and_source(page(head='<meta name="author" content="BNS">'))
    assert authors == [] and source == "BNS"


def test_many_name_lines_at_the_end_are_a_list_not_a_signature():
    names = ["Luke Example", "Eric Sample", "Carrie Instance", "Thomas Case"]
    blocks = [("p", PARAGRAPHS[0], 0.0), ("p", PARAGRAPHS[1], 0.0), *[("p", n, 0.0) for n in names]]
    assert edge_bylines(blocks, names) == []
    # a labelled byline counts wherever it stands
    blocks = [("p", PARAGRAPHS[0], 0.0), ("p", "Par Jacques Exemple", 0.0), ("p", PARAGRAPHS[1], 0.0)]
    assert edge_bylines(blocks, ["Par Jacques Exemple"]) == ["Par Jacques Exemple"]


def test_an_aside_that_links_nowhere_is_the_articles_own():
    html = page(article='<aside class="article-aside"><div class="article-author"><p>von</p> '
                        '<div class="article-author__source">APA</div></div><div class="date">Donnerstag</div></aside>')
    assert authors_and_source(html) == ([], "APA")


def test_the_articles_header_box_under_the_headline_is_not_a_teaser():
    # a header box whose class says "teaser" but that sits under the headline and links only
    # to the author's page is the article's own byline box
    html = page(article='<div class="teaser-small__meta"><p class="byline__author">VON <a href="/autoren/erna-beispiel">'
                        'ERNA BEISPIEL</a> am 21. April 2020</p></div>')
    assert authors_and_source(html)[0] == ["Erna Beispiel"]


@pytest.mark.parametrize("byline, names, source", [
    ("Brenda Example, MA", ["Brenda Example"], None),
    ("Ryan Example, CEO", ["Ryan Example"], None),
    ("Nathan Example | KUT", ["Nathan Example"], "KUT"),
    ("Erstellt von Fabian Beispiel am Dienstag 6. Mai 2014", ["Fabian Beispiel"], None),
    ("by jo3_1000 | Jun 2, 2020 | Executive Blogs |", [], None),  # not a name; the category after the date neither
])
def test_degrees_outlets_and_dates_after_a_name(byline, names, source):
    got = parse_byline(byline)
    assert got.authors == names and got.source == source


def test_addresses_and_titles_are_no_names():
    assert person_names("cipha[at]example.net", declared=True)[0] == []
    assert person_names("publisher", declared=True)[0] == []
    assert parse_byline("The Garden · Derek Example (1990)").authors == []


def test_editorial_is_not_an_editor_credit():
    from newscrawl.extract.generic.bylines import _EDITOR_LABEL
    assert _EDITOR_LABEL.match("Editor : Heri Example") and _EDITOR_LABEL.match("责任编辑：肖春芳")
    assert not _EDITOR_LABEL.match("Editorial Board: Jane Doe")
