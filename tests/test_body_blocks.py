"""The typed body (``blocks``, schema 1.2) and the body rules of the generic layer, on small pages of our own."""
from __future__ import annotations

from newscrawl import extract_article
from newscrawl.crawl.pipelines.validate import ArticleValidator
from newscrawl.extract.normalize import blocks_for_body, clean_article
from newscrawl.sites import parse_site

URL = "https://example.org/news/2024/story-1"
LONG = "is long enough to be read as a paragraph of the article, and it goes on for a few more words"


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>The headline</title>{head}</head><body>{body}</body></html>"


def article(inner: str, head: str = "") -> dict:
    return extract_article(page(f"<article><h1>The headline</h1>{inner}</article>", head), URL)


def without_headings(blocks: list[dict]) -> list[str]:
    return [b["text"] for b in blocks if b["type"] != "heading"]


# --------------------------------------------------------------------------- the field


def test_blocks_type_the_body_and_keep_the_sub_headings_the_body_leaves_out():
    item = article(f"<p>The first paragraph {LONG}.</p><h2>What happened next</h2><p>The second paragraph {LONG}.</p>"
                   f"<ul><li>A first point of a list with a few words</li><li>A second point with a few words</li></ul>"
                   f"<blockquote>A quotation of someone who said something worth quoting here</blockquote>"
                   f"<p>The third paragraph {LONG}.</p>")
    types = [(b["type"], b["text"][:16]) for b in item["blocks"]]
    assert types == [
        ("paragraph", "The first paragr"), ("heading", "What happened ne"), ("paragraph", "The second parag"),
        ("list_item", "A first point of"), ("list_item", "A second point w"), ("quote", "A quotation of s"),
        ("paragraph", "The third paragr"),
    ]
    assert "What happened next" not in item["body"]
    assert without_headings(item["blocks"]) == item["body"]
    assert item["extraction"]["blocks"] == item["extraction"]["body"] == "generic"
    assert ArticleValidator().schema_reasons(item) == []


def test_a_heading_before_the_first_or_after_the_last_paragraph_is_not_a_sub_heading():
    item = article(f"<h2>A kicker above the text</h2><p>The first paragraph {LONG}.</p>"
                   f"<p>The second paragraph {LONG}.</p><h2>Comments</h2>")
    assert [b["type"] for b in item["blocks"]] == ["paragraph", "paragraph"]


def test_blocks_follow_the_final_cleaning_of_the_body():
    blocks = [{"type": "heading", "text": "Kicker"}, {"type": "paragraph", "text": "Lead."},
              {"type": "paragraph", "text": "One."}, {"type": "heading", "text": "Sub"},
              {"type": "list_item", "text": "Two."}, {"type": "paragraph", "text": "By A. Writer"}]
    assert blocks_for_body(["One.", "Two."], blocks) == [
        {"type": "paragraph", "text": "One."}, {"type": "heading", "text": "Sub"}, {"type": "list_item", "text": "Two."}]
    # A body paragraph no block names (another producer's, or one the cleaning changed) is a paragraph.
    assert blocks_for_body(["Three."], blocks) == [{"type": "paragraph", "text": "Three."}]


def test_another_producers_item_gets_blocks_from_its_body_and_cleaning_is_idempotent():
    item = clean_article({"title": "T", "body": ["One &amp; two.", " ", "Three."]})
    assert item["blocks"] == [{"type": "paragraph", "text": "One & two."}, {"type": "paragraph", "text": "Three."}]
    again = clean_article(dict(item))
    assert again["blocks"] == item["blocks"] and again["body"] == item["body"]


def test_a_site_files_body_is_typed_from_the_selected_elements():
    site = parse_site({"name": "example", "hosts": ["example.org"], "base_url": "https://example.org",
                       "layouts": [{"detect": "article", "title": "h1", "body": "div.body",
                                    "paragraphs": "p, h2, blockquote, li"}]}, "example.toml")
    html = page(f"<article><h1>The headline</h1><div class='body'><p>The first paragraph {LONG}.</p>"
                f"<h2>Sub-heading</h2><ul><li>An item</li></ul><blockquote>Said so</blockquote></div></article>")
    item = extract_article(html, URL, site=site)
    assert [b["type"] for b in item["blocks"]] == ["paragraph", "heading", "list_item", "quote"]
    assert [b["text"] for b in item["blocks"]] == item["body"]  # the site's selectors put the sub-heading in body
    assert item["extraction"]["blocks"] == "site"
