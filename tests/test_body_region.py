"""The body's layout check (refine_body) and the article region (dom.py), on small pages of our own."""
from __future__ import annotations

from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback

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
