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
        {"type": "paragraph", "text": "One."}, {"type": "heading", "text": "Sub"},
        {"type": "list_item", "text": "Two."}]
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


# --------------------------------------------------------------------------- the body rules


def test_a_comment_inside_a_paragraph_neither_cuts_it_nor_doubles_it():
    item = article(f"<p>The first paragraph {LONG}.</p>"
                   f"<p>The second paragraph holds a comment <!-- editor: check --> and the text after it {LONG}.</p>"
                   f"<p>The third paragraph {LONG}.</p><p>The fourth paragraph {LONG}.</p>")
    second = [p for p in item["body"] if p.startswith("The second")]
    assert second == [f"The second paragraph holds a comment and the text after it {LONG}."]


def test_the_page_is_whole_again_after_trafilatura_read_it_without_its_comments():
    from lxml import etree

    from newscrawl.extract.document import Document
    from newscrawl.extract.generic.body import trafilatura_blocks

    doc = Document(page(f"<article><p>One <!-- a --><!-- b --> two <b>x</b><!-- c -->y {LONG}.</p></article>"), URL)
    before = etree.tostring(doc.root)
    assert trafilatura_blocks(doc)
    assert etree.tostring(doc.root) == before


def test_a_line_break_inside_a_paragraph_separates_words():
    item = article(f"<p>The first paragraph {LONG}.</p><p>Its last line<br>the next line<br/>and a third {LONG}.</p>"
                   f"<p>The third paragraph {LONG}.</p>")
    assert f"Its last line the next line and a third {LONG}." in item["body"]


DATA_TABLE = ("<table><tr><th>Team</th><th>Played</th><th>Points</th></tr><tr><td>Reds</td><td>10</td><td>24</td></tr>"
              "<tr><td>Blues</td><td>10</td><td>19</td></tr><tr><td>Greens</td><td>10</td><td>12</td></tr></table>")


def test_a_data_table_is_read_row_by_row():
    item = article(f"<p>The first paragraph {LONG}.</p><p>The standings after the tenth round {LONG}:</p>"
                   f"{DATA_TABLE}<p>The last paragraph {LONG}.</p>")
    rows = [b["text"] for b in item["blocks"] if b["type"] == "table_row"]
    assert rows == ["Team | Played | Points", "Reds | 10 | 24", "Blues | 10 | 19", "Greens | 10 | 12"]


def test_a_layout_table_is_read_as_ordinary_content():
    cell = "".join(f"<p>Paragraph {i} of the article laid out in a table cell {LONG}.</p>" for i in range(1, 4))
    html = page(f"<table><tr><td><a href='/'>Home</a></td></tr><tr><td><h1>The headline</h1>{cell}"
                f"<table><tr><td>A nested cell that {LONG}.</td></tr></table></td></tr></table>")
    item = extract_article(html, URL)
    assert [b["type"] for b in item["blocks"]] == ["paragraph"] * 4
    assert item["body"][0] == f"Paragraph 1 of the article laid out in a table cell {LONG}."
    assert item["body"][-1] == f"A nested cell that {LONG}."


def test_what_is_a_data_table():
    from lxml import etree

    from newscrawl.extract.generic.body import is_data_table

    def table(xml):
        return etree.fromstring(f"<table>{xml}</table>")

    head = "<row><cell role='head'>A</cell><cell role='head'>B</cell></row>"
    assert is_data_table(table(head + "<row><cell>1</cell><cell>2</cell></row>"))
    assert not is_data_table(table("<row><cell>1</cell><cell>2</cell></row>" * 2))  # no header, two rows
    assert is_data_table(table("<row><cell>1</cell><cell>2</cell></row>" * 3))
    assert not is_data_table(table("<row><cell>1</cell></row>" * 4))  # one column
    assert not is_data_table(table(head + f"<row><cell>{LONG} {LONG}</cell><cell>2</cell></row>"))  # prose
    assert not is_data_table(table(head + "<row><cell><p>1</p></cell><cell>2</cell></row>"))  # paragraphs in cells


# --------------------------------------------------------------------------- a lead that repeats the body


def fallback_fields(inner: str, head: str = "") -> dict:
    from newscrawl.extract.document import Document
    from newscrawl.extract.fallback import extract_fallback

    fields, _ = extract_fallback(Document(page(f"<article><h1>The headline</h1>{inner}</article>", head), URL))
    return fields


def test_a_description_that_repeats_the_first_paragraph_after_its_dateline_is_no_lead():
    head = '<meta name="description" content="The council approved the new budget on Monday after a long debate.">'
    inner = (f"<p>SPRINGFIELD, March 3 (Wire) - The council approved the new budget on Monday after a long debate.</p>"
             f"<p>The second paragraph {LONG}.</p><p>The third paragraph {LONG}.</p>")
    for got in (fallback_fields(inner, head), article(inner, head)):
        assert not got.get("lead")
        assert got["body"][0].startswith("SPRINGFIELD, March 3 (Wire) - The council")


def test_a_standfirst_that_repeats_the_first_sentence_is_no_lead():
    inner = ("<p class='standfirst'>Der Stadtrat hat am Montag den neuen Haushalt beschlossen.</p>"
             "<p>Berlin (dpa) – Der Stadtrat hat am Montag den neuen Haushalt beschlossen. Die Debatte dauerte lange, "
             f"und am Ende stimmte eine knappe Mehrheit dafür.</p><p>The second paragraph {LONG}.</p>"
             f"<p>The third paragraph {LONG}.</p>")
    got = fallback_fields(inner)
    assert not got.get("lead") and got["body"][0].startswith("Berlin (dpa) – Der Stadtrat")


def test_repeats_opening():
    from newscrawl.extract.generic.lead import repeats_opening

    body = ["HANOI, March 3 (Reuters) - Rice exports rose by a fifth in February. Traders expect more.", "Second."]
    assert repeats_opening("Rice exports rose by a fifth in February.", body)
    assert repeats_opening("Rice exports rose by a fifth in Feb…", body)
    assert repeats_opening("HANOI, March 3 (Reuters) - Rice exports rose by a fifth in February.", body)
    assert repeats_opening("ice exports rose by a fifth in February.", ["Rice exports rose by a fifth in February."])
    assert not repeats_opening("Exports of rice grew strongly in the month of February.", body)
    assert not repeats_opening("Traders expect more from the coming harvest.", body)  # not the opening


def test_a_name_like_line_amid_the_text_is_the_texts_own_not_a_byline():
    before, after = ("".join(f"<p>Paragraph {i} {LONG}.</p>" for i in numbers) for numbers in ((1, 2, 3), (4, 5, 6)))
    item = article(f"{before}<p>NEVER SAY GOODBYE</p>{after}<p>John Smith</p>")
    assert "NEVER SAY GOODBYE" in item["body"]
    assert "John Smith" not in item["body"]  # after the text: a byline


def test_a_lead_that_holds_a_caption_is_a_caption():
    # A "lede" photo: the figure's class says lead; its text is the caption with "Photo" and "Credit" labels.
    inner = ("<figure class='media lede'><span>Photo</span><img src='a.jpg'><figcaption><span>The council chamber "
             "of the city on Monday morning, before the vote on the budget.</span><span>Credit</span> Jane Doe/Agency"
             f"</figcaption></figure><p>The first paragraph {LONG}.</p><p>The second paragraph {LONG}.</p>"
             f"<p>The third paragraph {LONG}.</p>")
    assert not fallback_fields(inner).get("lead")


def test_a_linked_heading_over_its_text_is_a_sub_heading_a_teasers_is_not():
    inner = (f"<p>The first paragraph {LONG}.</p><h3><a href='/film-1'>1) The first film</a></h3>"
             f"<p>What the first film is about {LONG}.</p><h3><a href='/film-2'>2) The second film</a></h3>"
             f"<p>What the second film is about {LONG}.</p>"
             f"<h3><a href='/other'>Another story of ours</a></h3><div><div><p>The teaser of another story {LONG}.</p>"
             f"</div><a href='/other'>Continue</a></div><p>The last paragraph {LONG}.</p>")
    headings = [b["text"] for b in article(inner)["blocks"] if b["type"] == "heading"]
    assert headings == ["1) The first film", "2) The second film"]


def test_a_links_indentation_is_not_link_text():
    from lxml import etree

    from newscrawl.extract.generic.body import _text_and_links

    ws = "\n" + " " * 60
    # trafilatura's XML for a short line whose link holds only an image (dropped) and the page's indentation
    text, links = _text_and_links(etree.fromstring(f"<p>Camp information <ref target='/camp'>{ws}{ws}</ref></p>"))
    assert (text, links) == ("Camp information", 0)
    text, links = _text_and_links(etree.fromstring(f"<p>See <ref target='/camp'>{ws}the camp{ws}</ref></p>"))
    assert (text, links) == ("See the camp", len("the camp"))


def test_a_heading_over_links_to_other_articles_is_no_sub_heading():
    inner = (f"<p>The first paragraph {LONG}.</p><h2>Más sobre la agenda</h2><p>The second paragraph {LONG}.</p>"
             f"<p>The third paragraph {LONG}.</p>")
    assert [b["type"] for b in article(inner)["blocks"]] == ["paragraph"] * 3


def test_a_heading_over_a_box_the_body_left_out_is_no_sub_heading():
    blocks = [{"type": "paragraph", "text": "One."}, {"type": "heading", "text": "Related"},
              {"type": "paragraph", "text": "Another story"}, {"type": "paragraph", "text": "And another"},
              {"type": "heading", "text": "Part two"}, {"type": "heading", "text": "Its first section"},
              {"type": "paragraph", "text": "Two."}]
    kept = [b["text"] for b in blocks_for_body(["One.", "Two."], blocks)]
    assert kept == ["One.", "Part two", "Its first section", "Two."]


def test_text_loose_between_blocks_is_read_as_a_paragraph():
    # trafilatura keeps a sentence that follows a sub-heading without a <p> of its own as the heading's tail,
    # and a container's own text beside its blocks; both are text of the article.
    item = article(f"<p>The first paragraph {LONG}.</p><h2>What happened next</h2>"
                   f"\"A loose sentence after the heading\", she said, and it {LONG}."
                   f"<p>The third paragraph {LONG}.</p><p>The last paragraph {LONG}.</p>")
    assert f"\"A loose sentence after the heading\", she said, and it {LONG}." in item["body"]


def test_walk_reads_loose_runs_inline_parts_included():
    from lxml import etree

    from newscrawl.extract.generic.body import _walk_blocks
    tree = etree.fromstring("<body><p>A paragraph.</p>Loose text with <ref target='/x'>a link</ref> and "
                            "<hi>em</hi>phasis.<lb/>Next line.<list><item>Item text<list><item>Sub</item></list>"
                            "</item></list></body>")
    blocks = []
    _walk_blocks(tree, blocks)
    assert [(kind, text) for kind, text, _ in blocks] == [
        ("p", "A paragraph."), ("p", "Loose text with a link and emphasis. Next line."),
        ("item", "Item text"), ("item", "Sub")]
    assert 0 < blocks[1][2] < 0.3


def test_short_loose_lines_beside_blocks_are_furniture_unless_a_sentence():
    from lxml import etree

    from newscrawl.extract.generic.body import _walk_blocks
    tree = etree.fromstring("<body><p>A paragraph of the article.</p>April 26, 2018<p>Another paragraph.</p>"
                            "Berlin.<p>A third one.</p>So I read it that way too.<p>The last one.</p></body>")
    blocks = []
    _walk_blocks(tree, blocks)
    assert [text for _, text, _ in blocks] == ["A paragraph of the article.", "Another paragraph.", "A third one.",
                                               "So I read it that way too.", "The last one."]


def test_a_sentence_of_mostly_link_text_is_text_a_link_line_is_not():
    # Prose links its own words; a menu entry, a teaser's headline or a run of linked headlines does not read
    # as one sentence with words outside its links.
    linked = ("<p><a href='/a'>After the first-round match won by the sole player of the team on Monday evening</a>, "
              "it was another who won.</p>")
    teasers = ("<p><a href='/b'>Why the plan failed? Four reasons</a> <a href='/c'>Ten tips that work for "
               "everyone at home!</a> <a href='/d'>The best method for the whole family this year.</a></p>")
    item = article(f"<p>The first paragraph {LONG}.</p>{linked}<p>The third paragraph {LONG}.</p>{teasers}"
                   f"<p>The last paragraph {LONG}.</p><p><a href='/e'>All the news on the championship.</a></p>")
    assert ("After the first-round match won by the sole player of the team on Monday evening, it was another "
            "who won.") in item["body"]
    assert not any("Four reasons" in p or "championship" in p for p in item["body"])


def test_bytes_that_are_not_words_are_no_loose_paragraph():
    # Loose text is read as a paragraph (above); bytes that are not a page (binary data served as
    # HTML) are not words, and give no body.
    # Whatever the decoder guesses for them: a single-byte decoding turns half the byte values into letters.
    garbage = bytes(range(256)) * 10
    for page in (garbage, garbage.decode("cp1252", errors="replace"), garbage.decode("latin-1")):
        assert not extract_article(page, "https://tin.example.vn/bai-1234.html").get("body")


def test_a_long_heading_under_the_headline_is_the_lead_a_short_one_is_not():
    # A deck: the page sets its standfirst as a heading between the headline and the text (with a byline
    # between them, or opening with the words of the first paragraph it sums up).
    deck = "Fires broke out in four districts on Wednesday, and crews fought them from the air and the ground"
    inner = (f"<h2>{deck}</h2><p class='byline'>By Jane Doe</p><p>Fires broke out in four districts on Wednesday.</p>"
             f"<p>The second paragraph {LONG}.</p><p>The third paragraph {LONG}.</p>")
    for got in (fallback_fields(inner), article(inner)):
        assert got["lead"] == deck
        assert got["body"][0] == "Fires broke out in four districts on Wednesday."
    # A kicker (a few words) is no lead; nor is a long heading after the first paragraph (a sub-heading).
    kicker = fallback_fields(f"<h2>Fires in four districts</h2><p>The first paragraph {LONG}.</p>"
                             f"<p>The second paragraph {LONG}.</p>")
    assert not kicker.get("lead")
    later = fallback_fields(f"<p>The first paragraph {LONG}.</p><h2>{deck}</h2><p>The second paragraph {LONG}.</p>")
    assert not later.get("lead")
    # Nor is the headline said again under a label in the h1 (the title "Label: Headline").
    from newscrawl.extract.document import Document
    from newscrawl.extract.fallback import extract_fallback

    headline = "These two charts show how badly the economy did in the spring"
    html = (f"<html><head><title>Economy: {headline}</title><meta property='og:title' content='Economy: {headline}'>"
            f"</head><body><article><h1>Economy</h1><h2>{headline}</h2><p>The first paragraph {LONG}.</p>"
            f"<p>The second paragraph {LONG}.</p></article></body></html>")
    fields, _ = extract_fallback(Document(html, URL))
    assert fields.get("lead") != headline
    # Nor is a blog's motto under the blog's name, an h1 linking home.
    motto = "This is where we write about the sea, the sky and the long walks along the coast"
    html = (f"<html><head><title>Walks</title></head><body><div id='header'><h1><a href='/'>Our Blog</a></h1>"
            f"<h2>{motto}</h2></div><div class='post'><p>The first paragraph {LONG}.</p>"
            f"<p>The second paragraph {LONG}.</p></div></body></html>")
    fields, _ = extract_fallback(Document(html, URL))
    assert fields.get("lead") != motto


def test_a_name_like_entry_of_a_list_is_text_a_list_of_names_is_bylines():
    items = ["Take time for dreams", "Stay active every day", "Practise Gratitude", "Listen to your heart"]
    listed = "".join(f"<li>{t}</li>" for t in items)
    item = article(f"<p>The first paragraph {LONG}.</p><ul>{listed}</ul><p>The last paragraph {LONG}.</p>")
    assert [b["text"] for b in item["blocks"] if b["type"] == "list_item"] == items
    names = article(f"<p>The first paragraph {LONG}.</p><p>The last paragraph {LONG}.</p>"
                    "<ul><li>By Jane Doe</li><li>By John Smith</li></ul>")
    assert not any("Doe" in p or "Smith" in p for p in names["body"])


def test_a_body_paragraph_out_of_the_blocks_order_keeps_the_sub_headings_after_it():
    # The layout check puts a paragraph where the page first shows it (a pull quote higher up): the
    # paragraphs after it still find their blocks, and the sub-headings between them.
    blocks = [{"type": "paragraph", "text": "One."}, {"type": "heading", "text": "Sub"},
              {"type": "paragraph", "text": "Two."}, {"type": "heading", "text": "Later"},
              {"type": "quote", "text": "Three."}, {"type": "paragraph", "text": "Quoted."}]
    assert blocks_for_body(["One.", "Quoted.", "Two.", "Three."], blocks) == [
        {"type": "paragraph", "text": "One."}, {"type": "paragraph", "text": "Quoted."},
        {"type": "paragraph", "text": "Two."}, {"type": "heading", "text": "Later"},
        {"type": "quote", "text": "Three."}]


def test_the_lead_set_as_a_heading_is_no_sub_heading():
    from newscrawl.extract.generic.body import typed_blocks

    standfirst = "The council approved the budget after a debate that lasted all night long"
    blocks = [("p", "LABEL:", 0.0), ("head", standfirst, 0.0), ("p", f"The first paragraph {LONG}.", 0.0),
              ("head", "What comes next", 0.0), ("p", f"The second paragraph {LONG}.", 0.0)]
    headings = [b["text"] for b in typed_blocks(blocks, lead=standfirst) if b["type"] == "heading"]
    assert headings == ["What comes next"]
    assert standfirst in [b["text"] for b in typed_blocks(blocks)]  # without a lead it is a heading


def test_an_article_the_markup_puts_in_a_nav_is_read_as_trafilatura_reads_the_whole_page():
    # An unclosed menu puts the article inside a <nav>: trafilatura's cleaning drops it, its fallback on
    # the uncleaned page finds it. Lending the <nav> out for speed left it nothing to find.
    import trafilatura

    from newscrawl.extract.document import Document
    from newscrawl.extract.generic.body import trafilatura_blocks

    paragraphs = "".join(f"<p>Paragraph number {i} of the report {LONG}.</p>" for i in range(6))
    html = ("<html><head><title>The headline</title></head><body><nav class='menu'><ul>"
            "<li><a href='/a'>Home</a></li><li><a href='/b'>Teams</a><div class='sub'>"
            f"<main><article><h1>The headline</h1>{paragraphs}</article></main></div></li></ul></nav>"
            "<footer>Footer text</footer></body></html>")
    assert "Paragraph number 5" in trafilatura.bare_extraction(html).text
    text = " ".join(t for _, t, _ in trafilatura_blocks(Document(html, URL)))
    assert "Paragraph number 0" in text and "Paragraph number 5" in text


def test_a_description_that_is_the_second_paragraph_stays_where_the_page_shows_it():
    second = "The second paragraph says what the description of the page says, word for word and in full."
    head = f'<meta name="description" content="{second}">'
    inner = f"<p>The first paragraph {LONG}.</p><p>{second}</p><p>The third paragraph {LONG}.</p>"
    got = fallback_fields(inner, head)
    assert not got.get("lead")
    assert got["body"][:2] == [f"The first paragraph {LONG}.", second]


def test_a_short_loose_line_over_a_paragraph_is_a_sub_heading_not_a_paragraph():
    # A page that sets its sub-headings as bold spans between paragraphs: trafilatura gives them as loose
    # text. Typed headings, they stay out of the body; a date line or a dateline there is neither.
    inner = (f"<div class='story'><p>The first paragraph {LONG}.</p><span class='strong'>Girl Found Near The Hills</span>"
             f"<p>The second paragraph {LONG}.</p><span>April 26, 2018</span><p>The third paragraph {LONG}.</p>"
             f"<span>Berlin.</span><p>The fourth paragraph {LONG}.</p></div>")
    item = article(inner)
    assert [b["text"] for b in item["blocks"] if b["type"] == "heading"] == ["Girl Found Near The Hills"]
    assert not any(p in ("Girl Found Near The Hills", "April 26, 2018", "Berlin.") for p in item["body"])


def test_one_run_of_the_pages_text_is_read_as_the_paragraphs_it_shows():
    # trafilatura's fallback gives the page's text run together as one block, shown by no element: it is
    # read as the page's <p> elements whose text it holds, so a one-paragraph article keeps its text.
    from newscrawl.extract.document import Document
    from newscrawl.extract.generic.body import paragraphs_of_one_run

    text = f"A senior official said on Monday that the old prison {LONG}."
    html = page(f"<div><h1><a href='/'>The headline</a></h1><p>Published by <a href='/a'>Jane Doe</a></p>"
                f"<div class='story'><p>{text}</p></div><p><a href='/s'>Share</a> <a href='/t'>Tweet</a></p></div>")
    run = f"The headline Published by Jane Doe {text} Share Tweet Related articles More from the author"
    doc = Document(html, URL)
    paragraphs, located = paragraphs_of_one_run(doc, [run], [None])
    assert paragraphs == [text] and located[0].tag == "p"
    # A located paragraph, or several, are left as they are.
    assert paragraphs_of_one_run(doc, [run, text], [None, None]) == ([run, text], [None, None])


def test_a_data_tables_row_with_a_linked_name_is_data_a_row_of_links_is_not():
    table = ("<table><tr><th>Field</th><th>Value</th></tr>"
             "<tr><td>Stadium</td><td><a href='/s'>The City Stadium of the Northern Town</a></td></tr>"
             "<tr><td>Coach</td><td><a href='/c'>Jane Doe of the Northern Town club</a></td></tr>"
             "<tr><td><a href='/x'>Another story</a></td><td><a href='/y'>Yet another story of the day</a></td></tr>"
             "</table>")
    item = article(f"<p>The first paragraph {LONG}.</p>{table}<p>The last paragraph {LONG}.</p>")
    rows = [b["text"] for b in item["blocks"] if b["type"] == "table_row"]
    assert "Stadium | The City Stadium of the Northern Town" in rows
    assert not any("Another story" in r for r in rows)
