"""Real crawls (`scrapy crawl tuyengiao -a base_url=...`) of a site that misbehaves on purpose
(tests/support/faultserver.py): per fault, what a user checks afterwards — the good articles are all
there, exactly; each URL that could not be had is in the failures file with its reason; retries
stay bounded and wait as asked; no mojibake, no markup in text, nothing twice.

Two crawls: the fault site (every fault of faultserver.FAULTS at once) and the trap site (a
calendar of junk links that pages on forever, and a pagination loop).

"""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.support.faultserver import FAULTS, FaultServer, project_settings, run_crawl

SETTINGS = project_settings()
RETRY_TIMES = SETTINGS.getint("RETRY_TIMES")
REDIRECT_MAX_TIMES = SETTINGS.getint("REDIRECT_MAX_TIMES")
BACKOFF_BASE = 0.2
RETRY_AFTER_MAX = 2.0
MAXSIZE = 2_000_000
# Small limits keep the crawl quick; the values are what is tested, not special cases.
CRAWL_SETTINGS = {
    "DOWNLOAD_TIMEOUT": 3,
    "DOWNLOAD_MAXSIZE": MAXSIZE,
    "NEWSCRAWL_RETRY_BACKOFF_BASE": BACKOFF_BASE,
    "NEWSCRAWL_RETRY_AFTER_MAX": RETRY_AFTER_MAX,
    "NEWSCRAWL_RETRY_JITTER": 0,
    "CLOSESPIDER_TIMEOUT": 120,  # a safety net: a crawl that hangs fails the tests instead of the run
}


RECOVERING = [name for name, (_, outcome) in FAULTS.items() if outcome == "item"]
CHARSET_FALLBACK = ["cp1258-header-utf8", "cp1258-all-utf8"]
FAILING = {name: outcome.split(":", 1)[1] for name, (_, outcome) in FAULTS.items() if outcome.startswith("failure:")}


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    with FaultServer(large_size=3 * MAXSIZE // 2) as server:
        result = run_crawl(server, tmp_path_factory.mktemp("faults"), CRAWL_SETTINGS)
        server.result = result
        yield server


@pytest.fixture(scope="module")
def timing_crawl(tmp_path_factory):
    """Only the faults whose retries are timed: no other slow URL holds a download slot, so the gap
    between two requests of a URL is the wait before the retry (plus a response time)."""
    with FaultServer(faults=("500-always", "429-retry-after", "429-retry-after-huge", "503-retry-after-date"),
                     articles_good=4) as server:
        result = run_crawl(server, tmp_path_factory.mktemp("timing"), CRAWL_SETTINGS)
        server.result = result
        yield server


@pytest.fixture(scope="module")
def trap_crawl(tmp_path_factory):
    # CLOSESPIDER_PAGECOUNT only stops a crawler that fell into the traps; a good one finishes far below it.
    with FaultServer(faults=(), traps=True) as server:
        result = run_crawl(server, tmp_path_factory.mktemp("traps"),
                           {**CRAWL_SETTINGS, "CLOSESPIDER_PAGECOUNT": 800})
        server.result = result
        yield server


def items_by_path(server) -> dict[str, dict]:
    return {urlsplit(item["url"]).path: item for item in server.result.items}


def failures_by_path(server) -> dict[str, dict]:
    return {urlsplit(f["url"]).path: f for f in server.result.failures}


def text_fields(item) -> list[str]:
    texts = [item.get("title") or "", item.get("lead") or "", *item.get("body", []), *item.get("authors", []),
             *item.get("authors_raw", []), *item.get("tags", []), item.get("section") or "", item.get("source") or ""]
    texts += [c.get("text") or "" for c in item.get("captions", [])] + [c.get("credit") or "" for c in item.get("captions", [])]
    return texts


def gaps(server, path) -> list[float]:
    times = [r.at for r in server.requests_for(path)]
    return [b - a for a, b in zip(times, times[1:])]


# --------------------------------------------------------------------------- the crawl as a whole
def test_crawl_finishes_by_itself(fault_crawl):
    result = fault_crawl.result
    # The fault server makes a quarter of the pages fail on purpose: more than NEWSCRAWL_MAX_ERROR_RATE, so the
    # run is "failed" and `scrapy crawl` exits 4 as `newscrawl crawl` does, for that reason alone, and says so.
    assert result.returncode == 4, result.log[-3000:]
    assert re.search(r"^scrapy crawl: tuyengiao: failed: \d+ of \d+ page requests failed \(robots.txt not counted\)$",
                     result.log, re.M), result.log[-3000:]
    assert result.stats.get("finish_reason") == "finished", result.stats
    assert "spider_exceptions/count" not in result.stats, [line for line in result.log.splitlines() if "Traceback" in line]


def test_good_articles_all_arrive_exactly(fault_crawl):
    """Every good page and every page that recovers (slow, 5xx then 200, 429, reset once, moved,
    mislabelled UTF-8, BOM, NFD, malformed markup) arrives, its title and paragraphs character for character."""
    items = items_by_path(fault_crawl)
    expected = fault_crawl.expected_items()
    skip = {fault_crawl.fault_article(name).index for name in CHARSET_FALLBACK + ["truncated-html"]}
    checked = 0
    for path, article in expected.items():
        if article.index in skip:
            continue
        assert path in items, (fault_crawl.index_fault.get(article.index), path)
        item = items[path]
        where = (fault_crawl.index_fault.get(article.index) or "good", path)
        assert item["title"] == article.title, where
        assert item["body"] == list(article.paragraphs), where
        assert item["published"] == article.published_iso, where
        assert item["authors"] == [article.author], where
        assert [c["text"] for c in item["captions"]] == list(article.captions), where
        assert item["missing"] == [], where
        checked += 1
    assert checked == len(fault_crawl.good_indexes()) + len(RECOVERING) - len(CHARSET_FALLBACK)


def test_windows_1258_pages_labelled_utf8_decode_exactly(fault_crawl):
    items = items_by_path(fault_crawl)
    for name in CHARSET_FALLBACK:
        article = fault_crawl.fault_article(name)
        item = items[article.path]
        assert item["title"] == article.title, name
        assert item["body"] == list(article.paragraphs), name


def test_no_mojibake_in_any_item(fault_crawl):
    bad = ("\ufffd", "Ã", "Æ°", "Ä‘", "á»", "áº")
    for item in fault_crawl.result.items:
        for text in text_fields(item):
            assert not any(b in text for b in bad), (item["url"], text[:120])
            assert unicodedata.is_normalized("NFC", text), (item["url"], text[:120])


def test_truncated_html_keeps_the_whole_paragraphs_before_the_cut(fault_crawl):
    article = fault_crawl.fault_article("truncated-html")
    keep = fault_crawl.truncated_paragraphs(article)
    body = items_by_path(fault_crawl)[article.path]["body"]
    assert body[:keep] == list(article.paragraphs[:keep])
    assert len(body) <= keep + 1
    if len(body) == keep + 1:  # the cut paragraph, as far as it went
        assert article.paragraphs[keep].startswith(body[keep])


def test_no_markup_script_or_style_in_text_fields(fault_crawl):
    leaks = ("<", "document.write", "var x", "color: red", "/*", "bình luận ẩn", "quảng cáo chèn vào", "&amp;", "&#")
    items = fault_crawl.result.items
    assert items
    for item in items:
        for text in text_fields(item):
            assert not any(leak in text for leak in leaks), (item["url"], text[:160])


def test_nothing_duplicated(fault_crawl):
    items = fault_crawl.result.items
    assert len({i["url"] for i in items}) == len(items)
    assert len({i["canonical_url"] for i in items}) == len(items)
    with sqlite3.connect(fault_crawl.result.db) as db:
        rows = db.execute("SELECT canonical_url FROM articles").fetchall()
    assert sorted(r[0] for r in rows) == sorted(i["canonical_url"] for i in items)
    # each good page fetched once
    for i in fault_crawl.good_indexes():
        assert len(fault_crawl.requests_for(fault_crawl.site.path(i))) == 1, fault_crawl.site.path(i)


def test_malformed_date_is_rejected_with_its_reason(fault_crawl):
    article = fault_crawl.fault_article("malformed-date")
    rejects = {urlsplit(r["url"]).path: r for r in fault_crawl.result.rejects}
    assert "missing_published" in rejects[article.path]["reasons"]
    assert article.path not in items_by_path(fault_crawl)


# --------------------------------------------------------------------------- what failed, and why
def test_failed_urls_never_become_items(fault_crawl):
    items = items_by_path(fault_crawl)
    for name in FAILING:
        assert fault_crawl.fault_path(name) not in items, name


def test_each_failed_url_is_recorded_with_its_reason(fault_crawl):
    failures = failures_by_path(fault_crawl)
    for name, reason in FAILING.items():
        path = fault_crawl.fault_path(name)
        assert path in failures, (name, sorted(failures))
        assert failures[path]["reason"] == reason, (name, failures[path])
    # and nothing that arrived is listed as failed
    assert not set(failures) & set(items_by_path(fault_crawl))
    assert fault_crawl.result.stats.get("newscrawl/failures") == len(fault_crawl.result.failures)


def test_binary_and_empty_responses_never_reach_extraction(fault_crawl):
    rejected = {urlsplit(r["url"]).path for r in fault_crawl.result.rejects}
    for name in ("pdf", "image", "pdf-as-html", "empty-200"):
        assert fault_crawl.fault_path(name) not in rejected, name  # not turned into a junk "article"


def test_retries_are_bounded(fault_crawl):
    attempts = RETRY_TIMES + 1
    for name in ("timeout", "slow-body", "500-always", "429-retry-after-huge", "truncated-length"):
        assert len(fault_crawl.requests_for(fault_crawl.fault_path(name))) == attempts, name
    # Twisted may resend a request once on its own when a kept-alive connection breaks before any answer.
    n = len(fault_crawl.requests_for(fault_crawl.fault_path("reset-always")))
    assert attempts <= n <= 2 * attempts
    for name, expected in (("503-then-ok", 3), ("429-retry-after", 2), ("503-retry-after-date", 2), ("reset-once", 2)):
        assert len(fault_crawl.requests_for(fault_crawl.fault_path(name))) == expected, name
    for name in ("too-large-declared", "too-large-streamed", "pdf", "image", "redirect-offsite", "redirect-scheme"):
        assert len(fault_crawl.requests_for(fault_crawl.fault_path(name))) == 1, name


def test_redirects_are_bounded_and_stay_on_the_site(fault_crawl):
    chain = fault_crawl.fault_article("redirect-chain")
    hops = [r for r in fault_crawl.records() if r.path.startswith(f"/chuyen-huong/chuoi/{chain.id}/")]
    assert len(hops) <= REDIRECT_MAX_TIMES
    loop = fault_crawl.fault_article("redirect-loop")
    assert len([r for r in fault_crawl.records() if r.path.startswith(f"/chuyen-huong/vong/{loop.id}/")]) <= 2
    assert not [r for r in fault_crawl.records() if r.host.startswith("localhost")]
    assert not [r for r in fault_crawl.records() if "passwd" in r.path]


def test_empty_200_is_retried_then_recorded(fault_crawl):
    assert len(fault_crawl.requests_for(fault_crawl.fault_path("empty-200"))) == RETRY_TIMES + 1


def test_retry_after_is_honoured_and_capped(timing_crawl):
    (gap,) = gaps(timing_crawl, timing_crawl.fault_path("429-retry-after"))
    assert 1.0 <= gap <= 1.0 + 1.5  # Retry-After: 1
    (gap,) = gaps(timing_crawl, timing_crawl.fault_path("503-retry-after-date"))
    assert 0.9 <= gap <= 2.0 + 1.5  # an HTTP date 2 s ahead, to the second
    huge = gaps(timing_crawl, timing_crawl.fault_path("429-retry-after-huge"))
    assert len(huge) == RETRY_TIMES
    assert all(RETRY_AFTER_MAX <= g <= RETRY_AFTER_MAX + 1.5 for g in huge), huge  # 3600 s asked, capped


def test_backoff_grows_exponentially(timing_crawl):
    waits = gaps(timing_crawl, timing_crawl.fault_path("500-always"))
    assert len(waits) == RETRY_TIMES
    for k, wait in enumerate(waits):
        assert BACKOFF_BASE * 2 ** k <= wait <= BACKOFF_BASE * 2 ** k + 1.0, waits
    assert timing_crawl.result.returncode == 0


# --------------------------------------------------------------------------- traps
def trap_counts(server):
    return Counter(r.path for r in server.records())


def test_trap_site_articles_all_arrive(trap_crawl):
    items = items_by_path(trap_crawl)
    for path, article in trap_crawl.expected_items().items():
        assert path in items, path
        assert items[path]["body"] == list(article.paragraphs), path


def test_calendar_trap_is_bounded(trap_crawl):
    result = trap_crawl.result
    junk = [r for r in trap_crawl.records() if trap_crawl.is_junk(r.path)]
    cap = SETTINGS.getint("NEWSCRAWL_MAX_LINKS_PER_PAGE", 500)
    stale = SETTINGS.getint("NEWSCRAWL_STALE_PAGES_STOP", 3)
    assert len(junk) <= cap
    calendar = [p for p in trap_counts(trap_crawl) if p.startswith("/thoi-su/trang-")
                and int(p.rsplit("-", 1)[1]) > trap_crawl.site.pages("thoi-su")]
    assert len(calendar) <= stale + 1
    assert result.stats.get("finish_reason") == "finished"
    reasons = Counter(f["reason"] for f in result.failures)
    assert reasons["link_flood"] >= 1 and reasons["crawl_trap"] >= 1


def test_pagination_loop_stops(trap_crawl):
    counts = trap_counts(trap_crawl)
    for n in range(1, trap_crawl.site.pages("tuyen-giao-cac-cap") + 1):
        assert counts[trap_crawl.site.listing_path("tuyen-giao-cac-cap", n)] == 1
    assert trap_crawl.result.stats.get("finish_reason") == "finished"
