"""What each item pipeline stage costs, on SQLite and PostgreSQL, side by side.

    .venv/bin/python -m benchmarks.pipeline_cost [--items 10000] [--words 400] [--batch-size 100]
                                                 [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Generates realistic items (Vietnamese-looking text, ~400 words each; 2% exact
copies and 3% republished near-copies of earlier items under other URLs),
then runs them through the pipelines of a real Scrapy crawler in order
(clean -> validate -> dedupe -> store), timing every stage on every item; the
final flush at close counts towards the store. PostgreSQL gets a throw-away
database; it is skipped with a note when the server is not reachable. The
clean/validate rows appear when the lead's pipelines are importable.
"""
from __future__ import annotations

import argparse
import importlib
import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone

from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.storage.neardup import NearDupIndex
from tests.support.databases import (
    PG_ADMIN_URL,
    make_item,
    postgres_unavailable,
    temporary_postgres_database,
    vietnamese_text,
)

OPTIONAL_STAGES = [
    ("clean", "newscrawl.crawl.pipelines.clean", "CleanPipeline"),
    ("validate", "newscrawl.crawl.pipelines.validate", "ValidatePipeline"),
]
STORAGE_STAGES = [
    ("dedupe", "newscrawl.crawl.pipelines.dedupe", "DedupePipeline"),
    ("store", "newscrawl.crawl.pipelines.store", "DatabaseStorePipeline"),
]
SITES = ["tinmoi", "baodientu", "thoisu24", "kinhtedothi", "nguoiduatin"]


def generate_items(count: int, words: int, seed: int = 2024) -> list[dict]:
    """Item field dicts (fresh item objects are built from them per backend)."""
    rng = random.Random(seed)
    base = datetime(2024, 3, 1, 6, 0, tzinfo=timezone(timedelta(hours=7)))
    items = []
    for n in range(count):
        site = SITES[n % len(SITES)]
        url = f"https://{site}.example.vn/thoi-su/bai-viet-{n}.html"
        roll = rng.random()
        if items and roll < 0.02:  # the same text under another URL
            src = items[rng.randrange(len(items))]
            title, body = src["title"], list(src["body"])
        elif items and roll < 0.05:  # republished: headline prefix, one paragraph added
            src = items[rng.randrange(len(items))]
            title = "Tin tổng hợp: " + src["title"]
            body = list(src["body"]) + vietnamese_text(10_000_000 + n, words=40)
        else:
            body = vietnamese_text(n, words=words)
            title = body[0].split(".")[0][:90]
        published = (base + timedelta(minutes=7 * n)).isoformat()
        items.append({"url": url, "title": title, "body": body, "site": site, "published": published})
    return items


def build_item(data: dict):
    return make_item(data["url"], data["title"], data["body"], site=data["site"], published=data["published"])


def load_stages():
    stages, notes = [], []
    for name, module, cls in OPTIONAL_STAGES:
        try:
            stages.append((name, getattr(importlib.import_module(module), cls)))
        except (ImportError, AttributeError) as error:
            notes.append(f"{name}: skipped ({module}.{cls} not available: {error})")
    for name, module, cls in STORAGE_STAGES:
        stages.append((name, getattr(importlib.import_module(module), cls)))
    return stages, notes


def run_backend(db_url: str, items: list[dict], stages, batch_size: int, workdir: str) -> dict:
    crawler = get_crawler(
        settings_dict={
            "NEWSCRAWL_DB_URL": db_url,
            "NEWSCRAWL_DB_BATCH_SIZE": batch_size,
            "NEWSCRAWL_REJECTS_PATH": os.path.join(workdir, "rejects.jsonl"),
        }
    )
    pipelines = [(name, cls.from_crawler(crawler)) for name, cls in stages]
    seconds = {name: 0.0 for name, _ in pipelines}
    entered = {name: 0 for name, _ in pipelines}
    clock = time.perf_counter
    for name, pipe in pipelines:
        if hasattr(pipe, "open_spider"):
            t0 = clock()
            pipe.open_spider()
            seconds[name] += clock() - t0
    prepared = [build_item(d) for d in items]
    total0 = clock()
    for item in prepared:
        for name, pipe in pipelines:
            entered[name] += 1
            t0 = clock()
            try:
                item = pipe.process_item(item)
            except DropItem:
                seconds[name] += clock() - t0
                break
            seconds[name] += clock() - t0
    for name, pipe in reversed(pipelines):
        if hasattr(pipe, "close_spider"):
            t0 = clock()
            pipe.close_spider()
            seconds[name] += clock() - t0
    total = clock() - total0
    stats = crawler.stats.get_stats()
    return {"seconds": seconds, "entered": entered, "total": total, "stats": stats}


def minhash_only(items: list[dict], num_perm: int = 128) -> float:
    index = NearDupIndex(num_perm=num_perm)
    t0 = time.perf_counter()
    for d in items:
        index.signature(d["title"], d["body"])
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="admin database; a throw-away database is created")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    items = generate_items(args.items, args.words)
    mean_words = sum(len(" ".join([d["title"], *d["body"]]).split()) for d in items) / len(items)
    print(f"{len(items)} items, {mean_words:.0f} words on average (generated in {time.perf_counter() - t0:.1f}s)")
    stages, notes = load_stages()
    for note in notes:
        print("note:", note)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as workdir:
        print("running SQLite ...", flush=True)
        results["SQLite"] = run_backend(f"sqlite:///{workdir}/bench.sqlite", items, stages, args.batch_size, workdir)
        reason = postgres_unavailable(args.pg_url)
        if reason:
            print("note: PostgreSQL skipped:", reason)
        else:
            print("running PostgreSQL ...", flush=True)
            with temporary_postgres_database(args.pg_url, prefix="nc_bench_") as pg_url:
                results["PostgreSQL"] = run_backend(pg_url, items, stages, args.batch_size, workdir)
    sig_seconds = minhash_only(items)

    backends = list(results)
    header = f"{'stage':<28}" + "".join(f"{b + ' items/s':>20}" for b in backends)
    print()
    print(header)
    print("-" * len(header))
    for name, _ in stages:
        cells = []
        for b in backends:
            r = results[b]
            secs = r["seconds"][name]
            cells.append(f"{r['entered'][name] / secs:>14,.0f} ({r['entered'][name]:>5})" if secs else f"{'-':>20}")
        print(f"{name:<28}" + "".join(f"{c:>20}" for c in cells))
    print(f"{'  minhash signature alone':<28}" + "".join(f"{len(items) / sig_seconds:>20,.0f}" for _ in backends))
    print(
        f"{'all stages (end to end)':<28}"
        + "".join(f"{len(items) / results[b]['total']:>20,.0f}" for b in backends)
    )
    print("(n) = items that entered the stage; store time includes the final flush at close")
    print()
    keys = [
        "newscrawl/articles/new",
        "newscrawl/articles/duplicate_exact",
        "newscrawl/articles/duplicate_near",
        "newscrawl/rejected",
        "newscrawl/db/batches",
        "newscrawl/db/articles_written",
    ]
    print(f"{'counter':<36}" + "".join(f"{b:>14}" for b in backends))
    for key in keys:
        print(f"{key:<36}" + "".join(f"{results[b]['stats'].get(key, 0):>14}" for b in backends))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
