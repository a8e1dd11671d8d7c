"""The commands a user types: `scrapy list`, `newscrawl demo`, `newscrawl extract`, and their errors."""
from __future__ import annotations

import gzip
import json
import sqlite3

from conftest import read_jsonl, run_newscrawl, run_scrapy, shared_path

from newscrawl.sites import SiteRegistry


def test_scrapy_list_names_every_site_file():
    result = run_scrapy(["list"])
    assert result.returncode == 0, result.stderr
    listed = set(result.stdout.split())
    assert set(SiteRegistry.from_dirs()) <= listed
    assert {"tuyengiao", "vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "vietnamplus", "nhandan",
            "tienphong", "baochinhphu"} <= listed


def test_bad_spider_argument_fails_fast_with_what_to_fix():
    result = run_scrapy(["crawl", "tuyengiao", "-a", "max_pages=many", "-a", "base_url=http://127.0.0.1:9"])
    assert "max_pages='many': expected a whole number >= 0" in result.stderr
    result = run_scrapy(["crawl", "tuyengiao", "-a", "sections=sport"])
    assert "unknown section(s) ['sport']" in result.stderr


def test_crawl_of_an_unknown_site_exits_with_the_configuration_status(tmp_path):
    result = run_newscrawl(["crawl", "nosuchsite", "--out", str(tmp_path)])
    assert result.returncode == 2
    assert "unknown site 'nosuchsite'" in result.stderr


def test_demo_twice_writes_each_fixture_article_once(tmp_path, tuyengiao_expected):
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    first = run_newscrawl(["demo", "--out", str(tmp_path)])
    assert first.returncode == 0, first.stderr[-2000:]
    assert f"articles written  {len(expected)}" in first.stdout
    assert sorted(i["canonical_url"] for i in read_jsonl(tmp_path / "articles.jsonl")) == expected
    second = run_newscrawl(["demo", "--out", str(tmp_path)])
    assert second.returncode == 0, second.stderr[-2000:]
    with sqlite3.connect(tmp_path / "newscrawl.sqlite") as db:
        rows = sorted(r[0] for r in db.execute("SELECT canonical_url FROM articles"))
    assert rows == expected


def test_extract_prints_one_json_object_per_page(tmp_path):
    page = shared_path("realpages", "vnexpress", "article_4954454_2025-10-22.html.gz")
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 10)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run_newscrawl(["extract", str(page), str(garbage), str(empty),
                            "--url", "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"])
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["title"] == "Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non"
    assert lines[1]["missing"] == ["title", "published", "body"] and lines[2]["missing"] == ["title", "published", "body"]


def test_extract_reads_gzipped_pages_of_unknown_hosts_with_the_generic_layers(tmp_path):
    page = tmp_path / "page.html.gz"
    html = ('<html lang="en"><head><title>Rain returns to the valley - Example News</title>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rain returns to the valley",'
            ' "datePublished": "2024-05-01T08:30:00+02:00", "author": {"@type": "Person", "name": "Ana Ruiz"}}</script>'
            '</head><body><article><h1>Rain returns to the valley</h1>'
            + "".join(f"<p>Paragraph {i} about the rain that came back to the valley after a long dry spell.</p>"
                      for i in range(6))
            + "</article></body></html>")
    page.write_bytes(gzip.compress(html.encode()))
    result = run_newscrawl(["extract", str(page), "--url", "https://news.example.org/2024/05/rain"])
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["site"] == "news.example.org"
    assert item["title"] == "Rain returns to the valley"
    assert item["published"] == "2024-05-01T08:30:00+02:00"
    assert item["authors"] == ["Ana Ruiz"]
    assert item["extraction"]["published"] == "jsonld"
    assert len(item["body"]) >= 5


def test_every_command_has_help():
    for command in ("demo", "crawl", "seed", "extract", "serve-fixtures", "eval", "report", "export"):
        result = run_newscrawl([command, "--help"])
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.startswith(f"usage: newscrawl {command}"), (command, result.stdout[:200])


def test_demo_of_a_site_the_package_does_not_ship_says_which_it_ships(tmp_path):
    result = run_newscrawl(["demo", "--site", "vnexpress", "--out", str(tmp_path)])
    assert result.returncode == 2
    assert result.stderr.strip() == "newscrawl demo: --site 'vnexpress': no such demo site; the package has tuyengiao"
