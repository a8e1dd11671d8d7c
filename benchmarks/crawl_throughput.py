"""Crawl throughput: a bare Scrapy crawl against the full newscrawl pipeline, on one generated site.

  .venv/bin/python -m benchmarks.crawl_throughput [--articles 5000] [--latency-ms 100,0] [--concurrency 16]
                                                       [--workers 0,1] [--profile full.prof] [--keep DIR]

For each site size and each server latency, one run:
1. starts ``benchmarks/sitegen.py serve`` (a generated tuyengiao-markup site of N articles,
   27-35 KB a page, articles as long as real ones (``--paragraphs``), rendered from a seed in
   memory; each response held back by the latency)
   in its own process;
2. crawls it with (a) a *bare* spider: NewsSpider's own link rules (listings, pagination,
   article URL pattern) but an article callback that does nothing, no item pipelines, no
   feeds, no project extensions; and (b) the *full* pipeline, ``scrapy crawl tuyengiao
   -a base_url=...`` with extraction, clean, validate, dedupe, JSONL and SQLite, once for
   each ``--workers`` value (NEWSCRAWL_EXTRACT_WORKERS: ``full-w0`` extracts in the crawl
   process, as the default settings do; ``full-w1`` in one extraction worker process);
   each crawl in its own process, one after the other, with the same concurrency settings
   (AUTOTHROTTLE off, CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN = --concurrency,
   ROBOTSTXT_OBEY as settings.py has it);
3. prints pages/s of each (pages = HTTP responses; time = the crawl's elapsed_time_seconds,
   i.e. without the interpreter start), the ratio of each full crawl to the bare one, CPU per
   page of all the crawl's processes (workers included, and shown apart) and peak RSS (the
   crawl process from ``os.wait4``; the workers' sum from /proc).

Two latencies by default. 100 ms is a news site as a crawler meets it (the pages come from
a server some distance away; the crawl is bound by the site, as real crawls are): the
0.8x target is read there. 0 ms is a server on localhost: both crawls are then bound by
their CPU, and the ratio is the inverse of what the pipeline costs per page next to
Scrapy's own fetching.

``--articles 2000,5000`` runs each size in turn (peak memory should not grow with pages).
``--profile FILE`` adds a cProfile'd full crawl and prints where its time goes.

The functions here are also used by tests/test_benchmark_counts.py (untimed, small site).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from benchmarks.sitegen import DEFAULT_PARAGRAPHS

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
SITEGEN = HERE / "sitegen.py"


# ---------------------------------------------------------------------------
# the site server
# ---------------------------------------------------------------------------
class SiteServer:
    """``sitegen.py serve`` in a subprocess; ``.url``, ``.counts()``."""

    def __init__(self, articles: int, seed: int = 7, per_page: int = 20, latency_ms: float = 0.0,
                 paragraphs: str = DEFAULT_PARAGRAPHS):
        self.proc = subprocess.Popen(
            [sys.executable, str(SITEGEN), "serve", "--articles", str(articles), "--seed", str(seed),
             "--per-page", str(per_page), "--latency-ms", str(latency_ms), "--paragraphs", paragraphs],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"site server did not start: {line!r}")
        self.url = line.split()[1]

    def counts(self) -> dict:
        with urllib.request.urlopen(self.url + "/__stats__", timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------
# the two crawls
# ---------------------------------------------------------------------------
EXTRA_SETTINGS: dict = {}  # --set KEY=VALUE, applied to both crawls (the bare one reads BENCH_EXTRA_SETTINGS)


def common_settings(concurrency: int) -> dict:
    extra = json.loads(os.environ.get("BENCH_EXTRA_SETTINGS") or "{}") or EXTRA_SETTINGS
    return {
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": "1",
        **extra,
    }


@dataclass
class CrawlResult:
    name: str
    returncode: int
    wall_seconds: float
    peak_rss_kb: int
    stats: dict
    server_counts: dict
    log: str
    cpu_seconds: float = 0.0  # user + system CPU of the crawl process and its workers (steadier than pages/s)
    outputs: dict = field(default_factory=dict)
    helper_cpu_seconds: float = 0.0  # the part of cpu_seconds spent in descendant processes (extraction workers)
    helper_peak_rss_kb: int = 0  # the largest sum of the descendants' RSS seen at once

    @property
    def pages(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def elapsed(self) -> float:
        return float(self.stats.get("elapsed_time_seconds") or self.wall_seconds)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0


_STATS_RE = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\n(?=\d{4}-\d\d-\d\d |\Z)", re.S)


def parse_stats(log: str) -> dict:
    """The stats dict Scrapy dumps at the end of a crawl log (pprint of a dict with datetimes)."""
    m = _STATS_RE.search(log)
    if not m:
        return {}
    return _stats_value(ast.parse(m.group(1), mode="eval").body)


# What a stats dump holds besides literals: the datetimes of start_time / finish_time.
_STATS_CALLS = {"datetime.datetime": datetime, "datetime.timedelta": timedelta}
_STATS_NAMES = {"datetime.timezone.utc": timezone.utc}


def _stats_value(node: ast.expr):
    """A stats dump's expression read as data (literals, those calls and names), never run as code."""
    if isinstance(node, ast.Dict):
        return {_stats_value(k): _stats_value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_stats_value(e) for e in node.elts]
        return values if isinstance(node, ast.List) else tuple(values)
    if isinstance(node, ast.Call) and ast.unparse(node.func) in _STATS_CALLS:
        return _STATS_CALLS[ast.unparse(node.func)](*map(_stats_value, node.args),
                                                   **{kw.arg: _stats_value(kw.value) for kw in node.keywords})
    if isinstance(node, ast.Attribute) and ast.unparse(node) in _STATS_NAMES:
        return _STATS_NAMES[ast.unparse(node)]
    return ast.literal_eval(node)  # ValueError for anything else


def _run(name: str, cmd: list[str], server: SiteServer, cwd: Path, env: dict | None = None,
         timeout: float = 3600) -> CrawlResult:
    before = server.counts()
    log_path = cwd / f"{name}.log"
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                "BENCH_EXTRA_SETTINGS": json.dumps(EXTRA_SETTINGS), **(env or {})}
    start = time.monotonic()
    helper_cpu: dict[int, float] = {}  # descendant pid -> the last CPU seconds seen
    helper_rss_peak = 0
    own_cpu_seen = 0.0
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=full_env)
        deadline = start + timeout
        while True:  # os.wait4: the rusage of this child alone (RUSAGE_CHILDREN would mix the crawls)
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
            # Worker processes (NEWSCRAWL_EXTRACT_WORKERS) are the crawl's descendants: their CPU counts too.
            rss = 0
            for child, (depth, cpu, child_rss) in process_tree(proc.pid).items():
                if depth == 0:
                    own_cpu_seen = cpu
                    continue
                helper_cpu[child] = max(cpu, helper_cpu.get(child, 0.0))
                rss += child_rss
            helper_rss_peak = max(helper_rss_peak, rss)
            time.sleep(0.05)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = server.counts()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    counts = {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)}
    # wait4's CPU figure includes the descendants the crawl reaped, and maybe not the others: the
    # crawl's own time (last seen in /proc) plus each descendant's counts every process once.
    helpers = sum(helper_cpu.values())
    waited = rusage.ru_utime + rusage.ru_stime
    return CrawlResult(name, proc.returncode, wall, rusage.ru_maxrss, parse_stats(text), counts, text,
                       cpu_seconds=max(waited, own_cpu_seen + helpers),
                       helper_cpu_seconds=helpers, helper_peak_rss_kb=helper_rss_peak)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def process_tree(root: int) -> dict[int, tuple[int, float, int]]:
    """``root`` and its live descendants, from /proc (Linux): pid -> (depth below ``root``,
    own CPU seconds (user + system, not its children's), RSS in KB). Also used by
    tests/test_extract_workers.py to find a crawl's extraction workers."""
    stats = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after "pid (comm)": state ppid ... utime stime (own, not children's) ... rss (pages)
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS,
                                  int(fields[21]) * _PAGE_KB)
    out = {root: (0, *stats[root][1:])} if root in stats else {}
    frontier, depth = {root}, 0
    while frontier:
        depth += 1
        frontier = {pid for pid, (ppid, _cpu, _rss) in stats.items() if ppid in frontier}
        out.update({pid: (depth, *stats[pid][1:]) for pid in frontier})
    return out


def run_bare(server: SiteServer, workdir: Path, concurrency: int = 16) -> CrawlResult:
    cmd = [sys.executable, "-m", "benchmarks.crawl_throughput", "_bare", "--base-url", server.url,
           "--concurrency", str(concurrency)]
    return _run("bare", cmd, server, workdir)


def full_command(server_url: str, workdir: Path, concurrency: int = 16, profile: Path | None = None,
                 workers: int = 0) -> list[str]:
    scrapy = str(BIN / "scrapy")
    args = ["crawl", "tuyengiao", "-a", f"base_url={server_url}", "-O", str(workdir / "articles.jsonl"),
            "-s", f"NEWSCRAWL_DB_URL=sqlite:///{workdir / 'db.sqlite'}",
            "-s", f"NEWSCRAWL_REJECTS_PATH={workdir / 'rejects.jsonl'}",
            "-s", f"NEWSCRAWL_FAILURES_PATH={workdir / 'failures.jsonl'}"]
    for key, value in common_settings(concurrency).items():
        args += ["-s", f"{key}={value}"]
    if workers:
        args += ["-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}"]
    if profile:
        return [sys.executable, "-m", "cProfile", "-o", str(profile), scrapy, *args]
    return [scrapy, *args]


def run_full(server: SiteServer, workdir: Path, concurrency: int = 16, profile: Path | None = None,
             name: str = "full", workers: int = 0) -> CrawlResult:
    for stale in ("articles.jsonl", "db.sqlite", "rejects.jsonl", "failures.jsonl"):
        (workdir / stale).unlink(missing_ok=True)
    result = _run(name, full_command(server.url, workdir, concurrency, profile, workers), server, workdir)
    jsonl = workdir / "articles.jsonl"
    result.outputs["jsonl_items"] = sum(1 for line in jsonl.open(encoding="utf-8") if line.strip()) if jsonl.exists() else 0
    rejects = workdir / "rejects.jsonl"
    result.outputs["rejects"] = sum(1 for _ in rejects.open(encoding="utf-8")) if rejects.exists() else 0
    db = workdir / "db.sqlite"
    if db.exists():
        with sqlite3.connect(db) as conn:
            result.outputs["db_articles"] = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return result


# ---------------------------------------------------------------------------
# the bare crawl (runs in its own process: `python -m benchmarks.crawl_throughput _bare`, from the repository root)
# ---------------------------------------------------------------------------
def _bare_main(base_url: str, concurrency: int) -> int:
    from scrapy.crawler import CrawlerProcess

    from newscrawl.ops.crawling import newscrawl_settings
    from newscrawl.crawl.spiders.news import NewsSpider

    class BareSpider(NewsSpider):
        """NewsSpider's link rules, nothing done with an article page."""

        name = "tuyengiao_bare"
        site_name = "tuyengiao"

        def parse_article(self, response, section: str):
            self.crawler.stats.inc_value("newscrawl/article_pages")
            return ()

    # No pipelines, feeds or project extensions; no database either (incremental runs read the stored articles).
    overrides = {**common_settings(concurrency), "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "FEEDS": {},
                 "NEWSCRAWL_INCREMENTAL": False}
    settings = newscrawl_settings(overrides)
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, base_url=base_url)
    process.start()
    return 0


# ---------------------------------------------------------------------------
# profile summary
# ---------------------------------------------------------------------------
# (label, file suffix, function name): cumulative time of the outermost call of each.
PROFILE_AREAS = [
    ("spider: parse_listing (links)", "newscrawl/crawl/spiders/news.py", "parse_listing"),
    ("spider: parse_article total", "newscrawl/crawl/spiders/news.py", "parse_article"),
    ("  extract_article", "newscrawl/extract/__init__.py", "extract_article"),
    ("    Document decode", "newscrawl/extract/document.py", "decode_html"),
    ("    lxml/parsel parse", "newscrawl/extract/document.py", "sel"),
    ("    site layer", "newscrawl/extract/sitelayer.py", "extract_site_fields"),
    ("    fallback layers (structured+generic)", "newscrawl/extract/fallback.py", "extract_fallback"),
    ("    ArticleLoader.load_item", "itemloaders/__init__.py", "load_item"),
    ("    clean_article", "newscrawl/extract/cleaning.py", "clean_article"),
    ("    content_hash", "newscrawl/extract/__init__.py", "content_hash"),
    ("pipeline 100 clean", "newscrawl/crawl/pipelines/clean.py", "process_item"),
    ("pipeline 200 validate", "newscrawl/crawl/pipelines/validate.py", "process_item"),
    ("  jsonschema iter_errors (failed items)", "jsonschema/validators.py", "iter_errors"),
    ("pipeline 300 dedupe: decision", "newscrawl/crawl/pipelines/dedupe.py", "_decide"),
    ("  MinHash signature (in-process)", "newscrawl/storage/neardup.py", "minhash_signature"),
    ("  article lookup (SQL)", "newscrawl/storage/store.py", "find"),
    ("  LSH query", "datasketch/lsh.py", "query"),
    ("pipeline 400 store", "newscrawl/crawl/pipelines/store.py", "process_item"),
    ("  store flush (SQL batch)", "newscrawl/storage/store.py", "flush"),
    ("  store close", "newscrawl/storage/store.py", "close"),
    ("feed export (JSONL)", "scrapy/extensions/feedexport.py", "item_scraped"),
    ("run summary extension", "newscrawl/crawl/summary.py", "item_scraped"),
    ("sqlite3 execute (all)", "~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
    ("sqlite3 commit (all)", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
    ("HTTP response parsing (twisted)", "twisted/web/_newclient.py", "dataReceived"),
]


def summarize_profile(path: Path, top: int = 30) -> str:
    import pstats

    st = pstats.Stats(str(path))
    total = st.total_tt
    lines = [f"profile {path}: total {total:.1f}s CPU (incl. interpreter start and reactor idle)"]
    rows = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in st.stats.items():
        for label, suffix, name in PROFILE_AREAS:
            if func == name and (suffix == "~" and filename == "~" or filename.endswith(suffix)):
                rows[label] = rows.get(label, 0.0) + ct
    for label, _suffix, _name in PROFILE_AREAS:
        if label in rows:
            lines.append(f"  {label:<44} {rows[label]:8.2f}s  {100 * rows[label] / total:5.1f}%")
    lines.append(f"top {top} functions by own time:")
    own = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in own:
        short = filename.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        lines.append(f"  {tt:7.2f}s own {ct:7.2f}s cum {nc:9d} calls  {short}:{line}({func})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------
def median_run(results: list[CrawlResult]) -> CrawlResult:
    """The run with the median pages/s (the lower middle one for an even count)."""
    ordered = sorted(results, key=lambda r: r.pages_per_second)
    return ordered[(len(ordered) - 1) // 2]


def report(articles: int, bare: CrawlResult, fulls: list[CrawlResult], concurrency: int = 16,
           latency_ms: float = 0.0, paragraphs: str | None = None) -> str:
    """The table of one site size and latency: the bare crawl, then each full crawl with its ratio."""
    load = os.getloadavg()[0]
    rows = [
        f"site: {articles} articles{f' of {paragraphs} paragraphs' if paragraphs else ''}, concurrency {concurrency}, "
        f"server latency {latency_ms:g} ms "
        f"(load average {load:.2f} on {os.cpu_count()} CPUs)",
        f"{'crawl':<10} {'pages':>7} {'articles':>8} {'items':>7} {'elapsed s':>9} {'pages/s':>8} {'CPU ms/page':>11} "
        f"{'of it workers':>13} {'peak RSS MB':>11} {'workers MB':>10}",
    ]
    for r in (bare, *fulls):
        helper_ms = 1000 * r.helper_cpu_seconds / r.pages if r.pages else 0.0
        rows.append(f"{r.name:<10} {r.pages:>7} {r.server_counts.get('article', 0):>8} {r.outputs.get('jsonl_items', '-'):>7} "
                    f"{r.elapsed:>9.1f} {r.pages_per_second:>8.1f} {r.cpu_ms_per_page:>11.2f} {helper_ms:>13.2f} "
                    f"{r.peak_rss_kb / 1024:>11.1f} {r.helper_peak_rss_kb / 1024:>10.1f}")
    for full in fulls:
        rows.append(f"ratio {full.name}/bare pages/s: {ratio(full, bare):.3f}   (CPU per page, {full.name}/bare: "
                    f"{full.cpu_ms_per_page / bare.cpu_ms_per_page if bare.cpu_ms_per_page else 0:.1f}x)")
    return "\n".join(rows)


def ratio(full: CrawlResult, bare: CrawlResult) -> float:
    return full.pages_per_second / bare.pages_per_second if bare.pages_per_second else 0.0


def full_name(workers: int) -> str:
    return f"full-w{workers}"


def _figures(n: int, concurrency: int, latency_ms: float, repeats: int, bare: CrawlResult,
             fulls: list[CrawlResult]) -> dict:
    figures = {"articles": n, "concurrency": concurrency, "runs": repeats, "latency_ms": latency_ms,
               "load_average": round(os.getloadavg()[0], 2)}
    for r in (bare, *fulls):
        key = r.name.replace("-", "_")
        figures.update({f"{key}_{k}": v for k, v in {
            "pages": r.pages, "elapsed_s": round(r.elapsed, 2), "pages_per_s": round(r.pages_per_second, 1),
            "peak_rss_mb": round(r.peak_rss_kb / 1024, 1), "workers_peak_rss_mb": round(r.helper_peak_rss_kb / 1024, 1),
            "wall_s": round(r.wall_seconds, 2), "cpu_ms_per_page": round(r.cpu_ms_per_page, 2)}.items()})
        if r is not bare:
            figures.update({f"{key}_items": r.outputs.get("jsonl_items"), f"{key}_db_articles": r.outputs.get("db_articles"),
                            f"{key}_ratio": round(ratio(r, bare), 3)})
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="bare Scrapy vs full newscrawl pipeline on a generated site")
    parser.add_argument("--articles", default="5000", help="article pages of the generated site; a comma list runs each size")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS(_PER_DOMAIN) of both crawls")
    parser.add_argument("--latency-ms", default="100,0",
                        help="the server waits this long before each page; a comma list runs each. 100: a news site "
                             "as a crawler sees it (the figure the 0.8 target is read on); 0: localhost, where both "
                             "crawls are CPU-bound and the ratio is their CPU cost per page")
    parser.add_argument("--workers", default="0,1",
                        help="NEWSCRAWL_EXTRACT_WORKERS of the full crawl; a comma list runs a full crawl for each "
                             "(0: extraction in the crawl process, the default setting; 1: one extraction worker)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--paragraphs", default=DEFAULT_PARAGRAPHS,
                        help=f"MIN,MAX paragraphs of about 100 words per generated article; {DEFAULT_PARAGRAPHS} "
                             "is the length of the real Vietnamese articles in ../shared/realpages "
                             "(11,34: articles four times longer)")
    parser.add_argument("--profile", type=Path, help="also run a cProfile'd full crawl, save the stats here and summarise")
    parser.add_argument("--keep", type=Path, help="keep logs and outputs in this folder (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a Scrapy setting for both crawls (e.g. CONCURRENT_ITEMS=16); repeatable")
    parser.add_argument("--repeat", type=int, default=1, help="crawls of each kind per size; the median is reported")
    args = parser.parse_args(argv)
    EXTRA_SETTINGS.update(dict(kv.split("=", 1) for kv in args.set))
    sizes = [int(x) for x in args.articles.split(",") if x.strip()]
    latencies = [float(x) for x in args.latency_ms.split(",") if x.strip()]
    workers = [int(x) for x in args.workers.split(",") if x.strip()]
    figures = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as tmp:
        base = args.keep or Path(tmp)
        for n in sizes:
            for latency in latencies:
                workdir = base / f"n{n}-l{latency:g}"
                workdir.mkdir(parents=True, exist_ok=True)
                with SiteServer(n, seed=args.seed, latency_ms=latency, paragraphs=args.paragraphs) as server:
                    runs = [(run_bare(server, workdir, args.concurrency),
                             [run_full(server, workdir, args.concurrency, name=full_name(w), workers=w) for w in workers])
                            for _ in range(max(1, args.repeat))]
                    for bare_run, full_runs in runs:
                        for r in (bare_run, *full_runs):
                            if r.returncode != 0:
                                print(f"{r.name} crawl failed (exit {r.returncode}); log: {workdir / (r.name + '.log')}",
                                      file=sys.stderr)
                    bare = median_run([b for b, _ in runs])
                    fulls = [median_run([f[i] for _, f in runs]) for i in range(len(workers))]
                    if len(runs) > 1:
                        print(f"[{n} articles, {latency:g} ms] pages/s of {len(runs)} runs: bare "
                              + ", ".join(f"{b.pages_per_second:.1f}" for b, _ in runs) + "; "
                              + "; ".join(f"{full_name(w)} " + ", ".join(f"{f[i].pages_per_second:.1f}" for _, f in runs)
                                          for i, w in enumerate(workers)) + " (medians below)")
                    text = report(n, bare, fulls, args.concurrency, latency, args.paragraphs)
                    print(text.replace("site:", f"[{datetime.now(timezone.utc):%H:%M:%S}] site:"), flush=True)
                    figures.append(_figures(n, args.concurrency, latency, len(runs), bare, fulls))
                    if args.profile and n == sizes[-1] and latency == latencies[-1]:
                        prof = run_full(server, workdir, args.concurrency, profile=args.profile.resolve(),
                                        name="profiled", workers=workers[-1])
                        print(f"profiled full crawl: {prof.pages} pages in {prof.elapsed:.1f}s "
                              f"({prof.pages_per_second:.1f} pages/s under cProfile)")
                        print(summarize_profile(args.profile.resolve()))
    if len(sizes) > 1:
        print("peak RSS by size (MB): " + ", ".join(
            f"{f['articles']} ({f['latency_ms']:g} ms): bare {f['bare_peak_rss_mb']}" + "".join(
                f" / {full_name(w)} {f[f'full_w{w}_peak_rss_mb']} + workers {f[f'full_w{w}_workers_peak_rss_mb']}"
                for w in workers) for f in figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_bare":
        p = argparse.ArgumentParser()
        p.add_argument("_bare")
        p.add_argument("--base-url", required=True)
        p.add_argument("--concurrency", type=int, default=16)
        a = p.parse_args()
        sys.exit(_bare_main(a.base_url, a.concurrency))
    sys.exit(main())
