"""`newscrawl crawl` as cron runs it: incremental, locked, monitored, resumable after a kill."""
from __future__ import annotations

import json
import re
import os
import signal
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import BIN, REPO, read_jsonl
from tests.support.sitecopy import SiteCopy

from tests.support.fixtures import FixtureServer
from newscrawl.crawl.runs import EXIT_DEGRADED, EXIT_LOCKED, EXIT_OK

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRESH_BODY = [
    "Chiều nay, Ban Tuyên giáo tổ chức hội nghị trực tuyến với các địa phương để quán triệt nhiệm vụ trọng tâm "
    "của công tác tuyên giáo trong thời gian tới, bảo đảm thông tin kịp thời, chính xác.",
    "Các đại biểu thống nhất đẩy mạnh tuyên truyền trên nền tảng số, nhất là mạng xã hội và báo điện tử.",
]
PORTAL_BODY = [
    "Sáng nay, chuyên trang tuyên truyền trực tuyến chính thức ra mắt bạn đọc với giao diện thân thiện, "
    "cập nhật tin tức về các hoạt động văn hóa, giáo dục và khoa học ở cơ sở.",
    "Chuyên trang có các chuyên mục hỏi đáp pháp luật, gương người tốt việc tốt và tư liệu lịch sử địa phương.",
]
TRAINING_BODY = [
    "Trong hai ngày, hơn một trăm báo cáo viên cấp tỉnh được bồi dưỡng kỹ năng nói trước công chúng, "
    "nắm bắt dư luận xã hội và xử lý tình huống khi trả lời câu hỏi của người dân tại hội nghị.",
    "Lớp tập huấn dành thời gian thực hành theo nhóm, mỗi học viên chuẩn bị một bài nói ngắn về chủ đề tự chọn.",
]


def crawl_cmd(out: Path, base_url: str, *extra: str) -> list[str]:
    return [str(BIN / "newscrawl"), "crawl", "tuyengiao", "--out", str(out), "--base-url", base_url,
            "-s", "AUTOTHROTTLE_ENABLED=False", *extra]


def run(cmd, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def is_article(path: str) -> bool:
    return bool(re.search(r"-\d{4,}$", path))


def article_paths(paths):
    return sorted(p for p in (urlsplit(x).path for x in paths) if is_article(p))


def db_rows(out: Path, sql: str):
    with sqlite3.connect(out / "newscrawl.sqlite") as db:
        return db.execute(sql).fetchall()


def test_second_run_fetches_and_writes_only_new_and_edited_articles(tmp_path, tuyengiao_expected):
    site = SiteCopy(tmp_path / "site")
    now = datetime.now(VN).replace(second=0, microsecond=0)
    fresh = "/thoi-su/hoi-nghi-truc-tuyen-quan-triet-nhiem-vu-150001"
    site.add_article(fresh, "Hội nghị trực tuyến quán triệt nhiệm vụ trọng tâm", now - timedelta(hours=3), FRESH_BODY)
    out = tmp_path / "out"
    with FixtureServer(site.root) as server:
        first = run(crawl_cmd(out, server.url, "-s", "NEWSCRAWL_RECHECK_HOURS=48"))
        assert first.returncode == EXIT_OK, first.stderr[-3000:]
        assert len(article_paths(server.paths())) == len(tuyengiao_expected["articles"]) + 3 + 1
        server.requests.clear()

        new = ["/thoi-su/ra-mat-chuyen-trang-tuyen-truyen-150002", "/tuyen-giao-cac-cap/tap-huan-bao-cao-vien-150003"]
        site.add_article(new[0], "Ra mắt chuyên trang tuyên truyền trực tuyến", now - timedelta(hours=1), PORTAL_BODY)
        site.add_article(new[1], "Tập huấn báo cáo viên cấp tỉnh năm nay", now - timedelta(minutes=30), TRAINING_BODY)
        site.edit_paragraph(fresh, "bảo đảm thông tin kịp thời", "bảo đảm thông tin kịp thời, đầy đủ")
        second = run(crawl_cmd(out, server.url, "-s", "NEWSCRAWL_RECHECK_HOURS=48"))
        assert second.returncode == EXIT_OK, second.stderr[-3000:]
        requested = server.paths()

    assert article_paths(requested) == sorted([fresh, *new])  # not one known article fetched again
    listings = [p for p in (urlsplit(x).path for x in requested) if not is_article(p)]
    # Both sections' first pages hold a new article, so their second pages are read; those hold only known
    # articles, so paging stops there.
    assert sorted(listings) == sorted(["/robots.txt", "/thoi-su", "/thoi-su/trang-2", "/tuyen-giao-cac-cap",
                                       "/tuyen-giao-cac-cap/trang-2"])

    summary = json.loads((out / "last-run.json").read_text())["sites"]["tuyengiao"]
    assert summary["articles"]["new"] == 2 and summary["articles"]["updated"] == 1
    lines = read_jsonl(next((out / "articles").glob("*.jsonl")))
    second_run = [line for line in lines if urlsplit(line["url"]).path in [fresh, *new] and line["version"] >= 1]
    assert sorted((urlsplit(x["url"]).path, x["version"]) for x in second_run) == sorted(
        [(fresh, 1), (fresh, 2), (new[0], 1), (new[1], 1)])
    assert db_rows(out, "SELECT COUNT(*) FROM articles")[0][0] == len(tuyengiao_expected["articles"]) + 3
    assert db_rows(out, "SELECT version FROM articles WHERE url LIKE '%150001'") == [(2,)]
    assert len(db_rows(out, "SELECT * FROM article_versions WHERE canonical_url LIKE '%150001'")) == 2


def wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_overlapping_run_exits_with_lock_status_and_a_killed_runs_lock_is_recovered(tmp_path):
    out = tmp_path / "out"
    site = SiteCopy(tmp_path / "site")
    # Slow enough (59 pages, a second each, 4 at a time) that the first run is still going when the
    # second has started up, however loaded the machine; the first run is killed right after.
    with FixtureServer(site.root, delay=1.0) as slow:
        holder = subprocess.Popen(crawl_cmd(out, slow.url), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: len(slow.paths()) >= 2, what="the first run to start fetching")
            blocked = run(crawl_cmd(out, slow.url))
            assert blocked.returncode == EXIT_LOCKED
            message = blocked.stderr.strip().splitlines()
            assert len(message) == 1 and "another run holds" in message[0] and str(holder.pid) in message[0]
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
    assert (out / "locks" / "tuyengiao.lock").exists()  # the killed run left its lock file behind...
    with FixtureServer(site.root) as server:
        after = run(crawl_cmd(out, server.url))
    assert after.returncode == EXIT_OK, after.stderr[-3000:]  # ...and it does not block the next run


def test_broken_field_markup_is_flagged_by_site_and_field(tmp_path):
    out = tmp_path / "out"
    site = SiteCopy(tmp_path / "site")
    with FixtureServer(site.root) as server:
        first = run(crawl_cmd(out, server.url))
        assert first.returncode == EXIT_OK, first.stderr[-3000:]
        assert site.break_bylines() > 40
        second = run(crawl_cmd(out, server.url, "-s", "NEWSCRAWL_INCREMENTAL=False"))
    assert second.returncode == EXIT_DEGRADED, second.stderr[-3000:]
    flagged = [line for line in second.stderr.splitlines() if "monitor:" in line]
    assert flagged and all("site tuyengiao field authors" in line for line in flagged), flagged
    assert "before 0.8" in flagged[0] or "before 0.9" in flagged[0]
    assert "http://127.0.0.1" in flagged[0]  # example URLs to look at
    summary = json.loads((out / "last-run.json").read_text())
    assert summary["exit_code"] == EXIT_DEGRADED
    assert [a["field"] for a in summary["sites"]["tuyengiao"]["alerts"]] == ["authors"]


def test_killed_crawl_resumes_and_stores_every_article_once(tmp_path, tuyengiao_expected):
    out = tmp_path / "out"
    site = SiteCopy(tmp_path / "site")
    expected = sorted(a["canonical_url"] for a in tuyengiao_expected["articles"])
    with FixtureServer(site.root, delay=0.05) as slow:
        proc = subprocess.Popen(crawl_cmd(out, slow.url, "-s", "CONCURRENT_REQUESTS=2", "-s", "NEWSCRAWL_DB_BATCH_SIZE=5"),
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: len(article_paths(slow.paths())) >= 20, what="20 article fetches")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    stored_before = db_rows(out, "SELECT COUNT(*) FROM articles")[0][0] if (out / "newscrawl.sqlite").exists() else 0
    assert stored_before < len(expected)  # it really was interrupted
    with FixtureServer(site.root) as server:
        resumed = run(crawl_cmd(out, server.url))
    assert resumed.returncode == EXIT_OK, resumed.stderr[-3000:]
    stored = sorted(r[0] for r in db_rows(out, "SELECT canonical_url FROM articles"))
    assert stored == expected
    lines = read_jsonl(next((out / "articles").glob("*.jsonl")))
    assert sorted(line["canonical_url"] for line in lines) == expected  # the JSONL too: each article once
