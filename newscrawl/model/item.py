"""The article item: its fields, once. Its JSON form is described by newscrawl/model/schema/article.schema.json,
which tests/test_schema_versions.py checks against the names here."""
import scrapy

#: The version of the item's JSON form (each item's ``schema_version``). Not the database's schema version
#: (newscrawl.storage.schema), which counts migrations of the tables.
ITEM_SCHEMA_VERSION = "1.2"  # 1.1: the optional `errors` field (per-field extraction failures); 1.2: `blocks`, `date_zones`, `page_kind`

#: The zone a site file's dates without offset are read in when the file names none (Vietnamese sites).
#: Pages without a site file have their zone inferred from the page (extract/generic/zones.py), noted in
#: the item's ``date_zones``.
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

#: Every field, in the schema's (and every output's) order.
ARTICLE_FIELDS = (
    "url", "canonical_url", "site", "section", "title", "lead", "published", "modified",
    "authors", "authors_raw", "source", "captions", "body", "blocks", "tags", "images", "language",
    "crawled_at", "content_hash", "extraction", "page_kind", "missing", "duplicate_of", "version", "schema_version",
    "errors", "date_zones",
)
#: Free text: one string or null, normalised by clean_text.
TEXT_FIELDS = ("title", "lead", "section", "source", "language")
#: Dates: ISO 8601 with offset, or null.
DATE_FIELDS = ("published", "modified")
#: Arrays (possibly empty, never null).
LIST_FIELDS = ("authors", "authors_raw", "captions", "body", "blocks", "tags", "images", "missing")
#: Arrays of free text, each string normalised and kept once.
TEXT_LIST_FIELDS = ("authors", "authors_raw", "tags")
#: The types of ``blocks`` entries ({"type", "text"}) this version writes; ``body`` holds the text of every block
#: but the sub-headings (``heading``) the generic layer finds. A later minor version may add a type.
BLOCK_TYPES = ("paragraph", "heading", "list_item", "quote", "table_row", "code")
#: What ``page_kind`` says a page is (newscrawl/extract/pagekind.py); only articles are stored.
PAGE_KINDS = ("article", "listing", "other")
#: Present only when an extractor failed on the page: {field: "ExceptionType: message"}.
#: ``date_zones``: present only when a date's offset was not the page's own: {field: where it came from}.
OPTIONAL_FIELDS = ("errors", "date_zones")


class ArticleItem(scrapy.Item):
    # Declared from ARTICLE_FIELDS so the item, the loader and the schema name the same fields.
    locals().update({name: scrapy.Field() for name in ARTICLE_FIELDS})
