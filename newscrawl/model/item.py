"""The article item. Its JSON form is described by newscrawl/model/schema/article.schema.json."""
import scrapy

SCHEMA_VERSION = "1.0"

ARTICLE_FIELDS = (
    "url", "canonical_url", "site", "section", "title", "lead", "published", "modified",
    "authors", "authors_raw", "source", "captions", "body", "tags", "images", "language",
    "crawled_at", "content_hash", "extraction", "missing", "duplicate_of", "version", "schema_version",
)


class ArticleItem(scrapy.Item):
    # Declared from ARTICLE_FIELDS so the item, the loader and the schema name the same fields.
    locals().update({name: scrapy.Field() for name in ARTICLE_FIELDS})
