"""Databases of an older schema are migrated in place, on real SQLite and real PostgreSQL.

The v3 database is made by the v3 DDL, frozen in tests/support/schema_v3.<dialect>.sql (the tables as
newscrawl's v3 code created them), and given rows as the v3 code wrote them; today's code opens it.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, inspect, select, text

from newscrawl.crawl.pipelines.validate import load_schema
from newscrawl.ops.export import export_articles
from newscrawl.storage import SCHEMA_VERSION, ArticleStore, init_schema
from newscrawl.storage.articles import item_to_row
from newscrawl.storage.dedupe import DUPLICATE_NEAR, Deduplicator
from newscrawl.storage.neardup import NearDupIndex
from newscrawl.storage.schema import MIGRATIONS, add_columns, article_versions, articles, schema_meta
from tests.support.databases import make_item, vietnamese_text

SUPPORT = Path(__file__).parent / "support"
#: What v3 did not have: the columns of schemas 4 (blocks, errors) and 5 (date_zones, page_kind).
NEW_COLUMNS = ("blocks", "errors", "date_zones", "page_kind")
JSON_COLUMNS = ("blocks", "errors", "date_zones")
#: What v5 did not have: the near-duplicate index's band table and its first copy per signature (schema 6).
NEW_TABLES = ("minhash_bands",)
OLD_URLS = ("https://tintuc.example.vn/bai-1.htm", "https://tintuc.example.vn/bai-2.htm")


def v3_statements(dialect: str) -> list[str]:
    sql = (SUPPORT / f"schema_v3.{dialect}.sql").read_text(encoding="utf-8")
    lines = [line for line in sql.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def old_item(n: int, title: str | None = None, **fields):
    """Old article ``n``: by default the item of item schema 1.1 the v3 code stored (no blocks)."""
    fields.setdefault("schema_version", "1.1")
    return make_item(OLD_URLS[n], title or f"Bài cũ số {n}: tin thời sự", vietnamese_text(300 + n, words=120),
                     **fields)


def make_v3_database(db_url: str) -> None:
    """A v3 database (the v3 DDL) holding two articles and a version row, as v3 wrote them."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for statement in v3_statements(conn.dialect.name):
                conn.exec_driver_sql(statement)
            rows = []
            for n in range(len(OLD_URLS)):
                row = item_to_row(old_item(n))
                rows.append({k: v for k, v in row.items() if k not in NEW_COLUMNS})  # v3's row had no such keys
            # Only the v3 columns are named, so the INSERT is one the v3 table takes.
            conn.execute(articles.insert(), rows)
            conn.execute(article_versions.insert(), [
                {"canonical_url": r["canonical_url"], "version": 1, "content_hash": r["content_hash"],
                 "modified": None, "modified_raw": None, "title": r["title"], "body": r["body"],
                 "recorded_at": r["first_seen"]} for r in rows])
            conn.execute(schema_meta.insert().values(key="schema_version", value="3", updated_at=rows[0]["first_seen"]))
    finally:
        engine.dispose()


def raw_rows(db_url: str, table: str) -> list[dict]:
    """Every row as the database holds it (no column types of today's code in between), by id."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    finally:
        engine.dispose()


def test_a_v3_database_is_migrated_in_place_with_its_rows_intact(db_url, tmp_path):
    make_v3_database(db_url)
    before = raw_rows(db_url, "articles")
    versions_before = raw_rows(db_url, "article_versions")
    assert len(before) == 2 and not set(NEW_COLUMNS) & set(before[0])

    with ArticleStore(db_url):
        pass  # opening the store runs the migrations

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == "schema_version")).scalar()
            columns = {c["name"]: c for c in inspect(conn).get_columns("articles")}
        assert int(version) == SCHEMA_VERSION == 6
        assert columns["page_kind"]["nullable"]  # 4 -> 5: rows stored before were not classified
        # The migrated table has every column a new database gets, the new ones typed as JSON lists are.
        assert set(columns) == {c.name for c in articles.columns}
        for name in NEW_COLUMNS:
            assert columns[name]["nullable"]
        for name in JSON_COLUMNS:
            assert type(columns[name]["type"]) is type(columns["body"]["type"]), name  # JSONB / JSON
        if engine.dialect.name == "postgresql":
            assert columns["blocks"]["comment"] == articles.c.blocks.comment
        # Already at 6: opening it again migrates nothing (the step itself would also skip what is there).
        assert init_schema(engine) == SCHEMA_VERSION
        with engine.begin() as conn:
            add_columns(conn, articles, NEW_COLUMNS)
    finally:
        engine.dispose()

    after = raw_rows(db_url, "articles")
    assert [{k: v for k, v in row.items() if k not in NEW_COLUMNS} for row in after] == before
    assert [(row["blocks"], row["errors"], row["date_zones"]) for row in after] == [(None, None, None)] * 2
    assert raw_rows(db_url, "article_versions") == versions_before

    # Read back, an old row is the 1.1 item it was: no blocks (nor errors), and still valid for consumers.
    out = tmp_path / "old.jsonl"
    assert export_articles(db_url, out, since="2000-01-01") == 2
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    published = Draft202012Validator(load_schema())
    for line, n in zip(lines, range(2)):
        item = dict(old_item(n))
        assert "blocks" not in line and "errors" not in line and "date_zones" not in line
        assert line["schema_version"] == "1.1"
        assert {k: line[k] for k in ("canonical_url", "title", "body", "captions", "published")} == {
            k: item[k] for k in ("canonical_url", "title", "body", "captions", "published")}
        assert list(published.iter_errors(line)) == []


def test_a_migrated_database_stores_blocks_and_errors(db_url, tmp_path):
    make_v3_database(db_url)
    blocks = [{"type": "heading", "text": "Một tiêu đề phụ"}, {"type": "paragraph", "text": "Đoạn văn."},
              {"type": "table_row", "text": "Hà Nội | 12"}]
    with ArticleStore(db_url) as store:
        # The first old article, changed: a new version, which has blocks; a new article with an extractor error.
        changed = old_item(0, schema_version="1.2", blocks=blocks, title="Bài cũ số 0, đã sửa")
        store.add_article(changed)
        store.add_article(make_item("https://tintuc.example.vn/bai-3.htm", "Bài mới", vietnamese_text(7, words=120),
                                    blocks=blocks[1:], errors={"authors": "ValueError: no byline"}))
    rows = {r["canonical_url"]: r for r in raw_rows(db_url, "articles")}
    assert rows[OLD_URLS[0]]["version"] == 2
    out = tmp_path / "all.parquet"
    assert export_articles(db_url, out, since="2000-01-01", fmt="parquet") == 3
    import pyarrow.parquet as pq

    table = {r["canonical_url"]: r for r in pq.read_table(out).to_pylist()}
    assert table[OLD_URLS[0]]["blocks"] == blocks and table[OLD_URLS[0]]["errors"] is None
    assert table[OLD_URLS[1]]["blocks"] is None  # stored before 1.2, untouched
    new = table["https://tintuc.example.vn/bai-3.htm"]
    assert new["blocks"] == blocks[1:] and new["errors"] == [("authors", "ValueError: no byline")]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_frozen_v3_ddl_is_todays_schema_but_the_new_columns(dialect):
    # A guard on the fixture itself: the v3 DDL creates today's tables, less what versions 4 to 6 added.
    statements = v3_statements(dialect)
    created = [s for s in statements if s.startswith("CREATE TABLE")]
    assert {s.split()[2] for s in created} == {t.name for t in articles.metadata.sorted_tables} - set(NEW_TABLES)
    v3_articles = next(s for s in created if s.split()[2] == "articles")
    # Column lines start with the column's (lower-case) name; PRIMARY KEY and CONSTRAINT lines do not.
    declared = {line.split()[0] for line in v3_articles.splitlines()[1:] if line.split()[0].islower()}
    assert declared == {c.name for c in articles.columns} - set(NEW_COLUMNS)


def make_v5_database(db_url: str) -> None:
    """A v5 database: the v3 one migrated by the code's steps 3 -> 5, without what 6 adds, holding two
    articles, the second a near-duplicate of the first, and their signatures as v5 wrote them."""
    make_v3_database(db_url)
    engine = create_engine(db_url)
    try:
        init_schema(engine, migrations={v: MIGRATIONS[v] for v in (3, 4)}, target_version=5)
        index = NearDupIndex()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE minhash_bands")  # create_all made it; v5 had none
            conn.execute(articles.update().where(articles.c.canonical_url == OLD_URLS[1])
                         .values(duplicate_of=OLD_URLS[0]))
            for n in range(len(OLD_URLS)):
                item = old_item(n)
                sig = index.signature(item["title"], item["body"])
                conn.execute(text("INSERT INTO minhash_signatures (canonical_url, num_perm, scheme, seed, hashvalues, "
                                  "updated_at) VALUES (:url, :num_perm, :scheme, :seed, :hashvalues, :now)"),
                             {"url": OLD_URLS[n], "num_perm": index.num_perm, "scheme": index.scheme, "seed": index.seed,
                              "hashvalues": index.to_bytes(sig), "now": datetime.now(timezone.utc)})
    finally:
        engine.dispose()


def test_a_v5_database_gets_the_band_table_filled_from_its_signatures(db_url):
    make_v5_database(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert "minhash_bands" not in inspect(conn).get_table_names()
            assert "duplicate_of" not in {c["name"] for c in inspect(conn).get_columns("minhash_signatures")}
        assert init_schema(engine) == 6  # the migration alone, no store
        with engine.connect() as conn:
            bands = conn.execute(text("SELECT canonical_url, count(*) FROM minhash_bands GROUP BY canonical_url "
                                      "ORDER BY canonical_url")).all()
            first_copies = dict(conn.execute(text("SELECT canonical_url, duplicate_of FROM minhash_signatures")).all())
            layout = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == "neardup_layout")).scalar()
    finally:
        engine.dispose()
    index = NearDupIndex()
    assert [tuple(r) for r in bands] == [(url, index.bands) for url in OLD_URLS]
    assert first_copies == {OLD_URLS[0]: None, OLD_URLS[1]: OLD_URLS[0]}
    assert layout == index.layout

    # The migrated index finds a copy of the old near-duplicate, and names the first copy, as v5 did.
    item = old_item(1, schema_version="1.2")
    copy = make_item("https://tonghop.example.vn/ban-sao-2", item["title"], item["body"] + ["(Theo Tin Tức)"])
    with ArticleStore(db_url) as store:
        decision = Deduplicator(store).check(copy)
    assert (decision.kind, decision.duplicate_of) == (DUPLICATE_NEAR, OLD_URLS[0])
