"""What a developer running `scrapy` expects (issue 15), through the real commands.

`scrapy crawl` keeps its default outputs in one git-ignored folder, exits with the run's status and
says in one line why; a host that cannot be reached is a WARNING line and a failures.jsonl line, no
traceback; `scrapy parse` / `shell` need no extra arguments and record no run; `scrapy check` runs
one contract per fixture page of a site file, offline; last-run.json has one shape however the crawl
was started.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, read_jsonl, run_newscrawl, run_scrapy

from tests.support.fixtures import FIXTURES_DIR, FixtureServer
from newscrawl.sites import SiteRegistry

QUICK = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=1", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0"]


def scrapy(args, cwd):
    """`scrapy` run in ``cwd``, a folder outside the repository, as in the project."""
    return run_scrapy(args, cwd=cwd, env={"SCRAPY_SETTINGS_MODULE": "newscrawl.settings"})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens on it once the socket is closed


def runs_rows(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs'").fetchone():
            return 0
        return conn.execute("SELECT count(*) FROM runs").fetchone()[0]


def test_scrapy_crawl_keeps_its_default_outputs_in_one_ignored_folder(tmp_path, tuyengiao_server):
    result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "max_pages=1", *QUICK],
                    tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".scrapy"]  # nothing in the project root
    folder = tmp_path / ".scrapy" / "newscrawl"
    assert (folder / "newscrawl.sqlite").is_file() and (folder / "rejects.jsonl").is_file()
    assert runs_rows(folder / "newscrawl.sqlite") == 1
    # git ignores every file of it, SQLite's -wal/-shm included
    for name in ("newscrawl.sqlite", "newscrawl.sqlite-wal", "newscrawl.sqlite-shm", "rejects.jsonl",
                 "failures.jsonl"):
        assert subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", f".scrapy/newscrawl/{name}"]).returncode == 0
    # a setting given for the run still wins
    db = tmp_path / "mine.sqlite"
    result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "max_pages=1",
                     "-s", f"NEWSCRAWL_DB_URL=sqlite:///{db}", *QUICK], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert runs_rows(db) == 1


@pytest.mark.parametrize("base_url", ["closed_port", "http://newscrawl-test.invalid"])
def test_scrapy_crawl_that_fetched_nothing_fails_in_one_line_without_tracebacks(tmp_path, base_url):
    if base_url == "closed_port":
        base_url = f"http://127.0.0.1:{closed_port()}"
    result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={base_url}", *QUICK], tmp_path)
    assert result.returncode == 4, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-5000:]
    assert not re.search(r"\] ERROR: (Gave up retrying|Error downloading)", result.stderr), result.stderr[-5000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl: tuyengiao: failed: no page could be fetched"), last
    # each URL once in failures.jsonl and once in the log, at WARNING; robots.txt not counted as a page
    failures = read_jsonl(tmp_path / ".scrapy" / "newscrawl" / "failures.jsonl")
    pages = [f for f in failures if f["reason"] != "robots_txt_unreachable"]
    assert pages and {f["reason"] for f in pages} <= {"connection_refused", "dns"}, failures
    assert [f["url"] for f in failures if f["reason"] == "robots_txt_unreachable"] == [f"{base_url}/robots.txt"]
    for f in failures:
        assert len(re.findall(rf"WARNING: failed {re.escape(f['url'])}:", result.stderr)) == 1, f["url"]
    assert f"{len(pages)} of {len(pages)} page requests failed" in last


def last_run(folder: Path) -> dict:
    return json.loads((folder / "last-run.json").read_text(encoding="utf-8"))


def shape(value):
    """The keys of a JSON value, nested (lists by their first element), without the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k not in ("fill_rate", "http_errors", "failures",
                                                                   "download_exceptions", "rejected_by_reason")}
    return type(value).__name__


def test_last_run_json_has_one_shape_however_the_crawl_was_started(tmp_path, tuyengiao_server):
    by_scrapy, by_newscrawl = tmp_path / "scrapy", tmp_path / "newscrawl"
    result = scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "max_pages=1",
                     "-s", f"NEWSCRAWL_OUT_DIR={by_scrapy}", *QUICK], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_newscrawl(["crawl", "tuyengiao", "--out", str(by_newscrawl), "--base-url", tuyengiao_server.url,
                            "--max-pages", "1", *QUICK])
    assert result.returncode == 0, result.stderr[-3000:]
    a, b = last_run(by_scrapy), last_run(by_newscrawl)
    assert set(a) == set(b) == {"run_id", "status", "exit_code", "sites"}
    assert list(a["sites"]) == list(b["sites"]) == ["tuyengiao"]
    assert (a["status"], a["exit_code"]) == ("ok", 0)
    assert shape(a) == shape(b)
    assert a["sites"]["tuyengiao"]["run_id"] == f"{a['run_id']}-tuyengiao"
    assert json.loads((by_scrapy / "runs" / f"{a['run_id']}.json").read_text()) == a  # as newscrawl crawl keeps it


def test_scrapy_parse_and_shell_need_no_extra_arguments_and_record_no_run(tmp_path, tuyengiao_server,
                                                                           tuyengiao_expected):
    article = tuyengiao_expected["articles"][0]
    db = tmp_path / "db.sqlite"
    common = ["-a", f"base_url={tuyengiao_server.url}", "-s", f"NEWSCRAWL_DB_URL=sqlite:///{db}"]
    # the live URL: the site's spider is found by its host, the page fetched from the mirror
    result = scrapy(["parse", *common, "-c", "parse_article", article["canonical_url"]], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "TypeError" not in result.stderr and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert article["title"] in result.stdout
    assert "failed" not in result.stderr
    result = scrapy(["parse", *common, "--spider", "tuyengiao", "-c", "parse_listing",
                     f"{tuyengiao_server.url}{article['linked_from'][0]}"], tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert article["path"] in result.stdout  # the listing's requests, printed
    result = scrapy(["shell", *common[2:], f"{tuyengiao_server.url}{article['path']}", "-c", "response.status"],
                    tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "200", result.stdout + result.stderr[-3000:]
    assert runs_rows(db) == 0
    if db.exists():
        with sqlite3.connect(db) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "url_state" in tables:
                assert conn.execute("SELECT count(*) FROM url_state").fetchone()[0] == 0


def test_scrapy_check_runs_a_contract_per_fixture_page_offline(tmp_path):
    from newscrawl.crawl.contracts import fixture_cases
    expected = sum(len(fixture_cases(site)) for site in SiteRegistry.from_dirs())
    with_pages = [site for site in SiteRegistry.from_dirs() if fixture_cases(site)]
    assert expected > 0 and len(with_pages) >= 10
    result = scrapy(["check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert f"Ran {expected} contracts" in result.stderr, result.stderr[-3000:]
    assert not (tmp_path / ".scrapy" / "newscrawl" / "failures.jsonl").exists()
    assert runs_rows(tmp_path / ".scrapy" / "newscrawl" / "newscrawl.sqlite") == 0

    # a page whose extraction no longer gives its expected title fails its contract, naming the field
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / "sites", copy / "sites")
    page, _, fields = fixture_cases("vnexpress")[0]
    path = copy / "sites" / "vnexpress" / page
    path.write_text(path.read_text(encoding="utf-8").replace(fields["title"], "Một tiêu đề khác"), encoding="utf-8")
    with FixtureServer(copy) as server:
        result = scrapy(["check", "vnexpress", "-a", f"base_url={server.url}"], tmp_path)
    assert result.returncode == 1
    assert "FAIL: [vnexpress] fixture_" in result.stderr and "title: got" in result.stderr, result.stderr[-3000:]


RAISING_PIPELINE = """
class Raises:
    # A pipeline with a bug: every item fails in it, and Scrapy goes on with the next one.
    def process_item(self, item, spider=None):
        raise RuntimeError("a pipeline broke")
"""


def test_a_pipeline_that_raises_fails_the_run_with_exit_status_4(tmp_path, tuyengiao_server):
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "raising_pipeline.py").write_text(RAISING_PIPELINE)
    out = tmp_path / "out"
    from newscrawl.settings import ITEM_PIPELINES

    pipelines = json.dumps({**ITEM_PIPELINES, "raising_pipeline.Raises": 50})  # first: nothing is stored
    result = run_scrapy(["crawl", "tuyengiao", "-a", f"base_url={tuyengiao_server.url}", "-a", "max_pages=1",
                         "-s", f"NEWSCRAWL_OUT_DIR={out}", "-s", f"ITEM_PIPELINES={pipelines}", *QUICK],
                        cwd=tmp_path, env={"SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(plugin)})
    assert result.returncode == 4, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl: tuyengiao: failed: "), last
    assert "errors in spider or pipelines" in last, last
    summary = last_run(out)
    assert (summary["status"], summary["exit_code"]) == ("failed", 4)
    assert "errors in spider or pipelines" in summary["sites"]["tuyengiao"]["problems"]
