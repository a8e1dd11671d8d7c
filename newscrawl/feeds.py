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
"""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage


_UMASK = os.umask(0)
os.umask(_UMASK)


def _line_key(line: bytes):
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("canonical_url"):
        return (data.get("canonical_url"), data.get("content_hash"))
    return None


class AtomicFileFeedStorage(FileFeedStorage):
    def open(self, spider):
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while this run writes: marks the part file as live
        self._part = Path(tmp)
        # Unbuffered: each exported line reaches the OS at once and survives a killed process.
        return os.fdopen(fd, "w+b", buffering=0)

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
        target = Path(self.path)
        with open(target.parent / f".{target.name}.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            sources = []
            if self.write_mode == "ab" and target.exists():
                sources.append(target)
            orphans = list(self._orphans(target))
            sources += [part for part, _ in orphans] + [self._part]
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".merge")
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide the feed from its readers
            seen = set()
            with os.fdopen(fd, "wb") as out:
                for source in sources:
                    with open(source, "rb") as f:
                        for line in f:
                            if not line.endswith(b"\n"):
                                continue  # the cut-off last line of a killed writer
                            key = _line_key(line)
                            if key is not None:
                                if key in seen:
                                    continue
                                seen.add(key)
                            out.write(line)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            for part, part_fd in orphans:
                part.unlink(missing_ok=True)
                os.close(part_fd)
            self._part.unlink(missing_ok=True)
        return None
