"""Real crawls (`scrapy crawl`, `newscrawl demo`, `newscrawl export`) of the bundled fixture sites stored in
SQLite and in PostgreSQL: a wire story carried by two sites is stored as a near-duplicate, both databases hold the
same rows, a second run adds nothing, an edited article becomes version 2 in place, the Parquet export has one
row per stored article, and a crawl whose PostgreSQL sessions are killed midway still stores every article once.

The PostgreSQL variants use a throw-away database per test (tests/support/databases.py) and are skipped only when
the server does not answer (NEWSCRAWL_TEST_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from conftest import REPO, read_jsonl, run_newscrawl, run_scrapy
from tests.support.faultserver import parse_stats  # the stats Scrapy dumps at the end of its log
from tests.support.sitecopy import SiteCopy
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from tests.support.fixtures import FixtureServer, fixture_site_dir
from newscrawl.storage import shingles
from newscrawl.storage.schema import article_versions, articles, duplicates
from tests.support.databases import postgres_unavailable, temporary_postgres_database, terminate_other_backends

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# What "the same rows" means across the two databases (ids and timestamps of the run aside).
PARITY_COLUMNS = ("canonical_url", "title", "published_raw", "authors", "captions", "body", "content_hash", "version",
                  "site", "section", "lead", "source", "tags", "images", "published", "modified", "duplicate_of")

# The paragraph changed between the second and third crawl of the parity runs (article t01 of the tuyengiao site).
EDITED_PATH = "/tuyen-giao-cac-cap/nghe-an-hoi-nghi-bao-cao-vien-thang-1-nam-2024-130211"
EDIT_OLD = "Tham dự có hơn 1.200 đại biểu"
EDIT_NEW = "Tham dự có gần 1.300 đại biểu"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def pg_unreachable() -> str | None:
    """None when PostgreSQL answers, else why not (the skip reason of the PostgreSQL variants)."""
    return postgres_unavailable()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, pg_unreachable):
    """A fresh, empty database of each kind: a SQLite file, or a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newscrawl.sqlite'}"
        return
    if pg_unreachable:
        pytest.skip(pg_unreachable)
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def vnexpress_expected() -> dict:
    return json.loads((REPO / "fixtures" / "vnexpress" / "expected.json").read_text(encoding="utf-8"))


def crawl(site: str, base_url: str, db_url: str, out: Path, *extra: str) -> list[dict]:
    """`scrapy crawl SITE -a base_url=...` into ``db_url``; returns the items of its JSONL feed."""
    out.mkdir(parents=True, exist_ok=True)
    feed = out / "items.jsonl"
    result = run_scrapy([
        "crawl", site, "-a", f"base_url={base_url}", "-O", str(feed),
        "-s", f"NEWSCRAWL_DB_URL={db_url}",
        "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}",
        "-s", "AUTOTHROTTLE_ENABLED=False",
        *extra,
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'log_count/ERROR'" not in result.stderr, result.stderr[-3000:]
    return read_jsonl(feed) if feed.exists() else []


def table_rows(db_url: str, table, order_by) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table).order_by(*order_by))]
    finally:
        engine.dispose()


def snapshot(db_url: str) -> dict:
    return {
        "articles": {r["canonical_url"]: r for r in table_rows(db_url, articles, [articles.c.canonical_url])},
        "versions": table_rows(db_url, article_versions, [article_versions.c.canonical_url, article_versions.c.version]),
        "duplicates": table_rows(db_url, duplicates, [duplicates.c.canonical_url]),
    }


def jaccard(a: dict, b: dict) -> float:
    x, y = shingles(a["title"], a["body"]), shingles(b["title"], b["body"])
    return len(x & y) / len(x | y)


# --------------------------------------------------------------------------- 1. a wire story on two sites


# With an extraction worker the MinHash signatures are computed in it (DedupePipeline): same outcome.
@pytest.mark.parametrize("workers", [0, 1])
def test_syndicated_story_is_stored_as_a_near_duplicate_of_the_first_copy(db_url, tmp_path, tuyengiao_expected,
                                                                          vnexpress_expected, workers):
    original, copy = vnexpress_expected["syndicated"]["original"], vnexpress_expected["syndicated"]["copy"]
    same_topic = vnexpress_expected["same_topic"]
    setting = ("-s", f"NEWSCRAWL_EXTRACT_WORKERS={workers}")
    with FixtureServer(fixture_site_dir("tuyengiao")) as tuyengiao, FixtureServer(fixture_site_dir("vnexpress")) as vnx:
        first = crawl("tuyengiao", tuyengiao.url, db_url, tmp_path / "tuyengiao", *setting)
        second = crawl("vnexpress", vnx.url, db_url, tmp_path / "vnexpress", *setting)

    # The first crawl stores the wire story as news (credited to TTXVN), the second reads every VnExpress page
    # as the fixture wrote it.
    wire = {i["canonical_url"]: i for i in first}[original]
    assert wire["source"] == "TTXVN" and wire["authors"] == [] and wire["duplicate_of"] is None
    items = {i["canonical_url"]: i for i in second}
    assert sorted(items) == sorted(a["canonical_url"] for a in vnexpress_expected["articles"])
    for exp in vnexpress_expected["articles"]:
        item = items[exp["canonical_url"]]
        for field in ("title", "lead", "published", "section", "authors", "source", "tags", "captions", "body"):
            assert item[field] == exp[field], (exp["path"], field)

    # The republished copy is stored as its own row pointing at the first copy; nothing else is a duplicate.
    assert items[copy]["duplicate_of"] == original
    assert items[copy]["version"] == 1
    assert [url for url, item in items.items() if item["duplicate_of"]] == [copy]
    assert items[same_topic]["duplicate_of"] is None

    stored = snapshot(db_url)
    assert len(stored["articles"]) == len(tuyengiao_expected["articles"]) + len(vnexpress_expected["articles"])
    assert {url: row["duplicate_of"] for url, row in stored["articles"].items() if row["duplicate_of"]} == {copy: original}
    assert stored["articles"][same_topic]["duplicate_of"] is None
    [dup] = stored["duplicates"]
    assert (dup["canonical_url"], dup["duplicate_of"], dup["kind"]) == (copy, original, "near")
    assert 0.8 <= dup["similarity"] < 1.0
    # The recorded estimate is close to the true similarity of the stored texts; the article on the same event
    # shares facts, not text.
    rows = stored["articles"]
    assert abs(dup["similarity"] - jaccard(rows[copy], rows[original])) < 0.1
    assert jaccard(rows[same_topic], rows[original]) < 0.1


# --------------------------------------------------------------------------- 2. SQLite / PostgreSQL parity


@pytest.fixture(scope="module")
def parity_runs(tmp_path_factory, pg_unreachable):
    """The tuyengiao fixture site (a writable copy, one server) crawled three times into a SQLite file and, when the
    server answers, a throw-away PostgreSQL database, the two crawls of each step running side by side:
    1. a first crawl; 2. the same crawl again, every article fetched again (NEWSCRAWL_INCREMENTAL=False);
    3. after one paragraph of one article changed, again with every article fetched.
    Returns {backend: [{"feed": items, "articles": ..., "versions": ..., "duplicates": ...} per step]}."""
    root = tmp_path_factory.mktemp("parity")
    site = SiteCopy(root / "site")
    with ExitStack() as stack:
        urls = {"sqlite": f"sqlite:///{root / 'parity.sqlite'}"}
        if not pg_unreachable:
            urls["postgresql"] = stack.enter_context(temporary_postgres_database())
        server = stack.enter_context(FixtureServer(site.root))
        runs = {name: [] for name in urls}

        def step(n: int, *extra: str):
            with ThreadPoolExecutor(len(urls)) as pool:
                feeds = dict(zip(urls, pool.map(
                    lambda name: crawl("tuyengiao", server.url, urls[name], root / f"{name}-{n}", *extra), urls)))
            for name, url in urls.items():
                runs[name].append({"feed": feeds[name], **snapshot(url)})

        # The feed holds new and updated articles only (NEWSCRAWL_FEED_ITEMS=changed; -O alone means "all").
        changed = ("-s", "NEWSCRAWL_FEED_ITEMS=changed")
        step(1, *changed)
        step(2, "-s", "NEWSCRAWL_INCREMENTAL=False", *changed)
        site.edit_paragraph(EDITED_PATH, EDIT_OLD, EDIT_NEW)
        step(3, "-s", "NEWSCRAWL_INCREMENTAL=False", *changed)
        yield runs


def runs_of(parity_runs, backend, reason):
    if backend not in parity_runs:
        pytest.skip(reason)
    return parity_runs[backend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_crawling_the_site_again_adds_no_row(parity_runs, backend, pg_unreachable, tuyengiao_expected):
    first, second, _ = runs_of(parity_runs, backend, pg_unreachable)
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    assert sorted(i["canonical_url"] for i in first["feed"]) == expected
    assert sorted(first["articles"]) == expected
    assert len(first["versions"]) == len(expected)
    # Every article was fetched and offered again: all unchanged, nothing emitted, nothing written.
    assert second["feed"] == []
    assert sorted(second["articles"]) == expected
    assert second["versions"] == first["versions"]
    assert second["duplicates"] == first["duplicates"] == []
    for url, row in second["articles"].items():
        assert row["id"] == first["articles"][url]["id"] and row["version"] == 1, url
        assert {c: row[c] for c in PARITY_COLUMNS} == {c: first["articles"][url][c] for c in PARITY_COLUMNS}, url


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_changed_article_is_updated_in_place_as_version_2(parity_runs, backend, pg_unreachable, tuyengiao_expected):
    _, before, after = runs_of(parity_runs, backend, pg_unreachable)
    [edited] = [a["canonical_url"] for a in tuyengiao_expected["articles"] if a["path"] == EDITED_PATH]
    # Only the edited article goes to the feed, as version 2.
    assert [(i["canonical_url"], i["version"]) for i in after["feed"]] == [(edited, 2)]
    assert any(EDIT_NEW in p for p in after["feed"][0]["body"])
    # Same rows, the edited one updated in place (same id), the others untouched.
    assert sorted(after["articles"]) == sorted(before["articles"])
    row, old = after["articles"][edited], before["articles"][edited]
    assert row["id"] == old["id"] and row["version"] == 2
    assert row["content_hash"] != old["content_hash"]
    assert any(EDIT_NEW in p for p in row["body"]) and not any(EDIT_OLD in p for p in row["body"])
    for url, other in after["articles"].items():
        if url != edited:
            assert (other["version"], other["content_hash"]) == (1, before["articles"][url]["content_hash"]), url
    # Two versions of the edited article, one of every other.
    versions = [v for v in after["versions"] if v["canonical_url"] == edited]
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["content_hash"] for v in versions] == [old["content_hash"], row["content_hash"]]
    assert len(after["versions"]) == len(after["articles"]) + 1


def test_sqlite_and_postgresql_hold_the_same_rows_after_every_run(parity_runs, pg_unreachable):
    if "postgresql" not in parity_runs:
        pytest.skip(pg_unreachable)
    for step, (lite, pg) in enumerate(zip(parity_runs["sqlite"], parity_runs["postgresql"]), start=1):
        assert sorted(lite["articles"]) == sorted(pg["articles"]), f"run {step}"
        for url in lite["articles"]:
            assert ({c: lite["articles"][url][c] for c in PARITY_COLUMNS}
                    == {c: pg["articles"][url][c] for c in PARITY_COLUMNS}), f"run {step}: {url}"
        assert ([(v["canonical_url"], v["version"], v["content_hash"]) for v in lite["versions"]]
                == [(v["canonical_url"], v["version"], v["content_hash"]) for v in pg["versions"]]), f"run {step}"
        assert sorted(i["canonical_url"] for i in lite["feed"]) == sorted(i["canonical_url"] for i in pg["feed"])


# --------------------------------------------------------------------------- 3. demo twice, then export


def test_demo_twice_then_parquet_export_has_one_row_per_stored_article(db_url, tmp_path, tuyengiao_expected):
    import pyarrow.parquet as pq

    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    for _ in range(2):
        demo = run_newscrawl(["demo", "--out", str(tmp_path / "demo"), "--db", db_url])
        assert demo.returncode == 0, demo.stderr[-3000:]
    stored = snapshot(db_url)["articles"]
    assert sorted(stored) == expected  # each fixture article exactly once

    out = tmp_path / "export" / "articles.parquet"
    out.parent.mkdir()
    export = run_newscrawl(["export", "--db", db_url, "--since", "2000-01-01", "--format", "parquet", str(out)])
    assert export.returncode == 0, export.stderr[-3000:]
    table = pq.read_table(out)
    assert table.num_rows == len(stored)
    rows = {r["canonical_url"]: r for r in table.to_pylist()}
    assert sorted(rows) == expected
    for url, row in stored.items():
        assert rows[url]["title"] == row["title"] and rows[url]["body"] == row["body"], url
        assert rows[url]["content_hash"] == row["content_hash"] and rows[url]["version"] == row["version"], url


# --------------------------------------------------------------------------- 5. the database connection killed mid-crawl


@pytest.mark.postgres
def test_crawl_items_all_land_once_when_postgres_kills_its_connections_midway(tmp_path, pg_unreachable,
                                                                              tuyengiao_expected):
    """A real crawl into PostgreSQL whose sessions are terminated (pg_terminate_backend) three times while
    it stores: every article is in the database once, with one version row, and once in the JSONL."""
    if pg_unreachable:
        pytest.skip(pg_unreachable)
    expected_urls = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    kill_after = [6, 18, 30]  # stored rows at which the crawl's sessions are killed
    kills = []

    def stored_rows(url: str) -> int:
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(articles)).scalar_one()
        except Exception:  # the table does not exist yet
            return 0
        finally:
            engine.dispose()

    with temporary_postgres_database() as url, FixtureServer(fixture_site_dir("tuyengiao")) as site:
        with ThreadPoolExecutor(1) as pool:
            # Small batches and one request at a time with a delay: the crawl stores in many
            # transactions over a few seconds, so the kills land between and inside them.
            feed = tmp_path / "items.jsonl"
            running = pool.submit(run_scrapy, [
                "crawl", "tuyengiao", "-a", f"base_url={site.url}", "-O", str(feed),
                "-s", f"NEWSCRAWL_DB_URL={url}", "-s", f"NEWSCRAWL_REJECTS_PATH={tmp_path / 'rejects.jsonl'}",
                "-s", "NEWSCRAWL_DB_BATCH_SIZE=4", "-s", "NEWSCRAWL_DB_RETRY_BACKOFF=0.05",
                "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False",
            ])
            while not running.done() and kill_after:
                rows = stored_rows(url)
                if rows >= kill_after[0]:
                    kills.append((rows, terminate_other_backends(url)))
                    kill_after.pop(0)
                time.sleep(0.02)
            result = running.result()
        stored = snapshot(url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'log_count/ERROR'" not in result.stderr, result.stderr[-3000:]
    items = read_jsonl(feed)

    assert len(kills) == 3 and all(killed >= 1 for _, killed in kills), kills
    assert parse_stats(result.stderr).get("newscrawl/db/retries", 0) >= 3  # each kill hit the crawl's session
    assert all(rows < len(expected_urls) for rows, _ in kills), f"the kills came after the crawl stored: {kills}"
    assert sorted(stored["articles"]) == expected_urls
    assert sorted(v["canonical_url"] for v in stored["versions"]) == expected_urls  # one version row each
    assert all(row["version"] == 1 for row in stored["articles"].values())
    assert sorted(i["canonical_url"] for i in items) == expected_urls
