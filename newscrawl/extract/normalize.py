"""The one normalisation pass: every extracted value made what the schema promises, once.

:class:`ArticleLoader` (itemloaders, no Scrapy needed) takes the layers' raw values field by
field: NFC text without entities or invisible characters (:func:`~newscrawl.model.text.clean_text`),
one caption per image with its credit split off, bylines de-duplicated, image URLs absolute, dates
as ISO 8601 with their UTC offset (a datetime a layer already parsed is only formatted).
:func:`finish_article` then does what no single field's processor can see: the body without
boilerplate lines, captions, a trailing byline or the lead repeated, and no character a database
refuses in any value.

``extract_article`` runs the two, so each string is cleaned once. :func:`clean_article` is both
passes for the dict of another producer (CleanPipeline), whose values were never loaded.
Idempotent: cleaning a clean item changes nothing.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

from itemloaders import ItemLoader
from itemloaders.processors import Identity, MapCompose, TakeFirst

from newscrawl.extract.authors import split_photo_credit
from newscrawl.extract.dates import parse_datetime
from newscrawl.model.item import DEFAULT_TIMEZONE, TEXT_FIELDS, TEXT_LIST_FIELDS
from newscrawl.model.text import clean_lines, clean_text, storable, unique

# --------------------------------------------------------------------------- field by field


def to_iso_datetime(value, loader_context) -> str | None:
    """A datetime or date string as ISO 8601 with offset; naive values take the site's zone."""
    tz = loader_context.get("timezone") or DEFAULT_TIMEZONE
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else parse_datetime(value.isoformat(), tz=tz)
    else:
        parsed = parse_datetime(str(value), tz=tz, now=loader_context.get("now"))
    return parsed.isoformat() if parsed else None


def clean_caption(value, loader_context) -> dict | None:
    if isinstance(value, str):
        value = {"text": value}
    text = clean_text(value.get("text"))
    if not text:
        return None
    credit = clean_text(value.get("credit"))
    if not credit:
        _, credit = split_photo_credit(text)
    image_url = value.get("image_url")
    if image_url:
        image_url = urljoin(loader_context.get("base_url") or "", image_url.strip())
    return {"text": text, "image_url": image_url or None, "credit": credit or None}


def unique_captions(captions: list[dict]) -> list[dict]:
    """One caption per text: pages print a caption twice (alt text and caption) or repeat a photo."""
    seen, out = set(), []
    for caption in captions:
        key = caption["text"].casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(caption)
    return out


def clean_block(value) -> dict | None:
    """A ``{"type", "text"}`` block with its text cleaned; a bare string is a paragraph; an empty text is no block."""
    if isinstance(value, str):
        value = {"type": "paragraph", "text": value}
    text = clean_text(value.get("text"))
    if not text:
        return None
    return {"type": value.get("type") or "paragraph", "text": text}


def absolute_url(value, loader_context) -> str | None:
    value = (value or "").strip()
    if not value or value.startswith("data:"):
        return None
    return urljoin(loader_context.get("base_url") or "", value)


class ArticleLoader(ItemLoader):
    default_item_class = dict
    default_input_processor = MapCompose(clean_text)
    default_output_processor = TakeFirst()

    published_in = MapCompose(to_iso_datetime)
    modified_in = MapCompose(to_iso_datetime)

    authors_out = unique
    authors_raw_out = unique
    tags_out = unique
    body_out = Identity()
    blocks_in = MapCompose(clean_block)
    blocks_out = Identity()

    captions_in = MapCompose(clean_caption)
    captions_out = unique_captions
    images_in = MapCompose(absolute_url)
    images_out = unique

    url_in = canonical_url_in = Identity()
    extraction_in = missing_in = Identity()
    extraction_out = TakeFirst()
    missing_out = Identity()


# --------------------------------------------------------------------------- the article as a whole


def body_without_furniture(paragraphs: list[str], *, boilerplate=frozenset(), captions=(), bylines=(),
                           lead: str | None = None) -> list[str]:
    """Clean body paragraphs without boilerplate lines, captions, a trailing byline, or the lead repeated."""
    drop = {t.casefold() for t in boilerplate} | {c.casefold() for c in captions}
    paragraphs = [p for p in paragraphs if p.casefold() not in drop]
    byline_set = {b.casefold() for b in bylines}
    while paragraphs and paragraphs[-1].casefold() in byline_set:
        paragraphs.pop()
    if lead and paragraphs and paragraphs[0].casefold() == lead.casefold():
        paragraphs.pop(0)
    return paragraphs


def blocks_for_body(body: list[str], blocks: list[dict]) -> list[dict]:
    """``blocks`` made to agree with the final ``body``: one block per body paragraph, in body order, typed as
    the layer typed it (a paragraph no block names, e.g. one the cleaning shortened, is a ``paragraph``), and
    the layer's sub-headings (``heading`` blocks not in the body) where they stood between two body paragraphs.

    The body is cleaned after the layers ran (boilerplate, captions, a trailing byline, the lead repeated); the
    blocks follow it, so ``body`` is always ``blocks`` without those sub-headings. A heading before the first
    body paragraph (the headline, a kicker) or after the last (a "More on this" box) is not the article's, nor
    is one over blocks the body left out (a "Related" box amid the text): a sub-heading stands right above
    the paragraph it heads (:func:`_heads_text`).
    """
    keys = [(b["type"], b["text"], b["text"].casefold()) for b in blocks]
    out: list[dict] = []
    used: set[int] = set()
    previous = None  # the block of the previous body paragraph
    for text in body:
        key = text.casefold()
        # The block after the previous paragraph's first, else any unused one: a body the layout check
        # reordered (a paragraph the page also shows higher up, as a pull quote) is still typed, and the
        # paragraphs after it still find their blocks and sub-headings.
        start = 0 if previous is None else previous + 1
        found = next((i for i in range(start, len(keys)) if keys[i][2] == key and i not in used), None)
        if found is None:
            found = next((i for i in range(start) if keys[i][2] == key and i not in used), None)
        if found is None:
            out.append({"type": "paragraph", "text": text})
            continue
        if out and previous is not None and found > previous:
            # the sub-headings between the previous body paragraph and this one, right above it
            out.extend({"type": "heading", "text": keys[i][1]} for i in range(previous + 1, found)
                       if keys[i][0] == "heading" and _heads_text(keys, i, found))
        out.append({"type": keys[found][0], "text": text})
        used.add(found)
        previous = found
    return out


def _heads_text(keys: list[tuple], index: int, paragraph: int) -> bool:
    """Whether the heading at ``index`` stands right over the body paragraph at ``paragraph`` (other headings
    aside). A heading over blocks the body left out heads a box the cleaning removed ("Related",
    "Recommended", a list of links). Measured against allowing one left-out block between them (a link
    line): extraction-open2 body+headings F1 0.9728 vs 0.9726, snippets 0.9404 vs 0.9397, extraction-open
    0.9662 vs 0.9663."""
    return all(keys[j][0] == "heading" for j in range(index + 1, paragraph))


def finish_article(item: dict, boilerplate=frozenset()) -> dict:
    """The article-level pass over an item whose values are clean (loaded): in place, and returned."""
    if "body" in item:
        bylines = [*(item.get("authors_raw") or []), *(item.get("authors") or [])]
        if item.get("source"):
            bylines += [item["source"], f"Theo {item['source']}", f"({item['source']})"]
        item["body"] = body_without_furniture(
            item.get("body") or [], boilerplate=boilerplate, captions=[c["text"] for c in item.get("captions") or []],
            bylines=bylines, lead=item.get("lead"),
        )
        item["blocks"] = blocks_for_body(item["body"], item.get("blocks") or [])
    # Everything else (URLs, image URLs of captions, extraction notes...): no character a database or a
    # UTF-8 file refuses. One bad value would otherwise cost the article its row, or its batch.
    for name in list(item.keys()):
        item[name] = storable(item[name])
    return item


def clean_article(item: dict, boilerplate=frozenset()) -> dict:
    """Clean an article dict of any producer in place and return it: text fields as :func:`clean_text`
    makes them, then :func:`finish_article`."""
    for name in TEXT_FIELDS:
        if name in item:
            item[name] = clean_text(item[name])
    for name in TEXT_LIST_FIELDS:
        if name in item:
            item[name] = list(dict.fromkeys(clean_lines(item[name])))
    if "captions" in item:
        captions = []
        for caption in item.get("captions") or []:
            text = clean_text(caption.get("text"))
            if text:
                captions.append({**caption, "text": text, "credit": clean_text(caption.get("credit"))})
        item["captions"] = captions
    if "body" in item:
        item["body"] = clean_lines(item.get("body"))
    if "blocks" in item:
        item["blocks"] = [b for b in (clean_block(v) for v in item.get("blocks") or ()) if b]
    return finish_article(item, boilerplate)
