"""Bad arguments and settings: `newscrawl crawl`, `scrapy crawl -a`, `export`, `report` exit 2 with one line.

Each case runs the real command as a subprocess. The line on stderr names the argument and says
what to fix; nothing prints a traceback; `newscrawl crawl` records the status in last-run.json
(and runs/<run id>.json), so the previous run's "ok" does not mislead a cron user.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import read_jsonl, run_newscrawl, run_scrapy
from sqlalchemy.engine import make_url

from tests.support.fixtures import FixtureServer, fixture_site_dir


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One real, healthy `newscrawl crawl` of the fixture site: its output folder (last-run.json says ok)."""
    out = tmp_path_factory.mktemp("crawled")
    with FixtureServer(fixture_site_dir("tuyengiao")) as server:
        result = run_newscrawl(["crawl", "tuyengiao", "--out", str(out), "--base-url", server.url,
                                "--log-level", "WARNING", "-s", "AUTOTHROTTLE_ENABLED=False"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((out / "last-run.json").read_text())["status"] == "ok"
    return out


def scrapy(args, cwd):
    """`scrapy` run in ``cwd`` (where a crawl that did start would write its files) as in the project."""
    return run_scrapy(args, cwd=cwd, env={"SCRAPY_SETTINGS_MODULE": "newscrawl.settings"})


def assert_one_line(result, *expected: str) -> str:
    """Exit 2, one line on stderr holding each of ``expected``, no traceback anywhere: that line."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 2, output[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


CRAWL_CASES = [
    (["--sections", "sport"], ["--sections 'sport'", "unknown section(s) ['sport']", "known: thoi-su, tuyen-giao-cac-cap"]),
    (["--max-pages", "abc"], ["--max-pages 'abc'", "expected a whole number >= 0"]),
    (["--max-pages", "-2"], ["--max-pages '-2'", "expected a whole number >= 0"]),
    (["--since", "2024-13-45"], ["--since '2024-13-45'", "expected a date as YYYY-MM-DD"]),
    (["--base-url", "ftp://127.0.0.1/"], ["--base-url 'ftp://127.0.0.1/'", "expected an http(s) URL"]),
    (["--base-url", "http://127.0.0.1:99999"], ["--base-url 'http://127.0.0.1:99999'", "expected an http(s) URL"]),
    (["--db", "mysql://news:secret@127.0.0.1/news"], ["--db 'mysql://news:***@127.0.0.1/news'", "mysql is not supported",
                                                      "sqlite:///PATH or postgresql+psycopg://"]),
    (["--db", "not a url"], ["--db 'not a url'", "not a database URL"]),
    (["--db", "sqlite:////tmp"], ["--db 'sqlite:////tmp'", "/tmp is a folder; give the path of a database file"]),
    (["-s", "NEWSCRAWL_DB_BATCH_SIZE=abc"], ["-s NEWSCRAWL_DB_BATCH_SIZE='abc'", "expected a whole number >= 1"]),
    (["-s", "NEWSCRAWL_INCREMENTAL=maybe"], ["-s NEWSCRAWL_INCREMENTAL='maybe'", "expected True or False"]),
    (["-s", "CONCURRENT_REQUESTS=lots"], ["-s CONCURRENT_REQUESTS='lots'", "expected a number"]),
    (["-s", "NEWSCRAWL_MAXPAGES=2"], ["-s NEWSCRAWL_MAXPAGES", "unknown newscrawl setting", "NEWSCRAWL_MAX_PAGES"]),
    (["-s", "NEWSCRAWL_DB_URL"], ["-s 'NEWSCRAWL_DB_URL'", "expected NAME=VALUE"]),
    (["--log-level", "LOUD"], ["--log-level 'LOUD'", "expected one of"]),
    (["--redis", "127.0.0.1:6379"], ["--redis '127.0.0.1:6379'", "expected a Redis URL"]),
]


@pytest.mark.parametrize("extra, expected", CRAWL_CASES, ids=[" ".join(c[0]) for c in CRAWL_CASES])
def test_newscrawl_crawl_bad_argument_exits_2_and_records_it(crawled, tmp_path, extra, expected):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(crawled / "last-run.json", out / "last-run.json")  # the previous run's "ok"
    result = run_newscrawl(["crawl", "tuyengiao", "--out", str(out), "--base-url", "http://127.0.0.1:9", *extra])
    line = assert_one_line(result, *expected)
    assert line.startswith("newscrawl crawl: ")
    last = json.loads((out / "last-run.json").read_text())
    assert last["status"] == "config_error" and last["exit_code"] == 2
    assert last["message"] == line.removeprefix("newscrawl crawl: ")
    assert last["sites"]["tuyengiao"]["status"] == "config_error"
    assert json.loads((out / "runs" / f"{last['run_id']}.json").read_text()) == last
    assert not (out / "articles").exists()  # nothing was crawled


def test_newscrawl_crawl_into_a_file_exits_2(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    assert_one_line(run_newscrawl(["crawl", "tuyengiao", "--out", str(tmp_path / "out")]), "--out", "not a folder")


SCRAPY_CASES = [
    (["-a", "max_pages=abc"], ["-a max_pages='abc'", "expected a whole number >= 0"]),
    (["-a", "max_pages=-1"], ["-a max_pages='-1'", "expected a whole number >= 0"]),
    (["-a", "sections=sport"], ["-a sections='sport'", "unknown section(s) ['sport']"]),
    (["-a", "since=yesterday"], ["-a since='yesterday'", "expected a date as YYYY-MM-DD"]),
    (["-a", "base_url=127.0.0.1:8000"], ["-a base_url='127.0.0.1:8000'", "expected an http(s) URL"]),
    (["-a", "maxpages=2"], ["-a maxpages='2'", "unknown spider argument", "known: base_url, sections, max_pages, since"]),
    (["-s", "NEWSCRAWL_MAX_PAGES=all"], ["-s NEWSCRAWL_MAX_PAGES='all'", "expected a whole number >= 0"]),
    (["-s", "NEWSCRAWL_DB_URL=mysql://127.0.0.1/news"], ["-s NEWSCRAWL_DB_URL", "mysql is not supported"]),
]


@pytest.mark.parametrize("extra, expected", SCRAPY_CASES, ids=[" ".join(c[0]) for c in SCRAPY_CASES])
def test_scrapy_crawl_bad_argument_exits_2_with_one_line(tmp_path, extra, expected):
    result = scrapy(["crawl", "tuyengiao", "-a", "base_url=http://127.0.0.1:9", "-a", "_job=job-1", *extra], tmp_path)
    line = assert_one_line(result, *expected)
    assert line.startswith("scrapy crawl: ")


def test_scrapy_crawl_of_the_generic_spider_without_a_site_says_so(tmp_path):
    assert_one_line(scrapy(["crawl", "news"], tmp_path), "needs -a site=NAME")
    assert_one_line(scrapy(["crawl", "nosuchsite"], tmp_path), "no spider 'nosuchsite'", "scrapy list")


def test_max_pages_0_crawls_to_the_end(tmp_path, tuyengiao_expected, tuyengiao_server):
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])

    def crawl(name, *extra):
        out = tmp_path / name
        result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "_job=job-1",
                         "-s", "NEWSCRAWL_MAX_PAGES=1", "-s", f"NEWSCRAWL_OUT_DIR={out}",
                         "-s", "NEWSCRAWL_JSONL_PARTITION=none", "-s", "AUTOTHROTTLE_ENABLED=False",
                         "-s", "LOG_LEVEL=WARNING", *extra], tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        return sorted({i["canonical_url"] for i in read_jsonl(out / "articles.jsonl")})

    first_pages = crawl("setting")  # NEWSCRAWL_MAX_PAGES=1: the first listing page of each section
    assert 0 < len(first_pages) < len(expected)
    assert crawl("to-the-end", "-a", "max_pages=0") == expected  # the argument overrides it: to the end


def test_export_bad_arguments_exit_2_with_one_line(crawled, tmp_path):
    db = f"sqlite:///{crawled}/newscrawl.sqlite"
    out = tmp_path / "x.jsonl"

    def export(*args):
        return run_newscrawl(["export", str(out), *args])

    assert_one_line(export("--db", db, "--since", "2024-13-45"), "--since '2024-13-45'", "expected a date as YYYY-MM-DD")
    assert_one_line(export("--db", db, "--since", "2000-01-01", "--site", "nosuchsite"),
                    "--site 'nosuchsite'", "sites there: tuyengiao")
    missing = tmp_path / "missing.sqlite"
    assert_one_line(export("--db", f"sqlite:///{missing}", "--since", "2000-01-01"), f"no database file at {missing}")
    assert not missing.exists()  # not created empty on the way
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert_one_line(export("--db", f"sqlite:///{empty}", "--since", "2000-01-01"), "has no articles table")
    assert_one_line(export("--db", "mysql://127.0.0.1/news", "--since", "2000-01-01"), "mysql is not supported")
    assert_one_line(export("--db", "news.sqlite", "--since", "2000-01-01"), "not a database URL")
    assert_one_line(run_newscrawl(["export", str(tmp_path), "--db", db, "--since", "2000-01-01"]), "is a folder")
    assert_one_line(export("--db", db, "--since", "2000-01-01", "--format", "csv"), "--format", "invalid choice")
    assert not out.exists()
    good = export("--db", db, "--since", "2000-01-01", "--site", "tuyengiao")
    assert good.returncode == 0, good.stderr
    assert len(read_jsonl(out)) == 47


def test_report_bad_arguments_exit_2_with_one_line(crawled, tmp_path):
    out = tmp_path / "report.html"
    missing = tmp_path / "missing.sqlite"
    assert_one_line(run_newscrawl(["report", "--db", f"sqlite:///{missing}", "--out", str(out)]),
                    f"no database file at {missing}")
    assert not missing.exists()
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert_one_line(run_newscrawl(["report", "--db", f"sqlite:///{empty}", "--out", str(out)]),
                    "has no articles and no runs table")
    assert_one_line(run_newscrawl(["report", "--db", "mysql://127.0.0.1/news", "--out", str(out)]), "mysql is not supported")
    db = f"sqlite:///{crawled}/newscrawl.sqlite"
    assert_one_line(run_newscrawl(["report", "--db", db, "--out", str(tmp_path)]), "--out", "is a folder")
    assert not out.exists()
    good = run_newscrawl(["report", "--db", db, "--out", str(out)])
    assert good.returncode == 0, good.stderr
    assert out.exists()


def test_export_and_report_of_a_postgresql_database_that_is_not_there(pg_url, tmp_path):
    absent = make_url(pg_url).set(database=make_url(pg_url).database + "_absent").render_as_string(hide_password=False)
    result = run_newscrawl(["export", str(tmp_path / "x.jsonl"), "--db", absent, "--since", "2000-01-01"])
    assert_one_line(result, "cannot open the database", "does not exist")
    assert_one_line(run_newscrawl(["report", "--db", absent, "--out", str(tmp_path / "r.html")]), "does not exist")
    # An existing database nothing was crawled into: no tables
    assert_one_line(run_newscrawl(["report", "--db", pg_url, "--out", str(tmp_path / "r.html")]), "has no articles")
    assert not Path(tmp_path / "r.html").exists()
