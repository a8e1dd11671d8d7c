"""The run's monitors, as a Spidermon MonitorSuite (:class:`RunMonitors`) that RunSummary runs at spider close.

- :class:`FillRateMonitor`: each field's fill rate under its floor (``NEWSCRAWL_MONITOR_MIN_FILL``) or
  fallen by more than ``NEWSCRAWL_MONITOR_MAX_DROP`` from the median of the site's recent runs
  (``NEWSCRAWL_MONITOR_HISTORY`` runs of at least ``NEWSCRAWL_MONITOR_MIN_ITEMS`` articles, from the
  database), so a layout change that breaks one field on one site is flagged in the first run after it.
  Its alerts degrade the run (exit status 5).
- :class:`ListingYieldMonitor`: a section whose listing pages were read and whose listing selectors found
  no article link on any of them (``newscrawl/listing/<section>/...`` stats, NewsSpider.parse_listing): the
  listing markup changed. The feeds and sitemaps may still bring the articles, so the run is degraded
  (exit status 5), not failed, and the alert names the section and its listing pages.
- :class:`ErrorRateMonitor`: more than ``NEWSCRAWL_MAX_ERROR_RATE`` of the page requests failed. The
  run failed (exit status 4).

RunSummary (newscrawl/crawl/summary.py) calls :func:`run_monitors` itself rather than through Spidermon's
extension (``SPIDERMON_SPIDER_CLOSE_MONITORS``): the verdicts go into the run summary, its status and
the exit status, and the extension keeps its results to itself. The monitors get Spidermon's
``stats``, ``crawler`` and ``spider``, and ``fill`` (the fill counts RunSummary took from each item:
``site``, ``run_id``, ``seen``, ``rates``, ``examples``) and ``alerts`` (a list the fill-rate and listing
monitors add their alerts to; a listing alert has ``kind`` "listing" and its ``field`` is ``listing:<section>``). Spidermon's extension stays free for a project's own suites and actions.
"""
from __future__ import annotations

import logging
import statistics

from spidermon import Monitor, MonitorRunner, MonitorSuite, monitors
from spidermon import settings as spidermon_settings

from newscrawl.crawl import defaults
from newscrawl.crawl import services

logger = logging.getLogger(__name__)

# Failure reasons that are the crawl protecting itself (traps, robots.txt, off-site refusals), not the site failing.
NOT_SITE_FAILURES = ("crawl_trap", "link_flood", "robots", "offsite", "robots_txt_unreachable")


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


def recent_fill_rates(db, site: str, run_id: str, min_items: int, limit: int) -> list[dict]:
    """Fill rates of this site's recent finished runs, newest first (from the database: the crawl's engine)."""
    if not db:
        return []
    try:
        from newscrawl.storage import recent_run_stats

        rows = recent_run_stats(db, 200)
    except Exception as exc:  # no runs table yet, database down: judge without history
        logger.info("monitor: no run history (%s)", exc.__class__.__name__)
        return []
    history = []
    for stats in rows:
        if not stats or stats.get("site") != site or stats.get("run_id") == run_id:
            continue
        if (stats.get("articles") or {}).get("seen", 0) >= min_items and stats.get("fill_rate"):
            history.append(stats["fill_rate"])
        if len(history) >= limit:
            break
    return history


@monitors.name("fill rates")
class FillRateMonitor(Monitor):
    """Each field's fill rate holds its floor and its level of the site's recent runs."""

    fails_run = False  # its alerts degrade the run

    @monitors.name("fields filled as before")
    def test_fields_filled_as_before(self):
        settings, fill = self.data.crawler.settings, self.data.fill
        min_items = defaults.getint(settings, "NEWSCRAWL_MONITOR_MIN_ITEMS")
        if fill["seen"] < min_items:
            self.skipTest(f"{fill['seen']} articles, fewer than NEWSCRAWL_MONITOR_MIN_ITEMS={min_items}: no sample")
        db = services.engine(self.data.crawler) if defaults.database_url(settings) else None
        history = recent_fill_rates(db, fill["site"], fill["run_id"], min_items,
                                    defaults.getint(settings, "NEWSCRAWL_MONITOR_HISTORY"))
        # A floor given for one field keeps the declared floors of the others.
        min_fill = {**defaults.SETTINGS["NEWSCRAWL_MONITOR_MIN_FILL"].default,
                    **(settings.getdict("NEWSCRAWL_MONITOR_MIN_FILL") or {})}
        alerts = check_fill_rates(fill["site"], fill["rates"], history, min_fill,
                                  defaults.getfloat(settings, "NEWSCRAWL_MONITOR_MAX_DROP"), fill["examples"])
        self.data.alerts.extend(alerts)
        if alerts:
            self.fail("fill-rate alerts: " + ", ".join(a["field"] for a in alerts))


LISTING_STATS = "newscrawl/listing/"


def listing_alerts(site: str, stats: dict, examples: dict) -> list[dict]:
    """Alerts for the sections whose listing pages were read and whose selectors found no article link."""
    alerts = []
    for key, pages in sorted(stats.items()):
        if not (key.startswith(LISTING_STATS) and key.endswith("/pages")):
            continue
        section = key[len(LISTING_STATS):-len("/pages")]
        if pages and not stats.get(f"{LISTING_STATS}{section}/article_links", 0):
            alerts.append({
                "site": site, "kind": "listing", "field": f"listing:{section}", "section": section,
                "before": None, "after": 0, "floor": None, "listing_pages": pages,
                "reasons": [f"{pages} listing page(s) of section {section} yielded no article links: the listing "
                            "selectors find nothing (a layout change?); articles came only from feeds and sitemaps"],
                "examples": list(examples.get(section, []))[:5],
            })
    return alerts


@monitors.name("listing yield")
class ListingYieldMonitor(Monitor):
    """Each section's listing selectors find article links on its listing pages."""

    fails_run = False  # its alerts degrade the run: the feeds and sitemaps may have brought the articles

    @monitors.name("listings yield article links")
    def test_listings_yield_article_links(self):
        examples = getattr(self.data.spider, "listings_without_links", None) or {}
        alerts = listing_alerts(self.data.fill["site"], self.data.stats, examples)
        self.data.alerts.extend(alerts)
        if alerts:
            self.fail("listings without article links: " + ", ".join(a["section"] for a in alerts))


@monitors.name("error rate")
class ErrorRateMonitor(Monitor):
    """At most NEWSCRAWL_MAX_ERROR_RATE of the page requests failed."""

    fails_run = True

    @monitors.name("page requests succeed")
    def test_page_requests_succeed(self):
        stats = self.data.stats
        max_rate = defaults.getfloat(self.data.crawler.settings, "NEWSCRAWL_MAX_ERROR_RATE")
        # URLs given up on (after their retries), from the failure log.
        failed = sum(v for k, v in stats.items()
                     if k.startswith("newscrawl/failures/") and k.split("/", 2)[2] not in NOT_SITE_FAILURES)
        # Pages asked for, each once however often retried; Scrapy's robots.txt requests are left out, as
        # their failures are (the failure log skips them): "2 of 3" when both article pages and robots.txt failed
        # was the robots.txt request counted on one side only.
        requests = (stats.get("downloader/request_count", 0) - stats.get("retry/count", 0)
                    - stats.get("robotstxt/request_count", 0))
        if requests and failed / requests > max_rate:
            self.fail(f"{failed} of {requests} page requests failed (robots.txt not counted)")


class RunMonitors(MonitorSuite):
    monitors = [FillRateMonitor, ListingYieldMonitor, ErrorRateMonitor]


def run_monitors(crawler, spider, fill: dict) -> tuple[list[dict], list[str]]:
    """Run :class:`RunMonitors`: the fill-rate and listing alerts (they degrade the run) and the problems (they fail it)."""
    alerts: list[dict] = []
    result = MonitorRunner().run(RunMonitors(crawler=crawler), stats=crawler.stats.get_stats(), crawler=crawler,
                                 spider=spider, fill=fill, alerts=alerts)
    problems = []
    status = spidermon_settings.MONITOR.STATUS
    for outcome in result.monitor_results:
        if outcome.status == status.ERROR:  # a bug in a monitor: the run cannot be judged, so it is not ok
            logger.error("monitor %s of site %s could not run:\n%s", outcome.monitor.name, fill["site"], outcome.error)
            problems.append(f"monitor {outcome.monitor.name} could not run (see the log)")
        elif outcome.status == status.FAILURE and outcome.monitor.fails_run:
            problems.append(outcome.reason)
    return alerts, problems
