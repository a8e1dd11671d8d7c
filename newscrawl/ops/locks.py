"""One run at a time per site and output: a lock a killed run cannot leave behind.

The lock is an ``fcntl.flock`` on a file: the kernel releases it when the
holding process exits for any reason (SIGKILL included), so a stale lock file
never blocks the next run. The file keeps the holder's PID and start time for
the message a blocked run prints.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path


class LockHeld(RuntimeError):
    """Another live run holds the lock."""


class RunLock:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            held = self.holder()
            raise LockHeld(
                f"another run holds {self.path} (pid {held.get('pid', '?')}, started {held.get('started', '?')})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode())
        self._fd = fd
        return self

    def release(self):
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
