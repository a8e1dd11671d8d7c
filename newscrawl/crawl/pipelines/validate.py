"""ValidatePipeline: the item's JSON Schema plus the rules a data team states.

An invalid item is never silently dropped: it is written to the rejects JSONL
(NEWSCRAWL_REJECTS_PATH: one line per item with the URL, the reasons and the
item), logged with its URL and reasons, counted per reason in the crawl stats
(``newscrawl/rejected/<reason>``), and then dropped from the feed and the database.

Besides the schema and the content rules, two rules keep out rows no store could
write (for items of any producer; NewsSpider's are clean already):
``url_too_long`` (``url`` or ``canonical_url`` longer than NEWSCRAWL_MAX_URL_LENGTH,
2083 by default like Scrapy's URLLENGTH_LIMIT; PostgreSQL cannot index much more)
and ``unstorable_text`` (a lone surrogate or a NUL byte left in any value).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from importlib import resources

import fastjsonschema
from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator

from newscrawl.crawl import defaults
from newscrawl.crawl import services
from newscrawl.crawl.outputs import JsonLinesAppender, OutputGuard
from newscrawl.crawl.pipelines.outcomes import ArticleRejected
from newscrawl.sites import SiteRegistry
from newscrawl.model.text import storable, unstorable
from newscrawl.model.urls import same_site

logger = logging.getLogger(__name__)


def load_schema() -> dict:
    return json.loads(resources.files("newscrawl.model").joinpath("schema", "article.schema.json").read_text("utf-8"))


def strict_schema(schema: dict | None = None) -> dict:
    """The published schema, made strict on what this newscrawl itself emits.

    The published schema lets a consumer of 1.x read items of any later minor version (unknown
    fields allowed, ``schema_version`` any ``1.N``). The pipeline checks its own items, so here a
    misspelt or unlisted field (top level, in a caption or a block), a block type this code does not
    write and any ``schema_version`` but this code's are violations: a field is added to the schema
    file before an item may carry it.
    """
    from newscrawl.model.item import BLOCK_TYPES, ITEM_SCHEMA_VERSION as SCHEMA_VERSION

    schema = json.loads(json.dumps(load_schema() if schema is None else schema))  # a deep copy
    schema["additionalProperties"] = False
    schema["properties"]["captions"]["items"]["additionalProperties"] = False
    blocks = schema["properties"]["blocks"]["items"]
    blocks["additionalProperties"] = False
    blocks["properties"]["type"] = {**blocks["properties"]["type"], "enum": list(BLOCK_TYPES)}  # the types this version writes
    schema["properties"]["schema_version"] = {**schema["properties"]["schema_version"], "const": SCHEMA_VERSION}
    return schema


def inline_refs(schema: dict) -> dict:
    """The schema with each local ``{"$ref": "#/$defs/NAME"}`` replaced by its definition.

    jsonschema resolves a $ref through its registry on every visit (once per body
    paragraph, author and tag); the published schema keeps its $defs for readers,
    the validator checks an equivalent one without references.
    """
    defs = schema.get("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs:
                rest = {k: walk(v) for k, v in node.items() if k != "$ref"}
                return {**walk(defs[ref[8:]]), **rest}
            return {k: walk(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text_chars(values) -> int:
    """Characters in the strings among ``values``."""
    return sum(len(v) for v in values if isinstance(v, str))


class ArticleValidator:
    """Checks one article dict; returns the reasons it is invalid (empty when valid)."""

    def __init__(self, min_body_chars: int = 200, future_tolerance: timedelta = timedelta(hours=24),
                 max_url_length: int = 2083, sites: SiteRegistry | None = None):
        schema = inline_refs(strict_schema())
        # Every item is checked by the schema compiled to Python code (fastjsonschema: some
        # twenty times faster than jsonschema walking it); only an item that fails is walked
        # by jsonschema, which names every violation, not just the first.
        self.schema_check = fastjsonschema.compile(schema)
        self.schema = Draft202012Validator(schema)
        self.min_body_chars = min_body_chars
        self.future_tolerance = future_tolerance
        self.max_url_length = max_url_length
        self.sites = sites or SiteRegistry.from_dirs()

    def reasons(self, item: dict, allowed_hosts=()) -> list[str]:
        reasons = []
        if not item.get("title"):
            reasons.append("missing_title")
        # Values of the wrong type are the schema's to report (below); the rules count only text.
        body_chars = _text_chars(_list(item.get("body")))
        # A photo story tells its story in captions: its text counts as the body.
        captions_text = _text_chars(c.get("text") for c in _list(item.get("captions")) if isinstance(c, dict))
        if not body_chars and captions_text < self.min_body_chars:
            reasons.append("missing_body")
        elif max(body_chars, captions_text) < self.min_body_chars:
            reasons.append("short_body")
        published = item.get("published")
        if not published:
            reasons.append("missing_published")
        else:
            try:
                when = datetime.fromisoformat(published)
                if when.tzinfo is None:
                    reasons.append("naive_published")
                elif when - datetime.now(timezone.utc) > self.future_tolerance:
                    reasons.append("future_published")
            except (TypeError, ValueError):
                reasons.append("invalid_published")
        site = self.sites.get(item.get("site"))
        url = item.get("url") if isinstance(item.get("url"), str) else ""
        if site is not None and not (site.owns(url) or any(same_site(url, f"http://{h}/") for h in allowed_hosts)):
            reasons.append("offsite_url")
        if any(isinstance(item.get(name), str) and len(item[name]) > self.max_url_length
               for name in ("url", "canonical_url")):
            reasons.append("url_too_long")
        if unstorable(item):
            reasons.append("unstorable_text")
        reasons.extend(self.schema_reasons(item))
        return list(dict.fromkeys(reasons))

    def schema_reasons(self, item: dict) -> list[str]:
        """``schema:<path>`` for each place where the item breaks the published schema."""
        try:
            self.schema_check(item)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        return [f"schema:{'/'.join(str(p) for p in error.absolute_path) or 'item'}"
                for error in self.schema.iter_errors(item)]


class ValidatePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            stats=crawler.stats,
            rejects_path=defaults.get(settings, "NEWSCRAWL_REJECTS_PATH"),
            min_body_chars=defaults.getint(settings, "NEWSCRAWL_MIN_BODY_CHARS"),
            future_tolerance=timedelta(hours=defaults.getfloat(settings, "NEWSCRAWL_FUTURE_TOLERANCE_HOURS")),
            max_url_length=defaults.getint(settings, "NEWSCRAWL_MAX_URL_LENGTH"),
            sites=SiteRegistry.from_settings(settings),
        )
        pipeline.crawler = crawler
        pipeline.rejects.guard, pipeline.rejects.output = services.service(crawler, OutputGuard), "rejects"  # a full disk stops the crawl
        return pipeline

    def __init__(self, stats, rejects_path, min_body_chars=200, future_tolerance=timedelta(hours=24),
                 max_url_length=2083, sites=None):
        self.stats = stats
        self.validator = ArticleValidator(min_body_chars, future_tolerance, max_url_length, sites)
        self.rejects = JsonLinesAppender(rejects_path)
        self.crawler = None
        self.store = None

    def _allowed_hosts(self):
        spider = getattr(self.crawler, "spider", None) if self.crawler else None
        return getattr(spider, "allowed_domains", None) or ()

    def process_item(self, item, spider=None):
        # A shallow copy: field values are already plain JSON values, and asdict()'s deep
        # conversion (every body paragraph tested for being an item) costs more than the checks.
        data = dict(ItemAdapter(item).items())
        reasons = self.validator.reasons(data, self._allowed_hosts())
        if not reasons:
            self.stats.inc_value("newscrawl/valid")
            return item
        self.stats.inc_value("newscrawl/rejected")
        for reason in reasons:
            self.stats.inc_value(f"newscrawl/rejected/{reason}")
        # What made the item unstorable must not make its reject record unwritable too.
        data = storable(data)
        self.rejects.write({
            "url": data.get("url"),
            "reasons": reasons,
            "rejected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "item": data,
        })
        logger.warning("rejected %s: %s", data.get("url"), ", ".join(reasons))
        drop = ArticleRejected(f"invalid article {data.get('url')}: {', '.join(reasons)}", reasons)
        if self.store is not None:
            url = data.get("url")
            recording = self.store.run(lambda: self.store.record_reject(url, data.get("site") or "", reasons),
                                       f"reject record of {url}")
            if recording is not None:  # the database is away: wait for it without blocking the reactor
                return self._drop_after(recording, url, drop)
        raise drop

    async def _drop_after(self, recording, url, drop: ArticleRejected):
        from newscrawl.storage.store import DatabaseOutage

        try:
            await recording
        except DatabaseOutage as error:  # the rejects JSONL has it; the next run may fetch the page again
            logger.error("could not record the reject of %s in the database: %s", url, error)
        raise drop

    def open_spider(self, spider=None):
        # Rejected pages are remembered in the database, so incremental runs don't fetch them every time.
        store = services.store(self.crawler) if self.crawler is not None else None
        if store is not None:
            self.store = store  # reference-counted: shared with dedupe and store
            return self.store.open_when_ready()  # None, or an awaitable while the database is away

    def close_spider(self, spider=None):
        self.rejects.close()
        if self.store is not None:
            return self.store.close_when_written()
        return None
