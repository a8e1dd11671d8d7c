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


def test_an_image_inside_its_caption_element():
    # The caption-classed paragraph holds the picture and the caption text.
    html = page('<p class="caption"><span class="imgbox"><picture><img src="/img/quay.jpg" alt=""></picture></span>'
                '<span class="sub">Divers checked the foundations before the reopening.</span></p>')
    assert caption_texts(html) == ["Divers checked the foundations before the reopening."]


def test_description_class_beside_the_image_is_its_caption():
    html = page('<div class="photo"><div class="photo__frame"><img src="/img/quay.jpg" alt=""></div>'
                '<div class="photo__description">The first trawler back in port on Thursday.</div></div>')
    assert caption_texts(html) == ["The first trawler back in port on Thursday."]


def test_figcaption_right_after_the_picture_outside_any_figure():
    html = page(before='<picture><img src="/img/quay.jpg" alt=""></picture>'
                '<figcaption><span>Cranes were back at work within the hour, Photo: Port Authority</span></figcaption>')
    assert caption_texts(html) == ["Cranes were back at work within the hour, Photo: Port Authority"]


def test_figcaption_beside_the_figure_beats_a_label_inside_it():
    # The figure's only text is a gallery button; its caption is the figcaption next to it.
    html = page('<div class="media"><div class="frame"><figure><img src="/img/quay.jpg" alt="">'
                '<span class="count">View 5 images</span></figure></div>'
                '<figcaption class="media-caption">Crowds on the quay for the first arrival.</figcaption></div>')
    assert caption_texts(html) == ["Crowds on the quay for the first arrival."]


def test_bare_text_beside_an_image_is_a_caption_when_it_carries_a_credit():
    credited = page(before='<div class="top-image"><img src="/img/quay.jpg" alt="">'
                    '<div>The harbour master opens the gates.</div><span>Foto: Jan Example</span></div>')
    assert caption_texts(credited) == ["The harbour master opens the gates. Foto: Jan Example"]
    # Text beside an image without a credit is a player label or a note, not a caption.
    uncredited = page('<div class="top-image"><img src="/img/quay.jpg" alt=""><div>Video player is loading</div></div>')
    fields, _ = extract_fallback(Document(uncredited, URL))
    assert not fields.get("captions")


def test_title_attribute_of_an_image_in_a_textless_figure():
    html = page('<figure><img src="/img/quay.jpg" alt="" '
                'title="The new quay wall seen from the lighthouse at sunrise."></figure>')
    assert caption_texts(html) == ["The new quay wall seen from the lighthouse at sunrise."]
    # a name or a file name is no caption
    assert caption_texts(page('<figure><img src="/img/quay.jpg" title="quay-2024.jpg"></figure>')) == []


def test_teaser_card_in_a_link_is_not_a_caption():
    html = page(after='<figure class="card"><a href="/world/other-story"><img src="/img/other.jpg" alt="">'
                '<figcaption>Another harbour closes for the winter</figcaption></a></figure>')
    assert caption_texts(html) == []
    # a link to the picture itself (a lightbox) is no teaser
    lightbox = page('<figure><a href="/img/quay-large.jpg"><img src="/img/quay.jpg" alt=""></a>'
                    '<figcaption>The quay at high tide.</figcaption></figure>')
    assert caption_texts(lightbox) == ["The quay at high tide."]


def test_credit_after_a_short_caption_is_not_a_credit_alone():
    kept = page('<figure><img src="/img/quay.jpg" alt=""><figcaption>Boats in the bay. (Bild: A. Beispiel/Agency)'
                '</figcaption></figure>')
    assert caption_texts(kept) == ["Boats in the bay. (Bild: A. Beispiel/Agency)"]
    marked = page('<figure><img src="/img/quay.jpg" alt=""><figcaption>The mayor at the quay. — © Agency</figcaption></figure>')
    assert caption_texts(marked) == ["The mayor at the quay. — © Agency"]
    for credit in ("F. Example/IMAGO", "Tous droits réservés Example TV", "Foto: dpa", "© Example Agency"):
        html = page(f'<figure><img src="/img/quay.jpg" alt=""><figcaption>{credit}</figcaption></figure>')
        assert caption_texts(html) == [], credit


def test_byline_under_an_authors_portrait_is_not_a_caption():
    html = page(before='<figure class="writer"><img src="/img/jane.jpg" alt="Jane Example">'
                '<figcaption>Von Jane Example, Redakteurin</figcaption></figure>')
    assert caption_texts(html) == []


def test_custom_image_element_with_its_caption():
    html = page('<div class="image-wrap"><lazy-image data-src="/img/quay.jpg"></lazy-image>'
                '<div class="image-caption-wrap"><span>Tugboats escort the first ship in.</span></div></div>')
    fields, _ = extract_fallback(Document(html, URL))
    assert fields["captions"] == [{"text": "Tugboats escort the first ship in.",
                                   "image_url": "https://news.example.org/img/quay.jpg", "credit": None}]


def test_a_caption_given_twice_is_kept_once():
    one = '<figure><img src="/img/quay.jpg" alt=""><figcaption>The quay at dawn.</figcaption></figure>'
    longer = ('<figure><img src="/img/quay2.jpg" alt=""><figcaption>The quay at dawn. Photo: Port Authority'
              '</figcaption></figure>')
    assert caption_texts(page(one + one)) == ["The quay at dawn."]
    assert caption_texts(page(one + longer)) == ["The quay at dawn."]


def test_a_body_paragraph_beside_an_image_is_not_a_caption():
    # A long paragraph and a credit in one block with the image: the paragraph stays body.
    long = ("The council met on Wednesday evening to discuss the harbour, and after a debate that lasted "
            "well past midnight it voted to pay for a second set of barriers, to be built next spring, so "
            "that the quay walls are never again left open to a storm surge of the kind that broke them.")
    html = page(f'<div class="inline"><img src="/img/quay.jpg" alt=""><p>{long}</p>'
                '<span class="credit">Foto: Jan Example</span></div>')
    fields, _ = extract_fallback(Document(html, URL))
    assert long in fields["body"]
    assert not any(long in c["text"] for c in fields.get("captions") or [])


def test_figure_wrapping_its_image_in_many_styling_divs():
    html = page('<figure class="f1"><div class="a"><div class="b"><div class="c"><div class="d"><div class="e">'
                '<img src="/img/quay.jpg" alt=""></div></div></div></div></div>'
                '<figcaption>Sandbags still line the promenade.</figcaption></figure>')
    assert caption_texts(html) == ["Sandbags still line the promenade."]


def test_two_captions_one_a_part_of_the_other_are_both_kept():
    # "Output of the pump" is not "The output of the pump test" repeated.
    html = page('<figure><img src="/img/a.png" alt=""><figcaption>Output of the pump</figcaption></figure>'
                '<figure><img src="/img/b.png" alt=""><figcaption>The output of the pump test</figcaption></figure>')
    assert caption_texts(html) == ["Output of the pump", "The output of the pump test"]


def test_illustration_credit_alone_is_no_caption():
    html = page('<figure><img src="/img/a.png" alt=""><figcaption>Illustration by Ada Example</figcaption></figure>')
    assert caption_texts(html) == []


def test_no_caption_class_and_headings_are_not_a_caption():
    html = page(before='<div class="list-item item-image no_caption"><h2>Ten things we learned from the storm</h2>'
                '<div class="content"><img src="/img/a.png" alt=""></div></div>')
    fields, _ = extract_fallback(Document(html, URL))
    assert not fields.get("captions")


def test_a_lightbox_link_classed_icon_is_not_an_icon_box():
    html = page('<div class="picture-block"><figure class="image"><a class="slides icon maximize" href="/img/quay-big.jpg">'
                '<picture><img src="/img/quay.jpg" alt=""></picture></a></figure>'
                '<figcaption>Gulls return to the rebuilt pier.</figcaption></div>')
    assert caption_texts(html) == ["Gulls return to the rebuilt pier."]


def test_a_caption_classed_figure_holding_a_link_to_its_image_is_no_teaser():
    html = page('<figure class="wp-caption"><a href="/photos/quay-at-dusk"><img src="/img/quay.jpg" alt=""></a>'
                '<span>The quay at dusk, the day before the reopening.</span></figure>')
    assert caption_texts(html) == ["The quay at dusk, the day before the reopening."]


def test_the_lead_picture_above_the_region_is_the_articles():
    # The picture sits in the <article>, before the block that holds the headline and the body.
    html = page().replace("<main><article>\n<h1>", '<main><article>\n<div class="top"><figure><img src="/img/lead.jpg" alt="">'
                          '<figcaption>The harbour from the air on Thursday.</figcaption></figure></div>\n'
                          '<div class="main-column"><h1>', 1).replace("</div>\n\n</article>", "</div>\n</div>\n</article>", 1)
    assert caption_texts(html) == ["The harbour from the air on Thursday."]
    # a picture after the region (a teaser at the foot of the article) is not taken
    after = page().replace("<main><article>\n<h1>", '<main><article>\n<div class="main-column"><h1>', 1).replace(
        "</div>\n\n</article>", '</div>\n</div>\n<div class="more"><figure><img src="/img/other.jpg" alt="">'
        '<figcaption>Storm clouds over the bay last winter.</figcaption></figure></div>\n</article>', 1)
    assert caption_texts(after) == []
