"""NEWSCRAWL_OUT_DIR: one setting that lays out a crawl's outputs in one folder.

``newscrawl crawl --out DIR``, ``scrapy crawl SITE -s NEWSCRAWL_OUT_DIR=DIR`` and a
Scrapyd job given the same setting all write the same files:

  DIR/articles/<crawl date>.jsonl   articles (JSONL, UTC date of the run's start; NEWSCRAWL_JSONL_PARTITION)
  DIR/rejects.jsonl                 invalid items with their reasons
  DIR/newscrawl.sqlite              the embedded database (unless NEWSCRAWL_DB_URL is set)
  DIR/runs/<run id>.json            run summaries; DIR/last-run.json the latest

Settings given explicitly (command line, environment) win over these defaults.

An output that cannot be written (a full disk, a read-only or missing folder, a path that is a
directory) stops the crawl: ``OutputGuard`` records it (stats ``newscrawl/output_errors``,
``newscrawl/output_error/<output>`` with a one-line reason, which the run summary lists as a
problem) and closes the spider with the reason ``output_error``. Fetching on would only produce
articles with nowhere to go. Writers never leave part of a line behind (``write_whole``).
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import threading
from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES

logger = logging.getLogger(__name__)

CLOSE_REASON = "output_error"  # the finish reason of a crawl an output stopped

PARTITIONS = {
    "crawl_date": "articles/%(crawl_date)s.jsonl",
    "none": "articles.jsonl",
}


def _unset(settings, name: str) -> bool:
    """True when ``name`` holds only a default (Scrapy's or the project's), not a choice for this run."""
    return settings.getpriority(name) is None or settings.getpriority(name) <= SETTINGS_PRIORITIES["project"]


def confined_path(path: str, out_dir: str | Path | None, setting: str) -> Path:
    """``path`` as written; with an output folder, relative to it and refused when it leads outside
    (``..``, an absolute path elsewhere): a setting must not make a crawl write outside its folder."""
    if not out_dir:
        return Path(path)
    base = Path(out_dir).resolve()
    resolved = (base / path).resolve()
    if resolved != base and base not in resolved.parents:
        raise ValueError(f"{setting}={str(path)!r} is outside NEWSCRAWL_OUT_DIR ({base}); "
                         "give a path inside the output folder or unset NEWSCRAWL_OUT_DIR")
    return resolved


def resolve_out_path(out_dir: str | Path, relative: str) -> Path:
    """A path inside the output folder; refuses names that would escape it."""
    return confined_path(relative, out_dir, "output path")


def configure_output_dir(settings) -> None:
    out = settings.get("NEWSCRAWL_OUT_DIR")
    if not out:
        _make_default_db_dir(settings)
        return
    partition = defaults.get(settings, "NEWSCRAWL_JSONL_PARTITION")
    if partition not in PARTITIONS:
        raise ValueError(f"NEWSCRAWL_JSONL_PARTITION={partition!r}: expected one of {sorted(PARTITIONS)}")
    base = Path(out).resolve()
    if _unset(settings, "FEEDS") and not settings.getdict("FEEDS"):
        feed = str(resolve_out_path(base, PARTITIONS[partition]))
        settings.set("FEEDS", {feed: {"format": "jsonlines", "encoding": "utf-8", "overwrite": False}}, "spider")
    if _unset(settings, "NEWSCRAWL_REJECTS_PATH"):
        settings.set("NEWSCRAWL_REJECTS_PATH", str(base / "rejects.jsonl"), "spider")
    else:  # given for this run: inside the output folder, or refused
        given = settings.get("NEWSCRAWL_REJECTS_PATH")
        settings.set("NEWSCRAWL_REJECTS_PATH", str(confined_path(given, base, "NEWSCRAWL_REJECTS_PATH")),
                     settings.getpriority("NEWSCRAWL_REJECTS_PATH"))
    if _unset(settings, "NEWSCRAWL_DB_URL"):
        settings.set("NEWSCRAWL_DB_URL", f"sqlite:///{base / 'newscrawl.sqlite'}", "spider")
    if _unset(settings, "NEWSCRAWL_RUNS_DIR"):
        settings.set("NEWSCRAWL_RUNS_DIR", str(base), "spider")


def _make_default_db_dir(settings) -> None:
    """Without an output folder the default SQLite file lives in .scrapy/newscrawl/ (newscrawl/settings.py),
    which SQLite will not create; the JSONL writers make their own folders at their first line."""
    if not _unset(settings, "NEWSCRAWL_DB_URL"):
        return  # a URL given for this run: its folder is the user's to provide, as before
    url = settings.get("NEWSCRAWL_DB_URL") or ""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def check_output_dir(out_dir: str | Path) -> str | None:
    """None when files can be created in ``out_dir`` (made if missing), else one line saying what to fix.

    Checked by creating and removing a file, not with os.access: root passes os.access on a
    read-only mount, and only a real write meets EROFS, EACCES or a missing parent.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".newscrawl-write-test.{os.getpid()}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        return (f"output folder {out} is not writable ({describe_os_error(exc)}): "
                "give --out a folder this user can write to, or make it writable")
    return None


def describe_os_error(exc: BaseException) -> str:
    """``No space left on device`` rather than ``[Errno 28] No space left on device: '/long/path'``."""
    if isinstance(exc, OSError) and exc.errno:
        return exc.strerror or os.strerror(exc.errno)
    return f"{type(exc).__name__}: {exc}"


def write_whole(fd: int, data: bytes, end: int) -> int:
    """Write ``data`` at ``end``, the end of ``fd``'s file, and return the new end.

    On a failed or short write (a disk that fills up mid-line) the file is cut back to ``end``
    and the error raised: the file never holds part of ``data``, so the next line written after
    space is freed does not merge into a cut one.
    """
    view = memoryview(data)
    done = 0
    try:
        while done < len(view):
            done += os.write(fd, view[done:])
    except OSError:
        if done:
            try:
                os.ftruncate(fd, end)
                os.lseek(fd, end, os.SEEK_SET)
            except OSError as exc:
                logger.error("could not cut a partly written line off (fd %d): %s", fd, describe_os_error(exc))
        raise
    return end + done


class OutputGuard:
    """An output that cannot be written stops the crawl. An extension, one per crawler, fetched with
    ``service(crawler, OutputGuard)`` (newscrawl/crawl/services.py)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.failed: dict[str, str] = {}
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fail(self, output: str, path, exc: BaseException) -> None:
        """Record that ``output`` (``articles``, ``rejects``, ``failures``, ``job queue``, ``summary``)
        could not be written to ``path``, and stop the crawl (once)."""
        stats = self.crawler.stats
        stats.inc_value("newscrawl/output_errors")
        if output in self.failed:
            return
        reason = f"{output} could not be written to {path}: {describe_os_error(exc)}"
        self.failed[output] = reason
        stats.set_value(f"newscrawl/output_error/{output}", reason)
        logger.error("%s; stopping the crawl", reason)
        self._stop()

    def _stop(self) -> None:
        engine = getattr(self.crawler, "engine", None)
        if self._closing or engine is None or getattr(engine, "spider", None) is None:
            return
        self._closing = True
        from twisted.internet import reactor

        # Later, not inside the failing write: the writer may be one of the engine's own steps.
        reactor.callLater(0, self._close, engine)

    def _close(self, engine) -> None:
        from scrapy.utils.defer import deferred_from_coro

        try:
            d = deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
        except RuntimeError as exc:  # the spider closed in the meantime: nothing left to stop
            logger.info("output guard: spider already closed (%s)", exc)
            return
        d.addErrback(lambda f: logger.error("output guard: could not close the spider: %s", f.getErrorMessage()))


class JsonLinesAppender:
    """Appends one JSON line per record (rejects, failures); each line is written whole or not at all
    (``write_whole``), and the file is created at the first record.

    With a ``guard``, a line that cannot be written is reported to it as ``output`` (which stops
    the crawl) instead of raising; later records are tried again, still whole lines only.
    """

    def __init__(self, path: str | Path, guard: OutputGuard | None = None, output: str = "records"):
        self.path = Path(path)
        self.guard = guard
        self.output = output
        self._fd = None
        self._lock = threading.Lock()
        self.count = 0

    def write(self, record: dict):
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            try:
                if self._fd is None:
                    if self.path.is_dir():
                        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.path))
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
                # Other writers may append to the same file (two sites of one process): the end is
                # read under an flock, so a line cut back never takes theirs with it.
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                try:
                    write_whole(self._fd, line, os.fstat(self._fd).st_size)
                finally:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
            except OSError as exc:
                if self.guard is None:
                    raise
                self.guard.fail(self.output, self.path, exc)
                return
            self.count += 1

    def close(self):
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


from scrapy.squeues import PickleLifoDiskQueue  # noqa: E402  (kept beside the class that needs it)

from newscrawl.crawl import defaults
from newscrawl.crawl.services import service  # noqa: E402


class GuardedPickleLifoDiskQueue(PickleLifoDiskQueue):
    """Scrapy's default disk queue (``SCHEDULER_DISK_QUEUE``, under a ``JOBDIR``), telling the
    ``OutputGuard`` when the disk refuses it.

    Without this a full disk hangs the crawl: the queue's file fails at every scheduling step,
    the requests in it can never be taken, so the spider never goes idle and never closes.
    """

    def __init__(self, crawler, key):
        super().__init__(crawler, key)
        self._guard = service(crawler, OutputGuard)

    def push(self, request):
        try:
            return super().push(request)
        except OSError as exc:
            self._guard.fail("job queue", self.path, exc)
            raise

    def pop(self):
        try:
            return super().pop()
        except OSError as exc:
            # None, not the error: the guard is closing the spider, and the queue still counts its
            # requests, so the crawl is not taken for idle (and finished) meanwhile.
            self._guard.fail("job queue", self.path, exc)
            return None
