"""The article store: one SQLAlchemy Core code path for SQLite and PostgreSQL.

:class:`ArticleStore` keeps the write side batched: articles, duplicate
records, "seen again" touches and MinHash signatures are staged in memory and
written in one transaction per batch (``NEWSCRAWL_DB_BATCH_SIZE`` operations,
and whatever is left when the store is closed). Lookups made by the dedupe
pipeline see staged rows as well as the database.

Every write is idempotent, so a batch whose transaction failed half way (the
connection was dropped, the server restarted) is simply written again:

* articles: ``INSERT ... ON CONFLICT (canonical_url) DO UPDATE ... WHERE``
  the content hash or the modification time differs (and the incoming copy is
  not older than the stored one), bumping ``version`` in the database; an
  ``article_versions`` row is added only when the statement actually inserted
  or updated (``RETURNING``), keyed by ``(canonical_url, version)``;
* duplicates: one row per (duplicate, first copy, kind), ``seen_at`` refreshed;
* signatures: one row per canonical URL.

The same statements make concurrent workers on one database safe: the
database, not a worker's memory, decides the version.

A batch that fails because of a value in it (not the connection) is split and
written again down to single rows (:meth:`ArticleStore._write_isolating`); a row
the database refuses alone is recorded as a reject and the others are stored.

In a crawl (:func:`get_store`) the store never sleeps on the reactor thread: a
call that meets an unreachable database fails at once, and the pipelines wait
with :meth:`ArticleStore.run` (asyncio sleeps) until it answers again or the
outage has lasted ``NEWSCRAWL_DB_OUTAGE_MAX_SECONDS`` (:class:`DatabaseOutage`).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy import and_, bindparam, create_engine, delete, event, func, or_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url

from newscrawl.crawl.signals import batch_committed, batch_lost  # joined at merge
from newscrawl.storage import urlstate
from newscrawl.storage.neardup import NearDupIndex
from newscrawl.storage.schema import (
    article_versions,
    articles,
    dialect_insert,
    duplicates,
    init_schema,
    minhash_signatures,
    rejects,
    runs,
)
from newscrawl.model.text import storable
from newscrawl.model.urls import canonical_url as make_canonical_url

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_DB_URL",
    "DatabaseOutage",
    "ArticleState",
    "ArticleStore",
    "create_db_engine",
    "get_store",
    "item_to_row",
    "parse_iso_datetime",
    "record_run",
    "safe_url",
]

DEFAULT_DB_URL = "sqlite:///newscrawl.sqlite"
DEFAULT_BATCH_SIZE = 100
DEFAULT_RETRIES = 5
DEFAULT_RETRY_BACKOFF = 0.5
DEFAULT_NEARDUP_WINDOW_DAYS = 30.0
MAX_RETRY_DELAY = 30.0
DEFAULT_OUTAGE_MAX_SECONDS = 120.0
# While a crawl waits out an outage it looks again at least this often, so that it goes on
# within seconds of the database's return.
OUTAGE_POLL_MAX = 5.0

from newscrawl.model.item import LIST_FIELDS as _LIST_FIELDS  # noqa: E402 - the item's array fields


# --------------------------------------------------------------------------- helpers


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _json_dumps(value: Any) -> str:
    # Vietnamese stays readable in SQLite's JSON text (and in psql).
    return json.dumps(value, ensure_ascii=False)


def safe_url(db_url) -> str:
    """The database URL with its password masked, for logs and errors."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show nothing secret
        return "<unparsable database URL>"


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


def _fallback_content_hash(title, body) -> str:
    """The extractor's content hash, for items that arrive without one."""
    try:
        from newscrawl.extract import content_hash
    except ImportError:  # pragma: no cover - the extractor is part of the package
        import hashlib
        import unicodedata

        text = "\n".join([title or "", *(body or ())])
        text = " ".join(unicodedata.normalize("NFC", text).split())
        return hashlib.sha256(text.casefold().encode("utf-8")).hexdigest()
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
    content_hash = item.get("content_hash") or _fallback_content_hash(item.get("title"), item.get("body"))
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
        "duplicate_of": item.get("duplicate_of"),
        "version": int(item.get("version") or 1),
        "schema_version": item.get("schema_version"),
        "first_seen": now,
        "last_seen": now,
    }
    for name in _LIST_FIELDS:
        row[name] = list(item.get(name) or [])
    return row


def _raw(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# PostgreSQL SQLSTATE classes of errors that pass: connection exceptions, transaction rollbacks
# (serialization failure, deadlock), insufficient resources (too many connections), operator
# intervention (admin shutdown, cannot connect now), system errors.
_PG_RETRYABLE_CLASSES = ("08", "40", "53", "57", "58")
# ... and of errors about the values written: data exceptions (NUL in text, bad encoding), integrity
# constraint violations, program limits (an index row too large for a URL of thousands of characters).
_PG_DATA_CLASSES = ("22", "23", "54")


def _sqlstate(error) -> str | None:
    return getattr(getattr(error, "orig", None), "sqlstate", None)


def _is_retryable(error: sa_exc.DBAPIError, dialect: str) -> bool:
    """A dropped connection, a server restart, a busy SQLite file: worth another try."""
    if getattr(error, "connection_invalidated", False):
        return True
    if dialect == "sqlite":
        message = str(getattr(error, "orig", error)).lower()
        return isinstance(error, sa_exc.OperationalError) and ("locked" in message or "busy" in message)
    code = _sqlstate(error)
    if code:  # the server answered: its code says whether trying again can help
        return code[:2] in _PG_RETRYABLE_CLASSES
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError))


def _is_data_error(error: BaseException, dialect: str) -> bool:
    """The statement failed because of a value in it (not the connection, not the database's state):
    a row of the batch is bad, and the rest can be written without it."""
    if isinstance(error, sa_exc.DBAPIError):
        if _is_retryable(error, dialect):
            return False
        code = _sqlstate(error)
        if code:
            return code[:2] in _PG_DATA_CLASSES
        return isinstance(error, (sa_exc.DataError, sa_exc.IntegrityError))
    # A value the driver could not even send (a lone surrogate: UnicodeEncodeError), or SQLAlchemy
    # could not bind (StatementError wrapping a TypeError/ValueError).
    return isinstance(error, (sa_exc.StatementError, UnicodeError, ValueError, TypeError))


def _one_line(error: BaseException) -> str:
    """The database's (or driver's) message, first line only, without characters a reject record cannot hold."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return storable(lines[0] if lines else type(error).__name__)[:300]


def _ensure_sqlite_parent(db_url: str) -> None:
    """Create the directory of a SQLite database file (SQLite creates the file, not its directory)."""
    url = make_url(db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)


def create_db_engine(db_url: str, **options) -> Engine:
    """An engine for ``db_url`` with the options the store relies on.

    ``pool_pre_ping`` replaces connections that died in the pool (PostgreSQL
    restarted, backend terminated). SQLite files get WAL journaling and a busy
    timeout so that several processes can share one file.
    """
    url = make_url(db_url)
    opts: dict[str, Any] = {"pool_pre_ping": True, "json_serializer": _json_dumps}
    if url.get_backend_name() == "sqlite":
        opts["connect_args"] = {"timeout": 30}
        opts.update(options)
        engine = create_engine(url, **opts)
        in_memory = not url.database or url.database == ":memory:" or "mode=memory" in str(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    opts.update({"pool_size": 5, "max_overflow": 5, "pool_recycle": 1800})
    opts.update(options)
    return create_engine(url, **opts)


class DatabaseOutage(Exception):
    """The database stayed unreachable for longer than ``NEWSCRAWL_DB_OUTAGE_MAX_SECONDS``."""


async def _sleep(seconds: float) -> None:
    from scrapy.utils.asyncio import sleep  # asyncio.sleep or Twisted's deferLater, whichever reactor runs

    await sleep(seconds)


# --------------------------------------------------------------------------- state


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


class _Batch:
    """Writes staged since the last flush."""

    def __init__(self):
        self.articles: list[tuple[dict, bytes | None]] = []
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

    def units(self) -> list[_Batch]:
        """The batch as one-unit batches, in order: each article (written with its version and signature
        rows), then each row of every other kind. What fails alone is what the database refuses."""
        units = []
        for entry in self.articles:
            unit = _Batch()
            unit.articles.append(entry)
            units.append(unit)
        for kind in self.ROW_KINDS:
            for key, row in getattr(self, kind).items():
                unit = _Batch()
                getattr(unit, kind)[key] = row
                units.append(unit)
        return units

    @staticmethod
    def merge(units: list[_Batch]) -> _Batch:
        """One batch of ``units`` (articles keep their order, so waves of one URL stay in order)."""
        batch = _Batch()
        for unit in units:
            batch.articles.extend(unit.articles)
            for kind in _Batch.ROW_KINDS:
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


# --------------------------------------------------------------------------- store


class ArticleStore:
    """Articles, versions, duplicates, signatures and runs in one database.

    Open it with :meth:`open` (reference counted: the dedupe and store
    pipelines of one crawler share one store, see :func:`get_store`) and close
    it with :meth:`close`; the last close flushes and disposes of the engine.
    """

    def __init__(
        self,
        db_url: str = DEFAULT_DB_URL,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        num_perm: int = 128,
        threshold: float = 0.8,
        retries: int = DEFAULT_RETRIES,
        retry_backoff: float = DEFAULT_RETRY_BACKOFF,
        neardup_window_days: float = DEFAULT_NEARDUP_WINDOW_DAYS,
        outage_max_seconds: float = DEFAULT_OUTAGE_MAX_SECONDS,
        stats=None,
        engine_options: dict | None = None,
    ):
        if batch_size < 1:
            raise ValueError(f"NEWSCRAWL_DB_BATCH_SIZE must be >= 1, got {batch_size}")
        self.db_url = str(db_url)
        self.safe_db_url = safe_url(self.db_url)
        self.batch_size = int(batch_size)
        self.retries = max(0, int(retries))
        self.retry_backoff = float(retry_backoff)
        self.outage_max = max(0.0, float(outage_max_seconds))
        # True: a lost connection is retried here, sleeping between tries (scripts, exports, tests).
        # A crawl sets it to False once the store is open: the reactor thread must never sleep, so a
        # call fails at once and the pipelines wait out the outage with run() / run_async().
        self.wait_in_thread = True
        self._down_since: float | None = None  # time.monotonic() of the first failure of the current outage
        self._outage_logged = 0.0
        self.stats = stats
        self.neardup = NearDupIndex(num_perm=num_perm, threshold=threshold)
        self.neardup_window = timedelta(days=neardup_window_days) if neardup_window_days > 0 else None
        self._engine_options = engine_options or {}
        self.engine: Engine | None = None
        self.dialect: str = make_url(self.db_url).get_backend_name()
        self._refs = 0
        self._batch = _Batch()
        self._staged_signatures: dict[str, np.ndarray | None] = {}
        self._originals: dict[str, str] = {}  # near-duplicate canonical_url -> first copy
        self._signature_high_water = 0
        self._statements: dict[str, Any] = {}
        self._reader: Connection | None = None
        self.flush_when_full = True
        # Called with (url, canonical_url, reason, row) for each article the database refuses
        # (the store pipeline writes it to the rejects JSONL).
        self.refused_listeners: list[Callable[[str, str, str, dict], None]] = []

    @classmethod
    def from_settings(cls, settings, stats=None) -> ArticleStore:
        return cls(
            settings.get("NEWSCRAWL_DB_URL") or DEFAULT_DB_URL,
            batch_size=settings.getint("NEWSCRAWL_DB_BATCH_SIZE", DEFAULT_BATCH_SIZE),
            num_perm=settings.getint("NEWSCRAWL_MINHASH_PERMUTATIONS", 128),
            threshold=settings.getfloat("NEWSCRAWL_NEARDUP_THRESHOLD", 0.8),
            retries=settings.getint("NEWSCRAWL_DB_RETRIES", DEFAULT_RETRIES),
            retry_backoff=settings.getfloat("NEWSCRAWL_DB_RETRY_BACKOFF", DEFAULT_RETRY_BACKOFF),
            neardup_window_days=settings.getfloat("NEWSCRAWL_NEARDUP_WINDOW_DAYS", DEFAULT_NEARDUP_WINDOW_DAYS),
            outage_max_seconds=settings.getfloat("NEWSCRAWL_DB_OUTAGE_MAX_SECONDS", DEFAULT_OUTAGE_MAX_SECONDS),
            stats=stats,
        )

    # ------------------------------------------------------------------ lifecycle

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    def open(self) -> ArticleStore:
        """Connect, create or migrate the schema and load the near-duplicate index (first call only)."""
        self._refs += 1
        if self.engine is not None:
            return self
        _ensure_sqlite_parent(self.db_url)
        self.engine = create_db_engine(self.db_url, **self._engine_options)
        # At start-up nothing else runs yet: a database that is briefly away is retried here, in the
        # thread, NEWSCRAWL_DB_RETRIES times; one that is not there fails the start.
        wait, self.wait_in_thread = self.wait_in_thread, True
        try:
            self._retrying(lambda: init_schema(self.engine), "schema set-up", transaction=False)
            self._load_signatures()
        except Exception:
            self.engine.dispose()
            self.engine = None
            self._refs -= 1
            raise
        finally:
            self.wait_in_thread = wait
        logger.info(
            "newscrawl store open: %s (%d signatures in the near-duplicate index)",
            self.safe_db_url,
            len(self.neardup),
        )
        return self

    def close(self) -> None:
        """Release one reference; the last one flushes what is staged and closes the engine."""
        if self._refs == 0:
            return
        self._refs -= 1
        if self._refs > 0 or self.engine is None:
            return
        try:
            self.flush()
        except Exception:
            lost = len(self._batch)
            logger.error("newscrawl store %s: %d staged writes could not be saved", self.safe_db_url, lost)
            self._inc("newscrawl/db/lost", lost)
            if getattr(self, "signals", None) is not None:  # joined at merge
                self.signals.send_catch_log(batch_lost, count=lost, reason="the last batch could not be saved")  # joined at merge
            raise
        finally:
            self._drop_reader()
            self.engine.dispose()
            self.engine = None

    def __enter__(self) -> ArticleStore:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(key, count)

    def _backoff(self, error: sa_exc.DBAPIError, attempt: int, what: str) -> None:
        """Re-raise ``error`` when it is final, else log, count and sleep before try ``attempt + 1``."""
        if attempt >= self.retries or not _is_retryable(error, self.dialect):
            raise error
        if attempt == 0 and getattr(error, "connection_invalidated", False):
            delay = 0.0  # a connection that died (server restarted, backend killed): reconnect at once
        elif not self.wait_in_thread:
            raise error  # the caller waits (ArticleStore.run), not this thread
        else:
            delay = min(self.retry_backoff * (2**attempt), MAX_RETRY_DELAY)
        reason = str(getattr(error, "orig", error)).strip().splitlines()
        logger.warning(
            "newscrawl store %s: %s failed (%s); retry %d/%d in %.1fs",
            self.safe_db_url,
            what,
            reason[0] if reason else type(error).__name__,
            attempt + 1,
            self.retries,
            delay,
        )
        self._inc("newscrawl/db/retries")
        time.sleep(delay)

    # ------------------------------------------------------------------ outages, without blocking the reactor

    def run(self, fn: Callable[[], Any], what: str):
        """``fn()`` (one or more store calls; synchronous), or, when the database is unreachable, an awaitable
        of it that tries again without blocking the thread until the outage passes or lasts longer than
        ``outage_max`` (then :class:`DatabaseOutage`). Other errors are raised as they are.

        Returning the value itself when the database answers keeps the common case free of a coroutine
        per item; Scrapy awaits either. ``fn`` must be safe to call again after it failed (the store's
        lookups and staging are).
        """
        try:
            result = fn()
        except sa_exc.DBAPIError as error:
            if not _is_retryable(error, self.dialect):
                raise
            return self._wait_and_run(fn, what, error)
        self._down_since = None
        return result

    async def run_async(self, fn: Callable[[], Any], what: str):
        """:meth:`run`, always as a coroutine."""
        result = self.run(fn, what)
        if hasattr(result, "__await__") and not isinstance(result, (str, bytes)):
            return await result
        return result

    async def _wait_and_run(self, fn: Callable[[], Any], what: str, error: sa_exc.DBAPIError):
        attempt = 0
        while True:
            await _sleep(self._outage_delay(error, attempt, what))
            attempt += 1
            try:
                result = fn()
            except sa_exc.DBAPIError as again:
                if not _is_retryable(again, self.dialect):
                    raise
                error = again
                continue
            if self._down_since is not None:
                logger.warning("newscrawl store %s: the database answers again (%s)", self.safe_db_url, what)
            self._down_since = None
            return result

    def _outage_delay(self, error: sa_exc.DBAPIError, attempt: int, what: str) -> float:
        """Seconds to wait before trying ``what`` again; raises :class:`DatabaseOutage` past the bound.

        The outage is the store's, not the call's: it starts at the first failure and ends at the
        first success of any call, so once it has lasted ``outage_max`` every waiting call gives up
        (and every later one, after a single try) until the database answers again.
        """
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
        waited = now - self._down_since
        reason = _one_line(error)
        if waited >= self.outage_max:
            self._inc("newscrawl/db/outage_errors")
            raise DatabaseOutage(
                f"{what}: the database {self.safe_db_url} has been unreachable for {waited:.0f} s "
                f"(NEWSCRAWL_DB_OUTAGE_MAX_SECONDS={self.outage_max:g}): {reason}"
            ) from error
        if attempt == 0 and getattr(error, "connection_invalidated", False):
            delay = 0.0  # a connection that died (server restarted, backend killed): reconnect at once
        else:
            delay = min(self.retry_backoff * (2**attempt), OUTAGE_POLL_MAX, self.outage_max - waited)
        self._inc("newscrawl/db/retries")
        # Every waiting item retries; one line every few seconds says what is going on.
        loud = now - self._outage_logged >= OUTAGE_POLL_MAX
        if loud:
            self._outage_logged = now
        logger.log(logging.WARNING if loud else logging.DEBUG, "newscrawl store %s: %s failed (%s); the database has been away %.1f s, waiting up to %g s; "
            "retry in %.1f s", self.safe_db_url, what, reason, waited, self.outage_max, delay)
        return delay

    def close_when_written(self):
        """Release one reference like :meth:`close`; the last one first writes what is staged, waiting out an
        outage (without blocking the thread) for up to ``outage_max``. ``None``, or an awaitable."""
        if self._refs != 1 or self.engine is None or not len(self._batch) or self.wait_in_thread:
            self.close()
            return None
        result = self.run(self.flush, "final batch")
        if result is None or isinstance(result, int):
            self.close()
            return None
        return self._close_after(result)

    async def _close_after(self, flushing) -> None:
        try:
            await flushing
        except DatabaseOutage as error:
            logger.error("newscrawl store: %s", error)
        # Writes what is still staged, or counts it as lost (newscrawl/db/lost) and raises.
        self.close()

    def _retrying(self, fn: Callable[[Connection], Any] | Callable[[], Any], what: str, transaction: bool = True):
        """Run ``fn(conn)`` in a transaction (or ``fn()``), retrying when the connection is lost.

        A retried transaction starts again from the beginning: what the lost
        one did was rolled back by the server, and every write here is an
        idempotent upsert in case the commit itself went through.
        """
        if self.engine is None:
            raise RuntimeError("the store is not open")
        attempt = 0
        while True:
            try:
                if not transaction:
                    return fn()
                with self.engine.begin() as conn:
                    return fn(conn)
            except sa_exc.DBAPIError as error:
                self._backoff(error, attempt, what)
                attempt += 1

    def _read(self, fn: Callable[[Connection], Any], what: str):
        """Run a read ``fn(conn)`` on the store's reader connection (autocommit, kept between calls).

        Per-item lookups would otherwise pay a pool checkout, a liveness ping
        and a BEGIN/ROLLBACK each; a dead reader is replaced and the read retried.
        """
        if self.engine is None:
            raise RuntimeError("the store is not open")
        attempt = 0
        while True:
            try:
                if self._reader is None:
                    self._reader = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                return fn(self._reader)
            except sa_exc.DBAPIError as error:
                self._drop_reader()
                self._backoff(error, attempt, what)
                attempt += 1

    def _drop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            try:
                reader.close()
            except sa_exc.SQLAlchemyError:  # pragma: no cover - closing a dead connection
                pass

    def _insert(self, table):
        return dialect_insert(self.dialect, table)

    def _statement(self, name: str):
        stmt = self._statements.get(name)
        if stmt is None:
            stmt = self._statements[name] = getattr(self, f"_build_{name}")()
        return stmt

    def _build_upsert_article(self):
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

    def _build_find(self, with_hash: bool):
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

    def _build_find_by_url(self):
        return self._build_find(False)

    def _build_find_by_url_or_hash(self):
        return self._build_find(True)

    def _build_insert_version(self):
        return self._insert(article_versions).on_conflict_do_nothing(
            index_elements=[article_versions.c.canonical_url, article_versions.c.version]
        )

    def _build_upsert_signature(self):
        stmt = self._insert(minhash_signatures)
        ex = stmt.excluded
        return stmt.on_conflict_do_update(
            index_elements=[minhash_signatures.c.canonical_url],
            set_={
                "num_perm": ex.num_perm,
                "scheme": ex.scheme,
                "seed": ex.seed,
                "hashvalues": ex.hashvalues,
                "updated_at": ex.updated_at,
            },
        )

    def _build_upsert_duplicate(self):
        stmt = self._insert(duplicates)
        ex = stmt.excluded
        return stmt.on_conflict_do_update(
            index_elements=[duplicates.c.canonical_url, duplicates.c.duplicate_of, duplicates.c.kind],
            set_={"url": ex.url, "similarity": ex.similarity, "seen_at": ex.seen_at},
        )

    def _build_touch(self):
        return (
            update(articles)
            .where(articles.c.canonical_url == bindparam("b_canonical_url"))
            .where(articles.c.last_seen < bindparam("b_seen"))
            .values(last_seen=bindparam("b_seen"))
        )

    def _build_upsert_run(self):
        return _upsert_run_statement(self.dialect)

    # ------------------------------------------------------------------ signatures

    def _load_signatures(self) -> None:
        """Fill the in-memory LSH index from the database; compute signatures that are missing or stale.

        Only articles first seen within ``NEWSCRAWL_NEARDUP_WINDOW_DAYS`` are
        indexed (the index costs about 7 kB of memory per article): copies of a
        story appear within days, not years.
        """
        self._refresh_signatures()
        rebuilt = self._retrying(self._rebuild_signatures, "signature rebuild")
        if rebuilt:
            logger.info("newscrawl store: computed %d missing near-duplicate signatures", rebuilt)
            self._refresh_signatures()

    def _refresh_signatures(self) -> int:
        """Index signatures written since the last look (by this or another worker); return how many."""
        s, a = minhash_signatures, articles
        query = (
            select(s.c.id, s.c.canonical_url, s.c.num_perm, s.c.scheme, s.c.seed, s.c.hashvalues, a.c.duplicate_of)
            .select_from(s.join(a, a.c.canonical_url == s.c.canonical_url))
            .where(s.c.id > bindparam("high_water"))
            .order_by(s.c.id)
        )
        cutoff = self._window_start()
        if cutoff is not None:
            query = query.where(a.c.first_seen >= cutoff)

        # Ids are handed out before commit, so another worker's transaction may commit a
        # lower id after a higher one was read: look back a little (re-reads are skipped).
        look_from = max(0, self._signature_high_water - 5 * self.batch_size)

        def read(conn):
            return conn.execute(query, {"high_water": look_from}).all()

        rows = self._read(read, "signature refresh")
        count = 0
        for row in rows:
            self._signature_high_water = max(self._signature_high_water, row.id)
            if not self.neardup.compatible(row.num_perm, row.scheme, row.seed):
                continue
            if row.canonical_url in self._staged_signatures:
                continue  # changed in this worker and not yet written: the staged one is newer
            self.neardup.add(row.canonical_url, self.neardup.from_bytes(row.hashvalues))
            if row.duplicate_of:
                self._originals[row.canonical_url] = row.duplicate_of
            count += 1
        return count

    def _rebuild_signatures(self, conn: Connection) -> int:
        """Signatures for articles that have none with this index's parameters (first run, or settings changed)."""
        s, a = minhash_signatures, articles
        compatible = and_(
            s.c.canonical_url == a.c.canonical_url,
            s.c.num_perm == self.neardup.num_perm,
            s.c.scheme == self.neardup.scheme,
            s.c.seed == self.neardup.seed,
        )
        query = (
            select(a.c.canonical_url, a.c.title, a.c.body)
            .select_from(a.outerjoin(s, compatible))
            .where(s.c.id.is_(None))
            .order_by(a.c.id)
        )
        cutoff = self._window_start()
        if cutoff is not None:
            query = query.where(a.c.first_seen >= cutoff)
        rows = conn.execute(query).all()
        if not rows:
            return 0
        now = utcnow()
        params = []
        for row in rows:
            sig = self.neardup.signature(row.title, row.body)
            if sig is not None:
                params.append(self._signature_params(row.canonical_url, sig, now))
        # Replace incompatible rows: delete then insert gives them new ids, which other workers pick up.
        urls = [p["canonical_url"] for p in params]
        for start in range(0, len(urls), 500):
            conn.execute(delete(s).where(s.c.canonical_url.in_(urls[start : start + 500])))
        if params:
            conn.execute(self._statement("upsert_signature"), params)
        return len(params)

    def _window_start(self) -> datetime | None:
        """Articles first seen before this are left out of the in-memory index (``None``: no limit)."""
        return utcnow() - self.neardup_window if self.neardup_window is not None else None

    def _signature_params(self, canonical: str, sig: np.ndarray, now: datetime) -> dict:
        return {
            "canonical_url": canonical,
            "num_perm": self.neardup.num_perm,
            "scheme": self.neardup.scheme,
            "seed": self.neardup.seed,
            "hashvalues": self.neardup.to_bytes(sig),
            "updated_at": now,
        }

    def stage_signature(self, canonical: str, sig: np.ndarray | None) -> None:
        """Index ``sig`` now and write it with the article when it is stored (``None``: no signature)."""
        self._staged_signatures[canonical] = sig
        if sig is not None:
            self.neardup.add(canonical, sig)

    def resolve_original(self, canonical: str) -> str:
        """The first copy of ``canonical`` (itself unless it is a known near-duplicate)."""
        seen = {canonical}
        while canonical in self._originals:
            canonical = self._originals[canonical]
            if canonical in seen:  # a cycle would be a bug; do not loop on it
                break
            seen.add(canonical)
        return canonical

    # ------------------------------------------------------------------ lookups

    def find(self, canonical: str, content_hash: str | None = None) -> tuple[ArticleState | None, str | None]:
        """In one query: the state of the article stored (or staged) under ``canonical``, and the
        canonical URL of the first *other* article with ``content_hash`` (``None`` when there is none)."""
        staged = self._batch.states.get(canonical)
        if staged is not None:
            return staged, None  # a known article: what else has its hash does not matter
        staged_hash = self._batch.by_hash.get(content_hash) if content_hash else None
        query = self._statement("find_by_url_or_hash" if content_hash else "find_by_url")
        params = {"canonical_url": canonical, "content_hash": content_hash}
        rows = self._read(lambda conn: conn.execute(query, params).all(), "article lookup")
        previous, other = None, None
        for row in sorted(rows, key=lambda r: (r.first_seen, r.id)):
            if row.canonical_url == canonical:
                previous = ArticleState(
                    row.canonical_url, row.version, row.content_hash, row.modified, row.modified_raw, row.duplicate_of
                )
            elif other is None and row.content_hash == content_hash:
                other = row.canonical_url
        if previous is not None:
            return previous, None
        return None, other or staged_hash

    def lookup(self, canonical: str) -> ArticleState | None:
        """The stored (or staged) state of the article with this canonical URL."""
        return self.find(canonical)[0]

    def find_by_content_hash(self, content_hash: str, exclude: str | None = None) -> str | None:
        """The canonical URL of the first stored (or staged) article with this content hash, other than ``exclude``."""
        return self.find(exclude or "", content_hash)[1]

    # ------------------------------------------------------------------ staging

    def add_article(self, item: Mapping) -> dict:
        """Stage an article (a mapping of item fields) for the next batch; return its row."""
        row = item_to_row(item, utcnow())
        canonical = row["canonical_url"]
        if not canonical:
            raise ValueError("an article needs a url or canonical_url")
        if canonical in self._staged_signatures:
            sig = self._staged_signatures.pop(canonical)
        else:
            sig = self.neardup.signature(row["title"], row["body"])
            if sig is not None:
                self.neardup.add(canonical, sig)
        if row["duplicate_of"]:
            self._originals[canonical] = row["duplicate_of"]
        else:
            self._originals.pop(canonical, None)
        self._batch.articles.append((row, self.neardup.to_bytes(sig) if sig is not None else None))
        self._batch.states[canonical] = ArticleState(
            canonical, row["version"], row["content_hash"], row["modified"], row["modified_raw"], row["duplicate_of"]
        )
        self._batch.by_hash.setdefault(row["content_hash"], canonical)
        self._maybe_flush()
        return row

    def add_duplicate(
        self, url: str, canonical: str, duplicate_of: str, kind: str, similarity: float
    ) -> None:
        """Stage a ``duplicates`` row (``kind`` "exact" or "near")."""
        if kind not in ("exact", "near"):
            raise ValueError(f"duplicate kind must be 'exact' or 'near', not {kind!r}")
        now = utcnow()
        key = (canonical, duplicate_of, kind)
        self._batch.duplicates[key] = {
            "url": url or canonical,
            "canonical_url": canonical,
            "duplicate_of": duplicate_of,
            "kind": kind,
            "similarity": float(similarity),
            "first_seen": now,
            "seen_at": now,
        }
        self._maybe_flush()

    def touch(self, canonical: str) -> None:
        """Stage a ``last_seen`` update for an article seen again unchanged."""
        self._batch.touches[canonical] = utcnow()
        self._maybe_flush()

    @property
    def pending(self) -> int:
        """Staged writes not yet in the database."""
        return len(self._batch)

    def _maybe_flush(self) -> None:
        if self.flush_when_full:
            self.flush_if_full()

    def flush_if_full(self) -> None:
        """Write the batch once it holds ``batch_size`` writes. Staging calls this unless
        ``flush_when_full`` is False (DatabaseStorePipeline calls it itself, once an item is exported)."""
        if len(self._batch) < self.batch_size:
            return
        try:
            self.flush()
        except sa_exc.SQLAlchemyError as error:
            # The database is away (in a crawl: at once; else after the retries). Nothing is
            # dropped: the batch stays staged and is written with the next one, or at close.
            self._inc("newscrawl/db/flush_errors")
            if isinstance(error, sa_exc.DBAPIError) and _is_retryable(error, self.dialect):
                logger.warning(
                    "newscrawl store %s: writing a batch failed (%s); %d writes stay staged and will be retried",
                    self.safe_db_url, _one_line(error), len(self._batch),
                )
            else:
                logger.exception(
                    "newscrawl store %s: writing a batch failed; %d writes stay staged and will be retried",
                    self.safe_db_url,
                    len(self._batch),
                )

    # ------------------------------------------------------------------ writing

    def flush(self) -> int:
        """Write everything staged in one transaction (retried on connection loss); return articles written."""
        batch = self._batch
        if not len(batch):
            return 0
        try:
            written = self._retrying(lambda conn: self.write_batch(conn, batch), f"batch of {len(batch)}")
        except Exception as error:
            if not _is_data_error(error, self.dialect):
                raise  # the database is away: the batch stays staged, whole, for the next flush
            # One bad row must not keep the others out (nor, staged again, every later batch).
            written = self._write_isolating(batch.units(), error)
        self._batch = _Batch()
        self._inc("newscrawl/db/batches")
        if getattr(self, "signals", None) is not None:  # joined at merge
            self.signals.send_catch_log(batch_committed, count=written)  # joined at merge
        self._inc("newscrawl/db/articles_written", written)
        self._inc("newscrawl/db/duplicates_written", len(batch.duplicates))
        try:
            self._refresh_signatures()
        except sa_exc.DBAPIError:  # the batch is safe; another worker's signatures can wait for the next flush
            logger.warning("newscrawl store: could not refresh near-duplicate signatures", exc_info=True)
        return written

    def _write_isolating(self, units: list[_Batch], error: BaseException) -> int:
        """Write ``units`` (whose batch failed with ``error``, about its data) in halves, down to single
        units; a unit the database refuses alone is recorded as refused. Return the articles written."""
        if len(units) == 1:
            self._refused(units[0], error)
            return 0
        middle = len(units) // 2
        written = 0
        for part in (units[:middle], units[middle:]):
            batch = _Batch.merge(part)
            try:
                written += self._retrying(lambda conn, b=batch: self.write_batch(conn, b), f"batch of {len(batch)}")
            except Exception as part_error:
                if not _is_data_error(part_error, self.dialect):
                    raise  # lost the database midway: what is written is idempotent, the whole batch stays staged
                written += self._write_isolating(part, part_error)
        return written

    def _refused(self, unit: _Batch, error: BaseException) -> None:
        """A row the database refuses: logged, counted, and (an article) recorded as a reject."""
        url, site, kind = unit.describe()
        reason = f"db_refused: {_one_line(error)}"
        url = storable(url)
        logger.error("newscrawl store %s: the database refused the %s %s: %s", self.safe_db_url, kind, url, reason)
        self._inc("newscrawl/db/refused")
        if not unit.articles:
            return
        row = unit.articles[0][0]
        canonical = row["canonical_url"]
        if row["version"] == 1:  # a new article that is not stored: not an original others may copy
            self.neardup.remove(canonical)
        self._originals.pop(canonical, None)
        try:
            self.record_reject(url, site, [reason])
        except Exception as reject_error:  # noqa: BLE001 - the row is lost either way; say so, with the URL
            self._inc("newscrawl/db/reject_record_errors")
            logger.error("newscrawl store: could not record the refused article %s as a reject: %s",
                         url, _one_line(reject_error))
        for listener in self.refused_listeners:
            listener(url, storable(canonical), reason, storable(row))

    def write_batch(self, conn: Connection, batch: _Batch) -> int:
        """Execute a batch's statements on ``conn`` (in the caller's transaction). Idempotent.

        Articles go in multi-row statements; an article staged more than once
        in the batch (changed twice) goes in a later "wave", since one
        statement may not upsert the same row twice.
        """
        written = 0
        for wave in _waves(batch.articles):
            rows = [row for row, _ in wave]
            versions = dict(tuple(r) for r in conn.execute(self._statement("upsert_article"), rows).all())
            if not versions:
                continue  # all unchanged in the database (already written, or newer copies stored)
            written += len(versions)
            version_rows, signature_rows, replaced = [], [], []
            for row, sig_bytes in wave:
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
                if sig_bytes is not None:
                    signature_rows.append(
                        {
                            "canonical_url": row["canonical_url"],
                            "num_perm": self.neardup.num_perm,
                            "scheme": self.neardup.scheme,
                            "seed": self.neardup.seed,
                            "hashvalues": sig_bytes,
                            "updated_at": row["last_seen"],
                        }
                    )
                    if version > 1:
                        replaced.append(row["canonical_url"])
            conn.execute(self._statement("insert_version"), version_rows)
            if replaced:
                # Delete + insert gives a changed signature a new id, which other workers pick up.
                conn.execute(delete(minhash_signatures).where(minhash_signatures.c.canonical_url.in_(replaced)))
            if signature_rows:
                conn.execute(self._statement("upsert_signature"), signature_rows)
        if batch.duplicates:
            conn.execute(self._statement("upsert_duplicate"), list(batch.duplicates.values()))
        if batch.touches:
            conn.execute(
                self._statement("touch"),
                [{"b_canonical_url": url, "b_seen": seen} for url, seen in batch.touches.items()],
            )
        urlstate.write_rows(conn, list(batch.url_rows.values()))
        return written

    # ------------------------------------------------------------------ URL state (newscrawl/crawl/urlstate.py)

    def record_urls(self, rows: list[dict]) -> None:
        """Write URL-state rows at once, in one transaction: a URL is recorded before it is requested."""
        if rows:
            self._retrying(lambda conn: urlstate.write_rows(conn, rows), f"URL state of {len(rows)} URLs")

    def stage_url(self, row: dict) -> None:
        """Stage a URL's outcome; it is written with the batch that holds (or follows) its article."""
        self._batch.url_rows[(row["site"], row["url_key"])] = row
        self._maybe_flush()

    def url_rows(self, site: str) -> list:
        """The site's URL-state rows, stored articles left out (``urlstate.site_rows``)."""
        return self._read(lambda conn: urlstate.site_rows(conn, site), "URL state lookup")

    def unfinished_urls(self, site: str) -> list:
        """The site's unfinished and failed URLs (``urlstate.unfinished``)."""
        return self._read(lambda conn: urlstate.unfinished(conn, site), "URL state lookup")

    # ------------------------------------------------------------------ runs

    def record_run(
        self,
        run_id: str,
        sites=(),
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        stats: Mapping | None = None,
        status: str = "running",
    ) -> None:
        """Insert or update the ``runs`` row of ``run_id`` (written at once, not batched).

        Call it with ``status="running"`` when a run starts and again with
        ``finished_at``, ``stats`` (e.g. ``crawler.stats.get_stats()``) and a
        final status ("finished", "failed", ...) when it ends; values left
        ``None`` keep what is stored.
        """
        params = _run_params(run_id, sites, started_at, finished_at, stats, status)
        stmt = self._statement("upsert_run")
        self._retrying(lambda conn: conn.execute(stmt, params), "run record")

    def record_reject(self, url: str, site: str, reasons) -> None:
        """Remember a page validation rejected (written at once: rejects are few, and must survive a kill)."""
        now = utcnow()
        stmt = dialect_insert(self.engine.dialect.name, rejects)
        stmt = stmt.on_conflict_do_update(
            index_elements=[rejects.c.url],
            set_={"reasons": stmt.excluded.reasons, "last_rejected": stmt.excluded.last_rejected,
                  "count": rejects.c.count + 1},
        )
        params = {"url": url, "site": site, "reasons": list(reasons), "first_rejected": now,
                  "last_rejected": now, "count": 1}
        self._retrying(lambda conn: conn.execute(stmt, params), "reject record")


def _jsonable(value):
    """Scrapy stats hold datetimes and other objects: make them JSON values."""

    def default(obj):
        if isinstance(obj, (datetime, date)):
            return obj.isoformat()
        return str(obj)

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def _upsert_run_statement(dialect: str):
    stmt = dialect_insert(dialect, runs)
    ex = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[runs.c.run_id],
        set_={
            "sites": ex.sites,
            "finished_at": func.coalesce(ex.finished_at, runs.c.finished_at),
            "stats": func.coalesce(ex.stats, runs.c.stats),
            "status": ex.status,
        },
    )


def _run_params(run_id, sites, started_at, finished_at, stats, status) -> dict:
    return {
        "run_id": run_id,
        "sites": [sites] if isinstance(sites, str) else list(sites or ()),
        "started_at": started_at or utcnow(),
        "finished_at": finished_at,
        "stats": _jsonable(stats) if stats is not None else None,
        "status": status,
    }


def record_run(
    db_url: str,
    run_id: str,
    sites=(),
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    stats: Mapping | None = None,
    status: str = "running",
) -> None:
    """Record a run without a crawler (see :meth:`ArticleStore.record_run`); creates the tables if needed.

    Opens no near-duplicate index, so it is cheap on a large database.
    """
    dialect = make_url(db_url).get_backend_name()
    _ensure_sqlite_parent(db_url)
    engine = create_db_engine(db_url)
    try:
        init_schema(engine)
        with engine.begin() as conn:
            conn.execute(
                _upsert_run_statement(dialect), _run_params(run_id, sites, started_at, finished_at, stats, status)
            )
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- crawler glue

_CRAWLER_ATTR = "_newscrawl_store"


def get_store(crawler) -> ArticleStore:
    """The one :class:`ArticleStore` of a crawler (created from its settings on first use).

    The dedupe and store pipelines both call this, so they share one engine,
    one connection pool, the staged batch and the near-duplicate index.
    """
    store = getattr(crawler, _CRAWLER_ATTR, None)
    if store is None:
        store = ArticleStore.from_settings(crawler.settings, stats=getattr(crawler, "stats", None))
        # Its calls run on the reactor thread: never sleep there (see ArticleStore.run).
        store.wait_in_thread = False
        store.signals = crawler.signals  # joined at merge
        setattr(crawler, _CRAWLER_ATTR, store)
    return store
