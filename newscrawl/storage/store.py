"""The article store: the small facade the pipelines use, over one SQLAlchemy Core code path for SQLite
and PostgreSQL.

:class:`ArticleStore` keeps the write side batched: articles, duplicate
records, "seen again" touches and MinHash signatures are staged in memory and
written in one transaction per batch (``NEWSCRAWL_DB_BATCH_SIZE`` articles, duplicate
records or touches, with the URL-state rows that come with them; and whatever is left when
the store is closed). Lookups made by the dedupe pipeline see staged rows as well as the database.
The exception: a new article's near-duplicate check writes its signature at once, in its own
transaction (:meth:`ArticleStore.claim_signature`), so that every worker sees it from then on.

The parts, one job each: the engine and what to do when the database fails (engine.py), article rows,
statements and the write batch (articles.py, where the idempotent writes are explained), the
near-duplicate index, in the database (signatures.py), rejects (rejects.py), URL state (urlstate.py).

A batch that fails because of a value in it (not the connection) is split and written again down to
single rows (:meth:`ArticleStore._write_isolating`); a row the database refuses alone is recorded as a
reject and the others are stored.

In a crawl (:func:`newscrawl.crawl.services.store`) the store never sleeps on the reactor thread: a
call that meets an unreachable database fails at once, and the pipelines wait with :meth:`ArticleStore.run`
(asyncio sleeps) until it answers or the outage has lasted ``NEWSCRAWL_DB_OUTAGE_MAX_SECONDS``.
The store tells how its batches end with ``listener(event, count, reason)``: ``"committed"`` when a
batch is written, ``"lost"`` when staged writes are given up (the crawler glue sends them as signals).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url

from newscrawl.model.text import storable
from newscrawl.storage import articles as article_rows
from newscrawl.storage import rejects, urlstate
from newscrawl.storage.articles import ArticleState, Batch, Statements, item_to_row, utcnow
from newscrawl.storage.engine import (
    DEFAULT_DB_URL,
    DEFAULT_OUTAGE_MAX_SECONDS,
    DEFAULT_RETRIES,
    DEFAULT_RETRY_BACKOFF,
    DatabaseOutage,
    Retries,
    create_db_engine,
    ensure_sqlite_parent,
    is_data_error,
    is_retryable,
    one_line,
    safe_url,
)
from newscrawl.storage.neardup import NearDupIndex
from newscrawl.storage.schema import init_schema
from newscrawl.storage.signatures import StoredIndex

logger = logging.getLogger(__name__)

# The names other packages import from here (the rest moved to the modules above).
__all__ = [
    "DEFAULT_DB_URL",
    "DatabaseOutage",
    "ArticleState",
    "ArticleStore",
    "create_db_engine",
    "item_to_row",
    "safe_url",
]

DEFAULT_BATCH_SIZE = 100
DEFAULT_NEARDUP_WINDOW_DAYS = 30.0


class ArticleStore:
    """Articles, versions, duplicates, signatures and rejects in one database.

    Open it with :meth:`open` (reference counted: the dedupe and store
    pipelines of one crawler share one store, see :func:`newscrawl.crawl.services.store`) and close
    it with :meth:`close`; the last close flushes and disposes of the engine's connections.
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
        engine: Engine | None = None,
        listener: Callable[[str, int, str | None], None] | None = None,
    ):
        if batch_size < 1:
            raise ValueError(f"NEWSCRAWL_DB_BATCH_SIZE must be >= 1, got {batch_size}")
        self.db_url = str(db_url)
        self.safe_db_url = safe_url(self.db_url)
        self.batch_size = int(batch_size)
        self.stats = stats
        self.dialect: str = make_url(self.db_url).get_backend_name()
        self.retrying = Retries(self.safe_db_url, self.dialect, retries=retries, backoff=retry_backoff,
                                outage_max=outage_max_seconds, count=self._inc)
        self._statements = Statements(self.dialect)
        self.neardup = StoredIndex(NearDupIndex(num_perm=num_perm, threshold=threshold), neardup_window_days,
                                   self._statements, read=self._read)
        self._engine_options = engine_options or {}
        # The crawl's one engine when the crawler glue gives it (shared with the crawl's other readers);
        # else the store makes its own when it opens.
        self._given_engine = engine
        self.engine: Engine | None = None
        self._refs = 0
        self._batch = Batch()
        # Connections kept between calls: "reader" (autocommit, per-item lookups), "claim" (near-duplicate checks).
        self._kept: dict[str, Connection] = {}
        self.flush_when_full = True
        # Called with (url, canonical_url, reason, row) for each article the database refuses
        # (the store pipeline writes it to the rejects JSONL).
        self.refused_listeners: list[Callable[[str, str, str, dict], None]] = []
        # Called with ("committed", articles, None) when a batch is written and ("lost", writes, reason)
        # when staged writes are given up.
        self.listener = listener

    # True: a lost connection is retried in the calling thread, sleeping between tries (scripts, exports,
    # tests). A crawl sets it to False: the reactor thread must never sleep, so a call fails at once and
    # the pipelines wait out the outage with run() / run_async() (and open with open_when_ready()).
    @property
    def wait_in_thread(self) -> bool:
        return self.retrying.wait_in_thread

    @wait_in_thread.setter
    def wait_in_thread(self, value: bool) -> None:
        self.retrying.wait_in_thread = value

    # ------------------------------------------------------------------ lifecycle

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    def open(self) -> ArticleStore:
        """Connect, create or migrate the schema, check the near-duplicate index's layout (first call only).

        A database that is briefly away is retried here, in the thread, ``NEWSCRAWL_DB_RETRIES`` times
        (a script, a command before any crawl runs); a crawl opens with :meth:`open_when_ready`."""
        wait, self.wait_in_thread = self.wait_in_thread, True
        try:
            return self._open()
        finally:
            self.wait_in_thread = wait

    def open_when_ready(self):
        """:meth:`open` for a crawl, never sleeping on the reactor thread: ``None`` once open, or an
        awaitable that tries again as :meth:`open` does (``NEWSCRAWL_DB_RETRIES`` times, the same
        backoff) with asynchronous sleeps. Pipelines return it from ``open_spider``."""
        try:
            self._open()
        except sa_exc.DBAPIError as error:
            if not is_retryable(error, self.dialect):
                raise
            return self.retrying.retry_async(self._open, "store start-up", error)
        return None

    def _open(self) -> ArticleStore:
        self._refs += 1
        if self.engine is not None:
            return self
        ensure_sqlite_parent(self.db_url)
        self.engine = self._given_engine or create_db_engine(self.db_url, **self._engine_options)
        try:
            self.retrying.call(lambda: init_schema(self.engine), "schema set-up")
            self._prepare_index()
        except Exception:
            # Safe to call again: nothing of the failed attempt stays.
            self._drop_connections()
            self.engine.dispose()
            self.engine = None
            self._refs -= 1
            raise
        logger.info("newscrawl store open: %s", self.safe_db_url)
        return self

    def close(self) -> None:
        """Release one reference; the last one flushes what is staged and closes the engine's connections."""
        if self._refs == 0:
            return
        self._refs -= 1
        if self._refs > 0 or self.engine is None:
            return
        try:
            self.flush()
        except Exception as error:
            lost = len(self._batch)
            logger.error("newscrawl store %s: %d staged writes could not be saved", self.safe_db_url, lost)
            self._inc("newscrawl/db/lost", lost)
            self._tell("lost", lost, one_line(error))
            raise
        finally:
            self._drop_connections()
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

    def _tell(self, event: str, count: int, reason: str | None = None) -> None:
        if self.listener is not None:
            self.listener(event, count, reason)

    def run(self, fn: Callable[[], Any], what: str):
        """``fn()``, or an awaitable of it while the database is unreachable (:meth:`Retries.run`)."""
        return self.retrying.run(fn, what)

    async def run_async(self, fn: Callable[[], Any], what: str):
        """:meth:`run`, always as a coroutine."""
        return await self.retrying.run_async(fn, what)

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

    def _in_transaction(self, fn: Callable[[Connection], Any], what: str):
        """``fn(conn)`` in a transaction, retried when the connection is lost (every write here is idempotent)."""
        if self.engine is None:
            raise RuntimeError("the store is not open")
        return self.retrying.transaction(self.engine, fn, what)

    def _read(self, fn: Callable[[Connection], Any], what: str):
        """Run a read ``fn(conn)`` on the store's reader connection (autocommit, kept between calls).

        Per-item lookups would otherwise pay a pool checkout, a liveness ping
        and a BEGIN/ROLLBACK each; a dead reader is replaced and the read retried.
        """
        return self._on_kept("reader", fn, what)

    def _claim(self, fn: Callable[[Connection], Any], what: str):
        """Run ``fn(conn)`` in a transaction of its own on the store's claim connection, kept between calls
        as the reader is (a claim per new article); a dead one is replaced and ``fn`` run again (a claim
        is idempotent)."""
        return self._on_kept("claim", fn, what)

    def _on_kept(self, name: str, fn: Callable[[Connection], Any], what: str):
        if self.engine is None:
            raise RuntimeError("the store is not open")
        attempt = 0
        while True:
            try:
                conn = self._kept.get(name)
                if conn is None:
                    conn = self.engine.connect()
                    if name == "reader":
                        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    self._kept[name] = conn
                if name == "reader":
                    return fn(conn)
                with conn.begin():
                    return fn(conn)
            except sa_exc.DBAPIError as error:
                self._drop_connections(name)
                self.retrying.after_failure(error, attempt, what)
                attempt += 1

    def _drop_connections(self, *names: str) -> None:
        """Close the kept connections ``names`` (default: all of them)."""
        for name in names or tuple(self._kept):
            conn = self._kept.pop(name, None)
            if conn is None:
                continue
            try:
                conn.close()
            except sa_exc.SQLAlchemyError:  # pragma: no cover - closing a dead connection
                logger.debug("newscrawl store %s: closing a dead %s connection failed", self.safe_db_url, name,
                             exc_info=True)

    # ------------------------------------------------------------------ signatures

    def _prepare_index(self) -> None:
        """One read when the band table is of this store's settings (every start but the first after a
        change); else band the stored signatures anew, computing those missing or stale."""
        if self._read(self.neardup.is_current, "near-duplicate index check"):
            return
        computed = self._in_transaction(self.neardup.rebuild, "near-duplicate index rebuild")
        logger.info("newscrawl store: near-duplicate index banded for %s (%d signatures computed)",
                    self.neardup.index.layout, computed)

    def claim_signature(self, canonical: str, sig: np.ndarray) -> tuple[str, float] | None:
        """A new article's near-duplicate check, and its signature written at once (in one transaction):
        ``(first copy, similarity)`` when it is a near-duplicate, else ``None``
        (:meth:`newscrawl.storage.signatures.StoredIndex.claim`).

        A signature the database refuses for a value in it (PostgreSQL: a canonical URL too long for an
        index row) leaves the article new and unindexed: its row, written with the batch, meets the same
        refusal there and is recorded as a reject with the reason."""
        try:
            return self._claim(lambda conn: self.neardup.claim(conn, canonical, sig), "near-duplicate check")
        except Exception as error:
            if not is_data_error(error, self.dialect):
                raise
            self._inc("newscrawl/db/signature_refused")
            logger.warning("newscrawl store %s: the database refused the near-duplicate signature of %s (%s); "
                           "checked as new", self.safe_db_url, storable(canonical), one_line(error))
            return None

    def stage_signature(self, canonical: str, sig: np.ndarray | None) -> None:
        """Write ``sig`` with the article when it is stored (``None``: no signature)."""
        self.neardup.stage(canonical, sig)

    # ------------------------------------------------------------------ lookups

    def find(self, canonical: str, content_hash: str | None = None) -> tuple[ArticleState | None, str | None]:
        """In one query: the state of the article stored (or staged) under ``canonical``, and the
        canonical URL of the first *other* article with ``content_hash`` (``None`` when there is none)."""
        staged = self._batch.states.get(canonical)
        if staged is not None:
            return staged, None  # a known article: what else has its hash does not matter
        staged_hash = self._batch.by_hash.get(content_hash) if content_hash else None
        previous, other = self._read(lambda conn: article_rows.find(conn, self._statements, canonical, content_hash),
                                     "article lookup")
        if previous is not None:
            return previous, None
        return None, other or staged_hash

    # ------------------------------------------------------------------ staging

    def add_article(self, item: Mapping) -> dict:
        """Stage an article (a mapping of item fields) for the next batch; return its row."""
        row = item_to_row(item, utcnow())
        canonical = row["canonical_url"]
        if not canonical:
            raise ValueError("an article needs a url or canonical_url")
        sig = self.neardup.for_article(canonical, row["title"], row["body"])
        self._batch.articles.append((row, sig))
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

    def _batch_is_full(self) -> bool:
        """``batch_size`` articles (duplicate records and ``last_seen`` touches count as articles), or as
        many URL-state rows. The URL-state row that each article brings rides along in its batch and is not
        counted twice: counted, it halved every batch of a crawl, and doubled its commits and the signature
        refreshes that follow them."""
        batch = self._batch
        return max(len(batch.articles) + len(batch.duplicates) + len(batch.touches),
                   len(batch.url_rows)) >= self.batch_size

    def flush_if_full(self) -> None:
        """Write the batch once it is full (:meth:`_batch_is_full`). Staging calls this unless
        ``flush_when_full`` is False (DatabaseStorePipeline calls it itself, once an item is exported)."""
        if not self._batch_is_full():
            return
        try:
            self.flush()
        except sa_exc.SQLAlchemyError as error:
            # The database is away (in a crawl: at once; else after the retries). Nothing is
            # dropped: the batch stays staged and is written with the next one, or at close.
            self._inc("newscrawl/db/flush_errors")
            if isinstance(error, sa_exc.DBAPIError) and is_retryable(error, self.dialect):
                logger.warning(
                    "newscrawl store %s: writing a batch failed (%s); %d writes stay staged and will be retried",
                    self.safe_db_url, one_line(error), len(self._batch),
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
            written = self._in_transaction(lambda conn: self.write_batch(conn, batch), f"batch of {len(batch)}")
        except Exception as error:
            if not is_data_error(error, self.dialect):
                raise  # the database is away: the batch stays staged, whole, for the next flush
            # One bad row must not keep the others out (nor, staged again, every later batch).
            written = self._write_isolating(batch.units(), error)
        self._batch = Batch()
        self._inc("newscrawl/db/batches")
        self._inc("newscrawl/db/articles_written", written)
        self._inc("newscrawl/db/duplicates_written", len(batch.duplicates))
        self._tell("committed", written)
        return written

    def _write_isolating(self, units: list[Batch], error: BaseException) -> int:
        """Write ``units`` (whose batch failed with ``error``, about its data) in halves, down to single
        units; a unit the database refuses alone is recorded as refused. Return the articles written."""
        if len(units) == 1:
            self._refused(units[0], error)
            return 0
        middle = len(units) // 2
        written = 0
        for part in (units[:middle], units[middle:]):
            batch = Batch.merge(part)
            try:
                written += self._in_transaction(lambda conn, b=batch: self.write_batch(conn, b),
                                                f"batch of {len(batch)}")
            except Exception as part_error:
                if not is_data_error(part_error, self.dialect):
                    raise  # lost the database midway: what is written is idempotent, the whole batch stays staged
                written += self._write_isolating(part, part_error)
        return written

    def _refused(self, unit: Batch, error: BaseException) -> None:
        """A row the database refuses: logged, counted, and (an article) recorded as a reject."""
        url, site, kind = unit.describe()
        reason = f"db_refused: {one_line(error)}"
        url = storable(url)
        logger.error("newscrawl store %s: the database refused the %s %s: %s", self.safe_db_url, kind, url, reason)
        self._inc("newscrawl/db/refused")
        if not unit.articles:
            return
        row = unit.articles[0][0]
        canonical = row["canonical_url"]
        if row["version"] == 1:
            try:
                self._in_transaction(lambda conn: self.neardup.forget(conn, canonical), "signature removal")
            except Exception as forget_error:  # noqa: BLE001 - the article is lost either way; say so, with the URL
                self._inc("newscrawl/db/signature_removal_errors")
                logger.error("newscrawl store: could not remove the signature of the refused article %s: %s",
                             url, one_line(forget_error))
        try:
            self.record_reject(url, site, [reason])
        except Exception as reject_error:  # noqa: BLE001 - the row is lost either way; say so, with the URL
            self._inc("newscrawl/db/reject_record_errors")
            logger.error("newscrawl store: could not record the refused article %s as a reject: %s",
                         url, one_line(reject_error))
        for listener in self.refused_listeners:
            listener(url, storable(canonical), reason, storable(row))

    def write_batch(self, conn: Connection, batch: Batch) -> int:
        """Execute a batch's statements on ``conn`` (in the caller's transaction). Idempotent."""
        return article_rows.write_batch(conn, self._statements, batch, self.neardup.write)

    # ------------------------------------------------------------------ URL state (newscrawl/crawl/urlstate.py)

    def record_urls(self, rows: list[dict]) -> None:
        """Write URL-state rows at once, in one transaction: a URL is recorded before it is requested."""
        if rows:
            self._in_transaction(lambda conn: urlstate.write_rows(conn, rows), f"URL state of {len(rows)} URLs")

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

    # ------------------------------------------------------------------ rejects

    def record_reject(self, url: str, site: str, reasons) -> None:
        """Remember a page validation rejected (written at once: rejects are few, and must survive a kill)."""
        self._in_transaction(lambda conn: rejects.record_reject(conn, url, site, reasons), "reject record")
