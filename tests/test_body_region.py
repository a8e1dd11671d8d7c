"""The body's layout check (refine_body) and the article region (dom.py), on small pages of our own."""
from __future__ import annotations

from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback
from newscrawl.extract.generic.body import refine_body
from newscrawl.extract.generic.dom import all_text, container_of, locate_paragraphs

URL = "https://news.example.org/2024/05/harbour-report"

TEXT = [
    "The harbour authority published its yearly report on Tuesday, showing record numbers of ships at the quays.",
    "Container traffic rose by almost a tenth, while the number of passenger ferries stayed about the same.",
    "Dock workers said the new cranes had made the busiest weeks of the summer far easier to get through.",
    "The authority plans to deepen the main channel next year so that larger vessels can reach the inner basin.",
    "Environmental groups asked for a study of the dredging's effect on the fish that spawn near the river mouth.",
]


def page(body: str, head: str = "", outside: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>Harbour report shows record year</title>{head}</head>
<body><header><a href="/">Example News</a></header>
<main><article><h1>Harbour report shows record year</h1>
<div class="story">{body}</div></article>{outside}</main>
<footer>Example News, all rights reserved.</footer></body></html>"""


def body_of(html: str) -> list[str]:
    fields, _ = extract_fallback(Document(html, URL))
    return fields.get("body") or []


def test_paragraph_holding_a_teaser_box_is_not_a_link_list():
    # The teaser <section> inside an unclosed <p> stays in the <p>'s element when parsed:
    # its links are not the paragraph's.
    teasers = "".join(f'<li><a href="/story/{i}">Another story number {i} with a long headline about other things</a></li>'
                      for i in range(6))
    body = "".join(f"<p>{t}</p>" for t in TEXT[:3])
    body += f'<p>{TEXT[3]}\n<section class="trending"><h2>Trending</h2><ul>{teasers}</ul></section></p>'
    body += f"<p>{TEXT[4]}</p>"
    got = body_of(page(body))
    assert any(p.startswith(TEXT[3][:40]) for p in got), got
    assert not any("Another story number" in p for p in got)


def _story(paragraphs, cls="text"):
    return f'<div class="{cls}">' + "".join(f"<p>{t}</p>" for t in paragraphs) + "</div>"


def refined(html: str, paragraphs: list[str]) -> list[str]:
    """refine_body on trafilatura's paragraphs as given (``paragraphs``), the region the page's <article>."""
    doc = Document(html, URL)
    hits = locate_paragraphs(doc, paragraphs)
    region = next(doc.root.iter("article"))
    return refine_body(doc, paragraphs, hits, region)


def test_paragraph_styled_like_the_body_in_a_call_to_action_box_is_not_added():
    # The completion by style adds paragraphs of the body's style that trafilatura missed;
    # one in a fly-out or call-to-action box is an appeal, not the article.
    appeal = ("Every small donation helps the people of this world who need it most, so please give what you can "
              "today and share this appeal with your friends.")
    course = ("You need to stay ahead in your job, but there is too much to learn and you do not know where to start; "
              "our course shows you the way in a few weeks.")
    body = _story(TEXT[:3])
    body += f'<div class="c-flyout js-flyout"><div class="c-flyout__body">{_story(["Donate now", appeal])}</div></div>'
    body += _story(TEXT[3:])
    body += f'<div class="cta">{_story(["Learn more", course])}</div>'
    assert refined(page(body), TEXT) == TEXT


def test_paragraphs_of_the_next_posts_of_a_listing_are_not_added():
    # A blog's front page: the first post is the article; the posts below it look the same
    # (same paragraph style) but each has its own title linking to its page.
    other = [
        "Our second post of the month looks back at the spring market, with its stalls, music and far too much cake.",
        "Many readers wrote to us about the market, and we have collected their stories and photographs in this post.",
    ]
    def post(n, title, paragraphs):
        return (f'<div class="post post-{n}"><h2 class="entry-title"><a href="/{n}/">{title}</a></h2>'
                + _story(paragraphs, "entry-content") + "</div>")
    html = f"""<!doctype html><html lang="en"><head><title>Harbour report shows record year</title></head>
<body><div class="feed"><h1>Harbour report shows record year</h1>
{post(1, "Harbour report shows record year", TEXT)}{post(2, "Spring market", other)}</div></body></html>"""
    doc = Document(html, URL)
    region = next(el for el in doc.root.iter("div") if el.get("class") == "feed")
    got = refine_body(doc, TEXT, locate_paragraphs(doc, TEXT), region)
    assert got == TEXT


def test_article_split_into_blocks_is_still_completed():
    # The same style in two blocks of one article, a sub-heading between them: the missed
    # paragraph of the second block is added.
    def block(paragraphs):  # a block's first words are not its first paragraph's, so each <p> is located
        return '<div class="text"><span>Harbour</span>' + "".join(f"<p>{t}</p>" for t in paragraphs) + "</div>"
    html = page(block(TEXT[:3]) + '<div class="ad">Advertisement</div><h2>Next year</h2>' + block(TEXT[3:]))
    assert refined(html, TEXT[:4]) == TEXT


def test_container_of_two_paragraphs_is_the_long_texts_not_a_banners():
    # Two located paragraphs: a one-line notice nested deep in the page's frame and the
    # article's long text. By count either one is 70 %; the container holds the long one.
    banner = "This page was saved by an archive of the web, which has kept copies of public pages since the nineties."
    long_text = " ".join(TEXT * 3)
    html = f"""<!doctype html><html><body><div class="frame"><span>Archive</span><div><span>Notice</span><div><p>{banner}</p></div></div></div>
<div class="page"><h1>Harbour report shows record year</h1><div class="entry"><p>{long_text}</p></div></div></body></html>"""
    doc = Document(html, URL)
    container = container_of(locate_paragraphs(doc, [banner, long_text]))
    entry = next(el for el in doc.root.iter("div") if el.get("class") == "entry")
    assert container is not None and (container is entry or container in set(entry.iterancestors()))
    assert container.tag != "body" and "archive" not in all_text(container)


def test_paragraph_located_in_a_block_that_goes_on_with_link_lists_is_kept():
    # trafilatura gives a block's opening text as the paragraph; the element found for it
    # also holds long lists of links: those are not the paragraph's links.
    links = "".join(f'<li><a href="/archive/{i}">Archived entry number {i} of the list of all entries</a></li>'
                    for i in range(12))
    lone = TEXT[0] + " " + TEXT[1]
    html = page(f'<div class="entry-content">{lone}<ul>{links}</ul></div>')
    doc = Document(html, URL)
    hits = locate_paragraphs(doc, [lone])
    assert hits[0] is not None and len(all_text(hits[0])) > 2 * len(lone)
    assert refine_body(doc, [lone], hits, next(doc.root.iter("article"))) == [lone]
