"""The generic caption rules (newscrawl/extract/generic/captions.py), each on a small page of our own."""
from __future__ import annotations

from newscrawl.extract.document import Document
from newscrawl.extract.fallback import extract_fallback

URL = "https://news.example.org/world/2024/05/02/harbour-reopens"

PARAGRAPHS = [
    "The harbour reopened to shipping on Thursday after three weeks of repairs to the storm-damaged quay walls.",
    "Port officials said the first container ship was expected to dock on Friday morning, weather permitting.",
    "Fishermen who had moored their boats in a neighbouring bay began returning as soon as the barriers lifted.",
    "The repair bill has not yet been published, but the council said insurance would cover most of the cost.",
    "Engineers will inspect the quay every month until the end of the year to make sure the new walls hold.",
]


def page(figures: str = "", head: str = "", before: str = "", after: str = "") -> str:
    """An article page: ``before`` between headline and body, ``figures`` after the second paragraph."""
    first = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    rest = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return f"""<!doctype html>
<html lang="en"><head><title>Harbour reopens after repairs</title>
<meta property="og:title" content="Harbour reopens after repairs">
{head}
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<main><article>
<h1>Harbour reopens after repairs</h1>
{before}
<div class="story-body">
{first}
{figures}
{rest}
</div>
{after}
</article></main>
<footer>All rights reserved.</footer>
</body></html>"""


def caption_texts(html: str) -> list[str]:
    fields, _ = extract_fallback(Document(html, URL))
    assert fields["body"] == PARAGRAPHS, "a caption rule must not cost the body a paragraph"
    return [c["text"] for c in fields.get("captions") or []]


def test_picture_with_many_sources_still_reaches_its_figure():
    sources = "".join(f'<source srcset="/img/quay-{w}.webp {w}w" media="(min-width: {w}px)">' for w in (400, 800, 1200, 1600, 2000))
    html = page(f'<figure class="embedded"><picture>{sources}<img src="/img/quay.jpg" alt=""></picture>'
                '<figcaption>The repaired quay wall at low tide.</figcaption></figure>')
    assert caption_texts(html) == ["The repaired quay wall at low tide."]
