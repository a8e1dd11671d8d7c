"""Run summaries, as a Scrapy extension (newscrawl.crawl.summary.RunSummary).

At the end of each crawl it writes what a person on call needs: pages fetched,
articles new / updated / duplicate / rejected, HTTP errors by status, each
field's fill rate, elapsed time, and the monitors' verdicts. The summary goes
to the database's ``runs`` table and, when ``NEWSCRAWL_RUNS_DIR`` is set, to
``<dir>/runs/<run id>-<site>.json``. The command that started the crawl (`newscrawl crawl`,
`scrapy crawl`: newscrawl/crawl/commands/crawl.py) reads it with ``crawler.get_extension(RunSummary)``
and writes ``<dir>/runs/<run id>.json`` and ``<dir>/last-run.json`` for all its sites
(newscrawl/crawl/runs.py).

At spider close it runs the monitors (a Spidermon suite, newscrawl/crawl/monitors.py: fill rates
against floors and the site's recent runs, listings whose selectors found no article link, the share of
failed requests); their alerts and problems
go into the summary and its status.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals

from newscrawl.crawl import defaults
from newscrawl.crawl.atomic import write_json_atomic
from newscrawl.crawl.monitors import run_monitors
from newscrawl.crawl.outputs import CLOSE_REASON as OUTPUT_CLOSE_REASON
from newscrawl.crawl.outputs import describe_os_error
from newscrawl.crawl.runs import STATUS_DEGRADED, STATUS_FAILED, STATUS_OK, new_run_id

logger = logging.getLogger(__name__)

URL_STATS = "newscrawl/urls/"
FILL_FIELDS = ("title", "published", "authors", "captions", "body", "lead", "section")


class RunSummary:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.runs_dir = settings.get("NEWSCRAWL_RUNS_DIR")
        # `scrapy parse`, `shell` and `check` look at pages: no run to record (newscrawl/crawl/commands/__init__.py).
        self.record = defaults.getbool(settings, "NEWSCRAWL_RECORD_RUNS")
        self.base_run_id = settings.get("NEWSCRAWL_RUN_ID")
        self.db_url = defaults.database_url(settings)
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
        # Spidermon's suite (newscrawl/crawl/monitors.py): fill-rate alerts degrade the run, its problems fail it.
        alerts, monitor_problems = run_monitors(self.crawler, spider, {
            "site": self.site, "run_id": self.run_id, "seen": self.seen, "rates": rates,
            "examples": self.missing_examples})
        failures = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newscrawl/failures/")}
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
        problems += monitor_problems
        # The URL state's counts (newscrawl/crawl/urlstate.py), by what follows the prefix, however many parts it has.
        urls = {k.removeprefix(URL_STATS): v for k, v in stats.items()
                if k.startswith(URL_STATS) and isinstance(v, (int, float))}
        # Work this run set out to do and did not finish: it stays pending in the URL state for the
        # next run, but this run lost it, and says so. (Distributed workers hand each other their
        # discoveries, so only the shared state can tell; see newscrawl/distributed/frontier.py.)
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
            "known_skipped": stats.get("newscrawl/incremental/skipped_known", 0),
            # What the fetched pages were (newscrawl/extract/pagekind.py): a crawl by URL stores the articles only.
            "page_kinds": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("newscrawl/page_kind/")},
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
            if alert.get("kind") == "listing":
                logger.warning("monitor: site %s section %s: %s; e.g. %s", alert["site"], alert["section"],
                               "; ".join(alert["reasons"]), ", ".join(alert["examples"]) or "-")
                continue
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
                from newscrawl.crawl import services
                from newscrawl.storage import record_run

                record_run(services.engine(self.crawler), self.run_id, sites=[self.site], started_at=self.started,
                           finished_at=datetime.now(timezone.utc), stats=self.summary, status=self.summary["status"])
            except Exception as exc:
                logger.error("could not record run %s in the database: %s", self.run_id, exc.__class__.__name__)
