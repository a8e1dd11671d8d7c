"""The throughput benchmark's machinery on a small generated site, untimed: both crawls (bare Scrapy
and the full newscrawl pipeline) fetch every page of the site once and the full one turns every
article into one item, one database row, nothing rejected. benchmarks/crawl_throughput.py runs the
same functions on 5,000 articles and times them."""
from __future__ import annotations

import pytest

import benchmarks.crawl_throughput as bench
from benchmarks.sitegen import GeneratedSite

ARTICLES = 200


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    with bench.SiteServer(ARTICLES) as server:
        bare = bench.run_bare(server, workdir, concurrency=8)
        full = bench.run_full(server, workdir, concurrency=8)
        pooled = bench.run_full(server, workdir, concurrency=8, workers=1, name="pooled")
    return bare, full, pooled


def test_generated_site_is_realistic():
    site = GeneratedSite(articles=ARTICLES)
    sizes = [len(site.render(path)[2]) for path in site.article_paths()]
    assert len(set(site.article_paths())) == ARTICLES
    assert 15_000 <= min(sizes) and max(sizes) <= 40_000
    status, ctype, body = site.render(site.article_paths()[0])
    text = body.decode("utf-8")
    assert status == 200 and "charset=utf-8" in ctype
    for marker in ('<div class="detail">', '<div class="date-time">', '<h1 class="title">', '<div class="detail-content">',
                   "(GMT+7)", "Các tin khác", "Mới nhất"):
        assert marker in text
    assert site.render("/khong-co-trang-nay")[0] == 404


def test_both_crawls_fetch_every_page_once(crawls):
    site = GeneratedSite(articles=ARTICLES)
    listings = len(site.listing_paths())
    for result in crawls:
        assert result.returncode == 0, result.log[-3000:]
        assert result.server_counts.get("article") == ARTICLES, result.name
        assert result.server_counts.get("listing") == listings, result.name
        assert result.server_counts.get("other", 0) == 0, result.name
        assert result.stats["newscrawl/article_pages"] == ARTICLES, result.name
        assert result.pages == ARTICLES + listings + 1, result.name  # + robots.txt
        assert result.peak_rss_kb > 0 and result.cpu_seconds > 0


@pytest.mark.parametrize("which", [1, 2], ids=["in-process", "extraction-worker"])
def test_full_pipeline_produces_every_article(crawls, which):
    full = crawls[which]
    assert full.returncode == 0, full.log[-3000:]
    assert full.outputs["jsonl_items"] == ARTICLES
    assert full.outputs["db_articles"] == ARTICLES
    assert full.outputs["rejects"] == 0
    assert full.stats.get("item_scraped_count") == ARTICLES


@pytest.mark.parametrize("which", [1, 2], ids=["in-process", "extraction-worker"])
def test_each_database_transaction_holds_a_batch_of_articles(crawls, which):
    # NEWSCRAWL_DB_BATCH_SIZE (100) articles per transaction, as the setting says: the URL-state row each
    # article brings rides in its article's batch and does not halve it (the listing pages' rows and the
    # last, partial batch at close account for the one batch more).
    full = crawls[which]
    assert full.stats["newscrawl/db/articles_written"] == ARTICLES
    assert full.stats["newscrawl/db/batches"] <= -(-ARTICLES // 100) + 1


def test_worker_cpu_and_memory_are_counted(crawls):
    """The extraction worker's CPU is part of the full crawl's CPU per page, and shown apart."""
    _bare, full, pooled = crawls
    assert full.helper_cpu_seconds < 0.5  # in-process: no worker (at most a short-lived helper)
    assert pooled.helper_cpu_seconds > 0.2  # 200 article pages extracted in the worker
    assert pooled.helper_peak_rss_kb > 10_000
    assert pooled.cpu_seconds >= pooled.helper_cpu_seconds


def test_bare_crawl_runs_no_pipeline(crawls):
    bare = crawls[0]
    assert "item_scraped_count" not in bare.stats
    assert "Enabled item pipelines:\n[]" in bare.log


def test_report_lists_every_crawl_and_each_ratio(crawls):
    bare, full, pooled = crawls
    text = bench.report(ARTICLES, bare, [full, pooled])
    assert "bare" in text and "full" in text and "pooled" in text
    assert "ratio full/bare" in text and "ratio pooled/bare" in text
