"""The body: trafilatura's main text as blocks (:func:`trafilatura_blocks`), the paragraphs a reader counts
as the article (:func:`paragraphs_from_blocks`: captions, credits, bylines, "read also" links and
sub-headings out), then checked against the page layout (:func:`refine_body`)."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import trafilatura
from lxml import etree

from newscrawl.extract.authors import looks_like_byline
from newscrawl.extract.generic.dom import all_text, clean_element_text, in_boilerplate, norm_key
from newscrawl.model.text import clean_text


_CREDIT_LINE = re.compile(
    r"^\(?\s*(photo|foto|fotos|image|bild|picture|credit|crédit|quelle|source|ảnh|video|grafik|illustration|"
    r"karikatur|zdjęcie|fotografía|imagen)\s*[:©/]",
    re.IGNORECASE,
)


_READ_MORE = re.compile(
    r"^\s*(read (also|more)|see also|related|also read|more on this|lesen sie auch|auch interessant|mehr zum thema|"
    r"les også|les mer|läs också|læs også|lue myös|czytaj (też|także|więcej)|leia também|lea también|"
    r"lee también|leggi anche|lire aussi|à lire aussi|xem thêm|đọc thêm|zie ook|lees ook|"
    r"читайте также|ayrıca okuyun|baca juga)\b",
    re.IGNORECASE,
)


# A heading that labels a box of links to other articles ("More from ...", "Más sobre ..."), not a part of the
# text: for headings only (a paragraph may well begin "More about ...").
_MORE_HEADING = re.compile(
    r"^\s*(more (from|about|on)|más (sobre|de)|mehr (über|von|aus|zu)|plus (sur|de)|altro su|meer over)\b",
    re.IGNORECASE,
)


_PRUNE_XPATH = [
    "//figcaption",
    # The cheap substring test first: the class-token test is costly on every element of a page.
    "//*[contains(@class, 'caption')][contains(concat(' ', normalize-space(@class), ' '), ' caption ')]",
]


def _joined_text(el) -> str:
    """The text of one of trafilatura's blocks, a line break (``<lb/>``, a ``<br>`` of the page) read as a space.

    trafilatura keeps ``<br>`` as ``<lb/>`` with the next line in its tail; joining text nodes as they are glues
    the last word of a line to the first of the next ("first linesecond line"). A ``<br>`` inside a paragraph
    is a line break of the same paragraph (an address, a verse, a line per sentence), not a new paragraph:
    it becomes a space. (Splitting there instead changed no body F1 on ../shared/extraction-open or
    extraction-open2, whose scores read the text as one stream of words.)
    """
    parts: list[str] = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append(" ")
        elif isinstance(child.tag, str):
            parts.append(_joined_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _text_and_links(el) -> tuple[str, int]:
    """A block's clean text and how many of its characters are link text, measured on the same clean text
    (the raw link text counted the page's indentation too: a link laid out on lines of its own had a
    "link ratio" of 18 on a page of extraction-open2)."""
    link_chars = 0
    for ref in el.iter("ref"):
        link_chars += len(clean_text(_joined_text(ref)) or "")
    text = clean_text(_joined_text(el)) or ""
    return text, min(link_chars, len(text))


#: A data table's cells are short (a name, a figure, a date): a longer cell is prose, the table a layout.
_DATA_CELL_MAX = 120
_BLOCK_KINDS = ("p", "list", "quote", "head", "code", "table")


def is_data_table(table) -> bool:
    """A real grid of data (standings, results, prices), as trafilatura gives a ``<table>``: at least two rows
    of at least two cells, most rows as wide as the widest, every cell short text without paragraphs or
    tables of its own, and a header row (``<th>`` cells) or at least three rows.

    Anything else is a layout table: a page laid out in table cells (the article in one or two long
    cells, one column, tables in tables), read as ordinary content (:func:`_walk_layout_table`).
    """
    rows = [row for row in table.iter("row") if any(True for _ in row.iter("cell"))]
    if len(rows) < 2:
        return False
    widths = []
    header = False
    for row in rows:
        cells = [cell for cell in row if cell.tag == "cell"]
        if len(cells) != sum(1 for _ in row.iter("cell")):
            return False  # a table inside a cell
        widths.append(len(cells))
        for cell in cells:
            if any(sub.tag in _BLOCK_KINDS for sub in cell.iter() if sub is not cell):
                return False
            if len(clean_text(_joined_text(cell)) or "") > _DATA_CELL_MAX:
                return False
            header = header or cell.get("role") == "head"
    widest = max(widths)
    if widest < 2 or sum(1 for w in widths if w == widest) < 0.5 * len(widths):
        return False
    return header or len(rows) >= 3


def _walk_layout_table(table, blocks: list) -> None:
    """A layout table's cells in order, each read as the content it holds: its paragraphs, lists, quotes and
    tables as blocks, or its text as one paragraph."""
    for row in table:
        if row.tag != "row":
            continue
        for cell in row:
            if cell.tag != "cell":
                continue
            if any(sub.tag in _BLOCK_KINDS for sub in cell):
                _walk_blocks(cell, blocks)  # the cell's own text and the tails between its blocks: loose runs
            else:
                text, links = _text_and_links(cell)
                if text:
                    blocks.append(("p", text, links / max(1, len(text))))


#: Inline parts of trafilatura's tree: text of the paragraph (or loose run) they stand in, never blocks.
_INLINE = ("graphic", "lb", "ref", "hi", "del")


def _walk_blocks(parent, blocks: list, loose_kind: str = "p") -> None:
    """trafilatura's tree under ``parent`` as ``(kind, text, link_ratio)`` blocks, in order.

    Text that stands loose in a container, outside any of its blocks (the container's own text, inline
    elements between blocks, the tail after a block: ``<head>A heading</head>"A quote," she said.<p>``), is
    part of trafilatura's text (its renderer writes every tail) and of the page; each run of it between two
    blocks is read as one block of ``loose_kind`` (a paragraph; in a list item holding a sub-list, the item's
    own text). Reading only the blocks lost such text: the first sentence after a sub-heading, a definition
    after its label, a layout table cell's lines between its paragraphs (pages of ../shared/extraction-open2).
    """
    run: list[tuple[str, int]] = []  # (raw text, link characters) of the current loose run
    beside_blocks = loose_kind == "p" and any(isinstance(c.tag, str) and c.tag not in _INLINE for c in parent)

    def flush(next_tag: str = "") -> None:
        text = clean_text("".join(piece for piece, _ in run)) or ""
        kind = loose_kind
        if text and beside_blocks and not _loose_text_is_prose(text):
            kind = "head" if next_tag == "p" and _loose_heading(text) else ""
        if text and kind and _reads_as_words(text):
            links = min(sum(n for _, n in run), len(text))
            blocks.append((kind, text, links / max(1, len(text))))
        run.clear()

    run.append((parent.text or "", 0))
    for el in parent:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _INLINE:
            if tag == "lb":
                run.append((" ", 0))
            elif tag != "graphic":
                run.append((_joined_text(el), _text_and_links(el)[1]))  # inline: no space around it
        else:
            flush(tag)
            _walk_block(el, tag, blocks)
        run.append((el.tail or "", 0))
    flush()


#: A loose run this long is text; a shorter one is kept only when it is a sentence (:func:`_loose_text_is_prose`).
_LOOSE_MIN = 50
_SENTENCE_END = re.compile(r"[.!?…]['\"’”»]?$")


def _reads_as_words(text: str) -> bool:
    """Whether loose text is written in words: letters are at least half of its visible characters, and
    hardly any of them is a control character or U+FFFD (what a decoder leaves of bytes that are no text).
    Bytes that are not a page at all (a binary file served as HTML, a symbol dump) stand loose in the
    parsed tree and would otherwise become a "paragraph" of the body; any language's prose passes. The
    second test is needed because a single-byte decoding (cp1252, the usual guess for such bytes) turns
    half of all byte values into letters."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    undecoded = sum(ch == "\ufffd" or unicodedata.category(ch) == "Cc" for ch in visible)
    return sum(ch.isalpha() for ch in visible) * 2 >= len(visible) and undecoded * 50 <= len(visible)


def _loose_text_is_prose(text: str) -> bool:
    """Whether a run of loose text beside blocks reads as the article's text.

    Short lines standing loose between blocks were mostly page furniture on ../shared (a date under a
    post, a dateline "Berlin.", an embedded post's "— Name (@handle) April 25, 2024", a name under a
    portrait): a short run is kept only when it is a sentence (it ends like one, four words or more)
    without figures, which a date line has."""
    if len(text) >= _LOOSE_MIN:
        return True
    return bool(_SENTENCE_END.search(text)) and len(text.split()) >= 4 and not any(ch.isdigit() for ch in text)


#: A run-in heading's length in words (:func:`_loose_heading`).
_LOOSE_HEADING_WORDS = (3, 12)


def _loose_heading(text: str) -> bool:
    """Whether a short loose line right above a paragraph is a sub-heading the page sets without heading
    markup (a bold span between two paragraphs: "</p>Girl Found Near The Hills<p>"): three to twelve
    words, no figures (a date line has them), no sentence end (a dateline "Berlin." has one). It is
    typed a heading: the body (paragraphs) leaves it out, ``blocks`` keep it, and one above the first
    paragraph (a byline there) is none (:func:`~newscrawl.extract.normalize.blocks_for_body`)."""
    words = text.split()
    low, high = _LOOSE_HEADING_WORDS
    return (low <= len(words) <= high and not any(ch.isdigit() for ch in text)
            and not text.rstrip().endswith((".", ",", ";")))


def _walk_block(el, tag: str, blocks: list) -> None:
    """One block element of trafilatura's tree (a paragraph, list, quote, table, or a container of them)."""
    if tag == "list":
        for item in el:
            if item.tag != "item":
                continue
            if any(sub.tag in ("list", "p") for sub in item):
                _walk_blocks(item, blocks, loose_kind="item")
                continue
            text, links = _text_and_links(item)
            if text:
                blocks.append(("item", text, links / max(1, len(text))))
    elif tag in ("p", "head", "code") or (tag == "quote" and not any(sub.tag in ("p", "list", "quote") for sub in el)):
        text, links = _text_and_links(el)
        if text:
            blocks.append((tag if tag != "code" else "p", text, links / max(1, len(text))))
    elif tag == "table":
        if is_data_table(el):
            # A row's link ratio is the share of its cells that are mostly link text: a row of a grid whose
            # names are linked ("Stadium | <a>City Stadium</a>", "1. | <a>Team</a> | 17 | 32") is data; a
            # row of links only is a link list. (By characters, a label and a linked name were a link list.)
            for row in el.iter("row"):
                cells = [(t, n) for t, n in (_text_and_links(cell) for cell in row.iter("cell")) if t]
                text = " | ".join(t for t, _ in cells)
                if text:
                    blocks.append(("row", text, sum(n > 0.5 * len(t) for t, n in cells) / len(cells)))
        else:
            _walk_layout_table(el, blocks)
    elif tag:
        _walk_blocks(el, blocks)


# Parts of a page trafilatura never takes text from: the <head> (the structured
# layer reads it, not trafilatura) and, in the body, elements its cleaning
# deletes whole (its MANUALLY_CLEANED list) plus <template>, which is never
# rendered (trafilatura's fallbacks read its placeholders, "{{#title}}", as
# text). Left out of it: <form> (trafilatura keeps a form that holds most of the
# page's text, as ASP.NET pages do), and the elements whose removal changed
# trafilatura's own result, because its readability comparison and its
# fallbacks read the uncleaned tree: <aside>, <figure>, <picture> (pages of
# ../shared/extraction-open), <button>, <iframe>, <audio>, <noscript>, and a
# <nav> holding paragraphs (an unclosed menu that the parser makes hold the
# article) (7 pages of extraction-open2, where the body lost the article's text:
# a league table instead of the report, 15 characters instead of 2,000). A
# <nav> without paragraphs (a menu) is lent: the largest part of most pages
# here, it costs trafilatura the most. So lent, trafilatura's blocks are the
# same as on the whole page on all 786 pages of both corpora but one, where
# they lack a template's placeholders.
_UNREAD_TAGS = (
    "script", "style", "template", "svg", "canvas", "object", "embed", "video", "menu", "footer", "select", "input",
    "link",
)


def _lend_without_unread_parts(root) -> list[tuple]:
    """Detach the parts of the page trafilatura does not read; return ``(parent, index, element)``
    to put back, in document order.

    trafilatura copies the tree it is given and runs its prune XPaths and the
    readability comparison over every element, so these parts cost it time for
    nothing: leaving them out cut the call by about a quarter (median 16.7 ->
    12.7 ms) on ../shared/extraction-open, with the same blocks as on the whole
    page (:data:`_UNREAD_TAGS` says which parts keep it so). An element whose tail holds text stays (the tail goes with the
    element). Put back in document order, each goes to its old index.
    """
    found = []
    head = root.find("head")
    if head is not None:
        found.append(head)
    body = root.find("body")
    if body is not None:
        found.extend(el for el in body.iter(*_UNREAD_TAGS, "nav") if not (el.tail or "").strip()
                     and (el.tag != "nav" or next(el.iter("p"), None) is None))
    chosen = set(found)
    outer = [el for el in found if not any(anc in chosen for anc in el.iterancestors())]
    lent = [(el.getparent(), el.getparent().index(el), el) for el in outer]
    for parent, _index, element in reversed(lent):
        parent.remove(element)
    return lent


def _lend_without_comments(root) -> list[tuple]:
    """Detach the page's comments (and processing instructions), their tail text kept where it was; return
    what :func:`_put_comments_back` needs to restore them.

    trafilatura stops reading a paragraph at a comment inside it (``<p>text <!-- x --> more</p>`` gives
    "text"), and the layout step then adds the paragraph back whole: a cut copy and a full copy. A comment
    is never shown, so trafilatura is given the page without them.
    """
    body = root.find("body")
    if body is None:
        return []
    lent = []
    for node in list(body.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is None:
            continue
        tail = node.tail or ""
        before = node.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        lent.append((parent, parent.index(node), node, before, len(tail)))
        node.tail = None
        parent.remove(node)
    return lent


def _put_comments_back(lent: list[tuple]) -> None:
    for parent, index, node, before, size in reversed(lent):
        if before is not None:
            node.tail, before.tail = _split_end(before.tail, size)
        else:
            node.tail, parent.text = _split_end(parent.text, size)
        parent.insert(index, node)


def _split_end(text: str | None, size: int) -> tuple[str | None, str | None]:
    """(the last ``size`` characters of ``text``, the rest), None for an empty part (as lxml gives no text)."""
    text = text or ""
    head, tail = text[:len(text) - size], text[len(text) - size:]
    return tail or None, head or None


def trafilatura_blocks(doc, favor: str | None = None, fast: bool = False) -> list[tuple[str, str, float]]:
    """trafilatura's main text as ``[(kind, text, link_ratio)]``; kind in p/head/item/quote/row (a data table's
    row, its cells joined with " | "; a layout table's cells are read as the blocks they hold)."""
    root = doc.root
    if root is None or not len(root):
        return []
    lent = _lend_without_unread_parts(root)
    comments = _lend_without_comments(root)
    try:
        result = trafilatura.bare_extraction(
            root,
            url=None,  # with a URL trafilatura makes every link absolute; only the links' text is used here
            with_metadata=False,
            include_comments=False,
            include_tables=True,  # data tables as rows, layout tables as their content (_walk_blocks)
            include_links=True,
            include_images=False,
            fast=fast,
            favor_precision=(favor == "precision"),
            favor_recall=(favor == "recall"),
            prune_xpath=_PRUNE_XPATH,
        )
    finally:  # whatever trafilatura does (a failure is the body's, recorded by the caller), the page is whole again
        _put_comments_back(comments)
        for parent, index, element in lent:
            parent.insert(index, element)
    if result is None:
        return []
    body = getattr(result, "body", None)
    if body is None:
        return []
    blocks: list[tuple[str, str, float]] = []
    _walk_blocks(body, blocks)
    return blocks


_LONG_PARAGRAPH = 80


def paragraphs_from_blocks(
    blocks: list[tuple[str, str, float]],
    *,
    title: str | None = None,
    lead: str | None = None,
    captions: set[str] = frozenset(),
    bylines: Iterable[str] = (),
    keep_headings: bool = False,
    removed_bylines: list | None = None,
) -> list[str]:
    """Paragraphs a reader counts as the article, from trafilatura's blocks.

    Byline lines dropped from the body are appended to ``removed_bylines`` when given.
    """
    title_key = norm_key(title)
    lead_key = norm_key(lead)
    byline_keys = {norm_key(b) for b in bylines if b}
    out: list[str] = []
    seen = set()
    # A byline stands before the text or after it, never amid it: a name-like short line with long paragraphs
    # before and after it ("NEVER SAY GOODBYE" amid the text) is the text's own, a run-in heading, when it is
    # in capitals or right between two long paragraphs (a box of short lines, a consent dialog, is not text).
    long_at = [i for i, (kind, text, _) in enumerate(blocks) if kind == "p" and len(text) >= _LONG_PARAGRAPH]
    long_set = set(long_at)
    amid = {i for i in range(long_at[1] + 1, long_at[-2])
            if blocks[i][1].isupper() or (i - 1 in long_set and i + 1 in long_set)} if len(long_at) >= 4 else set()
    for index, (kind, text, link_ratio) in enumerate(blocks):
        key = norm_key(text)
        if not key:
            continue
        if kind == "head" and not keep_headings:
            continue
        if key == title_key or (lead_key and key == lead_key):
            continue
        if key in captions:
            continue
        if key in byline_keys:
            continue
        if _CREDIT_LINE.match(text) and len(text) < 120:
            continue
        if link_ratio > 0.6 and len(text) < 250 and not _linked_sentence(text, link_ratio):
            continue
        if _READ_MORE.match(text) and (link_ratio > 0.2 or len(text) < 150):
            continue
        if len(text) < 100 and index not in amid and looks_like_byline(text) and not _list_entry(blocks, index):
            if removed_bylines is not None:
                removed_bylines.append(text)
            continue
        if key in seen and len(key) > 20:
            continue
        seen.add(key)
        out.append(text)
    return out


def _list_entry(blocks: list[tuple[str, str, float]], index: int) -> bool:
    """Whether a name-like list item is an entry of a list of the text ("Praktiziere Dankbarkeit" among
    "Bleibe stets aktiv", "Höre auf dein Herz"): a list item beside another item that is no byline.
    A list of names (the authors of a piece, each in an item) is bylines all through."""
    if blocks[index][0] != "item":
        return False
    return any(0 <= i < len(blocks) and blocks[i][0] == "item" and not looks_like_byline(blocks[i][1])
               for i in (index - 1, index + 1))


#: A sentence this many words long, mostly link text, is still the article's (:func:`_linked_sentence`).
_LINKED_SENTENCE_WORDS = 8


def _linked_sentence(text: str, link_ratio: float) -> bool:
    """Whether a block made mostly of link text is a sentence of the article all the same.

    Prose links its own words ("<a>After X won her first-round match</a>, it was Y who ..."): such a
    paragraph was dropped as a link list although it is text (pages of ../shared/extraction-open and
    extraction-open2). A sentence ends with a full stop, a question or exclamation mark and has at least
    eight words; a menu entry, a teaser's headline (no full stop) or a short link line ("All the news on
    the championship.") does not. Some of its words stand outside the links
    (a run of teaser headlines, all linked, ends like a sentence too), and no sentence end is glued to
    the next word ("... digital!Einfach hier klicken"): the texts of two boxes run together."""
    return (link_ratio <= 0.9 and bool(re.search(r"\w[.!?…]$", text.strip()))
            and len(text.split()) >= _LINKED_SENTENCE_WORDS and not re.search(r"[a-zà-ÿ][.!?][A-ZÀ-Þ]", text))


#: trafilatura's block kinds -> the item's block types (``blocks``).
_BLOCK_TYPE = {"p": "paragraph", "head": "heading", "item": "list_item", "quote": "quote", "row": "table_row"}


def typed_blocks(blocks: list[tuple[str, str, float]], *, title: str | None = None, lead: str | None = None,
                 captions: set[str] = frozenset()) -> list[dict]:
    """trafilatura's blocks as the item's ``{"type", "text"}`` blocks, for
    :func:`newscrawl.extract.normalize.blocks_for_body` to align with the final body.

    Sub-headings are part of the article (a reader sees them between its paragraphs), so they are kept
    here although the body leaves them out; a heading that is the headline, a caption, a "read also" label,
    or mostly link text (a teaser) not followed by prose, is page furniture and is not one; nor is the lead
    (a deck set as a heading), which the item gives apart: kept, it was read twice.
    """
    title_key = norm_key(title)
    lead_key = norm_key(lead)
    out = []
    for index, (kind, text, link_ratio) in enumerate(blocks):
        kind = _BLOCK_TYPE.get(kind, "paragraph")
        if kind == "heading":
            key = norm_key(text)
            if (not key or key in (title_key, lead_key) or key in captions or _READ_MORE.match(text)
                    or _MORE_HEADING.match(text)):
                continue
            if link_ratio > 0.6 and not _introduces_text(blocks, index):
                continue  # a teaser's linked headline; a list's linked heading ("2) <a>Film</a>") heads its text
        out.append({"type": kind, "text": text})
    return out


def _introduces_text(blocks: list[tuple[str, str, float]], index: int) -> bool:
    """Whether the block after ``index`` is a paragraph of prose (long, few links), as under a sub-heading,
    and not a teaser's excerpt (a short link, "read more", after it)."""
    if index + 1 >= len(blocks):
        return False
    kind, text, link_ratio = blocks[index + 1]
    if not (kind == "p" and len(text) >= _LONG_PARAGRAPH and link_ratio < 0.3):
        return False
    if index + 2 < len(blocks):
        kind, text, link_ratio = blocks[index + 2]
        if kind == "p" and link_ratio > 0.6 and len(text) < 40:
            return False
    return True


#: A text trafilatura gives as one block this long, shown by no element, is a run of the page's text.
_RUN_MIN = 200
#: A page paragraph this long that the run shows is one of the run's paragraphs.
_RUN_PARAGRAPH_MIN = 40


def paragraphs_of_one_run(doc, paragraphs: list[str], located: list) -> tuple[list[str], list]:
    """``(paragraphs, located)``, a body trafilatura gave as one run of text split into the page's paragraphs.

    When trafilatura finds no article it falls back to the page's text run together as one block (the
    headline, the byline, the text, the share bar: "Title Published on ... by ... The text. Share: Twitter
    Facebook"). Shown by no element, it is then dropped whole as a link list, and the page had no body,
    though the run holds the article's own paragraphs (a one-paragraph article, a post with a player).
    Such a run is read as the ``<p>`` elements of the page whose text it shows, in page order; each is
    then judged as any located paragraph (link lists, boxes, the article region)."""
    if len(paragraphs) != 1 or located[0] is not None or len(paragraphs[0]) < _RUN_MIN:
        return paragraphs, located
    run_key = norm_key(paragraphs[0])
    found: list[tuple[str, object]] = []
    for el in doc.root.iter("p"):
        text = clean_element_text(el)
        if len(text) >= _RUN_PARAGRAPH_MIN and norm_key(text) in run_key:
            found.append((text, el))
    if not found:
        return paragraphs, located
    return [text for text, _ in found], [el for _, el in found]


def _drop_link_lists(doc, items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Drop paragraphs made mostly of link texts: menus, teaser lists, and the
    whole-page text dump trafilatura falls back to on a page without an article.

    The share is measured on the paragraph's own text and links (:func:`_link_share`):
    blocks nested in its element are not the paragraph."""
    out = []
    link_keys = None
    for text, el in items:
        if el is not None:
            links, total = _link_share(text, el)
            if total and links > 0.6 * total and len(text) < 400 and not _linked_sentence(text, links / total):
                continue
            out.append((text, el))
            continue
        # Not one element of the page: measure how much of it is link text.
        key = norm_key(text)
        if len(key) > 60:
            if link_keys is None:
                link_keys = {k for k in (norm_key(all_text(a)) for a in doc.root.iter("a")) if len(k) >= 3}
            covered = sum(len(k) for k in link_keys if k in key)
            if covered > 0.4 * len(key):
                continue
        out.append((text, el))
    return out


# Elements that start a block of their own: a link inside one of them, nested in a
# <p> by the parser, is not part of the paragraph's text.
_NESTED_BLOCKS = ("section", "aside", "article", "div", "ul", "ol", "table", "figure", "nav", "header", "footer")


def _link_share(text: str, el) -> tuple[int, int]:
    """``(link characters, characters)`` of a located paragraph.

    The HTML parser leaves a box that a page puts inside an unclosed ``<p>``
    (a "Trending" section of links to other articles) inside the paragraph's
    element: its links are the box's, not the paragraph's, and counting them
    made a paragraph of plain text look like a link list. So when blocks are
    nested in the element, only the links outside them count, against the
    paragraph's own text. Only for a ``<p>``: in any other element a nested
    block is the page's own structure (a div holding a list of links is a
    link list).

    An element located for the paragraph that shows far more than it (twice
    its length: a text block whose first lines trafilatura took as the
    paragraph, followed by lists of links) does not measure the paragraph
    either: then the links counted are those whose text the paragraph shows."""
    if el.tag != "p" or next(el.iterdescendants(*_NESTED_BLOCKS), None) is None:
        total = len(all_text(el))
        if total > 2 * len(text):
            key = norm_key(text)
            links = sum(len(k) for k in (norm_key(all_text(a)) for a in el.iter("a")) if len(k) >= 3 and k in key)
            return links, len(key)
        return sum(len(all_text(a)) for a in el.iter("a")), total
    links = 0
    for a in el.iter("a"):
        anc = a.getparent()
        while anc is not None and anc is not el and anc.tag not in _NESTED_BLOCKS:
            anc = anc.getparent()
        if anc is el:
            links += len(all_text(a))
    return links, len(text)


def _linked_heading(el) -> bool:
    """``el`` holds a heading (h1-h4) that is mostly a link to another page: a post's or teaser's title."""
    for h in el.iter("h1", "h2", "h3", "h4"):
        text = len(all_text(h).strip())
        linked = sum(len(all_text(a).strip()) for a in h.iter("a") if not (a.get("href") or "#").startswith("#"))
        if text and linked >= 0.7 * text:
            return True
    return False


def _in_another_entry(el, body_chain: set) -> bool:
    """``el`` lies in another entry than the body's: the part of the page holding it and
    none of the body (the highest ancestor outside ``body_chain``) has a heading linking
    elsewhere, as each post of a blog's listing page or each teaser of a list has.

    An article split into several blocks has no such heading between its parts (its
    sub-headings are not links), so the completion by style still joins them."""
    unit = None
    for anc in [el, *el.iterancestors()]:
        if anc in body_chain:
            break
        unit = anc
    return unit is not None and _linked_heading(unit)


def refine_body(doc, body: list[str], hits: list, region, elements_out: list | None = None) -> list[str]:
    """Use the page layout to fix trafilatura's paragraph list.

    * paragraphs shown outside the article region are dropped (teasers of other
      articles, boxes elsewhere on the page);
    * ``<p>`` elements of the article region styled like the located body
      paragraphs (same tag, class and parent class) but missed are added, in
      page order (articles split into several blocks, paragraphs with a link),
      except those in a box (:func:`~.dom.in_boilerplate`) or in another entry
      of a listing (:func:`_in_another_entry`).
    """
    def done(items):
        if elements_out is not None:
            elements_out[:] = [el for _, el in items]
        return [text for text, _ in items]

    if not body:
        return body
    if region is None:
        return done(_drop_link_lists(doc, list(zip(body, hits))))
    inside = set()
    for el in region.iter():
        inside.add(el)
    kept: list[tuple[str, object]] = []
    for text, el in zip(body, hits):
        if el is not None and el not in inside:
            continue
        kept.append((text, el))
    kept = _drop_link_lists(doc, kept)
    # Completion by paragraph style.
    p_hits = [el for _, el in kept if el is not None and el.tag == "p"]
    if len(p_hits) >= 3:
        def signature(el):
            parent = el.getparent()
            return (el.get("class") or "", parent.tag if parent is not None else "", (parent.get("class") or "") if parent is not None else "")

        counts: dict = {}
        for el in p_hits:
            sig = signature(el)
            counts[sig] = counts.get(sig, 0) + 1
        sig, n = max(counts.items(), key=lambda kv: kv[1])
        if n >= 3 and n >= 0.5 * len(p_hits):
            have = {el for _, el in kept if el is not None}
            body_chain = {anc for el in have for anc in (el, *el.iterancestors())}
            position = {el: i for i, el in enumerate(region.iter())}
            extra = []
            for el in region.iter("p"):
                if el in have or signature(el) != sig:
                    continue
                text = clean_element_text(el)
                if len(text) < 60:
                    continue
                links = sum(len(all_text(a)) for a in el.iter("a"))
                if links > 0.3 * len(text) or in_boilerplate(el, region) or _in_another_entry(el, body_chain):
                    continue
                extra.append((text, el))
            if extra:
                keys = {norm_key(t) for t, _ in kept}
                extra = [(t, el) for t, el in extra if norm_key(t) not in keys]
                items = []
                last = -1.0
                for text, el in kept:
                    pos = position.get(el)
                    if pos is None:
                        pos = last + 0.001
                    last = pos
                    items.append((pos, text, el))
                items.extend((position[el], text, el) for text, el in extra)
                items.sort(key=lambda it: it[0])
                return done([(text, el) for _, text, el in items])
    return done(kept)
