"""The database engine and what to do when the database fails: classify the error, retry, wait out an outage.

One engine per crawl: the store creates it (:func:`create_db_engine`) and the other readers of the
crawl (incremental state, run history, URL state) are handed it. :class:`Retries` is the one retry
policy of a store: scripts retry in their thread (``wait_in_thread``), a crawl never sleeps on the
reactor thread and waits out an outage with :meth:`Retries.run` (asyncio or Twisted sleeps).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url

from newscrawl.model.text import storable

logger = logging.getLogger(__name__)

DEFAULT_DB_URL = "sqlite:///newscrawl.sqlite"
DEFAULT_RETRIES = 5
DEFAULT_RETRY_BACKOFF = 0.5
MAX_RETRY_DELAY = 30.0
DEFAULT_OUTAGE_MAX_SECONDS = 120.0
# While a crawl waits out an outage it looks again at least this often, so that it goes on
# within seconds of the database's return.
OUTAGE_POLL_MAX = 5.0


def json_dumps(value: Any) -> str:
    # Vietnamese stays readable in SQLite's JSON text (and in psql).
    return json.dumps(value, ensure_ascii=False)


def safe_url(db_url) -> str:
    """The database URL with its password masked, for logs and errors."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except (sa_exc.ArgumentError, ValueError, TypeError):  # an unparsable URL: show nothing secret
        return "<unparsable database URL>"


# PostgreSQL SQLSTATE classes of errors that pass: connection exceptions, transaction rollbacks
# (serialization failure, deadlock), insufficient resources (too many connections), operator
# intervention (admin shutdown, cannot connect now), system errors.
_PG_RETRYABLE_CLASSES = ("08", "40", "53", "57", "58")
# ... and of errors about the values written: data exceptions (NUL in text, bad encoding), integrity
# constraint violations, program limits (an index row too large for a URL of thousands of characters).
_PG_DATA_CLASSES = ("22", "23", "54")


def _sqlstate(error) -> str | None:
    return getattr(getattr(error, "orig", None), "sqlstate", None)


def is_retryable(error: sa_exc.DBAPIError, dialect: str) -> bool:
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


def is_data_error(error: BaseException, dialect: str) -> bool:
    """The statement failed because of a value in it (not the connection, not the database's state):
    a row of the batch is bad, and the rest can be written without it."""
    if isinstance(error, sa_exc.DBAPIError):
        if is_retryable(error, dialect):
            return False
        code = _sqlstate(error)
        if code:
            return code[:2] in _PG_DATA_CLASSES
        return isinstance(error, (sa_exc.DataError, sa_exc.IntegrityError))
    # A value the driver could not even send (a lone surrogate: UnicodeEncodeError), or SQLAlchemy
    # could not bind (StatementError wrapping a TypeError/ValueError).
    return isinstance(error, (sa_exc.StatementError, UnicodeError, ValueError, TypeError))


def one_line(error: BaseException) -> str:
    """The database's (or driver's) message, first line only, without characters a reject record cannot hold."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return storable(lines[0] if lines else type(error).__name__)[:300]


def ensure_sqlite_parent(db_url: str) -> None:
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
    opts: dict[str, Any] = {"pool_pre_ping": True, "json_serializer": json_dumps}
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


@contextmanager
def connected(db: str | Engine) -> Iterator[Engine]:
    """``db`` when it is an engine (the crawl's: left as it is), else an engine for the URL ``db``, disposed after."""
    if isinstance(db, Engine):
        yield db
        return
    engine = create_db_engine(db)
    try:
        yield engine
    finally:
        engine.dispose()


class DatabaseOutage(Exception):
    """The database stayed unreachable for longer than ``NEWSCRAWL_DB_OUTAGE_MAX_SECONDS``."""


async def _sleep(seconds: float) -> None:
    from scrapy.utils.asyncio import sleep  # asyncio.sleep or Twisted's deferLater, whichever reactor runs

    await sleep(seconds)


class Retries:
    """When and how long a store tries again.

    Two ways to wait, one policy: a script (``wait_in_thread`` True) sleeps in its thread,
    ``retries`` times with exponential backoff; a crawl never sleeps on the reactor thread: a call
    that meets an unreachable database fails at once, and :meth:`run` tries it again with
    asynchronous sleeps until the database answers or the outage has lasted ``outage_max``.
    """

    def __init__(self, safe_db_url: str, dialect: str, *, retries: int, backoff: float, outage_max: float,
                 count: Callable[[str], None]):
        self.safe_db_url = safe_db_url
        self.dialect = dialect
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.outage_max = max(0.0, float(outage_max))
        self.count = count  # count(stats_key): the store's stats counter
        self.wait_in_thread = True
        self._down_since: float | None = None  # time.monotonic() of the first failure of the current outage
        self._outage_logged = 0.0

    # ------------------------------------------------------------------ in the caller's thread

    def after_failure(self, error: sa_exc.DBAPIError, attempt: int, what: str) -> None:
        """Re-raise ``error`` when it is final, else log, count and (a script only) sleep before try ``attempt + 1``."""
        delay = self._retry_delay(error, attempt, what, in_thread=self.wait_in_thread)
        if delay:
            time.sleep(delay)

    def _retry_delay(self, error: sa_exc.DBAPIError, attempt: int, what: str, in_thread: bool = True) -> float:
        """Seconds before try ``attempt + 1`` of ``retries``; re-raises ``error`` when it is final (or when
        the caller may not wait in its thread and the next try is not immediate)."""
        if attempt >= self.retries or not is_retryable(error, self.dialect):
            raise error
        if attempt == 0 and getattr(error, "connection_invalidated", False):
            delay = 0.0  # a connection that died (server restarted, backend killed): reconnect at once
        elif not in_thread:
            raise error  # the caller waits (run, retry_async), not this thread
        else:
            delay = min(self.backoff * (2**attempt), MAX_RETRY_DELAY)
        logger.warning("newscrawl store %s: %s failed (%s); retry %d/%d in %.1fs", self.safe_db_url, what,
                       one_line(error), attempt + 1, self.retries, delay)
        self.count("newscrawl/db/retries")
        return delay

    async def retry_async(self, fn: Callable[[], Any], what: str, error: sa_exc.DBAPIError):
        """``fn()`` tried again after it failed with ``error``: the tries and delays of a script
        (``retries``, exponential backoff), awaited instead of slept in the thread."""
        attempt = 0
        while True:
            await _sleep(self._retry_delay(error, attempt, what))
            attempt += 1
            try:
                return fn()
            except sa_exc.DBAPIError as again:
                error = again

    def transaction(self, engine: Engine | None, fn: Callable[[Connection], Any], what: str):
        """``fn(conn)`` in a transaction, tried again when the connection is lost.

        A retried transaction starts again from the beginning: what the lost
        one did was rolled back by the server, and every write here is an
        idempotent upsert in case the commit itself went through.
        """
        return self.call(lambda: _in_transaction(engine, fn), what)

    def call(self, fn: Callable[[], Any], what: str):
        """``fn()``, tried again (see :meth:`after_failure`) when the database fails."""
        attempt = 0
        while True:
            try:
                return fn()
            except sa_exc.DBAPIError as error:
                self.after_failure(error, attempt, what)
                attempt += 1

    # ------------------------------------------------------------------ outages, without blocking the reactor

    def run(self, fn: Callable[[], Any], what: str):
        """``fn()`` (one or more store calls; synchronous), or, when the database is unreachable, an awaitable
        of it that tries again without blocking the thread until the outage passes or lasts longer than
        ``outage_max`` (then :class:`DatabaseOutage`). Other errors are raised as they are.

        Returning the value itself when the database answers keeps the common case free of a coroutine
        per item; Scrapy awaits either. ``fn`` must be safe to call again after it failed.
        """
        try:
            result = fn()
        except sa_exc.DBAPIError as error:
            if not is_retryable(error, self.dialect):
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
                if not is_retryable(again, self.dialect):
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
        reason = one_line(error)
        if waited >= self.outage_max:
            self.count("newscrawl/db/outage_errors")
            raise DatabaseOutage(
                f"{what}: the database {self.safe_db_url} has been unreachable for {waited:.0f} s "
                f"(NEWSCRAWL_DB_OUTAGE_MAX_SECONDS={self.outage_max:g}): {reason}"
            ) from error
        if attempt == 0 and getattr(error, "connection_invalidated", False):
            delay = 0.0  # a connection that died (server restarted, backend killed): reconnect at once
        else:
            delay = min(self.backoff * (2**attempt), OUTAGE_POLL_MAX, self.outage_max - waited)
        self.count("newscrawl/db/retries")
        # Every waiting item retries; one line every few seconds says what is going on.
        loud = now - self._outage_logged >= OUTAGE_POLL_MAX
        if loud:
            self._outage_logged = now
        logger.log(logging.WARNING if loud else logging.DEBUG, "newscrawl store %s: %s failed (%s); the database "
                   "has been away %.1f s, waiting up to %g s; retry in %.1f s", self.safe_db_url, what, reason,
                   waited, self.outage_max, delay)
        return delay


def _in_transaction(engine: Engine | None, fn: Callable[[Connection], Any]):
    if engine is None:
        raise RuntimeError("the store is not open")
    with engine.begin() as conn:
        return fn(conn)
