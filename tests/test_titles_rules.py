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
