"""JSONL output that readers can trust: a file is replaced whole, never seen half-written.

Scrapy's feed exports write items as they come. ``AtomicFileFeedStorage`` (set
for local files in settings.FEED_STORAGES) writes them, unbuffered, to a hidden
``.part`` file beside the target, and when the feed closes moves a merged file
into place with ``os.replace``:

- in append mode (``overwrite: False``, used for the daily partitions
  ``articles/%(crawl_date)s.jsonl`` of cron runs) the target's earlier lines
  come first, then the new ones;
- lines left in ``.part`` files by runs that were killed are recovered (a live
  writer holds an flock on its part file, so a part file nobody holds is an
  orphan), keeping complete lines only;
- a line whose (canonical_url, content_hash) is already in the file is not
  written twice, so an article recovered from a killed run and crawled again
  by the run that resumed it appears once.

Writers of the same target (two sites, two processes) merge one at a time
under an flock on a hidden ``.<name>.lock`` beside the target.

The file never holds a cut or merged line, whatever the disk does:

- each line reaches the part file whole or not at all (``outputs.write_whole``: a write the
  disk refuses halfway is cut back off);
- the merge keeps whole JSON objects only, from every source (the target too): a cut line is
  dropped, and a cut line that another line was appended to (``{"url": "a", "ti{"url": "b", ...}``)
  gives back the whole line after the cut (``newscrawl/jsonl/cut_lines``);
- a part file, target or merge that cannot be written (a full disk, a read-only folder, a
  target that is a directory) goes to the crawl's ``OutputGuard``, which stops the crawl; the
  part file is kept, so the next run's merge recovers its lines; stale ``.merge`` files of an
  interrupted merge are removed by the next merge.
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

from newscrawl.outputs import output_guard, write_whole

logger = logging.getLogger(__name__)

_UMASK = os.umask(0)
os.umask(_UMASK)


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


class _WholeLineFile(io.RawIOBase):
    """The part file as the exporter sees it: each ``write`` (one exported line) lands whole or not at all.

    A write that fails is reported (``on_error``) and swallowed: the crawl is being stopped, and a
    traceback per item would say nothing more. Without a file (it could not be created) writes
    are dropped the same way.
    """

    def __init__(self, fd: int | None, on_error):
        super().__init__()
        self._fd = fd
        self._end = 0
        self._on_error = on_error
        self.failed = fd is None

    def writable(self):
        return True

    def fileno(self):
        if self._fd is None:
            raise OSError(errno.EBADF, "no part file")
        return self._fd

    def write(self, data):
        data = bytes(data)
        if self._fd is not None:
            try:
                self._end = write_whole(self._fd, data, self._end)
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
    _part: Path | None = None

    def _fail(self, exc: OSError) -> None:
        """An output error: to the crawl's guard (which stops the crawl), or raised without a crawler."""
        if self.crawler is None:
            raise exc
        output_guard(self.crawler).fail("articles", self.path, exc)

    def open(self, spider):
        target = Path(self.path)
        try:
            if target.is_dir():  # found now, not after the whole crawl, when the merge would replace it
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        except OSError as exc:
            self._part = None
            self._fail(exc)
            return _WholeLineFile(None, self._fail)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while this run writes: marks the part file as live
        self._part = Path(tmp)
        # Unbuffered: each exported line reaches the OS at once and survives a killed process.
        return _WholeLineFile(fd, self._fail)

    def _orphans(self, target: Path):
        for part in target.parent.glob(f".{target.name}.*.part"):
            if part == self._part:
                continue
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

    def store(self, file):
        file.close()
        if self._part is None:
            return None  # the part file could not be created; reported at open
        try:
            self._merge(Path(self.path))
        except OSError as exc:
            # The part file stays where it is: the next run's merge recovers its lines.
            self._fail(exc)
        return None

    def _merge(self, target: Path) -> None:
        with open(target.parent / f".{target.name}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in target.parent.glob(f".{target.name}.*.merge"):
                stale.unlink(missing_ok=True)  # left by a merge that was killed or met a full disk
            sources = []
            if self.write_mode == "ab" and target.exists():
                sources.append(target)
            orphans = list(self._orphans(target))
            try:
                sources += [part for part, _ in orphans] + [self._part]
                self._write_merged(target, sources)
            finally:
                for _, part_fd in orphans:
                    os.close(part_fd)
            for part, _ in orphans:
                part.unlink(missing_ok=True)
            self._part.unlink(missing_ok=True)

    def _write_merged(self, target: Path, sources: list[Path]) -> None:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".merge")
        try:
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide the feed from its readers
            seen = set()
            counts: dict = {}
            with os.fdopen(fd, "wb") as out:
                for source in sources:
                    with open(source, "rb") as f:
                        for line, data in whole_lines(f, source, counts):
                            key = _line_key(data)
                            if key is not None:
                                if key in seen:
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
