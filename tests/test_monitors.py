"""The run's monitors (newscrawl/crawl/monitors.py), a Spidermon suite, on the stats of a crawler that did not
run: what fails a run, what degrades it, and that a monitor that breaks fails the run instead of passing."""
from __future__ import annotations

from scrapy.utils.test import get_crawler

from newscrawl.crawl.monitors import run_monitors


def crawler(stats: dict, **settings):
    crawler = get_crawler(settings_dict=settings)
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    return crawler


def fill(seen=30, **rates):
    return {"site": "tuyengiao", "run_id": "r-tuyengiao", "seen": seen,
            "rates": {"title": 1.0, "published": 1.0, "body": 1.0, **rates}, "examples": {"authors": ["http://x/1"]}}


def test_a_healthy_run_has_neither_alerts_nor_problems():
    assert run_monitors(crawler({"downloader/request_count": 10}), None, fill()) == ([], [])


def test_failed_requests_over_the_rate_fail_the_run_and_robots_txt_is_not_counted():
    stats = {"downloader/request_count": 12, "retry/count": 1, "robotstxt/request_count": 1,
             "newscrawl/failures/http_500": 3, "newscrawl/failures/robots_txt_unreachable": 1,
             "newscrawl/failures/offsite": 4}
    assert run_monitors(crawler(stats), None, fill()) == ([], ["3 of 10 page requests failed (robots.txt not counted)"])
    assert run_monitors(crawler(stats, NEWSCRAWL_MAX_ERROR_RATE=0.3), None, fill()) == ([], [])


def test_a_field_under_its_floor_is_an_alert_once_the_run_is_a_sample():
    alerts, problems = run_monitors(crawler({}), None, fill(title=0.9))  # the default floors: title 0.95
    assert [(a["field"], a["after"], a["floor"]) for a in alerts] == [("title", 0.9, 0.95)] and problems == []
    alerts, _ = run_monitors(crawler({}, NEWSCRAWL_MONITOR_MIN_FILL={"authors": 0.5}), None, fill(authors=0.1))
    assert [(a["field"], a["reasons"], a["examples"]) for a in alerts] == [
        ("authors", ["below the floor 0.50"], ["http://x/1"])]
    few, _ = run_monitors(crawler({}, NEWSCRAWL_MONITOR_MIN_FILL={"authors": 0.5}), None, fill(seen=19, authors=0.1))
    assert few == []  # fewer than NEWSCRAWL_MONITOR_MIN_ITEMS articles: no sample to judge


def test_a_monitor_that_breaks_fails_the_run(caplog):
    broken = {"site": "tuyengiao", "run_id": "r-tuyengiao", "seen": 30}  # no rates: the fill-rate monitor raises
    alerts, problems = run_monitors(crawler({}), None, broken)
    assert alerts == [] and problems == ["monitor fill rates/fields filled as before could not run (see the log)"]
    assert "KeyError" in caplog.text


def test_a_section_whose_listing_selectors_found_nothing_degrades_the_run():
    class Spider:  # what NewsSpider.parse_listing keeps: the listing pages that yielded no article link
        listings_without_links = {"chinhtri": ["http://x/chinhtri/"]}

    stats = {"newscrawl/listing/chinhtri/pages": 2, "newscrawl/listing/chinhtri/article_links": 0,
             "newscrawl/listing/kinhte/pages": 1, "newscrawl/listing/kinhte/article_links": 12}
    alerts, problems = run_monitors(crawler(stats), Spider(), fill())
    assert problems == []  # degraded, not failed: the feeds and sitemaps may have brought the articles
    assert [(a["kind"], a["section"], a["listing_pages"], a["examples"]) for a in alerts] == [
        ("listing", "chinhtri", 2, ["http://x/chinhtri/"])]
    assert "yielded no article links" in alerts[0]["reasons"][0]
    # Every section's selectors found links: no alert.
    assert run_monitors(crawler({"newscrawl/listing/kinhte/pages": 1, "newscrawl/listing/kinhte/article_links": 3}),
                        Spider(), fill()) == ([], [])
