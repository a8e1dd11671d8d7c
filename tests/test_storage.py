"""The article store on real SQLite and real PostgreSQL (127.0.0.1:5432, a fresh database per module)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, event, func, inspect, select, text

from newscrawl.crawl.pipelines.dedupe import DedupePipeline
from newscrawl.crawl.pipelines.store import DatabaseStorePipeline
from newscrawl.crawl import services
from newscrawl.model.item import ARTICLE_FIELDS
from newscrawl.storage import SCHEMA_VERSION, ArticleStore, canonical_url, init_schema, record_run
from newscrawl.storage.articles import row_to_item, stream_articles
from newscrawl.storage.schema import article_versions, articles, duplicates, minhash_signatures, runs, schema_meta
from tests.support.databases import (
    make_item,
    reset_database,
    terminate_other_backends,
    vietnamese_text,
)

BODY = [
    "Sáng 13/3, Ủy ban nhân dân thành phố Hà Nội tổ chức hội nghị triển khai kế hoạch chỉnh trang đô thị "
    "dọc hai bờ sông Tô Lịch trong giai đoạn 2024 - 2025.",
    "Theo kế hoạch, thành phố sẽ cải tạo hơn 14 km bờ kè, xây dựng đường đi bộ, trồng thêm cây xanh và lắp "
    "đặt hệ thống chiếu sáng mới, đồng thời xử lý dứt điểm các điểm xả thải trực tiếp ra sông.",
    "Phó chủ tịch UBND thành phố yêu cầu các quận, huyện liên quan hoàn thành công tác giải phóng mặt bằng "
    "trước quý III và công khai tiến độ để người dân cùng giám sát.",
]


# --------------------------------------------------------------------------- fixtures


def crawler_for(db_url, **settings):
    return get_crawler(settings_dict={"NEWSCRAWL_DB_URL": db_url, **settings})


class Run:
    """One crawl's worth of pipelines on a real Scrapy crawler (dedupe then store)."""

    def __init__(self, db_url, **settings):
        self.crawler = crawler_for(db_url, **settings)
        self.dedupe = DedupePipeline.from_crawler(self.crawler)
        self.store_pipeline = DatabaseStorePipeline.from_crawler(self.crawler)
        self.emitted = []
        self.dropped = []

    def __enter__(self):
        self.dedupe.open_spider()
        self.store_pipeline.open_spider()
        return self

    def process(self, item):
        from scrapy.exceptions import DropItem

        try:
            item = self.dedupe.process_item(item)
            item = self.store_pipeline.process_item(item)
        except DropItem as drop:
            self.dropped.append(str(drop))
            return None
        self.emitted.append(item)
        return item

    def __exit__(self, *exc):
        # Scrapy closes pipelines in reverse order.
        self.store_pipeline.close_spider()
        self.dedupe.close_spider()

    @property
    def stats(self):
        return self.crawler.stats.get_stats()


def count(db_url, table, *where):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
    finally:
        engine.dispose()


def fetch(db_url, query):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).all()
    finally:
        engine.dispose()


def article_row(db_url, canonical):
    rows = fetch(db_url, select(articles).where(articles.c.canonical_url == canonical))
    assert len(rows) == 1
    return rows[0]._mapping


def sample(n, url=None, title=None, **fields):
    return make_item(
        url or f"https://baomoi.example.vn/tin-{n}.htm",
        title or f"Bản tin số {n}: Hà Nội chỉnh trang đô thị dọc sông Tô Lịch",
        # Distinct articles (each its own text), so that none is a near-duplicate of another.
        BODY + vietnamese_text(n, words=150),
        **fields,
    )


# --------------------------------------------------------------------------- schema


def test_schema_created_with_version_and_indexes(db_url):
    with ArticleStore(db_url):
        pass
    engine = create_engine(db_url)
    try:
        insp = inspect(engine)
        assert {"articles", "article_versions", "duplicates", "minhash_signatures", "runs", "schema_meta"} <= set(
            insp.get_table_names()
        )
        index_columns = {tuple(ix["column_names"]) for ix in insp.get_indexes("articles")}
        assert ("site",) in index_columns
        assert ("published",) in index_columns
        assert ("site", "published") in index_columns
        with engine.connect() as conn:
            version = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == "schema_version")).scalar()
        assert int(version) == SCHEMA_VERSION
    finally:
        engine.dispose()


def test_migration_hook_runs_forward_once_and_refuses_newer_databases(db_url):
    with ArticleStore(db_url):
        pass
    engine = create_engine(db_url)
    calls = []

    def add_word_count(conn):
        calls.append(1)
        conn.execute(text("ALTER TABLE articles ADD COLUMN word_count INTEGER"))

    try:
        migrations = {SCHEMA_VERSION: add_word_count}
        assert init_schema(engine, migrations=migrations, target_version=SCHEMA_VERSION + 1) == SCHEMA_VERSION + 1
        assert "word_count" in {c["name"] for c in inspect(engine).get_columns("articles")}
        # Already migrated: nothing runs again.
        init_schema(engine, migrations=migrations, target_version=SCHEMA_VERSION + 1)
        assert calls == [1]
        # This code (SCHEMA_VERSION) must not write into a database of a newer schema.
        with pytest.raises(RuntimeError, match="newer"):
            init_schema(engine)
        # A missing step is an error, not a silent skip.
        with pytest.raises(RuntimeError, match="no migration"):
            init_schema(engine, migrations={}, target_version=SCHEMA_VERSION + 2)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- rows


def test_items_round_trip_into_rows(db_url):
    item = sample(1, modified="2024-03-13T16:05:30+07:00", tags=["Hà Nội", "sông Tô Lịch"])
    with Run(db_url) as run:
        run.process(item)
    row = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    assert row["title"] == item["title"]
    assert row["body"] == item["body"]
    assert row["tags"] == ["Hà Nội", "sông Tô Lịch"]
    assert row["authors"] == ["Minh Anh"] and row["authors_raw"] == ["MINH ANH"]
    assert row["captions"] == item["captions"]
    assert row["extraction"] == item["extraction"]
    # The offset as extracted is kept; the datetime column holds the same instant in UTC.
    assert row["published_raw"] == "2024-03-13T14:31:00+07:00"
    assert row["modified_raw"] == "2024-03-13T16:05:30+07:00"
    published = row["published"]
    if published.tzinfo is None:  # raw SQLite DATETIME text read without the type
        published = published.replace(tzinfo=timezone.utc)
    assert published == datetime(2024, 3, 13, 7, 31, tzinfo=timezone.utc)
    assert row["content_hash"] == item["content_hash"]
    assert row["version"] == 1 and row["duplicate_of"] is None
    assert row["site"] == "example" and row["language"] == "vi"
    assert row["first_seen"] == row["last_seen"]


def test_an_item_reads_back_as_it_was_stored_blocks_and_errors_included(db_url):
    # row_to_item is item_to_row's inverse: every field of the item (ARTICLE_FIELDS), in its order.
    blocks = [{"type": "heading", "text": "Tiêu đề phụ"}] + [{"type": "paragraph", "text": p} for p in BODY]
    with_errors = sample(1, blocks=blocks, errors={"authors": "ValueError: no byline"},
                         date_zones={"published": "country at"})
    without = sample(2)
    with Run(db_url) as run:
        run.process(with_errors)
        run.process(without)
    engine = create_engine(db_url)
    try:
        rows = list(stream_articles(engine, datetime(2000, 1, 1, tzinfo=timezone.utc)))
    finally:
        engine.dispose()
    back = {item["canonical_url"]: item for item in map(row_to_item, rows)}
    for item in (with_errors, without):
        stored = back[item["canonical_url"]]
        expected = {k: v for k, v in dict(item).items() if k != "crawled_at"}
        assert {k: v for k, v in stored.items() if k != "crawled_at"} == expected
        assert datetime.fromisoformat(stored["crawled_at"]) == datetime.fromisoformat(item["crawled_at"])
        assert list(stored) == [name for name in ARTICLE_FIELDS if name in item]
    row = article_row(db_url, without["canonical_url"])
    assert row["errors"] is None and row["date_zones"] is None  # no extractor failed, no zone inferred: NULL, not {}
    assert article_row(db_url, with_errors["canonical_url"])["blocks"] == blocks


def test_json_is_stored_readable_in_sqlite(tmp_path):
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    with Run(db_url) as run:
        run.process(sample(1))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT body FROM articles")).scalar()
        titles = conn.execute(text("SELECT json_extract(body, '$[1]') FROM articles")).scalar()
    engine.dispose()
    assert "Ủy ban nhân dân" in raw  # not \u escapes: LIKE and eyes work on it
    assert titles == BODY[1]


def test_writing_the_same_items_twice_adds_no_row(db_url):
    items = [sample(n) for n in range(5)]
    with Run(db_url) as first:
        for item in items:
            first.process(item)
    assert len(first.emitted) == 5
    assert first.stats["newscrawl/articles/new"] == 5
    with Run(db_url) as second:
        for n in range(5):
            second.process(sample(n))
    assert second.emitted == []
    assert second.stats["newscrawl/articles/unchanged"] == 5
    assert second.stats["newscrawl/dedupe/unchanged"] == 5
    assert count(db_url, articles) == 5
    assert count(db_url, article_versions) == 5
    assert count(db_url, minhash_signatures) == 5
    assert count(db_url, duplicates) == 0


def test_seen_again_unchanged_only_moves_last_seen(db_url):
    with Run(db_url) as run:
        run.process(sample(1))
    before = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    with Run(db_url) as run:
        # The same article reached through a tracking link.
        run.process(sample(1, url="https://baomoi.example.vn/tin-1.htm?utm_source=zalo&zarsrc=30#binh-luan",
                           canonical_url="https://baomoi.example.vn/tin-1.htm?utm_source=zalo&zarsrc=30"))
    after = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    assert after["version"] == 1
    assert after["first_seen"] == before["first_seen"]
    assert after["last_seen"] > before["last_seen"]
    assert {k: v for k, v in after.items() if k != "last_seen"} == {
        k: v for k, v in before.items() if k != "last_seen"
    }


def test_changed_article_is_updated_in_place_as_version_2(db_url):
    with Run(db_url) as run:
        run.process(sample(1))
    first = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    changed = sample(1, modified="2024-03-13T18:00:00+07:00")
    changed["body"] = changed["body"] + ["Cập nhật lúc 18h: thành phố công bố thêm danh sách các tuyến phố ưu tiên."]
    changed["content_hash"] = None
    with Run(db_url) as run:
        out = run.process(changed)
    assert out is not None and out["version"] == 2
    assert run.stats["newscrawl/articles/updated"] == 1
    row = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    assert row["id"] == first["id"]
    assert row["version"] == 2
    assert row["body"][-1].startswith("Cập nhật lúc 18h")
    assert row["modified_raw"] == "2024-03-13T18:00:00+07:00"
    assert row["first_seen"] == first["first_seen"]
    assert count(db_url, articles) == 1
    versions = fetch(
        db_url,
        select(article_versions.c.version, article_versions.c.content_hash, article_versions.c.modified_raw)
        .order_by(article_versions.c.version),
    )
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content_hash == first["content_hash"] and versions[1].content_hash == row["content_hash"]
    assert versions[0].modified_raw is None and versions[1].modified_raw == "2024-03-13T18:00:00+07:00"


def test_new_modified_time_alone_is_a_new_version(db_url):
    with Run(db_url) as run:
        run.process(sample(1, modified="2024-03-13T15:00:00+07:00"))
        run.process(sample(1, modified="2024-03-13T15:30:00+07:00"))  # same batch, still a version
    assert run.stats["newscrawl/articles/updated"] == 1
    assert article_row(db_url, "https://baomoi.example.vn/tin-1.htm")["version"] == 2
    assert count(db_url, article_versions) == 2


def test_a_stale_copy_never_replaces_a_newer_one(db_url):
    with Run(db_url) as run:
        run.process(sample(1, modified="2024-03-13T18:00:00+07:00"))
    stale = sample(1, modified="2024-03-13T15:00:00+07:00", title="Tiêu đề cũ trong bộ nhớ đệm")
    with Run(db_url) as run:
        assert run.process(stale) is None
    row = article_row(db_url, "https://baomoi.example.vn/tin-1.htm")
    assert row["version"] == 1 and row["modified_raw"] == "2024-03-13T18:00:00+07:00"
    # The database refuses it too, when the store is used without the dedupe pipeline.
    with ArticleStore(db_url) as store:
        store.add_article(stale)
    assert article_row(db_url, "https://baomoi.example.vn/tin-1.htm")["version"] == 1


# --------------------------------------------------------------------------- batching and concurrency


def test_writes_are_batched_and_flushed_on_close(db_url):
    crawler = crawler_for(db_url, NEWSCRAWL_DB_BATCH_SIZE=3)
    dedupe, storer = DedupePipeline.from_crawler(crawler), DatabaseStorePipeline.from_crawler(crawler)
    dedupe.open_spider()
    storer.open_spider()
    assert services.store(crawler) is dedupe.store is storer.store  # one store, one pool per crawler
    def scrape(item):  # the pipelines, then Scrapy's item_scraped signal (the feed exports write the item)
        done = storer.process_item(dedupe.process_item(item))
        crawler.signals.send_catch_log(signals.item_scraped, item=done, response=None, spider=None)

    for n in range(2):
        scrape(sample(n))
    assert count(db_url, articles) == 0  # staged, not yet written
    storer.process_item(dedupe.process_item(sample(2)))
    assert count(db_url, articles) == 0  # full, but its last item is not exported yet
    crawler.signals.send_catch_log(signals.item_scraped, item=sample(2), response=None, spider=None)
    assert count(db_url, articles) == 3  # a full batch is one transaction
    for n in range(3, 5):
        scrape(sample(n))
    assert count(db_url, articles) == 3
    storer.close_spider()
    assert count(db_url, articles) == 3  # the dedupe pipeline still holds the store
    dedupe.close_spider()
    assert count(db_url, articles) == 5
    assert crawler.stats.get_value("newscrawl/db/batches") == 2


def test_two_workers_writing_the_same_article_give_one_row(db_url):
    """Workers that each believe an article is new (or changed) race on the upsert; the database decides."""
    a, b = ArticleStore(db_url).open(), ArticleStore(db_url).open()
    try:
        a.add_article(sample(7))
        b.add_article(sample(7))
        a.flush()
        b.flush()
        assert count(db_url, articles) == 1 and count(db_url, article_versions) == 1
        changed = sample(7, modified="2024-03-14T08:00:00+07:00")
        a.add_article(changed)
        b.add_article(changed)
        a.flush()
        b.flush()
    finally:
        a.close()
        b.close()
    assert article_row(db_url, "https://baomoi.example.vn/tin-7.htm")["version"] == 2
    assert count(db_url, article_versions) == 2


WORKER = """
import random, sys, time
sys.path.insert(0, sys.argv[3])
from test_storage import sample
from newscrawl.storage import ArticleStore, Deduplicator

db_url, worker = sys.argv[1], int(sys.argv[2])
order = list(range(40))
random.Random(worker).shuffle(order)
store = ArticleStore(db_url, batch_size=7).open()
dedupe = Deduplicator(store)
while time.time() < float(sys.argv[4]):  # start together
    time.sleep(0.01)
for n in order:
    item = sample(n, modified="2024-03-13T16:00:00+07:00" if n % 5 == 0 else None)
    if dedupe.check(item).keep:
        store.add_article(item)
store.close()
"""


def test_concurrent_worker_processes_store_each_article_once(db_url, tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    with ArticleStore(db_url):  # the schema exists before the workers start
        pass
    start = str(time.time() + 2)
    tests_dir = str(Path(__file__).parent)
    workers = [
        subprocess.Popen([sys.executable, str(script), db_url, str(w), tests_dir, start],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(tests_dir).parent)})  # test_storage imports tests.support
        for w in range(3)
    ]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err[-3000:]
    assert count(db_url, articles) == 40
    assert count(db_url, article_versions) == 40
    assert count(db_url, minhash_signatures) == 40
    assert sorted({v for (v,) in fetch(db_url, select(articles.c.version))}) == [1]


def test_replaying_a_batch_writes_nothing_twice(db_url):
    store = ArticleStore(db_url, batch_size=1000).open()
    try:
        for n in range(4):
            store.add_article(sample(n))
        store.add_duplicate(
            "https://x.example/a", "https://x.example/a", "https://baomoi.example.vn/tin-1.htm", "exact", 1.0
        )
        batch = store._batch
        # As if the COMMIT went through but its answer was lost: the batch is written again.
        for _ in range(2):
            with store.engine.begin() as conn:
                store.write_batch(conn, batch)
    finally:
        store.close()
    assert count(db_url, articles) == 4
    assert count(db_url, article_versions) == 4
    assert count(db_url, duplicates) == 1
    assert count(db_url, minhash_signatures) == 4


# --------------------------------------------------------------------------- resilience (PostgreSQL)


@pytest.mark.postgres
def test_store_survives_terminated_backends_between_batches(pg_url):
    reset_database(pg_url)
    with Run(pg_url, NEWSCRAWL_DB_BATCH_SIZE=5) as run:
        for n in range(12):
            run.process(sample(n))
            if n in (3, 7, 9):
                assert terminate_other_backends(pg_url) >= 1  # the pool's idle connections die
    assert len(run.emitted) == 12
    assert count(pg_url, articles) == 12
    assert count(pg_url, article_versions) == 12
    assert count(pg_url, minhash_signatures) == 12


@pytest.mark.postgres
def test_store_retries_a_batch_whose_connection_dies_mid_transaction(pg_url, caplog):
    reset_database(pg_url)
    store = ArticleStore(pg_url, batch_size=6, retry_backoff=0.05, stats=get_crawler().stats).open()
    version_inserts = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def kill_during_first_batch(conn, cursor, statement, params, context, executemany):
        if statement.startswith("INSERT INTO article_versions"):
            version_inserts.append(1)
            if len(version_inserts) == 1:  # the articles are already upserted in this transaction
                terminate_other_backends(pg_url)

    try:
        with caplog.at_level(logging.WARNING, logger="newscrawl.storage.store"):
            for n in range(6):
                store.add_article(sample(n))
        assert store.stats.get_value("newscrawl/db/retries") >= 1
        assert any("retry 1/" in r.getMessage() for r in caplog.records)
    finally:
        store.close()
    assert count(pg_url, articles) == 6
    assert count(pg_url, article_versions) == 6
    assert sorted(v for (v,) in fetch(pg_url, select(articles.c.version))) == [1] * 6


def _locked():
    from sqlalchemy import exc

    return exc.OperationalError("INSERT INTO articles ...", {}, Exception("database is locked"))


def test_a_batch_that_fails_is_retried_then_kept_until_it_can_be_written(tmp_path, monkeypatch, caplog):
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    crawler = get_crawler()
    store = ArticleStore(db_url, batch_size=2, retries=1, retry_backoff=0.01, stats=crawler.stats).open()
    real = store.write_batch
    failures = {"left": 3}

    def flaky(conn, batch):
        if failures["left"]:
            failures["left"] -= 1
            raise _locked()
        return real(conn, batch)

    monkeypatch.setattr(store, "write_batch", flaky)
    with caplog.at_level(logging.WARNING):
        store.add_article(sample(1))
        store.add_article(sample(2))  # batch full: try, retry once, give up for now
        assert store.pending == 2
        assert crawler.stats.get_value("newscrawl/db/flush_errors") == 1
        store.add_article(sample(3))  # next attempt: fails once more, then the retry goes through
    assert store.pending == 0
    assert count(db_url, articles) == 3
    store.add_article(sample(4))
    store.close()  # the rest at close
    assert count(db_url, articles) == 4
    assert count(db_url, article_versions) == 4
    assert crawler.stats.get_value("newscrawl/db/retries") == 2
    assert "will be retried" in caplog.text


def test_close_raises_when_the_last_batch_cannot_be_written(tmp_path, monkeypatch):
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    store = ArticleStore(db_url, retries=0).open()
    store.add_article(sample(1))

    def broken(conn, batch):
        raise _locked()

    monkeypatch.setattr(store, "write_batch", broken)
    with pytest.raises(Exception, match="locked"):
        store.close()


def test_password_never_logged(db_url, caplog):
    # PostgreSQL here trusts local connections, so a password in the URL is accepted and ignored.
    if db_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        db_url = make_url(db_url).set(password="s3cr3t-pw").render_as_string(hide_password=False)
        store = ArticleStore(db_url)
        with caplog.at_level(logging.DEBUG):
            store.open()
            store.add_article(sample(1))
            store.close()
        assert "s3cr3t-pw" not in caplog.text
        assert "***" in store.safe_db_url
    else:
        with caplog.at_level(logging.DEBUG):
            with ArticleStore(db_url) as store:
                store.add_article(sample(1))
        assert "newscrawl.sqlite" in caplog.text  # the store says where it writes


# --------------------------------------------------------------------------- runs


def test_record_run_inserts_then_completes(db_url):
    started = datetime(2024, 3, 13, 1, 0, tzinfo=timezone.utc)
    record_run(db_url, "run-2024-03-13", sites=["tuyengiao", "vnexpress"], started_at=started)
    stats = {"item_scraped_count": 42, "start_time": started, "newscrawl/articles/new": 40}
    record_run(
        db_url, "run-2024-03-13", sites=["tuyengiao", "vnexpress"], started_at=started + timedelta(hours=5),
        finished_at=started + timedelta(minutes=30), stats=stats, status="finished",
    )
    rows = fetch(db_url, select(runs))
    assert len(rows) == 1
    run = rows[0]._mapping
    assert run["status"] == "finished"
    assert run["sites"] == ["tuyengiao", "vnexpress"]
    assert run["stats"]["item_scraped_count"] == 42
    assert run["stats"]["start_time"] == started.isoformat()
    started_at = run["started_at"] if run["started_at"].tzinfo else run["started_at"].replace(tzinfo=timezone.utc)
    assert started_at == started  # the first start time is kept


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://vnexpress.net/a-123.html?utm_source=facebook&utm_medium=social", "https://vnexpress.net/a-123.html"),
        ("https://tuoitre.vn/b.htm?fbclid=IwAR0x&zarsrc=30&gclid=abc", "https://tuoitre.vn/b.htm"),
        ("https://a.vn/c?_ga=1.2&mc_cid=x&mc_eid=y&id=5#comments", "https://a.vn/c?id=5"),
        ("HTTPS://Dantri.COM.VN:443/x.htm?b=2&a=1", "https://dantri.com.vn/x.htm?a=1&b=2"),
        ("https://thanhnien.vn/thời-sự/c.html", "https://thanhnien.vn/th%E1%BB%9Di-s%E1%BB%B1/c.html"),
        ("http://a.vn:8080/x?UTM_Campaign=z", "http://a.vn:8080/x"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


def _open_and_close(url):
    from newscrawl.storage import ArticleStore

    store = ArticleStore(url)
    store.open()
    store.close()


def test_processes_opening_a_new_sqlite_database_at_once_all_succeed(tmp_path):
    """Workers started together on a new SQLite file must not race creating the tables."""
    import multiprocessing

    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'race{attempt}.sqlite'}"
        procs = [multiprocessing.Process(target=_open_and_close, args=(url,)) for _ in range(4)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(60)
        assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]


# --------------------------------------------------------------------------- crawler glue


def test_a_crawls_store_sends_batch_committed_and_batch_lost(tmp_path, monkeypatch):
    from newscrawl.crawl.signals import batch_committed, batch_lost

    crawler = crawler_for(f"sqlite:///{tmp_path}/n.sqlite", NEWSCRAWL_DB_BATCH_SIZE=2)
    events = []
    crawler.signals.connect(lambda count: events.append(("committed", count)), signal=batch_committed, weak=False)
    crawler.signals.connect(lambda count, reason: events.append(("lost", count, reason)), signal=batch_lost,
                            weak=False)
    store = services.store(crawler).open()
    store.add_article(sample(1))
    store.add_article(sample(2))  # the batch is full: written
    assert events == [("committed", 2)]
    assert crawler.stats.get_value("newscrawl/db/batches") == 1
    store.add_article(sample(3))

    def broken(conn, batch):
        raise _locked()

    monkeypatch.setattr(store, "write_batch", broken)
    with pytest.raises(Exception, match="locked"):
        store.close()
    assert events[1][:2] == ("lost", 1) and "locked" in events[1][2]
    assert crawler.stats.get_value("newscrawl/db/lost") == 1


def test_a_crawl_reads_and_writes_its_database_through_one_engine(tmp_path):
    from newscrawl.crawl.incremental import load_known_articles
    from newscrawl.storage import recent_run_stats

    crawler = crawler_for(f"sqlite:///{tmp_path}/n.sqlite")
    engine = services.engine(crawler)
    store = services.store(crawler).open()
    assert store.engine is engine
    store.add_article(sample(1))
    store.close()
    record_run(engine, "run-1", sites=["example"], stats={"site": "example"}, status="finished")
    assert recent_run_stats(engine, 5) == [{"site": "example"}]
    assert len(load_known_articles(engine, "example")) == 1


def test_a_crawl_waits_for_its_database_at_start_up_without_sleeping_on_the_reactor_thread(tmp_path, monkeypatch):
    """Before, the pipelines opened the store with time.sleep between tries (up to 30 s each), which froze
    every crawl of the process; now open_spider returns an awaitable that waits with asynchronous sleeps."""
    import asyncio
    import time

    from newscrawl.storage import engine as engine_module
    from newscrawl.storage import store as store_module

    crawler = crawler_for(f"sqlite:///{tmp_path}/n.sqlite", NEWSCRAWL_DB_RETRY_BACKOFF=0.01)
    real = store_module.init_schema
    failures = {"left": 2}

    def flaky(engine):
        if failures["left"]:
            failures["left"] -= 1
            raise _locked()
        return real(engine)

    slept, waited = [], []

    async def waiting(seconds):
        waited.append(seconds)

    monkeypatch.setattr(store_module, "init_schema", flaky)
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(engine_module, "_sleep", waiting)
    pipeline = DatabaseStorePipeline.from_crawler(crawler)
    opening = pipeline.open_spider()
    assert slept == []
    assert opening is not None and not services.store(crawler).is_open
    asyncio.run(opening)
    assert services.store(crawler).is_open
    assert len(waited) == 2 and slept == []
    pipeline.close_spider()
    assert not services.store(crawler).is_open
