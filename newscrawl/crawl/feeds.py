"""JSONL output that grows visibly, by whole lines, and what a run's JSONL holds.

What goes to the feed is a policy (NEWSCRAWL_FEED_ITEMS, ``feed_items``):

- ``"changed"``: new and updated articles only, for cron's daily files (``newscrawl crawl``);
  an article stored already with the same content is counted (``newscrawl/articles/unchanged``)
  and left out, and a line whose (canonical_url, content_hash) is in the file already is not
  appended again (``newscrawl/jsonl/already_in_file``), so an article a killed run exported and the
  run that resumed it fetched again appears once;
- ``"all"``: everything the crawl scraped, unchanged articles included (no new version is stored
  for them), and ``-o`` appends every line: what a Scrapy user expects of a feed;
- ``"auto"`` (the default): ``"all"`` for a feed given on the command line (``scrapy crawl -O/-o``,
  ``newscrawl demo``), ``"changed"`` otherwise.

``AtomicFileFeedStorage`` (set for local files in settings.FEED_STORAGES) writes each exported line
straight into the target, unbuffered, so ``tail -f`` shows an article seconds after it is scraped
and a killed run loses none of the lines it exported. ``-O`` (``overwrite: True``) empties the
target when the feed opens; otherwise (``overwrite: False``, the daily partitions
``articles/%(crawl_date)s.jsonl`` of cron runs) lines are appended.

Writers of the same target (two sites, two processes) write one line at a time under an flock on
a hidden ``.<name>.lock`` beside the target. The file never holds a cut or merged line:

- each line reaches the file whole or not at all (``outputs.write_whole``: a write the disk
  refuses halfway is cut back off, under the lock, so no other writer's line is touched);
- when an appending feed opens, a target that ends in a cut line (a process killed in the
  middle of a write) or holds a cut line that another line was appended to
  (``{"url": "a", "ti{"url": "b", ...}``) is rewritten by whole JSON objects (the whole line after
  the cut is kept; ``newscrawl/jsonl/cut_lines``) and replaced with ``os.replace``; a writer that
  finds its target replaced reopens it before its next line. Lines left in hidden ``.part`` files
  by killed runs of earlier versions are merged in at the same time;
- a target or rewrite that cannot be written (a full disk, a read-only folder, a target that is
  a directory) goes to the crawl's ``OutputGuard``, which stops the crawl; stale ``.merge``
  files of an interrupted rewrite are removed by the next one.
"""
from __future__ import annotations

import errno
import fcntl
import io
import json
import logging
import os
import tempfile
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl.crawl.atomic import current_umask
from newscrawl.crawl.outputs import OutputGuard, write_whole
from newscrawl.crawl.services import service

logger = logging.getLogger(__name__)


def _json_object(line: bytes):
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _salvage(line: bytes):
    """The whole JSON object that ends a merged line (a cut line with the next line appended to it)."""
    start = line.find(b'{"', 1)
    while start != -1:
        data = _json_object(line[start:])
        if data is not None:
            return line[start:], data
        start = line.find(b'{"', start + 1)
    return None


def whole_lines(f, source, counts: dict):
    """``(line, object)`` for each whole JSON object line of ``f``, ending in a newline.

    A line that is no JSON object is a cut one: dropped, or the whole line appended after the
    cut is kept (``_salvage``). ``counts["cut"]`` counts them.
    """
    for line in f:
        if not line.strip():
            continue
        data = _json_object(line)
        if data is None:
            counts["cut"] = counts.get("cut", 0) + 1
            salvaged = _salvage(line)
            logger.warning("%s: dropped a cut line of %d bytes%s", source, len(line),
                           ", kept the whole line after it" if salvaged else "")
            if salvaged is None:
                continue
            line, data = salvaged
        if not line.endswith(b"\n"):
            line += b"\n"
        yield line, data


def _line_key(data: dict):
    if data.get("canonical_url"):
        return (data.get("canonical_url"), data.get("content_hash"))
    return None


FEED_ITEMS = ("auto", "changed", "all")


def feed_items(settings) -> str:
    """``"changed"`` or ``"all"``: what the crawl's feeds hold (NEWSCRAWL_FEED_ITEMS; see the module doc)."""
    from scrapy.settings import SETTINGS_PRIORITIES

    value = str(settings.get("NEWSCRAWL_FEED_ITEMS") or "auto").lower()
    if value != "auto":
        return value
    # `scrapy crawl -O/-o` and the CLI's own overrides set FEEDS at "cmdline" priority; `newscrawl crawl`'s
    # daily files are laid out by configure_output_dir at "spider" priority.
    given = settings.getpriority("FEEDS") == SETTINGS_PRIORITIES["cmdline"] and settings.getdict("FEEDS")
    return "all" if given else "changed"


class _WholeLineFile(io.RawIOBase):
    """The target as the exporter sees it: each ``write`` (one exported line) lands whole or not at all,
    at the end of the file, under the target's lock.

    A write that fails is reported (``on_error``) and swallowed: the crawl is being stopped, and a
    traceback per item would say nothing more. Without a file (it could not be opened) writes
    are dropped the same way.
    """

    def __init__(self, storage: AtomicFileFeedStorage | None, fd: int | None, on_error):
        super().__init__()
        self._storage = storage
        self._fd = fd
        self._on_error = on_error
        self.failed = fd is None

    def writable(self):
        return True

    def fileno(self):
        if self._fd is None:
            raise OSError(errno.EBADF, "no feed file")
        return self._fd

    def write(self, data):
        data = bytes(data)
        if self._fd is not None:
            try:
                self._fd = self._storage.append(self._fd, data)
            except OSError as exc:
                self.failed = True
                self._on_error(exc)
        return len(data)

    def close(self):
        if not self.closed and self._fd is not None:
            os.close(self._fd)
            self._fd = None
        super().close()


class AtomicFileFeedStorage(FileFeedStorage):
    @classmethod
    def from_crawler(cls, crawler, uri, *, feed_options=None):
        storage = cls(uri, feed_options=feed_options)
        storage.crawler = crawler
        return storage

    crawler = None
    _lock = None
    _keys: set | None = None  # (canonical_url, content_hash) of the target's lines, when appends skip those
    _skipped = 0

    def _fail(self, exc: OSError) -> None:
        """An output error: to the crawl's guard (which stops the crawl), or raised without a crawler."""
        if self.crawler is None:
            raise exc
        service(self.crawler, OutputGuard).fail("articles", self.path, exc)

    def _dedupes(self) -> bool:
        return self.write_mode == "ab" and (self.crawler is None or feed_items(self.crawler.settings) == "changed")

    def open(self, spider):
        target = Path(self.path)
        try:
            if target.is_dir():  # found now, not after the whole crawl
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            target.parent.mkdir(parents=True, exist_ok=True)
            self._lock = open(target.parent / f".{target.name}.lock", "a+b")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            try:
                if self.write_mode == "ab":
                    self._repair(target)
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
                else:  # -O: the file holds this crawl's lines only
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o666)
            finally:
                fcntl.flock(self._lock, fcntl.LOCK_UN)
        except OSError as exc:
            self._fail(exc)
            return _WholeLineFile(None, None, self._fail)
        return _WholeLineFile(self, fd, self._fail)

    def append(self, fd: int, data: bytes) -> int:
        """Write one line at the end of the target; returns the descriptor to write the next line to."""
        if self._keys is not None:
            key = _line_key(_json_object(data) or {})
            if key is not None:
                if key in self._keys:
                    self._skipped += 1
                    return fd
                self._keys.add(key)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:
            try:
                replaced = os.stat(self.path).st_ino != os.fstat(fd).st_ino
            except FileNotFoundError:
                replaced = True
            if replaced:  # another writer's repair replaced the file (or someone removed it): write to the new one
                os.close(fd)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
            write_whole(fd, data, os.fstat(fd).st_size)
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        return fd

    def _orphans(self, target: Path):
        """Part files of killed runs of earlier versions (which wrote there and merged at the end)."""
        for part in target.parent.glob(f".{target.name}.*.part"):
            try:
                fd = os.open(part, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)  # a live writer's part file
                continue
            yield part, fd

    def _repair(self, target: Path) -> None:
        """Under the lock: the target by whole lines, the lines of old part files merged in, and (when
        appends skip lines already there) the target's keys."""
        for stale in target.parent.glob(f".{target.name}.*.merge"):
            stale.unlink(missing_ok=True)  # left by a rewrite that was killed or met a full disk
        keys: set = set()
        whole = True
        if target.exists():
            with open(target, "rb") as f:
                for line in f:
                    data = _json_object(line) if line.endswith(b"\n") else None
                    if data is None:
                        whole = whole and not line.strip()
                        continue
                    key = _line_key(data)
                    if key is not None:
                        keys.add(key)
        orphans = list(self._orphans(target))
        try:
            if orphans or not whole:
                sources = ([target] if target.exists() else []) + [part for part, _ in orphans]
                keys = self._write_merged(target, sources)
        finally:
            for _, part_fd in orphans:
                os.close(part_fd)
        for part, _ in orphans:
            part.unlink(missing_ok=True)
        self._keys = keys if self._dedupes() else None

    def store(self, file):
        file.close()
        if self._lock is not None:
            self._lock.close()
        if self._skipped:
            # Once per feed, not per line: the articles were exported by an earlier (killed) run.
            logger.info("%d lines not appended to %s: the same article (canonical_url, content_hash) is in the "
                        "file already", self._skipped, self.path)
            if self.crawler is not None:
                self.crawler.stats.inc_value("newscrawl/jsonl/already_in_file", self._skipped)
        return None

    def _write_merged(self, target: Path, sources: list[Path]) -> set:
        """Rewrite ``target`` from ``sources`` by whole lines (each key once when appends skip lines already
        there; NEWSCRAWL_FEED_ITEMS "all" keeps every line); returns the keys written."""
        dedupe = self._dedupes()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".merge")
        seen: set = set()
        try:
            os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp's 0600 would hide the feed from its readers
            counts: dict = {}
            with os.fdopen(fd, "wb") as out:
                for source in sources:
                    with open(source, "rb") as f:
                        for line, data in whole_lines(f, source, counts):
                            key = _line_key(data)
                            if key is not None:
                                if key in seen and dedupe:
                                    continue
                                seen.add(key)
                            out.write(line)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # on a full disk, a half merge must not keep its space
            raise
        if counts.get("cut") and self.crawler is not None:
            self.crawler.stats.inc_value("newscrawl/jsonl/cut_lines", counts["cut"])
        return seen
