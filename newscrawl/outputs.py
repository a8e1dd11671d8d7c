"""NEWSCRAWL_OUT_DIR: one setting that lays out a crawl's outputs in one folder.

``newscrawl crawl --out DIR``, ``scrapy crawl SITE -s NEWSCRAWL_OUT_DIR=DIR`` and a
Scrapyd job given the same setting all write the same files:

  DIR/articles/<crawl date>.jsonl   articles (JSONL, UTC date of the run's start; NEWSCRAWL_JSONL_PARTITION)
  DIR/rejects.jsonl                 invalid items with their reasons
  DIR/newscrawl.sqlite              the embedded database (unless NEWSCRAWL_DB_URL is set)
  DIR/runs/<run id>.json            run summaries; DIR/last-run.json the latest

Settings given explicitly (command line, environment) win over these defaults.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES

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
        return
    partition = settings.get("NEWSCRAWL_JSONL_PARTITION", "crawl_date")
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


class JsonLinesAppender:
    """Appends one JSON line per record (rejects, failures); each line is written and flushed whole,
    and the file is created at the first record."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = None
        self._lock = threading.Lock()
        self.count = 0

    def write(self, record: dict):
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()
            self.count += 1

    def close(self):
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
