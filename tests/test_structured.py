"""Unit tests for newscrawl.extract.structured (JSON-LD, microdata, meta) on small hand-written pages."""
from __future__ import annotations

from newscrawl.extract.document import Document
from newscrawl.extract.jsonld import author_entries
from newscrawl.extract.structured import StructuredData

URL = "https://news.example.org/world/2024/03/13/flood-relief.html"


def page(head: str = "", body: str = "<h1>Headline</h1><p>Text.</p>") -> Document:
    return Document(f"<!doctype html><html lang='en'><head>{head}</head><body>{body}</body></html>", URL)


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


GRAPH = ld("""{
  "@context": "https://schema.org",
  "@graph": [
    {"@type": "WebSite", "@id": "https://news.example.org/#website", "name": "Example News"},
    {"@type": "Organization", "@id": "https://news.example.org/#org", "name": "Example News Ltd"},
    {"@type": "Person", "@id": "https://news.example.org/#/person/jane", "name": "Jane Doe"},
    {"@type": ["NewsArticle"], "@id": "https://news.example.org/world/2024/03/13/flood-relief.html#article",
     "headline": "Flood relief reaches the delta",
     "datePublished": "2024-03-13T14:31:00+07:00", "dateModified": "2024-03-13T16:00:00+07:00",
     "author": [{"@id": "https://news.example.org/#/person/jane"}],
     "publisher": {"@id": "https://news.example.org/#org"},
     "image": {"@type": "ImageObject", "url": "/img/flood.jpg"},
     "keywords": "floods, delta, relief",
     "articleSection": "World",
     "mainEntityOfPage": "https://news.example.org/world/2024/03/13/flood-relief.html"}
  ]
}""")


def test_graph_article_with_id_references():
    data = StructuredData(page(GRAPH))
    assert data.article["headline"] == "Flood relief reaches the delta"
    assert data.author_candidates()[0] == ([("Jane Doe", "person")], "jsonld")
    assert data.published_candidates()[0] == ("2024-03-13T14:31:00+07:00", "jsonld")
    assert data.modified_candidates()[0] == ("2024-03-13T16:00:00+07:00", "jsonld")
    assert data.images() == (["https://news.example.org/img/flood.jpg"], "jsonld")
    assert data.tags() == (["floods", "delta", "relief"], "jsonld")
    assert data.section() == ("World", "jsonld")
    assert "Example News Ltd" in data.publisher_names()


def test_structured_candidates_report_layers():
    head = GRAPH + '<meta property="og:title" content="Flood relief | Example News">'
    data = StructuredData(page(head))
    title, title_layer = data.titles()[0]
    assert title == "Flood relief reaches the delta"
    assert title_layer == "jsonld"
    assert data.published_candidates()[0][0] == "2024-03-13T14:31:00+07:00"
    entries, authors_layer = data.author_candidates()[0]
    assert [name for name, _ in entries] == ["Jane Doe"]
    assert authors_layer == "jsonld"


def test_related_articles_in_an_item_list_are_not_the_article():
    related = ld("""{"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": {"@type": "NewsArticle", "headline": "Other story",
         "datePublished": "2020-01-01T00:00:00Z", "url": "https://news.example.org/other.html"}}]}""")
    main = ld("""{"@context": "https://schema.org", "@type": "Article", "headline": "The real story",
        "datePublished": "2024-03-13T09:00:00Z", "url": "%s"}""" % URL)
    data = StructuredData(page(related + main))
    assert data.article["headline"] == "The real story"
    assert data.published_candidates()[0][0] == "2024-03-13T09:00:00Z"


def test_broken_json_ld_is_repaired_or_skipped():
    trailing_comma = ld("""<!-- cms -->{"@context": "https://schema.org", "@type": "NewsArticle",
        // generated
        "headline": "Repaired headline", "author": {"@type": "Person", "name": "An Author"},}""")
    garbage = ld("{ this is not json at all")
    data = StructuredData(page(garbage + trailing_comma))
    assert data.article["headline"] == "Repaired headline"
    assert data.author_candidates()[0][0] == [("An Author", "person")]


def test_several_objects_in_one_block_and_lists():
    block = ld("""[{"@type": "BreadcrumbList", "itemListElement": []},
                   {"@type": "ReportageNewsArticle", "headline": "From a list", "datePublished": "2024-01-02"}]
                  {"@type": "Organization", "name": "Trailing object"}""")
    data = StructuredData(page(block))
    assert data.article["headline"] == "From a list"
    assert "Trailing object" in {n.get("name") for n in data.jsonld.nodes}


def test_author_entries_kinds():
    value = [
        {"@type": "Person", "givenName": "Anna", "familyName": "Fink"},
        {"@type": "Organization", "name": "dpa"},
        "Plain Name",
        {"@type": "Person", "name": "https://example.org/author/x"},
    ]
    assert author_entries(value) == [("Anna Fink", "person"), ("dpa", "org"), ("Plain Name", "text")]


def test_microdata_article():
    body = """
    <article itemscope itemtype="https://schema.org/NewsArticle">
      <h1 itemprop="headline">Microdata headline</h1>
      <time itemprop="datePublished" datetime="2024-02-01T08:15:00+01:00">1 Feb</time>
      <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Max Muster</span></span>
      <div itemprop="articleBody"><p>Body.</p></div>
    </article>"""
    data = StructuredData(page("", body))
    assert data.titles()[0] == ("Microdata headline", "microdata")
    assert data.published_candidates()[0] == ("2024-02-01T08:15:00+01:00", "microdata")
    assert data.author_candidates()[0] == ([("Max Muster", "person")], "microdata")


def test_open_graph_and_meta_tags():
    head = """
      <meta property="og:title" content="OG headline">
      <meta property="og:description" content="What happened, in one sentence.">
      <meta property="og:image" content="https://cdn.example.org/a.jpg">
      <meta property="article:published_time" content="2024-05-06T07:08:09Z">
      <meta property="article:tag" content="one"><meta property="article:tag" content="two">
      <meta name="author" content="Jo Writer">
      <meta property="og:locale" content="de_DE">
      <link rel="canonical" href="/world/flood-relief">"""
    data = StructuredData(page(head))
    assert data.article is None
    assert data.titles()[0] == ("OG headline", "meta")
    assert data.descriptions()[0] == ("What happened, in one sentence.", "meta")
    assert data.published_candidates()[0] == ("2024-05-06T07:08:09Z", "meta")
    assert data.tags() == (["one", "two"], "meta")
    assert data.images() == (["https://cdn.example.org/a.jpg"], "meta")
    assert data.author_candidates() == [([("Jo Writer", "text")], "meta")]
    assert data.canonical() == ("https://news.example.org/world/flood-relief", "meta")
    assert data.language() == ("de_DE", "meta")


def test_no_structured_data_and_garbage_never_raise():
    for raw in (b"", b"\x00\x01\x02\xff\xfe binary", b"<html><head><title>x", "<p>only a paragraph"):
        data = StructuredData(Document(raw, URL))
        for candidates in (data.titles(), data.descriptions(), data.published_candidates(),
                           data.modified_candidates(), data.author_candidates()):
            assert isinstance(candidates, list)
        for pair in (data.section(), data.tags(), data.images(), data.language(), data.canonical()):
            assert pair is None or (pair[0] and pair[1] in ("jsonld", "microdata", "meta"))


def test_meta_cut_by_an_unescaped_quote_is_skipped():
    html = """<html><head>
    <meta property="og:title" content="Marathon: clear winner and "royal visit"">
    <meta name="twitter:title" content="Marathon: clear winner and "royal visit"">
    <meta property="og:description" content="A day of records.">
    <meta name="description" content="Runners' day" data-rh="true">
    </head><body></body></html>"""
    data = StructuredData(Document(html, "https://example.com/a"))
    assert data.meta_first("og:title") is None
    assert data.meta_first("twitter:title") is None
    assert data.meta_first("og:description") == "A day of records."
    assert data.meta_first("description") == "Runners' day"
