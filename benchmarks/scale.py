"""Scale: unit costs of a distributed crawl at 50,000 articles, the figures docs/scaling.md plans with.

  .venv/bin/python -m benchmarks.scale [--articles 50000] [--workers 2] [--rate-articles 2000]
                                       [--rate-workers 1,2,4] [--concurrency 16] [--redis URL] [--keep DIR]

One run, all on PostgreSQL (127.0.0.1:5432) and Redis, through public outputs only (the site
server's counts, the database, the Redis keys under the run's own prefix, /proc):

1. **The big crawl.** A generated site of ``--articles`` articles (``benchmarks/sitegen.py``), a
   fresh database, the queue seeded; one worker (``newscrawl crawl tuyengiao --redis ... --db
   postgresql://...``) is started alone and timed from its process start to its first request
   at the site (*start-up, empty database*), then ``--workers - 1`` more. While they crawl, every
   second: each process's peak RSS (``VmHWM`` of /proc/PID/status: the worker, its descendants
   (extraction workers), the site server) and the stored article count; the figures are taken at
   the first poll with 1/5 of the articles stored (10,000 of 50,000) and at the end (the
   worker's own peak from ``os.wait4``). Every two seconds: the Redis keys under the run's
   prefix, ``MEMORY USAGE ... SAMPLES 0`` each; the sample with the most queued requests (entries
   of sorted sets and lists) gives bytes per queued request, the sample with the most fingerprints
   in the seen set (it goes when the crawl ends) bytes per seen URL. After the workers stop: the
   bytes of every key left under the prefix (none, when the crawl ended cleanly); the database's size
   and rows written (``pg_stat_user_tables``) per article; CPU per page of the workers and of the
   PostgreSQL backends serving them.
2. **Start-up with the articles stored.** The same database, a new prefix, seeded again; one
   worker timed to its first request, then stopped (SIGTERM).
3. **Write rate.** ``benchmarks.distributed_throughput.run`` on a site of ``--rate-articles``
   articles with each of ``--rate-workers`` (a fresh database each): articles stored per second,
   from the seed to the last page served.

Every figure is printed as one line, ``figure NAME VALUE UNIT  (what it is)``, then the capacity
plan's arithmetic from them as ``plan ...`` lines (see docs/scaling.md, whose tables quote them).
``--articles 2000 --rate-articles 300`` is a quick check; tests/test_scale_benchmark.py runs a
tiny one untimed.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.crawl_throughput import SiteServer, process_tree
from benchmarks.distributed_throughput import BIN, IDLE_SECONDS, REPO, SITE, fresh_database
from benchmarks.distributed_throughput import run as run_distributed

ARTICLES_PER_DAY = 1_000_000
SITES = 10_000


# ---------------------------------------------------------------------------
# what a process, Redis and PostgreSQL hold
# ---------------------------------------------------------------------------
def status_kb(pid: int, name: str) -> int:
    """A ``kB`` line of /proc/PID/status (VmHWM: peak RSS; VmRSS: now); 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def key_group(key: str, prefix: str) -> str:
    """``P:SITE:inflight:WORKER`` -> ``SITE:inflight:*``: one row per kind of key, whatever the workers' ids."""
    parts = key[len(prefix) + 1:].split(":")
    return ":".join(parts[:2]) + (":*" if len(parts) > 2 else "")


def redis_footprint(client, prefix: str) -> dict[str, list]:
    """Per key group under ``prefix``: [keys, queued entries (sorted sets and lists), bytes (MEMORY USAGE, exact),
    set members (the seen set)]."""
    groups: dict[str, list] = {}
    for raw in client.scan_iter(match=f"{prefix}:*", count=1000):
        key = raw.decode()
        kind = client.type(raw).decode()
        queued = client.zcard(raw) if kind == "zset" else client.llen(raw) if kind == "list" else 0
        members = client.scard(raw) if kind == "set" else 0
        size = client.memory_usage(raw, samples=0) or 0  # None: the key expired between SCAN and here
        row = groups.setdefault(key_group(key, prefix), [0, 0, 0, 0])
        row[0] += 1
        row[1] += queued
        row[2] += size
        row[3] += members
    return groups


def delete_prefix(client, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


class Database:
    """The run's PostgreSQL database, read as an operator would: counts, sizes, backends, rows written."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(url, pool_size=1)

    def scalar(self, sql: str):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()

    def stored(self) -> int:
        return self.scalar("SELECT count(*) FROM articles")

    def size_bytes(self) -> int:
        return self.scalar("SELECT pg_database_size(current_database())")

    def rows_written(self) -> int:
        """Rows inserted, updated or deleted in this database's tables (the statistics collector's counts)."""
        return int(self.scalar("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"))

    def backends(self) -> list[int]:
        """The server processes of the other sessions on this database (the workers' connections)."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]

    def close(self):
        self.engine.dispose()


# ---------------------------------------------------------------------------
# workers
# ---------------------------------------------------------------------------
@dataclass
class Worker:
    proc: subprocess.Popen
    started: float
    peak_kb: int = 0              # VmHWM of the worker process, last seen
    helpers_peak_kb: int = 0      # the largest sum of its descendants' RSS seen at once
    cpu: dict = field(default_factory=dict)  # pid -> last CPU seconds seen (the worker and its descendants)
    exit_code: int | None = None
    maxrss_kb: int = 0            # os.wait4's figure once it exited: its own peak, exact
    waited_cpu: float = 0.0

    def sample(self) -> None:
        tree = process_tree(self.proc.pid)
        for pid, (_depth, cpu, _rss) in tree.items():
            self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
        self.peak_kb = max(self.peak_kb, status_kb(self.proc.pid, "VmHWM"))
        self.helpers_peak_kb = max(self.helpers_peak_kb, sum(rss for depth, _cpu, rss in tree.values() if depth))

    def reap(self) -> bool:
        if self.exit_code is None:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.exit_code = self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.maxrss_kb, self.waited_cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        return self.exit_code is not None

    @property
    def cpu_seconds(self) -> float:
        return max(self.waited_cpu, sum(self.cpu.values()))


def start_worker(server: SiteServer, redis_url: str, db_url: str, prefix: str, out: Path, concurrency: int,
                 log) -> Worker:
    settings = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS": concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "NEWSCRAWL_REDIS_PREFIX": prefix,
                "NEWSCRAWL_REDIS_IDLE_SECONDS": IDLE_SECONDS}
    cmd = [str(BIN / "newscrawl"), "crawl", SITE, "--redis", redis_url, "--base-url", server.url, "--out", str(out),
           "--db", db_url, "--log-level", "INFO", *[a for k, v in settings.items() for a in ("-s", f"{k}={v}")]]
    started = time.monotonic()
    return Worker(subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT), started)


def requests_served(server: SiteServer) -> int:
    return sum(v for k, v in server.counts().items() if k != "bytes")


def seed(server: SiteServer, redis_url: str, prefix: str) -> None:
    from newscrawl.distributed.seed import seed_sites

    seed_sites([SITE], redis_url, overrides={"NEWSCRAWL_REDIS_PREFIX": prefix}, spider_kwargs={"base_url": server.url})


def time_to_first_request(worker: Worker, server: SiteServer, timeout: float = 300) -> float:
    """Seconds from the worker's process start to the site's first request from it (the queue is seeded, no other worker runs)."""
    before = requests_served(server)
    while requests_served(server) == before:
        if worker.proc.poll() is not None or time.monotonic() - worker.started > timeout:
            raise RuntimeError(f"worker exited ({worker.proc.returncode}) or never fetched a page")
        time.sleep(0.05)
    return time.monotonic() - worker.started


def stop(worker: Worker) -> None:
    if worker.proc.poll() is None:
        worker.proc.send_signal(signal.SIGTERM)
        try:
            worker.proc.wait(60)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            worker.proc.wait()


# ---------------------------------------------------------------------------
# the three parts
# ---------------------------------------------------------------------------
class Figures:
    """``figure NAME VALUE UNIT  (note)`` lines, printed as they are measured and kept for the plan."""

    def __init__(self):
        self.values: dict[str, float] = {}

    def add(self, name: str, value: float, unit: str, note: str = "") -> None:
        shown = (f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}") if isinstance(value, float) else str(value)
        self.values[name] = float(shown)  # the plan works from what is printed, as --plan-from does
        print(f"figure {name} {shown} {unit}" + (f"  ({note})" if note else ""), flush=True)


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def big_crawl(args, figures: Figures, workdir: Path) -> None:
    import redis

    client = redis.Redis.from_url(args.redis)
    first_mark = max(1, args.articles // 5)
    with ExitStack() as stack:
        server = stack.enter_context(SiteServer(args.articles))
        db_url = stack.enter_context(fresh_database("postgresql", workdir))
        db = Database(db_url)
        stack.callback(db.close)
        prefix = f"ncscale{secrets.token_hex(3)}"
        stack.callback(delete_prefix, client, prefix)
        print(f"[{time.strftime('%H:%M:%S')}] big crawl: {args.articles} articles, {args.workers} workers, "
              f"{os.cpu_count()} CPUs, {load()}", flush=True)
        seed(server, args.redis, prefix)
        before = requests_served(server)
        workers: list[Worker] = []

        def new_worker() -> Worker:
            log = stack.enter_context((workdir / f"big-{len(workers)}.log").open("w"))
            w = start_worker(server, args.redis, db_url, prefix, workdir / f"big-{len(workers)}", args.concurrency, log)
            stack.callback(stop, w)
            workers.append(w)
            return w

        first = new_worker()
        figures.add("startup_empty_s", time_to_first_request(first, server), "s",
                    f"worker process start -> its first request, empty database; {load()}")
        figures.add("startup_empty_rss_mb", status_kb(first.proc.pid, "VmRSS") / 1024, "MB", "its RSS then")
        empty_size = db.size_bytes()  # the schema, made by the first worker, before any article
        for _ in range(args.workers - 1):
            new_worker()

        queue_peak = (0, 0)  # (queued entries, their bytes) at the sample with the most entries
        # The seen set lives while the crawl runs and goes when it ends: read at the sample where it is largest.
        seen_peak = (0, 0)  # (fingerprints in the seen set, its bytes)
        backend_cpu: dict[int, float] = {}
        marked, last_redis, mark_time, mark_size, stored, last_store = False, 0.0, None, 0, 0, time.monotonic()
        while not all(w.reap() for w in workers):
            for w in workers:
                if w.exit_code is None:
                    w.sample()
            for pid in db.backends():
                cpu = process_tree(pid).get(pid, (0, 0.0, 0))[1]
                backend_cpu[pid] = max(cpu, backend_cpu.get(pid, 0.0))
            now_stored = db.stored()
            if now_stored != stored:
                stored, last_store = now_stored, time.monotonic()
            if time.monotonic() - last_redis >= 2:
                last_redis = time.monotonic()
                groups = redis_footprint(client, prefix)
                queued = sum(g[1] for g in groups.values())
                if queued > queue_peak[0]:
                    queue_peak = (queued, sum(g[2] for g in groups.values() if g[1]))
                seen_sets = [g for name, g in groups.items() if name.endswith(":dupefilter")]
                if sum(g[3] for g in seen_sets) > seen_peak[0]:
                    seen_peak = (sum(g[3] for g in seen_sets), sum(g[2] for g in seen_sets))
            if not marked and stored >= first_mark:
                marked, mark_time = True, (time.monotonic(), stored)
                for i, w in enumerate(workers):
                    figures.add(f"worker{i}_peak_rss_mb@{first_mark}", w.peak_kb / 1024, "MB",
                                f"VmHWM, {stored} articles stored")
                    figures.add(f"worker{i}_helpers_rss_mb@{first_mark}", w.helpers_peak_kb / 1024, "MB",
                                "its descendants' RSS, largest sum seen")
                figures.add(f"server_peak_rss_mb@{first_mark}", status_kb(server.proc.pid, "VmHWM") / 1024, "MB",
                            "site server (not part of a crawl)")
                figures.add(f"redis_bytes@{first_mark}", sum(g[2] for g in redis_footprint(client, prefix).values()),
                            "B", "every key under the run's prefix")
                mark_size = db.size_bytes()
                figures.add(f"pg_size_mb@{first_mark}", mark_size / 2**20, "MB", "pg_database_size")
            time.sleep(1)
        stored = db.stored()
        served = requests_served(server) - before
        articles_served = server.counts().get("article", 0)
        seen = redis_footprint(client, prefix)

        for i, w in enumerate(workers):
            figures.add(f"worker{i}_peak_rss_mb@end", max(w.maxrss_kb, w.peak_kb) / 1024, "MB",
                        f"os.wait4 ru_maxrss, {stored} articles stored, exit {w.exit_code}")
            figures.add(f"worker{i}_helpers_rss_mb@end", w.helpers_peak_kb / 1024, "MB", "its descendants")
        figures.add("server_peak_rss_mb@end", status_kb(server.proc.pid, "VmHWM") / 1024, "MB", "site server")
        figures.add("articles_stored", stored, "articles", f"of {args.articles}; fetched {articles_served}, "
                    f"{served} requests served, exit codes {[w.exit_code for w in workers]}")
        figures.add("pages", served, "pages", "every request the site served")
        if mark_time:
            figures.add("stored_per_s_growing", (stored - mark_time[1]) / max(last_store - mark_time[0], 1e-9),
                        "articles/s", f"{args.workers} workers, from {mark_time[1]} stored to the last row")
        figures.add("queue_peak_entries", queue_peak[0], "requests", "most requests queued at once (a 2 s sample)")
        figures.add("redis_bytes_per_queued", queue_peak[1] / queue_peak[0] if queue_peak[0] else 0.0, "B",
                    "MEMORY USAGE of the queue keys at that sample / entries")
        figures.add("seen_peak_entries", seen_peak[0], "URLs", "most fingerprints in the seen set at once (a 2 s sample)")
        figures.add("redis_bytes_per_seen_url", seen_peak[1] / seen_peak[0] if seen_peak[0] else 0.0, "B",
                    "MEMORY USAGE of the seen set at that sample / its fingerprints")
        left = sum(g[2] for g in seen.values())
        figures.add("redis_bytes_left", left, "B", "every key left after the crawl ("
                    + (", ".join(f"{k} {g[2]} B" for k, g in sorted(seen.items())) or "none") + ")")
        pages = served or 1
        figures.add("worker_cpu_ms_per_page", 1000 * sum(w.cpu_seconds for w in workers) / pages, "ms",
                    "user + system CPU of the workers and their descendants / pages")
        figures.add("pg_cpu_ms_per_page", 1000 * sum(backend_cpu.values()) / pages, "ms",
                    f"the {len(backend_cpu)} PostgreSQL backends serving the crawl / pages")
        size = db.size_bytes()
        figures.add("pg_size_mb@end", size / 2**20, "MB", "pg_database_size, indexes included")
        if mark_time and stored > mark_time[1]:
            figures.add("pg_bytes_per_article", (size - mark_size) / (stored - mark_time[1]), "B",
                        f"growth of pg_database_size from {mark_time[1]} to {stored} articles / articles")
        elif stored:  # every article was stored by the first mark's poll (a small site): from the empty schema
            figures.add("pg_bytes_per_article", (size - empty_size) / stored, "B",
                        f"growth of pg_database_size from the empty schema to {stored} articles / articles")
        figures.add("pg_rows_per_article", db.rows_written() / stored if stored else 0.0, "rows",
                    "rows inserted + updated + deleted in every table / articles")
        delete_prefix(client, prefix)

        # 2. start-up with the articles stored: same database, a new crawl (a new prefix)
        prefix = f"ncscale{secrets.token_hex(3)}"
        stack.callback(delete_prefix, client, prefix)
        seed(server, args.redis, prefix)
        with (workdir / "startup-full.log").open("w") as log:
            w = start_worker(server, args.redis, db_url, prefix, workdir / "startup-full", args.concurrency, log)
            try:
                figures.add("startup_full_s", time_to_first_request(w, server), "s",
                            f"the same, {stored} articles stored; {load()}")
                figures.add("startup_full_rss_mb", status_kb(w.proc.pid, "VmRSS") / 1024, "MB", "its RSS then")
            finally:
                stop(w)


def write_rates(args, figures: Figures, workdir: Path) -> None:
    with SiteServer(args.rate_articles) as server:
        for n in (int(x) for x in args.rate_workers.split(",")):
            sub = workdir / f"rate-w{n}"
            sub.mkdir(parents=True, exist_ok=True)
            r = run_distributed(n, server, args.redis, "postgresql", args.concurrency, sub)
            good = r["stored"] == r["articles_fetched"] == args.rate_articles and r["codes"] == [0] * n
            figures.add(f"stored_per_s_{n}w", r["stored"] / r["seconds"] if r["seconds"] else 0.0, "articles/s",
                        f"{r['stored']} stored in {r['seconds']:.1f} s, {r['pages_per_second']:.1f} pages/s, "
                        f"CPU {r['cpu_ms_per_page']:.1f} ms/page, split {r['split']}, load {r['load']:.2f}, "
                        + ("each article fetched once, stored once" if good else
                           f"PROBLEM: fetched {r['articles_fetched']}, exit codes {r['codes']}"))


# ---------------------------------------------------------------------------
# the plan
# ---------------------------------------------------------------------------
def read_figures(text: str) -> dict[str, float]:
    """The ``figure NAME VALUE UNIT`` lines of a run's output, as {NAME: VALUE}."""
    return {line.split()[1]: float(line.split()[2]) for line in text.splitlines() if line.startswith("figure ")}


def plan(f: dict) -> list[str]:
    """The arithmetic of docs/scaling.md from the figures (names as printed): one ``plan NAME VALUE`` line each."""
    from newscrawl.crawl.defaults import DEFAULTS

    per_s = ARTICLES_PER_DAY / 86400
    pages_per_article = f["pages"] / f["articles_stored"]
    window_days = DEFAULTS["NEWSCRAWL_NEARDUP_WINDOW_DAYS"]
    lines = [f"plan articles_per_s {per_s:.1f}  (1,000,000 a day / 86,400 s)",
             f"plan articles_per_site_per_day {ARTICLES_PER_DAY / SITES:.0f}  (1,000,000 / 10,000 sites)",
             f"plan pages_per_article {pages_per_article:.3f}  (pages / articles_stored: listings and robots.txt included)"]
    worker_cores = per_s * pages_per_article * f["worker_cpu_ms_per_page"] / 1000
    pg_cores = per_s * pages_per_article * f["pg_cpu_ms_per_page"] / 1000
    lines += [f"plan worker_cores {worker_cores:.2f}  (articles_per_s x pages_per_article x worker_cpu_ms_per_page / 1000: "
              "cores the workers keep busy)",
              f"plan pg_cores {pg_cores:.2f}  (articles_per_s x pages_per_article x pg_cpu_ms_per_page / 1000)"]
    rates = {int(name[len("stored_per_s_"):-1]): value for name, value in f.items()
             if name.startswith("stored_per_s_") and name.endswith("w") and value}
    if rates:
        best = max(rates, key=rates.get)
        lines += [f"plan workers_by_rate {per_s / rates[1]:.2f}  (articles_per_s / stored_per_s_1w: workers of this "
                  "machine's speed)" if 1 in rates else "",
                  f"plan write_headroom {rates[best] / per_s:.1f}x  (stored_per_s_{best}w / articles_per_s: the "
                  "fastest write rate measured against the target)"]
    lines += [f"plan pg_gb_per_day {ARTICLES_PER_DAY * f.get('pg_bytes_per_article', 0) / 1e9:.1f}  "
              "(1,000,000 x pg_bytes_per_article)",
              f"plan pg_rows_per_s {per_s * f['pg_rows_per_article']:.1f}  (articles_per_s x pg_rows_per_article)",
              f"plan redis_seen_mb_worst {ARTICLES_PER_DAY * pages_per_article * f['redis_bytes_per_seen_url'] / 1e6:.0f}"
              "  (1,000,000 x pages_per_article x redis_bytes_per_seen_url: a whole day's URLs in crawls running at"
              " once; each crawl's seen set goes when it ends)",
              f"plan redis_queue_mb_worst {ARTICLES_PER_DAY * pages_per_article * f['redis_bytes_per_queued'] / 1e6:.0f}"
              "  (1,000,000 x pages_per_article x redis_bytes_per_queued: a whole day's pages queued at once)"]
    marks = sorted({int(name.split("@")[1]) for name in f if name.startswith("worker0_peak_rss_mb@")
                    and not name.endswith("@end")})
    workers = sorted({name.split("_")[0] for name in f if name.startswith("worker") and name.endswith("_peak_rss_mb@end")})
    for worker in workers if marks else ():
        lo, hi = f[f"{worker}_peak_rss_mb@{marks[0]}"], f[f"{worker}_peak_rss_mb@end"]
        growth = (hi - lo) * 1024 / max(f["articles_stored"] - marks[0], 1)
        lines += [f"plan {worker}_rss_ratio {hi / lo:.2f}  ({worker}_peak_rss_mb@end / {worker}_peak_rss_mb@{marks[0]})",
                  f"plan {worker}_rss_kb_per_article {growth:.2f}  (growth from @{marks[0]} to @end / "
                  f"{f['articles_stored'] - marks[0]:.0f} articles)",
                  f"plan {worker}_rss_gb_in_window {(hi * 1024 + growth * ARTICLES_PER_DAY * window_days) / 2**20:.1f}  "
                  f"({worker}_peak_rss_mb@end + {worker}_rss_kb_per_article x 1,000,000 x NEWSCRAWL_NEARDUP_WINDOW_DAYS "
                  f"{window_days}, if it keeps growing so)"]
    if f.get("startup_empty_s") and f.get("startup_full_s"):
        lines.append(f"plan startup_ratio {f['startup_full_s'] / f['startup_empty_s']:.2f}  "
                     "(startup_full_s / startup_empty_s)")
    return [line for line in lines if line]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000, help="articles of the big crawl's site")
    parser.add_argument("--workers", type=int, default=2, help="workers of the big crawl")
    parser.add_argument("--rate-articles", type=int, default=2000, help="articles of each write-rate crawl")
    parser.add_argument("--rate-workers", default="1,2,4", help="worker counts of the write-rate crawls")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS(_PER_DOMAIN) of each worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep", type=Path, help="keep logs and outputs in this folder (default: a temporary one)")
    parser.add_argument("--plan-from", type=Path, metavar="OUTPUT",
                        help="run nothing: print the plan from the figure lines of an earlier run's output")
    args = parser.parse_args(argv)
    if args.plan_from:
        print("\n".join(plan(read_figures(args.plan_from.read_text(encoding="utf-8")))))
        return 0
    figures = Figures()
    print(f"scale benchmark, {os.cpu_count()} CPUs, {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ncscale-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        big_crawl(args, figures, workdir)
        if args.rate_articles:
            write_rates(args, figures, workdir)
    print("\n".join(plan(figures.values)))
    print(f"done, {load()}")
    good = figures.values.get("articles_stored") == args.articles
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
