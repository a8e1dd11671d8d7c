"""ArticleLoader: field-level cleaning of extracted values (itemloaders, no Scrapy needed).

Layers hand the loader raw values; the processors make them what the schema
promises: NFC text without entities or invisible characters, one caption per
image, bylines de-duplicated, dates as ISO 8601 with their UTC offset.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

from itemloaders import ItemLoader
from itemloaders.processors import Identity, MapCompose, TakeFirst

from newscrawl.extract.authors import split_photo_credit
from newscrawl.extract.dates import parse_datetime
from newscrawl.model.item import DEFAULT_TIMEZONE
from newscrawl.model.text import clean_text, unique


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

    captions_in = MapCompose(clean_caption)
    captions_out = unique_captions
    images_in = MapCompose(absolute_url)
    images_out = unique

    url_in = canonical_url_in = Identity()
    extraction_in = missing_in = Identity()
    extraction_out = TakeFirst()
    missing_out = Identity()
