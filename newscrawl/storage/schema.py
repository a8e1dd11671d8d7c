"""Tables of the newscrawl database (SQLAlchemy Core), the same on SQLite and PostgreSQL.

``init_schema(engine)`` creates missing tables and indexes, records the schema
version in ``schema_meta`` and runs forward migrations when the database is
older than this code. Migrations are functions in :data:`MIGRATIONS`, keyed by
the version they upgrade *from*; each runs in the same transaction as the
version bump. New tables need no migration (``create_all`` makes them); a
migration changes tables that already exist (add a column, an index, backfill).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn, SetColumnComment
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

#: Version of the schema this code writes. Bump it and add ``MIGRATIONS[old]``.
SCHEMA_VERSION = 6


def add_columns(conn: Connection, table: Table, names: tuple[str, ...]) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for each of ``names`` the table lacks, declared (and, in PostgreSQL,
    commented) as its Column in this module says, so that a migrated database has what a new one gets.
    The columns must be nullable: the rows already there get NULL."""
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    table_name = conn.dialect.identifier_preparer.format_table(table)
    for name in names:
        column = table.c[name]
        if not column.nullable:
            raise ValueError(f"{table.name}.{name}: a column added to a table with rows must be nullable")
        if name in present:
            continue
        # exec_driver_sql: the DDL is ours, and text() would take a ":" in it for a parameter.
        conn.exec_driver_sql(f"ALTER TABLE {table_name} ADD COLUMN {CreateColumn(column).compile(dialect=conn.dialect)}")
        if column.comment and conn.dialect.supports_comments:
            conn.execute(SetColumnComment(column))


def _articles_blocks_and_errors(conn: Connection) -> None:
    """3 -> 4: the item's ``blocks`` (item schema 1.2) and its optional ``errors`` (1.1, not stored before)
    become columns of ``articles``. Rows stored before keep NULL in both: they never had blocks, and
    their errors were not kept."""
    add_columns(conn, articles, ("blocks", "errors"))


def _articles_date_zones_and_page_kind(conn: Connection) -> None:
    """4 -> 5: two fields of item schema 1.2 become columns of ``articles``: the optional ``date_zones``
    (where a date's offset came from when the page gave none) and ``page_kind``
    (newscrawl/extract/pagekind.py). Rows stored before keep NULL in both: every stored row is an article,
    but they were not classified."""
    add_columns(conn, articles, ("date_zones", "page_kind"))


def _shared_neardup_index(conn: Connection) -> None:
    """5 -> 6: the near-duplicate index moves from each worker's memory to the database. ``minhash_signatures``
    gains ``duplicate_of`` (copied from ``articles``), and ``minhash_bands`` (which create_all made) is filled
    from the stored signatures, banded for the default threshold (newscrawl/storage/signatures.py; a store
    with other settings bands them again once, when it opens)."""
    from newscrawl.storage.signatures import band_stored_signatures  # it imports this module

    add_columns(conn, minhash_signatures, ("duplicate_of",))
    first_copy = (select(articles.c.duplicate_of).where(articles.c.canonical_url == minhash_signatures.c.canonical_url)
                  .scalar_subquery())
    conn.execute(minhash_signatures.update().values(duplicate_of=first_copy))
    banded = band_stored_signatures(conn)
    logger.info("newscrawl database schema 6: %d stored signatures banded into minhash_bands", banded)


#: ``{from_version: fn(connection)}``; ``fn`` upgrades the schema from ``from_version`` to ``from_version + 1``.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: lambda conn: None,  # 1 -> 2 adds the rejects table, which create_all makes
    2: lambda conn: None,  # 2 -> 3 adds the url_state table, which create_all makes
    3: _articles_blocks_and_errors,
    4: _articles_date_zones_and_page_kind,
    5: _shared_neardup_index,
}

# Arbitrary constant: the PostgreSQL advisory lock taken while creating/migrating,
# so that several workers starting at once do not race on CREATE TABLE.
_SCHEMA_LOCK_KEY = 0x6E657773  # "news"


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC.

    PostgreSQL: ``timestamp with time zone``. SQLite has no such type; the value
    is stored as UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``), which sorts and
    compares chronologically. Values come back as aware datetimes in UTC.
    Naive datetimes given to it are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSON everywhere; JSONB on PostgreSQL so that the data team can use @>, ? and GIN indexes.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# 64-bit ids on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("canonical_url", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("site", Text, nullable=False),
    Column("section", Text),
    Column("title", Text),
    Column("lead", Text),
    Column("published", UTCDateTime, comment="publication time, UTC"),
    Column("published_raw", Text, comment="publication time as extracted, ISO 8601 with its offset"),
    Column("modified", UTCDateTime, comment="last modification time, UTC"),
    Column("modified_raw", Text, comment="modification time as extracted, ISO 8601 with its offset"),
    Column("authors", JSONType, nullable=False),
    Column("authors_raw", JSONType, nullable=False),
    Column("source", Text),
    Column("captions", JSONType, nullable=False),
    Column("body", JSONType, nullable=False),
    # Nullable, unlike the other list columns: NULL is a row stored before schema 4 (item schema 1.2), which
    # never had blocks; [] is an article stored since with no blocks.
    Column("blocks", JSONType, comment="the item's typed text blocks [{type, text}]; NULL in rows stored before 1.2"),
    Column("tags", JSONType, nullable=False),
    Column("images", JSONType, nullable=False),
    Column("language", Text),
    Column("crawled_at", UTCDateTime),
    Column("content_hash", Text, nullable=False),
    Column("extraction", JSONType, nullable=False),
    Column("page_kind", Text, comment="article (only articles are stored); NULL in rows stored before schema 5"),
    Column("missing", JSONType, nullable=False),
    Column("duplicate_of", Text, comment="canonical_url of the first copy when this article is a near-duplicate"),
    Column("version", Integer, nullable=False),
    Column("schema_version", Text),
    Column("errors", JSONType, comment="the item's errors {field: error} when an extractor failed on the page, else NULL"),
    Column("date_zones", JSONType, comment="the item's date_zones {field: where its offset came from} when the page gave none, else NULL"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    UniqueConstraint("canonical_url", name="uq_articles_canonical_url"),
    Index("ix_articles_site", "site"),
    Index("ix_articles_published", "published"),
    Index("ix_articles_site_published", "site", "published"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_first_seen", "first_seen"),
    Index("ix_articles_duplicate_of", "duplicate_of"),
)

article_versions = Table(
    "article_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("canonical_url", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("modified", UTCDateTime),
    Column("modified_raw", Text),
    Column("title", Text),
    Column("body", JSONType, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("canonical_url", "version", name="uq_article_versions_url_version"),
)

duplicates = Table(
    "duplicates",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, comment="URL fetched"),
    Column("canonical_url", Text, nullable=False, comment="canonical URL of the duplicate"),
    Column("duplicate_of", Text, nullable=False, comment="canonical URL of the first copy"),
    Column("kind", String(8), nullable=False, comment="'exact' (same content_hash) or 'near' (MinHash)"),
    Column("similarity", Float, nullable=False, comment="estimated Jaccard similarity; 1.0 for exact"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False, comment="last time the duplicate was seen"),
    UniqueConstraint("canonical_url", "duplicate_of", "kind", name="uq_duplicates_pair"),
    Index("ix_duplicates_duplicate_of", "duplicate_of"),
)

minhash_signatures = Table(
    "minhash_signatures",
    metadata,
    # Monotonic id: the migration and a rebuild page through the signatures by it.
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("canonical_url", Text, nullable=False),
    Column("num_perm", Integer, nullable=False),
    Column("scheme", String(32), nullable=False, comment="datasketch permutation scheme / shingle hashing version"),
    Column("seed", Integer, nullable=False),
    Column("hashvalues", LargeBinary, nullable=False, comment="little-endian unsigned ints, num_perm of them"),
    Column("duplicate_of", Text, comment="the first copy when the article is a near-duplicate (as articles.duplicate_of, "
                                         "written when the article is decided, before its row)"),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("canonical_url", name="uq_minhash_signatures_canonical_url"),
    # Never reuse the id of a deleted row (SQLite would): ids must only grow.
    sqlite_autoincrement=True,
)

# The near-duplicate index every worker queries (newscrawl/storage/signatures.py): the LSH band keys of each
# signature. Two articles are candidates when they share a key; the key's hash includes the index's layout
# (signature parameters and banding), so keys of other settings never match.
minhash_bands = Table(
    "minhash_bands",
    metadata,
    Column("band_key", BigInteger, nullable=False, comment="64-bit hash of one LSH band of a signature"),
    Column("canonical_url", Text, nullable=False, comment="the article whose signature has this band"),
    PrimaryKeyConstraint("band_key", "canonical_url", name="pk_minhash_bands"),
    Index("ix_minhash_bands_canonical_url", "canonical_url"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(128), primary_key=True),
    Column("sites", JSONType, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("stats", JSONType),
    Column("status", String(32), nullable=False),
    Index("ix_runs_started_at", "started_at"),
)

# Pages validation rejected, so incremental runs don't fetch them again every run (they are
# retried after NEWSCRAWL_REJECT_RETRY_HOURS: a page the site fixes comes back).
rejects = Table(
    "rejects",
    metadata,
    Column("url", Text, primary_key=True, comment="URL fetched"),
    Column("site", Text, nullable=False),
    Column("reasons", JSONType, nullable=False),
    Column("first_rejected", UTCDateTime, nullable=False),
    Column("last_rejected", UTCDateTime, nullable=False),
    Column("count", Integer, nullable=False),
    Index("ix_rejects_site", "site"),
)

# The durable URL state (newscrawl/crawl/urlstate.py): every article URL a listing, feed or sitemap
# yielded, and every listing page reached, with where it got to. A URL is recorded before it is
# requested, so a killed run's unfinished work is found and requeued by the next run.
url_state = Table(
    "url_state",
    metadata,
    Column("site", Text, primary_key=True),
    Column("url_key", Text, primary_key=True, comment="URL path (and query), host-independent, as incremental runs key URLs"),
    Column("url", Text, nullable=False, comment="the URL last requested"),
    Column("kind", String(8), nullable=False, comment="'article' or 'listing'"),
    Column("state", String(16), nullable=False,
           comment="discovered, stored, duplicate, rejected, failed, given_up (articles); discovered, done (listings)"),
    Column("reason", Text, comment="why it was rejected or failed (the last time)"),
    Column("attempts", Integer, nullable=False, comment="failed fetches so far (reset when stored)"),
    Column("section", Text),
    Column("page", Integer, comment="listing page number"),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("next_attempt", UTCDateTime, comment="a failed URL is not requested again before this"),
    Column("run_id", String(128), comment="the run that last changed the row"),
    Index("ix_url_state_site_state", "site", "state"),
)

schema_meta = Table(
    "schema_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


def dialect_insert(dialect: str, table):
    """The INSERT of ``dialect`` that has ``on_conflict_do_update`` (SQLite and PostgreSQL spell it alike)."""
    if dialect == "postgresql":
        return pg_dialect.insert(table)
    if dialect == "sqlite":
        return sqlite_dialect.insert(table)
    raise NotImplementedError(f"newscrawl stores support SQLite and PostgreSQL, not {dialect!r}")


def get_meta(conn: Connection, key: str) -> str | None:
    """The ``schema_meta`` value of ``key`` (``None`` when it is not recorded)."""
    return conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == key)).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Record ``key = value`` in ``schema_meta``."""
    stmt = dialect_insert(conn.dialect.name, schema_meta).values(key=key, value=value,
                                                                   updated_at=datetime.now(timezone.utc))
    conn.execute(stmt.on_conflict_do_update(index_elements=[schema_meta.c.key],
                                            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at}))


def lock_schema(conn: Connection) -> None:
    """Take the database-wide lock for work on the schema, at the start of ``conn``'s transaction, so that
    several workers starting at once do it one after the other (PostgreSQL: an advisory lock held to the
    end of the transaction; SQLite, which has none: the file's write lock, taken before anything is read)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        # pysqlite opens no transaction before DDL or a SELECT, so this BEGIN is the transaction's start.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_schema_version(conn: Connection) -> int | None:
    value = get_meta(conn, "schema_version")
    return int(value) if value is not None else None


def init_schema(
    engine: Engine,
    migrations: dict[int, Callable[[Connection], None]] | None = None,
    target_version: int | None = None,
) -> int:
    """Create missing tables, record or migrate the schema version; return the version now in force.

    ``migrations`` and ``target_version`` default to :data:`MIGRATIONS` and
    :data:`SCHEMA_VERSION` (they are parameters so the hook can be tested).

    Raises ``RuntimeError`` when the database was written by a newer schema
    than this code knows, or when a migration step is missing.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    target = SCHEMA_VERSION if target_version is None else target_version
    with engine.begin() as conn:
        lock_schema(conn)
        metadata.create_all(conn, checkfirst=True)
        current = get_schema_version(conn)
        if current is None:
            set_meta(conn, "schema_version", str(target))
            logger.info("newscrawl database schema created at version %d", target)
            return target
        if current > target:
            raise RuntimeError(
                f"the database has schema version {current}, newer than this newscrawl ({target}); "
                "upgrade newscrawl"
            )
        for version in range(current, target):
            step = migrations.get(version)
            if step is None:
                raise RuntimeError(f"no migration from schema version {version} to {version + 1}")
            logger.info("migrating newscrawl database schema %d -> %d", version, version + 1)
            step(conn)
        if current != target:
            set_meta(conn, "schema_version", str(target))
        return target
