"""newscrawl.ops.export on real SQLite and real PostgreSQL: JSONL and Parquet, filters, atomic writes."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.utils.test import get_crawler

import newscrawl.ops.export as export_module
from newscrawl.model.item import ARTICLE_FIELDS
from newscrawl.ops.export import export_articles, parse_since
from newscrawl.crawl.pipelines.dedupe import DedupePipeline
from newscrawl.crawl.pipelines.store import DatabaseStorePipeline
from tests.support.databases import (
    make_item,
    vietnamese_text,
)


ARTICLES = [
    # (url, site, published)
    ("https://tuyengiao.example.vn/bai-1", "tuyengiao", "2024-03-10T09:00:00+07:00"),
    ("https://tuyengiao.example.vn/bai-2", "tuyengiao", "2024-03-13T06:30:00+07:00"),  # 12 March 23:30 UTC
    ("https://vnexpress.example.net/bai-3", "vnexpress", "2024-03-14T20:15:00+07:00"),
    ("https://vnexpress.example.net/bai-4", "vnexpress", None),  # no publication time
]


def store_articles(db_url):
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DB_URL": db_url})
    pipes = [DedupePipeline.from_crawler(crawler), DatabaseStorePipeline.from_crawler(crawler)]
    for p in pipes:
        p.open_spider()
    items = []
    for n, (url, site, published) in enumerate(ARTICLES):
        item = make_item(
            url,
            f"Bài số {n}: Tin tức thời sự trong ngày",
            vietnamese_text(100 + n, words=200),
            site=site,
            published=published,
            captions=[
                {"text": f"Ảnh minh họa bài {n}", "image_url": f"{url}/anh.jpg", "credit": "Ảnh: TTXVN"},
                {"text": "Toàn cảnh hội nghị", "image_url": None, "credit": None},
            ],
        )
        for p in pipes:
            item = p.process_item(item)
        items.append(dict(item))
    for p in reversed(pipes):
        p.close_spider()
    return items


def test_parquet_has_one_row_per_stored_article(db_url, tmp_path):
    items = store_articles(db_url)
    out = tmp_path / "out" / "articles.parquet"
    n = export_articles(db_url, str(out), since="2000-01-01", fmt="parquet")
    assert n == 4
    table = pq.read_table(out)
    assert table.num_rows == 4
    schema = table.schema
    for name in ("authors", "body", "tags"):
        assert schema.field(name).type == pa.list_(pa.string())
    captions = schema.field("captions").type
    assert pa.types.is_list(captions) and pa.types.is_struct(captions.value_type)
    assert {f.name for f in captions.value_type} == {"text", "image_url", "credit"}
    assert schema.field("blocks").type == pa.list_(pa.struct([("type", pa.string()), ("text", pa.string())]))
    assert schema.field("errors").type == pa.map_(pa.string(), pa.string())
    assert schema.field("published_utc").type == pa.timestamp("us", tz="UTC")
    # Every item field is a column, in the item's order, the UTC timestamps after the date strings.
    assert [n for n in schema.names if not n.endswith("_utc")] == list(ARTICLE_FIELDS)
    assert schema.names.index("published_utc") == schema.names.index("modified") + 1

    rows = {r["canonical_url"]: r for r in table.to_pylist()}
    assert set(rows) == {i["canonical_url"] for i in items}
    for item in items:
        row = rows[item["canonical_url"]]
        assert row["title"] == item["title"]
        assert row["body"] == item["body"]
        assert row["captions"] == item["captions"]
        assert row["blocks"] == item["blocks"] and row["errors"] is None
        assert row["published"] == item["published"]  # "+07:00" as extracted
        assert row["version"] == 1
    second = rows["https://tuyengiao.example.vn/bai-2"]
    assert second["published_utc"] == datetime(2024, 3, 12, 23, 30, tzinfo=timezone.utc)
    assert rows["https://vnexpress.example.net/bai-4"]["published"] is None


def test_jsonl_lines_are_items_in_schema_order(db_url, tmp_path):
    items = store_articles(db_url)
    out = tmp_path / "articles.jsonl"
    assert export_articles(db_url, out, since=date(2000, 1, 1)) == 4
    text = out.read_text(encoding="utf-8")
    assert "Bài số" in text and "\\u" not in text  # UTF-8, not escapes
    lines = [json.loads(line) for line in text.splitlines()]
    # Ordered by publication time, articles without one last.
    assert [line["canonical_url"] for line in lines] == [
        "https://tuyengiao.example.vn/bai-1",
        "https://tuyengiao.example.vn/bai-2",
        "https://vnexpress.example.net/bai-3",
        "https://vnexpress.example.net/bai-4",
    ]
    by_url = {i["canonical_url"]: i for i in items}
    for line in lines:
        item = by_url[line["canonical_url"]]
        expected = {k: item[k] for k in line if k != "crawled_at"}
        assert {k: v for k, v in line.items() if k != "crawled_at"} == expected
        assert datetime.fromisoformat(line["crawled_at"]) == datetime.fromisoformat(item["crawled_at"])
    assert list(lines[0]) == [
        "url", "canonical_url", "site", "section", "title", "lead", "published", "modified",
        "authors", "authors_raw", "source", "captions", "body", "blocks", "tags", "images", "language",
        "crawled_at", "content_hash", "extraction", "missing", "duplicate_of", "version", "schema_version",
    ]  # and no `errors`: no extractor failed on these pages


def test_jsonl_lines_validate_against_the_item_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    try:
        from newscrawl.crawl.pipelines.validate import load_schema
        schema = load_schema()
    except (ImportError, FileNotFoundError) as error:
        pytest.skip(f"item schema not available: {error}")
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    store_articles(db_url)
    out = tmp_path / "a.jsonl"
    export_articles(db_url, out, since="2000-01-01")
    validator = jsonschema.Draft202012Validator(schema)
    for line in out.read_text(encoding="utf-8").splitlines():
        errors = [e.message for e in validator.iter_errors(json.loads(line))]
        assert errors == []


def test_since_and_site_filters(db_url, tmp_path):
    store_articles(db_url)
    out = tmp_path / "a.jsonl"

    def urls(**kw):
        export_articles(db_url, out, **kw)
        return [json.loads(line)["canonical_url"] for line in out.read_text(encoding="utf-8").splitlines()]

    # 13 March in UTC: bai-2 was published 12 March 23:30 UTC; bai-4 (no date) was first seen today.
    assert urls(since="2024-03-13") == ["https://vnexpress.example.net/bai-3", "https://vnexpress.example.net/bai-4"]
    # 13 March in Vietnam includes bai-2.
    assert urls(since="2024-03-13", tz="Asia/Ho_Chi_Minh") == [
        "https://tuyengiao.example.vn/bai-2",
        "https://vnexpress.example.net/bai-3",
        "https://vnexpress.example.net/bai-4",
    ]
    assert urls(since="2024-03-01", site="tuyengiao") == [
        "https://tuyengiao.example.vn/bai-1", "https://tuyengiao.example.vn/bai-2",
    ]
    # A since after today leaves out the undated article too.
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date()
    assert urls(since=tomorrow) == []
    assert out.read_text(encoding="utf-8") == ""


def test_failed_export_leaves_the_previous_file_and_no_temp_file(tmp_path, monkeypatch):
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    store_articles(db_url)
    out = tmp_path / "a.parquet"
    out.write_bytes(b"previous export")
    real = export_module.row_to_item
    calls = []

    def failing(row):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(row)

    monkeypatch.setattr(export_module, "row_to_item", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_articles(db_url, out, since="2000-01-01", fmt="parquet")
    assert out.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_bad_arguments_are_refused_before_writing(tmp_path):
    db_url = f"sqlite:///{tmp_path}/n.sqlite"
    with pytest.raises(FileNotFoundError):
        export_articles(db_url, tmp_path / "x.jsonl", since="2024-01-01")
    store_articles(db_url)
    with pytest.raises(ValueError, match="format"):
        export_articles(db_url, tmp_path / "x.csv", since="2024-01-01", fmt="csv")
    with pytest.raises(ValueError, match="since"):
        export_articles(db_url, tmp_path / "x.jsonl", since="last tuesday")
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "x.csv").exists()


def test_parse_since():
    assert parse_since("2024-03-13") == datetime(2024, 3, 13, tzinfo=timezone.utc)
    assert parse_since("2024-03-13", tz="Asia/Ho_Chi_Minh") == datetime(2024, 3, 12, 17, tzinfo=timezone.utc)
    assert parse_since("2024-03-13T08:00:00+07:00") == datetime(2024, 3, 13, 1, tzinfo=timezone.utc)
    assert parse_since(date(2024, 3, 13)) == datetime(2024, 3, 13, tzinfo=timezone.utc)
