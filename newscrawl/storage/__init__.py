"""Persistent storage for newscrawl: articles, their versions, duplicates, MinHash signatures and runs.

One SQLAlchemy Core code path for SQLite (the default, ``sqlite:///newscrawl.sqlite``)
and PostgreSQL (``postgresql+psycopg://user@host:5432/db``), chosen by the
``NEWSCRAWL_DB_URL`` setting. The modules are listed in docs/architecture.md (Storage).
"""
from newscrawl.storage.dedupe import Decision, Deduplicator
from newscrawl.storage.neardup import NearDupIndex, shingles
from newscrawl.storage.schema import SCHEMA_VERSION, init_schema, metadata
from newscrawl.storage.articles import ArticleState, item_to_row
from newscrawl.storage.engine import DEFAULT_DB_URL, create_db_engine, safe_url
from newscrawl.storage.runs import recent_run_stats, record_run
from newscrawl.storage.store import ArticleStore
from newscrawl.model.urls import canonical_url

__all__ = [
    "DEFAULT_DB_URL",
    "SCHEMA_VERSION",
    "ArticleState",
    "ArticleStore",
    "Decision",
    "Deduplicator",
    "NearDupIndex",
    "canonical_url",
    "create_db_engine",
    "init_schema",
    "item_to_row",
    "metadata",
    "recent_run_stats",
    "record_run",
    "safe_url",
    "shingles",
]
