"""Article rows, their statements and the write batch.

Every write is idempotent, so a batch whose transaction failed half way (the
connection was dropped, the server restarted) is simply written again:

* articles: ``INSERT ... ON CONFLICT (canonical_url) DO UPDATE ... WHERE``
  the content hash or the modification time differs (and the incoming copy is
  not older than the stored one), bumping ``version`` in the database; an
  ``article_versions`` row is added only when the statement actually inserted
  or updated (``RETURNING``), keyed by ``(canonical_url, version)``;
* duplicates: one row per (duplicate, first copy, kind), ``seen_at`` refreshed;
* signatures: one row per canonical URL, with its band keys (newscrawl/storage/signatures.py).

The same statements make concurrent workers on one database safe: the
database, not a worker's memory, decides the version.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection

from newscrawl.model.item import ARTICLE_FIELDS, DATE_FIELDS, OPTIONAL_FIELDS
from newscrawl.model.item import LIST_FIELDS as _LIST_FIELDS  # the item's array fields
from newscrawl.model.urls import canonical_url as make_canonical_url
from newscrawl.storage import urlstate
from newscrawl.storage.schema import (
    article_versions,
    articles,
    dialect_insert,
    duplicates,
    minhash_bands,
    minhash_signatures,
)



def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_iso_datetime(value) -> datetime | None:
    """An ISO 8601 string (or datetime) as an aware datetime; naive values are taken as UTC; junk gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def fallback_content_hash(title, body) -> str:
    """The extractor's content hash, for items that arrive without one."""
    from newscrawl.extract import content_hash  # at call time: the extractor is heavier than the store

    return content_hash(title, body)


def _site_of(item: Mapping) -> str:
    site = item.get("site")
    if site:
        return str(site)
    return (urlsplit(item.get("url") or item.get("canonical_url") or "").hostname or "").lower()


def item_to_row(item: Mapping, now: datetime | None = None) -> dict:
    """The ``articles`` row for an item (a dict or any mapping, e.g. an ItemAdapter)."""
    now = now or utcnow()
    url = item.get("url") or item.get("canonical_url") or ""
    canonical = make_canonical_url(item.get("canonical_url") or url)
    content_hash = item.get("content_hash") or fallback_content_hash(item.get("title"), item.get("body"))
    row = {
        "canonical_url": canonical,
        "url": url,
        "site": _site_of(item),
        "section": item.get("section"),
        "title": item.get("title"),
        "lead": item.get("lead"),
        "published": parse_iso_datetime(item.get("published")),
        "published_raw": _raw(item.get("published")),
        "modified": parse_iso_datetime(item.get("modified")),
        "modified_raw": _raw(item.get("modified")),
        "source": item.get("source"),
        "language": item.get("language"),
        "crawled_at": parse_iso_datetime(item.get("crawled_at")) or now,
        "content_hash": content_hash,
        "extraction": dict(item.get("extraction") or {}),
        "page_kind": item.get("page_kind"),
        "duplicate_of": item.get("duplicate_of"),
        "version": int(item.get("version") or 1),
        "schema_version": item.get("schema_version"),
        # Present only when an extractor failed on the page (OPTIONAL_FIELDS): NULL, not {}, otherwise.
        "errors": dict(item.get("errors") or {}) or None,
        "date_zones": dict(item.get("date_zones") or {}) or None,
        "first_seen": now,
        "last_seen": now,
    }
    for name in _LIST_FIELDS:
        row[name] = list(item.get(name) or [])
    return row


def _iso_utc(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value is not None else None


#: Item fields whose column may be NULL in rows stored before the field was (item schema 1.2's ``blocks`` and
#: ``page_kind``):
#: such a row reads back without the field, as the item its schema_version describes.
_LATER_FIELDS = ("blocks", "page_kind")


def row_to_item(row) -> dict:
    """An ``articles`` row as an item dict, in the item's field order (ARTICLE_FIELDS); the inverse of
    :func:`item_to_row`. Every field is read from the column of its name, but the dates, which come from
    the string as extracted (it keeps the page's offset, ``+07:00``; the UTC column is the fallback)."""
    m = row._mapping
    item = {}
    for name in ARTICLE_FIELDS:
        value = m[name] if name not in DATE_FIELDS else (m[f"{name}_raw"] or _iso_utc(m[name]))
        if value is None and (name in OPTIONAL_FIELDS or name in _LATER_FIELDS):
            continue
        if name == "captions":
            value = [{"text": c.get("text"), "image_url": c.get("image_url"), "credit": c.get("credit")}
                     for c in value or []]
        elif name in _LIST_FIELDS:
            value = list(value or [])
        elif name in ("extraction", "errors", "date_zones"):
            value = dict(value or {})
        elif name == "crawled_at":
            value = _iso_utc(value)
        elif name == "schema_version":
            value = value or "1.0"  # rows stored before the field was
        item[name] = value
    return item


def _raw(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class ArticleState:
    """What the store knows about a stored (or staged) article."""

    canonical_url: str
    version: int
    content_hash: str
    modified: datetime | None
    modified_raw: str | None
    duplicate_of: str | None

    def same_modified(self, modified: datetime | None, modified_raw: str | None) -> bool:
        if self.modified is not None and modified is not None:
            return self.modified == modified
        if self.modified is None and modified is None:
            return self.modified_raw == modified_raw
        return False

    def is_newer_than(self, modified: datetime | None) -> bool:
        """The stored copy was modified after ``modified`` (so an incoming copy with it is stale)."""
        return self.modified is not None and modified is not None and modified < self.modified


# --------------------------------------------------------------------------- statements


class Statements:
    """The store's statements for one dialect, each built once."""

    def __init__(self, dialect: str):
        self.dialect = dialect

    def _insert(self, table):
        return dialect_insert(self.dialect, table)

    @cached_property
    def upsert_article(self):
        stmt = self._insert(articles)
        ex = stmt.excluded
        keep = {"id", "canonical_url", "first_seen"}
        set_ = {c.name: ex[c.name] for c in articles.columns if c.name not in keep}
        set_["version"] = articles.c.version + 1
        changed = or_(
            articles.c.content_hash.is_distinct_from(ex.content_hash),
            articles.c.modified.is_distinct_from(ex.modified),
            and_(
                articles.c.modified.is_(None),
                ex.modified.is_(None),
                articles.c.modified_raw.is_distinct_from(ex.modified_raw),
            ),
        )
        not_stale = or_(ex.modified.is_(None), articles.c.modified.is_(None), ex.modified >= articles.c.modified)
        return stmt.on_conflict_do_update(
            index_elements=[articles.c.canonical_url], set_=set_, where=and_(changed, not_stale)
        ).returning(articles.c.canonical_url, articles.c.version)

    @staticmethod
    def _find(with_hash: bool):
        a = articles
        condition = a.c.canonical_url == bindparam("canonical_url")
        if with_hash:
            condition = or_(condition, a.c.content_hash == bindparam("content_hash"))
        # No ORDER BY/LIMIT: the few matching rows are sorted here, so the planner
        # always answers from the two unique/hash indexes.
        return select(
            a.c.id,
            a.c.first_seen,
            a.c.canonical_url,
            a.c.version,
            a.c.content_hash,
            a.c.modified,
            a.c.modified_raw,
            a.c.duplicate_of,
        ).where(condition)

    @cached_property
    def find_by_url(self):
        return self._find(False)

    @cached_property
    def find_by_url_or_hash(self):
        return self._find(True)

    @cached_property
    def insert_version(self):
        return self._insert(article_versions).on_conflict_do_nothing(
            index_elements=[article_versions.c.canonical_url, article_versions.c.version]
        )

    @cached_property
    def upsert_signature(self):
        stmt = self._insert(minhash_signatures)
        ex = stmt.excluded
        return stmt.on_conflict_do_update(
            index_elements=[minhash_signatures.c.canonical_url],
            set_={
                "num_perm": ex.num_perm,
                "scheme": ex.scheme,
                "seed": ex.seed,
                "hashvalues": ex.hashvalues,
                "duplicate_of": ex.duplicate_of,
                "updated_at": ex.updated_at,
            },
        )

    @cached_property
    def insert_band(self):
        return self._insert(minhash_bands).on_conflict_do_nothing(
            index_elements=[minhash_bands.c.band_key, minhash_bands.c.canonical_url]
        )

    @cached_property
    def upsert_duplicate(self):
        stmt = self._insert(duplicates)
        ex = stmt.excluded
        return stmt.on_conflict_do_update(
            index_elements=[duplicates.c.canonical_url, duplicates.c.duplicate_of, duplicates.c.kind],
            set_={"url": ex.url, "similarity": ex.similarity, "seen_at": ex.seen_at},
        )

    @cached_property
    def touch(self):
        return (
            update(articles)
            .where(articles.c.canonical_url == bindparam("b_canonical_url"))
            .where(articles.c.last_seen < bindparam("b_seen"))
            .values(last_seen=bindparam("b_seen"))
        )


def find(conn: Connection, statements: Statements, canonical: str, content_hash: str | None):
    """``(state of the article stored under canonical, canonical URL of the first other article with
    content_hash)`` in one query (``None`` for either that is not there)."""
    query = statements.find_by_url_or_hash if content_hash else statements.find_by_url
    rows = conn.execute(query, {"canonical_url": canonical, "content_hash": content_hash}).all()
    previous, other = None, None
    for row in sorted(rows, key=lambda r: (r.first_seen, r.id)):
        if row.canonical_url == canonical:
            previous = ArticleState(
                row.canonical_url, row.version, row.content_hash, row.modified, row.modified_raw, row.duplicate_of
            )
        elif other is None and row.content_hash == content_hash:
            other = row.canonical_url
    return previous, other


def article_dates(conn: Connection) -> list:
    """``(site, published, first_seen)`` of every stored article (for the report)."""
    return conn.execute(select(articles.c.site, articles.c.published, articles.c.first_seen)).all()


# --------------------------------------------------------------------------- the write batch


def _waves(staged: list) -> list[list]:
    """Split staged articles into runs in which each canonical URL appears once, keeping order per URL."""
    waves: list[list] = []
    seen: dict[str, int] = {}
    for entry in staged:
        canonical = entry[0]["canonical_url"]
        index = seen.get(canonical, -1) + 1
        seen[canonical] = index
        if index == len(waves):
            waves.append([])
        waves[index].append(entry)
    return waves


class Batch:
    """Writes staged since the last flush."""

    def __init__(self):
        # (row, the signature to write with it: None when there is none or the dedupe check wrote it)
        self.articles: list[tuple[dict, Any]] = []
        self.states: dict[str, ArticleState] = {}
        self.by_hash: dict[str, str] = {}
        self.duplicates: dict[tuple[str, str, str], dict] = {}
        self.touches: dict[str, datetime] = {}
        # URL-state outcomes (newscrawl/crawl/urlstate.py), written after the articles in the same
        # transaction: a URL is never marked stored before its article is.
        self.url_rows: dict[tuple[str, str], dict] = {}

    def __len__(self) -> int:
        return len(self.articles) + len(self.duplicates) + len(self.touches) + len(self.url_rows)

    # The staged rows other than articles, each a dict keyed by what makes the row unique, with the
    # name a log line gives one of them. A new kind of staged row is one more entry here (and its
    # statement in write_batch): splitting a failed batch then covers it too.
    ROW_KINDS = {"duplicates": "duplicate record", "touches": "last_seen update", "url_rows": "URL state row"}

    def units(self) -> list[Batch]:
        """The batch as one-unit batches, in order: each article (written with its version and signature
        rows), then each row of every other kind. What fails alone is what the database refuses."""
        units = []
        for entry in self.articles:
            unit = Batch()
            unit.articles.append(entry)
            units.append(unit)
        for kind in self.ROW_KINDS:
            for key, row in getattr(self, kind).items():
                unit = Batch()
                getattr(unit, kind)[key] = row
                units.append(unit)
        return units

    @staticmethod
    def merge(units: list[Batch]) -> Batch:
        """One batch of ``units`` (articles keep their order, so waves of one URL stay in order)."""
        batch = Batch()
        for unit in units:
            batch.articles.extend(unit.articles)
            for kind in Batch.ROW_KINDS:
                getattr(batch, kind).update(getattr(unit, kind))
        return batch

    def describe(self) -> tuple[str, str, str]:
        """(url, site, kind) of a one-unit batch, for its reject record and the log."""
        if self.articles:
            row = self.articles[0][0]
            return row["url"] or row["canonical_url"], row["site"] or "", "article"
        for kind, name in self.ROW_KINDS.items():
            rows = getattr(self, kind)
            if rows:
                key, row = next(iter(rows.items()))
                url = row.get("url") if isinstance(row, dict) else None
                site = row.get("site") if isinstance(row, dict) else None
                return str(url or key), str(site or ""), name
        return "", "", "empty batch"


def write_batch(conn: Connection, statements: Statements, batch: Batch, write_signatures) -> int:
    """Execute a batch's statements on ``conn`` (in the caller's transaction); return the articles written.
    Idempotent. ``write_signatures(conn, rows)`` writes ``(canonical_url, signature, duplicate_of, when)``
    rows with their band keys (:meth:`newscrawl.storage.signatures.StoredIndex.write`).

    Articles go in multi-row statements; an article staged more than once
    in the batch (changed twice) goes in a later "wave", since one
    statement may not upsert the same row twice.
    """
    written = 0
    for wave in _waves(batch.articles):
        rows = [row for row, _ in wave]
        versions = dict(tuple(r) for r in conn.execute(statements.upsert_article, rows).all())
        if not versions:
            continue  # all unchanged in the database (already written, or newer copies stored)
        written += len(versions)
        version_rows, signature_rows = [], []
        for row, sig in wave:
            version = versions.get(row["canonical_url"])
            if version is None:
                continue
            version_rows.append(
                {
                    "canonical_url": row["canonical_url"],
                    "version": version,
                    "content_hash": row["content_hash"],
                    "modified": row["modified"],
                    "modified_raw": row["modified_raw"],
                    "title": row["title"],
                    "body": row["body"],
                    "recorded_at": row["last_seen"],
                }
            )
            if sig is not None:
                signature_rows.append((row["canonical_url"], sig, row["duplicate_of"], row["last_seen"]))
        conn.execute(statements.insert_version, version_rows)
        write_signatures(conn, signature_rows)
    if batch.duplicates:
        conn.execute(statements.upsert_duplicate, list(batch.duplicates.values()))
    if batch.touches:
        conn.execute(
            statements.touch,
            [{"b_canonical_url": url, "b_seen": seen} for url, seen in batch.touches.items()],
        )
    urlstate.write_rows(conn, list(batch.url_rows.values()))
    return written


# -- reads for exports and the CLI (newscrawl export): streamed, oldest publication first
def table_names(engine) -> set[str]:
    """The tables the database holds (to tell a newscrawl database from an empty or foreign one)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def stored_sites(engine) -> list[str]:
    """The sites the database holds articles of (site files' names, and hosts of pages without one)."""
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(articles.c.site).distinct()) if r[0])


def stream_articles(engine, since_utc: datetime, site: str | None = None, chunk: int = 2000):
    """Every ``articles`` row published since ``since_utc`` (first seen since then, for an article
    without a date), of one site or all, in publication order; fetched ``chunk`` rows at a time."""
    a = articles
    query = select(a).where(or_(a.c.published >= since_utc, and_(a.c.published.is_(None), a.c.first_seen >= since_utc)))
    if site:
        query = query.where(a.c.site == site)
    query = query.order_by(a.c.published.asc().nulls_last(), a.c.id)
    with engine.connect() as conn:
        yield from conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
