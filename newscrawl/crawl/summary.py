"""Run summaries and field monitors, as a Scrapy extension (newscrawl.crawl.summary.RunSummary).

At the end of each crawl it writes what a person on call needs: pages fetched,
articles new / updated / duplicate / rejected, HTTP errors by status, each
field's fill rate, elapsed time, and the monitors' verdicts. The summary goes
to the database's ``runs`` table and, when ``NEWSCRAWL_RUNS_DIR`` is set, to
``<dir>/runs/<run id>-<site>.json``. The command that started the crawl (`newscrawl crawl`,
`scrapy crawl`: newscrawl/crawl/commands/crawl.py) reads it with ``crawler.get_extension(RunSummary)``
and writes ``<dir>/runs/<run id>.json`` and ``<dir>/last-run.json`` for all its sites
(newscrawl/crawl/runs.py).

Monitors compare each field's fill rate with a floor (``NEWSCRAWL_MONITOR_MIN_FILL``)
and with the same site's recent runs (``NEWSCRAWL_MONITOR_MAX_DROP``), so a layout
change that breaks one field on one site is flagged in the first run after it.
"""
from __future__ import annotations

import json
import logging
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals

from newscrawl.crawl.atomic import write_json_atomic
from newscrawl.crawl.outputs import CLOSE_REASON as OUTPUT_CLOSE_REASON
from newscrawl.crawl.outputs import describe_os_error
from newscrawl.crawl.runs import STATUS_DEGRADED, STATUS_FAILED, STATUS_OK, new_run_id

logger = logging.getLogger(__name__)

FILL_FIELDS = ("title", "published", "authors", "captions", "body", "lead", "section")
DEFAULT_MIN_FILL = {"title": 0.95, "published": 0.90, "body": 0.95}


def check_fill_rates(site: str, rates: dict, history: list[dict], min_fill: dict, max_drop: float,
                     examples: dict) -> list[dict]:
    """Alerts for fields whose fill rate is under its floor or fell by more than max_drop from recent runs."""
    alerts = []
    for field, rate in rates.items():
        before_values = [h[field] for h in history if field in h]
        before = statistics.median(before_values) if before_values else None
        floor = min_fill.get(field)
        reasons = []
        if floor is not None and rate < floor:
            reasons.append(f"below the floor {floor:.2f}")
        if before is not None and before - rate > max_drop:
            reasons.append(f"fell by {before - rate:.2f} from recent runs")
        if reasons:
            alerts.append({
                "site": site, "field": field, "before": before, "after": rate, "floor": floor,
                "reasons": reasons, "examples": examples.get(field, [])[:5],
            })
    return alerts


class RunSummary:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.runs_dir = settings.get("NEWSCRAWL_RUNS_DIR")
        # `scrapy parse`, `shell` and `check` look at pages: no run to record (newscrawl/crawl/commands/__init__.py).
        self.record = settings.getbool("NEWSCRAWL_RECORD_RUNS", True)
        self.base_run_id = settings.get("NEWSCRAWL_RUN_ID")
        self.db_url = settings.get("NEWSCRAWL_DB_URL")
        self.min_fill = {**DEFAULT_MIN_FILL, **(settings.getdict("NEWSCRAWL_MONITOR_MIN_FILL") or {})}
        self.max_drop = settings.getfloat("NEWSCRAWL_MONITOR_MAX_DROP", 0.25)
        self.history_runs = settings.getint("NEWSCRAWL_MONITOR_HISTORY", 5)
        self.min_items = settings.getint("NEWSCRAWL_MONITOR_MIN_ITEMS", 20)
        self.max_error_rate = settings.getfloat("NEWSCRAWL_MAX_ERROR_RATE", 0.2)
        self.seen = 0
        self.filled = dict.fromkeys(FILL_FIELDS, 0)
        self.missing_examples: dict[str, list[str]] = {f: [] for f in FILL_FIELDS}
        self.started = None
        self.summary: dict | None = None
        self.article_requests = 0

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_seen, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_seen, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.started = datetime.now(timezone.utc)
        self._t0 = time.monotonic()
        self.base_run_id = self.base_run_id or new_run_id(self.started)
        self.run_id = f"{self.base_run_id}-{spider.name}"
        self.site = getattr(getattr(spider, "site", None), "name", spider.name)

    def request_scheduled(self, request, spider=None):
        # Article requests, counted before they are downloaded: a run whose article downloads are all
        # dropped (too large, decompression bombs, errors) fetched no article page, yet wanted some.
        if getattr(request.callback, "__name__", None) == "parse_article" and not request.meta.get("retry_times") \
                and not request.meta.get("redirect_times"):
            self.article_requests += 1

    def item_seen(self, item, spider, **kwargs):
        adapter = ItemAdapter(item)
        if "title" not in adapter.field_names() and "body" not in adapter:
            return
        self.seen += 1
        for field in FILL_FIELDS:
            if adapter.get(field):
                self.filled[field] += 1
            elif len(self.missing_examples[field]) < 5:
                self.missing_examples[field].append(adapter.get("url"))

    def item_error(self, item, response, spider, failure):
        # Scrapy logs the traceback and goes on with the next item; the run must not end "ok" for it.
        self.stats.inc_value("newscrawl/pipeline_errors")

    def _history(self) -> list[dict]:
        """Fill rates of this site's recent finished runs, newest first (from the database)."""
        if not self.db_url:
            return []
        try:
            from sqlalchemy import select

            from newscrawl.storage.schema import runs
            from newscrawl.storage.store import create_db_engine

            engine = create_db_engine(self.db_url)
            try:
                with engine.connect() as conn:
                    rows = conn.execute(select(runs.c.stats).order_by(runs.c.started_at.desc()).limit(200)).all()
            finally:
                engine.dispose()
        except Exception as exc:  # no runs table yet, database down: judge without history
            logger.info("monitor: no run history (%s)", exc.__class__.__name__)
            return []
        history = []
        for (stats,) in rows:
            if isinstance(stats, str):
                stats = json.loads(stats)
            if not stats or stats.get("site") != self.site or stats.get("run_id") == self.run_id:
                continue
            if (stats.get("articles") or {}).get("seen", 0) >= self.min_items and stats.get("fill_rate"):
                history.append(stats["fill_rate"])
            if len(history) >= self.history_runs:
                break
        return history

    def spider_closed(self, spider, reason):
        if not self.record:
            return  # a look at a page through `scrapy parse`/`shell`/`check`: no run to judge, nothing failed
        stats = self.stats.get_stats()
        finished = datetime.now(timezone.utc)
        rates = {f: round(self.filled[f] / self.seen, 4) for f in FILL_FIELDS} if self.seen else {}
        http_errors = {
            key.rsplit("/", 1)[1]: value for key, value in stats.items()
            if key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[1]) >= 400
        }
        exceptions = {
            key.split("/", 2)[2]: value for key, value in stats.items()
            if key.startswith("downloader/exception_type_count/")
        }
        rejected = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newscrawl/rejected/")}
        alerts = []
        if self.seen >= self.min_items:
            alerts = check_fill_rates(self.site, rates, self._history(), self.min_fill, self.max_drop,
                                      self.missing_examples)
        # URLs given up on (after their retries), from the failure log; traps, robots.txt and off-site refusals
        # are the crawl protecting itself, not failures of the site.
        failures = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newscrawl/failures/")}
        failed_requests = sum(v for k, v in failures.items() if k not in ("crawl_trap", "link_flood", "robots", "offsite",
                                                                "robots_txt_unreachable"))
        # Pages asked for, each once however often retried; Scrapy's robots.txt requests are left out, as
        # their failures are (the failure log skips them): "2 of 3" when both article pages and robots.txt failed
        # was the robots.txt request counted on one side only.
        requests = (stats.get("downloader/request_count", 0) - stats.get("retry/count", 0)
                    - stats.get("robotstxt/request_count", 0))
        problems = []
        # Outputs that could not be written (outputs.OutputGuard), one line each; they also set the
        # finish reason, which says nothing more.
        problems += [v for k, v in sorted(stats.items()) if k.startswith("newscrawl/output_error/")]
        if reason != "finished" and not (reason == OUTPUT_CLOSE_REASON and problems):
            problems.append(f"finish reason {reason!r}")
        if stats.get("spider_exceptions/count") or stats.get("newscrawl/pipeline_errors"):
            problems.append("errors in spider or pipelines")
        if stats.get("newscrawl/db/refused"):
            problems.append(f"{stats['newscrawl/db/refused']} rows refused by the database (rejects: db_refused)")
        if stats.get("newscrawl/db/outage_errors"):
            problems.append(f"{stats['newscrawl/db/outage_errors']} database calls given up: the database was "
                            "unreachable for longer than NEWSCRAWL_DB_OUTAGE_MAX_SECONDS")
        if stats.get("newscrawl/db/lost"):
            problems.append(f"{stats['newscrawl/db/lost']} staged database writes could not be saved")
        if not stats.get("response_received_count"):
            problems.append("no page could be fetched")
        if stats.get("newscrawl/listing_pages", 0) == 0 and stats.get("newscrawl/article_pages", 0) == 0:
            problems.append("no listing page was parsed")
        article_pages = stats.get("newscrawl/article_pages", 0)
        if (article_pages or self.article_requests) and not self.seen:
            problems.append(f"{max(article_pages, self.article_requests)} article requests, "
                            f"{article_pages} article pages fetched, no article extracted")
        if requests and failed_requests / requests > self.max_error_rate:
            problems.append(f"{failed_requests} of {requests} page requests failed (robots.txt not counted)")
        urls = {k.split("/", 2)[2]: v for k, v in stats.items()
                if k.startswith("newscrawl/model/urls/") and isinstance(v, (int, float))}
        # Work this run set out to do and did not finish: it stays pending in the URL state for the
        # next run, but this run lost it, and says so. (Distributed workers hand each other their
        # discoveries, so only the shared state can tell; see newscrawl/distributed.py.)
        # (A run that did not finish says why above; what it left pending is in `urls`, not a problem of its own.)
        if urls.get("pending") and reason == "finished" and not getattr(spider, "distributed", False):
            problems.append(f"{urls['pending']} discovered URLs were not finished (they stay pending for the next run)")
        if urls.get("item_errors"):
            problems.append(f"{urls['item_errors']} articles failed in the pipelines (their URLs stay pending)")
        if urls.get("unrecorded"):
            problems.append(f"{urls['unrecorded']} discovered URLs could not be recorded in the database")
        if stats.get("newscrawl/db/lost"):
            problems.append(f"{stats['newscrawl/db/lost']} writes could not be saved to the database")
        status = STATUS_FAILED if problems else (STATUS_DEGRADED if alerts else STATUS_OK)

        self.summary = {
            "run_id": self.run_id,
            "site": self.site,
            "status": status,
            "problems": problems,
            "finish_reason": reason,
            "started_at": self.started.isoformat(timespec="seconds"),
            "finished_at": finished.isoformat(timespec="seconds"),
            "elapsed_seconds": round(time.monotonic() - self._t0, 3),
            "pages_fetched": stats.get("response_received_count", 0),
            "listing_pages": stats.get("newscrawl/listing_pages", 0),
            "article_pages": stats.get("newscrawl/article_pages", 0),
            "known_skipped": stats.get("newscrawl/crawl/incremental/skipped_known", 0),
            "articles": {
                "seen": self.seen,
                "new": stats.get("newscrawl/articles/new", 0),
                "updated": stats.get("newscrawl/articles/updated", 0),
                "unchanged": stats.get("newscrawl/articles/unchanged", 0),
                "duplicate": stats.get("newscrawl/articles/duplicate_exact", 0)
                + stats.get("newscrawl/articles/duplicate_near", 0),
                "rejected": stats.get("newscrawl/rejected", 0),
            },
            "rejected_by_reason": rejected,
            "urls": {
                "discovered": urls.get("discovered/article", 0),
                "listing_pages_discovered": urls.get("discovered/listing", 0),
                "retried": urls.get("retried", 0),
                "stored": urls.get("stored", 0),
                "duplicate": urls.get("duplicate", 0),
                "rejected": urls.get("rejected", 0),
                "failed": urls.get("failed", 0),
                "given_up": urls.get("given_up", 0),
                "pending": urls.get("pending", 0),
            },
            "http_errors": http_errors,
            "failures": failures,
            "download_exceptions": exceptions,
            "fill_rate": rates,
            "alerts": alerts,
        }
        self.stats.set_value("newscrawl/status", status)
        for alert in alerts:
            before = "n/a" if alert["before"] is None else f"{alert['before']:.2f}"
            logger.warning(
                "monitor: site %s field %s fill rate %.2f (before %s): %s; e.g. %s",
                alert["site"], alert["field"], alert["after"], before, "; ".join(alert["reasons"]),
                ", ".join(u for u in alert["examples"] if u) or "-",
            )
        for problem in problems:
            logger.error("run %s of site %s failed: %s", self.run_id, self.site, problem)
        self._record()

    def _record(self):
        if self.runs_dir:
            base = Path(self.runs_dir)
            try:
                write_json_atomic(base / "runs" / f"{self.run_id}.json", self.summary)
            except OSError as exc:  # a full or read-only disk: the database row and the log still say it
                problem = f"summary could not be written to {base}: {describe_os_error(exc)}"
                logger.error("run %s of site %s failed: %s", self.run_id, self.site, problem)
                self.summary["problems"].append(problem)
                self.summary["status"] = STATUS_FAILED
                self.stats.set_value("newscrawl/status", STATUS_FAILED)
        if self.db_url:
            try:
                from newscrawl.storage.store import record_run

                record_run(self.db_url, self.run_id, sites=[self.site], started_at=self.started,
                           finished_at=datetime.now(timezone.utc), stats=self.summary, status=self.summary["status"])
            except Exception as exc:
                logger.error("could not record run %s in the database: %s", self.run_id, exc.__class__.__name__)
