"""A worker's start-up time and memory against an empty database and one holding N stored articles.

    .venv/bin/python -m benchmarks.neardup_start [--articles 50000] [--checks 300]
                                                 [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Fills a throw-away PostgreSQL database with N synthetic articles (through ArticleStore.add_article, which
writes each with its signature), then, in a fresh process per database (empty, then full), opens a store
and checks ``--checks`` new articles through the Deduplicator, printing the seconds the store took to open
and the process's RSS after the imports, after the open and at its peak.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from tests.support.databases import PG_ADMIN_URL, make_item, temporary_postgres_database, vietnamese_text


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (``VmHWM``: at its peak), in MB. Not ``ru_maxrss``: a child
    started with subprocess inherits its parent's, which filled the database."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fill(db_url: str, count: int) -> None:
    from newscrawl.storage import ArticleStore

    with ArticleStore(db_url, batch_size=1000) as store:
        for n in range(count):
            store.add_article(make_item(f"https://bench.example.vn/a-{n}", f"Tin số {n}", vietnamese_text(n, words=150)))


def measure(db_url: str, checks: int) -> dict:
    from newscrawl.storage import ArticleStore, Deduplicator

    imported = rss_mb()
    t0 = time.perf_counter()
    store = ArticleStore(db_url).open()
    opened = time.perf_counter() - t0
    after_open = rss_mb()
    dedupe = Deduplicator(store)
    t0 = time.perf_counter()
    for n in range(checks):
        item = make_item(f"https://check.example.vn/c-{n}", f"Bài mới {n}", vietnamese_text(10_000_000 + n, words=150))
        dedupe.check(item)
        store.add_article(item)
    checked = time.perf_counter() - t0
    store.close()
    return {"open_s": round(opened, 3), "rss_imported_mb": round(imported, 1), "rss_open_mb": round(after_open, 1),
            "rss_peak_mb": round(rss_mb("VmHWM"), 1),
            "check_ms": round(1000 * checked / max(checks, 1), 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process: a database URL
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.checks)))
        return 0
    for count in (0, args.articles):
        with temporary_postgres_database(args.pg_url, prefix="nc_bench_") as db_url:
            t0 = time.perf_counter()
            fill(db_url, count)
            filled = time.perf_counter() - t0
            child = subprocess.run([sys.executable, "-m", "benchmarks.neardup_start", "--measure", db_url,
                                    "--checks", str(args.checks)], capture_output=True, text=True, check=True)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"{count:>7} stored articles (filled in {filled:.0f} s): " + ", ".join(f"{k}={v}" for k, v in result.items()),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
