"""A real crawl of the bundled tuyengiao fixture site through `scrapy crawl`, checked field by field
against the expectations fixtures/tuyengiao/expected.json holds (written from the generator's data,
not from the extractor's output)."""
from __future__ import annotations

import json
import sqlite3
import unicodedata

import pytest
from conftest import assert_valid_items, read_jsonl, run_scrapy


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    from tests.support.fixtures import FixtureServer, fixture_site_dir

    out = tmp_path_factory.mktemp("crawl")
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        result = run_scrapy([
            "crawl", "tuyengiao", "-a", f"base_url={server.url}",
            "-O", str(out / "articles.jsonl"),
            "-s", f"NEWSCRAWL_DB_URL=sqlite:///{out / 'db.sqlite'}",
            "-s", f"NEWSCRAWL_REJECTS_PATH={out / 'rejects.jsonl'}",
            "-s", "AUTOTHROTTLE_ENABLED=False",
        ])
        requested = server.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    return {
        "items": read_jsonl(out / "articles.jsonl"),
        "rejects": read_jsonl(out / "rejects.jsonl") if (out / "rejects.jsonl").exists() else [],
        "db": out / "db.sqlite",
        "log": result.stderr,
        "requested": requested,
        "base": server.url,
    }


def by_path(items):
    from urllib.parse import urlsplit

    return {urlsplit(item["url"]).path: item for item in items}


def test_every_good_article_exactly_once(crawl, tuyengiao_expected):
    paths = [a["path"] for a in tuyengiao_expected["articles"]]
    got = [item["url"].removeprefix(crawl["base"]) for item in crawl["items"]]
    assert sorted(got) == sorted(paths)
    assert len(set(item["canonical_url"] for item in crawl["items"])) == len(paths)


def test_each_article_page_fetched_once(crawl, tuyengiao_expected):
    """Tracking parameters, fragments, cross-listing and double links never cause a second fetch."""
    from urllib.parse import urlsplit

    fetched = [urlsplit(p).path for p in crawl["requested"]]
    for article in tuyengiao_expected["articles"] + tuyengiao_expected["broken"]:
        assert fetched.count(article["path"]) == 1, article["path"]
    for query_path in crawl["requested"]:
        assert "utm_" not in query_path and "fbclid" not in query_path


def test_every_field_of_every_article(crawl, tuyengiao_expected):
    items = by_path(crawl["items"])
    for exp in tuyengiao_expected["articles"]:
        item = items[exp["path"]]
        where = exp["path"]
        assert item["site"] == "tuyengiao"
        assert item["title"] == exp["title"], where
        assert item["section"] == exp["section"], where
        assert item["published"] == exp["published"], where
        assert item["authors"] == exp["authors"], where
        assert item["source"] == exp.get("source"), where
        if "authors_raw" in exp:
            assert item["authors_raw"] == exp["authors_raw"], where
        assert [c["text"] for c in item["captions"]] == [c["text"] for c in exp["captions"]], where
        assert [c["image_url"] for c in item["captions"]] == [crawl["base"] + c["image_path"] for c in exp["captions"]], where
        assert [c["credit"] for c in item["captions"]] == [c.get("credit") for c in exp["captions"]], where
        assert item["body"] == exp["body"], where
        assert item["lead"] == exp["lead"], where
        assert item["canonical_url"] == exp["canonical_url"], where
        assert item["language"] == "vi"
        assert item["missing"] == []
        for text in [item["title"], *item["body"], *item["authors"]]:
            assert unicodedata.normalize("NFC", text) == text, where


def test_items_match_the_published_schema(crawl, article_schema):
    assert crawl["items"]
    assert_valid_items(crawl["items"], article_schema)


def test_broken_pages_are_rejected_with_reasons_and_the_crawl_goes_on(crawl, tuyengiao_expected):
    reasons = {"missing title": "missing_title", "no body": "missing_body", "unparseable date": "missing_published"}
    rejected = {r["url"].removeprefix(crawl["base"]): r for r in crawl["rejects"]}
    for broken in tuyengiao_expected["broken"]:
        assert broken["path"] in rejected, broken
        assert reasons[broken["reason"]] in rejected[broken["path"]]["reasons"]
        assert f"rejected {crawl['base']}{broken['path']}" in crawl["log"]
    assert f"'newscrawl/rejected': {len(tuyengiao_expected['broken'])}" in crawl["log"]


def test_database_holds_each_article_once(crawl, tuyengiao_expected):
    with sqlite3.connect(crawl["db"]) as db:
        rows = db.execute("SELECT canonical_url, title FROM articles").fetchall()
    assert sorted(r[0] for r in rows) == sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
