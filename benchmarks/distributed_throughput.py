"""Distributed throughput: the full pipeline with 1 and with 2 worker processes sharing a Redis frontier.

  .venv/bin/python -m benchmarks.distributed_throughput [--articles 5000] [--workers 1,2]
                                                        [--concurrency 16] [--redis URL] [--db sqlite]

One run:
1. starts ``benchmarks/sitegen.py serve`` (a generated site in tuyengiao markup, N articles of
   27-35 KB, listings of 20) in its own process;
2. for each worker count W: a fresh Redis key prefix and a fresh database (a new PostgreSQL
   database when the server at 127.0.0.1:5432 answers, else one SQLite file in WAL mode);
   starts W ``newscrawl crawl tuyengiao --redis URL --base-url SITE --out DIR_i --db DB``
   workers, waits until all have joined, seeds (``newscrawl seed tuyengiao``'s function, in this
   process), and waits for the workers to stop by themselves (frontier empty for
   NEWSCRAWL_REDIS_IDLE_SECONDS);
3. prints, per worker count: pages fetched (site server's count), crawl time (from the seed to
   the last page served; the workers' idle wait is not counted), pages/s, how the pages split
   between the workers, and checks that every article was fetched once and stored once.

The workers run with AutoThrottle off and CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN =
--concurrency each, robots.txt obeyed, extraction, validation, dedupe, JSONL and the database on.
On a machine with few cores the site server competes with the workers for CPU: read the
figures with `nproc` in mind.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
SITE = "tuyengiao"
IDLE_SECONDS = 3

from benchmarks.crawl_throughput import SiteServer  # sitegen.py serve in a subprocess


@contextmanager
def fresh_database(kind: str, workdir: Path):
    from tests.support.databases import postgres_unavailable, temporary_postgres_database

    if kind == "postgresql" or (kind == "auto" and postgres_unavailable() is None):
        with temporary_postgres_database(prefix="ncbench_") as url:
            yield url
    else:
        from newscrawl.storage import ArticleStore

        url = f"sqlite:///{workdir / 'shared.sqlite'}"
        ArticleStore(url).open().close()  # the schema once, before several processes open the file
        yield url


def db_count(db_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
    finally:
        engine.dispose()


def jsonl_lines(out: Path) -> int:
    return sum(1 for f in (out / "articles").glob("*.jsonl") for line in f.open(encoding="utf-8") if line.strip())


def run(workers: int, server: SiteServer, redis_url: str, db_kind: str, concurrency: int, workdir: Path) -> dict:
    import redis

    # `newscrawl seed` in this process, its imports done before the workers start: a seed subprocess
    # takes seconds to start on a loaded machine, and workers that joined would stop
    # (NEWSCRAWL_REDIS_IDLE_SECONDS) before its requests arrive.
    from newscrawl.distributed.seed import seed_sites

    client = redis.Redis.from_url(redis_url)
    prefix = f"ncbench{secrets.token_hex(3)}"
    settings = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"CONCURRENT_REQUESTS={concurrency}",
                "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "-s", f"NEWSCRAWL_REDIS_PREFIX={prefix}",
                "-s", f"NEWSCRAWL_REDIS_IDLE_SECONDS={IDLE_SECONDS}", "--log-level", "INFO"]
    with ExitStack() as stack:
        db_url = stack.enter_context(fresh_database(db_kind, workdir))
        outs = [workdir / f"w{workers}-{i}" for i in range(workers)]
        procs = []
        for out in outs:
            log = stack.enter_context((workdir / f"{out.name}.log").open("w"))
            procs.append(subprocess.Popen(
                [str(BIN / "newscrawl"), "crawl", SITE, "--redis", redis_url, "--base-url", server.url,
                 "--out", str(out), "--db", db_url, *settings], cwd=REPO, stdout=log, stderr=subprocess.STDOUT))
        try:
            deadline = time.monotonic() + 180
            while client.scard(f"{prefix}:{SITE}:workers") < workers:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError("the workers did not all join; see the logs in " + str(workdir))
                time.sleep(0.1)
            before = server.counts()
            seeded = time.monotonic()
            seed_sites([SITE], redis_url, overrides={"NEWSCRAWL_REDIS_PREFIX": prefix}, spider_kwargs={"base_url": server.url})
            last_total, last_change = -1, seeded
            running, codes, cpu = {p.pid: i for i, p in enumerate(procs)}, [None] * workers, [0.0] * workers
            while running:  # note when the last page was served; os.wait4 gives each worker's own CPU time
                for pid, i in list(running.items()):
                    done, status, usage = os.wait4(pid, os.WNOHANG)
                    if done:
                        codes[i], cpu[i] = os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
                        procs[i].returncode = codes[i]
                        del running[pid]
                counts = server.counts()
                total = sum(v for k, v in counts.items() if k != "bytes")
                if total != last_total:
                    last_total, last_change = total, time.monotonic()
                time.sleep(0.1)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
        after = server.counts()
        fetched = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before) if k != "bytes"}
        stored = db_count(db_url)
    pages = sum(fetched.values())
    seconds = last_change - seeded
    split = []
    for out in outs:
        summary = json.loads((out / "last-run.json").read_text())["sites"][SITE] if (out / "last-run.json").exists() else {}
        split.append(summary.get("pages_fetched", 0))
    return {"workers": workers, "codes": codes, "pages": pages, "articles_fetched": fetched.get("article", 0),
            "seconds": seconds, "pages_per_second": pages / seconds if seconds else 0.0, "split": split,
            "stored": stored, "jsonl": sum(jsonl_lines(out) for out in outs), "db": db_url.split(":")[0],
            "cpu_ms_per_page": 1000 * sum(cpu) / pages if pages else 0.0, "load": os.getloadavg()[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--db", choices=("auto", "postgresql", "sqlite"), default="auto")
    parser.add_argument("--keep", help="keep the work folder here (logs, JSONL)")
    args = parser.parse_args(argv)

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="ncdist-"))
    workdir.mkdir(parents=True, exist_ok=True)
    server = SiteServer(args.articles)
    results = []
    try:
        for n in (int(x) for x in args.workers.split(",")):
            print(f"crawling {args.articles} articles with {n} worker(s) ...", flush=True)
            sub = workdir / f"w{n}"
            sub.mkdir(parents=True, exist_ok=True)
            results.append(run(n, server, args.redis, args.db, args.concurrency, sub))
    finally:
        server.stop()

    print(f"\ndistributed throughput: {args.articles} articles, full pipeline, concurrency {args.concurrency} per worker, "
          f"{os.cpu_count()} CPUs, database {results[0]['db'] if results else '?'}")
    print(f"{'workers':>7} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'speed-up':>8} {'CPU ms/page':>11} {'load':>5}"
          f"  pages per worker    check")
    base = results[0]["pages_per_second"] if results else 0
    ok = True
    for r in results:
        good = (r["articles_fetched"] == args.articles and r["stored"] == args.articles and r["codes"] == [0] * r["workers"])
        ok &= good
        check = "each article fetched once, stored once" if good else (
            f"PROBLEM: fetched {r['articles_fetched']}, stored {r['stored']}, exit codes {r['codes']}")
        print(f"{r['workers']:>7} {r['pages']:>6} {r['seconds']:>8.1f} {r['pages_per_second']:>8.1f} "
              f"{r['pages_per_second'] / base if base else 0:>7.2f}x {r['cpu_ms_per_page']:>11.1f} {r['load']:>5.1f}"
              f"  {str(r['split']):<18} {check}")
    print("CPU ms/page: the workers' own CPU time (user + system) per page; load: 1-minute load average at the end")
    print(f"(work folder: {workdir})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
